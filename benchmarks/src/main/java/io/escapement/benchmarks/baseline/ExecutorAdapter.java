package io.escapement.benchmarks.baseline;

import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * The JDK's {@link ScheduledThreadPoolExecutor}, one thread, remove-on-cancel (otherwise cancelled tasks stay in
 * its heap until due). One shared task. No re-arm: cancel, then schedule.
 */
final class ExecutorAdapter extends OwnClockAdapter
{
    private static final Runnable NOTHING = () -> { };
    private final Runnable due = counters::dueFired;
    private final Runnable untracked = new Runnable()
    {
        @Override
        public void run()
        {
            counters.untrackedFired();
            if (!executor.isShutdown())
            {
                executor.schedule(this, REPLACE_AFTER_MS, TimeUnit.MILLISECONDS);
            }
        }
    };

    private final ScheduledThreadPoolExecutor executor = new ScheduledThreadPoolExecutor(1);
    private final ScheduledFuture<?>[] futures;

    ExecutorAdapter(final int capacity)
    {
        super("stpe");
        executor.setRemoveOnCancelPolicy(true);
        futures = new ScheduledFuture<?>[capacity];
    }

    @Override
    public void arm(final int id, final long deadlineMs)
    {
        futures[id] = executor.schedule(NOTHING, deadlineMs, TimeUnit.MILLISECONDS);
    }

    @Override
    public boolean cancel(final int id)
    {
        return futures[id].cancel(false);
    }

    @Override
    public void rearm(final int id, final long deadlineMs)
    {
        futures[id].cancel(false);
        futures[id] = executor.schedule(NOTHING, deadlineMs, TimeUnit.MILLISECONDS);
    }

    @Override
    public void armUntracked(final long deadlineMs)
    {
        executor.schedule(untracked, deadlineMs, TimeUnit.MILLISECONDS);
    }

    @Override
    void scheduleDue()
    {
        executor.schedule(due, 1, TimeUnit.MILLISECONDS);
    }

    @Override
    public void close()
    {
        executor.shutdownNow();
    }
}
