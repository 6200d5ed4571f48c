package io.escapement.engine.service;

/**
 * Thrown when a timer is armed on a {@link TimerService} all of whose slots are taken: by armed timers, by timers
 * whose callback is running, and by cancelled timers the owner thread has not retired yet. No timer was armed.
 * Also thrown by an arm or re-arm that waited in vain for room in the request queue: the owner thread did not drain
 * it in time (a callback blocking it, or a caller-driven service nobody polls); then nothing changed either.
 * Counted in {@link TimerServiceMetrics#rejected()}.
 * <p>
 * Cancelled timers are retired at the owner's next drain; a sleeping driver is woken by every
 * {@link TimerService.Builder#wakeAfterRequests(int)}-th request. A service that keeps throwing this holds too
 * many timers for its {@link TimerService.Builder#capacity(int) capacity}, or its owner cannot keep up.
 */
public final class TimerServiceFullException extends IllegalStateException
{
    private static final long serialVersionUID = 1L;

    /** The capacity of the service that refused the timer; part of the serialized form. */
    private final int capacity;

    TimerServiceFullException(final int capacity)
    {
        super("the timer service is full: all " + capacity + " slots hold a timer that is armed, firing, or " +
            "cancelled and not yet retired by the owner thread (raise TimerService.Builder.capacity, or let the " +
            "owner poll more often)");
        this.capacity = capacity;
    }

    TimerServiceFullException(final int capacity, final int queueSize, final long waitedNs)
    {
        super("the timer service's request queue is full: its owner thread has not drained " + queueSize +
            " requests within " + waitedNs / 1_000_000 + " ms (is a callback blocking it, or is nobody polling a " +
            "caller-driven service?); raise TimerService.Builder.waitWhenFull to wait longer");
        this.capacity = capacity;
    }

    /** @return the number of timer slots the service was built with. */
    public int capacity()
    {
        return capacity;
    }
}
