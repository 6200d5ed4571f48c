package io.escapement.engine.executor;

import io.escapement.engine.executor.TimerScheduledExecutorShutdownRaceTest.HookClock;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import static java.util.concurrent.TimeUnit.HOURS;
import static java.util.concurrent.TimeUnit.NANOSECONDS;
import static java.util.concurrent.TimeUnit.SECONDS;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Races of the drain's arm (the driver's one timer that runs the tasks submitted without a delay) in a full
 * service, each forced at the one point where it matters by a clock that runs a hook at a chosen reading (inside the
 * producer's arm of the drain, after its claim of the arm): a caller-driven executor, so every step is the test's
 * own, and the outcomes, never the timing, are asserted. The waits are latches with generous bounds, there only so
 * that a fault fails the test instead of hanging it. Each test was seen to fail with its fix undone.
 */
class TimerScheduledExecutorDrainRaceTest
{
    private final HookClock clock = new HookClock();
    private final List<Thread> threads = new ArrayList<>();
    private TimerScheduledExecutor executor;

    @AfterEach
    void tearDown() throws InterruptedException
    {
        if (executor != null)
        {
            executor.shutdownNow();
        }
        for (final Thread t : threads)
        {
            t.join(60_000);
        }
    }

    /**
     * A timer's callback that is not a drain (a task with a delay) submits a task without a delay while a producer's
     * arm of the drain is under way, in a service whose every slot is taken (the callback's own among them): that arm
     * fails. The callback cannot wait for it (its thread is the one that frees slots), and no drain runs on its
     * thread to take the task: the task must be refused, or run; before the fix it was accepted and stranded (after
     * shutdown() the executor never terminated).
     * <p>
     * Proof that it can fail: with ensureDrain returning on the callbacks' thread whether or not a drain runs there
     * (the code before the fix), the task's future was returned, never done, and the executor not terminated.
     */
    @Test
    @Timeout(120)
    void shouldNotStrandATaskACallbackSubmitsWhileAnotherThreadArmsTheDrainInAFullService() throws Exception
    {
        executor = TimerScheduledExecutor.builder().clock(clock).callerDriven().capacity(2)
            .waitWhenFull(Duration.ZERO).build();
        final TimerScheduledExecutor ex = executor;
        final AtomicBoolean xRan = new AtomicBoolean();
        final AtomicReference<Future<?>> xFuture = new AtomicReference<>();
        final AtomicBoolean xRefused = new AtomicBoolean();
        final CountDownLatch xSubmitted = new CountDownLatch(1);
        final CountDownLatch dMayReturn = new CountDownLatch(1);
        final AtomicReference<Throwable> failure = new AtomicReference<>();
        ex.schedule(() -> { }, 1, HOURS); // slot 1
        ex.schedule(() ->                   // slot 2, held while it runs
        {
            try
            {
                xFuture.set(ex.submit(() -> xRan.set(true)));
            }
            catch (final RejectedExecutionException e)
            {
                xRefused.set(true);
            }
            xSubmitted.countDown();
            try
            {
                assertTrue(dMayReturn.await(60, SECONDS), "never let return");
            }
            catch (final Throwable e)
            {
                failure.set(e);
            }
        }, 1, NANOSECONDS);
        clock.now.addAndGet(1);
        final Thread poller = new Thread(ex::poll, "poller");
        threads.add(poller);
        clock.onRead(2, () ->
        {
            // Inside the producer's arm of the drain (its claim made): the driver fires the task with a delay, which
            // submits x; then the producer's arm goes on, and finds every slot taken.
            poller.start();
            try
            {
                assertTrue(xSubmitted.await(60, SECONDS), "the task with a delay never submitted x");
            }
            catch (final InterruptedException e)
            {
                throw new AssertionError(e);
            }
        });
        assertThrows(RejectedExecutionException.class, () -> ex.execute(() -> { }), "every slot is taken");
        assertTrue(clock.hookRan, "the hook must run inside the execute, or the test tests nothing");
        dMayReturn.countDown();
        poller.join(60_000);
        assertNull(failure.get());
        ex.shutdown();
        clock.now.addAndGet(HOURS.toNanos(2));
        ex.poll();
        ex.poll();
        final Future<?> x = xFuture.get();
        assertTrue(xRefused.get() != (x != null), "x was refused, or accepted: one of the two");
        if (x == null)
        {
            assertFalse(xRan.get(), "refused, yet it ran");
        }
        else
        {
            assertTrue(x.isDone(), "x was accepted and never ran");
            assertTrue(xRan.get() || x.isCancelled());
        }
        assertTrue(ex.isTerminated(), "a task accepted and stranded keeps the executor from terminating");
    }

    /**
     * A periodic task submitted without a delay runs (the drain, already running, takes it from the queue while its
     * producer's arm of the drain is under way), is pending again for its next run, and only then does the producer's
     * arm fail, every slot being taken (the drain's own, held while it runs, the next run's timer, one more): the
     * schedule must not refuse a task that ran. NEW, between runs, does not say that it never ran.
     * <p>
     * Proof that it can fail: with refuseUnlessDecided cancelling whatever is NEW (the code before the fix), the
     * schedule threw RejectedExecutionException after the task ran once.
     */
    @Test
    @Timeout(120)
    void shouldNotRefuseAPeriodicTaskThatRanWhileItsProducerArmedTheDrainInAFullService() throws Exception
    {
        executor = TimerScheduledExecutor.builder().clock(clock).callerDriven().capacity(3)
            .waitWhenFull(Duration.ZERO).build();
        final TimerScheduledExecutor ex = executor;
        final CountDownLatch warmRunning = new CountDownLatch(1);
        final CountDownLatch warmMayReturn = new CountDownLatch(1);
        final CountDownLatch holdRunning = new CountDownLatch(1);
        final CountDownLatch holdMayReturn = new CountDownLatch(1);
        final AtomicInteger runs = new AtomicInteger();
        final AtomicReference<Throwable> failure = new AtomicReference<>();
        ex.schedule(() -> { }, 1, HOURS); // slot 1
        ex.execute(() ->                  // the drain: slot 2, held while it runs
        {
            warmRunning.countDown();
            await(warmMayReturn, failure);
        });
        final Thread poller = new Thread(ex::poll, "poller");
        threads.add(poller);
        poller.start();
        assertTrue(warmRunning.await(60, SECONDS), "the drain never ran the first task");
        clock.onRead(2, () ->
        {
            // Inside the producer's arm of the drain: the running drain takes the periodic task and runs it; its
            // next run is armed (slot 3), and the drain goes on with a task that holds it (and its slot).
            warmMayReturn.countDown();
            await(holdRunning, failure);
        });
        ScheduledFuture<?> periodic = null;
        boolean refused = false;
        try
        {
            periodic = ex.scheduleAtFixedRate(() ->
            {
                if (runs.incrementAndGet() == 1)
                {
                    ex.execute(() ->
                    {
                        holdRunning.countDown();
                        await(holdMayReturn, failure);
                    });
                }
            }, 0, 1, HOURS);
        }
        catch (final RejectedExecutionException e)
        {
            refused = true;
        }
        assertTrue(clock.hookRan, "the hook must run inside the schedule, or the test tests nothing");
        holdMayReturn.countDown();
        poller.join(60_000);
        assertNull(failure.get());
        assertEquals(1, runs.get(), "the drain ran the periodic task once, inside its producer's arm");
        assertFalse(refused, "refused, yet it ran");
        assertFalse(periodic.isDone(), "it goes on: its next run is armed");
    }

    /**
     * An Error out of the producer's arm of the drain (a clock that throws, an OutOfMemoryError) must not leave the
     * drain's arm claimed for good: the next producer would wait for it forever. The Error reaches the caller, and
     * the task is counted out (the executor still terminates).
     * <p>
     * Proof that it can fail: with armDrain catching RuntimeException only (the code before the fix), the second
     * execute spun for ever.
     */
    @Test
    @Timeout(120)
    void shouldReleaseTheDrainsArmWhenTheArmThrowsAnError()
    {
        executor = TimerScheduledExecutor.builder().clock(clock).callerDriven().build();
        final TimerScheduledExecutor ex = executor;
        final AtomicBoolean aRan = new AtomicBoolean();
        final AtomicBoolean bRan = new AtomicBoolean();
        clock.onRead(2, () ->
        {
            throw new Error("injected");
        });
        final Error thrown = assertThrows(Error.class, () -> ex.execute(() -> aRan.set(true)));
        assertEquals("injected", thrown.getMessage());
        assertTimeoutPreemptively(Duration.ofSeconds(60), () -> ex.execute(() -> bRan.set(true)),
            "the next execute waited for an arm that had died");
        clock.now.addAndGet(1);
        ex.poll();
        assertTrue(bRan.get());
        assertFalse(aRan.get(), "the task whose schedule threw never runs");
        ex.shutdown();
        ex.poll();
        assertTrue(ex.isTerminated(), "the task whose schedule threw is counted out");
    }

    private static void await(final CountDownLatch latch, final AtomicReference<Throwable> failure)
    {
        try
        {
            assertTrue(latch.await(60, SECONDS), "never let go");
        }
        catch (final Throwable e)
        {
            failure.set(e);
        }
    }
}
