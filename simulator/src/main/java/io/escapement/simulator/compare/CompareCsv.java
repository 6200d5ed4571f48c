package io.escapement.simulator.compare;

import io.escapement.simulator.report.Counter;
import io.escapement.simulator.report.Report;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;

/**
 * Writes {@code compare.csv}: one row per run (a strategy, a seed, a grid point), every metric of that seed. It
 * takes finished runs in any order and writes them in the plan's order with fixed formats (locale-free), so
 * that the same plan gives a byte-identical file whatever executed it (a thread pool here, a cluster later).
 */
public final class CompareCsv
{
    private CompareCsv()
    {
    }

    /**
     * The CSV text: the header, then every run's row in the plan's order.
     *
     * @param grid     the grid the runs cover.
     * @param finished the finished runs, in any order.
     * @return the CSV text.
     */
    public static String write(final Comparison.Grid grid, final List<Comparison.Run> finished)
    {
        final List<Comparison.Run> runs = new ArrayList<>(finished);
        runs.sort(Comparator.comparingInt(r -> r.planned().index()));
        final StringBuilder s = new StringBuilder(header(grid));
        for (final Comparison.Run run : runs)
        {
            s.append(row(run));
        }
        return s.toString();
    }

    /**
     * The header line. With {@link #row}, what an executor elsewhere needs to write the same file: it turns
     * each finished run into its row where the run ran (a row is small, a report is not), and the rows,
     * sorted by {@link Comparison.PlannedRun#index()}, follow this header.
     *
     * @param grid the grid the runs cover.
     * @return the header line, with its newline.
     */
    public static String header(final Comparison.Grid grid)
    {
        final StringBuilder s = new StringBuilder("strategy,seed");
        for (final Comparison.Sweep axis : grid.axes())
        {
            s.append(',').append(axis.parameter());
        }
        s.append(",connections,completed,failed,segments,retransmissions,spurious");
        for (final Metric m : Metric.values())
        {
            s.append(',').append(m.column);
        }
        s.append(",tail_loss_probes,recovery_p50_us,recovery_p99_us,recovery_p50_per_rtt,handshake_p99_us," +
            "completion_p50_us,completion_p99_us");
        for (final Counter c : Counter.values())
        {
            if (c.isOutcome() && c != Counter.OUTCOME_COMPLETED)
            {
                s.append(',').append(c.key().replace("outcome_", "failed_"));
            }
        }
        return s.append('\n').toString();
    }

    /**
     * One run's row: fixed, locale-free formats, so that the same run gives the same bytes anywhere.
     *
     * @param run a finished run.
     * @return its row, with its newline.
     */
    public static String row(final Comparison.Run run)
    {
        final Report r = run.report();
        final StringBuilder s = new StringBuilder();
        s.append('"').append(run.strategy().replace("\"", "\"\"")).append("\",").append(run.seed());
        for (final double v : run.point())
        {
            s.append(',').append(v);
        }
        s.append(',').append(r.counter(Counter.CONNECTIONS)).append(',')
            .append(r.counter(Counter.OUTCOME_COMPLETED)).append(',')
            .append(r.outcomes() - r.counter(Counter.OUTCOME_COMPLETED)).append(',')
            .append(r.counter(Counter.SEGMENTS)).append(',').append(r.counter(Counter.RETX_DATA_AND_FIN))
            .append(',').append(r.counter(Counter.RETX_SPURIOUS_DATA_AND_FIN));
        for (final Metric m : Metric.values())
        {
            final double v = m.of(r);
            s.append(',').append(Double.isNaN(v) ? "" : String.format(Locale.ROOT, "%.6f", v));
        }
        s.append(',').append(r.counter(Counter.RETX_TLP)).append(',').append(p(r.recoveryUs(), 50)).append(',')
            .append(p(r.recoveryUs(), 99)).append(',')
            .append(String.format(Locale.ROOT, "%.3f", p(r.recoveryPerMilliRtt(), 50) / 1000.0)).append(',')
            .append(p(r.handshakeUs(), 99)).append(',').append(p(r.completionUs(), 50)).append(',')
            .append(p(r.completionUs(), 99));
        for (final Counter c : Counter.values())
        {
            if (c.isOutcome() && c != Counter.OUTCOME_COMPLETED)
            {
                s.append(',').append(r.counter(c));
            }
        }
        return s.append('\n').toString();
    }

    private static long p(final org.HdrHistogram.Histogram h, final double percentile)
    {
        return h.getTotalCount() == 0 ? 0 : h.getValueAtPercentile(percentile);
    }
}
