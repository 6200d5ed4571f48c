package io.escapement.engine.service;

import io.escapement.engine.TimerHandler;
import io.escapement.engine.internal.ServiceInternals;
import io.escapement.engine.wheel.TimerWheel;
import org.HdrHistogram.Histogram;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.Executor;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.LongSupplier;

import static io.escapement.engine.service.TimerSlots.ARMED;
import static io.escapement.engine.service.TimerSlots.CANCELLED;
import static io.escapement.engine.service.TimerSlots.CLOSED;
import static io.escapement.engine.service.TimerSlots.FIRING;
import static io.escapement.engine.service.TimerSlots.GENERATION_MASK;
import static io.escapement.engine.service.TimerSlots.KIND_ARM;
import static io.escapement.engine.service.TimerSlots.KIND_CANCEL;
import static io.escapement.engine.service.TimerSlots.KIND_REARM;
import static io.escapement.engine.service.TimerSlots.NIL;
import static io.escapement.engine.service.TimerSlots.NOP;
import static io.escapement.engine.service.TimerSlots.QUEUED;
import static io.escapement.engine.service.TimerSlots.RUNNING;
import static io.escapement.engine.service.TimerSlots.SEQUENCE_MASK;
import static io.escapement.engine.service.TimerSlots.SEQUENCE_SHIFT;
import static io.escapement.engine.service.TimerSlots.STATUS_MASK;
import static io.escapement.engine.service.TimerSlots.nextGeneration;
import static io.escapement.engine.service.TimerSlots.nextRequest;
import static io.escapement.engine.service.TimerSlots.status;

/**
 * A thread-safe timer service on top of the single-threaded {@link TimerWheel}: any thread arms, re-arms and
 * cancels timers without locks; one owner thread files them in the wheel and runs their callbacks (or hands them to
 * an {@link Executor}).
 *
 * <h2>Guarantees</h2>
 * <ul>
 *   <li><b>Cancel is final.</b> {@link #cancel(long)} returning {@code true} means the callback never runs (for
 *       a periodic timer: no run starts afterwards); {@code false} means it has run, is running, or the timer was
 *       cancelled (or closed) before. Fire and cancel
 *       are decided by one CAS on the timer's state word, whoever comes second sees the first. The same holds for
 *       {@link #rearm}: {@code true} means the callback will not run at the old deadline.</li>
 *   <li><b>Never early.</b> A deadline is the clock's reading when the timer is armed plus the delay, and the wheel
 *       compares exact deadlines with the time it is advanced to, which is read from the same clock afterwards. A
 *       timer armed while the owner is mid-advance waits for the next drain; one armed while the driver overslept
 *       is filed in the past and fires at once, never before its deadline. Lateness (see {@link #metrics()}) is
 *       measured from the clock's reading when the advance that fires the timer starts, read again every
 *       {@value #FIRES_PER_CLOCK_READ} fires: a clock read per fire would cost as much as the rest of the fire, so
 *       the time spent in up to 31 earlier callbacks of the same advance may not show in a timer's lateness.</li>
 *   <li><b>Periodic timers keep their rate.</b> {@link #armPeriodic(long, long, TimeUnit, long)}: one handle for
 *       life, run {@code k} due at exactly {@code first + k * period}, runs never overlapping on the owner thread,
 *       cancel final also during a run.</li>
 *   <li><b>Stale and forged handles are answered, never obeyed.</b> A handle is {@code generation << 32 | slot};
 *       the generation changes whenever a slot is reused, so {@code cancel} answers {@code false} and {@code rearm}
 *       {@code false} for a handle whose timer is gone, and neither touches the timer now in the slot. The
 *       generation has 31 bits and a freed slot is the next one taken (last in, first out, as the wheel's): a slot
 *       must be reused 2<sup>31</sup> times before an old handle could alias it, which a handful of timers armed
 *       and cancelled millions of times a second can reach within minutes; do not keep handles for that long.</li>
 *   <li><b>Nothing lost silently.</b> An arm the service cannot take throws ({@link TimerServiceFullException},
 *       {@link TimerServiceClosedException}) and is counted as rejected; a callback that throws goes to the
 *       {@link TimerErrorHandler} and the service goes on; {@link #shutdown()} hands back what was pending.</li>
 *   <li><b>Lock-free.</b> Arm, re-arm and cancel are a few CAS loops on per-timer words, the free stack's head and
 *       the request ring's index, no {@code synchronized}, no lock: a thread descheduled in the middle blocks no
 *       other thread's arm, re-arm or cancel, and the owner's drains handle the requests behind its own. Only a
 *       full request queue makes producers wait for the owner (back-pressure, bounded: see
 *       {@link Builder#waitWhenFull}). The owner waits for a producer between its claim and its publication (a few
 *       instructions, unless that thread was descheduled) only before the driver parks, so as not to sleep past its
 *       request, and when {@link #shutdown()} collects the pending timers. (Reading {@link #metrics()} takes a
 *       lock, off those paths.)</li>
 * </ul>
 *
 * <h2>Two ways to drive it</h2>
 * {@link #start()} gives it a driver thread of its own, which parks until the earliest deadline rather than waking
 * every tick. While requests keep coming it wakes at least every 16 ticks (1 ms at least), so that arms further
 * ahead than that never have to unpark it; idle, it sleeps towards its earliest deadline, a second at most. An arm
 * due before the driver wakes unparks it, and so does a backlog of {@link Builder#wakeAfterRequests(int)} requests
 * (so that cancelled timers free their slots while it would otherwise sleep). Or the caller drives it: an event loop calls
 * {@link #poll()} from one thread, and may ask {@link #earliestDeadlineNs()} how long it may sleep.
 *
 * <h2>Design</h2>
 * Each timer has a slot in a fixed table ({@link TimerSlots}) with a 64-bit state word: generation, the sequence
 * number of its latest request, status (free, armed, firing, cancelled, closed) and a flag (that request is not
 * handled yet). Arming claims a position in a bounded multi-producer request ring (one CAS), takes a free slot from a
 * stack the owner refills (one CAS), publishes the word as armed with the next generation, and writes the request
 * (handle, deadline, payload) at its position. Cancelling is one CAS from armed to cancelled, plus a request unless
 * one is on its way already; re-arming is one CAS that bumps the sequence, plus a request with the new deadline. The
 * owner reads the ring in order and acts on a request only if the timer's word still names it (same generation and
 * sequence), so a superseded or stale request is skipped; it files, moves or removes the timer in its wheel, which
 * is addressed by the same slot numbers and is the only place the deadline and payload are kept. A cancelled timer
 * is removed from the wheel and its slot freed right then (its word rewritten as free and pushed on the free
 * stack), not when its bucket comes round. When the wheel fires a timer, the owner CASes the word from exactly
 * "armed, nothing queued" to firing, or skips it if anything happened meanwhile (the pending request re-files or
 * retires it).
 * <p>
 * The request ring holds four batches of {@link Builder#wakeAfterRequests} (1,024 to 65,536 requests, 32 bytes
 * each). When it is full, a thread that may own the wheel for a moment (a caller-driven service nobody is polling,
 * or a callback on the owner thread) drains it itself; other producers wake the driver and wait for room, up to
 * {@link Builder#waitWhenFull} or a second, whichever is longer, then throw {@link TimerServiceFullException}
 * (nothing changed). A cancel never waits: with the ring full it still wins at once, and the owner retires the timer
 * when the wheel hands it over at its deadline, instead of firing it.
 *
 * <h2>Cost</h2>
 * In steady state arm, re-arm, cancel and the owner's work allocate nothing (the {@link Runnable} variant stores the
 * caller's object, and handing a timer to an executor allocates one small task per fire, 40 bytes for a payload
 * timer and 32 for a {@link Runnable}, which catches what the callback throws for the error handler). Memory:
 * 8 bytes a slot allocated up front for the whole capacity (its state word, which also links the free slots; 4 more
 * once a {@link Runnable} timer was armed, 8 more once a periodic one was), the wheel's 31 bytes or so per timer slot
 * in use (30.6 at a million, at most 32; its pages grow with use), the request ring (32 KB to 2 MB), plus about
 * 150 KB of lateness histograms: 39.3 bytes per live timer at a million, counted by JOL (the benchmarks'
 * {@code ServiceFootprintTest}).
 *
 * <h2>Limits</h2>
 * The clock must be monotonic ({@link System#nanoTime()}, the default, is). Delays are relative and in nanoseconds
 * at most the time left before the clock's reading would overflow. Callbacks must not block the owner for long:
 * every later timer waits for them (use an executor for slow work).
 */
public final class TimerService implements AutoCloseable
{
    /** A handle that never names a timer; {@link #arm} never returns it. */
    public static final long NULL_HANDLE = 0L;

    /** sleepUntil while the driver is awake (or there is none): no arm is earlier, so nobody unparks it. */
    private static final long AWAKE = Long.MIN_VALUE;
    /** The longest the driver parks, even with nothing to do: a safety net, not a tick. */
    static final long DEFAULT_MAX_PARK_NS = TimeUnit.SECONDS.toNanos(1);
    /** The owner reads the clock for lateness once per this many fires (and when an advance starts). */
    static final int FIRES_PER_CLOCK_READ = 32;
    /** A long drain hands request positions back to the producers every this many requests. */
    private static final long RELEASE_EVERY_MASK = 255;
    /**
     * While busy the driver parks at most this many ticks (but at least 1 ms), so that an arm further ahead than that
     * never needs to unpark it: an unpark is a system call, and arms at random deadlines would otherwise wake it over
     * and over (each earlier than the one it sleeps towards).
     */
    static final long DEFAULT_BUSY_PARK_TICKS = 16;
    /** Lateness is recorded up to an hour (larger values are recorded as an hour), to 2 significant digits. */
    static final long MAX_LATENESS_NS = TimeUnit.HOURS.toNanos(1);

    private static final int UNOWNED = 0;
    private static final int POLLER = 1;
    private static final int HELPER = 2;
    /** How often awaitTermination looks again when it has no thread to join: a caller's poll, or no close yet. */
    private static final long AWAIT_STEP_NS = TimeUnit.MILLISECONDS.toNanos(1);
    /** The longest wait a long of nanoseconds holds; longer ones are saturated to it. */
    private static final java.time.Duration MAX_NANOS_DURATION = java.time.Duration.ofNanos(Long.MAX_VALUE);
    /** Default longest wait for room in the request queue: the owner drains it far more often than this. */
    static final long DEFAULT_REQUEST_WAIT_NS = TimeUnit.SECONDS.toNanos(1);

    private static final int MODE_NONE = 0;
    private static final int MODE_CALLER = 1;
    private static final int MODE_DRIVER = 2;

    private static final VarHandle CLOSED_FLAG;
    private static final VarHandle SLEEP_UNTIL;
    private static final VarHandle MODE;
    private static final VarHandle POLLING;

    static
    {
        try
        {
            final MethodHandles.Lookup lookup = MethodHandles.lookup();
            CLOSED_FLAG = lookup.findVarHandle(TimerService.class, "closed", boolean.class);
            SLEEP_UNTIL = lookup.findVarHandle(TimerService.class, "sleepUntil", long.class);
            MODE = lookup.findVarHandle(TimerService.class, "mode", int.class);
            POLLING = lookup.findVarHandle(TimerService.class, "polling", int.class);
        }
        catch (final ReflectiveOperationException e)
        {
            throw new ExceptionInInitializerError(e);
        }
        ServiceInternals.install(new InternalAccess());
    }

    /** The engine's other packages' view of what is not API (a named class, as {@link Firing}, for Lincheck). */
    private static final class InternalAccess implements ServiceInternals.Access
    {
        @Override
        public long dispatchingHandle(final TimerService service)
        {
            return service.dispatchingHandle();
        }
    }

    private static final AtomicInteger THREAD_NUMBER = new AtomicInteger();

    private final TimerSlots slots;
    private final TimerWheel wheel;
    private final LongSupplier clock;
    private final long startNs;
    private final TimerHandler handler;
    private final TimerErrorHandler errorHandler;
    private final Executor executor;
    private final ThreadFactory threadFactory;
    /** A request at a position with these low bits all set wakes a sleeping driver: one wake-up per batch. */
    private final long wakeMask;
    private final long waitWhenFullNs;
    /** How long an arm or re-arm waits for room in the request queue before it throws. */
    private final long requestWaitNs;
    private final long maxParkNs;
    /** How long the driver parks at most while requests keep coming: see {@link #sleepUntilDue}. */
    private final long busyParkNs;
    /** Tests only: replaces the driver's {@link LockSupport#parkNanos(Object, long)}; null otherwise. */
    private final java.util.function.LongConsumer parkHook;
    /**
     * Handed to the wheel on every advance: one object for the life of the service. A named class rather than
     * {@code this::fire}, whose hidden class Lincheck cannot analyse.
     */
    private final TimerHandler onExpiry = new Firing();

    /** Set once, by the CAS in {@link #shutdown()}; read by every arm after publishing its timer (see there). */
    private volatile boolean closed;
    /**
     * The deadline the driver parks towards, or AWAKE. Written by the driver (volatile) before its last drain ahead
     * of parking; read by producers (volatile) after they pushed a request: one side always sees the other.
     */
    private volatile long sleepUntil = AWAKE;
    private volatile int mode = MODE_NONE;
    /**
     * Who owns the wheel: {@link #UNOWNED}; {@link #POLLER} (the driver thread for its whole life, or a thread in
     * {@link #poll}: a second poller, or a callback polling, is refused); or {@link #HELPER} (for a moment, a producer
     * that found the request queue full and drains it itself, or the close collecting what was pending: others wait).
     */
    private volatile int polling;
    /** The thread holding POLLER; written and cleared by that thread, so only it can find itself here. */
    private Thread ownerThread;
    private volatile Thread driver;

    /** The owner's own counters and clock, on cache lines of their own. */
    private final OwnerState owner = new OwnerState();

    // Counters. The owner is their one writer (lazySet: a plain store on x86), except where noted.
    /** One-shot timers fired: each freed its slot (what pending is computed with). */
    private final AtomicLong fired = new AtomicLong();
    /** Runs of periodic timers: counted in the metrics' fired, but free no slot. */
    private final AtomicLong periodicRuns = new AtomicLong();
    private final AtomicLong cancelledRetired = new AtomicLong();
    /** Written once, by the thread that closes. */
    private final AtomicLong closedCancelled = new AtomicLong();
    private final AtomicLong closedPending = new AtomicLong();
    /** Any thread: rare events, so a striped adder that costs nothing while no one increments it. */
    private final LongAdder rejected = new LongAdder();
    private final LongAdder callbackErrors = new LongAdder();
    /** Callbacks the executor refused to run (its execute() threw): the owner only, but read by metrics(). */
    private final LongAdder executorRejections = new LongAdder();
    /** Arms that saw the close after publishing their timer and took it back (their slot stays taken). */
    private final LongAdder takenBack = new LongAdder();

    /** The owner records, wait-free; {@link #metrics()} swaps its two histograms under the lock. */
    private final LatenessRecorder lateness = new LatenessRecorder(MAX_LATENESS_NS);
    private final ReentrantLock metricsLock = new ReentrantLock();
    private final Histogram latenessTotal = new Histogram(1, MAX_LATENESS_NS, 2);

    private TimerService(final Builder builder)
    {
        clock = builder.clock;
        handler = builder.handler;
        errorHandler = builder.errorHandler;
        executor = builder.executor;
        threadFactory = builder.threadFactory;
        // At most a quarter of the largest request ring: a batch must complete before the ring fills.
        final int wakeAfterRequests = Integer.highestOneBit(Math.min(TimerSlots.MAX_REQUEST_RING / 4,
            builder.wakeAfterRequests != 0 ? builder.wakeAfterRequests : Math.max(1, Math.min(4096, builder.capacity / 16))));
        wakeMask = wakeAfterRequests - 1;
        maxParkNs = builder.maxParkNs;
        busyParkNs = Math.min(builder.maxParkNs, builder.busyParkNs != 0 ? builder.busyParkNs :
            Math.max(TimeUnit.MILLISECONDS.toNanos(1), Math.min(DEFAULT_BUSY_PARK_TICKS * builder.tickNs,
                DEFAULT_MAX_PARK_NS)));
        owner.parkCapNs = busyParkNs;
        parkHook = builder.parkHook;
        waitWhenFullNs = builder.waitWhenFullNs;
        requestWaitNs = Math.max(waitWhenFullNs, DEFAULT_REQUEST_WAIT_NS);
        slots = new TimerSlots(builder.capacity, TimerSlots.requestRingSize(wakeAfterRequests));
        startNs = clock.getAsLong();
        // Addressed by the service's own slot numbers: no wheel handle to keep per timer.
        wheel = TimerWheel.builder(TimeUnit.NANOSECONDS).startTime(startNs).tickDuration(builder.tickNs)
            .capacity(builder.capacity)
            .callerAssignedSlots(true).build();
    }

    /** @return a builder: caller-driven until {@link #start()}, 1 ms wheel tick, 65,536 timers, nanoTime clock. */
    public static Builder builder()
    {
        return new Builder();
    }

    // ------------------------------------------------------------------------------------------------ any thread

    /**
     * Arms a timer whose expiry goes to the service's {@link TimerHandler}. Any thread; lock-free; allocates
     * nothing.
     *
     * @param delay   how long from now, at least 0.
     * @param unit    the unit of the delay.
     * @param payload any value; handed to the handler.
     * @return the timer's handle, never {@link #NULL_HANDLE}.
     * @throws IllegalArgumentException     if the delay is negative or too large (see {@link #rearm}).
     * @throws IllegalStateException        if the service was built without a {@link TimerHandler}.
     * @throws TimerServiceFullException   if every slot is taken, or the request queue stayed full for the whole
     *                                      wait (see {@link Builder#waitWhenFull}).
     * @throws TimerServiceClosedException if the service is closed, or closed during the call and took the timer
     *                                      back.
     */
    public long arm(final long delay, final TimeUnit unit, final long payload)
    {
        if (handler == null)
        {
            throw new IllegalStateException("this timer service has no TimerHandler for payload timers: give one " +
                "to TimerService.Builder.handler, or arm with a Runnable");
        }
        return arm(deadlineAfter(delay, unit), payload, null, 0);
    }

    /**
     * Arms a timer that runs {@code task} (on the owner thread, or on the executor). Any thread; lock-free; the
     * service keeps a reference to the task until the timer fires or is retired.
     *
     * @param delay the time from now after which the task runs, at least 0.
     * @param unit  the unit of {@code delay}.
     * @param task  what to run when the timer fires.
     * @return the timer's handle, never {@link #NULL_HANDLE}.
     * @throws NullPointerException if the task is null.
     * @see #arm(long, TimeUnit, long) for the other exceptions.
     */
    public long arm(final long delay, final TimeUnit unit, final Runnable task)
    {
        Objects.requireNonNull(task, "task");
        return arm(deadlineAfter(delay, unit), 0, task, 0);
    }

    /**
     * Arms a periodic timer whose runs go to the service's {@link TimerHandler}: the first after
     * {@code initialDelay}, then every {@code period}, at fixed rate, until cancelled or closed. Any thread;
     * lock-free; allocates nothing, and neither does each run.
     * <p>
     * <b>One handle for its whole life.</b> The handle stays the same from run to run; every run is handed the same
     * handle and payload, and its own deadline.
     * <p>
     * <b>Fixed rate, no drift.</b> Run {@code k} (from 0) is due at {@code first + k * period} exactly, where
     * {@code first} is the clock's reading at the arm plus {@code initialDelay}: each next deadline is computed from
     * the previous deadline, never from the time a run happened, so lateness never accumulates. A {@link #rearm}
     * between runs moves the series: the next run at the new deadline, then every period after it.
     * <p>
     * <b>Falling behind.</b> Runs never overlap on the owner thread and none is skipped or merged: if the owner falls
     * several periods behind (a slow callback, a stalled poller), the missed runs happen late, back to back, each
     * with its own deadline, until the series has caught up, as with the JDK's
     * {@link java.util.concurrent.ScheduledExecutorService#scheduleAtFixedRate}. They come in deadline order among
     * the other due timers, within the same {@link #poll()} (up to its limit, the rest at the next poll) or the same
     * round of the driver. With an executor the runs are handed over at their deadlines, and may overlap on its
     * threads if a run outlasts its period.
     * <p>
     * <b>Cancel is final.</b> {@link #cancel} returning {@code true} means no run starts afterwards; called while a
     * run is in progress (on the owner thread or an executor), that run finishes and none follows. {@link #rearm}
     * answers {@code false} while a run is in progress on the owner thread (call it from the callback to move the
     * series after it returns: it does not). {@link #shutdown()} hands the timer back once, with its next deadline
     * and its period. If the next deadline would overflow the clock's range, the series ends: the timer is retired
     * and the error handler told.
     *
     * @param initialDelay the delay of the first run from now, at least 0.
     * @param period       the time between the deadlines of successive runs, at least 1 ns once converted.
     * @param unit         the unit of both.
     * @param payload      any value; handed to the handler at every run.
     * @return the timer's handle, never {@link #NULL_HANDLE}.
     * @throws IllegalArgumentException if the initial delay is negative or too large, or the period is not
     *                                  positive (in ns) or is {@link Long#MAX_VALUE} ns or more.
     * @see #arm(long, TimeUnit, long) for the other exceptions.
     */
    public long armPeriodic(final long initialDelay, final long period, final TimeUnit unit, final long payload)
    {
        if (handler == null)
        {
            throw new IllegalStateException("this timer service has no TimerHandler for payload timers: give one " +
                "to TimerService.Builder.handler, or arm with a Runnable");
        }
        final long periodNs = periodNs(period, unit);
        return arm(deadlineAfter(initialDelay, unit), payload, null, periodNs);
    }

    /**
     * Arms a periodic timer that runs {@code task} (on the owner thread, or on the executor): the first time after
     * {@code initialDelay}, then every {@code period}. Same contract as
     * {@link #armPeriodic(long, long, TimeUnit, long)}; the service keeps a reference to the task until the timer is
     * cancelled or the service closes.
     *
     * @param initialDelay the delay of the first run from now, at least 0.
     * @param period       the time between the deadlines of successive runs.
     * @param unit         the unit of both.
     * @param task         what each run runs.
     * @return the timer's handle, never {@link #NULL_HANDLE}.
     * @throws NullPointerException if the task is null.
     * @see #armPeriodic(long, long, TimeUnit, long) for the other exceptions.
     */
    public long armPeriodic(final long initialDelay, final long period, final TimeUnit unit, final Runnable task)
    {
        Objects.requireNonNull(task, "task");
        final long periodNs = periodNs(period, unit);
        return arm(deadlineAfter(initialDelay, unit), 0, task, periodNs);
    }

    private static long periodNs(final long period, final TimeUnit unit)
    {
        Objects.requireNonNull(unit, "unit");
        final long periodNs = unit.toNanos(period); // saturates
        if (periodNs <= 0 || periodNs == Long.MAX_VALUE)
        {
            throw new IllegalArgumentException("period must be at least 1 ns and less than Long.MAX_VALUE ns, was " +
                period + " " + unit);
        }
        return periodNs;
    }

    private long arm(final long deadlineNs, final long payload, final Runnable task, final long periodNs)
    {
        if (closed)
        {
            rejected.increment();
            throw new TimerServiceClosedException();
        }
        final TimerSlots slots = this.slots;
        if (task != null)
        {
            slots.ensureTasks(); // may allocate (once): never between a claim and its publication
        }
        if (periodNs != 0)
        {
            slots.ensurePeriods(); // likewise
        }
        long position;
        int slot;
        long giveUpAt = 0;
        boolean waiting = false;
        while (true)
        {
            // Only when a slot is free (a peek), so that a full service uses up no request positions; then the
            // position first: a slot, once taken, goes back to the owner only through a request.
            if (slots.hasFreeSlot())
            {
                position = slots.claimRequest();
                if (position < 0 && (position = awaitRequest()) < 0)
                {
                    rejected.increment();
                    throw new TimerServiceClosedException();
                }
                slot = slots.allocate();
                if (slot != NIL)
                {
                    break;
                }
                giveBack(position); // another arm took the slot first
            }
            if (!waiting)
            {
                waiting = true;
                giveUpAt = System.nanoTime() + waitWhenFullNs;
            }
            if (waitWhenFullNs <= 0 || closed || System.nanoTime() - giveUpAt >= 0)
            {
                rejected.increment();
                throw new TimerServiceFullException(slots.capacity);
            }
            if (!drainAsHelper())
            {
                yieldToOwner();
            }
        }
        // From the claim to the publication below nothing allocates or calls out: nothing can throw and leave the
        // position unpublished, which would stop the owner's drains at it.
        // The slot is ours until the state word says ARMED. Its word still names the timer that last had it (fired,
        // or cancelled and retired), whose handle it keeps refusing until we publish the next generation.
        final long generation = nextGeneration(slots.state(slot));
        if (task != null)
        {
            slots.task(slot, task); // null otherwise: the owner cleared it when it freed the slot
        }
        if (periodNs != 0)
        {
            slots.period(slot, periodNs); // 0 otherwise: the owner cleared it when it retired the slot
        }
        // Volatile (not release): with the read of `closed` below it forms a Dekker pair with shutdown(), which
        // writes `closed` and then reads every state word. Sequence 0: the arm is the timer's first request.
        slots.setStateVolatile(slot, generation | QUEUED | ARMED);
        final long handle = generation | slot;
        slots.publish(position, handle, deadlineNs, payload, KIND_ARM << 32);
        if (closed && retractAfterClose(slot, handle))
        {
            takenBack.increment();
            rejected.increment();
            throw new TimerServiceClosedException();
        }
        wakeDriverIf(deadlineNs, position);
        return handle;
    }

    /**
     * Back-pressure when the request queue is full (the owner is a queue's worth of requests behind): the caller
     * drains it itself when it may own the wheel for a moment (a caller-driven service between polls, or a callback
     * on the owner thread), else wakes the driver and yields to it, until a position frees, for up to
     * {@code requestWaitNs}.
     *
     * @return a claimed position, or -1 if the service closed meanwhile.
     * @throws TimerServiceFullException if no position freed in time (counted as rejected).
     */
    private long awaitRequest()
    {
        final long giveUpAt = System.nanoTime() + requestWaitNs;
        while (true)
        {
            if (closed)
            {
                return -1;
            }
            if (!drainAsHelper())
            {
                yieldToOwner();
            }
            final long position = slots.claimRequest();
            if (position >= 0)
            {
                return position;
            }
            if (System.nanoTime() - giveUpAt >= 0)
            {
                rejected.increment();
                throw new TimerServiceFullException(slots.capacity, slots.requestRingSize(), requestWaitNs);
            }
        }
    }

    /**
     * Drains the request queue on this thread if it may: it is the owner (a callback), or nobody owns the wheel and
     * there is no driver thread.
     *
     * @return whether it drained.
     */
    private boolean drainAsHelper()
    {
        if (ownerThread == Thread.currentThread())
        {
            drainRequests();
            return true;
        }
        if (mode != MODE_DRIVER && POLLING.compareAndSet(this, UNOWNED, HELPER))
        {
            try
            {
                if (!closed)
                {
                    drainRequests();
                }
            }
            finally
            {
                POLLING.setRelease(this, UNOWNED);
            }
            return true;
        }
        return false;
    }

    /**
     * Back-pressure when every slot is taken, with {@link Builder#waitWhenFull} set: the producer wakes the driver
     * (so that it retires cancelled timers) and yields its core to it before trying again. Producers that outrun the
     * owner thread are slowed down to its pace instead of failing; a service that is really full (armed timers) still
     * fails, after the wait.
     */
    private void yieldToOwner()
    {
        final Thread driverThread = driver;
        if (driverThread != null && sleepUntil != AWAKE)
        {
            LockSupport.unpark(driverThread);
        }
        Thread.yield();
    }

    /**
     * The service closed while this arm was publishing its timer. Either the close's sweep saw the timer (then it
     * is among the pending timers shutdown() returns, and the arm succeeded: it came first), or this CAS takes it
     * back and the arm fails. The owner may also have fired it already (a zero delay): then the arm succeeded too.
     *
     * @return whether the timer was taken back.
     */
    private boolean retractAfterClose(final int slot, final long handle)
    {
        final boolean periodic = slots.period(slot) != 0; // this thread wrote it
        while (true)
        {
            final long state = slots.state(slot);
            if ((state & GENERATION_MASK) != (handle & GENERATION_MASK) || status(state) != ARMED)
            {
                return false;
            }
            if (periodic && (state & SEQUENCE_MASK) != 0)
            {
                // A periodic timer that ran already (its first run moved the sequence; or a re-arm by a guessed
                // handle did) is ARMED again: the arm succeeded. The close's sweep, which began after that run,
                // takes it as pending. (Only a caller-driven poll still running beside the close, which swept this
                // slot before the arm published, can leave it ARMED in the closed service: dead, never run again.)
                return false;
            }
            if (slots.casState(slot, state, (state & ~STATUS_MASK) | CLOSED))
            {
                return true;
            }
        }
    }

    /**
     * Cancels a timer. Any thread; lock-free; allocates nothing; never waits. The slot is freed by the owner at its
     * next drain, and the timer's wheel entry removed then; if the request queue is full, the cancel still wins at
     * once and the owner frees the slot when the timer comes due instead of firing it.
     *
     * @param handle a handle from {@link #arm}, or any other value.
     * @return {@code true} if this call stopped the timer: its callback will never run. {@code false} if the handle
     * names no timer that was pending: it fired (its callback may be running now), was cancelled, was taken by
     * {@link #shutdown()}, or was never issued by this service.
     */
    public boolean cancel(final long handle)
    {
        final TimerSlots slots = this.slots;
        final int slot = slots.slotOf(handle);
        if (slot == NIL || closed)
        {
            // Once closed, every pending timer belongs to the close, even one its sweep has not reached yet: an
            // operation that starts after the close has shown itself (an arm refused) must not win a timer from it.
            return false;
        }
        long position = -1;
        boolean queueFull = false;
        while (true)
        {
            final long state = slots.state(slot);
            if ((state & GENERATION_MASK) != (handle & GENERATION_MASK) || status(state) != ARMED)
            {
                if ((state & GENERATION_MASK) == (handle & GENERATION_MASK) && status(state) == RUNNING)
                {
                    // A periodic timer's run is in progress: this CAS stops the runs after it. No request: the owner
                    // reads the word when the run returns, and retires the timer instead of filing its next run.
                    if (slots.casState(slot, state, (state & ~STATUS_MASK) | CANCELLED))
                    {
                        giveBack(position);
                        return true;
                    }
                    continue;
                }
                giveBack(position);
                return false;
            }
            final long cancelled;
            if ((state & QUEUED) != 0 || queueFull)
            {
                // A request is on its way (the arm's, or a re-arm's): the owner finds the timer cancelled when it
                // handles that one. Or the queue is full: the timer stays in the wheel until it comes due, and the
                // owner retires it then instead of firing it (late, but never lost).
                cancelled = (state & ~STATUS_MASK) | CANCELLED;
            }
            else if (position < 0)
            {
                position = slots.claimRequest();
                queueFull = position < 0;
                continue; // the word may have changed meanwhile
            }
            else
            {
                cancelled = (nextRequest(state) & ~STATUS_MASK) | CANCELLED;
            }
            if (slots.casState(slot, state, cancelled))
            {
                if ((cancelled & QUEUED) != 0 && (state & QUEUED) == 0)
                {
                    slots.publish(position, handle, 0, 0, KIND_CANCEL << 32 | (cancelled & SEQUENCE_MASK));
                    wakeDriverIf(Long.MAX_VALUE, position);
                }
                else
                {
                    giveBack(position);
                }
                return true;
            }
        }
    }

    /**
     * Publishes a claimed request position that is not needed after all, as a request for nothing; it still wakes
     * the driver if its position completes a batch, as the request it replaces would have.
     */
    private void giveBack(final long position)
    {
        if (position >= 0)
        {
            slots.publish(position, NOP, 0, 0, 0);
            wakeDriverIf(Long.MAX_VALUE, position);
        }
    }

    /**
     * Moves a pending timer to a new deadline, keeping its handle and payload: the RTO restart on every ACK. Any
     * thread; lock-free; allocates nothing.
     * <p>
     * Two re-arms of the same timer racing each other both return {@code true}; the one whose CAS on the timer's
     * state word comes second sets the deadline (it is ordered after the other).
     *
     * @param handle a handle from {@link #arm}, or any other value.
     * @param delay  the new delay from now, at least 0.
     * @param unit   its unit.
     * @return {@code true} if the timer was pending and now fires after the new delay (unless cancelled): it will
     * not fire at its old deadline. {@code false} if the handle names no pending timer (see {@link #cancel}); then
     * nothing changed.
     * @throws IllegalArgumentException  if the delay is negative, or so large that the deadline would overflow the
     *                                   clock's range; nothing changed.
     * @throws TimerServiceFullException if the request queue stayed full for the whole wait (the owner thread is
     *                                   stuck); nothing changed.
     */
    public boolean rearm(final long handle, final long delay, final TimeUnit unit)
    {
        final long deadlineNs = deadlineAfter(delay, unit);
        final TimerSlots slots = this.slots;
        final int slot = slots.slotOf(handle);
        if (slot == NIL || closed)
        {
            return false; // closed: as in cancel
        }
        long position = -1;
        while (true)
        {
            final long state = slots.state(slot);
            if ((state & GENERATION_MASK) != (handle & GENERATION_MASK) || status(state) != ARMED)
            {
                giveBack(position);
                return false;
            }
            if (position < 0)
            {
                position = slots.claimRequest();
                if (position < 0 && (position = awaitRequest()) < 0)
                {
                    return false; // closed while waiting: as in cancel
                }
                continue; // the word may have changed meanwhile
            }
            // The next sequence: of two re-arms racing, the one whose CAS comes last sets the deadline, whatever the
            // order their requests reach the owner in (it acts only on the request the word still names).
            final long requested = nextRequest(state);
            if (slots.casState(slot, state, requested))
            {
                slots.publish(position, handle, deadlineNs, 0, KIND_REARM << 32 | (requested & SEQUENCE_MASK));
                wakeDriverIf(deadlineNs, position);
                return true;
            }
        }
    }

    /**
     * @param handle any value.
     * @return whether the handle names a timer that is armed: it has not fired (nor started to), and was not
     * cancelled; a periodic timer stays armed, during its runs too, until cancelled. A snapshot: another thread may
     * change it at once.
     */
    public boolean isArmed(final long handle)
    {
        final int slot = slots.slotOf(handle);
        if (slot == NIL)
        {
            return false;
        }
        final long state = slots.state(slot);
        return (state & GENERATION_MASK) == (handle & GENERATION_MASK) &&
            (status(state) == ARMED || status(state) == RUNNING); // RUNNING: a periodic timer runs again
    }

    /**
     * For {@link ServiceInternals#dispatchingHandle}: the handle of the timer whose callback this thread runs now as
     * the owner, without an executor; NULL_HANDLE otherwise. {@code ownerThread} is written and cleared only by the
     * owner itself, so another thread never finds itself there, and never reads the owner's plain field.
     */
    long dispatchingHandle()
    {
        return ownerThread == Thread.currentThread() ? owner.dispatchingHandle : NULL_HANDLE;
    }

    /** @return a snapshot of the counters and the lateness percentiles. Any thread; takes a lock, allocates. */
    public TimerServiceMetrics metrics()
    {
        final long latenessCount;
        final long p50;
        final long p90;
        final long p99;
        final long p999;
        final long max;
        metricsLock.lock();
        try
        {
            lateness.moveIntervalTo(latenessTotal);
            latenessCount = latenessTotal.getTotalCount();
            p50 = latenessTotal.getValueAtPercentile(50);
            p90 = latenessTotal.getValueAtPercentile(90);
            p99 = latenessTotal.getValueAtPercentile(99);
            p999 = latenessTotal.getValueAtPercentile(99.9);
            max = latenessTotal.getMaxValue();
        }
        finally
        {
            metricsLock.unlock();
        }
        final long firedCount = fired.get() + periodicRuns.get();
        final long retired = cancelledRetired.get();
        final long pending = closed ? 0 : heldSlots();
        return new TimerServiceMetrics(pending, firedCount, retired + closedCancelled.get(), rejected.sum(),
            callbackErrors.sum(), closedPending.get(), latenessCount, p50, p90, p99, p999, max,
            executorRejections.sum());
    }

    /**
     * @return the slots held now: armed, firing, or cancelled and not yet retired. Allocates nothing; a snapshot.
     * Slots taken are read first: a slot freed and taken again between the reads then counts as freed, not as taken
     * twice, so this may read low for a moment but never high (the counters go up before a slot is freed).
     */
    int heldSlots()
    {
        final int taken = slots.allocations();
        return Math.max(0, taken - (int)(fired.get() + cancelledRetired.get()));
    }

    /** @return the most timers the service holds at once. */
    public int capacity()
    {
        return slots.capacity;
    }

    /** @return the service's clock reading now: the time deadlines are computed from. */
    public long nowNs()
    {
        return clock.getAsLong();
    }

    /** @return whether {@link #shutdown()} (or {@link #close()}) was called. */
    public boolean isClosed()
    {
        return closed;
    }

    // ------------------------------------------------------------------------------------------------ driving

    /**
     * Starts a driver thread of its own (from the builder's {@link ThreadFactory}), which owns the wheel until the
     * service closes. Call at most once, and never together with {@link #poll()}.
     * <p>
     * <b>Interrupts.</b> An interrupt of the driver thread is not a request to stop, as for the worker threads of the
     * JDK's executors outside their shutdown: the driver clears the flag before each round (so callbacks run with it
     * clear) and before it parks (so a callback that restores the flag, the usual idiom, does not make it spin), and
     * goes on. An interrupt that arrives while it parks only wakes it early. {@link #close()} or {@link #shutdown()}
     * stops it.
     *
     * <p>
     * <b>A failed start.</b> If the thread factory throws, returns null, or returns a thread that cannot be started,
     * this throws and the service is left as it was: not driven, so {@link #start()} may be called again (with the
     * cause fixed) or the service driven by {@link #poll()}; timers armed meanwhile wait for either.
     *
     * @throws IllegalStateException        if the service is already driven (by a driver, or by poll()), or if the
     *                                      thread factory returned null or a thread that was already started.
     * @throws TimerServiceClosedException if it is closed.
     */
    public void start()
    {
        if (closed)
        {
            throw new TimerServiceClosedException();
        }
        if (!MODE.compareAndSet(this, MODE_NONE, MODE_DRIVER))
        {
            throw new IllegalStateException(mode == MODE_DRIVER ? "the driver thread is already started" :
                "the service is caller-driven (poll() was called): it cannot also be given a driver thread");
        }
        boolean started = false;
        try
        {
            final Thread thread = threadFactory.newThread(this::drive);
            if (thread == null)
            {
                throw new IllegalStateException("the threadFactory returned null instead of the driver thread; " +
                    "the service is not started (start() may be called again)");
            }
            driver = thread;
            try
            {
                thread.start();
            }
            catch (final IllegalThreadStateException e)
            {
                throw new IllegalStateException("the threadFactory returned a thread that was already started; " +
                    "the service is not started (start() may be called again)", e);
            }
            started = true;
        }
        finally
        {
            if (!started)
            {
                // Left startable: no thread runs drive(), so nothing owns the wheel; a producer that saw MODE_DRIVER
                // meanwhile only yielded instead of draining a full queue itself.
                driver = null;
                MODE.setVolatile(this, MODE_NONE);
            }
        }
    }

    /**
     * Caller-driven mode: drains the requests of other threads (arms, re-arms, cancels: a cancelled timer's slot is
     * freed here), then fires every timer due at the clock's current reading. Same as
     * {@code poll(Integer.MAX_VALUE)}.
     *
     * @return the number of timers taken from the wheel, as {@link #poll(int)} counts them.
     */
    public int poll()
    {
        return poll(Integer.MAX_VALUE);
    }

    /**
     * Caller-driven mode: drains the requests of other threads, then fires the timers due at the clock's current
     * reading, at most {@code limit} of them (the rest fire at the next call). Callbacks run on this thread unless
     * the service has an executor. One thread at a time; the first call makes the service caller-driven for good.
     *
     * @param limit the most timers to take from the wheel in this call, at least 1.
     * @return the number of timers taken from the wheel (fired, or found cancelled or re-armed meanwhile); 0 once
     * the service is closed.
     * @throws IllegalStateException if the service has a driver thread, if another thread is polling, or if called
     *                               from a callback.
     */
    public int poll(final int limit)
    {
        if (limit < 1)
        {
            throw new IllegalArgumentException("limit must be at least 1, was " + limit);
        }
        enterPoll();
        try
        {
            return closed ? 0 : work(limit);
        }
        finally
        {
            exitPoll();
        }
    }

    /**
     * Caller-driven mode, on the polling thread after {@link #poll(int)}: how many requests of other threads (arms,
     * re-arms, cancels) the owner's last drain handled, so that a duty cycle counts them as work beside the timers
     * {@code poll} returns (an idle strategy that sees no work backs off while requests keep coming). If a callback
     * drained a full request queue itself during the poll, this is that drain's count.
     *
     * @return the requests the last drain handled; 0 before the first, and 0 once the service is closed (a closed
     * service drains nothing, and a stale count would keep a duty cycle from ever idling).
     */
    public int lastDrainedRequests()
    {
        return closed ? 0 : owner.lastDrained;
    }

    /**
     * Caller-driven mode: drains the requests of other threads, then answers when the earliest timer may be due, so
     * that an event loop knows how long it may sleep. A timer armed later by another thread may be due earlier; such
     * a loop should wake at least every so often (or use {@link #start()}).
     *
     * @return a time on the service's clock at or before the earliest deadline (exact when the timer is due within
     * 256 ticks; see {@link TimerWheel#earliestDeadline()}), or {@link Long#MAX_VALUE} if no timer is pending.
     * @throws IllegalStateException as {@link #poll(int)}.
     */
    public long earliestDeadlineNs()
    {
        enterPoll();
        try
        {
            if (closed)
            {
                return Long.MAX_VALUE;
            }
            drainRequests();
            return wheel.earliestDeadline();
        }
        finally
        {
            exitPoll();
        }
    }

    private void enterPoll()
    {
        if (mode != MODE_CALLER && !MODE.compareAndSet(this, MODE_NONE, MODE_CALLER))
        {
            throw new IllegalStateException("the service has a driver thread (start() was called): it must not " +
                "also be polled");
        }
        while (!POLLING.compareAndSet(this, UNOWNED, POLLER))
        {
            if (polling == POLLER)
            {
                throw new IllegalStateException("the service is already being polled: by another thread, or this " +
                    "is a callback calling poll(); one thread drives a caller-driven service");
            }
            Thread.onSpinWait(); // a producer drains the full request queue, or the close collects: a moment
        }
        ownerThread = Thread.currentThread();
    }

    private void exitPoll()
    {
        ownerThread = null;
        POLLING.setRelease(this, UNOWNED);
    }

    /**
     * Stops the service: stops and joins the driver thread (unless called from it), and cancels every pending
     * timer, each by the same CAS a {@link #cancel} would use, so each pending timer is either returned here or
     * was fired or cancelled by another thread, never both and never neither. An arm racing the close either returns
     * a handle whose timer is in the returned list (or fired) or throws {@link TimerServiceClosedException}. Later
     * arms throw; {@link #poll()} returns 0. Idempotent: a second call returns an empty list.
     * <p>
     * With a driver thread no callback runs once this returns (except one running on the caller's own thread or an
     * executor's). In caller-driven mode a {@link #poll()} running concurrently on the owner thread may still be
     * finishing the callback it was in, and this waits for that poll to return before it collects the pending
     * timers (their deadlines are in the owner's wheel): a callback must not wait for the thread that closes.
     * {@link #close()} collects nothing and never waits for a poll. Any thread may call this. O(capacity). The wait
     * for a running callback has no bound and is not interrupted (an interrupt meanwhile is kept in the flag): to
     * bound it, {@link #close(long, TimeUnit)} (which returns no list) or call {@link #awaitTermination} first from
     * a thread that closed with it.
     *
     * @return the timers that were pending, in slot order.
     */
    public List<PendingTimer> shutdown()
    {
        return stop(true, true);
    }

    /**
     * @param collect whether to return the pending timers, or only count them ({@link #close()}: no garbage).
     * @param join    whether to wait for the driver thread to end before the sweep (else the sweep races the
     *                driver's last round as it races a caller-driven poll: each timer is decided by its CAS).
     */
    private List<PendingTimer> stop(final boolean collect, final boolean join)
    {
        if (!CLOSED_FLAG.compareAndSet(this, false, true))
        {
            return List.of();
        }
        final Thread driverThread = driver;
        if (driverThread != null)
        {
            LockSupport.unpark(driverThread);
            if (join && driverThread != Thread.currentThread())
            {
                joinUninterruptibly(driverThread);
            }
        }
        final TimerSlots slots = this.slots;
        int[] closedSlots = collect ? new int[16] : null;
        int pendingCount = 0;
        int firing = 0;
        for (int slot = 0; slot < slots.capacity; slot++)
        {
            while (true)
            {
                final long state = slots.state(slot);
                if (status(state) != ARMED && status(state) != RUNNING)
                {
                    // free, firing (a callback closing the service, or one running beside a caller-driven close),
                    // or cancelled (retired or not: the cancel that won it is final)
                    firing += status(state) == FIRING ? 1 : 0;
                    break;
                }
                if (slots.casState(slot, state, (state & ~STATUS_MASK) | CLOSED))
                {
                    if (collect)
                    {
                        if (pendingCount == closedSlots.length)
                        {
                            closedSlots = Arrays.copyOf(closedSlots, pendingCount * 2);
                        }
                        closedSlots[pendingCount] = slot;
                    }
                    pendingCount++;
                    break;
                }
            }
        }
        final List<PendingTimer> pending = collect && pendingCount != 0 ?
            collectPending(closedSlots, pendingCount) : List.of();
        // Cancelled, and not yet retired by the owner: what is neither fired, retired, firing, taken back by an arm
        // that saw the close, nor pending. Exact with a driver (joined above) or when a callback closes; a snapshot
        // otherwise: an arm that takes its timer back after this line is counted here (and as rejected), and a
        // callback that a concurrent poll() finishes between the sweep and this line is counted as fired and as
        // firing, one too few here.
        closedCancelled.set(Math.max(0, slots.allocations() - (int)(fired.get() + cancelledRetired.get()) -
            pendingCount - firing - (int)takenBack.sum()));
        closedPending.set(pendingCount);
        return pending;
    }

    /**
     * The deadlines and payloads of the timers the close took live in the wheel, or in requests on their way to it:
     * owns the wheel (waiting for a caller-driven poll to return, unless this is its thread), drains every request
     * claimed so far (each timer the sweep closed had its request claimed before), and reads them from the wheel.
     */
    private List<PendingTimer> collectPending(final int[] closedSlots, final int count)
    {
        final boolean ownerAlready = ownerThread == Thread.currentThread();
        if (!ownerAlready)
        {
            while (!POLLING.compareAndSet(this, UNOWNED, HELPER))
            {
                Thread.yield();
            }
        }
        try
        {
            drainEveryClaimed(false);
            final List<PendingTimer> pending = new ArrayList<>(count);
            for (int i = 0; i < count; i++)
            {
                final int slot = closedSlots[i];
                // A periodic timer whose run is in progress on this very thread (a callback closing the service)
                // is not in the wheel yet: its next deadline is the owner's.
                final long deadlineNs = slot == owner.runningSlot ? owner.runningNextNs : wheel.slotDeadline(slot);
                pending.add(new PendingTimer(TimerSlots.handle(slots.state(slot), slot), wheel.slotPayload(slot),
                    deadlineNs, slots.task(slot), slots.period(slot)));
            }
            return pending;
        }
        finally
        {
            if (!ownerAlready)
            {
                POLLING.setRelease(this, UNOWNED);
            }
        }
    }

    /**
     * Same as {@link #shutdown()}, discarding the pending timers (each cancelled, counted in the metrics): it makes
     * no list of them, so closing a service that holds millions of timers leaves no garbage. Like shutdown(), it
     * waits for a callback running on the driver thread to return, however long it takes, and cannot be interrupted
     * (an interrupt meanwhile is kept in the flag); {@link #close(long, TimeUnit)} bounds that wait.
     */
    @Override
    public void close()
    {
        stop(false, true);
    }

    /**
     * Closes the service as {@link #close()} does, but waits at most {@code timeout} for a callback running on the
     * owner thread to return, and can be interrupted. Every timer pending is cancelled before the wait begins (a
     * callback already running finishes; no other starts), so the result only says whether the owner has finished:
     * {@code true} if the driver thread has ended (or, caller-driven, no {@link #poll()} is in progress), as
     * {@link #awaitTermination} answers. Callbacks handed to an executor are not waited for. Idempotent: on a service
     * closed already it only waits.
     *
     * @param timeout the longest wait; 0 or less does not wait.
     * @param unit    its unit.
     * @return whether the owner finished within the wait. {@code false} at once when called from a callback on the
     * owner thread, which cannot wait for itself (the service is closed all the same).
     * @throws InterruptedException if the calling thread is interrupted before or during the wait; the service is
     *                              closed all the same, and the interrupt flag is cleared, as by the JDK's waits.
     */
    public boolean close(final long timeout, final TimeUnit unit) throws InterruptedException
    {
        Objects.requireNonNull(unit, "unit");
        stop(false, false);
        return awaitTermination(timeout, unit);
    }

    /**
     * Waits until the service is closed and its owner has finished: the driver thread has ended, or, caller-driven,
     * no {@link #poll()} is in progress (a poll after the close returns at once and runs nothing). Then no callback
     * runs on the owner thread and none will start. Callbacks handed to an executor are not waited for. Like
     * {@link java.util.concurrent.ExecutorService#awaitTermination}, this does not close the service: it waits for
     * another thread to.
     *
     * @param timeout the longest wait; 0 or less does not wait.
     * @param unit    its unit.
     * @return {@code true} if the service is closed and its owner finished, {@code false} if the wait ran out first,
     * and at once when called from a callback on the owner thread, which cannot wait for itself.
     * @throws InterruptedException if the calling thread is interrupted before or during the wait (its flag is
     *                              cleared, as by the JDK's waits).
     */
    public boolean awaitTermination(final long timeout, final TimeUnit unit) throws InterruptedException
    {
        Objects.requireNonNull(unit, "unit");
        if (Thread.interrupted())
        {
            throw new InterruptedException();
        }
        final Thread driverThread = driver;
        if (ownerThread == Thread.currentThread() || driverThread == Thread.currentThread())
        {
            return false; // a callback: its own return is what the wait would wait for
        }
        final long totalNs = unit.toNanos(timeout); // saturates
        final long startNs = System.nanoTime();
        while (true)
        {
            final Thread current = driver;
            if (closed && (current == null || !current.isAlive()) && polling != POLLER)
            {
                return true;
            }
            final long remainingNs = totalNs - (System.nanoTime() - startNs);
            if (remainingNs <= 0)
            {
                return false;
            }
            if (closed && current != null)
            {
                TimeUnit.NANOSECONDS.timedJoin(current, remainingNs);
            }
            else
            {
                // Not closed yet, or a caller's poll to return: nothing to block on, so a short park at a time.
                LockSupport.parkNanos(this, Math.min(remainingNs, AWAIT_STEP_NS));
                if (Thread.interrupted())
                {
                    throw new InterruptedException();
                }
            }
        }
    }

    // ------------------------------------------------------------------------------------------------ the owner

    private void drive()
    {
        while (!POLLING.compareAndSet(this, UNOWNED, POLLER))
        {
            Thread.onSpinWait(); // a producer that found the queue full before start() is draining it
        }
        ownerThread = Thread.currentThread();
        while (!closed)
        {
            // A stray interrupt is no request to stop (see start()): cleared, so that callbacks run without it.
            Thread.interrupted();
            try
            {
                final int taken = work(Integer.MAX_VALUE);
                sleepUntilDue(taken != 0 || owner.lastDrained != 0);
            }
            catch (final Throwable t)
            {
                // Not a callback's (those are caught in fire): a defect of the service. Reported, and the loop goes
                // on rather than leaving every timer unfired.
                reportError(NULL_HANDLE, t);
            }
        }
        SLEEP_UNTIL.setVolatile(this, AWAKE);
        exitPoll();
    }

    /**
     * Parks until the earliest deadline, unless something is due, but no longer than a cap: {@code busyParkNs} (16
     * ticks, at least 1 ms) after a round that did some work, doubling each idle round up to {@code maxParkNs} (1 s).
     * The driver publishes the time it will wake; a producer unparks it only for a timer due before that time, or for
     * the request that makes {@code wakeAfterRequests} wait. So while timers are armed further ahead than the cap (RTOs,
     * TIME-WAIT), a stream of arms and cancels costs the driver one wake-up per batch or per cap, never one per arm,
     * and an idle service sleeps towards its earliest deadline (or a second), not tick by tick.
     */
    private void sleepUntilDue(final boolean busy)
    {
        owner.parkCapNs = busy ? busyParkNs : owner.parkCapNs > maxParkNs >> 1 ? maxParkNs : owner.parkCapNs << 1;
        long wakeAt = wakeTime(clock.getAsLong());
        // Dekker pair with wakeDriverIf: this volatile write, then the read of the request positions claimed so
        // far; a producer claims its position (a volatile CAS), then reads sleepUntil. Every producer either claimed
        // before that read, and its request is drained here before the driver sleeps, or reads the wake time
        // written here, and unparks the driver if its timer is due earlier, or if its request completes a batch.
        // An unpark that comes early leaves a permit: the park below then returns at once.
        SLEEP_UNTIL.setVolatile(this, wakeAt);
        if (drainEveryClaimed(true) != 0)
        {
            owner.parkCapNs = busyParkNs;
            // The drain may have filed an earlier timer, or a due one: the wake time may come earlier, never later.
            // A producer that read the first one and did not unpark relies on the driver waking by then (its timer
            // is due no earlier), and one whose unpark CAS failed because of this write looks again (wakeDriverIf).
            wakeAt = Math.min(wakeAt, wakeTime(clock.getAsLong()));
            SLEEP_UNTIL.setVolatile(this, wakeAt);
        }
        final long parkNs = wakeAt - clock.getAsLong();
        if (parkNs > 0 && !closed)
        {
            // parkNanos returns at once while the interrupt flag is set: a flag set by an interrupt, or restored by a
            // callback (the usual idiom), would make every park return at once and the driver spin on its core.
            Thread.interrupted();
            if (parkHook == null)
            {
                LockSupport.parkNanos(this, parkNs);
            }
            else
            {
                parkHook.accept(parkNs);
            }
        }
        SLEEP_UNTIL.setVolatile(this, AWAKE);
    }

    /** @return when the driver wakes: the earliest deadline, or {@code now} plus the cap if that comes first. */
    private long wakeTime(final long now)
    {
        final long next = wheel.earliestDeadline(); // NULL_DEADLINE (Long.MAX_VALUE) when nothing is filed
        final long capped = now + owner.parkCapNs;
        return capped < now ? next : Math.min(next, capped); // capped < now: the sum overflowed
    }

    /**
     * Unparks a sleeping driver if a timer is due before it would wake, or a backlog of requests built up. The
     * producer that unparks first marks the driver awake with a CAS, so a burst of arms costs one unpark (a system
     * call), not one each. When the CAS fails the word is read again: the driver woke, or another producer woke it
     * (AWAKE: the request will be drained), or it started a new sleep (whose drain takes the request, claimed before),
     * or it moved its wake time earlier after a drain that may have missed the request (then the test is made again
     * against the new time).
     */
    private void wakeDriverIf(final long deadlineNs, final long position)
    {
        long until = sleepUntil;
        while (until != AWAKE && (deadlineNs < until || (position & wakeMask) == wakeMask))
        {
            if (SLEEP_UNTIL.compareAndSet(this, until, AWAKE))
            {
                LockSupport.unpark(driver);
                return;
            }
            // The driver woke (AWAKE: it will drain our request), or set an earlier wake time after its drain
            // (which may not have taken our request): look again.
            until = sleepUntil;
        }
    }

    private int work(final int limit)
    {
        drainRequests();
        // After the drain: every deadline drained was computed from an earlier reading of the same clock.
        final long now = Math.max(clock.getAsLong(), wheel.currentTime());
        owner.fireClockNs = now;
        owner.firesSinceClockRead = 0;
        try
        {
            return wheel.poll(now, onExpiry, limit);
        }
        finally
        {
            slots.publishFrees(); // the slots the advance freed after its last callback
            lateness.flush();
        }
    }

    /**
     * Owner only. Handles every request claimed before this call, waiting for those claimed and not yet published:
     * a producer between its claim and its publication, a few instructions away unless it was descheduled (the
     * owner yields its core to it meanwhile).
     *
     * @param unlessClosed stop waiting once the service is closed (the driver's drain before it parks).
     * @return the number of requests handled.
     */
    private int drainEveryClaimed(final boolean unlessClosed)
    {
        final long claimed = slots.requestsClaimed();
        int drained = drainRequests();
        while (slots.requestsConsumed() - claimed < 0 && !(unlessClosed && closed))
        {
            Thread.yield();
            drained += drainRequests();
        }
        return drained;
    }

    /**
     * Owner only. Handles every request published among those claimed so far, in order, each according to its
     * timer's state word now; one claimed but not yet published is skipped (see {@link TimerSlots}), and handled by
     * a later drain. O(requests).
     *
     * @return the number of requests handled (requests for nothing included).
     */
    private int drainRequests()
    {
        final TimerSlots slots = this.slots;
        final long claimed = slots.requestsClaimed();
        long releasable = slots.requestsConsumed();
        boolean gap = false;
        int handled = 0;
        try
        {
            for (long position = releasable; position < claimed; position++)
            {
                final long handle = slots.requestHandle(position);
                if (handle == TimerSlots.EMPTY)
                {
                    gap = true; // claimed, not yet published: nothing from here on can be handed back this time
                    continue;
                }
                // Cleared or marked before handling: a defect that throws in handleRequest must not stop every
                // later drain, nor have the request handled twice.
                if (!gap)
                {
                    slots.clearRequest(position);
                    releasable = position + 1;
                }
                else if (handle != TimerSlots.HANDLED)
                {
                    slots.markHandled(position);
                }
                if (handle == TimerSlots.HANDLED || handle == NOP)
                {
                    continue;
                }
                handled++;
                handleRequest(slots, handle, position);
                if ((handled & RELEASE_EVERY_MASK) == 0)
                {
                    slots.publishFrees(); // slots and room for the producers during a long drain
                    if (!gap)
                    {
                        slots.releaseRequestsBefore(releasable);
                    }
                }
            }
        }
        finally
        {
            slots.publishFrees(); // the slots the drain retired: one CAS for all of them
            slots.releaseRequestsBefore(releasable);
            owner.lastDrained = handled;
        }
        return handled;
    }

    /**
     * A cancelled timer's slot, which the owner holds: counted, then free for arming threads once the drain or
     * advance ends (or before the next callback).
     */
    private void retire(final TimerSlots slots, final int slot)
    {
        slots.clearTask(slot);
        slots.clearPeriod(slot);
        // The counter first: pending (slots taken minus fired minus retired) may read low for a moment, never
        // count a freed slot as still taken after a producer reused it.
        cancelledRetired.lazySet(cancelledRetired.get() + 1);
        slots.freeLater(slot); // pushed at the end of the drain or advance, or before the next callback
    }

    /**
     * Acts on the request at {@code position} if the timer's word still names it (same generation, same sequence):
     * a later request for the timer supersedes it, and a request for a slot reused since is stale. An arm files its
     * timer even when superseded (by a re-arm, or the close), as it brings the payload: a later request moves it.
     */
    private void handleRequest(final TimerSlots slots, final long handle, final long position)
    {
        final int slot = (int)handle;
        final long meta = slots.requestMeta(position);
        final boolean arm = meta >>> 32 == KIND_ARM;
        long state = slots.state(slot);
        if ((state & GENERATION_MASK) != (handle & GENERATION_MASK))
        {
            return; // stale: the slot holds a later timer
        }
        if (arm && (status(state) == ARMED || status(state) == CLOSED))
        {
            // A timer's arm is its first request: any other needs the handle arm() returns after publishing it, so
            // it is claimed later and, as the drain goes in order, handled later. Only a guessed handle (the next
            // generation, used before arm() returned) can overtake it, past a gap: a re-arm that then filed the
            // timer with the slot's old payload. The arm brings the payload and keeps the later re-arm's deadline.
            // (A cancelled timer is not filed: its cancel retires it.)
            long deadlineNs = slots.requestDeadline(position);
            if (wheel.isSlotArmed(slot))
            {
                deadlineNs = wheel.slotDeadline(slot);
                wheel.cancelSlot(slot);
            }
            wheel.armSlot(slot, deadlineNs, slots.requestPayload(position));
        }
        while (true)
        {
            if ((state & SEQUENCE_MASK) != (meta & SEQUENCE_MASK))
            {
                return; // superseded by a later request
            }
            final long status = status(state);
            if (status == CANCELLED)
            {
                // Retired: its word becomes a free word (see TimerSlots), FREE, which no later request of the
                // timer acts on.
                wheel.cancelSlot(slot); // promptly, not when its bucket comes round; false if it was never filed
                retire(slots, slot);
                return;
            }
            if (status == CLOSED)
            {
                break; // the close owns it; filed all the same, so that shutdown() finds its deadline and payload
            }
            if (status != ARMED)
            {
                return; // FREE or FIRING: no request of theirs is left to act on
            }
            if (slots.casState(slot, state, state & ~QUEUED))
            {
                break;
            }
            state = slots.state(slot); // cancelled, re-armed or closed meanwhile (the generation stays)
        }
        if (arm)
        {
            return; // filed above
        }
        final long deadlineNs = slots.requestDeadline(position);
        if (wheel.isSlotArmed(slot))
        {
            wheel.rearmSlot(slot, deadlineNs);
        }
        else
        {
            // Its old deadline came while this re-arm was on its way: the wheel let go of it without firing it.
            wheel.armSlot(slot, deadlineNs, wheel.slotPayload(slot));
        }
    }

    /** The wheel fired the entry of the timer in {@code slot}. Runs inside {@link TimerWheel#poll}. */
    private void fire(final int slot, final long payload, final long deadlineNs)
    {
        final TimerSlots slots = this.slots;
        long state = slots.state(slot);
        // Read after the word: written by the arming thread before its volatile write of the word.
        final long periodNs = slots.period(slot);
        final long firing = periodNs == 0 ? FIRING : RUNNING;
        while (true)
        {
            // Exactly "armed, nothing queued": a cancel or re-arm that got in first wins, and its request re-files or
            // retires the timer.
            if (status(state) != ARMED || (state & QUEUED) != 0)
            {
                if (status(state) == CANCELLED && (state & QUEUED) == 0)
                {
                    retire(slots, slot); // cancelled while the request queue was full: no request comes for it
                }
                else if (status(state) == CLOSED && (state & QUEUED) == 0)
                {
                    // Closed by a shutdown() beside this caller-driven poll: back into the wheel, which keeps its
                    // deadline and payload for the list shutdown() returns (not fired again: the service is closed).
                    wheel.rearmSlot(slot, deadlineNs);
                }
                return;
            }
            if (slots.casState(slot, state, (state & ~STATUS_MASK) | firing))
            {
                break;
            }
            state = slots.state(slot);
        }
        final long handle = (state & GENERATION_MASK) | slot;
        // A clock reading per fire would cost as much as the rest of the fire: the reading of the advance (at or
        // after every deadline it fires), refreshed every few fires, so that callbacks' time shows up soon.
        if (++owner.firesSinceClockRead == FIRES_PER_CLOCK_READ)
        {
            owner.fireClockNs = clock.getAsLong();
            owner.firesSinceClockRead = 0;
        }
        final long lateNs = owner.fireClockNs - deadlineNs;
        lateness.record(Math.max(0, Math.min(lateNs, MAX_LATENESS_NS)));
        // A callback that arms must find every slot freed before it (a service armed to capacity whose callbacks
        // arm the next timer), as when each free was pushed at once.
        slots.publishFrees();
        final Runnable task = slots.task(slot);
        if (periodNs != 0)
        {
            runPeriodic(slot, handle, payload, deadlineNs, periodNs, task);
            return;
        }
        try
        {
            dispatch(handle, payload, deadlineNs, task);
        }
        finally
        {
            if (task != null)
            {
                slots.clearTask(slot);
            }
            // FIRING is left only here, by the owner. The generation stays: the next arm bumps it. The counter first,
            // as in retire.
            slots.setStateRelease(slot, (handle & GENERATION_MASK) | TimerSlots.FREE);
            fired.lazySet(fired.get() + 1);
            slots.freeLater(slot); // pushed before the next callback, or at the end of the advance
        }
    }

    /**
     * One run of a periodic timer, whose word says RUNNING: then, unless a cancel or the close took it meanwhile, it
     * goes back to ARMED and into the wheel at its next deadline, the previous deadline plus the period (never the
     * time of the run: no drift). Still inside the wheel's expiry of the slot, so the wheel keeps the slot (it frees
     * only a slot its callback did not file again). A next deadline already past fires within the same advance, in
     * deadline order with the other due timers: late runs come back to back, never two at once. Allocates nothing
     * (without an executor).
     */
    private void runPeriodic(final int slot, final long handle, final long payload, final long deadlineNs,
        final long periodNs, final Runnable task)
    {
        final long nextNs = deadlineNs + periodNs;
        final boolean inRange = nextNs > deadlineNs && deadlineInRange(nextNs);
        owner.runningSlot = slot;
        owner.runningNextNs = nextNs;
        try
        {
            dispatch(handle, payload, deadlineNs, task);
        }
        finally
        {
            owner.runningSlot = NIL;
            periodicRuns.lazySet(periodicRuns.get() + 1);
            while (true)
            {
                final long state = slots.state(slot);
                final long status = status(state);
                if (status == RUNNING)
                {
                    if (!inRange)
                    {
                        if (slots.casState(slot, state, (state & ~STATUS_MASK) | CANCELLED))
                        {
                            retire(slots, slot);
                            slots.publishFrees(); // the error handler is a callback: it may arm in this slot
                            reportError(handle, new IllegalStateException("periodic timer 0x" +
                                Long.toHexString(handle) + ": its next deadline, " + deadlineNs + " + " + periodNs +
                                " ns, would overflow the clock's range; the series ends"));
                            break;
                        }
                        continue;
                    }
                    // ARMED before it is filed: a cancel or re-arm from now on queues a request, which this thread
                    // handles after the filing below. The first run moves the sequence from the arm's 0 to 1 (no
                    // request can carry 1 yet: none is queued, and none was made since the arm), so that the word
                    // after a run never equals the word before it, and an arm that saw the close and comes to take
                    // its timer back (retractAfterClose) can tell that it ran.
                    final long armed = (state & SEQUENCE_MASK) == 0 ?
                        (state & ~STATUS_MASK) | (1L << SEQUENCE_SHIFT) | ARMED : (state & ~STATUS_MASK) | ARMED;
                    if (slots.casState(slot, state, armed))
                    {
                        wheel.rearmSlot(slot, nextNs);
                        break;
                    }
                }
                else if (status == CANCELLED)
                {
                    retire(slots, slot); // cancelled during the run: no request comes for it
                    break;
                }
                else
                {
                    if (status == CLOSED && inRange)
                    {
                        wheel.rearmSlot(slot, nextNs); // for the list shutdown() returns; never fired again
                    }
                    break;
                }
            }
        }
    }

    private final class Firing implements TimerHandler
    {
        @Override
        public void onExpiry(final long wheelHandle, final long payload, final long deadlineNs)
        {
            fire((int)wheelHandle, payload, deadlineNs); // the wheel's slot is the service's
        }
    }

    private void dispatch(final long handle, final long payload, final long deadlineNs, final Runnable task)
    {
        if (executor == null)
        {
            // What dispatchingHandle() answers on this thread while the callback runs: two plain writes per fire, on
            // the owner's own cache line. No nesting: a callback cannot poll.
            owner.dispatchingHandle = handle;
            try
            {
                if (task != null)
                {
                    task.run();
                }
                else
                {
                    handler.onExpiry(handle, payload, deadlineNs);
                }
            }
            catch (final Throwable t)
            {
                reportError(handle, t);
            }
            finally
            {
                owner.dispatchingHandle = NULL_HANDLE;
            }
            return;
        }
        try
        {
            // The one allocation per fire of executor mode: a task that carries what the callback needs and catches
            // what it throws, so that the error handler hears it on the executor's thread too (a Runnable handed
            // over as it is would leave its exception to the executor: lost, in a plain thread pool).
            executor.execute(task != null ? new RunTask(handle, task) : () -> runHandler(handle, payload, deadlineNs));
        }
        catch (final Throwable t)
        {
            // RejectedExecutionException above all (a shut-down or saturated executor): the timer fired, its
            // callback will not run. Counted apart from the callbacks that threw, and told to the error handler.
            executorRejections.increment();
            notifyErrorHandler(handle, t);
        }
    }

    /** An executor's task for a {@link Runnable} timer: 32 bytes (the payload timer's lambda is 40). */
    private final class RunTask implements Runnable
    {
        private final long handle;
        private final Runnable task;

        RunTask(final long handle, final Runnable task)
        {
            this.handle = handle;
            this.task = task;
        }

        @Override
        public void run()
        {
            try
            {
                task.run();
            }
            catch (final Throwable t)
            {
                reportError(handle, t);
            }
        }

        @Override
        public String toString()
        {
            return "escapement timer 0x" + Long.toHexString(handle) + ": " + task;
        }
    }

    private void runHandler(final long handle, final long payload, final long deadlineNs)
    {
        try
        {
            handler.onExpiry(handle, payload, deadlineNs);
        }
        catch (final Throwable t)
        {
            reportError(handle, t);
        }
    }

    /** A callback threw: counted, and told to the error handler. */
    private void reportError(final long handle, final Throwable error)
    {
        callbackErrors.increment();
        notifyErrorHandler(handle, error);
    }

    private void notifyErrorHandler(final long handle, final Throwable error)
    {
        try
        {
            errorHandler.onError(handle, error);
        }
        catch (final Throwable t)
        {
            t.addSuppressed(error);
            t.printStackTrace();
        }
    }

    // ------------------------------------------------------------------------------------------------ helpers

    /**
     * @return the clock's reading plus the delay.
     * @throws IllegalArgumentException if the delay is negative, or the deadline would overflow a long or lie
     *                                  {@code Long.MAX_VALUE} ns or more after the service's start.
     */
    private long deadlineAfter(final long delay, final TimeUnit unit)
    {
        Objects.requireNonNull(unit, "unit");
        if (delay < 0)
        {
            throw new IllegalArgumentException("delay must not be negative, was " + delay + " " + unit);
        }
        final long delayNs = unit.toNanos(delay); // saturates at Long.MAX_VALUE, rejected below
        final long now = clock.getAsLong();
        final long deadlineNs = now + delayNs;
        final long sinceStart = deadlineNs - startNs;
        // The wheel's own rule: a deadline at or after the start must lie less than Long.MAX_VALUE after it.
        if (delayNs == Long.MAX_VALUE || deadlineNs < now ||
            deadlineNs >= startNs && (sinceStart < 0 || sinceStart == Long.MAX_VALUE))
        {
            throw new IllegalArgumentException("delay " + delay + " " + unit + " is too large: the deadline " +
                "would overflow the clock's range (now " + now + " ns, service started at " + startNs + " ns)");
        }
        return deadlineNs;
    }

    /** @return whether the wheel takes {@code deadlineNs}: one at or after the start lies less than 2^63-1 after it. */
    private boolean deadlineInRange(final long deadlineNs)
    {
        final long sinceStart = deadlineNs - startNs;
        return !(deadlineNs >= startNs && (sinceStart < 0 || sinceStart == Long.MAX_VALUE));
    }

    private static void joinUninterruptibly(final Thread thread)
    {
        boolean interrupted = false;
        while (true)
        {
            try
            {
                thread.join();
                break;
            }
            catch (final InterruptedException e)
            {
                interrupted = true;
            }
        }
        if (interrupted)
        {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public String toString()
    {
        final String driving = mode == MODE_DRIVER ? "driver" : mode == MODE_CALLER ? "caller" : "not driven";
        return "TimerService{capacity=" + slots.capacity + ", mode=" + driving + ", closed=" + closed + '}';
    }

    /**
     * Configures a {@link TimerService}. Every value is checked when set, with the name, the value and what was
     * expected in the message.
     */
    public static final class Builder
    {
        private TimerHandler handler;
        private TimerErrorHandler errorHandler = TimerErrorHandler.PRINT_STACK_TRACE;
        private Executor executor;
        private LongSupplier clock = System::nanoTime;
        private long tickNs = TimeUnit.MILLISECONDS.toNanos(1);
        private int capacity = 1 << 16;
        private int wakeAfterRequests;
        private long waitWhenFullNs;
        private long maxParkNs = DEFAULT_MAX_PARK_NS;
        private long busyParkNs;
        private java.util.function.LongConsumer parkHook;
        private ThreadFactory threadFactory = runnable ->
        {
            final Thread thread = new Thread(runnable, "escapement-timer-" + THREAD_NUMBER.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        };

        private Builder()
        {
        }

        /**
         * @param handler receives every timer armed with a payload ({@link #arm(long, TimeUnit, long)}). Optional
         *                if only {@link Runnable} timers are armed.
         * @return this builder.
         */
        public Builder handler(final TimerHandler handler)
        {
            this.handler = Objects.requireNonNull(handler, "handler");
            return this;
        }

        /**
         * @param errorHandler told about every exception a callback throws. Default
         *                     {@link TimerErrorHandler#PRINT_STACK_TRACE}.
         * @return this builder.
         */
        public Builder errorHandler(final TimerErrorHandler errorHandler)
        {
            this.errorHandler = Objects.requireNonNull(errorHandler, "errorHandler");
            return this;
        }

        /**
         * @param executor runs the callbacks instead of the owner thread, which only hands them over. Default none.
         *                 Each fire hands it a small task of the service's (one allocation per fire, 32 to 40 bytes),
         *                 which runs the callback and sends what it throws to the {@link TimerErrorHandler}. If
         *                 {@code execute} throws ({@link java.util.concurrent.RejectedExecutionException}: the
         *                 executor is shut down or saturated), the timer still counts as fired, its callback does not
         *                 run, the refusal is counted ({@link TimerServiceMetrics#executorRejections()}) and told to
         *                 the error handler with the timer's handle; the service goes on.
         * @return this builder.
         */
        public Builder executor(final Executor executor)
        {
            this.executor = Objects.requireNonNull(executor, "executor");
            return this;
        }

        /**
         * @param clockNs a monotonic clock in nanoseconds; every deadline and every advance reads it. Default
         *                {@link System#nanoTime()}; tests inject a manual one.
         * @return this builder.
         */
        public Builder clock(final LongSupplier clockNs)
        {
            this.clock = Objects.requireNonNull(clockNs, "clock");
            return this;
        }

        /**
         * @param tickNs the wheel's tick, at least 1 ns. Default 1 ms. Timers never fire early whatever the tick: it
         *               sets how the wheel files them, and how exactly {@link TimerWheel#earliestDeadline()} answers
         *               for timers more than 256 ticks away.
         * @return this builder.
         */
        public Builder tickNs(final long tickNs)
        {
            if (tickNs < 1)
            {
                throw new IllegalArgumentException("tickNs must be at least 1, was " + tickNs);
            }
            this.tickNs = tickNs;
            return this;
        }

        /**
         * @param capacity the most timers held at once (armed, firing, or cancelled and not yet retired), from 1 to
         *                 {@link TimerWheel#MAX_CAPACITY_LIMIT}. Default 65,536. Allocated up front: 8 bytes each
         *                 (4 more with Runnable timers), and the wheel's 31 bytes or so (at most 32) for each slot
         *                 once used.
         * @return this builder.
         */
        public Builder capacity(final int capacity)
        {
            if (capacity < 1 || capacity > TimerWheel.MAX_CAPACITY_LIMIT)
            {
                throw new IllegalArgumentException("capacity must be in [1, " + TimerWheel.MAX_CAPACITY_LIMIT +
                    "], was " + capacity);
            }
            this.capacity = capacity;
            return this;
        }

        /**
         * @param requests how many requests (arms, re-arms, cancels) may wait before one wakes a sleeping driver, at
         *                 least 1, rounded down to a power of two and at most 16,384: the request at every such
         *                 multiple of positions wakes it. It bounds how many cancelled timers hold their slot while the driver sleeps
         *                 towards a far deadline, and sizes the request queue (four batches, from 1,024 to 65,536
         *                 requests). Default capacity / 16, at most 4,096.
         * @return this builder.
         */
        public Builder wakeAfterRequests(final int requests)
        {
            if (requests < 1)
            {
                throw new IllegalArgumentException("wakeAfterRequests must be at least 1, was " + requests);
            }
            this.wakeAfterRequests = requests;
            return this;
        }

        /**
         * @param maxWait how long an arm may wait for a slot when every slot is taken, waking the owner and yielding
         *                to it, before it throws {@link TimerServiceFullException}. Default 0: it throws at once.
         *                Useful when producers can outrun the owner thread (more busy producers than cores), so
         *                that they are slowed to its pace instead of failing. An arm or re-arm that finds the request
         *                queue full waits this long, or a second if that is longer. Durations beyond
         *                {@link Long#MAX_VALUE} nanoseconds (about 292 years) are taken as that: in effect, wait for as
         *                long as it takes.
         * @return this builder.
         * @throws NullPointerException     if {@code maxWait} is null.
         * @throws IllegalArgumentException if {@code maxWait} is negative.
         */
        public Builder waitWhenFull(final java.time.Duration maxWait)
        {
            if (maxWait == null)
            {
                throw new NullPointerException("waitWhenFull's maxWait must not be null: use Duration.ZERO to fail " +
                    "at once when full");
            }
            if (maxWait.isNegative())
            {
                throw new IllegalArgumentException("waitWhenFull's maxWait must not be negative, was " + maxWait);
            }
            // Saturated: Duration.toNanos() throws ArithmeticException past 2^63-1 ns. The waits compare elapsed
            // times (now - start >= wait), which stay exact for any wait up to Long.MAX_VALUE however they wrap.
            this.waitWhenFullNs = maxWait.compareTo(MAX_NANOS_DURATION) >= 0 ? Long.MAX_VALUE : maxWait.toNanos();
            return this;
        }

        /**
         * Tests only: the driver's safety-net wake-up (default 1 s). A test that proves no wake-up is lost sets it
         * far beyond its own timeout, so that a lost wake-up cannot hide behind it.
         */
        Builder maxParkNs(final long maxParkNs)
        {
            this.maxParkNs = maxParkNs;
            return this;
        }

        /**
         * Tests only: the driver's longest park while busy (default 16 ticks, at least 1 ms, at most maxParkNs). A
         * test that proves no wake-up is lost sets it as far as maxParkNs.
         */
        Builder busyParkNs(final long busyParkNs)
        {
            this.busyParkNs = busyParkNs;
            return this;
        }

        /**
         * Tests only: the driver parks through this instead of {@link LockSupport#parkNanos(Object, long)}, so that a
         * test can count its parks and see the interrupt flag at each (it should delegate to parkNanos).
         */
        Builder parkHook(final java.util.function.LongConsumer parkHook)
        {
            this.parkHook = parkHook;
            return this;
        }

        /**
         * @param threadFactory makes the driver thread {@link #start()} starts. Default: a daemon thread named
         *                      {@code escapement-timer-N}.
         * @return this builder.
         */
        public Builder threadFactory(final ThreadFactory threadFactory)
        {
            this.threadFactory = Objects.requireNonNull(threadFactory, "threadFactory");
            return this;
        }

        /** @return a new service, caller-driven until {@link TimerService#start()} is called. */
        public TimerService build()
        {
            return new TimerService(this);
        }
    }
}
