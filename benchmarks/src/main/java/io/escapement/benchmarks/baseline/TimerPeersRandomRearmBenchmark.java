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
 * With the clock stopped, a structure may defer work to the time a timer's old place comes due, and
 * {@link #rearmRandom} never sees it: the engine's wheel keeps a timer moved earlier where it is filed while that
 * bucket's range still starts at or before the new deadline, so with the clock stopped its timers collect in the
 * earliest bucket and almost every re-arm only writes a deadline. {@link #rearmRandomTicking} pays what was
 * deferred: the clock advances 1 ms every {@value #REARMS_PER_MS} re-arms (a server re-arming a million timers a
 * second), new deadlines lie 1-10 s after the moving clock, and each peer processes its ticks as the clock passes
 * them (the engine re-files the timers waiting in the buckets it reaches, Agrona scans each tick's array); no
 * timer fires, which a tear-down checks. Its score is ns per re-arm, the ticks' share included.
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
    /**
     * {@link #rearmRandomTicking}: re-arms per 1 ms of virtual time, a power of two. At 10,000 live timers each is
     * re-armed every 10 ms on average, and the chance that one goes 1 s without a re-arm (and fires) is e^-100.
     */
    static final int REARMS_PER_MS = 1024;

    /**
     * A peer with {@code liveTimers} timers armed 1-10 s ahead, and the re-arms to make ({@value #INPUTS} of them,
     * repeated; at most 65,536 live timers, so that every one is in the inputs).
     */
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
            if (liveTimers > INPUTS)
            {
                throw new IllegalArgumentException("liveTimers must be at most " + INPUTS + ", was " + liveTimers);
            }
            final SplittableRandom random = new SplittableRandom(0x5EED);
            adapter = TimerAdapter.create(impl, liveTimers);
            for (int id = 0; id < liveTimers; id++)
            {
                adapter.arm(id, random.nextInt(MIN_MS, MAX_MS + 1));
            }
            // The timers to move: shuffled rounds of every live timer, so that each is re-armed at least once per
            // pass through the inputs (picking each at random could leave some out, and with the clock ticking
            // those would fire and change the population).
            ids = new int[INPUTS];
            final int[] round = new int[liveTimers];
            for (int id = 0; id < liveTimers; id++)
            {
                round[id] = id;
            }
            for (int i = 0; i < INPUTS; i++)
            {
                final int k = i % liveTimers;
                if (k == 0)
                {
                    for (int j = liveTimers - 1; j > 0; j--)
                    {
                        final int other = random.nextInt(j + 1);
                        final int t = round[j];
                        round[j] = round[other];
                        round[other] = t;
                    }
                }
                ids[i] = round[k];
            }
            deadlines = new long[INPUTS];
            for (int i = 0; i < INPUTS; i++)
            {
                deadlines[i] = random.nextInt(MIN_MS, MAX_MS + 1);
            }
        }

        @TearDown(Level.Trial)
        public void tearDown()
        {
            adapter.close();
        }
    }

    /**
     * The same peer and inputs for {@link #rearmRandomTicking}, whose virtual clock advances 1 ms every
     * {@value #REARMS_PER_MS} re-arms.
     */
    @State(Scope.Benchmark)
    public static class TickingPeer extends Peer
    {
        long nowMs;
        long fired;

        @TearDown(Level.Trial)
        public void checkNoneFired()
        {
            if (fired != 0)
            {
                throw new IllegalStateException(impl + " fired " + fired + " timers: each should have been re-armed " +
                    "long before its deadline, and the population changed");
            }
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
    public long rearmRandomTicking(final TickingPeer peer, final Cursor cursor)
    {
        final int n = cursor.next++;
        if ((n & (REARMS_PER_MS - 1)) == 0)
        {
            peer.fired += peer.adapter.expire(++peer.nowMs, TimerPeersExpireBenchmark.HORIZON_MS);
        }
        final int i = n & INPUT_MASK;
        final long deadline = peer.nowMs + peer.deadlines[i];
        peer.adapter.rearm(peer.ids[i], deadline);
        return deadline;
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
