package io.escapement.simulator.net;

import io.escapement.simulator.Scenario;
import io.escapement.simulator.tcp.TcpShard;
import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Two RTO strategies on one seed see the same network: every packet both runs send (same connection, direction,
 * segment and transmission) has the same fate in both, lost or delivered with the same jitter, although the
 * strategies retransmit at different times and so send different packets in a different order.
 */
class IdenticalFatesTest
{
    private record Identity(long connection, boolean fromClient, int packetClass, int unit, int transmission)
    {
    }

    private static Map<Identity, Long> fates(final String strategy)
    {
        return fates(strategy, NetworkModel.builder().loss(0.05).rttUs(40_000));
    }

    private static Map<Identity, Long> fates(final String strategy, final NetworkModel.Builder builder)
    {
        final Map<Identity, Long> fates = new HashMap<>();
        final NetworkModel network = builder
            .jitter(NetworkModel.Jitter.LOGNORMAL, 15_000)
            .observer((conn, fromClient, cls, unit, tx, lost, jitter) ->
            {
                final Long previous = fates.put(new Identity(conn, fromClient, cls, unit, tx), lost ? -1 : jitter);
                if (previous != null && previous != (lost ? -1 : jitter))
                {
                    throw new AssertionError("one identity, two fates within a run");
                }
            })
            .build();
        final Scenario scenario = Scenario.builder().seed(42).connections(5_000).arrivalsPerSecond(1_000)
            .rto(strategy).network(network).build();
        new TcpShard(scenario, 0, 1, null, null).run();
        return fates;
    }

    @Test
    void shouldGiveEveryPacketBothStrategiesSendTheSameFate()
    {
        assertSameFates(fates("rfc6298:min=200ms"), fates("fixed:rto=100ms"));
    }

    /**
     * The guarantee of the bursty-loss chain and of per-connection RTTs: still the same fate for every packet both
     * strategies send, because the chain runs over the units of a flight (a function of the packet's identity),
     * not over the order a run happens to send in.
     */
    @Test
    void shouldGiveEveryPacketBothStrategiesSendTheSameFateUnderBurstyLossAndMixedRtts()
    {
        final GilbertElliott chain = new GilbertElliott(0.05, 0.3, 0.005, 0.7);
        final RttDistribution rtts = RttDistribution.parse("--rtt", "lognormal:median=40ms,sigma=1");
        assertSameFates(fates("rfc6298:min=200ms", NetworkModel.builder().loss(0).rtt(rtts).burstLoss(chain, chain)),
            fates("fixed:rto=100ms", NetworkModel.builder().loss(0).rtt(rtts).burstLoss(chain, chain)));
    }

    private static void assertSameFates(final Map<Identity, Long> rfc, final Map<Identity, Long> fixed)
    {
        int common = 0;
        int lost = 0;
        for (final Map.Entry<Identity, Long> e : rfc.entrySet())
        {
            final Long other = fixed.get(e.getKey());
            if (other != null)
            {
                common++;
                lost += e.getValue() < 0 ? 1 : 0;
                assertEquals(e.getValue(), other, "fate of " + e.getKey());
            }
        }
        assertTrue(common > 50_000, "most packets are sent by both: " + common);
        assertTrue(lost > 1_000, "and some of them are lost in both: " + lost);
        final long onlyFixed = fixed.keySet().stream().filter(k -> !rfc.containsKey(k)).count();
        assertTrue(onlyFixed > 500, "the strategies do differ in what they send: " + onlyFixed);
    }
}
