package io.escapement.simulator.tcp;

import io.escapement.simulator.Scenario;
import io.escapement.simulator.report.Counter;
import org.junit.jupiter.api.Test;

import java.util.List;

import static io.escapement.simulator.net.NetworkModel.SEGMENT;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * RACK (RFC 8985 section 6; Linux's tcp_recovery.c): the reordering window and time-based loss detection, on
 * worked values and on one connection with exact times (10 ms each way, every segment acknowledged at once).
 */
class TcpRackTest
{
    private static final int MSS = 1448;

    @Test
    void shouldOrderSegmentsBySendTimeThenSequenceAsRackSentAfterDoes()
    {
        assertTrue(Rack.sentAfter(10, 1, 9, 5), "sent later");
        assertTrue(Rack.sentAfter(10, 3, 10, 2), "sent together: the higher sequence is the later");
        assertFalse(Rack.sentAfter(10, 2, 10, 2));
        assertFalse(Rack.sentAfter(9, 5, 10, 1));
    }

    @Test
    void shouldUseAQuarterOfTheMinimumRttAsTheReorderingWindowUntilRecoveryOrThreeDelivered()
    {
        // tcp_rack_reo_wnd() with no reordering seen: 0 in recovery or with DupThresh segments delivered above
        // the oldest; else min_rtt / 4, at most SRTT
        assertEquals(5_000, Rack.reorderWindow(false, 1, 20_000, 30_000));
        assertEquals(0, Rack.reorderWindow(true, 1, 20_000, 30_000), "in recovery");
        assertEquals(0, Rack.reorderWindow(false, 3, 20_000, 30_000), "three delivered");
        assertEquals(20_000, Rack.reorderWindow(false, 0, 100_000, 20_000), "bounded by SRTT");
        assertEquals(25_000, Rack.reorderWindow(false, 0, 100_000, -1), "no SRTT yet");
    }

    @Test
    void shouldMarkTheFirstSegmentLostAQuarterRttAfterALaterOneIsDeliveredWhereTwoDuplicatesCannot()
    {
        // 3 segments sent together at t, segment 1 lost: the duplicate ACKs of 2 and 3 reach the server at a2 and
        // a3; min_rtt = a2 - t; each ACK re-arms the reordering timer to (t + RACK.rtt + reo_wnd) - now = reo_wnd
        // = min_rtt / 4; it fires at a3 + (a2 - t) / 4 and marks 1 lost: resent at once, no RTO, no TLP
        final OneConnection run = new OneConnection(
            (conn, fromClient, cls, u, tx, ack) -> !fromClient && cls == SEGMENT && u == 1 && tx == 0,
            b -> b.requestBytes(100).responseBytes(3 * MSS).delayedAck(Scenario.DelayedAck.OFF));
        final long t = run.timeOf("server sends DATA");
        final List<Long> acks = run.timesOf("server ESTABLISHED receives ACK");
        final long a2 = acks.get(0);
        final long a3 = acks.get(1);
        final long expected = a3 + (a2 - t) / 4;
        assertEquals(expected, run.timeOf("RACK marks lost"), run.dump());
        assertEquals(expected, run.timeOf("server sends DATA seq=" + (run.isn(1) + 1) + " len=1448 (retransmission 1)"),
            run.dump());
        assertEquals(1, run.count(Counter.RACK_LOSSES));
        assertEquals(1, run.count(Counter.REPAIRED_BY_RACK));
        assertEquals(0, run.count(Counter.RTO_EXPIRIES), run.dump());
        assertEquals(0, run.count(Counter.RETX_SPURIOUS));
        run.assertAccountedFor();
    }

    @Test
    void shouldLeaveTheSameLossToTheRtoWithoutRack()
    {
        final OneConnection run = new OneConnection(
            (conn, fromClient, cls, u, tx, ack) -> !fromClient && cls == SEGMENT && u == 1 && tx == 0,
            b -> b.requestBytes(100).responseBytes(3 * MSS).delayedAck(Scenario.DelayedAck.OFF).rack(false));
        assertEquals(0, run.count(Counter.RACK_LOSSES));
        assertEquals(1, run.count(Counter.RTO_EXPIRIES), run.dump());
        run.assertAccountedFor();
    }

    /** 13 segments, an initial window of 10: segment 1's original and its first retransmission are lost. */
    private static OneConnection lostRetransmission(final boolean rack)
    {
        return new OneConnection(
            (conn, fromClient, cls, u, tx, ack) -> !fromClient && cls == SEGMENT && u == 1 && tx <= 1,
            b -> b.requestBytes(100).responseBytes(13 * MSS).delayedAck(Scenario.DelayedAck.OFF).rack(rack));
    }

    @Test
    void shouldMarkALostRetransmissionLostAgainWhenASegmentSentAfterItIsDelivered()
    {
        // RFC 8985 6.1/6.2: a segment's xmit_ts is its latest transmission. Segments 1..10 leave at 30 ms; 1 is
        // lost; limited transmit (RFC 3042) sends 11 and 12 on the first two duplicate ACKs, the third (at r1)
        // starts a fast recovery that resends 1 at r1 (lost again); as further duplicate ACKs shrink the pipe below
        // the halved window (5), new data leaves again, the first at t > r1. It reaches the client at t + 10 ms and
        // its duplicate ACK, reporting it, the server at b = t + 20 ms: RACK.xmit_ts = t, RACK.rtt = 20 ms,
        // reo_wnd = 0 in recovery, so 1's retransmission has r1 + 20 ms + 0 - b = r1 - t < 0 left: lost at b,
        // resent at once (tcp_rack_detect_loss() skips a retransmission only while it is marked lost and not resent
        // since). Before, it waited for the RTO.
        final OneConnection run = lostRetransmission(true);
        final String one = "server sends DATA seq=" + (run.isn(1) + 1) + " len=1448";
        final long r1 = run.timeOf(one + " (retransmission 1)");
        final long t = run.timesOf("server sends DATA seq=").stream().filter(time -> time > r1).findFirst()
            .orElseThrow(() -> new AssertionError("no data after the first retransmission\n" + run.dump()));
        final long b = t + 2 * OneConnection.ONE_WAY_US;
        assertTrue(run.timesOf("server ESTABLISHED receives ACK").contains(b), run.dump());
        assertEquals(b, run.timeOf(one + " (retransmission 2)"), run.dump());
        assertEquals(1, run.count(Counter.RACK_LOSSES), "the retransmission (the third duplicate ACK found the " +
            "original's loss)\n" + run.dump());
        assertEquals(0, run.count(Counter.RTO_EXPIRIES), run.dump());
        assertEquals(0, run.count(Counter.RETX_SPURIOUS), run.dump());
        run.assertAccountedFor();
    }

    @Test
    void shouldLeaveALostRetransmissionToTheRtoWithoutRack()
    {
        final OneConnection run = lostRetransmission(false);
        assertEquals(1, run.count(Counter.RTO_EXPIRIES), run.dump());
        run.assertAccountedFor();
    }

    /** @return the trace's lines sending unit {@code unit} of the server's stream (1448-byte segments). */
    private static List<Long> serverSends(final OneConnection run, final int unit)
    {
        return run.timesOf("server sends DATA seq=" + (run.isn(1) + 1 + (unit - 1) * 1448L) + " len=");
    }

    @Test
    void shouldSendAUnitResentInFastRecoveryOnceAfterTheRto()
    {
        // 10 segments; 5 and 7 lost, and so are their resends in the fast recovery (RACK's marks): nothing is sent
        // after them, so the RTO fires on 5. Linux's tcp_enter_loss() marks every outstanding segment lost with
        // TCPCB_SACKED_RETRANS cleared: tcp_rack_detect_loss() skips 7 until the RTO's recovery resends it, once.
        // Before, the ACK of 5's third copy (sent after 7's second) made RACK mark 7 lost again: it went out as a
        // lost retransmission and again when the walk from RTX_NEXT = 6 reached it.
        final OneConnection run = new OneConnection(
            (conn, fromClient, cls, u, tx, ack) -> !fromClient && cls == SEGMENT &&
                (u == 5 || u == 7) && tx <= 1,
            b -> b.requestBytes(100).responseBytes(10 * 1448).rto("fixed:rto=100ms")
                .delayedAck(Scenario.DelayedAck.OFF));
        assertEquals(1, run.count(Counter.RTO_EXPIRIES), run.dump());
        assertEquals(3, serverSends(run, 5).size(), "original, fast recovery, RTO\n" + run.dump());
        assertEquals(3, serverSends(run, 7).size(), "original, fast recovery, once after the RTO\n" + run.dump());
        assertEquals(0, run.count(Counter.RETX_SPURIOUS), run.dump());
        run.assertAccountedFor();
    }
}
