package io.escapement.engine.rto;

/**
 * A constant timeout that ignores every measurement, doubled per expiry up to a maximum: the baseline every
 * comparison of RTO strategies needs. A measurement still ends the backoff, as Karn's algorithm prescribes for
 * the others. {@code rto} (default 1 s), {@code max} (default 60 s), {@code backoff} (1 doubles per expiry, the
 * default; 0 keeps the timeout constant).
 * <p>
 * State: 1 long (backoff count); 8 bytes per connection.
 */
public final class FixedStrategy implements RtoStrategy
{
    /** The name this strategy is chosen by in {@link RtoStrategies#parse}. */
    public static final String NAME = "fixed";

    private final long rtoUs;
    private final long maxUs;
    private final boolean backoff;

    /**
     * Builds the strategy from {@code fixed:rto=1s,max=60s,backoff=1}, every parameter optional.
     *
     * @param p the parameters: the durations {@code rto} (1 us to 1 h, default 1 s) and {@code max} (1 us to 1 day,
     *          at least {@code rto}; default 60 s, or {@code rto} if larger), and the whole number {@code backoff}
     *          (1 doubles the timeout per expiry, the default; 0 keeps it constant).
     * @return the strategy.
     * @throws IllegalArgumentException for a malformed, out-of-range or unknown parameter, naming it.
     */
    public static FixedStrategy fromParameters(final RtoParameters p)
    {
        final long rtoUs = p.durationUs("rto", 1_000_000, 1, 3_600_000_000L);
        final long maxUs = p.durationUs("max", Math.max(rtoUs, 60_000_000), 1, 86_400_000_000L);
        final boolean backoff = p.integer("backoff", 1, 0, 1) == 1;
        p.checkAllRead();
        return new FixedStrategy(rtoUs, maxUs, backoff);
    }

    /**
     * Builds the strategy from its timeout and cap, in microseconds.
     *
     * @param rtoUs   the timeout armed whatever the measurements, at least 1; also {@link #minRtoUs()}.
     * @param maxUs   the cap on the backed-off timeout, at least {@code rtoUs}.
     * @param backoff whether each expiry doubles the timeout (up to {@code maxUs}); if not, it stays {@code rtoUs}.
     * @throws IllegalArgumentException if the timeout is not positive or exceeds the maximum.
     */
    public FixedStrategy(final long rtoUs, final long maxUs, final boolean backoff)
    {
        if (rtoUs < 1 || maxUs < rtoUs)
        {
            throw new IllegalArgumentException(NAME + ": rto=" + RtoParameters.formatUs(rtoUs) + " and max=" +
                RtoParameters.formatUs(maxUs) + " must satisfy 0 < rto <= max");
        }
        this.rtoUs = rtoUs;
        this.maxUs = maxUs;
        this.backoff = backoff;
    }

    @Override
    public String name()
    {
        return NAME;
    }

    @Override
    public int stateWords()
    {
        return 1;
    }

    @Override
    public void reset(final long[] state, final int offset)
    {
        state[offset] = 0;
    }

    @Override
    public void onRttSample(final long[] state, final int offset, final long rttUs, final long ackDelayUs,
        final long sndUna, final long sndNxt)
    {
        state[offset] = 0;
    }

    /**
     * An acknowledgment of new data without a valid RTT sample: nothing changes, the backoff stays. As for the
     * measuring strategies, Karn's algorithm (Karn and Partridge, 1987; RFC 6298, section 5): only a valid sample
     * ends the backoff, so comparisons with this baseline differ in the timeout's value, not in when backoff ends.
     */
    @Override
    public void onAckWithoutSample(final long[] state, final int offset)
    {
        // deliberately empty: the backed-off timeout is kept until a valid sample (Karn's algorithm)
    }

    @Override
    public void onTimeout(final long[] state, final int offset)
    {
        state[offset] = Backoff.increment((int)state[offset]); // counted even when it does not double
    }

    @Override
    public long rtoUs(final long[] state, final int offset)
    {
        return backoff ? Backoff.apply(rtoUs, (int)state[offset], maxUs) : rtoUs;
    }

    @Override
    public long srttUs(final long[] state, final int offset)
    {
        return -1;
    }

    @Override
    public long rttvarUs(final long[] state, final int offset)
    {
        return -1;
    }

    @Override
    public int backoffCount(final long[] state, final int offset)
    {
        return (int)state[offset];
    }

    @Override
    public long minRtoUs()
    {
        return rtoUs;
    }

    @Override
    public long maxRtoUs()
    {
        return maxUs;
    }

    @Override
    public String toString()
    {
        return NAME + "(rto=" + RtoParameters.formatUs(rtoUs) + ",max=" + RtoParameters.formatUs(maxUs) +
            ",backoff=" + (backoff ? 1 : 0) + ")";
    }
}
