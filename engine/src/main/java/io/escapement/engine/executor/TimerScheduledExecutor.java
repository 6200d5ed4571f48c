package io.escapement.engine.executor;

import io.escapement.engine.internal.ServiceInternals;
import io.escapement.engine.service.PendingTimer;
import io.escapement.engine.service.TimerService;
import io.escapement.engine.service.TimerServiceClosedException;
import io.escapement.engine.service.TimerServiceFullException;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.AbstractExecutorService;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongSupplier;

import static java.util.concurrent.TimeUnit.NANOSECONDS;

/**
 * A {@link ScheduledExecutorService} on Escapement's {@link TimerService}: a drop-in for
 * {@code Executors.newSingleThreadScheduledExecutor()}, {@code Executors.newScheduledThreadPool(n)} or
 * {@code new ScheduledThreadPoolExecutor(n)} whose pending tasks live in a timing wheel instead of a binary heap
 * behind a lock. One line switches:
 * <pre>{@code
 * ScheduledExecutorService scheduler = TimerScheduledExecutor.create();             // tasks run on its own thread
 * ScheduledExecutorService four = TimerScheduledExecutor.create(4);                  // on a pool of 4 of its own
 * ScheduledExecutorService pooled = TimerScheduledExecutor.builder()
 *     .executor(ForkJoinPool.commonPool()).capacity(1 << 20).build();               // tasks run on your executor
 * }</pre>
 *
 * <h2>Contract</h2>
 * Every method honours the documented contract of {@link ScheduledExecutorService},
 * {@link java.util.concurrent.ExecutorService}, {@link Executor}, {@link ScheduledFuture} and
 * {@link java.util.concurrent.RunnableScheduledFuture}, and where the interfaces leave a choice, this class makes the
 * JDK's {@link ScheduledThreadPoolExecutor}'s:
 * <ul>
 *   <li>A negative delay means now; a non-positive period throws {@link IllegalArgumentException}; null arguments
 *       throw {@link NullPointerException}. {@link #execute} and {@code submit} schedule with a zero delay, and an
 *       exception thrown by an {@code execute}d task is kept in its (unreturned) future, not reported.</li>
 *   <li>A periodic task that throws is not run again; its future completes exceptionally with the exception. A
 *       fixed-rate task that runs late is followed by its next runs at once, one after the other (never two at a
 *       time); its deadlines stay {@code first + k * period}, so lateness does not accumulate.</li>
 *   <li>{@code cancel} decides against the task's start by one CAS: a task cancelled before it started never runs.
 *       Cancelling a running task returns {@code true} and discards its outcome, interrupting its thread if asked
 *       (as {@code FutureTask} does).</li>
 *   <li>{@link #shutdown()} follows the JDK's default policies: tasks already scheduled with a delay still run
 *       ({@code getExecuteExistingDelayedTasksAfterShutdownPolicy() == true}), periodic tasks stop and their futures
 *       read as cancelled ({@code getContinueExistingPeriodicTasksAfterShutdownPolicy() == false}). The defaults,
 *       because a one-line switch must not change what a shutdown does. New tasks are refused with
 *       {@link RejectedExecutionException}, as they are when every timer slot stays taken for
 *       {@link Builder#waitWhenFull} ({@link Builder#capacity}: the JDK's scheduler has no bound).</li>
 *   <li>{@link #shutdownNow()} returns the futures of the tasks that never started (as the JDK's scheduler does,
 *       they are the {@link java.util.concurrent.RunnableScheduledFuture}s, not the submitted objects), and
 *       interrupts the running ones. A task whose timer fires as it runs is handed back too (or, if the list was
 *       handed back already, cancelled); one that starts while it runs (it had passed its check before
 *       {@code shutdownNow} began) is interrupted, as a running one.</li>
 *   <li>{@link #invokeAll} and {@link #invokeAny} are {@link AbstractExecutorService}'s.</li>
 * </ul>
 *
 * <h2>Differences from the JDK's scheduler</h2>
 * <ul>
 *   <li>Tasks submitted without a delay run in submission order (a queue, not the wheel); tasks with a delay whose
 *       deadlines fall in the same wheel tick (1 ms by default) run in no particular order, where the JDK's runs
 *       them in deadline order, ties first-in-first-out. Never early, either way.</li>
 *   <li>Delays are capped at about 73 years ({@code Long.MAX_VALUE / 4} ns): such a task never runs in practice.</li>
 *   <li>A cancelled task's timer slot is freed at the driver's next drain (the JDK's removes it only with
 *       {@code setRemoveOnCancelPolicy(true)}; by default it keeps the task until its deadline).</li>
 *   <li>With tasks running on the driver thread, {@link #shutdownNow()} interrupts the running task and waits for
 *       it to return before it collects the pending ones (the driver owns them).</li>
 * </ul>
 *
 * <h2>Cost</h2>
 * {@code schedule} then {@code cancel} of a one-shot task allocates the future (one object, at most 64 bytes with
 * compressed references; {@code TimerScheduledExecutorAllocationTest} measures it) and nothing else: the task is
 * stored as it is (no {@code Callable} adapter, but for {@code submit(Runnable, T)} with a result), the service
 * keeps it in a preallocated slot, and the executor's bookkeeping is one atomic add on a counter per schedule and
 * one per completion (which lets {@link #awaitTermination} know when the last task is done). A task submitted
 * without a delay takes a queue node as well; a periodic task is held in a set while it lives; with an
 * {@link Builder#executor executor}, each run takes a node of the set of tasks handed to it (so that
 * {@link #shutdownNow()} finds them), on top of what that executor allocates.
 *
 * <h2>Threads</h2>
 * The service's driver thread, from {@link Builder#threadFactory} (default: non-daemon, named
 * {@code escapement-scheduler-N}, as the JDK's default factory makes non-daemon threads), files the timers and,
 * without an executor, runs the tasks, so a task that blocks delays the others, as in a one-thread
 * {@link ScheduledThreadPoolExecutor}. Once shut down and terminated the driver stops. A given executor is never
 * shut down by this class.
 */
public final class TimerScheduledExecutor extends AbstractExecutorService implements ScheduledExecutorService
{
    /** The longest delay: far beyond any real deadline, and far enough from overflow for any clock reading. */
    static final long MAX_DELAY_NS = Long.MAX_VALUE >> 2;
    /** See {@link Builder#waitWhenFull}. */
    static final Duration DEFAULT_WAIT_WHEN_FULL = Duration.ofSeconds(1);
    /** Immediate tasks the driver runs per drain before it lets due timers in. */
    static final int DRAIN_BATCH = 1024;

    /** ctl's low bit: shut down. The rest counts the tasks not yet done (pending or running), in steps of 2. */
    private static final long SHUTDOWN = 1L;
    private static final long ONE_TASK = 2L;

    /** drainState's low bits: no drain armed, or the armed one has started; a task queued now arms another. */
    private static final long DRAIN_IDLE = 0;
    /** A thread is arming the drain: its arm may wait for a free slot, and fail (the service full, or closed). */
    private static final long DRAIN_ARMING = 1;
    /** A drain is armed and has not started: it polls every task queued before it starts. */
    private static final long DRAIN_ARMED = 2;
    private static final long DRAIN_STATUS = 3;
    /** drainState's high bits count the arms begun, so that an arm confirms only its own ARMING (no ABA). */
    private static final long DRAIN_GENERATION = 4;

    private static final VarHandle CTL;
    private static final VarHandle DRAIN_STATE;
    private static final VarHandle TERMINATING;

    static
    {
        try
        {
            final MethodHandles.Lookup lookup = MethodHandles.lookup();
            CTL = lookup.findVarHandle(TimerScheduledExecutor.class, "ctl", long.class);
            DRAIN_STATE = lookup.findVarHandle(TimerScheduledExecutor.class, "drainState", long.class);
            TERMINATING = lookup.findVarHandle(TimerScheduledExecutor.class, "terminating", boolean.class);
        }
        catch (final ReflectiveOperationException e)
        {
            throw new ExceptionInInitializerError(e);
        }
    }

    private static final AtomicInteger THREAD_NUMBER = new AtomicInteger();

    private final TimerService service;
    /** Runs the tasks; null: the driver thread (or the polling thread) runs them. */
    private final Executor executor;
    /** The pool of {@link Builder#threads}, shut down when this executor terminates; null otherwise. */
    private final ThreadPoolExecutor ownedPool;
    /** Executor mode: the tasks handed to the executor and not finished yet, for shutdownNow. */
    private final Set<ScheduledTask<?>> handedOver;
    /**
     * Executor mode: per thread, the task it is handing over (inside the executor's {@code execute}), or null; so
     * that a run nested in its own hand-over (an executor that runs tasks in the caller's thread) is known. Per
     * thread rather than a field of the task: the future stays within 64 bytes, and no other thread's write can
     * hide or invent a nesting.
     */
    private final ThreadLocal<ScheduledTask<?>> inExecute;
    /** Driver mode: tasks submitted without a delay, run in order by {@link #drain}. */
    private final ConcurrentLinkedQueue<ScheduledTask<?>> immediate;
    /** Driver mode: one long-lived timer callback that runs the immediate tasks. */
    private final Runnable drain = this::drainImmediate;
    /** Periodic tasks not done yet, for shutdown. */
    private final Set<ScheduledTask<?>> periodic = ConcurrentHashMap.newKeySet();
    /**
     * The tasks' hashes (ScheduledTask.hashCode): a count. Plain, racy on purpose: producers that race give two
     * tasks the same hash at worst, which the hash sets resolve by identity; no atomic on the submit path.
     */
    private int taskHashes;
    private final CountDownLatch terminated = new CountDownLatch(1);

    /** See {@link #SHUTDOWN}: one word, so that "shut down and nothing left" is decided by one atomic update. */
    private volatile long ctl;
    /**
     * Driver mode: whether a drain is armed ({@link #DRAIN_IDLE}, {@link #DRAIN_ARMING}, {@link #DRAIN_ARMED}) and
     * the generation of the last arm. A task queued while the drain is ARMED needs no other; while one is ARMING it
     * depends on that arm, which may fail: its producer waits for the outcome (see {@link #ensureDrain}).
     */
    private volatile long drainState;
    /**
     * A drain runs on the thread that runs the callbacks: a task it runs that queues another leaves it to this drain.
     * Written and read by that thread only (volatile: a caller-driven executor's polling thread may change).
     */
    private volatile boolean draining;
    private volatile boolean terminating;
    /**
     * shutdownNow was called: a task not started yet never starts (or, if it passed its check already, starts
     * interrupted); the driver's drain stops, shutdownNow collects the rest.
     */
    private volatile boolean stopped;
    /**
     * shutdownNow has handed back its list: a task that reaches {@link ScheduledTask#run()} later, not started,
     * cancels itself. Late callers: the rest of the drain or poll whose task called shutdownNow (the same thread
     * goes on firing what was due once that task returns), a poll running on another thread in caller-driven mode,
     * the user's executor's queued calls, and direct calls of {@code run()}.
     */
    private volatile boolean collected;
    /** Driver mode: the task running on the driver thread, for shutdownNow to interrupt. */
    private volatile ScheduledTask<?> running;

    private TimerScheduledExecutor(final Builder builder)
    {
        if (builder.executor == null && builder.threads > 1)
        {
            // Core threads only, no keep-alive: the fixed pool Executors.newScheduledThreadPool(n) also runs on.
            ownedPool = new ThreadPoolExecutor(builder.threads, builder.threads, 0, TimeUnit.MILLISECONDS,
                new LinkedBlockingQueue<>(), builder.threadFactory);
            executor = ownedPool;
        }
        else
        {
            ownedPool = null;
            executor = builder.executor;
        }
        final TimerService.Builder serviceBuilder = TimerService.builder().tickNs(builder.tickNs)
            .capacity(builder.capacity).waitWhenFull(builder.waitWhenFull).clock(builder.clock)
            .threadFactory(builder.threadFactory);
        if (executor != null)
        {
            // Not the service's executor option: the service would wrap each task in a runnable of its own (for its
            // error handler), where the adapter must hand over the task itself. The service runs the task on its
            // driver, and the task hands itself over (ScheduledTask.run).
            handedOver = ConcurrentHashMap.newKeySet();
            inExecute = new ThreadLocal<>();
            immediate = null;
        }
        else
        {
            handedOver = null;
            inExecute = null;
            immediate = new ConcurrentLinkedQueue<>();
        }
        service = serviceBuilder.build();
        if (!builder.callerDriven)
        {
            service.start();
        }
    }

    /**
     * @return an executor with the defaults of {@link #builder()}: tasks run on its own driver thread, 1 ms tick,
     * up to 65,536 pending tasks. The one-line replacement for {@code Executors.newSingleThreadScheduledExecutor()}.
     */
    public static TimerScheduledExecutor create()
    {
        return builder().build();
    }

    /**
     * @param threads how many threads run the tasks, at least 1: the driver thread when 1, else a fixed pool of
     *                its own (see {@link Builder#threads}).
     * @return an executor with the defaults of {@link #builder()} otherwise. The one-line replacement for
     * {@code Executors.newScheduledThreadPool(threads)}.
     * @throws IllegalArgumentException if {@code threads} is less than 1.
     */
    public static TimerScheduledExecutor create(final int threads)
    {
        return builder().threads(threads).build();
    }

    /** @return a builder of an executor whose tasks run on its own driver thread. */
    public static Builder builder()
    {
        return new Builder();
    }

    // ------------------------------------------------------------------------------------------------ scheduling

    /**
     * Runs {@code command} once after {@code delay}.
     *
     * @throws RejectedExecutionException if shut down, or every timer slot is taken.
     * @throws NullPointerException       if {@code command} or {@code unit} is null.
     */
    @Override
    public ScheduledFuture<?> schedule(final Runnable command, final long delay, final TimeUnit unit)
    {
        Objects.requireNonNull(command, "command");
        return schedule(command, false, delay, unit);
    }

    /**
     * Runs {@code callable} once after {@code delay}; its future returns the result.
     *
     * @throws RejectedExecutionException if shut down, or every timer slot is taken.
     * @throws NullPointerException       if {@code callable} or {@code unit} is null.
     */
    @Override
    public <V> ScheduledFuture<V> schedule(final Callable<V> callable, final long delay, final TimeUnit unit)
    {
        Objects.requireNonNull(callable, "callable");
        return schedule(callable, true, delay, unit);
    }

    /**
     * Runs {@code command} after {@code initialDelay}, then at {@code initialDelay + k * period}: a late run is
     * followed by the next ones as soon as it returns, never by two at a time.
     *
     * @throws IllegalArgumentException   if {@code period} is not positive.
     * @throws RejectedExecutionException if shut down, or every timer slot is taken.
     * @throws NullPointerException       if {@code command} or {@code unit} is null.
     */
    @Override
    public ScheduledFuture<?> scheduleAtFixedRate(final Runnable command, final long initialDelay, final long period,
        final TimeUnit unit)
    {
        return schedulePeriodic(command, initialDelay, period, unit, "period", 1);
    }

    /**
     * Runs {@code command} after {@code initialDelay}, then {@code delay} after the end of each run.
     *
     * @throws IllegalArgumentException   if {@code delay} is not positive.
     * @throws RejectedExecutionException if shut down, or every timer slot is taken.
     * @throws NullPointerException       if {@code command} or {@code unit} is null.
     */
    @Override
    public ScheduledFuture<?> scheduleWithFixedDelay(final Runnable command, final long initialDelay,
        final long delay, final TimeUnit unit)
    {
        return schedulePeriodic(command, initialDelay, delay, unit, "delay", -1);
    }

    /**
     * Runs {@code command} as soon as possible, in submission order among the tasks submitted without a delay; an
     * exception it throws is kept in its future, which this method does not return (use {@link #submit(Runnable)}).
     *
     * @throws RejectedExecutionException if shut down, or every timer slot is taken.
     * @throws NullPointerException       if {@code command} is null.
     */
    @Override
    public void execute(final Runnable command)
    {
        schedule(command, 0, NANOSECONDS);
    }

    /**
     * Same as {@code schedule(task, 0, NANOSECONDS)}.
     *
     * @throws RejectedExecutionException if shut down, or every timer slot is taken.
     * @throws NullPointerException       if {@code task} is null.
     */
    @Override
    public ScheduledFuture<?> submit(final Runnable task)
    {
        return schedule(task, 0, NANOSECONDS);
    }

    /**
     * Same as {@code schedule(task, 0, NANOSECONDS)}, the future returning {@code result}.
     *
     * @throws RejectedExecutionException if shut down, or every timer slot is taken.
     * @throws NullPointerException       if {@code task} is null.
     */
    @Override
    public <T> ScheduledFuture<T> submit(final Runnable task, final T result)
    {
        Objects.requireNonNull(task, "task");
        // A result to return: the task's one adapter object, as FutureTask wraps every Runnable (the usual
        // submit(Runnable) and schedule(Runnable) carry none: the future has no field for a result given ahead).
        return result == null ? schedule(task, false, 0, NANOSECONDS) :
            schedule(java.util.concurrent.Executors.callable(task, result), true, 0, NANOSECONDS);
    }

    /**
     * Same as {@code schedule(task, 0, NANOSECONDS)}.
     *
     * @throws RejectedExecutionException if shut down, or every timer slot is taken.
     * @throws NullPointerException       if {@code task} is null.
     */
    @Override
    public <T> ScheduledFuture<T> submit(final Callable<T> task)
    {
        return schedule(task, 0, NANOSECONDS);
    }

    private <V> ScheduledFuture<V> schedule(final Object action, final boolean callable, final long delay,
        final TimeUnit unit)
    {
        Objects.requireNonNull(unit, "unit");
        final long now = service.nowNs();
        final long delayNs = clampDelay(unit.toNanos(delay), now);
        final ScheduledTask<V> task = new ScheduledTask<>(this, action, callable, now + delayNs, 0);
        accept();
        try
        {
            armFirst(task, delayNs);
        }
        catch (final RejectedExecutionException e)
        {
            refuseUnlessDecided(task, e, NO_FIRST_DEADLINE);
        }
        catch (final RuntimeException | Error e)
        {
            // Not a refusal: the clock threw, or an Error (OutOfMemoryError) in the arm. The task may be queued:
            // refused all the same unless decided, so that it is not left counted in with nothing to run it.
            failUnlessDecided(task);
            throw e;
        }
        return task;
    }

    private ScheduledFuture<?> schedulePeriodic(final Runnable command, final long initialDelay, final long period,
        final TimeUnit unit, final String periodName, final int sign)
    {
        Objects.requireNonNull(command, "command");
        Objects.requireNonNull(unit, "unit");
        if (period <= 0)
        {
            throw new IllegalArgumentException(periodName + " must be positive, was " + period + " " + unit);
        }
        final long now = service.nowNs();
        final long delayNs = clampDelay(unit.toNanos(initialDelay), now);
        final long periodNs = Math.min(unit.toNanos(period), MAX_DELAY_NS);
        final ScheduledTask<Void> task = new ScheduledTask<>(this, command, false, now + delayNs,
            sign * periodNs);
        accept();
        periodic.add(task);
        try
        {
            armFirst(task, delayNs);
        }
        catch (final RejectedExecutionException e)
        {
            refuseUnlessDecided(task, e, now + delayNs);
            return task; // decided already: ran (or runs), or cancelled and handed back by shutdownNow
        }
        catch (final RuntimeException | Error e)
        {
            failUnlessDecided(task);
            throw e;
        }
        // A shutdown between the accept and the add above did not see the task: it stops it here (the add, then the
        // read of ctl; shutdown writes ctl, then iterates the set), as the JDK's delayedExecute re-checks.
        if (stopsPeriodicTasks())
        {
            task.cancel(false);
        }
        return task;
    }

    /**
     * A producer's task could not be armed: refused (cancelled, counted out, the exception thrown) if it is still NEW.
     * Otherwise it was visible to others before the failure (in the queue of tasks without a delay, or in the set of
     * periodic tasks) and its outcome is decided already: the drain ran it, or runs it, or shutdownNow cancelled it and
     * put it in the list it hands back. Then the schedule returns normally, as if it had come before that: a refusal
     * would tell the caller that nothing of the task ran or was handed back (a caller that retries would run it twice,
     * or find it in both the refusal and the list), which {@link Executor#execute}'s contract forbids.
     */
    private void refuseUnlessDecided(final ScheduledTask<?> task, final RejectedExecutionException e,
        final long firstDeadline)
    {
        // A periodic task is NEW again between its runs: NEW does not say it never ran. Every run moves its deadline
        // on (by its period, or to the end of the run plus its delay: later, a run never beginning before its
        // deadline), so a deadline past the first says it ran (armTimer's halving, for a deadline beyond the
        // clock's range, only ever moves it in). Read before the cancel: it ran, and goes on (its next timer is
        // armed, or its re-arm in the queue; its outcome is its own). Read again after a cancel that succeeded (no
        // run can begin after it, and a run's new deadline is written before its state is NEW again): a run slipped
        // in between, and the task stops there, cancelled, not refused (its timer, if armed, freed).
        if (task.periodNs != 0 && task.deadlineNs - firstDeadline > 0)
        {
            return;
        }
        if (task.cancelIfNew())
        {
            if (task.periodNs != 0 && task.deadlineNs - firstDeadline > 0)
            {
                cancelled(task);
                return;
            }
            taskDone(task);
            throw e;
        }
    }

    /** A one-shot task's schedule failed with no refusal: it is cancelled and counted out, unless decided. */
    private void failUnlessDecided(final ScheduledTask<?> task)
    {
        if (task.cancelIfNew())
        {
            cancelled(task);
        }
    }

    /** refuseUnlessDecided's first deadline of a one-shot task: it never runs twice, so NEW says it never ran. */
    private static final long NO_FIRST_DEADLINE = Long.MIN_VALUE;

    /** Counts a task in, unless shut down. */
    private void accept()
    {
        final long c = (long)CTL.getAndAdd(this, ONE_TASK);
        if ((c & SHUTDOWN) != 0)
        {
            countDone();
            throw new RejectedExecutionException("the executor is shut down: it takes no new tasks");
        }
    }

    private void armFirst(final ScheduledTask<?> task, final long delayNs)
    {
        if (delayNs <= 0)
        {
            runSoon(task, true);
        }
        else
        {
            armTimer(task, delayNs);
        }
    }

    /**
     * Arms the task's timer. The handle is published, then the state read: with {@code cancel}'s CAS of the state
     * and then its read of the handle, a Dekker pair, so that a cancel racing the arm always frees the timer's slot
     * (one of the two calls {@code service.cancel}, maybe both: the second answers false).
     */
    private void armTimer(final ScheduledTask<?> task, final long delayNs)
    {
        // NULL_HANDLE unless a newer arm published first (see below). Read before the arm: a later run (this timer
        // fired before the publication below) can only have begun after it.
        final long before = task.handle;
        long delay = delayNs;
        long handle;
        while (true)
        {
            try
            {
                handle = service.arm(delay, NANOSECONDS, task);
                break;
            }
            catch (final TimerServiceFullException e)
            {
                throw full(e);
            }
            catch (final TimerServiceClosedException e)
            {
                throw new RejectedExecutionException("the executor is shut down: it takes no new tasks", e);
            }
            catch (final IllegalArgumentException e)
            {
                // The deadline would overflow this clock's range (a clock started far from zero): as far as it goes.
                final long halved = delay >> 1;
                if (halved == 0)
                {
                    // Not even a nanosecond left in the clock's range: refused as a full service is, so that the
                    // caller's catch fails (or refuses) the task and counts it out.
                    throw new RejectedExecutionException("the executor cannot take the task: its deadline would " +
                        "overflow the clock's range (" + e.getMessage() + ")", e);
                }
                // The deadline moves in with the timer, before the arm: a short timer may fire on the driver before
                // arm() returns, and must find the deadline it fires for (a fixed-rate task's next deadline counts
                // from it; and before the arm's handle is published, the call of a timer fired is told by the task
                // being due).
                task.deadlineNs -= delay - halved;
                delay = halved;
            }
        }
        // A CAS: if this timer fired before this line, the run it started may have armed the next timer and
        // published its handle; a plain write would put this fired handle over it, and a cancel would then free
        // nothing. A failed CAS leaves the newer handle. (A run that began and cleared the handle before this CAS,
        // and publishes after it, finds this handle and keeps it: cancel then frees the slot only when that newer
        // timer fires, which finds the task cancelled. The window is a preemption between arm() and this CAS.)
        ScheduledTask.HANDLE.compareAndSet(task, before, handle);
        if (task.isDone())
        {
            service.cancel(handle);
        }
    }

    /**
     * Runs a task without a delay: hands it to the executor, or queues it for the driver thread, which runs the
     * queue in order from one long-lived timer callback armed when the queue becomes non-empty.
     *
     * @param submitting whether a producer submits it (a refusal throws) or a periodic task re-arms itself.
     */
    private void runSoon(final ScheduledTask<?> task, final boolean submitting)
    {
        task.handle = TimerService.NULL_HANDLE;
        if (executor != null)
        {
            handOver(task, submitting);
            return;
        }
        immediate.offer(task);
        if (stopped)
        {
            // shutdownNow began: its pass over the queue may be over, and a drain armed before (drainState still
            // ARMED) died with the service, so nobody would run or collect the task. The offer, then this read;
            // shutdownNow writes the flag, then polls the queue: one of the two sees the other, and cancelIfNew
            // decides which hands the task back (there, in the list; here, refused).
            // Either outcome is one the contract allows. A producer's task: refused, as if the schedule came after
            // shutdownNow (accept() let it in, but nothing of it ran or was returned yet); or, if shutdownNow's pass
            // took it, returned normally and handed back in the list, cancelled, as if the schedule came first. The
            // producer's catch decides, by the same cancelIfNew (refuseUnlessDecided): a cancel here would leave it
            // unable to tell "refused here" from "taken by shutdownNow". A periodic task's re-arm (from the drain):
            // it ends CANCELLED, as shutdownNow ends every periodic task, and rearm's failIfNew, which the exception
            // reaches, finds it so and neither fails it nor counts it again.
            if (submitting)
            {
                throw new RejectedExecutionException("the executor is shut down: it takes no new tasks");
            }
            if (task.cancelIfNew())
            {
                taskDone(task);
                throw new RejectedExecutionException("the executor is shut down: it takes no new tasks");
            }
            return;
        }
        ensureDrain(task, submitting);
    }

    /**
     * Driver mode: makes sure a drain will poll the task just queued: one ARMED (not started yet: it polls every
     * task queued before it starts, having set IDLE first), or one this call arms. While another thread's arm is
     * under way (ARMING), a producer waits for its outcome: that arm may wait for a free slot and fail, and a task
     * whose producer had returned meanwhile would then be accepted with no drain to run it (after shutdown(), for
     * good). The wait is bounded by that arm's own (the service's waitWhenFull); it ends early once the task is no
     * longer NEW (a running drain took it, or shutdownNow). Nothing waits on the thread that runs the timers' callbacks
     * (a periodic task's re-arm, a task that submits another): that arm may be waiting for it, the only thread that
     * frees slots; and a drain it runs in goes on while an arm is under way (see {@link #drainImmediate}).
     */
    private void ensureDrain(final ScheduledTask<?> task, final boolean submitting)
    {
        while (true)
        {
            final long s = drainState;
            final long status = s & DRAIN_STATUS;
            if (status == DRAIN_ARMED)
            {
                return;
            }
            if (status == DRAIN_IDLE)
            {
                final long arming = (s & ~DRAIN_STATUS) + DRAIN_GENERATION | DRAIN_ARMING;
                if (DRAIN_STATE.compareAndSet(this, s, arming))
                {
                    armDrain(arming);
                    return;
                }
            }
            else if (task.state() != ScheduledTask.NEW)
            {
                return; // a running drain took it, or shutdownNow
            }
            else if (dispatchingHandle() != TimerService.NULL_HANDLE)
            {
                // This thread runs the timers' callbacks, the only one that frees slots: it cannot wait for the
                // other thread's arm, which may be waiting for a slot and fail. Inside a drain, that drain goes on
                // with the task (drainImmediate polls until the queue is empty while an arm is under way). Inside
                // any other callback (a task with a delay that submits one without, a periodic task's re-arm), no
                // drain may come: it arms one of its own, outside the state (a second drain armed finds the queue
                // empty, or shares it: they run one after the other on this thread, in the queue's order).
                if (!draining)
                {
                    armExtraDrain();
                }
                return;
            }
            else
            {
                Thread.yield(); // another thread's arm: a slot's wait at most
            }
        }
    }

    /** A drain armed outside drainState, by the thread that runs the callbacks (see ensureDrain). */
    private void armExtraDrain()
    {
        try
        {
            service.arm(0, NANOSECONDS, drain);
        }
        catch (final TimerServiceFullException e)
        {
            throw full(e);
        }
        catch (final TimerServiceClosedException e)
        {
            throw new RejectedExecutionException("the executor is shut down: it takes no new tasks", e);
        }
    }

    /**
     * Arms the drain, the state being {@code arming} (this call's ARMING, set by its caller's CAS).
     *
     * @throws RejectedExecutionException if the service is full or closed; the state is IDLE again.
     */
    private void armDrain(final long arming)
    {
        try
        {
            service.arm(0, NANOSECONDS, drain);
        }
        catch (final Throwable e)
        {
            // Full or closed, or anything else (a clock that throws, an Error): nobody else leaves this ARMING (no
            // drain of this arm exists to start), and the tasks queued meanwhile waited for this outcome: their
            // producers arm the drain themselves now, or a running drain goes on with them, or shutdownNow collects
            // them. A CAS: a drain started meanwhile (armed outside the state, see ensureDrain) may have set IDLE, and
            // another arm begun since. The caller refuses its own task, unless its outcome is decided already (see
            // refuseUnlessDecided).
            DRAIN_STATE.compareAndSet(this, arming, arming & ~DRAIN_STATUS);
            if (e instanceof TimerServiceFullException)
            {
                throw full((TimerServiceFullException)e);
            }
            if (e instanceof TimerServiceClosedException)
            {
                throw new RejectedExecutionException("the executor is shut down: it takes no new tasks", e);
            }
            if (e instanceof RuntimeException)
            {
                throw (RuntimeException)e;
            }
            throw (Error)e;
        }
        // Confirmed unless the drain has started already (it set IDLE, and a later arm may be under way: the
        // generation keeps this CAS from taking that one's ARMING for its own).
        DRAIN_STATE.compareAndSet(this, arming, arming & ~DRAIN_STATUS | DRAIN_ARMED);
    }

    /** The service's own message says which limit: every slot taken ({@link Builder#capacity}), or its queue. */
    private static RejectedExecutionException full(final TimerServiceFullException e)
    {
        return new RejectedExecutionException("the executor cannot take the task: " + e.getMessage() +
            " (TimerScheduledExecutor.Builder.capacity sets the most pending tasks)", e);
    }

    /**
     * The driver's drain of the tasks submitted without a delay: in order, a batch at a time; then, if more are left
     * (a flood, or a late fixed-rate task catching up), it arms the next drain and returns, to let due timers in
     * first. It goes on itself instead while it cannot hand the rest over: when another thread's arm of the drain is
     * under way (it may fail), and for good once its own arm failed. Its own slot is freed only when it returns, so
     * with every other slot taken its arm fails, and no other arm may ever come (after shutdown(), none does): the
     * queue would be stranded, and the executor never terminate.
     */
    private void drainImmediate()
    {
        // IDLE before the first poll: a task queued from here on arms the next drain (or waits for an arm).
        long s;
        do
        {
            s = drainState;
        }
        while (!DRAIN_STATE.compareAndSet(this, s, s & ~DRAIN_STATUS));
        draining = true;
        try
        {
            drainLoop(immediate);
        }
        finally
        {
            draining = false;
        }
    }

    private void drainLoop(final ConcurrentLinkedQueue<ScheduledTask<?>> queue)
    {
        long s;
        boolean mayArm = true;
        while (true)
        {
            for (int i = 0; i < DRAIN_BATCH; i++)
            {
                final ScheduledTask<?> task;
                if (stopped || (task = queue.poll()) == null)
                {
                    return; // done, or shutdownNow: it collects the rest
                }
                task.run(); // never throws: the task keeps its outcome
            }
            s = drainState;
            final long status = s & DRAIN_STATUS;
            if (status == DRAIN_ARMED)
            {
                return; // armed by a producer since this drain began: it runs the rest
            }
            if (status == DRAIN_IDLE && mayArm && !queue.isEmpty())
            {
                final long arming = (s & ~DRAIN_STATUS) + DRAIN_GENERATION | DRAIN_ARMING;
                if (DRAIN_STATE.compareAndSet(this, s, arming))
                {
                    try
                    {
                        armDrain(arming);
                        return;
                    }
                    catch (final RejectedExecutionException e)
                    {
                        mayArm = false; // full (closed: only by shutdownNow, seen above): no second wait for a slot
                    }
                }
            }
        }
    }

    /** @return the next task's hash: the count of tasks made so far, golden-ratio spread. */
    int nextTaskHash()
    {
        return (taskHashes++) * 0x9E3779B9;
    }

    /** @return whether tasks run on a user's executor, to which the driver hands them over. */
    boolean handsOver()
    {
        return executor != null;
    }

    /** Executor mode: a task's timer fired on the driver thread, which hands the task over to the executor. */
    void handOverFired(final ScheduledTask<?> task)
    {
        // An executor that runs the task in this thread (a direct executor, CallerRunsPolicy) leaves here an
        // interrupt meant for the task (cancel(true), shutdownNow's, a flag the task restored): cleared, or the next
        // task fired in this pass would start interrupted, and the driver wake from every park at once; as the
        // driver clears it between tasks without an executor, and ThreadPoolExecutor's worker before each task. A
        // flag this thread had before the hand-over (a polling caller's own) is not the task's: it stays. A task
        // that starts while shutdownNow runs interrupts itself inside its run (ScheduledTask.run), after this clear
        // of the task before it.
        final boolean interruptedBefore = Thread.currentThread().isInterrupted();
        try
        {
            handOver(task, false);
        }
        finally
        {
            if (!interruptedBefore)
            {
                Thread.interrupted();
            }
        }
    }

    private void handOver(final ScheduledTask<?> task, final boolean submitting)
    {
        if (!handedOver.add(task))
        {
            // Already with the executor, queued or running (a second call of run(), or the stale timer of a task
            // run() was called on): that hand-over's call runs it, or finds it done, and takes it out of the set.
            // Handing it over again would find it running, and if refused take the running task out of the set
            // that shutdownNow interrupts; or, once a periodic task is pending again, run it before its deadline.
            // As FutureTask.run: a call while another runs the task does nothing. (Never for a task submitted: it
            // is new.)
            return;
        }
        if (submitting && stopped)
        {
            // A producer's task, counted in before shutdownNow began; it goes to the user's executor without the
            // service, so nothing closed refuses it. Registered above, then `stopped` read; shutdownNow writes
            // `stopped`, then iterates the set twice: one of the two sees the other. Seen here: shutdownNow's passes
            // may be over, and the executor's run would find the list handed back and cancel the task, a future
            // returned that nothing ran or handed back. Refused instead, as runSoon's driver branch does; or, if a
            // pass took it (cancelled, in the list), returned normally, not handed over: the producer's catch decides
            // by cancelIfNew (refuseUnlessDecided). Out of the set first: the executor never receives it.
            handedOver.remove(task);
            throw new RejectedExecutionException("the executor is shut down: it takes no new tasks");
        }
        task.handedOver = true; // before execute: the executor's call of run() runs the task
        final ScheduledTask<?> outer = inExecute.get(); // another task's hand-over this one's run is nested in
        inExecute.set(task);
        try
        {
            executor.execute(task);
        }
        catch (final Throwable e)
        {
            // Any Throwable: an Error (OutOfMemoryError "unable to create native thread" from a pool that starts a
            // worker) that got past a narrower catch left the task NEW, in the set, with no timer: never run, never
            // completed, and the executor never terminated.
            handedOver.remove(task);
            final RejectedExecutionException rejected = e instanceof RejectedExecutionException ?
                (RejectedExecutionException)e : new RejectedExecutionException("the executor refused the task", e);
            if (submitting && !(e instanceof Error))
            {
                throw rejected; // the producer's schedule cancels the task and counts it out
            }
            if (task.failIfNew(rejected))
            {
                taskDone(task);
            }
            if (e instanceof Error)
            {
                // The task is failed (its future holds the Error, in the refusal): the Error goes on to the caller,
                // as ThreadPoolExecutor.execute lets one from Thread.start through. A producer's schedule throws it;
                // the service's driver reports it to its error handler and goes on with the other timers; a
                // periodic task's re-arm lets it out of the run, to the executor that ran it.
                throw (Error)e;
            }
        }
        finally
        {
            inExecute.set(outer);
        }
    }

    // ------------------------------------------------------------------------------------------------ from tasks

    /**
     * @return the handle of the timer whose callback this thread runs now as the service's owner (the driver, or
     * the caller polling), or {@link TimerService#NULL_HANDLE}: on any other thread, and between callbacks.
     */
    long dispatchingHandle()
    {
        return ServiceInternals.dispatchingHandle(service);
    }

    /** @return the service's clock reading: every delay and deadline is on it. */
    long nowNs()
    {
        return service.nowNs();
    }

    /** @return whether {@link #shutdownNow()} was called: no task starts any more, or none uninterrupted. */
    boolean isStopped()
    {
        return stopped;
    }

    /**
     * A task reached its run after {@link #shutdownNow()} was called, and has not started: it goes where shutdownNow
     * collects the tasks that never started (the driver's queue, or the set of tasks handed over), to be handed back
     * cancelled; if shutdownNow has handed back its list already, it cancels itself.
     */
    void stoppedBeforeStart(final ScheduledTask<?> task)
    {
        if (immediate != null)
        {
            immediate.offer(task);
        }
        else
        {
            handedOver.add(task);
        }
        if (collected)
        {
            if (task.cancelIfNew())
            {
                taskDone(task);
            }
            if (handedOver != null)
            {
                handedOver.remove(task); // the executor never received it: nothing else would take it out
            }
        }
    }


    boolean stopsPeriodicTasks()
    {
        return (ctl & SHUTDOWN) != 0;
    }

    void beforeRun(final ScheduledTask<?> task)
    {
        if (executor == null)
        {
            running = task;
        }
    }

    /** Executor mode: a task handed over was cancelled before the executor ran it; it leaves the set here. */
    void skipped(final ScheduledTask<?> task)
    {
        if (executor != null)
        {
            handedOver.remove(task);
        }
    }

    void afterRun(final ScheduledTask<?> task)
    {
        if (executor == null)
        {
            running = null;
            // An interrupt left by the task (cancel(true), or a task that restores the flag, the usual idiom) was
            // for the task, not for the driver, which would otherwise wake from every park at once: cleared between
            // tasks, as a ThreadPoolExecutor's worker clears it while its pool is running.
            Thread.interrupted();
        }
        else
        {
            handedOver.remove(task);
        }
    }

    /** A periodic task's run returned normally and its state is NEW again: arm its next run. */
    void rearm(final ScheduledTask<?> task)
    {
        final long now = service.nowNs();
        final long delayNs = clampDelay(task.deadlineNs - now, now);
        try
        {
            if (delayNs > 0)
            {
                final long deadline = now + delayNs;
                if (deadline != task.deadlineNs)
                {
                    // Clamped (a deadline beyond the clock's range): the deadline moves in with the timer, which
                    // must never fire before it (see ScheduledTask.run's hand-over in executor mode).
                    task.deadlineNs = deadline;
                }
                armTimer(task, delayNs);
            }
            else if (inExecute == null || inExecute.get() != task)
            {
                runSoon(task, false);
            }
            else
            {
                // Due now, and the executor runs tasks in the caller's thread (a direct executor, CallerRunsPolicy):
                // handed over from here, the next run would nest in this one's frames, and a late fixed-rate task
                // catching up would overflow the stack. A timer due now: the driver hands it over after this returns.
                armTimer(task, 0);
            }
        }
        catch (final RejectedExecutionException e)
        {
            // Closed (shutdownNow): the task stops, cancelled. Full: it cannot go on, and says why.
            final boolean changed = e.getCause() instanceof TimerServiceClosedException ? task.cancelIfNew() :
                task.failIfNew(e);
            if (changed)
            {
                taskDone(task);
            }
            return;
        }
        // A shutdown that iterated the periodic tasks while this one was running did not stop it: it stops itself
        // (the state written NEW above, then ctl read here; shutdown writes ctl, then reads the states).
        if (stopsPeriodicTasks())
        {
            task.cancel(false);
        }
    }

    /** A cancel took the task out of NEW: free its timer slot now rather than at its deadline, and count it done. */
    void cancelled(final ScheduledTask<?> task)
    {
        final long handle = task.handle;
        if (handle != TimerService.NULL_HANDLE)
        {
            service.cancel(handle);
        }
        taskDone(task);
    }

    /** The task is done and not running: counted out; the last one after shutdown terminates the executor. */
    void taskDone(final ScheduledTask<?> task)
    {
        if (task.periodNs != 0)
        {
            periodic.remove(task);
        }
        countDone();
    }

    private void countDone()
    {
        final long c = (long)CTL.getAndAdd(this, -ONE_TASK) - ONE_TASK;
        if (c == SHUTDOWN)
        {
            terminate();
        }
    }

    private void terminate()
    {
        if (TERMINATING.compareAndSet(this, false, true))
        {
            service.close(); // from the driver thread itself (its last task), close() does not wait for it
            if (ownedPool != null)
            {
                ownedPool.shutdown(); // no task is left: its threads exit once idle
            }
            terminated.countDown();
        }
    }

    private static long clampDelay(final long delayNs, final long now)
    {
        if (delayNs <= 0)
        {
            return 0;
        }
        final long headroom = now > 0 ? (Long.MAX_VALUE - now) >> 1 : MAX_DELAY_NS;
        return Math.min(delayNs, Math.min(MAX_DELAY_NS, headroom));
    }

    // ------------------------------------------------------------------------------------------------ lifecycle

    /**
     * Refuses new tasks; tasks already scheduled with a delay still run, periodic tasks stop (their futures read as
     * cancelled). Does not wait (see {@link #awaitTermination}). Idempotent.
     */
    @Override
    public void shutdown()
    {
        final long c = (long)CTL.getAndBitwiseOr(this, SHUTDOWN);
        if ((c & SHUTDOWN) != 0)
        {
            return;
        }
        for (final ScheduledTask<?> task : periodic)
        {
            if (task.cancelIfNew())
            {
                cancelled(task); // frees its timer's slot now: termination does not wait for its deadline
            }
        }
        if (c >>> 1 == 0)
        {
            terminate();
        }
    }

    /**
     * Refuses new tasks, interrupts the running ones and returns the futures of those that never started, each
     * cancelled. With tasks on the driver thread, waits for the running task to return (see the class comment).
     *
     * @return the tasks that never started: {@link java.util.concurrent.RunnableScheduledFuture}s, in no order.
     */
    @Override
    public List<Runnable> shutdownNow()
    {
        CTL.getAndBitwiseOr(this, SHUTDOWN);
        stopped = true;
        // Interrupt first: closing the service waits for the driver, which may be running a task.
        final ScheduledTask<?> current = running;
        if (current != null)
        {
            current.interruptIfRunning();
        }
        if (handedOver != null)
        {
            for (final ScheduledTask<?> task : handedOver)
            {
                task.interruptIfRunning();
            }
        }
        final List<PendingTimer> pending = service.shutdown();
        final List<Runnable> neverStarted = new ArrayList<>();
        for (final PendingTimer timer : pending)
        {
            if (timer.task() instanceof ScheduledTask)
            {
                collect((ScheduledTask<?>)timer.task(), neverStarted);
            }
        }
        collectQueued(neverStarted);
        for (final ScheduledTask<?> task : periodic)
        {
            collect(task, neverStarted); // between runs, re-arming: not in the service yet
        }
        // A task that reached its run while the passes above ran queued itself there: a second pass. Such late
        // callers: the rest of the drain or poll whose task called this (the driver is not waited for then: it is
        // this thread, and goes on firing what was due once the task returns), a poll on another thread in
        // caller-driven mode, the user's executor's queued calls, a direct call of run(). One later still cancels
        // itself: its queueing, then its read of `collected`; here the write of `collected`, then the pass. One of
        // the two sees the other (cancelIfNew decides if both do).
        collected = true;
        collectQueued(neverStarted);
        if (ctl == SHUTDOWN)
        {
            terminate();
        }
        return neverStarted;
    }

    /** The tasks submitted without a delay and not started (driver), or handed over and not started (executor). */
    private void collectQueued(final List<Runnable> neverStarted)
    {
        if (immediate != null)
        {
            ScheduledTask<?> task;
            while ((task = immediate.poll()) != null)
            {
                collect(task, neverStarted);
            }
        }
        if (handedOver != null)
        {
            for (final ScheduledTask<?> task : handedOver)
            {
                collect(task, neverStarted);
            }
        }
    }

    private void collect(final ScheduledTask<?> task, final List<Runnable> neverStarted)
    {
        if (task.cancelIfNew())
        {
            neverStarted.add(task);
            taskDone(task);
        }
        if (handedOver != null && task.isDone())
        {
            // Out of the set: a task the executor never received (stoppedBeforeStart), or one it dropped unrun
            // (a pool shut down with its queue), would stay referenced for good. Safe: a later call of the
            // executor's finds the task done and does nothing. A running task stays, for its own afterRun.
            handedOver.remove(task);
        }
    }

    /** @return whether {@link #shutdown()} or {@link #shutdownNow()} was called. */
    @Override
    public boolean isShutdown()
    {
        return (ctl & SHUTDOWN) != 0;
    }

    /** @return whether it is shut down and every task is done (ran, or was cancelled), none running. */
    @Override
    public boolean isTerminated()
    {
        return terminated.getCount() == 0;
    }

    /**
     * Waits until it is terminated, the timeout passes, or this thread is interrupted.
     *
     * @return {@code true} if terminated, {@code false} if the timeout passed first.
     * @throws InterruptedException if interrupted while waiting.
     * @throws NullPointerException if {@code unit} is null.
     */
    @Override
    public boolean awaitTermination(final long timeout, final TimeUnit unit) throws InterruptedException
    {
        Objects.requireNonNull(unit, "unit");
        return terminated.await(timeout, unit);
    }

    // ------------------------------------------------------------------------------------------------ tests

    /** Caller-driven mode (tests): runs what is due on the service's clock, on this thread. */
    int poll()
    {
        return service.poll();
    }

    /** @return how many tasks the set of tasks handed to the user's executor holds (0 without one), for tests. */
    int handedOverCount()
    {
        return handedOver == null ? 0 : handedOver.size();
    }

    /** @return the service underneath, for tests that read its metrics. */
    TimerService service()
    {
        return service;
    }

    @Override
    public String toString()
    {
        final long c = ctl;
        return "TimerScheduledExecutor{tasks=" + (c >>> 1) + ", shutdown=" + ((c & SHUTDOWN) != 0) +
            ", terminated=" + isTerminated() + ", runsOn=" + (executor == null ? "driver" : executor) + '}';
    }

    /**
     * Configures a {@link TimerScheduledExecutor}: the service's options (tick, capacity, clock, thread factory) and
     * where tasks run. Every value is checked when set, with the name, the value and what was expected.
     */
    public static final class Builder
    {
        private long tickNs = TimeUnit.MILLISECONDS.toNanos(1);
        private int capacity = 1 << 16;
        private Duration waitWhenFull = DEFAULT_WAIT_WHEN_FULL;
        private LongSupplier clock = System::nanoTime;
        private Executor executor;
        private int threads = 1;
        private boolean callerDriven;
        private ThreadFactory threadFactory = runnable ->
            new Thread(runnable, "escapement-scheduler-" + THREAD_NUMBER.incrementAndGet());

        private Builder()
        {
        }

        /**
         * @param tick the wheel's tick, at least 1 ns. Default 1 ms. Tasks never run early whatever the tick; tasks
         *             due in the same tick run in no particular order.
         * @return this builder.
         * @throws IllegalArgumentException if the tick is shorter than 1 ns.
         */
        public Builder tick(final Duration tick)
        {
            Objects.requireNonNull(tick, "tick");
            if (tick.isNegative() || tick.isZero())
            {
                throw new IllegalArgumentException("tick must be at least 1 ns, was " + tick);
            }
            this.tickNs = tick.toNanos();
            return this;
        }

        /**
         * @param capacity the most tasks pending at once (scheduled and not yet started, including cancelled ones
         *                 the driver has not yet retired), from 1 to the wheel's limit. Default 65,536. Preallocated:
         *                 about 16 bytes each (see {@link TimerService.Builder#capacity(int)}).
         * @return this builder.
         * @throws IllegalArgumentException if out of range.
         */
        public Builder capacity(final int capacity)
        {
            TimerService.builder().capacity(capacity); // the service's own check and message
            this.capacity = capacity;
            return this;
        }

        /**
         * @param maxWait how long a schedule may wait for a free slot, when every slot is taken, before it throws
         *                {@link RejectedExecutionException}; meanwhile it wakes the driver, which frees the slots of
         *                cancelled tasks, and yields to it. Default 1 s: the JDK's scheduler never refuses for want of
         *                room, and producers that schedule and cancel faster than the driver retires (more busy
         *                producers than cores) are slowed to its pace rather than refused. 0: refuse at once.
         * @return this builder.
         * @throws IllegalArgumentException if negative.
         */
        public Builder waitWhenFull(final Duration maxWait)
        {
            Objects.requireNonNull(maxWait, "waitWhenFull");
            TimerService.builder().waitWhenFull(maxWait);
            this.waitWhenFull = maxWait;
            return this;
        }

        /**
         * @param executor runs the tasks (a {@code ForkJoinPool}, a fixed pool): the driver thread only hands them
         *                 over. Default none: tasks run on the driver thread, one at a time. Never shut down by the
         *                 scheduled executor. If it refuses a task whose timer fired, the task's future completes
         *                 exceptionally with the {@link RejectedExecutionException}; one that drops tasks silently
         *                 (a discard policy) leaves their futures pending and the executor never terminated, as
         *                 any executor service built on it would. If it throws an {@link Error}, the task's future
         *                 completes exceptionally too (the Error as the cause of a
         *                 {@link RejectedExecutionException}) and the Error goes on to the caller. One that runs tasks
         *                 in the caller's thread (a direct executor, {@code CallerRunsPolicy}) works: a periodic
         *                 task's own catch-up runs do not nest one in another (a run due again at once goes back
         *                 through the driver); a task such an executor runs from inside another task's run nests in
         *                 it, as that executor makes it.
         * @return this builder.
         */
        public Builder executor(final Executor executor)
        {
            this.executor = Objects.requireNonNull(executor, "executor");
            return this;
        }

        /**
         * @param threads how many threads run the tasks, at least 1. Default 1: the driver thread runs them, one at a
         *                time, as a one-thread {@link ScheduledThreadPoolExecutor}. More: a fixed pool of that many
         *                threads from {@link #threadFactory} (as {@code Executors.newScheduledThreadPool(threads)}),
         *                which the driver hands the tasks to, shut down when the executor terminates. Ignored if an
         *                {@link #executor} is given.
         * @return this builder.
         * @throws IllegalArgumentException if less than 1.
         */
        public Builder threads(final int threads)
        {
            if (threads < 1)
            {
                throw new IllegalArgumentException("threads must be at least 1, was " + threads);
            }
            this.threads = threads;
            return this;
        }

        /**
         * @param clockNs a monotonic clock in nanoseconds. Default {@link System#nanoTime()}.
         * @return this builder.
         */
        public Builder clock(final LongSupplier clockNs)
        {
            this.clock = Objects.requireNonNull(clockNs, "clock");
            return this;
        }

        /**
         * @param threadFactory makes the driver thread. Default: non-daemon threads named
         *                      {@code escapement-scheduler-N}.
         * @return this builder.
         */
        public Builder threadFactory(final ThreadFactory threadFactory)
        {
            this.threadFactory = Objects.requireNonNull(threadFactory, "threadFactory");
            return this;
        }

        /** Tests: no driver thread; the test calls {@link TimerScheduledExecutor#poll()}. */
        Builder callerDriven()
        {
            this.callerDriven = true;
            return this;
        }

        /** @return a new executor, its driver thread started. */
        public TimerScheduledExecutor build()
        {
            return new TimerScheduledExecutor(this);
        }
    }
}
