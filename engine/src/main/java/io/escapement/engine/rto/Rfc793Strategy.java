package io.escapement.engine.rto;

/**
 * The original TCP retransmission timer: RFC 793, section 3.7, "An Example Retransmission Timeout Procedure".
 * <pre>
 *   SRTT = ( ALPHA * SRTT ) + ((1-ALPHA) * RTT)
 *   RTO  = min[UBOUND, max[LBOUND, (BETA * SRTT)]]
 * </pre>
 * "where UBOUND is an upper bound on the timeout (e.g., 1 minute), LBOUND is a lower bound on the timeout (e.g.,
 * 1 second), ALPHA is a smoothing factor (e.g., .8 to .9), and BETA is a delay variance factor (e.g., 1.3 to
 * 2.0)". Defaults: {@code lbound} 1 s, {@code ubound} 60 s, {@code alpha} 0.9 and {@code beta} 2.0, the
 * conservative ends of the RFC's ranges. The RFC leaves the first measurement and the timeout before it open:
 * here the first measurement sets SRTT = RTT and the timeout before it is {@code initial} (1 s). Exponential
 * backoff on expiry is not in RFC 793 (RFC 1122, section 4.2.3.1, added it); the timeout doubles per expiry up to
 * UBOUND, as every strategy here does, and a valid measurement ends the backoff. The timeout is rounded up to a whole
 * microsecond once, after the backoff: {@code ceil(min(UBOUND, 2^n * max(LBOUND, BETA * SRTT)))}.
 * <p>
 * This rule knows no variance: under jitter, or after an RTT step up, BETA * SRTT falls below the real RTT and
 * the timer fires spuriously, which is why RFC 6298's variance term replaced it (Jacobson, 1988).
 * <p>
 * State: 2 longs (SRTT as double bits, backoff count); 16 bytes per connection.
 */
public final class Rfc793Strategy implements RtoStrategy
{
    /** The name this strategy is chosen by in {@link RtoStrategies#parse}. */
    public static final String NAME = "rfc793";

    private static final int SRTT = 0;
    private static final int BACKOFF = 1;
    private static final long NO_SAMPLE = Double.doubleToRawLongBits(-1.0);

    private final long lboundUs;
    private final long uboundUs;
    private final long initialUs;
    private final double alpha;
    private final double beta;

    /**
     * Builds the strategy from {@code rfc793:lbound=1s,ubound=60s,initial=1s,alpha=0.9,beta=2.0}, every parameter
     * optional.
     *
     * @param p the parameters: the durations {@code lbound} (LBOUND, 1 us to 1 h, default 1 s), {@code ubound}
     *          (UBOUND, 1 us to 1 day, default 60 s) and {@code initial} (1 us to 1 h, within [lbound, ubound];
     *          default 1 s moved into [lbound, ubound]), and the numbers {@code alpha} (ALPHA, in [0, 1), default
     *          0.9) and {@code beta} (BETA, 1 to 10, default 2.0).
     * @return the strategy.
     * @throws IllegalArgumentException for a malformed, out-of-range or unknown parameter, naming it.
     */
    public static Rfc793Strategy fromParameters(final RtoParameters p)
    {
        final long lboundUs = p.durationUs("lbound", 1_000_000, 1, 3_600_000_000L);
        final long uboundUs = p.durationUs("ubound", 60_000_000, 1, 86_400_000_000L);
        final long initialUs = p.durationUs("initial", Math.max(lboundUs, Math.min(1_000_000, uboundUs)), 1,
            3_600_000_000L);
        final double alpha = p.number("alpha", 0.9, 0, 1);
        final double beta = p.number("beta", 2.0, 1, 10);
        p.checkAllRead();
        return new Rfc793Strategy(lboundUs, uboundUs, initialUs, alpha, beta);
    }

    /**
     * Builds the strategy from RFC 793's constants, bounds in microseconds.
     *
     * @param lboundUs  LBOUND, the least timeout, at least 1 (the RFC's example: 1 s).
     * @param uboundUs  UBOUND, the greatest timeout, backed off or not, at least {@code lboundUs} (the RFC's
     *                  example: 1 minute).
     * @param initialUs the timeout before the first measurement, which the RFC leaves open, within
     *                  [lboundUs, uboundUs].
     * @param alpha     ALPHA, the weight of the old SRTT, in [0, 1) (the RFC suggests .8 to .9).
     * @param beta      BETA, the delay variance factor, from 1 to 10 (the RFC suggests 1.3 to 2.0).
     * @throws IllegalArgumentException if a bound is not positive, lbound exceeds ubound, the initial timeout
     *                                  lies outside them, alpha is not in [0, 1) or beta is not in [1, 10].
     */
    public Rfc793Strategy(final long lboundUs, final long uboundUs, final long initialUs, final double alpha,
        final double beta)
    {
        if (lboundUs < 1 || uboundUs < lboundUs)
        {
            throw new IllegalArgumentException(NAME + ": lbound=" + RtoParameters.formatUs(lboundUs) + " and ubound=" +
                RtoParameters.formatUs(uboundUs) + " must satisfy 0 < lbound <= ubound");
        }
        if (initialUs < lboundUs || initialUs > uboundUs)
        {
            throw new IllegalArgumentException(NAME + ": initial=" + RtoParameters.formatUs(initialUs) +
                " must lie within [lbound, ubound]");
        }
        if (!(alpha >= 0 && alpha < 1) || !(beta >= 1 && beta <= 10))
        {
            throw new IllegalArgumentException(NAME + ": alpha=" + alpha + " must lie in [0, 1) and beta=" + beta +
                " in [1, 10]");
        }
        this.lboundUs = lboundUs;
        this.uboundUs = uboundUs;
        this.initialUs = initialUs;
        this.alpha = alpha;
        this.beta = beta;
    }

    @Override
    public String name()
    {
        return NAME;
    }

    @Override
    public int stateWords()
    {
        return 2;
    }

    @Override
    public void reset(final long[] state, final int offset)
    {
        state[offset + SRTT] = NO_SAMPLE;
        state[offset + BACKOFF] = 0;
    }

    @Override
    public void onRttSample(final long[] state, final int offset, final long rttUs, final long ackDelayUs,
        final long sndUna, final long sndNxt)
    {
        final double r = Math.min(Math.max(rttUs, 0), MAX_SAMPLE_US);
        final double srtt = Double.longBitsToDouble(state[offset + SRTT]);
        state[offset + SRTT] = Double.doubleToRawLongBits(srtt < 0 ? r : alpha * srtt + (1 - alpha) * r);
        state[offset + BACKOFF] = 0;
    }

    /**
     * An acknowledgment of new data without a valid RTT sample: nothing changes, the backoff stays. RFC 793 has no
     * backoff; the exponential backoff added by RFC 1122 (section 4.2.3.1) comes with Karn's algorithm, which keeps
     * the backed-off timeout until an acknowledgment of a segment that was not retransmitted gives a valid sample
     * (Karn and Partridge, 1987).
     */
    @Override
    public void onAckWithoutSample(final long[] state, final int offset)
    {
        // deliberately empty: the backed-off timeout is kept until a valid sample (Karn's algorithm)
    }

    @Override
    public void onTimeout(final long[] state, final int offset)
    {
        state[offset + BACKOFF] = Backoff.increment((int)state[offset + BACKOFF]);
    }

    @Override
    public long rtoUs(final long[] state, final int offset)
    {
        final double srtt = Double.longBitsToDouble(state[offset + SRTT]);
        // exact until the end: doubling a rounded timeout would double its rounding error with every expiry
        final double base = srtt < 0 ? initialUs : Math.min(uboundUs, Math.max(lboundUs, beta * srtt));
        return Backoff.applyExact(base, (int)state[offset + BACKOFF], uboundUs);
    }

    @Override
    public long srttUs(final long[] state, final int offset)
    {
        final double srtt = Double.longBitsToDouble(state[offset + SRTT]);
        return srtt < 0 ? -1 : Math.round(srtt);
    }

    /**
     * SRTT unrounded, for tests that check the RFC's arithmetic to the last bit.
     *
     * @param state  the caller's {@code long[]} of per-connection words.
     * @param offset the index in {@code state} of this connection's first word.
     * @return SRTT in microseconds exactly as the RFC's real arithmetic has it, or -1 before the first sample.
     */
    public double srttExactUs(final long[] state, final int offset)
    {
        return Math.max(-1, Double.longBitsToDouble(state[offset + SRTT]));
    }

    /** @return -1: this rule keeps no variance. */
    @Override
    public long rttvarUs(final long[] state, final int offset)
    {
        return -1;
    }

    @Override
    public int backoffCount(final long[] state, final int offset)
    {
        return (int)state[offset + BACKOFF];
    }

    @Override
    public long minRtoUs()
    {
        return lboundUs;
    }

    @Override
    public long maxRtoUs()
    {
        return uboundUs;
    }

    @Override
    public String toString()
    {
        return NAME + "(lbound=" + RtoParameters.formatUs(lboundUs) + ",ubound=" + RtoParameters.formatUs(uboundUs) +
            ",initial=" + RtoParameters.formatUs(initialUs) + ",alpha=" + alpha + ",beta=" + beta + ")";
    }
}
