package io.escapement.engine.executor;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executor;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.LongSupplier;

import static java.util.concurrent.TimeUnit.HOURS;
import static java.util.concurrent.TimeUnit.NANOSECONDS;
import static java.util.concurrent.TimeUnit.SECONDS;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Races of a schedule, or of a task's run, with {@code shutdown} and {@code shutdownNow}, each forced at the one
 * point where it matters by a clock that runs a hook at a chosen reading on a chosen thread: a caller-driven executor,
 * so every step is the test's own, and the outcomes, never the timing, are asserted. Each test was seen to fail with
 * its fix undone (see each one).
 */
class TimerScheduledExecutorShutdownRaceTest
{
    /**
     * A manual clock that, on the n-th reading by one thread, runs a hook and then returns the reading it had before
     * the hook (the hook may move the clock for the readings after it).
     */
    static final class HookClock implements LongSupplier
    {
        final AtomicLong now = new AtomicLong(1_000_000);
        private volatile Thread hookThread;
        private int readsLeft;
        private Runnable hook;
        volatile boolean hookRan;

        /** The n-th reading of the calling thread from now on (1: the next) runs {@code action}, once. */
        void onRead(final int n, final Runnable action)
        {
            hook = action;
            readsLeft = n;
            hookThread = Thread.currentThread();
        }

        @Override
        public long getAsLong()
        {
            final long value = now.get();
            if (hookThread == Thread.currentThread() && --readsLeft == 0)
            {
                hookThread = null;
                final Runnable action = hook;
                hook = null;
                action.run();
                hookRan = true;
            }
            return value;
        }
    }

    /** Keeps the commands it is given, for the test to run as a pool's worker would. */
    static final class Keeper implements Executor
    {
        final ConcurrentLinkedQueue<Runnable> commands = new ConcurrentLinkedQueue<>();

        @Override
        public void execute(final Runnable command)
        {
            commands.add(command);
        }

        /** Runs the oldest command kept, as a worker would: an interrupt meant for the task is cleared after it. */
        boolean runOne()
        {
            final Runnable command = commands.poll();
            if (command == null)
            {
                return false;
            }
            command.run();
            Thread.interrupted();
            return true;
        }
    }

    /**
     * Keeps the first command, for the test to run; runs every later one at once on a thread of its own, as an idle
     * pool worker would, and waits for it: so a run handed over from inside another task's run ends before that run
     * goes on.
     */
    static final class KeepFirstThenRunAtOnce implements Executor
    {
        final ConcurrentLinkedQueue<Runnable> kept = new ConcurrentLinkedQueue<>();
        private boolean first = true;

        @Override
        public synchronized void execute(final Runnable command)
        {
            if (first)
            {
                first = false;
                kept.add(command);
                return;
            }
            final Thread worker = new Thread(command, "worker");
            worker.start();
            try
            {
                worker.join();
            }
            catch (final InterruptedException e)
            {
                throw new AssertionError(e);
            }
        }
    }

    private final HookClock clock = new HookClock();
    private final Keeper keeper = new Keeper();
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
            t.interrupt();
            t.join();
        }
    }

    // ------------------------------------------------------------------------------------------ fault A

    /** How the task reaches the point where its arm finds the service closed. */
    enum Submission
    {
        /** execute without a delay, tasks on the driver: queued, then the drain's arm fails. */
        EXECUTE_ON_DRIVER(false),
        /** fixed rate without a delay, tasks on the driver: queued and in the periodic set, then the drain's arm fails. */
        PERIODIC_NOW_ON_DRIVER(false),
        /** fixed rate after an hour, tasks on the driver: in the periodic set, then its timer's arm fails. */
        PERIODIC_LATER_ON_DRIVER(false),
        /** fixed rate after an hour, tasks on an executor: in the periodic set, then its timer's arm fails. */
        PERIODIC_LATER_ON_EXECUTOR(true);

        final boolean onExecutor;

        Submission(final boolean onExecutor)
        {
            this.onExecutor = onExecutor;
        }

        Future<?> submit(final TimerScheduledExecutor ex, final Runnable body)
        {
            switch (this)
            {
                case EXECUTE_ON_DRIVER:
                    return ex.submit(body);
                case PERIODIC_NOW_ON_DRIVER:
                    return ex.scheduleAtFixedRate(body, 0, 1, HOURS);
                default:
                    return ex.scheduleAtFixedRate(body, 1, 1, HOURS);
            }
        }
    }

    /**
     * Fault A2: a task already visible to shutdownNow (queued for the drain, or in the set of periodic tasks) whose
     * arm then finds the service closed. shutdownNow, run by the clock's hook at the producer's second reading (inside
     * the service's arm: after the task was queued or added, before the arm's check of the closed flag), cancels the
     * task and hands it back; the producer must then not also refuse it: a caller told both "refused" and "here is
     * your task, never started" accounts for it twice. Exactly one of the two.
     * <p>
     * Proof that it can fail: with the schedule's catch rethrowing whatever cancelIfNew answers (the code before the
     * fix), every case is both refused and handed back.
     */
    @ParameterizedTest(name = "{0}")
    @EnumSource(Submission.class)
    void shouldNotRefuseATaskThatShutdownNowHandsBack(final Submission submission)
    {
        final TimerScheduledExecutor.Builder builder = TimerScheduledExecutor.builder().clock(clock).callerDriven();
        executor = (submission.onExecutor ? builder.executor(keeper) : builder).build();
        final TimerScheduledExecutor ex = executor;
        final AtomicReference<List<Runnable>> handedBack = new AtomicReference<>();
        final AtomicBoolean ran = new AtomicBoolean();
        clock.onRead(2, () -> handedBack.set(ex.shutdownNow()));
        Future<?> future = null;
        boolean refused = false;
        try
        {
            future = submission.submit(ex, () -> ran.set(true));
        }
        catch (final RejectedExecutionException e)
        {
            refused = true;
        }
        assertTrue(clock.hookRan, "the hook must run inside the schedule, or the test tests nothing");
        assertFalse(ran.get());
        if (refused)
        {
            assertTrue(handedBack.get().isEmpty(), "refused, and handed back too: " + handedBack.get());
        }
        else
        {
            assertEquals(List.of(future), handedBack.get());
            assertTrue(future.isCancelled());
        }
        assertTrue(ex.isTerminated(), "every task counted out once");
    }

    /**
     * Fault A1: a task submitted without a delay that the drain runs while its producer is still arming the drain,
     * and that arm then fails (the last task's completion after shutdown() closed the service): the producer must not
     * refuse a task that ran. Thread D polls; the drain runs task A, which waits; the producer queues t and, at its
     * clock reading inside the drain's arm, lets A return, waits for D's poll to end (the drain ran t too), and calls
     * shutdown(), which terminates the executor and closes the service; the producer's arm then finds it closed.
     * <p>
     * Proof that it can fail: with the schedule's catch rethrowing whatever cancelIfNew answers (the code before the
     * fix), t ran and its execute threw RejectedExecutionException.
     */
    @Test
    void shouldNotRefuseATaskTheDrainRanWhileItsProducerArmedTheDrain() throws Exception
    {
        executor = TimerScheduledExecutor.builder().clock(clock).callerDriven().build();
        final TimerScheduledExecutor ex = executor;
        final CountDownLatch aRunning = new CountDownLatch(1);
        final CountDownLatch aMayReturn = new CountDownLatch(1);
        final AtomicReference<Throwable> failure = new AtomicReference<>();
        ex.execute(() ->
        {
            aRunning.countDown();
            try
            {
                assertTrue(aMayReturn.await(60, SECONDS), "the producer never let task A return");
            }
            catch (final Throwable e)
            {
                failure.set(e);
            }
        });
        final Thread poller = new Thread(ex::poll, "poller");
        threads.add(poller);
        poller.start();
        assertTrue(aRunning.await(60, SECONDS), "the drain never ran task A");
        final AtomicBoolean tRan = new AtomicBoolean();
        clock.onRead(2, () ->
        {
            aMayReturn.countDown();
            try
            {
                poller.join(); // the drain runs t after A, then the poll returns
            }
            catch (final InterruptedException e)
            {
                throw new AssertionError(e);
            }
            assertTrue(tRan.get(), "the drain must have run t before the shutdown, or the test tests nothing");
            ex.shutdown();
        });
        boolean refused = false;
        try
        {
            ex.execute(() -> tRan.set(true));
        }
        catch (final RejectedExecutionException e)
        {
            refused = true;
        }
        assertNull(failure.get());
        assertTrue(clock.hookRan, "the hook must run inside the execute, or the test tests nothing");
        assertTrue(tRan.get());
        assertFalse(refused, "refused, yet it ran");
        assertTrue(ex.isTerminated());
    }

    // ------------------------------------------------------------------------------------------ fault B

    /**
     * Fault B: a run of a periodic task must not begin after shutdown() returned. A fixed-delay task's run on a pool
     * worker has passed its own check after its body (not shut down); shutdown() comes now (the clock's hook, at the
     * run's reading for its next deadline), finds the task RUNNING and cannot cancel it; the run then re-arms the
     * task, due at once (the clock moves on by its period), and hands it over; another worker runs that next run at
     * once, before the first run's late check of the shutdown cancels it. That run must stop, not run the body.
     * <p>
     * Proof that it can fail: without the check of stopsPeriodicTasks at the start of ScheduledTask.run, the body ran
     * once more after shutdown() had returned.
     */
    @Test
    void shouldNotBeginARunOfAPeriodicTaskAfterShutdownReturned()
    {
        final KeepFirstThenRunAtOnce workers = new KeepFirstThenRunAtOnce();
        executor = TimerScheduledExecutor.builder().clock(clock).callerDriven().executor(workers).build();
        final TimerScheduledExecutor ex = executor;
        final AtomicBoolean shutdownReturned = new AtomicBoolean();
        final AtomicInteger runs = new AtomicInteger();
        final AtomicInteger runsAfterShutdown = new AtomicInteger();
        final Future<?> future = ex.scheduleWithFixedDelay(() ->
        {
            runs.incrementAndGet();
            if (shutdownReturned.get())
            {
                runsAfterShutdown.incrementAndGet();
            }
        }, 1, 1, NANOSECONDS);
        clock.now.addAndGet(1);
        ex.poll(); // the first run is due: handed to the executor, which keeps it
        assertEquals(1, workers.kept.size());
        clock.onRead(1, () ->
        {
            ex.shutdown();
            shutdownReturned.set(true);
            clock.now.incrementAndGet(); // the next run, 1 ns after this reading, is due at the re-arm's reading
        });
        workers.kept.poll().run(); // the first run, as a worker would run it
        Thread.interrupted();
        assertTrue(clock.hookRan, "the hook must run inside the first run, or the test tests nothing");
        assertEquals(0, runsAfterShutdown.get(), "a run began after shutdown() returned");
        assertEquals(1, runs.get());
        assertTrue(future.isCancelled());
        assertTrue(ex.isTerminated());
        assertEquals(0, ex.handedOverCount());
    }

    // ------------------------------------------------------------------------------------------ fault C

    /**
     * Fault C: tasks submitted without a delay must not be stranded when the drain cannot re-arm itself. The drain's
     * own timer slot is freed only once its callback returns, so with more than a batch queued and every other slot
     * taken (a capacity of 2: one delayed task, one drain), its re-arm for the rest finds the service full. Before
     * shutdown(), the next task submitted without a delay re-arms it; after it, none comes: the rest must still run,
     * and the executor terminate once the delayed task has run too.
     * <p>
     * Proof that it can fail: with the drain returning after its failed re-arm (the code before the fix), the last
     * task never ran and the executor never terminated.
     */
    @Test
    void shouldRunEveryQueuedTaskWhenTheDrainCannotReArmItselfInAFullService()
    {
        executor = TimerScheduledExecutor.builder().clock(clock).callerDriven().capacity(2)
            .waitWhenFull(java.time.Duration.ZERO).build();
        final TimerScheduledExecutor ex = executor;
        final AtomicInteger ran = new AtomicInteger();
        final Future<?> delayed = ex.schedule(ran::incrementAndGet, 1, HOURS);
        for (int i = 0; i < TimerScheduledExecutor.DRAIN_BATCH; i++)
        {
            ex.execute(ran::incrementAndGet);
        }
        final Future<?> last = ex.submit(ran::incrementAndGet);
        clock.now.addAndGet(1);
        ex.poll();
        ex.shutdown();
        clock.now.addAndGet(HOURS.toNanos(2));
        ex.poll();
        ex.poll();
        assertTrue(delayed.isDone());
        assertTrue(last.isDone(), "the last task submitted without a delay never ran");
        assertEquals(TimerScheduledExecutor.DRAIN_BATCH + 2, ran.get());
        assertTrue(ex.isTerminated());
    }
}
