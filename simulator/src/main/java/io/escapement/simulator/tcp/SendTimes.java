package io.escapement.simulator.tcp;

import java.util.Arrays;

/**
 * When each unit of an end was first sent, for the ends that need it: those a congestion window made send a
 * message in several flights. An end whose message leaves in one burst (the common case) needs two times, the
 * latest burst's and the oldest outstanding one, which the sender keeps itself; once a window holds units back,
 * the sender attaches a block of 64 per-unit times here and keeps it until everything it sent is acknowledged.
 * <p>
 * Blocks come from a free list in one {@code int[]} (64 offsets in microseconds from the connection's start,
 * 256 bytes): memory goes to the ends sending in flights at the time, not to every slot; each end costs one
 * {@code int} naming its block.
 */
final class SendTimes
{
    private static final int UNITS = 64;
    private static final int SHIFT = 6;

    private int[] blockOf; // per end: 1 + its block, 0 for none
    private int[] times = new int[16 * UNITS];
    private int[] free = new int[16];
    private int freeCount;
    private int blocksUsed;

    SendTimes(final int capacity)
    {
        blockOf = new int[capacity * 2];
    }

    void grow(final int capacity)
    {
        blockOf = Arrays.copyOf(blockOf, capacity * 2);
    }

    /** @return whether end {@code i} keeps per-unit times. */
    boolean attached(final int i)
    {
        return blockOf[i] != 0;
    }

    /** Gives end {@code i} a block of per-unit times (their values are the caller's to set). */
    void attach(final int i)
    {
        final int block;
        if (freeCount > 0)
        {
            block = free[--freeCount];
        }
        else
        {
            block = blocksUsed++;
            if ((long)blocksUsed * UNITS > times.length)
            {
                times = Arrays.copyOf(times, times.length * 2);
            }
        }
        blockOf[i] = block + 1;
    }

    /** End {@code i} no longer needs per-unit times. */
    void release(final int i)
    {
        final int block = blockOf[i] - 1;
        if (block < 0)
        {
            return;
        }
        if (freeCount == free.length)
        {
            free = Arrays.copyOf(free, free.length * 2);
        }
        free[freeCount++] = block;
        blockOf[i] = 0;
    }

    /** @return when unit {@code unit} of end {@code i} was first sent, microseconds after the start (unsigned). */
    long get(final int i, final int unit)
    {
        return times[((blockOf[i] - 1) << SHIFT) + unit] & 0xFFFF_FFFFL;
    }

    void set(final int i, final int unit, final long offsetUs)
    {
        times[((blockOf[i] - 1) << SHIFT) + unit] = (int)offsetUs;
    }
}
