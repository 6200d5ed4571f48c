package io.escapement.engine.service;

import org.junit.jupiter.api.Test;

import java.lang.management.ManagementFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Steady-state arm + cancel, arm + fire and re-arm allocate nothing, on the arming side or the owner's: measured
 * with the JVM's per-thread allocation counter on a caller-driven service, where one thread does both sides. A
 * regression that boxes, captures a lambda or allocates a node per timer shows up as bytes per operation.
 */
class TimerServiceAllocationTest
{
    private static final int OPERATIONS = 200_000;

    private final AtomicLong clock = new AtomicLong();
    private long firedPayloads;
    private final TimerService service = TimerService.builder().clock(clock::get).capacity(1 << 12)
        .handler((handle, payload, deadlineNs) -> firedPayloads += payload).build();

    @Test
    void shouldAllocateNothingPerOperationInSteadyState()
    {
        final com.sun.management.ThreadMXBean threads =
            (com.sun.management.ThreadMXBean)ManagementFactory.getThreadMXBean();
        final long thread = Thread.currentThread().getId();
        run(OPERATIONS); // warm up: pages, chunks, histogram buckets, JIT

        final long before = threads.getThreadAllocatedBytes(thread);
        run(OPERATIONS);
        final long allocated = threads.getThreadAllocatedBytes(thread) - before;

        final double perOperation = (double)allocated / (3.0 * OPERATIONS);
        assertTrue(perOperation < 0.05, "allocated " + allocated + " bytes over " + 3 * OPERATIONS +
            " operations (" + perOperation + " B/op)");
        assertTrue(firedPayloads > 0);
    }

    /** Arm + cancel, arm + re-arm + fire, polling every 64 iterations. */
    private void run(final int iterations)
    {
        final Runnable task = () -> firedPayloads++;
        for (int i = 0; i < iterations; i++)
        {
            service.cancel(service.arm(1 + (i & 1023), TimeUnit.MICROSECONDS, i));
            final long fires = (i & 1) == 0 ? service.arm(i & 63, TimeUnit.NANOSECONDS, 1L) :
                service.arm(i & 63, TimeUnit.NANOSECONDS, task);
            service.rearm(fires, i & 127, TimeUnit.NANOSECONDS);
            if ((i & 63) == 0)
            {
                clock.addAndGet(100);
                service.poll();
            }
        }
    }
}
