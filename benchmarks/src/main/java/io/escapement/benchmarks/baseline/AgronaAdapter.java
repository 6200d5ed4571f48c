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

    @Override
    public void close()
    {
    }
}
