package io.escapement.benchmarks.baseline;

import io.netty.util.HashedWheelTimer;
import io.netty.util.Timeout;
import io.netty.util.TimerTask;

import java.util.concurrent.TimeUnit;

/**
 * Netty's {@link HashedWheelTimer} (1 ms tick, 512 ticks): the caller only enqueues, its worker thread files and
 * cancels on the other core, so this measures the caller's side. One shared task, so no lambda per timer. No
 * re-arm: cancel, then a new timeout.
 */
final class NettyAdapter extends OwnClockAdapter
{
    private static final TimerTask NOTHING = timeout -> { };
    private final TimerTask due = timeout -> counters.dueFired();
    private final TimerTask untracked = new TimerTask()
    {
        @Override
        public void run(final Timeout timeout)
        {
            counters.untrackedFired();
            try
            {
                timer.newTimeout(this, REPLACE_AFTER_MS, TimeUnit.MILLISECONDS);
            }
            catch (final IllegalStateException stopped)
            {
                // the benchmark is over and the timer stopped: nothing to replace it for
            }
        }
    };

    private final HashedWheelTimer timer = new HashedWheelTimer(1, TimeUnit.MILLISECONDS, 512);
    private final Timeout[] timeouts;

    NettyAdapter(final int capacity)
    {
        super("netty");
        timeouts = new Timeout[capacity];
        timer.start();
    }

    @Override
    public void arm(final int id, final long deadlineMs)
    {
        timeouts[id] = timer.newTimeout(NOTHING, deadlineMs, TimeUnit.MILLISECONDS);
    }

    @Override
    public boolean cancel(final int id)
    {
        return timeouts[id].cancel();
    }

    @Override
    public void rearm(final int id, final long deadlineMs)
    {
        timeouts[id].cancel();
        timeouts[id] = timer.newTimeout(NOTHING, deadlineMs, TimeUnit.MILLISECONDS);
    }

    @Override
    public void armUntracked(final long deadlineMs)
    {
        timer.newTimeout(untracked, deadlineMs, TimeUnit.MILLISECONDS);
    }

    @Override
    void scheduleDue()
    {
        timer.newTimeout(due, 1, TimeUnit.MILLISECONDS);
    }

    @Override
    public void close()
    {
        timer.stop();
    }
}
