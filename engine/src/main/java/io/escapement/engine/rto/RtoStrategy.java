package io.escapement.engine.rto;

/**
 * An RTT estimator and the retransmission-timeout rule built on it: RFC 6298, Linux, RFC 793, QUIC's PTO, ...
 * <p>
 * A strategy object is immutable and shared by every connection that uses it; the per-connection state is
 * {@link #stateWords()} {@code long}s that the caller keeps in a {@code long[]} at an offset (one table for a
 * million connections, no object per connection). Every method that takes {@code (state, offset)} reads or
 * updates only {@code state[offset] .. state[offset + stateWords() - 1]}.
 * <p>
 * The two parameters mean the same in every method: {@code state} is the caller's {@code long[]} of
 * per-connection words, and {@code offset} is the index in it of this connection's first word, so that this
 * connection owns the {@code stateWords()} words from {@code state[offset]} on. The caller lays connections out
 * so that these ranges do not overlap (for instance at {@code connection * stride}, with a stride of at least
 * {@code stateWords()}, as {@link RetransmissionTimers} does) and calls {@link #reset} on a range before any
 * other method reads it. Strategies do not check the range beyond the array's own bounds check: an
 * {@code offset} that reaches past either end of {@code state} throws {@link ArrayIndexOutOfBoundsException},
 * one that overlaps another connection's words silently corrupts both.
 * <p>
 * Times are microseconds. The caller applies Karn's rule (no sample from the ACK of a retransmitted segment,
 * unless timestamps, RFC 7323, tell which transmission is acknowledged): {@link #onRttSample} is only called with
 * valid samples; an ACK of new data without one is {@link #onAckWithoutSample}. Strategies clamp their inputs, so no sample, however huge or zero, overflows or yields a timeout
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

    /**
     * Initializes a connection's state: no sample yet, no backoff, so that {@link #rtoUs} answers the
     * strategy's timeout before any measurement (RFC 6298, section 2.1: 1 s). Also starts a connection afresh.
     *
     * @param state  the caller's {@code long[]} of per-connection words.
     * @param offset the index in {@code state} of this connection's first word.
     */
    void reset(long[] state, int offset);

    /**
     * Feeds a valid RTT measurement, and ends any backoff (RFC 6298, section 5, the note on Karn's algorithm: the
     * backed-off timeout is kept until a valid sample arrives).
     *
     * @param state      the caller's {@code long[]} of per-connection words.
     * @param offset     the index in {@code state} of this connection's first word.
     * @param rttUs      the measured round-trip time, microseconds; negative values are treated as 0 and values
     *                   above {@link #MAX_SAMPLE_US} as that.
     * @param ackDelayUs the delay the peer reports it held the ACK (QUIC's ack_delay, RFC 9002 section 5.3),
     *                   microseconds; 0 where unknown. Only {@link QuicStrategy} uses it.
     * @param sndUna     the oldest unacknowledged sequence number after this ACK (Linux updates its variance
     *                   once per round trip, tracked by sequence numbers); only the low 32 bits count, compared
     *                   with wraparound as TCP's are. Strategies that do not need it ignore it.
     * @param sndNxt     the next sequence number to be sent, likewise 32 bits; Linux records it when a round
     *                   trip begins, and the round trip ends once {@code sndUna} passes that value.
     */
    void onRttSample(long[] state, int offset, long rttUs, long ackDelayUs, long sndUna, long sndNxt);

    /**
     * An acknowledgment newly acknowledged data but gave no valid RTT sample: Karn's rule withheld it (the
     * acknowledged segment had been retransmitted and no timestamp tells which transmission it answers), or the
     * caller measured none. {@link RetransmissionTimers#onAck} calls either this or {@link #onRttSample} for every
     * ACK that acknowledges new data, never both.
     * <p>
     * The protocols differ here, which is why this is an event of its own. TCP keeps a backed-off timeout until a
     * valid measurement (Karn and Partridge, 1987; RFC 6298, section 5, the note after step 5.7: only a new RTT
     * measurement recomputes, and so "collapses", the backed-off RTO; Linux's {@code tcp_ack_update_rtt()}: "only
     * reset backoff on valid RTT measurement"), so the default does nothing. QUIC resets {@code pto_count} on
     * every acknowledgment of new data, sample or not (RFC 9002, section 6.2.1 and Appendix A.7,
     * {@code OnAckReceived}): {@link QuicStrategy} overrides this.
     * <p>
     * Called on the hot path of every ACK: it must not allocate.
     *
     * @param state  the caller's {@code long[]} of per-connection words.
     * @param offset the index in {@code state} of this connection's first word.
     */
    default void onAckWithoutSample(final long[] state, final int offset)
    {
    }

    /**
     * The retransmission timer expired: back the timeout off (usually doubling it, up to the maximum; RFC 6298,
     * section 5.5). The count saturates rather than overflows, however many expiries come.
     *
     * @param state  the caller's {@code long[]} of per-connection words.
     * @param offset the index in {@code state} of this connection's first word.
     */
    void onTimeout(long[] state, int offset);

    /**
     * A timeout was found spurious: the ACK of the original transmission arrived after the retransmission
     * (the Eifel detection of RFC 3522, or F-RTO). Strategies without a response ignore it.
     *
     * @param state  the caller's {@code long[]} of per-connection words.
     * @param offset the index in {@code state} of this connection's first word.
     * @param rttUs  the RTT of the original transmission, as measured by that late ACK, microseconds.
     */
    default void onSpuriousTimeout(final long[] state, final int offset, final long rttUs)
    {
    }

    /**
     * Whether an acknowledgment always names the transmission it answers, so that the ACK of a retransmission
     * yields an unambiguous RTT sample and Karn's rule has nothing to guard against: true for QUIC, whose packet
     * numbers are never reused (RFC 9002, section 4.2), false for TCP without timestamps (the default).
     * {@link RetransmissionTimers} then takes every ACK's sample, as with TCP timestamps (RFC 7323), and the
     * caller measures it from the transmission the ACK answers ({@link RetransmissionTimers#samplesRetransmissions}).
     *
     * @return whether samples from retransmissions are unambiguous for this strategy's transport.
     */
    default boolean unambiguousSamples()
    {
        return false;
    }

    /**
     * The timeout to arm now, for a timer started at the current time.
     *
     * @param state  the caller's {@code long[]} of per-connection words.
     * @param offset the index in {@code state} of this connection's first word.
     * @return the timeout, microseconds, backoff included, within {@code [minRtoUs(), maxRtoUs()]}.
     */
    long rtoUs(long[] state, int offset);

    /**
     * The smoothed RTT (RFC 6298's SRTT, QUIC's smoothed_rtt), for reports and tests.
     *
     * @param state  the caller's {@code long[]} of per-connection words.
     * @param offset the index in {@code state} of this connection's first word.
     * @return the smoothed RTT, microseconds, or -1 before the first sample or for a strategy that keeps none.
     */
    long srttUs(long[] state, int offset);

    /**
     * The RTT variation the timeout is built from (RFC 6298's RTTVAR, Linux's {@code rttvar_us}), for reports
     * and tests.
     *
     * @param state  the caller's {@code long[]} of per-connection words.
     * @param offset the index in {@code state} of this connection's first word.
     * @return the RTT variation, microseconds, or -1 before the first sample or for a strategy that keeps none.
     */
    long rttvarUs(long[] state, int offset);

    /**
     * The number of {@link #onTimeout} calls since the last valid sample (or since {@link #reset}; for QUIC since
     * the last acknowledgment of new data, see {@link #onAckWithoutSample}): the exponent of the backoff.
     *
     * @param state  the caller's {@code long[]} of per-connection words.
     * @param offset the index in {@code state} of this connection's first word.
     * @return the count, from 0; it saturates instead of overflowing.
     */
    int backoffCount(long[] state, int offset);

    /** @return the smallest timeout this strategy arms, microseconds, at least 1. */
    long minRtoUs();

    /** @return the largest timeout this strategy arms, backed off or not, microseconds. */
    long maxRtoUs();
}
