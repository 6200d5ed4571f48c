package io.escapement.benchmarks.baseline;

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
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

/**
 * Re-arm to a random deadline: with {@code liveTimers} timers armed 1-10 s ahead of a virtual clock at 0 (which
 * never moves, so none fires), each operation moves a random live timer to a new deadline drawn uniformly 1-10 s
 * ahead. The old deadline is uniform over the same range, so about half the re-arms move a timer earlier (the
 * engine's eager path: unlink, relink) and half later (its lazy path: record the deadline). This complements
 * {@code TimerPeersBenchmark.rearm}, which only moves timers later (the RTO restart on an ACK); a peer without a
 * re-arm cancels and arms again (Agrona cancels and schedules).
 * <p>
 * The deadlines lie 1-10 s ahead rather than an hour, as in {@code TimerPeersBenchmark}: an hour ahead, every
 * timer of the engine's wheel sits in the same level-2 bucket, and moving it earlier or later would only rewrite
 * its deadline, flattering the engine. Only the caller-driven peers run it (the engine's wheel, Agrona, Kafka's
 * {@code TimingWheel}, the heap): the thread-driven ones (Netty, the JDK executor) translate deadlines into delays
 * on the real clock, where timers 1 s ahead would start firing during a run and change the population, and their
 * caller's side only enqueues a request, which {@code TimerPeersBenchmark.rearm} already measures.
 * <p>
 * Run, from the repository root, after {@code mvn -B -q package -DskipTests}:
 * <pre>
 * java -jar benchmarks/target/escapement-benchmarks.jar TimerPeersRandomRearmBenchmark -prof gc -rf json \
 *     -rff results/&lt;date&gt;-random-rearm-&lt;cpu&gt;.json
 * </pre>
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
@Fork(value = 2, jvmArgsAppend = {"-Xmx8g", "-Xms8g"})
@Threads(1)
public class TimerPeersRandomRearmBenchmark
{
    static final int INPUTS = 1 << 16;
    static final int INPUT_MASK = INPUTS - 1;
    /** Deadlines, initial and new, are drawn uniformly from this range of ms (inclusive). */
    static final int MIN_MS = 1_000;
    static final int MAX_MS = 10_000;

    /** A peer with {@code liveTimers} timers armed 1-10 s ahead, and the re-arms to make. */
    @State(Scope.Benchmark)
    public static class Peer
    {
        @Param({"escapement", "agrona", "kafka", "heap"})
        String impl;

        @Param({"1000", "10000"})
        int liveTimers;

        TimerAdapter adapter;
        /** Re-arm number i moves timer {@code ids[i & INPUT_MASK]} to {@code deadlines[i & INPUT_MASK]}. */
        int[] ids;
        long[] deadlines;

        @Setup(Level.Trial)
        public void setUp()
        {
            final SplittableRandom random = new SplittableRandom(0x5EED);
            adapter = TimerAdapter.create(impl, liveTimers);
            for (int id = 0; id < liveTimers; id++)
            {
                adapter.arm(id, random.nextInt(MIN_MS, MAX_MS + 1));
            }
            ids = new int[INPUTS];
            deadlines = new long[INPUTS];
            for (int i = 0; i < INPUTS; i++)
            {
                ids[i] = random.nextInt(liveTimers);
                deadlines[i] = random.nextInt(MIN_MS, MAX_MS + 1);
            }
        }

        @TearDown(Level.Trial)
        public void tearDown()
        {
            adapter.close();
        }
    }

    /** Position in the inputs, per benchmark thread. */
    @State(Scope.Thread)
    public static class Cursor
    {
        int next;
    }

    /** @return the new deadline, so that nothing is dead code. */
    @Benchmark
    public long rearmRandom(final Peer peer, final Cursor cursor)
    {
        final int i = cursor.next++ & INPUT_MASK;
        final long deadline = peer.deadlines[i];
        peer.adapter.rearm(peer.ids[i], deadline);
        return deadline;
    }
}
