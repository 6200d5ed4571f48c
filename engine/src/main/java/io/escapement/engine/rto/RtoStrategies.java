package io.escapement.engine.rto;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * Chooses an {@link RtoStrategy} by its stable name and parameters, written as one specification string:
 * {@code name} or {@code name:key=value,key=value}, for example {@code rfc6298:min=200ms} or {@code linux:hz=250}.
 * Durations take a unit ({@code us}, {@code ms}, {@code s}). An unknown name, an unknown parameter or a value out
 * of range is an {@link IllegalArgumentException} whose message lists what is valid.
 */
public final class RtoStrategies
{
    private static final Map<String, Function<RtoParameters, RtoStrategy>> FACTORIES;

    static
    {
        final Map<String, Function<RtoParameters, RtoStrategy>> factories = new LinkedHashMap<>();
        factories.put(Rfc6298Strategy.NAME, Rfc6298Strategy::fromParameters);
        factories.put(LinuxStrategy.NAME, LinuxStrategy::fromParameters);
        factories.put(Rfc793Strategy.NAME, Rfc793Strategy::fromParameters);
        factories.put(FixedStrategy.NAME, FixedStrategy::fromParameters);
        factories.put(QuicStrategy.NAME, QuicStrategy::fromParameters);
        factories.put(EifelStrategy.NAME, EifelStrategy::fromParameters);
        FACTORIES = Collections.unmodifiableMap(factories);
    }

    private RtoStrategies()
    {
    }

    /** @return the names strategies are chosen by, in a stable order. */
    public static Set<String> names()
    {
        return FACTORIES.keySet();
    }

    /**
     * @param specification {@code name} or {@code name:key=value,...}.
     * @return the strategy it names, with its parameters applied.
     * @throws IllegalArgumentException if the name is unknown (the message lists the known ones), a parameter is
     *                                  unknown to the strategy (the message lists its parameters), malformed, or
     *                                  out of range.
     */
    public static RtoStrategy parse(final String specification)
    {
        if (specification == null || specification.isBlank())
        {
            throw new IllegalArgumentException("no RTO strategy given; known strategies: " + String.join(", ", names()));
        }
        final String spec = specification.trim();
        final int colon = spec.indexOf(':');
        final String name = colon < 0 ? spec : spec.substring(0, colon);
        final Function<RtoParameters, RtoStrategy> factory = FACTORIES.get(name);
        if (factory == null)
        {
            throw new IllegalArgumentException("unknown RTO strategy '" + name + "'; known strategies: " +
                String.join(", ", names()));
        }
        final Map<String, String> values = new LinkedHashMap<>();
        if (colon >= 0)
        {
            for (final String pair : spec.substring(colon + 1).split(",", -1)) // -1: keep a trailing empty one
            {
                final int eq = pair.indexOf('=');
                if (eq <= 0 || eq == pair.length() - 1)
                {
                    throw new IllegalArgumentException("strategy " + name + ": parameter '" + pair +
                        "' is not written key=value (in '" + spec + "')");
                }
                final String key = pair.substring(0, eq).trim();
                if (values.put(key, pair.substring(eq + 1).trim()) != null)
                {
                    throw new IllegalArgumentException("strategy " + name + ": parameter " + key + " is given twice");
                }
            }
        }
        return factory.apply(new RtoParameters(name, values));
    }
}
