package io.escapement.sweep;

import io.escapement.simulator.Scenario;
import io.escapement.simulator.Simulation;
import io.escapement.simulator.cli.CompareEntryPoints;
import io.escapement.simulator.report.Report;
import io.escapement.simulator.report.ShardStats;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.SortedMap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The compact per-run result and the run key, without Spark. */
class RunResultTest
{
    private static final String[] ARGS = {"--connections", "300", "--sweep", "loss=0,0.05", "--rtt", "50ms"};

    private static Report simulate(final String strategy, final long seed, final double loss) throws Exception
    {
        return new Simulation(scenario(strategy, seed, loss), 1, null, null).run(null);
    }

    private static Scenario scenario(final String strategy, final long seed, final double loss)
    {
        return CompareEntryPoints.workload(ARGS).scenario(strategy, seed, new double[]{loss});
    }

    @Test
    void shouldRebuildTheRunsReportFigureForFigureWhenReadBackFromItsCsvRow() throws Exception
    {
        // loss makes retransmissions, recovery waits and failures: every histogram and most counters non-empty
        final Report report = simulate("rfc6298:min=200ms", 3, 0.05);
        assertTrue(report.recoveryUs().getTotalCount() > 0, "the run lost packets");
        final RunSpec spec = new RunSpec(0, "rfc6298:min=200ms", 3, "loss", new double[]{0.05}, "k");
        final String row = RunResult.of(spec, report).toCsv();
        final Report rebuilt = RunResult.parse(RunResult.csvHeader(), row).toReport(scenario("rfc6298:min=200ms",
            3, 0.05));
        assertEquals(report.resultsJson(), rebuilt.resultsJson());
        assertEquals(report.timeSeriesCsv(), rebuilt.timeSeriesCsv());
        assertEquals(report.toCsv(), rebuilt.toCsv(), "the cost figures too");
        assertEquals(row, RunResult.parse(RunResult.csvHeader(), row).toCsv());
    }

    @Test
    void shouldKeepTheGaugesLengthWhenTheLastSecondsChangeNothing() throws Exception
    {
        // a long TIME-WAIT: the gauges run on for seconds after the last connection closed
        final String[] args = {"--connections", "50", "--sweep", "loss=0", "--time-wait", "90s", "--msl", "45s"};
        final Scenario scenario = CompareEntryPoints.workload(args).scenario("rfc6298", 1, new double[]{0});
        final Report report = new Simulation(scenario, 1, null, null).run(null);
        final RunSpec spec = new RunSpec(0, "rfc6298", 1, "loss", new double[]{0}, "k");
        final Report rebuilt = RunResult.parse(RunResult.csvHeader(), RunResult.of(spec, report).toCsv())
            .toReport(scenario);
        assertTrue(report.openBySecond().length > 64, "the run outlasts the first 64 s of gauges");
        assertEquals(report.timeSeriesCsv(), rebuilt.timeSeriesCsv());
        assertEquals(report.resultsJson(), rebuilt.resultsJson());
    }

    @Test
    void shouldKeepTheGaugesLengthWhenTheShardsDeltasGrewInOneStep()
    {
        // the first change after second 63 is at second 151: the shard's deltas grew from 64 straight to 152
        // entries, and the report, running to the last event (300 s), is cut there; a rebuild growing its deltas
        // second by second (64, 128, 256) would run to 256
        final ShardStats stats = new ShardStats();
        stats.openChanged(0, 1);
        stats.openChanged(500_000, -1);
        stats.openChanged(150_200_000, 1);
        stats.openChanged(150_700_000, -1);
        stats.lastEvent(300_000_000);
        final Scenario scenario = scenario("rfc6298", 1, 0);
        final Report report = Report.merge(scenario, 1, List.of(stats), 1, 2, 3, 0, 0);
        assertEquals(152, report.openBySecond().length, "the gauges end where the deltas do");
        final Report rebuilt = RunResult.parse(RunResult.csvHeader(),
            RunResult.of(new RunSpec(0, "rfc6298", 1, "loss", new double[]{0}, "k"), report).toCsv()).toReport(scenario);
        assertEquals(report.timeSeriesCsv(), rebuilt.timeSeriesCsv());
        assertEquals(report.toJson(), rebuilt.toJson());
    }

    @Test
    void shouldRefuseARowThatDoesNotFitItsHeader()
    {
        final IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
            () -> RunResult.parse(RunResult.csvHeader(), "k,0,\"rfc6298\",1,loss,0.0"));
        assertTrue(e.getMessage().contains("fields"), e.getMessage());
    }

    @Test
    void shouldKeyARunByEveryOptionThatShapesItAndNothingElse()
    {
        final SortedMap<String, String> base = CompareEntryPoints.scenarioOptions(ARGS);
        final String key = CompareBridge.key(base, "rfc6298", 1, "loss", new double[]{0.05});
        // where the outputs go and how many runs at once change nothing
        final String[] elsewhere = {"--connections", "300", "--sweep", "loss=0,0.05", "--rtt", "50ms", "--out",
            "/tmp/x", "--parallel", "3", "--seeds", "7,8", "--strategies", "quic"};
        assertEquals(key, CompareBridge.key(CompareEntryPoints.scenarioOptions(elsewhere), "rfc6298", 1, "loss",
            new double[]{0.05}));
        // an option left at its default is the same as the default given
        final String[] explicit = {"--connections", "300", "--sweep", "loss=0,0.05", "--rtt", "50ms", "--mss",
            "1448"};
        assertEquals(key, CompareBridge.key(CompareEntryPoints.scenarioOptions(explicit), "rfc6298", 1, "loss",
            new double[]{0.05}));
        // any scenario option, the strategy, the seed and the value do
        final String[] otherRtt = {"--connections", "300", "--sweep", "loss=0,0.05", "--rtt", "60ms"};
        assertNotEquals(key, CompareBridge.key(CompareEntryPoints.scenarioOptions(otherRtt), "rfc6298", 1, "loss",
            new double[]{0.05}));
        for (final String other : List.of(CompareBridge.key(base, "rfc793", 1, "loss", new double[]{0.05}),
            CompareBridge.key(base, "rfc6298", 2, "loss", new double[]{0.05}),
            CompareBridge.key(base, "rfc6298", 1, "loss", new double[]{0.01})))
        {
            assertNotEquals(key, other);
        }
    }
}
