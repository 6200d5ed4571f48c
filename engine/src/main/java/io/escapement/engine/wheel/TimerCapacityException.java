package io.escapement.engine.wheel;

/**
 * Thrown when a {@link TimerWheel} is asked to arm a timer while it already holds its configured maximum number
 * of timers. The wheel is unchanged: no timer was armed and none was lost.
 */
public final class TimerCapacityException extends IllegalStateException
{
    private static final long serialVersionUID = 1L;

    /** The capacity of the wheel that refused the timer; part of the serialized form. */
    private final int maxCapacity;

    /**
     * @param maxCapacity the capacity of the wheel that refused the timer.
     */
    TimerCapacityException(final int maxCapacity)
    {
        super("timer capacity exhausted: the wheel already holds its maximum of " + maxCapacity +
            " timers (raise TimerWheel.Builder.capacity, or cancel timers first)");
        this.maxCapacity = maxCapacity;
    }

    /**
     * @return the maximum number of timers the wheel was configured to hold.
     */
    public int capacity()
    {
        return maxCapacity;
    }
}
