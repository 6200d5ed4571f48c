package io.escapement.engine.wheel;

import io.escapement.engine.TimerHandler;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link TimerWheel#pollEarliest}, an event-driven caller's step, on hand-made cases; the reference-model property
 * ({@link TimerWheelPropertyTest}) drives it on random ones. Most cases use a simulator's wheel (microseconds, a
 * 1 µs tick), where a level-0 bucket is fired without being read first, and a 1 ms tick in microseconds, where
 * it is scanned.
 */
class TimerWheelPollEarliestTest
{
    private final List<long[]> fired = new ArrayList<>(); // {payload, deadline, now}
    private TimerWheel wheel;
    private final TimerHandler recorder = (handle, payload, deadline) ->
        fired.add(new long[]{payload, deadline, wheel.currentTime()});

    private TimerWheel newWheel(final long tick, final boolean lazy)
    {
        wheel = TimerWheel.builder(TimeUnit.MICROSECONDS).startTime(0).tickDuration(tick).lazyRearm(lazy).build();
        return wheel;
    }

    @ParameterizedTest
    @ValueSource(longs = {1, 1_000})
    void shouldFireOneInstantPerCallWhenJumpingFromDeadlineToDeadline(final long tick)
    {
        newWheel(tick, true);
        // level 0, the same instant twice, level 1 and level 2 at either tick
        wheel.arm(5, 1);
        wheel.arm(5, 2);
        wheel.arm(7, 3);
        wheel.arm(300 * tick + 3, 4);
        wheel.arm(70_000 * tick + 11, 5);

        assertEquals(2, wheel.pollEarliest(Long.MAX_VALUE, recorder));
        assertEquals(5, wheel.currentTime());
        assertEquals(1, wheel.pollEarliest(Long.MAX_VALUE, recorder));
        assertEquals(7, wheel.currentTime());
        assertEquals(1, wheel.pollEarliest(Long.MAX_VALUE, recorder));
        assertEquals(300 * tick + 3, wheel.currentTime());
        assertEquals(1, wheel.pollEarliest(Long.MAX_VALUE, recorder));
        assertEquals(70_000 * tick + 11, wheel.currentTime());
        assertEquals(0, wheel.pollEarliest(Long.MAX_VALUE, recorder), "the wheel is empty");

        assertEquals(5, fired.size());
        for (final long[] f : fired)
        {
            assertEquals(f[1], f[2], "fired at its deadline exactly: timer " + f[0]);
        }
        assertEquals(5, fired.get(4)[0]);
    }

    @ParameterizedTest
    @ValueSource(longs = {1, 1_000})
    void shouldFireNothingAndStayWithinTheLimitWhenTheEarliestDeadlineIsAfterIt(final long tick)
    {
        newWheel(tick, true);
        wheel.arm(300 * tick + 3, 1); // level 1: earliestDeadline is its range's start, a lower bound

        assertEquals(0, wheel.pollEarliest(300 * tick + 2, recorder));
        assertTrue(fired.isEmpty());
        assertTrue(wheel.currentTime() <= 300 * tick + 2, "advanced past the limit: " + wheel.currentTime());
        assertEquals(1, wheel.timerCount());

        assertEquals(1, wheel.pollEarliest(300 * tick + 3, recorder), "due exactly at the limit");
        assertEquals(300 * tick + 3, wheel.currentTime());
    }

    @ParameterizedTest
    @ValueSource(longs = {1, 1_000})
    void shouldFireALazilyReArmedTimerAtItsNewDeadlineNotAtTheBucketItWaitsIn(final long tick)
    {
        newWheel(tick, true);
        final long handle = wheel.arm(10, 1);
        wheel.arm(40 * tick, 2);
        assertTrue(wheel.rearm(handle, 20 * tick + 1)); // lazy: stays in tick 10's bucket

        assertEquals(0, wheel.pollEarliest(20 * tick, recorder), "nothing is due by 20 ticks");
        assertTrue(fired.isEmpty());
        assertEquals(1, wheel.pollEarliest(Long.MAX_VALUE, recorder));
        assertEquals(20 * tick + 1, wheel.currentTime());
        assertEquals(20 * tick + 1, fired.get(0)[1]);
        assertEquals(1, wheel.pollEarliest(Long.MAX_VALUE, recorder));
        assertEquals(40 * tick, wheel.currentTime());
    }

    @Test
    void shouldFireWhatWasAlreadyDueWithoutMovingTime()
    {
        newWheel(1, true);
        wheel.poll(100, recorder);
        wheel.arm(40, 1); // in the past
        wheel.arm(90, 2);
        wheel.arm(150, 3);

        assertEquals(2, wheel.pollEarliest(Long.MAX_VALUE, recorder));
        assertEquals(100, wheel.currentTime());
        assertEquals(1, wheel.pollEarliest(Long.MAX_VALUE, recorder));
        assertEquals(150, wheel.currentTime());
    }

    @Test
    void shouldFireTheRestOfTheInstantAtTheNextCallWhenTheHandlerThrows()
    {
        newWheel(1, true);
        for (int i = 0; i < 4; i++)
        {
            wheel.arm(50, i);
        }
        wheel.arm(60, 9);
        final List<Long> payloads = new ArrayList<>();
        final TimerHandler throwsOnce = (handle, payload, deadline) ->
        {
            payloads.add(payload);
            if (payloads.size() == 2)
            {
                throw new IllegalStateException("injected");
            }
        };

        assertThrows(IllegalStateException.class, () -> wheel.pollEarliest(Long.MAX_VALUE, throwsOnce));
        assertEquals(50, wheel.currentTime());
        assertEquals(3, wheel.timerCount(), "the one that threw counts as fired");
        assertEquals(2, wheel.pollEarliest(Long.MAX_VALUE, throwsOnce), "the rest of the instant, not later");
        assertEquals(50, wheel.currentTime());
        assertEquals(1, wheel.pollEarliest(Long.MAX_VALUE, throwsOnce));
        assertEquals(60, wheel.currentTime());
        assertEquals(List.of(0L, 1L, 2L, 3L, 9L), payloads.stream().sorted().toList(), "each fired once");
    }

    @Test
    void shouldFireATimerArmedByACallbackForTheSameInstantAtTheNextCall()
    {
        newWheel(1, true);
        wheel.arm(50, 1);
        final TimerHandler rearmsAtNow = (handle, payload, deadline) ->
        {
            fired.add(new long[]{payload, deadline, wheel.currentTime()});
            if (payload == 1)
            {
                wheel.arm(wheel.currentTime(), 2);
            }
        };

        assertEquals(1, wheel.pollEarliest(Long.MAX_VALUE, rearmsAtNow), "one instant's timers a call");
        assertEquals(1, wheel.pollEarliest(Long.MAX_VALUE, rearmsAtNow));
        assertEquals(50, wheel.currentTime());
        assertEquals(2, fired.get(1)[0]);
    }

    @Test
    void shouldRefuseALimitBeforeTheCurrentTime()
    {
        newWheel(1, true);
        wheel.poll(100, recorder);
        final IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
            () -> wheel.pollEarliest(99, recorder));
        assertTrue(e.getMessage().contains("until=99"), e.getMessage());
    }

    @Test
    void shouldRefuseACallFromACallback()
    {
        newWheel(1, true);
        wheel.arm(5, 1);
        wheel.arm(6, 2);
        final boolean[] refused = new boolean[1];
        wheel.pollEarliest(Long.MAX_VALUE, (handle, payload, deadline) ->
            refused[0] = assertThrows(IllegalStateException.class,
                () -> wheel.pollEarliest(Long.MAX_VALUE, recorder)) != null);
        assertTrue(refused[0]);
        assertEquals(1, wheel.timerCount(), "the inner call fired nothing");
        assertFalse(fired.stream().anyMatch(f -> f[0] == 2));
    }

    @Test
    void shouldAnswerTheTickOfTheFirstBucketAsEarliestDeadlineAtOneUnitTicks()
    {
        newWheel(1, true);
        wheel.arm(7, 1);
        final long later = wheel.arm(9, 2);
        assertEquals(7, wheel.earliestDeadline(), "exact: the first bucket holds the earliest timer");
        assertTrue(wheel.rearm(later, 500)); // lazy: still in tick 9's bucket
        wheel.poll(7, recorder);
        // The bucket of tick 9 holds only the lazily re-armed timer: its tick is the answer, a lower bound ahead of
        // now, without reading the record (a scan would answer the next tick's start, 10)
        assertEquals(9, wheel.earliestDeadline());
    }

    @Test
    void shouldAnswerAheadOfNowWhenTheUnprocessedFirstTickHoldsOnlyALazilyReArmedTimer()
    {
        newWheel(1, true);
        final long h = wheel.arm(0, 1); // due now, in the first tick's bucket, which no poll has processed yet
        assertTrue(wheel.rearm(h, 500)); // lazy: stays in that bucket
        // The first tick's start is the wheel's own time: answering it would say "due now" with nothing due
        assertEquals(1, wheel.earliestDeadline(), "the bucket is scanned: its deadline 500, capped at tick 1");
        // pollEarliest moves the wheel to max(currentTime(), earliest deadline), re-filing the timer on the way
        assertEquals(1, wheel.pollEarliest(Long.MAX_VALUE, recorder));
        assertEquals(500, wheel.currentTime());
        assertEquals(1, fired.size());
        assertEquals(500, fired.get(0)[1]);
        assertEquals(0, wheel.timerCount());
    }
    @Test
    void shouldFireATimerDueAtLongMaxValueWhereTheEarliestDeadlineLoopStops()
    {
        // The loop of earliestDeadline's Javadoc: it advances through the lower bounds of the upper levels until
        // the timer's own deadline, Long.MAX_VALUE, is the answer, which is NULL_DEADLINE, and stops there
        wheel = TimerWheel.builder(TimeUnit.MICROSECONDS).startTime(2).tickDuration(1).build();
        wheel.arm(Long.MAX_VALUE, 1);
        int steps = 0;
        for (long next; (next = wheel.earliestDeadline()) != TimerWheel.NULL_DEADLINE; )
        {
            assertEquals(0, wheel.poll(Math.max(wheel.currentTime(), next), recorder));
            assertTrue(++steps < 10, "the loop made no progress");
        }
        assertEquals(1, wheel.timerCount(), "the loop stopped with the timer armed");
        assertTrue(wheel.currentTime() < Long.MAX_VALUE);

        // pollEarliest tells an armed wheel from an empty one by its timer count: the timer is due by the limit
        assertEquals(1, wheel.pollEarliest(Long.MAX_VALUE, recorder));
        assertEquals(Long.MAX_VALUE, wheel.currentTime());
        assertEquals(1, fired.size());
        assertEquals(Long.MAX_VALUE, fired.get(0)[1]);
        assertEquals(0, wheel.timerCount());
        assertEquals(0, wheel.pollEarliest(Long.MAX_VALUE, recorder), "the wheel is empty");

        // and from the start, in one call
        fired.clear();
        wheel = TimerWheel.builder(TimeUnit.MICROSECONDS).startTime(2).tickDuration(1).build();
        wheel.arm(Long.MAX_VALUE, 2);
        assertEquals(1, wheel.pollEarliest(Long.MAX_VALUE, recorder));
        assertEquals(Long.MAX_VALUE, wheel.currentTime());
        assertEquals(1, fired.size());
    }
}
