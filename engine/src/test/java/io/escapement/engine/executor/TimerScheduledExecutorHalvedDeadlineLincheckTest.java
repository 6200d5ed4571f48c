package io.escapement.engine.executor;

import io.escapement.engine.LincheckScenarios;
import org.jetbrains.kotlinx.lincheck.Actor;
import org.jetbrains.lincheck.datastructures.Operation;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.LongSupplier;

/**
 * The model checker explores a schedule whose timer is armed nearer than asked (the deadline would overflow the
 * clock's range: the delay is halved until the service takes it) against a poll that fires it. The task's deadline
 * must move in before the arm: a poll between the arm and a later write fired the timer, whose call found the task
 * not due by its old, later deadline and returned; the task was lost (never handed over, never completed). A clock
 * that started far below zero and reads -1: a delay of a quarter of the range from there would end beyond the
 * range the service's wheel covers from its start. Executor mode, with an executor that keeps what it is given.
 * <p>
 * Proof that it can fail: with the deadline written after the arm, the checker finds the interleaving.
 */
public class TimerScheduledExecutorHalvedDeadlineLincheckTest
{
    private static final long START_NS = -(Long.MAX_VALUE / 16) * 13;

    /** A named clock class: lambdas' synthetic fields make Lincheck print warnings. */
    private static final class Clock implements LongSupplier
    {
        final AtomicLong now = new AtomicLong(START_NS);

        @Override
        public long getAsLong()
        {
            return now.get();
        }
    }

    /** Keeps the one command it is given. */
    private static final class Keeper implements Executor
    {
        final AtomicReference<Runnable> command = new AtomicReference<>();

        @Override
        public void execute(final Runnable task)
        {
            command.set(task);
        }
    }

    private static final class Body implements Runnable
    {
        @Override
        public void run()
        {
        }
    }

    private final Clock clock = new Clock();
    private final Keeper keeper = new Keeper();
    private final TimerScheduledExecutor executor = TimerScheduledExecutor.builder().clock(clock).callerDriven()
        .executor(keeper).capacity(4).build();
    /** The deadline the schedule's timer ends up at when it runs alone from -1 (measured in the constructor). */
    private final long halvedDeadlineNs;

    {
        clock.now.set(-1);
        executor.poll();
        final ScheduledTask<?> probe = (ScheduledTask<?>)executor.schedule(new Body(),
            TimerScheduledExecutor.MAX_DELAY_NS, TimeUnit.NANOSECONDS);
        halvedDeadlineNs = probe.deadlineNs;
        if (halvedDeadlineNs - (-1) == TimerScheduledExecutor.MAX_DELAY_NS)
        {
            throw new AssertionError("the delay was not halved: the test misses its case");
        }
        probe.cancel(false);
    }

    @Operation
    public void schedule()
    {
        executor.schedule(new Body(), TimerScheduledExecutor.MAX_DELAY_NS, TimeUnit.NANOSECONDS);
    }

    /** The clock reaches the halved deadline, and a poll: returns whether the task was handed over. */
    @Operation
    public boolean pollAtHalvedDeadline()
    {
        clock.now.set(halvedDeadlineNs);
        executor.poll();
        return keeper.command.get() != null;
    }

    /** At the end of the clock's range every timer has fired: returns whether the task was handed over. */
    @Operation
    public boolean pollAtTheEnd()
    {
        clock.now.set(START_NS + Long.MAX_VALUE - 2);
        executor.poll();
        return keeper.command.get() != null;
    }

    @Test
    void shouldHandOverATaskWhoseHalvedTimerFiresBeforeTheArmReturns()
    {
        LincheckScenarios.modelChecking().iterations(0).invocationsPerIteration(2_000)
            .addCustomScenario(LincheckScenarios.scenario(List.of(),
                List.of(List.of(actor("schedule")), List.of(actor("pollAtHalvedDeadline"))),
                List.of(actor("pollAtTheEnd"))))
            .check(TimerScheduledExecutorHalvedDeadlineLincheckTest.class);
    }

    private static Actor actor(final String name, final Object... arguments)
    {
        return LincheckScenarios.actor(TimerScheduledExecutorHalvedDeadlineLincheckTest.class, name, arguments);
    }
}
