package io.escapement.sweep;

import io.escapement.simulator.Scenario;
import io.escapement.simulator.report.Counter;
import io.escapement.simulator.report.Report;
import io.escapement.simulator.report.ShardStats;
import org.HdrHistogram.Histogram;

import java.io.Serializable;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.DataFormatException;

/**
 * What one run measured, compactly: the counters, the five latency histograms (HdrHistogram's compressed
 * encoding), the per-second gauges and the cost figures, without the {@link io.escapement.simulator.Simulation}
 * or its scenario. A Spark task returns one (a few kilobytes) and writes it as a CSV row; the driver turns it back
 * into a {@link Report} equal to the run's own in every figure ({@link Report#resultsJson()} byte for byte, drop
 * rule counts aside, which live in the scenario), by merging one shard's statistics as the simulation does.
 *
 * <p>The CSV row keeps the counters by name, so a file written by an older simulator reads back as long as the
 * names it has still exist; the key of a stored run includes the counter names for that reason.
 */
public final class RunResult implements Serializable
{
    private static final long serialVersionUID = 1L;

    /** The histograms, in the order of the CSV columns. */
    private static final String[] HISTOGRAMS = {"handshake_us", "completion_us", "active_close_us",
        "loss_recovery_us", "loss_recovery_per_rtt_milli"};
    private static final String[] SCALARS = {"virtual_time_us", "timers_left", "connections_left", "wall_ns",
        "peak_heap_bytes", "retained_heap_bytes"};

    final RunSpec spec;
    private final long[] counters;
    private final byte[][] histograms;
    private final int[] openBySecond;
    private final int[] timeWaitBySecond;
    private final long[] scalars;

    private RunResult(final RunSpec spec, final long[] counters, final byte[][] histograms, final int[] openBySecond,
        final int[] timeWaitBySecond, final long[] scalars)
    {
        this.spec = spec;
        this.counters = counters;
        this.histograms = histograms;
        this.openBySecond = openBySecond;
        this.timeWaitBySecond = timeWaitBySecond;
        this.scalars = scalars;
    }

    /** @return the compact form of a run's report. */
    public static RunResult of(final RunSpec spec, final Report report)
    {
        final long[] counters = new long[Counter.values().length];
        for (final Counter c : Counter.values())
        {
            counters[c.ordinal()] = report.counter(c);
        }
        final Histogram[] h = {report.handshakeUs(), report.completionUs(), report.closeUs(), report.recoveryUs(),
            report.recoveryPerMilliRtt()};
        final byte[][] encoded = new byte[h.length][];
        for (int k = 0; k < h.length; k++)
        {
            encoded[k] = encode(h[k]);
        }
        return new RunResult(spec, counters, encoded, report.openBySecond(), report.timeWaitBySecond(),
            new long[]{report.virtualTimeUs(), report.timersLeft(), report.connectionsLeft(), report.wallNanos(),
                report.peakHeapBytes(), report.retainedHeapBytes()});
    }

    /** @return this result under another spec of the same run (its place in another sweep's order). */
    RunResult at(final RunSpec other)
    {
        return new RunResult(other, counters, histograms, openBySecond, timeWaitBySecond, scalars);
    }

    /** @return the run this result is of. */
    public RunSpec spec()
    {
        return spec;
    }

    /**
     * Rebuilds the run's report, as {@link io.escapement.simulator.Simulation} builds it from its shards.
     *
     * @param scenario the run's scenario (the driver builds it again from the options: it is not shipped).
     */
    public Report toReport(final Scenario scenario)
    {
        final ShardStats stats = new ShardStats();
        System.arraycopy(counters, 0, stats.counters, 0, counters.length);
        final Histogram[] h = {stats.handshakeUs, stats.completionUs, stats.closeUs, stats.recoveryUs,
            stats.recoveryPerMilliRtt};
        for (int k = 0; k < h.length; k++)
        {
            h[k].add(decode(histograms[k]));
        }
        // Report keeps the prefix sums of per-second deltas; a shard holds the deltas, the change at second k
        // filed under index k (a change at time t counts from second floor(t) + 1). The last index is touched
        // first, so that the delta arrays have the length the report was cut to.
        final int seconds = openBySecond.length;
        if (seconds != timeWaitBySecond.length || seconds < 2 || openBySecond[0] != 0 || timeWaitBySecond[0] != 0)
        {
            throw new IllegalStateException("run " + spec.describe() + ": malformed gauges");
        }
        stats.openChanged((seconds - 2) * 1_000_000L, 0);
        stats.timeWaitChanged((seconds - 2) * 1_000_000L, 0);
        for (int k = 1; k < seconds; k++)
        {
            stats.openChanged((k - 1) * 1_000_000L, openBySecond[k] - openBySecond[k - 1]);
            stats.timeWaitChanged((k - 1) * 1_000_000L, timeWaitBySecond[k] - timeWaitBySecond[k - 1]);
        }
        stats.lastEvent(scalars[0]);
        return Report.merge(scenario, 1, List.of(stats), scalars[3], scalars[4], scalars[5], scalars[1], scalars[2]);
    }

    // ------------------------------------------------------------------------------------------------ CSV

    /** @return the header of {@link #toCsv()}'s rows. */
    public static String csvHeader()
    {
        final StringBuilder s = new StringBuilder("key,index,strategy,seed,parameter,value");
        for (final Counter c : Counter.values())
        {
            s.append(',').append(c.key());
        }
        for (final String name : SCALARS)
        {
            s.append(',').append(name);
        }
        s.append(",open_by_second,time_wait_by_second");
        for (final String name : HISTOGRAMS)
        {
            s.append(',').append(name);
        }
        return s.toString();
    }

    /**
     * @return one CSV row: the run's identity, its counters and figures, the gauges as space-separated counts per
     * second, and each histogram as Base64 of HdrHistogram's compressed encoding (as in HdrHistogram's log format).
     */
    public String toCsv()
    {
        final StringBuilder s = new StringBuilder();
        s.append(spec.key()).append(',').append(spec.index()).append(",\"").append(spec.strategy()).append("\",")
            .append(spec.seed()).append(',').append(spec.parameters()).append(',').append(spec.pointText());
        for (final long c : counters)
        {
            s.append(',').append(c);
        }
        for (final long v : scalars)
        {
            s.append(',').append(v);
        }
        s.append(',').append(join(openBySecond)).append(',').append(join(timeWaitBySecond));
        for (final byte[] h : histograms)
        {
            s.append(',').append(Base64.getEncoder().encodeToString(h));
        }
        return s.toString();
    }

    /**
     * Reads a row of {@link #toCsv()} under its header.
     *
     * @throws IllegalArgumentException if the row does not fit the header or a field is malformed.
     */
    public static RunResult parse(final String header, final String row)
    {
        final List<String> names = split(header);
        final List<String> fields = split(row);
        if (names.size() != fields.size())
        {
            throw new IllegalArgumentException("a stored run has " + fields.size() + " fields under a header of " +
                names.size());
        }
        final Map<String, String> byName = new HashMap<>();
        for (int k = 0; k < names.size(); k++)
        {
            byName.put(names.get(k), fields.get(k));
        }
        try
        {
            final RunSpec spec = new RunSpec(Integer.parseInt(get(byName, "index")), get(byName, "strategy"),
                Long.parseLong(get(byName, "seed")), get(byName, "parameter"),
                RunSpec.parsePoint(get(byName, "value")), get(byName, "key"));
            final long[] counters = new long[Counter.values().length];
            for (final Counter c : Counter.values())
            {
                counters[c.ordinal()] = Long.parseLong(get(byName, c.key()));
            }
            final long[] scalars = new long[SCALARS.length];
            for (int k = 0; k < SCALARS.length; k++)
            {
                scalars[k] = Long.parseLong(get(byName, SCALARS[k]));
            }
            final byte[][] histograms = new byte[HISTOGRAMS.length][];
            for (int k = 0; k < HISTOGRAMS.length; k++)
            {
                histograms[k] = Base64.getDecoder().decode(get(byName, HISTOGRAMS[k]));
                decode(histograms[k]); // malformed input fails here, not on the driver's merge
            }
            return new RunResult(spec, counters, histograms, ints(get(byName, "open_by_second")),
                ints(get(byName, "time_wait_by_second")), scalars);
        }
        catch (final IllegalStateException e)
        {
            throw new IllegalArgumentException(e.getMessage(), e);
        }
    }

    private static String get(final Map<String, String> byName, final String name)
    {
        final String value = byName.get(name);
        if (value == null)
        {
            throw new IllegalArgumentException("a stored run has no column '" + name + "'");
        }
        return value;
    }

    /** Splits a row on commas outside double quotes (only the strategy is quoted; it holds no quote). */
    private static List<String> split(final String row)
    {
        final List<String> fields = new ArrayList<>();
        final StringBuilder field = new StringBuilder();
        boolean quoted = false;
        for (int k = 0; k < row.length(); k++)
        {
            final char c = row.charAt(k);
            if (c == '"')
            {
                quoted = !quoted;
            }
            else if (c == ',' && !quoted)
            {
                fields.add(field.toString());
                field.setLength(0);
            }
            else
            {
                field.append(c);
            }
        }
        fields.add(field.toString());
        return fields;
    }

    private static String join(final int[] values)
    {
        final StringBuilder s = new StringBuilder();
        for (int k = 0; k < values.length; k++)
        {
            s.append(k == 0 ? "" : " ").append(values[k]);
        }
        return s.toString();
    }

    private static int[] ints(final String text)
    {
        return text.isEmpty() ? new int[0] : Arrays.stream(text.split(" ")).mapToInt(Integer::parseInt).toArray();
    }

    private static byte[] encode(final Histogram h)
    {
        final ByteBuffer buffer = ByteBuffer.allocate(h.getNeededByteBufferCapacity());
        final int length = h.encodeIntoCompressedByteBuffer(buffer);
        return Arrays.copyOf(buffer.array(), length);
    }

    private static Histogram decode(final byte[] bytes)
    {
        try
        {
            return Histogram.decodeFromCompressedByteBuffer(ByteBuffer.wrap(bytes), 0);
        }
        catch (final DataFormatException | RuntimeException e)
        {
            throw new IllegalStateException("a stored histogram is malformed: " + e, e);
        }
    }
}
