package io.escapement.engine.executor;

import org.junit.jupiter.api.Test;

import java.lang.management.ManagementFactory;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Schedule then cancel of a one-shot task allocates the future and nothing else: measured with the JVM's per-thread
 * allocation counter on a caller-driven executor, where one thread schedules, cancels and drives (so the driver's
 * retiring of the cancelled timers is counted too). The future is one object of at most 64 bytes with compressed
 * references (12-byte header, 50 bytes of fields); a second object per operation (a Callable adapter, a queue or set
 * node, a boxed value, a capturing lambda) would push the figure past 64.
 */
class TimerScheduledExecutorAllocationTest
{
    private static final int OPERATIONS = 200_000;
    private static final Runnable NOTHING = () -> { };

    private final AtomicLong clock = new AtomicLong();
    private final TimerScheduledExecutor executor = TimerScheduledExecutor.builder().clock(clock::get)
        .callerDriven().capacity(1 << 12).build();

    @Test
    void shouldAllocateOnlyTheFuturePerScheduleAndCancel()
    {
        final com.sun.management.ThreadMXBean threads =
            (com.sun.management.ThreadMXBean)ManagementFactory.getThreadMXBean();
        final long thread = Thread.currentThread().getId();
        int cancelled = run(OPERATIONS); // warm up: the service's pages, chunks and task array, the JIT

        final long before = threads.getThreadAllocatedBytes(thread);
        cancelled += run(OPERATIONS);
        final long allocated = threads.getThreadAllocatedBytes(thread) - before;

        final double perOperation = (double)allocated / OPERATIONS;
        assertTrue(perOperation <= 64.5, "allocated " + allocated + " bytes over " + OPERATIONS +
            " schedule + cancel (" + perOperation + " B/op): more than the future");
        assertTrue(perOperation >= 24, "the future itself is counted: " + perOperation + " B/op");
        assertTrue(cancelled == 2 * OPERATIONS, "every cancel stopped its task: " + cancelled);
        executor.shutdownNow();
    }

    private int run(final int iterations)
    {
        int cancelled = 0;
        for (int i = 0; i < iterations; i++)
        {
            final ScheduledFuture<?> future = executor.schedule(NOTHING, 1_000 + (i & 8191), TimeUnit.MILLISECONDS);
            cancelled += future.cancel(false) ? 1 : 0;
            if ((i & 63) == 0)
            {
                executor.poll(); // the driver's drain retires the cancelled timers and frees their slots
            }
        }
        return cancelled;
    }
}
