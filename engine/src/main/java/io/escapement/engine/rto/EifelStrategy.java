package io.escapement.engine.rto;

/**
 * RFC 6298's retransmission timer with the Eifel response to spurious timeouts of RFC 4015. Chosen by the name
 * {@code eifel}.
 *
 * <h2>Estimator and timer (RFC 6298)</h2>
 * <ul>
 *   <li>Before the first sample, {@code RTO = initial}, 1 s by default (section 2.1).</li>
 *   <li>The first sample R sets {@code SRTT = R}, {@code RTTVAR = R/2} (section 2.2).</li>
 *   <li>Later samples R' set {@code RTTVAR = 3/4 RTTVAR + 1/4 |SRTT - R'|}, then {@code SRTT = 7/8 SRTT + 1/8 R'},
 *       in that order (section 2.3: alpha = 1/8, beta = 1/4).</li>
 *   <li>{@code RTO = SRTT + max(G, K * RTTVAR)} with K = 4 (sections 2.2, 2.3), raised to {@code min}, 1 s by
 *       default (section 2.4), and capped at {@code max}, 60 s by default (section 2.5).</li>
 *   <li>Each expiry doubles the RTO, up to {@code max} (section 5.5); the next valid sample ends the backoff and
 *       the RTO is computed afresh, "collapsing" it (section 5, the note after step 5.7). The option of section 5
 *       to clear SRTT and RTTVAR after several backoffs, and the 3 s re-initialization after a SYN timeout
 *       (section 5.7), are left to the caller.</li>
 * </ul>
 * This class implements that arithmetic itself rather than sharing another strategy's, so that it stands alone.
 *
 * <h2>Response to a spurious timeout (RFC 4015)</h2>
 * When a detection algorithm (the Eifel detection of RFC 3522, F-RTO of RFC 5682, or DSACK) finds that a timeout
 * was spurious, {@link #onSpuriousTimeout} applies the Eifel response's adaptation of the retransmission timer
 * (RFC 4015, section 2): with {@code SRTT_prev = SRTT + 2G} and {@code RTTVAR_prev = RTTVAR} saved when the timer
 * first expired, and the RTT sample of the acceptable ACK,
 * <pre>
 *     SRTT   = max(SRTT_prev, RTT-SAMPLE)
 *     RTTVAR = max(RTTVAR_prev, RTT-SAMPLE / 2)
 *     RTO    = SRTT + max(G, K * RTTVAR)
 * </pre>
 * and the backoff ends. So a path whose RTT jumped (the usual cause of a spurious timeout) gets an RTO fitted to
 * the new RTT at once instead of after several samples, and a path where the timeout was a blip gets back the RTO
 * it had, not the backed-off one. The rest of RFC 4015, restoring the congestion window and ssthresh and resuming
 * with new data ({@code SND.NXT = SND.MAX}), is congestion and sequence state, outside an RTO strategy.
 * <p>
 * SRTT_prev and RTTVAR_prev are not stored: SRTT and RTTVAR only change on a valid sample, a valid sample ends the
 * backoff, and the caller takes no sample from retransmitted segments (Karn's rule), so while a backoff lasts SRTT
 * and RTTVAR still hold the values of the first expiry, and {@code SRTT_prev = SRTT + 2G} is computed when the
 * response runs. Two consequences, both documented on {@link #onSpuriousTimeout}: the caller reports the ACK that
 * revealed the spurious timeout to {@code onSpuriousTimeout} <i>instead of</i> {@link #onRttSample}, and a
 * spurious timeout reported with no backoff in progress (a sample came first) is ignored.
 *
 * <h2>Arithmetic</h2>
 * SRTT and RTTVAR are kept in {@code double}s, in microseconds: alpha, beta and K are powers of two and samples are
 * whole microseconds below 2<sup>32</sup>, so the values are exact for at least the first seven samples and within
 * double rounding afterwards. {@link #rtoUs} rounds the RTO <b>up</b> to a whole microsecond; {@link #srttUs} and
 * {@link #rttvarUs} round to the nearest microsecond, halves up. G defaults to 1 ms, the granularity of a timer
 * wheel with a 1 ms tick (RFC 6298 leaves G to the implementation).
 *
 * <h2>State</h2>
 * Three {@code long}s: SRTT and RTTVAR as raw {@code double} bits (SRTT negative before the first sample), and the
 * number of expiries since the last sample.
 */
public final class EifelStrategy implements RtoStrategy
{
    /** The name this strategy is chosen by. */
    public static final String NAME = "eifel";

    /** RFC 6298, section 2.4: the RTO is at least 1 s. */
    public static final long DEFAULT_MIN_US = 1_000_000L;
    /** RFC 6298, section 2.5: a maximum may be placed on the RTO provided it is at least 60 s. */
    public static final long DEFAULT_MAX_US = 60_000_000L;
    /** RFC 6298, section 2.1: the RTO before any sample, 1 s. */
    public static final long DEFAULT_INITIAL_US = 1_000_000L;
    /** G, the clock granularity: 1 ms (RFC 6298 leaves it to the implementation). */
    public static final long DEFAULT_GRANULARITY_US = 1_000L;
    /** The largest duration any parameter takes: one day. */
    public static final long DURATION_LIMIT_US = 86_400_000_000L;

    /** RFC 6298, section 2: K = 4. */
    private static final double K = 4;
    /** Backoff shifts above this change nothing: 2^62 times any RTO of at least 1 us exceeds every cap. */
    private static final int MAX_SHIFT = 62;

    private static final int SRTT = 0;
    private static final int RTTVAR = 1;
    private static final int BACKOFF = 2;
    private static final int STATE_WORDS = 3;
    private static final long NO_SAMPLE = -1L;

    private final long minUs;
    private final long maxUs;
    private final long initialUs;
    private final long granularityUs;

    /**
     * @param minUs         the least RTO, 1 us to {@code maxUs}.
     * @param maxUs         the greatest RTO, backed off or not, {@code minUs} to {@value #DURATION_LIMIT_US} us.
     * @param initialUs     the RTO before any sample, 1 us to {@value #DURATION_LIMIT_US} us (then raised to
     *                      {@code min} or capped at {@code max} like every RTO).
     * @param granularityUs G, 0 to {@value #DURATION_LIMIT_US} us.
     * @throws IllegalArgumentException naming the parameter, its value and what is valid.
     */
    public EifelStrategy(final long minUs, final long maxUs, final long initialUs, final long granularityUs)
    {
        check("min", minUs, 1, DURATION_LIMIT_US, "");
        check("max", maxUs, minUs, DURATION_LIMIT_US, " (at least min)");
        check("initial", initialUs, 1, DURATION_LIMIT_US, "");
        check("granularity", granularityUs, 0, DURATION_LIMIT_US, "");
        this.minUs = minUs;
        this.maxUs = maxUs;
        this.initialUs = initialUs;
        this.granularityUs = granularityUs;
    }

    /** @return the strategy with RFC 6298's recommended values and G = 1 ms. */
    public static EifelStrategy withDefaults()
    {
        return new EifelStrategy(DEFAULT_MIN_US, DEFAULT_MAX_US, DEFAULT_INITIAL_US, DEFAULT_GRANULARITY_US);
    }

    /**
     * Builds the strategy from {@code eifel:min=1s,max=60s,initial=1s,granularity=1ms}, every parameter optional.
     *
     * @throws IllegalArgumentException for a malformed, out-of-range or unknown parameter.
     */
    public static EifelStrategy fromParameters(final RtoParameters p)
    {
        final long minUs = p.durationUs("min", DEFAULT_MIN_US, 1, DURATION_LIMIT_US);
        final long maxUs = p.durationUs("max", Math.max(DEFAULT_MAX_US, minUs), minUs, DURATION_LIMIT_US);
        final long initialUs = p.durationUs("initial", DEFAULT_INITIAL_US, 1, DURATION_LIMIT_US);
        final long granularityUs = p.durationUs("granularity", DEFAULT_GRANULARITY_US, 0, DURATION_LIMIT_US);
        p.checkAllRead();
        return new EifelStrategy(minUs, maxUs, initialUs, granularityUs);
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

    @Override
    public int stateWords()
    {
        return STATE_WORDS;
    }

    @Override
    public void reset(final long[] state, final int offset)
    {
        state[offset + SRTT] = NO_SAMPLE;
        state[offset + RTTVAR] = NO_SAMPLE;
        state[offset + BACKOFF] = 0;
    }

    /**
     * RFC 6298, sections 2.2 and 2.3; ends the backoff.
     *
     * @param rttUs      R, clamped into {@code [0, MAX_SAMPLE_US]}.
     * @param ackDelayUs ignored (TCP's RTT includes the receiver's delay).
     * @param sndUna     ignored.
     * @param sndNxt     ignored.
     */
    @Override
    public void onRttSample(
        final long[] state, final int offset, final long rttUs, final long ackDelayUs, final long sndUna,
        final long sndNxt)
    {
        final long r = clampSample(rttUs);
        state[offset + BACKOFF] = 0;
        if (state[offset + SRTT] < 0)
        {
            state[offset + SRTT] = Double.doubleToRawLongBits(r);
            state[offset + RTTVAR] = Double.doubleToRawLongBits(r / 2.0);
            return;
        }
        final double srtt = Double.longBitsToDouble(state[offset + SRTT]);
        final double rttvar = Double.longBitsToDouble(state[offset + RTTVAR]);
        // RTTVAR first, from the old SRTT (section 2.3).
        state[offset + RTTVAR] = Double.doubleToRawLongBits(0.75 * rttvar + 0.25 * Math.abs(srtt - r));
        state[offset + SRTT] = Double.doubleToRawLongBits(0.875 * srtt + 0.125 * r);
    }

    /** The timer expired: the RTO doubles (RFC 6298, section 5.5); the count saturates. */
    @Override
    public void onTimeout(final long[] state, final int offset)
    {
        final long count = state[offset + BACKOFF];
        if (count < Integer.MAX_VALUE)
        {
            state[offset + BACKOFF] = count + 1;
        }
    }

    /**
     * The Eifel response's adaptation of the retransmission timer (RFC 4015, section 2): {@code SRTT =
     * max(SRTT + 2G, R)}, {@code RTTVAR = max(RTTVAR, R/2)}, and the backoff ends, so that
     * {@code RTO = SRTT + max(G, K * RTTVAR)}. SRTT and RTTVAR are those of the first expiry (see the class comment).
     * <p>
     * Call it for the ACK that revealed the timeout spurious <i>instead of</i> {@link #onRttSample}: a sample taken
     * first ends the backoff and changes SRTT, after which this call is ignored, as it is whenever no timeout
     * happened since the last sample. Before the first sample there is no SRTT_prev, and R is taken as a first
     * measurement: {@code SRTT = R}, {@code RTTVAR = R/2} (RFC 6298, section 2.2).
     *
     * @param rttUs R, the RTT measured by the ACK of the original transmission, clamped into
     *              {@code [0, MAX_SAMPLE_US]}.
     */
    @Override
    public void onSpuriousTimeout(final long[] state, final int offset, final long rttUs)
    {
        if (state[offset + BACKOFF] == 0)
        {
            return;
        }
        final long r = clampSample(rttUs);
        state[offset + BACKOFF] = 0;
        if (state[offset + SRTT] < 0)
        {
            state[offset + SRTT] = Double.doubleToRawLongBits(r);
            state[offset + RTTVAR] = Double.doubleToRawLongBits(r / 2.0);
            return;
        }
        final double srttPrev = Double.longBitsToDouble(state[offset + SRTT]) + 2.0 * granularityUs;
        final double rttvarPrev = Double.longBitsToDouble(state[offset + RTTVAR]);
        state[offset + SRTT] = Double.doubleToRawLongBits(Math.max(srttPrev, r));
        state[offset + RTTVAR] = Double.doubleToRawLongBits(Math.max(rttvarPrev, r / 2.0));
    }

    private static long clampSample(final long rttUs)
    {
        return Math.min(Math.max(rttUs, 0), MAX_SAMPLE_US);
    }

    /**
     * @return {@code SRTT + max(G, K * RTTVAR)} rounded up to a whole microsecond (or {@code initial} before the
     * first sample), raised to {@code min}, then doubled per expiry, all within {@code [min, max]}.
     */
    @Override
    public long rtoUs(final long[] state, final int offset)
    {
        final long baseUs;
        if (state[offset + SRTT] < 0)
        {
            baseUs = Math.min(Math.max(initialUs, minUs), maxUs);
        }
        else
        {
            final double srtt = Double.longBitsToDouble(state[offset + SRTT]);
            final double rttvar = Double.longBitsToDouble(state[offset + RTTVAR]);
            // At most 3.6e9 + 4 * 3.6e9 + G: no overflow converting to long.
            final double rto = srtt + Math.max(granularityUs, K * rttvar);
            baseUs = Math.min(Math.max((long)Math.ceil(rto), minUs), maxUs);
        }
        final int shift = (int)Math.min(state[offset + BACKOFF], MAX_SHIFT);
        // base * 2^shift > max exactly when base > floor(max / 2^shift); base >= min >= 1.
        if (baseUs > (maxUs >> shift))
        {
            return maxUs;
        }
        return baseUs << shift;
    }

    /** @return SRTT rounded to the nearest microsecond (halves up), or -1 before the first sample. */
    @Override
    public long srttUs(final long[] state, final int offset)
    {
        final long bits = state[offset + SRTT];
        return bits < 0 ? -1 : Math.round(Double.longBitsToDouble(bits));
    }

    /** @return RTTVAR rounded to the nearest microsecond (halves up), or -1 before the first sample. */
    @Override
    public long rttvarUs(final long[] state, final int offset)
    {
        final long bits = state[offset + RTTVAR];
        return bits < 0 ? -1 : Math.round(Double.longBitsToDouble(bits));
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

    public long initialUs()
    {
        return initialUs;
    }

    public long granularityUs()
    {
        return granularityUs;
    }

    /** @return the specification that builds this strategy, such as {@code eifel:min=1s,max=60s,...}. */
    @Override
    public String toString()
    {
        return NAME + ":min=" + RtoParameters.formatUs(minUs) +
            ",max=" + RtoParameters.formatUs(maxUs) +
            ",initial=" + RtoParameters.formatUs(initialUs) +
            ",granularity=" + RtoParameters.formatUs(granularityUs);
    }
}
