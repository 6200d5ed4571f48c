package io.escapement.sweep;

import java.io.Serializable;
import java.util.Arrays;
import java.util.Locale;
import java.util.StringJoiner;

/**
 * One run of a sweep: a strategy, a seed and a point of compare's grid (one value per swept parameter), the rest of
 * its options being the sweep's. What a Spark task receives.
 *
 * @param index      the run's place in compare's plan, which the gathered results keep.
 * @param strategy   the RTO strategy's specification.
 * @param seed       the seed.
 * @param parameters the swept parameters (loss, rtt or jitter), in the grid's order, joined by {@code +}.
 * @param point      their values, one per parameter (a probability, or microseconds).
 * @param key        a hash of every option of the run: the name of its stored result.
 */
public record RunSpec(int index, String strategy, long seed, String parameters, double[] point, String key)
    implements Serializable
{
    private static final long serialVersionUID = 2L;

    /** The start of the key of a run that is neither stored nor taken from the store: its code is unknown. */
    public static final String UNKEPT = "unkept-";

    /**
     * @return whether the run may be stored and taken from the store: false when the code of its strategy could
     * not be identified, so that a stored run of other code would be taken for its own.
     */
    public boolean kept()
    {
        return !key.startsWith(UNKEPT);
    }

    /** @return the point as stored: the values' shortest exact decimal forms joined by {@code +}. */
    public String pointText()
    {
        final StringJoiner s = new StringJoiner("+");
        for (final double v : point)
        {
            s.add(Double.toString(v));
        }
        return s.toString();
    }

    /**
     * @return the point of {@link #pointText()}.
     * @throws NumberFormatException if a value is not a number.
     */
    public static double[] parsePoint(final String text)
    {
        return Arrays.stream(text.split("\\+")).mapToDouble(Double::parseDouble).toArray();
    }

    /** @return whether the other spec names the same run: strategy, seed, parameters, point and key. */
    public boolean sameRun(final RunSpec other)
    {
        return key.equals(other.key) && strategy.equals(other.strategy) && seed == other.seed &&
            parameters.equals(other.parameters) && Arrays.equals(point, other.point);
    }

    /** @return the run's options as a reader names them: {@code strategy=rfc6298, seed=2, loss=0.05}. */
    public String describe()
    {
        final StringBuilder s = new StringBuilder(String.format(Locale.ROOT, "strategy=%s, seed=%d", strategy, seed));
        final String[] names = parameters.split("\\+");
        for (int k = 0; k < names.length && k < point.length; k++)
        {
            s.append(", ").append(names[k]).append('=').append(names[k].equals("loss") ? String.valueOf(point[k]) :
                (long)point[k] + "us");
        }
        return s.toString();
    }
}
