package io.escapement.benchmarks.baseline;

/**
 * One timer implementation behind the shared workloads, so that every peer runs the same benchmark code path.
 * Timers are named by a dense int id chosen by the workload; each adapter keeps its own handle per id (a long for
 * the wheels that return one, an object for the others), so every peer pays the same array access per operation.
 * Deadlines are milliseconds on a virtual clock that starts at 0 and, in these workloads, never moves: the
 * thread-based peers (Netty, the JDK executor) translate them into delays from now, and prefilled timers lie an
 * hour ahead so that none fires during a run.
 */
public interface TimerAdapter extends AutoCloseable
{
    /** Arms timer {@code id} for {@code deadlineMs}. */
    void arm(int id, long deadlineMs);

    /** @return whether timer {@code id} was stopped by this call. */
    boolean cancel(int id);

    /**
     * Moves timer {@code id} to a later deadline. Peers without a re-arm use their closest equivalent, cancel
     * then arm (Netty, the JDK executor, Kafka, a heap); the wheels with one use it (Escapement's
     * {@code reschedule}); Agrona has none either, so it cancels and schedules.
     */
    void rearm(int id, long deadlineMs);

    /**
     * The expire workload (TIME-WAIT): arms an untracked timer, one that is never cancelled, only fired.
     *
     * @throws UnsupportedOperationException for the peers that run on a clock thread of their own (Netty, the JDK
     *                                       executor): their time cannot be driven by the caller.
     */
    default void armUntracked(final long deadlineMs)
    {
        throw new UnsupportedOperationException(getClass().getSimpleName() + " runs on its own clock thread");
    }

    /**
     * Advances the virtual clock to {@code nowMs}, firing every due untracked timer and arming a replacement
     * {@code replaceAfterMs} later for each, so that the population stays constant.
     *
     * @return the timers fired.
     */
    default int expire(final long nowMs, final long replaceAfterMs)
    {
        throw new UnsupportedOperationException(getClass().getSimpleName() + " runs on its own clock thread");
    }

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
            default -> throw new IllegalArgumentException("unknown impl '" + impl +
                "'; known: escapement, agrona, netty, stpe, heap, kafka");
        };
    }
}
