package io.escapement.engine;

/**
 * Receives the timers that fire, from a {@link io.escapement.engine.wheel.TimerWheel} or a
 * {@link io.escapement.engine.service.TimerService}: one shape for both.
 * <p>
 * One long-lived handler serves every timer: the wheel and the service pass primitives, so arming and firing need no
 * object per timer and no capturing lambda per operation. The payload is the {@code long} chosen when the timer was
 * armed (for example a connection id in the high bits and a timer kind in the low bits).
 * <p>
 * <b>From a wheel</b> the handler runs on the thread that calls
 * {@link io.escapement.engine.wheel.TimerWheel#poll(long, TimerHandler)}. It may arm, re-arm (its own timer
 * included, which makes the timer periodic) and cancel any timer, but not poll the wheel itself. If it throws, the
 * exception leaves {@code poll}; the wheel stays consistent.
 * <p>
 * <b>From a service</b> the handler runs on the service's owner thread (its driver thread, or the thread that calls
 * {@link io.escapement.engine.service.TimerService#poll()}) or on the executor the service was built with. It may
 * arm and cancel timers. Its own one-shot timer has fired by the time it runs: {@code cancel} and {@code rearm}
 * answer {@code false} for it. If it throws, the exception goes to the service's
 * {@link io.escapement.engine.service.TimerErrorHandler}; the service goes on.
 */
@FunctionalInterface
public interface TimerHandler
{
    /**
     * Called once for a timer whose deadline has passed.
     *
     * @param handle   the handle the timer was armed with. From a wheel it stays valid while this call runs, so the
     *                 handler may re-arm it.
     * @param payload  the payload given when the timer was armed.
     * @param deadline the deadline the timer was due at: in the wheel's time unit, or in nanoseconds on the
     *                 service's clock. The call comes at or after it, never before.
     */
    void onExpiry(long handle, long payload, long deadline);
}
