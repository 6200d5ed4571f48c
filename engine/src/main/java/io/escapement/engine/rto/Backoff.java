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
