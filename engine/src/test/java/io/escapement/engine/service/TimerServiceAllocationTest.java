package io.escapement.engine.service;

import org.junit.jupiter.api.Test;

import java.lang.management.ManagementFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Steady-state arm + cancel, arm + fire, re-arm and the runs of periodic timers allocate nothing, on the arming side
 * or the owner's: measured
 * with the JVM's per-thread allocation counter on a caller-driven service, where one thread does both sides. A
 * regression that boxes, captures a lambda or allocates a node per timer shows up as bytes per operation.
 */
class TimerServiceAllocationTest
{
    private static final int OPERATIONS = 200_000;

    private final AtomicLong clock = new AtomicLong();
    private long firedPayloads;
    private long periodicRuns;
    private final TimerService service = TimerService.builder().clock(clock::get).capacity(1 << 12)
        .handler((handle, payload, deadlineNs) ->
        {
            if (payload == PERIODIC)
            {
                periodicRuns++;
            }
            else
            {
                firedPayloads += payload;
            }
        }).build();
    private static final long PERIODIC = -1;

    @Test
    void shouldAllocateNothingPerOperationInSteadyState()
    {
        final com.sun.management.ThreadMXBean threads =
            (com.sun.management.ThreadMXBean)ManagementFactory.getThreadMXBean();
        final long thread = Thread.currentThread().getId();
        // Periodic timers, payload and Runnable, whose every run re-files them: each poll below runs each once.
        final long periodicPayload = service.armPeriodic(50, 100, TimeUnit.NANOSECONDS, PERIODIC);
        final long periodicTask = service.armPeriodic(50, 100, TimeUnit.NANOSECONDS, () -> periodicRuns++);
        run(OPERATIONS); // warm up: pages, chunks, histogram buckets, JIT

        final long runsBefore = periodicRuns;
        final long before = threads.getThreadAllocatedBytes(thread);
        run(OPERATIONS);
        final long allocated = threads.getThreadAllocatedBytes(thread) - before;
        assertTrue(periodicRuns - runsBefore >= 2 * (OPERATIONS / 64), "the periodic timers ran " +
            (periodicRuns - runsBefore) + " times in the measured part");
        assertTrue(service.isArmed(periodicPayload) && service.isArmed(periodicTask));

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
