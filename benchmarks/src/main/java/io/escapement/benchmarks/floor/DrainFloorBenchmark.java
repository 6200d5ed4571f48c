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
 * What draining {@code timers} timers costs at the least, by where a structure keeps what firing reads: no timer
 * structure, only the memory traffic. {@code TimerPeersDrainBenchmark.drain} is read against it. One op is one
 * pass over every timer; ns per timer is {@code score * 1e6 / timers}.
 * <ul>
 *   <li>{@link #scanContiguous}: the deadlines lie in one contiguous array that is read in order, compared with
 *       "now" and overwritten with a sentinel, as Agrona's per-tick arrays are (Agrona reads each slot of a tick
 *       more than once, as the tick's array is longer than the timers due in one turn: this is its floor, not its
 *       cost).</li>
 *   <li>{@link #visitRecordsOnce}: each timer is a 24-byte record (the engine's size) named by a slot id; the ids
 *       are read in order (a bucket's chunks) and each record is read (deadline, payload) and written (freed) once,
 *       in an order unrelated to its address: the least any structure does that fires from such records.</li>
 *   <li>{@link #visitRecordsTwice}: the same, after a first pass in another random order that reads each record's
 *       deadline and writes its position: the engine's drain, where almost every timer of a drain over 10 s is
 *       re-filed once (cascaded from level 1 to level 0) before it fires.</li>
 *   <li>{@link #visitRecordsTwiceWriteOnlyFirst}: the same, but the first pass only writes the position, as a
 *       cascade would that found the deadline's tick beside the slot id in the bucket.</li>
 * </ul>
 * The gap between the first and the others is the price of firing from a random record rather than from the
 * bucket itself; the gap between the second and the third, the price of a cascade; the fourth, what a cascade
 * that does not read the record would save.
 * <p>
 * Run: {@code java -jar benchmarks/target/escapement-benchmarks.jar DrainFloorBenchmark}
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
@Fork(value = 2, jvmArgsAppend = {"-Xmx8g", "-Xms8g"})
public class DrainFloorBenchmark
{
    /** Ints per record: 6, the engine's 24 bytes (generation, position, deadline, payload). */
    private static final int RECORD_INTS = 6;

    @State(Scope.Thread)
    public static class Timers
    {
        @Param({"1000000", "10000000"})
        int timers;

        /** For {@link #scanContiguous}: the deadlines, in the order a scan reads them. */
        long[] deadlines;
        /** For the record passes: the records, and two orders of their slot ids (firing's and cascading's). */
        int[] records;
        int[] fireOrder;
        int[] cascadeOrder;

        @Setup
        public void setUp()
        {
            final SplittableRandom random = new SplittableRandom(0xF100);
            deadlines = new long[timers];
            records = new int[timers * RECORD_INTS];
            for (int i = 0; i < timers; i++)
            {
                deadlines[i] = 1 + random.nextInt(10_000);
                records[i * RECORD_INTS + 3] = (int)deadlines[i];
            }
            fireOrder = permutation(timers, random);
            cascadeOrder = permutation(timers, random);
        }

        private static int[] permutation(final int n, final SplittableRandom random)
        {
            final int[] order = new int[n];
            for (int i = 0; i < n; i++)
            {
                order[i] = i;
            }
            for (int i = n - 1; i > 0; i--)
            {
                final int j = random.nextInt(i + 1);
                final int t = order[i];
                order[i] = order[j];
                order[j] = t;
            }
            return order;
        }
    }

    /** @return the sum of the deadlines due, so that nothing is dead code. */
    @Benchmark
    public long scanContiguous(final Timers state)
    {
        final long[] deadlines = state.deadlines;
        long sum = 0;
        for (int i = 0; i < deadlines.length; i++)
        {
            final long deadline = deadlines[i];
            if (deadline <= Long.MAX_VALUE - 1) // always due: the sentinel of a freed slot is Long.MAX_VALUE
            {
                sum += deadline;
            }
            deadlines[i] = deadline; // Agrona writes the sentinel; writing the value back keeps the state constant
        }
        return sum;
    }

    /** @return the sum of what firing read, so that nothing is dead code. */
    @Benchmark
    public long visitRecordsOnce(final Timers state)
    {
        return fire(state.records, state.fireOrder);
    }

    /** @return the sum of what cascading and firing read, so that nothing is dead code. */
    @Benchmark
    public long visitRecordsTwice(final Timers state)
    {
        final int[] records = state.records;
        final int[] order = state.cascadeOrder;
        long sum = 0;
        for (int i = 0; i < order.length; i++)
        {
            final int at = order[i] * RECORD_INTS;
            sum += records[at + 3]; // the deadline, to choose the bucket
            records[at + 1] = i; // the position in the new bucket
        }
        return sum + fire(records, state.fireOrder);
    }

    /**
     * The same as {@link #visitRecordsTwice}, but the first pass only writes each record's position, as a cascade
     * would that finds the deadline's tick beside the slot id in the bucket rather than in the record.
     *
     * @return the sum of what firing read, so that nothing is dead code.
     */
    @Benchmark
    public long visitRecordsTwiceWriteOnlyFirst(final Timers state)
    {
        final int[] records = state.records;
        final int[] order = state.cascadeOrder;
        for (int i = 0; i < order.length; i++)
        {
            records[order[i] * RECORD_INTS + 1] = i; // the position in the new bucket
        }
        return fire(records, state.fireOrder);
    }

    private static long fire(final int[] records, final int[] order)
    {
        long sum = 0;
        for (int i = 0; i < order.length; i++)
        {
            final int at = order[i] * RECORD_INTS;
            sum += records[at + 3] + records[at + 5]; // deadline and payload, handed to the handler
            records[at] = records[at] + 1; // freed: a new generation
        }
        return sum;
    }
}
