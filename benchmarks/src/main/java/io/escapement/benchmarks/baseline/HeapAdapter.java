package io.escapement.benchmarks.baseline;

import java.util.PriorityQueue;

/**
 * The naive baseline: a binary heap ({@link PriorityQueue}) of timer objects ordered by deadline. Cancel is
 * {@code remove(Object)}, a linear search; re-arm removes and re-adds.
 */
final class HeapAdapter implements TimerAdapter
{
    private static final class Timer implements Comparable<Timer>
    {
        final long deadlineMs;

        Timer(final long deadlineMs)
        {
            this.deadlineMs = deadlineMs;
        }

        @Override
        public int compareTo(final Timer other)
        {
            return Long.compare(deadlineMs, other.deadlineMs);
        }
    }

    private final PriorityQueue<Timer> heap;
    private final Timer[] timers;

    HeapAdapter(final int capacity)
    {
        heap = new PriorityQueue<>(capacity + 1024);
        timers = new Timer[capacity];
    }

    @Override
    public void arm(final int id, final long deadlineMs)
    {
        final Timer timer = new Timer(deadlineMs);
        timers[id] = timer;
        heap.add(timer);
    }

    @Override
    public boolean cancel(final int id)
    {
        return heap.remove(timers[id]);
    }

    @Override
    public void rearm(final int id, final long deadlineMs)
    {
        heap.remove(timers[id]);
        arm(id, deadlineMs);
    }

    @Override
    public void armUntracked(final long deadlineMs)
    {
        heap.add(new Timer(deadlineMs));
    }

    @Override
    public int expire(final long nowMs, final long replaceAfterMs)
    {
        int fired = 0;
        Timer head;
        while ((head = heap.peek()) != null && head.deadlineMs <= nowMs)
        {
            heap.poll();
            heap.add(new Timer(nowMs + replaceAfterMs));
            fired++;
        }
        return fired;
    }

    private long dueNowMs;

    @Override
    public void armDue()
    {
        heap.add(new Timer(dueNowMs + 1));
    }

    @Override
    public int fireDue()
    {
        final long nowMs = ++dueNowMs;
        int fired = 0;
        Timer head;
        while ((head = heap.peek()) != null && head.deadlineMs <= nowMs)
        {
            heap.poll();
            fired++;
        }
        return fired;
    }

    /** Polls the heap while its root is due. */
    @Override
    public int drain(final long nowMs)
    {
        int fired = 0;
        Timer head;
        while ((head = heap.peek()) != null && head.deadlineMs <= nowMs)
        {
            heap.poll();
            fired++;
        }
        return fired;
    }

    @Override
    public void close()
    {
    }
}
