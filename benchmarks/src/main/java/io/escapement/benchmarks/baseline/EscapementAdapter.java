package io.escapement.benchmarks.baseline;

import io.escapement.engine.TimerHandler;
import io.escapement.engine.wheel.TimerWheel;

import java.util.concurrent.TimeUnit;

/** The engine's wheel: 1 ms tick, handles in a {@code long[]}. */
final class EscapementAdapter implements TimerAdapter
{
    private final TimerWheel wheel;
    private final long[] handles;

    EscapementAdapter(final int capacity)
    {
        wheel = TimerWheel.builder(TimeUnit.MILLISECONDS).initialCapacity(capacity + 1024).build();
        handles = new long[capacity];
    }

    @Override
    public void arm(final int id, final long deadlineMs)
    {
        handles[id] = wheel.arm(deadlineMs, id);
    }

    @Override
    public boolean cancel(final int id)
    {
        return wheel.cancel(handles[id]);
    }

    @Override
    public void rearm(final int id, final long deadlineMs)
    {
        wheel.rearm(handles[id], deadlineMs);
    }

    private long replaceAfterMs;
    private final io.escapement.engine.TimerHandler replace = this::replace;

    private void replace(final long handle, final long payload, final long deadline)
    {
        wheel.arm(wheel.currentTime() + replaceAfterMs, payload);
    }

    @Override
    public void armUntracked(final long deadlineMs)
    {
        wheel.arm(deadlineMs, -1);
    }

    @Override
    public int expire(final long nowMs, final long replaceAfterMs)
    {
        this.replaceAfterMs = replaceAfterMs;
        return wheel.poll(nowMs, replace);
    }

    private long dueNowMs;
    private final io.escapement.engine.TimerHandler count = (handle, payload, deadline) -> { };

    @Override
    public void armDue()
    {
        wheel.arm(dueNowMs + 1, -2);
    }

    @Override
    public int fireDue()
    {
        return wheel.poll(++dueNowMs, count);
    }

    private long payloadSum;
    private final io.escapement.engine.TimerHandler sum = (handle, payload, deadline) -> payloadSum += payload;

    /** Fires what is due, handing each timer's payload to a handler that adds it up (so none is dead code). */
    @Override
    public int drain(final long nowMs)
    {
        return wheel.poll(nowMs, sum);
    }

    @Override
    public void close()
    {
    }
}
