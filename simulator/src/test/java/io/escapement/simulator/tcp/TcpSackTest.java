package io.escapement.simulator.tcp;

import io.escapement.simulator.Scenario;
import io.escapement.simulator.report.Counter;
import org.junit.jupiter.api.Test;

import java.util.List;

import static io.escapement.simulator.net.NetworkModel.PURE_ACK;
import static io.escapement.simulator.net.NetworkModel.SEGMENT;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * SACK: the receiver's blocks against RFC 2018 section 5's tables, the packets that carry them (a lost ACK loses
 * its blocks, the next repeats them), the sender's scoreboard from those that arrived, RFC 6675's NextSeg rules 3
 * and 4 (the rescue retransmission), and NewReno (RFC 6582) without SACK. The end-to-end cases run one connection
 * with exact times: 10 ms each way, every segment acknowledged at once, no tail loss probe, no RACK.
 */
class TcpSackTest
{
    private static final int MSS = 1448;

    // ------------------------------------------------------------------------------------------------ RFC 2018

    /**
     * RFC 2018 section 5's receiver: 8 segments of 500 bytes from sequence number 5000, units 1..8 here (unit 0 is
     * the SYN, received). Feeds the arrivals in order and gives each ACK as the RFC's tables write it.
     */
    private static final class Rfc2018Receiver
    {
        final Sack sack;
        long received = 1; // the SYN

        Rfc2018Receiver(final boolean timestamps)
        {
            sack = new Sack(true, timestamps, 1);
        }

        /** Segment {@code unit} arrives: @return "ACK" and the blocks, left and right edges, as in the RFC. */
        String arrive(final int unit)
        {
            received |= 1L << unit;
            sack.onSegment(0, received, unit);
            final long option = sack.option(0, received);
            final StringBuilder s = new StringBuilder(Long.toString(seq(Long.numberOfTrailingZeros(~received))));
            for (int b = 0; b < Sack.count(option); b++)
            {
                s.append(' ').append(seq(Sack.first(option, b))).append('-').append(seq(Sack.last(option, b) + 1));
            }
            return s.toString();
        }

        static long seq(final int unit)
        {
            return 5000 + 500L * (unit - 1);
        }
    }

    @Test
    void shouldReportOneGrowingBlockWhenTheFirstSegmentIsDropped()
    {
        // RFC 2018 section 5, case 2: "The first segment is dropped but the remaining 7 are received."
        final Rfc2018Receiver r = new Rfc2018Receiver(true);
        assertEquals("5000 5500-6000", r.arrive(2));
        assertEquals("5000 5500-6500", r.arrive(3));
        assertEquals("5000 5500-7000", r.arrive(4));
        assertEquals("5000 5500-7500", r.arrive(5));
        assertEquals("5000 5500-8000", r.arrive(6));
        assertEquals("5000 5500-8500", r.arrive(7));
        assertEquals("5000 5500-9000", r.arrive(8));
    }

    @Test
    void shouldPutTheNewestBlockFirstThenTheMostRecentlyReportedWhenEverySecondSegmentIsDropped()
    {
        // RFC 2018 section 5, case 3: "The 2nd, 4th, 6th, and 8th (last) segments are dropped."
        final Rfc2018Receiver r = new Rfc2018Receiver(true);
        assertEquals("5500", r.arrive(1));
        assertEquals("5500 6000-6500", r.arrive(3));
        assertEquals("5500 7000-7500 6000-6500", r.arrive(5));
        assertEquals("5500 8000-8500 7000-7500 6000-6500", r.arrive(7));
        // "Suppose at this point, the 4th packet is received out of order": two blocks left, the merged one first
        assertEquals("5500 6000-7500 8000-8500", r.arrive(4));
        // "Suppose at this point, the 2nd segment is received"
        assertEquals("7500 8000-8500", r.arrive(2));
    }

    @Test
    void shouldReportThreeBlocksWithTimestampsAndFourWithout()
    {
        // five holes' worth of blocks (units 3, 5, 7, 9, 11; 1 received): the receiver remembers four, the option
        // carries three when timestamps take 12 of the 40 option bytes, four when not
        final Rfc2018Receiver with = new Rfc2018Receiver(true);
        final Rfc2018Receiver without = new Rfc2018Receiver(false);
        for (final int unit : new int[]{1, 3, 5, 7, 9})
        {
            with.arrive(unit);
            without.arrive(unit);
        }
        assertEquals("5500 10000-10500 9000-9500 8000-8500", with.arrive(11));
        assertEquals("5500 10000-10500 9000-9500 8000-8500 7000-7500", without.arrive(11));
        // the fifth block, 6000-6500 (unit 3), is forgotten as Linux forgets it; unit 4 arriving joins 3 and 5 into
        // the first block, and 7000-7500's anchor (unit 5) goes with it
        assertEquals("5500 6000-7500 10000-10500 9000-9500 8000-8500", without.arrive(4));
    }

    @Test
    void shouldEncodeAndDecodeBlocksAsUnitMasks()
    {
        assertEquals(0b0000_1000L, Sack.run(0b1110_1001L, 3), "a block of one");
        assertEquals(0b1110_0000L, Sack.run(0b1110_1001L, 5));
        assertEquals(0b1110_0000L, Sack.run(0b1110_1001L, 6), "from inside the block");
        assertEquals(-1L << 62, Sack.run(-1L << 62, 63), "a block reaching unit 63");
        final Sack sack = new Sack(true, false, 1);
        final long received = 1 | 0b11L << 4 | 1L << 63;
        sack.onSegment(0, received, 4);
        sack.onSegment(0, received, 63);
        assertEquals(0b11L << 4 | 1L << 63, Sack.units(sack.option(0, received)));
    }

    // ------------------------------------------------------------------------------------------------ the wire

    /**
     * Ten response segments; unit 2 is lost, and so are the client's ACKs answering units 4 and 5 (those carrying
     * SACK 3-4 and 3-5).
     */
    private static OneConnection tenSegmentsLosingTwoAndTwoAcks(final boolean sack)
    {
        return new OneConnection((conn, fromClient, cls, u, tx, ack) ->
            (!fromClient && cls == SEGMENT && u == 2 && tx == 0) ||
                (fromClient && cls == PURE_ACK && (u == 4 || u == 5)),
            b -> b.requestBytes(100).responseBytes(10 * MSS).delayedAck(Scenario.DelayedAck.OFF).rack(false)
                .sack(sack));
    }

    @Test
    void shouldRepeatALostAcksBlocksInTheNextAndRecoverOnlyWhenTheyArrive()
    {
        // the response's unit 2 is lost, and the client's ACKs answering units 4 and 5 (SACK 3-4 and 3-5) too:
        // the server learns of 3 from the ACK answering 3, then of 3..6 from the one answering 6, which repeats the
        // lost ones' blocks. Only two duplicates have arrived then, but IsLost(2) holds (RFC 6675 section 5 (b)):
        // recovery starts with that ACK, not earlier (the receiver held 3..10 long before) and not on a third
        final OneConnection run = tenSegmentsLosingTwoAndTwoAcks(true);
        final long base = run.isn(1) + 1;
        final String sack34 = "SACK " + (base + 2L * MSS) + "-" + (base + 4L * MSS);
        final String sack35 = "SACK " + (base + 2L * MSS) + "-" + (base + 5L * MSS);
        final String sack36 = "SACK " + (base + 2L * MSS) + "-" + (base + 6L * MSS);
        OneConnection.assertContainsInOrder(run.trace, sack34 + " (lost)", sack35 + " (lost)", sack36);
        assertFalse(run.has(sack36 + " (lost)"), run.dump());
        final List<Long> acks = run.timesOf("server ESTABLISHED receives ACK");
        assertEquals(acks.get(2), run.timeOf("SACK blocks show three segments above the hole: fast retransmit"),
            run.dump());
        assertEquals(acks.get(2), run.timeOf("server sends DATA seq=" + (base + MSS) + " len=1448 (retransmission 1)"));
        assertEquals(1, run.count(Counter.FAST_RECOVERIES));
        assertEquals(0, run.count(Counter.RTO_EXPIRIES), run.dump());
        assertEquals(0, run.count(Counter.RETX_SPURIOUS));
        run.assertAccountedFor();
    }

    @Test
    void shouldWaitForTheThirdDuplicateWithoutSack()
    {
        // the same losses without SACK: the duplicates answering 3, 6 and 7 arrive; the third starts recovery
        final OneConnection run = tenSegmentsLosingTwoAndTwoAcks(false);
        assertFalse(run.has("SACK"), "no blocks without SACK\n" + run.dump());
        final List<Long> acks = run.timesOf("server ESTABLISHED receives ACK");
        assertEquals(acks.get(3), run.timeOf("third duplicate ACK: fast retransmit"), run.dump());
        assertEquals(1, run.count(Counter.RENO_RECOVERIES));
        assertEquals(0, run.count(Counter.FAST_RECOVERIES));
        run.assertAccountedFor();
    }

    // ------------------------------------------------------------------------------------------------ RFC 6675

    @Test
    void shouldPickTheLowestUnsackedSegmentBelowTheHighestSackedAsRule3()
    {
        // outstanding 1..10, SACKed 4 and 6 (with 0 below the cumulative ACK): nothing is lost by IsLost (two
        // SACKed above 3 at most); rule 3 takes 1 (above HighRxt 0), then 2, 3, 5, never 7..10 (above all SACKed)
        final long received = OneConnection.units(0, 4, 6);
        assertEquals(0, LossRecovery.lost(received, 1, 11, false, 0));
        assertEquals(1, LossRecovery.nextSegRule3(received, 1, 11));
        assertEquals(3, LossRecovery.nextSegRule3(received, 3, 11));
        assertEquals(5, LossRecovery.nextSegRule3(received, 4, 11));
        assertEquals(-1, LossRecovery.nextSegRule3(received, 6, 11), "none below the highest SACKed");
        assertEquals(-1, LossRecovery.nextSegRule3(received, 1, 1), "not at or above the recovery point");
    }

    @Test
    void shouldRescueTheHighestUnsackedSegmentNotYetResent()
    {
        // outstanding 2..10, SACKed 3..7: the rescue is 10; once HighRxt is past it, none
        final long received = OneConnection.units(0, 1, 3, 4, 5, 6, 7);
        assertEquals(10, LossRecovery.rescueSeg(received, 2, 3, 11));
        assertEquals(-1, LossRecovery.rescueSeg(received, 2, 11, 11), "already resent in this recovery");
        assertEquals(-1, LossRecovery.rescueSeg(OneConnection.units(0, 1, 2, 3), 2, 2, 4), "all SACKed");
    }

    @Test
    void shouldRescueTheTailOnceThePipeAllowsWithoutWaitingForTheRto()
    {
        // units 2 and 10 of 10 are lost. The third duplicate (answering 5, SACK 3-5) starts recovery: 2 is resent,
        // cwnd = ssthresh = max(FlightSize 9 (2..10) / 2, 2) = 4, pipe = 6..10 and the copy of 2 = 6. The ACKs
        // answering 6 and 7 make it 5 and 4; the one answering 8 makes it 3 < 4: rule 1 finds nothing lost
        // (IsLost(9..10) is false), rule 2 no new data, rule 3 nothing unSACKed between HighRxt (2) and 8; rule 4
        // resends 10, once, HighRxt left at 2. RFC 6675's own window,
        // cwnd = ssthresh at once: PRR off (PRR's window in a recovery: TcpPrrTest); the rfc window's only (Linux
        // has no rescue: shouldNotRescueUnderTheLinuxWindowWithRackOff)
        final OneConnection run = new OneConnection((conn, fromClient, cls, u, tx, ack) ->
            !fromClient && cls == SEGMENT && (u == 2 || u == 10) && tx == 0,
            b -> b.requestBytes(100).responseBytes(10 * MSS).delayedAck(Scenario.DelayedAck.OFF).rack(false)
                .window(Scenario.Window.RFC).cc(Scenario.Cc.RENO).prr(false));
        final long base = run.isn(1) + 1;
        final List<Long> acks = run.timesOf("server ESTABLISHED receives ACK");
        assertEquals(acks.get(3), run.timeOf("third duplicate ACK: fast retransmit, cwnd 4 ssthresh 4"), run.dump());
        assertEquals(acks.get(6), run.timeOf("rescue retransmission"), run.dump());
        assertEquals(acks.get(6), run.timeOf("server sends DATA seq=" + (base + 9L * MSS) + " len=1448 " +
            "(retransmission 1)"));
        assertEquals(1, run.count(Counter.RESCUE_RETRANSMITS));
        assertEquals(2, run.count(Counter.REPAIRED_BY_FAST_RECOVERY), run.dump());
        assertEquals(0, run.count(Counter.RTO_EXPIRIES), run.dump());
        assertEquals(0, run.count(Counter.RETX_SPURIOUS));
        run.assertAccountedFor();
    }

    @Test
    void shouldNotRescueUnderTheLinuxWindowWithRackOff()
    {
        // tcp_xmit_retransmit_queue() resends only segments marked lost: 10 is never marked (nothing above it), so
        // without RACK and the probe it waits for the RTO
        final OneConnection run = new OneConnection((conn, fromClient, cls, u, tx, ack) ->
            !fromClient && cls == SEGMENT && (u == 2 || u == 10) && tx == 0,
            b -> b.requestBytes(100).responseBytes(10 * MSS).delayedAck(Scenario.DelayedAck.OFF).rack(false)
                .cc(Scenario.Cc.RENO).prr(false));
        assertEquals(0, run.count(Counter.RESCUE_RETRANSMITS), run.dump());
        assertEquals(1, run.count(Counter.RTO_EXPIRIES), run.dump());
        run.assertAccountedFor();
    }

    @Test
    void shouldLeaveTheRescueToTheProbeWithRackAsLinuxDoes()
    {
        final OneConnection run = new OneConnection((conn, fromClient, cls, u, tx, ack) ->
            !fromClient && cls == SEGMENT && (u == 2 || u == 10) && tx == 0,
            b -> b.requestBytes(100).responseBytes(10 * MSS).delayedAck(Scenario.DelayedAck.OFF));
        assertEquals(0, run.count(Counter.RESCUE_RETRANSMITS), run.dump());
        run.assertAccountedFor();
    }

    // ------------------------------------------------------------------------------------------------ RFC 3042

    @Test
    void shouldSendOneNewSegmentOnEachOfTheFirstTwoDuplicates()
    {
        // 20 segments, IW 10, unit 2 lost. The ACK of 1 grows cwnd to 11 (the linux window: by the segments
        // acknowledged) and lets out 11 and 12: the flight is 2..12, 11 = cwnd. The first duplicate sends 13
        // (flight 12 <= cwnd + 1), the second 14 (13 <= cwnd + 2), the third starts the fast retransmit
        final OneConnection run = new OneConnection((conn, fromClient, cls, u, tx, ack) ->
            !fromClient && cls == SEGMENT && u == 2 && tx == 0,
            b -> b.requestBytes(100).responseBytes(20 * MSS).delayedAck(Scenario.DelayedAck.OFF).rack(false));
        final long base = run.isn(1) + 1;
        final List<Long> acks = run.timesOf("server ESTABLISHED receives ACK");
        assertEquals(acks.get(0), run.timeOf("server sends DATA seq=" + (base + 11L * MSS)), run.dump());
        assertEquals(acks.get(1), run.timeOf("server sends DATA seq=" + (base + 12L * MSS)), run.dump());
        assertEquals(acks.get(2), run.timeOf("server sends DATA seq=" + (base + 13L * MSS)), run.dump());
        assertEquals(acks.get(3), run.timeOf("third duplicate ACK: fast retransmit"), run.dump());
        assertEquals(0, run.count(Counter.RTO_EXPIRIES), run.dump());
        run.assertAccountedFor();
    }

    // ------------------------------------------------------------------------------------------------ RFC 6582

    @Test
    void shouldResendTheNewHeadOnAPartialAckWithoutSack()
    {
        // units 2 and 5 of 20 lost, no SACK: the third duplicate (answering 6) resends 2; its ACK acknowledges up to
        // 5 only, a partial ACK: NewReno resends 5 as that ACK arrives (RFC 6582 3.2 step 3), no RTO
        final OneConnection run = new OneConnection((conn, fromClient, cls, u, tx, ack) ->
            !fromClient && cls == SEGMENT && (u == 2 || u == 5) && tx == 0,
            b -> b.requestBytes(100).responseBytes(20 * MSS).delayedAck(Scenario.DelayedAck.OFF).rack(false)
                .sack(false));
        final long base = run.isn(1) + 1;
        final long partial = run.timeOf("server ESTABLISHED receives ACK ack=" + (base + 4L * MSS));
        assertEquals(partial, run.timeOf("server sends DATA seq=" + (base + 4L * MSS) + " len=1448 " +
            "(retransmission 1)"), run.dump());
        assertEquals(1, run.count(Counter.RENO_RECOVERIES));
        assertEquals(2, run.count(Counter.RETX_FAST));
        assertEquals(0, run.count(Counter.RTO_EXPIRIES), run.dump());
        assertTrue(run.has("client ESTABLISHED receives DATA seq=" + (base + 19L * MSS)), run.dump());
        run.assertAccountedFor();
    }

    @Test
    void shouldHoldTheNewRenoRecoveryUntilAnAckAboveItsPointUnderLinux()
    {
        // Reno, no SACK, 40 segments, units 2 and 15 lost. The third duplicate ACK resends 2 with the recovery point
        // at 15 (high_seq = snd_nxt: 1..14 sent); 15 leaves during the recovery and is lost. The ACK of the resent 2
        // (ack 15) brings SND.UNA to high_seq: tcp_fastretrans_alert() -> tcp_try_undo_recovery() keeps Recovery
        // for a reno flow (tcp_is_non_sack_preventing_reopen(): snd_una == high_seq), so the duplicate ACKs that 16,
        // 17 and 18 bring start no second fast retransmit: only the RTO resends 15. tcp_enter_loss() cuts ssthresh
        // again there (!after(high_seq, snd_una): max(cwnd 5 >> 1, 2) = 2, tcp_reno_ssthresh()) but runs no F-RTO
        // (not a new recovery, no earlier timeout). Before, the recovery ended at the point: a second fast
        // retransmit, not the RTO, resent 15.
        final OneConnection run = new OneConnection((conn, fromClient, cls, u, tx, ack) ->
            !fromClient && cls == SEGMENT && (u == 2 || u == 15) && tx == 0,
            b -> b.requestBytes(100).responseBytes(40 * MSS).delayedAck(Scenario.DelayedAck.OFF).sack(false)
                .cc(Scenario.Cc.RENO).frto(true));
        final long base = run.isn(1) + 1;
        // ssthresh = 11 >> 1 = 5; PRR: in flight 2..14 less the head and 3 duplicates = 9 > 5, so the proportional
        // part, ceil(5 x 1 / 11) - 0 = 1: cwnd 10; the window is 5 by the time the recovery is held at its point
        assertTrue(run.has("third duplicate ACK: fast retransmit, cwnd 10 ssthresh 5"), run.dump());
        assertEquals(1, run.count(Counter.RENO_RECOVERIES), run.dump());
        assertEquals(1, run.count(Counter.RTO_EXPIRIES), run.dump());
        assertEquals(run.timeOf("server RTO: cwnd 1 ssthresh 2"),
            run.timeOf("server sends DATA seq=" + (base + 14L * MSS) + " len=1448 (retransmission 1)"), run.dump());
        assertFalse(run.has("F-RTO"), run.dump());
        // at the point tcp_fastretrans_alert() resets the reno "sacked_out" on every ACK: the duplicate ACKs there
        // inflate nothing, so nothing new leaves between the held ACK and the RTO
        final long held = run.timeOf("server ESTABLISHED receives ACK ack=" + (base + 14L * MSS));
        final long rto = run.timeOf("server RTO:");
        assertEquals(0, run.timesOf("server sends DATA").stream().filter(t -> t > held && t < rto).count(),
            run.dump());
        assertTrue(run.has("client ESTABLISHED receives DATA seq=" + (base + 39L * MSS)), run.dump());
        run.assertAccountedFor();
    }

    @Test
    void shouldNotFastRetransmitAgainUntilTheAckCoversMoreThanRecoverUnderRfc()
    {
        // RFC 6582 3.2 step 2, the careful variant. The rfc window, no SACK, 50 segments, units 2, 15 and 35 lost.
        // The third duplicate ACK resends 2, recover = the last byte of 14 (1..14 sent); 15 leaves during the recovery and is lost.
        // The ACK of the resent 2 (ack 15) is a full acknowledgment: the recovery ends (step 4). The duplicates
        // that 16.. bring do not cover more than recover: the first two are limited transmit's, the third starts no
        // fast retransmit; the RTO resends 15, a timeout outside any recovery (cut, F-RTO). Once an ACK covers more
        // than recover, the loss of 35 is a fast retransmit again. Before, the third duplicate at 15 was one.
        final OneConnection run = new OneConnection((conn, fromClient, cls, u, tx, ack) ->
            !fromClient && cls == SEGMENT && (u == 2 || u == 15 || u == 35) && tx == 0,
            b -> b.requestBytes(100).responseBytes(50 * MSS).delayedAck(Scenario.DelayedAck.OFF).sack(false)
                .cc(Scenario.Cc.RENO).window(Scenario.Window.RFC).frto(true));
        final long base = run.isn(1) + 1;
        final List<Long> fast = run.timesOf("server third duplicate ACK: fast retransmit");
        assertEquals(2, fast.size(), run.dump());
        assertEquals(fast.get(0), run.timeOf("server sends DATA seq=" + (base + MSS) + " len=1448 (retransmission 1)"),
            run.dump());
        final long rto = run.timeOf("server RTO: ");
        assertEquals(rto, run.timeOf("server sends DATA seq=" + (base + 14L * MSS) + " len=1448 (retransmission 1)"),
            run.dump());
        assertTrue(fast.get(1) > rto, run.dump());
        assertEquals(fast.get(1), run.timeOf("server sends DATA seq=" + (base + 34L * MSS) + " len=1448 " +
            "(retransmission 1)"), run.dump());
        assertEquals(1, run.count(Counter.RTO_EXPIRIES), run.dump());
        assertTrue(run.has("server RTO: cwnd 1 ssthresh 4, F-RTO"), "FlightSize 8 (15..22) / 2\n" + run.dump());
        run.assertAccountedFor();
    }

    @Test
    void shouldRunNeitherRackNorTheProbeWithoutSackAsLinuxDoes()
    {
        // Linux's tcp_identify_packet_loss() takes tcp_newreno_mark_lost() for a non-SACK flow and
        // tcp_schedule_loss_probe() requires tcp_is_sack(): --sack off turns RACK and the probe off, whatever
        // --rack and --tlp say. 10 segments, 5 and 8 lost: the third duplicate ACK resends 5; its ACK (8) is
        // partial and NewReno resends 8 alone. Before, RACK timed 9 and 10 from 5's resend, which the partial ACK
        // covered, and resent them too (spuriously).
        final Scenario on = Scenario.builder().sack(false).rack(true).tailLossProbe(true).build();
        assertFalse(on.rack, "RACK in effect");
        assertFalse(on.tailLossProbe, "the probe in effect");
        final OneConnection run = new OneConnection(
            (conn, fromClient, cls, u, tx, ack) -> !fromClient && cls == SEGMENT && (u == 5 || u == 8) && tx == 0,
            b -> b.requestBytes(100).responseBytes(10 * MSS).sack(false).rack(true).tailLossProbe(true)
                .delayedAck(Scenario.DelayedAck.OFF));
        for (int u = 1; u <= 10; u++)
        {
            final String seq = "server sends DATA seq=" + (run.isn(1) + 1 + (u - 1) * (long)MSS) + " len=";
            assertEquals(u == 5 || u == 8 ? 2 : 1, run.timesOf(seq).size(), "unit " + u + "\n" + run.dump());
        }
        assertEquals(0, run.count(Counter.RETX_TLP), run.dump());
        assertEquals(0, run.count(Counter.RACK_LOSSES), run.dump());
        assertEquals(0, run.count(Counter.RETX_SPURIOUS), run.dump());
        assertEquals(1, run.count(Counter.RENO_RECOVERIES), run.dump());
        run.assertAccountedFor();
    }

    @Test
    void shouldGrowTheWindowAfterAnRtoByTheSegmentsNewlyDeliveredNotTheCumulativeJump()
    {
        // 20 segments, IW 10, unit 2 lost, no fast retransmit, no RACK: the ACK of 1 grows cwnd to 11 and lets out
        // 11 and 12; SACKs report 3..12; the RTO (cwnd 1, ssthresh 11 x 717 / 1024 = 7) resends 2. Its ACK moves
        // SND.UNA from 2 to 13, but Linux's tcp_newly_delivered() counts one segment, 2: 3..12 were delivered when
        // SACKed. Slow start makes cwnd 2, and two new segments (13, 14) leave; counting the jump (11) would fill
        // the window to ssthresh, 7, and let out 13..19.
        final OneConnection run = new OneConnection(
            (conn, fromClient, cls, u, tx, ack) -> !fromClient && cls == SEGMENT && u == 2 && tx == 0,
            b -> b.requestBytes(100).responseBytes(20 * MSS).delayedAck(Scenario.DelayedAck.OFF)
                .fastRetransmit(false).rack(false).frto(false));
        assertTrue(run.has("server RTO: cwnd 1 ssthresh 7"), run.dump());
        final long repaired = run.timeOf("server sends DATA seq=" + (run.isn(1) + 1 + MSS) + " len=1448 " +
            "(retransmission 1)") + 2 * OneConnection.ONE_WAY_US;
        final List<Long> sends = run.timesOf("server sends DATA");
        assertEquals(2, sends.stream().filter(t -> t >= repaired && t < repaired + 1_000).count(), run.dump());
        run.assertAccountedFor();
    }

    @Test
    void shouldGrowTheWindowOnTheAckThatEndsTheRecoveryUnderLinux()
    {
        // Reno under the linux window, 40 segments, unit 2 lost. The ACK of 1 makes cwnd 11 (11 and 12 leave),
        // limited transmit sends 13 and 14, the third duplicate cuts to ssthresh = cwnd = 11 >> 1 = 5 with the
        // recovery point at 15; the duplicates for 11..14 let 15..18 out. The ACK of the resent 2 (ack 15) ends
        // the recovery: Linux leaves it in tcp_fastretrans_alert() before tcp_cong_control(), so this ACK already
        // runs tcp_cong_avoid_ai(5, 1) (snd_cwnd_cnt 1; one segment newly delivered, 3..14 were SACKed) and 19
        // leaves. The ACKs of 15..18 add 2, 3, 4, 5: the fourth, the ACK of 18, makes cwnd 6 and lets two out
        // (one ACK later, two would leave on the ACK of 19, had the recovery's last ACK not counted). PRR: the
        // window at the fast retransmit is 9 in flight (2..14 less 3 SACKed and the head) + ceil(5 x 1 / 11) = 10;
        // the duplicates for 11..14 let 15..18 out as well, one every other ACK or so, and the recovery ends with
        // cwnd = ssthresh = 5 (tcp_end_cwnd_reduction()) before that ACK's growth
        final OneConnection run = new OneConnection(
            (conn, fromClient, cls, u, tx, ack) -> !fromClient && cls == SEGMENT && u == 2 && tx == 0,
            b -> b.requestBytes(100).responseBytes(40 * MSS).delayedAck(Scenario.DelayedAck.OFF)
                .rack(false).cc(Scenario.Cc.RENO));
        assertTrue(run.has("third duplicate ACK: fast retransmit, cwnd 10 ssthresh 5"), run.dump());
        final long exit = run.timeOf("server ESTABLISHED receives ACK ack=" + (run.isn(1) + 1 + 14 * MSS));
        assertEquals(1, run.timesOf("server sends DATA").stream().filter(t -> t == exit).count(), run.dump());
        final long ackOf18 = run.timeOf("server ESTABLISHED receives ACK ack=" + (run.isn(1) + 1 + 18 * MSS));
        assertEquals(2, run.timesOf("server sends DATA").stream().filter(t -> t == ackOf18).count(), run.dump());
        run.assertAccountedFor();
    }
}
