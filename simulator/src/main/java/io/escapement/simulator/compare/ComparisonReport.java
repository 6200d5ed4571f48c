package io.escapement.simulator.compare;

import io.escapement.simulator.report.Counter;
import io.escapement.simulator.report.Report;
import org.HdrHistogram.Histogram;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.markers.SeriesMarkers;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Turns the runs of a {@link Comparison} into what a reader needs to choose a strategy: a CSV of every run, a
 * Markdown report with tables, PNG charts made headlessly (XChart), and a sanity section that checks the
 * simulator against results published in the RTO literature.
 */
public final class ComparisonReport
{
    /** The merged figures of one strategy at one sweep value, over every seed. */
    public static final class Metrics
    {
        public final String strategy;
        public final double value;
        final long[] counters = new long[Counter.values().length];
        final Histogram recoveryUs = new Histogram(3);
        final Histogram recoveryPerMilliRtt = new Histogram(3);
        final Histogram completionUs = new Histogram(3);
        final Histogram handshakeUs = new Histogram(3);
        long bytesPerConnection;

        Metrics(final String strategy, final double value)
        {
            this.strategy = strategy;
            this.value = value;
        }

        void add(final Report report)
        {
            for (final Counter c : Counter.values())
            {
                counters[c.ordinal()] += report.counter(c);
            }
            recoveryUs.add(report.recoveryUs());
            recoveryPerMilliRtt.add(report.recoveryPerMilliRtt());
            completionUs.add(report.completionUs());
            handshakeUs.add(report.handshakeUs());
            bytesPerConnection = report.scenario().requestBytes + report.scenario().responseBytes;
        }

        public long counter(final Counter c)
        {
            return counters[c.ordinal()];
        }

        public double spuriousPerThousandSegments()
        {
            return 1000.0 * counter(Counter.RETX_SPURIOUS_DATA_AND_FIN) / Math.max(1, counter(Counter.SEGMENTS));
        }

        public double perConnection(final Counter c)
        {
            return (double)counter(c) / Math.max(1, counter(Counter.CONNECTIONS));
        }

        public long failed()
        {
            long failed = 0;
            for (final Counter c : Counter.values())
            {
                if (c.isOutcome() && c != Counter.OUTCOME_COMPLETED)
                {
                    failed += counter(c);
                }
            }
            return failed;
        }

        /** @return application bytes per second of a completed connection's life, mean over connections. */
        public double goodputBytesPerSecond()
        {
            return completionUs.getTotalCount() == 0 ? 0 : bytesPerConnection / (completionUs.getMean() / 1e6);
        }

        public Histogram recoveryUs()
        {
            return recoveryUs;
        }

        public Histogram completionUs()
        {
            return completionUs;
        }
    }

    private final List<String> strategies;
    private final Comparison.Sweep sweep;
    private final Map<String, Metrics> metrics = new LinkedHashMap<>();

    public ComparisonReport(final List<String> strategies, final Comparison.Sweep sweep,
        final List<Comparison.Run> runs)
    {
        this.strategies = strategies;
        this.sweep = sweep;
        for (final Comparison.Run run : runs)
        {
            metrics.computeIfAbsent(key(run.strategy(), run.sweepValue()),
                k -> new Metrics(run.strategy(), run.sweepValue())).add(run.report());
        }
    }

    private static String key(final String strategy, final double value)
    {
        return strategy + "@" + value;
    }

    /** @return the merged figures of a strategy at a sweep value. */
    public Metrics metrics(final String strategy, final double value)
    {
        return metrics.get(key(strategy, value));
    }

    /** @return one row per run: the raw numbers behind every table and chart. */
    public static String csv(final Comparison.Sweep sweep, final List<Comparison.Run> runs)
    {
        final StringBuilder s = new StringBuilder("strategy,seed," + sweep.parameter() + ",connections,completed," +
            "failed,segments,retransmissions,spurious,spurious_per_1000_segments,rto_expiries_per_connection," +
            "tail_loss_probes,recovery_mean_us,recovery_p50_us,recovery_p99_us,recovery_p50_per_rtt," +
            "handshake_p99_us,completion_p50_us,completion_p99_us" + failureColumns() + "\n");
        for (final Comparison.Run run : runs)
        {
            final Report r = run.report();
            final long failed = r.outcomes() - r.counter(Counter.OUTCOME_COMPLETED);
            s.append('"').append(run.strategy()).append("\",").append(run.seed()).append(',')
                .append(run.sweepValue()).append(',').append(r.counter(Counter.CONNECTIONS)).append(',')
                .append(r.counter(Counter.OUTCOME_COMPLETED)).append(',').append(failed).append(',')
                .append(r.counter(Counter.SEGMENTS)).append(',').append(r.counter(Counter.RETX_DATA_AND_FIN))
                .append(',').append(r.counter(Counter.RETX_SPURIOUS_DATA_AND_FIN)).append(',')
                .append(String.format(Locale.ROOT, "%.2f", r.spuriousPerThousandSegments())).append(',')
                .append(String.format(Locale.ROOT, "%.4f",
                    (double)r.counter(Counter.RTO_EXPIRIES) / r.counter(Counter.CONNECTIONS))).append(',')
                .append(r.counter(Counter.RETX_TLP)).append(',')
                .append(Math.round(mean(r.recoveryUs()))).append(',').append(p(r.recoveryUs(), 50)).append(',')
                .append(p(r.recoveryUs(), 99)).append(',')
                .append(String.format(Locale.ROOT, "%.2f", p(r.recoveryPerMilliRtt(), 50) / 1000.0)).append(',')
                .append(p(r.handshakeUs(), 99)).append(',').append(p(r.completionUs(), 50)).append(',')
                .append(p(r.completionUs(), 99));
            for (final Counter c : Counter.values())
            {
                if (c.isOutcome() && c != Counter.OUTCOME_COMPLETED)
                {
                    s.append(',').append(r.counter(c));
                }
            }
            s.append('\n');
        }
        return s.toString();
    }

    private static String failureColumns()
    {
        final StringBuilder s = new StringBuilder();
        for (final Counter c : Counter.values())
        {
            if (c.isOutcome() && c != Counter.OUTCOME_COMPLETED)
            {
                s.append(',').append(c.key().replace("outcome_", "failed_"));
            }
        }
        return s.toString();
    }

    /** @return the Markdown table of failed connections by reason, per strategy, at one sweep value. */
    public String failureTable(final double value)
    {
        final StringBuilder head = new StringBuilder("| strategy |");
        final StringBuilder rule = new StringBuilder("|---|");
        for (final Counter c : Counter.values())
        {
            if (c.isOutcome() && c != Counter.OUTCOME_COMPLETED)
            {
                head.append(' ').append(c.description.replace("failed: ", "")).append(" |");
                rule.append("---:|");
            }
        }
        final StringBuilder s = new StringBuilder(head).append('\n').append(rule).append('\n');
        for (final String strategy : strategies)
        {
            final Metrics m = metrics(strategy, value);
            s.append("| `").append(strategy).append("` |");
            for (final Counter c : Counter.values())
            {
                if (c.isOutcome() && c != Counter.OUTCOME_COMPLETED)
                {
                    s.append(' ').append(m.counter(c)).append(" |");
                }
            }
            s.append('\n');
        }
        return s.toString();
    }

    /** @return the Markdown table of every strategy at one sweep value. */
    public String table(final double value)
    {
        final StringBuilder s = new StringBuilder();
        s.append("| strategy | spurious / 1000 segments | spurious / connection | RTO expiries / connection | " +
            "tail loss probes / connection | real loss to retransmission: mean, p50, p99 (ms) | same, p50 in RTTs | " +
            "handshake p99 (ms) | completion p50 / p99 (ms) | goodput (kB/s per connection) | failed |\n");
        s.append("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
        for (final String strategy : strategies)
        {
            final Metrics m = metrics(strategy, value);
            s.append(String.format(Locale.ROOT,
                "| `%s` | %.1f | %.3f | %.3f | %.3f | %s, %s, %s | %.1f | %s | %s / %s | %.1f | %d |%n",
                strategy, m.spuriousPerThousandSegments(), m.perConnection(Counter.RETX_SPURIOUS_DATA_AND_FIN),
                m.perConnection(Counter.RTO_EXPIRIES), m.perConnection(Counter.RETX_TLP),
                ms(mean(m.recoveryUs)), ms(p(m.recoveryUs, 50)), ms(p(m.recoveryUs, 99)),
                p(m.recoveryPerMilliRtt, 50) / 1000.0, ms(p(m.handshakeUs, 99)), ms(p(m.completionUs, 50)),
                ms(p(m.completionUs, 99)), m.goodputBytesPerSecond() / 1000, m.failed()));
        }
        return s.toString();
    }

    // ------------------------------------------------------------------------------------------------ charts

    /** Spurious retransmissions per 1000 segments against the swept parameter, a line per strategy. */
    public void spuriousChart(final Path file, final String subtitle) throws IOException
    {
        final XYChart chart = new XYChartBuilder().width(1000).height(600)
            .title("Spurious retransmissions per 1000 segments; " + subtitle)
            .xAxisTitle(sweep.label()).yAxisTitle("spurious / 1000 segments").build();
        style(chart);
        final double[] values = values();
        for (final String strategy : strategies)
        {
            final double[] x = new double[values.length];
            final double[] y = new double[values.length];
            for (int k = 0; k < values.length; k++)
            {
                x[k] = sweep.axis(values[k]);
                y[k] = metrics(strategy, values[k]).spuriousPerThousandSegments();
            }
            chart.addSeries(strategy, x, y);
        }
        save(chart, file);
    }

    /** The distribution of how long a real loss waited to be resent, a CDF per strategy, at one sweep value. */
    public void recoveryCdfChart(final Path file, final double value, final String subtitle) throws IOException
    {
        final XYChart chart = new XYChartBuilder().width(1000).height(600)
            .title("Real loss to its first retransmission, CDF; " + subtitle)
            .xAxisTitle("wait (ms)").yAxisTitle("fraction of real losses").build();
        style(chart);
        chart.getStyler().setYAxisMin(0.0).setYAxisMax(1.0).setYAxisDecimalPattern("0.0");
        for (final String strategy : strategies)
        {
            final Histogram h = metrics(strategy, value).recoveryUs;
            if (h.getTotalCount() == 0)
            {
                continue;
            }
            final List<Double> x = new ArrayList<>();
            final List<Double> y = new ArrayList<>();
            for (double q = 0.5; q <= 100.0; q += 0.5)
            {
                x.add(h.getValueAtPercentile(q) / 1000.0);
                y.add(q / 100.0);
            }
            chart.addSeries(strategy, x, y).setMarker(SeriesMarkers.NONE);
        }
        save(chart, file);
    }

    /** Completion time p99 per strategy, a bar each, at one sweep value. */
    public void completionChart(final Path file, final double value, final String subtitle) throws IOException
    {
        final CategoryChart chart = new CategoryChartBuilder().width(1000).height(600)
            .title("Connection completion time, p50 and p99; " + subtitle)
            .xAxisTitle("strategy").yAxisTitle("ms").build();
        chart.getStyler().setLegendPosition(Styler.LegendPosition.InsideNW);
        chart.getStyler().setXAxisLabelRotation(20);
        final List<Double> p50 = new ArrayList<>();
        final List<Double> p99 = new ArrayList<>();
        for (final String strategy : strategies)
        {
            p50.add(p(metrics(strategy, value).completionUs, 50) / 1000.0);
            p99.add(p(metrics(strategy, value).completionUs, 99) / 1000.0);
        }
        chart.addSeries("p50", strategies, p50);
        chart.addSeries("p99", strategies, p99);
        BitmapEncoder.saveBitmap(chart, file.toString(), BitmapEncoder.BitmapFormat.PNG);
    }

    /** RTO over time per strategy, and the RTT samples of the first, for one long-lived connection. */
    public static void timelineChart(final Path file, final Map<String, List<RtoTimeline.Point>> timelines,
        final String subtitle) throws IOException
    {
        final XYChart chart = new XYChartBuilder().width(1200).height(650)
            .title("RTO and sampled RTT over time, one connection: " + subtitle)
            .xAxisTitle("time (s)").yAxisTitle("ms").build();
        style(chart);
        boolean samplesShown = false;
        for (final Map.Entry<String, List<RtoTimeline.Point>> e : timelines.entrySet())
        {
            final List<Double> x = new ArrayList<>();
            final List<Double> y = new ArrayList<>();
            final List<Double> sx = new ArrayList<>();
            final List<Double> sy = new ArrayList<>();
            for (final RtoTimeline.Point point : e.getValue())
            {
                x.add(point.atUs() / 1e6);
                y.add(point.rtoUs() / 1000.0);
                if (point.sampleUs() > 0)
                {
                    sx.add(point.atUs() / 1e6);
                    sy.add(point.sampleUs() / 1000.0);
                }
            }
            if (x.isEmpty())
            {
                continue;
            }
            chart.addSeries("RTO " + e.getKey(), x, y).setMarker(SeriesMarkers.NONE);
            if (!samplesShown && !sx.isEmpty())
            {
                final XYSeries samples = chart.addSeries("RTT samples (" + e.getKey() + ")", sx, sy);
                samples.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Scatter);
                samples.setMarker(SeriesMarkers.CIRCLE);
                samplesShown = true;
            }
        }
        save(chart, file);
    }

    private static void style(final XYChart chart)
    {
        chart.getStyler().setLegendPosition(Styler.LegendPosition.OutsideE);
        chart.getStyler().setMarkerSize(4);
        chart.getStyler().setPlotGridLinesVisible(true);
    }

    private static void save(final XYChart chart, final Path file) throws IOException
    {
        BitmapEncoder.saveBitmap(chart, file.toString(), BitmapEncoder.BitmapFormat.PNG);
    }

    private double[] values()
    {
        return metrics.values().stream().mapToDouble(m -> m.value).distinct().sorted().toArray();
    }

    static long p(final Histogram h, final double percentile)
    {
        return h.getTotalCount() == 0 ? 0 : h.getValueAtPercentile(percentile);
    }

    static double mean(final Histogram h)
    {
        return h.getTotalCount() == 0 ? 0 : h.getMean();
    }

    static String ms(final double us)
    {
        return String.format(Locale.ROOT, "%.0f", us / 1000.0);
    }

    public static void write(final Path file, final String text) throws IOException
    {
        Files.writeString(file, text, StandardCharsets.UTF_8);
    }
}
