package io.escapement.benchmarks.baseline;

/**
 * One timer implementation behind the shared workloads, so that every peer runs the same benchmark code path.
 * Timers are named by a dense int id chosen by the workload; each adapter keeps its own handle per id (a long for
 * the wheels that return one, an object for the others), so every peer pays the same array access per operation.
 * Deadlines are milliseconds on a virtual clock that starts at 0 and, in these workloads, never moves: the
 * thread-based peers (Netty, the JDK executor, the engine's own {@code TimerService}) translate them into delays from
 * now, and prefilled timers lie an hour ahead so that none fires during a run.
 * <p>
 * Two kinds of peer, then. The caller-driven ones (the engine's wheel, Agrona, Kafka's TimingWheel, the heap) fire
 * when the caller advances their clock, inside the measured operation. The thread-driven ones ({@code service},
 * {@code netty}, {@code stpe}) fire on a clock thread of their own, on the real clock, beside the caller. Where a
 * workload is about firing, each kind does it its own way, as documented on each method; that is the closest
 * equivalent the thread-driven peers have.
 */
public interface TimerAdapter extends AutoCloseable
{
    /** Arms timer {@code id} for {@code deadlineMs}. */
    void arm(int id, long deadlineMs);

    /** @return whether timer {@code id} was stopped by this call. */
    boolean cancel(int id);

    /**
     * Moves timer {@code id} to a new deadline: later in {@code TimerPeersBenchmark}, earlier or later in
     * {@code TimerPeersRandomRearmBenchmark}. Peers without a re-arm use their closest equivalent, cancel
     * then arm (Netty, the JDK executor, Kafka, a heap); the wheels with one use it (Escapement's
     * {@code reschedule}); Agrona has none either, so it cancels and schedules.
     */
    void rearm(int id, long deadlineMs);

    /**
     * The expire and mixed workloads (TIME-WAIT): arms an untracked timer, one that is never cancelled, only fired,
     * and then replaced by one {@code replaceAfterMs} later (see {@link #expire}), so that the population stays
     * constant. Thread-driven peers fire and replace it on their own thread, on the real clock, 60 s apart.
     */
    void armUntracked(long deadlineMs);

    /**
     * Caller-driven peers: advances the virtual clock to {@code nowMs}, firing every due untracked timer and arming
     * a replacement {@code replaceAfterMs} later for each. Thread-driven peers fire their untracked timers on their
     * own thread as the real clock passes their deadlines (and replace them there): for them this only reports.
     *
     * @return the untracked timers fired (since the last call, for the thread-driven peers).
     */
    int expire(long nowMs, long replaceAfterMs);

    /**
     * The drain workload, caller-driven peers only: advances the virtual clock to {@code nowMs} and fires every
     * timer due by then, armed by {@link #arm} or {@link #armUntracked}, without replacing any. Agrona fires a tick
     * once the clock has passed it, so its timers due at {@code nowMs} fire one call later.
     *
     * @return the timers fired by this call.
     * @throws UnsupportedOperationException for a thread-driven peer, whose timers fire on its own thread, on the
     *                                       real clock: the caller cannot make them fire.
     */
    default int drain(final long nowMs)
    {
        throw new UnsupportedOperationException(getClass().getSimpleName() + " fires on a clock thread of its own: " +
            "the caller cannot drain it");
    }

    /** @return whether the peer fires on a clock thread of its own rather than when the caller advances it. */
    default boolean ownClock()
    {
        return false;
    }

    /**
     * The burst workload: arms a timer due 1 ms from now (the virtual clock's now for caller-driven peers, the real
     * clock for the others), counted when it fires and not replaced.
     */
    void armDue();

    /**
     * The burst workload. Caller-driven peers advance their virtual clock by 1 ms (Agrona 2 ms: it fires a tick once
     * the clock has passed it) and fire every timer {@link #armDue} armed so far. Thread-driven peers fire on their own
     * thread, one burst behind the caller: this waits until every timer armed before the previous call has fired,
     * so that the thread fires a burst while the caller arms the next.
     *
     * @return the timers fired: by this call, or (thread-driven peers) the previous burst, none at the first call.
     * @throws IllegalStateException if a thread-driven peer has not fired them within 30 s.
     */
    int fireDue();

    @Override
    void close();

    /** @return an adapter for {@code impl}, sized for {@code capacity} timer ids. */
    static TimerAdapter create(final String impl, final int capacity)
    {
        return switch (impl)
        {
            case "escapement" -> new EscapementAdapter(capacity);
            case "agrona" -> new AgronaAdapter(capacity);
            case "netty" -> new NettyAdapter(capacity);
            case "stpe" -> new ExecutorAdapter(capacity);
            case "heap" -> new HeapAdapter(capacity);
            case "kafka" -> new KafkaAdapter(capacity);
            case "service" -> new ServiceAdapter(capacity);
            default -> throw new IllegalArgumentException("unknown impl '" + impl +
                "'; known: escapement, agrona, netty, stpe, heap, kafka, service");
        };
    }
}
