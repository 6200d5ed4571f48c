package io.escapement.simulator.tcp;

import io.escapement.simulator.Scenario;
import io.escapement.simulator.report.ShardStats;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

class StreamsTest
{
    /**
     * The per-ACK sequence numbers start at the ISN the public formula gives, for every connection number a
     * scenario allows (an int): the multiplication by two must not overflow at 2^30 and beyond.
     */
    @Test
    void shouldStartEveryStreamAtTheInitialSequenceOfItsConnectionUpToTheLargestConnectionNumber()
    {
        final long seed = 42;
        final ConnectionTable table = new ConnectionTable(1, capacity -> { });
        final Streams streams = new Streams(Scenario.builder().seed(seed).build(), table, new ShardStats());
        for (final int conn : new int[] {0, 1, (1 << 30) - 1, 1 << 30, Integer.MAX_VALUE})
        {
            table.connection[0] = conn;
            for (int end = 0; end < 2; end++)
            {
                assertEquals(TcpShard.initialSequence(seed, conn, end), streams.seq(end, 0),
                    "connection " + conn + ", end " + end);
            }
        }
    }
}
