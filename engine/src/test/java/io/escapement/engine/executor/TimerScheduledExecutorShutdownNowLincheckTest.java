package io.escapement.engine.executor;

import io.escapement.engine.LincheckScenarios;
import io.escapement.engine.executor.LincheckFixtures.Clock;
import io.escapement.engine.executor.LincheckFixtures.Keeper;
import org.jetbrains.kotlinx.lincheck.Actor;
import org.jetbrains.lincheck.datastructures.Operation;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The model checker explores every interleaving of a task's start with {@code shutdownNow}: a task that starts once
 * {@code shutdownNow} has begun (its body sees {@code stopped}) must be interrupted. The body, seeing
 * {@code stopped}, waits for the interrupt; if none comes, the checker finds it spinning with nothing left to free
 * it, and fails. The gap: the task passes its check of {@code stopped}, then {@code shutdownNow} writes it and finds
 * no task running, then the task claims its start. Executor mode, with an executor that keeps what it is given:
 * the task's run is then an operation of the test's, outside the service's poll (which the checker runs as one
 * step, the wheel being left out of its analysis, so that a task run by the driver cannot be interleaved). Driver
 * mode shares the line that closes the gap (ScheduledTask.run's interrupt of itself); its half of the Dekker pair
 * there is the {@code running} field rather than the state. No sleeps: the checker chooses every switch.
 * <p>
 * Proof that it can fail: with the task's interrupt of itself undone, the checker finds the interleaving.
 * <p>
 * This test once failed now and then with "Non-determinism found" ("shutdownNow hung", then not on replay): the
 * executor's hash sets iterated by the tasks' identity hashes, which differ from run to run. ScheduledTask.hashCode
 * is now a count; run 12 times in one JVM with the identity hashes shifted between runs, it failed on the first
 * run without that, twice, and passed 36 of 36 with it.
 */
public class TimerScheduledExecutorShutdownNowLincheckTest
{
    private static final long STEP_NS = 1_000;



    /** The task: once shutdownNow has begun, it waits until interrupted, as a task blocked in a wait would. */
    private static final class Body implements Runnable
    {
        TimerScheduledExecutor executor;
        /** Read in the wait: a shared read the checker sees repeat, so that it knows the thread spins. */
        final AtomicInteger spins = new AtomicInteger();

        @Override
        public void run()
        {
            if (executor.isStopped())
            {
                while (!Thread.currentThread().isInterrupted())
                {
                    spins.incrementAndGet();
                }
            }
        }
    }

    private final Clock clock = new Clock();
    private final Body body = new Body();
    private final Keeper keeper = new Keeper();
    private final TimerScheduledExecutor executor = TimerScheduledExecutor.builder().clock(clock).callerDriven()
        .executor(keeper).capacity(4).tick(java.time.Duration.ofNanos(STEP_NS)).build();

    {
        body.executor = executor;
        executor.schedule(body, STEP_NS, TimeUnit.NANOSECONDS);
        clock.now.addAndGet(STEP_NS);
        executor.poll(); // the timer fires: the task is handed to the keeper
    }

    /** The executor's call of the task handed over. */
    @Operation
    public void run()
    {
        keeper.command.get().run();
        Thread.interrupted(); // shutdownNow's interrupt, if it came: not for the checker's thread
    }

    @Operation
    public void shutdownNow()
    {
        executor.shutdownNow();
    }

    @Test
    void shouldInterruptATaskThatStartsWhileShutdownNowRuns()
    {
        LincheckScenarios.modelChecking().iterations(0).invocationsPerIteration(2_000)
            .addCustomScenario(LincheckScenarios.scenario(List.of(),
                List.of(List.of(actor("run")), List.of(actor("shutdownNow"))), List.of()))
            .check(TimerScheduledExecutorShutdownNowLincheckTest.class);
    }

    private static Actor actor(final String name, final Object... arguments)
    {
        return LincheckScenarios.actor(TimerScheduledExecutorShutdownNowLincheckTest.class, name, arguments);
    }
}
