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
        if (field(table.word[i], AUX, 3) == NONE || !wheel.rearm(handle[i], deadline))
        {
            handle[i] = wheel.arm(deadline, ((long)(i >> 1) << EventBatch.SLOT_SHIFT) |
                ((i & 1) == CLIENT ? EventBatch.AUX_CLIENT : EventBatch.AUX_SERVER));
        }
        table.word[i] = with(table.word[i], AUX, kind);
    }

    void cancel(final int i)
    {
        wheel.cancel(handle[i]);
        handle[i] = TimerWheel.NULL_HANDLE;
        table.word[i] = with(table.word[i], AUX, NONE);
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
        return wheel.isArmed(handle[i]);
    }

    long deadline(final int i)
    {
        return wheel.deadline(handle[i]);
    }
}
