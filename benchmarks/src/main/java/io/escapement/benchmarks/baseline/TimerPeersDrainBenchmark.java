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
 * The drain workload (TIME-WAIT after a burst of closes): {@code timers} timers armed with deadlines drawn
 * uniformly over 10 s (1 to 10,000 ms) on a virtual clock at 0, then the clock advanced 1 ms at a time until every
 * timer has fired. Nothing is replaced: the population falls to zero. One operation is one whole drain; the score
 * is milliseconds per drain, so ns per fired timer is {@code score * 1e6 / timers} and timers fired per second
 * {@code timers / score * 1e3} (the suite's summary prints both).
 * <p>
 * <b>Why single-shot.</b> A drain empties the structure, so each one needs {@code timers} timers armed afresh, and
 * arming must not be measured: it costs as much as the drain, differently per peer. The mode is
 * {@link Mode#SingleShotTime}: an iteration is exactly one call of {@link #drain}, so a {@link Level#Iteration}
 * setup arms the timers before each drain and stays out of the measurement (it is, in this mode, the
 * {@code Level.Invocation} setup without that level's per-call timestamping, whose overhead JMH warns of for
 * short calls; a drain takes milliseconds to seconds). Each fork keeps one peer, emptied by each drain and armed
 * again, 1-10 s after the time the last drain ended, by the next setup: the structures that recycle their memory
 * (the engine, Agrona) then neither allocate nor fault in fresh pages in the measured drain, as a long-running
 * server would not. The setup also runs a full GC after arming, so the garbage of the allocating peers' arming is
 * not collected inside the measured drain. A tear-down checks that the drain fired exactly as many timers as were
 * armed, so a peer that loses or duplicates timers fails the run rather than scoring well.
 * <p>
 * {@code gc.alloc.rate.norm} counts the whole iteration in this mode, the setup's arming included: about 0 for the
 * engine and Agrona, whose reused structures allocate nothing once warm, and the timer objects of Kafka and the
 * heap (which do not allocate while draining, Kafka apart from the re-filed entries' bookkeeping).
 * <p>
 * <b>Peers.</b> Only those whose time the caller drives can be drained tick by tick: the engine's wheel, Agrona's
 * {@code DeadlineTimerWheel} (1024 ticks, 1 ms), Kafka's {@code TimingWheel} (flushed as {@code SystemTimer}'s
 * reaper would, see {@link KafkaAdapter}) and the heap. Netty's {@code HashedWheelTimer}, the JDK's executor and
 * the engine's own {@code TimerService} fire on a clock thread of their own on the real clock, where draining
 * timers spread over 10 s takes 10 s whatever the structure costs; their closest equivalent is
 * {@code TimerPeersExpireBenchmark.burst}.
 * <p>
 * Run, from the repository root, after {@code mvn -B -q package -DskipTests}:
 * <pre>
 * java -jar benchmarks/target/escapement-benchmarks.jar TimerPeersDrainBenchmark -prof gc -rf json \
 *     -rff results/&lt;date&gt;-drain-&lt;cpu&gt;.json
 * </pre>
 */
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3)
@Measurement(iterations = 5)
@Fork(value = 2, jvmArgsAppend = {"-Xmx8g", "-Xms8g"})
@Threads(1)
public class TimerPeersDrainBenchmark
{
    /** Deadlines are drawn uniformly from 1 to this many ms (inclusive): 10 s at a 1 ms tick. */
    static final int HORIZON_MS = 10_000;
    /** Clock steps past the horizon a drain may take before it counts as losing timers (Agrona fires a tick late). */
    static final int GRACE_MS = 4;

    /** A peer with {@code timers} timers armed afresh before each drain. */
    @State(Scope.Benchmark)
    public static class Armed
    {
        @Param({"escapement", "agrona", "kafka", "heap"})
        String impl;

        @Param({"1000000", "10000000"})
        int timers;

        TimerAdapter adapter;
        /** The virtual time the last drain ended at: the next burst is armed 1-10,000 ms after it. */
        long baseMs;
        /** Timers the measured drain fired; checked at tear-down. */
        long fired;
        private SplittableRandom random;

        @Setup(Level.Trial)
        public void create()
        {
            adapter = TimerAdapter.create(impl, 1);
            random = new SplittableRandom(0xD4A1);
        }

        @Setup(Level.Iteration)
        public void arm()
        {
            for (int i = 0; i < timers; i++)
            {
                adapter.armUntracked(baseMs + 1 + random.nextInt(HORIZON_MS));
            }
            fired = 0;
            System.gc(); // not measured: see the class comment
        }

        @TearDown(Level.Iteration)
        public void checkAllFired()
        {
            if (fired != timers)
            {
                throw new IllegalStateException(impl + " fired " + fired + " of " + timers + " timers");
            }
        }

        @TearDown(Level.Trial)
        public void close()
        {
            adapter.close();
        }
    }

    /**
     * Advances the clock 1 ms at a time from 0 until every armed timer has fired.
     *
     * @return the timers fired (also kept for the tear-down's check).
     * @throws IllegalStateException if some have not fired a few ms after the last deadline.
     */
    @Benchmark
    public long drain(final Armed armed)
    {
        final TimerAdapter adapter = armed.adapter;
        final int timers = armed.timers;
        final long lastMs = armed.baseMs + HORIZON_MS + GRACE_MS;
        long fired = 0;
        long nowMs = armed.baseMs;
        while (fired < timers)
        {
            if (++nowMs > lastMs)
            {
                throw new IllegalStateException(armed.impl + " fired only " + fired + " of " + timers + " timers");
            }
            fired += adapter.drain(nowMs);
        }
        armed.baseMs = nowMs;
        armed.fired = fired;
        return fired;
    }
}
