package io.escapement.simulator.net;

import io.escapement.engine.rto.RtoParameters;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * The base round-trip times of a run's connections, one drawn per connection so that a run mixes near and far
 * clients: {@code D} (a duration such as {@code 20ms}: every connection the same, today's {@code --rtt}),
 * {@code uniform:MIN-MAX}, {@code lognormal:median=D,sigma=S} or {@code file:PATH}, an empirical distribution of
 * measured RTTs (one per line, or the first field of a CSV line; each a duration with its unit, or a plain number
 * of milliseconds, the unit ping prints; blank lines and lines starting with {@code #} skipped; each line equally
 * likely; order does not matter).
 * <p>
 * A draw is a hash of the seed and the connection's number, never a random stream: every strategy compared on one
 * seed meets the same RTT on every connection, and the number of threads changes nothing. Every draw is kept
 * between 2 us and 60 s (the range of a constant RTT). Immutable and thread-safe.
 */
public final class RttDistribution
{
    /** The least RTT: each direction takes at least a microsecond. */
    public static final long MIN_RTT_US = 2;
    /** The greatest RTT. */
    public static final long MAX_RTT_US = 60_000_000L;

    private enum Shape
    {
        CONSTANT, UNIFORM, LOGNORMAL, EMPIRICAL
    }

    private static final String SYNTAX = "expected a duration (20ms), uniform:MIN-MAX, lognormal:median=D,sigma=S " +
        "or file:PATH";

    private final String text;
    private final Shape shape;
    private final double a;
    private final double b;
    private final long[] valuesUs;

    private RttDistribution(final String text, final Shape shape, final double a, final double b,
        final long[] valuesUs)
    {
        this.text = text;
        this.shape = shape;
        this.a = a;
        this.b = b;
        this.valuesUs = valuesUs;
    }

    /**
     * @param option the option it comes from, for messages: {@code --rtt}.
     * @param spec   the distribution, as the class comment writes it.
     * @return the distribution.
     * @throws IllegalArgumentException naming the option, the value and what was expected.
     */
    public static RttDistribution parse(final String option, final String spec)
    {
        final String s = spec.trim();
        final int colon = s.indexOf(':');
        final String kind = colon < 0 ? "constant" : s.substring(0, colon).toLowerCase(Locale.ROOT);
        final String rest = colon < 0 ? s : s.substring(colon + 1).trim();
        switch (kind)
        {
            case "constant" ->
            {
                final long us = duration(option, s, rest);
                check(option, s, us >= MIN_RTT_US && us <= MAX_RTT_US, "an RTT between 2us and 60s");
                return new RttDistribution(s, Shape.CONSTANT, us, 0, null);
            }
            case "uniform" ->
            {
                final String[] range = rest.split("-");
                check(option, s, range.length == 2, "uniform:MIN-MAX, such as uniform:10ms-200ms");
                final long min = duration(option, s, range[0]);
                final long max = duration(option, s, range[1]);
                check(option, s, min >= MIN_RTT_US && min <= max && max <= MAX_RTT_US, "2us <= MIN <= MAX <= 60s");
                return new RttDistribution(s, Shape.UNIFORM, min, max, null);
            }
            case "lognormal" ->
            {
                final long median = duration(option, s, value(option, s, rest, "median"));
                final double sigma = number(option, s, value(option, s, rest, "sigma"), "sigma");
                check(option, s, median >= MIN_RTT_US && median <= MAX_RTT_US, "a median between 2us and 60s");
                check(option, s, sigma >= 0 && sigma <= 10, "a sigma from 0 to 10");
                return new RttDistribution(s, Shape.LOGNORMAL, StrictMath.log(median), sigma, null);
            }
            case "file" ->
            {
                return new RttDistribution(s, Shape.EMPIRICAL, 0, 0, read(option, s, rest));
            }
            default -> throw new IllegalArgumentException(option + " '" + s + "': unknown distribution '" + kind +
                "'; " + SYNTAX);
        }
    }

    private static long[] read(final String option, final String spec, final String path)
    {
        final List<String> lines = readLines(option, spec, path);
        final long[] values = new long[lines.size()];
        int n = 0;
        for (int k = 0; k < lines.size(); k++)
        {
            final String line = lines.get(k).trim();
            if (line.isEmpty() || line.startsWith("#"))
            {
                continue;
            }
            final String field = line.split(",", 2)[0].trim();
            final long us;
            try
            {
                us = millisecondsOrDurationUs(field);
            }
            catch (final IllegalArgumentException e)
            {
                throw new IllegalArgumentException(option + " '" + spec + "': line " + (k + 1) + ", '" + field +
                    "', is not an RTT: write it as 23.4 (milliseconds) or 23.4ms");
            }
            if (us < MIN_RTT_US || us > MAX_RTT_US)
            {
                throw new IllegalArgumentException(option + " '" + spec + "': line " + (k + 1) + ", '" + field +
                    "', is not an RTT between 2us and 60s");
            }
            values[n++] = us;
        }
        if (n == 0)
        {
            throw new IllegalArgumentException(option + " '" + spec + "': the file holds no RTTs");
        }
        final long[] sorted = Arrays.copyOf(values, n);
        Arrays.sort(sorted); // for the median; the draw picks a line uniformly, so order does not matter
        return sorted;
    }

    /** @return the lines of a file, or an exception naming the option and why it cannot be read. */
    static List<String> readLines(final String option, final String spec, final String path)
    {
        try
        {
            return Files.readAllLines(Path.of(path), StandardCharsets.UTF_8);
        }
        catch (final NoSuchFileException e)
        {
            throw new IllegalArgumentException(option + " '" + spec + "': cannot read the file: no such file");
        }
        catch (final IOException | RuntimeException e)
        {
            throw new IllegalArgumentException(option + " '" + spec + "': cannot read the file: " + e.getMessage());
        }
    }

    /**
     * @return a duration written with its unit, or a plain (possibly negative, for the caller to refuse) number of
     * milliseconds, in microseconds.
     * @throws IllegalArgumentException if it is neither, or not finite.
     */
    static long millisecondsOrDurationUs(final String field)
    {
        final String f = field.trim();
        if (!f.isEmpty() && (Character.isDigit(f.charAt(f.length() - 1)) || f.endsWith(".")))
        {
            final double ms = Double.parseDouble(f); // NumberFormatException is an IllegalArgumentException
            if (!Double.isFinite(ms) || Math.abs(ms) > 1e12)
            {
                throw new IllegalArgumentException(f);
            }
            return Math.round(ms * 1000);
        }
        return RtoParameters.parseDurationUs(f);
    }

    private static long duration(final String option, final String spec, final String text)
    {
        try
        {
            return RtoParameters.parseDurationUs(text);
        }
        catch (final IllegalArgumentException e)
        {
            throw new IllegalArgumentException(option + " '" + spec + "': " + e.getMessage());
        }
    }

    private static String value(final String option, final String spec, final String pairs, final String key)
    {
        for (final String pair : pairs.split(","))
        {
            final int eq = pair.indexOf('=');
            if (eq > 0 && pair.substring(0, eq).trim().equals(key))
            {
                return pair.substring(eq + 1).trim();
            }
        }
        throw new IllegalArgumentException(option + " '" + spec + "': " + key + "= is missing; " + SYNTAX);
    }

    private static double number(final String option, final String spec, final String text, final String key)
    {
        try
        {
            final double v = Double.parseDouble(text);
            if (Double.isFinite(v))
            {
                return v;
            }
        }
        catch (final NumberFormatException e)
        {
            // reported below
        }
        throw new IllegalArgumentException(option + " '" + spec + "': " + key + " '" + text + "' is not a number");
    }

    private static void check(final String option, final String spec, final boolean ok, final String expected)
    {
        if (!ok)
        {
            throw new IllegalArgumentException(option + " '" + spec + "' is out of range: expected " + expected);
        }
    }

    /** @return whether every connection has the same RTT. */
    public boolean isConstant()
    {
        return shape == Shape.CONSTANT;
    }

    /**
     * @return the median RTT, microseconds: the constant, the middle of a uniform range, a lognormal's median, the
     * middle line of a file (for a summary line, and for {@code compare}'s timelines, which follow one connection).
     */
    public long medianUs()
    {
        return switch (shape)
        {
            case CONSTANT -> (long)a;
            case UNIFORM -> Math.round((a + b) / 2);
            case LOGNORMAL -> Math.round(StrictMath.exp(a));
            case EMPIRICAL -> valuesUs[(valuesUs.length - 1) / 2];
        };
    }

    /**
     * @param seed       the run's seed.
     * @param connection the connection's number.
     * @return that connection's base RTT, microseconds: a hash of the two, so every shard and strategy draws the same.
     */
    public long rttUs(final long seed, final long connection)
    {
        if (shape == Shape.CONSTANT)
        {
            return (long)a;
        }
        final double u = uniform(seed, connection, 0x5171);
        final double x = switch (shape)
        {
            case UNIFORM -> a + Math.floor(u * (b - a + 1));
            case LOGNORMAL ->
            {
                // Box-Muller from two independent hashes: exp(N(log median, sigma))
                final double u2 = uniform(seed, connection, 0x5172);
                yield StrictMath.exp(a + b * Math.sqrt(-2 * StrictMath.log(1 - u)) * StrictMath.cos(2 * Math.PI * u2));
            }
            case EMPIRICAL -> valuesUs[(int)Math.min(valuesUs.length - 1, (long)(u * valuesUs.length))];
            case CONSTANT -> a;
        };
        return Math.max(MIN_RTT_US, Math.min(MAX_RTT_US, Math.round(x)));
    }

    private static double uniform(final long seed, final long connection, final long salt)
    {
        return (NetworkModel.mix(NetworkModel.mix(seed ^ salt) + connection) >>> 11) * 0x1.0p-53;
    }

    @Override
    public String toString()
    {
        return shape == Shape.CONSTANT ? RtoParameters.formatUs((long)a) : text;
    }
}
