package io.escapement.simulator.tcp;

import java.util.Arrays;

/**
 * When each resent unit of an end was last sent, for the ends with resent units outstanding: RACK's
 * {@code Segment.xmit_ts} of a retransmission (RFC 8985 section 6.1: the time of the most recent transmission).
 * <p>
 * A side table, not a per-slot array: few ends have a retransmission outstanding at once (the recovering ones), so
 * an end costs nothing until it resends and gives its entry back once nothing it resent is outstanding. An open
 * addressing map (linear probing, backward-shift deletion, at most half full) names each such end's block of 64
 * offsets in microseconds from the connection's start and of the units RACK marked lost again, taken from a free
 * list in one {@code int[]} (264 bytes a block). Lookups are one hash and a probe or two; nothing is allocated
 * once the arrays have grown to the peak.
 * Single-threaded (the shard's).
 */
final class ResendTimes
{
    private static final int UNITS = 64;
    private static final int STRIDE = UNITS + 2; // the units' times, then the units RACK marked lost again (a long)
    private static final int NONE = -1;

    private int[] keys = new int[16];   // end + 1; 0 for an empty cell
    private int[] blocks = new int[16];
    private int size;
    private int[] times = new int[8 * STRIDE];
    private int[] free = new int[8];
    private int freeCount;
    private int blocksUsed;

    /** @return the ends holding a block (for tests and the cost). */
    int size()
    {
        return size;
    }

    /** Records that unit {@code unit} of end {@code i} was resent at {@code offsetUs} after the connection's start. */
    void set(final int i, final int unit, final long offsetUs)
    {
        int block = find(i);
        if (block == NONE)
        {
            block = insert(i);
        }
        times[block * STRIDE + unit] = (int)offsetUs;
    }

    /**
     * @return when unit {@code unit} of end {@code i} was last resent, microseconds after the start (unsigned); -1 if
     * the end holds no block (the caller knows from the transmission counts whether the unit was resent).
     */
    long get(final int i, final int unit)
    {
        final int block = find(i);
        return block == NONE ? -1 : times[block * STRIDE + unit] & 0xFFFF_FFFFL;
    }

    /** @return the resent units of end {@code i} that RACK marked lost again and that are not resent since; 0 if none. */
    long relost(final int i)
    {
        final int block = find(i);
        if (block == NONE)
        {
            return 0;
        }
        final int at = block * STRIDE + UNITS;
        return (times[at] & 0xFFFF_FFFFL) | (long)times[at + 1] << 32;
    }

    /** Sets the units of end {@code i} marked lost again; ignored if the end holds no block (then none can be). */
    void relost(final int i, final long units)
    {
        final int block = find(i);
        if (block != NONE)
        {
            final int at = block * STRIDE + UNITS;
            times[at] = (int)units;
            times[at + 1] = (int)(units >>> 32);
        }
    }

    /** End {@code i} has no resent unit outstanding: its block goes back to the free list. */
    void release(final int i)
    {
        if (size == 0)
        {
            return;
        }
        final int mask = keys.length - 1;
        int at = hash(i) & mask;
        while (keys[at] != 0)
        {
            if (keys[at] == i + 1)
            {
                if (freeCount == free.length)
                {
                    free = Arrays.copyOf(free, free.length * 2);
                }
                free[freeCount++] = blocks[at];
                keys[at] = 0;
                size--;
                shiftBack(at, mask);
                return;
            }
            at = (at + 1) & mask;
        }
    }

    /** Linear probing's deletion: moves later entries of the run into the hole when their home allows it. */
    private void shiftBack(final int hole, final int mask)
    {
        int gap = hole;
        int at = (hole + 1) & mask;
        while (keys[at] != 0)
        {
            final int home = hash(keys[at] - 1) & mask;
            // the entry may move to the gap if its home is not in the cyclic range (gap, at]
            if (((at - home) & mask) >= ((at - gap) & mask))
            {
                keys[gap] = keys[at];
                blocks[gap] = blocks[at];
                keys[at] = 0;
                gap = at;
            }
            at = (at + 1) & mask;
        }
    }

    private int find(final int i)
    {
        if (size == 0)
        {
            return NONE;
        }
        final int mask = keys.length - 1;
        int at = hash(i) & mask;
        while (keys[at] != 0)
        {
            if (keys[at] == i + 1)
            {
                return blocks[at];
            }
            at = (at + 1) & mask;
        }
        return NONE;
    }

    private int insert(final int i)
    {
        if ((size + 1) * 2 > keys.length)
        {
            rehash(keys.length * 2);
        }
        final int block;
        if (freeCount > 0)
        {
            block = free[--freeCount];
        }
        else
        {
            block = blocksUsed++;
            if ((long)blocksUsed * STRIDE > times.length)
            {
                times = Arrays.copyOf(times, times.length * 2);
            }
        }
        // a reused block holds no times and marks nothing lost (once per end that starts resending: cheap)
        Arrays.fill(times, block * STRIDE, (block + 1) * STRIDE, 0);
        final int mask = keys.length - 1;
        int at = hash(i) & mask;
        while (keys[at] != 0)
        {
            at = (at + 1) & mask;
        }
        keys[at] = i + 1;
        blocks[at] = block;
        size++;
        return block;
    }

    private void rehash(final int capacity)
    {
        final int[] oldKeys = keys;
        final int[] oldBlocks = blocks;
        keys = new int[capacity];
        blocks = new int[capacity];
        final int mask = capacity - 1;
        for (int k = 0; k < oldKeys.length; k++)
        {
            if (oldKeys[k] != 0)
            {
                int at = hash(oldKeys[k] - 1) & mask;
                while (keys[at] != 0)
                {
                    at = (at + 1) & mask;
                }
                keys[at] = oldKeys[k];
                blocks[at] = oldBlocks[k];
            }
        }
    }

    private static int hash(final int i)
    {
        final int h = i * 0x9E3779B9;
        return h ^ (h >>> 16);
    }
}
