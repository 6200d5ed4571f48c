package org.apache.kafka.server.util.timer;

import java.util.concurrent.DelayQueue;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Escapement's benchmarks only: Kafka's {@link TimingWheel} driven by the caller's clock. Its constructor is
 * package-private (Kafka builds it inside {@code SystemTimer}, next to a reaper thread and a real clock), so this
 * thin factory has to live in Kafka's package. Nothing of Kafka's code is copied; it is called as it is.
 */
public final class ManualTimingWheel
{
    private final TimingWheel wheel;
    private final DelayQueue<TimerTaskList> buckets = new DelayQueue<>();
    private int fired;
    private final AtomicInteger taskCounter = new AtomicInteger();

    /**
     * @param tickMs    the wheel's tick, 1 ms in SystemTimer.
     * @param wheelSize buckets per level, 20 in SystemTimer.
     * @param startMs   the caller's current time.
     */
    public ManualTimingWheel(final long tickMs, final int wheelSize, final long startMs)
    {
        wheel = new TimingWheel(tickMs, wheelSize, startMs, taskCounter, buckets);
    }

    /** @return whether the task was added (false if already expired or cancelled). */
    public boolean add(final TimerTask task, final long deadlineMs)
    {
        return wheel.add(new TimerTaskEntry(task, deadlineMs));
    }

    /**
     * Advances the caller's clock to {@code nowMs} as {@code SystemTimer.advanceClock} does, without its reaper
     * thread: every bucket due by then (the delay queue's head, ordered by expiration) is flushed, its entries
     * re-added, and those that are due handed to {@code onExpiry} (SystemTimer would run them on its executor).
     *
     * @return the tasks fired.
     */
    public int advance(final long nowMs, final java.util.function.Consumer<TimerTask> onExpiry)
    {
        fired = 0;
        TimerTaskList bucket;
        while ((bucket = buckets.peek()) != null && bucket.getExpiration() <= nowMs)
        {
            buckets.remove(bucket); // poll() would compare with the real clock; the bucket is due by the caller's
            wheel.advanceClock(bucket.getExpiration());
            bucket.flush(entry ->
            {
                if (!wheel.add(entry) && !entry.cancelled())
                {
                    fired++;
                    onExpiry.accept(entry.timerTask);
                }
            });
        }
        return fired;
    }

    /** @return the number of tasks in the wheel. */
    public int size()
    {
        return taskCounter.get();
    }
}
