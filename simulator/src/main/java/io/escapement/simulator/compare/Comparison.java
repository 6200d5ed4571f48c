package io.escapement.simulator.compare;

import io.escapement.engine.rto.RtoParameters;
import io.escapement.simulator.Scenario;
import io.escapement.simulator.Simulation;
import io.escapement.simulator.net.NetworkModel;
import io.escapement.simulator.report.Report;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntConsumer;

/**
 * Runs one workload under several RTO strategies, seeds and points of a grid of one or two swept parameters,
 * each run a single-threaded simulation of its own. Planning ({@link #plan}), executing ({@link #execute}) and
 * writing ({@link CompareCsv}, {@link ComparisonReport}) are apart: the writers take finished runs in any order
 * and sort them by their place in the plan. Every strategy sees the same
 * network for a given seed and sweep value (fates are hashes of packet identities), so the differences between
 * them come from the strategy alone.
 */
public final class Comparison
{
    /**
     * One run of the plan: a strategy, a seed and a grid point (one value per axis of the {@link Grid}), with its
     * place in the plan, by which the finished runs are put back in order whatever order they finished in.
     */
    public record PlannedRun(int index, String strategy, long seed, double[] point)
    {
    }

    /**
     * Executes a plan of runs: {@link #execute} here, on one machine; a cluster's scheduler elsewhere (the sweep
     * module). Whatever executes the runs returns them in the plan's order, so that the outputs do not depend on
     * where the runs ran.
     */
    @FunctionalInterface
    public interface Runner
    {
        /** As {@link Comparison#execute(Workload, List, int, IntConsumer)}. */
        List<Run> run(Workload workload, List<PlannedRun> plan, int threads, IntConsumer progress)
            throws InterruptedException;
    }

    /** A finished run: what was planned and the simulation's report. */
    public record Run(PlannedRun planned, Report report)
    {
        /** @return the strategy's specification. */
        public String strategy()
        {
            return planned.strategy();
        }

        /** @return the seed. */
        public long seed()
        {
            return planned.seed();
        }

        /** @return the grid point: one value per axis. */
        public double[] point()
        {
            return planned.point();
        }
    }

    /** Builds the scenario of one run. */
    @FunctionalInterface
    public interface Workload
    {
        /**
         * @param strategy the strategy's specification.
         * @param seed     the seed.
         * @param point    a value for each axis of the grid.
         * @return the scenario.
         */
        Scenario scenario(String strategy, long seed, double[] point);
    }

    /**
     * One or two swept parameters, {@code loss=0,0.01,0.05} or {@code loss=0,0.02,rtt=20ms,100ms}: the runs cover
     * every combination of their values.
     */
    public record Grid(List<Sweep> axes)
    {
        /**
         * @throws IllegalArgumentException naming {@code --sweep} and what is wrong.
         *
         * @param specification the option's text.
         * @return the grid.
         */
        public static Grid parse(final String specification)
        {
            final List<StringBuilder> parts = new ArrayList<>();
            for (final String token : specification.split(",", -1))
            {
                if (token.contains("=") || parts.isEmpty())
                {
                    parts.add(new StringBuilder(token));
                }
                else
                {
                    parts.get(parts.size() - 1).append(',').append(token);
                }
            }
            final List<Sweep> axes = new ArrayList<>();
            for (final StringBuilder part : parts)
            {
                final Sweep axis = Sweep.parse(part.toString());
                if (axes.stream().anyMatch(a -> a.parameter().equals(axis.parameter())))
                {
                    throw new IllegalArgumentException("--sweep '" + specification + "': " + axis.parameter() +
                        " is swept twice");
                }
                axes.add(axis);
            }
            if (axes.size() > 2)
            {
                throw new IllegalArgumentException("--sweep '" + specification + "': at most two parameters " +
                    "(a grid), not " + axes.size());
            }
            return new Grid(List.copyOf(axes));
        }

        /** @return every point, the first axis varying slowest. */
        public List<double[]> points()
        {
            final List<double[]> points = new ArrayList<>();
            for (final double x : axes.get(0).values())
            {
                if (axes.size() == 1)
                {
                    points.add(new double[]{x});
                    continue;
                }
                for (final double y : axes.get(1).values())
                {
                    points.add(new double[]{x, y});
                }
            }
            return points;
        }

        /**
         * Applies a point to a network.
         *
         * @param network the network to change.
         * @param jitter the jitter's shape, kept when its mean is what is swept.
         * @param point a grid point, one value per axis.
         * @return the network builder, for chaining.
         */
        public NetworkModel.Builder apply(final NetworkModel.Builder network, final NetworkModel.Jitter jitter,
            final double[] point)
        {
            for (int k = 0; k < axes.size(); k++)
            {
                axes.get(k).apply(network, jitter, point[k]);
            }
            return network;
        }

        /**
         * A point as the reader expects it: {@code loss 1.0%, RTT 20ms}.
         *
         * @param point a grid point, one value per axis.
         * @return a point as the reader expects it: {@code loss 1.0%, RTT 20ms}.
         */
        public String format(final double[] point)
        {
            final StringBuilder s = new StringBuilder();
            for (int k = 0; k < axes.size(); k++)
            {
                s.append(k == 0 ? "" : ", ").append(axes.get(k).parameter()).append(' ')
                    .append(axes.get(k).format(point[k]));
            }
            return s.toString();
        }

        /** @return the point the tables use: on each axis 1% loss if swept, else the middle value. */
        public double[] reference()
        {
            final double[] point = new double[axes.size()];
            for (int k = 0; k < axes.size(); k++)
            {
                point[k] = axes.get(k).reference();
            }
            return point;
        }

        /**
         * The value of a parameter at a point, or {@code otherwise} if it is not swept.
         *
         * @param parameter {@code loss}, {@code rtt} or {@code jitter}.
         * @param point a grid point, one value per axis.
         * @param otherwise the value when the parameter is not swept.
         * @return the value of a parameter at a point, or {@code otherwise} if it is not swept.
         */
        public double valueOf(final String parameter, final double[] point, final double otherwise)
        {
            for (int k = 0; k < axes.size(); k++)
            {
                if (axes.get(k).parameter().equals(parameter))
                {
                    return point[k];
                }
            }
            return otherwise;
        }
    }

    /**
     * A parameter and its values: {@code loss=0,0.01,0.05}, {@code rtt=20ms,100ms}, {@code jitter=0ms,10ms}.
     * Durations are kept in microseconds.
     */
    public record Sweep(String parameter, double[] values)
    {
        /** The parameters a sweep may vary. */
        public static final List<String> PARAMETERS = List.of("loss", "rtt", "jitter");

        /**
         * @throws IllegalArgumentException naming what is wrong and what is expected.
         *
         * @param specification the option's text.
         * @return the sweep.
         */
        public static Sweep parse(final String specification)
        {
            final int eq = specification.indexOf('=');
            final String expected = "expected PARAMETER=V1,V2,... with PARAMETER one of " + PARAMETERS +
                ", such as loss=0,0.01,0.05 or rtt=20ms,100ms";
            if (eq < 1)
            {
                throw new IllegalArgumentException("--sweep '" + specification + "': " + expected);
            }
            final String parameter = specification.substring(0, eq).trim();
            if (!PARAMETERS.contains(parameter))
            {
                throw new IllegalArgumentException("--sweep: unknown parameter '" + parameter + "'; " + expected);
            }
            final String[] texts = specification.substring(eq + 1).split(",");
            final double[] values = new double[texts.length];
            for (int k = 0; k < texts.length; k++)
            {
                try
                {
                    values[k] = parameter.equals("loss") ? Double.parseDouble(texts[k].trim()) :
                        RtoParameters.parseDurationUs(texts[k]);
                }
                catch (final IllegalArgumentException e)
                {
                    throw new IllegalArgumentException("--sweep '" + specification + "': value '" + texts[k] +
                        "' is not " + (parameter.equals("loss") ? "a probability" : "a duration such as 20ms"));
                }
                if (parameter.equals("loss") && !(values[k] >= 0 && values[k] <= 1))
                {
                    throw new IllegalArgumentException("--sweep '" + specification + "': loss " + texts[k] +
                        " is not between 0 and 1");
                }
            }
            return new Sweep(parameter, values);
        }

        /**
         * Applies a value of this sweep to a network.
         *
         * @param network the network to change.
         * @param jitter the jitter's shape, kept when its mean is what is swept.
         * @param value a value of this sweep.
         * @return the network builder, for chaining.
         */
        public NetworkModel.Builder apply(final NetworkModel.Builder network, final NetworkModel.Jitter jitter,
            final double value)
        {
            return switch (parameter)
            {
                case "loss" -> network.loss(value);
                case "rtt" -> network.rttUs((long)value);
                case "jitter" -> network.jitter(jitter, (long)value);
                default -> throw new IllegalStateException(parameter);
            };
        }

        /** @return the value the tables use: 1% loss if loss is swept and holds it (or the nearest), else the middle. */
        public double reference()
        {
            if (parameter.equals("loss"))
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

        /**
         * A value as the reader expects it: a percentage of loss, or milliseconds.
         *
         * @param value a value of this sweep.
         * @return a value as the reader expects it: a percentage of loss, or milliseconds.
         */
        public String format(final double value)
        {
            return parameter.equals("loss") ? String.format(Locale.ROOT, "%.1f%%", value * 100) :
                RtoParameters.formatUs((long)value);
        }

        /** @return the axis label. */
        public String label()
        {
            return switch (parameter)
            {
                case "loss" -> "packet loss each way (%)";
                case "rtt" -> "base RTT (ms)";
                default -> "mean jitter (ms)";
            };
        }

        /**
         * A value on the axis: percent for loss, milliseconds for durations.
         *
         * @param value a value of this sweep.
         * @return a value on the axis: percent for loss, milliseconds for durations.
         */
        public double axis(final double value)
        {
            return parameter.equals("loss") ? value * 100 : value / 1000.0;
        }
    }

    private Comparison()
    {
    }

    /** The most seeds {@link #parseSeeds} accepts: a bound on a typo such as {@code 1..1000000}. */
    public static final int MAX_SEEDS = 10_000;

    /**
     * Parses a list of seeds: numbers and inclusive ranges separated by commas, {@code 1,2,7}, {@code 1..30},
     * {@code 1..10,42}.
     *
     * @throws IllegalArgumentException naming {@code --seeds} and the part that is wrong: not a number, a
     *                                  range that runs downwards, a seed given twice, none or too many.
     * @param text the text of {@code --seeds}.
     * @return the seeds, in the order given.
     */
    public static List<Long> parseSeeds(final String text)
    {
        final List<Long> seeds = new ArrayList<>();
        final java.util.Set<Long> seen = new java.util.HashSet<>();
        for (final String part : text.split(",", -1))
        {
            final String p = part.trim();
            final int dots = p.indexOf("..");
            final long from;
            final long to;
            try
            {
                from = Long.parseLong(dots < 0 ? p : p.substring(0, dots).trim());
                to = dots < 0 ? from : Long.parseLong(p.substring(dots + 2).trim());
            }
            catch (final NumberFormatException e)
            {
                throw new IllegalArgumentException("--seeds '" + text + "': '" + p + "' is not a seed or a range " +
                    "such as 1..30");
            }
            if (to < from)
            {
                throw new IllegalArgumentException("--seeds '" + text + "': a range runs upwards, " + p + " does not");
            }
            if (to - from >= MAX_SEEDS || seeds.size() + (to - from) >= MAX_SEEDS)
            {
                throw new IllegalArgumentException("--seeds '" + text + "': more than " + MAX_SEEDS + " seeds");
            }
            for (long seed = from; seed <= to; seed++)
            {
                if (!seen.add(seed))
                {
                    throw new IllegalArgumentException("--seeds '" + text + "': seed " + seed + " is given twice");
                }
                seeds.add(seed);
            }
        }
        return seeds;
    }

    /**
     * The plan: every (grid point, strategy, seed), in that order, each numbered by its place. The plan alone
     * decides what is run and in which order results are written, so that another executor (a cluster) running
     * the same plan produces the same files through the same writer.
     * @param strategies the strategies' specifications, in the report's order.
     * @param seeds the seeds, each an independent replication.
     * @param points the grid's points.
     * @return the plan.
     */
    public static List<PlannedRun> plan(final List<String> strategies, final List<Long> seeds,
        final List<double[]> points)
    {
        final List<PlannedRun> plan = new ArrayList<>();
        for (final double[] point : points)
        {
            for (final String strategy : strategies)
            {
                for (final long seed : seeds)
                {
                    plan.add(new PlannedRun(plan.size(), strategy, seed, point.clone()));
                }
            }
        }
        return List.copyOf(plan);
    }

    /**
     * One planned run, executed: a single-threaded simulation of its own.
     *
     * @param workload builds each run's scenario.
     * @param planned the run to execute.
     * @throws InterruptedException if the thread is interrupted while runs are under way.
     * @return one planned run, executed: a single-threaded simulation of its own.
     */
    public static Run execute(final Workload workload, final PlannedRun planned) throws InterruptedException
    {
        // no full GC after each run to measure its retained heap: compare's outputs do not use the figure, and
        // with runs in parallel one run's System.gc() stops the others and measures their heap too
        final Report report = new Simulation(workload.scenario(planned.strategy(), planned.seed(), planned.point()),
            1, null, null).measureRetainedHeap(false).run(null);
        return new Run(planned, report);
    }

    /**
     * Executes a plan on a pool of threads.
     *
     * @param threads  runs at once.
     * @param progress told the number of runs done after each, from the calling thread's pool.
     * @return the runs in the plan's order.
     * @param workload builds each run's scenario.
     * @param plan the runs to execute, from {@link #plan}.
     * @throws InterruptedException if the thread is interrupted while runs are under way.
     */
    public static List<Run> execute(final Workload workload, final List<PlannedRun> plan, final int threads,
        final IntConsumer progress) throws InterruptedException
    {
        final ExecutorService pool = Executors.newFixedThreadPool(threads, r ->
        {
            final Thread t = new Thread(r, "escapement-compare");
            t.setDaemon(true);
            return t;
        });
        final AtomicInteger done = new AtomicInteger();
        final List<Future<Run>> futures = new ArrayList<>();
        try
        {
            for (final PlannedRun planned : plan)
            {
                futures.add(pool.submit(() ->
                {
                    final Run run = execute(workload, planned);
                    final int n = done.incrementAndGet();
                    if (progress != null)
                    {
                        synchronized (progress)
                        {
                            progress.accept(n);
                        }
                    }
                    return run;
                }));
            }
            final List<Run> runs = new ArrayList<>();
            for (final Future<Run> future : futures)
            {
                try
                {
                    runs.add(future.get());
                }
                catch (final java.util.concurrent.ExecutionException e)
                {
                    final Throwable cause = e.getCause();
                    if (cause instanceof IllegalArgumentException iae)
                    {
                        throw iae;
                    }
                    throw new IllegalStateException("a run failed: " + cause, cause);
                }
            }
            return runs;
        }
        finally
        {
            pool.shutdownNow();
        }
    }
}
