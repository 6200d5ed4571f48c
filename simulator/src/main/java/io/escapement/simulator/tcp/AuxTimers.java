package io.escapement.simulator.tcp;

import io.escapement.engine.wheel.TimerWheel;

import java.util.Arrays;

import static io.escapement.simulator.tcp.ConnectionTable.AUX;
import static io.escapement.simulator.tcp.ConnectionTable.CLIENT;
import static io.escapement.simulator.tcp.ConnectionTable.field;
import static io.escapement.simulator.tcp.ConnectionTable.with;

/**
 * The auxiliary timer of each end: one at a time, beside the retransmission timer. Its kind (think time, tail
 * loss probe, FIN-WAIT-2's fin_timeout, TIME-WAIT, idle) is kept in the end's word, its handle here.
 * <p>
 * <b>Cancels wait for the event's end.</b> Most cancels are followed, in the same event, by a new timer for the same
 * end: the ACK that acknowledges everything stops the tail loss probe and the FIN sent in answer arms the next one,
 * FIN-WAIT-2's fin_timeout gives way to TIME-WAIT, a close stops the think time (4.6 million of the default run's 6.6
 * million cancels). {@link #cancel} therefore only clears the end's kind and notes the end; {@link #set} moves the
 * noted timer where it would have armed a new one (one re-arm, which the wheel does lazily, instead of an unlink and
 * a new timer), and {@link #flushCancels}, which the shard calls after every event, cancels the timers that were
 * not set again. The wheel fires nothing while an event is handled, so no noted timer can fire before it is
 * cancelled; the shard orders a microsecond's events by connection and kind (EventBatch), so the order the wheel
 * files or fires them in changes no result.
 */
final class AuxTimers
{
    static final int NONE = 0;
    static final int THINK = 1;
    static final int TLP = 2;
    static final int FIN_TIMEOUT = 3;
    static final int TIME_WAIT = 4;
    static final int IDLE = 5;
    static final int CLOSE = 6;     // the application closes, --close-after-eof after it read end-of-file

    private final TimerWheel wheel;
    private final ConnectionTable table;
    long[] handle;
    /**
     * Ends whose timer was cancelled during the event being handled and is still on the wheel (kind {@link #NONE},
     * handle kept), until {@link #flushCancels}; an end set again since, or noted twice, is skipped there.
     */
    private int[] cancelled = new int[16];
    private int cancelledCount;

    AuxTimers(final TimerWheel wheel, final ConnectionTable table)
    {
        this.wheel = wheel;
        this.table = table;
        this.handle = new long[table.capacity() * 2];
    }

    void grow(final int capacity)
    {
        handle = Arrays.copyOf(handle, capacity * 2);
    }

    void reset(final int i)
    {
        if (cancelledCount != 0)
        {
            cancelNow(i); // a timer cancelled earlier in this event is cancelled before its handle is forgotten
        }
        handle[i] = TimerWheel.NULL_HANDLE;
    }

    /** @return the kind of the end's auxiliary timer, {@link #NONE} when none runs. */
    int kind(final int i)
    {
        return field(table.word[i], AUX, 3);
    }

    /**
     * Arms the end's auxiliary timer as {@code kind}, moving the one it has (of whatever kind) if it runs. The shard
     * calls this only while it handles an event, never from within the wheel's poll (its handler only buffers), so
     * no timer is detached then: the handle's re-arm answers whether it runs, one lookup where asking first took two.
     */
    void set(final int i, final int kind, final long deadline)
    {
        // the handle is NULL_HANDLE when the end has no timer, and the kind NONE with a handle only while a cancel
        // waits for the event's end: that timer is moved, as a running one
        final long h = handle[i];
        if (h != TimerWheel.NULL_HANDLE && field(table.word[i], AUX, 3) == NONE)
        {
            forget(i); // its cancel waited for the event's end: the timer is moved instead
        }
        if (h == TimerWheel.NULL_HANDLE || !wheel.rearm(h, deadline))
        {
            handle[i] = wheel.arm(deadline, ((long)(i >> 1) << EventBatch.SLOT_SHIFT) |
                ((i & 1) == CLIENT ? EventBatch.AUX_CLIENT : EventBatch.AUX_SERVER));
        }
        table.word[i] = with(table.word[i], AUX, kind);
    }

    /** Stops the end's timer: at once for the rooms (its kind is {@link #NONE}), on the wheel after the event. */
    void cancel(final int i)
    {
        final long w = table.word[i];
        if (handle[i] != TimerWheel.NULL_HANDLE && field(w, AUX, 3) != NONE) // else none, or its cancel waits already
        {
            if (cancelledCount == cancelled.length)
            {
                cancelled = Arrays.copyOf(cancelled, cancelledCount * 2);
            }
            cancelled[cancelledCount++] = i;
        }
        table.word[i] = with(w, AUX, NONE);
    }

    /** After each event: cancels on the wheel the timers {@link #cancel} stopped and nothing set again since. */
    void flushCancels()
    {
        for (int k = 0; k < cancelledCount; k++)
        {
            final int i = cancelled[k];
            wheel.cancel(handle[i]);
            handle[i] = TimerWheel.NULL_HANDLE;
        }
        cancelledCount = 0;
    }

    /** @return whether an event's cancels wait for {@link #flushCancels}. */
    boolean cancelsPending()
    {
        return cancelledCount != 0;
    }

    /** @return whether end {@code i}'s cancel waited, now taken off the ends {@link #flushCancels} cancels. */
    private boolean forget(final int i)
    {
        for (int k = 0; k < cancelledCount; k++)
        {
            if (cancelled[k] == i)
            {
                cancelled[k] = cancelled[--cancelledCount];
                return true;
            }
        }
        return false;
    }

    /** {@link #reset} of an end whose cancel may wait: its timer leaves the wheel before its handle is forgotten. */
    private void cancelNow(final int i)
    {
        if (forget(i))
        {
            wheel.cancel(handle[i]);
        }
    }

    /** The timer fired: @return its kind, the end now has none. */
    int fired(final int i)
    {
        final int kind = field(table.word[i], AUX, 3);
        table.word[i] = with(table.word[i], AUX, NONE);
        handle[i] = TimerWheel.NULL_HANDLE;
        return kind;
    }

    /** @return whether the end's timer is on the wheel (not fired and waiting in this microsecond's batch). */
    boolean isScheduled(final int i)
    {
        return field(table.word[i], AUX, 3) != NONE && wheel.isArmed(handle[i]); // NONE: none, or its cancel waits
    }

    long deadline(final int i)
    {
        return wheel.deadline(handle[i]);
    }
}
