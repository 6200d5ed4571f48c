package io.escapement.sweep;

import java.io.Serializable;
import java.util.Locale;

/**
 * One run of a sweep: a strategy, a seed and a value of the swept parameter, the rest of its options being the
 * sweep's. What a Spark task receives.
 *
 * @param index     the run's place in compare's order, which the gathered results keep.
 * @param strategy  the RTO strategy's specification.
 * @param seed      the seed.
 * @param parameter the swept parameter: loss, rtt or jitter.
 * @param value     its value (a probability, or microseconds).
 * @param key       a hash of every option of the run: the name of its stored result.
 */
public record RunSpec(int index, String strategy, long seed, String parameter, double value, String key)
    implements Serializable
{
    private static final long serialVersionUID = 1L;

    /** @return the run's options as a reader names them: {@code strategy=rfc6298, seed=2, loss=0.05}. */
    public String describe()
    {
        return String.format(Locale.ROOT, "strategy=%s, seed=%d, %s=%s", strategy, seed, parameter,
            parameter.equals("loss") ? String.valueOf(value) : (long)value + "us");
    }
}
