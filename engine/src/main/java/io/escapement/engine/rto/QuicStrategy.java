package io.escapement.engine.rto;

/**
 * QUIC's RTT estimator and probe timeout (PTO), exactly as RFC 9002 states them: section 5 (RTT estimation) and
 * section 6.2 (the PTO), in the order of the pseudocode of Appendix A.7 and A.8. Chosen by the name {@code quic}.
 *
 * <h2>Estimator (RFC 9002, section 5)</h2>
 * Every valid sample is a {@code latest_rtt} (section 5.1), with the peer's {@code ack_delay}:
 * <ul>
 *   <li>{@code min_rtt} is the first {@code latest_rtt}, then the least of all of them; it ignores the ACK delay
 *       (section 5.2).</li>
 *   <li>The first sample sets {@code smoothed_rtt = latest_rtt} and {@code rttvar = latest_rtt / 2}, and ignores
 *       {@code ack_delay} (section 5.3).</li>
 *   <li>Later samples limit {@code ack_delay} to {@code max_ack_delay}, then take
 *       {@code adjusted_rtt = latest_rtt - ack_delay} if {@code latest_rtt >= min_rtt + ack_delay} (else
 *       {@code adjusted_rtt = latest_rtt}), then update {@code rttvar = 3/4 rttvar + 1/4 |smoothed_rtt -
 *       adjusted_rtt|} and only then {@code smoothed_rtt = 7/8 smoothed_rtt + 1/8 adjusted_rtt} (section 5.3,
 *       in the order of Appendix A.7 and of erratum 7539).</li>
 * </ul>
 * RFC 9002 limits {@code ack_delay} by {@code max_ack_delay} only once the handshake is confirmed; this model has
 * no handshake and always limits it, as a confirmed connection does.
 *
 * <h2>Probe timeout (RFC 9002, section 6.2)</h2>
 * {@code PTO = (smoothed_rtt + max(4 * rttvar, kGranularity) + max_ack_delay) * 2^pto_count} (section 6.2.1 and
 * Appendix A.8), where {@code pto_count} counts {@link #onTimeout} calls since the last acknowledgment of new data:
 * every such acknowledgment resets it, whether it yields an RTT sample ({@link #onRttSample}) or not
 * ({@link #onAckWithoutSample}, such as the ACK of a retransmitted segment that Karn's rule keeps from TCP's
 * estimator). RFC 9002, section 6.2.1: "The PTO backoff factor is reset when an acknowledgment is received"; Appendix
 * A.7's {@code OnAckReceived} sets {@code pto_count = 0} once it has found newly acknowledged packets, after and
 * independently of the RTT update. This model does not keep the exception of a client that is not yet sure the
 * server has validated its address. Unlike TCP's backoff, which waits for a valid sample (Karn), QUIC's packet
 * numbers are never reused, so an acknowledgment is never ambiguous about what got through.
 * <p>
 * Before the first sample the estimator holds {@code kInitialRtt} ({@code smoothed_rtt = initialRtt},
 * {@code rttvar = initialRtt / 2}, section 6.2.2) and the PTO leaves {@code max_ack_delay} out: the only packets in
 * flight before any sample are the handshake's Initial and Handshake packets, for which RFC 9002 (section 6.2.1)
 * sets {@code max_ack_delay} to 0. With the defaults this gives the 999 ms first PTO ("a PTO of 1 second", section
 * 6.2.2). From the first sample on the PTO is that of the Application Data space, {@code max_ack_delay} included.
 * <p>
 * {@link #srttUs} and {@link #rttvarUs} still answer -1 before the first sample: {@code kInitialRtt} is a
 * default, not a measurement.
 *
 * <h2>Arithmetic</h2>
 * The estimator is kept in {@code double}s, in microseconds: the RFC's factors are powers of two and samples are
 * whole microseconds below 2<sup>32</sup>, so every value is exact for at least the first seven samples of any
 * size (twelve of 100 ms) and within double rounding afterwards. {@link #rtoUs} rounds the exact PTO <b>up</b> to
 * a whole microsecond, so the timer never fires before the RFC's PTO; {@link #srttUs} and {@link #rttvarUs} round
 * to the nearest microsecond, halves up.
 *
 * <h2>Bounds</h2>
 * RFC 9002 puts no cap on the backed-off PTO (a connection ends by its idle timeout instead). A timer needs one, so
 * the PTO, backed off or not, is capped at {@code max}, 120 s by default: far above any PTO of a live path (the
 * first PTO reaches it only after seven timeouts, 999 ms x 2<sup>7</sup>) and the value Linux uses for TCP. There is
 * no {@code min} parameter: RFC 9002 has none, and its formula is already at least {@code kGranularity} (the
 * section 6.2.1 requirement), which must be at least 1 us here so that no timer is armed for 0.
 *
 * <h2>State</h2>
 * Four {@code long}s: {@code smoothed_rtt} and {@code rttvar} as raw {@code double} bits, {@code min_rtt} in whole
 * microseconds (negative before the first sample), and {@code pto_count}.
 */
public final class QuicStrategy implements RtoStrategy
{
    /** The name this strategy is chosen by. */
    public static final String NAME = "quic";

    /** RFC 9002, section 6.2.2: {@code kInitialRtt}, 333 ms. */
    public static final long DEFAULT_INITIAL_RTT_US = 333_000L;
    /** RFC 9000, section 18.2: the default {@code max_ack_delay} transport parameter, 25 ms. */
    public static final long DEFAULT_MAX_ACK_DELAY_US = 25_000L;
    /** RFC 9002, section 6.1.2 and Appendix A.2: {@code kGranularity}, 1 ms. */
    public static final long DEFAULT_GRANULARITY_US = 1_000L;
    /** The cap on the PTO, which RFC 9002 does not have: 120 s (see the class comment). */
    public static final long DEFAULT_MAX_US = 120_000_000L;

    /** RFC 9000, section 18.2: {@code max_ack_delay} values of 2<sup>14</sup> ms or more are invalid. */
    public static final long MAX_ACK_DELAY_LIMIT_US = 16_383_000L;
    /** The largest duration any parameter takes: one day. */
    public static final long DURATION_LIMIT_US = 86_400_000_000L;

    /** Backoff shifts above this change nothing: 2^62 times any PTO of at least 1 us exceeds every cap. */
    private static final int MAX_SHIFT = 62;

    private static final int SMOOTHED_RTT = 0;
    private static final int RTTVAR = 1;
    private static final int MIN_RTT = 2;
    private static final int PTO_COUNT = 3;
    private static final int STATE_WORDS = 4;
    private static final long NO_SAMPLE = -1L;

    private final long maxAckDelayUs;
    private final long initialRttUs;
    private final long granularityUs;
    private final long maxUs;
    /** The PTO before any sample: initialRtt + max(4 * initialRtt / 2, kGranularity), a whole number of us. */
    private final long initialPtoUs;
    private final long minRtoUs;

    /**
     * @param maxAckDelayUs the peer's {@code max_ack_delay}, 0 to {@value #MAX_ACK_DELAY_LIMIT_US} us.
     * @param initialRttUs  {@code kInitialRtt}, the RTT assumed before any sample, 1 us to
     *                      {@link RtoStrategy#MAX_SAMPLE_US}.
     * @param granularityUs {@code kGranularity}, the least variation term of the PTO, 1 us to {@code maxUs}.
     * @param maxUs         the cap on the PTO, backed off or not, {@code granularityUs} to
     *                      {@value #DURATION_LIMIT_US} us.
     * @throws IllegalArgumentException naming the parameter, its value and what is valid.
     */
    public QuicStrategy(final long maxAckDelayUs, final long initialRttUs, final long granularityUs, final long maxUs)
    {
        check("maxAckDelay", maxAckDelayUs, 0, MAX_ACK_DELAY_LIMIT_US, "");
        check("initialRtt", initialRttUs, 1, MAX_SAMPLE_US, "");
        check("granularity", granularityUs, 1, DURATION_LIMIT_US, "");
        check("max", maxUs, granularityUs, DURATION_LIMIT_US, " (at least granularity)");
        this.maxAckDelayUs = maxAckDelayUs;
        this.initialRttUs = initialRttUs;
        this.granularityUs = granularityUs;
        this.maxUs = maxUs;
        // 4 * (initialRtt / 2) is exactly 2 * initialRtt: no rounding.
        this.initialPtoUs = initialRttUs + Math.max(2 * initialRttUs, granularityUs);
        // The least PTO is either the initial one or that of a zero sample: 0 + kGranularity + max_ack_delay.
        this.minRtoUs = Math.min(maxUs, Math.min(initialPtoUs, granularityUs + maxAckDelayUs));
    }

    /** @return the strategy with RFC 9002's constants and the default cap. */
    public static QuicStrategy withDefaults()
    {
        return new QuicStrategy(DEFAULT_MAX_ACK_DELAY_US, DEFAULT_INITIAL_RTT_US, DEFAULT_GRANULARITY_US,
            DEFAULT_MAX_US);
    }

    /**
     * Builds the strategy from {@code quic:maxAckDelay=25ms,initialRtt=333ms,granularity=1ms,max=120s}, every
     * parameter optional.
     *
     * @param p the parameters, all durations, with the meanings and ranges of the constructor's: {@code maxAckDelay}
     *          (default 25 ms), {@code initialRtt} (default 333 ms), {@code granularity} (default 1 ms) and
     *          {@code max} (default 120 s, or {@code granularity} if larger).
     * @return the strategy.
     * @throws IllegalArgumentException for a malformed, out-of-range or unknown parameter.
     */
    public static QuicStrategy fromParameters(final RtoParameters p)
    {
        final long maxAckDelayUs = p.durationUs("maxAckDelay", DEFAULT_MAX_ACK_DELAY_US, 0, MAX_ACK_DELAY_LIMIT_US);
        final long initialRttUs = p.durationUs("initialRtt", DEFAULT_INITIAL_RTT_US, 1, MAX_SAMPLE_US);
        final long granularityUs = p.durationUs("granularity", DEFAULT_GRANULARITY_US, 1, DURATION_LIMIT_US);
        final long maxUs = p.durationUs("max", Math.max(DEFAULT_MAX_US, granularityUs), granularityUs,
            DURATION_LIMIT_US);
        p.checkAllRead();
        return new QuicStrategy(maxAckDelayUs, initialRttUs, granularityUs, maxUs);
    }

    private static void check(final String key, final long value, final long min, final long max, final String why)
    {
        if (value < min || value > max)
        {
            throw new IllegalArgumentException("strategy " + NAME + ": parameter " + key + "=" +
                RtoParameters.formatUs(value) + " is invalid, expected a duration from " + RtoParameters.formatUs(min) +
                " to " + RtoParameters.formatUs(max) + why);
        }
    }

    @Override
    public String name()
    {
        return NAME;
    }

    /** A retransmission is a new packet with a new number (RFC 9002, section 4.2): its ACK is a valid sample. */
    @Override
    public boolean unambiguousSamples()
    {
        return true;
    }

    @Override
    public int stateWords()
    {
        return STATE_WORDS;
    }

    @Override
    public void reset(final long[] state, final int offset)
    {
        state[offset + SMOOTHED_RTT] = Double.doubleToRawLongBits(initialRttUs);
        state[offset + RTTVAR] = Double.doubleToRawLongBits(initialRttUs / 2.0);
        state[offset + MIN_RTT] = NO_SAMPLE;
        state[offset + PTO_COUNT] = 0;
    }

    /**
     * RFC 9002, section 5.3 and Appendix A.7 ({@code UpdateRtt}); resets {@code pto_count} (section 6.2.1).
     *
     * @param rttUs      {@code latest_rtt}, clamped into {@code [0, MAX_SAMPLE_US]}.
     * @param ackDelayUs the peer's {@code ack_delay}: negative values count as 0, and it is limited to
     *                   {@code max_ack_delay}.
     * @param sndUna     ignored.
     * @param sndNxt     ignored.
     */
    @Override
    public void onRttSample(
        final long[] state, final int offset, final long rttUs, final long ackDelayUs, final long sndUna,
        final long sndNxt)
    {
        final long latestRtt = Math.min(Math.max(rttUs, 0), MAX_SAMPLE_US);
        state[offset + PTO_COUNT] = 0;
        final long minRtt = state[offset + MIN_RTT];
        if (minRtt < 0)
        {
            // First sample: the estimator forgets kInitialRtt, and ack_delay is not used (section 5.3).
            state[offset + MIN_RTT] = latestRtt;
            state[offset + SMOOTHED_RTT] = Double.doubleToRawLongBits(latestRtt);
            state[offset + RTTVAR] = Double.doubleToRawLongBits(latestRtt / 2.0);
            return;
        }
        final long newMinRtt = Math.min(minRtt, latestRtt);
        state[offset + MIN_RTT] = newMinRtt;
        final long ackDelay = Math.min(Math.max(ackDelayUs, 0), maxAckDelayUs);
        // Both sides are below 2^35: no overflow. The comparison is >=, as in RFC 9002 (not the > of drafts).
        final long adjustedRtt = latestRtt >= newMinRtt + ackDelay ? latestRtt - ackDelay : latestRtt;
        final double smoothedRtt = Double.longBitsToDouble(state[offset + SMOOTHED_RTT]);
        final double rttvar = Double.longBitsToDouble(state[offset + RTTVAR]);
        // rttvar first, from the old smoothed_rtt (Appendix A.7, erratum 7539).
        final double newRttvar = 0.75 * rttvar + 0.25 * Math.abs(smoothedRtt - adjustedRtt);
        final double newSmoothedRtt = 0.875 * smoothedRtt + 0.125 * adjustedRtt;
        state[offset + RTTVAR] = Double.doubleToRawLongBits(newRttvar);
        state[offset + SMOOTHED_RTT] = Double.doubleToRawLongBits(newSmoothedRtt);
    }

    /**
     * An acknowledgment of new data without an RTT sample: {@code pto_count = 0} (RFC 9002, section 6.2.1: "The PTO
     * backoff factor is reset when an acknowledgment is received"; Appendix A.7, {@code OnAckReceived}, resets it
     * for any newly acknowledged packet, whether or not {@code UpdateRtt} ran). The estimator is left as it is:
     * only a sample changes it (section 5.1).
     */
    @Override
    public void onAckWithoutSample(final long[] state, final int offset)
    {
        state[offset + PTO_COUNT] = 0;
    }

    /** The PTO expired: {@code pto_count} grows by one (RFC 9002, section 6.2.1), saturating. */
    @Override
    public void onTimeout(final long[] state, final int offset)
    {
        final long count = state[offset + PTO_COUNT];
        if (count < Integer.MAX_VALUE)
        {
            state[offset + PTO_COUNT] = count + 1;
        }
    }

    /**
     * @return {@code (smoothed_rtt + max(4 * rttvar, kGranularity) + max_ack_delay) * 2^pto_count}, with
     * {@code max_ack_delay} left out before the first sample, rounded up to a whole microsecond and capped at
     * {@code max}.
     */
    @Override
    public long rtoUs(final long[] state, final int offset)
    {
        final double smoothedRtt = Double.longBitsToDouble(state[offset + SMOOTHED_RTT]);
        final double rttvar = Double.longBitsToDouble(state[offset + RTTVAR]);
        final long ackDelayTerm = state[offset + MIN_RTT] < 0 ? 0 : maxAckDelayUs;
        final double pto = smoothedRtt + Math.max(4 * rttvar, granularityUs) + ackDelayTerm;
        final int shift = (int)Math.min(state[offset + PTO_COUNT], MAX_SHIFT);
        // Math.scalb multiplies by 2^shift exactly; the result is at most about 2^95, no overflow in a double.
        final double backedOff = Math.scalb(pto, shift);
        if (backedOff >= maxUs)
        {
            return maxUs;
        }
        return Math.max(minRtoUs, (long)Math.ceil(backedOff));
    }

    /** @return {@code smoothed_rtt} rounded to the nearest microsecond (halves up), or -1 before the first sample. */
    @Override
    public long srttUs(final long[] state, final int offset)
    {
        if (state[offset + MIN_RTT] < 0)
        {
            return -1;
        }
        return Math.round(Double.longBitsToDouble(state[offset + SMOOTHED_RTT]));
    }

    /** @return {@code rttvar} rounded to the nearest microsecond (halves up), or -1 before the first sample. */
    @Override
    public long rttvarUs(final long[] state, final int offset)
    {
        if (state[offset + MIN_RTT] < 0)
        {
            return -1;
        }
        return Math.round(Double.longBitsToDouble(state[offset + RTTVAR]));
    }

    /**
     * RFC 9002's {@code min_rtt}, which decides whether a sample's {@code ack_delay} is subtracted (section 5.3).
     *
     * @param state  the caller's {@code long[]} of per-connection words.
     * @param offset the index in {@code state} of this connection's first word.
     * @return {@code min_rtt}, the least sample, ACK delay not subtracted (section 5.2), microseconds, or -1
     *         before a sample.
     */
    public long minRttUs(final long[] state, final int offset)
    {
        final long minRtt = state[offset + MIN_RTT];
        return minRtt < 0 ? -1 : minRtt;
    }

    /** @return {@code pto_count}. */
    @Override
    public int backoffCount(final long[] state, final int offset)
    {
        return (int)state[offset + PTO_COUNT];
    }

    /**
     * @return the least PTO: that of a zero sample, {@code kGranularity + max_ack_delay}, or the initial PTO if
     * smaller, or {@code max} if that is smaller still.
     */
    @Override
    public long minRtoUs()
    {
        return minRtoUs;
    }

    @Override
    public long maxRtoUs()
    {
        return maxUs;
    }

    /** @return the PTO before the first sample, 999 ms with the defaults. */
    public long initialPtoUs()
    {
        return Math.min(initialPtoUs, maxUs);
    }

    /**
     * @return the peer's {@code max_ack_delay} (RFC 9000, section 18.2), microseconds: the limit of each sample's
     * {@code ack_delay}, and a term of the PTO from the first sample on (RFC 9002, section 6.2.1).
     */
    public long maxAckDelayUs()
    {
        return maxAckDelayUs;
    }

    /** @return {@code kInitialRtt}, the RTT assumed before the first sample (RFC 9002, section 6.2.2), microseconds. */
    public long initialRttUs()
    {
        return initialRttUs;
    }

    /**
     * @return {@code kGranularity} (RFC 9002, section 6.1.2), microseconds: the least variation term of the PTO
     * (section 6.2.1).
     */
    public long granularityUs()
    {
        return granularityUs;
    }

    /** @return the specification that builds this strategy, such as {@code quic:maxAckDelay=25ms,...,max=120s}. */
    @Override
    public String toString()
    {
        return NAME + ":maxAckDelay=" + RtoParameters.formatUs(maxAckDelayUs) +
            ",initialRtt=" + RtoParameters.formatUs(initialRttUs) +
            ",granularity=" + RtoParameters.formatUs(granularityUs) +
            ",max=" + RtoParameters.formatUs(maxUs);
    }
}
