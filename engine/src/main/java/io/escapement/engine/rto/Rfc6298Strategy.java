package io.escapement.engine.rto;

/**
 * The standard TCP retransmission timer: RFC 6298, "Computing TCP's Retransmission Timer" (Paxson, Allman, Chu,
 * Sargent, 2011).
 * <ul>
 *   <li>Section 2.1: before the first measurement, RTO = 1 s ({@code initial}).</li>
 *   <li>Section 2.2: the first measurement R sets SRTT = R, RTTVAR = R/2, RTO = SRTT + max(G, K*RTTVAR).</li>
 *   <li>Section 2.3: each later R' sets RTTVAR = (1 - beta) * RTTVAR + beta * |SRTT - R'| (with the old SRTT),
 *       then SRTT = (1 - alpha) * SRTT + alpha * R', then RTO as above; alpha = 1/8, beta = 1/4, K = 4.</li>
 *   <li>Section 2.4: an RTO below 1 s SHOULD be rounded up to 1 s ({@code min}; Linux uses 200 ms). It is a
 *       SHOULD, and the section expects that research "may show that a smaller minimum RTO is acceptable or
 *       superior": {@code min} takes any value from 0 on, and with {@code min=0} only the clock granularity G bounds the RTO from below, through
 *       {@code SRTT + max(G, K*RTTVAR)} (section 2.2), so no timer is armed for less than G. Section 2.5: a
 *       maximum may be placed provided it is at least 60 s ({@code max}).</li>
 *   <li>Section 5.5: on expiry the RTO doubles ("back off the timer"), up to the maximum, and (section 5, note on
 *       Karn's algorithm) stays backed off until a valid measurement from a segment that was not
 *       retransmitted: here the backoff count is cleared by {@link #onRttSample}, and an ACK of new data without
 *       a sample ({@link #onAckWithoutSample}) leaves it.</li>
 * </ul>
 * G, the clock granularity, is a parameter ({@code granularity}, default 1 ms). The RFC's arithmetic is real;
 * SRTT and RTTVAR are kept as doubles, exact for the power-of-two constants until their 53-bit mantissa runs
 * out. The RTO is rounded up to a whole microsecond once, at the end: the backed-off RTO is the exact RTO times
 * 2<sup>n</sup>, capped at the maximum, then rounded, never a rounded RTO doubled (which would carry the rounding
 * error of up to 1 us into every doubling: up to 255 us too late after eight).
 * <p>
 * State: 3 longs (SRTT and RTTVAR as double bits, backoff count); 24 bytes per connection.
 */
public final class Rfc6298Strategy implements RtoStrategy
{
    /** The name this strategy is chosen by in {@link RtoStrategies#parse}. */
    public static final String NAME = "rfc6298";

    private static final int SRTT = 0;
    private static final int RTTVAR = 1;
    private static final int BACKOFF = 2;
    /** SRTT before the first sample: no double of a real measurement is negative. */
    private static final long NO_SAMPLE = Double.doubleToRawLongBits(-1.0);

    private final long minUs;
    private final long maxUs;
    private final long initialUs;
    private final long granularityUs;
    private final double alpha;
    private final double beta;
    private final double k;

    /** @return the RFC's defaults: min 1 s, max 60 s, initial 1 s, G 1 ms, alpha 1/8, beta 1/4, K 4. */
    public static Rfc6298Strategy withDefaults()
    {
        return fromParameters(RtoParameters.none(NAME));
    }

    /**
     * Builds the strategy from {@code rfc6298:min=1s,max=60s,initial=1s,granularity=1ms,alpha=0.125,beta=0.25,k=4},
     * every parameter optional.
     *
     * @param p the parameters: the durations {@code min} (0 to 1 h, default 1 s, section 2.4; 0, written with or
     *          without a unit, leaves G as the only lower bound), {@code max}
     *          (60 s to 1 day, default 60 s, section 2.5), {@code initial} (1 us to 1 h, within [min, max];
     *          default 1 s moved into [min, max], section 2.1) and {@code granularity} (G, 1 us to 1 s, default
     *          1 ms), and the numbers {@code alpha} and {@code beta} (in (0, 1], defaults 1/8 and 1/4, section 2.3)
     *          and {@code k} (0 to 100, default 4).
     * @return the strategy.
     * @throws IllegalArgumentException for a malformed, out-of-range or unknown parameter, naming it.
     */
    public static Rfc6298Strategy fromParameters(final RtoParameters p)
    {
        return fromParameters(p, NAME, true);
    }

    /**
     * Reads the RFC 6298 parameters for a strategy built on this one (named {@code name} in errors), the gains
     * {@code alpha}, {@code beta}, {@code k} only if {@code withGains}; otherwise they keep the RFC's values.
     */
    static Rfc6298Strategy fromParameters(final RtoParameters p, final String name, final boolean withGains)
    {
        final long minUs = p.durationUs("min", 1_000_000, 0, 3_600_000_000L);
        final long maxUs = p.durationUs("max", 60_000_000, 60_000_000, 86_400_000_000L);
        // the RFC's 1 s, moved into [min, max] when only those are given
        final long initialUs = p.durationUs("initial", Math.max(minUs, Math.min(1_000_000, maxUs)), 1, 3_600_000_000L);
        final long granularityUs = p.durationUs("granularity", 1_000, 1, 1_000_000);
        final double alpha = withGains ? p.number("alpha", 0.125, 0, 1) : 0.125;
        final double beta = withGains ? p.number("beta", 0.25, 0, 1) : 0.25;
        final double k = withGains ? p.number("k", 4, 0, 100) : 4;
        p.checkAllRead();
        return new Rfc6298Strategy(name, minUs, maxUs, initialUs, granularityUs, alpha, beta, k);
    }

    /**
     * Builds the strategy from its parameters, in microseconds; RFC 6298's values are those of
     * {@link #withDefaults()}.
     *
     * @param minUs         the least RTO, at least 0 (section 2.4: 1 s; Linux uses 200 ms); the RTO is never
     *                      below G either.
     * @param maxUs         the greatest RTO, backed off or not, at least {@code minUs} (section 2.5: a maximum, if
     *                      placed, is at least 60 s; {@link #fromParameters} enforces that, this constructor only
     *                      requires {@code minUs <= maxUs}).
     * @param initialUs     the RTO before the first measurement, within [minUs, maxUs] and at least 1 (section
     *                      2.1: 1 s).
     * @param granularityUs G, the clock granularity, at least 1: the least variance term of the RTO (section 2.2).
     * @param alpha         the gain of SRTT, in (0, 1] (section 2.3: 1/8).
     * @param beta          the gain of RTTVAR, in (0, 1] (section 2.3: 1/4).
     * @param k             K, the multiplier of RTTVAR in the RTO, in [0, 100] (section 2.2: 4).
     * @throws IllegalArgumentException if {@code minUs} is negative or exceeds {@code maxUs}, {@code initialUs} is
     *                                  below 1 or lies outside them, {@code granularityUs} is below 1, {@code alpha} or
     *                                  {@code beta} is not in (0, 1], or {@code k} is not in [0, 100].
     */
    public Rfc6298Strategy(final long minUs, final long maxUs, final long initialUs, final long granularityUs,
        final double alpha, final double beta, final double k)
    {
        this(NAME, minUs, maxUs, initialUs, granularityUs, alpha, beta, k);
    }

    /** As the public constructor, naming {@code name} in its error messages (for strategies built on this one). */
    Rfc6298Strategy(final String name, final long minUs, final long maxUs, final long initialUs,
        final long granularityUs, final double alpha, final double beta, final double k)
    {
        if (minUs < 0 || maxUs < minUs)
        {
            throw new IllegalArgumentException(name + ": min=" + RtoParameters.formatUs(minUs) + " and max=" +
                RtoParameters.formatUs(maxUs) + " must satisfy 0 <= min <= max");
        }
        if (initialUs < Math.max(1, minUs) || initialUs > maxUs)
        {
            throw new IllegalArgumentException(name + ": initial=" + RtoParameters.formatUs(initialUs) +
                " must lie within [min, max] = [" + RtoParameters.formatUs(minUs) + ", " +
                RtoParameters.formatUs(maxUs) + "]");
        }
        if (granularityUs < 1)
        {
            throw new IllegalArgumentException(name + ": granularity=" + granularityUs + "us must be at least 1us");
        }
        if (!(alpha > 0 && alpha <= 1) || !(beta > 0 && beta <= 1) || !(k >= 0 && k <= 100))
        {
            throw new IllegalArgumentException(name + ": alpha=" + alpha + " and beta=" + beta +
                " must lie in (0, 1] and k=" + k + " in [0, 100]");
        }
        this.minUs = minUs;
        this.maxUs = maxUs;
        this.initialUs = initialUs;
        this.granularityUs = granularityUs;
        this.alpha = alpha;
        this.beta = beta;
        this.k = k;
    }

    @Override
    public String name()
    {
        return NAME;
    }

    @Override
    public int stateWords()
    {
        return 3;
    }

    @Override
    public void reset(final long[] state, final int offset)
    {
        state[offset + SRTT] = NO_SAMPLE;
        state[offset + RTTVAR] = NO_SAMPLE;
        state[offset + BACKOFF] = 0;
    }

    @Override
    public void onRttSample(final long[] state, final int offset, final long rttUs, final long ackDelayUs,
        final long sndUna, final long sndNxt)
    {
        final double r = Math.min(Math.max(rttUs, 0), MAX_SAMPLE_US);
        final double srtt = Double.longBitsToDouble(state[offset + SRTT]);
        if (srtt < 0)
        {
            state[offset + SRTT] = Double.doubleToRawLongBits(r);
            state[offset + RTTVAR] = Double.doubleToRawLongBits(r / 2);
        }
        else
        {
            final double rttvar = Double.longBitsToDouble(state[offset + RTTVAR]);
            state[offset + RTTVAR] = Double.doubleToRawLongBits((1 - beta) * rttvar + beta * Math.abs(srtt - r));
            state[offset + SRTT] = Double.doubleToRawLongBits((1 - alpha) * srtt + alpha * r);
        }
        state[offset + BACKOFF] = 0;
    }

    /**
     * An acknowledgment of new data without a valid RTT sample: nothing changes, the backoff stays. RFC 6298,
     * section 5, the note after step 5.7: only "a new RTT measurement" recomputes the RTO, which may then "collapse"
     * it after the backoff of rule 5.5; section 3: Karn's algorithm takes no sample from a retransmitted segment. So
     * the ACK of a retransmission keeps the doubled RTO for the segments that follow (Karn and Partridge, 1987).
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

    /**
     * @return the exact RTO of section 2 clamped to [min, max] (or the initial RTO), times 2<sup>n</sup> for n
     * expiries (section 5.5), at most the maximum, rounded up to a whole microsecond once.
     */
    @Override
    public long rtoUs(final long[] state, final int offset)
    {
        return Backoff.applyExact(baseRtoExactUs(state, offset), (int)state[offset + BACKOFF], maxUs);
    }

    /**
     * @return the RTO before backoff, unrounded: section 2's formula clamped to [min, max], or the initial RTO; at
     * least G (or the initial RTO), so at least 1.
     */
    private double baseRtoExactUs(final long[] state, final int offset)
    {
        final double srtt = Double.longBitsToDouble(state[offset + SRTT]);
        if (srtt < 0)
        {
            return initialUs;
        }
        final double rttvar = Double.longBitsToDouble(state[offset + RTTVAR]);
        final double rto = srtt + Math.max(granularityUs, k * rttvar);
        return Math.max(minUs, Math.min(maxUs, rto));
    }

    @Override
    public long srttUs(final long[] state, final int offset)
    {
        final double srtt = Double.longBitsToDouble(state[offset + SRTT]);
        return srtt < 0 ? -1 : Math.round(srtt);
    }

    @Override
    public long rttvarUs(final long[] state, final int offset)
    {
        final double rttvar = Double.longBitsToDouble(state[offset + RTTVAR]);
        return rttvar < 0 ? -1 : Math.round(rttvar);
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

    /**
     * RTTVAR unrounded, for tests that check the RFC's arithmetic to the last bit.
     *
     * @param state  the caller's {@code long[]} of per-connection words.
     * @param offset the index in {@code state} of this connection's first word.
     * @return RTTVAR in microseconds exactly as the RFC's real arithmetic has it, or -1 before the first sample.
     */
    public double rttvarExactUs(final long[] state, final int offset)
    {
        return Math.max(-1, Double.longBitsToDouble(state[offset + RTTVAR]));
    }

    /**
     * RFC 4015's adaptation of the retransmission timer to a spurious timeout, for {@link EifelStrategy}: with
     * {@code SRTT_prev = SRTT + 2G} and {@code RTTVAR_prev = RTTVAR} as they stood at the first expiry (they have not
     * changed since: only a valid sample changes them, and a valid sample ends the backoff), sets
     * {@code SRTT = max(SRTT_prev, R)} and {@code RTTVAR = max(RTTVAR_prev, R/2)}, so that the next RTO is
     * {@code SRTT + max(G, K * RTTVAR)}, and ends the backoff. Ignored when no backoff is in progress; before any
     * sample, R is taken as the first measurement.
     */
    void adaptToSpuriousTimeout(final long[] state, final int offset, final long rttUs)
    {
        if (state[offset + BACKOFF] == 0)
        {
            return;
        }
        state[offset + BACKOFF] = 0;
        final double r = Math.min(Math.max(rttUs, 0), MAX_SAMPLE_US);
        final double srtt = Double.longBitsToDouble(state[offset + SRTT]);
        if (srtt < 0)
        {
            state[offset + SRTT] = Double.doubleToRawLongBits(r);
            state[offset + RTTVAR] = Double.doubleToRawLongBits(r / 2);
            return;
        }
        final double rttvar = Double.longBitsToDouble(state[offset + RTTVAR]);
        state[offset + SRTT] = Double.doubleToRawLongBits(Math.max(srtt + 2.0 * granularityUs, r));
        state[offset + RTTVAR] = Double.doubleToRawLongBits(Math.max(rttvar, r / 2));
    }

    /** @return the parameters, for the strategies built on this one, as {@code min=..,max=..,..}. */
    String parameters()
    {
        return "min=" + RtoParameters.formatUs(minUs) + ",max=" + RtoParameters.formatUs(maxUs) +
            ",initial=" + RtoParameters.formatUs(initialUs) + ",granularity=" + RtoParameters.formatUs(granularityUs);
    }

    @Override
    public int backoffCount(final long[] state, final int offset)
    {
        return (int)state[offset + BACKOFF];
    }

    /**
     * @return the least RTO armed: {@code min}, or, when G or the initial RTO is larger (as with {@code min=0}),
     * the smaller of those two (a sample of 0 gives {@code 0 + max(G, 0) = G}), at most the maximum.
     */
    @Override
    public long minRtoUs()
    {
        return Math.max(minUs, Math.min(initialUs, Math.min(maxUs, granularityUs)));
    }

    @Override
    public long maxRtoUs()
    {
        return maxUs;
    }

    @Override
    public String toString()
    {
        return NAME + "(min=" + RtoParameters.formatUs(minUs) + ",max=" + RtoParameters.formatUs(maxUs) +
            ",initial=" + RtoParameters.formatUs(initialUs) + ",granularity=" + RtoParameters.formatUs(granularityUs) +
            ",alpha=" + alpha + ",beta=" + beta + ",k=" + k + ")";
    }
}
