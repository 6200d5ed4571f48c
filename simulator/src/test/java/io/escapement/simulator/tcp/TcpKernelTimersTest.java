package io.escapement.simulator.tcp;

import io.escapement.engine.rto.RetransmissionTimers;
import io.escapement.engine.rto.RetryPolicy;
import io.escapement.engine.rto.RtoStrategies;
import io.escapement.engine.rto.RtoStrategy;
import io.escapement.engine.wheel.TimerWheel;
import org.junit.jupiter.api.Test;

import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link KernelTimers#bucketExpiry} against kernel/time/timer.c (Linux 4.8 on, {@code bucket_expiry} since 5.9):
 * {@code LVL_START(n) = 63 << 3(n-1)}, {@code calc_index()} = {@code ((expires >> 3lvl) + 1) << 3lvl},
 * {@code LVL_DEPTH} 9 above HZ 100, else 8, {@code WHEEL_TIMEOUT_CUTOFF = LVL_START(LVL_DEPTH)},
 * {@code WHEEL_TIMEOUT_MAX = CUTOFF - LVL_GRAN(LVL_DEPTH - 1)}. Expected values worked out by hand.
 */
class TcpKernelTimersTest
{
    private static final int HZ_1000_LEVELS = KernelTimers.levels(1000);
    private static final int HZ_250_LEVELS = KernelTimers.levels(250);

    @Test
    void shouldUseNineLevelsAboveHz100AndEightAtOrBelow()
    {
        assertEquals(9, HZ_1000_LEVELS);
        assertEquals(9, HZ_250_LEVELS);
        assertEquals(8, KernelTimers.levels(100));
    }

    @Test
    void shouldStartEachLevelAt63TimesEightToTheLevelMinusOne()
    {
        assertEquals(63, KernelTimers.levelStart(1));
        assertEquals(504, KernelTimers.levelStart(2));
        assertEquals(4032, KernelTimers.levelStart(3));
        assertEquals(32256, KernelTimers.levelStart(4));
        assertEquals(258048, KernelTimers.levelStart(5));
    }

    @Test
    void shouldRoundUpToTheLevelsGranularityAtHz1000()
    {
        assertEquals(63, KernelTimers.bucketExpiry(62, 0, HZ_1000_LEVELS), "level 0: one jiffy late");
        assertEquals(64, KernelTimers.bucketExpiry(63, 0, HZ_1000_LEVELS), "level 1: buckets of 8");
        assertEquals(1024, KernelTimers.bucketExpiry(1000, 0, HZ_1000_LEVELS), "1 s: level 2, buckets of 64");
        assertEquals(3072, KernelTimers.bucketExpiry(3024, 1024, HZ_1000_LEVELS));
        assertEquals(61440, KernelTimers.bucketExpiry(60000, 0, HZ_1000_LEVELS), "60 s: level 4, buckets of 4096");
        assertEquals(10, KernelTimers.bucketExpiry(5, 10, HZ_1000_LEVELS), "already due: the current bucket");
    }

    @Test
    void shouldRoundUpToTheLevelsGranularityAtHz250()
    {
        assertEquals(256, KernelTimers.bucketExpiry(250, 0, HZ_250_LEVELS), "1 s: level 1, buckets of 8");
        assertEquals(760, KernelTimers.bucketExpiry(756, 256, HZ_250_LEVELS));
        assertEquals(15360, KernelTimers.bucketExpiry(15000, 0, HZ_250_LEVELS), "60 s: level 3, buckets of 512");
    }

    @Test
    void shouldCutADelayBeyondTheWheelsCapacityToItsLastBucket()
    {
        // HZ 1000: CUTOFF = 63 << 24 = 1056964608, MAX = CUTOFF - 2^24; in level 8, buckets of 2^24
        assertEquals(1056964608L, KernelTimers.bucketExpiry(1L << 40, 0, HZ_1000_LEVELS));
        // HZ 100: CUTOFF = 63 << 21 = 132120576, MAX = CUTOFF - 2^21; in level 7, buckets of 2^21
        assertEquals(132120576L, KernelTimers.bucketExpiry(1L << 40, 0, KernelTimers.levels(100)));
    }

    @Test
    void shouldNeverFireEarlyAndPastLevel0NeverLaterThanAnEighthOfTheDelayAndOneBucket()
    {
        for (long delta = 0; delta < 300_000; delta += 7)
        {
            for (final long clk : new long[]{0, 5, 4095, 123_456_789})
            {
                final long fires = KernelTimers.bucketExpiry(clk + delta, clk, HZ_1000_LEVELS);
                assertTrue(fires > clk + delta, "never early, delta " + delta);
                if (delta >= 63)
                {
                    // a level's granularity is at most 8/63 of the smallest delta it holds
                    assertTrue((fires - clk - delta) * 63 <= 8 * delta, "late " + (fires - clk - delta) + " of " + delta);
                }
            }
        }
    }

    @Test
    void shouldArmTheRetransmissionTimerInTheKernelWheelsBucketAndAnswerTheExactTimeout()
    {
        final ShardClock clock = new ShardClock(1000);
        final TimerWheel wheel = TimerWheel.builder(TimeUnit.MICROSECONDS).startTime(0).tickDuration(1).build();
        final KernelTimers timers = new KernelTimers(clock, wheel, 1000, true);
        final RetransmissionTimers filed = new RetransmissionTimers(wheel, timers.filing(RtoStrategies.parse("linux")),
            RetryPolicy.linuxDefaults(), false, 1, EventBatch.RTO_CLIENT);
        // the same timers with the strategy as it is, fed the same: what the RTO in force must stay
        final RetransmissionTimers exact = new RetransmissionTimers(wheel, RtoStrategies.parse("linux"),
            RetryPolicy.linuxDefaults(), false, 1, EventBatch.RTO_SERVER);

        // sent at 5.3 ms, jiffy 5: a 1 s (1000 jiffies) timer is level 2, 64-jiffy buckets: 1005 -> 1024
        clock.now = 5_300;
        timers.send(filed, 0);
        exact.onSend(0, clock.kernelNow());
        assertEquals(1_024_000, filed.deadlineUs(0));
        assertEquals(1_000_000, filed.rtoUs(0));

        // a partial ACK at 105.7 ms with a 100 ms sample: re-armed once, in the bucket of jiffy 105 + the new RTO
        clock.now = 105_700;
        final RetransmissionTimers.Ack ack = new RetransmissionTimers.Ack();
        timers.ack(filed, 0, ack.of(clock.kernelNow(), 1, 3).rtt(100_000, false));
        exact.onAck(0, ack.of(clock.kernelNow(), 1, 3).rtt(100_000, false));
        assertEquals(exact.rtoUs(0), filed.rtoUs(0), "the RTO in force is the strategy's own");
        final long expires = (105_000 + exact.rtoUs(0) + 999) / 1000; // usecs_to_jiffies() rounds up
        assertEquals(KernelTimers.bucketExpiry(expires, 105, HZ_1000_LEVELS) * 1000, filed.deadlineUs(0));
        assertNotEquals(exact.deadlineUs(0), filed.deadlineUs(0), "the slack moved this one");

        // the timer fires: the retransmission's backed-off timer goes in its bucket too
        clock.now = filed.deadlineUs(0);
        assertEquals(RetransmissionTimers.Outcome.RETRANSMIT, timers.expire(filed, 0));
        assertEquals(2 * exact.rtoUs(0), filed.rtoUs(0), "backed off once");
        final long jiffy = clock.kernelNow() / 1000;
        assertEquals(KernelTimers.bucketExpiry((clock.kernelNow() + filed.rtoUs(0) + 999) / 1000, jiffy,
            HZ_1000_LEVELS) * 1000, filed.deadlineUs(0));
    }

    @Test
    void shouldLeaveTheStrategyAsItIsWithoutSlack()
    {
        final ShardClock clock = new ShardClock(1000);
        final TimerWheel wheel = TimerWheel.builder(TimeUnit.MICROSECONDS).startTime(0).tickDuration(1).build();
        final RtoStrategy strategy = RtoStrategies.parse("linux");
        assertSame(strategy, new KernelTimers(clock, wheel, 1000, false).filing(strategy));
        assertSame(strategy, new KernelTimers(new ShardClock(0), wheel, 0, true).filing(strategy));
    }
}
