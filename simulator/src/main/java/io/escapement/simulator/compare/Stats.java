package io.escapement.simulator.compare;

import org.apache.commons.math3.distribution.TDistribution;

import java.util.Locale;

/**
 * Means over seeds with their 95% confidence intervals, by Student's t: the seeds are independent replications
 * (a seed draws every packet's fate afresh), so a metric's per-seed values are a sample whose mean's interval is
 * {@code mean ± t(0.975, n - 1) * s / sqrt(n)}, {@code s} the sample standard deviation. The quantile is Commons
 * Math's {@link TDistribution}, checked by the tests against a published table.
 * <p>
 * Paired differences (strategy B minus strategy A, seed by seed) use the same interval on the differences: the
 * traffic both strategies met on a seed cancels, which is why they are far tighter than two separate intervals.
 */
public final class Stats
{
    private Stats()
    {
    }

    /** A mean over {@code n} values and the half-width of its 95% interval (NaN when {@code n < 2}). */
    public record Interval(int n, double mean, double halfWidth)
    {
        /** @return the lower end of the interval (NaN when there is none). */
        public double low()
        {
            return mean - halfWidth;
        }

        /** @return the upper end of the interval (NaN when there is none). */
        public double high()
        {
            return mean + halfWidth;
        }

        /** @return whether there is an interval and it lies wholly above or below zero. */
        public boolean excludesZero()
        {
            return n >= 2 && (low() > 0 || high() < 0);
        }

        /**
         * Formats the interval for a table.
         *
         * @param decimals the decimals of both numbers.
         * @return {@code mean ± halfWidth}, the mean alone and {@code (n=1)} for one value, a dash for none.
         */
        public String format(final int decimals)
        {
            if (n == 0)
            {
                return "–";
            }
            final String f = "%." + decimals + "f";
            return n < 2 ? String.format(Locale.ROOT, f + " (n=1)", mean) :
                String.format(Locale.ROOT, f + " ± " + f, mean, halfWidth);
        }
    }

    /**
     * @param degreesOfFreedom at least 1.
     * @return the 0.975 quantile of Student's t distribution: the multiplier of a two-sided 95% interval.
     */
    public static double t975(final int degreesOfFreedom)
    {
        if (degreesOfFreedom < 1)
        {
            throw new IllegalArgumentException("degreesOfFreedom=" + degreesOfFreedom + " must be at least 1");
        }
        // null: no random generator, which only sampling needs
        return new TDistribution(null, degreesOfFreedom).inverseCumulativeProbability(0.975);
    }

    /**
     * The mean of the values that are not NaN (a metric a seed has no data for) and its interval.
     *
     * @param values the per-seed values, NaN where a seed has none.
     * @return the mean of the values that are not NaN (a metric a seed has no data for) and its interval.
     */
    public static Interval of(final double[] values)
    {
        int n = 0;
        double sum = 0;
        for (final double v : values)
        {
            if (!Double.isNaN(v))
            {
                n++;
                sum += v;
            }
        }
        if (n == 0)
        {
            return new Interval(0, Double.NaN, Double.NaN);
        }
        final double mean = sum / n;
        if (n < 2)
        {
            return new Interval(1, mean, Double.NaN);
        }
        double squares = 0;
        for (final double v : values)
        {
            if (!Double.isNaN(v))
            {
                squares += (v - mean) * (v - mean);
            }
        }
        final double sd = Math.sqrt(squares / (n - 1));
        return new Interval(n, mean, t975(n - 1) * sd / Math.sqrt(n));
    }

    /**
     * The paired difference of two strategies seed by seed.
     *
     * @param a strategy A's per-seed values, the baseline.
     * @param b strategy B's per-seed values, on the same seeds in the same order.
     * @return the interval of {@code b[k] - a[k]} over the k where both are numbers.
     */
    public static Interval paired(final double[] a, final double[] b)
    {
        final double[] d = new double[a.length];
        for (int k = 0; k < a.length; k++)
        {
            d[k] = b[k] - a[k]; // NaN if either is
        }
        return of(d);
    }
}
