package io.escapement.simulator.tcp;

import io.escapement.simulator.Scenario;
import io.escapement.simulator.SizeDistribution;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The window's restart after an idle period (Linux's {@code tcp_slow_start_after_idle = 1}: {@code
 * tcp_slow_start_after_idle_check()} and {@code tcp_cwnd_restart()}, RFC 2861's halving; RFC 5681 section 4.1 under the
 * rfc window) and CUBIC's epoch shift at the first send with nothing in flight ({@code CA_EVENT_TX_START}), worked
 * by hand from the kernel's loop and the RFC's sentence.
 */
class TcpRestartAfterIdleTest
{
    private static final int MSS = 1448;

    private static CongestionControl window(final Scenario.Window mode, final Scenario.Cc cc)
    {
        final CongestionControl w = new CongestionControl(Scenario.builder().window(mode).cc(cc).prr(false).build(),
            1);
        w.reset(0);
        return w;
    }

    private static void growTo(final CongestionControl w, final int cwnd)
    {
        while (w.cwnd(0) < cwnd)
        {
            w.onAck(0, 1, w.cwnd(0));
        }
        assertEquals(cwnd, w.cwnd(0));
    }

    @Test
    void shouldHalveTheWindowOncePerRtoOfIdleBeyondTheFirstDownToTheRestartWindowUnderLinux()
    {
        // tcp_cwnd_restart(): while ((delta -= rto) > 0 && cwnd > restart_cwnd) cwnd >>= 1, then max(cwnd, restart)
        // with restart = min(IW 10, cwnd); ssthresh = tcp_current_ssthresh() = max(ssthresh, 3 cwnd / 4) first.
        // 40 after 1 s idle, RTO 200 ms: 800 > 0 -> 20, 600 > 0 -> 10, 400 > 0 but 10 is the restart window: 10
        final CongestionControl w = window(Scenario.Window.LINUX, Scenario.Cc.RENO);
        growTo(w, 40);
        assertTrue(w.restartAfterIdle(0, 0, 1_000_000, 200_000));
        assertEquals(10, w.cwnd(0));
        assertEquals(CongestionControl.UNLIMITED, w.ssthresh(0), "max(unbounded, 30)");
        // 40 with ssthresh 20 (a loss before), 300 ms idle: 100 > 0 -> 20, -100 stops; ssthresh max(20, 30) = 30
        final CongestionControl cut = window(Scenario.Window.LINUX, Scenario.Cc.RENO);
        growTo(cut, 40);
        cut.onTimeout(0, 40, true); // ssthresh 20, cwnd 1
        growTo(cut, 40);
        assertEquals(20, cut.ssthresh(0));
        assertTrue(cut.restartAfterIdle(0, 0, 300_000, 200_000));
        assertEquals(20, cut.cwnd(0));
        assertEquals(30, cut.ssthresh(0));
        // exactly one RTO idle is not more than the RTO: nothing
        final CongestionControl edge = window(Scenario.Window.LINUX, Scenario.Cc.RENO);
        growTo(edge, 40);
        assertFalse(edge.restartAfterIdle(0, 0, 200_000, 200_000));
        assertEquals(40, edge.cwnd(0));
        // a small idle seen at a later time (the jiffies are counted from the same origin): still nothing
        assertFalse(edge.restartAfterIdle(0, 1_000_000, 1_150_000, 200_000));
        // a window below the initial one restarts at itself: min(IW, cwnd)
        final CongestionControl small = window(Scenario.Window.LINUX, Scenario.Cc.RENO);
        small.onTimeout(0, 10, true);
        growTo(small, 6);
        assertTrue(small.restartAfterIdle(0, 0, 5_000_000, 200_000));
        assertEquals(6, small.cwnd(0));
    }

    @Test
    void shouldCountTheIdleAndTheRtoInJiffiesUnderLinux()
    {
        // tcp_cwnd_restart(): delta = tcp_jiffies32 - lsndtime, compared with icsk_rto, both jiffies (HZ 1000 here:
        // 1 ms). RTO 200 ms = 200 jiffies. An idle of 201 jiffies restarts once (201 - 200 = 1 > 0 -> 20, then
        // 1 - 200 stops) in either phase: sent at the start of jiffy 0 (0 us) or at its end (999 us), now at the
        // start of jiffy 201 (201,000 us): 201,000 and 200,001 us
        for (final long sentUs : new long[] {0, 999})
        {
            final CongestionControl w = window(Scenario.Window.LINUX, Scenario.Cc.RENO);
            growTo(w, 40);
            assertTrue(w.restartAfterIdle(0, sentUs, 201_000, 200_000), "sent at " + sentUs + " us");
            assertEquals(20, w.cwnd(0), "sent at " + sentUs + " us");
        }
        // 200 jiffies, not more than the RTO, although 200,999 us are more than 200,000: nothing (a microsecond
        // rule would halve once)
        final CongestionControl exact = window(Scenario.Window.LINUX, Scenario.Cc.RENO);
        growTo(exact, 40);
        assertFalse(exact.restartAfterIdle(0, 0, 200_999, 200_000));
        assertEquals(40, exact.cwnd(0));
        // an RTO of 200,001 us is 201 jiffies (usecs_to_jiffies() rounds up): 201 jiffies of idle do not exceed it
        assertFalse(exact.restartAfterIdle(0, 0, 201_000, 200_001));
        assertEquals(40, exact.cwnd(0));
        // the halving counts jiffies too: 401 jiffies at 200 -> 201 > 0 -> 20, 1 > 0 -> 10 (the restart window)
        assertTrue(exact.restartAfterIdle(0, 999, 401_000, 200_000));
        assertEquals(10, exact.cwnd(0));
    }

    @Test
    void shouldCompareTheIdleInMicrosecondsUnderRfc5681()
    {
        // RFC 5681 4.1 has no clock tick: 200,001 us of idle exceed an RTO of 200,000 us
        final CongestionControl w = window(Scenario.Window.RFC, Scenario.Cc.RENO);
        growTo(w, 40);
        assertFalse(w.restartAfterIdle(0, 999, 200_999, 200_000));
        assertTrue(w.restartAfterIdle(0, 999, 201_000, 200_000));
        assertEquals(10, w.cwnd(0));
    }

    @Test
    void shouldRestartAtTheRestartWindowAtOnceAndKeepSsthreshUnderRfc5681()
    {
        // RFC 5681 4.1: after an idle period exceeding the RTO, cwnd = min(RW, cwnd), RW = min(IW, cwnd): no halving
        // by the idle's length, no change to ssthresh
        final CongestionControl w = window(Scenario.Window.RFC, Scenario.Cc.RENO);
        growTo(w, 40);
        w.onTimeout(0, 40, true); // ssthresh 20
        growTo(w, 40);
        assertTrue(w.restartAfterIdle(0, 0, 300_000, 200_000));
        assertEquals(10, w.cwnd(0));
        assertEquals(20, w.ssthresh(0));
        assertFalse(w.restartAfterIdle(0, 0, 150_000, 200_000));
    }

    @Test
    void shouldShiftLinuxCubicsEpochByTheIdleTimeCappedAtNow()
    {
        // cubictcp_cwnd_event(CA_EVENT_TX_START): epoch_start += now - lsndtime, not after now; no epoch, no shift
        final CongestionControl w = window(Scenario.Window.LINUX, Scenario.Cc.CUBIC);
        growTo(w, 20);
        w.onFastRetransmit(0, 20); // ssthresh = cwnd = 14 (no PRR), no epoch yet
        w.onTxStart(0, 500_000, 900_000);
        assertEquals(-1, w.epochUs(0));
        w.onAck(0, 1, 14, 1_000_000, 100_000); // the avoidance epoch starts at 1 s
        assertEquals(1_000_000, w.epochUs(0));
        w.onTxStart(0, 500_000, 3_000_000);
        assertEquals(1_500_000, w.epochUs(0));
        w.onTxStart(0, 5_000_000, 4_000_000);
        assertEquals(4_000_000, w.epochUs(0), "capped at now");
        // RFC 9438's CUBIC under the rfc window: left as it is
        final CongestionControl rfc = window(Scenario.Window.RFC, Scenario.Cc.CUBIC);
        growTo(rfc, 20);
        rfc.onFastRetransmit(0, 20);
        rfc.onAck(0, 1, 14, 1_000_000, 100_000);
        final long epoch = rfc.epochUs(0);
        rfc.onTxStart(0, 500_000, 3_000_000);
        assertEquals(epoch, rfc.epochUs(0));
    }

    /** Two exchanges, a 30-segment response each, 1 s between them: the server is idle about 1.02 s. */
    private static OneConnection twoExchanges(final Scenario.Window mode, final boolean restart)
    {
        return new OneConnection(null, b -> b.requestBytes(100).responseBytes(30 * MSS)
            .delayedAck(Scenario.DelayedAck.OFF).window(mode).cc(Scenario.Cc.RENO).slowStartAfterIdle(restart)
            .exchangeCounts(SizeDistribution.constant(2)).thinkTimes(SizeDistribution.constant(1_000_000)));
    }

    /** @return how many segments the server sends at the time it sends its second response's first. */
    private static long secondResponsesFirstFlight(final OneConnection run)
    {
        final long y = run.isn(1);
        final long first = run.timeOf("server sends DATA seq=" + (y + 1 + 30L * MSS) + " ");
        return run.timesOf("server sends DATA").stream().filter(t -> t == first).count();
    }

    @Test
    void shouldSendTheNextResponseInTheRestartWindowAfterAnIdleLongerThanTheRto()
    {
        // the first response grows the server's window well above 10 (each of its 30 ACKs adds one in slow start
        // while the window limits the sender); 1 s later, with an RTO near 200 ms, the second response leaves in a
        // window of 10 (Linux: halved 4 times, floored at the restart window; RFC 5681: 10 at once)
        for (final Scenario.Window mode : new Scenario.Window[]{Scenario.Window.LINUX, Scenario.Window.RFC})
        {
            final OneConnection run = twoExchanges(mode, true);
            assertEquals(10, secondResponsesFirstFlight(run), mode + "\n" + run.dump());
            final List<Long> restarts = run.timesOf("server idle ");
            assertEquals(1, restarts.size(), run.dump());
            assertTrue(run.has("more than the RTO: cwnd "), run.dump());
            run.assertAccountedFor();
            final OneConnection kept = twoExchanges(mode, false);
            assertTrue(secondResponsesFirstFlight(kept) > 10, mode + "\n" + kept.dump());
            assertFalse(kept.has("server idle "), kept.dump());
            kept.assertAccountedFor();
        }
    }

    @Test
    void shouldMeasureTheIdleFromTheEstablishmentNotFromTheSynAck()
    {
        // Linux sets lsndtime when the connection is established (tcp_rcv_state_process(), SYN_RECV: "Prevent
        // spurious tcp_cwnd_restart() on first data packet"), so the server that thinks 1 s after the request
        // (which arrives with the handshake's ACK) has been idle 1 s, not 1 s plus the round trip since its SYN-ACK
        final OneConnection run = new OneConnection(null, b -> b.requestBytes(100).responseBytes(3 * MSS)
            .delayedAck(Scenario.DelayedAck.OFF).cc(Scenario.Cc.RENO).serverThinkUs(1_000_000));
        assertEquals(1, run.timesOf("server idle 1000 ms, more than the RTO: cwnd 10 -> 10").size(), run.dump());
        run.assertAccountedFor();
    }
}
