package io.escapement.simulator;

import io.escapement.simulator.net.NetworkModel;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The sizes of the messages one side writes, a distribution drawn once per connection: {@code N} (constant),
 * {@code uniform:MIN-MAX}, {@code lognormal:median=M,sigma=S}, {@code pareto:min=M,shape=A} or
 * {@code file:PATH}, an empirical distribution (one size per line, or the first field of a CSV line; blank lines
 * and lines starting with {@code #} skipped; each line equally likely). Sizes are bytes; 0 (from a constant,
 * uniform or empirical distribution) is an empty message: an empty request makes a handshake-only connection, an
 * empty response a server that only closes. A draw above the largest message the simulator carries (60 segments)
 * is cut to it.
 * <p>
 * A draw is a hash of the seed, the connection number and the side, never a random stream, so it does not
 * depend on the order of events or on the number of threads. Immutable and thread-safe.
 */
public final class SizeDistribution
{
    private enum Shape
    {
        CONSTANT, UNIFORM, LOGNORMAL, PARETO, EMPIRICAL
    }

    private static final String SYNTAX = "expected N, uniform:MIN-MAX, lognormal:median=M,sigma=S, " +
        "pareto:min=M,shape=A or file:PATH";

    private final String text;
    private final Shape shape;
    private final double a;
    private final double b;
    private final int[] values;
    private final int maxBytes;

    private SizeDistribution(final String text, final Shape shape, final double a, final double b,
        final int[] values, final int maxBytes)
    {
        this.text = text;
        this.shape = shape;
        this.a = a;
        this.b = b;
        this.values = values;
        this.maxBytes = maxBytes;
    }

    /**
     * @param bytes the size of every message.
     * @return a constant distribution (not checked: the scenario checks its sizes).
     */
    public static SizeDistribution constant(final int bytes)
    {
        return new SizeDistribution(Integer.toString(bytes), Shape.CONSTANT, bytes, 0, null, Integer.MAX_VALUE);
    }

    /**
     * @param option   the option it comes from, for messages: {@code --request-size}.
     * @param spec     the distribution, as the class comment writes it.
     * @param maxBytes the largest message: 60 segments.
     * @return the distribution.
     * @throws IllegalArgumentException naming the option and what is wrong.
     */
    public static SizeDistribution parse(final String option, final String spec, final int maxBytes)
    {
        final String s = spec.trim();
        final int colon = s.indexOf(':');
        final String kind = colon < 0 ? "constant" : s.substring(0, colon).toLowerCase(Locale.ROOT);
        final String rest = colon < 0 ? s : s.substring(colon + 1).trim();
        switch (kind)
        {
            case "constant" ->
            {
                final long n = whole(option, s, "size", rest);
                check(option, s, n >= 0 && n <= maxBytes, "a size from 0 to " + maxBytes + " bytes");
                return new SizeDistribution(s, Shape.CONSTANT, n, 0, null, maxBytes);
            }
            case "uniform" ->
            {
                final String[] range = rest.split("-");
                check(option, s, range.length == 2, "uniform:MIN-MAX");
                final long min = whole(option, s, "MIN", range[0]);
                final long max = whole(option, s, "MAX", range[1]);
                check(option, s, min >= 0 && min <= max && max <= maxBytes,
                    "0 <= MIN <= MAX <= " + maxBytes + " bytes");
                return new SizeDistribution(s, Shape.UNIFORM, min, max, null, maxBytes);
            }
            case "lognormal" ->
            {
                final double median = number(option, s, rest, "median");
                final double sigma = number(option, s, rest, "sigma");
                check(option, s, median >= 1 && median <= maxBytes, "a median from 1 to " + maxBytes + " bytes");
                check(option, s, sigma >= 0 && sigma <= 10, "a sigma from 0 to 10");
                return new SizeDistribution(s, Shape.LOGNORMAL, StrictMath.log(median), sigma, null, maxBytes);
            }
            case "pareto" ->
            {
                final double min = number(option, s, rest, "min");
                final double shape = number(option, s, rest, "shape");
                check(option, s, min >= 1 && min <= maxBytes, "a min from 1 to " + maxBytes + " bytes");
                check(option, s, shape > 0 && shape <= 100, "a shape above 0 and at most 100");
                return new SizeDistribution(s, Shape.PARETO, min, shape, null, maxBytes);
            }
            case "file" -> 
            {
                return new SizeDistribution(s, Shape.EMPIRICAL, 0, 0, read(option, s, rest, maxBytes), maxBytes);
            }
            default -> throw new IllegalArgumentException(option + " '" + s + "': unknown distribution '" + kind +
                "'; " + SYNTAX);
        }
    }

    private static int[] read(final String option, final String spec, final String path, final int maxBytes)
    {
        final List<String> lines;
        try
        {
            lines = Files.readAllLines(Path.of(path), StandardCharsets.UTF_8);
        }
        catch (final java.nio.file.NoSuchFileException e)
        {
            throw new IllegalArgumentException(option + " '" + spec + "': cannot read the file: no such file");
        }
        catch (final IOException | RuntimeException e)
        {
            throw new IllegalArgumentException(option + " '" + spec + "': cannot read the file: " + e.getMessage());
        }
        final List<Integer> sizes = new ArrayList<>();
        for (int k = 0; k < lines.size(); k++)
        {
            final String line = lines.get(k).trim();
            if (line.isEmpty() || line.startsWith("#"))
            {
                continue;
            }
            final String field = line.split(",", 2)[0].trim();
            final long n;
            try
            {
                n = Long.parseLong(field);
            }
            catch (final NumberFormatException e)
            {
                throw new IllegalArgumentException(option + " '" + spec + "': line " + (k + 1) + ", '" + field +
                    "', is not a whole number of bytes");
            }
            if (n < 0 || n > maxBytes)
            {
                throw new IllegalArgumentException(option + " '" + spec + "': line " + (k + 1) + ", " + n +
                    ", is not a size from 0 to " + maxBytes + " bytes");
            }
            sizes.add((int)n);
        }
        if (sizes.isEmpty())
        {
            throw new IllegalArgumentException(option + " '" + spec + "': the file holds no sizes");
        }
        return sizes.stream().mapToInt(Integer::intValue).toArray();
    }

    private static long whole(final String option, final String spec, final String what, final String text)
    {
        try
        {
            return Long.parseLong(text.trim());
        }
        catch (final NumberFormatException e)
        {
            throw new IllegalArgumentException(option + " '" + spec + "': " + what + " '" + text.trim() +
                "' is not a whole number; " + SYNTAX);
        }
    }

    private static double number(final String option, final String spec, final String pairs, final String key)
    {
        for (final String pair : pairs.split(","))
        {
            final int eq = pair.indexOf('=');
            if (eq > 0 && pair.substring(0, eq).trim().equals(key))
            {
                try
                {
                    final double v = Double.parseDouble(pair.substring(eq + 1).trim());
                    if (Double.isFinite(v))
                    {
                        return v;
                    }
                }
                catch (final NumberFormatException e)
                {
                    // reported below
                }
                throw new IllegalArgumentException(option + " '" + spec + "': " + key + " '" +
                    pair.substring(eq + 1).trim() + "' is not a number");
            }
        }
        throw new IllegalArgumentException(option + " '" + spec + "': " + key + "= is missing; " + SYNTAX);
    }

    private static void check(final String option, final String spec, final boolean ok, final String expected)
    {
        if (!ok)
        {
            throw new IllegalArgumentException(option + " '" + spec + "' is out of range: expected " + expected);
        }
    }

    /** @return the smallest value a draw can give. */
    public int least()
    {
        return switch (shape)
        {
            case CONSTANT, UNIFORM -> (int)a;
            case LOGNORMAL, PARETO -> 1;
            case EMPIRICAL -> java.util.Arrays.stream(values).min().orElse(0);
        };
    }

    /** @return whether every draw is the same size. */
    public boolean isConstant()
    {
        return shape == Shape.CONSTANT;
    }

    /**
     * @param seed the run's seed.
     * @param conn the connection's number.
     * @param side 0 for the client's request, 1 for the server's response.
     * @return the size of that connection's message, in bytes: a hash of the three, so every shard draws the same.
     */
    public int bytesFor(final long seed, final long conn, final int side)
    {
        return bytesFor(seed, conn, side, 0);
    }

    /**
     * A draw for one exchange of a persistent connection: exchange 0 draws what {@link #bytesFor(long, long, int)}
     * draws, so a connection's first exchange is the same with or without persistent connections.
     *
     * @param seed     the run's seed.
     * @param conn     the connection's number.
     * @param side     0 for the client's request, 1 for the server's response.
     * @param exchange the exchange, from 0.
     * @return the draw: a hash of the four.
     */
    public int bytesFor(final long seed, final long conn, final int side, final int exchange)
    {
        if (shape == Shape.CONSTANT)
        {
            return (int)a;
        }
        // exchange 0 keeps the draw of a connection with one exchange; later ones salt the seed with their number
        final long s = exchange == 0 ? seed : seed ^ (0x9E3779B97F4A7C15L * exchange);
        final double u = uniform(s, conn, side, 0x5123);
        final double x = switch (shape)
        {
            case UNIFORM -> a + Math.floor(u * (b - a + 1));
            case LOGNORMAL ->
            {
                // Box-Muller from two independent hashes: exp(N(log median, sigma))
                final double u2 = uniform(s, conn, side, 0x5124);
                yield StrictMath.exp(a + b * Math.sqrt(-2 * StrictMath.log(1 - u)) * StrictMath.cos(2 * Math.PI * u2));
            }
            case PARETO -> a / StrictMath.pow(1 - u, 1 / b);
            case EMPIRICAL -> values[(int)Math.min(values.length - 1, (long)(u * values.length))];
            case CONSTANT -> a;
        };
        // lognormal and pareto sizes are at least a byte; constant, uniform and empirical ones may be empty
        final long least = shape == Shape.LOGNORMAL || shape == Shape.PARETO ? 1 : 0;
        return (int)Math.max(least, Math.min(maxBytes, Math.round(x)));
    }

    private static double uniform(final long seed, final long conn, final int side, final long salt)
    {
        return (NetworkModel.mix(NetworkModel.mix(seed ^ salt) + conn * 2 + side) >>> 11) * 0x1.0p-53;
    }

    @Override
    public String toString()
    {
        return text;
    }
}
