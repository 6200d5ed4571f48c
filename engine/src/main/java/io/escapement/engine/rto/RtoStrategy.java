package io.escapement.engine.rto;

/**
 * An RTT estimator and the retransmission-timeout rule built on it: RFC 6298, Linux, RFC 793, QUIC's PTO, ...
 * <p>
 * A strategy object is immutable and shared by every connection that uses it; the per-connection state is
 * {@link #stateWords()} {@code long}s that the caller keeps in a {@code long[]} at an offset (one table for a
 * million connections, no object per connection). Every method that takes {@code (state, offset)} reads or
 * updates only {@code state[offset] .. state[offset + stateWords() - 1]}.
 * <p>
 * Times are microseconds. The caller applies Karn's rule (no sample from the ACK of a retransmitted segment,
 * unless timestamps, RFC 7323, tell which transmission is acknowledged): {@link #onRttSample} is only called with
 * valid samples. Strategies clamp their inputs, so no sample, however huge or zero, overflows or yields a timeout
 * outside {@code [minRtoUs(), maxRtoUs()]}.
 * <p>
 * Not thread-safe per connection (one thread owns a connection's state); the strategy itself is immutable.
 */
public interface RtoStrategy
{
    /** The most {@code long}s of state any strategy keeps per connection. */
    int MAX_STATE_WORDS = 4;

    /** The largest RTT sample a strategy takes into account (larger ones are clamped): one hour. */
    long MAX_SAMPLE_US = 3_600_000_000L;

    /** @return the stable name this strategy is chosen by, such as {@code rfc6298}. */
    String name();

    /** @return the number of {@code long}s of per-connection state, 1 to {@link #MAX_STATE_WORDS}. */
    int stateWords();

    /** Initializes a connection's state: no sample yet, no backoff. */
    void reset(long[] state, int offset);

    /**
     * Feeds a valid RTT measurement, and ends any backoff.
     *
     * @param rttUs      the measured round-trip time, microseconds; negative values are treated as 0.
     * @param ackDelayUs the delay the peer reports it held the ACK (QUIC's ack_delay); 0 where unknown.
     * @param sndUna     the oldest unacknowledged sequence number after this ACK (Linux updates its variance
     *                   once per round trip, tracked by sequence numbers); strategies that do not need it ignore it.
     * @param sndNxt     the next sequence number to be sent.
     */
    void onRttSample(long[] state, int offset, long rttUs, long ackDelayUs, long sndUna, long sndNxt);

    /** The retransmission timer expired: back the timeout off (usually doubling it, up to the maximum). */
    void onTimeout(long[] state, int offset);

    /**
     * A timeout was found spurious: the ACK of the original transmission arrived after the retransmission
     * (the Eifel detection of RFC 3522, or F-RTO). Strategies without a response ignore it.
     *
     * @param rttUs the RTT of the original transmission, as measured by that late ACK.
     */
    default void onSpuriousTimeout(final long[] state, final int offset, final long rttUs)
    {
    }

    /** @return the timeout to arm now, backoff included, within {@code [minRtoUs(), maxRtoUs()]}. */
    long rtoUs(long[] state, int offset);

    /** @return the smoothed RTT, or -1 before the first sample. */
    long srttUs(long[] state, int offset);

    /** @return the RTT variation the timeout is built from, or -1 where there is none (yet). */
    long rttvarUs(long[] state, int offset);

    /** @return the number of timeouts since the last valid sample. */
    int backoffCount(long[] state, int offset);

    /** @return the smallest timeout this strategy arms. */
    long minRtoUs();

    /** @return the largest timeout this strategy arms. */
    long maxRtoUs();
}
