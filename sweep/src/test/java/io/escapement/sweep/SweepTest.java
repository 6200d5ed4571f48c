package io.escapement.sweep;

import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaSparkContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The sweep end to end on one embedded Spark context ({@code local[2,3]}: two runs at once, three attempts a run)
 * shared by the class: a grid of 2 strategies x 2 seeds x 2 loss rates at 300 connections a run, against compare's own execution of the same options (compare's checks run their few runs on the driver).
 */
class SweepTest
{
    private static final int ATTEMPTS = 3;
    private static final String[] GRID = {"--connections", "300", "--strategies", "rfc6298;rfc793", "--seeds",
        "1,2", "--sweep", "loss=0,0.05", "--timeline", "5s", "--progress", "false"};

    /** Attempts per run, by its description, in this JVM (local mode: the tasks run here). */
    private static final ConcurrentHashMap<String, AtomicInteger> ATTEMPTED = new ConcurrentHashMap<>();

    private static JavaSparkContext spark;
    private static Path reference;

    @TempDir
    Path dir;

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    @BeforeAll
    static void start(@TempDir final Path shared) throws IOException
    {
        spark = new JavaSparkContext(new SparkConf().setMaster("local[2," + ATTEMPTS + "]").setAppName("SweepTest")
            .set("spark.ui.enabled", "false").set("spark.ui.showConsoleProgress", "false")
            .set("spark.driver.host", "localhost").set("spark.driver.bindAddress", "127.0.0.1"));
        // compare's own execution, at 1 run at a time and at 2: the reference for every test
        reference = shared.resolve("compare-1");
        final Path two = shared.resolve("compare-2");
        assertEquals(0, compare(reference, "1"));
        assertEquals(0, compare(two, "2"));
        assertArrayEquals(Files.readAllBytes(reference.resolve("compare.csv")),
            Files.readAllBytes(two.resolve("compare.csv")));
    }

    @AfterAll
    static void stop()
    {
        spark.stop();
    }

    private static int compare(final Path out, final String parallel)
    {
        final List<String> args = new ArrayList<>(List.of(GRID));
        args.addAll(List.of("--out", out.toString(), "--parallel", parallel));
        return io.escapement.simulator.cli.CompareEntryPoints.compare(args.toArray(new String[0]), null,
            new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8), System.err);
    }

    private int sweep(final Path out, final Path results, final SparkSweep.RunTask task, final String... more)
    {
        final List<String> args = new ArrayList<>(List.of(GRID));
        args.addAll(List.of("--out", out.toString(), "--results", results.toString()));
        args.addAll(List.of(more));
        return SweepCommand.execute(args.toArray(new String[0]), spark, task,
            new PrintStream(this.out, true, StandardCharsets.UTF_8),
            new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    private String err()
    {
        return err.toString(StandardCharsets.UTF_8);
    }

    /** Simulates, counting attempts; fails the attempts of {@code failing} below {@code failures}. */
    private static SparkSweep.RunTask counting(final String failing, final int failures)
    {
        final SparkSweep.RunTask simulate = new CompareBridge.SimulationTask(withOut(GRID));
        return spec ->
        {
            final int attempt = ATTEMPTED.computeIfAbsent(spec.describe(), k -> new AtomicInteger()).incrementAndGet();
            if (spec.describe().equals(failing) && attempt <= failures)
            {
                throw new IllegalStateException("boom on attempt " + attempt);
            }
            return simulate.run(spec);
        };
    }

    private static String[] withOut(final String[] args)
    {
        return args.clone(); // the scenario does not depend on --out or --results
    }

    private static int attempts()
    {
        return ATTEMPTED.values().stream().mapToInt(AtomicInteger::get).sum();
    }

    @Test
    void shouldWriteCompareCsvByteForByteAsCompareDoesWhenTheRunsAreSparkTasks() throws IOException
    {
        final Path out = dir.resolve("sweep");
        assertEquals(0, sweep(out, dir.resolve("runs"), null), err());
        final byte[] expected = Files.readAllBytes(reference.resolve("compare.csv"));
        assertEquals(9, new String(expected, StandardCharsets.UTF_8).split("\n").length, "a header and 8 runs");
        assertArrayEquals(expected, Files.readAllBytes(out.resolve("compare.csv")));
        final String report = Files.readString(out.resolve("report.md"));
        assertTrue(report.contains("**After an RTT step up"));
        assertTrue(report.contains("Made by `java -jar sweep/target/escapement-sweep.jar --connections 300 " +
            "--strategies 'rfc6298;rfc793' --seeds 1,2"), "the sweep's command, as a shell reads it back");
        // every run of compare's plan, the grid's 8, in runs.csv and in the store (compare's checks run their few
        // runs per seed on the driver)
        assertEquals(1 + 8, Files.readAllLines(out.resolve("runs.csv")).size());
        try (Stream<Path> stored = Files.list(dir.resolve("runs")))
        {
            assertEquals(8, stored.filter(p -> p.toString().endsWith(".csv")).count(), "a task a run by default");
        }
    }

    @Test
    void shouldRetryARunThatFailsOnceAndStillMatchCompare() throws IOException
    {
        ATTEMPTED.clear();
        final String failing = "strategy=rfc793, seed=2, loss=0.05";
        final Path out = dir.resolve("sweep");
        assertEquals(0, sweep(out, dir.resolve("runs"), counting(failing, 1)), err());
        assertEquals(2, ATTEMPTED.get(failing).get(), "Spark ran the failed run again");
        assertArrayEquals(Files.readAllBytes(reference.resolve("compare.csv")),
            Files.readAllBytes(out.resolve("compare.csv")));
    }

    @Test
    void shouldFailTheSweepNamingTheRunAndItsErrorWhenARunFailsEveryAttempt() throws IOException
    {
        ATTEMPTED.clear();
        final String failing = "strategy=rfc793, seed=2, loss=0.05";
        final Path out = dir.resolve("sweep");
        final Path results = dir.resolve("runs");
        assertEquals(1, sweep(out, results, counting(failing, Integer.MAX_VALUE)));
        final String error = err().lines().filter(l -> l.contains("the run failed")).findFirst().orElse(err());
        assertTrue(error.contains("run " + failing), error);
        assertTrue(error.contains("boom on attempt " + ATTEMPTS), error);
        assertTrue(error.contains("(" + ATTEMPTS + " attempts)"), error);
        assertEquals(ATTEMPTS, ATTEMPTED.get(failing).get(), "Spark retried the run up to its limit");
        // nothing presented as a result; what was stored is whole
        assertFalse(Files.exists(out.resolve("compare.csv")));
        assertFalse(Files.exists(out.resolve("runs.csv")));
        try (Stream<Path> stored = Files.list(results))
        {
            final List<Path> files = stored.filter(p -> p.toString().endsWith(".csv")).toList();
            for (final Path file : files)
            {
                final List<String> lines = Files.readAllLines(file);
                RunResult.parse(lines.get(0), lines.get(1));
            }
        }
    }

    @Test
    void shouldSkipStoredRunsWhenResumed() throws IOException
    {
        ATTEMPTED.clear();
        final Path results = dir.resolve("runs");
        assertEquals(0, sweep(dir.resolve("first"), results, counting("", 0)), err());
        assertEquals(8, attemptsAndClear());
        // forget three runs: only they run again
        final List<Path> files;
        try (Stream<Path> stored = Files.list(results))
        {
            files = stored.filter(p -> p.toString().endsWith(".csv")).sorted().toList();
        }
        for (final Path file : files.subList(0, 3))
        {
            Files.delete(file);
        }
        final Path out = dir.resolve("resumed");
        assertEquals(0, sweep(out, results, counting("", 0)), err());
        assertEquals(3, attemptsAndClear(), "only the runs not stored ran");
        assertArrayEquals(Files.readAllBytes(reference.resolve("compare.csv")),
            Files.readAllBytes(out.resolve("compare.csv")));
        assertEquals(results(dir.resolve("first").resolve("runs.csv")), results(out.resolve("runs.csv")));
        // all stored: nothing runs
        assertEquals(0, sweep(dir.resolve("again"), results, counting("", 0)), err());
        assertEquals(0, attemptsAndClear());
        assertArrayEquals(Files.readAllBytes(reference.resolve("compare.csv")),
            Files.readAllBytes(dir.resolve("again").resolve("compare.csv")));
    }

    /** @return runs.csv's rows without the cost columns (wall time, heap), which differ between executions. */
    private static List<String> results(final Path runsCsv) throws IOException
    {
        final List<String> lines = Files.readAllLines(runsCsv);
        final List<String> header = List.of(lines.get(0).split(","));
        final List<String> rows = new ArrayList<>();
        for (final String line : lines)
        {
            // the strategy is the only quoted field: join it back before splitting on commas
            final String[] quoted = line.split("\"");
            final List<String> fields = new ArrayList<>();
            fields.addAll(List.of(quoted[0].split(",")));
            fields.add(quoted.length > 1 ? quoted[1] : "");
            fields.addAll(List.of(quoted.length > 2 ? quoted[2].substring(1).split(",", -1) : new String[0]));
            final List<String> kept = new ArrayList<>();
            for (int k = 0; k < fields.size() && k < header.size(); k++)
            {
                final String name = header.get(k);
                if (!name.equals("wall_ns") && !name.equals("peak_heap_bytes") && !name.equals("retained_heap_bytes"))
                {
                    kept.add(fields.get(k));
                }
            }
            rows.add(String.join(",", kept));
        }
        return rows;
    }

    private static int attemptsAndClear()
    {
        final int n = attempts();
        ATTEMPTED.clear();
        return n;
    }

    @Test
    void shouldWriteTheSameCompareCsvWhateverTheRunsPerTask() throws IOException
    {
        // 3: batches of 3, 3 and 2; 8: the whole grid in one task, run serially (a task a run is the default here:
        // 8 runs on local[2] at eight tasks a core, the first test)
        for (final int perTask : new int[]{3, 8})
        {
            final Path out = dir.resolve("sweep-" + perTask);
            final Path results = dir.resolve("runs-" + perTask);
            assertEquals(0, sweep(out, results, null, "--runs-per-task", Integer.toString(perTask)), err());
            assertArrayEquals(Files.readAllBytes(reference.resolve("compare.csv")),
                Files.readAllBytes(out.resolve("compare.csv")), perTask + " runs a task");
            try (Stream<Path> stored = Files.list(results))
            {
                assertEquals((8 + perTask - 1) / perTask, stored.filter(p -> p.toString().endsWith(".csv")).count(),
                    "a file a task");
            }
            assertEquals(8, new RunStore(results.toString()).stored(w -> { throw new AssertionError(w); }).size());
        }
    }

    @Test
    void shouldRetryAFailedBatchWholeAndResumeFromTheRunsItFinishedBeforeTheFailure() throws IOException
    {
        ATTEMPTED.clear();
        // two batches of four, dealt round robin from compare's plan (point, then strategy, then seed): the
        // second holds the runs of seed 2, the failing one last
        final String failing = "strategy=rfc793, seed=2, loss=0.05";
        final List<String> before = List.of("strategy=rfc6298, seed=2, loss=0.0", "strategy=rfc793, seed=2, loss=0.0",
            "strategy=rfc6298, seed=2, loss=0.05");
        final Path results = dir.resolve("runs");
        assertEquals(1, sweep(dir.resolve("failed"), results, counting(failing, Integer.MAX_VALUE),
            "--runs-per-task", "4"));
        final String error = err().lines().filter(l -> l.contains("the run failed")).findFirst().orElse(err());
        assertTrue(error.contains("run " + failing) && error.contains("(" + ATTEMPTS + " attempts)"), error);
        for (final String run : before)
        {
            assertEquals(ATTEMPTS, ATTEMPTED.get(run).get(), "the batch is retried whole: " + run);
        }
        final java.util.Set<String> stored = new java.util.HashSet<>();
        for (final RunResult run : new RunStore(results.toString()).stored(w -> { throw new AssertionError(w); })
            .values())
        {
            stored.add(run.spec().describe());
        }
        assertTrue(stored.containsAll(before), "the failed batch's finished runs are stored: " + stored);
        assertFalse(stored.contains(failing));
        ATTEMPTED.clear();
        err.reset();

        final Path out = dir.resolve("resumed");
        assertEquals(0, sweep(out, results, counting("", 0), "--runs-per-task", "4"), err());
        assertEquals(8 - stored.size(), attempts(), "only the runs not stored ran");
        assertEquals(1, ATTEMPTED.get(failing).get());
        for (final String run : before)
        {
            assertFalse(ATTEMPTED.containsKey(run), "stored, not run again: " + run);
        }
        assertArrayEquals(Files.readAllBytes(reference.resolve("compare.csv")),
            Files.readAllBytes(out.resolve("compare.csv")));
    }

    @Test
    void shouldRefuseParallelBesideAMasterBeforeStartingSpark()
    {
        assertEquals(2, SweepCommand.execute(new String[]{"--master", "local[1]", "--parallel", "2", "--out",
            dir.toString()}, new PrintStream(out, true, StandardCharsets.UTF_8),
            new PrintStream(err, true, StandardCharsets.UTF_8)));
        assertTrue(err().contains("--parallel 2 sets the embedded master's threads (local[2]); with a master " +
            "(--master local[1])"), err());
    }

    @Test
    void shouldQuoteTheArgumentsAShellWouldSplitOrExpandInTheMadeByLine()
    {
        assertEquals("loss=0,0.05", SweepCommand.quoted("loss=0,0.05"));
        assertEquals("'rfc6298;rfc793'", SweepCommand.quoted("rfc6298;rfc793"));
        assertEquals("'local[2]'", SweepCommand.quoted("local[2]"));
        assertEquals("'it'\\''s'", SweepCommand.quoted("it's"));
    }

    @Test
    void shouldRefuseBadOptionsWithExitCodeTwo()
    {
        assertEquals(2, SweepCommand.execute(new String[]{"--max-failures", "0"}, spark, null,
            new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8)));
        assertTrue(err().contains("--max-failures=0"), err());
        err.reset();
        assertEquals(2, SweepCommand.execute(new String[]{"--strategies", "nosuch", "--out", dir.toString()}, spark,
            null, new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true,
                StandardCharsets.UTF_8)));
        assertTrue(err().contains("nosuch"), err());
    }

    @Test
    void shouldRetryLocallyBySettingTheAttemptsInTheMasterUrl()
    {
        assertEquals("local[*,4]", SweepCommand.local("local[*]", 4));
        assertEquals("local[2,3]", SweepCommand.local("local[2]", 3));
        assertEquals("local[1,4]", SweepCommand.local("local", 4));
        assertEquals("local[2,9]", SweepCommand.local("local[2,9]", 4), "given attempts are kept");
        assertEquals("spark://h:7077", SweepCommand.local("spark://h:7077", 4));
    }
}
