package io.escapement.engine.rto;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The {@code key=value} parameters of a strategy specification such as {@code rfc6298:min=200ms,max=60s}, with
 * typed, checked accessors. Every error names the strategy, the parameter, the value given and what is valid.
 * Durations take a unit: {@code us}, {@code ms} or {@code s} (decimals allowed, such as {@code 0.5s}).
 */
public final class RtoParameters
{
    private final String strategy;
    private final Map<String, String> values;
    private final Set<String> read = new TreeSet<>();

    RtoParameters(final String strategy, final Map<String, String> values)
    {
        this.strategy = strategy;
        this.values = Collections.unmodifiableMap(new LinkedHashMap<>(values));
    }

    /**
     * Parameters with no values set, for building a strategy with its defaults.
     *
     * @param strategy the strategy's name, for error messages.
     * @return the parameters, with nothing to read.
     */
    public static RtoParameters none(final String strategy)
    {
        return new RtoParameters(strategy, Map.of());
    }

    /**
     * Reads a duration parameter, written with its unit (see {@link #parseDurationUs}), and marks it as known to
     * the strategy.
     *
     * @param key       the parameter's name, such as {@code min}.
     * @param defaultUs the value if it is absent, microseconds; not checked against the range.
     * @param minUs     the least valid value, microseconds.
     * @param maxUs     the greatest valid value, microseconds.
     * @return the duration parameter {@code key} in microseconds, or {@code defaultUs} if absent.
     * @throws IllegalArgumentException if it is malformed or outside {@code [minUs, maxUs]}.
     */
    public long durationUs(final String key, final long defaultUs, final long minUs, final long maxUs)
    {
        read.add(key);
        final String text = values.get(key);
        if (text == null)
        {
            return defaultUs;
        }
        final long us;
        try
        {
            us = parseDurationUs(text);
        }
        catch (final IllegalArgumentException e)
        {
            throw new IllegalArgumentException("strategy " + strategy + ": parameter " + key + ": " + e.getMessage());
        }
        if (us < minUs || us > maxUs)
        {
            throw error(key, text, "a duration from " + formatUs(minUs) + " to " + formatUs(maxUs));
        }
        return us;
    }

    /**
     * Reads a numeric parameter, such as a gain, and marks it as known to the strategy.
     *
     * @param key          the parameter's name, such as {@code alpha}.
     * @param defaultValue the value if it is absent; not checked against the range.
     * @param min          the least valid value.
     * @param max          the greatest valid value.
     * @return the numeric parameter {@code key}, or {@code defaultValue} if absent.
     * @throws IllegalArgumentException if it is not a finite number within {@code [min, max]}.
     */
    public double number(final String key, final double defaultValue, final double min, final double max)
    {
        read.add(key);
        final String text = values.get(key);
        if (text == null)
        {
            return defaultValue;
        }
        final double value;
        try
        {
            value = Double.parseDouble(text);
        }
        catch (final NumberFormatException e)
        {
            throw error(key, text, "a number from " + min + " to " + max);
        }
        if (!(value >= min && value <= max)) // also rejects NaN
        {
            throw error(key, text, "a number from " + min + " to " + max);
        }
        return value;
    }

    /**
     * Reads a whole-number parameter, such as {@code hz}, and marks it as known to the strategy.
     *
     * @param key          the parameter's name, such as {@code hz}.
     * @param defaultValue the value if it is absent; not checked against the range.
     * @param min          the least valid value.
     * @param max          the greatest valid value.
     * @return the whole-number parameter {@code key}, or {@code defaultValue} if absent.
     * @throws IllegalArgumentException if it is not a whole number within {@code [min, max]}.
     */
    public long integer(final String key, final long defaultValue, final long min, final long max)
    {
        read.add(key);
        final String text = values.get(key);
        if (text == null)
        {
            return defaultValue;
        }
        final long value;
        try
        {
            value = Long.parseLong(text);
        }
        catch (final NumberFormatException e)
        {
            throw error(key, text, "a whole number from " + min + " to " + max);
        }
        if (value < min || value > max)
        {
            throw error(key, text, "a whole number from " + min + " to " + max);
        }
        return value;
    }

    /**
     * Reads a parameter as it is written, for a strategy whose parameter is a word (such as a mode), and marks it as
     * known to the strategy.
     *
     * @param key          the parameter's name.
     * @param defaultValue the value if it is absent.
     * @param allowed      the values it may take; none means any non-empty text.
     * @return the parameter's text, trimmed, or {@code defaultValue} if absent.
     * @throws IllegalArgumentException if it is empty or not one of {@code allowed}.
     */
    public String text(final String key, final String defaultValue, final String... allowed)
    {
        read.add(key);
        final String text = values.get(key);
        if (text == null)
        {
            return defaultValue;
        }
        if (text.isEmpty())
        {
            throw error(key, text, allowed.length == 0 ? "a value" : "one of " + String.join(", ", allowed));
        }
        if (allowed.length == 0)
        {
            return text;
        }
        for (final String value : allowed)
        {
            if (value.equals(text))
            {
                return text;
            }
        }
        throw error(key, text, "one of " + String.join(", ", allowed));
    }

    /** @return the name of the strategy these parameters are for. */
    public String strategy()
    {
        return strategy;
    }

    /**
     * Call after reading every parameter the strategy knows.
     *
     * @throws IllegalArgumentException naming any parameter given that the strategy does not know, and listing
     *                                  those it does.
     */
    public void checkAllRead()
    {
        for (final String key : values.keySet())
        {
            if (!read.contains(key))
            {
                throw new IllegalArgumentException("strategy " + strategy + " has no parameter '" + key +
                    "'; its parameters are: " + String.join(", ", read));
            }
        }
    }

    private IllegalArgumentException error(final String key, final String text, final String expected)
    {
        return new IllegalArgumentException("strategy " + strategy + ": parameter " + key + "=" + text +
            " is invalid, expected " + expected);
    }

    /**
     * @param text a duration with its unit, such as {@code 200ms}, {@code 1s}, {@code 1500us} or {@code 0.5s}; a
     *             bare {@code 0} needs none.
     * @return it in microseconds.
     * @throws IllegalArgumentException if malformed, negative, not finite, or too large.
     */
    public static long parseDurationUs(final String text)
    {
        final String trimmed = text.trim();
        if (trimmed.equals("0"))
        {
            return 0; // zero is zero in every unit: min=0 reads as it is written
        }
        final long unitUs;
        final String number;
        if (trimmed.endsWith("us"))
        {
            unitUs = 1;
            number = trimmed.substring(0, trimmed.length() - 2);
        }
        else if (trimmed.endsWith("ms"))
        {
            unitUs = 1_000;
            number = trimmed.substring(0, trimmed.length() - 2);
        }
        else if (trimmed.endsWith("s"))
        {
            unitUs = 1_000_000;
            number = trimmed.substring(0, trimmed.length() - 1);
        }
        else
        {
            throw new IllegalArgumentException("duration '" + text + "' has no unit: write it as 200ms, 1s or 1500us");
        }
        final double value;
        try
        {
            value = Double.parseDouble(number);
        }
        catch (final NumberFormatException e)
        {
            throw new IllegalArgumentException("duration '" + text + "' is not a number followed by us, ms or s");
        }
        final double us = value * unitUs;
        if (!(us >= 0 && us <= Long.MAX_VALUE / 4)) // also rejects NaN and infinities
        {
            throw new IllegalArgumentException("duration '" + text + "' must be a non-negative, finite time");
        }
        final long whole = Math.round(us);
        if (Math.abs(us - whole) > 1e-6)
        {
            throw new IllegalArgumentException("duration '" + text + "' is not a whole number of microseconds");
        }
        return whole;
    }

    /**
     * Formats a duration so that {@link #parseDurationUs} reads it back (a non-negative one: it rejects the rest).
     *
     * @param us the duration, microseconds.
     * @return it in the largest unit that shows it exactly, such as {@code 200ms}; 0 is {@code 0s}.
     */
    public static String formatUs(final long us)
    {
        if (us % 1_000_000 == 0)
        {
            return us / 1_000_000 + "s";
        }
        if (us % 1_000 == 0)
        {
            return us / 1_000 + "ms";
        }
        return us + "us";
    }
}
