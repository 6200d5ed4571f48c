package io.escapement.netty;

import io.escapement.engine.wheel.TimerWheel;
import io.netty.util.Timeout;
import io.netty.util.TimerTask;
import kotlin.Unit;
import org.jetbrains.kotlinx.lincheck.Actor;
import org.jetbrains.kotlinx.lincheck.execution.ExecutionScenario;
import org.jetbrains.lincheck.datastructures.DSLScenarioBuilder;
import org.jetbrains.lincheck.datastructures.IntGen;
import org.jetbrains.lincheck.datastructures.ManagedStrategyGuaranteeKt;
import org.jetbrains.lincheck.datastructures.ModelCheckingOptions;
import org.jetbrains.lincheck.datastructures.Operation;
import org.jetbrains.lincheck.datastructures.Param;
import org.junit.jupiter.api.Test;

import java.lang.reflect.Method;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.function.LongSupplier;

/**
 * Lincheck model-checks the adapter's decisions against {@link Model}, a plain statement of Netty's {@code Timer}
 * contract: under every interleaving it explores, a timeout's expiry, its cancel and the stop that hands it back
 * decide its fate once, and {@code isExpired()}/{@code isCancelled()} agree with that fate. The operations: create
 * timeout 0 due now and timeout 1 due in an hour (each at most once), cancel, ask the flags, and on the driving side
 * (one thread, as the worker) poll (the clock moves one step; the result is which tasks ran) and stop (the result is
 * which timeouts it handed back).
 * <p>
 * Proof that it can fail: with {@code EscapementTimeout.cancel()} made a check then a plain write, the fire-versus-
 * cancel scenario finds a cancel that returned {@code true} for a task that ran.
 */
@Param(name = "id", gen = IntGen.class, conf = "0:1")
public class EscapementTimerLincheckTest
{
    private static final long STEP_NS = 1_000;
    private static final int ITERATIONS = Integer.getInteger("lincheck.iterations", 5);

    /** The manual clock, a named class: lambdas' synthetic fields make Lincheck print warnings. */
    private static final class Clock implements LongSupplier
    {
        final AtomicLong nowNs = new AtomicLong();

        @Override
        public long getAsLong()
        {
            return nowNs.get();
        }
    }

    /** Records which tasks ran during the current poll (written on the driving thread only). */
    private static final class Ran
    {
        int bits;
    }

    /** A task that marks its id. */
    private static final class Marking implements TimerTask
    {
        private final int id;
        private final Ran ran;

        Marking(final int id, final Ran ran)
        {
            this.id = id;
            this.ran = ran;
        }

        @Override
        public void run(final Timeout timeout)
        {
            ran.bits |= 1 << id;
        }
    }

    private final Clock clock = new Clock();
    private final Ran ran = new Ran();
    private final AtomicReferenceArray<Timeout> timeouts = new AtomicReferenceArray<>(2);
    private final EscapementTimer timer = EscapementTimer.builder().clock(clock)
        .tickDuration(STEP_NS, TimeUnit.NANOSECONDS).capacity(2).callerDriven().build();

    @Operation(runOnce = true)
    public void newTimeoutDueNow()
    {
        timeouts.set(0, timer.newTimeout(new Marking(0, ran), 0, TimeUnit.NANOSECONDS));
    }

    @Operation(runOnce = true)
    public void newTimeoutFar()
    {
        timeouts.set(1, timer.newTimeout(new Marking(1, ran), 1, TimeUnit.HOURS));
    }

    @Operation
    public boolean cancel(@Param(name = "id") final int id)
    {
        final Timeout timeout = timeouts.get(id);
        return timeout != null && timeout.cancel();
    }

    @Operation
    public boolean isExpired(@Param(name = "id") final int id)
    {
        final Timeout timeout = timeouts.get(id);
        return timeout != null && timeout.isExpired();
    }

    @Operation
    public boolean isCancelled(@Param(name = "id") final int id)
    {
        final Timeout timeout = timeouts.get(id);
        return timeout != null && timeout.isCancelled();
    }

    /** @return the ids whose task this poll ran, as bits. */
    @Operation(nonParallelGroup = "worker")
    public int poll()
    {
        clock.nowNs.addAndGet(STEP_NS);
        ran.bits = 0;
        timer.pollForTest();
        return ran.bits;
    }

    /** @return the ids of the timeouts the stop handed back, as bits. */
    @Operation(nonParallelGroup = "worker")
    public int stop()
    {
        int handedBack = 0;
        for (final Timeout timeout : timer.stop())
        {
            handedBack |= 1 << ((Marking)timeout.task()).id;
        }
        return handedBack;
    }

    /** Netty's contract, sequentially. */
    public static final class Model
    {
        private static final int NONE = 0;
        private static final int DUE = 1;
        private static final int FAR = 2;
        private static final int EXPIRED = 3;
        private static final int CANCELLED = 4;

        private final int[] timeouts = new int[2];
        private boolean stopped;

        public void newTimeoutDueNow()
        {
            create(0, DUE);
        }

        public void newTimeoutFar()
        {
            create(1, FAR);
        }

        private void create(final int id, final int state)
        {
            if (stopped)
            {
                throw new IllegalStateException("cannot be started once stopped");
            }
            timeouts[id] = state;
        }

        public boolean cancel(final int id)
        {
            if (timeouts[id] == DUE || timeouts[id] == FAR)
            {
                timeouts[id] = CANCELLED;
                return true;
            }
            return false;
        }

        public boolean isExpired(final int id)
        {
            return timeouts[id] == EXPIRED;
        }

        public boolean isCancelled(final int id)
        {
            return timeouts[id] == CANCELLED;
        }

        public int poll()
        {
            int expired = 0;
            for (int id = 0; id < timeouts.length; id++)
            {
                if (timeouts[id] == DUE)
                {
                    timeouts[id] = EXPIRED;
                    expired |= 1 << id;
                }
            }
            return expired;
        }

        public int stop()
        {
            int handedBack = 0;
            for (int id = 0; id < timeouts.length; id++)
            {
                if (timeouts[id] == DUE || timeouts[id] == FAR)
                {
                    timeouts[id] = CANCELLED;
                    handedBack |= 1 << id;
                }
            }
            stopped = true;
            return handedBack;
        }

        @Override
        public boolean equals(final Object other)
        {
            return other instanceof Model && ((Model)other).stopped == stopped &&
                Arrays.equals(((Model)other).timeouts, timeouts);
        }

        @Override
        public int hashCode()
        {
            return Arrays.hashCode(timeouts) * 2 + (stopped ? 1 : 0);
        }
    }

    @Test
    void shouldDecideEachNamedRaceOnce()
    {
        modelChecking().iterations(0).invocationsPerIteration(500)
            // expiry vs cancel: the worker fires timeout 0 while another thread cancels it and reads its state
            .addCustomScenario(scenario(List.of(actor("newTimeoutDueNow")),
                List.of(List.of(actor("poll")), List.of(actor("cancel", 0), actor("isExpired", 0))),
                List.of(actor("isCancelled", 0), actor("poll"))))
            // stop vs cancel: either the cancel wins, or the stop hands the timeout back and the cancel fails
            .addCustomScenario(scenario(List.of(actor("newTimeoutFar")),
                List.of(List.of(actor("stop")), List.of(actor("cancel", 1))),
                List.of(actor("isCancelled", 1))))
            // stop vs newTimeout: refused, or handed back by the stop, or expired before it
            .addCustomScenario(scenario(List.of(),
                List.of(List.of(actor("newTimeoutDueNow"), actor("cancel", 0)), List.of(actor("poll"), actor("stop"))),
                List.of(actor("isExpired", 0), actor("isCancelled", 0))))
            .check(EscapementTimerLincheckTest.class);
    }

    @Test
    void shouldBeLinearizableUnderModelCheckingOfRandomScenarios()
    {
        modelChecking().iterations(ITERATIONS).invocationsPerIteration(300).threads(2).actorsPerThread(3)
            .actorsBefore(1).actorsAfter(1).check(EscapementTimerLincheckTest.class);
    }

    /** The owner-only structures and the striped counters left out of the analysis, as in the engine's test. */
    private static ModelCheckingOptions modelChecking()
    {
        return new ModelCheckingOptions().sequentialSpecification(Model.class)
            .addGuarantee(ManagedStrategyGuaranteeKt.forClasses(TimerWheel.class.getName(),
                "org.HdrHistogram.SingleWriterRecorder", "org.HdrHistogram.Histogram",
                "org.HdrHistogram.AbstractHistogram", "org.HdrHistogram.WriterReaderPhaser",
                "java.util.concurrent.atomic.LongAdder", "java.util.concurrent.atomic.Striped64")
                .allMethods().ignore());
    }

    private static Actor actor(final String name, final Object... arguments)
    {
        final Method method = Arrays.stream(EscapementTimerLincheckTest.class.getMethods())
            .filter(m -> m.getName().equals(name)).findFirst().orElseThrow();
        return new Actor(method, List.of(arguments), false, false, false, false, false);
    }

    private static ExecutionScenario scenario(final List<Actor> initial, final List<List<Actor>> parallel,
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
