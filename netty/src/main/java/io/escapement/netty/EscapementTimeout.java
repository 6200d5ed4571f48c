package io.escapement.netty;

import io.netty.util.Timeout;
import io.netty.util.Timer;
import io.netty.util.TimerTask;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * The {@link Timeout} of an {@link EscapementTimer}, and the {@link Runnable} its service fires.
 * <p>
 * Its fate is decided by one CAS on {@code state}, whichever comes first: the expiry (INIT to EXPIRED, on the worker
 * thread when the service fires it), a cancel (INIT to CANCELLED, any thread) or the stop (INIT to CANCELLED too: as
 * Netty's {@code stop()}, it cancels what it hands back). So {@link #cancel()} returns {@code true} at most once,
 * never for a timeout whose task ran or will run, a cancel racing the stop either wins (the timeout is not in the
 * stop's set) or loses (it is, and the cancel returns {@code false}), and {@link #isExpired()} and
 * {@link #isCancelled()} read the same word. The service makes its own decision between its fire and the
 * service-level cancel that follows ours, but that only decides who frees the slot: if the service fires a timeout
 * we cancelled, {@link #run()} finds CANCELLED and does nothing.
 */
final class EscapementTimeout implements Timeout, Runnable
{
    private static final int INIT = 0;
    private static final int EXPIRED = 1;
    private static final int CANCELLED = 2;

    private static final VarHandle STATE;

    static
    {
        try
        {
            STATE = MethodHandles.lookup().findVarHandle(EscapementTimeout.class, "state", int.class);
        }
        catch (final ReflectiveOperationException e)
        {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final EscapementTimer timer;
    private final TimerTask task;
    /**
     * The service's handle, written by newTimeout once arm returns, before the timeout is handed to the caller (that
     * hand-over orders it before any cancel by the caller or whoever the caller passes it to). Two other threads can
     * see the timeout earlier: the worker, which fires it (and reads no handle), and a stop that takes it from the
     * service's list (and cancels it by the CAS that any later cancel() then loses, so that no cancel() reads the
     * handle): a plain field is enough.
     */
    long handle;
    private volatile int state = INIT;

    EscapementTimeout(final EscapementTimer timer, final TimerTask task)
    {
        this.timer = timer;
        this.task = task;
    }

    @Override
    public Timer timer()
    {
        return timer;
    }

    @Override
    public TimerTask task()
    {
        return task;
    }

    @Override
    public boolean isExpired()
    {
        return state == EXPIRED;
    }

    @Override
    public boolean isCancelled()
    {
        return state == CANCELLED;
    }

    /**
     * Cancels the timeout if it has neither expired nor been cancelled: its task will never run. Any thread.
     *
     * @return {@code true} for the first cancel of a timeout that had not expired; {@code false} otherwise.
     */
    @Override
    public boolean cancel()
    {
        if (STATE.compareAndSet(this, INIT, CANCELLED))
        {
            // Pending until this CAS: counted out, and the service told, so that it frees the slot at the worker's
            // next drain (it answers false if it fired the timer meanwhile: run() then finds CANCELLED).
            timer.pending.decrementAndGet();
            timer.cancelInService(handle);
            return true;
        }
        return false;
    }

    /** The service fired the timer (on the worker thread): expire it unless it was cancelled first. */
    @Override
    public void run()
    {
        if (STATE.compareAndSet(this, INIT, EXPIRED))
        {
            timer.pending.decrementAndGet();
            timer.expire(this);
        }
    }

    /**
     * The stop took the timer from the service: cancel it and hand it back, unless a cancel got there first.
     *
     * @return whether it was still pending.
     */
    boolean takeForStop()
    {
        if (STATE.compareAndSet(this, INIT, CANCELLED))
        {
            timer.pending.decrementAndGet();
            return true;
        }
        return false;
    }

    @Override
    public String toString()
    {
        final int s = state;
        return "EscapementTimeout{" + (s == INIT ? "pending" : s == EXPIRED ? "expired" : "cancelled") + ", task=" +
            task + '}';
    }
}
