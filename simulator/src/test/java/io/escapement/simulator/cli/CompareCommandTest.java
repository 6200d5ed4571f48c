package io.escapement.simulator.cli;

import io.escapement.simulator.compare.Metric;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A small {@code compare} run end to end (seconds), and its bad input. */
class CompareCommandTest
{
    private static final byte[] PNG = {(byte)0x89, 'P', 'N', 'G'};

    @TempDir
    Path dir;

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    private int runTo(final Path where, final String... args)
    {
        final String[] all = new String[args.length + 5];
        all[0] = "compare";
        System.arraycopy(args, 0, all, 1, args.length);
        all[args.length + 1] = "--out";
        all[args.length + 2] = where.toString();
        all[args.length + 3] = "--progress";
        all[args.length + 4] = "false";
        return SimulatorCommand.execute(all, new PrintStream(out, true, StandardCharsets.UTF_8),
            new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    private static final String[] TINY = {"--connections", "50", "--strategies", "rfc6298;linux", "--sweep",
        "loss=0.01", "--seeds", "1,2", "--timeline", "4s"};

    @Test
    void shouldRefuseAnOutThatIsAFileBeforeAnyRun() throws IOException
    {
        final Path file = Files.writeString(dir.resolve("a-file"), "x");
        assertEquals(2, runTo(file, TINY));
        assertTrue(err.toString(StandardCharsets.UTF_8).contains("--out " + file + ": is a file"), err.toString());
        assertEquals("", out.toString(StandardCharsets.UTF_8), "no run started");
    }

    @Test
    void shouldRefuseAnOutWhoseParentCannotBeWrittenBeforeAnyRun() throws IOException
    {
        final Path file = Files.writeString(dir.resolve("a-file"), "x");
        assertEquals(2, runTo(file.resolve("report"), TINY));
        assertTrue(err.toString(StandardCharsets.UTF_8).contains("--out " + file.resolve("report") +
            ": cannot write beside it"), err.toString());
    }

    @Test
    void shouldRefuseANonEmptyOutThatHoldsNoEarlierCompare() throws IOException
    {
        final Path mine = Files.createDirectories(dir.resolve("mine"));
        Files.writeString(mine.resolve("thesis.tex"), "precious");
        assertEquals(2, runTo(mine, TINY));
        assertTrue(err.toString(StandardCharsets.UTF_8).contains("--out " + mine + ": holds thesis.tex, which " +
            "compare does not write"), err.toString());
        assertEquals("precious", Files.readString(mine.resolve("thesis.tex")));
    }

    @Test
    void shouldReplaceAnEarlierCompareAsAWholeLeavingNoStaleFileOrStagingDirectory() throws IOException
    {
        final Path earlier = Files.createDirectories(dir.resolve("compare"));
        Files.writeString(earlier.resolve("report.md"), "an earlier run");
        Files.writeString(earlier.resolve("spurious-vs-rtt.png"), "a chart this run does not make");
        assertEquals(0, runTo(earlier, TINY), err.toString(StandardCharsets.UTF_8));
        assertTrue(Files.readString(earlier.resolve("report.md")).startsWith("# RTO strategies compared"));
        assertFalse(Files.exists(earlier.resolve("spurious-vs-rtt.png")), "the earlier run's files are gone");
        try (var siblings = Files.list(dir))
        {
            assertEquals(List.of(earlier), siblings.toList(), "no staging or old directory left beside --out");
        }
    }

    @Test
    void shouldNotOfferTheOptionsItRefusesNorPresetsBelowInItsHelp()
    {
        assertEquals(0, SimulatorCommand.execute(new String[]{"compare", "--help"},
            new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8)));
        final String help = out.toString(StandardCharsets.UTF_8);
        assertFalse(help.matches("(?s).*\\n\\s+--rto=.*"), help);
        assertFalse(help.matches("(?s).*\\n\\s+--seed=.*"), help);
        assertTrue(help.contains("--seeds"), help);
        assertTrue(!help.contains("see below") || help.contains("Presets (--preset): linux"), help);
    }

    private int run(final String... args)
    {
        final String[] all = new String[args.length + 5];
        all[0] = "compare";
        System.arraycopy(args, 0, all, 1, args.length);
        all[args.length + 1] = "--out";
        all[args.length + 2] = dir.toString();
        all[args.length + 3] = "--progress";
        all[args.length + 4] = "false";
        return SimulatorCommand.execute(all, new PrintStream(out, true, StandardCharsets.UTF_8),
            new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    @Test
    void shouldWriteAReportWithIntervalsPairedDifferencesChartsWithTheirCsvAndChecks() throws IOException
    {
        assertEquals(0, run("--connections", "400", "--strategies", "rfc6298;rfc6298:min=200ms;rfc793",
            "--sweep", "loss=0,0.05", "--seeds", "1..3", "--timeline", "10s"), err.toString(StandardCharsets.UTF_8));
        final String report = Files.readString(dir.resolve("report.md"));
        assertTrue(report.startsWith("# RTO strategies compared"), report);
        assertTrue(report.contains("mean over 3 seeds ± the half-width of its 95% confidence interval (Student's " +
            "t, 2 degrees of freedom); each seed is one run of 400 connections"), report);
        assertTrue(report.matches("(?s).*\\| `rfc6298:min=200ms` \\| [0-9.]+ ± [0-9.]+ \\|.*"),
            "every mean has its interval: " + report);
        assertTrue(report.contains("| `rfc6298:min=200ms` − `rfc6298` |"), "paired differences: " + report);
        assertTrue(report.contains("`rfc6298:min=200ms` | `rfc6298(min=200ms"), "effective parameters: " + report);
        for (final Metric m : Metric.values())
        {
            assertTrue(report.contains("- **" + m.heading + "** (`" + m.column + "` in the CSV): " + m.definition),
                "defines " + m.column + ": " + report);
        }
        assertTrue(report.contains("## Checks against published results"), report);
        for (final String check : new String[]{"The RTO's minimum dominates", "Karn's rule keeps SRTT unbiased",
            "Backoff gives up at the closed-form sum", "After an RTT step up, RFC 6298 adapts"})
        {
            assertTrue(report.matches("(?s).*\\d\\. \\*\\*" + check + "[^*]*\\*\\* \\*\\*(Passed|Failed)\\*\\* " +
                "\\(margin: .*"), check + ": " + report);
        }
        assertTrue(report.contains("--seeds 1..3"), "the report names the command that made it: " + report);
        for (final String chart : new String[]{"spurious-vs-loss", "recovery-vs-loss", "recovery-cdf", "completion",
            "rto-timeline", "rtt-step"})
        {
            final byte[] bytes = Files.readAllBytes(dir.resolve(chart + ".png"));
            assertArrayEquals(PNG, java.util.Arrays.copyOf(bytes, 4), chart + " is a PNG");
            assertTrue(Files.readString(dir.resolve(chart + ".csv")).lines().count() > 1, chart + " has its CSV");
        }
        final String csv = Files.readString(dir.resolve("compare.csv"));
        assertEquals(1 + 3 * 3 * 2, csv.lines().count(), "a row per strategy, seed and loss:\n" + csv);
    }

    @Test
    void shouldDrawAHeatMapOfTheChosenDifferenceOverATwoParameterGrid() throws IOException
    {
        assertEquals(0, run("--connections", "100", "--strategies", "rfc6298;linux;rfc6298:min=200ms", "--sweep",
            "loss=0,0.05,rtt=20ms,100ms", "--heatmap", "rfc6298;rfc6298:min=200ms", "--seeds", "1,2",
            "--timeline", "4s"), err.toString(StandardCharsets.UTF_8));
        final byte[] bytes = Files.readAllBytes(dir.resolve("heatmap.png"));
        assertArrayEquals(PNG, java.util.Arrays.copyOf(bytes, 4));
        final String heat = Files.readString(dir.resolve("heatmap.csv"));
        assertEquals(1 + 2 * 2, heat.lines().count(), heat);
        assertTrue(heat.startsWith("loss,rtt,n,mean_difference,ci95_low,ci95_high,excludes_zero"), heat);
        assertTrue(Files.readString(dir.resolve("report.md")).contains("`rfc6298:min=200ms` − `rfc6298`, spurious"));
        assertEquals(1 + 3 * 2 * 4, Files.readString(dir.resolve("compare.csv")).lines().count());
    }

    @Test
    void shouldSayWhyTwoStrategiesOnTheSameFloorDrawOneLine() throws IOException
    {
        // rfc793 and rfc6298 both have a 1 s minimum on a 100 ms path: the issue's example of strategies a chart
        // cannot tell apart; rfc6298:min=200ms is told apart from both (its floor is below them)
        assertEquals(0, run("--connections", "300", "--strategies", "rfc6298;rfc6298:min=200ms;rfc793", "--sweep",
            "loss=0.02", "--seeds", "1..4", "--timeline", "4s"), err.toString(StandardCharsets.UTF_8));
        final String report = Files.readString(dir.resolve("report.md"));
        assertTrue(report.contains("Note: `rfc793` cannot be told from `rfc6298` here") ||
            report.contains("Note: `rfc793` equals `rfc6298` here"), report);
        assertTrue(report.contains("both have a minimum of 1s, at least four times this path's RTT of 100ms"), report);
        assertFalse(report.contains("Note: `rfc6298:min=200ms`"), report);
        assertFalse(report.contains("`rfc793` cannot be told from `rfc6298:min=200ms`"), report);
    }

    @Test
    void shouldCompareOverMixedRttsAndBurstyLossAndSayWhichInTheReport() throws IOException
    {
        assertEquals(0, run("--connections", "300", "--strategies", "rfc6298;fixed", "--sweep", "loss=0,0.01",
            "--timeline", "10s", "--rtt", "uniform:20ms-200ms", "--burst-loss", "p=0.02,r=0.3"),
            err.toString(StandardCharsets.UTF_8));
        final String report = Files.readString(dir.resolve("report.md"));
        assertTrue(report.contains("rtt uniform:20ms-200ms per connection"), report);
        assertTrue(report.contains("bursty loss to server Gilbert-Elliott p=0.02 r=0.3"), report);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "--burst-loss p=0.1,r=0    | --burst-loss 'p=0.1,r=0': r=0 leaves the bad state no way out",
        "--rtt uniform:9ms-1ms     | --rtt 'uniform:9ms-1ms' is out of range",
        "--sweep loss=0,2          | loss 2 is not between 0 and 1",
        "--sweep mtu=1500          | unknown parameter 'mtu'",
        "--sweep rtt=fast          | is not a duration",
        "--strategies rfc6298;nope | unknown RTO strategy 'nope'",
        "--parallel 0              | --parallel=0 must be between 1 and 256",
        "--rto linux               | compare takes --strategies, not --rto",
        "--seed 3                  | compare takes --seeds, not --seed",
        "--strategies fixed;fixed  | --strategies: 'fixed' is given twice",
        "--strategies rfc6298;linux;rfc6298 | --strategies: 'rfc6298' is given twice",
        "--seeds 3..1              | --seeds '3..1': a range runs upwards",
        "--seeds 1,x               | --seeds '1,x': 'x' is not a seed",
        "--seeds 1,2,1             | --seeds '1,2,1': seed 1 is given twice",
        "--sweep loss=0,rtt=1ms --heatmap rfc6298;nope | --heatmap 'rfc6298;nope': give two different strategies",
        "--timeline 0s             | --timeline 0s: must be at least 4s",
    })
    void shouldRejectBadInputWithExitCode2(final String args, final String message)
    {
        assertEquals(2, run(args.trim().split("\\s+")));
        final String text = err.toString(StandardCharsets.UTF_8);
        assertTrue(text.contains(message), "expected '" + message + "' in: " + text);
    }
}
