package io.escapement.netty;

import io.escapement.engine.service.PendingTimer;
import io.escapement.engine.service.TimerService;
import io.escapement.engine.service.TimerServiceClosedException;
import io.escapement.engine.service.TimerServiceFullException;
import io.escapement.engine.wheel.TimerWheel;
import io.netty.util.Timeout;
import io.netty.util.Timer;
import io.netty.util.TimerTask;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.time.Duration;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongSupplier;

/**
 * Netty 4.1's {@link Timer}, backed by Escapement's {@link TimerService}: replace {@code new HashedWheelTimer(...)}
 * with {@code new EscapementTimer(...)} (the same arguments) and the rest of the code stays as it is.
 *
 * <h2>The contract kept</h2>
 * <ul>
 *   <li>{@link #newTimeout} throws {@link NullPointerException} for a null task or unit,
 *       {@link IllegalStateException} once the timer is stopped, and {@link RejectedExecutionException} when the
 *       count of pending timeouts would exceed the maximum; a negative delay means "now", a delay too large for the
 *       clock means "never" (about 73 years), as in {@code HashedWheelTimer}. The worker thread starts on the first
 *       {@code newTimeout} (or {@link #start()}).</li>
 *   <li>Each {@link Timeout} expires at most once and never before its delay: {@link Timeout#cancel()} returns
 *       {@code true} for the first cancel of a timeout that has not expired, and its task then never runs; after
 *       expiry it returns {@code false}. The decision is one CAS on the timeout's state, the same word
 *       {@link Timeout#isExpired()} and {@link Timeout#isCancelled()} read, so they never disagree with it.</li>
 *   <li>{@link #stop()} returns the timeouts that were neither expired nor cancelled (each taken by a CAS on its state,
 *       so a cancel racing the stop either wins, and the timeout is not in the set, or loses and returns
 *       {@code false}); as {@code HashedWheelTimer}'s, the returned timeouts are cancelled by the stop. It is idempotent
 *       (a second call returns an empty set) and throws {@link IllegalStateException} when a task of this timer calls
 *       it from the worker thread.</li>
 *   <li>A task that throws is logged (a {@code WARNING} on the {@link System.Logger} named after this class, unless
 *       the builder was given an {@link ErrorHandler}), counted ({@link #taskErrors()}), and the timer goes on.</li>
 * </ul>
 *
 * <h2>Differences from HashedWheelTimer</h2>
 * <ul>
 *   <li><b>Bounded.</b> The service's slot table is allocated up front, so the timer holds at most
 *       {@link Builder#capacity(int) capacity} pending timeouts (default 65,536; about 16 bytes each up front), or
 *       {@code maxPendingTimeouts} when that is set: where {@code HashedWheelTimer} grows without bound, this one
 *       throws {@link RejectedExecutionException} (the exception Netty documents for "too many pending").</li>
 *   <li><b>Exact pending count.</b> {@link #pendingTimeouts()} drops when a timeout is cancelled, not at the worker's
 *       next tick; the slots of cancelled timeouts are reclaimed by the worker soon after (the table has room for
 *       that on top of the maximum).</li>
 *   <li><b>Ticks.</b> The tick is the service's wheel tick (default 100 ms, as Netty's); ticks per wheel are
 *       checked and otherwise ignored: the wheel is hierarchical and needs no sizing. The worker sleeps until the
 *       earliest deadline instead of waking every tick. The default worker is a daemon thread named
 *       {@code escapement-timer-N} (Netty's is not a daemon); leak detection is not offered.</li>
 * </ul>
 *
 * <h2>Cost</h2>
 * {@code newTimeout} allocates the {@link Timeout} (32 bytes with compressed references) and, like Netty's, counts
 * it on one shared {@link AtomicLong}; the service then arms, cancels and fires without allocating (see
 * {@link TimerService}). Thread-safe: any thread may create, cancel and stop.
 */
public final class EscapementTimer implements Timer
{
    /** Netty's default tick. */
    public static final long DEFAULT_TICK_MS = 100;
    /** The pending timeouts a timer holds when neither {@code maxPendingTimeouts} nor a capacity is given. */
    public static final int DEFAULT_CAPACITY = 1 << 16;
    /**
     * The longest delay honoured as it is (about 73 years); longer ones are shortened to it, as Netty clamps a
     * deadline that would overflow to {@code Long.MAX_VALUE}. A quarter of the range keeps the clock's reading plus
     * the delay clear of overflow for any {@link System#nanoTime()} origin a running JVM has.
     */
    public static final long MAX_DELAY_NS = Long.MAX_VALUE >> 2;
    /** Netty's bound on ticks per wheel, checked for compatibility. */
    private static final int MAX_TICKS_PER_WHEEL = 1 << 30;
    /** The largest maximum: the service's table holds it plus an eighth for cancelled timeouts. */
    private static final int MAX_PENDING = TimerWheel.MAX_CAPACITY_LIMIT / 9 * 8;
    private static final AtomicInteger THREAD_NUMBER = new AtomicInteger();

    private static final int WORKER_INIT = 0;
    private static final int WORKER_STARTED = 1;
    private static final int WORKER_STOPPED = 2;

    private static final VarHandle WORKER_STATE;

    static
    {
        try
        {
            WORKER_STATE = MethodHandles.lookup().findVarHandle(EscapementTimer.class, "workerState", int.class);
        }
        catch (final ReflectiveOperationException e)
        {
            throw new ExceptionInInitializerError(e);
        }
    }

    private static final System.Logger LOGGER = System.getLogger(EscapementTimer.class.getName());

    /** Logs a task's exception as a warning, as {@code HashedWheelTimer} does. */
    private static final ErrorHandler LOG_WARNING = (timeout, error) ->
        LOGGER.log(System.Logger.Level.WARNING, "An exception was thrown by " + timeout.task().getClass().getName() +
            "; the timer goes on", error);

    private final TimerService service;
    /** The most timeouts pending at once: maxPendingTimeouts, or the capacity. */
    private final long maxPending;
    /** Whether the bound is the caller's maxPendingTimeouts (for the message of the rejection). */
    private final boolean maxPendingGiven;
    /** Runs the tasks, or null: they run on the worker thread. */
    private final Executor taskExecutor;
    private final ErrorHandler errorHandler;
    /** Tests only: no worker thread; the test drives the service with {@link #pollForTest()}. */
    private final boolean callerDriven;

    /**
     * Timeouts neither expired, cancelled nor taken by the stop: incremented by newTimeout before it arms, decremented
     * by whichever CAS takes the timeout out of INIT. Netty's count is one shared AtomicLong too.
     */
    final AtomicLong pending = new AtomicLong();
    private final LongAdder taskErrors = new LongAdder();

    private volatile int workerState = WORKER_INIT;
    /** The worker thread (or the test's polling thread); a task calling stop() from it is refused. */
    private volatile Thread workerThread;

    /** As Netty's default: a 100 ms tick, the default thread factory, at most {@value #DEFAULT_CAPACITY} pending. */
    public EscapementTimer()
    {
        this(builder());
    }

    /**
     * @param tickDuration the duration between ticks, positive.
     * @param unit         its unit.
     * @throws NullPointerException     if {@code unit} is null.
     * @throws IllegalArgumentException if {@code tickDuration} is not positive.
     */
    public EscapementTimer(final long tickDuration, final TimeUnit unit)
    {
        this(builder().tickDuration(tickDuration, unit));
    }

    /**
     * @param tickDuration  the duration between ticks, positive.
     * @param unit          its unit.
     * @param ticksPerWheel checked as Netty does (1 to 2<sup>30</sup>) and otherwise ignored.
     * @throws NullPointerException     if {@code unit} is null.
     * @throws IllegalArgumentException if {@code tickDuration} or {@code ticksPerWheel} is out of range.
     */
    public EscapementTimer(final long tickDuration, final TimeUnit unit, final int ticksPerWheel)
    {
        this(builder().tickDuration(tickDuration, unit).ticksPerWheel(ticksPerWheel));
    }

    /**
     * @param threadFactory makes the worker thread, on the first {@link #newTimeout}.
     * @throws NullPointerException if {@code threadFactory} is null.
     */
    public EscapementTimer(final ThreadFactory threadFactory)
    {
        this(builder().threadFactory(threadFactory));
    }

    /**
     * @param threadFactory makes the worker thread, on the first {@link #newTimeout}.
     * @param tickDuration  the duration between ticks, positive.
     * @param unit          its unit.
     * @throws NullPointerException     if {@code threadFactory} or {@code unit} is null.
     * @throws IllegalArgumentException if {@code tickDuration} is not positive.
     */
    public EscapementTimer(final ThreadFactory threadFactory, final long tickDuration, final TimeUnit unit)
    {
        this(builder().threadFactory(threadFactory).tickDuration(tickDuration, unit));
    }

    /**
     * @param threadFactory makes the worker thread, on the first {@link #newTimeout}.
     * @param tickDuration  the duration between ticks, positive.
     * @param unit          its unit.
     * @param ticksPerWheel checked as Netty does (1 to 2<sup>30</sup>) and otherwise ignored.
     * @throws NullPointerException     if {@code threadFactory} or {@code unit} is null.
     * @throws IllegalArgumentException if {@code tickDuration} or {@code ticksPerWheel} is out of range.
     */
    public EscapementTimer(final ThreadFactory threadFactory, final long tickDuration, final TimeUnit unit,
        final int ticksPerWheel)
    {
        this(builder().threadFactory(threadFactory).tickDuration(tickDuration, unit).ticksPerWheel(ticksPerWheel));
    }

    /**
     * @param threadFactory      makes the worker thread, on the first {@link #newTimeout}.
     * @param tickDuration       the duration between ticks, positive.
     * @param unit               its unit.
     * @param ticksPerWheel      checked as Netty does (1 to 2<sup>30</sup>) and otherwise ignored.
     * @param leakDetection      accepted for compatibility; this timer does no leak detection.
     * @param maxPendingTimeouts the most pending timeouts; 0 or less: up to {@value #DEFAULT_CAPACITY}.
     * @throws NullPointerException     if {@code threadFactory} or {@code unit} is null.
     * @throws IllegalArgumentException if a value is out of range.
     */
    public EscapementTimer(final ThreadFactory threadFactory, final long tickDuration, final TimeUnit unit,
        final int ticksPerWheel, final boolean leakDetection, final long maxPendingTimeouts)
    {
        this(builder().threadFactory(threadFactory).tickDuration(tickDuration, unit).ticksPerWheel(ticksPerWheel)
            .maxPendingTimeouts(maxPendingTimeouts));
    }

    /**
     * @param threadFactory      makes the worker thread, on the first {@link #newTimeout}.
     * @param tickDuration       the duration between ticks, positive.
     * @param unit               its unit.
     * @param ticksPerWheel      checked as Netty does (1 to 2<sup>30</sup>) and otherwise ignored.
     * @param leakDetection      accepted for compatibility; this timer does no leak detection.
     * @param maxPendingTimeouts the most pending timeouts; 0 or less: up to {@value #DEFAULT_CAPACITY}.
     * @param taskExecutor       runs the tasks; the worker thread only hands them over.
     * @throws NullPointerException     if {@code threadFactory}, {@code unit} or {@code taskExecutor} is null.
     * @throws IllegalArgumentException if a value is out of range.
     */
    public EscapementTimer(final ThreadFactory threadFactory, final long tickDuration, final TimeUnit unit,
        final int ticksPerWheel, final boolean leakDetection, final long maxPendingTimeouts,
        final Executor taskExecutor)
    {
        this(builder().threadFactory(threadFactory).tickDuration(tickDuration, unit).ticksPerWheel(ticksPerWheel)
            .maxPendingTimeouts(maxPendingTimeouts).taskExecutor(taskExecutor));
    }

    private EscapementTimer(final Builder builder)
    {
        final long capacity = builder.maxPendingTimeouts > 0 ? builder.maxPendingTimeouts : builder.capacity;
        maxPendingGiven = builder.maxPendingTimeouts > 0;
        maxPending = capacity;
        taskExecutor = builder.taskExecutor;
        errorHandler = builder.errorHandler != null ? builder.errorHandler : LOG_WARNING;
        callerDriven = builder.callerDriven;
        final ThreadFactory userFactory = builder.threadFactory;
        final TimerService.Builder service = TimerService.builder()
            .capacity(serviceCapacity(capacity))
            .tickNs(builder.tickNs)
            .clock(builder.clock)
            // a task's own exceptions are caught in runTask; what reaches the service is a fault of the service
            .errorHandler((handle, error) -> LOGGER.log(System.Logger.Level.ERROR,
                "the timer service's worker failed; it goes on", error))
            .waitWhenFull(builder.waitWhenFull);
        if (userFactory != null)
        {
            service.threadFactory(runnable ->
            {
                final Thread thread = userFactory.newThread(runnable);
                workerThread = thread;
                return thread;
            });
        }
        else
        {
            service.threadFactory(new RecordingDefaultFactory());
        }
        this.service = service.build();
    }

    /**
     * Room for the cancelled timeouts whose slots the service has not reclaimed yet, on top of the pending ones:
     * an eighth more (at least 64, or as many again for a maximum under 64), so that a timer at its maximum does not refuse a timeout because of cancels its
     * worker has not seen yet; an arm that still finds every slot taken waits for the worker (see
     * {@link Builder#waitWhenFull}).
     */
    private static int serviceCapacity(final long maxPending)
    {
        return (int)Math.min(TimerWheel.MAX_CAPACITY_LIMIT,
            maxPending + Math.max(maxPending >> 3, Math.min(maxPending, 64)));
    }

    /** @return a builder for the options {@code HashedWheelTimer}'s constructors lack: clock, capacity, errors. */
    public static Builder builder()
    {
        return new Builder();
    }

    /**
     * Starts the worker thread explicitly; {@link #newTimeout} starts it when it was not. Idempotent.
     *
     * @throws IllegalStateException if the timer was stopped.
     */
    public void start()
    {
        switch (workerState)
        {
            case WORKER_INIT:
                if (WORKER_STATE.compareAndSet(this, WORKER_INIT, WORKER_STARTED))
                {
                    startWorker();
                }
                break;
            case WORKER_STARTED:
                break;
            default:
                throw new IllegalStateException("cannot be started once stopped");
        }
    }

    private void startWorker()
    {
        if (callerDriven)
        {
            return;
        }
        try
        {
            service.start();
        }
        catch (final TimerServiceClosedException e)
        {
            throw new IllegalStateException("cannot be started once stopped", e); // a stop() came between
        }
        catch (final RuntimeException | Error e)
        {
            // A timer with no worker would accept timeouts that never expire: stopped instead, so that the next
            // newTimeout says so, and the timeouts other threads created meanwhile cancelled (and counted out).
            WORKER_STATE.setVolatile(this, WORKER_STOPPED);
            for (final PendingTimer timer : service.shutdown())
            {
                ((EscapementTimeout)timer.task()).takeForStop();
            }
            throw e;
        }
    }

    /**
     * Schedules {@code task} to run once after {@code delay}. Any thread. Starts the worker if it is not running.
     *
     * @param task  what to run; it receives the returned timeout.
     * @param delay how long from now; 0 or less runs it as soon as possible; delays over {@link #MAX_DELAY_NS} are
     *              shortened to it.
     * @param unit  the unit of the delay.
     * @return the timeout, to cancel it or ask its state.
     * @throws NullPointerException       if {@code task} or {@code unit} is null.
     * @throws IllegalStateException      if the timer was stopped.
     * @throws RejectedExecutionException if the pending timeouts would exceed the maximum (maxPendingTimeouts, or the
     *                                    capacity), or the worker stayed too far behind to free a slot in time.
     */
    @Override
    public Timeout newTimeout(final TimerTask task, final long delay, final TimeUnit unit)
    {
        Objects.requireNonNull(task, "task");
        Objects.requireNonNull(unit, "unit");
        start();
        final long count = pending.incrementAndGet();
        if (count > maxPending)
        {
            pending.decrementAndGet();
            throw new RejectedExecutionException("Number of pending timeouts (" + count + ") is greater than " +
                (maxPendingGiven ? "the maximum allowed pending timeouts (" + maxPending + ")" :
                "the capacity of this EscapementTimer (" + maxPending + "): give a larger one to " +
                "EscapementTimer.builder().capacity(...) or a maxPendingTimeouts"));
        }
        final EscapementTimeout timeout = new EscapementTimeout(this, task);
        final long delayNs = unit.toNanos(delay); // saturates at Long.MIN_VALUE / MAX_VALUE
        try
        {
            timeout.handle = service.arm(delayNs <= 0 ? 0 : Math.min(delayNs, MAX_DELAY_NS), TimeUnit.NANOSECONDS,
                timeout);
        }
        catch (final TimerServiceFullException e)
        {
            pending.decrementAndGet();
            throw new RejectedExecutionException("every slot of this EscapementTimer holds a timeout the worker has " +
                "not freed yet, and it stayed so for the whole wait: the worker is behind", e);
        }
        catch (final TimerServiceClosedException e)
        {
            pending.decrementAndGet(); // stopped during the call: the service took its timer back (not in stop's set)
            throw new IllegalStateException("cannot be started once stopped", e);
        }
        catch (final RuntimeException e)
        {
            pending.decrementAndGet();
            throw e;
        }
        return timeout;
    }

    /**
     * Stops the worker (waiting for a running task to return), cancels the timeouts that were pending and hands them
     * back: each was neither expired nor cancelled, and its task never runs. Any thread but the worker's. Idempotent: a later
     * call returns an empty set; {@link #newTimeout} then throws {@link IllegalStateException}.
     *
     * @return the timeouts this call cancelled, in a new set.
     * @throws IllegalStateException if called from a {@link TimerTask} running on this timer's worker thread.
     */
    @Override
    public Set<Timeout> stop()
    {
        if (Thread.currentThread() == workerThread)
        {
            throw new IllegalStateException(EscapementTimer.class.getSimpleName() + ".stop() cannot be called from " +
                TimerTask.class.getSimpleName());
        }
        if ((int)WORKER_STATE.getAndSet(this, WORKER_STOPPED) == WORKER_STOPPED)
        {
            return Collections.emptySet();
        }
        // The service's close sweeps every armed timer with the CAS its fire would use, and joins the worker: each
        // timeout it returns was not fired, and each one fired has run (or was handed to the executor) by now.
        final List<PendingTimer> pendingTimers = service.shutdown();
        final Set<Timeout> unexpired = new HashSet<>(Math.max(16, (int)(pendingTimers.size() / 0.75f) + 1));
        for (final PendingTimer timer : pendingTimers)
        {
            final EscapementTimeout timeout = (EscapementTimeout)timer.task();
            if (timeout.takeForStop())
            {
                unexpired.add(timeout);
            }
        }
        return unexpired; // a set of the caller's own, as Netty's
    }

    /**
     * @return the timeouts neither expired nor cancelled (by {@link Timeout#cancel()} or {@link #stop()}): exact, any
     * thread, a snapshot. Netty's counts cancelled timeouts until its worker's next tick, and keeps counting those its
     * stop handed back.
     */
    public long pendingTimeouts()
    {
        return pending.get();
    }

    /** @return how many tasks threw (each went to the error handler). */
    public long taskErrors()
    {
        return taskErrors.sum();
    }

    /** @return the most timeouts pending at once: maxPendingTimeouts if given, else the capacity. */
    public long maxPendingTimeouts()
    {
        return maxPending;
    }

    /** The service fired the timeout and its CAS won: run the task here, or hand it to the executor. */
    void expire(final EscapementTimeout timeout)
    {
        final Executor executor = taskExecutor;
        if (executor == null)
        {
            runTask(timeout);
            return;
        }
        try
        {
            executor.execute(() -> runTask(timeout)); // the one allocation of executor mode, per expiry
        }
        catch (final Throwable t)
        {
            reportError(timeout, t); // RejectedExecutionException: expired, but its task could not be handed over
        }
    }

    private void runTask(final EscapementTimeout timeout)
    {
        try
        {
            timeout.task().run(timeout);
        }
        catch (final Throwable t)
        {
            reportError(timeout, t);
        }
    }

    private void reportError(final EscapementTimeout timeout, final Throwable error)
    {
        taskErrors.increment();
        try
        {
            errorHandler.onError(timeout, error);
        }
        catch (final Throwable t)
        {
            t.addSuppressed(error);
            LOGGER.log(System.Logger.Level.ERROR, "the error handler threw; the timer goes on", t);
        }
    }

    /** The service's cancel, after the timeout's own CAS decided the cancel: frees the slot at the worker's drain. */
    void cancelInService(final long handle)
    {
        service.cancel(handle);
    }

    /**
     * Tests only: drives a timer built with {@link Builder#callerDriven()} on this thread (drains the requests, fires
     * what is due on the clock). A task calling {@link #stop()} from here is refused, as from a worker.
     *
     * @return the timers the service took from its wheel.
     */
    int pollForTest()
    {
        workerThread = Thread.currentThread();
        try
        {
            return service.poll();
        }
        finally
        {
            workerThread = null;
        }
    }

    /** @return the engine's service behind this timer, for its metrics (lateness percentiles, counters). */
    public TimerService service()
    {
        return service;
    }

    @Override
    public String toString()
    {
        final int state = workerState;
        return "EscapementTimer{state=" + (state == WORKER_INIT ? "init" : state == WORKER_STARTED ? "started" :
            "stopped") + ", pending=" + pending.get() + ", maxPending=" + maxPending + '}';
    }

    /** The service's default factory (a daemon named {@code escapement-timer-N}), recording the thread it makes. */
    private final class RecordingDefaultFactory implements ThreadFactory
    {
        @Override
        public Thread newThread(final Runnable runnable)
        {
            final Thread thread = new Thread(runnable, "escapement-timer-" + THREAD_NUMBER.incrementAndGet());
            thread.setDaemon(true);
            workerThread = thread;
            return thread;
        }
    }

    /**
     * Told about every exception a {@link TimerTask} of the timer throws (or an executor that refused a task). Runs on
     * the thread that ran the task; if it throws in turn, that is logged and the timer goes on.
     */
    @FunctionalInterface
    public interface ErrorHandler
    {
        /**
         * @param timeout the timeout whose task threw.
         * @param error   what it threw.
         */
        void onError(Timeout timeout, Throwable error);
    }

    /**
     * The options of {@code HashedWheelTimer}'s constructors, and the service's own: clock, capacity, wait when
     * full, error handler. Each value is checked when set.
     */
    public static final class Builder
    {
        private ThreadFactory threadFactory;
        private long tickNs = TimeUnit.MILLISECONDS.toNanos(DEFAULT_TICK_MS);
        private long maxPendingTimeouts = -1;
        private int capacity = DEFAULT_CAPACITY;
        private Executor taskExecutor;
        private LongSupplier clock = System::nanoTime;
        private Duration waitWhenFull = Duration.ofSeconds(1);
        private ErrorHandler errorHandler;
        private boolean callerDriven;

        private Builder()
        {
        }

        /**
         * @param threadFactory makes the worker thread, on the first {@link #newTimeout}. Default: a daemon thread
         *                      named {@code escapement-timer-N}.
         * @return this builder.
         */
        public Builder threadFactory(final ThreadFactory threadFactory)
        {
            this.threadFactory = Objects.requireNonNull(threadFactory, "threadFactory");
            return this;
        }

        /**
         * @param tickDuration the wheel's tick, positive. Default 100 ms. Timeouts never expire early whatever the
         *                     tick; they may expire up to about a tick late.
         * @param unit         its unit.
         * @return this builder.
         */
        public Builder tickDuration(final long tickDuration, final TimeUnit unit)
        {
            Objects.requireNonNull(unit, "unit");
            if (tickDuration <= 0)
            {
                throw new IllegalArgumentException("tickDuration : " + tickDuration + " (expected: > 0)");
            }
            this.tickNs = unit.toNanos(tickDuration);
            return this;
        }

        /**
         * @param ticksPerWheel checked as {@code HashedWheelTimer} does (1 to 2<sup>30</sup>); the hierarchical
         *                      wheel needs no size, so the value is otherwise ignored.
         * @return this builder.
         */
        public Builder ticksPerWheel(final int ticksPerWheel)
        {
            if (ticksPerWheel < 1 || ticksPerWheel > MAX_TICKS_PER_WHEEL)
            {
                throw new IllegalArgumentException("ticksPerWheel: " + ticksPerWheel + " (expected: 1-" +
                    MAX_TICKS_PER_WHEEL + ")");
            }
            return this;
        }

        /**
         * @param maxPendingTimeouts the most timeouts pending at once; beyond it {@link #newTimeout} throws
         *                           {@link RejectedExecutionException}. 0 or less (the default): up to the
         *                           {@link #capacity(int) capacity}. At most 2<sup>30</sup> less an eighth.
         * @return this builder.
         */
        public Builder maxPendingTimeouts(final long maxPendingTimeouts)
        {
            if (maxPendingTimeouts > MAX_PENDING)
            {
                throw new IllegalArgumentException("maxPendingTimeouts must be at most " + MAX_PENDING + " (or 0 " +
                    "or less: up to the capacity), was " + maxPendingTimeouts);
            }
            this.maxPendingTimeouts = maxPendingTimeouts;
            return this;
        }

        /**
         * @param capacity the most timeouts pending at once when no {@code maxPendingTimeouts} is given, from 1 to
         *                 2<sup>30</sup> less an eighth. Default {@value #DEFAULT_CAPACITY}. Allocated up front: about
         *                 16 bytes each (18 with the room for cancelled ones), and the wheel's 31 bytes or so (at
         *                 most 32) for each slot once used.
         * @return this builder.
         */
        public Builder capacity(final int capacity)
        {
            if (capacity < 1 || capacity > MAX_PENDING)
            {
                throw new IllegalArgumentException("capacity must be in [1, " + MAX_PENDING + "], was " + capacity);
            }
            this.capacity = capacity;
            return this;
        }

        /**
         * @param taskExecutor runs the tasks; the worker thread only hands them over. Default: none, the tasks run on
         *                     the worker thread.
         * @return this builder.
         */
        public Builder taskExecutor(final Executor taskExecutor)
        {
            this.taskExecutor = Objects.requireNonNull(taskExecutor, "taskExecutor");
            return this;
        }

        /**
         * @param clockNs a monotonic clock in nanoseconds, read for every deadline and by the worker. Default
         *                {@link System#nanoTime()}; tests inject a manual one.
         * @return this builder.
         */
        public Builder clock(final LongSupplier clockNs)
        {
            this.clock = Objects.requireNonNull(clockNs, "clock");
            return this;
        }

        /**
         * @param maxWait how long {@link #newTimeout} waits for the worker to free a slot when every slot holds a
         *                timeout (cancelled ones included) before it throws {@link RejectedExecutionException}.
         *                Default 1 s. Only when cancelled timeouts the worker has not reclaimed yet fill the room
         *                above the maximum: a timer at its maximum of live timeouts refuses at once.
         * @return this builder.
         */
        public Builder waitWhenFull(final Duration maxWait)
        {
            Objects.requireNonNull(maxWait, "waitWhenFull");
            if (maxWait.isNegative())
            {
                throw new IllegalArgumentException("waitWhenFull must not be negative, was " + maxWait);
            }
            this.waitWhenFull = maxWait;
            return this;
        }

        /**
         * @param errorHandler told about every exception a task throws. Default: a {@code WARNING} on the
         *                     {@link System.Logger} named after {@link EscapementTimer}.
         * @return this builder.
         */
        public Builder errorHandler(final ErrorHandler errorHandler)
        {
            this.errorHandler = Objects.requireNonNull(errorHandler, "errorHandler");
            return this;
        }

        /** Tests only: no worker thread; the test drives the timer with {@link EscapementTimer#pollForTest()}. */
        Builder callerDriven()
        {
            this.callerDriven = true;
            return this;
        }

        /** @return a new timer; its worker starts on the first {@link #newTimeout} (or {@link #start()}). */
        public EscapementTimer build()
        {
            return new EscapementTimer(this);
        }
    }
}
