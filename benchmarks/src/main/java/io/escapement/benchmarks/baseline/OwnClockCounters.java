package io.escapement.benchmarks.baseline;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * What a thread-driven peer's clock thread fired, for the workloads that are about firing: the burst timers the
 * caller waits for, and the self-replacing TIME-WAIT timers. Each counter has one writer, the peer's thread (Netty's
 * worker, the executor's single thread, the service's driver), so a lazySet is enough; the caller reads it.
 */
final class OwnClockCounters
{
    /** How long the caller waits for a burst before it calls the run broken rather than hang. */
    private static final long BURST_TIMEOUT_NS = TimeUnit.SECONDS.toNanos(30);

    private final AtomicLong dueFired = new AtomicLong();
    private final AtomicLong untrackedFired = new AtomicLong();
    /** Caller only. */
    private long dueArmed;
    private long dueReported;
    /** The burst timers armed before the last {@link #awaitDue}: the next one waits for these. */
    private long dueWaitFor;
    private long untrackedReported;

    /** The peer's thread: a burst timer fired. */
    void dueFired()
    {
        dueFired.lazySet(dueFired.get() + 1);
    }

    /** The peer's thread: a TIME-WAIT timer fired (and is being replaced). */
    void untrackedFired()
    {
        untrackedFired.lazySet(untrackedFired.get() + 1);
    }

    /** Caller: a burst timer was armed. */
    void dueArmed()
    {
        dueArmed++;
    }

    /**
     * Caller: waits until every burst timer armed before the previous call has fired, so that the peer's thread fires
     * one burst while the caller arms the next (its tick's wait overlaps with the arming instead of idling both).
     *
     * @return how many fired since the last call: the previous burst (none at the first call).
     */
    int awaitDue(final String peer)
    {
        final long target = dueWaitFor;
        final long start = System.nanoTime();
        while (dueFired.get() < target)
        {
            if (System.nanoTime() - start > BURST_TIMEOUT_NS)
            {
                throw new IllegalStateException(peer + " fired " + dueFired.get() + " of " + target +
                    " burst timers within 30 s");
            }
            // Not a spin: reading the counter the peer's thread writes on every fire would take its cache line away
            // from that thread each time. A burst takes milliseconds; 20 us of slack is nothing to it.
            LockSupport.parkNanos(20_000);
        }
        dueWaitFor = dueArmed;
        final int fired = (int)(target - dueReported);
        dueReported = target;
        return fired;
    }

    /** Caller: @return the TIME-WAIT timers fired since the last call. */
    int untrackedSinceLastCall()
    {
        final long now = untrackedFired.get();
        final int fired = (int)(now - untrackedReported);
        untrackedReported = now;
        return fired;
    }
}
