package io.escapement.engine.rto;

import io.escapement.engine.rto.RetransmissionTimers.Outcome;
import io.escapement.engine.rto.RetransmissionTimers.Phase;
import io.escapement.engine.wheel.TimerWheel;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * From a review of the rto package: each test states what the cited source or the documented contract requires;
 * each pinned a deviation the review demonstrated (all fixed: the Linux data budget under a clock with negative
 * values, onSend after a lost onExpiry, backoff stopping short of the maximum, the backoff count of fixed without
 * doubling, a trailing empty parameter, an overflowing budget), or cross-checks the arithmetic by hand.
 */
class RtoReviewTest
{
    // ------------------------------------------------------------------------------------------------ backoff cap

    /**
     * Backoff.MAX_COUNT claims "doubling more often than this exceeds any maximum a strategy accepts", and
     * FixedStrategy doubles "per expiry up to a maximum" (RFC 6298 5.5: RTO <- RTO * 2, up to the maximum). But a
     * 50 us timeout with the accepted 86400 s maximum needs 31 doublings; the count stops at 30 and the timeout
     * sticks at 53687.09 s, never reaching the maximum.
     */
    @Test
    void fixedBackoffShouldKeepDoublingUntilTheMaximum()
    {
        final RtoStrategy fixed = RtoStrategies.parse("fixed:rto=50us,max=86400s");
        final long[] state = new long[1];
        fixed.reset(state, 0);
        for (int i = 0; i < 31; i++)
        {
            fixed.onTimeout(state, 0);
        }
        // 50 us x 2^31 = 107374 s > 86400 s: capped at the maximum
        assertEquals(86_400_000_000L, fixed.rtoUs(state, 0));
    }

    /** The same cap in Rfc6298Strategy: 10 us initial, 86400 s max (both accepted by fromParameters). */
    @Test
    void rfc6298BackoffShouldKeepDoublingUntilTheMaximum()
    {
        final RtoStrategy rfc = RtoStrategies.parse("rfc6298:min=1us,initial=10us,max=86400s");
        final long[] state = new long[3];
        rfc.reset(state, 0);
        long previous = rfc.rtoUs(state, 0);
        for (int i = 0; i < 40; i++)
        {
            rfc.onTimeout(state, 0);
            final long now = rfc.rtoUs(state, 0);
            assertTrue(now == rfc.maxRtoUs() || now == 2 * previous,
                "expiry " + (i + 1) + ": " + previous + " -> " + now + " (RFC 6298 5.5: doubles up to max)");
            previous = now;
        }
        assertEquals(86_400_000_000L, previous);
    }

    // ------------------------------------------------------------------------------------- time budget and clock

    /**
     * Same scenario as RetransmissionTimersTest's time-budget test (tcp_retries2 = 3 as a budget of 3.0 s from the
     * first retransmission, RTO 0.2 s doubling: give up at the expiry 6.0 s after the first retransmission), but on
     * a wheel whose clock starts at -100000 s (TimerWheel.Builder.startTime accepts any long; a clock derived from
     * System.nanoTime() may be negative). The first-retransmission stamp is stored as {@code nowUs & STAMP_MASK},
     * which for a negative time is not nowUs, so {@code nowUs - firstUs} is about -2^54 and the budget is never
     * reached: the connection retransmits forever instead of giving up.
     */
    @Test
    void dataTimeBudgetShouldNotDependOnTheClockOrigin()
    {
        final long start = -100_000_000_000L;
        final TimerWheel wheel = TimerWheel.builder(TimeUnit.MICROSECONDS).startTime(start).build();
        final RetransmissionTimers timers = new RetransmissionTimers(wheel,
            RtoStrategies.parse("rfc6298:min=200ms,max=120s,initial=200ms"),
            RetryPolicy.linux(6, 5, 3, 200_000, 120_000_000), false, 1, 0);
        timers.open(0, Phase.DATA);
        timers.onSend(0, start);
        final List<long[]> expiries = new ArrayList<>();
        for (int i = 0; i < 100 && wheel.timerCount() > 0 && expiries.size() < 8; i++)
        {
            wheel.poll(Math.max(wheel.currentTime(), wheel.earliestDeadline()), (handle, payload, deadline) ->
                expiries.add(new long[]{wheel.currentTime() - start,
                    timers.onExpiry((int)(payload >>> 8), wheel.currentTime()).ordinal()}));
        }
        assertEquals(List.of(200_000L, 600_000L, 1_400_000L, 3_000_000L, 6_200_000L),
            expiries.stream().map(e -> e[0]).toList(), "expiry times relative to the start");
        assertEquals(Outcome.GAVE_UP_DATA.ordinal(), expiries.get(4)[1],
            "gives up at 6.2 s, 6.0 s after the first retransmission, as with a clock starting at 0");
    }

    // ---------------------------------------------------------------------------------------------- dead handle

    /**
     * The wheel fires a connection's timer but the caller's handler throws before onExpiry (TimerWheel.advance: the
     * timer then counts as fired). The table keeps the dead handle. onAck copes (it checks isScheduled and arms a
     * new timer), but onSend only compares with NULL_HANDLE, so the next send leaves the connection with no
     * retransmission timer at all, although data is outstanding (RFC 6298 5.1: "Every time a packet containing data
     * is sent ... if the timer is not running, start it running").
     */
    @Test
    void onSendShouldArmWhenTheStoredHandleNoLongerNamesALiveTimer()
    {
        final TimerWheel wheel = TimerWheel.builder(TimeUnit.MICROSECONDS).build();
        final RetransmissionTimers timers = new RetransmissionTimers(wheel, RtoStrategies.parse("rfc6298"),
            RetryPolicy.linuxDefaults(), false, 1, 0);
        timers.open(0, Phase.DATA);
        timers.onSend(0, 0);
        assertThrows(IllegalStateException.class, () -> wheel.poll(1_000_000, (handle, payload, deadline) ->
        {
            throw new IllegalStateException("caller failed before calling onExpiry");
        }));
        timers.onSend(0, 2_000_000);
        assertTrue(timers.isArmed(0), "data is outstanding after a send, yet no retransmission timer runs");
    }

    // ------------------------------------------------------------------------------------ backoffCount contract

    /**
     * RtoStrategy.backoffCount: "the number of timeouts since the last valid sample". FixedStrategy with
     * backoff=0 answers 0 after three timeouts.
     */
    @Test
    void fixedWithoutBackoffShouldStillCountTimeouts()
    {
        final RtoStrategy fixed = RtoStrategies.parse("fixed:backoff=0");
        final long[] state = new long[1];
        fixed.reset(state, 0);
        fixed.onTimeout(state, 0);
        fixed.onTimeout(state, 0);
        fixed.onTimeout(state, 0);
        assertEquals(1_000_000, fixed.rtoUs(state, 0), "the timeout stays constant");
        assertEquals(3, fixed.backoffCount(state, 0), "timeouts since the last valid sample");
    }

    // ------------------------------------------------------------------------------------------ budget overflow

    /**
     * RetryPolicy.linux accepts any 0 < rtoBase <= rtoMax and tcpRetries2 up to 255, but linuxBudgetUs multiplies
     * without overflow checks: 256 x 2^56 us wraps to 0, and a zero budget gives up at the first expiry after one
     * retransmission. (Inputs far outside realistic use; shown because nothing rejects them.)
     */
    @Test
    void linuxBudgetShouldNotOverflow()
    {
        final long huge = 1L << 56;
        // rejected: rtoMax is limited to a day, within which 255 retries' budget stays far inside a long
        assertThrows(IllegalArgumentException.class, () -> RetryPolicy.linux(6, 5, 255, huge, huge));
        final long budget = RetryPolicy.linux(6, 5, 255, 1, 86_400_000_000L).dataBudgetUs();
        assertTrue(budget > 0 && budget >= 86_400_000_000L, "budget " + budget);
    }

    // --------------------------------------------------------------------------------------------------- parsing

    /**
     * RtoStrategies.parse rejects an empty parameter at the start or in the middle ("rfc6298:,max=90s",
     * "rfc6298:max=90s,,k=4") but silently accepts the same malformation at the end, because String.split drops
     * trailing empty strings.
     */
    @Test
    void parseShouldRejectAnEmptyTrailingParameterLikeALeadingOne()
    {
        assertThrows(IllegalArgumentException.class, () -> RtoStrategies.parse("rfc6298:,max=90s"));
        assertThrows(IllegalArgumentException.class, () -> RtoStrategies.parse("rfc6298:max=90s,,k=4"));
        assertThrows(IllegalArgumentException.class, () -> RtoStrategies.parse("rfc6298:max=90s,"));
    }

    // ------------------------------------------------------------------------------- passing checks (no bug found)

    /** Linux's arithmetic checked by hand against tcp_rtt_estimator()/__tcp_set_rto() for HZ=250. */
    @Test
    void linuxFirstSampleOfOneMicrosecondGives204MsAtHz250()
    {
        final LinuxStrategy linux = (LinuxStrategy)RtoStrategies.parse("linux:hz=250");
        final long[] state = new long[4];
        linux.reset(state, 0);
        linux.onRttSample(state, 0, 1, 0, 0, 100);
        // srtt_us = 8, rttvar_us = max(2, 200000) = 200000; usecs_to_jiffies(1 + 200000) = 51 jiffies = 204 ms
        assertEquals(204_000, linux.rtoUs(state, 0));
    }

    /** RFC 9002 A.7 / 6.2.1: 100 ms first sample, then 120 ms with a 10 ms ack_delay, PTO with max_ack_delay. */
    @Test
    void quicPtoFollowsRfc9002()
    {
        final RtoStrategy quic = RtoStrategies.parse("quic");
        final long[] state = new long[4];
        quic.reset(state, 0);
        assertEquals(999_000, quic.rtoUs(state, 0));
        quic.onRttSample(state, 0, 100_000, 0, 0, 0);
        quic.onRttSample(state, 0, 120_000, 10_000, 0, 0);
        // adjusted 110 ms; rttvar = 3/4 * 50 + 1/4 * 10 = 40 ms; srtt = 7/8 * 100 + 1/8 * 110 = 101.25 ms
        // PTO = 101.25 + 160 + 25 = 286.25 ms, rounded up to 286250 us
        assertEquals(286_250, quic.rtoUs(state, 0));
    }
}
