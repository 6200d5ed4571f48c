package io.escapement.agrona;

import io.escapement.engine.service.TimerService;
import org.agrona.concurrent.IdleStrategy;

import java.util.Objects;
import java.util.concurrent.locks.LockSupport;

/**
 * An Agrona {@link IdleStrategy} that knows the timer service's next deadline: when a duty cycle did no work it
 * parks until the service's earliest deadline, but no longer than {@code maxParkNs}; when the cycle did work it does
 * not wait at all. For a thread that runs a {@link TimerServiceAgent} alone (or with agents whose work can wait up to
 * {@code maxParkNs}): it sleeps as long as the timers allow instead of waking every idle period.
 * <p>
 * Lateness: a timer filed in the wheel is never overslept, as the park ends at or before its deadline (then
 * {@link LockSupport#parkNanos} may return later by the operating system's timer slack, about 50 µs on Linux). Nothing
 * unparks this thread when another thread arms a timer: a timer armed during a park, due before the park ends, fires
 * when it ends, late by at most {@code maxParkNs}. Choose {@code maxParkNs} as the lateness such timers can bear (the
 * service's own driver wakes at least every 16 ticks while requests come, and an early arm unparks it). An arm due
 * later than the park's end costs nothing: the next cycle drains it.
 * <p>
 * Each idle call asks the service for its earliest deadline ({@link TimerService#earliestDeadlineNs()}, which drains
 * the requests waiting, so the answer covers every timer armed so far) and reads its clock, so it must run on the
 * thread that drives the service: the agent's runner, as {@link org.agrona.concurrent.AgentRunner} calls its idle
 * strategy on its own thread. It allocates nothing. Once the service is closed it parks {@code maxParkNs} per idle
 * call. Not thread-safe: one strategy per runner.
 */
public final class DeadlineIdleStrategy implements IdleStrategy
{
    /** The {@link #alias()} of this strategy. */
    public static final String ALIAS = "escapement-deadline";

    private final TimerService service;
    private final long maxParkNs;

    /**
     * @param service   the service whose deadlines bound the parks; driven by the thread that uses this strategy.
     * @param maxParkNs the longest park, in nanoseconds, at least 1: the most a timer armed during a park can be late.
     * @throws NullPointerException     if the service is null.
     * @throws IllegalArgumentException if {@code maxParkNs} is below 1.
     */
    public DeadlineIdleStrategy(final TimerService service, final long maxParkNs)
    {
        this.service = Objects.requireNonNull(service, "service");
        if (maxParkNs < 1)
        {
            throw new IllegalArgumentException("maxParkNs must be at least 1, was " + maxParkNs);
        }
        this.maxParkNs = maxParkNs;
    }

    /**
     * Parks until the earliest deadline (at most {@code maxParkNs}) if the cycle did no work; returns at once
     * otherwise.
     *
     * @param workCount the work the duty cycle did.
     */
    @Override
    public void idle(final int workCount)
    {
        if (workCount <= 0)
        {
            idle();
        }
    }

    /** Parks until the service's earliest deadline, at most {@code maxParkNs}; not at all if a timer is due. */
    @Override
    public void idle()
    {
        final long parkNs = parkNs();
        if (parkNs > 0)
        {
            LockSupport.parkNanos(this, parkNs);
        }
    }

    /** Nothing to reset: every idle call starts from the service's deadline. */
    @Override
    public void reset()
    {
    }

    /** @return {@value #ALIAS}. */
    @Override
    public String alias()
    {
        return ALIAS;
    }

    /** @return how long the next idle call parks: until the earliest deadline, at most maxParkNs; 0 if one is due. */
    long parkNs()
    {
        final long deadlineNs = service.earliestDeadlineNs(); // Long.MAX_VALUE: nothing pending, or closed
        final long nowNs = service.nowNs();
        return parkNs(deadlineNs, nowNs, maxParkNs);
    }

    static long parkNs(final long deadlineNs, final long nowNs, final long maxParkNs)
    {
        if (deadlineNs <= nowNs)
        {
            return 0; // due: the next cycle fires it
        }
        // The true difference is positive; a negative one overflowed (a far deadline and a negative clock reading).
        final long untilDueNs = deadlineNs - nowNs;
        return untilDueNs < 0 || untilDueNs > maxParkNs ? maxParkNs : untilDueNs;
    }

    @Override
    public String toString()
    {
        return "DeadlineIdleStrategy{alias=" + ALIAS + ", maxParkNs=" + maxParkNs + '}';
    }
}
