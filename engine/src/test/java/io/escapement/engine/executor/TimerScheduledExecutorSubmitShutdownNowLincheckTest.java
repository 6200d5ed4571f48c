package io.escapement.engine.executor;

import io.escapement.engine.LincheckScenarios;
import io.escapement.engine.executor.LincheckFixtures.Clock;
import io.escapement.engine.executor.LincheckFixtures.Keeper;
import org.jetbrains.kotlinx.lincheck.Actor;
import org.jetbrains.lincheck.datastructures.Operation;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The model checker explores every interleaving of a task submitted without a delay, in executor mode, with
 * {@code shutdownNow}: the task is refused, or it runs exactly once, or {@code shutdownNow} hands it back; never
 * accepted and then neither run nor handed back. Such a task bypasses the service (it goes straight to the user's
 * executor), so nothing closed refuses it: the gap is a producer counted in before {@code shutdownNow}, whose
 * hand-over lands after both of {@code shutdownNow}'s passes over the tasks handed over; its run then finds the
 * executor stopped and the list handed back, and cancels itself, a future returned that nothing ran or returned.
 * The CI's stress test ({@code shouldAccountForEveryTaskAcceptedWhileShuttingDown}, pool of 2) met it once.
 * <p>
 * Proof that it can fail: with the producer's re-check of {@code stopped} after its hand-over is registered
 * (TimerScheduledExecutor.handOver) undone, the checker finds the interleaving.
 */
public class TimerScheduledExecutorSubmitShutdownNowLincheckTest
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
    private final Body body = new Body();
    private final Keeper keeper = new Keeper();
    private final TimerScheduledExecutor executor = TimerScheduledExecutor.builder().clock(clock).callerDriven()
        .executor(keeper).capacity(4).build();
    private final AtomicReference<Future<?>> accepted = new AtomicReference<>();
    private final AtomicReference<List<Runnable>> handedBack = new AtomicReference<>();

    @Operation
    public void submit()
    {
        try
        {
            accepted.set(executor.submit(body));
        }
        catch (final RejectedExecutionException refused)
        {
            // refused: an outcome the contract allows once shutdownNow has begun
        }
    }

    @Operation
    public void shutdownNow()
    {
        handedBack.set(executor.shutdownNow());
    }

    /**
     * The executor runs what it was given, then the outcome is read.
     *
     * @return whether the task was refused, or ran once and was not handed back, or was handed back and never ran:
     * true in every sequential order.
     */
    @Operation
    public boolean accounted()
    {
        final Runnable command = keeper.command.get();
        if (command != null)
        {
            command.run();
            Thread.interrupted();
        }
        final Future<?> future = accepted.get();
        if (future == null)
        {
            return body.runs.get() == 0;
        }
        final boolean returned = handedBack.get().contains(future);
        return body.runs.get() + (returned ? 1 : 0) == 1 && future.isDone();
    }

    @Test
    void shouldRefuseRunOrHandBackATaskSubmittedWhileShutdownNowRuns()
    {
        LincheckScenarios.modelChecking().iterations(0).invocationsPerIteration(5_000)
            .addCustomScenario(LincheckScenarios.scenario(List.of(),
                List.of(List.of(actor("submit")), List.of(actor("shutdownNow"))), List.of(actor("accounted"))))
            .check(TimerScheduledExecutorSubmitShutdownNowLincheckTest.class);
    }

    private static Actor actor(final String name, final Object... arguments)
    {
        return LincheckScenarios.actor(TimerScheduledExecutorSubmitShutdownNowLincheckTest.class, name, arguments);
    }
}
