package io.escapement.sweep;

import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.api.java.function.Function;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerStageSubmitted;
import org.apache.spark.scheduler.SparkListenerTaskEnd;

import java.io.IOException;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.IntConsumer;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Executes runs as Spark tasks, several runs a task (a batch), and gathers their results in the order given. Knows
 * nothing of compare: it takes {@link RunSpec}s and a {@link RunTask}, and returns {@link RunResult}s.
 *
 * <p>Batches, not a task per run: a task costs scheduling, a closure to deserialize, a result to send back and a
 * file in the store whatever it holds, and at compare's default sizes that was as much as a fifth of a run's own
 * cost (session 6's measurement). A few tasks a core keep the cores evenly loaded to the end.
 *
 * <ul>
 *   <li>Resume: a run whose result is in the {@link RunStore} is not run again; every task stores its batch's
 *   results as it finishes (a failing task, the runs it finished before the failure), so a sweep that fails, or is
 *   killed, keeps what its finished tasks ran.</li>
 *   <li>Failure: a task that throws is retried by Spark, its whole batch ({@code spark.task.maxFailures}, or
 *   {@code local[N,F]}); when one fails for good, Spark cancels the job and {@link #execute} throws a {@link SweepFailedException}
 *   naming the run's options and its error (a task lost with its executor names no run: then its batch's runs,
 *   and the first of them not stored).</li>
 *   <li>Progress: a {@link SparkListener} counts the runs of the job's finished tasks and tells {@code progress},
 *   from Spark's listener thread.</li>
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

    /** Tasks a slot (an executor core) when the user does not set the runs a task. */
    static final int TASKS_PER_SLOT = 8;

    /**
     * The most runs a task holds when the user does not say, whatever the slots: Spark's count of them at the job's
     * start is often too low on a cluster (executors not yet registered, dynamic allocation), and a batch of
     * hundreds of runs would leave cores idle and store nothing until it ends.
     */
    static final int MAX_RUNS_PER_TASK = 16;

    /** Spark's job group property (SparkContext.SPARK_JOB_GROUP_ID, not public). */
    private static final String JOB_GROUP = "spark.jobGroup.id";
    private static final Pattern FAILED_TIMES = Pattern.compile("failed (\\d+) times");
    /** Spark's job failure names the task by its index in the stage: its partition, our batch. */
    private static final Pattern TASK = Pattern.compile("Task (\\d+) in stage ");
    /** Runs named when a task fails without naming its run. */
    private static final int NAMED = 4;

    private final JavaSparkContext spark;
    private final RunStore store;
    private final int runsPerTask;

    /**
     * @param runsPerTask runs a task (a batch), or 0 for {@link #runsPerTask(int, int)}'s choice.
     * @throws IllegalArgumentException naming {@code --runs-per-task} if it is negative.
     */
    SparkSweep(final JavaSparkContext spark, final RunStore store, final int runsPerTask)
    {
        if (runsPerTask < 0)
        {
            throw new IllegalArgumentException("--runs-per-task=" + runsPerTask + " must be 0 (chosen: " +
                TASKS_PER_SLOT + " tasks a core) or more");
        }
        this.spark = spark;
        this.store = store;
        this.runsPerTask = runsPerTask;
    }

    /**
     * Runs what is not stored yet, in batches, and returns every run's result, in the order of {@code specs}.
     *
     * @param progress told the number of runs done (stored ones included) after each task; may be null.
     * @throws SweepFailedException if a run failed for good.
     */
    List<RunResult> execute(final List<RunSpec> specs, final RunTask task, final IntConsumer progress)
    {
        final RunResult[] results = new RunResult[specs.size()];
        final List<RunSpec> missing = new ArrayList<>();
        final Map<String, RunResult> stored = store.stored(warning -> System.err.println("escapement-sweep: " +
            warning));
        for (int k = 0; k < specs.size(); k++)
        {
            final RunSpec spec = specs.get(k);
            if (spec.index() != k)
            {
                throw new IllegalArgumentException("specs: the run at " + k + " has index " + spec.index());
            }
            results[k] = RunStore.find(stored, spec);
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
            final List<ArrayList<RunSpec>> batches = batches(missing, runsPerTask > 0 ? runsPerTask :
                runsPerTask(missing.size(), spark.defaultParallelism()));
            final int[] sizes = batches.stream().mapToInt(List::size).toArray();
            final String group = "escapement-sweep-" + UUID.randomUUID();
            final ProgressListener listener = new ProgressListener(group, sizes, n -> told.accept(found + n));
            spark.sc().addSparkListener(listener);
            spark.setJobGroup(group, missing.size() + " runs in " + batches.size() + " tasks" +
                (found > 0 ? " (" + found + " stored)" : ""), true);
            final List<ArrayList<RunResult>> ran;
            try
            {
                // a partition per batch: a task per batch, retried whole, and a progress step per batch
                ran = spark.parallelize(batches, batches.size()).map(new Execute(task, store)).collect();
            }
            catch (final Exception e) // SparkException, checked in Java's eyes, thrown unchecked by Scala
            {
                throw failure(e, missing, batches, () -> store.stored(warning -> { }).keySet());
            }
            finally
            {
                listener.close();
                spark.sc().removeSparkListener(listener);
                spark.clearJobGroup();
            }
            for (final List<RunResult> batch : ran)
            {
                for (final RunResult result : batch)
                {
                    results[result.spec().index()] = result;
                }
            }
        }
        told.accept(specs.size());
        return List.of(results);
    }

    /**
     * @return the runs a task when the user did not say: enough tasks for {@value #TASKS_PER_SLOT} a slot (so that
     * a slot that drew slower runs is evened out by the others taking more tasks, and the job's tail, one slot
     * finishing its last task while the others idle, is about a sixteenth of a slot's share), and no more: every
     * task costs scheduling, a result to send and a file to store (about 25 ms of CPU here, measured); but never
     * more than {@value #MAX_RUNS_PER_TASK} runs, as {@code slots} is Spark's count at the job's start, which on a
     * cluster may be far below the cores the job gets (a task's cost is then a few percent of its runs').
     */
    static int runsPerTask(final int runs, final int slots)
    {
        final long tasks = Math.max(1, (long)slots * TASKS_PER_SLOT);
        return (int)Math.max(1, Math.min(MAX_RUNS_PER_TASK, (runs + tasks - 1) / tasks));
    }

    /**
     * @return the runs dealt into batches of at most {@code size}, round robin: compare's plan varies the grid
     * point slowest, so each batch gets a share of every point, cheap (no loss) and dear (heavy loss) alike, and
     * the batches cost about the same.
     */
    static List<ArrayList<RunSpec>> batches(final List<RunSpec> runs, final int size)
    {
        final int count = (runs.size() + size - 1) / size;
        final List<ArrayList<RunSpec>> batches = new ArrayList<>(count);
        for (int b = 0; b < count; b++)
        {
            batches.add(new ArrayList<>(size));
        }
        for (int k = 0; k < runs.size(); k++)
        {
            batches.get(k % count).add(runs.get(k));
        }
        return batches;
    }

    /**
     * @return the sweep's failure, from Spark's: the job's message carries the last attempt's exception, whose
     * message {@link Execute} made start with the run's options; when the task failed without one (its executor
     * was lost, killed for its memory), the runs of its batch, found by the task's index, and the first of them
     * not stored.
     * @param stored the keys of the runs stored by now, read only if the failure does not name its run.
     */
    static SweepFailedException failure(final Exception e, final List<RunSpec> missing,
        final List<? extends List<RunSpec>> batches, final Supplier<Set<String>> stored)
    {
        final String message = String.valueOf(e.getMessage());
        final int at = message.indexOf(RunFailedException.class.getName() + ": ");
        final Matcher times = FAILED_TIMES.matcher(message);
        final String attempts = times.find() ? " (" + times.group(1) + " attempts)" : "";
        if (at >= 0)
        {
            final int end = message.indexOf('\n', at);
            final String run = message.substring(at + RunFailedException.class.getName().length() + 2,
                end < 0 ? message.length() : end);
            return new SweepFailedException(run + attempts, e);
        }
        final Matcher task = TASK.matcher(message);
        final int index = task.find() ? Integer.parseInt(task.group(1)) : -1;
        if (index < 0 || index >= batches.size())
        {
            return new SweepFailedException("the sweep of " + missing.size() + " runs failed: " + message, e);
        }
        final List<RunSpec> batch = batches.get(index);
        final StringBuilder s = new StringBuilder("the task of ").append(batch.size()).append(batch.size() == 1 ?
            " run" : " runs").append(' ');
        for (int k = 0; k < Math.min(NAMED, batch.size()); k++)
        {
            s.append(k == 0 ? "" : "; ").append(batch.get(k).describe());
        }
        if (batch.size() > NAMED)
        {
            s.append("; and ").append(batch.size() - NAMED).append(" more");
        }
        s.append(" failed").append(attempts);
        try
        {
            final Set<String> now = stored.get();
            batch.stream().filter(spec -> !spec.kept() || !now.contains(spec.key())).findFirst().ifPresent(
                first -> s.append(", the first not stored: run ").append(first.describe()).append(" (stored as ")
                    .append(first.key()).append(')'));
        }
        catch (final RuntimeException unread) // the store's failure is not the sweep's: name the batch anyway
        {
            e.addSuppressed(unread);
        }
        final int end = message.indexOf('\n');
        return new SweepFailedException(s.append(": ").append(end < 0 ? message : message.substring(0, end))
            .toString(), e);
    }

    /**
     * The task: runs a batch, stores its results (one file), returns them; an error names the run. A batch that
     * fails first stores the runs it finished (a sweep resumed after it does not run them again), then fails whole:
     * Spark's retry runs the batch again from its first run.
     */
    private static final class Execute implements Function<ArrayList<RunSpec>, ArrayList<RunResult>>
    {
        private static final long serialVersionUID = 2L;

        private final RunTask task;
        private final RunStore store;

        Execute(final RunTask task, final RunStore store)
        {
            this.task = task;
            this.store = store;
        }

        @Override
        public ArrayList<RunResult> call(final ArrayList<RunSpec> batch) throws Exception
        {
            final ArrayList<RunResult> done = new ArrayList<>(batch.size());
            for (final RunSpec spec : batch)
            {
                try
                {
                    done.add(task.run(spec));
                }
                catch (final Exception e)
                {
                    try
                    {
                        store.store(done);
                    }
                    catch (final IOException | RuntimeException notStored)
                    {
                        e.addSuppressed(notStored);
                    }
                    throw new RunFailedException(spec, e);
                }
            }
            store.store(done); // an I/O error fails the task too, and Spark retries it
            return done;
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
        private final int[] sizes;
        private final IntConsumer progress;
        private final Set<Integer> stages = ConcurrentHashMap.newKeySet();
        private volatile boolean open = true;
        private int done;

        ProgressListener(final String group, final int[] sizes, final IntConsumer progress)
        {
            this.group = group;
            this.sizes = sizes;
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
                done += sizes[end.taskInfo().index()]; // the task's partition: its batch
                progress.accept(done);
            }
        }

        /** Stops telling: the job is over, and its last events may still be on their way. */
        void close()
        {
            open = false;
        }
    }
}
