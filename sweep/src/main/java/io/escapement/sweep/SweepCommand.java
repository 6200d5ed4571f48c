package io.escapement.sweep;

import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaSparkContext;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code escapement-sweep}: compare's runs as Apache Spark tasks. Embedded ({@code local[*]}) by default, with
 * Spark's jars beside the application jar; on a cluster, {@code spark-submit} with the same jar. Every option
 * that is not the sweep's own is compare's, parsed by compare, so the outputs ({@code compare.csv}, the report,
 * the charts) are those compare writes for the same options; the sweep adds {@code runs.csv}, every run's
 * counters and histograms, beside them, and keeps each finished run in {@code --results} to resume from.
 */
@Command(name = "escapement-sweep", mixinStandardHelpOptions = true, sortOptions = false, usageHelpAutoWidth = true,
    showDefaultValues = true,
    description = {
        "Runs compare's grid (strategies x seeds x sweep values) as Spark tasks, a few runs a task (compare's " +
            "few check runs stay on the driver), and writes what compare writes: compare.csv (byte for byte the " +
            "same), report.md and the charts, plus runs.csv (each run's counters and histograms). A task that " +
            "throws is retried by Spark, its whole batch of runs; one that fails for good fails the sweep, naming " +
            "the run. Finished runs are kept in --results, a file a task, and skipped by the next sweep that " +
            "uses the same directory.",
        "",
        "Every option not listed here is compare's (see escapement-simulator compare --help). --parallel N " +
            "runs the embedded master with N threads, local[N] (default local[*]); with --master, or under " +
            "spark-submit, the master sets the parallelism and --parallel is refused.",
        ""},
    footer = {"", "Example: java -jar sweep/target/escapement-sweep.jar --sweep loss=0,0.02,0.05 --seeds 1,2,3 " +
        "--out results/sweep"})
public final class SweepCommand implements Callable<Integer>
{
    static final int EXIT_OK = 0;
    static final int EXIT_FAILED = 1;
    static final int EXIT_USAGE = 2;

    /** compare's bound on --parallel. */
    private static final int MAX_PARALLEL = 256;
    private static final String SPARK_CONF = "--spark-conf";

    private static final Pattern LOCAL = Pattern.compile("local(\\[([0-9]+|\\*)])?");

    @Option(names = "--master", paramLabel = "URL",
        description = "Spark master: local[N] (embedded, N threads), spark://HOST:PORT, yarn, k8s://... " +
            "(default: spark-submit's, else local[*]).")
    String master;

    @Option(names = "--results", paramLabel = "DIR", defaultValue = "results/sweep-runs",
        description = "Where each finished run is stored (a Hadoop path: a local directory, hdfs://, s3a://; " +
            "shared storage on a cluster; without a scheme, on the default file system, fs.defaultFS, which is " +
            "HDFS on a cluster). A run stored there is not run again.")
    String results;

    @Option(names = "--max-failures", paramLabel = "N", defaultValue = "4",
        description = "Attempts of a task (its batch of runs) before the sweep fails (spark.task.maxFailures; " +
            "local[N] becomes local[N,F]).")
    int maxFailures;

    @Option(names = "--runs-per-task", paramLabel = "N", defaultValue = "0",
        description = "Runs a Spark task runs, stores as one file and, if one of them fails, retries whole; 0: " +
            "enough for " + SparkSweep.TASKS_PER_SLOT + " tasks a core (spark.default.parallelism), at most " +
            SparkSweep.MAX_RUNS_PER_TASK + ".")
    int runsPerTask;

    @Option(names = "--spark-conf", paramLabel = "KEY=VALUE",
        description = "A Spark property, such as spark.executor.memory=4g (repeatable; its value is not shown " +
            "in the report's \"Made by\" line).")
    List<String> sparkConf = new ArrayList<>();

    @CommandLine.Unmatched
    List<String> compareArgs = new ArrayList<>();

    /** The command line as given, for the report's "Made by" line. */
    private String[] given = new String[0];

    /** Set by tests: an existing context, used and left running. */
    private JavaSparkContext context;
    /** Set by tests: what a task does instead of simulating. */
    private SparkSweep.RunTask task;
    private PrintStream out = System.out;
    private PrintStream err = System.err;

    /** Runs the sweep; exits with 0 (done), 1 (a run failed) or 2 (bad options). */
    public static void main(final String[] args)
    {
        System.exit(execute(args, System.out, System.err));
    }

    /** Runs the sweep on a context of its own; @return the exit code. */
    static int execute(final String[] args, final PrintStream out, final PrintStream err)
    {
        return execute(args, null, null, out, err);
    }

    /**
     * Runs the sweep.
     *
     * @param context an existing context to run on (left running), or null to start one from the options.
     * @param task    what a task does with a run, or null to simulate it.
     * @return the exit code.
     */
    static int execute(final String[] args, final JavaSparkContext context, final SparkSweep.RunTask task,
        final PrintStream out, final PrintStream err)
    {
        final SweepCommand command = new SweepCommand();
        command.context = context;
        command.task = task;
        command.out = out;
        command.err = err;
        command.given = args.clone();
        final CommandLine commandLine = new CommandLine(command);
        commandLine.setOut(new PrintWriter(out, true));
        commandLine.setErr(new PrintWriter(err, true));
        commandLine.setExecutionExceptionHandler((e, cl, parsed) ->
        {
            if (e instanceof IllegalArgumentException)
            {
                cl.getErr().println("escapement-sweep: " + e.getMessage());
                return EXIT_USAGE;
            }
            cl.getErr().println("escapement-sweep: the sweep failed: " + e);
            e.printStackTrace(cl.getErr());
            return EXIT_FAILED;
        });
        commandLine.setParameterExceptionHandler((e, argv) ->
        {
            e.getCommandLine().getErr().println("escapement-sweep: " + e.getMessage());
            e.getCommandLine().getErr().println("Try --help for the options.");
            return EXIT_USAGE;
        });
        return commandLine.execute(args);
    }

    @Override
    public Integer call() throws IOException
    {
        if (maxFailures < 1)
        {
            throw new IllegalArgumentException("--max-failures=" + maxFailures + " must be 1 or more");
        }
        final Integer parallel = CompareBridge.parallel(compareArgs.toArray(new String[0]));
        // before Spark starts, which takes seconds and would fail less clearly
        if (parallel != null && (parallel < 1 || parallel > MAX_PARALLEL))
        {
            throw new IllegalArgumentException("--parallel=" + parallel + " must be between 1 and " + MAX_PARALLEL);
        }
        if (runsPerTask < 0)
        {
            throw new IllegalArgumentException("--runs-per-task=" + runsPerTask + " must be 0 (chosen) or more");
        }
        final JavaSparkContext spark = context != null ? context : start(parallel);
        try
        {
            final String[] compare = withParallel(compareArgs, parallel, spark.defaultParallelism());
            // qualified here, on the driver, against the context's Hadoop settings: a path without a scheme is on
            // the default file system (HDFS on a cluster), the same for every executor
            final RunStore store = new RunStore(results, spark.hadoopConfiguration());
            final List<RunResult> gathered = new ArrayList<>();
            final int exit = CompareBridge.compare(compare, madeBy(), new SparkSweep(spark,
                store, runsPerTask), task, out, err, gathered);
            if (exit == EXIT_OK)
            {
                final Path table = CompareBridge.out(compare).resolve("runs.csv");
                writeAtomically(table, gathered);
                out.printf(Locale.ROOT, "Wrote %s (%d runs; each also stored in %s)%n", table, gathered.size(),
                    store.directory());
            }
            return exit;
        }
        finally
        {
            if (context == null)
            {
                spark.stop();
            }
        }
    }

    /**
     * @return compare's arguments, with {@code --parallel} first (compare's report says "N s on P cores": P is the
     * master's parallelism unless {@code --parallel} said it); first, not last, where a {@code --} or an option
     * missing its value would take it for something else.
     */
    static String[] withParallel(final List<String> compareArgs, final Integer parallel, final int masters)
    {
        final List<String> args = new ArrayList<>();
        if (parallel == null)
        {
            args.addAll(List.of("--parallel", Integer.toString(Math.max(1, Math.min(MAX_PARALLEL, masters)))));
        }
        args.addAll(compareArgs);
        return args.toArray(new String[0]);
    }

    private String madeBy()
    {
        return madeBy(given, System.getProperty("spark.master"));
    }

    /**
     * @return the command line the report quotes: this jar's with the arguments as given, under spark-submit
     * (which sets the {@code spark.master} property, {@code submitted}) with its master; the values of
     * {@code --spark-conf} not shown (they may be secrets, such as a store's key, and the report is committed),
     * which a shell comment at the end says.
     */
    static String madeBy(final String[] given, final String submitted)
    {
        final StringBuilder s = new StringBuilder(submitted == null ? "java -jar sweep/target/escapement-sweep.jar" :
            "spark-submit --master " + quoted(submitted) + " sweep/target/escapement-sweep.jar");
        boolean hidden = false;
        for (int k = 0; k < given.length; k++)
        {
            String arg = given[k];
            if (arg.startsWith(SPARK_CONF + "="))
            {
                arg = SPARK_CONF + "=" + hidden(arg.substring(SPARK_CONF.length() + 1));
                hidden = true;
            }
            else if (k > 0 && given[k - 1].equals(SPARK_CONF))
            {
                arg = hidden(arg);
                hidden = true;
            }
            s.append(' ').append(quoted(arg));
        }
        return hidden ? s.append(" # --spark-conf values not shown").toString() : s.toString();
    }

    /** @return a {@code KEY=VALUE} with its value hidden. */
    private static String hidden(final String property)
    {
        final int eq = property.indexOf('=');
        return (eq < 0 ? property : property.substring(0, eq + 1)) + "<hidden>";
    }

    /** @return the argument as a shell reads it back: quoted if it holds a character the shell would take. */
    static String quoted(final String arg)
    {
        return arg.matches("[A-Za-z0-9_./:=,@%+\\-]+") ? arg : "'" + arg.replace("'", "'\\''") + "'";
    }

    /**
     * @return a context for the options: spark-submit's master unless --master names one; with neither,
     * embedded, local[N] for compare's --parallel N, else local[*].
     * @throws IllegalArgumentException if --parallel is given with a master, which sets the parallelism itself.
     */
    private JavaSparkContext start(final Integer parallel)
    {
        final SparkConf conf = new SparkConf().setAppName("escapement-sweep"); // reads spark-submit's properties
        if (parallel != null && (master != null || conf.contains("spark.master")))
        {
            throw new IllegalArgumentException("--parallel " + parallel + " sets the embedded master's threads " +
                "(local[" + parallel + "]); with a master (--master " + (master != null ? master :
                conf.get("spark.master")) + ") the master sets the parallelism: give one of them");
        }
        final String url = master != null ? master : conf.get("spark.master", parallel != null ? "local[" +
            parallel + "]" : "local[*]");
        final String withRetries = local(url, maxFailures);
        conf.setMaster(withRetries).set("spark.task.maxFailures", Integer.toString(maxFailures))
            // the progress line is compare's; Spark's own bar would draw over it
            .set("spark.ui.showConsoleProgress", "false");
        if (withRetries.startsWith("local"))
        {
            conf.setIfMissing("spark.ui.enabled", "false"); // embedded: no web UI to start, unless asked for
            // and nothing to reach from another machine: the driver listens on the loopback interface only
            conf.setIfMissing("spark.driver.host", "localhost").setIfMissing("spark.driver.bindAddress", "127.0.0.1");
        }
        for (final String property : sparkConf)
        {
            final int eq = property.indexOf('=');
            if (eq < 1)
            {
                throw new IllegalArgumentException("--spark-conf '" + property + "': expected KEY=VALUE, such as " +
                    "spark.executor.memory=4g");
            }
            conf.set(property.substring(0, eq), property.substring(eq + 1));
        }
        try
        {
            return new JavaSparkContext(conf);
        }
        catch (final RuntimeException e)
        {
            throw new IllegalArgumentException("--master " + url + ": Spark could not start (" + e.getMessage() + ")",
                e);
        }
    }

    /**
     * @return a local master with retries: Spark's local mode ignores spark.task.maxFailures and takes the
     * attempts from {@code local[N,F]}; any other master as it is.
     */
    static String local(final String master, final int maxFailures)
    {
        final Matcher m = LOCAL.matcher(master);
        if (!m.matches())
        {
            return master;
        }
        return "local[" + (m.group(2) == null ? "1" : m.group(2)) + "," + maxFailures + "]";
    }

    /** Writes the table of every run aside, then moves it into place: never a partial table under its name. */
    private static void writeAtomically(final Path table, final List<RunResult> runs) throws IOException
    {
        final StringBuilder s = new StringBuilder(RunResult.csvHeader()).append('\n');
        for (final RunResult run : runs)
        {
            s.append(run.toCsv()).append('\n');
        }
        final Path temporary = table.resolveSibling(".runs.csv.partial");
        Files.writeString(temporary, s, StandardCharsets.UTF_8);
        Files.move(temporary, table, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }
}
