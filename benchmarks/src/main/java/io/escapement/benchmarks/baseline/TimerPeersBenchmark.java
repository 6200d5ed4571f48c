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
 * The engine and the timers users pick instead, on the same code path (one {@link TimerAdapter} per peer, chosen
 * by the {@code impl} parameter), with {@code liveTimers} timers already armed:
 * <ul>
 *   <li>{@link #armCancel}: arm a timer 200 ms-3 s ahead and cancel it, the life of most RTOs;</li>
 *   <li>{@link #rearm}: move a random live timer 1-64 ms later, the RTO restart on an ACK (peers without a
 *       re-arm cancel and arm again).</li>
 * </ul>
 * Prefilled timers lie an hour (plus 1-10 s) ahead for every peer, so that the thread-based ones (Netty, the JDK
 * executor) never fire one during a run and the population stays constant. Netty and the executor are measured
 * on the caller's side: their worker thread does its part on the other core.
 * <p>
 * Run, from the repository root, after {@code mvn -B -q package -DskipTests}:
 * <pre>
 * java -jar benchmarks/target/escapement-benchmarks.jar TimerPeersBenchmark -prof gc -rf json -rff results/&lt;date&gt;-peers-&lt;cpu&gt;.json
 * </pre>
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
@Fork(value = 2, jvmArgsAppend = {"-Xmx8g", "-Xms8g"})
@Threads(1)
public class TimerPeersBenchmark
{
    static final int INPUTS = 1 << 16;
    static final int INPUT_MASK = INPUTS - 1;
    static final long HOUR_MS = 3_600_000;

    /** A peer with {@code liveTimers} timers armed an hour ahead; id {@code liveTimers} is the arm+cancel timer. */
    @State(Scope.Benchmark)
    public static class Peer
    {
        @Param({"escapement", "agrona", "netty", "stpe", "heap", "kafka"})
        String impl;

        @Param({"1000", "1000000"})
        int liveTimers;

        TimerAdapter adapter;
        long[] deadlines;
        int[] armOffsets;
        int[] rearmIds;
        int[] rearmSteps;

        @Setup(Level.Trial)
        public void setUp()
        {
            final SplittableRandom random = new SplittableRandom(0x5EED);
            adapter = TimerAdapter.create(impl, liveTimers + 1);
            deadlines = new long[liveTimers];
            for (int id = 0; id < liveTimers; id++)
            {
                deadlines[id] = HOUR_MS + random.nextInt(1_000, 10_001);
                adapter.arm(id, deadlines[id]);
            }
            armOffsets = new int[INPUTS];
            rearmIds = new int[INPUTS];
            rearmSteps = new int[INPUTS];
            for (int i = 0; i < INPUTS; i++)
            {
                armOffsets[i] = random.nextInt(200, 3_001);
                rearmIds[i] = random.nextInt(liveTimers);
                rearmSteps[i] = random.nextInt(1, 65);
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

    /** @return whether the cancel stopped the timer, so that nothing is dead code. */
    @Benchmark
    public boolean armCancel(final Peer peer, final Cursor cursor)
    {
        final int id = peer.liveTimers;
        peer.adapter.arm(id, peer.armOffsets[cursor.next++ & INPUT_MASK]);
        return peer.adapter.cancel(id);
    }

    /** @return the new deadline. */
    @Benchmark
    public long rearm(final Peer peer, final Cursor cursor)
    {
        final int i = cursor.next++ & INPUT_MASK;
        final int id = peer.rearmIds[i];
        final long deadline = peer.deadlines[id] + peer.rearmSteps[i];
        peer.deadlines[id] = deadline;
        peer.adapter.rearm(id, deadline);
        return deadline;
    }
}
