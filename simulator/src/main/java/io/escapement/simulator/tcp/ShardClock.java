package io.escapement.simulator.tcp;

/**
 * A shard's virtual time, shared by its rooms: {@link #now} is the deadline of the event being handled, and
 * {@link #kernelNow()} the kernel's jiffy clock that timers are armed from.
 */
final class ShardClock
{
    /** Virtual time now, in microseconds: set by the shard before each event. */
    long now;

    private final long jiffyUs;

    /**
     * The instant {@link #kernelNow} last rounded, and what it gave: an event asks for the jiffy clock several times
     * (each timer it arms) at one instant, and a 64-bit division costs tens of cycles where a compare costs one.
     * {@code Long.MIN_VALUE} is never a virtual instant (they start at 0), so the first call always rounds.
     */
    private long roundedAt = Long.MIN_VALUE;
    private long rounded;

    /** @param hz the kernel's timer frequency, or 0 for exact timers. */
    ShardClock(final int hz)
    {
        this.jiffyUs = hz == 0 ? 0 : 1_000_000 / hz;
    }

    /** @return one jiffy in microseconds, 0 with exact timers. */
    long jiffyUs()
    {
        return jiffyUs;
    }

    /** The kernel's clock for arming timers: jiffies, so a timer fires on a jiffy boundary as the kernel's do. */
    long kernelNow()
    {
        final long t = now;
        if (t != roundedAt)
        {
            rounded = jiffyUs == 0 ? t : t / jiffyUs * jiffyUs;
            roundedAt = t;
        }
        return rounded;
    }
}
