package io.escapement.engine.executor;

import io.escapement.engine.LincheckScenarios;
import io.escapement.engine.executor.LincheckFixtures.Clock;
import org.jetbrains.kotlinx.lincheck.Actor;
import org.jetbrains.lincheck.datastructures.Operation;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The model checker explores every interleaving of two producers submitting a task without a delay, tasks on the
 * driver, in a service whose every slot is taken (two tasks an hour away, a capacity of 2, no wait for a slot): the
 * first producer's arm of the drain fails, and each task must be refused or run; never accepted with no drain to run
 * it. The gap: the second producer queues its task while the first one's arm is under way, takes that arm for a drain
 * that will poll its task, and returns; the arm then fails, and after shutdown() no other task comes to arm one: the
 * task never runs, and the executor never terminates.
 * <p>
 * Proof that it can fail: with producers returning at once while another's arm is under way (ensureDrain's wait
 * undone), the checker finds the interleaving.
 */
public class TimerScheduledExecutorDrainArmLincheckTest
{

    private static final class Body implements Runnable
    {
        final AtomicInteger runs = new AtomicInteger();

        @Override
        public void run()
        {
            runs.incrementAndGet();
        }
    }

    private final Clock clock = new Clock();
    private final Body first = new Body();
    private final Body second = new Body();
    private final Body later = new Body();
    private final TimerScheduledExecutor executor = TimerScheduledExecutor.builder().clock(clock).callerDriven()
        .capacity(2).waitWhenFull(Duration.ZERO).build();
    private final AtomicReference<Future<?>> firstAccepted = new AtomicReference<>();
    private final AtomicReference<Future<?>> secondAccepted = new AtomicReference<>();

    {
        executor.schedule(later, 1, TimeUnit.HOURS);
        executor.schedule(later, 1, TimeUnit.HOURS); // every slot taken
    }

    @Operation
    public void submitFirst()
    {
        submit(first, firstAccepted);
    }

    @Operation
    public void submitSecond()
    {
        submit(second, secondAccepted);
    }

    private void submit(final Body body, final AtomicReference<Future<?>> accepted)
    {
        try
        {
            accepted.set(executor.submit(body));
        }
        catch (final RejectedExecutionException refused)
        {
            // refused: every slot is taken (the drain's arm failed)
        }
    }

    /**
     * Shuts down, lets the hour pass and drives the timers, then reads the outcome.
     *
     * @return whether each task was refused and never ran, or ran once, and the executor terminated: true in every
     * sequential order.
     */
    @Operation
    public boolean accounted()
    {
        executor.shutdown();
        clock.now.addAndGet(TimeUnit.HOURS.toNanos(2));
        for (int i = 0; i < 3; i++)
        {
            executor.poll();
        }
        return accounted(first, firstAccepted.get()) && accounted(second, secondAccepted.get()) &&
            later.runs.get() == 2 && executor.isTerminated();
    }

    private static boolean accounted(final Body body, final Future<?> future)
    {
        return future == null ? body.runs.get() == 0 : body.runs.get() == 1 && future.isDone();
    }

    @Test
    void shouldRefuseOrRunATaskQueuedWhileAnotherProducersArmOfTheDrainFails()
    {
        LincheckScenarios.modelChecking().iterations(0).invocationsPerIteration(5_000)
            .addCustomScenario(LincheckScenarios.scenario(List.of(),
                List.of(List.of(actor("submitFirst")), List.of(actor("submitSecond"))), List.of(actor("accounted"))))
            .check(TimerScheduledExecutorDrainArmLincheckTest.class);
    }

    private static Actor actor(final String name, final Object... arguments)
    {
        return LincheckScenarios.actor(TimerScheduledExecutorDrainArmLincheckTest.class, name, arguments);
    }
}
