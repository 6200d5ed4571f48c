package io.escapement.simulator.compare;

import io.escapement.simulator.report.Counter;
import io.escapement.simulator.report.Report;
import org.HdrHistogram.Histogram;
import org.knowm.xchart.AnnotationLine;
import org.knowm.xchart.AnnotationText;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;
import org.knowm.xchart.CategorySeries;
import org.knowm.xchart.HeatMapChart;
import org.knowm.xchart.HeatMapChartBuilder;
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
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Turns the finished runs of a {@link Comparison} into what a reader needs to choose a strategy: Markdown tables
 * of every {@link Metric} as a mean over seeds with its 95% interval ({@link Stats}), paired differences between
 * strategies on the same seeds, and PNG charts (XChart, headless), each with the CSV of exactly what it draws.
 * Every chart gives a strategy the same look ({@link Palette}).
 */
public final class ComparisonReport
{
    /** The metrics compared pair by pair, and the word for "B is lower than A" on each. */
    static final Map<Metric, String> PAIRED = new java.util.LinkedHashMap<>();

    static
    {
        PAIRED.put(Metric.SPURIOUS, "fewer spurious retransmissions");
        PAIRED.put(Metric.RECOVERY_WAIT, "a shorter recovery wait");
        PAIRED.put(Metric.COMPLETION_P99, "a shorter p99 completion");
    }

    /** Titles carry the workload, so they are long: a smaller font than XChart's keeps them inside the chart. */
    private static final java.awt.Font TITLE = new java.awt.Font(java.awt.Font.SANS_SERIF, java.awt.Font.BOLD, 12);

    private final List<String> strategies;
    private final Comparison.Grid grid;
    private final List<Long> seeds;
    private final Palette palette;
    private final Map<String, Report[]> reports = new HashMap<>();
    private final long connectionsPerRun;

    /**
     * @param runs finished runs, in any order: each (strategy, point) must have a run for every seed.
     * @param strategies the strategies' specifications, in the report's order.
     * @param grid the grid the runs cover.
     * @param seeds the seeds, each an independent replication.
     * @param palette the look of each strategy in the charts.
     */
    public ComparisonReport(final List<String> strategies, final Comparison.Grid grid, final List<Long> seeds,
        final List<Comparison.Run> runs, final Palette palette)
    {
        this.strategies = List.copyOf(strategies);
        this.grid = grid;
        this.seeds = List.copyOf(seeds);
        this.palette = palette;
        long connections = 0;
        for (final Comparison.Run run : runs)
        {
            reports.computeIfAbsent(key(run.strategy(), run.point()), k -> new Report[seeds.size()])
                [seeds.indexOf(run.seed())] = run.report();
            connections = run.report().scenario().connections;
        }
        connectionsPerRun = connections;
    }

    private static String key(final String strategy, final double[] point)
    {
        return strategy + "@" + Arrays.toString(point);
    }

    private Report[] reports(final String strategy, final double[] point)
    {
        final Report[] r = reports.get(key(strategy, point));
        if (r == null)
        {
            throw new IllegalArgumentException("no runs of " + strategy + " at " + grid.format(point));
        }
        return r;
    }

    /**
     * The metric on each seed, in the order of the seeds; NaN where a seed has no data for it.
     *
     * @param strategy the strategy's specification.
     * @param point a grid point, one value per axis.
     * @param metric the metric.
     * @return the metric on each seed, in the order of the seeds; NaN where a seed has no data for it.
     */
    public double[] perSeed(final String strategy, final double[] point, final Metric metric)
    {
        final Report[] r = reports(strategy, point);
        final double[] v = new double[r.length];
        for (int k = 0; k < r.length; k++)
        {
            v[k] = metric.of(r[k]);
        }
        return v;
    }

    /**
     * The mean over seeds and its 95% interval.
     *
     * @param strategy the strategy's specification.
     * @param point a grid point, one value per axis.
     * @param metric the metric.
     * @return the mean over seeds and its 95% interval.
     */
    public Stats.Interval interval(final String strategy, final double[] point, final Metric metric)
    {
        return Stats.of(perSeed(strategy, point, metric));
    }

    /**
     * {@code b - a}, seed by seed, its mean and 95% interval.
     *
     * @param a strategy A, the baseline.
     * @param b strategy B.
     * @param point a grid point, one value per axis.
     * @param metric the metric.
     * @return {@code b - a}, seed by seed, its mean and 95% interval.
     */
    public Stats.Interval paired(final String a, final String b, final double[] point, final Metric metric)
    {
        return Stats.paired(perSeed(a, point, metric), perSeed(b, point, metric));
    }

    /** @return the connections of each run. */
    public long connectionsPerRun()
    {
        return connectionsPerRun;
    }

    /** @return how many seeds and connections stand behind a mean, in words. */
    public String basis()
    {
        return String.format(Locale.ROOT, "mean over %d seed%s ± the half-width of its 95%% confidence interval " +
            "(Student's t, %d degrees of freedom); each seed is one run of %,d connections", seeds.size(),
            seeds.size() == 1 ? "" : "s", Math.max(0, seeds.size() - 1), connectionsPerRun);
    }

    /**
     * The Markdown table of every metric of every strategy at a point.
     *
     * @param point a grid point, one value per axis.
     * @return the Markdown table of every metric of every strategy at a point.
     */
    public String table(final double[] point)
    {
        final StringBuilder s = new StringBuilder("| strategy |");
        final StringBuilder rule = new StringBuilder("|---|");
        for (final Metric m : Metric.values())
        {
            s.append(' ').append(m.heading).append(" |");
            rule.append("---:|");
        }
        s.append('\n').append(rule).append('\n');
        for (final String strategy : strategies)
        {
            s.append("| `").append(strategy).append("` |");
            for (final Metric m : Metric.values())
            {
                final Stats.Interval i = interval(strategy, point, m);
                s.append(' ').append(i.format(m.decimals));
                if (i.n() > 0 && i.n() < seeds.size())
                {
                    s.append(" (").append(i.n()).append(" seeds)");
                }
                s.append(" |");
            }
            s.append('\n');
        }
        return s.toString();
    }

    /** A pair of strategies that the seeds cannot rank on a metric. */
    public record Unranked(String a, String b, Metric metric, Stats.Interval difference)
    {
    }

    /**
     * @param unranked receives the pairs whose interval includes zero (or that have no interval).
     * @return the Markdown table of paired differences at a point, every pair of strategies.
     * @param point a grid point, one value per axis.
     */
    public String pairedTable(final double[] point, final List<Unranked> unranked)
    {
        final StringBuilder s = new StringBuilder("| B − A |");
        final StringBuilder rule = new StringBuilder("|---|");
        for (final Metric m : PAIRED.keySet())
        {
            s.append(' ').append(m.heading).append(" |");
            rule.append("---|");
        }
        s.append('\n').append(rule).append('\n');
        for (int i = 0; i < strategies.size(); i++)
        {
            for (int j = i + 1; j < strategies.size(); j++)
            {
                final String a = strategies.get(i);
                final String b = strategies.get(j);
                s.append("| `").append(b).append("` − `").append(a).append("` |");
                for (final Map.Entry<Metric, String> e : PAIRED.entrySet())
                {
                    final Stats.Interval d = paired(a, b, point, e.getKey());
                    s.append(' ').append(d.format(e.getKey().decimals == 0 ? 1 : e.getKey().decimals));
                    if (d.excludesZero())
                    {
                        s.append(": **").append(d.mean() < 0 ? "B" : "A").append("** has ").append(e.getValue());
                    }
                    else if (d.n() > 0 && (d.mean() != 0 || d.halfWidth() != 0))
                    {
                        s.append(": not ranked");
                        unranked.add(new Unranked(a, b, e.getKey(), d));
                    }
                    else if (d.n() > 0)
                    {
                        s.append(": identical on every seed");
                    }
                    s.append(" |");
                }
                s.append('\n');
            }
        }
        return s.toString();
    }

    /**
     * @return pairs {@code [earlier, later]} of strategies whose every metric is identical on every seed at a
     * point: they draw one line there.
     * @param point a grid point, one value per axis.
     */
    public List<String[]> coincidences(final double[] point)
    {
        final List<String[]> pairs = new ArrayList<>();
        for (int j = 0; j < strategies.size(); j++)
        {
            for (int i = 0; i < j; i++)
            {
                boolean same = true;
                for (final Metric m : Metric.values())
                {
                    same &= Arrays.equals(perSeed(strategies.get(i), point, m), perSeed(strategies.get(j), point, m));
                }
                if (same)
                {
                    pairs.add(new String[]{strategies.get(i), strategies.get(j)});
                    break; // named after the first it equals
                }
            }
        }
        return pairs;
    }

    /**
     * Pairs that draw lines a reader cannot tell apart without being identical: on every metric at the point, the
     * paired difference either has an interval that includes zero or is under 1% of the larger mean. The report
     * names them, since their lines hide each other in the charts.
     *
     * @param point a grid point, one value per axis.
     * @return pairs {@code [earlier, later]}, each later strategy with the first it overlaps, identical pairs
     * ({@link #coincidences}) left out.
     */
    public List<String[]> overlaps(final double[] point)
    {
        final List<String[]> identical = coincidences(point);
        final List<String[]> pairs = new ArrayList<>();
        for (int j = 0; j < strategies.size(); j++)
        {
            final String later = strategies.get(j);
            if (identical.stream().anyMatch(p -> p[1].equals(later)))
            {
                continue;
            }
            for (int i = 0; i < j; i++)
            {
                boolean close = true;
                for (final Metric m : Metric.values())
                {
                    final double[] a = perSeed(strategies.get(i), point, m);
                    final double[] b = perSeed(later, point, m);
                    final Stats.Interval d = Stats.paired(a, b);
                    final double scale = Math.max(Math.abs(Stats.of(a).mean()), Math.abs(Stats.of(b).mean()));
                    close &= d.n() == 0 || !d.excludesZero() || Math.abs(d.mean()) < 0.01 * scale;
                }
                if (close)
                {
                    pairs.add(new String[]{strategies.get(i), later});
                    break; // named after the first it overlaps
                }
            }
        }
        return pairs;
    }

    /** @return the series name: the strategy, and the earlier series it lies on, if any. */
    private static String seriesName(final String strategy, final Map<String, double[]> drawn, final double[] y)
    {
        for (final Map.Entry<String, double[]> e : drawn.entrySet())
        {
            if (Arrays.equals(e.getValue(), y))
            {
                drawn.put(strategy, y);
                return strategy + " (on " + e.getKey() + ")";
            }
        }
        drawn.put(strategy, y);
        return strategy;
    }

    /**
     * The Markdown table of failed connections by reason, summed over seeds, at a point.
     *
     * @param point a grid point, one value per axis.
     * @return the Markdown table of failed connections by reason, summed over seeds, at a point.
     */
    public String failureTable(final double[] point)
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
            s.append("| `").append(strategy).append("` |");
            for (final Counter c : Counter.values())
            {
                if (c.isOutcome() && c != Counter.OUTCOME_COMPLETED)
                {
                    long sum = 0;
                    for (final Report r : reports(strategy, point))
                    {
                        sum += r.counter(c);
                    }
                    s.append(' ').append(sum).append(" |");
                }
            }
            s.append('\n');
        }
        return s.toString();
    }

    // ------------------------------------------------------------------------------------------------ charts

    /**
     * A metric against the first swept parameter (the second, if any, at its reference value), a line per
     * strategy with 95% error bars; writes {@code file.png} and {@code file.csv}.
     * @param file the chart's path without an extension: {@code .png} and {@code .csv} are added.
     * @param metric the metric.
     * @param workload the workload in words, for the title.
     * @throws IOException if a file cannot be written.
     */
    public void metricChart(final Path file, final Metric metric, final String workload) throws IOException
    {
        final Comparison.Sweep axis = grid.axes().get(0);
        final double[] reference = grid.reference();
        final XYChart chart = new XYChartBuilder().width(1250).height(620)
            .title(metric.heading + " vs " + axis.parameter() + " (mean ± 95% CI, " + seeds.size() + " seeds); " +
                workload)
            .xAxisTitle(axis.label()).yAxisTitle(metric.heading).build();
        style(chart);
        chart.getStyler().setErrorBarsColorSeriesColor(true);
        final StringBuilder csv = new StringBuilder("strategy," + axis.parameter() + ",n,mean,ci95_low,ci95_high\n");
        final double[] values = axis.values();
        final Map<String, double[]> drawn = new java.util.LinkedHashMap<>();
        for (final String strategy : strategies)
        {
            final double[] x = new double[values.length];
            final double[] y = new double[values.length];
            final double[] e = new double[values.length];
            for (int k = 0; k < values.length; k++)
            {
                final double[] point = reference.clone();
                point[0] = values[k];
                final Stats.Interval i = interval(strategy, point, metric);
                x[k] = axis.axis(values[k]);
                y[k] = Double.isNaN(i.mean()) ? 0 : i.mean();
                e[k] = Double.isNaN(i.halfWidth()) ? 0 : i.halfWidth();
                csv.append(csvRow(strategy, values[k], i));
            }
            paint(chart.addSeries(seriesName(strategy, drawn, y), x, y, e), strategy);
        }
        save(chart, file, csv);
    }

    private static String csvRow(final String strategy, final double value, final Stats.Interval i)
    {
        return String.format(Locale.ROOT, "\"%s\",%s,%d,%s,%s,%s%n", strategy, value, i.n(), num(i.mean()),
            num(i.low()), num(i.high()));
    }

    private static String num(final double v)
    {
        return Double.isNaN(v) ? "" : String.format(Locale.ROOT, "%.6f", v);
    }

    /**
     * The deciles of the real-loss wait at a point, mean over seeds with 95% error bars, a line per strategy.
     *
     * @param file the chart's path without an extension: {@code .png} and {@code .csv} are added.
     * @param point a grid point, one value per axis.
     * @param workload the workload in words, for the title.
     * @throws IOException if a file cannot be written.
     */
    public void recoveryQuantileChart(final Path file, final double[] point, final String workload)
        throws IOException
    {
        final XYChart chart = new XYChartBuilder().width(1250).height(620)
            .title("Recovery wait quantiles (the CDF, axes swapped; mean ± 95% CI, " + seeds.size() + " seeds); " +
                workload)
            .xAxisTitle("fraction of real losses waiting at most y").yAxisTitle("wait (ms)").build();
        style(chart);
        chart.getStyler().setErrorBarsColorSeriesColor(true);
        final double[] quantiles = {0.05, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95, 0.99};
        final StringBuilder csv = new StringBuilder("strategy,fraction,n,mean_ms,ci95_low_ms,ci95_high_ms\n");
        final Map<String, double[]> drawn = new java.util.LinkedHashMap<>();
        for (final String strategy : strategies)
        {
            final Report[] r = reports(strategy, point);
            final double[] y = new double[quantiles.length];
            final double[] e = new double[quantiles.length];
            boolean any = false;
            for (int q = 0; q < quantiles.length; q++)
            {
                final double[] perSeed = new double[r.length];
                for (int k = 0; k < r.length; k++)
                {
                    final Histogram h = r[k].recoveryUs();
                    perSeed[k] = h.getTotalCount() == 0 ? Double.NaN : h.getValueAtPercentile(quantiles[q] * 100) /
                        1e3;
                }
                final Stats.Interval i = Stats.of(perSeed);
                any |= i.n() > 0;
                y[q] = Double.isNaN(i.mean()) ? 0 : i.mean();
                e[q] = Double.isNaN(i.halfWidth()) ? 0 : i.halfWidth();
                csv.append(csvRow(strategy, quantiles[q], i));
            }
            if (any)
            {
                paint(chart.addSeries(seriesName(strategy, drawn, y), quantiles.clone(), y, e), strategy);
            }
        }
        chart.getStyler().setXAxisMin(0.0).setXAxisMax(1.0);
        save(chart, file, csv);
    }

    /**
     * Completion time p50 and p99 per strategy at a point, mean over seeds with 95% error bars.
     *
     * @param file the chart's path without an extension: {@code .png} and {@code .csv} are added.
     * @param point a grid point, one value per axis.
     * @param workload the workload in words, for the title.
     * @throws IOException if a file cannot be written.
     */
    public void completionChart(final Path file, final double[] point, final String workload) throws IOException
    {
        final CategoryChart chart = new CategoryChartBuilder().width(1250).height(620)
            .title("Completion p50 and p99 (mean ± 95% CI, " + seeds.size() + " seeds); " + workload)
            .xAxisTitle("percentile").yAxisTitle("ms").build();
        chart.getStyler().setLegendPosition(Styler.LegendPosition.OutsideE);
        chart.getStyler().setChartTitleFont(TITLE);
        // black: a bar's own colour would hide the lower half of its error bar
        chart.getStyler().setErrorBarsColorSeriesColor(false).setErrorBarsColor(java.awt.Color.BLACK);
        final StringBuilder csv = new StringBuilder("strategy,percentile,n,mean_ms,ci95_low_ms,ci95_high_ms\n");
        final Map<String, double[]> drawn = new java.util.LinkedHashMap<>();
        for (final String strategy : strategies)
        {
            final List<Double> y = new ArrayList<>();
            final List<Double> e = new ArrayList<>();
            for (final Metric m : new Metric[]{Metric.COMPLETION_P50, Metric.COMPLETION_P99})
            {
                final Stats.Interval i = interval(strategy, point, m);
                y.add(Double.isNaN(i.mean()) ? 0 : i.mean());
                e.add(Double.isNaN(i.halfWidth()) ? 0 : i.halfWidth());
                csv.append(csvRow(strategy, m == Metric.COMPLETION_P50 ? 50 : 99, i));
            }
            final CategorySeries series = chart.addSeries(seriesName(strategy, drawn,
                y.stream().mapToDouble(Double::doubleValue).toArray()), List.of("p50", "p99"), y, e);
            series.setFillColor(palette.look(strategy).colour());
        }
        BitmapEncoder.saveBitmap(chart, file.toString(), BitmapEncoder.BitmapFormat.PNG);
        write(Path.of(file + ".csv"), csv.toString());
    }

    /**
     * For a two-parameter grid: the paired difference {@code b - a} of a metric at every point, as a heat map
     * (and its CSV with the intervals).
     * @param file the chart's path without an extension: {@code .png} and {@code .csv} are added.
     * @param a strategy A, the baseline.
     * @param b strategy B.
     * @param metric the metric.
     * @throws IOException if a file cannot be written.
     */
    public void differenceHeatmap(final Path file, final String a, final String b, final Metric metric)
        throws IOException
    {
        final Comparison.Sweep x = grid.axes().get(0);
        final Comparison.Sweep y = grid.axes().get(1);
        final HeatMapChart chart = new HeatMapChartBuilder().width(1000).height(700)
            .title(metric.heading + ": " + b + " − " + a + ", paired over " + seeds.size() + " seeds")
            .xAxisTitle(x.label()).yAxisTitle(y.label()).build();
        chart.getStyler().setShowValue(true);
        chart.getStyler().setChartTitleFont(TITLE);
        chart.getStyler().setHeatMapValueDecimalPattern("0.00");
        final List<String> xs = new ArrayList<>();
        final List<String> ys = new ArrayList<>();
        for (final double v : x.values())
        {
            xs.add(x.format(v));
        }
        for (final double v : y.values())
        {
            ys.add(y.format(v));
        }
        final List<Number[]> cells = new ArrayList<>();
        final StringBuilder csv = new StringBuilder(x.parameter() + "," + y.parameter() +
            ",n,mean_difference,ci95_low,ci95_high,excludes_zero\n");
        for (int i = 0; i < x.values().length; i++)
        {
            for (int j = 0; j < y.values().length; j++)
            {
                final Stats.Interval d = paired(a, b, new double[]{x.values()[i], y.values()[j]}, metric);
                cells.add(new Number[]{i, j, Double.isNaN(d.mean()) ? 0 : d.mean()});
                csv.append(String.format(Locale.ROOT, "%s,%s,%d,%s,%s,%s,%s%n", x.values()[i], y.values()[j], d.n(),
                    num(d.mean()), num(d.low()), num(d.high()), d.excludesZero()));
            }
        }
        // a diverging scale centred on zero: blue where B is lower, red where higher
        final double extent = Math.max(1e-9, cells.stream().mapToDouble(c -> Math.abs(c[2].doubleValue())).max()
            .orElse(1));
        chart.getStyler().setRangeColors(new java.awt.Color[]{new java.awt.Color(33, 102, 172), java.awt.Color.WHITE,
            new java.awt.Color(178, 24, 43)}).setMin(-extent).setMax(extent);
        chart.addSeries(b + " − " + a, xs, ys, cells);
        BitmapEncoder.saveBitmap(chart, file.toString(), BitmapEncoder.BitmapFormat.PNG);
        write(Path.of(file + ".csv"), csv.toString());
    }

    /** An event on a timeline: its time and its label. */
    public record Event(long atUs, String label)
    {
    }

    /**
     * RTO over time per strategy, and the RTT samples of the first, for one long-lived connection (a trace, not
     * an estimate: no interval), its events marked by vertical lines.
     * @param file the chart's path without an extension: {@code .png} and {@code .csv} are added.
     * @param timelines each strategy's points, in legend order.
     * @param title the connection's path and seed, for the title.
     * @param events the events to mark.
     * @throws IOException if a file cannot be written.
     */
    public void timelineChart(final Path file, final Map<String, List<RtoTimeline.Point>> timelines,
        final String title, final List<Event> events) throws IOException
    {
        final XYChart chart = new XYChartBuilder().width(1400).height(650)
            .title("RTO over time, one connection: " + title)
            .xAxisTitle("time (s)").yAxisTitle("ms").build();
        style(chart);
        final StringBuilder csv = new StringBuilder("strategy,at_s,rto_ms,srtt_ms,sample_ms,timeout,spurious\n");
        boolean samplesShown = false;
        double top = 0;
        final Map<String, double[]> drawn = new java.util.LinkedHashMap<>();
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
                top = Math.max(top, point.rtoUs() / 1000.0);
                csv.append(String.format(Locale.ROOT, "\"%s\",%.6f,%.3f,%s,%s,%b,%b%n", e.getKey(), point.atUs() / 1e6,
                    point.rtoUs() / 1e3, point.srttUs() < 0 ? "" : String.format(Locale.ROOT, "%.3f",
                        point.srttUs() / 1e3), point.sampleUs() <= 0 ? "" : String.format(Locale.ROOT, "%.3f",
                        point.sampleUs() / 1e3), point.timeout(), point.spurious()));
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
            final double[] trace = new double[2 * x.size()];
            for (int k = 0; k < x.size(); k++)
            {
                trace[2 * k] = x.get(k);
                trace[2 * k + 1] = y.get(k);
            }
            final XYSeries line = chart.addSeries("RTO " + seriesName(e.getKey(), drawn, trace), x, y);
            paint(line, e.getKey());
            line.setMarker(SeriesMarkers.NONE);
            if (!samplesShown && !sx.isEmpty())
            {
                final XYSeries samples = chart.addSeries("RTT samples (" + e.getKey() + ")", sx, sy);
                samples.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Scatter);
                samples.setMarker(SeriesMarkers.CIRCLE);
                samples.setMarkerColor(new java.awt.Color(150, 150, 150));
                samples.setMarker(SeriesMarkers.CIRCLE);
                samplesShown = true;
            }
        }
        for (int k = 0; k < events.size(); k++)
        {
            final Event event = events.get(k);
            chart.addAnnotation(new AnnotationLine(event.atUs() / 1e6, true, false));
            // staggered heights, so that labels of close events do not overlap
            chart.addAnnotation(new AnnotationText(event.label(), event.atUs() / 1e6, top * (0.97 - 0.06 * k), false));
        }
        save(chart, file, csv);
    }

    private void paint(final XYSeries series, final String strategy)
    {
        final Palette.Look look = palette.look(strategy);
        series.setLineColor(look.colour());
        series.setMarkerColor(look.colour());
        series.setMarker(look.marker());
        series.setLineStyle(look.line());
    }

    private static void style(final XYChart chart)
    {
        chart.getStyler().setLegendPosition(Styler.LegendPosition.OutsideE);
        chart.getStyler().setMarkerSize(7);
        chart.getStyler().setChartTitleFont(TITLE);
        chart.getStyler().setPlotGridLinesVisible(true);
    }

    private static void save(final XYChart chart, final Path file, final CharSequence csv) throws IOException
    {
        BitmapEncoder.saveBitmap(chart, file.toString(), BitmapEncoder.BitmapFormat.PNG);
        write(Path.of(file + ".csv"), csv.toString());
    }

    /**
     * Writes a text file, UTF-8.
     *
     * @param file the chart's path without an extension: {@code .png} and {@code .csv} are added.
     * @param text the text.
     * @throws IOException if a file cannot be written.
     */
    public static void write(final Path file, final String text) throws IOException
    {
        Files.writeString(file, text, StandardCharsets.UTF_8);
    }
}
