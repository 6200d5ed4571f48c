package io.escapement.engine.rto;

/**
 * Exponential backoff of a timeout, shared by the strategies that double their timeout per expiry, and the
 * rounding of real-valued timeouts to whole microseconds.
 */
final class Backoff
{
    /**
     * The count stops growing here: a timeout of at least 1 us doubled 62 times exceeds any long, so every
     * maximum is reached before (apply() saturates at the maximum without overflowing).
     */
    static final int MAX_COUNT = 62;

    private Backoff()
    {
    }

    /** @return {@code baseUs * 2^count}, at most {@code maxUs}, without overflow. */
    static long apply(final long baseUs, final int count, final long maxUs)
    {
        if (count >= Long.numberOfLeadingZeros(baseUs) - 1)
        {
            return maxUs; // the shift would overflow; baseUs > 0 here, so the doubled value exceeds any maximum
        }
        return Math.min(maxUs, baseUs << count);
    }

    /**
     * Backs off a timeout computed in real arithmetic and rounds once: {@code ceil(baseUs * 2^count)}, at most
     * {@code maxUs}. Rounding the base first and doubling the rounded value would double its rounding error with
     * every expiry (up to {@code 2^count - 1} us too long).
     *
     * @param baseUs the timeout before backoff, exact, at least 1 and at most {@code maxUs}.
     * @param count  the number of expiries, 0 to {@link #MAX_COUNT}.
     * @param maxUs  the cap.
     * @return the backed-off timeout in whole microseconds.
     */
    static long applyExact(final double baseUs, final int count, final long maxUs)
    {
        // scalb multiplies by a power of two exactly; 2^62 times a day in microseconds is about 2^98, far inside a
        // double's range, so nothing overflows before the comparison with the cap
        final double backedOff = Math.scalb(baseUs, count);
        if (backedOff >= maxUs)
        {
            return maxUs;
        }
        return ceilUs(backedOff);
    }

    /**
     * Rounds a timeout computed in real arithmetic up to a whole microsecond, ignoring floating-point noise below
     * a nanosecond (0.9 * 300000 is not exactly 270000 in binary, and must not become 270001).
     */
    static long ceilUs(final double us)
    {
        return (long)Math.ceil(us - 1e-3);
    }

    /** @return the count after one more expiry. */
    static int increment(final int count)
    {
        return Math.min(MAX_COUNT, count + 1);
    }
}
