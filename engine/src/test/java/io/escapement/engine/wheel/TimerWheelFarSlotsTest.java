package io.escapement.engine.wheel;

import io.escapement.engine.TimerHandler;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Timers armed at least {@link TimerWheel#FAR_TICKS} ticks ahead (a simulator's 60 s TIME-WAIT at a 1 µs tick) take
 * their slots from pages of their own, so that the timers armed, fired and cancelled all the time keep reusing the
 * slots they free: the far ones never take those, and a far slot, freed, goes back to the far pages. The slot is a
 * handle's low 32 bits; the first page holds slots 0 to {@link TimerWheel#PAGE_SIZE} - 1.
 */
class TimerWheelFarSlotsTest
{
    private static final long FAR = TimerWheel.FAR_TICKS;

    private static TimerWheel microsecondWheel()
    {
        return TimerWheel.builder(TimeUnit.MICROSECONDS).startTime(0).tickDuration(1).build();
    }

    private static int slot(final long handle)
    {
        return (int)handle;
    }

    @Test
    void shouldKeepTheBusyTimersInTheirPageWhenFarTimersAreArmedBetweenThem()
    {
        final TimerWheel wheel = microsecondWheel();
        final List<Long> far = new ArrayList<>();
        final TimerHandler handler = (h, p, d) -> assertTrue(slot(h) < TimerWheel.PAGE_SIZE, "a busy timer fired");
        long now = 0;
        // each instant: a busy timer fires and is replaced, and a connection closes into a far TIME-WAIT; with one
        // free list the far timers would take the busy timers' freed slots, 20,000 of them, past the first page
        for (int i = 0; i < 20_000; i++)
        {
            final long busy = wheel.arm(now + 1 + i % 50, i);
            assertTrue(slot(busy) < TimerWheel.PAGE_SIZE, "busy timer " + i + " in slot " + slot(busy));
            far.add(wheel.arm(now + FAR + 1_000 + i, -i));
            now++;
            wheel.poll(now, handler);
        }
        for (final long handle : far)
        {
            assertTrue(slot(handle) >= TimerWheel.PAGE_SIZE, "a far timer in a busy page: slot " + slot(handle));
        }
    }

    @Test
    void shouldGiveAFarTimersFreedSlotBackToTheFarPages()
    {
        final TimerWheel wheel = microsecondWheel();
        final long near = wheel.arm(100, 1);
        final long far = wheel.arm(FAR + 100, 2);
        assertTrue(wheel.cancel(far));
        final long nextNear = wheel.arm(200, 3);
        assertTrue(slot(nextNear) < TimerWheel.PAGE_SIZE, "the near timer took slot " + slot(nextNear));
        final long nextFar = wheel.arm(FAR + 200, 4);
        assertEquals(slot(far), slot(nextFar), "the far slot freed is the far list's first again");
        assertFalse(wheel.isArmed(far), "the stale handle of the slot's last timer");
        assertFalse(wheel.cancel(far));
        assertTrue(wheel.isArmed(near));
        assertTrue(wheel.isArmed(nextFar));
    }

    @Test
    void shouldGiveAFiredFarTimersSlotBackToTheFarPages()
    {
        final TimerWheel wheel = microsecondWheel();
        final long far = wheel.arm(FAR + 5, 1);
        final List<Long> fired = new ArrayList<>();
        assertEquals(1, wheel.poll(FAR + 5, (h, p, d) -> fired.add(h)));
        assertEquals(List.of(far), fired);
        final long near = wheel.arm(FAR + 10, 2);
        assertTrue(slot(near) < TimerWheel.PAGE_SIZE, "the near timer took slot " + slot(near));
        assertEquals(slot(far), slot(wheel.arm(2 * FAR + 100, 3)));
    }

    /**
     * A wheel at its capacity grows by no page for its far timers while the other list has free slots: the far
     * timer borrows one (and gives it back to its own page's list when it ends), so the pages stay within the
     * capacity rounded up to a page.
     */
    @Test
    void shouldBorrowAFreeSlotRatherThanAddAPageWhenThePagesHoldTheCapacity()
    {
        final TimerWheel wheel = TimerWheel.builder(TimeUnit.MICROSECONDS).startTime(0).tickDuration(1)
            .capacity(100).build();
        final List<Long> handles = new ArrayList<>();
        for (int i = 0; i < 100; i++)
        {
            handles.add(wheel.arm(1_000 + i, i));
        }
        for (int i = 0; i < 50; i++)
        {
            assertTrue(wheel.cancel(handles.get(i)));
        }
        final List<Long> far = new ArrayList<>();
        for (int i = 0; i < 50; i++)
        {
            far.add(wheel.arm(FAR + 1_000 + i, 100 + i));
        }
        assertEquals(TimerWheel.PAGE_SIZE, wheel.allocatedCapacity(), "no page added past the capacity");
        assertEquals(100, wheel.timerCount());
        final Map<Long, Long> fired = new HashMap<>();
        wheel.poll(2 * FAR, (h, p, d) -> assertEquals(null, fired.put(p, d), "fired once"));
        assertEquals(100, fired.size());
        assertEquals(0, wheel.timerCount());
    }

    /**
     * A wheel built with room for two pages of timers, all on the near list, arms one near timer and then a far one:
     * the near list still holds more than a page of free slots, so the far timer borrows one rather than add a page.
     */
    @Test
    void shouldNotAddAPageForTheFirstFarTimerWhenTheInitialCapacityLeavesAPageOfNearSlotsFree()
    {
        final TimerWheel wheel = TimerWheel.builder(TimeUnit.MICROSECONDS).startTime(0).tickDuration(1)
            .initialCapacity(2 * TimerWheel.PAGE_SIZE).build();
        assertEquals(2 * TimerWheel.PAGE_SIZE, wheel.allocatedCapacity());
        final long near = wheel.arm(100, 1);
        final long far = wheel.arm(FAR + 100, 2);
        assertEquals(2 * TimerWheel.PAGE_SIZE, wheel.allocatedCapacity(), "a page added for the far timer");
        assertTrue(wheel.isArmed(near));
        assertTrue(wheel.isArmed(far));
        final List<Long> fired = new ArrayList<>();
        wheel.poll(FAR + 100, (h, p, d) -> fired.add(p));
        assertEquals(List.of(1L, 2L), fired);
    }

    /**
     * Phases of near timers and phases of far ones, each filling up to a random peak and then fired or cancelled
     * down to a few: a slot one kind freed serves the other, so after every arm the pages hold at most the most
     * timers held so far rounded up to a page, plus one page (the class comment's bound), where a freed slot that
     * served only its own kind let the pages grow to the near peak plus the far peak.
     */
    @Test
    void shouldKeepThePagesWithinThePeakOfTimersPlusAPageWhenNearAndFarPhasesTakeTurns()
    {
        final SplittableRandom random = new SplittableRandom(5);
        final TimerWheel wheel = microsecondWheel();
        final List<Long> handles = new ArrayList<>();
        long now = 0;
        int peak = 0;
        for (int phase = 0; phase < 12; phase++)
        {
            final boolean far = phase % 2 == 1;
            final int target = TimerWheel.PAGE_SIZE + random.nextInt(3 * TimerWheel.PAGE_SIZE);
            while (wheel.timerCount() < target)
            {
                final long deadline = now + (far ? FAR : 0) + 1 + random.nextInt(50_000);
                handles.add(wheel.arm(deadline, handles.size()));
                peak = Math.max(peak, wheel.timerCount());
                final int bound = (peak + TimerWheel.PAGE_SIZE - 1) / TimerWheel.PAGE_SIZE * TimerWheel.PAGE_SIZE +
                    TimerWheel.PAGE_SIZE;
                assertTrue(wheel.allocatedCapacity() <= bound,
                    "phase " + phase + ": " + wheel.allocatedCapacity() + " slots for a peak of " + peak);
            }
            // all but a few go: cancelled, or fired by the poll past every deadline armed so far
            for (int i = handles.size() - 1; i >= 10 && !handles.isEmpty(); i--)
            {
                wheel.cancel(handles.remove(i));
            }
            if (phase % 4 == 3)
            {
                now += 2 * FAR;
                wheel.poll(now, (h, p, d) -> { });
                handles.clear();
            }
        }
        assertTrue(peak >= 2 * TimerWheel.PAGE_SIZE, "the phases reach several pages: " + peak);
    }

    /**
     * Arms near and far (and just short of far), cancels, re-arms across the boundary and advances at random
     * against a reference model of the live timers: each fires once, at or after its deadline and within a tick of
     * it at the poll that reaches it, and no stale handle is obeyed, while slots move between the two lists.
     */
    @Test
    void shouldFireEveryTimerOnceAndRefuseStaleHandlesWhileNearAndFarSlotsAreReused()
    {
        final SplittableRandom random = new SplittableRandom(12);
        final TimerWheel wheel = TimerWheel.builder(TimeUnit.MICROSECONDS).startTime(0).tickDuration(1)
            .capacity(20_000).build();
        final Map<Long, Long> live = new HashMap<>(); // handle -> deadline
        final List<Long> dead = new ArrayList<>();
        final TreeMap<Long, Long> firedAt = new TreeMap<>();
        final long[] now = {0};
        final TimerHandler handler = (h, p, d) ->
        {
            final Long deadline = live.remove(h);
            assertTrue(deadline != null, "fired a timer not live: " + h);
            assertEquals((long)deadline, d);
            assertTrue(d <= now[0], "early");
            assertEquals(null, firedAt.put(p, d), "fired twice");
            dead.add(h);
        };
        long payload = 0;
        for (int step = 0; step < 60_000; step++)
        {
            final int op = random.nextInt(10);
            final List<Long> handles = new ArrayList<>(live.keySet());
            if (op < 4 || handles.isEmpty())
            {
                if (wheel.timerCount() < wheel.capacity())
                {
                    final long deadline = deadlineFrom(random, now[0]);
                    final long handle = wheel.arm(deadline, payload++);
                    assertFalse(live.containsKey(handle));
                    live.put(handle, deadline);
                }
            }
            else if (op < 6)
            {
                final long handle = handles.get(random.nextInt(handles.size()));
                assertTrue(wheel.cancel(handle));
                live.remove(handle);
                dead.add(handle);
            }
            else if (op < 8)
            {
                final long handle = handles.get(random.nextInt(handles.size()));
                final long deadline = deadlineFrom(random, now[0]);
                assertTrue(wheel.rearm(handle, deadline));
                live.put(handle, deadline);
            }
            else
            {
                now[0] += random.nextInt(4) == 0 ? random.nextLong(FAR) : random.nextInt(300);
                wheel.poll(now[0], handler);
                for (final Map.Entry<Long, Long> entry : live.entrySet())
                {
                    assertTrue(entry.getValue() > now[0], "a due timer left armed");
                }
            }
            if (!dead.isEmpty())
            {
                final long stale = dead.get(random.nextInt(dead.size()));
                if (!live.containsKey(stale))
                {
                    assertFalse(wheel.isArmed(stale));
                    assertFalse(wheel.cancel(stale));
                    assertFalse(wheel.rearm(stale, now[0] + 5));
                }
            }
            assertEquals(live.size(), wheel.timerCount());
        }
        assertTrue(wheel.allocatedCapacity() <= 20_000 + 2 * TimerWheel.PAGE_SIZE,
            "pages: " + wheel.allocatedCapacity());
    }

    private static long deadlineFrom(final SplittableRandom random, final long now)
    {
        return switch (random.nextInt(4))
        {
            case 0 -> now + random.nextInt(1_000);
            case 1 -> now + FAR - 50 + random.nextInt(100); // either side of the boundary
            case 2 -> now + FAR + random.nextLong(4 * FAR);
            default -> now + random.nextInt(100_000);
        };
    }
}
