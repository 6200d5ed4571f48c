package io.escapement.engine.wheel;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The caller-facing path of the wheel as it was reshaped for the JIT (session 9): the bucket of a tick computed
 * without a loop, every slot taken from the free list (fresh pages linked into it), re-arm split into a hot lazy path
 * and out-of-line moves. Each is checked against a plain reference: the loop the closed form replaced, the
 * sequence of slots a wheel hands out, the contract of stale handles.
 */
class TimerWheelApiPathTest
{
    /** The loop the closed form replaced: shift tick and cursor until their ranges are fewer than 256 apart. */
    private static int listForTickByLoop(final long tick, final long cursor)
    {
        long t = tick;
        long c = cursor;
        int level = 0;
        while (t - c >= TimerWheel.BUCKETS_PER_LEVEL)
        {
            t >>>= TimerWheel.BITS_PER_LEVEL;
            c >>>= TimerWheel.BITS_PER_LEVEL;
            level++;
        }
        return (level << TimerWheel.BITS_PER_LEVEL) | (int)(t & TimerWheel.BUCKET_MASK);
    }

    @Test
    void shouldFileEveryTickInTheBucketTheLevelLoopNamesWhenTheDistanceIsAtALevelBoundary()
    {
        final long[] cursors = {0, 1, 255, 256, 257, 65_535, 65_536, 0xFF_FFFF, 0x100_0000, 0x7FFF_FFFF_FFFF_FF00L,
            Long.MAX_VALUE - 1, Long.MAX_VALUE};
        for (final long cursor : cursors)
        {
            for (int level = 0; level < TimerWheel.LEVELS; level++)
            {
                final long span = 1L << (level * TimerWheel.BITS_PER_LEVEL);
                // distances around each power of 256 and around the cursor's next range boundaries
                final long[] distances = {0, 1, span - 1, span, span + 1, 255 * span - 1, 255 * span,
                    255 * span + 1, 256 * span - 1, 256 * span, 256 * span + 1};
                for (final long distance : distances)
                {
                    final long tick = cursor + distance;
                    if (distance < 0 || tick < cursor)
                    {
                        continue; // past Long.MAX_VALUE: no such tick
                    }
                    assertEquals(listForTickByLoop(tick, cursor), TimerWheel.listForTick(tick, cursor),
                        "tick " + tick + ", cursor " + cursor);
                }
                final long rangeStart = ((cursor >>> (level * 8)) + 1) << (level * 8);
                for (long tick = rangeStart - 2; tick <= rangeStart + 2; tick++)
                {
                    if (tick >= cursor)
                    {
                        assertEquals(listForTickByLoop(tick, cursor), TimerWheel.listForTick(tick, cursor),
                            "tick " + tick + ", cursor " + cursor);
                    }
                }
            }
        }
    }

    @Test
    void shouldFileRandomTicksInTheBucketTheLevelLoopNames()
    {
        final long seed = System.nanoTime();
        final SplittableRandom random = new SplittableRandom(seed);
        for (int i = 0; i < 2_000_000; i++)
        {
            // cursors and distances of every magnitude: a random bit length, then random bits
            final long cursor = random.nextLong() >>> random.nextInt(1, 64);
            final long distance = random.nextLong() >>> random.nextInt(1, 64);
            final long tick = cursor + distance;
            if (tick < 0)
            {
                continue;
            }
            assertEquals(listForTickByLoop(tick, cursor), TimerWheel.listForTick(tick, cursor),
                "seed " + seed + ": tick " + tick + ", cursor " + cursor);
        }
    }

    @Test
    void shouldHandOutFreshSlotsInOrderAcrossPagesWhenArmingAWheelBuiltForSeveralPages()
    {
        final int capacity = 3 * TimerWheel.PAGE_SIZE + 5;
        final TimerWheel wheel = TimerWheel.builder(TimeUnit.MILLISECONDS).initialCapacity(2 * TimerWheel.PAGE_SIZE)
            .capacity(capacity).build();
        for (int i = 0; i < capacity; i++)
        {
            final long handle = wheel.arm(1_000 + i, i);
            assertEquals(i, (int)handle, "slot of the timer armed " + i + "th");
            assertEquals(1, (int)(handle >>> 32), "a fresh slot's generation");
        }
        assertEquals(4 * TimerWheel.PAGE_SIZE, wheel.allocatedCapacity(), "grown a page at a time, as needed");
        assertThrows(TimerCapacityException.class, () -> wheel.arm(5, 5));
    }

    @Test
    void shouldReuseTheLastFreedSlotWithTheNextGenerationWhenArmingAfterACancel()
    {
        final TimerWheel wheel = TimerWheel.builder(TimeUnit.MILLISECONDS).build();
        final long first = wheel.arm(500, 1);
        final long second = wheel.arm(600, 2);
        assertTrue(wheel.cancel(first));
        final long third = wheel.arm(700, 3);
        assertEquals((int)first, (int)third, "LIFO: the slot just freed");
        assertEquals(2, (int)(third >>> 32));
        assertFalse(wheel.cancel(first), "a stale handle never cancels the timer now in its slot");
        assertFalse(wheel.rearm(first, 50), "nor re-arms it");
        assertFalse(wheel.isArmed(first));
        assertTrue(wheel.isArmed(third));
        assertEquals(700, wheel.deadline(third));
        assertEquals(3, wheel.payload(third));
        final long fourth = wheel.arm(800, 4);
        assertEquals((int)second + 1, (int)fourth, "then the fresh slots, in order");
    }

    @Test
    void shouldAnswerFalseForHandlesOfSlotsAllocatedButNeverArmed()
    {
        final TimerWheel wheel = TimerWheel.builder(TimeUnit.MILLISECONDS).build();
        wheel.arm(100, 1);
        for (int slot = 1; slot < TimerWheel.PAGE_SIZE + 3; slot += 97)
        {
            for (final int gen : new int[] {0, 1, 2, Integer.MAX_VALUE})
            {
                final long handle = ((long)gen << 32) | slot;
                assertFalse(wheel.isArmed(handle), "slot " + slot + " gen " + gen);
                assertFalse(wheel.cancel(handle), "slot " + slot + " gen " + gen);
                assertFalse(wheel.rearm(handle, 5), "slot " + slot + " gen " + gen);
                assertEquals(TimerWheel.NULL_DEADLINE, wheel.deadline(handle));
            }
        }
        assertEquals(1, wheel.timerCount());
    }

    @Test
    void shouldRefuseArmWithTheCallersSlotsMessageWhenTheWheelIsBuiltForCallerSlots()
    {
        final TimerWheel wheel = TimerWheel.builder(TimeUnit.MILLISECONDS).callerAssignedSlots(true).capacity(10)
            .build();
        final IllegalStateException refused = assertThrows(IllegalStateException.class, () -> wheel.arm(5, 5));
        assertTrue(refused.getMessage().contains("armSlot"), refused.getMessage());
    }

    /**
     * A deadline before the start time has a negative distance from it, which a shift by a power-of-two tick turns
     * into a huge tick: arm must file it in OVERDUE by the deadline, not by that tick (where it would wait for ever).
     */
    @Test
    void shouldFireTimersArmedBeforeTheStartTimeAtTheNextPollWhenTheTickIsAPowerOfTwo()
    {
        for (final long tick : new long[] {1, 2, 1024, 1L << 20})
        {
            final long start = 1_000_000_000L;
            final TimerWheel wheel = TimerWheel.builder(TimeUnit.NANOSECONDS).startTime(start).tickDuration(tick)
                .build();
            final List<Long> fired = new ArrayList<>();
            // Long.MIN_VALUE - start wraps to the tick of the last representable deadlines: a timer there first, so
            // that the list that tick names has a chunk (arm's fast path) when the past deadline is armed.
            wheel.arm(Long.MAX_VALUE - 1, 5);
            wheel.arm(start - 5, 1);
            wheel.arm(Long.MIN_VALUE, 2);
            wheel.arm(-1, 3);
            wheel.arm(start + 3 * tick, 4);
            assertEquals(3, wheel.poll(start, (h, p, d) -> fired.add(p)), "tick " + tick + ": fired " + fired);
            assertEquals(List.of(1L, 2L, 3L), fired.stream().sorted().toList(), "tick " + tick);
            assertEquals(2, wheel.timerCount());
        }
    }

    @Test
    void shouldFireAReArmedTimerFromItsOwnCallbackAgainWhenReArmedThere()
    {
        final TimerWheel wheel = TimerWheel.builder(TimeUnit.MILLISECONDS).build();
        final List<Long> fired = new ArrayList<>();
        final long handle = wheel.arm(10, 7);
        wheel.poll(10, (h, p, d) ->
        {
            fired.add(d);
            assertTrue(wheel.rearm(h, 300)); // from its own callback: the detached path
        });
        assertEquals(List.of(10L), fired);
        assertTrue(wheel.isArmed(handle));
        assertEquals(1, wheel.timerCount());
        wheel.poll(299, (h, p, d) -> fired.add(d));
        assertEquals(List.of(10L), fired, "never early");
        wheel.poll(300, (h, p, d) -> fired.add(d));
        assertEquals(List.of(10L, 300L), fired);
        assertFalse(wheel.isArmed(handle));
    }
}
