package io.escapement.simulator.tcp;

import io.escapement.simulator.SizeDistribution;
import io.escapement.simulator.net.NetworkModel;
import io.escapement.simulator.report.Counter;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A connection living longer than 2^32 microseconds (71.6 minutes): its paths stay FIFO. */
class TcpLongLivedTest
{
    @Test
    void shouldKeepAPathFifoPastTwoToThe32MicrosecondsOfAConnection()
    {
        // five exchanges 33 minutes apart (the last 133 minutes in), 10 segments each, with uniform jitter (0 to
        // 10 ms each way): a packet's arrival is held behind the path's last one (Wire). With that time saturating
        // at 2^32 us after the start, the later exchanges' segments overtook one another, and the SACK options,
        // matched to packets by the FIFO order of their queue, went to the wrong packets
        final OneConnection run = new OneConnection(null, b -> b.requestBytes(300).responseBytes(10 * 1448)
            .exchangeCounts(SizeDistribution.constant(5)).thinkTimes(SizeDistribution.constant(2_000_000_000))
            .idleTimeoutUs(3_600_000_000L)
            .network(NetworkModel.builder().loss(0).rttUs(2 * OneConnection.ONE_WAY_US)
                .jitter(NetworkModel.Jitter.UNIFORM, 5_000).build()));
        final long y = run.isn(1);
        final List<Long> seqs = new ArrayList<>();
        for (final String line : run.trace)
        {
            final int at = line.indexOf("client ESTABLISHED receives DATA seq=");
            if (at >= 0)
            {
                seqs.add(Long.parseLong(line.substring(at + 37).split(" ")[0]));
            }
        }
        assertEquals(50, seqs.size(), "five exchanges\n" + run.dump());
        assertTrue(run.timeOf("client ESTABLISHED receives DATA seq=" + (y + 1 + 40 * 1448)) > 4_294_967_296L,
            "the last exchange arrives after 2^32 us\n" + run.dump());
        for (int k = 1; k < seqs.size(); k++)
        {
            assertTrue(seqs.get(k) > seqs.get(k - 1), "in order: " + seqs + "\n" + run.dump());
        }
        assertEquals(1, run.count(Counter.OUTCOME_COMPLETED), run.dump());
        run.assertAccountedFor();
    }
}
