package io.escapement.simulator.cli;

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

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A small {@code compare} run end to end (seconds), and its bad input. */
class CompareCommandTest
{
    private static final byte[] PNG = {(byte)0x89, 'P', 'N', 'G'};

    @TempDir
    Path dir;

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

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
    void shouldWriteAReportWithTablesChartsAndSanityChecks() throws IOException
    {
        assertEquals(0, run("--connections", "400", "--strategies", "rfc6298;rfc6298:min=200ms;rfc793",
            "--sweep", "loss=0,0.05", "--seeds", "1,2", "--timeline", "10s"), err.toString(StandardCharsets.UTF_8));
        final String report = Files.readString(dir.resolve("report.md"));
        assertTrue(report.startsWith("# RTO strategies compared"), report);
        assertTrue(report.contains("| `rfc6298:min=200ms` |"), report);
        assertTrue(report.contains("1. **The minimum RTO dominates**"), report);
        assertTrue(report.contains("2. **A fixed RTO below the path's RTT"), report);
        assertTrue(report.contains("3. **After an RTT step up"), report);
        assertTrue(report.contains("--seeds 1,2"), "the report names the command that made it: " + report);
        for (final String chart : new String[]{"spurious-vs-loss.png", "recovery-cdf.png", "completion.png",
            "rto-timeline.png", "rtt-step.png"})
        {
            final byte[] bytes = Files.readAllBytes(dir.resolve(chart));
            assertArrayEquals(PNG, java.util.Arrays.copyOf(bytes, 4), chart + " is a PNG");
        }
        final String csv = Files.readString(dir.resolve("compare.csv"));
        assertEquals(1 + 3 * 2 * 2, csv.lines().count(), "a row per strategy, seed and loss:\n" + csv);
    }

    @Test
    void shouldCompareOverMixedRttsAndBurstyLossAndSayWhichInTheReport() throws IOException
    {
        assertEquals(0, run("--connections", "300", "--strategies", "rfc6298;fixed", "--sweep", "loss=0,0.01",
            "--timeline", "10s", "--rtt", "uniform:20ms-200ms", "--burst-loss", "p=0.02,r=0.3"),
            err.toString(StandardCharsets.UTF_8));
        final String report = Files.readString(dir.resolve("report.md"));
        assertTrue(report.contains("RTT uniform:20ms-200ms per connection"), report);
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
    })
    void shouldRejectBadInputWithExitCode2(final String args, final String message)
    {
        assertEquals(2, run(args.trim().split("\\s+")));
        final String text = err.toString(StandardCharsets.UTF_8);
        assertTrue(text.contains(message), "expected '" + message + "' in: " + text);
    }
}
