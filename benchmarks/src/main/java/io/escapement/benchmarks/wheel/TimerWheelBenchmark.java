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
 * Cost of the {@link TimerWheel} operations a TCP stack makes, with a population of live timers already armed:
 * arm+cancel (a timer armed 200 ms-3 s ahead and cancelled before it fires, as most RTOs are), re-arm (a random
 * live timer moved later, the RTO restart on an ACK) and expire (virtual time advanced one tick, firing what is
 * due). The workloads are those of {@code shared/PERFORMANCE.md}, so the numbers compare with its peers and floors.
 * <p>
 * Run, from the repository root, after {@code mvn -pl benchmarks package}:
 * <pre>
 * java -jar benchmarks/target/escapement-benchmarks.jar TimerWheelBenchmark -prof gc \
 *     -rf json -rff results/&lt;date&gt;-wheel-&lt;cpu&gt;.json
 * </pre>
 * Add {@code -p liveTimers=1000} (or {@code 1000000}, or any other count) to run one size only. Report
 * {@code gc.alloc.rate.norm}: it should be about 0 B/op for every benchmark.
 *
 * <h2>What each benchmark measures</h2>
 * <ul>
 *   <li>{@link #armCancel}: one op = one {@code schedule} plus one {@code cancel} of the timer just armed. The
 *       {@code lazy} parameter does not touch this path, so its two rows show run-to-run noise.</li>
 *   <li>{@link #rearm}: one op = one {@code reschedule} of a random prefilled timer to 1-64 ms later than its
 *       current deadline. With {@code lazy=true} that only records the deadline (the wheel re-files the timer when
 *       its old bucket comes due, a cost this benchmark never sees, because time does not advance); with
 *       {@code lazy=false} it unlinks and relinks the timer. The timers are picked across the whole population
 *       (the index input has at least as many entries as there are live timers), so at a million timers most
 *       re-arms miss the cache, as they would in a real stack; picking from only 2<sup>16</sup> of them would keep
 *       the touched records in the last-level cache and flatter the wheel. The harness keeps a mirror of the
 *       deadlines to move each timer later; its cache miss does not hold up the wheel's (see
 *       {@link WheelState#rearmHandles}), so it adds only a few ns.</li>
 *   <li>{@link #expire}: one op = advance virtual time by one tick (1 ms) and fire every timer due in it; the
 *       handler arms a new timer 1-10 s ahead for each one fired, so the population stays constant. The primary
 *       score is ns per tick; the secondary {@code fired} score ({@link FiredCounter}) is ns per fired timer, which
 *       includes the new timer's {@code schedule}, the cascades and the empty ticks. The wheel is run to a steady
 *       state in setup (20 s of virtual time) so the empty first second after prefilling is not measured. A
 *       steady population of N timers living 5.5 s on average fires about N / 5,500 timers per tick: about 180 at
 *       a million, and one every five or so ticks at a thousand, where the score is mostly the cost of an empty
 *       tick. Lazy re-arm plays no part here, so this benchmark has no {@code lazy} parameter.</li>
 * </ul>
 *
 * <h2>Caveats</h2>
 * The wheel is owned by one thread, so these benchmarks run with exactly one ({@link Threads}); {@code -t} must not
 * be raised. Inputs come from arrays precomputed with a fixed seed and read through a cursor, so every fork sees the
 * same sequence and the random number generator is not measured. In {@link #rearm} deadlines only grow, by 32 ms
 * per re-arm on average: over a 16 s fork a million timers each move a few tens of seconds later, a thousand timers
 * each move hours later. This is harmless (the filing level changes, the O(1) cost does not) and is left unbounded
 * on purpose, to keep the measured path free of any correction. Each state checks on tear-down that the population
 * and the capacity did not change, so no measurement includes the wheel growing.
 * <p>
 * The class is not {@code final}: JMH generates subclasses of it and of its states.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 2, jvmArgsAppend = {"-Xmx8g", "-Xms8g"})
@Threads(1)
public class TimerWheelBenchmark
{
    /** Fixed seed: every fork and every run sees the same timers and the same inputs. */
    static final long SEED = 0x5EED_E5CA_9E3E_17L;
    /** Entries of the precomputed input arrays that need no more than a few distinct values; a power of two. */
    static final int INPUTS = 1 << 16;
    static final int INPUT_MASK = INPUTS - 1;
    /** Slots allocated beyond the live count, so arming one more timer never grows the wheel. */
    static final int HEADROOM = 1024;

    /** Prefilled timers are armed uniformly 1-10 s ahead (milliseconds, inclusive). */
    static final int LIVE_MIN_MS = 1_000;
    static final int LIVE_MAX_MS = 10_000;
    /** Arm+cancel arms 200 ms-3 s ahead (inclusive). */
    static final int ARM_MIN_MS = 200;
    static final int ARM_MAX_MS = 3_000;
    /** A re-arm moves a timer 1-64 ms later (inclusive). */
    static final int STEP_MIN_MS = 1;
    static final int STEP_MAX_MS = 64;
    /** Virtual time run in setup before expire is measured: twice the longest lifetime, enough to mix. */
    static final int EXPIRE_WARM_TICKS = 20_000;

    /**
     * A wheel prefilled with {@code liveTimers} timers that never fire (time is never advanced), for
     * {@link #armCancel} and {@link #rearm}.
     */
    @State(Scope.Benchmark)
    public static class WheelState
    {
        @Param({"1000", "1000000"})
        int liveTimers;

        @Param({"true", "false"})
        boolean lazy;

        TimerWheel wheel;
        /** Time of every arm: the wheel's start time, which it never leaves. */
        long now;

        /** Current deadline of prefilled timer k: a mirror, so a re-arm can move it later without asking the wheel. */
        long[] deadlines;

        /** Arm offsets for {@link #armCancel}, ARM_MIN_MS..ARM_MAX_MS; INPUTS entries. */
        int[] armOffsets;

        /**
         * Re-arm number i moves prefilled timer {@code rearmTimers[i]}, whose handle is {@code rearmHandles[i]}, by
         * {@code rearmSteps[i]} ms; {@code rearmMask + 1} entries each, read in order. The handle is looked up here,
         * in setup, so that the wheel's access to the timer does not wait for a cache miss of the harness: the
         * harness's one miss (the deadline mirror) and the wheel's overlap, as they would in a stack that keeps
         * the handle in its connection state.
         */
        int[] rearmTimers;
        long[] rearmHandles;
        int[] rearmSteps;
        int rearmMask;

        int capacity;

        @Setup(Level.Trial)
        public void setUp()
        {
            final SplittableRandom random = new SplittableRandom(SEED);
            wheel = newWheel(liveTimers, lazy);
            now = wheel.currentTime();

            final long[] handles = new long[liveTimers];
            deadlines = new long[liveTimers];
            for (int k = 0; k < liveTimers; k++)
            {
                deadlines[k] = now + random.nextInt(LIVE_MIN_MS, LIVE_MAX_MS + 1);
                handles[k] = wheel.arm(deadlines[k], random.nextLong());
            }

            armOffsets = new int[INPUTS];
            for (int i = 0; i < INPUTS; i++)
            {
                armOffsets[i] = random.nextInt(ARM_MIN_MS, ARM_MAX_MS + 1);
            }

            // At least as many entries as live timers, so a cycle through the inputs reaches most of them.
            final int rearmInputs = Math.max(INPUTS, ceilingPowerOfTwo(liveTimers));
            rearmMask = rearmInputs - 1;
            rearmTimers = new int[rearmInputs];
            rearmHandles = new long[rearmInputs];
            rearmSteps = new int[rearmInputs];
            for (int i = 0; i < rearmInputs; i++)
            {
                rearmTimers[i] = random.nextInt(liveTimers);
                rearmHandles[i] = handles[rearmTimers[i]];
                rearmSteps[i] = random.nextInt(STEP_MIN_MS, STEP_MAX_MS + 1);
            }
            capacity = wheel.allocatedCapacity();
        }

        @TearDown(Level.Trial)
        public void checkSteadyState()
        {
            checkUnchanged(wheel, liveTimers, capacity);
        }
    }

    /**
     * A prefilled wheel whose time advances one tick per {@link #expire} operation. It is its own
     * {@link TimerHandler}: one long-lived instance that arms a replacement for every timer fired, so nothing is
     * allocated per operation.
     */
    @State(Scope.Benchmark)
    public static class ExpiryState implements TimerHandler
    {
        @Param({"1000", "1000000"})
        int liveTimers;

        TimerWheel wheel;
        /** The time the wheel is being advanced to; replacements are armed relative to it. */
        long now;

        /** Lifetimes of replacement timers, LIVE_MIN_MS..LIVE_MAX_MS; INPUTS entries read through rearmCursor. */
        int[] lifetimes;
        /**
         * Cursor into {@link #lifetimes}. It lives here rather than in {@link Cursor} because the handler, called
         * from inside {@code advance}, reads it.
         */
        int rearmCursor;

        int capacity;

        @Setup(Level.Trial)
        public void setUp()
        {
            final SplittableRandom random = new SplittableRandom(SEED);
            wheel = newWheel(liveTimers, true);
            now = wheel.currentTime();
            for (int k = 0; k < liveTimers; k++)
            {
                wheel.arm(now + random.nextInt(LIVE_MIN_MS, LIVE_MAX_MS + 1), random.nextLong());
            }

            lifetimes = new int[INPUTS];
            for (int i = 0; i < INPUTS; i++)
            {
                lifetimes[i] = random.nextInt(LIVE_MIN_MS, LIVE_MAX_MS + 1);
            }

            // Reach a steady state: the first second would fire nothing, and the deadlines start out uniform.
            for (int tick = 0; tick < EXPIRE_WARM_TICKS; tick++)
            {
                advanceOneTick();
            }
            capacity = wheel.allocatedCapacity();
        }

        /** @return the number of timers fired by advancing one tick. */
        int advanceOneTick()
        {
            now += wheel.tickDuration();
            return wheel.poll(now, this);
        }

        @Override
        public void onExpiry(final long handle, final long payload, final long deadline)
        {
            wheel.arm(now + lifetimes[rearmCursor++ & INPUT_MASK], payload);
        }

        @TearDown(Level.Trial)
        public void checkSteadyState()
        {
            checkUnchanged(wheel, liveTimers, capacity);
        }
    }

    /** Position in the input arrays, per benchmark thread (there is one). */
    @State(Scope.Thread)
    public static class Cursor
    {
        int next;
    }

    /**
     * Timers fired, reported by JMH as a secondary score: in average-time mode, the measured time divided by this
     * count, that is ns per fired timer. Reset each iteration, as JMH's AuxCounters sample does.
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
     * Arms a timer 200 ms-3 s ahead and cancels it: the life of an RTO whose segment is acknowledged in time.
     *
     * @return whether the cancel stopped the timer (always {@code true}); returned so that nothing is dead code.
     */
    @Benchmark
    public boolean armCancel(final WheelState state, final Cursor cursor)
    {
        final int i = cursor.next++;
        final TimerWheel wheel = state.wheel;
        final long handle = wheel.arm(state.now + state.armOffsets[i & INPUT_MASK], i);
        return wheel.cancel(handle);
    }

    /**
     * Moves a random live timer 1-64 ms later: the RTO restart on an ACK.
     *
     * @return the new deadline, so that nothing is dead code.
     */
    @Benchmark
    public long rearm(final WheelState state, final Cursor cursor)
    {
        final int i = cursor.next++ & state.rearmMask;
        final long[] deadlines = state.deadlines;
        final int timer = state.rearmTimers[i];
        final long deadline = deadlines[timer] + state.rearmSteps[i];
        deadlines[timer] = deadline;
        state.wheel.rearm(state.rearmHandles[i], deadline);
        return deadline;
    }

    /**
     * Advances the wheel by one tick, firing the timers due in it and arming a replacement for each.
     *
     * @return the number of timers fired.
     */
    @Benchmark
    public int expire(final ExpiryState state, final FiredCounter counter)
    {
        final int fired = state.advanceOneTick();
        counter.fired += fired;
        return fired;
    }

    static void checkUnchanged(final TimerWheel wheel, final int liveTimers, final int capacity)
    {
        if (wheel.timerCount() != liveTimers || wheel.allocatedCapacity() != capacity)
        {
            throw new IllegalStateException("the population or the capacity changed during the run: timerCount=" +
                wheel.timerCount() + " (expected " + liveTimers + "), capacity=" + wheel.allocatedCapacity() +
                " (expected " + capacity + ")");
        }
    }

    /** @return a wheel at 1 ms ticks from time 0, sized so that the run never grows it. */
    static TimerWheel newWheel(final int liveTimers, final boolean lazy)
    {
        return TimerWheel.builder(TimeUnit.MILLISECONDS).startTime(0).tickDuration(1)
            .initialCapacity(liveTimers + HEADROOM).lazyRearm(lazy).build();
    }

    static int ceilingPowerOfTwo(final int value)
    {
        return value <= 1 ? 1 : Integer.highestOneBit(value - 1) << 1;
    }
}
