package io.escapement.benchmarks.baseline;

import org.agrona.DeadlineTimerWheel;

import java.util.concurrent.TimeUnit;

/**
 * Agrona's {@link DeadlineTimerWheel}, 1 ms resolution, 1024 ticks per wheel (the configuration of
 * shared/PERFORMANCE.md's first row). It has no re-arm: cancel, then schedule.
 */
final class AgronaAdapter implements TimerAdapter
{
    private final DeadlineTimerWheel wheel = new DeadlineTimerWheel(TimeUnit.MILLISECONDS, 0, 1, 1024);
    private final long[] ids;

    AgronaAdapter(final int capacity)
    {
        ids = new long[capacity];
    }

    @Override
    public void arm(final int id, final long deadlineMs)
    {
        ids[id] = wheel.scheduleTimer(deadlineMs);
    }

    @Override
    public boolean cancel(final int id)
    {
        return wheel.cancelTimer(ids[id]);
    }

    @Override
    public void rearm(final int id, final long deadlineMs)
    {
        wheel.cancelTimer(ids[id]);
        ids[id] = wheel.scheduleTimer(deadlineMs);
    }

    private long replaceAfterMs;
    private int fired;
    private final DeadlineTimerWheel.TimerHandler replace = (timeUnit, now, timerId) ->
    {
        fired++;
        wheel.scheduleTimer(now + replaceAfterMs); // allowed from the handler: Agrona files it for a later poll
        return true;
    };

    @Override
    public void armUntracked(final long deadlineMs)
    {
        wheel.scheduleTimer(deadlineMs);
    }

    /**
     * Agrona's poll works one tick per call: it expires the current tick's due timers, and moves to the next tick
     * once {@code now} has passed the current tick's end ({@code currentTickTime()}). Called until a poll fires
     * nothing and the current tick ends after {@code now}.
     */
    @Override
    public int expire(final long nowMs, final long replaceAfterMs)
    {
        this.replaceAfterMs = replaceAfterMs;
        fired = 0;
        while (wheel.poll(nowMs, replace, Integer.MAX_VALUE) != 0 || wheel.currentTickTime() <= nowMs)
        {
            // each call either fired timers or moved a tick on
        }
        return fired;
    }

    private long dueNowMs;
    private final DeadlineTimerWheel.TimerHandler count = (timeUnit, now, timerId) ->
    {
        fired++;
        return true;
    };

    @Override
    public void armDue()
    {
        wheel.scheduleTimer(dueNowMs + 1);
    }

    /**
     * As {@link #expire}: poll until a poll fires nothing and the current tick ends after the new now. Agrona fires
     * a tick's timers once the clock has passed the tick's end, so the clock moves 2 ms: to the end of the tick the
     * burst is due in.
     */
    @Override
    public int fireDue()
    {
        dueNowMs += 2;
        final long nowMs = dueNowMs;
        fired = 0;
        while (wheel.poll(nowMs, count, Integer.MAX_VALUE) != 0 || wheel.currentTickTime() <= nowMs)
        {
            // each call either fired timers or moved a tick on
        }
        return fired;
    }

    private long idSum;
    private final DeadlineTimerWheel.TimerHandler sum = (timeUnit, now, timerId) ->
    {
        fired++;
        idSum += timerId;
        return true;
    };

    /** As {@link #expire}, without replacements: poll until a poll fires nothing and the tick ends after now. */
    @Override
    public int drain(final long nowMs)
    {
        fired = 0;
        while (wheel.poll(nowMs, sum, Integer.MAX_VALUE) != 0 || wheel.currentTickTime() <= nowMs)
        {
            // each call either fired timers or moved a tick on
        }
        return fired;
    }

    @Override
    public void close()
    {
    }
}
