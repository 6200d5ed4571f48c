package io.escapement.engine.service;

/**
 * Receives the timers a {@link TimerService} fires that were armed with a {@code long} payload.
 * <p>
 * One long-lived handler, given to the service once when it is built, serves every timer: the service passes
 * primitives, so arming and firing need no object per timer.
 * <p>
 * It runs on the owner thread (the service's driver thread, or the thread that calls {@link TimerService#poll()}),
 * or on the {@link java.util.concurrent.Executor} the service was built with. It may arm and cancel timers. Its own
 * timer has fired by the time it runs: {@link TimerService#cancel(long)} and {@link TimerService#rearm} answer
 * {@code false} for it, and a periodic timer arms its next run as a new timer. If it throws, the exception goes to
 * the service's {@link TimerErrorHandler}; the service goes on.
 */
@FunctionalInterface
public interface TimerHandler
{
    /**
     * Called once for a timer whose deadline has passed.
     *
     * @param handle     the handle {@link TimerService#arm(long, java.util.concurrent.TimeUnit, long)} returned.
     * @param payload    the payload given when the timer was armed.
     * @param deadlineNs the deadline the timer was due at, on the service's clock; the call comes at or after it.
     */
    void onTimer(long handle, long payload, long deadlineNs);
}
