package io.escapement.engine.wheel;

import io.escapement.engine.TimerHandler;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

import static io.escapement.engine.wheel.TimerWheel.NULL_DEADLINE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The wheel under a simulator's pattern: a 1 µs tick, most instants firing one timer, level-1 cascades of a few
 * dozen timers. Two paths serve it: a level-0 bucket of one timer is fired in place (no detaching to the expiring
 * list), and a level-1 cascade of at most two chunks sets level 0's occupancy bits from its timers' hints rather
 * than by scanning the 256 buckets. The cases below hold them to the wheel's guarantees (its class Javadoc):
 * exactly once, never early, callbacks that arm into the bucket being fired, cancel their own timer, re-arm it,
 * or throw; and every bucket a cascade fills is found, for cascades on both sides of the two-chunk bound.
 */
class TimerWheelSparseTicksTest
{
    private final List<long[]> fired = new ArrayList<>(); // {payload, deadline, now}
    private TimerWheel wheel;
    private final TimerHandler recorder = (handle, payload, deadline) ->
        fired.add(new long[]{payload, deadline, wheel.currentTime()});

    private TimerWheel newWheel()
    {
        wheel = TimerWheel.builder(TimeUnit.MICROSECONDS).startTime(0).tickDuration(1).build();
        return wheel;
    }

    @Test
    void shouldFireATimerArmedByTheCallbackIntoTheSameBucketAtItsOwnTimeWhenTheBucketHeldOneTimer()
    {
        newWheel();
        wheel.arm(10, 1);
        // 256 ticks after the fired one: the same level-0 bucket, which the callback files into while it fires
        final TimerHandler armer = (handle, payload, deadline) ->
        {
            fired.add(new long[]{payload, deadline, wheel.currentTime()});
            if (payload == 1)
            {
                wheel.arm(266, 2);
                wheel.arm(10, 3); // its instant is being fired: waits for the next call
            }
        };

        assertEquals(1, wheel.poll(10, armer), "the timer armed for the running instant waits for the next call");
        assertEquals(1, wheel.poll(10, armer));
        assertEquals(3, fired.get(1)[0]);
        assertEquals(0, wheel.poll(265, armer), "never early");
        assertEquals(1, wheel.poll(266, armer));
        assertEquals(2, fired.get(2)[0]);
        assertEquals(0, wheel.timerCount());
    }

    @Test
    void shouldReFileALazilyReArmedTimerAndFireItAtItsNewDeadlineWhenItIsAloneInItsBucket()
    {
        newWheel();
        final long handle = wheel.arm(10, 1);
        assertTrue(wheel.rearm(handle, 700)); // later: stays in the bucket of tick 10
        wheel.arm(20, 2);

        assertEquals(1, wheel.poll(20, recorder), "the bucket of tick 10 fires nothing; tick 20's fires");
        assertEquals(2, fired.get(0)[0]);
        assertTrue(wheel.isArmed(handle));
        assertEquals(0, wheel.poll(699, recorder), "never early");
        assertEquals(1, wheel.pollEarliest(Long.MAX_VALUE, recorder));
        assertEquals(700, wheel.currentTime());
        assertEquals(1, fired.get(1)[0]);
        assertFalse(wheel.isArmed(handle));
    }

    @Test
    void shouldAnswerFalseToTheCallbacksCancelOfItsOwnTimerAndFreeTheSlotWhenTheBucketHeldOneTimer()
    {
        newWheel();
        final long handle = wheel.arm(10, 1);
        final boolean[] cancelled = {true};
        assertEquals(1, wheel.poll(10, (h, payload, deadline) -> cancelled[0] = wheel.cancel(h)));
        assertFalse(cancelled[0], "a fired timer cannot be cancelled");
        assertFalse(wheel.isArmed(handle));
        assertFalse(wheel.rearm(handle, 20), "stale handles are answered, never obeyed");
        assertEquals(0, wheel.timerCount());
    }

    @Test
    void shouldFireAPeriodicTimerOncePerPeriodWhenItsCallbackReArmsItAlone()
    {
        newWheel();
        wheel.arm(3, 7);
        final TimerHandler periodic = (handle, payload, deadline) ->
        {
            fired.add(new long[]{payload, deadline, wheel.currentTime()});
            assertTrue(wheel.rearm(handle, deadline + 100));
        };
        while (fired.size() < 10)
        {
            assertEquals(1, wheel.pollEarliest(Long.MAX_VALUE, periodic));
        }
        for (int i = 0; i < 10; i++)
        {
            assertEquals(3 + 100L * i, fired.get(i)[1]);
            assertEquals(fired.get(i)[1], fired.get(i)[2], "fired at its deadline exactly");
        }
        assertEquals(1, wheel.timerCount());
    }

    @Test
    void shouldFreeTheFiredSlotAndKeepItsHandleDeadWhenTheSlotIsReusedAfterALoneTimerFired()
    {
        newWheel();
        final long first = wheel.arm(10, 1);
        final long[] armed = new long[1];
        assertEquals(1, wheel.poll(10, (handle, payload, deadline) -> armed[0] = wheel.arm(50, 2)));
        assertTrue(wheel.isArmed(armed[0]), "the timer its callback armed survives the callback's end");
        final long reuse = wheel.arm(60, 3);
        assertEquals((int)first, (int)reuse, "the fired timer's slot is free again (a LIFO free list)");
        assertFalse(wheel.isArmed(first));
        assertFalse(wheel.cancel(first), "the old handle does not reach the slot's new timer");
        assertTrue(wheel.isArmed(reuse));
        assertEquals(2, wheel.timerCount());
        assertEquals(2, wheel.poll(60, recorder));
        assertEquals(2, fired.get(0)[0]);
        assertEquals(3, fired.get(1)[0]);
        assertEquals(0, wheel.timerCount());
    }

    @Test
    void shouldCountTheTimerFiredAndKeepTheNextWhenTheCallbackOfALoneTimerThrows()
    {
        newWheel();
        final long first = wheel.arm(10, 1);
        wheel.arm(11, 2);
        final TimerHandler thrower = (handle, payload, deadline) ->
        {
            fired.add(new long[]{payload, deadline, wheel.currentTime()});
            if (payload == 1)
            {
                throw new IllegalStateException("callback failed");
            }
        };
        assertThrows(IllegalStateException.class, () -> wheel.pollEarliest(Long.MAX_VALUE, thrower));
        assertFalse(wheel.isArmed(first), "counted as fired: never fired again");
        assertEquals(1, wheel.timerCount());
        assertEquals(1, wheel.pollEarliest(Long.MAX_VALUE, thrower));
        assertEquals(2, fired.size());
        assertEquals(2, fired.get(1)[0]);
        assertEquals(11, fired.get(1)[2]);
    }

    /**
     * A level-1 bucket (ticks 256 to 511, entered at 256) of {@code timers} timers with distinct random deadlines:
     * its cascade files them into level-0 buckets, which must all be found, whether the cascade set their bits
     * from the hints (up to two chunks, 128 timers) or by the scan (three and more).
     */
    @ParameterizedTest
    @ValueSource(ints = {1, 2, 63, 64, 65, 127, 128, 129, 192, 200, 256})
    void shouldFireEveryTimerOfALevelOneCascadeAtItsDeadlineWhateverItsSize(final int timers)
    {
        newWheel();
        final SplittableRandom random = new SplittableRandom(timers);
        final TreeMap<Long, Long> expected = new TreeMap<>(); // deadline -> payload, the reference model
        while (expected.size() < timers)
        {
            final long deadline = 256 + random.nextInt(256);
            if (!expected.containsKey(deadline))
            {
                expected.put(deadline, (long)expected.size());
                wheel.arm(deadline, expected.size() - 1);
            }
        }
        wheel.arm(100, -1); // a level-0 timer first, so the cascade happens after a step, as in a run

        while (wheel.pollEarliest(Long.MAX_VALUE, recorder) > 0)
        {
            // one instant a step
        }
        assertEquals(timers + 1, fired.size());
        assertEquals(-1, fired.get(0)[0]);
        int i = 1;
        for (final var entry : expected.entrySet())
        {
            final long[] f = fired.get(i++);
            assertEquals(entry.getValue(), f[0], "fired in deadline order");
            assertEquals(entry.getKey(), f[1]);
            assertEquals(f[1], f[2], "fired at its deadline exactly");
        }
    }

    /**
     * Cascades of either kind, one after the other, with timers on both sides of the bound in the same level-0
     * buckets (a bucket a hint-marked cascade fills that also holds timers armed straight into it): the bits stay
     * exact, checked against a sorted reference of every deadline.
     */
    @Test
    void shouldFireEveryTimerAtItsDeadlineAcrossCascadesOfEitherSizeAndDirectArms()
    {
        newWheel();
        final SplittableRandom random = new SplittableRandom(42);
        final TreeMap<Long, Integer> expected = new TreeMap<>(); // deadline -> timers due then
        long now = 0;
        for (int range = 1; range <= 40; range++)
        {
            final int timers = random.nextInt(4) == 0 ? 150 + random.nextInt(100) : random.nextInt(40);
            for (int t = 0; t < timers; t++)
            {
                final long deadline = now + 256 + random.nextInt(60_000);
                expected.merge(deadline, 1, Integer::sum);
                wheel.arm(deadline, deadline);
            }
            for (int t = 0; t < 5; t++)
            {
                final long deadline = now + 1 + random.nextInt(255); // straight into level 0
                expected.merge(deadline, 1, Integer::sum);
                wheel.arm(deadline, deadline);
            }
            now += 1_000;
            while (wheel.pollEarliest(now, recorder) > 0)
            {
                // one instant a step
            }
        }
        while (wheel.pollEarliest(Long.MAX_VALUE, recorder) > 0)
        {
            // drain
        }
        final TreeMap<Long, Integer> actual = new TreeMap<>();
        for (final long[] f : fired)
        {
            assertEquals(f[0], f[1], "the payload is the deadline");
            assertEquals(f[1], f[2], "fired at its deadline exactly");
            actual.merge(f[1], 1, Integer::sum);
        }
        assertEquals(expected, actual, "every timer fired once");
        for (int i = 1; i < fired.size(); i++)
        {
            assertTrue(fired.get(i - 1)[1] <= fired.get(i)[1], "in deadline order");
        }
        assertEquals(0, wheel.timerCount());
    }

    @Test
    void shouldFollowForwardingWhenALoneForwardedTimerCancelsAndReArmsItsRangeSiblingsAndItself()
    {
        newWheel();
        final long a = wheel.arm(300, 1);  // level 1, range 1: cascaded at 256 into bucket 44, forwarded
        final long b = wheel.arm(400, 2);  // same range, bucket 144
        final long c = wheel.arm(450, 3);  // same range, bucket 194
        final TimerHandler actor = (h, p, d) ->
        {
            fired.add(new long[]{p, d, wheel.currentTime()});
            if (p == 1 && fired.size() == 1)
            {
                assertTrue(wheel.forwardedEntries() > 0, "the cascade forwarded");
                assertTrue(wheel.cancel(b));
                assertTrue(wheel.rearm(c, 301));       // earlier, through the forwarding table
                assertTrue(wheel.rearm(h, 556));       // itself, one rotation later: the bucket just fired
                wheel.arm(300 + 256 + 256, 4);         // level 1 now, range 3
            }
        };
        assertEquals(1, wheel.poll(300, actor));
        assertEquals(0, wheel.poll(300, actor));
        assertEquals(1, wheel.poll(301, actor));
        assertEquals(3, fired.get(1)[0]);
        assertEquals(0, wheel.poll(555, actor), "never early");
        assertEquals(556, wheel.earliestDeadline());
        assertEquals(1, wheel.poll(556, actor));
        assertFalse(wheel.isArmed(a));
        assertEquals(1, wheel.poll(812, actor));
        assertEquals(4, fired.get(3)[0]);
        assertEquals(0, wheel.timerCount());
    }

    @Test
    void shouldFireOneLoneTimerPerCallInTickOrderWhenTheLimitIsOne()
    {
        newWheel();
        for (int t = 10; t < 20; t++)
        {
            wheel.arm(t, t);
        }
        for (int t = 10; t < 20; t++)
        {
            assertEquals(1, wheel.poll(19, recorder, 1));
            assertEquals(t, fired.get(t - 10)[0]);
        }
        assertEquals(0, wheel.poll(19, recorder, 1));
        assertEquals(0, wheel.timerCount());
    }

    @Test
    void shouldNotFireEarlyWhenALoneTimerIsReachedInsideItsTickBeforeItsDeadline()
    {
        wheel = TimerWheel.builder(TimeUnit.NANOSECONDS).startTime(0).tickDuration(3).build();
        wheel.arm(11, 1); // tick 3 = [9, 12)
        assertEquals(0, wheel.poll(10, recorder));
        assertEquals(11, wheel.earliestDeadline());
        assertEquals(1, wheel.poll(11, recorder));
        assertEquals(11, fired.get(0)[2]);
    }

    /**
     * After the lone timer of bucket 10 fired, the next timer lies on level 1 (range 2, ticks 512..767):
     * earliestDeadline is documented as that range's start. A bit left set for the emptied bucket answers 266.
     */
    @Test
    void shouldAnswerTheLevelOneRangeStartWhenTheLoneTimersBucketWasEmptied()
    {
        newWheel();
        wheel.arm(10, 1);
        wheel.arm(600, 2);
        assertEquals(1, wheel.poll(10, recorder));
        assertEquals(512, wheel.earliestDeadline());
    }

    /** Bucket 0 of a range holds a lone timer that a hint-marked cascade filed while the old tick 255 fired. */
    @Test
    void shouldFireTheCascadedTimerOfTheFiringBucketsNextRotation()
    {
        newWheel();
        wheel.arm(255, 1);
        wheel.arm(256 + 255, 2); // level 1: cascaded at 256, before tick 255's bucket (the same bucket) fires
        assertEquals(1, wheel.poll(255, recorder));
        assertEquals(511, wheel.earliestDeadline());
        assertEquals(0, wheel.poll(510, recorder));
        assertEquals(1, wheel.poll(511, recorder));
        assertEquals(511, fired.get(1)[2]);
    }

    /** 65 timers of one tick: the front chunk holds one entry, a full chunk behind it. */
    @Test
    void shouldFireEveryTimerOfABucketWhoseFrontChunkHoldsOneEntry()
    {
        newWheel();
        for (int i = 0; i < 65; i++)
        {
            wheel.arm(10, i);
        }
        assertEquals(65, wheel.poll(10, recorder));
        assertEquals(0, wheel.timerCount());
    }

    /**
     * The search for the next bucket looks first in the cursor's own occupancy word, at and after its digit. Bucket
     * 5 lies in that word before the digit: its timer (tick 261) waits for level 0's next rotation, after bucket
     * 40's and before level 1's. Unmasked, the word's lowest bit would answer tick 5, behind the wheel's time.
     */
    @Test
    void shouldFindTheBucketAfterTheCursorsDigitWhenAnEarlierBucketOfItsWordWaitsForTheNextRotation()
    {
        newWheel();
        assertEquals(0, wheel.poll(10, recorder)); // the cursor at tick 11, digit 11
        wheel.arm(40, 1);
        wheel.arm(261, 2); // 250 ticks ahead: level 0, bucket 5, the next rotation
        wheel.arm(600, 3); // 589 ticks ahead: level 1, range 2 (from tick 512)
        assertEquals(40, wheel.earliestDeadline());
        assertEquals(1, wheel.pollEarliest(Long.MAX_VALUE, recorder));
        assertEquals(261, wheel.earliestDeadline(), "bucket 5's timer, in the next rotation");
        assertEquals(1, wheel.pollEarliest(Long.MAX_VALUE, recorder));
        assertEquals(1, wheel.pollEarliest(Long.MAX_VALUE, recorder));
        assertEquals(List.of(1L, 2L, 3L), fired.stream().map(f -> f[0]).toList());
        for (final long[] f : fired)
        {
            assertEquals(f[1], f[2], "fired at its deadline exactly");
        }
    }

    /**
     * Buckets in the cursor's word and in the words after it, fired one instant a step: each step's search starts
     * from a new digit, inside a word, at its last bit, and at a word's first bit.
     */
    @Test
    void shouldFireLoneTimersAcrossTheOccupancyWordsInTickOrder()
    {
        newWheel();
        final long[] deadlines = {1, 62, 63, 64, 65, 127, 128, 200, 255, 256, 257, 319, 320, 500, 511, 512};
        for (final long deadline : deadlines)
        {
            wheel.arm(deadline, deadline);
        }
        for (int i = 0; i < deadlines.length; i++)
        {
            // earliestDeadline first: it searches as pollEarliest does, and a wrong answer fails here, where a
            // search that answered a bucket behind the cursor would keep pollEarliest looking for ever
            assertEquals(deadlines[i], wheel.earliestDeadline());
            assertEquals(1, wheel.pollEarliest(Long.MAX_VALUE, recorder));
            assertEquals(deadlines[i], fired.get(i)[0]);
            assertEquals(deadlines[i], fired.get(i)[2], "fired at its deadline exactly");
        }
        assertEquals(NULL_DEADLINE, wheel.earliestDeadline());
        assertEquals(0, wheel.timerCount());
    }

    /**
     * A level-1 range's forwarding tables are released once the cursor has left the range, also when the step that
     * leaves it fires a lone level-0 timer of a later range (the range's last tick held no timer): here 520, armed
     * from the callback at 400, steps past range 1 (ticks 256 to 511).
     */
    @Test
    void shouldReleaseARangesForwardingTablesWhenALoneTimerOfALaterRangeFires()
    {
        newWheel();
        wheel.arm(300, 1); // level 1, range 1: cascaded at 256, forwarded
        wheel.arm(400, 2);
        final TimerHandler armer = (handle, payload, deadline) ->
        {
            fired.add(new long[]{payload, deadline, wheel.currentTime()});
            if (payload == 2)
            {
                wheel.arm(520, 3); // 119 ticks ahead: level 0, bucket 8 of the next rotation
            }
        };
        assertEquals(1, wheel.pollEarliest(Long.MAX_VALUE, armer));
        assertEquals(2, wheel.forwardedEntries(), "range 1's cascade forwarded both timers");
        assertEquals(1, wheel.pollEarliest(Long.MAX_VALUE, armer));
        assertEquals(2, wheel.forwardedEntries(), "range 1 not yet left");
        assertEquals(1, wheel.pollEarliest(Long.MAX_VALUE, armer));
        assertEquals(520, fired.get(2)[2]);
        assertEquals(0, wheel.forwardedEntries(), "range 1 left: its tables released");
    }

    /**
     * Two ranges' tables live at once (range 2 cascades while range 1's last tick, 511, fires): releasing range 1's
     * keeps range 2's, which are released in turn once a lone timer of range 3 fires.
     */
    @Test
    void shouldReleaseTheLaterRangesForwardingTablesAfterTheEarlierRangesWereReleased()
    {
        newWheel();
        wheel.arm(300, 1); // range 1
        wheel.arm(511, 2); // range 1's last tick
        wheel.arm(600, 3); // range 2
        wheel.arm(700, 4);
        final TimerHandler armer = (handle, payload, deadline) ->
        {
            fired.add(new long[]{payload, deadline, wheel.currentTime()});
            if (payload == 4)
            {
                wheel.arm(800, 5); // 100 ticks ahead: level 0, in range 3
            }
        };
        assertEquals(1, wheel.pollEarliest(Long.MAX_VALUE, armer));
        assertEquals(2, wheel.forwardedEntries());
        assertEquals(1, wheel.pollEarliest(Long.MAX_VALUE, armer)); // 511: range 2 cascades first, then range 1 ends
        assertEquals(511, fired.get(1)[2]);
        assertEquals(2, wheel.forwardedEntries(), "range 1's released, range 2's kept");
        assertEquals(1, wheel.pollEarliest(Long.MAX_VALUE, armer));
        assertEquals(1, wheel.pollEarliest(Long.MAX_VALUE, armer));
        assertEquals(2, wheel.forwardedEntries(), "range 2 not yet left");
        assertEquals(1, wheel.pollEarliest(Long.MAX_VALUE, armer));
        assertEquals(800, fired.get(4)[2]);
        assertEquals(0, wheel.forwardedEntries(), "range 2 left: its tables released");
        assertEquals(0, wheel.timerCount());
    }
}
