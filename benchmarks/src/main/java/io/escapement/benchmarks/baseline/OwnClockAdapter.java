package io.escapement.benchmarks.baseline;

/**
 * What the thread-driven peers (Netty, the JDK executor, the engine's service) share in the workloads about firing:
 * their clock thread fires the timers, and the caller only reads what it fired (see {@link OwnClockCounters}). A
 * subclass schedules the timers and calls {@link OwnClockCounters#dueFired()} and
 * {@link OwnClockCounters#untrackedFired()} from its callbacks.
 */
abstract class OwnClockAdapter implements TimerAdapter
{
    /** TIME-WAIT replacements lie this far after the timer they replace: the 60 s horizon of the workloads. */
    static final long REPLACE_AFTER_MS = 60_000;

    final OwnClockCounters counters = new OwnClockCounters();
    private final String name;

    OwnClockAdapter(final String name)
    {
        this.name = name;
    }

    /** Schedules a burst timer 1 ms from now whose callback calls {@code counters.dueFired()}. */
    abstract void scheduleDue();

    @Override
    public final int expire(final long nowMs, final long replaceAfterMs)
    {
        return counters.untrackedSinceLastCall();
    }

    @Override
    public final boolean ownClock()
    {
        return true;
    }

    @Override
    public final void armDue()
    {
        scheduleDue();
        counters.dueArmed();
    }

    @Override
    public final int fireDue()
    {
        return counters.awaitDue(name);
    }
}
