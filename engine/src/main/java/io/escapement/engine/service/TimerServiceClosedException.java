package io.escapement.engine.service;

/**
 * Thrown when a timer is armed on a {@link TimerService} that is closed, or that closes while the arm is under way
 * and takes the timer back before it could run. No timer was armed: nothing will fire, and the timer is not among
 * those {@link TimerService#shutdown()} returns. Counted in {@link TimerServiceMetrics#rejected()}.
 */
public final class TimerServiceClosedException extends IllegalStateException
{
    private static final long serialVersionUID = 1L;

    TimerServiceClosedException()
    {
        super("the timer service is closed: no timer can be armed or driven any more");
    }
}
