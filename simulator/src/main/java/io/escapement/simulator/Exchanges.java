package io.escapement.simulator;

import io.escapement.engine.rto.RtoParameters;

/**
 * The exchanges of persistent connections: how many request-response exchanges a connection carries, the sizes of
 * each exchange's request and response, and the client's think time before each exchange after the first.
 * <p>
 * Every draw is a hash of the seed, the connection and the exchange (as {@link SizeDistribution} draws), so a
 * connection's layout is the same on any {@code --threads} and can be recomputed anywhere (the drop rules do).
 * Exchange 0's sizes are those a connection of one exchange draws, so {@code --exchanges 1} is today's workload.
 * <p>
 * <b>The cut.</b> A direction carries at most {@link Scenario#MAX_SEGMENTS} data segments in all (its units are
 * one 64-bit mask), so the exchanges stop before the first one that would carry more; they also stop after an
 * exchange with an empty request or response (the connection ends with it: a handshake-only connection, or a
 * server that answers by closing), and before an exchange after the first whose request or response would be
 * empty. The number of exchanges actually carried is {@link #layout}'s result. Immutable and thread-safe.
 */
public final class Exchanges
{
    /** The most exchanges a connection carries: each carries at least one segment each way. */
    public static final int MAX = Scenario.MAX_SEGMENTS;
    /** The longest think time between two exchanges, in microseconds (60 exchanges stay within an hour). */
    public static final int MAX_THINK_US = 60_000_000;

    private static final long COUNT_SALT = 0xE7C4A46E5L;
    private static final long THINK_SALT = 0x7A1F7B1E5L;

    private final long seed;
    private final int mss;
    private final SizeDistribution counts;
    private final SizeDistribution thinkUs;
    private final SizeDistribution requests;
    private final SizeDistribution responses;

    /**
     * @param seed      the run's seed.
     * @param mss       the segment size.
     * @param counts    exchanges per connection (each draw clamped to 1 .. {@link #MAX}).
     * @param thinkUs   the client's think time before each exchange after the first, in microseconds.
     * @param requests  request sizes, drawn per exchange.
     * @param responses response sizes, drawn per exchange.
     */
    public Exchanges(final long seed, final int mss, final SizeDistribution counts, final SizeDistribution thinkUs,
        final SizeDistribution requests, final SizeDistribution responses)
    {
        this.seed = seed;
        this.mss = mss;
        this.counts = counts;
        this.thinkUs = thinkUs;
        this.requests = requests;
        this.responses = responses;
    }

    /** @return whether a connection may carry more than one exchange. */
    public boolean isPersistent()
    {
        return !(counts.isConstant() && counts.least() <= 1);
    }

    @Override
    public String toString()
    {
        return counts + " exchanges, think " + thinkUs + " us";
    }

    /** @return the distribution of exchanges per connection, as written. */
    public String counts()
    {
        return counts.toString();
    }

    /** @return the distribution of think times, in microseconds. */
    public String thinkTimesUs()
    {
        return thinkUs.toString();
    }

    /**
     * @param conn the connection.
     * @return exchanges drawn for connection {@code conn}, before the cut: 1 .. {@link #MAX}.
     */
    public int drawnCount(final long conn)
    {
        return Math.max(1, Math.min(MAX, counts.bytesFor(seed ^ COUNT_SALT, conn, 0, 0)));
    }

    /**
     * @param conn     the connection.
     * @param exchange the exchange, from 1 (the first has none: {@code --client-think} applies).
     * @return the client's think time before exchange {@code exchange} of {@code conn}, in microseconds.
     */
    public long thinkUs(final long conn, final int exchange)
    {
        return thinkUs.bytesFor(seed ^ THINK_SALT, conn, 0, exchange);
    }

    /**
     * Lays out connection {@code conn}'s exchanges: for side {@code s} (0 request, 1 response) and exchange
     * {@code k}, {@code units[at + s * MAX + k]} is the data segments of that side's exchanges {@code 0..k} and
     * {@code bytes[at + s * MAX + k]} their bytes.
     *
     * @param conn  the connection.
     * @param units cumulative data segments, {@code 2 * MAX} from {@code at}.
     * @param bytes cumulative bytes, {@code 2 * MAX} from {@code at}.
     * @param at    where the connection's entries start.
     * @return the exchanges the connection carries, after the cut: at least 1.
     */
    public int layout(final long conn, final byte[] units, final int[] bytes, final int at)
    {
        final int drawn = drawnCount(conn);
        int units0 = 0;
        int units1 = 0;
        int bytes0 = 0;
        int bytes1 = 0;
        int n = 0;
        for (int k = 0; k < drawn; k++)
        {
            final int request = requests.bytesFor(seed, conn, 0, k);
            final int response = responses.bytesFor(seed, conn, 1, k);
            final int requestUnits = (request + mss - 1) / mss;
            final int responseUnits = (response + mss - 1) / mss;
            if (k > 0 && (request == 0 || response == 0 || units0 + requestUnits > Scenario.MAX_SEGMENTS ||
                units1 + responseUnits > Scenario.MAX_SEGMENTS))
            {
                break;
            }
            units0 += requestUnits;
            units1 += responseUnits;
            bytes0 += request;
            bytes1 += response;
            units[at + k] = (byte)units0;
            units[at + MAX + k] = (byte)units1;
            bytes[at + k] = bytes0;
            bytes[at + MAX + k] = bytes1;
            n++;
            if (request == 0 || response == 0)
            {
                break;
            }
        }
        return n;
    }

    /**
     * @param conn      the connection.
     * @param side      0 for the requests, 1 for the responses.
     * @param exchanges how many exchanges to count, from the first; all when at least their number.
     * @return the data segments of those exchanges of that side: what a drop rule numbers units by.
     */
    public int unitsThrough(final long conn, final int side, final int exchanges)
    {
        final byte[] units = new byte[2 * MAX];
        final int n = layout(conn, units, new int[2 * MAX], 0);
        final int k = Math.min(n, exchanges);
        return k <= 0 ? 0 : units[side * MAX + k - 1];
    }

    /**
     * Reads a distribution of durations: as {@link SizeDistribution} writes one, with durations for sizes
     * ({@code 100ms}, {@code uniform:10ms-2s}, {@code lognormal:median=200ms,sigma=1}, {@code pareto:min=50ms,shape=1.5};
     * {@code file:PATH} holds whole microseconds, one a line). Draws above {@link #MAX_THINK_US} are cut to it.
     *
     * @param option the option it comes from, for messages.
     * @param spec   the distribution.
     * @return the distribution, in microseconds.
     * @throws IllegalArgumentException naming the option and what is wrong.
     */
    public static SizeDistribution parseDurations(final String option, final String spec)
    {
        final String s = spec.trim();
        final int colon = s.indexOf(':');
        final String kind = colon < 0 ? "" : s.substring(0, colon);
        final String rest = colon < 0 ? s : s.substring(colon + 1);
        final String micros;
        try
        {
            micros = switch (kind)
            {
                case "" -> us(rest);
                case "uniform" ->
                {
                    final int dash = rest.indexOf('-');
                    yield dash < 0 ? s : "uniform:" + us(rest.substring(0, dash)) + "-" + us(rest.substring(dash + 1));
                }
                case "lognormal", "pareto" ->
                {
                    final StringBuilder b = new StringBuilder(kind).append(':');
                    for (final String pair : rest.split(","))
                    {
                        final int eq = pair.indexOf('=');
                        final String key = eq < 0 ? "" : pair.substring(0, eq).trim();
                        b.append(b.charAt(b.length() - 1) == ':' ? "" : ",").append(
                            key.equals("median") || key.equals("min") ? key + "=" + us(pair.substring(eq + 1)) : pair);
                    }
                    yield b.toString();
                }
                default -> s;
            };
        }
        catch (final IllegalArgumentException e)
        {
            throw new IllegalArgumentException(option + " '" + s + "': " + e.getMessage() +
                "; expected DURATION, uniform:MIN-MAX, lognormal:median=D,sigma=S, pareto:min=D,shape=A or file:PATH " +
                "(microseconds)");
        }
        try
        {
            return SizeDistribution.parse(option, micros, MAX_THINK_US);
        }
        catch (final IllegalArgumentException e)
        {
            throw new IllegalArgumentException(e.getMessage().replace(micros, s).replace("bytes", "microseconds"));
        }
    }

    private static String us(final String duration)
    {
        return Long.toString(RtoParameters.parseDurationUs(duration.trim()));
    }
}
