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
 * The expire workload (TIME-WAIT): {@code liveTimers} timers spread over a 60 s horizon fire as the virtual clock
 * advances 1 ms per operation, each replaced by one 60 s later, so the population stays constant and every
 * operation fires about {@code liveTimers / 60,000} timers. Score: ns per 1 ms advanced; fired per second is
 * {@code liveTimers / 60,000 / score * 1e9}.
 * <p>
 * Only the peers whose time the caller drives can run it: Escapement, Agrona, Kafka's TimingWheel (flushed as
 * SystemTimer's reaper would), and the heap. Netty's HashedWheelTimer and the JDK's executor fire on a clock
 * thread of their own; they are left out of this workload rather than measured on a different clock.
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

    /** @return the timers fired by one 1 ms step. */
    @Benchmark
    public int expire(final Peer peer)
    {
        return peer.timers.expire(++peer.nowMs, HORIZON_MS);
    }
}
