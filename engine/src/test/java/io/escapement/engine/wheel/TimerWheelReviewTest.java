package io.escapement.engine.wheel;

import io.escapement.engine.TimerHandler;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * From a review of TimerWheel. The first tests pin defects the review demonstrated and that were then fixed (a
 * deadline of Long.MAX_VALUE, capacity while a callback runs, quadratic drains by small limits, sub-tick advances
 * re-filing the current tick); the tests named {@code scenario*} exercise risky paths (chunk growth, re-entrant
 * callbacks, limits, exceptions, the cascade that refills the bucket being fired).
 */
class TimerWheelReviewTest
{
    private static final long TICK = 1_000;

    // ------------------------------------------------------------------------------- defects found and fixed

    /**
     * (Fixed; as it was found.) A deadline of exactly Long.MAX_VALUE is accepted when the start time is positive. advance(Long.MAX_VALUE)
     * must fire it ("fires every timer whose deadline is at or before now"), but the level-0 path fires only up to
     * cursorStartTime - 1, and cursorStartTime saturates at Long.MAX_VALUE for the tick after the last one, so the
     * fire limit becomes Long.MAX_VALUE - 1: the timer is parked in OVERDUE and fires only at the NEXT advance.
     */
    @ParameterizedTest
    @CsvSource({"1, 1", "1, 1000", "1000000, 1024", "12345, 3"})
    void shouldFireADeadlineOfLongMaxValueWhenAdvancedToLongMaxValue(final long start, final long tick)
    {
        final TimerWheel wheel = TimerWheel.builder(TimeUnit.NANOSECONDS).startTime(start).tickDuration(tick)
            .build();
        final List<Long> fired = new ArrayList<>();
        final long handle = wheel.arm(Long.MAX_VALUE, 7);
        final long other = wheel.arm(Long.MAX_VALUE - 1, 8);
        assertTrue(wheel.isArmed(handle));

        final int count = wheel.poll(Long.MAX_VALUE, (h, p, d) -> fired.add(p));

        assertEquals(List.of(8L, 7L).size(), count,
            "advance(Long.MAX_VALUE) must fire both timers (deadlines MAX-1 and MAX); fired payloads " + fired +
                ", still scheduled: " + wheel.isArmed(handle) + "/" + wheel.isArmed(other));
    }

    /**
     * (Fixed; as it was found.) The slot of the timer whose callback is running is still held (POS = DETACHED) although the timer no longer
     * counts in timerCount(). A callback that arms a follow-up timer in a wheel at its maximum gets
     * TimerCapacityException although the wheel holds fewer than maxCapacity timers.
     */
    @Test
    void shouldLetACallbackArmATimerWhenTheWheelHoldsFewerThanMaxCapacity()
    {
        final TimerWheel wheel = TimerWheel.builder(TimeUnit.MILLISECONDS).capacity(2).initialCapacity(0)
            .build();
        wheel.arm(10, 1);
        wheel.arm(1_000, 2);
        final int[] countInCallback = {-1};
        final List<Long> followUps = new ArrayList<>();
        wheel.poll(10, (h, p, d) ->
        {
            countInCallback[0] = wheel.timerCount();
            // the wheel holds 1 timer, maxCapacity is 2: arming one more must succeed
            followUps.add(wheel.arm(20, 3));
        });
        assertEquals(1, countInCallback[0]);
        assertEquals(1, followUps.size());
    }

    /**
     * (Fixed; as it was found.) advance(now, handler, limit) is meant to bound the work of one call, and advance is documented as
     * O(timers fired + timers cascaded + levels). When due timers wait in OVERDUE, expire() detaches the whole
     * list and, once the budget is spent, re-files every remaining timer back into OVERDUE: each limited call costs
     * O(all overdue timers), so draining N overdue timers with limit L costs O(N^2 / L).
     * <p>
     * Measured deterministically: a re-filed timer changes position in the entry store, so we count the timers not
     * fired by a call whose position changed during it.
     */
    @Test
    void shouldNotReFileTheRestOfTheOverdueTimersOnEveryLimitedAdvance()
    {
        final TimerWheel wheel = TimerWheel.builder(TimeUnit.MILLISECONDS).build();
        wheel.poll(1_000, (h, p, d) -> fail("nothing armed yet"));
        final int n = 5_000;
        final long[] handles = new long[n];
        for (int i = 0; i < n; i++)
        {
            handles[i] = wheel.arm(500, i); // in the past: OVERDUE
        }
        int totalMoved = 0;
        for (int call = 0; call < 10; call++)
        {
            final Map<Long, Integer> before = positions(wheel, handles);
            assertEquals(1, wheel.poll(1_000, (h, p, d) -> { }, 1));
            int moved = 0;
            for (final Map.Entry<Long, Integer> e : before.entrySet())
            {
                if (wheel.isArmed(e.getKey()) && position(wheel, e.getKey()) != e.getValue())
                {
                    moved++;
                }
            }
            totalMoved += moved;
        }
        assertTrue(totalMoved <= 10 * 4,
            "10 calls with limit 1 should touch O(10) timers, but re-filed " + totalMoved + " timers (" +
                (n - 10) + " still overdue)");
    }

    /**
     * (Fixed; as it was found.) Timers of the current tick that are not due yet wait in OVERDUE; every advance re-files all of them (detach to
     * EXPIRING, find not due, append back to OVERDUE). A caller that advances several times within a tick (the
     * documented "exactness" use: advance exactly to each deadline) pays O(waiting timers) per call while firing
     * nothing: not O(timers fired + timers cascaded + levels).
     */
    @Test
    void shouldNotReFileTimersWaitingInTheCurrentTickOnSubTickAdvances()
    {
        final TimerWheel wheel = TimerWheel.builder(TimeUnit.MICROSECONDS).tickDuration(TICK).build();
        final int n = 5_000;
        final long[] handles = new long[n];
        for (int i = 0; i < n; i++)
        {
            handles[i] = wheel.arm(10 * TICK + 999, i); // all at the end of tick 10
        }
        wheel.poll(10 * TICK, (h, p, d) -> fail("early")); // tick 10 processed: all wait in OVERDUE
        int totalMoved = 0;
        for (int us = 1; us <= 10; us++)
        {
            final Map<Long, Integer> before = positions(wheel, handles);
            assertEquals(0, wheel.poll(10 * TICK + us, (h, p, d) -> fail("early")));
            for (final Map.Entry<Long, Integer> e : before.entrySet())
            {
                if (position(wheel, e.getKey()) != e.getValue())
                {
                    totalMoved++;
                }
            }
        }
        assertTrue(totalMoved <= 10,
            "10 advances that fire nothing and cascade nothing re-filed " + totalMoved + " timers");
        assertEquals(n, wheel.poll(10 * TICK + 999, (h, p, d) -> { }));
    }

    /**
     * Documentation discrepancy (low severity): earliestDeadline() is documented as exact "when the earliest timer
     * is overdue or is filed on level 0 (up to 256 ticks ahead) and was not lazily re-armed". A different timer
     * that was lazily re-armed and still sits in an earlier level-0 bucket makes the answer a mere lower bound
     * (the start of the tick after that bucket), although the earliest timer satisfies both conditions.
     */
    @Test
    void shouldGiveALowerBoundThatStillLeadsToTheExactDeadlineWhenALazyTimerSitsInAnEarlierBucket()
    {
        final TimerWheel wheel = TimerWheel.builder(TimeUnit.MICROSECONDS).tickDuration(TICK).build();
        final long lazy = wheel.arm(5 * TICK + 1, 1);
        wheel.rearm(lazy, 200 * TICK); // later: lazy, stays in tick 5's bucket
        final long exact = wheel.arm(50 * TICK + 3, 2); // earliest, level 0, never re-armed
        final long bound = wheel.earliestDeadline();
        assertTrue(bound > wheel.currentTime() && bound <= 50 * TICK + 3, "a lower bound ahead of now: " + bound);
        wheel.poll(bound, (h, p, d) -> fail("nothing is due at the bound"));
        assertEquals(50 * TICK + 3, wheel.earliestDeadline(), "exact once the lazy timer was re-filed");
        assertTrue(wheel.isArmed(exact));
    }

    // ------------------------------------------------------------------------------------------ passing scenarios

    /**
     * Hundreds of thousands of timers in a few buckets (multi-chunk lists, chunkLinks and entryPages grown while
     * callbacks run), callbacks cancelling, re-arming (earlier and later) and arming siblings, limits and thrown
     * exceptions; checked against a map: exactly once, never early, never after cancel, nothing lost.
     */
    @ParameterizedTest
    @ValueSource(booleans = {true, false})
    void scenarioMassiveCallbackChurnAcrossChunkAndArrayGrowth(final boolean lazy)
    {
        final TimerWheel wheel = TimerWheel.builder(TimeUnit.MICROSECONDS).tickDuration(TICK)
            .lazyRearm(lazy).initialCapacity(0).build();
        final SplittableRandom random = new SplittableRandom(42);
        final Map<Long, Long> live = new HashMap<>();
        final List<Long> liveList = new ArrayList<>();
        final long[] now = {0};
        final RuntimeException boom = new RuntimeException("boom");
        final int[] firedCount = {0};
        final java.util.Set<Long> touched = new java.util.HashSet<>();

        for (int i = 0; i < 300_000; i++)
        {
            // few distinct ticks so each bucket holds thousands of entries (many chunks), some on level 1 and 2
            final long deadline = (random.nextInt(4) == 0 ? 300 * TICK * (1 + random.nextInt(3)) : 0) +
                TICK * random.nextInt(8) + random.nextInt((int)TICK);
            final long h = wheel.arm(deadline, i);
            live.put(h, deadline);
            liveList.add(h);
        }
        final TimerHandler handler = (h, p, d) ->
        {
            final Long expected = live.remove(h);
            assertTrue(expected != null, "fired a dead timer");
            assertEquals(expected.longValue(), d);
            assertTrue(d <= now[0], "fired early");
            firedCount[0]++;
            final int action = random.nextInt(20);
            if (action == 0)
            {
                final long re = now[0] + random.nextInt(3 * (int)TICK);
                wheel.rearm(h, re); // periodic
                live.put(h, re);
                touched.add(h);
            }
            for (int k = 0; k < 2; k++)
            {
                final long victim = liveList.get(random.nextInt(liveList.size()));
                if (live.containsKey(victim) && victim != h)
                {
                    if (random.nextBoolean())
                    {
                        assertTrue(wheel.cancel(victim));
                        live.remove(victim);
                    }
                    else
                    {
                        final long re = Math.max(0, live.get(victim) + (random.nextInt(2000) - 1000) * 7L);
                        wheel.rearm(victim, re);
                        live.put(victim, re);
                        touched.add(victim);
                    }
                }
            }
            if (action == 1)
            {
                for (int k = 0; k < 3; k++)
                {
                    final long deadline = now[0] + random.nextInt(600) * (TICK / 2);
                    final long nh = wheel.arm(deadline, -1);
                    live.put(nh, deadline);
                    liveList.add(nh);
                    touched.add(nh);
                }
            }
            if (random.nextInt(5_000) == 0)
            {
                throw boom;
            }
        };
        int guard = 0;
        while (!live.isEmpty())
        {
            now[0] += random.nextInt(3) == 0 ? random.nextInt((int)TICK) : TICK * random.nextInt(40);
            final int limit = random.nextInt(4) == 0 ? 1 + random.nextInt(50_000) : Integer.MAX_VALUE;
            boolean complete;
            try
            {
                complete = wheel.poll(now[0], handler, limit) < limit;
            }
            catch (final RuntimeException e)
            {
                assertTrue(e == boom, e.toString());
                complete = false;
            }
            assertEquals(live.size(), wheel.timerCount());
            if (complete)
            {
                for (final Map.Entry<Long, Long> e : live.entrySet())
                {
                    assertTrue(e.getValue() > now[0] || touched.contains(e.getKey()),
                        "a timer due by now and armed before the advance was not fired");
                }
            }
            touched.clear();
            if (!live.isEmpty())
            {
                final long min = live.values().stream().mapToLong(Long::longValue).min().orElseThrow();
                assertTrue(wheel.earliestDeadline() <= min, "earliestDeadline must be a lower bound");
            }
            assertTrue(++guard < 100_000);
        }
        assertTrue(firedCount[0] > 100_000);
        assertEquals(0, wheel.timerCount());
        assertEquals(TimerWheel.NULL_DEADLINE, wheel.earliestDeadline());
    }

    /**
     * Firing tick T where T + 1 starts a level-1 range: moveCursor(T + 1) cascades that range, and its timers for
     * tick T + 256 land in level-0 bucket T & 255, the very bucket expire(T) is about to detach. They must be
     * re-filed, not fired, also under a limit of 1 and with a throwing callback.
     */
    @ParameterizedTest
    @ValueSource(ints = {1, 2, Integer.MAX_VALUE})
    void scenarioCascadeIntoTheLevelZeroBucketBeingFired(final int limit)
    {
        final TimerWheel wheel = TimerWheel.builder(TimeUnit.MICROSECONDS).tickDuration(TICK).build();
        final long t = 255; // t + 1 = 256 starts level-1 range 1
        final List<Long> due = new ArrayList<>();
        final List<Long> later = new ArrayList<>();
        for (int i = 0; i < 100; i++)
        {
            due.add(wheel.arm(t * TICK + i, i));
            later.add(wheel.arm((t + 256) * TICK + i, 1000 + i)); // level 1, range starting at tick 256
        }
        final List<Long> seen = new ArrayList<>();
        final long[] now = {t * TICK + 500};
        final TimerHandler handler = (h, p, d) ->
        {
            assertTrue(d <= now[0], "fired early: " + d + " > " + now[0]);
            seen.add(p);
            if (p == 50)
            {
                throw new IllegalStateException("boom");
            }
        };
        drain(wheel, now[0], handler, limit);
        assertEquals(100, seen.size());
        assertTrue(seen.stream().allMatch(p -> p < 100));
        assertTrue(later.stream().allMatch(wheel::isArmed));
        now[0] = (t + 256) * TICK + 99;
        drain(wheel, now[0], handler, limit);
        assertEquals(200, seen.size());
        assertEquals(0, wheel.timerCount());
    }

    private static void drain(final TimerWheel wheel, final long now, final TimerHandler handler, final int limit)
    {
        for (int i = 0; i < 10_000; i++)
        {
            try
            {
                if (wheel.poll(now, handler, limit) < limit)
                {
                    return;
                }
            }
            catch (final IllegalStateException expected)
            {
                // a callback threw; continue
            }
        }
        fail("did not drain");
    }

    /** Stale handles (after fire, cancel, slot reuse many times) and forged ones never touch a live timer. */
    @Test
    void scenarioStaleAndForgedHandlesNeverTouchALiveTimer()
    {
        final TimerWheel wheel = TimerWheel.builder(TimeUnit.MILLISECONDS).build();
        final List<Long> stale = new ArrayList<>();
        long current = wheel.arm(100, 0);
        for (int i = 0; i < 1000; i++)
        {
            stale.add(current);
            assertTrue(wheel.cancel(current));
            current = wheel.arm(100 + i, i);
        }
        final long live = current;
        for (final long h : stale)
        {
            assertEquals(live & 0xFFFF_FFFFL, h & 0xFFFF_FFFFL, "the slot was reused");
            assertFalse(wheel.cancel(h));
            assertFalse(wheel.rearm(h, 5), "a stale or forged handle is answered false");
            assertFalse(wheel.isArmed(h));
            assertEquals(TimerWheel.NULL_DEADLINE, wheel.deadline(h));
        }
        for (final long forged : new long[]{-1L, Long.MIN_VALUE, Long.MAX_VALUE, live + (1L << 32),
            live - (1L << 32), live & 0xFFFF_FFFFL, (live | 0x8000_0000_0000_0000L), live + 1})
        {
            assertFalse(wheel.cancel(forged));
            assertFalse(wheel.rearm(forged, 5), "a stale or forged handle is answered false");
        }
        assertTrue(wheel.isArmed(live));
        assertEquals(1099, wheel.deadline(live));
        final List<Long> fired = new ArrayList<>();
        wheel.poll(2000, (h, p, d) -> fired.add(h));
        assertEquals(List.of(live), fired);
    }

    /**
     * A callback re-arms itself, cancels the re-armed timer, and arms a new one that reuses its slot: the firing
     * timer's slot must not be freed a second time when the callback returns (which would hand it to two timers).
     */
    @Test
    void scenarioCallbackRearmsCancelsAndReusesItsOwnSlot()
    {
        final TimerWheel wheel = TimerWheel.builder(TimeUnit.MILLISECONDS).build();
        final long a = wheel.arm(10, 1);
        final long[] reused = new long[2];
        wheel.poll(10, (h, p, d) ->
        {
            assertFalse(wheel.cancel(h), "firing timer cannot be cancelled");
            wheel.rearm(h, 50);
            assertTrue(wheel.cancel(h));
            reused[0] = wheel.arm(60, 2);
            reused[1] = wheel.arm(70, 3);
        });
        assertEquals(a & 0xFFFF_FFFFL, reused[0] & 0xFFFF_FFFFL, "LIFO reuse of the slot");
        assertTrue(wheel.isArmed(reused[0]));
        assertTrue(wheel.isArmed(reused[1]));
        assertFalse(wheel.isArmed(a));
        assertEquals(2, wheel.timerCount());
        final long c = wheel.arm(80, 4);
        assertTrue((c & 0xFFFF_FFFFL) != (reused[0] & 0xFFFF_FFFFL));
        final List<Long> fired = new ArrayList<>();
        wheel.poll(100, (h, p, d) -> fired.add(p));
        assertEquals(List.of(2L, 3L, 4L), fired);
    }

    /**
     * Eager reschedule within the same bucket (the "same list" shortcut) and across levels; lazy off and on.
     */
    @ParameterizedTest
    @ValueSource(booleans = {true, false})
    void scenarioRescheduleWithinTheSameBucketKeepsOrderAndTime(final boolean lazy)
    {
        final TimerWheel wheel = TimerWheel.builder(TimeUnit.MILLISECONDS).lazyRearm(lazy).build();
        wheel.poll(100, (h, p, d) -> fail());
        final long a = wheel.arm(1_000, 1); // level 1
        final long b = wheel.arm(1_010, 2); // same level-1 bucket
        wheel.rearm(a, 1_020); // later, same bucket
        wheel.rearm(b, 1_005); // earlier, same bucket (eager shortcut)
        wheel.rearm(a, 1_003); // earlier again
        final List<long[]> fired = new ArrayList<>();
        int steps = 0;
        while (wheel.timerCount() > 0 && steps++ < 100)
        {
            final long next = Math.max(wheel.currentTime(), wheel.earliestDeadline());
            wheel.poll(next, (h, p, d) -> fired.add(new long[]{p, d, wheel.currentTime()}));
        }
        assertEquals(2, fired.size());
        assertEquals(1, fired.get(0)[0]);
        assertEquals(1_003, fired.get(0)[2], "zero lateness");
        assertEquals(2, fired.get(1)[0]);
        assertEquals(1_005, fired.get(1)[2]);
    }

    /** Negative start near Long.MIN_VALUE: past deadlines, exact firing, earliestDeadline jumps. */
    @Test
    void scenarioStartAtLongMinValue()
    {
        final TimerWheel wheel = TimerWheel.builder(TimeUnit.NANOSECONDS).startTime(Long.MIN_VALUE)
            .tickDuration(3).build();
        final long far = Long.MIN_VALUE + (1L << 60) + 1;
        wheel.arm(far, 1);
        wheel.arm(Long.MIN_VALUE + 10, 2);
        assertThrows(IllegalArgumentException.class, () -> wheel.arm(-1, 0));
        final List<Long> fired = new ArrayList<>();
        int steps = 0;
        while (wheel.timerCount() > 0 && steps++ < 20)
        {
            final long next = wheel.earliestDeadline();
            assertTrue(next > wheel.currentTime());
            wheel.poll(next, (h, p, d) -> fired.add(p));
        }
        assertEquals(List.of(2L, 1L), fired);
        assertEquals(far, wheel.currentTime());
    }

    /**
     * Near the top of the long range with a positive start (cursorStartTime saturates once the cursor passes the
     * last representable tick): random deadlines below Long.MAX_VALUE, random advances up to Long.MAX_VALUE,
     * callbacks re-arming; exactly once, never early, nothing due left behind after a complete advance.
     */
    @ParameterizedTest
    @CsvSource({"1000, true", "1024, false", "1, true", "7, false"})
    void scenarioTopOfTheRangeWithPositiveStart(final long tick, final boolean lazy)
    {
        final long start = Long.MAX_VALUE - (1L << 40);
        final TimerWheel wheel = TimerWheel.builder(TimeUnit.NANOSECONDS).startTime(start).tickDuration(tick)
            .lazyRearm(lazy).build();
        final SplittableRandom random = new SplittableRandom(tick);
        final Map<Long, Long> live = new HashMap<>();
        final long[] now = {start};
        final TimerHandler handler = (h, p, d) ->
        {
            assertEquals(live.remove(h).longValue(), d);
            assertTrue(d <= now[0], "early");
            if (random.nextInt(4) == 0)
            {
                final long re = Math.min(Long.MAX_VALUE - 1, now[0] + random.nextLong(1L << 20));
                wheel.rearm(h, re);
                live.put(h, re);
            }
        };
        for (int round = 0; round < 400; round++)
        {
            for (int i = 0; i < 20; i++)
            {
                final long span = Long.MAX_VALUE - 1 - now[0];
                final long deadline = random.nextInt(10) == 0 ? Long.MAX_VALUE - 1 - random.nextInt(5) :
                    now[0] - (1L << 10) + random.nextLong(Math.max(1, Math.min(span, 1L << (10 + random.nextInt(31)))));
                live.put(wheel.arm(deadline, i), deadline);
            }
            final long target = round == 399 ? Long.MAX_VALUE :
                Math.min(Long.MAX_VALUE, now[0] + random.nextLong(1L << (5 + random.nextInt(30))));
            now[0] = target;
            final Map<Long, Long> before = new HashMap<>(live);
            wheel.poll(target, handler);
            for (final Map.Entry<Long, Long> e : live.entrySet())
            {
                if (e.getValue() <= target && before.containsKey(e.getKey()) &&
                    before.get(e.getKey()).equals(e.getValue()))
                {
                    fail("due at " + e.getValue() + " not fired by advance(" + target + ")");
                }
            }
            assertEquals(live.size(), wheel.timerCount());
            if (!live.isEmpty())
            {
                assertTrue(wheel.earliestDeadline() <= live.values().stream().mapToLong(x -> x).min().orElseThrow());
            }
            if (now[0] == Long.MAX_VALUE)
            {
                break;
            }
        }
    }

    // ------------------------------------------------------------------------------------------ helpers

    private static Map<Long, Integer> positions(final TimerWheel wheel, final long[] handles)
    {
        final Map<Long, Integer> map = new HashMap<>();
        for (final long h : handles)
        {
            if (wheel.isArmed(h))
            {
                map.put(h, position(wheel, h));
            }
        }
        return map;
    }

    /** The timer's index in the entry store, from the package-private debugState. */
    private static int position(final TimerWheel wheel, final long handle)
    {
        final String state = wheel.debugState(handle);
        final int from = state.indexOf("pos=") + 4;
        return Integer.parseInt(state.substring(from, state.indexOf(' ', from)));
    }
}
