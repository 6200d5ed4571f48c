package io.escapement.simulator.tcp;

import io.escapement.simulator.Scenario;
import io.escapement.simulator.net.NetworkModel;
import io.escapement.simulator.report.Counter;
import org.junit.jupiter.api.Test;

import static io.escapement.simulator.net.NetworkModel.SEGMENT;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * F-RTO (RFC 5682 section 3.1, as Linux's {@code tcp_process_loss()} takes it with {@code tcp_frto = 2}) through
 * its decision tree, on one connection with exact times: 10 ms each way, a fixed 100 ms RTO, no TLP, no RACK.
 */
class TcpFrtoTest
{
    private static final int MSS = 1448;

    /** A 100 ms delay spike catches the 3-segment response (sent at 30 ms): the server's RTO fires spuriously. */
    private static OneConnection spike(final boolean frto, final Scenario.DelayedAck delayedAck)
    {
        return new OneConnection(null, b -> b.rto("fixed:rto=100ms").responseBytes(3 * MSS).rack(false)
            .frto(frto).delayedAck(delayedAck).atoUs(40_000, 200_000)
            .network(NetworkModel.builder().loss(0).rttUs(2 * OneConnection.ONE_WAY_US)
                .jitter(NetworkModel.Jitter.CONSTANT, 0).delaySpike(30_000, 1_000, 100_000).build()));
    }

    @Test
    void shouldDetectASpuriousTimeoutWhenTheFirstAckAfterItAcknowledgesDataNeverResent()
    {
        // step 3b: the client acknowledges segments 1 and 2 together (every second segment): 2 was sent before the
        // RTO and never resent, so not everything was lost; the timeout is undone
        final OneConnection run = spike(true, Scenario.DelayedAck.RFC);
        assertEquals(1, run.count(Counter.FRTO_SPURIOUS_RTOS), run.dump());
        assertTrue(run.has("server F-RTO: spurious timeout, undone"), run.dump());
        assertEquals(2, run.count(Counter.RETX_DATA), "the server resent segment 1 only (and the client its " +
            "request)\n" + run.dump());
        run.assertAccountedFor();
    }

    @Test
    void shouldResendAsAfterAnyRtoWithoutFrto()
    {
        final OneConnection run = spike(false, Scenario.DelayedAck.RFC);
        assertEquals(0, run.count(Counter.FRTO_SPURIOUS_RTOS));
        assertTrue(run.count(Counter.RETX_DATA) > 2, "the conventional recovery resends 2 and 3 too\n" + run.dump());
        run.assertAccountedFor();
    }

    @Test
    void shouldFallBackToTheConventionalRecoveryWhenTheFirstAckOnlyCoversTheResentSegmentAndNoNewDataWaits()
    {
        // every segment acknowledged at once: the first ACK after the RTO covers only segment 1 (resent), and
        // with nothing new to send step 2b cannot test the timeout: F-RTO ends undecided, as in Linux
        final OneConnection run = spike(true, Scenario.DelayedAck.OFF);
        assertEquals(0, run.count(Counter.FRTO_SPURIOUS_RTOS), run.dump());
        run.assertAccountedFor();
    }

    @Test
    void shouldNotCallARealLossSpuriousWhenTheSegmentsAboveWereReportedBeforeTheTimeout()
    {
        // segment 1 of 3 really lost; 2 and 3 were reported by duplicate ACKs before the RTO, so the ACK of the
        // resent 1, which covers them, acknowledges nothing newly: the loss was real
        final OneConnection run = new OneConnection(
            (conn, fromClient, cls, u, tx, ack) -> !fromClient && cls == SEGMENT && u == 1 && tx == 0,
            b -> b.requestBytes(100).responseBytes(3 * MSS).delayedAck(Scenario.DelayedAck.OFF).rack(false)
                .frto(true));
        assertEquals(1, run.count(Counter.RTO_EXPIRIES), run.dump());
        assertEquals(0, run.count(Counter.FRTO_SPURIOUS_RTOS), run.dump());
        run.assertAccountedFor();
    }

    @Test
    void shouldUndoWhenADuplicateAckAfterTheTimeoutSacksDataNeverResent()
    {
        // tcp_process_loss(): FLAG_ORIG_SACK_ACKED comes first, whether the ACK is a duplicate or not (step 3b of
        // RFC 5682's SACK-enhanced F-RTO). Segment 1 of 3 lost; the spike holds 2 and 3 (sent at 30 ms) until
        // 190 ms; the RTO resends 1 at 130 ms, which follows them on the FIFO path. At 200 ms the client's duplicate
        // ACK reporting 2 arrives first: 2 was sent before the timeout and never resent, so Linux undoes the timeout
        // (the loss of 1 was real: F-RTO's SACK variant cannot tell a late SACK from a spurious timeout). The
        // simulator ended F-RTO on any duplicate ACK before.
        final OneConnection run = new OneConnection(
            (conn, fromClient, cls, u, tx, ack) -> !fromClient && cls == SEGMENT && u == 1 && tx == 0,
            b -> b.rto("fixed:rto=100ms").responseBytes(3 * MSS).rack(false).fastRetransmit(false).frto(true)
                .delayedAck(Scenario.DelayedAck.OFF)
                .network(NetworkModel.builder().loss(0).rttUs(2 * OneConnection.ONE_WAY_US)
                    .jitter(NetworkModel.Jitter.CONSTANT, 0).delaySpike(30_000, 1_000, 150_000)
                    .dropper((conn, fromClient, cls, u, tx, ack) -> !fromClient && cls == SEGMENT && u == 1 &&
                        tx == 0).build()));
        assertEquals(1, run.timesOf("server ESTABLISHED retransmission timer fires").size(), run.dump());
        assertEquals(1, run.count(Counter.FRTO_SPURIOUS_RTOS), "the server's (the client's resent request is " +
            "acknowledged alone: recovered, nothing to undo)\n" + run.dump());
        assertEquals(200_001, run.timeOf("server F-RTO: spurious timeout, undone"), 2, run.dump());
        run.assertAccountedFor();
    }

    @Test
    void shouldDecideAsTcpProcessLossOnEachBranch()
    {
        // the F-RTO block of tcp_process_loss() (net/ipv4/tcp_input.c), worked branch by branch:
        // args: origAcked, newDataSent (snd_nxt after high_seq), dataSacked, duplicate, unaAdvanced, recovered,
        // newDataWaits
        assertEquals(Frto.UNDO, Frto.onAck(true, false, false, true, false, false, false),
            "step 3b on a duplicate ACK that SACKs never-resent data");
        assertEquals(Frto.UNDO, Frto.onAck(true, true, true, false, true, false, true), "3b before 3a");
        assertEquals(Frto.SEND_NEW, Frto.onAck(false, false, false, false, true, false, true), "step 2b");
        assertEquals(Frto.END, Frto.onAck(false, false, false, false, true, false, false),
            "2b with nothing new to send: frto = 0");
        assertEquals(Frto.GO_ON, Frto.onAck(false, false, false, true, false, false, true),
            "a duplicate ACK before 2b (snd_nxt not after high_seq) leaves tp->frto set");
        assertEquals(Frto.END, Frto.onAck(false, true, false, true, false, false, true),
            "step 3a: a duplicate ACK after 2b");
        assertEquals(Frto.END, Frto.onAck(false, true, true, false, true, false, true),
            "step 3a: a new ACK that SACKs data after 2b");
        assertEquals(Frto.GO_ON, Frto.onAck(false, true, false, false, true, false, true),
            "after 2b, a new ACK of resent data only, SACKing nothing: tp->frto stays set");
        assertEquals(Frto.GO_ON, Frto.onAck(false, false, false, false, true, true, true),
            "recovered: tcp_try_undo_recovery() ends the state, F-RTO decides nothing");
    }

    @Test
    void shouldNotUndoWithoutSackWhenTheCumulativeAckAlsoCoversTheResentSegment()
    {
        // --sack off: segment 2 of 4 lost; 3 and 4 bring two duplicate ACKs (no fast retransmit, no new data for
        // limited transmit); the RTO resends 2 and its ACK, 5, covers 2 to 4. 3 and 4 were never resent, but the
        // cumulative ACK cannot say they arrived before the timeout: Linux's tcp_clean_rtx_queue() (4.18 on) clears
        // FLAG_ORIG_SACK_ACKED for a reno flow when FLAG_RETRANS_DATA_ACKED is set, so F-RTO does not undo. The
        // simulator counted a spurious RTO and restored the window before.
        final OneConnection run = new OneConnection(
            (conn, fromClient, cls, u, tx, ack) -> !fromClient && cls == SEGMENT && u == 2 && tx == 0,
            b -> b.requestBytes(100).responseBytes(4 * MSS).rto("fixed:rto=100ms").sack(false).rack(false)
                .tailLossProbe(false).frto(true).delayedAck(Scenario.DelayedAck.OFF));
        assertEquals(1, run.count(Counter.RTO_EXPIRIES), run.dump());
        assertEquals(0, run.count(Counter.FRTO_SPURIOUS_RTOS), run.dump());
        assertTrue(!run.has("F-RTO: spurious timeout, undone"), run.dump());
        assertEquals(1, run.count(Counter.RETX_DATA), "segment 2 only\n" + run.dump());
        run.assertAccountedFor();
    }

    @Test
    void shouldNotEnterFrtoWhileARecoveryPointIsAtOrAboveSndUnaUnderRfc()
    {
        // RFC 5682 3.1 step 1, the rfc window. 20 segments, unit 2 lost three times: its fast retransmit and the
        // first RTO's resend are lost too. The first RTO comes in the fast recovery: RecoveryPoint (the fast
        // retransmit's) >= SND.UNA, so step 2 is not entered and RecoveryPoint becomes the highest unit sent; the
        // second RTO finds it >= SND.UNA still: no F-RTO either. Before, the rfc window ran F-RTO on every RTO.
        final OneConnection run = new OneConnection(
            (conn, fromClient, cls, u, tx, ack) -> !fromClient && cls == SEGMENT && u == 2 && tx <= 2,
            b -> b.requestBytes(100).responseBytes(20 * MSS).rto("fixed:rto=100ms").window(Scenario.Window.RFC)
                .cc(Scenario.Cc.RENO).delayedAck(Scenario.DelayedAck.OFF).rack(false).tailLossProbe(false)
                .frto(true));
        assertEquals(1, run.count(Counter.FAST_RECOVERIES), run.dump());
        assertEquals(2, run.count(Counter.RTO_EXPIRIES), run.dump());
        assertEquals(2, run.timesOf("server RTO: ").size(), run.dump());
        assertFalse(run.has("F-RTO"), run.dump());
        run.assertAccountedFor();
    }

    @Test
    void shouldEnterFrtoAgainOnARecurringTimeoutBeforeAnyNewAckUnderRfc()
    {
        // RFC 5682 3.1: a timeout that enters F-RTO leaves RecoveryPoint as it was (step 2 sets it on the first
        // new ACK), and "if the retransmission timeout expires again, go to step 1": segment 1 of 3 lost twice,
        // no recovery before, so both timeouts enter F-RTO
        final OneConnection run = new OneConnection(
            (conn, fromClient, cls, u, tx, ack) -> !fromClient && cls == SEGMENT && u == 1 && tx <= 1,
            b -> b.requestBytes(100).responseBytes(3 * MSS).rto("fixed:rto=100ms").window(Scenario.Window.RFC)
                .cc(Scenario.Cc.RENO).delayedAck(Scenario.DelayedAck.OFF).rack(false).tailLossProbe(false)
                .frto(true));
        assertEquals(2, run.count(Counter.RTO_EXPIRIES), run.dump());
        assertEquals(2, run.timesOf(", F-RTO").size(), run.dump());
        run.assertAccountedFor();
    }
}
