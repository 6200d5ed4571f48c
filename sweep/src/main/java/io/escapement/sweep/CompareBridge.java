package io.escapement.sweep;

import io.escapement.engine.rto.RtoStrategies;
import io.escapement.engine.rto.RtoStrategyProvider;
import io.escapement.simulator.Simulation;
import io.escapement.simulator.cli.CompareEntryPoints;
import io.escapement.simulator.compare.Comparison;
import io.escapement.simulator.report.Counter;

import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.SortedMap;
import java.util.WeakHashMap;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The sweep's one contact with {@code compare}: compare parses the options (its own parser, defaults, presets and
 * config files), validates them, plans its grids and writes {@code compare.csv}, the report and the charts; the
 * sweep only executes the runs, through compare's {@link Comparison.Runner} seam. Here a grid becomes
 * {@link RunSpec}s in the order of compare's plan, and the gathered
 * {@link RunResult}s become compare's {@link Comparison.Run}s again, each with a report rebuilt on the driver, so
 * that compare's writer sees what it sees when it runs the grid itself.
 *
 * <p>When compare's API changes, this class changes; the rest of the module does not know compare.
 */
final class CompareBridge
{
    private CompareBridge()
    {
    }

    /**
     * Runs compare with its runs executed by {@code sweep}.
     *
     * @param args     compare's arguments (without {@code compare}).
     * @param madeBy   the command line the report quotes.
     * @param task     what a task does with a run; null: simulate it.
     * @param gathered receives every run's result, in the order compare asked for them.
     * @return compare's exit code: 0 done, 1 a run failed, 2 bad options.
     */
    static int compare(final String[] args, final String madeBy, final SparkSweep sweep,
        final SparkSweep.RunTask task, final PrintStream out, final PrintStream err, final List<RunResult> gathered)
    {
        final SparkSweep.RunTask executed = task != null ? task : new SimulationTask(args);
        final Comparison.Runner runner = (workload, plan, threads, progress) ->
        {
            // called after compare validated the options
            final List<RunSpec> specs = plan(args, plan);
            final List<RunResult> results = sweep.execute(specs, executed, progress);
            final Map<Integer, Comparison.PlannedRun> planned = new java.util.HashMap<>();
            for (final Comparison.PlannedRun p : plan)
            {
                planned.put(p.index(), p);
            }
            final List<Comparison.Run> runs = new ArrayList<>();
            for (final RunResult result : results)
            {
                final RunSpec s = result.spec();
                runs.add(new Comparison.Run(planned.get(s.index()),
                    result.toReport(workload.scenario(s.strategy(), s.seed(), s.point()))));
            }
            gathered.addAll(results);
            return runs;
        };
        return CompareEntryPoints.compare(args, runner, madeBy, out, err);
    }

    /**
     * @return compare's {@code --parallel}, or null if not given.
     * @throws IllegalArgumentException for options compare refuses.
     */
    static Integer parallel(final String[] args)
    {
        return CompareEntryPoints.parallel(args);
    }

    /** @return where compare writes its outputs. */
    static Path out(final String[] args)
    {
        return CompareEntryPoints.out(args);
    }

    /** @return compare's plan as the sweep's runs, in the plan's order, each keyed by a hash of all its options. */
    static List<RunSpec> plan(final String[] args, final List<Comparison.PlannedRun> plan)
    {
        final SortedMap<String, String> options = CompareEntryPoints.scenarioOptions(args);
        final String parameters = CompareEntryPoints.sweepParameters(args);
        final List<RunSpec> specs = new ArrayList<>();
        for (final Comparison.PlannedRun p : plan)
        {
            specs.add(new RunSpec(p.index(), p.strategy(), p.seed(), parameters, p.point().clone(),
                key(options, p.strategy(), p.seed(), parameters, p.point())));
        }
        return specs;
    }

    /** The simulator's code: a run stored by another build is not taken for this one's (null: unknown). */
    private static final String CODE = code(Simulation.class);

    /** A plug-in strategy's code that cannot be identified (compared by identity). */
    private static final String UNKNOWN = new String("unknown");

    private static final java.util.concurrent.atomic.AtomicBoolean UNKNOWN_SIMULATOR_SAID =
        new java.util.concurrent.atomic.AtomicBoolean();

    /** The code of each plug-in strategy, by the context class loader and the strategy's name. */
    private static final Map<ClassLoader, Map<String, String>> PLUGINS = Collections.synchronizedMap(
        new WeakHashMap<>());

    /**
     * @return a digest of the code a class comes from: of its jar's bytes (for the simulator, the sweep's own jar
     * once packaged), or of a class directory's files (their sorted relative paths and bytes) in a development
     * build, so that rebuilt code does not reuse runs stored by another build; null if the code cannot be
     * identified (no code source, or one that is neither a file nor a directory).
     */
    static String code(final Class<?> type)
    {
        try
        {
            final java.security.CodeSource source = type.getProtectionDomain().getCodeSource();
            if (source == null || source.getLocation() == null)
            {
                return null;
            }
            final Path where = Path.of(source.getLocation().toURI());
            final MessageDigest digest = MessageDigest.getInstance("SHA-256");
            if (java.nio.file.Files.isRegularFile(where))
            {
                try (java.io.InputStream in = java.nio.file.Files.newInputStream(where)) // the sweep's jar is large
                {
                    final byte[] buffer = new byte[1 << 16];
                    for (int n; (n = in.read(buffer)) > 0; )
                    {
                        digest.update(buffer, 0, n);
                    }
                }
            }
            else if (java.nio.file.Files.isDirectory(where))
            {
                final List<Path> files;
                try (java.util.stream.Stream<Path> walk = java.nio.file.Files.walk(where))
                {
                    files = walk.filter(java.nio.file.Files::isRegularFile).sorted().toList();
                }
                for (final Path file : files)
                {
                    // the path with '/' on every system, and a separator no path holds, then the bytes' length
                    // and the bytes: no two directories give the same stream
                    final byte[] bytes = java.nio.file.Files.readAllBytes(file);
                    digest.update((where.relativize(file).toString().replace('\\', '/') + "\0" + bytes.length + "\0")
                        .getBytes(StandardCharsets.UTF_8));
                    digest.update(bytes);
                }
            }
            else
            {
                return null;
            }
            return HexFormat.of().formatHex(digest.digest(), 0, 16);
        }
        catch (final Exception e) // a location that is not a path, a file that cannot be read: unknown
        {
            return null;
        }
    }

    /**
     * @return the code of the strategy a specification names: empty for a built-in strategy (the simulator's code
     * covers it), else the digest of the jar of the {@link RtoStrategyProvider} of that name that the context class
     * loader finds ({@link RtoStrategies}' rule), so a rebuilt plug-in does not reuse runs of the old one; null if
     * its code cannot be identified (said once on stderr): its runs are then neither stored nor reused.
     */
    static String strategyCode(final String strategy)
    {
        final int colon = strategy.indexOf(':');
        final String name = (colon < 0 ? strategy : strategy.substring(0, colon)).trim();
        if (RtoStrategies.builtInNames().contains(name))
        {
            return "";
        }
        final ClassLoader loader = Thread.currentThread().getContextClassLoader();
        // computed once per loader and name: the warning is said once
        final String code = PLUGINS.computeIfAbsent(loader, l -> new ConcurrentHashMap<>()).computeIfAbsent(name, n ->
        {
            for (final RtoStrategyProvider provider : ServiceLoader.load(RtoStrategyProvider.class, loader))
            {
                if (n.equals(provider.name()))
                {
                    final String digest = code(provider.getClass());
                    if (digest == null)
                    {
                        System.err.println("escapement-sweep: the code of strategy " + n + " (" +
                            provider.getClass().getName() + ") cannot be identified (no jar or class directory): " +
                            "its runs are neither stored in --results nor taken from it");
                        return UNKNOWN;
                    }
                    return provider.getClass().getName() + " " + digest;
                }
            }
            return "not found"; // RtoStrategies refuses the name before any run
        });
        return code == UNKNOWN ? null : code;
    }

    /**
     * @return a run's key: SHA-256 (first 128 bits, hex) of every option that shapes its scenario, with its
     * effective value, then its strategy, seed and grid point, the simulator's code (its jar's digest), a plug-in
     * strategy's code (its jar's digest) and counter names (a rebuilt simulator or plug-in does not take an older
     * stored run for its own); starting with {@link RunSpec#UNKEPT} if either code cannot be identified, so that
     * the run is neither stored nor taken from the store.
     */
    static String key(final SortedMap<String, String> options, final String strategy, final long seed,
        final String parameters, final double[] point)
    {
        if (CODE == null && !UNKNOWN_SIMULATOR_SAID.getAndSet(true))
        {
            System.err.println("escapement-sweep: the simulator's code cannot be identified (no jar or class " +
                "directory): no run is stored in --results nor taken from it");
        }
        final StringBuilder s = new StringBuilder("escapement-sweep run 1\n").append("code=").append(CODE)
            .append('\n');
        for (final Map.Entry<String, String> option : options.entrySet())
        {
            s.append(option.getKey()).append('=').append(option.getValue()).append('\n');
        }
        s.append("--rto=").append(strategy).append('\n').append("--seed=").append(seed).append('\n')
            .append(parameters).append('=').append(java.util.Arrays.toString(point)).append('\n');
        final String plugin = strategyCode(strategy);
        if (plugin != null && !plugin.isEmpty())
        {
            // only for plug-ins: the keys of built-in strategies' runs, and the runs stored under them, stay
            s.append("plugin=").append(plugin).append('\n');
        }
        for (final Counter c : Counter.values())
        {
            s.append(c.key()).append(' ');
        }
        try
        {
            final byte[] hash = MessageDigest.getInstance("SHA-256").digest(s.toString()
                .getBytes(StandardCharsets.UTF_8));
            final boolean known = CODE != null && plugin != null;
            return (known ? "" : RunSpec.UNKEPT) + HexFormat.of().formatHex(hash, 0, 16);
        }
        catch (final NoSuchAlgorithmException e)
        {
            throw new IllegalStateException("every JVM has SHA-256", e);
        }
    }

    /**
     * A run as compare runs it: the scenario from compare's options, one single-threaded simulation. The
     * executor parses the options again (they travel as the command line's arguments, not as objects), once per
     * executor JVM and arguments.
     */
    static final class SimulationTask implements SparkSweep.RunTask
    {
        private static final long serialVersionUID = 1L;
        private static final Map<List<String>, Comparison.Workload> WORKLOADS =
            new java.util.concurrent.ConcurrentHashMap<>();

        private final String[] args;

        SimulationTask(final String[] args)
        {
            this.args = args.clone();
        }

        @Override
        public RunResult run(final RunSpec spec) throws Exception
        {
            final Comparison.Workload workload = WORKLOADS.computeIfAbsent(List.of(args),
                a -> CompareEntryPoints.workload(args));
            // no full GC after each run to measure its retained heap: in a JVM that also holds Spark it cost more
            // than a small run itself (0.04 core-s a run; compare's outputs do not use the figure)
            return RunResult.of(spec, new Simulation(workload.scenario(spec.strategy(), spec.seed(), spec.point()),
                1, null, null).measureRetainedHeap(false).run(null));
        }
    }
}
