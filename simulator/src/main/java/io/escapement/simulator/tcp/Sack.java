package io.escapement.simulator.tcp;

import java.util.Arrays;

/**
 * SACK (RFC 2018): the blocks a receiver puts in its ACKs, the packets that carry them, and what a sender has
 * learned from those that arrived.
 * <p>
 * <b>The receiver's blocks.</b> As RFC 2018 section 4 says: the first block is the one holding the segment that
 * arrived last (if it lies above the cumulative ACK), then the blocks most recently reported, none repeated, at most
 * {@link #blocksPerAck} per ACK. Each end keeps its blocks as up to {@link #REMEMBERED} <i>anchors</i>, units
 * inside them, most recent first (Linux keeps {@code TCP_NUM_SACKS} = 4 in {@code rx_opt.selective_acks} and moves
 * the block a segment joins to the front, {@code tcp_sack_new_ofo_skb()}); a block is the run of received units
 * around its anchor when the ACK leaves, so blocks grow and merge as segments arrive, and drop out once the
 * cumulative ACK covers them. Every ACK reports the first {@link #blocksPerAck} anchors' blocks, so "most recently
 * reported" and "most recently joined" are one order. A segment that arrives twice above the cumulative ACK moves
 * its block to the front too; D-SACK (RFC 2883) is not modelled.
 * <p>
 * <b>Blocks per ACK.</b> 40 option bytes; a SACK option takes 2 + 8 per block; with timestamps (10 bytes, 12 with
 * the padding Linux uses) 3 blocks fit, without 4 ({@code tcp_established_options()}). The simulator models
 * timestamps by {@code --timestamps}: 3 blocks when it is on, 4 when off.
 * <p>
 * <b>Carried by the packet.</b> A packet is one {@code long} timer payload; its blocks (4 x 12 bits: first and last
 * unit, and a count) are one {@code long} in a shard-wide pool, queued per sending end. Each direction is a FIFO path
 * and a lost packet never enters the wheel, so the packets of an end that carry blocks arrive in the order they left:
 * the one arriving takes the head of its sender's queue ({@link Wire#SACK} marks them). A lost ACK loses its blocks;
 * the next ACK repeats what is still reported. Records exist only for packets sent while the receiver holds data
 * above a hole, so runs without loss use none.
 * <p>
 * <b>What the sender learned.</b> A 64-bit mask per end, the union of every block that arrived (units, a bit each);
 * RFC 6675's scoreboard ({@link LossRecovery}) and RACK read it with the cumulative ACK. Reneging is not modelled:
 * the receiver never drops what it SACKed.
 * <p>
 * Per end 16 bytes (the anchors, the queue's tail, the mask learned); the pool grows to the packets with blocks in
 * flight at once. Not thread-safe: one shard's.
 */
final class Sack
{
    /** Blocks a receiver remembers ({@code TCP_NUM_SACKS}). */
    static final int REMEMBERED = 4;
    private static final int COUNT_SHIFT = 24;  // the anchors' word: 4 x 6 bits, the count above
    private static final int BLOCKS_SHIFT = 48; // an encoded option: 4 x (first 6 bits, last 6 bits), the count above

    private final boolean enabled;
    private final int blocksPerAck;

    // per end (slot << 1 | end)
    private int[] anchors;  // receiver: units inside its blocks, most recent first, and their count
    private int[] tail;     // wire: 1 + the last record this end queued, 0 when none is in flight
    private long[] learned; // sender: the units of its own stream the peer's SACK blocks reported

    // the pool of records in flight: blocks, and the next record of the same end's circular queue
    private long[] records = new long[64];
    private int[] next = new int[64];
    private int free = -1;
    private int used;
    /** The blocks of the packet arriving now, until the ACK in it is taken (0: none). */
    private long arriving;

    /**
     * @param enabled    whether ACKs carry SACK blocks.
     * @param timestamps whether segments carry timestamps: 3 blocks fit in an ACK, else 4.
     * @param capacity   slots to start with.
     */
    Sack(final boolean enabled, final boolean timestamps, final int capacity)
    {
        this.enabled = enabled;
        this.blocksPerAck = timestamps ? 3 : 4;
        anchors = new int[capacity * 2];
        tail = new int[capacity * 2];
        learned = new long[capacity * 2];
    }

    void grow(final int capacity)
    {
        anchors = Arrays.copyOf(anchors, capacity * 2);
        tail = Arrays.copyOf(tail, capacity * 2);
        learned = Arrays.copyOf(learned, capacity * 2);
    }

    /** @return whether ACKs carry SACK blocks. */
    boolean enabled()
    {
        return enabled;
    }

    /** @return the blocks an ACK carries at most. */
    int blocksPerAck()
    {
        return blocksPerAck;
    }

    // ------------------------------------------------------------------------------------------------ receiver

    /** End {@code i} starts receiving afresh: no blocks. */
    void resetReceiver(final int i)
    {
        anchors[i] = 0;
    }

    /**
     * A segment {@code unit} of the peer's stream arrived at end {@code i} (new or a duplicate).
     *
     * @param received what end {@code i} holds now, the segment included.
     */
    void onSegment(final int i, final long received, final int unit)
    {
        if (!enabled)
        {
            return;
        }
        final int rcvNext = Long.numberOfTrailingZeros(~received);
        final int old = anchors[i];
        final int count = old >>> COUNT_SHIFT;
        if (count == 0 && unit < rcvNext)
        {
            return; // in order, nothing above a hole: the common case
        }
        int updated = 0;
        int k = 0;
        long first = 0;
        if (unit >= rcvNext)
        {
            updated = unit;
            k = 1;
            first = run(received, unit);
        }
        for (int j = 0; j < count && k < REMEMBERED; j++)
        {
            final int a = (old >>> (6 * j)) & 0x3F;
            if (a < rcvNext || (first & (1L << a)) != 0)
            {
                continue; // covered by the cumulative ACK now, or part of the first block
            }
            updated |= a << (6 * k);
            k++;
        }
        anchors[i] = updated | k << COUNT_SHIFT;
    }

    /**
     * @return the SACK option end {@code i} sends now, encoded: block {@code b}'s first unit at bits {@code 12b},
     * its last at {@code 12b + 6}, the count at {@link #BLOCKS_SHIFT}; 0 for none.
     */
    long option(final int i, final long received)
    {
        final int a = anchors[i];
        if (a == 0)
        {
            return 0; // the common case: nothing above a hole
        }
        final int count = Math.min(a >>> COUNT_SHIFT, blocksPerAck);
        long option = 0;
        for (int b = 0; b < count; b++)
        {
            final int u = (a >>> (6 * b)) & 0x3F;
            final long run = run(received, u);
            final int firstUnit = Long.numberOfTrailingZeros(run);
            final int lastUnit = 63 - Long.numberOfLeadingZeros(run);
            option |= (long)(firstUnit | lastUnit << 6) << (12 * b);
        }
        return option | (long)count << BLOCKS_SHIFT;
    }

    /** @return the number of blocks in an encoded option. */
    static int count(final long option)
    {
        return (int)(option >>> BLOCKS_SHIFT);
    }

    /** @return block {@code b}'s first unit. */
    static int first(final long option, final int b)
    {
        return (int)(option >>> (12 * b)) & 0x3F;
    }

    /** @return block {@code b}'s last unit (inclusive). */
    static int last(final long option, final int b)
    {
        return (int)(option >>> (12 * b + 6)) & 0x3F;
    }

    /** @return the units an encoded option reports, a bit each. */
    static long units(final long option)
    {
        long units = 0;
        for (int b = count(option) - 1; b >= 0; b--)
        {
            final int last = last(option, b);
            units |= (last == 63 ? -1L : (2L << last) - 1) & (-1L << first(option, b));
        }
        return units;
    }

    /** @return the run of set bits of {@code received} that holds unit {@code u}, a bit each. */
    static long run(final long received, final int u)
    {
        final int above = Long.numberOfTrailingZeros(~(received >>> u));          // u and the units above it
        final int below = Long.numberOfLeadingZeros(~(received << (63 - u))) - 1; // the units below u
        final int last = u + above - 1;
        return (last >= 63 ? -1L : (2L << last) - 1) & (-1L << (u - below));
    }

    // ------------------------------------------------------------------------------------------------ wire

    /** End {@code i} sends a packet carrying {@code option} (not 0): it joins the end's queue of records. */
    void queue(final int i, final long option)
    {
        int r = free;
        if (r >= 0)
        {
            free = next[r];
        }
        else
        {
            if (used == records.length)
            {
                records = Arrays.copyOf(records, used * 2);
                next = Arrays.copyOf(next, used * 2);
            }
            r = used++;
        }
        records[r] = option;
        final int t = tail[i] - 1;
        if (t < 0)
        {
            next[r] = r; // a queue of one: the tail points to itself as the head
        }
        else
        {
            next[r] = next[t];
            next[t] = r;
        }
        tail[i] = r + 1;
    }

    /** A packet end {@code i} sent with blocks arrives: @return its option, the head of the end's queue. */
    long dequeue(final int i)
    {
        final int t = tail[i] - 1;
        final int h = next[t];
        if (h == t)
        {
            tail[i] = 0;
        }
        else
        {
            next[t] = next[h];
        }
        final long option = records[h];
        next[h] = free;
        free = h;
        return option;
    }

    /** @return the records in flight, for tests (the pool's size less its free list). */
    int recordsInFlight()
    {
        int n = 0;
        for (int r = free; r >= 0; r = next[r])
        {
            n++;
        }
        return used - n;
    }

    /** A packet arrives: {@code option} is what it carries (0: no blocks), until its ACK is taken. */
    void arriving(final long option)
    {
        arriving = option;
    }

    // ------------------------------------------------------------------------------------------------ sender

    /** End {@code i} starts sending afresh: it has learned nothing. */
    void resetSender(final int i)
    {
        learned[i] = 0;
    }

    /**
     * The ACK arriving at end {@code i} is taken: what its blocks report joins what the end learned.
     *
     * @return what end {@code i} has learned now, {@link #learned}.
     */
    long learn(final int i)
    {
        long units = learned[i];
        if (arriving != 0)
        {
            units |= units(arriving);
            learned[i] = units;
            arriving = 0;
        }
        return units;
    }

    /** @return the units of end {@code i}'s stream the peer's SACK blocks reported, a bit each. */
    long learned(final int i)
    {
        return learned[i];
    }
}
