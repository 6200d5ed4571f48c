package io.escapement.engine.executor;

import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.LongSupplier;

/** What the executor's Lincheck tests share: a manual clock and an executor that keeps what it is given. */
final class LincheckFixtures
{
    private LincheckFixtures()
    {
    }

    /** A named clock class: lambdas' synthetic fields make Lincheck print warnings. */
    static final class Clock implements LongSupplier
    {
        final AtomicLong now = new AtomicLong();

        @Override
        public long getAsLong()
        {
            return now.get();
        }
    }

    /** Keeps the one command it is given (the last, if more), for the test's operation to run as a worker would. */
    static final class Keeper implements Executor
    {
        final AtomicReference<Runnable> command = new AtomicReference<>();

        @Override
        public void execute(final Runnable task)
        {
            command.set(task);
        }
    }
}
