package io.escapement.engine.service;

/**
 * Escapement's benchmarks only: the {@link TimerService}'s request ring ({@link TimerSlots}' {@code claimRequest},
 * {@code publish} and the owner's drain) on its own, without the slot table, the state words or the wheel, so that
 * it can be measured against other multi-producer queues. {@code TimerSlots} is package-private, so this thin
 * wrapper lives in the engine's package name, in the benchmarks' jar (one package in two jars works on the class
 * path, where the benchmarks run). Nothing of the ring is changed or copied: it is called as it is, and
 * {@link #drain} does what {@code TimerService.drainRequests} does, request by request, with the handling of each
 * request (the service's {@code handleRequest}) replaced by the caller's {@link Handler}.
 */
public final class RequestRingProbe
{
    /** A long drain hands positions back every this many requests, as the service's does. */
    private static final long RELEASE_EVERY_MASK = 255;

    /** Receives each request a drain reads. */
    @FunctionalInterface
    public interface Handler
    {
        /**
         * @param handle     the request's handle, never 0, {@link #NOP} nor -2.
         * @param deadlineNs its deadline.
         * @param payload    its payload.
         * @param meta       its kind and sequence.
         */
        void onRequest(long handle, long deadlineNs, long payload, long meta);
    }

    /** The handle of a request for nothing, which a drain skips: the service's give-back. */
    public static final long NOP = TimerSlots.NOP;

    private final TimerSlots slots;

    /**
     * @param ringSize the ring's size, a power of two from 1,024 to 65,536 (the service sizes it the same way from
     *                 its {@code wakeAfterRequests}: four batches).
     * @throws IllegalArgumentException if it is not.
     */
    public RequestRingProbe(final int ringSize)
    {
        if (ringSize < TimerSlots.MIN_REQUEST_RING || ringSize > TimerSlots.MAX_REQUEST_RING ||
            Integer.bitCount(ringSize) != 1)
        {
            throw new IllegalArgumentException("ringSize must be a power of two in [" + TimerSlots.MIN_REQUEST_RING +
                ", " + TimerSlots.MAX_REQUEST_RING + "], was " + ringSize);
        }
        slots = new TimerSlots(1, ringSize);
    }

    /**
     * Any thread: claims a position (one CAS), as an arm, re-arm or cancel does.
     *
     * @return the position, or -1 if the ring is full.
     */
    public long claim()
    {
        return slots.claimRequest();
    }

    /**
     * The claiming thread: writes the request at its position and publishes it (a release store of the handle).
     *
     * @param position   from {@link #claim()}.
     * @param handle     not 0 (the empty entry) nor -2 (a handled one).
     * @param deadlineNs any value.
     * @param payload    any value.
     * @param meta       any value.
     */
    public void publish(final long position, final long handle, final long deadlineNs, final long payload,
        final long meta)
    {
        slots.publish(position, handle, deadlineNs, payload, meta);
    }

    /**
     * The owner only: the service's drain. Reads every position claimed so far in order, hands each published
     * request to the handler, goes past one claimed and not yet published (marking the requests behind it handled),
     * and hands positions back to the producers up to the first such gap, every 256 requests and at the end.
     *
     * @param handler receives each request.
     * @return the number of requests handled (requests for nothing not included).
     */
    public int drain(final Handler handler)
    {
        final TimerSlots slots = this.slots;
        final long claimed = slots.requestsClaimed();
        long releasable = slots.requestsConsumed();
        boolean gap = false;
        int handled = 0;
        for (long position = releasable; position < claimed; position++)
        {
            final long handle = slots.requestHandle(position);
            if (handle == TimerSlots.EMPTY)
            {
                gap = true;
                continue;
            }
            if (!gap)
            {
                slots.clearRequest(position);
                releasable = position + 1;
            }
            else if (handle != TimerSlots.HANDLED)
            {
                slots.markHandled(position);
            }
            if (handle == TimerSlots.HANDLED || handle == TimerSlots.NOP)
            {
                continue;
            }
            handled++;
            handler.onRequest(handle, slots.requestDeadline(position), slots.requestPayload(position),
                slots.requestMeta(position));
            if ((handled & RELEASE_EVERY_MASK) == 0 && !gap)
            {
                slots.releaseRequestsBefore(releasable);
            }
        }
        slots.releaseRequestsBefore(releasable);
        return handled;
    }

    /** @return the ring's size: the most requests that wait at once. */
    public int size()
    {
        return slots.requestRingSize();
    }
}
