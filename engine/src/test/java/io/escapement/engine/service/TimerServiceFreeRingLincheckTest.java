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
 * Lincheck checks the free ring of {@link TimerSlots}, the part of the service that decides "full": at two slots its
 * positions lap every two takes, so the model checker reaches the full ring, the empty one and every lap boundary in
 * a handful of operations. {@link Model} is a FIFO queue of free slot numbers: {@code take} removes the front (or
 * finds it empty), {@code hasFreeSlot} says whether it is empty, and the owner, alone, takes slots and frees the
 * oldest one it holds at the back, as the service's owner retires the timers it was handed.
 * <p>
 * Proof that it can fail: with {@code hasFreeSlot()} answering from its first read of {@code taken} (the code before
 * the fix of issue 14's spurious {@link TimerServiceFullException}) the named scenario fails at once: a peek that
 * read position 0, then the owner takes slot 0 and frees it at position 2, then the peek reads the entry of position
 * 2 and answers "nothing free" while slot 1 was free throughout.
 * <p>
 * Slots taken by {@code take} are held for the rest of the scenario (no one frees them), so the ring fills.
 */
public class TimerServiceFreeRingLincheckTest
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

    /** The specification: a FIFO queue of free slots, all free at first in slot order. */
    public static final class Model
    {
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
            free.addLast(slot);
            return slot;
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
    void shouldNeverAnswerFullWhileASlotStaysFreeAcrossALap()
    {
        new ModelCheckingOptions().sequentialSpecification(Model.class).iterations(0).invocationsPerIteration(2_000)
            // issue 14: a peek racing the owner's take and free of the slot at the peeked position
            .addCustomScenario(scenario(List.of(),
                List.of(List.of(actor("hasFreeSlot"), actor("take")),
                    List.of(actor("ownerTake"), actor("ownerFree"), actor("ownerTake"))), List.of(actor("take"))))
            // the full ring: two takers race for the last free slot while the owner frees one
            .addCustomScenario(scenario(List.of(actor("take")),
                List.of(List.of(actor("take"), actor("hasFreeSlot")), List.of(actor("take"), actor("hasFreeSlot")),
                    List.of(actor("ownerTake"), actor("ownerFree"))), List.of(actor("hasFreeSlot"))))
            .check(TimerServiceFreeRingLincheckTest.class);
    }

    @Test
    void shouldBeLinearizableUnderModelCheckingOfRandomScenarios()
    {
        new ModelCheckingOptions().sequentialSpecification(Model.class).iterations(ITERATIONS)
            .invocationsPerIteration(500).threads(3).actorsPerThread(3).actorsBefore(2).actorsAfter(1)
            .check(TimerServiceFreeRingLincheckTest.class);
    }

    @Test
    void shouldBeLinearizableOnRealThreads()
    {
        new StressOptions().sequentialSpecification(Model.class).iterations(ITERATIONS)
            .invocationsPerIteration(1_000).threads(3).actorsPerThread(3).actorsBefore(2).actorsAfter(1)
            .check(TimerServiceFreeRingLincheckTest.class);
    }

    private static Actor actor(final String name, final Object... arguments)
    {
        return LincheckScenarios.actor(TimerServiceFreeRingLincheckTest.class, name, arguments);
    }
}
