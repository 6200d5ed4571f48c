package io.escapement.benchmarks.baseline;

import io.escapement.engine.service.TimerService;

import java.util.concurrent.TimeUnit;

/**
 * The engine as a thread-driven peer: its {@link TimerService} with a driver thread of its own (1 ms tick), the
 * counterpart of Netty and the JDK executor. Arms, cancels and re-arms go through the service's lock-free request
 * path; its driver files them and fires on the real clock. It has a real re-arm ({@code rearm}). Sized for the
 * tracked timers, as many TIME-WAIT timers (the mixed workload) and a burst (the burst workload).
 */
final class ServiceAdapter extends OwnClockAdapter
{
    private static final long DUE = -2;
    private static final long UNTRACKED = -1;
    /** The most burst timers that may be pending at once. */
    static final int BURST_CAPACITY = 1 << 20;

    private final TimerService service;
    private final long[] handles;

    ServiceAdapter(final int capacity)
    {
        this(capacity, 2 * capacity + BURST_CAPACITY);
    }

    /** @param serviceCapacity the service's slots, allocated up front: exactly {@code ids} to measure footprint. */
    ServiceAdapter(final int ids, final int serviceCapacity)
    {
        super("service");
        handles = new long[ids];
        service = TimerService.builder().capacity(serviceCapacity)
            .handler((handle, payload, deadlineNs) -> onTimer(payload)).build();
        service.start();
    }

    private void onTimer(final long payload)
    {
        if (payload == DUE)
        {
            counters.dueFired();
        }
        else if (payload == UNTRACKED)
        {
            counters.untrackedFired();
            if (!service.isClosed())
            {
                service.arm(REPLACE_AFTER_MS, TimeUnit.MILLISECONDS, UNTRACKED);
            }
        }
    }

    @Override
    public void arm(final int id, final long deadlineMs)
    {
        handles[id] = service.arm(deadlineMs, TimeUnit.MILLISECONDS, id);
    }

    @Override
    public boolean cancel(final int id)
    {
        return service.cancel(handles[id]);
    }

    @Override
    public void rearm(final int id, final long deadlineMs)
    {
        service.rearm(handles[id], deadlineMs, TimeUnit.MILLISECONDS);
    }

    @Override
    public void armUntracked(final long deadlineMs)
    {
        service.arm(deadlineMs, TimeUnit.MILLISECONDS, UNTRACKED);
    }

    @Override
    void scheduleDue()
    {
        service.arm(1, TimeUnit.MILLISECONDS, DUE);
    }

    @Override
    public void close()
    {
        service.close();
    }
}
