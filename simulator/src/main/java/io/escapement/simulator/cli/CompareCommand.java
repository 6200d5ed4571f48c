package io.escapement.simulator.cli;

import io.escapement.engine.rto.RtoParameters;
import io.escapement.engine.rto.RtoStrategies;
import io.escapement.simulator.Scenario;
import io.escapement.simulator.compare.Checks;
import io.escapement.simulator.compare.CompareCsv;
import io.escapement.simulator.compare.Comparison;
import io.escapement.simulator.compare.Metric;
import io.escapement.simulator.compare.Palette;
import io.escapement.simulator.compare.ComparisonReport;
import io.escapement.simulator.compare.RtoTimeline;
import io.escapement.simulator.net.NetworkModel;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * {@code compare}: one workload under every RTO strategy, the same network for each, over seeds and a swept
 * parameter; writes a Markdown report with charts.
 */
@Command(name = "compare", mixinStandardHelpOptions = true, sortOptions = false, usageHelpAutoWidth = true,
    showDefaultValues = true,
    description = {
        "Runs one workload under several RTO strategies on identical traffic (a packet's fate is a hash of its " +
            "identity, so every strategy sees the same losses and delays), over seeds and a swept parameter, the " +
            "runs in parallel. Writes report.md, compare.csv and PNG charts: spurious retransmissions against the " +
            "sweep, the loss-recovery wait, completion times, and one long-lived connection's RTO and RTT through " +
            "a delay spike and an RTT step; and checks the simulator against published results.",
        "",
        "The workload options are those of a single run (see escapement-simulator --help), with defaults of " +
            "its own: 10,000 connections a run (and seeds 1 to 5), 100 ms RTT with lognormal jitter of 20 ms mean, and the tail " +
            "loss probe, fast retransmit, RACK and F-RTO off, so that the RTO alone recovers losses (delayed ACKs and " +
            "the congestion window stay as the preset has them); --rto and --seed are replaced by " +
            "--strategies and --seeds.",
        ""},
    footer = {"",
        "Presets (--preset): linux (the defaults: Linux 6.5 and later, HZ=1000 with the timer wheel's slack, TLP " +
            "on, retries by Linux's time budget, CUBIC) and rfc (no TLP, exact timers, retries counted, Reno); " +
            "compare's own " +
            "defaults above apply to both.",
        "Example: escapement-simulator compare --sweep loss=0,0.02,0.05,0.1 --seeds 1..5 --rtt 50ms"})
final class CompareCommand implements Callable<Integer>
{
    /** Defaults of compare that differ from a single run's: smaller runs, a path whose jitter matters. */
    static final Map<String, String> DEFAULTS = Map.of(
        "connections", "10000", "rtt", "100ms", "jitter", "lognormal", "jitter-mean", "20ms", "tlp", "false",
        "fast-retransmit", "false", "rack", "false", "frto", "false");

    private static final int STEP_FACTOR = 5;
    /** The loss of the Karn check's path: enough retransmissions to bias SRTT visibly without the rule. */
    private static final double KARN_LOSS = 0.05;
    /** How long the Karn check's connection runs per seed. */
    private static final long KARN_DURATION_US = 120_000_000;
    /** The shortest --timeline: long enough for samples before its events. */
    static final long MIN_TIMELINE_US = 4_000_000;
    private static final List<String> STEP_STRATEGIES = List.of("rfc6298:min=10ms", "rfc793:lbound=10ms");


    @CommandLine.Mixin
    ScenarioOptions options;

    @Option(names = "--strategies", paramLabel = "SPEC", split = ";",
        description = "Strategies to compare, separated by ';' (default: ${DEFAULT-VALUE}).",
        defaultValue = "rfc6298;rfc6298:min=200ms;linux;rfc793;fixed;quic;eifel:min=200ms")
    List<String> strategies;

    @Option(names = "--seeds", paramLabel = "LIST", defaultValue = "1..5",
        description = "Seeds, such as 1,2,7 or 1..30 or both (1..10,42): each run is repeated for each, and every " +
            "table and chart gives the mean over seeds with its 95%% confidence interval.")
    String seedsText;

    List<Long> seeds;

    @Option(names = "--sweep", paramLabel = "PARAM=V1,V2,...", defaultValue = "loss=0,0.01,0.02,0.05,0.1",
        description = "The parameter to sweep: loss (probabilities), rtt or jitter (durations); two make a grid " +
            "(loss=0,0.02,rtt=20ms,100ms) with a heat map of --heatmap's difference.")
    String sweep;

    @Option(names = "--heatmap", paramLabel = "A;B",
        description = "With a two-parameter --sweep: the two strategies whose paired difference the heat map " +
            "shows, B minus A (default: the first two of --strategies).")
    String heatmap;

    List<String> heatmapPair;

    @Option(names = "--parallel", paramLabel = "N", description = "Runs at once (default: the number of cores).")
    Integer parallel;

    @Option(names = "--timeline", paramLabel = "DURATION", defaultValue = "40s", converter = DurationConverter.class,
        description = "How long the long-lived connection of the RTO-over-time chart runs.")
    long timelineUs;

    @Option(names = "--out", paramLabel = "DIR", defaultValue = "results/compare",
        description = "Where report.md, compare.csv and the charts go.")
    Path out;

    @Option(names = "--progress", paramLabel = "BOOLEAN", defaultValue = "true", arity = "1",
        description = "Progress bar on stderr.")
    boolean progress;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    /** The single run's options that compare replaces (by --strategies and --seeds), and refuses. */
    static final List<String> REPLACED = List.of("--rto", "--seed");

    /**
     * Hides {@link #REPLACED} from compare's help: they come with the shared options, and {@link #call} refuses
     * them with a message naming the option to use instead, so the help must not offer them.
     */
    static void hideReplacedOptions(final CommandLine.Model.CommandSpec compare)
    {
        for (final String name : REPLACED)
        {
            final CommandLine.Model.OptionSpec option = compare.findOption(name);
            compare.remove(option);
            compare.addOption(CommandLine.Model.OptionSpec.builder(option).hidden(true).build());
        }
    }

    /** Executes the runs: on this machine unless the sweep module puts a cluster's scheduler here. */
    Comparison.Runner runner = Comparison::execute;

    /** The command the report says made it; null: this jar's {@code compare} with the arguments given. */
    String madeBy;

    @Override
    public Integer call() throws Exception
    {
        System.setProperty("java.awt.headless", "true");
        final Comparison.Grid grid = Comparison.Grid.parse(sweep);
        seeds = Comparison.parseSeeds(seedsText);
        for (final String replaced : REPLACED)
        {
            if (spec.commandLine().getParseResult().hasMatchedOption(replaced))
            {
                throw new IllegalArgumentException("compare takes " + (replaced.equals("--rto") ? "--strategies" :
                    "--seeds") + ", not " + replaced);
            }
        }
        final java.util.Set<String> distinct = new java.util.HashSet<>();
        for (final String strategy : strategies)
        {
            RtoStrategies.parse(strategy); // an unknown name fails here, before any run
            if (!distinct.add(strategy.trim()))
            {
                throw new IllegalArgumentException("--strategies: '" + strategy.trim() + "' is given twice; " +
                    "each strategy is a series of its own in the tables and charts");
            }
        }
        final List<String> pair = heatmap == null ? strategies.subList(0, Math.min(2, strategies.size())) :
            List.of(heatmap.split(";", -1));
        if (grid.axes().size() == 2 && (pair.size() != 2 || !strategies.contains(pair.get(0).trim()) ||
            !strategies.contains(pair.get(1).trim()) || pair.get(0).trim().equals(pair.get(1).trim())))
        {
            throw new IllegalArgumentException("--heatmap " + (heatmap == null ? "(default: the first two " +
                "strategies)" : "'" + heatmap + "'") + ": give two different strategies of --strategies, A;B");
        }
        heatmapPair = List.of(pair.get(0).trim(), pair.size() > 1 ? pair.get(1).trim() : pair.get(0).trim());
        if (timelineUs < MIN_TIMELINE_US)
        {
            throw new IllegalArgumentException("--timeline " + RtoParameters.formatUs(timelineUs) + ": must be at " +
                "least " + RtoParameters.formatUs(MIN_TIMELINE_US) + " (its delay spike starts at a quarter of it, " +
                "its RTT step at half, and the connection needs samples before both)");
        }
        final Scenario base = options.scenario(); // validates every other option
        final int threads = parallel != null ? parallel : Runtime.getRuntime().availableProcessors();
        if (threads < 1 || threads > 256)
        {
            throw new IllegalArgumentException("--parallel=" + threads + " must be between 1 and 256");
        }
        final PrintWriter stdout = spec.commandLine().getOut();
        final CompareOutput output = CompareOutput.prepare(out); // before any run: an unwritable --out fails now
        try
        {
            final int code = compare(grid, base, threads, stdout, output.staging());
            output.commit();
            return code;
        }
        finally
        {
            output.abandon(); // a no-op once committed: the staging directory has become --out
        }
    }

    private int compare(final Comparison.Grid grid, final Scenario base, final int threads,
        final PrintWriter stdout, final Path out) throws Exception
    {
        final Comparison.Workload workload = workload(grid);
        final double[] reference = grid.reference();
        // the path's RTT at the reference point: the swept value when the RTT is what is swept
        final long rttUs = (long)grid.valueOf("rtt", reference, base.network.rttUs());
        final List<Comparison.PlannedRun> plan = Comparison.plan(strategies, seeds, grid.points());
        final int checkRuns = 3 * seeds.size();
        final int total = plan.size() + checkRuns;
        final ProgressBar bar = progress ? new ProgressBar(System.err, System.console() != null, "runs done") : null;
        final long start = System.nanoTime();
        final List<Comparison.Run> runs = runner.run(workload, plan, threads, n -> report(bar, n, total));

        final Palette palette = new Palette(strategies);
        final ComparisonReport report = new ComparisonReport(strategies, grid, seeds, runs, palette);
        ComparisonReport.write(out.resolve("compare.csv"), CompareCsv.write(grid, runs));
        final String workloadTitle = title(base, grid, null);
        final String atReference = title(base, grid, reference);
        report.metricChart(out.resolve("spurious-vs-" + grid.axes().get(0).parameter()), Metric.SPURIOUS,
            workloadTitle);
        report.metricChart(out.resolve("recovery-vs-" + grid.axes().get(0).parameter()), Metric.RECOVERY_WAIT,
            workloadTitle);
        report.recoveryQuantileChart(out.resolve("recovery-cdf"), reference, atReference);
        report.completionChart(out.resolve("completion"), reference, atReference);
        if (grid.axes().size() == 2)
        {
            report.differenceHeatmap(out.resolve("heatmap"), heatmapPair.get(0), heatmapPair.get(1),
                Metric.SPURIOUS);
        }

        // one long-lived connection through a delay spike and an RTT step, per strategy
        final List<ComparisonReport.Event> events = new ArrayList<>();
        final NetworkModel timelineNetwork = timelineNetwork(grid, reference, rttUs, events);
        final Map<String, List<RtoTimeline.Point>> timelines = new LinkedHashMap<>();
        for (final String strategy : strategies)
        {
            timelines.put(strategy, RtoTimeline.run(strategy, timelineNetwork, seeds.get(0), timelineUs));
        }
        final String timelineWhere = timelineNetwork + ", seed " + seeds.get(0);
        report.timelineChart(out.resolve("rto-timeline"), timelines, timelineWhere, events);

        // the RTT step of the literature: an SRTT-only rule against RFC 6298, both with a low floor, heavy jitter
        final NetworkModel stepNetwork = NetworkModel.builder().loss(0).rttUs(rttUs)
            .jitter(NetworkModel.Jitter.LOGNORMAL, rttUs / 10)
            .event("step:at=" + RtoParameters.formatUs(timelineUs / 2) + ",rtt=" +
                RtoParameters.formatUs(STEP_FACTOR * rttUs))
            .build();
        final Map<String, List<RtoTimeline.Point>> steps = new LinkedHashMap<>();
        for (final String strategy : STEP_STRATEGIES)
        {
            steps.put(strategy, RtoTimeline.run(strategy, stepNetwork, seeds.get(0), timelineUs));
        }
        report.timelineChart(out.resolve("rtt-step"), steps, stepNetwork + ", seed " + seeds.get(0),
            List.of(new ComparisonReport.Event(timelineUs / 2, "RTT ×" + STEP_FACTOR)));

        // the checks: the compare workload at the reference point, and a lossy long-lived connection
        final Checks.Traffic traffic = (specification, strategy, seed) -> options.builder().seed(seed)
            .rto(specification).rtoStrategy(strategy)
            .network(grid.apply(options.networkBuilder(seed), options.jitter, reference).build()).build();
        final NetworkModel lossy = NetworkModel.builder().loss(KARN_LOSS).rttUs(rttUs)
            .jitter(NetworkModel.Jitter.LOGNORMAL, rttUs / 5).build();
        final List<Checks.Result> checks = Checks.all(Checks.Lab.REAL, traffic, seeds, lossy, KARN_DURATION_US,
            stepNetwork, STEP_FACTOR * rttUs, timelineUs);
        report(bar, total, total);
        if (bar != null)
        {
            bar.finish();
        }

        final String markdown = markdown(report, grid, reference, rttUs, base, timelineWhere, timelines,
            stepNetwork, checks, threads, (System.nanoTime() - start) / 1e9);
        ComparisonReport.write(out.resolve("report.md"), markdown);
        stdout.println(report.table(reference));
        final long passed = checks.stream().filter(Checks.Result::passed).count();
        stdout.printf(Locale.ROOT, "Checks: %d of %d passed%n", passed, checks.size());
        stdout.printf(Locale.ROOT, "Wrote %s/report.md, compare.csv and the charts (%d runs, %.1f s)%n", this.out,
            runs.size() + checkRuns, (System.nanoTime() - start) / 1e9);
        return SimulatorCommand.EXIT_OK;
    }

    /**
     * @param exact whether the two are identical (else they only cannot be told apart).
     * @return why two strategies coincide, where their parameters tell: a shared floor well above the RTT.
     */
    private static String why(final String a, final String b, final long rttUs, final boolean exact)
    {
        final long minA = RtoStrategies.parse(a).minRtoUs();
        final long minB = RtoStrategies.parse(b).minRtoUs();
        if (minA == minB && minA >= 4 * rttUs)
        {
            return "both have a minimum of " + RtoParameters.formatUs(minA) + ", at least four times this path's RTT of " +
                RtoParameters.formatUs(rttUs) + ", so both sit on that floor and their estimators " +
                (exact ? "never matter" : "barely matter");
        }
        return "their effective parameters (above) lead to " + (exact ? "the same" : "nearly the same") +
            " timeouts on this traffic";
    }

    /** @return the scenario of each (strategy, seed, grid point), from the parsed options. */
    Comparison.Workload workload(final Comparison.Grid grid)
    {
        return (strategy, seed, point) ->
            options.builder().seed(seed).rto(strategy)
                .network(grid.apply(options.networkBuilder(seed), options.jitter, point).build()).build();
    }

    private static void report(final ProgressBar bar, final int done, final int total)
    {
        if (bar != null)
        {
            bar.update(done, total, Long.MAX_VALUE);
        }
    }

    private NetworkModel timelineNetwork(final Comparison.Grid grid, final double[] reference, final long rtt,
        final List<ComparisonReport.Event> events)
    {
        final NetworkModel.Builder network = grid.apply(options.networkBuilder(), options.jitter, reference);
        if (options.events.isEmpty())
        {
            network.event("spike:at=" + RtoParameters.formatUs(timelineUs / 4) + ",for=2s,add=" +
                RtoParameters.formatUs(4 * rtt));
            network.event("step:at=" + RtoParameters.formatUs(timelineUs / 2) + ",rtt=" +
                RtoParameters.formatUs(3 * rtt));
            events.add(new ComparisonReport.Event(timelineUs / 4, "spike +" + RtoParameters.formatUs(4 * rtt)));
            events.add(new ComparisonReport.Event(timelineUs / 4 + 2_000_000, "spike ends"));
            events.add(new ComparisonReport.Event(timelineUs / 2, "RTT ×3"));
        }
        return network.build();
    }

    /** @return the workload in a few words, for a chart's title: at a point, or with the grid swept. */
    private String title(final Scenario base, final Comparison.Grid grid, final double[] point)
    {
        final StringBuilder s = new StringBuilder(String.format(Locale.ROOT, "%,d connections/run", base.connections));
        for (final String parameter : List.of("loss", "rtt", "jitter"))
        {
            final double fixed = switch (parameter)
            {
                case "loss" -> options.loss;
                case "rtt" -> base.network.rttUs();
                default -> base.network.jitterUs();
            };
            final boolean swept = grid.axes().stream().anyMatch(a -> a.parameter().equals(parameter));
            final double value = point == null ? fixed : grid.valueOf(parameter, point, fixed);
            s.append(", ").append(parameter).append(' ').append(swept && point == null ? "swept" :
                parameter.equals("loss") ? String.format(Locale.ROOT, "%.1f%%", value * 100) :
                parameter.equals("rtt") && !swept && base.network.rttDistribution() != null ?
                    base.network.rttDistribution() + " per connection" : RtoParameters.formatUs((long)value));
        }
        return s.append(", ").append(base.network.jitter().name().toLowerCase(Locale.ROOT)).append(" jitter")
            .append(base.network.additions()).toString();
    }

    private String markdown(final ComparisonReport report, final Comparison.Grid grid, final double[] reference,
        final long rttUs, final Scenario base, final String timelineWhere, final Map<String, List<RtoTimeline.Point>> timelines,
        final NetworkModel stepNetwork, final List<Checks.Result> checks, final int threads, final double seconds)
    {
        final String command = madeBy != null ? madeBy : ("java -jar simulator/target/escapement-simulator.jar " +
            String.join(" ", spec.commandLine().getParseResult().originalArgs())).trim();
        final String x = grid.axes().get(0).parameter();
        final StringBuilder s = new StringBuilder();
        s.append("# RTO strategies compared\n\n");
        s.append("Made by `").append(command).append("` (").append(String.format(Locale.ROOT,
            "%.0f s on %d cores", seconds, threads)).append("). Every run is a full simulation: handshake, ")
            .append("request and response, teardown, Linux's retry limits (tail loss probe ")
            .append(options.tlp ? "on" : "off")
            .append(", fast retransmit ").append(options.fastRetransmit ? "on" : "off").append(", RACK ")
            .append(options.rack ? "on" : "off").append(", F-RTO ").append(options.frto ? "on" : "off")
            .append(options.tlp || options.fastRetransmit || options.rack ? "" :
                ", so that the RTO alone recovers losses")
            .append("); only the RTO ")
            .append("strategy changes between the rows of a table. A packet's fate (lost or not, its jitter) is a ")
            .append("hash of the seed and the packet's identity, so every strategy meets the same network on a ")
            .append("seed, and differences between strategies are paired seed by seed (except with a delay trace's ")
            .append("loss column, where a fate depends on the packet's send time, which the strategy moves).\n\n");
        s.append("Workload: ").append(title(base, grid, null)).append("; request ").append(options.requestBytes)
            .append(" B, response ").append(options.responseBytes).append(" B. Grid: ");
        for (final Comparison.Sweep axis : grid.axes())
        {
            s.append(axis.parameter()).append(' ');
            for (int k = 0; k < axis.values().length; k++)
            {
                s.append(k == 0 ? "" : ", ").append(axis.format(axis.values()[k]));
            }
            s.append("; ");
        }
        s.append("seeds ").append(seedsText).append(" (").append(seeds.size()).append("). Every number below is a ")
            .append(report.basis()).append(". Raw numbers, one row per strategy, seed and grid point: ")
            .append("`compare.csv`; every chart has the CSV of what it draws beside it (`NAME.png.csv`... see ")
            .append("below).\n\n");

        s.append("## Strategies\n\n| strategy | effective parameters |\n|---|---|\n");
        for (final String strategy : strategies)
        {
            s.append("| `").append(strategy).append("` | `").append(RtoStrategies.parse(strategy)).append("` |\n");
        }
        s.append("\n## Columns\n\n");
        for (final Metric m : Metric.values())
        {
            s.append("- **").append(m.heading).append("** (`").append(m.column).append("` in the CSV): ")
                .append(m.definition).append(".\n");
        }
        s.append("\n## At ").append(grid.format(reference)).append("\n\n").append(report.table(reference))
            .append("\n### Paired differences\n\nB − A seed by seed, mean ± 95% interval. \"B has fewer\" is said ")
            .append("only when the interval excludes zero; \"not ranked\" means these seeds cannot tell the two ")
            .append("apart on that metric.\n\n");
        final List<ComparisonReport.Unranked> unranked = new ArrayList<>();
        s.append(report.pairedTable(reference, unranked)).append('\n');
        if (!unranked.isEmpty())
        {
            s.append("**Warning:** ").append(unranked.size()).append(" of the comparisons above have an interval ")
                .append("too wide to rank the two strategies with ").append(seeds.size()).append(" seed")
                .append(seeds.size() == 1 ? "" : "s").append("; more seeds (`--seeds 1..30`) narrow it.\n\n");
        }
        for (final String[] pair : report.coincidences(reference))
        {
            s.append("Note: `").append(pair[1]).append("` equals `").append(pair[0]).append("` here (every metric, ")
                .append("every seed; its lines lie on the other's, labelled \"on\" in the legends): ")
                .append(why(pair[0], pair[1], rttUs, true)).append(".\n\n");
        }
        for (final String[] pair : report.overlaps(reference))
        {
            s.append("Note: `").append(pair[1]).append("` cannot be told from `").append(pair[0]).append("` here ")
                .append("(on every metric the paired difference is under 1% or its interval includes zero; their ")
                .append("lines hide each other in the charts): ").append(why(pair[0], pair[1], rttUs, false))
                .append(".\n\n");
        }
        s.append("Failed connections by reason, summed over seeds:\n\n").append(report.failureTable(reference))
            .append('\n');
        s.append("![completion times](completion.png)\n\n*Data: `completion.csv`.*\n\n");
        s.append("![recovery wait quantiles](recovery-cdf.png)\n\n*Data: `recovery-cdf.csv`.*\n\n");
        s.append("## Across the grid\n\n");
        s.append("![spurious](spurious-vs-").append(x).append(".png)\n\n*Data: `spurious-vs-").append(x)
            .append(".csv`.*\n\n![recovery wait](recovery-vs-").append(x).append(".png)\n\n*Data: `recovery-vs-")
            .append(x).append(".csv`.*\n\n");
        if (grid.axes().size() == 2)
        {
            s.append("![difference](heatmap.png)\n\n*`").append(heatmapPair.get(1)).append("` − `")
                .append(heatmapPair.get(0)).append("`, spurious retransmissions per 1000 segments, paired over ")
                .append("seeds at every grid point; intervals in `heatmap.csv`.*\n\n");
        }
        for (final double[] point : grid.points())
        {
            if (!java.util.Arrays.equals(point, reference))
            {
                s.append("### ").append(grid.format(point)).append("\n\n").append(report.table(point)).append('\n');
            }
        }
        s.append("## One connection through a delay spike and an RTT step\n\n");
        s.append("A single long-lived connection sends a segment, waits for its ACK and sends the next, for ")
            .append(RtoParameters.formatUs(timelineUs)).append(", over: ").append(timelineWhere)
            .append(". A trace of one seed, not an estimate: no interval. The lines are each strategy's RTO ")
            .append("after every ACK or timeout, the dots the first strategy's RTT samples, the vertical lines ")
            .append("the events.\n\n![RTO over time](rto-timeline.png)\n\n*Data: `rto-timeline.csv`.*\n\n");
        s.append("| strategy | timeouts | of which spurious | samples |\n|---|---:|---:|---:|\n");
        for (final Map.Entry<String, List<RtoTimeline.Point>> e : timelines.entrySet())
        {
            s.append(String.format(Locale.ROOT, "| `%s` | %d | %d | %d |%n", e.getKey(),
                e.getValue().stream().filter(RtoTimeline.Point::timeout).count(),
                e.getValue().stream().filter(RtoTimeline.Point::spurious).count(),
                e.getValue().stream().filter(p -> p.sampleUs() > 0).count()));
        }
        s.append("\nThe RTT step of the literature (Jacobson 1988): `").append(STEP_STRATEGIES.get(0))
            .append("` against RFC 793's SRTT-only rule `").append(STEP_STRATEGIES.get(1)).append("`, both with a ")
            .append("10 ms floor so that the rule decides, over ").append(stepNetwork)
            .append(".\n\n![RTT step](rtt-step.png)\n\n*Data: `rtt-step.csv`.*\n\n");
        final long passed = checks.stream().filter(Checks.Result::passed).count();
        s.append("## Checks against published results\n\n").append(passed).append(" of ").append(checks.size())
            .append(" passed. Each is quantitative and can fail: the simulator's tests run each on a strategy or ")
            .append("timeline broken on purpose and see it fail.\n\n");
        for (int k = 0; k < checks.size(); k++)
        {
            s.append(checks.get(k).markdown(k + 1));
        }
        return s.toString();
    }
}
