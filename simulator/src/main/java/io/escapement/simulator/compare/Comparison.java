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
 * Runs one workload under several RTO strategies, seeds and values of one swept parameter, each run a
 * single-threaded simulation of its own, the runs spread over a pool of threads. Every strategy sees the same
 * network for a given seed and sweep value (fates are hashes of packet identities), so the differences between
 * them come from the strategy alone.
 */
public final class Comparison
{
    /** One run's identity and its report. */
    public record Run(String strategy, long seed, double sweepValue, Report report)
    {
    }

    /**
     * Executes a grid of runs: {@link #run} here, on one machine; a cluster's scheduler elsewhere (the sweep
     * module). Whatever executes the runs returns them in {@link #run}'s order, so that the outputs do not depend
     * on where the runs ran.
     */
    @FunctionalInterface
    public interface Runner
    {
        /** As {@link Comparison#run}. */
        List<Run> run(Workload workload, List<String> strategies, List<Long> seeds, double[] values, int threads,
            IntConsumer progress) throws InterruptedException;
    }

    /** Builds the scenario of one run. */
    @FunctionalInterface
    public interface Workload
    {
        Scenario scenario(String strategy, long seed, double sweepValue);
    }

    /**
     * A parameter and its values: {@code loss=0,0.01,0.05}, {@code rtt=20ms,100ms}, {@code jitter=0ms,10ms}.
     * Durations are kept in microseconds.
     */
    public record Sweep(String parameter, double[] values)
    {
        public static final List<String> PARAMETERS = List.of("loss", "rtt", "jitter");

        /** @throws IllegalArgumentException naming what is wrong and what is expected. */
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

        /** Applies a value of this sweep to a network. */
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

        /** @return a value as the reader expects it: a percentage of loss, or milliseconds. */
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

        /** @return a value on the axis: percent for loss, milliseconds for durations. */
        public double axis(final double value)
        {
            return parameter.equals("loss") ? value * 100 : value / 1000.0;
        }
    }

    private Comparison()
    {
    }

    /**
     * Runs every (strategy, seed, value) and returns the runs in that order.
     *
     * @param threads  runs at once.
     * @param progress told the number of runs done after each, from the calling thread's pool.
     */
    public static List<Run> run(final Workload workload, final List<String> strategies, final List<Long> seeds,
        final double[] values, final int threads, final IntConsumer progress) throws InterruptedException
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
            for (final double value : values)
            {
                for (final String strategy : strategies)
                {
                    for (final long seed : seeds)
                    {
                        futures.add(pool.submit(() ->
                        {
                            final Report report = new Simulation(workload.scenario(strategy, seed, value), 1, null,
                                null).run(null);
                            final int n = done.incrementAndGet();
                            if (progress != null)
                            {
                                synchronized (progress)
                                {
                                    progress.accept(n);
                                }
                            }
                            return new Run(strategy, seed, value, report);
                        }));
                    }
                }
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
