package io.escapement.netty;

import io.netty.util.Timeout;
import io.netty.util.TimerTask;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The adapter's own behaviour, where Netty's timer cannot be the reference (it reads the real clock) or where the
 * adapter differs on purpose: deadlines on an injected clock, the exact pending count, the capacity, the error
 * handler, the executor. Driven on the test's thread ({@code callerDriven}, {@code pollForTest}) with a manual clock,
 * so nothing here waits for time.
 */
class EscapementTimerTest
{
    private static final long TICK_NS = TimeUnit.MILLISECONDS.toNanos(1);
    private static final TimerTask NOTHING = timeout -> { };

    private final AtomicLong clockNs = new AtomicLong(-1_000_000_000L); // a negative origin: nanoTime's may be
    private final List<EscapementTimer> timers = new ArrayList<>();

    private EscapementTimer.Builder manual()
    {
        return EscapementTimer.builder().clock(clockNs::get).tickDuration(1, TimeUnit.MILLISECONDS).callerDriven();
    }

    private EscapementTimer build(final EscapementTimer.Builder builder)
    {
        final EscapementTimer timer = builder.build();
        timers.add(timer);
        return timer;
    }

    @AfterEach
    void stopAll()
    {
        timers.forEach(EscapementTimer::stop);
    }

    /** Counts its runs. */
    private static final class Counting implements TimerTask
    {
        final AtomicInteger runs = new AtomicInteger();

        @Override
        public void run(final Timeout timeout)
        {
            runs.incrementAndGet();
        }
    }

    @Test
    void shouldNeverExpireBeforeTheDelayOnTheInjectedClock()
    {
        final EscapementTimer timer = build(manual());
        final Counting task = new Counting();
        final Timeout timeout = timer.newTimeout(task, 250, TimeUnit.MILLISECONDS);
        clockNs.addAndGet(TimeUnit.MILLISECONDS.toNanos(250) - 1);
        timer.pollForTest();
        assertEquals(0, task.runs.get(), "ran 1 ns early");
        assertFalse(timeout.isExpired());
        clockNs.addAndGet(TICK_NS);
        timer.pollForTest();
        assertEquals(1, task.runs.get(), "not run within a tick of its deadline");
        assertTrue(timeout.isExpired());
        clockNs.addAndGet(TimeUnit.SECONDS.toNanos(10));
        timer.pollForTest();
        assertEquals(1, task.runs.get(), "ran twice");
    }

    @Test
    void shouldExpireInDeadlineOrder()
    {
        final EscapementTimer timer = build(manual());
        final List<Integer> order = new ArrayList<>();
        for (final int delayMs : new int[] {30, 10, 20})
        {
            timer.newTimeout(timeout -> order.add(delayMs), delayMs, TimeUnit.MILLISECONDS);
        }
        for (int ms = 0; ms < 40; ms++)
        {
            clockNs.addAndGet(TICK_NS);
            timer.pollForTest();
        }
        assertEquals(List.of(10, 20, 30), order);
    }

    @Test
    void shouldTreatANegativeDelayAsNow()
    {
        final EscapementTimer timer = build(manual());
        final Counting task = new Counting();
        timer.newTimeout(task, Long.MIN_VALUE, TimeUnit.NANOSECONDS);
        timer.pollForTest();
        assertEquals(1, task.runs.get());
    }

    @Test
    void shouldShortenDelaysBeyondTheClocksRangeToMaxDelay()
    {
        final EscapementTimer timer = build(manual());
        final Counting task = new Counting();
        final Timeout never = timer.newTimeout(task, Long.MAX_VALUE, TimeUnit.NANOSECONDS);
        clockNs.addAndGet(EscapementTimer.MAX_DELAY_NS - 1);
        timer.pollForTest();
        assertEquals(0, task.runs.get());
        clockNs.addAndGet(1);
        timer.pollForTest();
        assertEquals(1, task.runs.get(), "due at MAX_DELAY_NS");
        assertTrue(never.isExpired());
    }

    @Test
    void shouldCountACancelledTimeoutOutAtOnce()
    {
        final EscapementTimer timer = build(manual());
        final Timeout first = timer.newTimeout(NOTHING, 1, TimeUnit.HOURS);
        timer.newTimeout(NOTHING, 1, TimeUnit.HOURS);
        assertEquals(2, timer.pendingTimeouts());
        assertTrue(first.cancel());
        assertEquals(1, timer.pendingTimeouts(), "before the worker has seen the cancel");
        assertFalse(first.cancel());
        assertEquals(1, timer.pendingTimeouts(), "a second cancel counts nothing");
    }

    @Test
    void shouldNeverRunACancelledTaskWhenTheServiceFiresItAnyway()
    {
        final EscapementTimer timer = build(manual());
        final Counting task = new Counting();
        final EscapementTimeout timeout = (EscapementTimeout)timer.newTimeout(task, 0, TimeUnit.MILLISECONDS);
        assertTrue(timeout.cancel());
        timeout.run(); // the service's fire, had it won its own race against the service-level cancel
        assertEquals(0, task.runs.get());
        assertTrue(timeout.isCancelled());
        assertFalse(timeout.isExpired());
        assertEquals(0, timer.pendingTimeouts());
    }

    @Test
    void shouldRejectAtTheCapacityWhenNoMaximumIsGiven()
    {
        final EscapementTimer timer = build(manual().capacity(3));
        for (int i = 0; i < 3; i++)
        {
            timer.newTimeout(NOTHING, 1, TimeUnit.HOURS);
        }
        final RejectedExecutionException rejected = assertThrows(RejectedExecutionException.class,
            () -> timer.newTimeout(NOTHING, 1, TimeUnit.HOURS));
        assertTrue(rejected.getMessage().contains("capacity"), rejected.getMessage());
        assertEquals(3, timer.pendingTimeouts());
        assertEquals(3, timer.maxPendingTimeouts());
    }

    @Test
    void shouldLetMaxPendingTimeoutsOverrideTheCapacity()
    {
        final EscapementTimer timer = build(manual().capacity(3).maxPendingTimeouts(5));
        for (int i = 0; i < 5; i++)
        {
            timer.newTimeout(NOTHING, 1, TimeUnit.HOURS);
        }
        final RejectedExecutionException rejected = assertThrows(RejectedExecutionException.class,
            () -> timer.newTimeout(NOTHING, 1, TimeUnit.HOURS));
        assertTrue(rejected.getMessage().contains("maximum allowed pending timeouts (5)"), rejected.getMessage());
    }

    @Test
    void shouldAcceptNewTimeoutsAtTheMaximumWhileCancelledOnesAwaitTheWorker()
    {
        // 1,000 cancels the worker has not drained: their slots are still taken; the room above the maximum holds
        // them (64 here), and past that an arm waits for the worker, here the test's own poll, done by the helper
        // drain of a caller-driven service.
        final EscapementTimer timer = build(manual().maxPendingTimeouts(4).waitWhenFull(Duration.ofSeconds(5)));
        for (int i = 0; i < 1_000; i++)
        {
            timer.newTimeout(NOTHING, 1, TimeUnit.HOURS).cancel();
        }
        assertEquals(0, timer.pendingTimeouts());
        for (int i = 0; i < 4; i++)
        {
            timer.newTimeout(NOTHING, 1, TimeUnit.HOURS);
        }
        assertEquals(4, timer.pendingTimeouts());
    }

    @Test
    void shouldReportATasksExceptionToTheErrorHandlerAndGoOn()
    {
        final List<Timeout> failed = new ArrayList<>();
        final List<Throwable> errors = new ArrayList<>();
        final EscapementTimer timer = build(manual().errorHandler((timeout, error) ->
        {
            failed.add(timeout);
            errors.add(error);
        }));
        final IllegalStateException boom = new IllegalStateException("boom");
        final Timeout failing = timer.newTimeout(timeout -> { throw boom; }, 0, TimeUnit.MILLISECONDS);
        final Counting next = new Counting();
        timer.newTimeout(next, 0, TimeUnit.MILLISECONDS);
        timer.pollForTest();
        assertEquals(List.of(failing), failed);
        assertEquals(List.of(boom), errors);
        assertEquals(1, timer.taskErrors());
        assertEquals(1, next.runs.get());
        assertTrue(failing.isExpired());
    }

    @Test
    void shouldGoOnWhenTheErrorHandlerThrowsToo()
    {
        final EscapementTimer timer = build(manual().errorHandler((timeout, error) ->
        {
            throw new IllegalArgumentException("the handler's failure, on purpose (this error is expected)");
        }));
        timer.newTimeout(timeout -> { throw new IllegalStateException("on purpose"); }, 0, TimeUnit.MILLISECONDS);
        final Counting next = new Counting();
        timer.newTimeout(next, 0, TimeUnit.MILLISECONDS);
        timer.pollForTest();
        assertEquals(1, next.runs.get());
        assertEquals(1, timer.taskErrors());
    }

    @Test
    void shouldHandTasksToTheExecutorAfterDecidingTheExpiry()
    {
        final List<Runnable> handedOver = new ArrayList<>();
        final EscapementTimer timer = build(manual().taskExecutor(handedOver::add));
        final Counting task = new Counting();
        final Timeout timeout = timer.newTimeout(task, 0, TimeUnit.MILLISECONDS);
        timer.pollForTest();
        assertEquals(1, handedOver.size());
        assertTrue(timeout.isExpired(), "expired when handed over, as Netty's");
        assertFalse(timeout.cancel());
        assertEquals(0, task.runs.get(), "runs on the executor, not the worker");
        handedOver.get(0).run();
        assertEquals(1, task.runs.get());
    }

    @Test
    void shouldReportAnExecutorsRefusal()
    {
        final List<Throwable> errors = new ArrayList<>();
        final EscapementTimer timer = build(manual().errorHandler((timeout, error) -> errors.add(error))
            .taskExecutor(runnable -> { throw new RejectedExecutionException("full, on purpose"); }));
        timer.newTimeout(NOTHING, 0, TimeUnit.MILLISECONDS);
        timer.pollForTest();
        assertEquals(1, errors.size());
        assertInstanceOf(RejectedExecutionException.class, errors.get(0));
        assertEquals(1, timer.taskErrors());
    }

    @Test
    void shouldRefuseStopFromATaskOnTheDrivingThread()
    {
        final EscapementTimer timer = build(manual());
        final List<Throwable> thrown = new ArrayList<>();
        timer.newTimeout(timeout ->
        {
            try
            {
                timeout.timer().stop();
            }
            catch (final IllegalStateException e)
            {
                thrown.add(e);
            }
        }, 0, TimeUnit.MILLISECONDS);
        timer.pollForTest();
        assertEquals(1, thrown.size());
        final Counting next = new Counting();
        timer.newTimeout(next, 0, TimeUnit.MILLISECONDS);
        timer.pollForTest();
        assertEquals(1, next.runs.get(), "still running");
    }

    @Test
    void shouldHandBackExactlyThePendingTimeoutsOnStopAndNeverRunThem()
    {
        final EscapementTimer timer = build(manual());
        final Counting task = new Counting();
        final Timeout due = timer.newTimeout(task, 0, TimeUnit.MILLISECONDS);
        timer.pollForTest();
        final Timeout cancelled = timer.newTimeout(task, 1, TimeUnit.SECONDS);
        final Timeout pending = timer.newTimeout(task, 2, TimeUnit.SECONDS);
        final Timeout notDrained = timer.newTimeout(task, 0, TimeUnit.MILLISECONDS); // armed, never polled
        cancelled.cancel();
        final Set<Timeout> unexpired = timer.stop();
        assertEquals(Set.of(pending, notDrained), unexpired);
        for (final Timeout timeout : unexpired)
        {
            assertTrue(timeout.isCancelled(), "cancelled by the stop");
            assertFalse(timeout.cancel());
        }
        assertEquals(0, timer.pendingTimeouts());
        assertTrue(timer.stop().isEmpty());
        clockNs.addAndGet(TimeUnit.SECONDS.toNanos(5));
        timer.pollForTest();
        assertEquals(1, task.runs.get(), "only the one due before the stop ran");
        assertTrue(due.isExpired());
        assertThrows(IllegalStateException.class, () -> timer.newTimeout(NOTHING, 1, TimeUnit.SECONDS));
        assertThrows(IllegalStateException.class, timer::start);
    }

    @Test
    void shouldStopWhenTheThreadFactoryFails()
    {
        final EscapementTimer timer = build(EscapementTimer.builder().threadFactory(runnable ->
        {
            throw new IllegalStateException("no threads, on purpose");
        }));
        final IllegalStateException failure = assertThrows(IllegalStateException.class,
            () -> timer.newTimeout(NOTHING, 1, TimeUnit.SECONDS));
        assertEquals("no threads, on purpose", failure.getMessage());
        assertEquals(0, timer.pendingTimeouts());
        final IllegalStateException stopped = assertThrows(IllegalStateException.class,
            () -> timer.newTimeout(NOTHING, 1, TimeUnit.SECONDS));
        assertEquals("cannot be started once stopped", stopped.getMessage());
    }

    @Test
    void shouldStartOnceWhenStartIsCalledAgain()
    {
        final AtomicInteger made = new AtomicInteger();
        final EscapementTimer timer = build(EscapementTimer.builder().threadFactory(runnable ->
        {
            made.incrementAndGet();
            final Thread thread = new Thread(runnable);
            thread.setDaemon(true);
            return thread;
        }));
        timer.start();
        timer.start();
        timer.newTimeout(NOTHING, 1, TimeUnit.SECONDS);
        assertEquals(1, made.get());
    }

    @Test
    void shouldValidateTheBuildersArgumentsNamingEach()
    {
        assertMessage("capacity", () -> EscapementTimer.builder().capacity(0));
        assertMessage("maxPendingTimeouts", () -> EscapementTimer.builder().maxPendingTimeouts(1L << 40));
        assertMessage("tickDuration", () -> EscapementTimer.builder().tickDuration(0, TimeUnit.MILLISECONDS));
        assertMessage("ticksPerWheel", () -> EscapementTimer.builder().ticksPerWheel(0));
        assertMessage("waitWhenFull", () -> EscapementTimer.builder().waitWhenFull(Duration.ofSeconds(-1)));
        assertThrows(NullPointerException.class, () -> EscapementTimer.builder().threadFactory(null));
        assertThrows(NullPointerException.class, () -> EscapementTimer.builder().clock(null));
        assertThrows(NullPointerException.class, () -> EscapementTimer.builder().errorHandler(null));
        assertThrows(NullPointerException.class, () -> EscapementTimer.builder().taskExecutor(null));
        assertThrows(NullPointerException.class, () -> new EscapementTimer(null, 1, TimeUnit.SECONDS));
    }

    private static void assertMessage(final String name, final org.junit.jupiter.api.function.Executable call)
    {
        final IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call);
        assertTrue(e.getMessage().contains(name), e.getMessage());
    }

    @Test
    void shouldKeepTheServiceCapacityAboveTheMaximumForCancelledTimeouts()
    {
        final EscapementTimer timer = build(manual().maxPendingTimeouts(1_000));
        assertEquals(1_125, timer.service().capacity());
        assertSame(timer, timer.newTimeout(NOTHING, 1, TimeUnit.SECONDS).timer());
    }
}
