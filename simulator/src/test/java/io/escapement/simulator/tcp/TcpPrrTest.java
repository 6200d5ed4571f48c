package io.escapement.simulator.tcp;

import io.escapement.simulator.Scenario;
import io.escapement.simulator.report.Counter;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static io.escapement.simulator.net.NetworkModel.SEGMENT;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Proportional Rate Reduction (RFC 6937; Linux's {@code tcp_cwnd_reduction()} as since 5.19, "tcp: improve PRR loss
 * recovery"): the window in a fast recovery, worked by hand from the RFC's pseudocode and the kernel's function, on
 * {@link CongestionControl} alone (the pipe given) and through the sender (the pipe as its scoreboard counts it).
 */
class TcpPrrTest
{
    private static final int MSS = 1448;

    private static CongestionControl window(final Scenario.Window mode, final boolean prr)
    {
        final CongestionControl w = new CongestionControl(Scenario.builder().window(mode).cc(Scenario.Cc.RENO)
            .prr(prr).build(), 1);
        w.reset(0);
        return w;
    }

    /** Slow start from the initial window 10 to {@code cwnd}, each ACK of one segment with the window full. */
    private static void growTo(final CongestionControl w, final int cwnd)
    {
        while (w.cwnd(0) < cwnd)
        {
            w.onAck(0, 1, w.cwnd(0));
        }
        assertEquals(cwnd, w.cwnd(0));
    }

    /**
     * A fast recovery driven by hand: before it, {@code pipe0} segments are in flight and not lost; each ACK delivers
     * one and the sender sends while the pipe is below the window, each send counted.
     *
     * @return the segments sent on each ACK.
     */
    private static List<Integer> recover(final CongestionControl w, final int flight, final int pipe0, final int acks)
    {
        final List<Integer> sends = new ArrayList<>();
        w.onFastRetransmit(0, flight);
        int pipe = pipe0;
        for (int k = 0; k < acks; k++)
        {
            pipe--; // one segment delivered
            w.reduce(0, 1, pipe, false);
            int sent = 0;
            while (pipe < w.cwnd(0))
            {
                pipe++;
                sent++;
            }
            w.onRecoverySent(0, sent);
            sends.add(sent);
        }
        return sends;
    }

    @Test
    void shouldSendOneSegmentEveryOtherAckWhenSsthreshIsHalfTheWindowAsRfc6937Section3Shows()
    {
        // 20 segments in flight, one lost, Reno's ssthresh = 10 = cwnd / 2 (RecoverFS 20 under the rfc window,
        // prior_cwnd 20 under Linux's): 19 not lost, each of the 19 ACKs delivers one. The k-th ACK leaves the pipe
        // at 19 - k + what was sent; sndcnt = ceil(10 x k / 20) - prr_out: 1 (the retransmission), 0, 1, 0, ...
        // while the pipe is above 10; on the 17th the pipe is 19 - 17 + 8 = 10: the reduction bound allows
        // ssthresh - pipe = 0; on the 18th and 19th the pipe is 9: one each. 10 sent in all, the flight ends at
        // ssthresh
        final List<Integer> expected = List.of(1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 0, 1, 1);
        for (final Scenario.Window mode : new Scenario.Window[]{Scenario.Window.RFC, Scenario.Window.LINUX})
        {
            final CongestionControl w = window(mode, true);
            growTo(w, 20);
            final List<Integer> sends = recover(w, 20, 19, 19);
            assertEquals(10, w.ssthresh(0), mode.toString());
            assertEquals(expected, sends, mode.toString());
            assertEquals(10, sends.stream().mapToInt(Integer::intValue).sum(), "PRR sends ssthresh in all: " + mode);
            assertEquals(19, w.prrDelivered(0));
            assertEquals(10, w.prrOut(0));
            w.endReduction(0);
            assertEquals(10, w.cwnd(0), "cwnd = ssthresh at the end of recovery: " + mode);
        }
        // without PRR the window is ssthresh at once: nothing leaves (the retransmission aside, which RFC 6675 sends
        // whatever the window) until the pipe has fallen from 19 to below 10, then one per ACK
        final CongestionControl rfc6675 = window(Scenario.Window.RFC, false);
        growTo(rfc6675, 20);
        final List<Integer> sends = recover(rfc6675, 20, 19, 19);
        assertEquals(List.of(0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1), sends);
    }

    @Test
    void shouldBoundTheCatchUpBySlowStartBelowSsthreshUnderRfc6937PrrSsrb()
    {
        // RFC 6937's PRR-SSRB: several losses leave the pipe (5) far below ssthresh (10, RecoverFS 20). On each ACK
        // sndcnt = min(ssthresh - pipe, max(prr_delivered - prr_out, DeliveredData) + 1) = 2 for one segment
        // delivered: the pipe, one less after each ACK, climbs 4 -> 6, 5 -> 7, 6 -> 8, 7 -> 9, 8 -> 10, one more
        // than delivered per ACK (slow start), then stays at ssthresh: 9 -> 10, one for one
        final CongestionControl w = window(Scenario.Window.RFC, true);
        growTo(w, 20);
        final List<Integer> sends = recover(w, 20, 5, 8);
        assertEquals(List.of(2, 2, 2, 2, 2, 1, 1, 1), sends);
    }

    @Test
    void shouldAddOneOnlyOnAnAckThatMovedSndUnaAndMarkedNoNewLossUnderLinux()
    {
        // Linux 5.19 on: below ssthresh sndcnt = max(prr_delivered - prr_out, newly_acked_sacked), plus one only if
        // FLAG_SND_UNA_ADVANCED and no newly_lost, at most ssthresh - in_flight. Reno at 20: ssthresh 10, the pipe
        // 5 after three losses. First ACK (delivered 1, entry, prr_out 0): max(1, 1) = 1, cwnd 6. It is sent; the
        // pipe is 6, the next ACK delivers one (pipe 5): max(2 - 1, 1) = 1, + 1 when safe: cwnd 7, else 6
        for (final boolean safe : new boolean[]{true, false})
        {
            final CongestionControl w = window(Scenario.Window.LINUX, true);
            growTo(w, 20);
            w.onFastRetransmit(0, 20);
            w.reduce(0, 1, 5, false);
            assertEquals(6, w.cwnd(0));
            w.onRecoverySent(0, 1);
            w.reduce(0, 1, 5, safe);
            assertEquals(safe ? 7 : 6, w.cwnd(0), "safe ACK: " + safe);
        }
        // the rfc window's PRR-SSRB adds the one whatever the ACK: 7 for a duplicate ACK too
        final CongestionControl rfc = window(Scenario.Window.RFC, true);
        growTo(rfc, 20);
        rfc.onFastRetransmit(0, 20);
        rfc.reduce(0, 1, 5, false);
        rfc.onRecoverySent(0, 2);
        rfc.reduce(0, 1, 5, false);
        assertEquals(7, rfc.cwnd(0));
    }

    @Test
    void shouldLetTheFastRetransmitOutEvenWithThePipeAtSsthreshUnderLinux()
    {
        // the pipe is exactly ssthresh (10) on the ACK that starts the recovery: the reduction bound allows
        // ssthresh - pipe = 0, but Linux forces sndcnt >= 1 while prr_out is 0 ("force a fast retransmit upon
        // entering fast recovery"): cwnd 11; RFC 6937 does not (RFC 6675 sends the retransmission whatever the window)
        final CongestionControl linux = window(Scenario.Window.LINUX, true);
        growTo(linux, 20);
        linux.onFastRetransmit(0, 20);
        linux.reduce(0, 1, 10, false);
        assertEquals(11, linux.cwnd(0));
        linux.onRecoverySent(0, 1);
        linux.reduce(0, 1, 10, false);
        assertEquals(10, linux.cwnd(0), "prr_out 1: no longer forced");
        final CongestionControl rfc = window(Scenario.Window.RFC, true);
        growTo(rfc, 20);
        rfc.onFastRetransmit(0, 20);
        rfc.reduce(0, 1, 10, false);
        assertEquals(10, rfc.cwnd(0));
    }

    @Test
    void shouldDivideByTheWindowAtEntryUnderLinuxAndByTheFlightUnderTheRfc()
    {
        // an application-limited sender: cwnd 40 but 24 in flight at the fast retransmit. Linux: ssthresh
        // max(40 >> 1, 2) = 20, divisor prior_cwnd = 40; the second ACK (prr_delivered 2, prr_out 1, pipe 22 > 20)
        // gives ceil(20 x 2 / 40) - 1 = 0, where the flight, 24, as divisor would give ceil(40 / 24) - 1 = 1. RFC
        // 6937: ssthresh max(24 / 2, 2) = 12, RecoverFS 24; after ACKs of 1 and 2 segments (prr_delivered 3,
        // prr_out 1, pipe 21 > 12), ceil(12 x 3 / 24) - 1 = 1, where the window, 40, would give ceil(36 / 40) - 1 = 0
        final CongestionControl linux = window(Scenario.Window.LINUX, true);
        growTo(linux, 40);
        linux.onFastRetransmit(0, 24);
        assertEquals(20, linux.ssthresh(0));
        linux.reduce(0, 1, 22, false);
        assertEquals(23, linux.cwnd(0), "ceil(20 x 1 / 40) - 0 = 1");
        linux.onRecoverySent(0, 1);
        linux.reduce(0, 1, 22, false);
        assertEquals(22, linux.cwnd(0), "ceil(20 x 2 / 40) - 1 = 0: prior_cwnd, not the flight, divides");
        final CongestionControl rfc = window(Scenario.Window.RFC, true);
        growTo(rfc, 40);
        rfc.onFastRetransmit(0, 24);
        assertEquals(12, rfc.ssthresh(0));
        rfc.reduce(0, 1, 22, false);
        rfc.onRecoverySent(0, 1);
        rfc.reduce(0, 2, 21, false);
        assertEquals(22, rfc.cwnd(0), "ceil(12 x 3 / 24) - 1 = 1: RecoverFS = FlightSize divides");
    }

    @Test
    void shouldLeaveTheWindowAsItIsOnAnAckThatDeliveredNothing()
    {
        final CongestionControl w = window(Scenario.Window.LINUX, true);
        growTo(w, 20);
        w.onFastRetransmit(0, 20);
        w.reduce(0, 1, 16, false);
        assertEquals(17, w.cwnd(0));
        w.reduce(0, 0, 12, false); // tcp_cwnd_reduction() returns at once
        assertEquals(17, w.cwnd(0));
        assertEquals(1, w.prrDelivered(0));
        w.endReduction(0); // the recovery ends: cwnd = ssthresh whatever PRR left it at (tcp_end_cwnd_reduction())
        assertEquals(10, w.cwnd(0));
    }

    /** Units 2 and 5 of 20 lost on their first transmission; SACK as given, no RACK, the linux window. */
    private static OneConnection losingUnits2And5(final boolean sack)
    {
        return new OneConnection(
            (conn, fromClient, cls, u, tx, ack) -> !fromClient && cls == SEGMENT && (u == 2 || u == 5) && tx == 0,
            b -> b.requestBytes(100).responseBytes(20 * MSS).delayedAck(Scenario.DelayedAck.OFF).rack(false)
                .sack(sack));
    }

    @Test
    void shouldTellAPartialAckThatMarksTheNewHeadLostFromOneThatMarksNothingNew()
    {
        // the ACK of the resent 2 acknowledges up to 5 (a partial ACK). Without SACK, NewReno deems the new head, 5,
        // lost on it (tcp_newreno_mark_lost()): a new loss, no extra segment. With SACK, 5 was deemed lost earlier
        // (three SACKed above it): the same ACK marks nothing new, so Linux's reduction bound may add one
        final long ackOf5 = 1 + 4L * MSS;
        final OneConnection reno = losingUnits2And5(false);
        final String renoLine = prrLineAt(reno, reno.timeOf("server ESTABLISHED receives ACK ack=" +
            (reno.isn(1) + ackOf5)));
        assertFalse(renoLine.contains("no new loss"), renoLine + "\n" + reno.dump());
        // and it delivers what the duplicate ACKs did not count already, at least one (tcp_remove_reno_sacks()):
        // 2, 3 and 4 acknowledged, the duplicates of 3, 4 and 6.. counted, so 1, not 3
        assertTrue(renoLine.contains("PRR: delivered 1 ("), renoLine + "\n" + reno.dump());
        final OneConnection sack = losingUnits2And5(true);
        final String sackLine = prrLineAt(sack, sack.timeOf("server ESTABLISHED receives ACK ack=" +
            (sack.isn(1) + ackOf5)));
        assertTrue(sackLine.contains("(SND.UNA moved, no new loss)"), sackLine + "\n" + sack.dump());
    }

    /** @return the PRR trace line at {@code timeUs}. */
    private static String prrLineAt(final OneConnection run, final long timeUs)
    {
        final List<Long> times = run.timesOf("server PRR: ");
        final int k = times.indexOf(timeUs);
        assertTrue(k >= 0, "a PRR line at " + timeUs + "\n" + run.dump());
        return run.trace.stream().filter(l -> l.contains("server PRR: ")).toList().get(k);
    }

    // ------------------------------------------------------------------------------------------------ the sender

    /** Reno, 40 segments, unit 2 lost on its first transmission, ACKs at once; SACK as given, no RACK. */
    private static OneConnection losingUnit2(final Scenario.Window mode, final boolean prr)
    {
        return new OneConnection(
            (conn, fromClient, cls, u, tx, ack) -> !fromClient && cls == SEGMENT && u == 2 && tx == 0,
            b -> b.requestBytes(100).responseBytes(40 * MSS).delayedAck(Scenario.DelayedAck.OFF).rack(false)
                .cc(Scenario.Cc.RENO).window(mode).prr(prr));
    }

    /** @return how many data segments the server sent on each ACK it took from {@code from} on, {@code n} ACKs. */
    private static List<Long> sendsPerAck(final OneConnection run, final long from, final int n)
    {
        final List<Long> acks = run.timesOf("server ESTABLISHED receives ACK").stream().filter(t -> t >= from)
            .limit(n).toList();
        final List<Long> sends = run.timesOf("server sends DATA");
        final List<Long> counts = new ArrayList<>();
        for (final long t : acks)
        {
            counts.add(sends.stream().filter(s -> s == t).count());
        }
        return counts;
    }

    @Test
    void shouldSendInProportionThroughTheRecoveryAsLinuxDoes()
    {
        // the linux window (Reno for a half cut). The ACK of 1 grows cwnd to 11 (11, 12 leave), limited transmit
        // sends 13 and 14, the third duplicate (SACK 3..5) starts the recovery: ssthresh 11 >> 1 = 5, prior_cwnd
        // 11, in flight 2..14 less 3 SACKed and the head = 9. Per ACK, each SACKing one more segment:
        //   1st: prr_delivered 1, 9 > 5: ceil(5 / 11) - 0 = 1 -> cwnd 10, the retransmission of 2 (pipe 10)
        //   2nd: 2, pipe 9:  ceil(10 / 11) - 1 = 0          3rd: 3, pipe 8: ceil(15 / 11) - 1 = 1, 15 leaves
        //   4th: 4, pipe 8:  ceil(20 / 11) - 2 = 0          5th: 5, pipe 7: ceil(25 / 11) - 2 = 1, 16 leaves
        //   6th: 6, pipe 7:  ceil(30 / 11) - 3 = 0          7th: 7, pipe 6: ceil(35 / 11) - 3 = 1, 17 leaves
        //   8th: 8, pipe 6:  ceil(40 / 11) - 4 = 0          9th: 9, pipe 5 = ssthresh: min(5 - 5, ...) = 0
        //  10th: 10, pipe 4: min(5 - 4, max(10 - 4, 1)) = 1, 18 leaves (a duplicate ACK: no extra one)
        // then the ACK of the resent 2 ends the recovery: cwnd = ssthresh = 5 (tcp_end_cwnd_reduction()), grown
        // by tcp_cong_avoid_ai() on that ACK; 5 segments were sent in the recovery, as many as ssthresh
        final OneConnection run = losingUnit2(Scenario.Window.LINUX, true);
        final long entry = run.timeOf("third duplicate ACK: fast retransmit, cwnd 10 ssthresh 5");
        assertEquals(List.of(1L, 0L, 1L, 0L, 1L, 0L, 1L, 0L, 0L, 1L), sendsPerAck(run, entry, 10), run.dump());
        assertTrue(run.has("PRR: delivered 1 (10 in all), sent 4, pipe 4: cwnd 5"), run.dump());
        assertEquals(1, run.count(Counter.RETX_FAST));
        assertEquals(0, run.count(Counter.RTO_EXPIRIES), run.dump());
        run.assertAccountedFor();
        // without PRR, cwnd = ssthresh = 5 at once: nothing leaves until the pipe (10 with the retransmission) has
        // fallen below 5, six ACKs later
        final OneConnection rfc6675 = losingUnit2(Scenario.Window.LINUX, false);
        final long at = rfc6675.timeOf("third duplicate ACK: fast retransmit, cwnd 5 ssthresh 5");
        assertEquals(List.of(1L, 0L, 0L, 0L, 0L, 0L, 1L, 1L, 1L, 1L), sendsPerAck(rfc6675, at, 10), rfc6675.dump());
        rfc6675.assertAccountedFor();
    }

    @Test
    void shouldSendAsRfc6937PrrSsrbUnderTheRfcWindowWithPrrOn()
    {
        // the rfc window with --prr true: RFC 5681's slow start also makes cwnd 11 by the ACK of 1; at the third
        // duplicate ssthresh = max(FlightSize / 2, 2) = 13 / 2 = 6 and RecoverFS = FlightSize = 13; pipe 9:
        //   1st: ceil(6 x 1 / 13) - 0 = 1 -> cwnd 10, the retransmission (sent whatever the window, RFC 6675)
        //   2nd: pipe 9, ceil(12 / 13) - 1 = 0        3rd: pipe 8, ceil(18 / 13) - 1 = 1, 15 leaves
        //   4th: pipe 8, ceil(24 / 13) - 2 = 0        5th: pipe 7, ceil(30 / 13) - 2 = 1, 16 leaves
        //   6th: pipe 7, ceil(36 / 13) - 3 = 0        7th: pipe 6 = ssthresh: min(0, ...) = 0
        //   8th: pipe 5, min(6 - 5, max(8 - 3, 1) + 1) = 1, 17 leaves; 9th and 10th: likewise, the pipe held at 6
        final OneConnection run = losingUnit2(Scenario.Window.RFC, true);
        final long entry = run.timeOf("third duplicate ACK: fast retransmit, cwnd 10 ssthresh 6");
        assertEquals(List.of(1L, 0L, 1L, 0L, 1L, 0L, 0L, 1L, 1L, 1L), sendsPerAck(run, entry, 10), run.dump());
        assertEquals(0, run.count(Counter.RTO_EXPIRIES), run.dump());
        run.assertAccountedFor();
        // the rfc preset's default stays RFC 6675's cwnd = ssthresh
        assertFalse(Scenario.builder().window(Scenario.Window.RFC).build().prr);
        assertTrue(Scenario.builder().window(Scenario.Window.LINUX).build().prr);
    }
}
