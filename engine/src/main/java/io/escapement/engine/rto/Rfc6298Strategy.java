package io.escapement.engine.rto;

/**
 * The standard TCP retransmission timer: RFC 6298, "Computing TCP's Retransmission Timer" (Paxson, Allman, Chu,
 * Sargent, 2011).
 * <ul>
 *   <li>Section 2.1: before the first measurement, RTO = 1 s ({@code initial}).</li>
 *   <li>Section 2.2: the first measurement R sets SRTT = R, RTTVAR = R/2, RTO = SRTT + max(G, K*RTTVAR).</li>
 *   <li>Section 2.3: each later R' sets RTTVAR = (1 - beta) * RTTVAR + beta * |SRTT - R'| (with the old SRTT),
 *       then SRTT = (1 - alpha) * SRTT + alpha * R', then RTO as above; alpha = 1/8, beta = 1/4, K = 4.</li>
 *   <li>Section 2.4: an RTO below 1 s is rounded up to 1 s ({@code min}; Linux uses 200 ms). Section 2.5: a
 *       maximum may be placed provided it is at least 60 s ({@code max}).</li>
 *   <li>Section 5.5: on expiry the RTO doubles ("back off the timer"), up to the maximum, and (section 5, note on
 *       Karn's algorithm) stays backed off until a valid measurement from a segment that was not
 *       retransmitted: here the backoff count is cleared by {@link #onRttSample}.</li>
 * </ul>
 * G, the clock granularity, is a parameter ({@code granularity}, default 1 ms). The RFC's arithmetic is real;
 * SRTT and RTTVAR are kept as doubles, exact for the power-of-two constants until their 53-bit mantissa runs
 * out, and the RTO is rounded up to a whole microsecond.
 * <p>
 * State: 3 longs (SRTT and RTTVAR as double bits, backoff count); 24 bytes per connection.
 */
public final class Rfc6298Strategy implements RtoStrategy
{
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
     * Reads {@code min}, {@code max}, {@code initial}, {@code granularity} (durations) and {@code alpha},
     * {@code beta}, {@code k} (numbers).
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
        final long minUs = p.durationUs("min", 1_000_000, 1, 3_600_000_000L);
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
     * @throws IllegalArgumentException if a bound is not positive, min exceeds max, the initial RTO lies outside
     *                                  them, or a gain is not in (0, 1].
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
        if (minUs < 1 || maxUs < minUs)
        {
            throw new IllegalArgumentException(name + ": min=" + RtoParameters.formatUs(minUs) + " and max=" +
                RtoParameters.formatUs(maxUs) + " must satisfy 0 < min <= max");
        }
        if (initialUs < minUs || initialUs > maxUs)
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

    @Override
    public void onTimeout(final long[] state, final int offset)
    {
        state[offset + BACKOFF] = Backoff.increment((int)state[offset + BACKOFF]);
    }

    @Override
    public long rtoUs(final long[] state, final int offset)
    {
        return Backoff.apply(baseRtoUs(state, offset), (int)state[offset + BACKOFF], maxUs);
    }

    /** @return the RTO before backoff: section 2's formula clamped to [min, max], or the initial RTO. */
    private long baseRtoUs(final long[] state, final int offset)
    {
        final double srtt = Double.longBitsToDouble(state[offset + SRTT]);
        if (srtt < 0)
        {
            return initialUs;
        }
        final double rttvar = Double.longBitsToDouble(state[offset + RTTVAR]);
        final long rto = Backoff.ceilUs(srtt + Math.max(granularityUs, k * rttvar));
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

    /** @return SRTT exactly as the RFC's real arithmetic has it, or -1 before the first sample. */
    public double srttExactUs(final long[] state, final int offset)
    {
        return Math.max(-1, Double.longBitsToDouble(state[offset + SRTT]));
    }

    /** @return RTTVAR exactly as the RFC's real arithmetic has it, or -1 before the first sample. */
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

    @Override
    public long minRtoUs()
    {
        return minUs;
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
