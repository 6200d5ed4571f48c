package io.escapement.engine.executor;

import io.escapement.engine.LincheckScenarios;
import io.escapement.engine.executor.LincheckFixtures.Clock;
import kotlin.Unit;
import org.jetbrains.kotlinx.lincheck.Actor;
import org.jetbrains.kotlinx.lincheck.execution.ExecutionScenario;
import org.jetbrains.lincheck.datastructures.IntGen;
import org.jetbrains.lincheck.datastructures.ModelCheckingOptions;
import org.jetbrains.lincheck.datastructures.Operation;
import org.jetbrains.lincheck.datastructures.Param;
import org.jetbrains.lincheck.datastructures.StressOptions;
import org.junit.jupiter.api.Test;

import java.lang.reflect.Method;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * Lincheck checks that a future's fate is decided once: every concurrent run of cancels, state reads, the driver's
 * poll and a shutdown gives results some sequential order gives on {@link Model}, which says plainly what
 * {@code Future} and {@code ExecutorService} promise. Task 0 is due at the first poll, task 1 an hour ahead; both are
 * scheduled before the parallel part.
 * <p>
 * What the results can show: a cancel returning {@code true} for a task the poll completed normally (no order gives
 * both), two cancels both winning, a state read going back, and, through {@code shutdownTerminated} (shutdown, then
 * {@code isTerminated}), a live-task count that is off: the executor must be terminated exactly when neither task is
 * pending. The body's run itself is not an operation: a cancel that finds the task running succeeds and discards its
 * outcome (as {@code FutureTask}'s does), which no sequential order of an atomic run could explain, so the poll
 * reports what completed normally, read after it ran.
 * <p>
 * Proof that it can fail: with {@code cancel}'s CAS out of NEW made a plain write, the model checker finds the
 * interleaving at once (a poll completed the task normally and a cancel returned true).
 */
@Param(name = "id", gen = IntGen.class, conf = "0:1")
public class TimerScheduledExecutorLincheckTest
{
    private static final long STEP_NS = 1_000;
    /** Random scenarios per run: 6 keeps the class near half a minute on 2 cores; raise for a deeper search. */
    private static final int ITERATIONS = Integer.getInteger("lincheck.iterations", 6);


    /** The task body: a named class, as the clock. */
    private static final class Body implements Runnable
    {
        @Override
        public void run()
        {
        }
    }

    private final Clock clock = new Clock();
    private final TimerScheduledExecutor executor = TimerScheduledExecutor.builder().clock(clock).callerDriven()
        .capacity(4).tick(java.time.Duration.ofNanos(STEP_NS)).build();
    private final ScheduledFuture<?>[] futures = {
        executor.schedule(new Body(), STEP_NS, TimeUnit.NANOSECONDS),
        executor.schedule(new Body(), TimeUnit.HOURS.toNanos(1), TimeUnit.NANOSECONDS)};

    @Operation
    public boolean cancel(@Param(name = "id") final int id)
    {
        return futures[id].cancel(false);
    }

    /** @return 0 pending (or running), 1 completed normally, 2 cancelled. */
    @Operation
    public int state(@Param(name = "id") final int id)
    {
        final ScheduledFuture<?> future = futures[id];
        // isDone first: once done a future never changes, so the second read agrees with the first.
        return !future.isDone() ? 0 : future.isCancelled() ? 2 : 1;
    }

    /** @return the tasks completed normally, as bits, read after the poll ran what was due. */
    @Operation(nonParallelGroup = "owner")
    public int poll()
    {
        clock.now.addAndGet(STEP_NS);
        executor.poll();
        int completed = 0;
        for (int id = 0; id < futures.length; id++)
        {
            completed |= futures[id].isDone() && !futures[id].isCancelled() ? 1 << id : 0;
        }
        return completed;
    }

    /** @return whether the executor is terminated right after shutdown: iff no task is pending any more. */
    @Operation(nonParallelGroup = "owner")
    public boolean shutdownTerminated()
    {
        executor.shutdown();
        return executor.isTerminated();
    }

    /** The sequential specification: two one-shot tasks, task 0 due at the first poll. */
    public static final class Model
    {
        private static final int PENDING = 0;
        private static final int NORMAL = 1;
        private static final int CANCELLED = 2;

        private final int[] states = new int[2];
        private int polls;

        public boolean cancel(final int id)
        {
            if (states[id] != PENDING)
            {
                return false;
            }
            states[id] = CANCELLED;
            return true;
        }

        public int state(final int id)
        {
            return states[id];
        }

        public int poll()
        {
            polls++;
            if (states[0] == PENDING)
            {
                states[0] = NORMAL; // due at the first poll; after a shutdown too (delayed tasks still run)
            }
            int completed = 0;
            for (int id = 0; id < states.length; id++)
            {
                completed |= states[id] == NORMAL ? 1 << id : 0;
            }
            return completed;
        }

        public boolean shutdownTerminated()
        {
            return states[0] != PENDING && states[1] != PENDING;
        }

        @Override
        public boolean equals(final Object other)
        {
            return other instanceof Model && Arrays.equals(((Model)other).states, states);
        }

        @Override
        public int hashCode()
        {
            return Arrays.hashCode(states);
        }
    }

    @Test
    void shouldDecideCancelAgainstFireOnce()
    {
        final ModelCheckingOptions options = modelChecking().iterations(0).invocationsPerIteration(1_000)
            .addCustomScenario(scenario(
                List.of(List.of(actor("poll")), List.of(actor("cancel", 0))),
                List.of(actor("state", 0), actor("shutdownTerminated"))))
            .addCustomScenario(scenario(
                List.of(List.of(actor("cancel", 0), actor("state", 0)), List.of(actor("cancel", 0)),
                    List.of(actor("poll"))),
                List.of(actor("cancel", 1), actor("shutdownTerminated"))))
            .addCustomScenario(scenario(
                List.of(List.of(actor("shutdownTerminated")), List.of(actor("cancel", 1), actor("cancel", 0))),
                List.of(actor("poll"), actor("state", 0))));
        options.check(TimerScheduledExecutorLincheckTest.class);
    }

    @Test
    void shouldBeLinearizableUnderModelCheckingOfRandomScenarios()
    {
        modelChecking().iterations(ITERATIONS).invocationsPerIteration(500).threads(2).actorsPerThread(2)
            .actorsBefore(0).actorsAfter(1).check(TimerScheduledExecutorLincheckTest.class);
    }

    @Test
    void shouldBeLinearizableOnRealThreads()
    {
        new StressOptions().sequentialSpecification(Model.class).iterations(ITERATIONS)
            .invocationsPerIteration(1_000).threads(2).actorsPerThread(2).actorsBefore(0).actorsAfter(1)
            .check(TimerScheduledExecutorLincheckTest.class);
    }

    /** As the service's Lincheck test: the owner-only structures and striped counters are left out of the analysis. */
    private static ModelCheckingOptions modelChecking()
    {
        return LincheckScenarios.modelChecking().sequentialSpecification(Model.class);
    }

    private static Actor actor(final String name, final Object... arguments)
    {
        return LincheckScenarios.actor(TimerScheduledExecutorLincheckTest.class, name, arguments);
    }

    private static ExecutionScenario scenario(final List<List<Actor>> parallel, final List<Actor> post)
    {
        return LincheckScenarios.scenario(List.of(), parallel, post);
    }
}
