package io.escapement.engine.service;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The free ring of {@link TimerSlots} at its smallest, where its positions lap fastest: two slots, one of them held at
 * most at any moment, so a slot is always free and {@code hasFreeSlot()} must never answer {@code false}, nor
 * {@code allocate()} return NIL. One thread plays the owner and an arming thread at once (takes a slot and frees it
 * again, over and over); the others only peek or take and give back through it.
 * <p>
 * This is the race behind the spurious {@link TimerServiceFullException} of issue 14: a peek that read {@code taken}
 * and then the entry at that position after other threads had taken it and the owner had written it a lap later saw
 * the later lap's tag and answered "nothing free", where {@code allocate()} looks at {@code taken} again. Before the
 * fix this test saw thousands of false answers a second on 2 cores; a few seconds, no clock involved.
 */
class TimerServiceFreeRingStressTest
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
        }, "free-ring-owner");
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
        }, "free-ring-peeker");
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
