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
 * What one re-arm of a random live timer costs at the least on this machine: no timer structure at all, only the
 * memory traffic a re-arm cannot avoid. One op reads and writes one {@code long} of a random timer in an array of
 * {@code timers} 24-byte records (the wheel's record size), with the indices in a sequential input array, as the
 * re-arm benchmarks do. Its growth from 1 thousand to 10 million timers (L1, L2, L3, DRAM, and TLB misses) is the
 * growth no re-arm of a random timer can avoid, whatever the structure; {@code TimerWheelBenchmark.rearm} is read
 * against it. {@link #harnessOfPeersRearm} adds the per-timer arrays {@code TimerPeersBenchmark.rearm} reads for
 * every peer (the deadline it moves, the handle it holds), the floor of that benchmark.
 * <p>
 * Run: {@code java -jar benchmarks/target/escapement-benchmarks.jar RandomAccessFloorBenchmark}
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
@Fork(value = 2, jvmArgsAppend = {"-Xmx8g", "-Xms8g"})
public class RandomAccessFloorBenchmark
{
    /** Longs per record: 3, the wheel's 24 bytes. */
    private static final int RECORD_LONGS = 3;

    @State(Scope.Thread)
    public static class Records
    {
        @Param({"1000", "1000000", "10000000"})
        int timers;

        long[] records;
        /** Per timer: its deadline and its "handle" (here the record's index), as TimerPeersBenchmark keeps them. */
        long[] deadlines;
        long[] handles;
        int[] picks;
        int[] timerPicks;
        int mask;
        int next;

        @Setup
        public void setUp()
        {
            records = new long[timers * RECORD_LONGS];
            final int inputs = Integer.highestOneBit(Math.max(1 << 16, timers) - 1) << 1;
            picks = new int[inputs];
            timerPicks = new int[inputs];
            mask = inputs - 1;
            final SplittableRandom random = new SplittableRandom(0x5EED);
            for (int i = 0; i < inputs; i++)
            {
                picks[i] = random.nextInt(timers) * RECORD_LONGS;
                timerPicks[i] = random.nextInt(timers);
            }
            deadlines = new long[timers];
            handles = new long[timers];
            for (int timer = 0; timer < timers; timer++)
            {
                handles[timer] = (long)random.nextInt(timers) * RECORD_LONGS; // records in no particular order
            }
        }
    }

    /**
     * The memory traffic of one {@code TimerPeersBenchmark.rearm} without any timer structure: the harness's
     * read-modify-write of the timer's deadline, its read of the timer's handle, and a read-modify-write of the
     * record the handle names (which waits for the handle). Any peer's re-arm in that benchmark costs at least this.
     *
     * @return the deadline, so that nothing is dead code.
     */
    @Benchmark
    public long harnessOfPeersRearm(final Records state)
    {
        final int i = state.next++ & state.mask;
        final int timer = state.timerPicks[i];
        final long deadline = state.deadlines[timer] + 1 + (i & 63);
        state.deadlines[timer] = deadline;
        final int at = (int)state.handles[timer];
        // Read, then write: a re-arm has to look at the record it moves (whose handle, which deadline) before it
        // writes it, and a load that misses stalls where a store that misses would not.
        state.records[at] = Math.max(state.records[at], deadline);
        return deadline;
    }

    /** @return the value written, so that nothing is dead code. */
    @Benchmark
    public long readModifyWrite(final Records state)
    {
        final int at = state.picks[state.next++ & state.mask];
        final long value = state.records[at] + 1;
        state.records[at] = value;
        return value;
    }
}
