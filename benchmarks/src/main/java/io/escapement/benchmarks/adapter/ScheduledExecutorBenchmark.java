package io.escapement.benchmarks.adapter;

import io.escapement.engine.executor.TimerScheduledExecutor;
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

import java.time.Duration;
import java.util.SplittableRandom;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * The same user code on the {@link ScheduledExecutorService} a server would switch from and the one it would switch
 * to: {@code schedule(task, 1..10 s, MILLISECONDS)} then {@code future.cancel(false)} (a request timeout that the
 * response beats), from one producer thread ({@link #scheduleCancel}) and two ({@link #scheduleCancel2Threads}), with
 * {@code pending} other tasks already waiting (1 to 2 hours ahead, so that none fires during the run). Impls:
 * <ul>
 *   <li>{@code escapement}: {@link TimerScheduledExecutor#create()} with capacity for the prefill plus
 *       2<sup>20</sup>: tasks on its driver thread, a schedule waiting up to 1 s for a slot (the default: two
 *       producers can outrun the driver that retires cancelled tasks on a 2-core machine; see
 *       {@code ServiceBenchmark});</li>
 *   <li>{@code jdk-stpe}: {@code new ScheduledThreadPoolExecutor(1)}, its default {@code removeOnCancel = false}:
 *       a cancelled task stays in the heap until its deadline, so at steady state the heap holds about 10 s of
 *       cancelled tasks (the rate times the mean delay) on top of the prefill, and the scores include the GC that
 *       costs;</li>
 *   <li>{@code jdk-stpe-remove-on-cancel}: the same with {@code setRemoveOnCancelPolicy(true)}: cancel removes the
 *       task from the heap at once (O(log n) under the executor's lock).</li>
 * </ul>
 * Average time per schedule + cancel, ns/op (per thread: with two threads, each thread's time). {@code -prof gc}
 * gives {@code gc.alloc.rate.norm}, the bytes per schedule + cancel: the future is the one object the adapter
 * allocates; the JDK's allocates its {@code ScheduledFutureTask} and, for {@code schedule(Runnable)}, the
 * {@code Callable} adapter it wraps the task in.
 * <p>
 * Run, from the repository root, after {@code mvn -B -q package -DskipTests}, on a quiet machine:
 * <pre>
 * java -jar benchmarks/target/escapement-benchmarks.jar ScheduledExecutorBenchmark -prof gc \
 *   -rf json -rff results/&lt;date&gt;-executor-&lt;cpu&gt;.json
 * </pre>
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 2, jvmArgsAppend = {"-Xmx4g", "-Xms4g"})
public class ScheduledExecutorBenchmark
{
    static final int INPUTS = 1 << 12;
    static final int INPUT_MASK = INPUTS - 1;
    private static final Runnable NOTHING = () -> { };

    /** The executor, shared by the producer threads, with its prefill. */
    @State(Scope.Benchmark)
    public static class Executors
    {
        @Param({"escapement", "jdk-stpe", "jdk-stpe-remove-on-cancel"})
        String impl;

        @Param({"1000", "1000000"})
        int pending;

        ScheduledExecutorService executor;

        @Setup(Level.Trial)
        public void setUp()
        {
            switch (impl)
            {
                case "escapement":
                    executor = TimerScheduledExecutor.builder().capacity(pending + (1 << 20))
                        .waitWhenFull(Duration.ofSeconds(1)).build();
                    break;
                case "jdk-stpe":
                    executor = new ScheduledThreadPoolExecutor(1); // removeOnCancel false: the default
                    break;
                case "jdk-stpe-remove-on-cancel":
                    final ScheduledThreadPoolExecutor stpe = new ScheduledThreadPoolExecutor(1);
                    stpe.setRemoveOnCancelPolicy(true);
                    executor = stpe;
                    break;
                default:
                    throw new IllegalArgumentException("unknown impl " + impl);
            }
            final SplittableRandom random = new SplittableRandom(42);
            for (int i = 0; i < pending; i++)
            {
                executor.schedule(NOTHING, random.nextLong(3_600_000, 7_200_001), TimeUnit.MILLISECONDS);
            }
        }

        @TearDown(Level.Trial)
        public void tearDown() throws InterruptedException
        {
            executor.shutdownNow();
            if (!executor.awaitTermination(10, TimeUnit.SECONDS))
            {
                throw new IllegalStateException(impl + " did not terminate");
            }
        }
    }

    /** Delays and a cursor, per producer thread. */
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

    /** @return whether the cancel stopped the task, so that nothing is dead code. */
    @Benchmark
    @Threads(1)
    public boolean scheduleCancel(final Executors executors, final Cursor cursor)
    {
        return scheduleThenCancel(executors.executor, cursor);
    }

    /** @return whether the cancel stopped the task. */
    @Benchmark
    @Threads(2)
    public boolean scheduleCancel2Threads(final Executors executors, final Cursor cursor)
    {
        return scheduleThenCancel(executors.executor, cursor);
    }

    private static boolean scheduleThenCancel(final ScheduledExecutorService executor, final Cursor cursor)
    {
        final ScheduledFuture<?> future =
            executor.schedule(NOTHING, cursor.delaysMs[cursor.next++ & INPUT_MASK], TimeUnit.MILLISECONDS);
        return future.cancel(false);
    }
}
