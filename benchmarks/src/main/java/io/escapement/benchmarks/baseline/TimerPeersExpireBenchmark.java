package io.escapement.benchmarks.baseline;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
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
 * The expire workload (TIME-WAIT): {@code liveTimers} timers spread over a 60 s horizon fire as the virtual clock
 * advances 1 ms per operation, each replaced by one 60 s later, so the population stays constant and every
 * operation fires about {@code liveTimers / 60,000} timers. Score: ns per 1 ms advanced; fired per second is
 * {@code liveTimers / 60,000 / score * 1e9}.
 * <p>
 * Only the peers whose time the caller drives can run {@link #expire}: Escapement, Agrona, Kafka's TimingWheel
 * (flushed as SystemTimer's reaper would), and the heap. Netty's HashedWheelTimer and the JDK's executor fire on a
 * clock thread of their own, on the real clock, where 1M timers over 60 s fire 16,667 a second whatever they cost.
 * <p>
 * {@link #burst} is the closest equivalent every peer can run, the thread-driven ones included (and the engine's
 * {@code TimerService}, {@code impl=service}, their counterpart): with {@code liveTimers} timers an hour ahead, arm
 * {@value #BURST} timers due 1 ms later and fire them all. The caller-driven peers fire them by advancing their
 * virtual clock 1 ms; the thread-driven ones on their own thread, while the caller waits for the last. Score: ns per
 * timer, arm and fire; fired per second is {@code 1e9 / score}. A thread-driven peer fires each burst on its own
 * thread while the caller arms the next one (the caller waits for the burst before), so arming and firing overlap on
 * the two cores and the score is the slower of the two. (Burst size: Agrona's tick arrays grow to the largest burst
 * a tick has held and never shrink; at 2^18 they took more than the 8 GB heap.)
 * <p>
 * Run: {@code java -jar benchmarks/target/escapement-benchmarks.jar TimerPeersExpireBenchmark -prof gc}.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
@Fork(value = 2, jvmArgsAppend = {"-Xmx8g", "-Xms8g"})
@Threads(1)
public class TimerPeersExpireBenchmark
{
    static final long HORIZON_MS = 60_000;
    static final long HOUR_MS = 3_600_000;
    static final int BURST = 1 << 16;

    @State(Scope.Benchmark)
    public static class Peer
    {
        @Param({"escapement", "agrona", "kafka", "heap"})
        String impl;

        @Param({"1000000"})
        int liveTimers;

        TimerAdapter timers;
        long nowMs;

        @Setup(Level.Trial)
        public void setUp()
        {
            timers = TimerAdapter.create(impl, 1);
            final SplittableRandom random = new SplittableRandom(42);
            for (int i = 0; i < liveTimers; i++)
            {
                timers.armUntracked(1 + random.nextLong(HORIZON_MS));
            }
            nowMs = 0;
        }

        @TearDown(Level.Trial)
        public void tearDown()
        {
            timers.close();
        }
    }

    /** Every peer, for {@link #burst}: {@code liveTimers} tracked timers an hour ahead, none of which fires. */
    @State(Scope.Benchmark)
    public static class AnyPeer
    {
        @Param({"escapement", "agrona", "kafka", "heap", "service", "netty", "stpe"})
        String impl;

        @Param({"1000000"})
        int liveTimers;

        TimerAdapter timers;
        boolean fired;

        @Setup(Level.Trial)
        public void setUp()
        {
            timers = TimerAdapter.create(impl, liveTimers);
            final SplittableRandom random = new SplittableRandom(42);
            for (int i = 0; i < liveTimers; i++)
            {
                timers.arm(i, HOUR_MS + random.nextLong(200, 3_001));
            }
        }

        @TearDown(Level.Trial)
        public void tearDown()
        {
            timers.close();
        }
    }

    /** @return the timers fired by one 1 ms step. */
    @Benchmark
    public int expire(final Peer peer)
    {
        return peer.timers.expire(++peer.nowMs, HORIZON_MS);
    }

    /** @return the timers fired, {@value #BURST} unless a peer lost some (then the run is wrong: see the JSON). */
    @Benchmark
    @OperationsPerInvocation(BURST)
    public int burst(final AnyPeer peer)
    {
        final TimerAdapter timers = peer.timers;
        for (int i = 0; i < BURST; i++)
        {
            timers.armDue();
        }
        final int fired = timers.fireDue();
        // a thread-driven peer reports the previous burst: none the first time
        if (fired != BURST && !(fired == 0 && timers.ownClock() && !peer.fired))
        {
            throw new IllegalStateException(peer.impl + " fired " + fired + " of " + BURST + " burst timers");
        }
        peer.fired = true;
        return fired;
    }
}
