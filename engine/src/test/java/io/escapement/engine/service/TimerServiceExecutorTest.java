package io.escapement.engine.service;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicLong;

import static java.util.concurrent.TimeUnit.NANOSECONDS;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Callbacks handed to an executor: what they throw reaches the {@link TimerErrorHandler} as on the owner thread
 * (the handler's contract: every exception a callback throws), and an executor's refusal is defined, counted and
 * reported. Caller-driven with an injected clock; the "executor" is a list run by the test on a thread of its own.
 */
class TimerServiceExecutorTest
{
    private final AtomicLong clock = new AtomicLong();
    private final List<Runnable> handedOver = new ArrayList<>();
    private final List<long[]> fired = new ArrayList<>();
    private final List<Long> errorHandles = new ArrayList<>();
    private final List<Throwable> errors = new ArrayList<>();

    private TimerService.Builder withExecutor(final Executor executor)
    {
        return TimerService.builder().clock(clock::get).executor(executor)
            .handler((handle, payload, deadlineNs) ->
            {
                if (payload < 0)
                {
                    throw new IllegalStateException("payload handler failed for " + payload);
                }
                fired.add(new long[]{handle, payload});
            })
            .errorHandler((handle, error) ->
            {
                synchronized (errors)
                {
                    errorHandles.add(handle);
                    errors.add(error);
                }
            });
    }

    @Test
    void shouldSendWhatARunnableRunOnTheExecutorThrowsToTheErrorHandler() throws InterruptedException
    {
        final TimerService service = withExecutor(handedOver::add).build();
        final IllegalStateException boom = new IllegalStateException("runnable failed");
        final long runnable = service.arm(1, NANOSECONDS, () ->
        {
            throw boom;
        });
        final long payload = service.arm(1, NANOSECONDS, -7L);
        clock.addAndGet(1);
        service.poll();
        assertEquals(2, handedOver.size());
        assertTrue(errors.isEmpty(), "nothing ran yet on the owner thread");

        final Thread executorThread = new Thread(() -> handedOver.forEach(Runnable::run), "executor");
        executorThread.start();
        executorThread.join();

        assertEquals(2, errors.size(), "each callback's exception reaches the error handler: " + errors);
        final int runnableAt = errorHandles.indexOf(runnable);
        assertTrue(runnableAt >= 0 && errorHandles.contains(payload), "handles " + errorHandles);
        assertSame(boom, errors.get(runnableAt));
        final TimerServiceMetrics metrics = service.metrics();
        assertEquals(2, metrics.callbackErrors());
        assertEquals(0, metrics.executorRejections());
        assertEquals(2, metrics.fired());
    }

    @Test
    void shouldRunTheRunnableOfATimerOnTheExecutorExactlyOnce()
    {
        final TimerService service = withExecutor(handedOver::add).build();
        final AtomicLong runs = new AtomicLong();
        service.arm(3, NANOSECONDS, runs::incrementAndGet);
        clock.addAndGet(3);
        service.poll();
        assertEquals(0, runs.get(), "the owner only hands it over");
        handedOver.forEach(Runnable::run);
        assertEquals(1, runs.get());
        assertTrue(errors.isEmpty());
    }

    @Test
    void shouldCountAndReportEachRefusalOfTheExecutorWithTheTimersHandle()
    {
        final RejectedExecutionException refusal = new RejectedExecutionException("executor shut down");
        final TimerService service = withExecutor(task ->
        {
            throw refusal;
        }).build();
        final AtomicLong runs = new AtomicLong();
        final long runnable = service.arm(1, NANOSECONDS, runs::incrementAndGet);
        final long payload = service.arm(1, NANOSECONDS, 5L);
        clock.addAndGet(1);
        assertEquals(2, service.poll(), "the service goes on after a refusal");

        assertEquals(0, runs.get());
        assertTrue(fired.isEmpty());
        assertEquals(List.of(refusal, refusal), errors);
        assertTrue(errorHandles.contains(runnable) && errorHandles.contains(payload), "handles " + errorHandles);
        final TimerServiceMetrics metrics = service.metrics();
        assertEquals(2, metrics.executorRejections());
        assertEquals(0, metrics.callbackErrors(), "no callback threw: none ran");
        assertEquals(2, metrics.fired(), "their deadlines came: fired, though their callbacks could not run");
        assertEquals(0, metrics.pending());
    }
}
