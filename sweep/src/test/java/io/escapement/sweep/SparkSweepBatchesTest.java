package io.escapement.sweep;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** How the sweep deals runs into tasks, without Spark. */
class SparkSweepBatchesTest
{
    private static List<RunSpec> runs(final int n)
    {
        final List<RunSpec> runs = new ArrayList<>();
        for (int k = 0; k < n; k++)
        {
            runs.add(new RunSpec(k, "rfc6298", 1, "loss", new double[]{k}, "key" + k));
        }
        return runs;
    }

    @Test
    void shouldChooseEightTasksASlotAndNeverAnEmptyTaskWhenTheUserDoesNotSay()
    {
        assertEquals(4, SparkSweep.runsPerTask(500, 16), "500 runs on 16 cores: 128 tasks of at most 4");
        assertEquals(1, SparkSweep.runsPerTask(8, 2));
        assertEquals(1, SparkSweep.runsPerTask(3, 100), "fewer runs than slots: a task a run");
        assertEquals(1, SparkSweep.runsPerTask(12_600, 100_000));
        assertEquals(16, SparkSweep.runsPerTask(12_600, 100), "the issue's grid on 100 cores: 800 tasks");
    }

    @Test
    void shouldKeepTasksSmallWhenSparkCountsFewCoresAtTheJobsStart()
    {
        // dynamic allocation, or executors not yet registered: Spark says 2 cores for what will be hundreds
        assertEquals(SparkSweep.MAX_RUNS_PER_TASK, SparkSweep.runsPerTask(12_600, 2), "788 tasks, not 16 of 788");
        assertEquals(SparkSweep.MAX_RUNS_PER_TASK, SparkSweep.runsPerTask(500, 2));
        assertTrue(SparkSweep.MAX_RUNS_PER_TASK <= 16, "a kill loses at most a few runs a core");
    }

    @Test
    void shouldNameTheRunsOfATaskThatFailedWithoutNamingItsRunAndTheFirstNotStored()
    {
        final List<RunSpec> missing = runs(6);
        final List<ArrayList<RunSpec>> batches = SparkSweep.batches(missing, 2); // {0, 3}, {1, 4}, {2, 5}
        final Exception lost = new RuntimeException("Job aborted due to stage failure: Task 1 in stage 3.0 failed " +
            "4 times, most recent failure: Lost task 1.3 in stage 3.0 (TID 11) (10.0.0.5 executor 2): " +
            "ExecutorLostFailure (executor 2 exited caused by one of the running tasks) Reason: Container killed " +
            "by YARN for exceeding physical memory limits\nDriver stacktrace:\n\tat ...");
        final String message = SparkSweep.failure(lost, missing, batches,
            () -> Set.of("key1", "key2")).getMessage();
        assertTrue(message.startsWith("the task of 2 runs " + missing.get(1).describe() + "; " +
            missing.get(4).describe() + " failed (4 attempts), the first not stored: run " +
            missing.get(4).describe() + " (stored as key4): Job aborted"), message);
        assertTrue(message.contains("ExecutorLostFailure") && !message.contains("Driver stacktrace"), message);
    }

    @Test
    void shouldDealEveryRunOnceRoundRobinIntoBatchesOfAtMostTheSize()
    {
        final List<ArrayList<RunSpec>> batches = SparkSweep.batches(runs(10), 4);
        assertEquals(3, batches.size());
        assertEquals(List.of(0, 3, 6, 9), batches.get(0).stream().map(RunSpec::index).toList());
        assertEquals(List.of(1, 4, 7), batches.get(1).stream().map(RunSpec::index).toList());
        assertEquals(List.of(2, 5, 8), batches.get(2).stream().map(RunSpec::index).toList());
        for (final int size : new int[]{1, 2, 3, 7, 10, 11})
        {
            final List<ArrayList<RunSpec>> dealt = SparkSweep.batches(runs(10), size);
            final List<Integer> seen = new ArrayList<>();
            dealt.forEach(b -> b.forEach(r -> seen.add(r.index())));
            seen.sort(null);
            assertEquals(runs(10).stream().map(RunSpec::index).toList(), seen, "each run once, size " + size);
            assertTrue(dealt.stream().allMatch(b -> !b.isEmpty() && b.size() <= size), "size " + size);
        }
    }

    @Test
    void shouldRefuseANegativeRunsPerTaskNamingTheOption()
    {
        final IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
            () -> new SparkSweep(null, new RunStore("unused"), -1));
        assertTrue(e.getMessage().startsWith("--runs-per-task=-1"), e.getMessage());
    }
}
