package io.escapement.benchmarks.rto;

import io.escapement.engine.rto.RetransmissionTimers;
import io.escapement.engine.rto.RetryPolicy;
import io.escapement.engine.rto.RtoStrategies;
import io.escapement.engine.rto.RtoStrategy;
import io.escapement.engine.wheel.TimerWheel;
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
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

/**
 * Cost of the RTO machinery per ACK, for every strategy, with a million connections: one RTT sample fed to the
 * strategy ({@link #sample}), and one ACK of new data handled by {@link RetransmissionTimers} ({@link #ackRearm}:
 * the sample plus the restart of the connection's retransmission timer on the wheel, the RTO restart of RFC 6298
 * section 5.3). Connections are picked at random, so at a million most state is a cache miss, as in a busy server.
 * <p>
 * Run, from the repository root, after {@code mvn -B -q package -DskipTests}:
 * <pre>
 * java -jar benchmarks/target/escapement-benchmarks.jar RtoBenchmark -prof gc -rf json -rff results/&lt;date&gt;-rto-&lt;cpu&gt;.json
 * </pre>
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 2, jvmArgsAppend = {"-Xmx4g", "-Xms4g"})
@Threads(1)
public class RtoBenchmark
{
    static final int INPUTS = 1 << 16;
    static final int INPUT_MASK = INPUTS - 1;

    /** A million connections, each with a running retransmission timer and some RTT history. */
    @State(Scope.Benchmark)
    public static class Connections
    {
        @Param({"rfc6298", "linux", "rfc793", "quic", "fixed", "eifel"})
        String strategy;

        @Param({"1000000"})
        int connections;

        RtoStrategy rto;
        long[] states;
        int stride;
        TimerWheel wheel;
        RetransmissionTimers timers;
        long now;
        int[] picks;
        long[] rtts;

        @Setup(Level.Trial)
        public void setUp()
        {
            final SplittableRandom random = new SplittableRandom(42);
            rto = RtoStrategies.parse(strategy);
            stride = rto.stateWords();
            states = new long[connections * stride];
            wheel = TimerWheel.builder(TimeUnit.MICROSECONDS).initialCapacity(connections + 1024).build();
            timers = new RetransmissionTimers(wheel, rto, RetryPolicy.linuxDefaults(), false, connections, 1);
            final RetransmissionTimers.Ack ack = new RetransmissionTimers.Ack();
            for (int c = 0; c < connections; c++)
            {
                rto.reset(states, c * stride);
                timers.open(c, RetransmissionTimers.Phase.DATA);
                timers.onSend(c, 0);
                for (int i = 0; i < 4; i++)
                {
                    final long rtt = 10_000 + random.nextInt(90_000);
                    rto.onRttSample(states, c * stride, rtt, 0, i, i + 1);
                    timers.onAck(c, ack.of(0, i, i + 2).rtt(rtt, false));
                }
            }
            picks = new int[INPUTS];
            rtts = new long[INPUTS];
            for (int i = 0; i < INPUTS; i++)
            {
                picks[i] = random.nextInt(connections);
                rtts[i] = 10_000 + random.nextInt(90_000);
            }
        }
    }

    /** Position in the inputs, per benchmark thread. */
    @State(Scope.Thread)
    public static class Cursor
    {
        int next;
        /** One per thread, refilled for every ACK, as a caller of RetransmissionTimers keeps it. */
        final RetransmissionTimers.Ack ack = new RetransmissionTimers.Ack();
    }

    /** @return the new RTO, so that nothing is dead code. */
    @Benchmark
    public long sample(final Connections state, final Cursor cursor)
    {
        final int i = cursor.next++;
        final int at = state.picks[i & INPUT_MASK] * state.stride;
        state.rto.onRttSample(state.states, at, state.rtts[i & INPUT_MASK], 0, i, i + 1);
        return state.rto.rtoUs(state.states, at);
    }

    /**
     * An ACK of new data with more still outstanding: sample, then restart the timer. Time moves 1 us per ACK, so
     * the new deadline is later: the wheel's lazy re-arm.
     *
     * @return the connection's new deadline.
     */
    @Benchmark
    public long ackRearm(final Connections state, final Cursor cursor)
    {
        final int i = cursor.next++;
        final int connection = state.picks[i & INPUT_MASK];
        final long now = ++state.now;
        state.timers.onAck(connection, cursor.ack.of(now, i, i + 1).rtt(state.rtts[i & INPUT_MASK], false));
        return now;
    }
}
