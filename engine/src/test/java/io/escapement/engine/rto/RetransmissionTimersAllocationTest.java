package io.escapement.engine.rto;

import io.escapement.engine.TimerHandler;
import io.escapement.engine.rto.RetransmissionTimers.Phase;
import io.escapement.engine.wheel.TimerWheel;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.lang.management.ManagementFactory;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The retransmission timer's hot path, send, ACK with and without an RTT sample (the latter
 * {@link RtoStrategy#onAckWithoutSample}), expiry and backoff, allocates nothing in steady state, for every built-in
 * strategy: measured with the JVM's per-thread allocation counter.
 */
class RetransmissionTimersAllocationTest
{
    private static final int CONNECTIONS = 64;
    private static final int OPERATIONS = 100_000;

    private final TimerWheel wheel = TimerWheel.builder(TimeUnit.MICROSECONDS).build();
    private final RetransmissionTimers.Ack ack = new RetransmissionTimers.Ack();
    private RetransmissionTimers timers;
    private long expiries;
    private final TimerHandler onExpiry = (handle, payload, deadline) ->
    {
        timers.onExpiry((int)(payload >>> 8), deadline);
        expiries++;
    };
    private long nowUs;

    @ParameterizedTest
    @ValueSource(strings = {"rfc6298", "rfc6298:min=0", "linux", "rfc793", "fixed", "quic", "eifel"})
    void shouldAllocateNothingPerSendAckOrExpiryInSteadyState(final String strategy)
    {
        timers = new RetransmissionTimers(wheel, RtoStrategies.parse(strategy), RetryPolicy.counting(6, 5, 255),
            false, CONNECTIONS, 1);
        for (int connection = 0; connection < CONNECTIONS; connection++)
        {
            timers.open(connection, Phase.DATA);
        }
        final com.sun.management.ThreadMXBean threads =
            (com.sun.management.ThreadMXBean)ManagementFactory.getThreadMXBean();
        final long thread = Thread.currentThread().getId();
        run(OPERATIONS); // warm up: the wheel's pages, JIT

        final long expiriesBefore = expiries;
        final long before = threads.getThreadAllocatedBytes(thread);
        run(OPERATIONS);
        final long allocated = threads.getThreadAllocatedBytes(thread) - before;
        assertTrue(expiries - expiriesBefore > 0, strategy + ": no timer expired in the measured part");
        final double perOperation = (double)allocated / OPERATIONS;
        assertTrue(perOperation < 0.05, strategy + ": allocated " + allocated + " bytes over " + OPERATIONS +
            " iterations (" + perOperation + " B/iteration)");
    }

    /** Per iteration one send and one ACK, every other ACK without a sample (of a retransmission); and expiries. */
    private void run(final int iterations)
    {
        for (int i = 0; i < iterations; i++)
        {
            final int connection = i & (CONNECTIONS - 1);
            nowUs += 100;
            timers.onSend(connection, nowUs);
            timers.onAck(connection, ack.of(nowUs, i, i + 2).rtt(10_000 + (i & 1023), (i & 1) == 0));
            if ((i & 1023) == 0)
            {
                // now and then let time run past every timer (RTOs reach 1 s and more), so that expiry and backoff
                // are on the path too
                nowUs += 3_000_000;
                wheel.poll(nowUs, onExpiry);
            }
        }
    }
}
