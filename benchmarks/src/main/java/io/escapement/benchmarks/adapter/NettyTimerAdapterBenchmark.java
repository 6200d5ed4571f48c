package io.escapement.benchmarks.adapter;

import io.escapement.netty.EscapementTimer;
import io.netty.util.HashedWheelTimer;
import io.netty.util.Timeout;
import io.netty.util.Timer;
import io.netty.util.TimerTask;
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
 * The drop-in: {@link EscapementTimer} against the {@link HashedWheelTimer} it replaces, on the same user code, a
 * Netty {@link Timer}'s {@code newTimeout(task, 1-10 s, MILLISECONDS)} then {@code Timeout.cancel()} (an idle or read
 * timeout armed and cleared per request), from one producer thread ({@link #newTimeoutCancel}) and two
 * ({@link #newTimeoutCancel2Threads}), with 1,000 or 1,000,000 other timeouts pending (armed 1-2 hours ahead before
 * the trial, so none expires during it). Both are built as {@code (1, MILLISECONDS, 512)} with their worker thread
 * started; Netty's with no maximum of pending timeouts, the adapter with a capacity for the prefill plus the
 * producers' own ({@code EscapementTimer.builder().tickDuration(1, MILLISECONDS).capacity(...)}: its table is sized up
 * front). One shared {@link TimerTask}, so the only allocation per operation is the timer's own.
 * <p>
 * The score is the producer's side, in ns per newTimeout + cancel (per thread with two); each worker files and
 * retires on whatever core is left, as in a server. {@code -prof gc}'s {@code gc.alloc.rate.norm} is the bytes each
 * pair allocates: Netty's timeout and its queue node against the adapter's timeout.
 * <p>
 * Run, from the repository root, after {@code mvn -B -q package -DskipTests}, on a quiet machine:
 * <pre>
 * java -jar benchmarks/target/escapement-benchmarks.jar NettyTimerAdapterBenchmark -prof gc \
 *   -rf json -rff results/&lt;date&gt;-netty-adapter-&lt;cpu&gt;.json
 * </pre>
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 2, jvmArgsAppend = {"-Xmx3g", "-Xms3g"})
public class NettyTimerAdapterBenchmark
{
    static final int INPUTS = 1 << 12;
    static final int INPUT_MASK = INPUTS - 1;
    /** Room in the adapter's table for the producers' own timeouts on top of the prefill (cancelled at once). */
    static final int PRODUCER_ROOM = 1 << 16;

    private static final TimerTask NOTHING = timeout -> { };

    /** The timer under test and its prefill, shared by the producer threads. */
    @State(Scope.Benchmark)
    public static class Timers
    {
        @Param({"escapement", "netty"})
        String impl;

        @Param({"1000", "1000000"})
        int pending;

        Timer timer;

        @Setup(Level.Trial)
        public void setUp()
        {
            switch (impl)
            {
                case "escapement":
                    timer = EscapementTimer.builder().tickDuration(1, TimeUnit.MILLISECONDS)
                        .capacity(pending + PRODUCER_ROOM).build();
                    ((EscapementTimer)timer).start();
                    break;
                case "netty":
                    timer = new HashedWheelTimer(1, TimeUnit.MILLISECONDS, 512);
                    ((HashedWheelTimer)timer).start();
                    break;
                default:
                    throw new IllegalArgumentException("unknown impl " + impl);
            }
            final SplittableRandom random = new SplittableRandom(pending);
            for (int i = 0; i < pending; i++)
            {
                timer.newTimeout(NOTHING, random.nextLong(3_600_000, 7_200_000), TimeUnit.MILLISECONDS);
            }
        }

        @TearDown(Level.Trial)
        public void tearDown()
        {
            timer.stop();
        }
    }

    /** Delays of 1-10 s and a cursor, per producer thread. */
    @State(Scope.Thread)
    public static class Cursor
    {
        final long[] delaysMs = new long[INPUTS];
        int next;

        @Setup(Level.Trial)
        public void setUp()
        {
            final SplittableRandom random = new SplittableRandom(Thread.currentThread().getId());
            for (int i = 0; i < INPUTS; i++)
            {
                delaysMs[i] = random.nextLong(1_000, 10_001);
            }
        }
    }

    /** @return whether the cancel stopped the timeout, so that nothing is dead code. */
    @Benchmark
    @Threads(1)
    public boolean newTimeoutCancel(final Timers timers, final Cursor cursor)
    {
        return newTimeoutThenCancel(timers.timer, cursor);
    }

    /** @return whether the cancel stopped the timeout. */
    @Benchmark
    @Threads(2)
    public boolean newTimeoutCancel2Threads(final Timers timers, final Cursor cursor)
    {
        return newTimeoutThenCancel(timers.timer, cursor);
    }

    /** The user's code, the same for both: only the constructor differs. */
    private static boolean newTimeoutThenCancel(final Timer timer, final Cursor cursor)
    {
        final Timeout timeout = timer.newTimeout(NOTHING, cursor.delaysMs[cursor.next++ & INPUT_MASK],
            TimeUnit.MILLISECONDS);
        return timeout.cancel();
    }
}
