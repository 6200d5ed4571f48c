package io.escapement.benchmarks.floor;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

/**
 * The drain's floor by where the wheel keeps what firing reads (issue 18): would keeping each timer's deadline and
 * payload beside its slot id in the bucket's chunk, so that the drain reads sequentially, pay for a redesign of the
 * wheel's layout? No wheel here, only the memory traffic of {@code TimerPeersDrainBenchmark.drain} in each layout,
 * with the wheel's logic left out: {@code timers} timers with deadlines drawn uniformly from tick 1 to 10,000 (the
 * drain's seed and distribution, at its 1 ms tick, so the first drain of that benchmark has exactly these
 * deadlines), filed as the wheel files them, then every tick from 1 to 10,000 in order: where a tick starts a
 * level-1 range (every 256 ticks) that range's bucket is cascaded into the 256 level-0 buckets, then the tick's
 * level-0 bucket is fired. One op is one whole drain; the score is ms per drain, read beside the drain's (ns per
 * fired timer is {@code score * 1e6 / timers}). Every op fires every timer (checked after each iteration).
 * <p>
 * <b>The model.</b> Buckets are the wheel's: lists of 64-entry chunks, all full but the front one, chunks
 * allocated in the order the timers are armed (so a bucket's chunks are scattered among the other buckets', as
 * in the wheel's entry store), records indexed by slot, slot {@code i} for the {@code i}-th timer armed (its
 * deadline is random, so the records are visited in an order unrelated to their address, as in the wheel, whose
 * free list hands out the slots of the last drain in the order they fired). Timers due within the first 256 ticks
 * are armed straight into level 0 (about 2.6%); all the others lie on level 1 and cascade exactly once, when the
 * cursor enters their 256-tick range, as the wheel's {@code listForTick} files them. Each cascade files a
 * range's timers into level-0 chunks taken from a pool reused range after range (the wheel takes them from its
 * LIFO free chunk list, which the range before has just refilled). Each level-1 cascade forwards, as the wheel's
 * does in this drain (a range holds 2.6% of the timers, far under its forwarding bound of an eighth): the new
 * positions are written in order beside the cascaded entries, not into the records. The wheel writes them over
 * the chunk it has just read; here they go to a column of their own so that the input survives the op, the same
 * sequential store stream in every layout that forwards. Firing hands each timer's handle (generation and slot),
 * deadline and payload to a {@link Blackhole} (compiler blackholes, JDK 17: about the cost of the drain's
 * handler, which adds up payloads), and checks each deadline against the tick, as the wheel does.
 * <ul>
 *   <li>{@link #currentRecords}: today's layout. Chunks hold slot ids (and, on level 1, a 16-bit tick hint); a
 *       timer's state is a 24-byte record (generation, position, deadline, payload). The cascade reads ids and
 *       hints and files ids, without touching a record (the wheel's hint-and-forward cascade); firing loads each
 *       named record at random (deadline, payload, generation) and writes its generation and free link, after a
 *       pass over each chunk that loads its records with independent loads, as the wheel's {@code touchRecords}
 *       does (their misses overlap); {@link #currentRecordsInOnePass} without that pass.</li>
 *   <li>{@link #sequentialEntries}: the layout issue 18 proposes. Chunks hold (handle, deadline, payload) side by
 *       side, 24 bytes an entry in one array (the handle is the generation and the slot id); a timer's own record is
 *       8 bytes (generation, position). The cascade copies whole entries; firing reads its entries in order and
 *       only stores into the named record (the generation bump and the free link, from values it already holds): a
 *       random store, which does not stall the processor as a load that misses does, though it still brings the
 *       line in. The entry carries the generation because firing hands the handle to the handler: without it,
 *       firing would have to load the record. {@link #sequentialEntriesTouched} loads the records in a pass per
 *       chunk first, in case independent loads bring the lines in faster than the stores' misses do.</li>
 *   <li>{@link #sequentialEntriesLoadingGeneration}: the same with 20-byte entries (slot id, deadline, payload):
 *       firing reads-modifies-writes the 8-byte record for the generation, a random load again (after a prefetch
 *       pass, as the wheel's), but into an array a third the size of today's records.</li>
 *   <li>{@link #sequentialScan}: the 24-byte entries read in order and nothing else, no record, no forwarding:
 *       the least any layout whose buckets carry the timers can drain in (Agrona's kind of drain, whose id
 *       encodes where the timer lies), the lower bound of the others.</li>
 *   <li>{@link #currentCascades} and {@link #sequentialCascades}: the cascades of {@link #currentRecords} and
 *       {@link #sequentialEntries} alone, every range re-filed, nothing fired: each layout's cost of re-filing the
 *       97.5% of the timers that lie on level 1.</li>
 * </ul>
 * Gaps to read: {@code currentRecords - sequentialEntries} is what the proposed layout could save the drain at the
 * most (its cascades copy 24 bytes a timer where today's copy 4 and read a 2-byte hint, which is in it too);
 * {@code sequentialEntries - sequentialScan} is the price of the random store per fired timer; and the drain's own
 * score minus {@code currentRecords} is the wheel's logic, which no layout removes.
 * <p>
 * Run beside the drain, from the repository root, after {@code mvn -B -q package -DskipTests} (about 10 minutes;
 * the drain's own warmup and measurement, which the 1M drain needs to be compiled, and every fork's 8 GB heap):
 * <pre>
 * java -jar benchmarks/target/escapement-benchmarks.jar 'TimerPeersDrainBenchmark|DrainLayoutFloorBenchmark' \
 *     -p impl=escapement,agrona -p timers=1000000,10000000 -f 2 -wi 3 -i 5 -prof gc -rf json \
 *     -rff results/&lt;date&gt;-drain-layout-&lt;cpu&gt;.json
 * </pre>
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
@Fork(value = 2, jvmArgsAppend = {"-Xmx8g", "-Xms8g"})
public class DrainLayoutFloorBenchmark
{
    /** Deadlines are drawn from tick 1 to this: TimerPeersDrainBenchmark's 10 s at its 1 ms tick. */
    static final int HORIZON_TICKS = 10_000;
    /** TimerPeersDrainBenchmark's seed: its first drain arms exactly these deadlines. */
    static final long SEED = 0xD4A1;
    /** The wheel's 256 buckets a level: a level-1 bucket covers 256 ticks, a level-0 bucket one. */
    static final int RANGE_SHIFT = 8;
    static final int BUCKETS = 1 << RANGE_SHIFT;
    static final int BUCKET_MASK = BUCKETS - 1;
    /** The wheel's 64 entries a chunk. */
    static final int CHUNK_SHIFT = 6;
    static final int CHUNK_SIZE = 1 << CHUNK_SHIFT;
    static final int NIL = -1;

    /** Today's record, in ints: the wheel's layout (generation, position, deadline, payload), 24 bytes. */
    static final int RECORD_INTS = 6;
    static final int GEN = 0;
    static final int POS = 1;
    static final int DEADLINE_HIGH = 2;
    static final int DEADLINE_LOW = 3;
    static final int PAYLOAD_HIGH = 4;
    static final int PAYLOAD_LOW = 5;
    /** The proposed layout's record, in ints: generation and position (the free link once free), 8 bytes. */
    static final int SLOT_INTS = 2;
    /** The proposed entry, side by side in one array: handle (generation, slot), deadline, payload; 24 bytes. */
    static final int ENTRY_LONGS = 3;
    static final int ENTRY_HANDLE = 0;
    static final int ENTRY_DEADLINE = 1;
    static final int ENTRY_PAYLOAD = 2;
    /** The proposed entry without the generation: slot, deadline, payload; 20 bytes. */
    static final int NARROW_INTS = 5;
    static final int NARROW_SLOT = 0;
    static final int NARROW_DEADLINE_HIGH = 1;
    static final int NARROW_DEADLINE_LOW = 2;
    static final int NARROW_PAYLOAD_HIGH = 3;
    static final int NARROW_PAYLOAD_LOW = 4;

    /**
     * The timers of one drain, filed in both layouts at once (so every method drains the same deadlines from the
     * same chunks), and the level-0 buckets a drain works through.
     */
    @State(Scope.Thread)
    public static class Drain
    {
        @Param({"1000000", "10000000"})
        int timers;

        /** Level 1, per range number (1 to 39): its front chunk and the entries in it. Read only. */
        int[] rangeFront;
        int[] rangeCount;
        /** Level 0 as armed (range 0, ticks 1 to 255), per bucket: restored at the start of every drain. */
        int[] armedFront;
        int[] armedCount;
        /** Per chunk: the next (older) chunk of its list. Level-1 and range-0 chunks read only; the pool's rewritten. */
        int[] next;
        /** First chunk of the pool the cascades file into, reused by each range. */
        int poolBase;

        /** Today's entry store, by position ({@code chunk << 6 | index}): slot ids, and tick hints beside them. */
        int[] slots;
        short[] hints;
        /** The proposed entries, by the same positions: 24 bytes, ENTRY_LONGS longs each. */
        long[] entries;
        /** The proposed entries without the generation: 20 bytes, NARROW_INTS ints each. */
        int[] narrowEntries;
        /** Per level-1 entry: the position its cascade filed it at (the wheel's forwarding table). */
        int[] forward;

        /** Today's records, RECORD_INTS ints per slot. */
        int[] records;
        /** The proposed layout's records, SLOT_INTS ints per slot. */
        int[] slotRecords;

        /** The level-0 buckets during a drain: front chunk and its entries; the pool's next free chunk. */
        final int[] front = new int[BUCKETS];
        final int[] count = new int[BUCKETS];
        int nextPoolChunk;
        /** Head of the free list the fired slots are pushed on. */
        int freeSlot;

        /** What setup filed: timers armed straight into level 0, and those on level 1, which cascade once. */
        int armedLevel0;
        int onLevel1;
        /** What the last drain did: timers fired (each due at its tick), timers cascaded. Checked per iteration. */
        long fired;
        long cascaded;
        boolean firing;

        /** Draws the deadlines, files them as the wheel would with its cursor at 0, and prints the split once. */
        @Setup
        public void setUp()
        {
            final SplittableRandom random = new SplittableRandom(SEED);
            final int[] ticks = new int[timers];
            final int ranges = (HORIZON_TICKS >>> RANGE_SHIFT) + 1;
            final int[] perBucket = new int[ranges * BUCKETS];
            for (int i = 0; i < timers; i++)
            {
                ticks[i] = 1 + random.nextInt(HORIZON_TICKS); // as TimerPeersDrainBenchmark.Armed.arm, base 0
                perBucket[ticks[i]]++;
            }
            // The pool: the most chunks one range's level-0 buckets take.
            int poolChunks = 0;
            for (int range = 1; range < ranges; range++)
            {
                int chunks = 0;
                for (int bucket = 0; bucket < BUCKETS; bucket++)
                {
                    chunks += (perBucket[range * BUCKETS + bucket] + CHUNK_SIZE - 1) >>> CHUNK_SHIFT;
                }
                poolChunks = Math.max(poolChunks, chunks);
            }
            // Filed lists: 0-255 level 0 (range 0), 256 + range level 1; chunks allocated in arm order.
            final int lists = BUCKETS + ranges;
            final int[] listFront = new int[lists];
            final int[] listCount = new int[lists];
            Arrays.fill(listFront, NIL);
            final int maxChunks = (timers >>> CHUNK_SHIFT) + lists + poolChunks + 1;
            next = new int[maxChunks];
            slots = new int[maxChunks << CHUNK_SHIFT];
            hints = new short[maxChunks << CHUNK_SHIFT];
            entries = new long[(maxChunks << CHUNK_SHIFT) * ENTRY_LONGS];
            narrowEntries = new int[(maxChunks << CHUNK_SHIFT) * NARROW_INTS];
            records = new int[timers * RECORD_INTS];
            slotRecords = new int[timers * SLOT_INTS];
            int chunks = 0;
            for (int slot = 0; slot < timers; slot++)
            {
                final int tick = ticks[slot];
                // the wheel's listForTick with the cursor at 0: level 0 for ticks under 256, else level 1
                final int list = tick < BUCKETS ? tick : BUCKETS + (tick >>> RANGE_SHIFT);
                if (list < BUCKETS)
                {
                    armedLevel0++;
                }
                else
                {
                    onLevel1++;
                }
                if (listFront[list] == NIL || listCount[list] == CHUNK_SIZE)
                {
                    next[chunks] = listFront[list];
                    listFront[list] = chunks++;
                    listCount[list] = 0;
                }
                final int pos = (listFront[list] << CHUNK_SHIFT) + listCount[list]++;
                final long payload = slot; // any value: the drain's is -1; this one differs per timer
                slots[pos] = slot;
                hints[pos] = (short)tick;
                entries[pos * ENTRY_LONGS + ENTRY_HANDLE] = 1L << 32 | slot; // generation 1
                entries[pos * ENTRY_LONGS + ENTRY_DEADLINE] = tick;
                entries[pos * ENTRY_LONGS + ENTRY_PAYLOAD] = payload;
                narrowEntries[pos * NARROW_INTS + NARROW_SLOT] = slot;
                narrowEntries[pos * NARROW_INTS + NARROW_DEADLINE_HIGH] = (int)((long)tick >>> 32);
                narrowEntries[pos * NARROW_INTS + NARROW_DEADLINE_LOW] = tick;
                narrowEntries[pos * NARROW_INTS + NARROW_PAYLOAD_HIGH] = (int)(payload >>> 32);
                narrowEntries[pos * NARROW_INTS + NARROW_PAYLOAD_LOW] = (int)payload;
                final int at = slot * RECORD_INTS;
                records[at + GEN] = 1;
                records[at + POS] = pos;
                records[at + DEADLINE_HIGH] = (int)((long)tick >>> 32);
                records[at + DEADLINE_LOW] = tick;
                records[at + PAYLOAD_HIGH] = (int)(payload >>> 32);
                records[at + PAYLOAD_LOW] = (int)payload;
                slotRecords[slot * SLOT_INTS + GEN] = 1;
                slotRecords[slot * SLOT_INTS + POS] = pos;
            }
            poolBase = chunks;
            forward = new int[poolBase << CHUNK_SHIFT];
            armedFront = Arrays.copyOfRange(listFront, 0, BUCKETS);
            armedCount = Arrays.copyOfRange(listCount, 0, BUCKETS);
            rangeFront = Arrays.copyOfRange(listFront, BUCKETS, lists);
            rangeCount = Arrays.copyOfRange(listCount, BUCKETS, lists);
            System.out.printf("%n%,d timers over %,d ticks: %,d armed into level 0, %,d on level 1 (cascade once, " +
                "%.1f%%); %,d chunks filed, %,d in the cascades' pool%n", timers, HORIZON_TICKS, armedLevel0,
                onLevel1, 100.0 * onLevel1 / timers, poolBase, poolChunks);
        }

        /**
         * Level 0 as armed, an empty pool: the state every drain starts from.
         *
         * @param firing whether the op fires every timer, or only cascades (then it fires none).
         */
        void restart(final boolean firing)
        {
            this.firing = firing;
            System.arraycopy(armedFront, 0, front, 0, BUCKETS);
            System.arraycopy(armedCount, 0, count, 0, BUCKETS);
            freeSlot = NIL;
            fired = 0;
            cascaded = 0;
        }

        /** @return the position of a new entry at the end of level-0 bucket {@code bucket}, in the pool. */
        int append(final int bucket)
        {
            int chunk = front[bucket];
            int used = count[bucket];
            if (used == CHUNK_SIZE || chunk == NIL)
            {
                next[nextPoolChunk] = chunk;
                chunk = nextPoolChunk++;
                front[bucket] = chunk;
                used = 0;
            }
            count[bucket] = used + 1;
            return (chunk << CHUNK_SHIFT) + used;
        }

        /** Every level-0 bucket of the range before has fired: the pool is free again. */
        void emptyLevel0()
        {
            Arrays.fill(front, NIL);
            Arrays.fill(count, 0);
            nextPoolChunk = poolBase;
        }

        /**
         * Checks the last op: a drain fired every timer once, due at its tick, and every op cascaded each timer
         * on level 1 once.
         *
         * @throws IllegalStateException if it did not.
         */
        @TearDown(Level.Iteration)
        public void checkDrained()
        {
            if (fired != (firing ? timers : 0) || cascaded != onLevel1)
            {
                throw new IllegalStateException("the last " + (firing ? "drain" : "cascades-only op") + " fired " +
                    fired + " of " + timers + " timers and cascaded " + cascaded + " of " + onLevel1);
            }
        }
    }

    /**
     * Today's layout, fired as the wheel fires it: cascades file slot ids by their tick hints; firing first loads
     * every record a chunk names (the wheel's {@code touchRecords}), then reads each and frees it.
     *
     * @param state     the filed timers.
     * @param blackhole receives each fired timer's handle, deadline and payload.
     * @return the timers fired.
     */
    @Benchmark
    public long currentRecords(final Drain state, final Blackhole blackhole)
    {
        return drainRecords(state, blackhole, true);
    }

    /**
     * Today's layout fired in one pass, each record loaded where it is fired, without the prefetch pass.
     *
     * @param state     the filed timers.
     * @param blackhole receives each fired timer's handle, deadline and payload.
     * @return the timers fired.
     */
    @Benchmark
    public long currentRecordsInOnePass(final Drain state, final Blackhole blackhole)
    {
        return drainRecords(state, blackhole, false);
    }

    /**
     * The proposed layout: cascades copy whole entries; firing reads them in order and only stores into each
     * timer's 8-byte record.
     *
     * @param state     the filed timers.
     * @param blackhole receives each fired timer's handle, deadline and payload.
     * @return the timers fired.
     */
    @Benchmark
    public long sequentialEntries(final Drain state, final Blackhole blackhole)
    {
        return drainEntries(state, blackhole, false);
    }

    /**
     * The same with a prefetch pass per chunk that loads the 8-byte records before the stores, in case bringing
     * the lines in by independent loads beats the stores' own misses.
     *
     * @param state     the filed timers.
     * @param blackhole receives each fired timer's handle, deadline and payload.
     * @return the timers fired.
     */
    @Benchmark
    public long sequentialEntriesTouched(final Drain state, final Blackhole blackhole)
    {
        return drainEntries(state, blackhole, true);
    }

    /**
     * The proposed layout with 20-byte entries: firing reads-modifies-writes each 8-byte record for the generation,
     * after a prefetch pass per chunk as the wheel's.
     *
     * @param state     the filed timers.
     * @param blackhole receives each fired timer's handle, deadline and payload.
     * @return the timers fired.
     */
    @Benchmark
    public long sequentialEntriesLoadingGeneration(final Drain state, final Blackhole blackhole)
    {
        state.restart(true);
        for (int tick = 1; tick <= HORIZON_TICKS; tick++)
        {
            if ((tick & BUCKET_MASK) == 0)
            {
                cascadeNarrowEntries(state, tick >>> RANGE_SHIFT);
            }
            fireNarrowEntriesLoading(state, tick, blackhole, true);
        }
        return state.fired;
    }

    private static long drainRecords(final Drain state, final Blackhole blackhole, final boolean touch)
    {
        state.restart(true);
        for (int tick = 1; tick <= HORIZON_TICKS; tick++)
        {
            if ((tick & BUCKET_MASK) == 0)
            {
                cascadeIds(state, tick >>> RANGE_SHIFT);
            }
            fireRecords(state, tick, blackhole, touch);
        }
        return state.fired;
    }

    private static long drainEntries(final Drain state, final Blackhole blackhole, final boolean touch)
    {
        state.restart(true);
        for (int tick = 1; tick <= HORIZON_TICKS; tick++)
        {
            if ((tick & BUCKET_MASK) == 0)
            {
                cascadeEntries(state, tick >>> RANGE_SHIFT, true);
            }
            fireEntriesStoring(state, tick, blackhole, touch);
        }
        return state.fired;
    }

    /**
     * The lower bound: entries copied by the cascades and read in order by firing, nothing else.
     *
     * @param state     the filed timers.
     * @param blackhole receives each fired timer's handle, deadline and payload.
     * @return the timers fired.
     */
    @Benchmark
    public long sequentialScan(final Drain state, final Blackhole blackhole)
    {
        state.restart(true);
        for (int tick = 1; tick <= HORIZON_TICKS; tick++)
        {
            if ((tick & BUCKET_MASK) == 0)
            {
                cascadeEntries(state, tick >>> RANGE_SHIFT, false);
            }
            fireEntriesOnly(state, tick, blackhole);
        }
        return state.fired;
    }

    /**
     * Today's cascades alone: every level-1 range of the drain re-filed into level 0, as {@link #currentRecords}
     * does, and nothing fired. Its share of that benchmark's score is the cascades' share of today's floor.
     *
     * @param state the filed timers.
     * @return the timers cascaded.
     */
    @Benchmark
    public long currentCascades(final Drain state)
    {
        state.restart(false);
        for (int tick = BUCKETS; tick <= HORIZON_TICKS; tick += BUCKETS)
        {
            cascadeIds(state, tick >>> RANGE_SHIFT);
        }
        return state.cascaded;
    }

    /**
     * The proposed layout's cascades alone, as {@link #sequentialEntries} does them (24-byte entries copied whole,
     * positions forwarded), and nothing fired.
     *
     * @param state the filed timers.
     * @return the timers cascaded.
     */
    @Benchmark
    public long sequentialCascades(final Drain state)
    {
        state.restart(false);
        for (int tick = BUCKETS; tick <= HORIZON_TICKS; tick += BUCKETS)
        {
            cascadeEntries(state, tick >>> RANGE_SHIFT, true);
        }
        return state.cascaded;
    }

    /** The wheel's level-1 cascade: each slot id to the level-0 bucket its hint names; positions forwarded. */
    private static void cascadeIds(final Drain state, final int range)
    {
        state.emptyLevel0();
        final int[] slots = state.slots;
        final short[] hints = state.hints;
        final int[] forward = state.forward;
        final int[] next = state.next;
        int chunk = state.rangeFront[range];
        int n = state.rangeCount[range];
        while (chunk != NIL)
        {
            final int base = chunk << CHUNK_SHIFT;
            for (int i = 0; i < n; i++)
            {
                final int pos = state.append(hints[base + i] & BUCKET_MASK);
                slots[pos] = slots[base + i];
                forward[base + i] = pos;
            }
            state.cascaded += n;
            chunk = next[chunk];
            n = CHUNK_SIZE;
        }
    }

    /**
     * The proposed layout's level-1 cascade: each 24-byte entry copied whole to the level-0 bucket its deadline
     * names.
     *
     * @param forwarding whether the new positions are kept (a store in order per timer).
     */
    private static void cascadeEntries(final Drain state, final int range, final boolean forwarding)
    {
        state.emptyLevel0();
        final long[] entries = state.entries;
        final int[] forward = state.forward;
        final int[] next = state.next;
        int chunk = state.rangeFront[range];
        int n = state.rangeCount[range];
        while (chunk != NIL)
        {
            final int base = chunk << CHUNK_SHIFT;
            for (int i = 0; i < n; i++)
            {
                final int from = (base + i) * ENTRY_LONGS;
                final long deadline = entries[from + ENTRY_DEADLINE];
                final int pos = state.append((int)deadline & BUCKET_MASK); // the tick is the deadline here
                final int to = pos * ENTRY_LONGS;
                entries[to + ENTRY_HANDLE] = entries[from + ENTRY_HANDLE];
                entries[to + ENTRY_DEADLINE] = deadline;
                entries[to + ENTRY_PAYLOAD] = entries[from + ENTRY_PAYLOAD];
                if (forwarding)
                {
                    forward[base + i] = pos;
                }
            }
            state.cascaded += n;
            chunk = next[chunk];
            n = CHUNK_SIZE;
        }
    }

    /** The same for 20-byte entries (slot id, deadline, payload). */
    private static void cascadeNarrowEntries(final Drain state, final int range)
    {
        state.emptyLevel0();
        final int[] entries = state.narrowEntries;
        final int[] forward = state.forward;
        final int[] next = state.next;
        int chunk = state.rangeFront[range];
        int n = state.rangeCount[range];
        while (chunk != NIL)
        {
            final int base = chunk << CHUNK_SHIFT;
            for (int i = 0; i < n; i++)
            {
                final int from = (base + i) * NARROW_INTS;
                final int deadlineLow = entries[from + NARROW_DEADLINE_LOW];
                final int pos = state.append(deadlineLow & BUCKET_MASK);
                final int to = pos * NARROW_INTS;
                entries[to + NARROW_SLOT] = entries[from + NARROW_SLOT];
                entries[to + NARROW_DEADLINE_HIGH] = entries[from + NARROW_DEADLINE_HIGH];
                entries[to + NARROW_DEADLINE_LOW] = deadlineLow;
                entries[to + NARROW_PAYLOAD_HIGH] = entries[from + NARROW_PAYLOAD_HIGH];
                entries[to + NARROW_PAYLOAD_LOW] = entries[from + NARROW_PAYLOAD_LOW];
                forward[base + i] = pos;
            }
            state.cascaded += n;
            chunk = next[chunk];
            n = CHUNK_SIZE;
        }
    }

    /** Fires level-0 bucket {@code tick & 255} of today's layout: one random record read and freed per timer. */
    private static void fireRecords(final Drain state, final int tick, final Blackhole blackhole,
        final boolean touch)
    {
        final int bucket = tick & BUCKET_MASK;
        final int[] slots = state.slots;
        final int[] records = state.records;
        final int[] next = state.next;
        int chunk = state.front[bucket];
        int n = state.count[bucket];
        int freeSlot = state.freeSlot;
        long fired = 0;
        while (chunk != NIL)
        {
            final int base = chunk << CHUNK_SHIFT;
            if (touch)
            {
                blackhole.consume(touchRecords(slots, records, base, n));
            }
            for (int i = 0; i < n; i++)
            {
                final int slot = slots[base + i];
                final int at = slot * RECORD_INTS;
                final long deadline = ((long)records[at + DEADLINE_HIGH] << 32) |
                    (records[at + DEADLINE_LOW] & 0xFFFF_FFFFL);
                if (deadline <= tick)
                {
                    final int gen = records[at + GEN];
                    blackhole.consume(((long)gen << 32) | slot);
                    blackhole.consume(deadline);
                    blackhole.consume(((long)records[at + PAYLOAD_HIGH] << 32) |
                        (records[at + PAYLOAD_LOW] & 0xFFFF_FFFFL));
                    // Freed: the wheel negates the next generation; here it only grows, so that every drain
                    // finds the records as the first did (the store is the same).
                    records[at + GEN] = gen + 1;
                    records[at + POS] = freeSlot;
                    freeSlot = slot;
                    fired++;
                }
            }
            chunk = next[chunk];
            n = CHUNK_SIZE;
        }
        state.front[bucket] = NIL;
        state.count[bucket] = 0;
        state.freeSlot = freeSlot;
        state.fired += fired;
    }

    /** Fires a level-0 bucket of 24-byte entries: read in order, one random store into the 8-byte record. */
    private static void fireEntriesStoring(final Drain state, final int tick, final Blackhole blackhole,
        final boolean touch)
    {
        final int bucket = tick & BUCKET_MASK;
        final long[] entries = state.entries;
        final int[] slotRecords = state.slotRecords;
        final int[] next = state.next;
        int chunk = state.front[bucket];
        int n = state.count[bucket];
        int freeSlot = state.freeSlot;
        long fired = 0;
        while (chunk != NIL)
        {
            final int base = chunk << CHUNK_SHIFT;
            if (touch)
            {
                blackhole.consume(touchSlotRecords(entries, slotRecords, base, n));
            }
            for (int i = 0; i < n; i++)
            {
                final int at = (base + i) * ENTRY_LONGS;
                final long deadline = entries[at + ENTRY_DEADLINE];
                if (deadline <= tick)
                {
                    final long handle = entries[at + ENTRY_HANDLE];
                    blackhole.consume(handle);
                    blackhole.consume(deadline);
                    blackhole.consume(entries[at + ENTRY_PAYLOAD]);
                    final int slot = (int)handle;
                    final int record = slot * SLOT_INTS;
                    slotRecords[record + GEN] = (int)(handle >>> 32) + 1; // from the entry: a store, no load
                    slotRecords[record + POS] = freeSlot;
                    freeSlot = slot;
                    fired++;
                }
            }
            chunk = next[chunk];
            n = CHUNK_SIZE;
        }
        state.front[bucket] = NIL;
        state.count[bucket] = 0;
        state.freeSlot = freeSlot;
        state.fired += fired;
    }

    /** Fires a level-0 bucket of 20-byte entries: read in order, the 8-byte record's generation loaded and bumped. */
    private static void fireNarrowEntriesLoading(final Drain state, final int tick, final Blackhole blackhole,
        final boolean touch)
    {
        final int bucket = tick & BUCKET_MASK;
        final int[] entries = state.narrowEntries;
        final int[] slotRecords = state.slotRecords;
        final int[] next = state.next;
        int chunk = state.front[bucket];
        int n = state.count[bucket];
        int freeSlot = state.freeSlot;
        long fired = 0;
        while (chunk != NIL)
        {
            final int base = chunk << CHUNK_SHIFT;
            if (touch)
            {
                blackhole.consume(touchNarrowSlotRecords(entries, slotRecords, base, n));
            }
            for (int i = 0; i < n; i++)
            {
                final int at = (base + i) * NARROW_INTS;
                final long deadline = ((long)entries[at + NARROW_DEADLINE_HIGH] << 32) |
                    (entries[at + NARROW_DEADLINE_LOW] & 0xFFFF_FFFFL);
                if (deadline <= tick)
                {
                    final int slot = entries[at + NARROW_SLOT];
                    final int record = slot * SLOT_INTS;
                    final int gen = slotRecords[record + GEN]; // the handle needs it: a random load
                    blackhole.consume(((long)gen << 32) | slot);
                    blackhole.consume(deadline);
                    blackhole.consume(((long)entries[at + NARROW_PAYLOAD_HIGH] << 32) |
                        (entries[at + NARROW_PAYLOAD_LOW] & 0xFFFF_FFFFL));
                    slotRecords[record + GEN] = gen + 1;
                    slotRecords[record + POS] = freeSlot;
                    freeSlot = slot;
                    fired++;
                }
            }
            chunk = next[chunk];
            n = CHUNK_SIZE;
        }
        state.front[bucket] = NIL;
        state.count[bucket] = 0;
        state.freeSlot = freeSlot;
        state.fired += fired;
    }

    /**
     * The wheel's {@code touchRecords}: loads both ends of every record a chunk names, in a loop of independent
     * loads whose misses overlap, before firing them one by one from cache (a software prefetch; records are 24
     * bytes, so two in eight cross a cache line).
     *
     * @return the sum of the loads, so that none is dead code.
     */
    private static int touchRecords(final int[] slots, final int[] records, final int base, final int n)
    {
        int sum = 0;
        for (int i = 0; i < n; i++)
        {
            final int at = slots[base + i] * RECORD_INTS;
            sum += records[at + GEN] + records[at + PAYLOAD_LOW];
        }
        return sum;
    }

    /** The same prefetch for the 8-byte records that 24-byte entries name (one line each). */
    private static int touchSlotRecords(final long[] entries, final int[] slotRecords, final int base, final int n)
    {
        int sum = 0;
        for (int i = 0; i < n; i++)
        {
            sum += slotRecords[(int)entries[(base + i) * ENTRY_LONGS + ENTRY_HANDLE] * SLOT_INTS];
        }
        return sum;
    }

    /** The same prefetch for the 8-byte records that 20-byte entries name. */
    private static int touchNarrowSlotRecords(final int[] entries, final int[] slotRecords, final int base,
        final int n)
    {
        int sum = 0;
        for (int i = 0; i < n; i++)
        {
            sum += slotRecords[entries[(base + i) * NARROW_INTS + NARROW_SLOT] * SLOT_INTS];
        }
        return sum;
    }

    /** Fires a level-0 bucket of 24-byte entries read in order, touching nothing else. */
    private static void fireEntriesOnly(final Drain state, final int tick, final Blackhole blackhole)
    {
        final int bucket = tick & BUCKET_MASK;
        final long[] entries = state.entries;
        final int[] next = state.next;
        int chunk = state.front[bucket];
        int n = state.count[bucket];
        long fired = 0;
        while (chunk != NIL)
        {
            final int base = chunk << CHUNK_SHIFT;
            for (int i = 0; i < n; i++)
            {
                final int at = (base + i) * ENTRY_LONGS;
                final long deadline = entries[at + ENTRY_DEADLINE];
                if (deadline <= tick)
                {
                    blackhole.consume(entries[at + ENTRY_HANDLE]);
                    blackhole.consume(deadline);
                    blackhole.consume(entries[at + ENTRY_PAYLOAD]);
                    fired++;
                }
            }
            chunk = next[chunk];
            n = CHUNK_SIZE;
        }
        state.front[bucket] = NIL;
        state.count[bucket] = 0;
        state.fired += fired;
    }
}
