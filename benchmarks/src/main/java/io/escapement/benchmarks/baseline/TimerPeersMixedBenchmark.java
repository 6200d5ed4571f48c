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
 * A mixed TCP workload: {@code liveTimers} connections, each with a retransmission timer, and as many ends in
 * TIME-WAIT spread over a 60 s horizon. Each operation is, at random, one of the churn the simulator produces:
 * <ul>
 *   <li>an ACK of new data restarts a connection's RTO (re-arm), 40 in 64;</li>
 *   <li>a flight is fully acknowledged and the next one sent (cancel, then arm), 23 in 64;</li>
 *   <li>the clock moves 1 ms and the TIME-WAITs due fire, each replaced by a new one 60 s later, 1 in 64.</li>
 * </ul>
 * The RTO timers lie an hour ahead (and move within that hour), so that none fires: with a million connections
 * each is touched only every million operations or so, far apart in the virtual time of this benchmark.
 * <p>
 * Every peer runs it. The caller-driven ones (the engine's wheel, Agrona, Kafka's TimingWheel, the heap) fire their
 * TIME-WAITs inside the measured operation, on the virtual clock. The thread-driven ones (the engine's
 * {@code TimerService} as {@code service}, Netty, the JDK executor) cannot be driven: their TIME-WAITs fire on their
 * own thread as the real clock passes them (about 16,667 a second at 1M, each replaced 60 s later), and the 1-in-64
 * step only reads how many fired. That is their closest equivalent: their score is the caller's side, and their
 * thread's work shows only as the core it takes from the caller, as in the concurrent workload. Compare the
 * thread-driven peers with each other, the caller-driven ones with each other. Score: ns per operation.
 * <p>
 * Run: {@code java -jar benchmarks/target/escapement-benchmarks.jar TimerPeersMixedBenchmark -prof gc}.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
@Fork(value = 2, jvmArgsAppend = {"-Xmx8g", "-Xms8g"})
@Threads(1)
public class TimerPeersMixedBenchmark
{
    static final long HOUR_MS = 3_600_000;
    static final long HORIZON_MS = 60_000;
    static final int INPUTS = 1 << 12;
    static final int MASK = INPUTS - 1;
    static final int TICK = 0;
    static final int REARM = 1;
    static final int NEXT_FLIGHT = 2;

    @State(Scope.Benchmark)
    public static class Peer
    {
        @Param({"escapement", "agrona", "kafka", "heap", "service", "netty", "stpe"})
        String impl;

        @Param({"1000000"})
        int liveTimers;

        TimerAdapter timers;
        long nowMs;
        final int[] kinds = new int[INPUTS];
        final int[] ids = new int[INPUTS];
        final long[] delaysMs = new long[INPUTS];
        int next;

        @Setup(Level.Trial)
        public void setUp()
        {
            timers = TimerAdapter.create(impl, liveTimers);
            final SplittableRandom random = new SplittableRandom(42);
            for (int i = 0; i < liveTimers; i++)
            {
                timers.arm(i, HOUR_MS + random.nextLong(200, 3_001));
                timers.armUntracked(1 + random.nextLong(HORIZON_MS));
            }
            for (int i = 0; i < INPUTS; i++)
            {
                final int roll = random.nextInt(64);
                kinds[i] = roll == 0 ? TICK : roll <= 40 ? REARM : NEXT_FLIGHT;
                ids[i] = random.nextInt(liveTimers);
                delaysMs[i] = random.nextLong(200, 3_001);
            }
            nowMs = 0;
        }

        @TearDown(Level.Trial)
        public void tearDown()
        {
            timers.close();
        }
    }

    /** @return something of the operation, so that nothing is dead code. */
    @Benchmark
    public long mixed(final Peer peer)
    {
        final int i = peer.next++ & MASK;
        final TimerAdapter timers = peer.timers;
        switch (peer.kinds[i])
        {
            case TICK:
                return timers.expire(++peer.nowMs, HORIZON_MS);
            case REARM:
                timers.rearm(peer.ids[i], HOUR_MS + peer.nowMs + peer.delaysMs[i]);
                return 1;
            default:
                final boolean stopped = timers.cancel(peer.ids[i]);
                timers.arm(peer.ids[i], HOUR_MS + peer.nowMs + peer.delaysMs[i]);
                return stopped ? 2 : 3;
        }
    }
}
