package io.escapement.engine;

import kotlin.Unit;
import org.jetbrains.kotlinx.lincheck.Actor;
import org.jetbrains.kotlinx.lincheck.execution.ExecutionScenario;
import io.escapement.engine.wheel.TimerWheel;
import org.jetbrains.lincheck.datastructures.DSLScenarioBuilder;
import org.jetbrains.lincheck.datastructures.ManagedStrategyGuaranteeKt;
import org.jetbrains.lincheck.datastructures.ModelCheckingOptions;

import java.lang.reflect.Method;
import java.util.Arrays;
import java.util.List;

/**
 * The named scenarios of the engine's Lincheck tests: an operation of a test class by name, and a scenario of an
 * initial part, parallel threads and a post part, built with Lincheck's DSL (whose Kotlin lambdas want a
 * {@code Unit} back). Shared by every Lincheck test here, so each states only its races.
 */
public final class LincheckScenarios
{
    private LincheckScenarios()
    {
    }

    /**
     * @return model checking with what the service's and the executor's tests leave out of its analysis: the wheel
     * (one owner thread: its calls run as one step, so the checker interleaves the service's own handshakes, not the
     * wheel's inside) and the service's metrics (HdrHistogram's recorder, LongAdder: counters the tests do not read).
     */
    public static ModelCheckingOptions modelChecking()
    {
        return new ModelCheckingOptions()
            .addGuarantee(ManagedStrategyGuaranteeKt.forClasses(TimerWheel.class.getName(),
                "org.HdrHistogram.SingleWriterRecorder", "org.HdrHistogram.Histogram",
                "org.HdrHistogram.AbstractHistogram", "org.HdrHistogram.WriterReaderPhaser",
                "java.util.concurrent.atomic.LongAdder", "java.util.concurrent.atomic.Striped64")
                .allMethods().ignore());
    }

    /**
     * @param test      the Lincheck test class that declares the operation.
     * @param name      the operation's method name (the first public method of that name).
     * @param arguments its arguments.
     * @return the actor that calls it.
     */
    public static Actor actor(final Class<?> test, final String name, final Object... arguments)
    {
        final Method method = Arrays.stream(test.getMethods())
            .filter(m -> m.getName().equals(name)).findFirst().orElseThrow();
        return new Actor(method, List.of(arguments), false, false, false, false, false);
    }

    /**
     * @param initial  run first, on one thread.
     * @param parallel one list of actors per thread, run in parallel.
     * @param post     run last, on one thread.
     * @return the scenario.
     */
    public static ExecutionScenario scenario(final List<Actor> initial, final List<List<Actor>> parallel,
        final List<Actor> post)
    {
        final DSLScenarioBuilder builder = new DSLScenarioBuilder();
        builder.initial(thread ->
        {
            thread.addAll(initial);
            return Unit.INSTANCE;
        });
        builder.parallel(threads ->
        {
            for (final List<Actor> actors : parallel)
            {
                threads.thread(thread ->
                {
                    thread.addAll(actors);
                    return Unit.INSTANCE;
                });
            }
            return Unit.INSTANCE;
        });
        builder.post(thread ->
        {
            thread.addAll(post);
            return Unit.INSTANCE;
        });
        return builder.buildScenario();
    }
}
