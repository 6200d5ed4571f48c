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
The arithmetic is {@link Rfc6298Strategy}'s, to which this class delegates everything but the response.
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
 *
 * <h2>State</h2>
 * {@link Rfc6298Strategy}'s three {@code long}s: SRTT and RTTVAR as raw {@code double} bits, and the number of
 * expiries since the last sample.
 */
public final class EifelStrategy implements RtoStrategy
{
    /** The name this strategy is chosen by. */
    public static final String NAME = "eifel";

    private final Rfc6298Strategy rfc6298;

    /**
     * @param minUs         the least RTO (RFC 6298: 1 s).
     * @param maxUs         the greatest RTO, backed off or not (RFC 6298: at least 60 s).
     * @param initialUs     the RTO before any sample, within [min, max] (RFC 6298: 1 s).
     * @param granularityUs G, the clock granularity, at least 1 us.
     * @throws IllegalArgumentException naming the parameter, its value and what is valid.
     */
    public EifelStrategy(final long minUs, final long maxUs, final long initialUs, final long granularityUs)
    {
        this(new Rfc6298Strategy(NAME, minUs, maxUs, initialUs, granularityUs, 0.125, 0.25, 4));
    }

    private EifelStrategy(final Rfc6298Strategy rfc6298)
    {
        this.rfc6298 = rfc6298;
    }

    /** @return the strategy with RFC 6298's recommended values and G = 1 ms. */
    public static EifelStrategy withDefaults()
    {
        return fromParameters(RtoParameters.none(NAME));
    }

    /**
     * Builds the strategy from {@code eifel:min=1s,max=60s,initial=1s,granularity=1ms}, every parameter optional,
     * with the ranges of {@link Rfc6298Strategy#fromParameters}.
     *
     * @param p the parameters: the durations {@code min}, {@code max}, {@code initial} and {@code granularity}.
     *          The gains are RFC 6298's (alpha 1/8, beta 1/4, K 4) and are not parameters here.
     * @return the strategy.
     * @throws IllegalArgumentException for a malformed, out-of-range or unknown parameter.
     */
    public static EifelStrategy fromParameters(final RtoParameters p)
    {
        return new EifelStrategy(Rfc6298Strategy.fromParameters(p, NAME, false));
    }

    @Override
    public String name()
    {
        return NAME;
    }

    @Override
    public int stateWords()
    {
        return rfc6298.stateWords();
    }

    @Override
    public void reset(final long[] state, final int offset)
    {
        rfc6298.reset(state, offset);
    }

    @Override
    public void onRttSample(final long[] state, final int offset, final long rttUs, final long ackDelayUs,
        final long sndUna, final long sndNxt)
    {
        rfc6298.onRttSample(state, offset, rttUs, ackDelayUs, sndUna, sndNxt);
    }

    /**
     * An acknowledgment of new data without a valid RTT sample: nothing changes, the backoff stays. RFC 6298's
     * rule, as {@link Rfc6298Strategy#onAckWithoutSample}: only a valid sample ends the backoff (section 5). RFC
     * 4015 changes nothing here: its response runs only when a timeout is found spurious
     * ({@link #onSpuriousTimeout}), which needs the backoff still in progress.
     */
    @Override
    public void onAckWithoutSample(final long[] state, final int offset)
    {
        // deliberately empty: the backed-off timeout is kept until a valid sample (Karn's algorithm)
    }

    @Override
    public void onTimeout(final long[] state, final int offset)
    {
        rfc6298.onTimeout(state, offset);
    }

    /**
     * The Eifel response (RFC 4015, section 2): see the class comment. The caller reports the ACK that revealed
     * the spurious timeout here instead of to {@link #onRttSample}; with no backoff in progress it is ignored.
     */
    @Override
    public void onSpuriousTimeout(final long[] state, final int offset, final long rttUs)
    {
        rfc6298.adaptToSpuriousTimeout(state, offset, rttUs);
    }

    @Override
    public long rtoUs(final long[] state, final int offset)
    {
        return rfc6298.rtoUs(state, offset);
    }

    @Override
    public long srttUs(final long[] state, final int offset)
    {
        return rfc6298.srttUs(state, offset);
    }

    @Override
    public long rttvarUs(final long[] state, final int offset)
    {
        return rfc6298.rttvarUs(state, offset);
    }

    /**
     * SRTT unrounded, for tests that check the arithmetic to the last bit.
     *
     * @param state  the caller's {@code long[]} of per-connection words.
     * @param offset the index in {@code state} of this connection's first word.
     * @return SRTT in microseconds exactly as the real arithmetic has it, or -1 before the first sample.
     */
    public double srttExactUs(final long[] state, final int offset)
    {
        return rfc6298.srttExactUs(state, offset);
    }

    /**
     * RTTVAR unrounded, for tests that check the arithmetic to the last bit.
     *
     * @param state  the caller's {@code long[]} of per-connection words.
     * @param offset the index in {@code state} of this connection's first word.
     * @return RTTVAR in microseconds exactly as the real arithmetic has it, or -1 before the first sample.
     */
    public double rttvarExactUs(final long[] state, final int offset)
    {
        return rfc6298.rttvarExactUs(state, offset);
    }

    @Override
    public int backoffCount(final long[] state, final int offset)
    {
        return rfc6298.backoffCount(state, offset);
    }

    @Override
    public long minRtoUs()
    {
        return rfc6298.minRtoUs();
    }

    @Override
    public long maxRtoUs()
    {
        return rfc6298.maxRtoUs();
    }

    @Override
    public String toString()
    {
        return NAME + "(" + rfc6298.parameters() + ")";
    }
}
