package com.example.rto;

import io.escapement.engine.rto.RtoParameters;
import io.escapement.engine.rto.RtoStrategy;

/**
 * RTO = SRTT + a fixed margin: no variance term, so the timer sits a constant distance above the smoothed RTT.
 * SRTT is an EWMA of the samples with gain {@code gain}; each expiry doubles the timeout up to {@code max}, and a
 * valid sample ends the backoff (Karn). An acknowledgment without a sample keeps the backoff, as TCP does: the
 * interface's default {@code onAckWithoutSample} does nothing.
 * <p>
 * State: two longs per connection, SRTT as double bits (negative before the first sample) and the backoff count.
 */
public final class MarginStrategy implements RtoStrategy
{
    private static final int SRTT = 0;
    private static final int BACKOFF = 1;

    private final long addUs;
    private final double gain;
    private final long initialUs;
    private final long maxUs;

    /**
     * @param addUs     the margin above SRTT, at least 1 us.
     * @param gain      the EWMA gain of SRTT, in (0, 1].
     * @param initialUs the timeout before the first sample, at least 1 us and at most {@code maxUs}.
     * @param maxUs     the cap on the timeout, backed off or not, at least {@code addUs}.
     */
    public MarginStrategy(final long addUs, final double gain, final long initialUs, final long maxUs)
    {
        this.addUs = addUs;
        this.gain = gain;
        this.initialUs = initialUs;
        this.maxUs = maxUs;
    }

    @Override
    public String name()
    {
        return MarginStrategyProvider.NAME;
    }

    @Override
    public int stateWords()
    {
        return 2;
    }

    @Override
    public void reset(final long[] state, final int offset)
    {
        state[offset + SRTT] = Double.doubleToRawLongBits(-1.0);
        state[offset + BACKOFF] = 0;
    }

    @Override
    public void onRttSample(final long[] state, final int offset, final long rttUs, final long ackDelayUs,
        final long sndUna, final long sndNxt)
    {
        final double r = Math.min(Math.max(rttUs, 0), MAX_SAMPLE_US);
        final double srtt = Double.longBitsToDouble(state[offset + SRTT]);
        state[offset + SRTT] = Double.doubleToRawLongBits(srtt < 0 ? r : srtt + gain * (r - srtt));
        state[offset + BACKOFF] = 0; // a valid sample ends the backoff
    }

    @Override
    public void onTimeout(final long[] state, final int offset)
    {
        state[offset + BACKOFF] = Math.min(state[offset + BACKOFF] + 1, 62);
    }

    @Override
    public long rtoUs(final long[] state, final int offset)
    {
        final double srtt = Double.longBitsToDouble(state[offset + SRTT]);
        final double base = srtt < 0 ? initialUs : srtt + addUs;
        // back off the exact value, round once
        final double backedOff = Math.scalb(base, (int)state[offset + BACKOFF]);
        return backedOff >= maxUs ? maxUs : (long)Math.ceil(backedOff);
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
        return -1; // no variance kept
    }

    @Override
    public int backoffCount(final long[] state, final int offset)
    {
        return (int)state[offset + BACKOFF];
    }

    @Override
    public long minRtoUs()
    {
        return Math.min(initialUs, addUs); // a sample of 0 gives SRTT + add = add
    }

    @Override
    public long maxRtoUs()
    {
        return maxUs;
    }

    @Override
    public String toString()
    {
        return MarginStrategyProvider.NAME + "(add=" + RtoParameters.formatUs(addUs) + ",gain=" + gain +
            ",initial=" + RtoParameters.formatUs(initialUs) + ",max=" + RtoParameters.formatUs(maxUs) + ")";
    }
}
