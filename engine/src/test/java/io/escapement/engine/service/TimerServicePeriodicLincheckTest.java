package io.escapement.engine.service;

import io.escapement.engine.LincheckScenarios;
import static io.escapement.engine.LincheckScenarios.scenario;
import io.escapement.engine.TimerHandler;
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
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.function.LongSupplier;

/**
 * The model of {@link TimerServiceLincheckTest} with timer 0 periodic: armed due now with a period of an hour, it
 * runs at the first poll and then stays armed, an hour ahead, so a cancel or a re-arm after its run still wins it and
 * the close hands it back. This checks that the run of a periodic timer is decided atomically against a cancel (one
 * during the run stops the later runs and answers {@code true}), a re-arm (before or after the run) and the close,
 * each linearizable against {@link Model}. Only timer 0 is ever due, once: one poll runs at most one timer, as a poll
 * is a batch and atomic only per timer.
 * <p>
 * The handler records the handle it is given: a periodic timer may run before the thread that armed it has stored
 * its handle, and stays cancellable after the run.
 * <p>
 * Proof that it can fail: it found that an arm which saw the close after publishing took back a periodic timer
 * that had already run (the arm threw {@link TimerServiceClosedException}, yet a poll had run its timer): with the
 * check in {@code retractAfterClose} removed, the named scenario "run vs close" fails within a minute.
 * <p>
 * What it cannot see: the model checker leaves the wheel out of its analysis (see
 * {@link TimerServiceLincheckTest}), and a run happens inside the wheel's {@code advance}, so to it a run is atomic
 * and a cancel can never fall inside one. {@code TimerServicePeriodicTest} pins a cancel during a run, on real
 * threads with the run held on a latch.
 */
@Param(name = "id", gen = IntGen.class, conf = "0:1")
public class TimerServicePeriodicLincheckTest
{
    private static final long FAR_NS = TimeUnit.HOURS.toNanos(1);
    private static final long CLOCK_STEP_NS = 1_000;
    /**
     * Random scenarios per run: 20 keeps the class near a minute on 2 cores; {@code -Dlincheck.iterations=150} for a
     * deeper search (about 10 minutes for the model-checked test).
     */
    private static final int ITERATIONS = Integer.getInteger("lincheck.iterations", 8);

    /** Clock and handler in one named class: lambdas' synthetic fields make Lincheck print warnings. */
    private static final class Owner implements LongSupplier, TimerHandler
    {
        final AtomicLong clock = new AtomicLong();
        /** The ids fired by the poll running now, as bits; written by the owner only. */
        int firedByThisPoll;

        @Override
        public long getAsLong()
        {
            return clock.get();
        }

        @Override
        public void onExpiry(final long handle, final long id, final long deadlineNs)
        {
            firedByThisPoll |= 1 << id;
            handles.compareAndSet((int)id, 0, handle); // before its arming thread stored it, perhaps
        }

        AtomicLongArray handles;
    }

    private final Owner owner = new Owner();
    private final AtomicLongArray handles = new AtomicLongArray(2);

    {
        owner.handles = handles;
    }
    private final TimerService service = TimerService.builder().clock(owner).handler(owner).capacity(4)
        .tickNs(CLOCK_STEP_NS).build();

    @Operation(runOnce = true)
    public void armDueNow()
    {
        handles.set(0, service.armPeriodic(0, FAR_NS, TimeUnit.NANOSECONDS, 0L));
    }

    @Operation(runOnce = true)
    public void armFar()
    {
        handles.set(1, service.arm(FAR_NS, TimeUnit.NANOSECONDS, 1L));
    }

    @Operation
    public boolean cancel(@Param(name = "id") final int id)
    {
        return service.cancel(handles.get(id));
    }

    @Operation
    public boolean rearmFar(@Param(name = "id") final int id)
    {
        return service.rearm(handles.get(id), FAR_NS, TimeUnit.NANOSECONDS);
    }

    /** @return the ids of the timers this poll fired, as bits. */
    @Operation(nonParallelGroup = "owner")
    public int poll()
    {
        owner.clock.addAndGet(CLOCK_STEP_NS);
        owner.firedByThisPoll = 0;
        service.poll();
        return owner.firedByThisPoll;
    }

    /** @return the ids of the timers the close handed back as pending, as bits. */
    @Operation(nonParallelGroup = "owner")
    public int close()
    {
        int pending = 0;
        for (final PendingTimer timer : service.shutdown())
        {
            pending |= 1 << timer.payload();
        }
        return pending;
    }

    /**
     * The sequential specification: what the service promises, written as plainly as possible, independent of its
     * implementation. Lincheck compares every concurrent run with it. (Lincheck keeps one specification object per
     * state it explores; a real service per state, wheel and histograms included, would exhaust the heap.)
     */
    public static final class Model
    {
        private static final int UNARMED = 0;
        private static final int DUE = 1;
        private static final int FAR = 2;
        private static final int DONE = 3; // cancelled or handed back by the close

        private final int[] timers = new int[2];
        private boolean closed;

        public void armDueNow()
        {
            arm(0, DUE);
        }

        public void armFar()
        {
            arm(1, FAR);
        }

        private void arm(final int id, final int status)
        {
            if (closed)
            {
                throw new TimerServiceClosedException();
            }
            timers[id] = status;
        }

        public boolean cancel(final int id)
        {
            if (closed || timers[id] != DUE && timers[id] != FAR)
            {
                return false;
            }
            timers[id] = DONE;
            return true;
        }

        public boolean rearmFar(final int id)
        {
            if (closed || timers[id] != DUE && timers[id] != FAR)
            {
                return false;
            }
            timers[id] = FAR;
            return true;
        }

        public int poll()
        {
            int fired = 0;
            for (int id = 0; id < timers.length; id++)
            {
                if (!closed && timers[id] == DUE)
                {
                    timers[id] = FAR; // timer 0 is periodic: it runs again an hour later
                    fired |= 1 << id;
                }
            }
            return fired;
        }

        public int close()
        {
            int pending = 0;
            for (int id = 0; id < timers.length && !closed; id++)
            {
                if (timers[id] == DUE || timers[id] == FAR)
                {
                    timers[id] = DONE;
                    pending |= 1 << id;
                }
            }
            closed = true;
            return pending;
        }

        @Override
        public boolean equals(final Object other)
        {
            return other instanceof Model && ((Model)other).closed == closed &&
                Arrays.equals(((Model)other).timers, timers);
        }

        @Override
        public int hashCode()
        {
            return Arrays.hashCode(timers) * 2 + (closed ? 1 : 0);
        }
    }

    // ------------------------------------------------------------------------------------------ the checks

    @Test
    void shouldDecideEachNamedRaceOfAPeriodicTimerAtomically()
    {
        final ModelCheckingOptions options = modelChecking().iterations(0).invocationsPerIteration(2_000)
            // run vs cancel: the owner runs timer 0 while another thread cancels it; a later poll must not run it
            .addCustomScenario(scenario(List.of(actor("armDueNow")),
                List.of(List.of(actor("poll")), List.of(actor("cancel", 0))), List.of(actor("poll"),
                    actor("cancel", 0))))
            // arm vs cancel, before the owner saw the arm
            .addCustomScenario(scenario(List.of(),
                List.of(List.of(actor("armDueNow"), actor("cancel", 0)), List.of(actor("poll"), actor("poll"))),
                List.of(actor("close"))))
            // run vs re-arm: moved far whether before or after the run; still armed for the close
            .addCustomScenario(scenario(List.of(actor("armDueNow")),
                List.of(List.of(actor("rearmFar", 0)), List.of(actor("poll"), actor("poll"))),
                List.of(actor("close"))))
            // run vs close, and arms racing the close
            .addCustomScenario(scenario(List.of(),
                List.of(List.of(actor("armFar"), actor("armDueNow")), List.of(actor("poll"), actor("close"))),
                List.of(actor("cancel", 0), actor("cancel", 1))));
        options.check(TimerServicePeriodicLincheckTest.class);
    }

    @Test
    void shouldBeLinearizableUnderModelCheckingOfRandomScenarios()
    {
        modelChecking().iterations(ITERATIONS).invocationsPerIteration(1_000).threads(3).actorsPerThread(2)
            .actorsBefore(1).actorsAfter(1).check(TimerServicePeriodicLincheckTest.class);
    }

    @Test
    void shouldBeLinearizableOnRealThreads()
    {
        new StressOptions().sequentialSpecification(Model.class).iterations(ITERATIONS)
            .invocationsPerIteration(1_000).threads(2).actorsPerThread(3).actorsBefore(1).actorsAfter(1)
            .check(TimerServicePeriodicLincheckTest.class);
    }

    /**
     * Model checking with the owner-only structures (the wheel, the lateness histogram) and the JDK's striped
     * counters left out of the analysis: only the owner thread touches the first two, so there is no interleaving
     * inside them to explore, and the counters are off the decision paths. This is what keeps the run short.
     */
    private static ModelCheckingOptions modelChecking()
    {
        return LincheckScenarios.modelChecking().sequentialSpecification(Model.class);
    }

    private static Actor actor(final String name, final Object... arguments)
    {
        return LincheckScenarios.actor(TimerServicePeriodicLincheckTest.class, name, arguments);
    }
}
