package io.escapement.engine.service;

import io.escapement.engine.LincheckScenarios;
import static io.escapement.engine.LincheckScenarios.scenario;
import org.jetbrains.kotlinx.lincheck.Actor;
import org.jetbrains.kotlinx.lincheck.execution.ExecutionScenario;
import org.jetbrains.lincheck.datastructures.ModelCheckingOptions;
import org.jetbrains.lincheck.datastructures.Operation;
import org.jetbrains.lincheck.datastructures.StressOptions;
import org.junit.jupiter.api.Test;

import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.List;

/**
 * Lincheck checks the free stack of {@link TimerSlots}, the part of the service that decides "full" and hands out
 * slots: at two slots the model checker reaches the empty stack, the full one and the ABA of the top slot (taken,
 * freed and on top again over a different link while another taker stands between its read of the head and its CAS)
 * in a handful of operations. {@link Model} is a stack of free slot numbers, slot 0 on top at first: {@code take}
 * pops the top (or finds it empty), {@code hasFreeSlot} says whether it is empty, and the owner, alone, takes slots
 * and pushes back the oldest one it holds, or all it holds in one batch (a chain pushed with one CAS), as the
 * service's owner retires the timers it was handed.
 * <p>
 * Proof that it can fail: with the pop counter left out of the head (the CAS of {@code allocate()} from
 * {@code head} to {@code head & ~TOP_MASK | next}), the ABA scenario fails at once: a taker reads slot 0 on top over
 * slot 1; the owner takes 0, takes 1, frees 0 (on top over nothing); the taker's CAS then succeeds and puts slot 1,
 * which the owner holds, back on top: two holders of one slot. With {@code hasFreeSlot()} answering from a stale
 * read, the issue 14 scenario fails.
 * <p>
 * Slots taken by {@code take} are held for the rest of the scenario (no one frees them), so the stack empties.
 */
public class TimerServiceFreeStackLincheckTest
{
    private static final int CAPACITY = 2;
    private static final int ITERATIONS = Integer.getInteger("lincheck.iterations", 10);

    private final TimerSlots slots = new TimerSlots(CAPACITY, TimerSlots.MIN_REQUEST_RING);
    /** The slots the owner took and has not freed yet, oldest first: the owner's only. */
    private final int[] ownerHeld = new int[CAPACITY];
    private int ownerHeldFrom;
    private int ownerHeldCount;

    /** Any thread: an arming thread's take. @return the slot, or -1 (NIL) if none is free. */
    @Operation
    public int take()
    {
        return slots.allocate();
    }

    /** Any thread: an arming thread's peek before it claims a request position. */
    @Operation
    public boolean hasFreeSlot()
    {
        return slots.hasFreeSlot();
    }

    /** The owner takes a slot, as an arming thread would, and will free it later. @return the slot, or -1. */
    @Operation(nonParallelGroup = "owner")
    public int ownerTake()
    {
        final int slot = slots.allocate();
        if (slot != TimerSlots.NIL)
        {
            ownerHeld[(ownerHeldFrom + ownerHeldCount++) % CAPACITY] = slot;
        }
        return slot;
    }

    /** The owner frees the oldest slot it took (a timer fired or retired). @return the slot, or -1 if it holds none. */
    @Operation(nonParallelGroup = "owner")
    public int ownerFree()
    {
        if (ownerHeldCount == 0)
        {
            return TimerSlots.NIL;
        }
        final int slot = ownerHeld[ownerHeldFrom];
        ownerHeldFrom = (ownerHeldFrom + 1) % CAPACITY;
        ownerHeldCount--;
        slots.free(slot);
        return slot;
    }

    /**
     * The owner frees every slot it holds in one batch, oldest first (a drain that retired several timers): one push
     * of its chain. @return how many it freed.
     */
    @Operation(nonParallelGroup = "owner")
    public int ownerFreeAll()
    {
        final int count = ownerHeldCount;
        while (ownerHeldCount != 0)
        {
            slots.freeLater(ownerHeld[ownerHeldFrom]);
            ownerHeldFrom = (ownerHeldFrom + 1) % CAPACITY;
            ownerHeldCount--;
        }
        slots.publishFrees();
        return count;
    }

    /** The specification: a stack of free slots, all free at first, slot 0 on top. */
    public static final class Model
    {
        /** The top first. */
        private final ArrayDeque<Integer> free = new ArrayDeque<>();
        private final ArrayDeque<Integer> ownerHeld = new ArrayDeque<>();

        public Model()
        {
            for (int slot = 0; slot < CAPACITY; slot++)
            {
                free.addLast(slot);
            }
        }

        public int take()
        {
            return free.isEmpty() ? TimerSlots.NIL : free.removeFirst();
        }

        public boolean hasFreeSlot()
        {
            return !free.isEmpty();
        }

        public int ownerTake()
        {
            final int slot = take();
            if (slot != TimerSlots.NIL)
            {
                ownerHeld.addLast(slot);
            }
            return slot;
        }

        public int ownerFree()
        {
            if (ownerHeld.isEmpty())
            {
                return TimerSlots.NIL;
            }
            final int slot = ownerHeld.removeFirst();
            free.addFirst(slot);
            return slot;
        }

        public int ownerFreeAll()
        {
            final int count = ownerHeld.size();
            while (!ownerHeld.isEmpty())
            {
                free.addFirst(ownerHeld.removeFirst());
            }
            return count;
        }

        @Override
        public boolean equals(final Object other)
        {
            return other instanceof Model && Arrays.equals(((Model)other).free.toArray(), free.toArray()) &&
                Arrays.equals(((Model)other).ownerHeld.toArray(), ownerHeld.toArray());
        }

        @Override
        public int hashCode()
        {
            return Arrays.hashCode(free.toArray()) * 31 + Arrays.hashCode(ownerHeld.toArray());
        }
    }

    @Test
    void shouldNeverAnswerFullWhileASlotStaysFree()
    {
        new ModelCheckingOptions().sequentialSpecification(Model.class).iterations(0).invocationsPerIteration(2_000)
            // issue 14: a peek racing the owner's take and free of the top slot
            .addCustomScenario(scenario(List.of(),
                List.of(List.of(actor("hasFreeSlot"), actor("take")),
                    List.of(actor("ownerTake"), actor("ownerFree"), actor("ownerTake"))), List.of(actor("take"))))
            // the empty stack: two takers race for the last free slot while the owner frees one
            .addCustomScenario(scenario(List.of(actor("take")),
                List.of(List.of(actor("take"), actor("hasFreeSlot")), List.of(actor("take"), actor("hasFreeSlot")),
                    List.of(actor("ownerTake"), actor("ownerFree"))), List.of(actor("hasFreeSlot"))))
            .check(TimerServiceFreeStackLincheckTest.class);
    }

    @Test
    void shouldNeverHandOutASlotTwiceWhenTheTopComesBackOverAnotherLink()
    {
        new ModelCheckingOptions().sequentialSpecification(Model.class).iterations(0).invocationsPerIteration(2_000)
            // ABA: a taker reads slot 0 on top over slot 1; the owner takes 0 and 1 and frees 0, now on top over
            // nothing; the taker's CAS must fail, or it would put slot 1, held by the owner, back on top
            .addCustomScenario(scenario(List.of(),
                List.of(List.of(actor("take"), actor("take")),
                    List.of(actor("ownerTake"), actor("ownerTake"), actor("ownerFree"), actor("ownerTake"))),
                List.of(actor("take"), actor("hasFreeSlot"))))
            // the same with the owner's batch: both slots pushed as one chain under a taker between read and CAS
            .addCustomScenario(scenario(List.of(),
                List.of(List.of(actor("take"), actor("take")),
                    List.of(actor("ownerTake"), actor("ownerTake"), actor("ownerFreeAll"), actor("ownerTake"))),
                List.of(actor("take"), actor("hasFreeSlot"))))
            // a batch pushed over a stack that is not empty: its bottom must link to the slot it covers
            .addCustomScenario(scenario(List.of(),
                List.of(List.of(actor("take")), List.of(actor("ownerTake"), actor("ownerFreeAll"))),
                List.of(actor("take"), actor("take"), actor("hasFreeSlot"))))
            .check(TimerServiceFreeStackLincheckTest.class);
    }

    @Test
    void shouldBeLinearizableUnderModelCheckingOfRandomScenarios()
    {
        new ModelCheckingOptions().sequentialSpecification(Model.class).iterations(ITERATIONS)
            .invocationsPerIteration(500).threads(3).actorsPerThread(3).actorsBefore(2).actorsAfter(1)
            .check(TimerServiceFreeStackLincheckTest.class);
    }

    @Test
    void shouldBeLinearizableOnRealThreads()
    {
        new StressOptions().sequentialSpecification(Model.class).iterations(ITERATIONS)
            .invocationsPerIteration(1_000).threads(3).actorsPerThread(3).actorsBefore(2).actorsAfter(1)
            .check(TimerServiceFreeStackLincheckTest.class);
    }

    private static Actor actor(final String name, final Object... arguments)
    {
        return LincheckScenarios.actor(TimerServiceFreeStackLincheckTest.class, name, arguments);
    }
}
