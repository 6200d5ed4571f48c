package io.escapement.simulator.tcp;

import io.escapement.simulator.Scenario;
import io.escapement.simulator.report.Counter;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.function.Consumer;

import static io.escapement.simulator.net.NetworkModel.SEGMENT;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Fast retransmit (RFC 5681 section 3.2) and RFC 6675's scoreboard (IsLost, SetPipe, NextSeg), the latter on
 * examples worked by hand, the former on one connection with exact times: 10 ms each way, every segment
 * acknowledged at once, no tail loss probe, no RACK.
 */
class TcpFastRetransmitTest
{
    private static final int MSS = 1448;

    /**
     * The response's segment {@code unit} is lost on its first transmission; no SACK, so RFC 5681's fast retransmit
     * alone (with SACK, RFC 6675's rescue would resend the tail once the pipe allows: TcpSackTest).
     */
    private static OneConnection losingResponseSegment(final int unit, final int segments, final boolean fast)
    {
        return new OneConnection(
            (conn, fromClient, cls, u, tx, ack) -> !fromClient && cls == SEGMENT && u == unit && tx == 0,
            b -> b.requestBytes(100).responseBytes(segments * MSS).delayedAck(Scenario.DelayedAck.OFF)
                .fastRetransmit(fast).rack(false).sack(false));
    }

    @Test
    void shouldResendOnTheThirdDuplicateAckLongBeforeTheRto()
    {
        // segment 2 of 10 is lost: 3..10 arrive out of order, each answered at once with ack=2; the third of these
        // duplicates reaches the server 3 us after the first ACK; the window is 10 (FlightSize 9, units 2..10), and
        // the linux preset cuts it as CUBIC's cubictcp_recalc_ssthresh() does: ssthresh = cwnd =
        // max(10 x 717 / 1024, 2) = 7 (Reno's tcp_reno_ssthresh() would give max(10 >> 1, 2) = 5, RFC 5681's
        // max(FlightSize / 2, 2) 4: shouldHalveTheWindowNotTheFlightUnderLinux...). PRR sets the window: in flight
        // 9 - 1 lost (the head) - 3 duplicates (Reno's sacked_out) = 5 <= ssthresh, so the conservative bound,
        // min(7 - 5, max(1 - 0, 1)) = 1 for the one segment the duplicate delivered: cwnd = 5 + 1 = 6
        final OneConnection run = losingResponseSegment(2, 10, true);
        final List<Long> acks = run.timesOf("server ESTABLISHED receives ACK");
        final long third = acks.get(3); // the ACK of segment 1, then three duplicates
        assertEquals(third, run.timeOf("third duplicate ACK: fast retransmit, cwnd 6 ssthresh 7"), run.dump());
        assertEquals(third, run.timeOf("server sends DATA seq=" + (run.isn(1) + 1 + MSS) + " len=1448 " +
            "(retransmission 1)"), run.dump());
        assertEquals(1, run.count(Counter.RENO_RECOVERIES), "no SACK: TcpExtTCPRenoRecovery");
        assertEquals(0, run.count(Counter.FAST_RECOVERIES));
        assertEquals(1, run.count(Counter.RETX_FAST));
        assertEquals(1, run.count(Counter.REPAIRED_BY_FAST_RECOVERY));
        assertEquals(0, run.count(Counter.RTO_EXPIRIES), run.dump());
        assertEquals(0, run.count(Counter.RETX_SPURIOUS));
        run.assertAccountedFor();
    }

    @Test
    void shouldWaitForTheRtoWhenFastRetransmitIsOff()
    {
        final OneConnection run = losingResponseSegment(2, 10, false);
        assertEquals(0, run.count(Counter.RENO_RECOVERIES));
        assertEquals(1, run.count(Counter.RTO_EXPIRIES), run.dump());
        assertEquals(1, run.count(Counter.REPAIRED_BY_RTO));
        run.assertAccountedFor();
    }

    @Test
    void shouldNotFastRetransmitOnTwoDuplicateAcks()
    {
        // 3 segments, the first lost: two duplicates only (the client closes first, so no FIN follows): RTO
        final OneConnection run = losingResponseSegment(1, 3, true);
        assertEquals(0, run.count(Counter.RENO_RECOVERIES), run.dump());
        assertEquals(1, run.count(Counter.RTO_EXPIRIES), run.dump());
        run.assertAccountedFor();
    }

    @Test
    void shouldRepairSeveralLossesOfOneWindowInOneRecovery()
    {
        // segments 2 and 5 of 20 lost: one fast recovery resends both (5 is lost once 3 above it arrived), no RTO.
        // With PRR the pipe falls below ssthresh near the end, where the reduction bound lets one more segment out
        // with nothing lost and nothing new left. Linux's tcp_xmit_retransmit_queue() resends only segments marked
        // lost (2, then 5) and has no rescue: the allowance goes unused, 2 fast retransmissions. (RFC 6675's rule 4,
        // which the simulator ran whenever RACK was off, resent the tail 20 then: a third, spurious one.)
        final OneConnection run = new OneConnection(
            (conn, fromClient, cls, u, tx, ack) -> !fromClient && cls == SEGMENT && (u == 2 || u == 5) && tx == 0,
            b -> b.requestBytes(100).responseBytes(20 * MSS).delayedAck(Scenario.DelayedAck.OFF).rack(false));
        assertEquals(1, run.count(Counter.FAST_RECOVERIES), run.dump());
        assertEquals(2, run.count(Counter.RETX_FAST), run.dump());
        assertEquals(0, run.count(Counter.RESCUE_RETRANSMITS), run.dump());
        assertEquals(2, run.count(Counter.REPAIRED_BY_FAST_RECOVERY));
        assertEquals(0, run.count(Counter.RTO_EXPIRIES), run.dump());
        assertTrue(run.has("client ESTABLISHED receives DATA seq=" + (run.isn(1) + 1 + 19L * MSS)), run.dump());
        run.assertAccountedFor();
    }

    // ------------------------------------------------------------------------------------------------ RFC 6675

    @Test
    void shouldDeemLostWhatHasThreeSegmentsReceivedAboveIt()
    {
        // outstanding 1..8, received (SACKed) 3, 5, 6, 7: 4 has three above it, 2 and 1 four; 8 none
        final long received = OneConnection.units(3, 5, 6, 7);
        assertEquals(OneConnection.units(1, 2, 4), LossRecovery.lost(received, 1, 9, false, 0));
        assertEquals(OneConnection.units(1, 2, 4, 8), LossRecovery.lost(received, 1, 9, true, 9), "after an RTO: all not received");
        assertEquals(0, LossRecovery.lost(OneConnection.units(3, 4), 1, 5, false, 0), "two above are not enough");
    }

    @Test
    void shouldCountThePipeAsSetPipeDoes()
    {
        final long received = OneConnection.units(3, 5, 6, 7);
        final long lost = OneConnection.units(1, 2, 4);
        assertEquals(1, LossRecovery.pipe(received, lost, 1, 9, 1), "only 8 is in flight before any resend");
        assertEquals(2, LossRecovery.pipe(received, lost, 1, 9, 2), "and the copy of 1");
        // resent 1, 2 and 4 (HighRxt = 4): 3 is received, so (b) counts 1, 2 and 4 only
        assertEquals(4, LossRecovery.pipe(received, lost, 1, 9, 5));
        assertEquals(8, LossRecovery.pipe(0, 0, 1, 9, 1), "nothing received, nothing lost: the flight");
    }

    @Test
    void shouldPickTheLowestLostSegmentAboveHighRxtAsNextSeg()
    {
        final long lost = OneConnection.units(1, 2, 4);
        assertEquals(1, LossRecovery.nextSeg(lost, 1, 9));
        assertEquals(2, LossRecovery.nextSeg(lost, 2, 9));
        assertEquals(4, LossRecovery.nextSeg(lost, 3, 9));
        assertEquals(-1, LossRecovery.nextSeg(lost, 5, 9), "none left: new data (rule 2)");
        assertEquals(-1, LossRecovery.nextSeg(lost, 3, 4), "not at or above the recovery point");
    }

    /** Segment 2 of 10 lost on its first {@code copies} transmissions; no SACK, no RACK, F-RTO on. */
    private static OneConnection losingCopiesOfSegment2(final int copies, final Consumer<Scenario.Builder> more)
    {
        return new OneConnection(
            (conn, fromClient, cls, u, tx, ack) -> !fromClient && cls == SEGMENT && u == 2 && tx < copies,
            b -> more.accept(b.requestBytes(100).responseBytes(10 * MSS).delayedAck(Scenario.DelayedAck.OFF)
                .rack(false).sack(false).frto(true)));
    }

    @Test
    void shouldNotCutTheWindowAgainNorTestTheTimeoutWhenAnRtoFiresInRecoveryUnderLinux()
    {
        // the fast retransmit of 2 is lost too: the RTO fires in Recovery. tcp_enter_loss() cuts ssthresh only in
        // Open or Disorder (or in Loss after the ACK point moved): the fast retransmit's 7 stands (a second cut,
        // cubictcp_recalc_ssthresh() at cwnd 7, would make it 7 x 717 / 1024 = 4); cwnd = packets in flight + 1
        // = 1 (every segment not acknowledged is marked lost); new_recovery is false and icsk_retransmits 0, so
        // F-RTO is off. The RTO's resend of 2 is lost as well: the timer fires again on the same SND.UNA, in Loss
        // with icsk_retransmits 1: no cut, and F-RTO on (RFC 5682 3.2's recurring timeout).
        final OneConnection run = losingCopiesOfSegment2(3, b -> { });
        // PRR's window at the entry: 5 in flight + 1 (shouldResendOnTheThirdDuplicateAckLongBeforeTheRto)
        assertTrue(run.has("third duplicate ACK: fast retransmit, cwnd 6 ssthresh 7"), run.dump());
        final List<Long> rtos = run.timesOf("server RTO: cwnd 1 ssthresh 7 (not cut again)");
        assertEquals(2, rtos.size(), run.dump());
        assertEquals(rtos.get(1), run.timeOf("server RTO: cwnd 1 ssthresh 7 (not cut again), F-RTO"), run.dump());
        run.assertAccountedFor();
    }

    @Test
    void shouldCutTheWindowOnEveryFirstRtoOfASegmentUnderRfc5681()
    {
        // RFC 5681 3.1: ssthresh = max(FlightSize / 2, 2) at the RTO, whatever recovery runs: the first RTO (in
        // the fast recovery, FlightSize 9: 4) cuts, the repeated one holds it (equation 4's note). F-RTO is on but
        // enters neither: RFC 5682 3.1 step 1 refuses it while RecoveryPoint >= SND.UNA (the fast retransmit's
        // point at the first RTO, the one that RTO set at the second)
        final OneConnection run = losingCopiesOfSegment2(3, b -> b.window(Scenario.Window.RFC)
            .cc(Scenario.Cc.RENO));
        assertTrue(run.has("third duplicate ACK: fast retransmit, cwnd 4 ssthresh 4"), run.dump());
        final List<Long> rtos = run.timesOf("server RTO: cwnd 1 ssthresh 4");
        assertEquals(2, rtos.size(), run.dump());
        assertEquals(rtos.get(1), run.timeOf("server RTO: cwnd 1 ssthresh 4 (not cut again)"), run.dump());
        assertFalse(run.has("F-RTO"), run.dump());
        run.assertAccountedFor();
    }
}
