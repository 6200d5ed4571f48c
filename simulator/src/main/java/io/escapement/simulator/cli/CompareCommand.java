package io.escapement.simulator.cli;

import io.escapement.engine.rto.RtoParameters;
import io.escapement.engine.rto.RtoStrategies;
import io.escapement.simulator.Scenario;
import io.escapement.simulator.compare.Comparison;
import io.escapement.simulator.compare.ComparisonReport;
import io.escapement.simulator.compare.RtoTimeline;
import io.escapement.simulator.net.NetworkModel;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
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
            "its own: 20,000 connections a run, 100 ms RTT with lognormal jitter of 20 ms mean, and the tail " +
            "loss probe off, so that the RTO alone recovers losses; --rto and --seed are replaced by " +
            "--strategies and --seeds.",
        ""},
    footer = {"", "Example: escapement-simulator compare --sweep loss=0,0.02,0.05,0.1 --seeds 1,2 --rtt 50ms"})
final class CompareCommand implements Callable<Integer>
{
    /** Defaults of compare that differ from a single run's: smaller runs, a path whose jitter matters. */
    static final Map<String, String> DEFAULTS = Map.of(
        "connections", "20000", "rtt", "100ms", "jitter", "lognormal", "jitter-mean", "20ms", "tlp", "false");

    private static final int STEP_FACTOR = 5;
    private static final List<String> STEP_STRATEGIES = List.of("rfc6298:min=10ms", "rfc793:lbound=10ms");


    @CommandLine.Mixin
    ScenarioOptions options;

    @Option(names = "--strategies", paramLabel = "SPEC", split = ";",
        description = "Strategies to compare, separated by ';' (default: ${DEFAULT-VALUE}).",
        defaultValue = "rfc6298;rfc6298:min=200ms;linux;rfc793;fixed;quic;eifel:min=200ms")
    List<String> strategies;

    @Option(names = "--seeds", paramLabel = "N", split = ",", defaultValue = "1",
        description = "Seeds; each run is repeated for each and the figures merged.")
    List<Long> seeds;

    @Option(names = "--sweep", paramLabel = "PARAM=V1,V2,...", defaultValue = "loss=0,0.01,0.02,0.05,0.1",
        description = "The parameter to sweep: loss (probabilities), rtt or jitter (durations).")
    String sweep;

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

    /** Executes the runs: on this machine unless the sweep module puts a cluster's scheduler here. */
    Comparison.Runner runner = Comparison::run;

    @Override
    public Integer call() throws Exception
    {
        System.setProperty("java.awt.headless", "true");
        final Comparison.Sweep sweepSpec = Comparison.Sweep.parse(sweep);
        for (final String replaced : new String[]{"--rto", "--seed"})
        {
            if (spec.commandLine().getParseResult().hasMatchedOption(replaced))
            {
                throw new IllegalArgumentException("compare takes " + (replaced.equals("--rto") ? "--strategies" :
                    "--seeds") + ", not " + replaced);
            }
        }
        for (final String strategy : strategies)
        {
            RtoStrategies.parse(strategy); // an unknown name fails here, before any run
        }
        final Scenario base = options.scenario(); // validates every other option
        final int threads = parallel != null ? parallel : Runtime.getRuntime().availableProcessors();
        if (threads < 1 || threads > 256)
        {
            throw new IllegalArgumentException("--parallel=" + threads + " must be between 1 and 256");
        }
        if (seeds.isEmpty())
        {
            throw new IllegalArgumentException("--seeds: give at least one seed");
        }
        final PrintWriter stdout = spec.commandLine().getOut();
        SimulatorCommand.createDirectories(out);
        final Comparison.Workload workload = workload();

        final double reference = reference(sweepSpec);
        // the path's RTT at the reference point: the swept value when the RTT is what is swept
        final long rttUs = sweepSpec.parameter().equals("rtt") ? (long)reference : base.network.rttUs();
        final String belowRtt = "fixed:rto=" + RtoParameters.formatUs(Math.max(1000, rttUs / 2 / 1000 * 1000)) +
            ",backoff=0";
        final List<String> sanityStrategies = List.of("rfc6298", "rfc6298:min=200ms", belowRtt);
        final int total = strategies.size() * seeds.size() * sweepSpec.values().length +
            sanityStrategies.size() * seeds.size();
        final ProgressBar bar = progress ? new ProgressBar(System.err, System.console() != null, "runs done") : null;
        final long start = System.nanoTime();
        final List<Comparison.Run> runs = runner.run(workload, strategies, seeds, sweepSpec.values(), threads,
            n -> report(bar, n, total));
        final int mainRuns = runs.size();
        final List<Comparison.Run> sanity = runner.run(workload, sanityStrategies, seeds,
            new double[]{reference}, threads, n -> report(bar, mainRuns + n, total));
        // the charts need no display
        if (bar != null)
        {
            bar.finish();
        }

        final ComparisonReport report = new ComparisonReport(strategies, sweepSpec, runs);
        final ComparisonReport sanityReport = new ComparisonReport(sanityStrategies, sweepSpec, sanity);
        final String where = describe(base, sweepSpec, reference);
        ComparisonReport.write(out.resolve("compare.csv"), ComparisonReport.csv(sweepSpec, runs));
        final String at = sweepSpec.parameter() + " " + sweepSpec.format(reference);
        report.spuriousChart(out.resolve("spurious-vs-" + sweepSpec.parameter()), "see report.md for the workload");
        report.recoveryCdfChart(out.resolve("recovery-cdf"), reference, at);
        report.completionChart(out.resolve("completion"), reference, at);

        // one long-lived connection through a delay spike and an RTT step, per strategy
        final NetworkModel timelineNetwork = timelineNetwork(base, reference, sweepSpec);
        final Map<String, List<RtoTimeline.Point>> timelines = new LinkedHashMap<>();
        for (final String strategy : strategies)
        {
            timelines.put(strategy, RtoTimeline.run(strategy, timelineNetwork, seeds.get(0), timelineUs));
        }
        final String timelineWhere = timelineNetwork + ", seed " + seeds.get(0);
        ComparisonReport.timelineChart(out.resolve("rto-timeline"), timelines, "delay spike and RTT step");

        // the RTT step of the literature: an SRTT-only rule against RFC 6298, both with a low floor, heavy jitter
        // (a step well beyond RFC 793's factor-2 margin, jitter a tenth of the RTT)
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
        ComparisonReport.timelineChart(out.resolve("rtt-step"), steps, "RTT step");

        final String markdown = markdown(report, sanityReport, sweepSpec, reference, where, timelines,
            timelineWhere, steps, stepNetwork, belowRtt, rttUs, threads, (System.nanoTime() - start) / 1e9);
        ComparisonReport.write(out.resolve("report.md"), markdown);
        stdout.println(report.table(reference));
        stdout.printf(Locale.ROOT, "Wrote %s/report.md, compare.csv and the charts (%d runs, %.1f s)%n", out,
            runs.size() + sanity.size(), (System.nanoTime() - start) / 1e9);
        return SimulatorCommand.EXIT_OK;
    }

    /** @return the scenario of each (strategy, seed, sweep value), from the parsed options. */
    Comparison.Workload workload()
    {
        final Comparison.Sweep sweepSpec = Comparison.Sweep.parse(sweep);
        return (strategy, seed, value) ->
            options.builder().seed(seed).rto(strategy)
                .network(sweepSpec.apply(options.networkBuilder(), options.jitter, value).build()).build();
    }

    private static void report(final ProgressBar bar, final int done, final int total)
    {
        if (bar != null)
        {
            bar.update(done, total, Long.MAX_VALUE);
        }
    }

    /** @return the sweep value the tables use: 1% loss if swept, else the middle value. */
    private static double reference(final Comparison.Sweep sweep)
    {
        final double[] values = sweep.values();
        if (sweep.parameter().equals("loss"))
        {
            double best = values[0];
            for (final double v : values)
            {
                if (Math.abs(v - 0.01) < Math.abs(best - 0.01))
                {
                    best = v;
                }
            }
            return best;
        }
        return values[values.length / 2];
    }

    private NetworkModel timelineNetwork(final Scenario base, final double reference, final Comparison.Sweep sweep)
    {
        final NetworkModel.Builder network = sweep.apply(options.networkBuilder(), options.jitter, reference);
        if (options.events.isEmpty())
        {
            final long rtt = sweep.parameter().equals("rtt") ? (long)reference : base.network.rttUs();
            network.event("spike:at=" + RtoParameters.formatUs(timelineUs / 4) + ",for=2s,add=" +
                RtoParameters.formatUs(4 * rtt));
            network.event("step:at=" + RtoParameters.formatUs(timelineUs / 2) + ",rtt=" +
                RtoParameters.formatUs(3 * rtt));
        }
        return network.build();
    }

    private String describe(final Scenario base, final Comparison.Sweep sweep, final Double reference)
    {
        final String value = reference == null ? sweep.parameter() + " swept" : sweep.parameter() + " " +
            sweep.format(reference);
        return String.format(Locale.ROOT, "%,d connections x %d seed%s, %s, %s jitter mean %s, %s", base.connections,
            seeds.size(), seeds.size() == 1 ? "" : "s", sweep.parameter().equals("rtt") ? "RTT swept" :
                "RTT " + RtoParameters.formatUs(base.network.rttUs()), base.network.jitter().name().toLowerCase(
                Locale.ROOT), RtoParameters.formatUs(base.network.jitterUs()), value);
    }

    private String markdown(final ComparisonReport report, final ComparisonReport sanity,
        final Comparison.Sweep sweep, final double reference, final String where,
        final Map<String, List<RtoTimeline.Point>> timelines, final String timelineWhere,
        final Map<String, List<RtoTimeline.Point>> steps, final NetworkModel stepNetwork, final String belowRtt,
        final long rttUs, final int threads, final double seconds)
    {
        final String command = "java -jar simulator/target/escapement-simulator.jar " +
            String.join(" ", spec.commandLine().getParseResult().originalArgs());
        final StringBuilder s = new StringBuilder();
        s.append("# RTO strategies compared\n\n");
        s.append("Made by `").append(command.trim()).append("` (").append(String.format(Locale.ROOT,
            "%.0f s on %d cores", seconds, threads)).append("). Every run is a full simulation: handshake, ")
            .append("request and response, teardown, Linux's retry limits (tail loss probe ")
            .append(options.tlp ? "on" : "off, so that the RTO alone recovers losses").append("); only the RTO ")
            .append("strategy changes between the rows of a table. A packet's fate (lost or not, its jitter) is a ")
            .append("hash of the seed and the packet's identity, so every strategy meets the same network.\n\n");
        s.append("Workload: ").append(where).append("; request ")
            .append(options.requestBytes).append(" B, response ").append(options.responseBytes)
            .append(" B. Seeds: ").append(seeds).append(". Raw numbers, one row per run: `compare.csv`.\n\n");
        s.append("How to read: a *spurious* retransmission resends a segment while a copy of it, or an ACK covering ")
            .append("it, is still on its way (the simulator knows); *real loss to retransmission* is how long a ")
            .append("lost original ")
            .append("waited for its first retransmission, whatever sent it (RTO, tail loss probe or recovery).\n\n");
        final String caption = "*" + where + "; seeds " + seeds + "; `" + command.trim() + "`*\n\n";
        s.append("## At ").append(sweep.format(reference)).append("\n\n").append(report.table(reference))
            .append("\nFailed connections by reason:\n\n").append(report.failureTable(reference)).append('\n');
        s.append("![completion times](completion.png)\n\n").append(caption);
        s.append("![recovery CDF](recovery-cdf.png)\n\n").append(caption);
        s.append("## Across the sweep\n\n![spurious](spurious-vs-").append(sweep.parameter()).append(".png)\n\n")
            .append("*").append(describe(options.scenario(), sweep, null)).append("; seeds ").append(seeds)
            .append("; `").append(command.trim()).append("`*\n\n");
        for (final double value : sweep.values())
        {
            if (value != reference)
            {
                s.append("### ").append(sweep.format(value)).append("\n\n").append(report.table(value)).append('\n');
            }
        }
        s.append("## One connection through a delay spike and an RTT step\n\n");
        s.append("A single long-lived connection sends a segment, waits for its ACK and sends the next, for ")
            .append(RtoParameters.formatUs(timelineUs)).append(", over: ").append(timelineWhere)
            .append(". Same engine timers, same network model; the lines are each strategy's RTO after every ")
            .append("ACK or timeout, the dots one strategy's RTT samples.\n\n![RTO over time](rto-timeline.png)\n\n")
            .append("*").append(timelineWhere).append("; `").append(command.trim()).append("`*\n\n");
        s.append("| strategy | timeouts | of which spurious | samples |\n|---|---:|---:|---:|\n");
        for (final Map.Entry<String, List<RtoTimeline.Point>> e : timelines.entrySet())
        {
            s.append(String.format(Locale.ROOT, "| `%s` | %d | %d | %d |%n", e.getKey(),
                e.getValue().stream().filter(RtoTimeline.Point::timeout).count(),
                e.getValue().stream().filter(RtoTimeline.Point::spurious).count(),
                e.getValue().stream().filter(p -> p.sampleUs() > 0).count()));
        }
        s.append("\n## Sanity checks against published results\n\n");
        // 1. the minimum RTO dominates
        final ComparisonReport.Metrics oneSecond = sanity.metrics("rfc6298", reference);
        final ComparisonReport.Metrics twoHundred = sanity.metrics("rfc6298:min=200ms", reference);
        final boolean fewerSpurious = oneSecond.spuriousPerThousandSegments() <=
            twoHundred.spuriousPerThousandSegments();
        final boolean slowerRecovery = mean(oneSecond) > mean(twoHundred);
        s.append("1. **The minimum RTO dominates** (Allman and Paxson, \"On Estimating End-to-End Network Path ")
            .append("Properties\", SIGCOMM 1999: a 1 s minimum avoids most spurious timeouts at the price of ")
            .append("slower recovery than 200 ms). At ").append(sweep.format(reference)).append(": RFC 6298 with ")
            .append("a 1 s minimum makes ").append(fmt(oneSecond.spuriousPerThousandSegments()))
            .append(" spurious retransmissions per 1000 segments and waits ").append(ms(mean(oneSecond)))
            .append(" ms on average before resending a real loss; with 200 ms, ")
            .append(fmt(twoHundred.spuriousPerThousandSegments())).append(" and ").append(ms(mean(twoHundred)))
            .append(" ms. **").append(fewerSpurious && slowerRecovery ? "Agrees" : "Does not agree")
            .append("**").append(fewerSpurious && slowerRecovery ? "." : ": " + (fewerSpurious ? "" :
                "the 1 s minimum does not have fewer spurious retransmissions; ") + (slowerRecovery ? "" :
                "the 1 s minimum does not recover more slowly.")).append('\n');
        // 2. a fixed RTO below the path's RTT
        final ComparisonReport.Metrics below = sanity.metrics(belowRtt, reference);
        final double perSegment = below.spuriousPerThousandSegments() / 1000.0;
        s.append("2. **A fixed RTO below the path's RTT retransmits spuriously on almost every segment.** `")
            .append(belowRtt).append("` on a ").append(RtoParameters.formatUs(rttUs)).append(" RTT path: ")
            .append(fmt(perSegment)).append(" spurious retransmissions per segment. **")
            .append(perSegment >= 0.9 ? "Agrees" : "Does not agree").append("**.\n");
        // 3. after an RTT step up
        final long stepAt = timelineUs / 2;
        final List<RtoTimeline.Point> rfc = steps.get(STEP_STRATEGIES.get(0));
        final List<RtoTimeline.Point> srtt = steps.get(STEP_STRATEGIES.get(1));
        final long rfcSpurious = spurious(rfc, 0);
        final long srttSpurious = spurious(srtt, 0);
        final int adapt = samplesToAdapt(rfc, stepAt, STEP_FACTOR * rttUs);
        final long rfcAfter = spurious(rfc, stepAt);
        final long srttAfter = spurious(srtt, stepAt);
        final boolean agrees = srttAfter > rfcAfter && adapt >= 1 && adapt <= 5;
        s.append("3. **After an RTT step up, RFC 6298 adapts within a few samples while RFC 793's SRTT-only rule ")
            .append("times out spuriously under jitter** (Jacobson, \"Congestion Avoidance and Control\", 1988). ")
            .append("One long-lived connection for ").append(RtoParameters.formatUs(timelineUs)).append(": ")
            .append(stepNetwork).append(", seed ").append(seeds.get(0)).append("; both strategies with a 10 ms ")
            .append("floor, so that the rule, not the floor, decides. RFC 6298 (`").append(STEP_STRATEGIES.get(0))
            .append("`) times out spuriously ").append(rfcAfter).append(" times after the step (")
            .append(rfcSpurious).append(" in the whole run), and its RTO is above the new RTT ")
            .append(adapt < 0 ? "at no sample after the step" : "after " + adapt + " sample" +
                (adapt == 1 ? "" : "s")).append("; RFC 793 (`")
            .append(STEP_STRATEGIES.get(1)).append("`) ").append(srttAfter).append(" times after the step (")
            .append(srttSpurious).append(" in the whole run). **").append(agrees ? "Agrees" :
                "Does not agree").append("**.\n\n![RTT step](rtt-step.png)\n");
        return s.toString();
    }

    private static double mean(final ComparisonReport.Metrics m)
    {
        return m.recoveryUs().getTotalCount() == 0 ? 0 : m.recoveryUs().getMean();
    }

    private static long spurious(final List<RtoTimeline.Point> points, final long fromUs)
    {
        return points.stream().filter(p -> p.atUs() >= fromUs && p.spurious()).count();
    }

    /**
     * @return how many valid RTT samples after {@code fromUs} it takes until the RTO computed from one exceeds
     * {@code rttUs} (a backed-off RTO after a timeout does not count: only what the estimator learnt), or -1.
     */
    private static int samplesToAdapt(final List<RtoTimeline.Point> points, final long fromUs, final long rttUs)
    {
        int samples = 0;
        for (final RtoTimeline.Point p : points)
        {
            if (p.atUs() < fromUs || p.sampleUs() <= 0)
            {
                continue;
            }
            samples++;
            if (p.rtoUs() > rttUs)
            {
                return samples;
            }
        }
        return -1;
    }

    private static String fmt(final double v)
    {
        return String.format(Locale.ROOT, "%.2f", v);
    }

    private static String ms(final double us)
    {
        return String.format(Locale.ROOT, "%.0f", us / 1000.0);
    }
}
