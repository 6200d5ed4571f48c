package io.escapement.simulator.tcp;

import io.escapement.engine.rto.RetransmissionTimers;
import io.escapement.engine.rto.RtoStrategy;
import io.escapement.engine.wheel.TimerWheel;

/**
 * When the kernel's timers fire: on a jiffy boundary ({@code --hz}), and, with slack on, in the bucket that the
 * kernel's own timer wheel files them in.
 * <p>
 * <b>Timer slack.</b> Since Linux 4.8 (kernel/time/timer.c, the non-cascading wheel) a timer is filed by
 * {@code calc_wheel_index()} in one of 8 or 9 levels of 64 buckets, each level 8 times coarser than the one
 * below: level {@code n} holds the timers {@code LVL_START(n) = 63 << 3(n-1)} jiffies or more away, in buckets of
 * {@code LVL_GRAN(n) = 8^n} jiffies. {@code calc_index()} rounds the expiry up to the next bucket boundary,
 * {@code ((expires >> 3n) + 1) << 3n}, so that no timer fires early: a timer fires late by up to one bucket,
 * about 12.5% of its delay once it is past level 0 (a 1 s RTO at HZ 1000 is in level 2, buckets of 64 ms; a 60 s
 * TIME-WAIT in level 4, buckets of 4.096 s). Level 0 still adds its one jiffy. A delay beyond the wheel's
 * capacity ({@code WHEEL_TIMEOUT_CUTOFF}) is cut to {@code WHEEL_TIMEOUT_MAX}.
 * <p>
 * Modelled as the kernel computes it, with two assumptions: the wheel's clock {@code base->clk} is the jiffy
 * the timer is armed in (as {@code forward_timer_base()} leaves it on an idle CPU; on a busy one it is a jiffy
 * ahead), and jiffies count from the simulation's start, not from {@code INITIAL_JIFFIES}, so bucket
 * boundaries fall at the same phase on every run. Timers the application arms (think time, idle timeout) are
 * not kernel timers and are exact.
 */
final class KernelTimers
{
    private static final int LVL_CLK_SHIFT = 3;
    private static final int LVL_BITS = 6;
    private static final long LVL_SIZE = 1L << LVL_BITS;

    private final ShardClock clock;
    private final TimerWheel wheel;
    private final boolean slack;
    private final int depth;
    private final long jiffyUs;
    /** Set while one of RetransmissionTimers' arming calls runs: {@link Filing} then answers the filed timeout. */
    private boolean arming;

    /**
     * @param hz    the kernel's HZ, 0 for exact timers (then there is no slack either).
     * @param slack whether to model the wheel's slack.
     */
    KernelTimers(final ShardClock clock, final TimerWheel wheel, final int hz, final boolean slack)
    {
        this.clock = clock;
        this.wheel = wheel;
        this.jiffyUs = clock.jiffyUs();
        this.slack = slack && hz > 0;
        this.depth = levels(hz);
    }

    /** @return {@code LVL_DEPTH}: 9 levels when HZ > 100, else 8. */
    static int levels(final int hz)
    {
        return hz > 100 ? 9 : 8;
    }

    /** @return {@code LVL_START(n)}: the delta, in jiffies, from which a timer goes in level {@code n >= 1}. */
    static long levelStart(final int n)
    {
        return (LVL_SIZE - 1) << ((n - 1) * LVL_CLK_SHIFT);
    }

    /**
     * {@code calc_wheel_index()}'s {@code bucket_expiry}: the jiffy at which a timer armed with {@code clk} as the
     * wheel's clock for {@code expires} fires.
     *
     * @param expires the timer's expiry, in jiffies.
     * @param clk     the wheel's clock when the timer is armed, in jiffies.
     * @param levels  {@code LVL_DEPTH}, see {@link #levels}.
     * @return the jiffy it fires in.
     */
    static long bucketExpiry(final long expires, final long clk, final int levels)
    {
        final long delta = expires - clk;
        if (delta < 0)
        {
            return clk; // already due: the bucket the wheel looks at next
        }
        for (int lvl = 0; lvl < levels - 1; lvl++)
        {
            if (delta < levelStart(lvl + 1))
            {
                return calcIndex(expires, lvl);
            }
        }
        final long cutoff = levelStart(levels);
        final long timeoutMax = cutoff - (1L << ((levels - 1) * LVL_CLK_SHIFT));
        return calcIndex(delta >= cutoff ? clk + timeoutMax : expires, levels - 1);
    }

    /** {@code calc_index()}: round up to the level's granularity, so that the timer never fires early. */
    private static long calcIndex(final long expires, final int lvl)
    {
        final int shift = lvl * LVL_CLK_SHIFT;
        return ((expires >> shift) + 1) << shift;
    }

    /** @return when a kernel timer armed now for {@code delayUs} fires. */
    long deadline(final long delayUs)
    {
        final long armedAt = clock.kernelNow();
        return slack ? slacked(armedAt, armedAt + delayUs) : armedAt + delayUs;
    }

    private long slacked(final long armedAtUs, final long deadlineUs)
    {
        final long clk = armedAtUs / jiffyUs;
        final long expires = (deadlineUs + jiffyUs - 1) / jiffyUs; // usecs_to_jiffies(): whole jiffies, up
        return bucketExpiry(expires, clk, depth) * jiffyUs;
    }

    // ------------------------------------------------------------------------------------------------ RTO timers

    /**
     * @return {@code strategy} as the shard's retransmission timers are to see it. With slack on, a strategy whose
     * timeout, asked while {@link #send}, {@link #ack} or {@link #expire} arms a timer, reaches the bucket the
     * kernel's wheel files the timer in: the timer is armed once, where it fires, rather than armed for the exact
     * timeout and moved at once (a second re-arm of the same record for nearly every ACK). Every other question
     * (the RTO in force, the delayed-ACK bound, the report's) gets the strategy's own answer.
     */
    RtoStrategy filing(final RtoStrategy strategy)
    {
        return slack ? new Filing(strategy) : strategy;
    }

    /** {@link RetransmissionTimers#onSend} now: arms the timer of slot {@code c}, if none runs, where it fires. */
    void send(final RetransmissionTimers rto, final int c)
    {
        arming = true;
        try
        {
            rto.onSend(c, clock.kernelNow());
        }
        finally
        {
            arming = false;
        }
    }

    /** {@link RetransmissionTimers#onAck}: the timer of slot {@code c}, if it goes on, is re-armed where it fires. */
    void ack(final RetransmissionTimers rto, final int c, final RetransmissionTimers.Ack ack)
    {
        arming = true;
        try
        {
            rto.onAck(c, ack);
        }
        finally
        {
            arming = false;
        }
    }

    /** {@link RetransmissionTimers#onExpiry} now: a retransmission's timer is armed where it fires. */
    RetransmissionTimers.Outcome expire(final RetransmissionTimers rto, final int c)
    {
        arming = true;
        try
        {
            return rto.onExpiry(c, clock.kernelNow());
        }
        finally
        {
            arming = false;
        }
    }

    /**
     * The strategy the retransmission timers see with slack on. The timers arm for {@code now + rtoUs()}, {@code now}
     * being the kernel's jiffy clock (every caller passes {@link ShardClock#kernelNow()}); while arming, the timeout
     * answered is the bucket's time less {@code now}, so the timer lands on {@link #slacked}{@code (now, now + rto)},
     * where it used to be moved to after being armed for {@code now + rto}. The strategy's own methods call each
     * other directly, not through this, so its arithmetic sees its own timeout.
     */
    private final class Filing implements RtoStrategy
    {
        private final RtoStrategy strategy;

        Filing(final RtoStrategy strategy)
        {
            this.strategy = strategy;
        }

        @Override
        public long rtoUs(final long[] state, final int offset)
        {
            final long rtoUs = strategy.rtoUs(state, offset);
            if (!arming)
            {
                return rtoUs;
            }
            final long now = clock.kernelNow();
            return slacked(now, now + rtoUs) - now;
        }

        @Override
        public String name()
        {
            return strategy.name();
        }

        @Override
        public int stateWords()
        {
            return strategy.stateWords();
        }

        @Override
        public void reset(final long[] state, final int offset)
        {
            strategy.reset(state, offset);
        }

        @Override
        public void onRttSample(final long[] state, final int offset, final long rttUs, final long ackDelayUs,
            final long sndUna, final long sndNxt)
        {
            strategy.onRttSample(state, offset, rttUs, ackDelayUs, sndUna, sndNxt);
        }

        @Override
        public void onAckWithoutSample(final long[] state, final int offset)
        {
            strategy.onAckWithoutSample(state, offset);
        }

        @Override
        public void onTimeout(final long[] state, final int offset)
        {
            strategy.onTimeout(state, offset);
        }

        @Override
        public void onSpuriousTimeout(final long[] state, final int offset, final long rttUs)
        {
            strategy.onSpuriousTimeout(state, offset, rttUs);
        }

        @Override
        public boolean unambiguousSamples()
        {
            return strategy.unambiguousSamples();
        }

        @Override
        public long srttUs(final long[] state, final int offset)
        {
            return strategy.srttUs(state, offset);
        }

        @Override
        public long rttvarUs(final long[] state, final int offset)
        {
            return strategy.rttvarUs(state, offset);
        }

        @Override
        public int backoffCount(final long[] state, final int offset)
        {
            return strategy.backoffCount(state, offset);
        }

        @Override
        public long minRtoUs()
        {
            return strategy.minRtoUs();
        }

        @Override
        public long maxRtoUs()
        {
            return strategy.maxRtoUs();
        }

        @Override
        public String toString()
        {
            return strategy.toString();
        }
    }
}
