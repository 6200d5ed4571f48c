package io.escapement.engine.service;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The free stack of {@link TimerSlots} at its smallest: two slots, one of them held at most at any moment, so a slot
 * is always free and {@code hasFreeSlot()} must never answer {@code false}, nor {@code allocate()} return NIL. One
 * thread plays the owner and an arming thread at once (takes a slot and frees it again, over and over); the other
 * only peeks.
 * <p>
 * This is the race behind the spurious {@link TimerServiceFullException} of issue 14, first seen on the free ring
 * that came before the stack (a peek that read the ring's index and then an entry a lap newer answered "nothing
 * free"): before its fix this test saw thousands of false answers a second on 2 cores; a few seconds, no clock
 * involved.
 */
class TimerServiceFreeStackStressTest
{
    private static final long RUN_NS = TimeUnit.SECONDS.toNanos(2);

    @Test
    @Timeout(60)
    void shouldNeverAnswerThatNothingIsFreeWhileASlotIsFree() throws InterruptedException
    {
        final TimerSlots slots = new TimerSlots(2, TimerSlots.MIN_REQUEST_RING);
        final AtomicBoolean running = new AtomicBoolean(true);
        final AtomicLong falsePeeks = new AtomicLong();
        final AtomicLong peeks = new AtomicLong();
        final AtomicLong cycles = new AtomicLong();
        final CountDownLatch start = new CountDownLatch(1);

        final Thread churn = new Thread(() ->
        {
            await(start);
            long n = 0;
            while (running.get())
            {
                final int slot = slots.allocate();
                assertTrue(slot != TimerSlots.NIL, "allocate() found nothing free with one slot held at most");
                slots.free(slot);
                n++;
            }
            cycles.set(n);
        }, "free-stack-owner");
        final Thread peeker = new Thread(() ->
        {
            await(start);
            long n = 0;
            long misses = 0;
            while (running.get())
            {
                if (!slots.hasFreeSlot())
                {
                    misses++;
                }
                n++;
            }
            peeks.set(n);
            falsePeeks.set(misses);
        }, "free-stack-peeker");
        final AtomicLongArray errors = new AtomicLongArray(1);
        churn.setUncaughtExceptionHandler((t, e) -> errors.incrementAndGet(0));
        churn.start();
        peeker.start();
        start.countDown();
        final long endAt = System.nanoTime() + RUN_NS;
        while (System.nanoTime() - endAt < 0)
        {
            Thread.sleep(10); // the test's own duration only: nothing is asserted about time
        }
        running.set(false);
        churn.join();
        peeker.join();

        assertEquals(0, errors.get(0), "the owner thread failed");
        assertTrue(cycles.get() > 1_000 && peeks.get() > 1_000, "too little ran to prove anything: " + cycles.get() +
            " take/free cycles, " + peeks.get() + " peeks");
        assertEquals(0, falsePeeks.get(), "hasFreeSlot() answered false " + falsePeeks.get() + " times in " +
            peeks.get() + " peeks, while one slot at most of two was held (" + cycles.get() + " take/free cycles)");
    }

    /**
     * Two arming threads take slots from four and hand each to the owner, which frees it, as it would fire it; each
     * taker writes a timer's word into the slot it took, as {@code arm} does, so a taker that read the head before
     * another popped the same slot reads that word, not a link. Every slot must have one holder at a time (a CAS of
     * its holder flag from 0 says so) and, at the end, all four must be on the stack, each once: an ABA on the head
     * (a CAS succeeding over a link that changed) hands a slot out twice or loses one. Without the pop count in the
     * head this lost a slot within the 2 s on 2 busy cores (the takers then starve: only 669 takes).
     */
    @Test
    @Timeout(60)
    void shouldNeverHandOutASlotTwiceNorLoseOneWhenTakersRaceTheOwner() throws InterruptedException
    {
        final int capacity = 4;
        final TimerSlots slots = new TimerSlots(capacity, TimerSlots.MIN_REQUEST_RING);
        final AtomicIntegerArray holders = new AtomicIntegerArray(capacity);
        final ConcurrentLinkedQueue<Integer> toOwner = new ConcurrentLinkedQueue<>(); // lock-free: no convoys
        final AtomicBoolean running = new AtomicBoolean(true);
        final AtomicBoolean takersDone = new AtomicBoolean();
        final AtomicLong doubleHolds = new AtomicLong();
        final AtomicLong taken = new AtomicLong();
        final CountDownLatch start = new CountDownLatch(1);
        final Runnable taker = () ->
        {
            await(start);
            while (running.get())
            {
                final int slot = slots.allocate();
                if (slot == TimerSlots.NIL)
                {
                    Thread.yield(); // all four held or on their way back: the owner frees them
                    continue;
                }
                if (!holders.compareAndSet(slot, 0, 1))
                {
                    doubleHolds.incrementAndGet();
                }
                slots.setStateVolatile(slot, TimerSlots.nextGeneration(slots.state(slot)) | TimerSlots.QUEUED |
                    TimerSlots.ARMED);
                taken.incrementAndGet();
                toOwner.add(slot);
            }
        };
        final Thread owner = new Thread(() ->
        {
            await(start);
            // until the takers are gone and every slot they handed over is freed
            while (!takersDone.get() || !toOwner.isEmpty())
            {
                final Integer slot = toOwner.poll();
                if (slot == null)
                {
                    Thread.yield(); // to the takers, on a busy 2-core machine
                }
                else
                {
                    // as fire() leaves a fired timer's slot: FREE with its generation, then freed
                    holders.set(slot, 0);
                    slots.setStateRelease(slot, slots.state(slot) & TimerSlots.GENERATION_MASK | TimerSlots.FREE);
                    slots.free(slot);
                }
            }
        }, "free-stack-owner");
        final Thread first = new Thread(taker, "free-stack-taker-1");
        final Thread second = new Thread(taker, "free-stack-taker-2");
        final AtomicLong errors = new AtomicLong();
        for (final Thread thread : new Thread[]{owner, first, second})
        {
            thread.setUncaughtExceptionHandler((t, e) -> errors.incrementAndGet());
            thread.start();
        }
        start.countDown();
        // A million takes, or 20 s on a machine too busy for that: the test's own length, nothing asserted about time
        final long endAt = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (taken.get() < 1_000_000 && System.nanoTime() - endAt < 0)
        {
            Thread.sleep(10);
        }
        running.set(false);
        first.join();
        second.join();
        takersDone.set(true);
        owner.join();

        assertEquals(0, errors.get(), "a thread failed");
        assertEquals(0, doubleHolds.get(), "a slot was handed to a second taker while held, " + doubleHolds.get() +
            " times in " + taken.get() + " takes");
        final boolean[] seen = new boolean[capacity];
        for (int i = 0; i < capacity; i++)
        {
            final int slot = slots.allocate();
            assertTrue(slot != TimerSlots.NIL && !seen[slot], "the stack lost or repeated a slot: took " + slot +
                " after " + i + " of " + capacity);
            seen[slot] = true;
        }
        assertEquals(TimerSlots.NIL, slots.allocate(), "more slots free than the capacity");
        assertTrue(taken.get() > 10_000, "too little ran to prove anything: " + taken.get() + " takes");
    }

    private static void await(final CountDownLatch latch)
    {
        try
        {
            latch.await();
        }
        catch (final InterruptedException e)
        {
            throw new AssertionError(e);
        }
    }
}
