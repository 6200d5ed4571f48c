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
        final Map<Identity, Long> fates = new HashMap<>();
        final NetworkModel network = NetworkModel.builder().loss(0.05).rttUs(40_000)
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
        final Map<Identity, Long> rfc = fates("rfc6298:min=200ms");
        final Map<Identity, Long> fixed = fates("fixed:rto=100ms");
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
