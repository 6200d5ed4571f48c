package io.escapement.engine.executor;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.RunnableScheduledFuture;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import static java.util.concurrent.TimeUnit.HOURS;
import static java.util.concurrent.TimeUnit.MICROSECONDS;
import static java.util.concurrent.TimeUnit.MILLISECONDS;
import static java.util.concurrent.TimeUnit.NANOSECONDS;
import static java.util.concurrent.TimeUnit.SECONDS;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Each documented behaviour of {@link java.util.concurrent.ScheduledExecutorService},
 * {@link java.util.concurrent.ExecutorService}, {@link java.util.concurrent.ScheduledFuture} and
 * {@link java.util.concurrent.Future} (JDK 17 Javadoc), on a caller-driven executor with a manual clock: the test
 * moves the clock and polls, so every "not yet" and "now" is exact. Blocking calls ({@code get}, cancel while
 * running) use a second thread with bounded waits, never a timing assertion.
 * {@link TimerScheduledExecutorConformanceTest} runs the shared scenarios against the JDK's own scheduler too.
 */
class TimerScheduledExecutorTest
{
    private final AtomicLong clock = new AtomicLong(1_000_000);
    private final List<ExecutorService> pools = new ArrayList<>();
    private TimerScheduledExecutor executor;

    private TimerScheduledExecutor manual()
    {
        executor = TimerScheduledExecutor.builder().clock(clock::get).callerDriven().build();
        return executor;
    }

    private void advance(final long amount, final TimeUnit unit)
    {
        clock.addAndGet(unit.toNanos(amount));
        executor.poll();
    }

    private ExecutorService pool(final int threads)
    {
        final ExecutorService pool = Executors.newFixedThreadPool(threads);
        pools.add(pool);
        return pool;
    }

    @AfterEach
    void tearDown()
    {
        if (executor != null)
        {
            executor.shutdownNow();
        }
        pools.forEach(ExecutorService::shutdownNow);
    }

    // ------------------------------------------------------------------------------------------ schedule

    @Test
    void shouldRunARunnableAtItsDelayAndNotOneNanosecondBefore() throws Exception
    {
        final TimerScheduledExecutor ex = manual();
        final AtomicInteger runs = new AtomicInteger();
        final Runnable task = runs::incrementAndGet;
        final ScheduledFuture<?> future = ex.schedule(task, 5, MILLISECONDS);
        advance(MILLISECONDS.toNanos(5) - 1, NANOSECONDS);
        assertEquals(0, runs.get());
        assertFalse(future.isDone());
        advance(1, NANOSECONDS);
        assertEquals(1, runs.get());
        assertTrue(future.isDone());
        assertFalse(future.isCancelled());
        assertNull(future.get(), "a Runnable's future returns null");
        advance(1, HOURS);
        assertEquals(1, runs.get(), "a one-shot task runs once");
    }

    @Test
    void shouldReturnTheCallablesResultFromGet() throws Exception
    {
        final TimerScheduledExecutor ex = manual();
        final ScheduledFuture<String> future = ex.schedule(() -> "done", 1, SECONDS);
        advance(1, SECONDS);
        assertEquals("done", future.get());
        assertEquals("done", future.get(0, NANOSECONDS));
    }

    @Test
    void shouldCompleteExceptionallyWithTheCallablesException()
    {
        final TimerScheduledExecutor ex = manual();
        final IllegalStateException boom = new IllegalStateException("boom");
        final ScheduledFuture<String> future = ex.schedule(() -> { throw boom; }, 1, SECONDS);
        advance(1, SECONDS);
        assertTrue(future.isDone());
        assertFalse(future.isCancelled());
        final ExecutionException e = assertThrows(ExecutionException.class, future::get);
        assertSame(boom, e.getCause());
    }

    @Test
    void shouldTreatZeroAndNegativeDelaysAsNow()
    {
        final TimerScheduledExecutor ex = manual();
        final AtomicInteger runs = new AtomicInteger();
        ex.schedule(runs::incrementAndGet, 0, SECONDS);
        ex.schedule(runs::incrementAndGet, -5, SECONDS);
        ex.schedule(runs::incrementAndGet, Long.MIN_VALUE, NANOSECONDS);
        ex.poll();
        assertEquals(3, runs.get());
    }

    @Test
    void shouldAcceptTheLargestDelayAndCancelIt()
    {
        final TimerScheduledExecutor ex = manual();
        final ScheduledFuture<?> future = ex.schedule(() -> { }, Long.MAX_VALUE, NANOSECONDS);
        final ScheduledFuture<?> days = ex.schedule(() -> { }, Long.MAX_VALUE, TimeUnit.DAYS);
        advance(1000, TimeUnit.DAYS);
        assertFalse(future.isDone());
        assertTrue(future.getDelay(TimeUnit.DAYS) > 365 * 70, "capped at about 73 years: " +
            future.getDelay(TimeUnit.DAYS));
        assertTrue(future.cancel(false));
        assertTrue(days.cancel(false));
    }

    @Test
    void shouldRunTasksSubmittedWithoutADelayInSubmissionOrder() throws Exception
    {
        final TimerScheduledExecutor ex = manual();
        final List<Integer> order = new ArrayList<>();
        final int tasks = 3 * TimerScheduledExecutor.DRAIN_BATCH + 7; // several drains
        for (int i = 0; i < tasks; i++)
        {
            final int n = i;
            switch (i % 3)
            {
                case 0:
                    ex.execute(() -> order.add(n));
                    break;
                case 1:
                    ex.submit(() -> order.add(n));
                    break;
                default:
                    ex.submit(() -> order.add(n), "x");
                    break;
            }
        }
        for (int i = 0; i < 10 && order.size() < tasks; i++)
        {
            ex.poll();
        }
        assertEquals(tasks, order.size());
        for (int i = 0; i < tasks; i++)
        {
            assertEquals(i, order.get(i));
        }
    }

    @Test
    void shouldReturnTheGivenResultFromSubmitOfARunnable() throws Exception
    {
        final TimerScheduledExecutor ex = manual();
        final Future<String> future = ex.submit(() -> { }, "result");
        final Future<String> callable = ex.submit(() -> "called");
        final Future<?> runnable = ex.submit(() -> { });
        ex.poll();
        assertEquals("result", future.get());
        assertEquals("called", callable.get());
        assertNull(runnable.get());
    }

    @Test
    void shouldKeepAnExecutedTasksExceptionInItsFutureAndGoOn()
    {
        final TimerScheduledExecutor ex = manual();
        final AtomicInteger runs = new AtomicInteger();
        ex.execute(() -> { throw new IllegalStateException("ignored, as by the JDK's scheduler"); });
        ex.execute(runs::incrementAndGet);
        ex.poll();
        assertEquals(1, runs.get());
    }

    // ------------------------------------------------------------------------------------------ ScheduledFuture

    @Test
    void shouldAnswerGetDelayOnTheServicesClockInTheAskedUnit()
    {
        final TimerScheduledExecutor ex = manual();
        final ScheduledFuture<?> future = ex.schedule(() -> { }, 10, SECONDS);
        assertEquals(SECONDS.toNanos(10), future.getDelay(NANOSECONDS));
        assertEquals(10_000, future.getDelay(MILLISECONDS));
        advance(4, SECONDS);
        assertEquals(6, future.getDelay(SECONDS));
        assertEquals(SECONDS.toNanos(6), future.getDelay(NANOSECONDS));
    }

    @Test
    void shouldOrderFuturesByDeadlineAndAgreeWithForeignDelayeds()
    {
        final TimerScheduledExecutor ex = manual();
        final ScheduledFuture<?> early = ex.schedule(() -> { }, 1, SECONDS);
        final ScheduledFuture<?> late = ex.schedule(() -> { }, 2, SECONDS);
        assertTrue(early.compareTo(late) < 0);
        assertTrue(late.compareTo(early) > 0);
        assertEquals(0, early.compareTo(early));
        final java.util.concurrent.Delayed foreign = new java.util.concurrent.Delayed()
        {
            @Override
            public long getDelay(final TimeUnit unit)
            {
                return unit.convert(1500, MILLISECONDS);
            }

            @Override
            public int compareTo(final java.util.concurrent.Delayed o)
            {
                return Long.compare(getDelay(NANOSECONDS), o.getDelay(NANOSECONDS));
            }
        };
        assertTrue(early.compareTo(foreign) < 0);
        assertTrue(late.compareTo(foreign) > 0);
    }

    @Test
    void shouldSayWhetherAFutureIsPeriodic()
    {
        final TimerScheduledExecutor ex = manual();
        assertFalse(((RunnableScheduledFuture<?>)ex.schedule(() -> { }, 1, SECONDS)).isPeriodic());
        assertTrue(((RunnableScheduledFuture<?>)ex.scheduleAtFixedRate(() -> { }, 1, 1, SECONDS)).isPeriodic());
        assertTrue(((RunnableScheduledFuture<?>)ex.scheduleWithFixedDelay(() -> { }, 1, 1, SECONDS)).isPeriodic());
    }

    // ------------------------------------------------------------------------------------------ cancel

    @Test
    void shouldNeverRunATaskCancelledBeforeItStarted()
    {
        final TimerScheduledExecutor ex = manual();
        final AtomicInteger runs = new AtomicInteger();
        final ScheduledFuture<?> future = ex.schedule(runs::incrementAndGet, 1, SECONDS);
        assertTrue(future.cancel(false));
        assertTrue(future.isCancelled());
        assertTrue(future.isDone());
        assertThrows(CancellationException.class, future::get);
        assertThrows(CancellationException.class, () -> future.get(1, SECONDS));
        assertFalse(future.cancel(false), "a second cancel has no effect");
        assertFalse(future.cancel(true));
        advance(1, HOURS);
        assertEquals(0, runs.get());
        assertTrue(future.isCancelled());
    }

    @Test
    void shouldRefuseToCancelACompletedTask() throws Exception
    {
        final TimerScheduledExecutor ex = manual();
        final ScheduledFuture<Integer> future = ex.schedule(() -> 7, 1, SECONDS);
        advance(1, SECONDS);
        assertFalse(future.cancel(true));
        assertFalse(future.isCancelled());
        assertEquals(7, future.get());
    }

    @Test
    void shouldNeverRunAnImmediateTaskCancelledBeforeTheDrain()
    {
        final TimerScheduledExecutor ex = manual();
        final AtomicInteger runs = new AtomicInteger();
        final Future<?> future = ex.submit(runs::incrementAndGet);
        assertTrue(future.cancel(false));
        ex.poll();
        assertEquals(0, runs.get());
    }

    @Test
    void shouldFreeACancelledTasksSlotSoThatAFullExecutorTakesTasksAgain()
    {
        executor = TimerScheduledExecutor.builder().clock(clock::get).callerDriven().capacity(1)
            .waitWhenFull(java.time.Duration.ZERO).build();
        final ScheduledFuture<?> first = executor.schedule(() -> { }, 1, HOURS);
        final RejectedExecutionException full = assertThrows(RejectedExecutionException.class,
            () -> executor.schedule(() -> { }, 1, HOURS));
        assertTrue(full.getMessage().contains("capacity"), full.getMessage());
        assertTrue(first.cancel(false));
        executor.poll(); // the driver's drain retires the cancelled timer
        final ScheduledFuture<?> second = executor.schedule(() -> { }, 1, HOURS);
        assertFalse(second.isDone());
    }

    @Test
    void shouldNotCountARefusedTaskAgainstTermination() throws Exception
    {
        executor = TimerScheduledExecutor.builder().clock(clock::get).callerDriven().capacity(1)
            .waitWhenFull(java.time.Duration.ZERO).build();
        final ScheduledFuture<?> first = executor.schedule(() -> { }, 1, SECONDS);
        assertThrows(RejectedExecutionException.class, () -> executor.schedule(() -> { }, 1, HOURS));
        executor.shutdown();
        assertFalse(executor.isTerminated());
        advance(1, SECONDS);
        assertTrue(first.isDone());
        assertTrue(executor.isTerminated(), "only the accepted task was waited for");
    }

    @Test
    @Timeout(20)
    void shouldInterruptTheRunningTaskOnCancelTrueAndDiscardItsOutcome() throws Exception
    {
        executor = TimerScheduledExecutor.builder().clock(clock::get).callerDriven().executor(pool(1)).build();
        final CountDownLatch started = new CountDownLatch(1);
        final AtomicBoolean sawInterrupt = new AtomicBoolean();
        final CountDownLatch finished = new CountDownLatch(1);
        final ScheduledFuture<String> future = executor.schedule(() ->
        {
            started.countDown();
            try
            {
                new CountDownLatch(1).await();
            }
            catch (final InterruptedException e)
            {
                sawInterrupt.set(true);
            }
            finished.countDown();
            return "too late";
        }, 1, SECONDS);
        advance(1, SECONDS);
        assertTrue(started.await(10, SECONDS));
        assertFalse(future.isDone(), "running");
        assertTrue(future.cancel(true), "a running task can be cancelled (as FutureTask)");
        assertTrue(finished.await(10, SECONDS));
        assertTrue(sawInterrupt.get());
        assertTrue(future.isCancelled());
        assertThrows(CancellationException.class, future::get);
    }

    @Test
    @Timeout(20)
    void shouldNotInterruptTheRunningTaskOnCancelFalse() throws Exception
    {
        executor = TimerScheduledExecutor.builder().clock(clock::get).callerDriven().executor(pool(1)).build();
        final CountDownLatch started = new CountDownLatch(1);
        final CountDownLatch release = new CountDownLatch(1);
        final AtomicBoolean interrupted = new AtomicBoolean();
        final ScheduledFuture<String> future = executor.schedule(() ->
        {
            started.countDown();
            release.await();
            interrupted.set(Thread.currentThread().isInterrupted());
            return "discarded";
        }, 1, SECONDS);
        advance(1, SECONDS);
        assertTrue(started.await(10, SECONDS));
        assertTrue(future.cancel(false));
        release.countDown();
        executor.shutdown();
        assertTrue(executor.awaitTermination(10, SECONDS), "terminates once the cancelled task returned");
        assertFalse(interrupted.get());
        assertThrows(CancellationException.class, future::get);
    }

    @Test
    @Timeout(20)
    void shouldClearTheCancelInterruptFromTheThreadThatRanTheTaskOnTheDriver() throws Exception
    {
        // Without an executor the task runs on the driver (here the polling thread): the interrupt of cancel(true)
        // was for the task, and must not be left on the thread that drives the timers.
        final TimerScheduledExecutor ex = manual();
        final CountDownLatch started = new CountDownLatch(1);
        final AtomicBoolean sawInterrupt = new AtomicBoolean();
        final ScheduledFuture<?> future = ex.schedule(() ->
        {
            started.countDown();
            try
            {
                new CountDownLatch(1).await();
            }
            catch (final InterruptedException e)
            {
                sawInterrupt.set(true);
                Thread.currentThread().interrupt(); // the usual idiom: restore the flag
            }
        }, 1, SECONDS);
        final Thread canceller = new Thread(() ->
        {
            try
            {
                started.await();
                future.cancel(true);
            }
            catch (final InterruptedException e)
            {
                throw new AssertionError(e);
            }
        });
        canceller.start();
        advance(1, SECONDS);
        canceller.join();
        assertTrue(sawInterrupt.get());
        assertFalse(Thread.currentThread().isInterrupted(), "the driver's thread is not left interrupted");
        assertTrue(future.isCancelled());
    }

    @Test
    void shouldNotLeaveATasksOwnInterruptOnTheThreadThatDrivesTheTimers()
    {
        final TimerScheduledExecutor ex = manual();
        final AtomicBoolean secondSawInterrupt = new AtomicBoolean(true);
        ex.schedule(() -> Thread.currentThread().interrupt(), 1, SECONDS); // the "restore the flag" idiom
        ex.schedule(() -> secondSawInterrupt.set(Thread.currentThread().isInterrupted()), 2, SECONDS);
        advance(1, SECONDS);
        assertFalse(Thread.currentThread().isInterrupted(), "cleared between tasks, as a pool worker does");
        advance(1, SECONDS);
        assertFalse(secondSawInterrupt.get(), "the next task starts uninterrupted");
    }

    /**
     * {@code run()} is public ({@link RunnableScheduledFuture}): a second call while the task runs, as the JDK's
     * {@code FutureTask} has it, returns without touching the run under way. It once wrote itself as the runner and
     * then cleared it on its failed claim, so that {@code cancel(true)} interrupted nobody.
     */
    @Test
    @Timeout(30)
    void shouldInterruptTheRunnerOnCancelTrueAfterASecondCallOfRunFoundTheTaskRunning() throws Exception
    {
        final TimerScheduledExecutor ex = manual();
        final CountDownLatch started = new CountDownLatch(1);
        final CountDownLatch finished = new CountDownLatch(1);
        final AtomicBoolean sawInterrupt = new AtomicBoolean();
        final ScheduledFuture<?> future = ex.schedule(() ->
        {
            started.countDown();
            try
            {
                new CountDownLatch(1).await();
            }
            catch (final InterruptedException e)
            {
                sawInterrupt.set(true);
            }
            finished.countDown();
        }, 1, SECONDS);
        final Thread driver = new Thread(() -> advance(1, SECONDS)); // runs the task on the polling thread
        driver.start();
        assertTrue(started.await(10, SECONDS));
        ((RunnableScheduledFuture<?>)future).run(); // on this thread, while the driver runs it
        assertTrue(future.cancel(true));
        assertTrue(finished.await(10, SECONDS), "the interrupt reached the thread running the task");
        driver.join();
        assertTrue(sawInterrupt.get());
        assertFalse(Thread.currentThread().isInterrupted(), "the second caller is not interrupted");
        assertTrue(future.isCancelled());
    }

    /**
     * The same on an executor: the second call of {@code run()} finds the task with the executor (handed over, and
     * running) and asks nothing more of it, as {@code FutureTask.run} does nothing while another thread runs the
     * task. It once handed the task over again, and that call, finding the task running, had to neither clear the
     * runner nor take the task out of the set of tasks handed over (through which {@code shutdownNow} interrupts the
     * running ones); {@link #shouldInterruptTheRunningTaskOnShutdownNowAfterASecondCallOfRunWhileItRuns} has the
     * case where it did.
     */
    @Test
    @Timeout(30)
    void shouldInterruptTheRunnerOnCancelTrueAfterAnotherHandOverFoundTheTaskRunning() throws Exception
    {
        final ExecutorService pool = pool(2);
        final AtomicInteger handOvers = new AtomicInteger();
        final Semaphore returned = new Semaphore(0);
        executor = TimerScheduledExecutor.builder().clock(clock::get).callerDriven()
            .executor(command ->
            {
                handOvers.incrementAndGet();
                pool.execute(() ->
                {
                    command.run();
                    returned.release();
                });
            })
            .build();
        final CountDownLatch started = new CountDownLatch(1);
        final CountDownLatch finished = new CountDownLatch(1);
        final AtomicInteger interrupts = new AtomicInteger();
        final ScheduledFuture<?> first = executor.schedule(() -> awaitInterrupts(started, finished, interrupts),
            1, SECONDS);
        advance(1, SECONDS);
        assertTrue(started.await(10, SECONDS));
        ((RunnableScheduledFuture<?>)first).run(); // on this thread, while a thread of the pool runs it
        assertEquals(1, handOvers.get(), "the second call handed nothing over");
        assertTrue(first.cancel(true));
        assertTrue(finished.await(10, SECONDS), "the interrupt of cancel(true) reached the thread running the task");
        assertEquals(1, interrupts.get());
        assertTrue(returned.tryAcquire(10, SECONDS), "the task's run returned");

        final CountDownLatch started2 = new CountDownLatch(1);
        final CountDownLatch finished2 = new CountDownLatch(1);
        final ScheduledFuture<?> second = executor.schedule(() -> awaitInterrupts(started2, finished2, interrupts),
            1, SECONDS);
        advance(1, SECONDS);
        assertTrue(started2.await(10, SECONDS));
        ((RunnableScheduledFuture<?>)second).run();
        assertEquals(2, handOvers.get(), "the second call handed nothing over");
        executor.shutdownNow();
        assertTrue(finished2.await(10, SECONDS), "shutdownNow still found the running task and interrupted it");
        assertEquals(2, interrupts.get());
        assertTrue(returned.tryAcquire(10, SECONDS), "the task's run returned");
    }

    /**
     * A second call of {@code run()} while the task runs on the executor hands nothing over and leaves the running
     * task where {@code shutdownNow} finds it (the {@code ExecutorService} contract: it attempts to stop the
     * actively executing tasks). It once handed the task over again, and a saturated executor's refusal of that
     * hand-over took the task out of the set of tasks handed over, so that {@code shutdownNow} did not interrupt the
     * thread running it. The executor runs its first task on a thread of the test's and refuses every later one (so
     * that a second hand-over, if one came back, would be refused as it once was); the task spins on a flag rather
     * than waiting, so that the interrupt shutdownNow delivers (before it returns) stays on the thread.
     */
    @Test
    @Timeout(30)
    void shouldInterruptTheRunningTaskOnShutdownNowAfterASecondCallOfRunWhileItRuns() throws Exception
    {
        final AtomicInteger handOvers = new AtomicInteger();
        final AtomicReference<Thread> runner = new AtomicReference<>();
        executor = TimerScheduledExecutor.builder().clock(clock::get).callerDriven()
            .executor(command ->
            {
                if (handOvers.incrementAndGet() > 1)
                {
                    throw new RejectedExecutionException("saturated");
                }
                final Thread thread = new Thread(command, "test-runner");
                runner.set(thread);
                thread.start();
            })
            .build();
        final CountDownLatch started = new CountDownLatch(1);
        final AtomicBoolean release = new AtomicBoolean();
        final AtomicBoolean interruptedAtEnd = new AtomicBoolean();
        final ScheduledFuture<?> future = executor.schedule(() ->
        {
            started.countDown();
            final long giveUpNs = System.nanoTime() + SECONDS.toNanos(20);
            while (!release.get() && System.nanoTime() < giveUpNs)
            {
                Thread.onSpinWait(); // reads no interrupt status: what shutdownNow sets stays set
            }
            interruptedAtEnd.set(Thread.currentThread().isInterrupted());
        }, 1, SECONDS);
        advance(1, SECONDS);
        assertTrue(started.await(10, SECONDS));
        ((RunnableScheduledFuture<?>)future).run(); // while it runs on the test's thread
        assertEquals(1, handOvers.get(), "the second call handed nothing over");
        assertFalse(future.isDone(), "the first run goes on");
        assertTrue(executor.shutdownNow().isEmpty(), "nothing was pending");
        release.set(true);
        runner.get().join(SECONDS.toMillis(10));
        assertFalse(runner.get().isAlive());
        assertTrue(interruptedAtEnd.get(), "shutdownNow interrupted the thread running the task");
        assertNull(future.get(), "interrupted, not cancelled: it ran to its end");
        assertTrue(executor.awaitTermination(10, SECONDS));
    }

    /**
     * A second call of {@code run()} while a periodic task runs on the executor asks nothing of the executor: the
     * JDK's {@code FutureTask.runAndReset} returns at once when another thread runs the task. It once handed the task
     * over again, and that call, coming once the run had re-armed the task for its next deadline, ran it at once:
     * a run a whole period early.
     */
    @Test
    @Timeout(30)
    void shouldNotRunAPeriodicTaskEarlyWhenRunIsCalledAgainWhileItRuns() throws Exception
    {
        final List<Runnable> handedOver = new ArrayList<>();
        executor = TimerScheduledExecutor.builder().clock(clock::get).callerDriven()
            .executor(command ->
            {
                synchronized (handedOver)
                {
                    handedOver.add(command);
                }
            })
            .build();
        final CountDownLatch started = new CountDownLatch(1);
        final CountDownLatch release = new CountDownLatch(1);
        final AtomicInteger runs = new AtomicInteger();
        final ScheduledFuture<?> future = executor.scheduleAtFixedRate(() ->
        {
            if (runs.incrementAndGet() == 1)
            {
                started.countDown();
                try
                {
                    release.await();
                }
                catch (final InterruptedException e)
                {
                    Thread.currentThread().interrupt();
                }
            }
        }, 1, 10, SECONDS);
        advance(1, SECONDS);
        final Thread first = new Thread(takeHandedOver(handedOver, 1).get(0), "test-runner");
        first.start();
        assertTrue(started.await(10, SECONDS));
        ((RunnableScheduledFuture<?>)future).run(); // while the first run waits on the test's thread
        release.countDown();
        first.join(SECONDS.toMillis(10));
        assertFalse(first.isAlive());
        takeHandedOver(handedOver, -1).forEach(Runnable::run); // whatever the second call handed over, run now
        assertEquals(1, runs.get(), "no run before the next deadline, 11 s");
        clock.addAndGet(SECONDS.toNanos(10) - 1);
        executor.poll();
        assertTrue(takeHandedOver(handedOver, -1).isEmpty(), "nothing handed over 1 ns before the deadline");
        advance(1, NANOSECONDS);
        takeHandedOver(handedOver, 1).forEach(Runnable::run);
        assertEquals(2, runs.get(), "the second run at its deadline");
        assertFalse(future.isDone());
    }

    /**
     * An executor that runs the task in the calling thread (a direct executor, or a saturated pool's
     * {@code CallerRunsPolicy}): a fixed-rate task 100,000 periods late catches up one run after another, as the
     * JDK's scheduler does, each run returning before the next starts. Its catch-up once handed each next run over
     * from inside the run before, so that every run nested in the last one's frames, until the stack overflowed
     * (about 1,500 runs in): the {@link StackOverflowError} came out of the re-arm, not the task's body, and left the
     * task pending with no timer, its future never completed. Lost.
     */
    @Test
    @Timeout(30)
    void shouldCatchUpALateFixedRateTaskOnAnExecutorThatRunsItInTheCallersThread()
    {
        executor = TimerScheduledExecutor.builder().clock(clock::get).callerDriven().executor(Runnable::run).build();
        final int late = 100_000;
        final AtomicInteger runs = new AtomicInteger();
        final AtomicInteger deepest = new AtomicInteger();
        final ScheduledFuture<?> future = executor.scheduleAtFixedRate(() ->
        {
            if ((runs.incrementAndGet() & 1023) == 1)
            {
                deepest.accumulateAndGet(Thread.currentThread().getStackTrace().length, Math::max);
            }
        }, 1, 1, MICROSECONDS);
        advance(1, MICROSECONDS);
        assertEquals(1, runs.get());
        final int depthOfOneRun = deepest.get();
        clock.addAndGet(MICROSECONDS.toNanos(late));
        for (int polls = 0; polls < 10 * late && runs.get() < 1 + late; polls++)
        {
            executor.poll();
        }
        assertFalse(future.isDone(), () -> "the task failed: " + failure(future));
        assertEquals(1 + late, runs.get(), "the first run, then the runs missed (the last due now), each once");
        assertTrue(deepest.get() <= depthOfOneRun + 16, "runs nested: stack " + deepest.get() + " deep, " +
            depthOfOneRun + " for a run on time");
    }

    /**
     * {@code run()} called directly on a periodic task the driver has handed to the executor, before the executor's
     * call: the task is due, so it runs there and then, and re-arms for its next deadline, 11 s. The executor's
     * queued call then finds it pending and not due, and does nothing. It once found the hand-over cleared by the
     * direct call, handed the task over again and ran it at once: a second run at 1 s, a whole period early.
     */
    @Test
    @Timeout(30)
    void shouldNotRunAPeriodicTaskEarlyWhenRunIsCalledWhileItIsQueuedInTheExecutor()
    {
        final List<Runnable> handedOver = new ArrayList<>();
        executor = TimerScheduledExecutor.builder().clock(clock::get).callerDriven()
            .executor(command ->
            {
                synchronized (handedOver)
                {
                    handedOver.add(command);
                }
            })
            .build();
        final AtomicInteger runs = new AtomicInteger();
        final ScheduledFuture<?> future = executor.scheduleAtFixedRate(runs::incrementAndGet, 1, 10, SECONDS);
        advance(1, SECONDS);
        final List<Runnable> queued = takeHandedOver(handedOver, 1);
        ((RunnableScheduledFuture<?>)future).run(); // on the test's thread, while the executor holds the task
        assertEquals(1, runs.get(), "due at 1 s: the direct call ran it");
        queued.forEach(Runnable::run); // the executor's call of the hand-over
        takeHandedOver(handedOver, -1).forEach(Runnable::run);
        takeHandedOver(handedOver, -1).forEach(Runnable::run);
        assertEquals(1, runs.get(), "no run before the next deadline, 11 s");
        clock.addAndGet(SECONDS.toNanos(10) - 1);
        executor.poll();
        assertTrue(takeHandedOver(handedOver, -1).isEmpty(), "nothing handed over 1 ns before the deadline");
        advance(1, NANOSECONDS);
        takeHandedOver(handedOver, 1).forEach(Runnable::run);
        assertEquals(2, runs.get(), "the second run at its deadline");
        assertFalse(future.isDone());
        assertEquals(0, executor.handedOverCount(), "nothing left with the executor");
    }

    /**
     * An executor whose {@code execute} throws an {@link Error} (a pool that cannot start a worker:
     * {@code OutOfMemoryError: unable to create native thread}). A fired task's future completes exceptionally, the
     * Error the cause of the refusal, as with a {@link RejectedExecutionException}; a producer's {@code submit}
     * throws the Error; both are counted out, so the executor terminates. The adapter once caught only
     * {@link RuntimeException}: the fired task stayed pending for good, with no timer, and the executor never
     * terminated.
     */
    @Test
    @Timeout(20)
    void shouldCompleteAFiredTaskExceptionallyWhenTheExecutorThrowsAnError() throws Exception
    {
        final AtomicBoolean fail = new AtomicBoolean();
        final OutOfMemoryError error = new OutOfMemoryError("unable to create native thread (thrown by the test)");
        executor = TimerScheduledExecutor.builder().clock(clock::get).callerDriven()
            .executor(command ->
            {
                if (fail.get())
                {
                    throw error;
                }
                command.run();
            })
            .build();
        final ScheduledFuture<?> delayed = executor.schedule(() -> { }, 1, SECONDS);
        fail.set(true);
        assertSame(error, assertThrows(OutOfMemoryError.class, () -> executor.submit(() -> { })),
            "the producer hears the Error");
        advance(1, SECONDS); // the service's poll reports the Error to its error handler and goes on
        assertTrue(delayed.isDone(), "the fired task is not left pending");
        final ExecutionException e = assertThrows(ExecutionException.class, () -> delayed.get(0, SECONDS));
        assertInstanceOf(RejectedExecutionException.class, e.getCause());
        assertSame(error, e.getCause().getCause());
        assertEquals(0, executor.handedOverCount());
        executor.shutdown();
        assertTrue(executor.isTerminated(), "every task counted out");
    }

    /**
     * shutdownNow hands back a task the executor holds but has not started, cancelled, and lets go of it: an
     * executor that drops its queue (a pool shut down too) never calls it, and the set of tasks handed over kept it,
     * and every task that reached its run after shutdownNow began, referenced for good.
     */
    @Test
    void shouldForgetTheTasksHandedBackByShutdownNow()
    {
        final List<Runnable> handedOver = new ArrayList<>();
        executor = TimerScheduledExecutor.builder().clock(clock::get).callerDriven()
            .executor(command ->
            {
                synchronized (handedOver)
                {
                    handedOver.add(command);
                }
            })
            .build();
        final ScheduledFuture<?> future = executor.schedule(() -> { }, 1, SECONDS);
        advance(1, SECONDS);
        takeHandedOver(handedOver, 1); // dropped: never run
        assertEquals(1, executor.handedOverCount());
        assertEquals(List.of(future), executor.shutdownNow());
        assertTrue(future.isCancelled());
        assertEquals(0, executor.handedOverCount(), "the set lets go of the task handed back");
        assertTrue(executor.isTerminated());
    }

    /**
     * A clock late in its range: a periodic task's next deadline (the longest period on) lies beyond what the
     * executor arms, and its timer is armed as far as the range goes (half the room left), as before. In executor
     * mode a {@code run()} that finds its task not due does nothing (so that a queued call cannot run it a period
     * early), so the task's deadline moves in with such a timer: left beyond it, the timer's call found the task not
     * due and dropped it, never run again and never completed (the test fails with the deadline left).
     */
    @Test
    void shouldRunAPeriodicTaskWhoseNextDeadlineIsBeyondTheClocksRangeOnAnExecutor()
    {
        final long room = Long.MAX_VALUE / 8; // the clock's range left: less than two periods
        clock.set(Long.MAX_VALUE - room);
        executor = TimerScheduledExecutor.builder().clock(clock::get).callerDriven().executor(Runnable::run).build();
        final AtomicInteger runs = new AtomicInteger();
        final ScheduledFuture<?> future = executor.scheduleAtFixedRate(runs::incrementAndGet, 1,
            TimerScheduledExecutor.MAX_DELAY_NS, NANOSECONDS);
        advance(1, SECONDS);
        assertEquals(1, runs.get());
        advance(room / 2, NANOSECONDS); // the timer armed as far as the range goes: half the room left
        assertEquals(2, runs.get(), "the second run, as far as the clock's range goes");
        assertFalse(future.isDone(), () -> "the task failed: " + failure(future));
    }

    /**
     * A clock that steps back (against {@code Builder.clock}'s contract, monotonic) after the wheel advanced: the
     * wheel advances to the later of the clock and its own time, so a timer armed then fires before its deadline by
     * the clock. In executor mode the task's run() handed it over only if the clock said it was due: the timer's call
     * returned, and the task was lost (never run, never completed, the executor never terminated). The test fails
     * with the hand-over left to "due by the clock".
     */
    @Test
    void shouldHandOverATaskWhoseTimerFiresAfterTheClockSteppedBack()
    {
        final List<Runnable> handedOver = new ArrayList<>();
        executor = TimerScheduledExecutor.builder().clock(clock::get).callerDriven()
            .executor(command ->
            {
                synchronized (handedOver)
                {
                    handedOver.add(command);
                }
            })
            .build();
        final long start = clock.get();
        final ScheduledFuture<?> a = executor.schedule(() -> { }, 10, SECONDS);
        clock.set(start + SECONDS.toNanos(10));
        executor.poll(); // the wheel at 10 s
        takeHandedOver(handedOver, 1).forEach(Runnable::run);
        assertTrue(a.isDone());
        clock.set(start + SECONDS.toNanos(5)); // steps back
        final AtomicInteger runs = new AtomicInteger();
        final ScheduledFuture<?> b = executor.schedule(runs::incrementAndGet, 1, SECONDS); // 6 s by the clock
        executor.poll(); // the wheel, at 10 s, fires it
        takeHandedOver(handedOver, 1).forEach(Runnable::run);
        assertEquals(1, runs.get(), "handed over and run by the timer's call");
        assertTrue(b.isDone());
        assertEquals(0, executor.handedOverCount());
        executor.shutdown();
        assertTrue(executor.isTerminated(), "every task counted out");
    }

    /**
     * A direct executor runs the tasks fired in one pass on the driver thread (here the polling caller's), one after
     * the other: an interrupt left by one ({@code cancel(true)} on its own future) must not carry into the next, which
     * would start interrupted (ScheduledTask's contract: the driver clears it, as ThreadPoolExecutor's worker does
     * before each task). A flag the polling thread had before stays its own. The test fails without the clear.
     */
    @Test
    void shouldNotCarryATasksInterruptIntoTheNextTaskOnADirectExecutor()
    {
        executor = TimerScheduledExecutor.builder().clock(clock::get).callerDriven().executor(Runnable::run).build();
        // Two tasks due at once (the wheel's order among them is its own): the one that runs first cancels its own
        // future with an interrupt, each records whether it started interrupted.
        final List<Future<?>> futures = new ArrayList<>();
        final List<Boolean> startedInterrupted = new ArrayList<>();
        final AtomicBoolean firstSawInterrupt = new AtomicBoolean();
        for (int i = 0; i < 2; i++)
        {
            final int index = i;
            futures.add(executor.schedule(() ->
            {
                startedInterrupted.add(Thread.currentThread().isInterrupted());
                if (startedInterrupted.size() == 1)
                {
                    futures.get(index).cancel(true);
                    firstSawInterrupt.set(Thread.currentThread().isInterrupted());
                }
            }, 1, SECONDS));
        }
        advance(1, SECONDS); // both due: one pass, one after the other on this thread
        assertTrue(firstSawInterrupt.get(), "cancel(true) interrupted the first task's runner");
        assertEquals(List.of(false, false), startedInterrupted, "the second task started not interrupted");
        assertEquals(1, futures.stream().filter(Future::isCancelled).count());
        assertFalse(Thread.currentThread().isInterrupted(), "the polling thread is left as it was");

        executor.schedule(() -> { }, 1, SECONDS);
        Thread.currentThread().interrupt(); // the caller's own flag, set before its poll
        try
        {
            advance(1, SECONDS);
            assertTrue(Thread.currentThread().isInterrupted(), "a flag the poller had before is not cleared");
        }
        finally
        {
            Thread.interrupted();
        }
    }

    private static String failure(final Future<?> future)
    {
        try
        {
            future.get(0, NANOSECONDS);
            return "none";
        }
        catch (final ExecutionException e)
        {
            return String.valueOf(e.getCause());
        }
        catch (final Exception e)
        {
            return String.valueOf(e);
        }
    }

    /** Takes what the test's executor was given: {@code expected} commands, or any number if negative. */
    private static List<Runnable> takeHandedOver(final List<Runnable> handedOver, final int expected)
    {
        final List<Runnable> taken;
        synchronized (handedOver)
        {
            taken = new ArrayList<>(handedOver);
            handedOver.clear();
        }
        if (expected >= 0)
        {
            assertEquals(expected, taken.size(), "commands handed to the executor");
        }
        return taken;
    }

    /** A task body: says it started, then waits until interrupted, counting the interrupt. */
    private static void awaitInterrupts(final CountDownLatch started, final CountDownLatch finished,
        final AtomicInteger interrupts)
    {
        started.countDown();
        try
        {
            new CountDownLatch(1).await();
        }
        catch (final InterruptedException e)
        {
            interrupts.incrementAndGet();
        }
        finished.countDown();
    }

    // ------------------------------------------------------------------------------------------ get

    @Test
    void shouldThrowTimeoutExceptionFromATimedGetOfAPendingTask()
    {
        final TimerScheduledExecutor ex = manual();
        final ScheduledFuture<?> future = ex.schedule(() -> { }, 1, HOURS);
        assertThrows(TimeoutException.class, () -> future.get(0, NANOSECONDS));
        assertThrows(TimeoutException.class, () -> future.get(-1, SECONDS));
        assertThrows(TimeoutException.class, () -> future.get(10, MILLISECONDS));
        assertThrows(NullPointerException.class, () -> future.get(1, null));
    }

    @Test
    void shouldThrowInterruptedExceptionFromGetWhenTheWaiterIsInterrupted()
    {
        final TimerScheduledExecutor ex = manual();
        final ScheduledFuture<?> future = ex.schedule(() -> { }, 1, HOURS);
        Thread.currentThread().interrupt();
        assertThrows(InterruptedException.class, future::get);
        assertFalse(Thread.currentThread().isInterrupted(), "the flag is consumed by the exception");
        Thread.currentThread().interrupt();
        assertThrows(InterruptedException.class, () -> future.get(1, HOURS));
    }

    @Test
    @Timeout(20)
    void shouldWakeAThreadBlockedInGetWhenTheTaskCompletes() throws Exception
    {
        final TimerScheduledExecutor ex = manual();
        final ScheduledFuture<String> future = ex.schedule(() -> "value", 1, SECONDS);
        final AtomicReference<Object> got = new AtomicReference<>();
        final Thread waiter = new Thread(() ->
        {
            try
            {
                got.set(future.get());
            }
            catch (final Throwable t)
            {
                got.set(t);
            }
        });
        waiter.start();
        while (waiter.getState() != Thread.State.WAITING && waiter.isAlive())
        {
            Thread.onSpinWait(); // blocked in get: the wake-up path is tested, not the fast path
        }
        advance(1, SECONDS);
        waiter.join(10_000);
        assertEquals("value", got.get());
    }

    @Test
    @Timeout(20)
    void shouldWaitForeverInATimedGetWithTheLargestTimeout() throws Exception
    {
        final TimerScheduledExecutor ex = manual();
        final ScheduledFuture<String> future = ex.schedule(() -> "value", 1, SECONDS);
        final AtomicReference<Object> got = new AtomicReference<>();
        final Thread waiter = new Thread(() ->
        {
            try
            {
                got.set(future.get(Long.MAX_VALUE, NANOSECONDS));
            }
            catch (final Throwable t)
            {
                got.set(t);
            }
        });
        waiter.start();
        while (waiter.getState() != Thread.State.TIMED_WAITING && waiter.isAlive())
        {
            Thread.onSpinWait();
        }
        advance(1, SECONDS);
        waiter.join(10_000);
        assertEquals("value", got.get(), "Long.MAX_VALUE ns is a wait, not an overflow into a timeout at once");
    }

    @Test
    @Timeout(20)
    void shouldWakeAThreadBlockedInGetWhenTheTaskIsCancelled() throws Exception
    {
        final TimerScheduledExecutor ex = manual();
        final ScheduledFuture<String> future = ex.schedule(() -> "never", 1, HOURS);
        final AtomicReference<Throwable> thrown = new AtomicReference<>();
        final Thread waiter = new Thread(() ->
        {
            try
            {
                future.get(1, HOURS);
            }
            catch (final Throwable t)
            {
                thrown.set(t);
            }
        });
        waiter.start();
        while (waiter.getState() != Thread.State.TIMED_WAITING && waiter.isAlive())
        {
            Thread.onSpinWait();
        }
        assertTrue(future.cancel(false));
        waiter.join(10_000);
        assertInstanceOf(CancellationException.class, thrown.get());
    }

    // ------------------------------------------------------------------------------------------ periodic

    @Test
    void shouldRunAFixedRateTaskAtFirstPlusKTimesPeriodWithoutDrift()
    {
        final TimerScheduledExecutor ex = manual();
        final List<Long> runAt = new ArrayList<>();
        final long start = clock.get();
        ex.scheduleAtFixedRate(() ->
        {
            runAt.add(clock.get() - start);
            clock.addAndGet(MILLISECONDS.toNanos(3)); // each run takes 3 ms: the rate does not move
        }, 10, 100, MILLISECONDS);
        for (int k = 0; k < 50; k++)
        {
            clock.set(start + MILLISECONDS.toNanos(10 + 100 * k));
            ex.poll();
            assertEquals(k + 1, runAt.size(), "run " + k);
            assertEquals(MILLISECONDS.toNanos(10 + 100 * k), runAt.get(k), "exactly on time, run " + k);
        }
    }

    @Test
    void shouldRunALateFixedRateTaskLateThenCatchUpOneRunAtATime()
    {
        final TimerScheduledExecutor ex = manual();
        final AtomicInteger runs = new AtomicInteger();
        final AtomicInteger concurrent = new AtomicInteger();
        final AtomicInteger maxConcurrent = new AtomicInteger();
        final ScheduledFuture<?> future = ex.scheduleAtFixedRate(() ->
        {
            maxConcurrent.accumulateAndGet(concurrent.incrementAndGet(), Math::max);
            runs.incrementAndGet();
            concurrent.decrementAndGet();
        }, 100, 100, MILLISECONDS);
        clock.addAndGet(MILLISECONDS.toNanos(450)); // runs due at 100, 200, 300, 400: the first is 350 ms late
        for (int i = 0; i < 20; i++)
        {
            ex.poll();
        }
        assertEquals(4, runs.get(), "the missed runs happen, late, and no more");
        assertEquals(1, maxConcurrent.get());
        assertEquals(MILLISECONDS.toNanos(50), future.getDelay(NANOSECONDS), "the next one is back on the grid");
    }

    @Test
    void shouldRunAFixedDelayTaskTheDelayAfterTheEndOfEachRun()
    {
        final TimerScheduledExecutor ex = manual();
        final List<Long> runAt = new ArrayList<>();
        final long start = clock.get();
        ex.scheduleWithFixedDelay(() ->
        {
            runAt.add(clock.get() - start);
            clock.addAndGet(MILLISECONDS.toNanos(30)); // a 30 ms run
        }, 10, 100, MILLISECONDS);
        for (int k = 0; k < 5; k++)
        {
            clock.set(start + MILLISECONDS.toNanos(10 + 130 * k) - 1);
            ex.poll();
            assertEquals(k, runAt.size(), "not a nanosecond early, run " + k);
            clock.incrementAndGet();
            ex.poll();
            assertEquals(k + 1, runAt.size());
        }
        assertEquals(List.of(10L, 140L, 270L, 400L, 530L).stream().map(MILLISECONDS::toNanos).toList(), runAt);
    }

    @Test
    void shouldStopAPeriodicTaskThatThrowsAndReportItsException()
    {
        for (final boolean fixedRate : new boolean[]{true, false})
        {
            final TimerScheduledExecutor ex = manual();
            final AtomicInteger runs = new AtomicInteger();
            final IllegalStateException boom = new IllegalStateException("third run");
            final Runnable task = () ->
            {
                if (runs.incrementAndGet() == 3)
                {
                    throw boom;
                }
            };
            final ScheduledFuture<?> future = fixedRate ? ex.scheduleAtFixedRate(task, 1, 1, SECONDS) :
                ex.scheduleWithFixedDelay(task, 1, 1, SECONDS);
            for (int i = 0; i < 10; i++)
            {
                advance(1, SECONDS);
            }
            assertEquals(3, runs.get(), "no run after the one that threw");
            assertTrue(future.isDone());
            assertFalse(future.isCancelled());
            final ExecutionException e = assertThrows(ExecutionException.class, future::get);
            assertSame(boom, e.getCause());
            ex.shutdownNow();
        }
    }

    @Test
    void shouldStopAPeriodicTaskCancelledBetweenRunsAndFromItsOwnRun()
    {
        final TimerScheduledExecutor ex = manual();
        final AtomicInteger runs = new AtomicInteger();
        final ScheduledFuture<?> future = ex.scheduleAtFixedRate(runs::incrementAndGet, 1, 1, SECONDS);
        advance(1, SECONDS);
        advance(1, SECONDS);
        assertEquals(2, runs.get());
        assertFalse(future.isDone(), "a periodic task is never done by itself");
        assertTrue(future.cancel(false));
        advance(10, SECONDS);
        assertEquals(2, runs.get());

        final AtomicReference<Future<?>> self = new AtomicReference<>();
        final AtomicInteger selfRuns = new AtomicInteger();
        self.set(ex.scheduleWithFixedDelay(() ->
        {
            if (selfRuns.incrementAndGet() == 2)
            {
                assertTrue(self.get().cancel(false), "a running periodic task can be cancelled");
            }
        }, 1, 1, SECONDS));
        for (int i = 0; i < 10; i++)
        {
            advance(1, SECONDS);
        }
        assertEquals(2, selfRuns.get());
        assertTrue(self.get().isCancelled());
    }

    @Test
    void shouldRejectANonPositivePeriod()
    {
        final TimerScheduledExecutor ex = manual();
        final IllegalArgumentException zero = assertThrows(IllegalArgumentException.class,
            () -> ex.scheduleAtFixedRate(() -> { }, 1, 0, SECONDS));
        assertTrue(zero.getMessage().contains("period"), zero.getMessage());
        assertThrows(IllegalArgumentException.class, () -> ex.scheduleAtFixedRate(() -> { }, 1, -1, SECONDS));
        final IllegalArgumentException delay = assertThrows(IllegalArgumentException.class,
            () -> ex.scheduleWithFixedDelay(() -> { }, 1, 0, SECONDS));
        assertTrue(delay.getMessage().contains("delay"), delay.getMessage());
        assertThrows(IllegalArgumentException.class, () -> ex.scheduleWithFixedDelay(() -> { }, 1, -1, SECONDS));
    }

    @Test
    void shouldThrowNullPointerExceptionOnEveryNullArgument()
    {
        final TimerScheduledExecutor ex = manual();
        final Runnable r = () -> { };
        final Callable<String> c = () -> "";
        assertThrows(NullPointerException.class, () -> ex.schedule((Runnable)null, 1, SECONDS));
        assertThrows(NullPointerException.class, () -> ex.schedule(r, 1, null));
        assertThrows(NullPointerException.class, () -> ex.schedule((Callable<String>)null, 1, SECONDS));
        assertThrows(NullPointerException.class, () -> ex.schedule(c, 1, null));
        assertThrows(NullPointerException.class, () -> ex.scheduleAtFixedRate(null, 1, 1, SECONDS));
        assertThrows(NullPointerException.class, () -> ex.scheduleAtFixedRate(r, 1, 1, null));
        assertThrows(NullPointerException.class, () -> ex.scheduleWithFixedDelay(null, 1, 1, SECONDS));
        assertThrows(NullPointerException.class, () -> ex.scheduleWithFixedDelay(r, 1, 1, null));
        assertThrows(NullPointerException.class, () -> ex.execute(null));
        assertThrows(NullPointerException.class, () -> ex.submit((Runnable)null));
        assertThrows(NullPointerException.class, () -> ex.submit((Runnable)null, "x"));
        assertThrows(NullPointerException.class, () -> ex.submit((Callable<String>)null));
        assertThrows(NullPointerException.class, () -> ex.invokeAll(null));
        assertThrows(NullPointerException.class, () -> ex.invokeAll(null, 1, SECONDS));
        assertThrows(NullPointerException.class, () -> ex.invokeAny(null));
        assertThrows(NullPointerException.class, () -> ex.invokeAny(null, 1, SECONDS));
        assertThrows(NullPointerException.class, () -> ex.awaitTermination(1, null));
        assertThrows(NullPointerException.class, () -> TimerScheduledExecutor.builder().executor(null));
        assertThrows(NullPointerException.class, () -> TimerScheduledExecutor.builder().tick(null));
        ex.poll();
    }

    @Test
    void shouldRejectBadBuilderValuesNamingTheParameter()
    {
        final IllegalArgumentException tick = assertThrows(IllegalArgumentException.class,
            () -> TimerScheduledExecutor.builder().tick(java.time.Duration.ZERO));
        assertTrue(tick.getMessage().contains("tick"), tick.getMessage());
        final IllegalArgumentException capacity = assertThrows(IllegalArgumentException.class,
            () -> TimerScheduledExecutor.builder().capacity(0));
        assertTrue(capacity.getMessage().contains("capacity"), capacity.getMessage());
        final IllegalArgumentException wait = assertThrows(IllegalArgumentException.class,
            () -> TimerScheduledExecutor.builder().waitWhenFull(java.time.Duration.ofSeconds(-1)));
        assertTrue(wait.getMessage().contains("waitWhenFull"), wait.getMessage());
    }

    // ------------------------------------------------------------------------------------------ shutdown

    @Test
    void shouldRunDelayedTasksButStopPeriodicOnesAfterShutdown() throws Exception
    {
        final TimerScheduledExecutor ex = manual();
        final AtomicInteger delayedRuns = new AtomicInteger();
        final AtomicInteger periodicRuns = new AtomicInteger();
        final ScheduledFuture<?> delayed = ex.schedule(delayedRuns::incrementAndGet, 10, SECONDS);
        final ScheduledFuture<?> rate = ex.scheduleAtFixedRate(periodicRuns::incrementAndGet, 1, 1, SECONDS);
        final ScheduledFuture<?> delay = ex.scheduleWithFixedDelay(periodicRuns::incrementAndGet, 1, 1, SECONDS);
        advance(1, SECONDS);
        assertEquals(2, periodicRuns.get());
        ex.shutdown();
        assertTrue(ex.isShutdown());
        assertTrue(rate.isCancelled(), "periodic tasks stop at shutdown");
        assertTrue(delay.isCancelled());
        assertFalse(ex.isTerminated(), "the delayed task is still to run");
        assertFalse(ex.awaitTermination(0, SECONDS));
        assertThrows(RejectedExecutionException.class, () -> ex.schedule(() -> { }, 1, SECONDS));
        assertThrows(RejectedExecutionException.class, () -> ex.execute(() -> { }));
        assertThrows(RejectedExecutionException.class, () -> ex.submit(() -> "x"));
        assertThrows(RejectedExecutionException.class, () -> ex.scheduleAtFixedRate(() -> { }, 1, 1, SECONDS));
        advance(9, SECONDS);
        assertEquals(1, delayedRuns.get(), "a delayed task scheduled before the shutdown still runs");
        assertEquals(2, periodicRuns.get());
        assertTrue(delayed.isDone());
        assertTrue(ex.isTerminated());
        assertTrue(ex.awaitTermination(0, SECONDS));
        assertTrue(ex.service().isClosed(), "terminated: the timer service is closed too");
        ex.shutdown(); // idempotent
        assertTrue(ex.isTerminated());
    }

    @Test
    void shouldStopAPeriodicTaskThatIsRunningWhenShutdownIsCalled()
    {
        final TimerScheduledExecutor ex = manual();
        final AtomicInteger runs = new AtomicInteger();
        final ScheduledFuture<?> future = ex.scheduleAtFixedRate(() ->
        {
            runs.incrementAndGet();
            executor.shutdown();
        }, 1, 1, SECONDS);
        advance(1, SECONDS);
        assertEquals(1, runs.get());
        assertTrue(future.isCancelled());
        assertTrue(ex.isTerminated());
    }

    @Test
    void shouldLetATaskOnTheDriverCallShutdownNow()
    {
        final TimerScheduledExecutor ex = manual();
        final AtomicReference<List<Runnable>> handedBack = new AtomicReference<>();
        final AtomicBoolean interrupted = new AtomicBoolean();
        final ScheduledFuture<?> later = ex.schedule(() -> { }, 1, HOURS);
        final ScheduledFuture<?> self = ex.schedule(() ->
        {
            handedBack.set(executor.shutdownNow());
            interrupted.set(Thread.currentThread().isInterrupted()); // it interrupts the running task: itself
        }, 1, SECONDS);
        advance(1, SECONDS);
        assertEquals(List.of(later), handedBack.get());
        assertTrue(interrupted.get());
        assertTrue(self.isDone());
        assertFalse(self.isCancelled(), "a running task is interrupted, not cancelled");
        assertTrue(ex.isTerminated());
        assertFalse(Thread.currentThread().isInterrupted(), "cleared once the task returned");
    }

    @Test
    void shouldTerminateAtOnceWhenShutDownWithNothingPending() throws Exception
    {
        final TimerScheduledExecutor ex = manual();
        ex.schedule(() -> { }, 1, HOURS).cancel(false);
        assertFalse(ex.isShutdown());
        assertFalse(ex.isTerminated());
        ex.shutdown();
        assertTrue(ex.isTerminated());
        assertTrue(ex.awaitTermination(0, NANOSECONDS));
    }

    @Test
    void shouldReturnTheNeverStartedTasksFromShutdownNowAndRunNothingMore()
    {
        final TimerScheduledExecutor ex = manual();
        final AtomicInteger runs = new AtomicInteger();
        final ScheduledFuture<?> done = ex.schedule(runs::incrementAndGet, 1, SECONDS);
        advance(1, SECONDS);
        final ScheduledFuture<?> delayed = ex.schedule(runs::incrementAndGet, 1, HOURS);
        final ScheduledFuture<?> periodic = ex.scheduleAtFixedRate(runs::incrementAndGet, 1, 1, HOURS);
        final Future<?> immediate = ex.submit(runs::incrementAndGet);
        final ScheduledFuture<?> cancelled = ex.schedule(runs::incrementAndGet, 1, HOURS);
        cancelled.cancel(false);
        final List<Runnable> neverStarted = ex.shutdownNow();
        assertEquals(3, neverStarted.size(), neverStarted.toString());
        assertTrue(neverStarted.contains(delayed));
        assertTrue(neverStarted.contains(periodic));
        assertTrue(neverStarted.contains(immediate));
        for (final Runnable r : neverStarted)
        {
            assertTrue(((Future<?>)r).isCancelled(), "handed back cancelled: get() does not hang");
        }
        assertTrue(ex.isShutdown());
        assertTrue(ex.isTerminated());
        assertEquals(1, runs.get());
        assertTrue(done.isDone());
        assertTrue(ex.shutdownNow().isEmpty());
    }

    @Test
    @Timeout(20)
    void shouldInterruptRunningTasksOnShutdownNowWithoutCancellingThem() throws Exception
    {
        executor = TimerScheduledExecutor.builder().clock(clock::get).callerDriven().executor(pool(2)).build();
        final CountDownLatch started = new CountDownLatch(1);
        final ScheduledFuture<String> future = executor.schedule(() ->
        {
            started.countDown();
            try
            {
                new CountDownLatch(1).await();
                return "not interrupted";
            }
            catch (final InterruptedException e)
            {
                return "interrupted";
            }
        }, 1, SECONDS);
        advance(1, SECONDS);
        assertTrue(started.await(10, SECONDS));
        assertTrue(executor.shutdownNow().isEmpty());
        assertEquals("interrupted", future.get(10, SECONDS), "it ran to its end, interrupted");
        assertTrue(executor.awaitTermination(10, SECONDS));
    }

    /**
     * Two tasks due in the same drain of the driver thread; the first to run blocks until interrupted, and
     * {@code shutdownNow} is called while it does: the other was awaiting execution, so it never runs and is handed
     * back, cancelled ({@code ExecutorService.shutdownNow}: halts the processing of waiting tasks and returns them).
     * The driver, once the interrupted task returned, once went on with its drain and ran the other one,
     * uninterrupted, after {@code shutdownNow} had begun, and the list lacked it. Either may run first (same drain):
     * the test holds whichever does.
     */
    @Test
    @Timeout(20)
    void shouldNotStartATaskDueBehindTheRunningOneOnceShutdownNowIsCalled() throws Exception
    {
        executor = TimerScheduledExecutor.builder().clock(clock::get).build(); // a driver thread of its own
        final CountDownLatch started = new CountDownLatch(1);
        final AtomicInteger runs = new AtomicInteger();
        final AtomicBoolean firstInterrupted = new AtomicBoolean();
        final Runnable body = () ->
        {
            if (runs.getAndIncrement() > 0)
            {
                return;
            }
            started.countDown();
            try
            {
                new CountDownLatch(1).await();
            }
            catch (final InterruptedException e)
            {
                firstInterrupted.set(true);
            }
        };
        final ScheduledFuture<?> a = executor.schedule(body, 1, SECONDS);
        final ScheduledFuture<?> b = executor.schedule(body, 1, SECONDS);
        clock.addAndGet(SECONDS.toNanos(1));
        executor.execute(() -> { }); // wakes the driver, which finds both due
        assertTrue(started.await(10, SECONDS));
        final List<Runnable> neverStarted = executor.shutdownNow();
        assertTrue(executor.awaitTermination(10, SECONDS));
        assertTrue(firstInterrupted.get(), "the running task was interrupted");
        assertEquals(1, runs.get(), "the task due behind it never started");
        final ScheduledFuture<?> waiting = a.isCancelled() ? a : b;
        assertTrue(waiting.isCancelled());
        assertTrue(neverStarted.contains(waiting), "handed back: " + neverStarted);
        assertFalse((a == waiting ? b : a).isCancelled(), "the interrupted one ran to its end");
    }

    @Test
    @Timeout(20)
    void shouldReturnTasksHandedToTheExecutorButNotStartedFromShutdownNow() throws Exception
    {
        final ExecutorService one = pool(1);
        final CountDownLatch block = new CountDownLatch(1);
        one.execute(() ->
        {
            try
            {
                block.await();
            }
            catch (final InterruptedException e)
            {
                Thread.currentThread().interrupt();
            }
        });
        executor = TimerScheduledExecutor.builder().clock(clock::get).callerDriven().executor(one).build();
        final AtomicInteger runs = new AtomicInteger();
        final Future<?> queued = executor.submit(runs::incrementAndGet); // in the pool's queue, behind the blocker
        final List<Runnable> neverStarted = executor.shutdownNow();
        assertEquals(List.of(queued), neverStarted);
        block.countDown();
        assertTrue(executor.awaitTermination(10, SECONDS));
        one.shutdown();
        assertTrue(one.awaitTermination(10, SECONDS));
        assertEquals(0, runs.get(), "it never ran, though the pool dequeued it");
    }

    @Test
    @Timeout(20)
    void shouldCompleteAFiredTaskExceptionallyWhenTheExecutorRefusesIt() throws Exception
    {
        final AtomicBoolean refuse = new AtomicBoolean();
        final Executor picky = command ->
        {
            if (refuse.get())
            {
                throw new RejectedExecutionException("no");
            }
            command.run();
        };
        executor = TimerScheduledExecutor.builder().clock(clock::get).callerDriven().executor(picky).build();
        final ScheduledFuture<?> delayed = executor.schedule(() -> { }, 1, SECONDS);
        refuse.set(true);
        assertThrows(RejectedExecutionException.class, () -> executor.submit(() -> { }), "refused at once");
        advance(1, SECONDS);
        final ExecutionException e = assertThrows(ExecutionException.class, delayed::get);
        assertInstanceOf(RejectedExecutionException.class, e.getCause());
        executor.shutdown();
        assertTrue(executor.isTerminated());
    }

    @Test
    @Timeout(20)
    void shouldNotRunAPeriodicTaskAgainWhenItsSpentTimerFiresWhileItsNextTimerIsBeingArmed()
    {
        // A direct call of run() at the deadline hands the task over (it is due); the executor's run moves it to its
        // next deadline and, while it arms the next timer (inside the clock read of that arm), the first timer fires
        // on the polling thread. That call is the service's, for a timer whose run is done: it must not hand the
        // task over again (a second run at once, a period early, and the next run lost).
        final List<Runnable> kept = new ArrayList<>();
        final AtomicReference<Runnable> hook = new AtomicReference<>();
        executor = TimerScheduledExecutor.builder().clock(() ->
        {
            final Runnable h = hook.getAndSet(null);
            if (h != null)
            {
                h.run();
            }
            return clock.get();
        }).callerDriven().executor(kept::add).build();
        final AtomicInteger count = new AtomicInteger();
        final ScheduledFuture<?> f = executor.scheduleAtFixedRate(count::incrementAndGet, 1, 1, SECONDS);
        clock.addAndGet(SECONDS.toNanos(1));
        ((Runnable)f).run();
        assertEquals(1, kept.size(), "due: the direct call hands it over");
        hook.set(executor::poll);
        kept.remove(0).run();
        assertNull(hook.get(), "the poll ran inside the run's re-arm");
        while (!kept.isEmpty())
        {
            kept.remove(0).run();
        }
        assertEquals(1, count.get(), "one run for the first deadline");
        advance(1, SECONDS);
        while (!kept.isEmpty())
        {
            kept.remove(0).run();
        }
        assertEquals(2, count.get(), "the second deadline's run, at its deadline");
        f.cancel(false);
    }

    @Test
    @Timeout(20)
    void shouldRefuseAndCountOutATaskWhoseDeadlineCannotBeArmedEvenANanosecondAhead() throws Exception
    {
        // A clock started near the bottom of its range: at 8, no deadline ahead lies less than 2^63-1 after the
        // start, so the arm's halving reaches a delay of 0 and gives up.
        clock.set(Long.MIN_VALUE + 10);
        executor = TimerScheduledExecutor.builder().clock(clock::get).callerDriven().build();
        clock.set(-5);
        final AtomicInteger runs = new AtomicInteger();
        final ScheduledFuture<?> periodic = executor.scheduleAtFixedRate(runs::incrementAndGet, 1, 20, NANOSECONDS);
        clock.set(8);
        final RejectedExecutionException refused = assertThrows(RejectedExecutionException.class,
            () -> executor.schedule(() -> { }, 1, SECONDS), "a one-shot task: refused, not an IllegalArgumentException");
        assertInstanceOf(IllegalArgumentException.class, refused.getCause());
        executor.poll();
        assertEquals(1, runs.get(), "the first run, at -4");
        final ExecutionException failed = assertThrows(ExecutionException.class, () -> periodic.get(1, SECONDS),
            "its next deadline cannot be armed: the future fails");
        assertInstanceOf(RejectedExecutionException.class, failed.getCause());
        executor.shutdown();
        assertTrue(executor.isTerminated(), "neither task is still counted");
    }

    // ------------------------------------------------------------------------------------------ invoke

    @Test
    @Timeout(30)
    void shouldInvokeAllAndAnyOnARunningExecutor() throws Exception
    {
        executor = TimerScheduledExecutor.create();
        final List<Callable<Integer>> tasks = List.of(() -> 1, () -> 2, () -> { throw new IllegalStateException(); });
        final List<Future<Integer>> all = executor.invokeAll(tasks);
        assertEquals(3, all.size());
        for (final Future<Integer> f : all)
        {
            assertTrue(f.isDone(), "invokeAll returns when every task is done");
        }
        assertEquals(1, all.get(0).get());
        assertEquals(2, all.get(1).get());
        assertThrows(ExecutionException.class, () -> all.get(2).get());
        final int any = executor.invokeAny(tasks);
        assertTrue(any == 1 || any == 2);
        assertThrows(ExecutionException.class,
            () -> executor.invokeAny(List.<Callable<Integer>>of(() -> { throw new IllegalStateException(); })));
        assertThrows(IllegalArgumentException.class, () -> executor.invokeAny(List.<Callable<Integer>>of()));
        final List<Future<Integer>> timed = executor.invokeAll(tasks, 1, HOURS);
        assertEquals(2, timed.get(1).get());
        assertEquals(1, executor.invokeAny(List.<Callable<Integer>>of(() -> 1), 1, HOURS));
    }

    @Test
    @Timeout(30)
    void shouldCancelWhatIsNotDoneWhenInvokeAllTimesOutAndThrowFromInvokeAny() throws Exception
    {
        executor = TimerScheduledExecutor.builder().executor(pool(2)).build();
        final CountDownLatch never = new CountDownLatch(1);
        final List<Callable<Integer>> tasks = List.of(() -> 1, () ->
        {
            never.await();
            return 2;
        });
        final List<Future<Integer>> futures = executor.invokeAll(tasks, 50, MILLISECONDS);
        assertTrue(futures.get(1).isCancelled(), "the one still running at the timeout is cancelled");
        assertThrows(TimeoutException.class, () -> executor.invokeAny(List.<Callable<Integer>>of(() ->
        {
            never.await();
            return 2;
        }), 50, MILLISECONDS));
    }

    @Test
    void shouldRejectInvokeAllAfterShutdown()
    {
        final TimerScheduledExecutor ex = manual();
        ex.shutdown();
        assertThrows(RejectedExecutionException.class, () -> ex.invokeAll(List.<Callable<Integer>>of(() -> 1)));
        assertThrows(RejectedExecutionException.class, () -> ex.invokeAny(List.<Callable<Integer>>of(() -> 1)));
    }

    // ------------------------------------------------------------------------------------------ driver

    @Test
    @Timeout(30)
    void shouldRunTheClassJavadocsExamplesAsWritten() throws Exception
    {
        // The three lines of TimerScheduledExecutor's class comment, as a user would paste them.
        final java.util.concurrent.ScheduledExecutorService scheduler = TimerScheduledExecutor.create();
        final java.util.concurrent.ScheduledExecutorService four = TimerScheduledExecutor.create(4);
        final java.util.concurrent.ScheduledExecutorService pooled = TimerScheduledExecutor.builder()
            .executor(java.util.concurrent.ForkJoinPool.commonPool()).capacity(1 << 20).build();
        for (final java.util.concurrent.ScheduledExecutorService ses : List.of(scheduler, four, pooled))
        {
            assertEquals("ok", ses.schedule(() -> "ok", 1, MILLISECONDS).get(10, SECONDS));
            ses.shutdown();
            assertTrue(ses.awaitTermination(10, SECONDS));
        }
    }

    @Test
    @Timeout(30)
    void shouldRunTasksOnAPoolOfItsOwnAndStopItOnTermination() throws Exception
    {
        executor = TimerScheduledExecutor.create(3);
        final java.util.Set<Thread> ranOn = java.util.concurrent.ConcurrentHashMap.newKeySet();
        final CountDownLatch allThree = new CountDownLatch(3);
        final List<Future<?>> futures = new ArrayList<>();
        for (int i = 0; i < 3; i++)
        {
            futures.add(executor.submit(() ->
            {
                ranOn.add(Thread.currentThread());
                allThree.countDown();
                allThree.await(); // three at a time, or this never returns
                return null;
            }));
        }
        for (final Future<?> f : futures)
        {
            f.get(10, SECONDS);
        }
        assertEquals(3, ranOn.size());
        executor.shutdown();
        assertTrue(executor.awaitTermination(10, SECONDS));
        for (final Thread t : ranOn)
        {
            assertTrue(t.getName().startsWith("escapement-scheduler-"), t.getName());
            t.join(10_000);
            assertFalse(t.isAlive(), "the pool of its own is shut down on termination");
        }
        final IllegalArgumentException zero = assertThrows(IllegalArgumentException.class,
            () -> TimerScheduledExecutor.create(0));
        assertTrue(zero.getMessage().contains("threads"), zero.getMessage());
    }

    @Test
    @Timeout(30)
    void shouldRunTasksOnItsOwnNonDaemonDriverThreadAndStopItOnTermination() throws Exception
    {
        executor = TimerScheduledExecutor.create();
        final AtomicReference<Thread> ranOn = new AtomicReference<>();
        executor.submit(() -> ranOn.set(Thread.currentThread())).get(10, SECONDS);
        assertTrue(ranOn.get().getName().startsWith("escapement-scheduler-"), ranOn.get().getName());
        assertFalse(ranOn.get().isDaemon(), "as the JDK's default thread factory");
        final ScheduledFuture<String> later = executor.schedule(() -> "later", 20, MILLISECONDS);
        executor.shutdown();
        assertTrue(executor.awaitTermination(10, SECONDS));
        assertEquals("later", later.get());
        ranOn.get().join(10_000);
        assertFalse(ranOn.get().isAlive(), "the driver thread stops once terminated");
    }
}
