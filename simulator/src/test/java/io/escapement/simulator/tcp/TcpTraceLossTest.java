package io.escapement.simulator.tcp;

import io.escapement.simulator.net.DelayTrace;
import io.escapement.simulator.net.NetworkModel;
import io.escapement.simulator.report.Counter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * A delay trace's loss column on one connection with exact times: a packet's fate depends on when it leaves, and
 * the ground truth of spurious retransmissions (a retransmission is spurious when an earlier copy was not lost and
 * has not arrived) must use the fate each copy met when it was sent. The server's 3-segment response leaves at
 * 30.001 ms; the trace towards the client replaces the 10 ms one-way delay; the RTO is a fixed 100 ms.
 */
class TcpTraceLossTest
{
    private static final int MSS = 1448;

    @TempDir
    Path dir;

    private OneConnection run(final String traceToClient) throws IOException
    {
        final Path file = dir.resolve("trace.csv");
        Files.writeString(file, traceToClient);
        final DelayTrace trace = DelayTrace.read("--delay-trace-to-client", file.toString(), DelayTrace.End.REFUSE);
        return new OneConnection(null, b -> b.rto("fixed:rto=100ms").requestBytes(100).responseBytes(3 * MSS)
            .network(NetworkModel.builder().loss(0).rttUs(2 * OneConnection.ONE_WAY_US)
                .jitter(NetworkModel.Jitter.CONSTANT, 0)
                .delayTrace(null, trace, NetworkModel.ALL_CONNECTIONS).build()));
    }

    @Test
    void shouldCountNoRetransmissionSpuriousWhenTheTraceLostEveryOriginal() throws IOException
    {
        // loss 1 from 30 ms to 31 ms: the response (sent at 30.001 ms) is lost, everything else arrives. The
        // server's RTO (130.001 ms) resends 1, then the recovery 2 and 3: every copy before them was lost, so
        // none is spurious. The client's resend of its request (its ACK rode on the lost response) is necessary
        // too: the server holds the request, but no ACK of it is on its way. Asked again by identity alone (the
        // fate without the send time), each original would look not lost, still on its way: spurious.
        final OneConnection run = run("0,10,0\n0.030,10,1\n0.031,10,0\n10,10,0\n");
        assertEquals(3, run.timesOf("(lost)").size(), run.dump());
        assertEquals(3, run.count(Counter.PACKETS_LOST), run.dump());
        assertEquals(0, run.count(Counter.RETX_SPURIOUS), run.dump());
        assertEquals(4, run.count(Counter.REPAIRED_BY_RTO), "the server's 3 segments and the client's request (every " +
            "ACK of it lost), repaired\n" + run.dump());
        run.assertAccountedFor();
    }

    @Test
    void shouldCountAResendSpuriousWhenItsOriginalIsOnItsWayThoughTheResendItselfIsLost() throws IOException
    {
        // the response (sent at 30.001 ms) takes 150 ms, arriving at 180.001 ms; loss 1 for the microsecond of
        // 130.001 ms catches the server's RTO resend of 1, and nothing else. The original is on its way: the
        // resend is spurious. So are the client's resend of its request at 120 ms (the server holds it, and the
        // ACK of it rides on the delayed response) and the recovery's resends of 2 and 3 at 190.001 ms (the ACK
        // of the original 1 only moves UNA; 2 and 3 arrived at 180.002 and 180.003 ms and their ACKs are on the
        // way): 4. Asked again with the resend's time, the original of 1 would look lost (the rate then is 1): 3.
        final OneConnection run = run("0,10,0\n0.030,150,0\n0.031,10,0\n0.130001,10,1\n0.130002,10,0\n10,10,0\n");
        assertEquals(1, run.timesOf("(lost)").size(), run.dump());
        assertEquals(1, run.count(Counter.PACKETS_LOST), run.dump());
        assertEquals(130_001, run.timeOf("(lost)"), run.dump());
        assertEquals(4, run.count(Counter.RETX_SPURIOUS), run.dump());
        run.assertAccountedFor();
    }
}
