package io.escapement.engine.wheel;

/**
 * Receives the timers that a {@link TimerWheel} fires.
 * <p>
 * One long-lived handler serves every timer: the wheel passes primitives, so no object per timer and no
 * capturing lambda per operation is needed. The payload is the {@code long} chosen when the timer was armed
 * (for example a connection id in the high bits and a timer kind in the low bits).
 * <p>
 * A handler runs on the thread that calls {@link TimerWheel#advance(long, ExpiryHandler)}. It may
 * {@link TimerWheel#schedule(long, long) arm}, {@link TimerWheel#reschedule(long, long) re-arm} (its own
 * timer included, which makes the timer periodic) and {@link TimerWheel#cancel(long) cancel} any timer. It must
 * not call {@code advance} itself. If it throws, the exception leaves {@code advance}; see
 * {@link TimerWheel#advance(long, ExpiryHandler, int)} for what happens to the other due timers.
 */
@FunctionalInterface
public interface ExpiryHandler
{
    /**
     * Called once for a timer whose deadline is at or before the time the wheel is advanced to.
     *
     * @param handle   the handle {@link TimerWheel#schedule(long, long)} returned for this timer; it stays valid
     *                 while this call runs, so the handler may re-arm it.
     * @param payload  the payload given when the timer was armed.
     * @param deadline the deadline the timer was due at, in the wheel's time unit.
     */
    void onExpiry(long handle, long payload, long deadline);
}
