package io.escapement.benchmarks.service;

import io.escapement.engine.TimerHandler;
import io.escapement.engine.service.TimerService;
import io.netty.util.HashedWheelTimer;
import io.netty.util.Timeout;
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
 * Arm + cancel from any thread: the thread-safe {@link TimerService} against Netty's {@link HashedWheelTimer}
 * ({@code newTimeout} + {@code Timeout.cancel}), from one producer thread ({@link #armCancel}) and two
 * ({@link #armCancel2Threads}), each timer armed 200 ms-3 s ahead and cancelled at once: the life of most RTOs.
 * <p>
 * Both run with their own worker (the service's driver thread, Netty's worker), which files and retires the timers
 * on whatever core is left: on a 2-core machine with two producers it competes with them, as it would in a server.
 * The score is the producers' side (operations per microsecond, summed over threads); the owner's work shows up as
 * the CPU it takes from them, and the service throws {@code TimerServiceFullException} (failing the run) if its
 * owner falls so far behind that a million slots fill. Impls:
 * <ul>
 *   <li>{@code escapement}: {@code arm(delay, MILLISECONDS, payload)}, one long-lived handler;</li>
 *   <li>{@code escapement-runnable}: {@code arm(delay, MILLISECONDS, Runnable)}, one shared task;</li>
 *   <li>{@code netty}: Netty 4.1 {@code HashedWheelTimer} (1 ms tick, 512 ticks), one shared {@link TimerTask}.</li>
 * </ul>
 * Run, from the repository root, after {@code mvn -B -q package -DskipTests}, on a quiet machine:
 * <pre>
 * java -jar benchmarks/target/escapement-benchmarks.jar ServiceBenchmark -prof gc \
 *   -rf json -rff results/&lt;date&gt;-service-&lt;cpu&gt;.json
 * </pre>
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 2, jvmArgsAppend = {"-Xmx2g", "-Xms2g"})
public class ServiceBenchmark
{
    static final int INPUTS = 1 << 12;
    static final int INPUT_MASK = INPUTS - 1;
    static final int PAYLOAD = 0;
    static final int RUNNABLE = 1;
    static final int NETTY = 2;

    private static final TimerHandler IGNORE = (handle, payload, deadlineNs) -> { };
    private static final Runnable NOTHING = () -> { };
    private static final TimerTask NETTY_NOTHING = timeout -> { };

    /** The timer, shared by the producer threads. */
    @State(Scope.Benchmark)
    public static class Timers
    {
        @Param({"escapement", "escapement-runnable", "netty"})
        String impl;

        /** The impl as an int, so that the benchmark's switch costs the same for every impl. */
        int kind;
        TimerService service;
        HashedWheelTimer netty;

        @Setup(Level.Trial)
        public void setUp()
        {
            switch (impl)
            {
                case "escapement":
                case "escapement-runnable":
                    kind = impl.equals("escapement") ? PAYLOAD : RUNNABLE;
                    // two busy producers on two cores can outrun the owner: they wait for it (yielding their core)
                    // rather than fail when every slot holds a cancelled timer it has not retired yet
                    service = TimerService.builder().handler(IGNORE).capacity(1 << 20)
                        .waitWhenFull(java.time.Duration.ofSeconds(1)).build();
                    service.start();
                    break;
                case "netty":
                    kind = NETTY;
                    netty = new HashedWheelTimer(1, TimeUnit.MILLISECONDS, 512);
                    netty.start();
                    break;
                default:
                    throw new IllegalArgumentException("unknown impl " + impl);
            }
        }

        @TearDown(Level.Trial)
        public void tearDown()
        {
            if (service != null)
            {
                service.close();
            }
            if (netty != null)
            {
                netty.stop();
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
                delaysMs[i] = random.nextInt(200, 3_001);
            }
        }
    }

    /** @return whether the cancel stopped the timer, so that nothing is dead code. */
    @Benchmark
    @Threads(1)
    public boolean armCancel(final Timers timers, final Cursor cursor)
    {
        return armThenCancel(timers, cursor);
    }

    /** @return whether the cancel stopped the timer. */
    @Benchmark
    @Threads(2)
    public boolean armCancel2Threads(final Timers timers, final Cursor cursor)
    {
        return armThenCancel(timers, cursor);
    }

    private static boolean armThenCancel(final Timers timers, final Cursor cursor)
    {
        final int i = cursor.next++ & INPUT_MASK;
        final long delayMs = cursor.delaysMs[i];
        switch (timers.kind)
        {
            case PAYLOAD:
                return timers.service.cancel(timers.service.arm(delayMs, TimeUnit.MILLISECONDS, i));
            case RUNNABLE:
                return timers.service.cancel(timers.service.arm(delayMs, TimeUnit.MILLISECONDS, NOTHING));
            default:
                final Timeout timeout = timers.netty.newTimeout(NETTY_NOTHING, delayMs, TimeUnit.MILLISECONDS);
                return timeout.cancel();
        }
    }
}
