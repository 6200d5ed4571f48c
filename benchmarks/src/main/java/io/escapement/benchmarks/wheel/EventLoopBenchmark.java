package io.escapement.benchmarks.wheel;

import io.escapement.engine.TimerHandler;
import io.escapement.engine.wheel.TimerWheel;
import org.openjdk.jmh.annotations.AuxCounters;
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
 * Cost of an event-driven caller's step on a {@link TimerWheel}: a discrete-event simulator's wheel (microseconds, a
 * 1 µs tick) whose time jumps from one deadline to the next, firing each instant's timers before it looks for the
 * next instant, as the simulator's shards do. Two ways to take the step:
 * <ul>
 *   <li>{@link #earliestThenPoll}: {@code poll(max(currentTime(), earliestDeadline()))}, the loop the wheel's
 *       Javadoc showed first: earliestDeadline searches the occupancy bitmaps for the first bucket, then poll
 *       searches again for it, fires it, and searches once more to find that the next bucket is later.</li>
 *   <li>{@link #pollEarliest}: {@link TimerWheel#pollEarliest}, one search and the firing.</li>
 * </ul>
 * One op = one step that fires at least one timer (an instant); the secondary {@code fired} score
 * ({@link FiredCounter}) is ns per fired timer. Each fired timer arms a replacement at its deadline plus a lifetime
 * drawn from a simulator's mix: 70% 10-30 ms (packets on the wire: level 1 at a 1 µs tick), 25% 200 ms-1 s (RTOs and
 * probes: level 2), 5% 30-60 s (TIME-WAIT: level 3), so the population stays constant and timers reach level 0 by
 * cascades, as a simulator's do. At a million live timers about 0.3 timers are due per microsecond, close to the
 * default simulator run's rate; at a thousand, one instant every few milliseconds, where the step is mostly the
 * search. The wheel is run for 65 s of virtual time in setup, past the longest lifetime, so the measured steps see
 * the steady mix. With {@code rearms} 0 no timer is re-armed, so lazy re-arms play no part; with {@code rearms} 1
 * each fired timer also re-arms one other live timer (picked by the input cursor) to a fresh lifetime past the
 * fired deadline, mostly later than its own, as an ACK restarts a simulator's RTO before it fires: the wheel's lazy
 * re-arm leaves it in its old bucket, which, when the cursor reaches it, fires nothing and re-files it.
 * <p>
 * The baseline {@link #earliestThenPoll} already takes the fast path this session gave earliestDeadline (a level-0
 * bucket's tick answered without reading its records at a one-unit tick), so the difference between the two
 * measures only the searches pollEarliest saves (poll's search for the bucket and for the one after it), not
 * everything pollEarliest gained over the old earliestDeadline.
 * <p>
 * Run, from the repository root, after {@code mvn -pl benchmarks -am package -DskipTests}:
 * <pre>
 * java -jar benchmarks/target/escapement-benchmarks.jar EventLoopBenchmark -prof gc \
 *     -rf json -rff results/&lt;date&gt;-eventloop-&lt;cpu&gt;.json
 * </pre>
 * The two benchmarks fire the same timers in the same order from the same state (the same seed, and pollEarliest
 * fires what that loop fires), so their difference is the cost of the steps alone. {@code gc.alloc.rate.norm}
 * should be about 0 B/op.
 * <p>
 * The class is not {@code final}: JMH generates subclasses of it and of its states.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 2, jvmArgsAppend = {"-Xmx4g", "-Xms4g"})
@Threads(1)
public class EventLoopBenchmark
{
    /** Fixed seed: every fork and every run sees the same timers and the same inputs. */
    static final long SEED = 0x5EED_E7E7_100FL;
    /** Precomputed lifetimes, a power of two, read through a cursor. */
    static final int INPUTS = 1 << 16;
    static final int INPUT_MASK = INPUTS - 1;
    /** Virtual time run in setup: past the longest lifetime (60 s), so every kind of timer has cycled. */
    static final long WARM_US = 65_000_000L;

    /** A wheel of {@code liveTimers} timers, a fired timer arming its replacement: its own {@link TimerHandler}. */
    @State(Scope.Benchmark)
    public static class LoopState implements TimerHandler
    {
        @Param({"1000", "1000000"})
        int liveTimers;

        /** Re-arms per fired timer: 0, or 1 (an RTO restarted before it fires). */
        @Param({"0", "1"})
        int rearms;

        TimerWheel wheel;
        /** Lifetimes of replacements in µs, in the simulator's mix; INPUTS entries read through {@link #cursor}. */
        long[] lifetimes;
        /** The live timer of each payload, for the re-arms. */
        long[] handles;
        int cursor;
        int capacity;

        @Setup(Level.Trial)
        public void setUp()
        {
            final SplittableRandom random = new SplittableRandom(SEED);
            lifetimes = new long[INPUTS];
            for (int i = 0; i < INPUTS; i++)
            {
                final int kind = random.nextInt(100);
                lifetimes[i] = kind < 70 ? random.nextLong(10_000, 30_001) :
                    kind < 95 ? random.nextLong(200_000, 1_000_001) : random.nextLong(30_000_000, 60_000_001);
            }
            wheel = TimerWheel.builder(TimeUnit.MICROSECONDS).startTime(0).tickDuration(1)
                .initialCapacity(liveTimers + TimerWheelBenchmark.HEADROOM).build();
            handles = new long[liveTimers];
            for (int k = 0; k < liveTimers; k++)
            {
                // somewhere in a lifetime: about the residual times of a steady population
                handles[k] = wheel.arm(1 + (long)(random.nextDouble() * lifetimes[k & INPUT_MASK]), k);
            }
            while (wheel.currentTime() < WARM_US)
            {
                wheel.pollEarliest(Long.MAX_VALUE, this);
            }
            capacity = wheel.allocatedCapacity();
        }

        @Override
        public void onExpiry(final long handle, final long payload, final long deadline)
        {
            handles[(int)payload] = wheel.arm(deadline + lifetimes[cursor++ & INPUT_MASK], payload);
            if (rearms != 0)
            {
                // every handle is live (a fired timer's replacement was just stored): no allocation, no lookup
                final int other = (int)((cursor * 0x9E3779B97F4A7C15L >>> 32) % handles.length);
                wheel.rearm(handles[other], deadline + lifetimes[cursor++ & INPUT_MASK]);
            }
        }

        @TearDown(Level.Trial)
        public void checkSteadyState()
        {
            TimerWheelBenchmark.checkUnchanged(wheel, liveTimers, capacity);
        }
    }

    /**
     * Timers fired, reported by JMH as a secondary score: in average-time mode, the measured time divided by this
     * count, that is ns per fired timer. Reset each iteration.
     */
    @State(Scope.Thread)
    @AuxCounters(AuxCounters.Type.OPERATIONS)
    public static class FiredCounter
    {
        public long fired;

        @Setup(Level.Iteration)
        public void reset()
        {
            fired = 0;
        }
    }

    /**
     * One step as {@code earliestDeadline()} then {@code poll}: repeated while a step fires nothing (a lower bound:
     * the earliest timer still on a higher level, cascaded by the poll), so that one op is one instant, as for
     * {@link #pollEarliest}.
     *
     * @return the number of timers fired.
     */
    @Benchmark
    public int earliestThenPoll(final LoopState state, final FiredCounter counter)
    {
        final TimerWheel wheel = state.wheel;
        int fired;
        do
        {
            fired = wheel.poll(Math.max(wheel.currentTime(), wheel.earliestDeadline()), state);
        }
        while (fired == 0);
        counter.fired += fired;
        return fired;
    }

    /**
     * One step as {@link TimerWheel#pollEarliest}.
     *
     * @return the number of timers fired.
     */
    @Benchmark
    public int pollEarliest(final LoopState state, final FiredCounter counter)
    {
        final int fired = state.wheel.pollEarliest(Long.MAX_VALUE, state);
        counter.fired += fired;
        return fired;
    }
}
