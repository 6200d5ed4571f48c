package io.escapement.simulator.net;

import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * A packet's fate computed with the connection's hash shared ({@link NetworkModel#connectionKey}) is the fate
 * computed without: the same hash values, losses and delays, for every jitter shape, loss and bursty loss.
 */
class ConnectionKeyTest
{
    private static final long K1 = 0x9E3779B97F4A7C15L;
    private static final long K2 = 0xC2B2AE3D27D4EB4FL;

    /** The packet hash as the model defined it before the key was split out, written out here as the reference. */
    private static double reference(final long seed, final long connection, final boolean fromClient,
        final int packetClass, final int unit, final int transmission, final int salt)
    {
        long h = NetworkModel.mix(seed ^ K1 * (connection + 1));
        h = NetworkModel.mix(h ^ (((long)salt << 32) | ((long)packetClass << 24) | ((long)(fromClient ? 1 : 0) << 20) |
            (transmission & 0xFFFFF)));
        h = NetworkModel.mix(h + K2 * (unit + 1L));
        return (h >>> 11) * 0x1.0p-53;
    }

    @Test
    void shouldHashEveryPacketAsTheReferenceDoesWhenTheConnectionKeyIsShared()
    {
        final SplittableRandom random = new SplittableRandom(7);
        for (int n = 0; n < 200_000; n++)
        {
            final long seed = random.nextLong();
            final long connection = random.nextInt(4) == 0 ? random.nextLong() : random.nextLong(10_000_000);
            final boolean fromClient = random.nextBoolean();
            final int packetClass = random.nextInt(4);
            final int unit = random.nextInt(3) == 0 ? random.nextInt() : random.nextInt(100);
            final int transmission = random.nextInt(3) == 0 ? random.nextInt() : random.nextInt(16);
            final int salt = random.nextInt();
            assertEquals(reference(seed, connection, fromClient, packetClass, unit, transmission, salt),
                NetworkModel.uniform(seed, connection, fromClient, packetClass, unit, transmission, salt));
        }
    }

    @Test
    void shouldGiveTheSameLossDelayAndJitterWithTheKeyAsWithout()
    {
        final GilbertElliott chain = new GilbertElliott(0.05, 0.3, 0.005, 0.7);
        for (final NetworkModel.Jitter jitter : NetworkModel.Jitter.values())
        {
            final NetworkModel[] models = {
                NetworkModel.builder().loss(0.2).rttUs(40_000).jitter(jitter, 3_000).build(),
                NetworkModel.builder().loss(0.05).rttUs(10_000).jitter(jitter, 9_000).burstLoss(chain, chain)
                    .rtt(RttDistribution.parse("--rtt", "lognormal:median=40ms,sigma=1")).build(),
            };
            for (final NetworkModel network : models)
            {
                final SplittableRandom random = new SplittableRandom(jitter.ordinal());
                int lost = 0;
                for (int n = 0; n < 50_000; n++)
                {
                    final long seed = random.nextLong(1_000);
                    final long conn = random.nextLong(1_000_000);
                    final long key = NetworkModel.connectionKey(seed, conn);
                    final boolean fromClient = random.nextBoolean();
                    final int cls = random.nextInt(4);
                    final int unit = random.nextInt(64);
                    final int tx = random.nextInt(16);
                    final int ack = random.nextInt(64);
                    final long sentUs = random.nextLong(100_000_000);
                    final boolean fate = network.lost(seed, conn, fromClient, cls, unit, tx, ack, sentUs);
                    lost += fate ? 1 : 0;
                    assertEquals(fate, network.lost(seed, conn, key, fromClient, cls, unit, tx, ack, sentUs));
                    assertEquals(network.jitterUs(seed, conn, fromClient, cls, unit, tx),
                        network.jitterUs(seed, conn, key, fromClient, cls, unit, tx));
                    assertEquals(network.delayUs(seed, conn, fromClient, cls, unit, tx, sentUs),
                        network.delayUs(seed, conn, key, fromClient, cls, unit, tx, sentUs));
                }
                // the comparison covered both fates, not only deliveries
                assertEquals(true, lost > 1_000 && lost < 49_000, "losses " + lost);
            }
        }
    }
}
