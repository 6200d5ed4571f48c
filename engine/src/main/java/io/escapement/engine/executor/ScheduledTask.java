package io.escapement.engine.executor;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.Callable;
import java.util.concurrent.CancellationException;
import java.util.concurrent.Delayed;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.RunnableScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import static java.util.concurrent.TimeUnit.NANOSECONDS;

/**
 * One task of a {@link TimerScheduledExecutor} and its future: the only object a schedule allocates.
 * <p>
 * States, in one int moved by CAS:
 * <pre>
 * NEW -------------------------------&gt; CANCELLED              cancel before the task started: it never runs
 *  |  ^
 *  |  +-- (periodic, after a run) ---+
 *  v                                 |
 * RUNNING ---------------------------+-&gt; NORMAL | EXCEPTIONAL  the run's outcome (one-shot; periodic: threw)
 *  |   \
 *  |    +-&gt; STOP_INTERRUPTING -&gt; RUNNING   shutdownNow interrupts the runner, the task goes on
 *  +-&gt; CANCELLED | INTERRUPTING -&gt; INTERRUPTED   cancel while it runs: its outcome is discarded
 * </pre>
 * Fire and cancel both leave NEW by a CAS, so exactly one of them wins: a task whose {@code cancel} found it NEW
 * never starts, and a task that started is never also "cancelled before it started". As in the JDK's
 * {@code FutureTask} (and so {@code ScheduledThreadPoolExecutor}), {@code cancel} of a running task returns
 * {@code true} and discards its outcome; with {@code mayInterruptIfRunning} it interrupts the runner, which does not
 * leave {@link #run()} until that interrupt was delivered, so that it lands while the thread is still in this task
 * (the driver thread then clears it; a pool's worker clears it before its next task, as {@code ThreadPoolExecutor}'s
 * does).
 * <p>
 * Waiting in {@link #get()} uses this object's monitor, and only when a caller waits: the completing thread enters
 * the monitor only if it sees {@code waiting} set (a Dekker pair of volatile accesses: the waiter writes
 * {@code waiting} and then reads the state inside the monitor; the completer CASes the state and then reads
 * {@code waiting}; one of them sees the other).
 */
final class ScheduledTask<V> implements RunnableScheduledFuture<V>
{
    static final int NEW = 0;
    static final int RUNNING = 1;
    static final int STOP_INTERRUPTING = 2;
    static final int NORMAL = 3;
    static final int EXCEPTIONAL = 4;
    static final int CANCELLED = 5;
    static final int INTERRUPTING = 6;
    static final int INTERRUPTED = 7;

    private static final VarHandle STATE;
    private static final VarHandle RUNNER;
    /** The adapter publishes a timer's handle by a CAS (see TimerScheduledExecutor.armTimer). */
    static final VarHandle HANDLE;

    static
    {
        try
        {
            final MethodHandles.Lookup lookup = MethodHandles.lookup();
            STATE = lookup.findVarHandle(ScheduledTask.class, "state", int.class);
            RUNNER = lookup.findVarHandle(ScheduledTask.class, "runner", Thread.class);
            HANDLE = lookup.findVarHandle(ScheduledTask.class, "handle", long.class);
        }
        catch (final ReflectiveOperationException e)
        {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final TimerScheduledExecutor owner;
    /** A Runnable or a Callable, as {@link #callable} says: no adapter object per Runnable (submit(Runnable, T) with a result given ahead comes as a Callable). */
    private final Object action;
    private final boolean callable;
    /** 0: one-shot; positive: fixed rate; negative: fixed delay (its magnitude), as in the JDK's scheduler. */
    final long periodNs;

    private volatile int state;
    /** The time of the next run on the service's clock; written before the task is armed for it. */
    volatile long deadlineNs;
    /**
     * The service's handle of the timer armed for {@link #deadlineNs}, or 0: none yet (not published yet, an
     * immediate task), or the run for the previous deadline cleared it before the next arm (so that the previous
     * timer, fired or still pending after a direct call ran the task, is never taken for the current one).
     */
    volatile long handle;
    /**
     * The thread running the task: claimed by a CAS from null before the CAS into RUNNING (so that a cancel that sees
     * RUNNING reads it), released by that thread only once the state has left RUNNING. Only the call that claimed it
     * writes it: a second call of {@link #run()} while the task runs (the method is public) must neither overwrite
     * nor clear it, or {@code cancel(true)} would interrupt that caller, or nobody. As the JDK's {@code FutureTask}.
     */
    private volatile Thread runner;
    /** The value or the Throwable; written before the CAS to NORMAL or EXCEPTIONAL, read after seeing it. */
    private Object outcome;
    private volatile boolean waiting;
    /**
     * Executor mode: set by the adapter just before it gives the task to the user's executor, so that the call of
     * {@link #run()} that follows runs it, where the service's call on its driver thread only hands it over. Plain:
     * {@code Executor.execute} orders the write before the executor's call; the run clears it before a periodic
     * task's next timer is armed, and the service's arm orders that before the driver's next call.
     */
    boolean handedOver;
    /**
     * The task's hash: the executor's count of tasks when it was made, not the identity hash. The executor keeps
     * tasks in concurrent hash sets (the periodic tasks, the tasks handed over), and an identity hash differs from
     * one run of the same program to the next: the order those sets iterate in, and how many table slots an
     * iteration reads, with it. A model checker (Lincheck) replays an interleaving by counting shared reads and
     * writes, and found the executor's shutdownNow "non-deterministic" through it. Equality stays identity.
     */
    private final int hash;

    ScheduledTask(final TimerScheduledExecutor owner, final Object action, final boolean callable,
        final long deadlineNs, final long periodNs)
    {
        this.owner = owner;
        this.action = action;
        this.callable = callable;
        this.deadlineNs = deadlineNs;
        this.periodNs = periodNs;
        this.hash = owner.nextTaskHash();
    }

    /** @return a hash fixed by the order the executor made its tasks in (see {@code hash}); equality is identity. */
    @Override
    public int hashCode()
    {
        return hash;
    }

    int state()
    {
        return state;
    }

    /**
     * Runs the task now if it is still NEW; the service calls it when the timer fires (on its driver thread, or on
     * the executor the task was handed to). A periodic task re-arms itself for its next run when this run returns
     * normally. Does nothing if the task was cancelled or is done, or while another call runs it (as
     * {@code FutureTask.run}: that run stays the one {@code cancel(true)} interrupts). In executor mode, a call with
     * no hand-over pending hands the task over only if the calling thread is the service's, running the callback of
     * the timer armed for the task's current deadline (the service tells its own thread the handle it dispatches),
     * or the task is due by the clock (a fire before the arm's handle is published): the timer's call always finds
     * one of the two, and any other finds it running, done, or pending for a later deadline and does nothing (no
     * second hand-over, no run before its deadline). A direct call on a task queued in the executor runs it there
     * and then (it is due), and the executor's queued call then finds it done or pending again, and does nothing. Not for users all the same:
     * with tasks on the driver thread, called directly on a pending periodic task it runs it at once and arms a
     * second timer for it (its runs still never overlap), as calling {@code run()} on the JDK's
     * {@code ScheduledFutureTask} re-queues it.
     */
    @Override
    @SuppressWarnings("unchecked")
    public void run()
    {
        if (owner.isStopped() && state == NEW)
        {
            owner.stoppedBeforeStart(this); // shutdownNow was called: a task that has not started never starts
            return;
        }
        if (!handedOver && owner.handsOver())
        {
            // No hand-over of ours is pending. The timer's call (on the driver thread) is the one the service makes
            // while it dispatches the handle the task holds for its current deadline: the user's executor runs the
            // task. Not "due by the clock": the wheel advances to the later of the clock and its own time, so after
            // the clock stepped back a timer fires before its deadline by the clock, and such a call returned, the
            // task lost. Not "its timer is firing" either, which another thread's call would also see, nor a
            // timer's call for a deadline already run: a direct call that ran the task when due leaves its timer
            // pending, and when that fires the run has moved the deadline on and cleared the handle (a public
            // isFiring let that call hand the task over again: a second run at once, a period early). "Due" stays
            // for the timer that fires before the arming thread has published its handle (that fire finds the
            // clock at the deadline, the clock being monotonic). Any other call is not the timer's: the executor's
            // queued call of a hand-over that a direct call of run() took first, a direct call while the executor
            // runs it, or on a pending task: none of them hands it over. One that meets the timer's fire hands the
            // task over as the fire would: the set of tasks handed over lets only one of the two through.
            final long dispatching;
            if (state == NEW && ((dispatching = owner.dispatchingHandle()) != 0 && dispatching == handle ||
                deadlineNs - owner.nowNs() <= 0))
            {
                owner.handOverFired(this);
            }
            return;
        }
        handedOver = false;
        if (state != NEW || !RUNNER.compareAndSet(this, null, Thread.currentThread()))
        {
            // Done: cancelled (or failed) while it waited in the executor's queue. Otherwise another call runs it, or
            // is claiming it: that call does the bookkeeping (and keeps the task in the executor's set of tasks
            // handed over, through which shutdownNow interrupts it).
            if (state >= NORMAL)
            {
                owner.skipped(this);
            }
            return;
        }
        if (!STATE.compareAndSet(this, NEW, RUNNING))
        {
            runner = null; // ours: the claim kept every other call out, so the state can only have become done
            owner.skipped(this);
            return;
        }
        owner.beforeRun(this);
        if (periodNs != 0 && owner.stopsPeriodicTasks())
        {
            // Shut down before this run began: periodic tasks stop, and no run of one begins once shutdown() has
            // set its flag, so none after it returned (the JDK's ScheduledFutureTask.run checks the run state first
            // in the same way). A shutdown's pass over the periodic tasks does not stop a task that is RUNNING (its
            // previous run, past the check after its body), nor one not in the set yet (a first run, handed over
            // before the schedule's own re-check): that run's next run, already due, may be handed over before its
            // own late check (rearm's caller), and reach a worker here. A run that read ctl before shutdown wrote it
            // began before the shutdown, as a task already running. Bookkeeping as a run that ends cancelled.
            finish(CANCELLED, null);
            end();
            return;
        }
        if (owner.isStopped())
        {
            // shutdownNow began after the check above: it may have looked for running tasks before this one was
            // running (driver: `running`, written by beforeRun; executor: the state, RUNNING by the CAS above), and
            // then nobody interrupts it. The task interrupts itself, as ThreadPoolExecutor.runWorker re-checks STOP
            // after taking a task. A Dekker pair: this thread writes the state and `running`, then reads `stopped`;
            // shutdownNow writes `stopped`, then reads `running` and CASes the state. All volatile: one of the two
            // sees the other (both may: a second interrupt is harmless).
            Thread.currentThread().interrupt();
        }
        if (periodNs == 0)
        {
            Object result;
            int done;
            try
            {
                result = callable ? ((Callable<V>)action).call() : runAndReturn();
                done = NORMAL;
            }
            catch (final Throwable t)
            {
                result = t;
                done = EXCEPTIONAL;
            }
            finish(done, result);
            end();
            return;
        }
        Throwable error = null;
        try
        {
            ((Runnable)action).run();
        }
        catch (final Throwable t)
        {
            error = t;
        }
        if (error != null)
        {
            finish(EXCEPTIONAL, error);
            end();
            return;
        }
        if (owner.stopsPeriodicTasks())
        {
            // Shut down: periodic tasks stop, and their future reads as cancelled (as the JDK's scheduler does with
            // its default continueExistingPeriodicTasksAfterShutdown policy, false).
            finish(CANCELLED, null);
            end();
            return;
        }
        // Fixed rate: from the previous deadline, so that lateness never accumulates (a late run is followed by the
        // next ones at once, one after the other, never two at a time). Fixed delay: from the end of this run.
        deadlineNs = periodNs > 0 ? saturatedAdd(deadlineNs, periodNs) : saturatedAdd(owner.nowNs(), -periodNs);
        // The timer of this run is spent: cleared before NEW, so that its call, or a stale one of an earlier run
        // (its timer still pending when a direct call ran the task), never matches the handle once the task is
        // pending again (the next timer's handle is published by armTimer).
        handle = 0;
        while (true)
        {
            final int s = state;
            if (s == RUNNING)
            {
                if (STATE.compareAndSet(this, RUNNING, NEW))
                {
                    // Released once NEW (a cancel now finds it not running) and before the re-arm (the next run,
                    // maybe on another thread, claims it from null). Bookkeeping first: once re-armed the task may
                    // run again at once.
                    runner = null;
                    owner.afterRun(this);
                    owner.rearm(this);
                    return;
                }
            }
            else if (s == STOP_INTERRUPTING)
            {
                Thread.onSpinWait(); // shutdownNow is interrupting us: a few instructions
            }
            else
            {
                awaitInterrupter(); // cancelled while it ran
                runner = null;
                end();
                return;
            }
        }
    }

    /** The run is over and the task done: bookkeeping, then the count that lets the executor terminate. */
    private void end()
    {
        owner.afterRun(this);
        owner.taskDone(this);
    }

    private V runAndReturn()
    {
        ((Runnable)action).run();
        return null; // a result given ahead comes as a Callable (TimerScheduledExecutor.submit(Runnable, T))
    }

    /**
     * Leaves RUNNING for {@code done} with {@code result}, unless a cancel did first; then waits until the cancel's
     * interrupt, if any, was delivered, so that it cannot reach the thread's next task. Releases the runner after the
     * state left RUNNING: no cancel reads it then.
     */
    private void finish(final int done, final Object result)
    {
        while (true)
        {
            final int s = state;
            if (s == RUNNING)
            {
                outcome = result;
                if (STATE.compareAndSet(this, RUNNING, done))
                {
                    runner = null;
                    signalWaiters();
                    return;
                }
            }
            else if (s == STOP_INTERRUPTING)
            {
                Thread.onSpinWait(); // shutdownNow is interrupting us: a few instructions
            }
            else
            {
                awaitInterrupter(); // cancelled while running: the canceller completes the future
                runner = null;
                return;
            }
        }
    }

    /** Waits until an interrupt of cancel(true) or shutdownNow under way was delivered: a few instructions. */
    private void awaitInterrupter()
    {
        int s;
        while ((s = state) == INTERRUPTING || s == STOP_INTERRUPTING)
        {
            Thread.onSpinWait();
        }
    }

    /**
     * Hands a never-started task to shutdownNow or a refusal: NEW to CANCELLED.
     *
     * @return whether this call took it out of NEW.
     */
    boolean cancelIfNew()
    {
        if (STATE.compareAndSet(this, NEW, CANCELLED))
        {
            signalWaiters();
            return true;
        }
        return false;
    }

    /**
     * Completes a NEW task exceptionally: its next run could not be scheduled (the service was full, or the executor
     * refused it).
     *
     * @return whether this call took it out of NEW.
     */
    boolean failIfNew(final Throwable cause)
    {
        outcome = cause; // harmless if the CAS fails: only a NORMAL or EXCEPTIONAL state makes it readable
        if (STATE.compareAndSet(this, NEW, EXCEPTIONAL))
        {
            signalWaiters();
            return true;
        }
        return false;
    }

    /** shutdownNow: interrupts the thread running this task, if it is running, without cancelling it. */
    void interruptIfRunning()
    {
        if (STATE.compareAndSet(this, RUNNING, STOP_INTERRUPTING))
        {
            final Thread t = runner;
            if (t != null)
            {
                t.interrupt();
            }
            STATE.setVolatile(this, RUNNING); // only we leave STOP_INTERRUPTING: the others wait for it
        }
    }

    @Override
    public boolean cancel(final boolean mayInterruptIfRunning)
    {
        while (true)
        {
            final int s = state;
            if (s == NEW)
            {
                if (STATE.compareAndSet(this, NEW, CANCELLED))
                {
                    signalWaiters();
                    owner.cancelled(this);
                    return true;
                }
            }
            else if (s == RUNNING)
            {
                if (STATE.compareAndSet(this, RUNNING, mayInterruptIfRunning ? INTERRUPTING : CANCELLED))
                {
                    if (mayInterruptIfRunning)
                    {
                        final Thread t = runner;
                        if (t != null)
                        {
                            t.interrupt();
                        }
                        STATE.setVolatile(this, INTERRUPTED);
                    }
                    signalWaiters();
                    return true; // the runner counts the task done when it returns
                }
            }
            else if (s == STOP_INTERRUPTING)
            {
                Thread.onSpinWait();
            }
            else
            {
                return false;
            }
        }
    }

    @Override
    public boolean isCancelled()
    {
        return state >= CANCELLED;
    }

    @Override
    public boolean isDone()
    {
        return state >= NORMAL;
    }

    @Override
    public boolean isPeriodic()
    {
        return periodNs != 0;
    }

    @Override
    public V get() throws InterruptedException, ExecutionException
    {
        if (state < NORMAL)
        {
            synchronized (this)
            {
                waiting = true;
                while (state < NORMAL)
                {
                    wait();
                }
            }
        }
        return report();
    }

    @Override
    public V get(final long timeout, final TimeUnit unit)
        throws InterruptedException, ExecutionException, TimeoutException
    {
        if (unit == null)
        {
            throw new NullPointerException("unit");
        }
        if (state < NORMAL)
        {
            final long giveUpAt = System.nanoTime() + unit.toNanos(timeout);
            synchronized (this)
            {
                waiting = true;
                while (state < NORMAL)
                {
                    final long leftNs = giveUpAt - System.nanoTime();
                    if (leftNs <= 0)
                    {
                        throw new TimeoutException("the task did not complete within " + timeout + " " + unit);
                    }
                    NANOSECONDS.timedWait(this, leftNs);
                }
            }
        }
        return report();
    }

    @SuppressWarnings("unchecked")
    private V report() throws ExecutionException
    {
        final int s = state;
        if (s == NORMAL)
        {
            return (V)outcome;
        }
        if (s == EXCEPTIONAL)
        {
            throw new ExecutionException((Throwable)outcome);
        }
        throw new CancellationException("the task was cancelled");
    }

    private void signalWaiters()
    {
        if (waiting)
        {
            synchronized (this)
            {
                notifyAll();
            }
        }
    }

    @Override
    public long getDelay(final TimeUnit unit)
    {
        return unit.convert(deadlineNs - owner.nowNs(), NANOSECONDS);
    }

    /** Earlier deadline first; another kind of {@link Delayed} is compared by {@link #getDelay}. */
    @Override
    public int compareTo(final Delayed other)
    {
        if (other == this)
        {
            return 0;
        }
        if (other instanceof ScheduledTask)
        {
            // A difference, not Long.compare: clock readings may wrap (System.nanoTime's origin is arbitrary).
            final long diff = deadlineNs - ((ScheduledTask<?>)other).deadlineNs;
            return diff < 0 ? -1 : diff > 0 ? 1 : 0;
        }
        final long diff = getDelay(NANOSECONDS) - other.getDelay(NANOSECONDS);
        return diff < 0 ? -1 : diff > 0 ? 1 : 0;
    }

    static long saturatedAdd(final long a, final long b)
    {
        final long sum = a + b;
        return ((a ^ sum) & (b ^ sum)) < 0 ? (b > 0 ? Long.MAX_VALUE : Long.MIN_VALUE) : sum;
    }

    @Override
    public String toString()
    {
        final int s = state;
        final String status = s == NEW ? "pending" : s == RUNNING || s == STOP_INTERRUPTING ? "running" :
            s == NORMAL ? "completed normally" : s == EXCEPTIONAL ? "completed exceptionally" : "cancelled";
        return super.toString() + "[" + status + ", task = " + action + "]";
    }
}
