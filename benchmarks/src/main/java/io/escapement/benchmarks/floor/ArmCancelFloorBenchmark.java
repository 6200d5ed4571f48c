package io.escapement.benchmarks.floor;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

/**
 * What arming a timer and cancelling it at once costs at the least, by what a structure must keep: no timer API,
 * no argument checks, only the memory operations, inline. {@code TimerPeersBenchmark.armCancel} (escapement) is
 * read against it. One op is one arm plus one cancel of that timer, with the deadlines of that benchmark (200 ms
 * to 3 s ahead at a 1 ms tick, from a clock at 0: level 0 up to 255 ms, level 1 beyond). The timer arrays are sized
 * for {@code timers} timers as the wheel's would be, though, as in the wheel, an arm right after a cancel reuses
 * the slot the cancel freed (a LIFO free list), so only a few cache lines are touched.
 * <ul>
 *   <li>{@link #linkedHeads}: the leanest correct wheel of shared/PERFORMANCE.md (its 5.9 ns): records of
 *       deadline, payload, next and prev; a bucket is a doubly linked list whose head is linked to; cancel
 *       unlinks; a free list. No handle check, no occupancy bitmap (so no O(1) jump over empty time).</li>
 *   <li>{@link #linkedHeadsGenerationBitmap}: the same plus what the engine's guarantees need: a generation in
 *       the record and the handle, checked by cancel (stale handles are answered, never obeyed), and a bit per
 *       bucket set by the arm and cleared by the cancel that empties the bucket (poll's jump over empty
 *       time).</li>
 *   <li>{@link #chunkedSwapRemove}: the engine's layout with the same guarantees: 24-byte records (generation,
 *       position, deadline, payload), a bucket an array chunk of slot ids with a 16-bit tick hint beside each,
 *       cancel a swap-remove through the record's position, the bitmap, the generation. This is the wheel's
 *       arm+cancel without its API (the deadline and capacity checks, the callback and forwarding states), but
 *       also without what the wheel's growth and chunk sharing cost: flat arrays sized up front, one fixed chunk
 *       per bucket whose number is the bucket's.</li>
 *   <li>{@link #pagedOwnedChunks}: the engine's layout as it really is, still without its API: records in pages
 *       of 8,192 (the wheel grows without copying), the entry store in pages of 65,536 slot ids and hints, chunks
 *       taken from a shared store and owned by a list (so cancel finds the list through the chunk's owner, and
 *       the list's front chunk and count through the list), an emptied list keeping its chunk.</li>
 * </ul>
 * The gap between the first two is the price of the guarantees; between the second and the third, of the
 * layout that keeps the drain's reads sequential; between the third and the fourth, of the paging and the shared
 * chunk store; between the fourth and the wheel, of its API and bookkeeping.
 * <p>
 * Run: {@code java -jar benchmarks/target/escapement-benchmarks.jar ArmCancelFloorBenchmark -prof gc}
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 2, jvmArgsAppend = {"-Xmx8g", "-Xms8g"})
public class ArmCancelFloorBenchmark
{
    private static final int INPUTS = 1 << 16;
    private static final int INPUT_MASK = INPUTS - 1;
    /** Buckets: 256 of level 0 and 256 of level 1, the two the inputs reach. */
    private static final int BUCKETS = 512;
    private static final int NIL = -1;
    private static final int CHUNK = 64;
    /** The wheel's: 8,192 records a page, 65,536 entries (1,024 chunks) a page, 2,051 lists. */
    private static final int RECORD_PAGE_SHIFT = 13;
    private static final int RECORD_PAGE_MASK = (1 << RECORD_PAGE_SHIFT) - 1;
    private static final int ENTRY_PAGE_SHIFT = 16;
    private static final int ENTRY_PAGE_MASK = (1 << ENTRY_PAGE_SHIFT) - 1;
    private static final int CHUNK_SHIFT = 6;
    private static final int LISTS = 8 * 256 + 3;

    @State(Scope.Thread)
    public static class Timers
    {
        @Param({"1000000", "10000000"})
        int timers;

        /** Deadlines in ms (ticks), 200..3000, as TimerPeersBenchmark.armCancel arms them. */
        int[] deadlines;
        int next;

        // linkedHeads: 6 ints a record (deadline 2, payload 2, next, prev), heads per bucket, a free list.
        int[] linked;
        int[] heads;
        int freeLinked;

        // the bitmap and generations of the second variant (generation kept in its own array, as an extra field)
        int[] generations;
        long[] occupancy;

        // chunkedSwapRemove: 6 ints a record (generation, position, deadline 2, payload 2), one kept chunk per
        // bucket (slot ids and hints), counts, a free list.
        int[] records;
        int[] entries;
        short[] hints;
        int[] counts;
        int freeSlot;

        // pagedOwnedChunks: the same records in pages; chunks in a paged entry store, each owned by a list
        // (chunkLinks: owner at 2c, next chunk at 2c + 1), the list's front chunk and its count.
        int[][] recordPages;
        int[][] entryPages;
        short[][] hintPages;
        int[] chunkLinks;
        int[] frontChunk;
        int[] frontCount;
        int freePaged;

        @Setup
        public void setUp()
        {
            final SplittableRandom random = new SplittableRandom(0x5EED);
            deadlines = new int[INPUTS];
            for (int i = 0; i < INPUTS; i++)
            {
                deadlines[i] = random.nextInt(200, 3_001);
            }
            linked = new int[timers * 6];
            heads = new int[BUCKETS];
            java.util.Arrays.fill(heads, NIL);
            generations = new int[timers];
            occupancy = new long[BUCKETS / 64];
            records = new int[timers * 6];
            entries = new int[BUCKETS * CHUNK];
            hints = new short[BUCKETS * CHUNK];
            counts = new int[BUCKETS];
            // every slot free, the free lists through next / position; the first slot on top
            for (int slot = 0; slot < timers; slot++)
            {
                linked[slot * 6 + 4] = slot + 1 < timers ? slot + 1 : NIL;
                records[slot * 6 + 1] = slot + 1 < timers ? slot + 1 : NIL;
                records[slot * 6] = -1;
            }
            freeLinked = 0;
            freeSlot = 0;

            recordPages = new int[(timers + RECORD_PAGE_MASK) >>> RECORD_PAGE_SHIFT][];
            for (int p = 0; p < recordPages.length; p++)
            {
                recordPages[p] = new int[(1 << RECORD_PAGE_SHIFT) * 6];
            }
            for (int slot = 0; slot < timers; slot++)
            {
                final int[] page = recordPages[slot >>> RECORD_PAGE_SHIFT];
                final int at = (slot & RECORD_PAGE_MASK) * 6;
                page[at] = -1;
                page[at + 1] = slot + 1 < timers ? slot + 1 : NIL;
            }
            freePaged = 0;
            // As in the wheel with `timers` timers armed: about timers / 64 chunks in use, so the chunks the two
            // buckets' lists own lie in the last of several entry pages; each list keeps its chunk when emptied.
            final int usedChunks = timers / CHUNK + BUCKETS;
            entryPages = new int[(usedChunks + 1023) >>> 10][];
            hintPages = new short[entryPages.length][];
            for (int p = 0; p < entryPages.length; p++)
            {
                entryPages[p] = new int[1 << ENTRY_PAGE_SHIFT];
                hintPages[p] = new short[1 << ENTRY_PAGE_SHIFT];
            }
            chunkLinks = new int[2 * entryPages.length * 1024];
            frontChunk = new int[LISTS];
            frontCount = new int[LISTS];
            java.util.Arrays.fill(frontChunk, NIL);
            for (int list = 0; list < BUCKETS; list++)
            {
                final int chunk = usedChunks - BUCKETS + list;
                frontChunk[list] = chunk;
                chunkLinks[2 * chunk] = list;
                chunkLinks[2 * chunk + 1] = NIL;
            }
        }
    }

    private static int bucketOf(final int tick)
    {
        // cursor at 0: level 0 for ticks below 256, else level 1 (ticks up to 65,535)
        return tick < 256 ? tick : 256 + (tick >>> 8);
    }

    /** @return whether the cancel unlinked the timer, so that nothing is dead code. */
    @Benchmark
    public boolean linkedHeads(final Timers t)
    {
        final int deadline = t.deadlines[t.next++ & INPUT_MASK];
        final int[] r = t.linked;
        // arm: pop the free list, fill, link at the bucket's head
        final int slot = t.freeLinked;
        final int at = slot * 6;
        t.freeLinked = r[at + 4];
        r[at] = 0;
        r[at + 1] = deadline;
        r[at + 2] = 0;
        r[at + 3] = slot;
        final int bucket = bucketOf(deadline);
        final int head = t.heads[bucket];
        r[at + 4] = head;
        r[at + 5] = NIL;
        if (head != NIL)
        {
            r[head * 6 + 5] = slot;
        }
        t.heads[bucket] = slot;
        // cancel: unlink (the bucket is found again from the deadline), push on the free list
        final int next = r[at + 4];
        final int prev = r[at + 5];
        if (prev == NIL)
        {
            t.heads[bucketOf(r[at + 1])] = next;
        }
        else
        {
            r[prev * 6 + 4] = next;
        }
        if (next != NIL)
        {
            r[next * 6 + 5] = prev;
        }
        r[at + 4] = t.freeLinked;
        t.freeLinked = slot;
        return next == NIL;
    }

    /** @return whether the cancel unlinked the timer, so that nothing is dead code. */
    @Benchmark
    public boolean linkedHeadsGenerationBitmap(final Timers t)
    {
        final int deadline = t.deadlines[t.next++ & INPUT_MASK];
        final int[] r = t.linked;
        final int[] generations = t.generations;
        final long[] occupancy = t.occupancy;
        final int slot = t.freeLinked;
        final int at = slot * 6;
        t.freeLinked = r[at + 4];
        final int gen = generations[slot] + 1;
        generations[slot] = gen;
        r[at] = 0;
        r[at + 1] = deadline;
        r[at + 2] = 0;
        r[at + 3] = slot;
        final int bucket = bucketOf(deadline);
        final int head = t.heads[bucket];
        r[at + 4] = head;
        r[at + 5] = NIL;
        if (head != NIL)
        {
            r[head * 6 + 5] = slot;
        }
        else
        {
            occupancy[bucket >>> 6] |= 1L << bucket;
        }
        t.heads[bucket] = slot;
        final long handle = ((long)gen << 32) | slot;

        final int cancelSlot = (int)handle;
        if (generations[cancelSlot] != (int)(handle >>> 32))
        {
            return false;
        }
        final int cat = cancelSlot * 6;
        final int next = r[cat + 4];
        final int prev = r[cat + 5];
        if (prev == NIL)
        {
            final int b = bucketOf(r[cat + 1]);
            t.heads[b] = next;
            if (next == NIL)
            {
                occupancy[b >>> 6] &= ~(1L << b);
            }
        }
        else
        {
            r[prev * 6 + 4] = next;
        }
        if (next != NIL)
        {
            r[next * 6 + 5] = prev;
        }
        generations[cancelSlot] = gen + 1;
        r[cat + 4] = t.freeLinked;
        t.freeLinked = cancelSlot;
        return true;
    }

    /** @return whether the cancel removed the timer, so that nothing is dead code. */
    @Benchmark
    public boolean chunkedSwapRemove(final Timers t)
    {
        final int deadline = t.deadlines[t.next++ & INPUT_MASK];
        final int[] r = t.records;
        final int[] entries = t.entries;
        final int[] counts = t.counts;
        final long[] occupancy = t.occupancy;
        // arm: pop the free list (through the position field), a live generation, fill, append to the chunk
        final int slot = t.freeSlot;
        final int at = slot * 6;
        t.freeSlot = r[at + 1];
        final int gen = -r[at];
        r[at] = gen;
        r[at + 2] = 0;
        r[at + 3] = deadline;
        r[at + 4] = 0;
        r[at + 5] = slot;
        final int bucket = bucketOf(deadline);
        final int count = counts[bucket];
        if (count == 0)
        {
            occupancy[bucket >>> 6] |= 1L << bucket;
        }
        final int pos = bucket * CHUNK + count;
        entries[pos] = slot;
        t.hints[pos] = (short)deadline;
        counts[bucket] = count + 1;
        r[at + 1] = pos;
        final long handle = ((long)gen << 32) | slot;

        // cancel: check the generation, swap the bucket's last entry into the hole, free with the next generation
        final int cancelSlot = (int)handle;
        final int cat = cancelSlot * 6;
        if (r[cat] != (int)(handle >>> 32))
        {
            return false;
        }
        final int p = r[cat + 1];
        final int b = p / CHUNK;
        final int last = counts[b] - 1;
        final int lastPos = b * CHUNK + last;
        if (lastPos != p)
        {
            final int moved = entries[lastPos];
            entries[p] = moved;
            t.hints[p] = t.hints[lastPos];
            r[moved * 6 + 1] = p;
        }
        counts[b] = last;
        if (last == 0)
        {
            occupancy[b >>> 6] &= ~(1L << b);
        }
        r[cat] = gen == Integer.MAX_VALUE ? -1 : -(gen + 1); // 31 bits, never 0, as the wheel's
        r[cat + 1] = t.freeSlot;
        t.freeSlot = cancelSlot;
        return true;
    }

    /** @return whether the cancel removed the timer, so that nothing is dead code. */
    @Benchmark
    public boolean pagedOwnedChunks(final Timers t)
    {
        final int deadline = t.deadlines[t.next++ & INPUT_MASK];
        final int[] frontChunk = t.frontChunk;
        final int[] frontCount = t.frontCount;
        final long[] occupancy = t.occupancy;
        // arm: pop the free list, a live generation, fill, append to the list's front chunk
        final int slot = t.freePaged;
        final int[] page = t.recordPages[slot >>> RECORD_PAGE_SHIFT];
        final int at = (slot & RECORD_PAGE_MASK) * 6;
        t.freePaged = page[at + 1];
        final int gen = -page[at];
        page[at] = gen;
        page[at + 2] = 0;
        page[at + 3] = deadline;
        page[at + 4] = 0;
        page[at + 5] = slot;
        final int list = bucketOf(deadline);
        final int chunk = frontChunk[list];
        final int count = frontCount[list];
        if (count == CHUNK)
        {
            throw new IllegalStateException("a bucket of this benchmark holds one timer at most");
        }
        if (count == 0)
        {
            occupancy[list >>> 6] |= 1L << list;
        }
        final int pos = (chunk << CHUNK_SHIFT) + count;
        t.entryPages[pos >>> ENTRY_PAGE_SHIFT][pos & ENTRY_PAGE_MASK] = slot;
        t.hintPages[pos >>> ENTRY_PAGE_SHIFT][pos & ENTRY_PAGE_MASK] = (short)deadline;
        frontCount[list] = count + 1;
        page[at + 1] = pos;
        final long handle = ((long)gen << 32) | slot;

        // cancel: check the generation, find the list through the chunk's owner, swap its last entry into the hole
        final int cancelSlot = (int)handle;
        final int[] cpage = t.recordPages[cancelSlot >>> RECORD_PAGE_SHIFT];
        final int cat = (cancelSlot & RECORD_PAGE_MASK) * 6;
        if (cpage[cat] != (int)(handle >>> 32))
        {
            return false;
        }
        final int p = cpage[cat + 1];
        final int[] links = t.chunkLinks;
        final int l = links[2 * (p >>> CHUNK_SHIFT)];
        final int front = frontChunk[l];
        final int last = frontCount[l] - 1;
        final int lastPos = (front << CHUNK_SHIFT) + last;
        if (lastPos != p)
        {
            final int moved = t.entryPages[lastPos >>> ENTRY_PAGE_SHIFT][lastPos & ENTRY_PAGE_MASK];
            t.entryPages[p >>> ENTRY_PAGE_SHIFT][p & ENTRY_PAGE_MASK] = moved;
            t.hintPages[p >>> ENTRY_PAGE_SHIFT][p & ENTRY_PAGE_MASK] =
                t.hintPages[lastPos >>> ENTRY_PAGE_SHIFT][lastPos & ENTRY_PAGE_MASK];
            t.recordPages[moved >>> RECORD_PAGE_SHIFT][(moved & RECORD_PAGE_MASK) * 6 + 1] = p;
        }
        if (last > 0)
        {
            frontCount[l] = last;
        }
        else if (links[2 * front + 1] == NIL)
        {
            frontCount[l] = 0; // the list keeps its chunk
            occupancy[l >>> 6] &= ~(1L << l);
        }
        else
        {
            throw new IllegalStateException("a bucket of this benchmark has one chunk");
        }
        cpage[cat] = gen == Integer.MAX_VALUE ? -1 : -(gen + 1);
        cpage[cat + 1] = t.freePaged;
        t.freePaged = cancelSlot;
        return true;
    }
}
