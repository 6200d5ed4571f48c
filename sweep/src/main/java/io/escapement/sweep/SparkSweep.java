package io.escapement.sweep;

import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.api.java.function.Function;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerStageSubmitted;
import org.apache.spark.scheduler.SparkListenerTaskEnd;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.IntConsumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Executes runs as Spark tasks, one task per run, and gathers their results in the order given. Knows nothing of
 * compare: it takes {@link RunSpec}s and a {@link RunTask}, and returns {@link RunResult}s.
 *
 * <ul>
 *   <li>Resume: a run whose result is in the {@link RunStore} is not run again; every task stores its result as it
 *   finishes, so a sweep that fails, or is killed, keeps what it finished.</li>
 *   <li>Failure: a task that throws is retried by Spark ({@code spark.task.maxFailures}, or {@code local[N,F]});
 *   when one fails for good, Spark cancels the job and {@link #execute} throws a {@link SweepFailedException}
 *   naming the run's options and its error.</li>
 *   <li>Progress: a {@link SparkListener} counts the job's finished tasks and tells {@code progress}, from Spark's
 *   listener thread.</li>
 * </ul>
 */
final class SparkSweep
{
    /** What a task does with its run: simulates it, on the executor, and returns the compact result. */
    @FunctionalInterface
    interface RunTask extends Serializable
    {
        /** @return the run's result. */
        RunResult run(RunSpec spec) throws Exception;
    }

    /** Spark's job group property (SparkContext.SPARK_JOB_GROUP_ID, not public). */
    private static final String JOB_GROUP = "spark.jobGroup.id";
    private static final Pattern FAILED_TIMES = Pattern.compile("failed (\\d+) times");

    private final JavaSparkContext spark;
    private final RunStore store;

    SparkSweep(final JavaSparkContext spark, final RunStore store)
    {
        this.spark = spark;
        this.store = store;
    }

    /**
     * Runs what is not stored yet and returns every run's result, in the order of {@code specs}.
     *
     * @param progress told the number of runs done (stored ones included) after each; may be null.
     * @throws SweepFailedException if a run failed for good.
     */
    List<RunResult> execute(final List<RunSpec> specs, final RunTask task, final IntConsumer progress)
    {
        final RunResult[] results = new RunResult[specs.size()];
        final List<RunSpec> missing = new ArrayList<>();
        final Set<String> stored = store.keys();
        for (int k = 0; k < specs.size(); k++)
        {
            final RunSpec spec = specs.get(k);
            if (spec.index() != k)
            {
                throw new IllegalArgumentException("specs: the run at " + k + " has index " + spec.index());
            }
            results[k] = stored.contains(spec.key()) ? store.load(spec) : null;
            if (results[k] == null)
            {
                missing.add(spec);
            }
        }
        final int found = specs.size() - missing.size();
        final IntConsumer told = progress == null ? n -> { } : n ->
        {
            synchronized (progress)
            {
                progress.accept(n);
            }
        };
        if (found > 0)
        {
            told.accept(found);
        }
        if (!missing.isEmpty())
        {
            final String group = "escapement-sweep-" + UUID.randomUUID();
            final ProgressListener listener = new ProgressListener(group, n -> told.accept(found + n));
            spark.sc().addSparkListener(listener);
            spark.setJobGroup(group, missing.size() + " runs" + (found > 0 ? " (" + found + " stored)" : ""),
                true);
            final List<RunResult> ran;
            try
            {
                // a partition per run: a task per run, retried alone, and a progress step per run
                ran = spark.parallelize(missing, missing.size()).map(new Execute(task, store)).collect();
            }
            catch (final Exception e) // SparkException, checked in Java's eyes, thrown unchecked by Scala
            {
                throw failure(e, missing);
            }
            finally
            {
                listener.close();
                spark.sc().removeSparkListener(listener);
                spark.clearJobGroup();
            }
            for (final RunResult result : ran)
            {
                results[result.spec().index()] = result;
            }
        }
        told.accept(specs.size());
        return List.of(results);
    }

    /**
     * @return the sweep's failure, from Spark's: the job's message carries the last attempt's exception, whose
     * message {@link Execute} made start with the run's options.
     */
    private static SweepFailedException failure(final Exception e, final List<RunSpec> missing)
    {
        final String message = String.valueOf(e.getMessage());
        final int at = message.indexOf(RunFailedException.class.getName() + ": ");
        final Matcher times = FAILED_TIMES.matcher(message);
        final String attempts = times.find() ? " (" + times.group(1) + " attempts)" : "";
        if (at < 0)
        {
            return new SweepFailedException("the sweep of " + missing.size() + " runs failed: " + message, e);
        }
        final int end = message.indexOf('\n', at);
        final String run = message.substring(at + RunFailedException.class.getName().length() + 2,
            end < 0 ? message.length() : end);
        return new SweepFailedException(run + attempts, e);
    }

    /** The task: runs one spec, stores its result, returns it; an error names the run. */
    private static final class Execute implements Function<RunSpec, RunResult>
    {
        private static final long serialVersionUID = 1L;

        private final RunTask task;
        private final RunStore store;

        Execute(final RunTask task, final RunStore store)
        {
            this.task = task;
            this.store = store;
        }

        @Override
        public RunResult call(final RunSpec spec) throws Exception
        {
            final RunResult result;
            try
            {
                result = task.run(spec);
            }
            catch (final Exception e)
            {
                throw new RunFailedException(spec, e);
            }
            store.store(result); // an I/O error fails the task too, and Spark retries it
            return result;
        }
    }

    /** A run's error, named by the run's options: the message Spark carries back to the driver. */
    static final class RunFailedException extends Exception
    {
        private static final long serialVersionUID = 1L;

        RunFailedException(final RunSpec spec, final Exception cause)
        {
            super("run " + spec.describe() + " (stored as " + spec.key() + ") failed: " + cause, cause);
        }
    }

    /**
     * Counts the finished tasks of one job group. Spark's listener bus calls it from one thread, after the stage's
     * submission event, so the stage is known before its first task ends.
     */
    private static final class ProgressListener extends SparkListener
    {
        private final String group;
        private final IntConsumer progress;
        private final Set<Integer> stages = ConcurrentHashMap.newKeySet();
        private volatile boolean open = true;
        private int done;

        ProgressListener(final String group, final IntConsumer progress)
        {
            this.group = group;
            this.progress = progress;
        }

        @Override
        public void onStageSubmitted(final SparkListenerStageSubmitted submitted)
        {
            if (submitted.properties() != null && group.equals(submitted.properties().getProperty(JOB_GROUP)))
            {
                stages.add(submitted.stageInfo().stageId());
            }
        }

        @Override
        public void onTaskEnd(final SparkListenerTaskEnd end)
        {
            if (open && stages.contains(end.stageId()) && end.taskInfo().successful())
            {
                progress.accept(++done);
            }
        }

        /** Stops telling: the job is over, and its last events may still be on their way. */
        void close()
        {
            open = false;
        }
    }
}
