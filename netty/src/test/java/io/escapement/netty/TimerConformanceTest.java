package io.escapement.netty;

import io.netty.util.HashedWheelTimer;
import io.netty.util.Timeout;
import io.netty.util.Timer;
import io.netty.util.TimerTask;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The same user code against Netty's {@link HashedWheelTimer} (the specification, as it behaves) and
 * {@link EscapementTimer}: every scenario here must give the same observable outcome on both. Netty cannot take an
 * injected clock, so the scenarios wait for events (latches, a later sentinel timeout that proves an earlier deadline
 * has passed), never for a length of time, and assert no durations: a slow machine makes them slower, not flaky.
 * The few bounded waits ({@link #WAIT_S}) fail only if something that must happen never does.
 */
class TimerConformanceTest
{
    /** How long to wait for something that must happen; only a broken timer reaches it. */
    private static final long WAIT_S = 30;
    private static final long FAR_S = 3600;
    private static final TimerTask NOTHING = timeout -> { };

    /** The two implementations, built with the same arguments. */
    enum Impl
    {
        NETTY
        {
            @Override
            Timer create(final ThreadFactory factory, final long maxPending, final Executor executor)
            {
                return executor == null ?
                    new HashedWheelTimer(factory, 10, TimeUnit.MILLISECONDS, 64, false, maxPending) :
                    new HashedWheelTimer(factory, 10, TimeUnit.MILLISECONDS, 64, false, maxPending, executor);
            }

            @Override
            long pending(final Timer timer)
            {
                return ((HashedWheelTimer)timer).pendingTimeouts();
            }
        },
        ESCAPEMENT
        {
            @Override
            Timer create(final ThreadFactory factory, final long maxPending, final Executor executor)
            {
                return executor == null ?
                    new EscapementTimer(factory, 10, TimeUnit.MILLISECONDS, 64, false, maxPending) :
                    new EscapementTimer(factory, 10, TimeUnit.MILLISECONDS, 64, false, maxPending, executor);
            }

            @Override
            long pending(final Timer timer)
            {
                return ((EscapementTimer)timer).pendingTimeouts();
            }
        };

        abstract Timer create(ThreadFactory factory, long maxPending, Executor executor);

        abstract long pending(Timer timer);
    }

    /** Makes daemon threads and remembers them, so that a test can see which one ran a task and when it started. */
    private static final class Threads implements ThreadFactory
    {
        final List<Thread> made = new CopyOnWriteArrayList<>();

        @Override
        public Thread newThread(final Runnable runnable)
        {
            final Thread thread = new Thread(runnable, "conformance-worker");
            thread.setDaemon(true);
            made.add(thread);
            return thread;
        }

        long started()
        {
            return made.stream().filter(thread -> thread.getState() != Thread.State.NEW).count();
        }
    }

    private final Threads threads = new Threads();
    private final List<Timer> timers = new ArrayList<>();
    private ExecutorService executor;

    private Timer timer(final Impl impl)
    {
        return timer(impl, -1);
    }

    private Timer timer(final Impl impl, final long maxPending)
    {
        final Timer timer = impl.create(threads, maxPending, null);
        timers.add(timer);
        return timer;
    }

    @AfterEach
    void stopAll()
    {
        timers.forEach(Timer::stop);
        if (executor != null)
        {
            executor.shutdownNow();
        }
    }

    /** A task that counts its runs and opens a latch. */
    private static final class Counting implements TimerTask
    {
        final AtomicInteger runs = new AtomicInteger();
        final CountDownLatch ran = new CountDownLatch(1);
        final AtomicReference<Timeout> seen = new AtomicReference<>();
        volatile boolean expiredInside;
        volatile Thread thread;

        @Override
        public void run(final Timeout timeout)
        {
            seen.set(timeout);
            expiredInside = timeout.isExpired();
            thread = Thread.currentThread();
            runs.incrementAndGet();
            ran.countDown();
        }

        void await() throws InterruptedException
        {
            assertTrue(ran.await(WAIT_S, TimeUnit.SECONDS), "the task never ran");
        }
    }

    private static void eventually(final BooleanSupplier condition, final String what) throws InterruptedException
    {
        final long giveUpAt = System.nanoTime() + TimeUnit.SECONDS.toNanos(WAIT_S);
        while (!condition.getAsBoolean())
        {
            if (System.nanoTime() - giveUpAt > 0)
            {
                fail("never happened: " + what);
            }
            Thread.sleep(1);
        }
    }

    @ParameterizedTest
    @EnumSource(Impl.class)
    void shouldThrowNullPointerExceptionWhenTaskOrUnitIsNull(final Impl impl)
    {
        final Timer timer = timer(impl);
        assertThrows(NullPointerException.class, () -> timer.newTimeout(null, 1, TimeUnit.SECONDS));
        assertThrows(NullPointerException.class, () -> timer.newTimeout(NOTHING, 1, null));
        assertEquals(0, impl.pending(timer));
    }

    @ParameterizedTest
    @EnumSource(Impl.class)
    void shouldThrowIllegalStateExceptionWhenNewTimeoutAfterStop(final Impl impl)
    {
        final Timer timer = timer(impl);
        timer.newTimeout(NOTHING, FAR_S, TimeUnit.SECONDS);
        timer.stop();
        assertThrows(IllegalStateException.class, () -> timer.newTimeout(NOTHING, 1, TimeUnit.SECONDS));
    }

    @ParameterizedTest
    @EnumSource(Impl.class)
    void shouldThrowIllegalStateExceptionWhenNewTimeoutAfterStopOfAnUnstartedTimer(final Impl impl)
    {
        final Timer timer = timer(impl);
        assertTrue(timer.stop().isEmpty());
        assertThrows(IllegalStateException.class, () -> timer.newTimeout(NOTHING, 1, TimeUnit.SECONDS));
        assertEquals(0, threads.started(), "a stopped timer started a worker");
    }

    @ParameterizedTest
    @EnumSource(Impl.class)
    void shouldReturnAnEmptySetWhenStoppedTwice(final Impl impl)
    {
        final Timer timer = timer(impl);
        timer.newTimeout(NOTHING, FAR_S, TimeUnit.SECONDS);
        assertEquals(1, timer.stop().size());
        assertTrue(timer.stop().isEmpty());
    }

    @ParameterizedTest
    @EnumSource(Impl.class)
    void shouldRefuseStopWhenCalledFromATimerTask(final Impl impl) throws InterruptedException
    {
        final Timer timer = timer(impl);
        final AtomicReference<Throwable> thrown = new AtomicReference<>();
        final CountDownLatch done = new CountDownLatch(1);
        timer.newTimeout(timeout ->
        {
            try
            {
                timeout.timer().stop();
            }
            catch (final Throwable t)
            {
                thrown.set(t);
            }
            done.countDown();
        }, 0, TimeUnit.MILLISECONDS);
        assertTrue(done.await(WAIT_S, TimeUnit.SECONDS));
        assertInstanceOf(IllegalStateException.class, thrown.get());
        // and the timer still works
        final Counting next = new Counting();
        timer.newTimeout(next, 0, TimeUnit.MILLISECONDS);
        next.await();
    }

    @ParameterizedTest
    @EnumSource(Impl.class)
    void shouldRejectWhenPendingTimeoutsWouldExceedTheMaximum(final Impl impl) throws InterruptedException
    {
        final Timer timer = timer(impl, 2);
        final Timeout first = timer.newTimeout(NOTHING, FAR_S, TimeUnit.SECONDS);
        timer.newTimeout(NOTHING, FAR_S, TimeUnit.SECONDS);
        assertThrows(RejectedExecutionException.class, () -> timer.newTimeout(NOTHING, FAR_S, TimeUnit.SECONDS));
        assertEquals(2, impl.pending(timer), "a rejected timeout is not counted");
        assertTrue(first.cancel());
        // Netty counts a cancelled timeout until its worker's next tick; the adapter at once
        eventually(() -> impl.pending(timer) == 1, "the cancelled timeout left the count");
        final Timeout third = timer.newTimeout(NOTHING, FAR_S, TimeUnit.SECONDS);
        assertFalse(third.isExpired());
        assertEquals(2, impl.pending(timer));
    }

    @ParameterizedTest
    @EnumSource(Impl.class)
    void shouldRunTheTaskOnceAndReportExpiredWhenDue(final Impl impl) throws InterruptedException
    {
        final Timer timer = timer(impl);
        final Counting task = new Counting();
        final Timeout timeout = timer.newTimeout(task, 20, TimeUnit.MILLISECONDS);
        task.await();
        assertSame(timeout, task.seen.get(), "the task receives its own timeout");
        assertTrue(task.expiredInside, "expired while the task runs");
        assertTrue(timeout.isExpired());
        assertFalse(timeout.isCancelled());
        assertFalse(timeout.cancel(), "cancel after expiry");
        assertFalse(timeout.isCancelled());
        eventually(() -> impl.pending(timer) == 0, "the expired timeout left the count");
        // a sentinel armed after the expiry runs, and the task has still run once
        final Counting sentinel = new Counting();
        timer.newTimeout(sentinel, 20, TimeUnit.MILLISECONDS);
        sentinel.await();
        assertEquals(1, task.runs.get());
    }

    @ParameterizedTest
    @EnumSource(Impl.class)
    void shouldNeverRunTheTaskWhenCancelledFirst(final Impl impl) throws InterruptedException
    {
        final Timer timer = timer(impl);
        final Counting cancelled = new Counting();
        final Timeout timeout = timer.newTimeout(cancelled, 20, TimeUnit.MILLISECONDS);
        assertTrue(timeout.cancel(), "the first cancel of a pending timeout");
        assertFalse(timeout.cancel(), "the second cancel");
        assertTrue(timeout.isCancelled());
        assertFalse(timeout.isExpired());
        // a sentinel due well after the cancelled deadline runs on the same worker, later: the deadline has passed
        final Counting sentinel = new Counting();
        timer.newTimeout(sentinel, 200, TimeUnit.MILLISECONDS);
        sentinel.await();
        assertEquals(0, cancelled.runs.get(), "a cancelled task ran");
        assertTrue(timeout.isCancelled());
        assertFalse(timeout.isExpired());
    }

    @ParameterizedTest
    @EnumSource(Impl.class)
    void shouldReturnTheUnexpiredTimeoutsFromStop(final Impl impl) throws InterruptedException
    {
        final Timer timer = timer(impl);
        final Counting a = new Counting();
        final Counting b = new Counting();
        final Counting c = new Counting();
        final Counting d = new Counting();
        final Timeout pendingA = timer.newTimeout(a, FAR_S, TimeUnit.SECONDS);
        final Timeout cancelledB = timer.newTimeout(b, FAR_S, TimeUnit.SECONDS);
        final Timeout pendingC = timer.newTimeout(c, FAR_S, TimeUnit.SECONDS);
        final Timeout expiredD = timer.newTimeout(d, 0, TimeUnit.MILLISECONDS);
        assertTrue(cancelledB.cancel());
        d.await();
        final Set<Timeout> unexpired = timer.stop();
        assertEquals(Set.of(pendingA, pendingC), unexpired);
        for (final Timeout timeout : unexpired)
        {
            // Netty's own (4.1.118): the stop cancelled what it hands back
            assertFalse(timeout.isExpired());
            assertTrue(timeout.isCancelled());
            assertFalse(timeout.cancel(), "cancelled already, by the stop");
        }
        assertTrue(expiredD.isExpired());
        assertEquals(0, a.runs.get() + b.runs.get() + c.runs.get());
    }

    @ParameterizedTest
    @EnumSource(Impl.class)
    void shouldCountPendingTimeouts(final Impl impl) throws InterruptedException
    {
        final Timer timer = timer(impl);
        final List<Timeout> far = new ArrayList<>();
        for (int i = 0; i < 10; i++)
        {
            far.add(timer.newTimeout(NOTHING, FAR_S, TimeUnit.SECONDS));
        }
        assertEquals(10, impl.pending(timer));
        far.get(3).cancel();
        eventually(() -> impl.pending(timer) == 9, "a cancel is counted out");
        final Counting due = new Counting();
        timer.newTimeout(due, 0, TimeUnit.MILLISECONDS);
        due.await();
        eventually(() -> impl.pending(timer) == 9, "an expiry is counted out");
    }

    @ParameterizedTest
    @EnumSource(Impl.class)
    void shouldExposeItsTimerAndTask(final Impl impl)
    {
        final Timer timer = timer(impl);
        final Timeout timeout = timer.newTimeout(NOTHING, FAR_S, TimeUnit.SECONDS);
        assertSame(timer, timeout.timer());
        assertSame(NOTHING, timeout.task());
        assertFalse(timeout.isExpired());
        assertFalse(timeout.isCancelled());
    }

    @ParameterizedTest
    @EnumSource(Impl.class)
    void shouldGoOnWhenATaskThrows(final Impl impl) throws InterruptedException
    {
        final Timer timer = timer(impl);
        final CountDownLatch thrown = new CountDownLatch(1);
        final Timeout failing = timer.newTimeout(timeout ->
        {
            thrown.countDown();
            throw new IllegalStateException("a task's failure, on purpose (this warning is expected)");
        }, 0, TimeUnit.MILLISECONDS);
        assertTrue(thrown.await(WAIT_S, TimeUnit.SECONDS));
        final Counting next = new Counting();
        timer.newTimeout(next, 0, TimeUnit.MILLISECONDS);
        next.await();
        assertTrue(failing.isExpired());
    }

    @ParameterizedTest
    @EnumSource(Impl.class)
    void shouldRunANegativeDelayAsSoonAsPossible(final Impl impl) throws InterruptedException
    {
        final Timer timer = timer(impl);
        final Counting task = new Counting();
        timer.newTimeout(task, -5, TimeUnit.SECONDS);
        task.await();
    }

    @ParameterizedTest
    @EnumSource(Impl.class)
    void shouldAcceptTheLargestDelayAsNever(final Impl impl)
    {
        final Timer timer = timer(impl);
        final Timeout never = timer.newTimeout(NOTHING, Long.MAX_VALUE, TimeUnit.DAYS);
        assertFalse(never.isExpired());
        assertEquals(Set.of(never), timer.stop());
    }

    @ParameterizedTest
    @EnumSource(Impl.class)
    void shouldStartTheWorkerOnTheFirstNewTimeout(final Impl impl) throws InterruptedException
    {
        final Timer timer = timer(impl);
        assertEquals(0, threads.started(), "started before any timeout");
        final Counting task = new Counting();
        timer.newTimeout(task, 0, TimeUnit.MILLISECONDS);
        assertEquals(1, threads.started());
        task.await();
        assertSame(threads.made.get(0), task.thread, "tasks run on the worker the factory made");
        timer.newTimeout(NOTHING, FAR_S, TimeUnit.SECONDS);
        assertEquals(1, threads.made.size(), "one worker");
    }

    @ParameterizedTest
    @EnumSource(Impl.class)
    void shouldRunTasksOnTheTaskExecutor(final Impl impl) throws InterruptedException
    {
        executor = Executors.newSingleThreadExecutor(runnable -> new Thread(runnable, "conformance-executor"));
        final Timer timer = impl.create(threads, -1, executor);
        timers.add(timer);
        final Counting task = new Counting();
        final Timeout timeout = timer.newTimeout(task, 0, TimeUnit.MILLISECONDS);
        task.await();
        assertEquals("conformance-executor", task.thread.getName());
        assertTrue(timeout.isExpired());
    }

    @ParameterizedTest
    @EnumSource(Impl.class)
    void shouldValidateTheConstructorsArguments(final Impl impl)
    {
        assertThrows(NullPointerException.class, () -> impl.create(null, -1, null));
        final Class<? extends Timer> type = impl == Impl.NETTY ? HashedWheelTimer.class : EscapementTimer.class;
        assertThrows(IllegalArgumentException.class, () -> construct(type, 0, TimeUnit.MILLISECONDS, 64));
        assertThrows(IllegalArgumentException.class, () -> construct(type, -1, TimeUnit.MILLISECONDS, 64));
        assertThrows(IllegalArgumentException.class, () -> construct(type, 10, TimeUnit.MILLISECONDS, 0));
        assertThrows(NullPointerException.class, () -> construct(type, 10, null, 64));
    }

    /** The (tickDuration, unit, ticksPerWheel) constructor of either class, its own exception unwrapped. */
    private Timer construct(final Class<? extends Timer> type, final long tick, final TimeUnit unit, final int ticks)
        throws Throwable
    {
        try
        {
            final Timer timer = type.getConstructor(long.class, TimeUnit.class, int.class).newInstance(tick, unit, ticks);
            timers.add(timer);
            return timer;
        }
        catch (final java.lang.reflect.InvocationTargetException e)
        {
            throw e.getCause();
        }
    }
}
