package io.escapement.benchmarks.baseline;

import org.apache.kafka.server.util.timer.ManualTimingWheel;
import org.apache.kafka.server.util.timer.TimerTask;

/**
 * Kafka's hierarchical {@code TimingWheel} (kafka-server-common), 1 ms tick, 20 buckets per level as its
 * {@code SystemTimer} builds it, but driven by the virtual clock instead of SystemTimer's reaper thread. Each arm
 * allocates a task and an entry, as Kafka's API requires (the delay is a final field of the task). Cancel is the
 * task's {@code cancel()}; there is no re-arm: cancel, then add a new task.
 */
final class KafkaAdapter implements TimerAdapter
{
    private static final class Task extends TimerTask
    {
        Task(final long delayMs)
        {
            super(delayMs);
        }

        @Override
        public void run()
        {
        }
    }

    private final ManualTimingWheel wheel = new ManualTimingWheel(1, 20, 0);
    private final Task[] tasks;

    KafkaAdapter(final int capacity)
    {
        tasks = new Task[capacity];
    }

    @Override
    public void arm(final int id, final long deadlineMs)
    {
        final Task task = new Task(deadlineMs);
        tasks[id] = task;
        wheel.add(task, deadlineMs);
    }

    @Override
    public boolean cancel(final int id)
    {
        final Task task = tasks[id];
        if (task.isCancelled())
        {
            return false;
        }
        task.cancel();
        return true;
    }

    @Override
    public void rearm(final int id, final long deadlineMs)
    {
        tasks[id].cancel();
        arm(id, deadlineMs);
    }

    @Override
    public void armUntracked(final long deadlineMs)
    {
        wheel.add(new Task(deadlineMs), deadlineMs);
    }

    @Override
    public int expire(final long nowMs, final long replaceAfterMs)
    {
        return wheel.advance(nowMs, task -> armUntracked(nowMs + replaceAfterMs));
    }

    private long dueNowMs;

    @Override
    public void armDue()
    {
        final long deadlineMs = dueNowMs + 1;
        wheel.add(new Task(deadlineMs), deadlineMs);
    }

    @Override
    public int fireDue()
    {
        return wheel.advance(++dueNowMs, task -> { });
    }

    /** Flushes every bucket due by {@code nowMs}, as SystemTimer's reaper would; the tasks' {@code run} is empty. */
    @Override
    public int drain(final long nowMs)
    {
        return wheel.advance(nowMs, TimerTask::run);
    }

    @Override
    public void close()
    {
    }
}
