package io.escapement.engine.wheel;

import io.escapement.engine.TimerHandler;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static io.escapement.engine.wheel.TimerWheel.NULL_DEADLINE;
import static io.escapement.engine.wheel.TimerWheel.NULL_HANDLE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TimerWheelTest
{
    private static final int BUCKET_LAST = 255;
    private static final long TICK = 1_000; // 1 ms in microseconds: not a power of two, so ticks divide
    private final List<long[]> fired = new ArrayList<>(); // {handle, payload, deadline, now}

    private TimerWheel wheel;
    private final TimerHandler recorder = (handle, payload, deadline) ->
        fired.add(new long[]{handle, payload, deadline, wheel.currentTime()});

    /** Clock origins: negative, crossing zero, large, and close to the top of the range. */
    static Stream<Arguments> origins()
    {
        return Stream.of(
            Arguments.of(0L, true),
            Arguments.of(-5_500L, true),
            Arguments.of(Long.MIN_VALUE + 1, false),
            Arguments.of(1L << 40, true),
            Arguments.of(Long.MAX_VALUE - (1L << 50), false),
            Arguments.of(-(1L << 62), false));
    }

    private TimerWheel newWheel(final long start, final boolean lazy)
    {
        wheel = TimerWheel.builder(TimeUnit.MICROSECONDS).startTime(start).tickDuration(TICK)
            .lazyRearm(lazy).build();
        return wheel;
    }

    @ParameterizedTest
    @MethodSource("origins")
    void shouldFireExactlyAtDeadlineAndNotOneUnitBefore(final long start, final boolean lazy)
    {
        newWheel(start, lazy);
        final long deadline = start + 2 * TICK + 317;
        final long handle = wheel.arm(deadline, 42);

        assertEquals(0, wheel.poll(deadline - 1, recorder));
        assertTrue(fired.isEmpty());
        assertEquals(1, wheel.poll(deadline, recorder));
        assertEquals(1, fired.size());
        assertEquals(handle, fired.get(0)[0]);
        assertEquals(42, fired.get(0)[1]);
        assertEquals(deadline, fired.get(0)[2]);
        assertEquals(0, wheel.timerCount());
    }

    @ParameterizedTest
    @MethodSource("origins")
    void shouldNotFireBeforeDeadlineWhenAdvancedWithinItsTick(final long start, final boolean lazy)
    {
        newWheel(start, lazy);
        final long tickStart = start + 7 * TICK;
        wheel.arm(tickStart + 900, 1);
        for (long now = tickStart; now < tickStart + 900; now += 100)
        {
            wheel.poll(now, recorder);
            assertTrue(fired.isEmpty(), "fired early at " + now);
        }
        wheel.poll(tickStart + 900, recorder);
        assertEquals(1, fired.size());
    }

    @ParameterizedTest
    @MethodSource("origins")
    void shouldFireInTickOrderAcrossLevelsInOneAdvance(final long start, final boolean lazy)
    {
        newWheel(start, lazy);
        final long[] offsets = {5 * TICK, 70 * TICK, 3 * TICK, 5_000 * TICK, 300_000 * TICK, 64 * TICK, 1};
        for (final long offset : offsets)
        {
            wheel.arm(start + offset, offset);
        }
        wheel.poll(start + 1_000_000 * TICK, recorder);

        assertEquals(offsets.length, fired.size());
        for (int i = 1; i < fired.size(); i++)
        {
            assertTrue(fired.get(i - 1)[2] <= fired.get(i)[2], "out of order at " + i);
        }
    }

    @ParameterizedTest
    @MethodSource("origins")
    void shouldNeverFireACancelledTimer(final long start, final boolean lazy)
    {
        newWheel(start, lazy);
        final long keep = wheel.arm(start + 10 * TICK, 1);
        final long drop = wheel.arm(start + 10 * TICK, 2);

        assertTrue(wheel.cancel(drop));
        assertFalse(wheel.cancel(drop), "second cancel must answer false");
        wheel.poll(start + 11 * TICK, recorder);

        assertEquals(1, fired.size());
        assertEquals(keep, fired.get(0)[0]);
        assertFalse(wheel.cancel(keep), "cancel after fire must answer false");
    }

    @ParameterizedTest
    @MethodSource("origins")
    void shouldKeepHandleAndPayloadWhenRescheduledLaterOrEarlier(final long start, final boolean lazy)
    {
        newWheel(start, lazy);
        final long handle = wheel.arm(start + 200 * TICK, 9);

        wheel.rearm(handle, start + 5_000 * TICK);
        assertEquals(start + 5_000 * TICK, wheel.deadline(handle));
        wheel.poll(start + 4_999 * TICK, recorder);
        assertTrue(fired.isEmpty(), "fired at its old deadline");

        wheel.rearm(handle, start + 4_999 * TICK + 10);
        wheel.poll(start + 4_999 * TICK + 9, recorder);
        assertTrue(fired.isEmpty());
        wheel.poll(start + 4_999 * TICK + 10, recorder);
        assertEquals(1, fired.size());
        assertEquals(handle, fired.get(0)[0]);
        assertEquals(9, fired.get(0)[1]);
    }

    /**
     * A lazy wheel lets a timer re-armed earlier stay in its bucket while the bucket's range starts at or before the
     * new deadline, and moves it otherwise; either way it fires exactly at the new deadline. Each case arms a timer,
     * re-arms it later (it stays where it was filed) and then earlier: after its bucket's start (it may stay) or
     * before it (it must move), on level 0, on level 1, and on level 1 in the next rotation of the level, where
     * the bucket's index is below the cursor's digit.
     */
    @ParameterizedTest
    @ValueSource(longs = {0L, -5_500L, 1L << 40, Long.MAX_VALUE - (1L << 50)})
    void shouldFireAtTheEarlierDeadlineWhetherARearmEarlierKeepsTheTimerInItsBucketOrMovesIt(final long start)
    {
        newWheel(start, true);
        wheel.poll(start + 60_000 * TICK, recorder); // level 1's digit is now 234: bucket 17 is in its next rotation
        final long[][] cases = { // ticks from the start: armed at, re-armed later to, re-armed earlier to
            {60_100, 63_000, 60_150}, // level 0, the bucket of tick 60,100: stays
            {60_100, 63_000, 60_050}, // moves
            {61_000, 63_000, 62_000}, // level 1, the bucket of ticks 60,928-61,183: stays
            {61_000, 63_000, 60_400}, // moves
            {70_000, 75_000, 69_900}, // level 1, next rotation, the bucket of ticks 69,888-70,143: stays
            {70_000, 75_000, 69_800}, // moves
        };
        final long[] handles = new long[cases.length];
        final long[] deadlines = new long[cases.length];
        final java.util.TreeSet<Long> pollTimes = new java.util.TreeSet<>();
        for (int i = 0; i < cases.length; i++)
        {
            handles[i] = wheel.arm(start + cases[i][0] * TICK + 7, i);
            assertTrue(wheel.rearm(handles[i], start + cases[i][1] * TICK + 7));
            deadlines[i] = start + cases[i][2] * TICK + 7;
            assertTrue(wheel.rearm(handles[i], deadlines[i]));
            assertEquals(deadlines[i], wheel.deadline(handles[i]));
            pollTimes.add(deadlines[i] - 1);
            pollTimes.add(deadlines[i]);
        }
        for (long tick = 60_001; tick <= 75_001; tick++)
        {
            pollTimes.add(start + tick * TICK);
        }
        for (final long now : pollTimes)
        {
            wheel.poll(now, recorder);
        }
        assertEquals(cases.length, fired.size(), "each timer fires once");
        for (final long[] f : fired)
        {
            final int i = (int)f[1];
            assertEquals(handles[i], f[0]);
            assertEquals(deadlines[i], f[3], "case " + i + " fired at " + (f[3] - start) + ", not at its deadline " +
                (deadlines[i] - start));
        }
    }

    /**
     * A cascade re-files a level-1 or level-2 timer by the tick hint beside its slot id, not by its record: a move
     * earlier that keeps the timer in its bucket (the lazy path, or the eager one when the new deadline's bucket is
     * the same) must lower the hint, or the cascade files the timer for its old tick and it fires late.
     */
    @ParameterizedTest
    @MethodSource("origins")
    void shouldFireAtAnEarlierDeadlineInsideItsLevelOneOrTwoBucketWhenTheCascadeFilesByTickHint(final long start,
        final boolean lazyFirst)
    {
        final long[][] cases = { // ticks after the cursor: armed at, re-armed later to (0: not), re-armed earlier to
            {700, 0, 600}, // level 1, one bucket of 256 ticks
            {700, 900, 600}, // level 1, hint left at 700 by the later move, then lowered
            {70_000, 0, 66_000}, // level 2, one bucket of 65,536 ticks
            {70_000, 80_000, 66_000},
            {66_000, 0, 65_900}, // level 2, earlier within the bucket (from 65,536, or 64,536 from the later cursor)
            {66_000, 0, 64_000}, // level 2, earlier past the bucket's start: moves to level 1
        };
        for (final long cursor : new long[]{0, 131_072 + 1_000})
        {
            for (final boolean lazy : new boolean[]{lazyFirst, !lazyFirst})
            {
                newWheel(start, lazy);
                fired.clear();
                wheel.poll(start + cursor * TICK, recorder);
                final long[] handles = new long[cases.length];
                final long[] deadlines = new long[cases.length];
                for (int i = 0; i < cases.length; i++)
                {
                    handles[i] = wheel.arm(start + (cursor + cases[i][0]) * TICK + 7, i);
                    if (cases[i][1] != 0)
                    {
                        assertTrue(wheel.rearm(handles[i], start + (cursor + cases[i][1]) * TICK + 7));
                    }
                    deadlines[i] = start + (cursor + cases[i][2]) * TICK + 7;
                    assertTrue(wheel.rearm(handles[i], deadlines[i]));
                }
                for (long tick = cursor + 1; tick <= cursor + 80_001; tick++)
                {
                    wheel.poll(start + tick * TICK + 7, recorder);
                }
                assertEquals(cases.length, fired.size(), "each timer fires once");
                for (final long[] f : fired)
                {
                    final int i = (int)f[1];
                    assertEquals(handles[i], f[0]);
                    assertEquals(deadlines[i], f[3], "case " + i + " (cursor " + cursor + ", lazy " + lazy +
                        ") fired at tick " + (f[3] - start) / TICK + ", not at its deadline's " + cases[i][2]);
                }
            }
        }
    }

    /**
     * The drain of issue 18 in steady state: timers uniform over 10 s at a 1 ms tick, advanced a tick at a time,
     * each re-armed 20 s later when it fires, so the live count stays 100,000 and each level-1 range holds about
     * 2.6% of it, within the forwarding bound (an eighth of the live timers). Every timer more than 256 ticks ahead
     * cascades once, from level 1 to level 0, and its cascade reads only the bucket's chunk (slot id and tick hint)
     * and neither reads nor writes its record (the chunk is kept to forward the timer's new position). Deadlines
     * beyond level 2 (65 s and more) still read the record, and still fire on time.
     */
    @Test
    void shouldCascadeTheDrainsTimersFromTheirTickHintsAndReadEachRecordOnlyToFireIt()
    {
        wheel = TimerWheel.builder(TimeUnit.MILLISECONDS).build();
        final java.util.SplittableRandom random = new java.util.SplittableRandom(18);
        final int timers = 100_000;
        int beyondLevelZero = 0;
        for (int i = 0; i < timers; i++)
        {
            final long deadline = 1 + random.nextInt(10_000);
            beyondLevelZero += deadline >= 256 ? 1 : 0;
            wheel.arm(deadline, deadline);
        }
        wheel.arm(5L * 3_600_000, -1); // level 3: its cascades read the record
        int firedCount = 0;
        for (long now = 1; now <= 10_000; now++)
        {
            firedCount += wheel.poll(now, (handle, payload, deadline) ->
            {
                assertEquals(payload, deadline);
                assertEquals(deadline, wheel.currentTime(), "fired in its own tick");
                assertTrue(wheel.rearm(handle, deadline + 20_000)); // level 1, entered after the run's end
            });
        }
        assertEquals(timers, firedCount);
        assertEquals(timers + 1, wheel.timerCount());
        assertEquals(beyondLevelZero, wheel.cascadedFromHint(), "each timer beyond level 0 cascaded once, by its hint");
        assertEquals(0, wheel.cascadedFromRecord());
        assertEquals(0, wheel.cascadeRecordWrites(), "a level-1 cascade leaves the records alone: they forward");

        assertEquals(timers + 1, wheel.poll(5L * 3_600_000, (handle, payload, deadline) -> { }));
        assertTrue(wheel.cascadedFromRecord() >= 1, "a level-3 bucket's cascade reads the record");
    }

    /**
     * A level-1 cascade leaves each record naming its entry in the cascaded chunk, which forwards to the new
     * position: cancel, re-arm and isArmed must follow it, also from a callback of the range's last tick, which
     * runs after the cascade of the next range (the cursor moves before the tick fires), while the next range's
     * own forwarded timers are cancelled and re-armed too.
     */
    @ParameterizedTest
    @MethodSource("origins")
    void shouldCancelAndRearmTimersALevelOneCascadeForwardedWithoutTouchingTheirRecords(final long start,
        final boolean lazy)
    {
        newWheel(start, lazy);
        final int perTick = 3;
        final int ticks = 1_200;
        final long[][] handles = new long[ticks][perTick];
        for (int t = 300; t < ticks; t++) // level 1 from the cursor at 0: ranges 256-511, ..., 1024-1279
        {
            for (int k = 0; k < perTick; k++)
            {
                handles[t][k] = wheel.arm(start + t * TICK + k, t * perTick + k);
            }
        }
        final java.util.Set<Long> cancelled = new java.util.HashSet<>();
        final java.util.Map<Long, Long> moved = new java.util.HashMap<>();
        final java.util.Set<Integer> firstOfTick = new java.util.HashSet<>();
        final TimerHandler handler = (handle, payload, deadline) ->
        {
            fired.add(new long[]{handle, payload, deadline, wheel.currentTime()});
            final int t = (int)(payload / perTick);
            if ((t & BUCKET_LAST) == BUCKET_LAST && firstOfTick.add(t))
            {
                // the last tick of a range, whose first timer to fire cancels its siblings: the next range is
                // cascaded (forwarded) already
                for (int k = 0; k < perTick; k++)
                {
                    if (handles[t][k] != handle)
                    {
                        assertTrue(wheel.cancel(handles[t][k]), "cancel of a sibling in the firing tick");
                        cancelled.add(handles[t][k]);
                    }
                }
                if (t + 2 < ticks)
                {
                    assertTrue(wheel.isArmed(handles[t + 2][2]));
                    assertTrue(wheel.cancel(handles[t + 2][2]), "forwarded by the cascade of the next range");
                    cancelled.add(handles[t + 2][2]);
                }
            }
        };
        for (long tick = 1; tick < ticks + 2; tick++)
        {
            wheel.poll(start + tick * TICK + perTick, handler);
            if (tick % 256 == 0 && tick + 100 < ticks)
            {
                // just cascaded: every timer of this range is forwarded; cancel one, move one earlier and one later
                final long tick0 = tick + 50;
                assertTrue(wheel.cancel(handles[(int)tick0][0]));
                cancelled.add(handles[(int)tick0][0]);
                assertTrue(wheel.rearm(handles[(int)tick0 + 1][0], start + (tick0 - 40) * TICK));
                moved.put(handles[(int)tick0 + 1][0], start + (tick0 - 40) * TICK);
                assertTrue(wheel.rearm(handles[(int)tick0 + 2][0], start + (tick0 + 300) * TICK));
                moved.put(handles[(int)tick0 + 2][0], start + (tick0 + 300) * TICK);
            }
        }
        final java.util.Set<Long> seen = new java.util.HashSet<>();
        for (final long[] f : fired)
        {
            assertTrue(seen.add(f[0]), "fired once");
            assertFalse(cancelled.contains(f[0]), "a cancelled timer fired");
            final int t = (int)(f[1] / perTick);
            final long deadline = moved.getOrDefault(f[0], start + t * TICK + f[1] % perTick);
            assertEquals(deadline, f[2]);
            assertTrue(f[3] >= deadline && f[3] < deadline + TICK + perTick, "fired on time");
        }
        assertEquals((ticks - 300) * perTick - cancelled.size(), fired.size() + wheel.timerCount());
        for (int t = 300; t < ticks; t++)
        {
            for (int k = 0; k < perTick; k++)
            {
                final long handle = handles[t][k];
                final long deadline = moved.getOrDefault(handle, start + t * TICK + k);
                if (!cancelled.contains(handle) && deadline <= start + (ticks + 1) * TICK)
                {
                    assertTrue(seen.contains(handle), "tick " + t + " timer " + k + " never fired");
                }
                assertEquals(cancelled.contains(handle) || seen.contains(handle), !wheel.isArmed(handle));
            }
        }
    }

    @ParameterizedTest
    @ValueSource(booleans = {true, false})
    void shouldFireRepeatedlyRescheduledTimerOnlyAtItsLastDeadline(final boolean lazy)
    {
        newWheel(0, lazy);
        final long handle = wheel.arm(200 * TICK, 0);
        long deadline = 200 * TICK;
        for (long now = 0; now < 10_000 * TICK; now += TICK)
        {
            wheel.poll(now, recorder);
            deadline = now + 200 * TICK; // an RTO restarted by every ACK
            wheel.rearm(handle, deadline);
        }
        assertTrue(fired.isEmpty());
        wheel.poll(deadline, recorder);
        assertEquals(1, fired.size());
        assertEquals(deadline, fired.get(0)[2]);
    }

    @ParameterizedTest
    @ValueSource(booleans = {true, false})
    void shouldCascadeARangeBeforeFiringATimerDueAtItsFirstTick(final boolean stepByStep)
    {
        wheel = TimerWheel.builder(TimeUnit.MILLISECONDS).build();
        wheel.poll(1, recorder);
        wheel.arm(256, 1); // 254 ticks ahead: level 0, due at the first tick of the next level-1 range
        wheel.arm(258, 2); // 256 ticks ahead: level 1, in that range
        wheel.poll(100, recorder);
        wheel.arm(300, 3); // 200 ticks ahead: level 0 again, after the range's start
        if (stepByStep)
        {
            for (long now = 101; now <= 400; now++)
            {
                wheel.poll(now, recorder);
            }
        }
        else
        {
            wheel.poll(400, recorder);
        }
        assertEquals(3, fired.size());
        assertEquals(List.of(256L, 258L, 300L), fired.stream().map(f -> f[2]).toList(), "tick order");
        if (stepByStep)
        {
            assertEquals(258, fired.get(1)[3], "the level-1 timer must fire on time");
        }
    }

    @Test
    void shouldRefuseStaleHandleAfterItsSlotIsReused()
    {
        newWheel(0, true);
        final long stale = wheel.arm(10 * TICK, 1);
        assertTrue(wheel.cancel(stale));
        final long reused = wheel.arm(20 * TICK, 2);
        assertEquals((int)stale, (int)reused, "LIFO free list reuses the slot");
        assertNotEquals(stale, reused);

        assertFalse(wheel.cancel(stale));
        assertFalse(wheel.isArmed(stale));
        assertEquals(NULL_DEADLINE, wheel.deadline(stale));
        assertFalse(wheel.rearm(stale, 5 * TICK), "a stale or forged handle is answered false");
        assertThrows(IllegalArgumentException.class, () -> wheel.payload(stale));

        assertTrue(wheel.isArmed(reused));
        assertEquals(20 * TICK, wheel.deadline(reused));
        wheel.poll(20 * TICK, recorder);
        assertEquals(1, fired.size());
        assertEquals(2, fired.get(0)[1]);
    }

    @Test
    void shouldAnswerForgedHandlesWithoutTouchingAnyTimer()
    {
        newWheel(0, true);
        final long real = wheel.arm(10 * TICK, 1);
        final long[] forged = {NULL_HANDLE, -1L, Long.MIN_VALUE, Long.MAX_VALUE, real + 1, real ^ (1L << 32),
            (1L << 32) | 123_456, real & 0xFFFF_FFFFL, ((long)-(int)(real >>> 32) << 32) | (int)real};
        for (final long handle : forged)
        {
            assertFalse(wheel.cancel(handle), Long.toHexString(handle));
            assertFalse(wheel.isArmed(handle));
            assertFalse(wheel.rearm(handle, 1), "a stale or forged handle is answered false");
        }
        assertEquals(1, wheel.timerCount());
        assertTrue(wheel.isArmed(real));
    }

    @Test
    void shouldNeverReturnNullHandle()
    {
        newWheel(0, true);
        for (int i = 0; i < 100; i++)
        {
            assertNotEquals(NULL_HANDLE, wheel.arm(i, i));
        }
    }

    @Test
    void shouldLetCallbackRescheduleItsOwnTimerAsPeriodicTimer()
    {
        newWheel(0, true);
        final long handle = wheel.arm(10 * TICK, 0);
        final List<Long> times = new ArrayList<>();
        final TimerHandler periodic = (h, payload, deadline) ->
        {
            times.add(deadline);
            assertFalse(wheel.cancel(h), "a firing timer has already fired: cancel answers false");
            wheel.rearm(h, deadline + 10 * TICK);
        };
        for (long now = 0; now <= 100 * TICK; now += TICK)
        {
            wheel.poll(now, periodic);
        }
        assertEquals(10, times.size());
        assertEquals(100 * TICK, times.get(9));
        assertTrue(wheel.isArmed(handle));
        assertEquals(110 * TICK, wheel.deadline(handle));
        assertEquals(1, wheel.timerCount());
    }

    @Test
    void shouldLetCallbackCancelASiblingDueInTheSameAdvance()
    {
        newWheel(0, true);
        final long[] handles = new long[3];
        for (int i = 0; i < 3; i++)
        {
            handles[i] = wheel.arm(5 * TICK, i);
        }
        final List<Long> seen = new ArrayList<>();
        final int[] cancelled = {0};
        wheel.poll(5 * TICK, (h, payload, deadline) ->
        {
            seen.add(payload);
            for (final long other : handles)
            {
                if (other != h && wheel.cancel(other))
                {
                    cancelled[0]++;
                }
            }
        });
        assertEquals(1, seen.size(), "the first to fire cancels the other two");
        assertEquals(2, cancelled[0]);
        assertEquals(0, wheel.timerCount());
    }

    @Test
    void shouldFireTimerArmedFromCallbackForALaterTickInTheSameAdvance()
    {
        newWheel(0, true);
        wheel.arm(5 * TICK, 1);
        wheel.poll(50 * TICK, (h, payload, deadline) ->
        {
            fired.add(new long[]{h, payload, deadline});
            if (payload == 1)
            {
                wheel.arm(20 * TICK, 2);
            }
        });
        assertEquals(2, fired.size());
        assertEquals(20 * TICK, fired.get(1)[2]);
    }

    @Test
    @Timeout(5)
    void shouldDeferSelfRearmAtNowToNextAdvanceInsteadOfSpinning()
    {
        newWheel(0, true);
        wheel.arm(5 * TICK, 0);
        final TimerHandler rearmAtNow = (h, payload, deadline) -> wheel.rearm(h, wheel.currentTime());
        assertEquals(1, wheel.poll(5 * TICK, rearmAtNow));
        assertEquals(1, wheel.timerCount());
        assertEquals(5 * TICK, wheel.earliestDeadline(), "it is due now");
        assertEquals(1, wheel.poll(5 * TICK, rearmAtNow));
    }

    @ParameterizedTest
    @MethodSource("origins")
    void shouldFirePastDeadlineAtNextAdvance(final long start, final boolean lazy)
    {
        newWheel(start, lazy);
        wheel.poll(start + 100 * TICK, recorder);
        wheel.arm(start + 3 * TICK, 1);
        wheel.arm(Long.MIN_VALUE, 2);
        assertEquals(Long.MIN_VALUE, wheel.earliestDeadline());
        assertEquals(2, wheel.poll(start + 100 * TICK, recorder));
    }

    @Test
    void shouldRejectAdvancingBackwardsAndStayUsable()
    {
        newWheel(0, true);
        wheel.arm(20 * TICK, 1);
        wheel.poll(10 * TICK, recorder);
        final IllegalArgumentException e =
            assertThrows(IllegalArgumentException.class, () -> wheel.poll(10 * TICK - 1, recorder));
        assertTrue(e.getMessage().contains("backwards"), e.getMessage());
        assertEquals(1, wheel.poll(20 * TICK, recorder));
    }

    @Test
    void shouldRejectDeadlinesThatWouldOverflowTheTickRange()
    {
        newWheel(-1, true);
        final IllegalArgumentException e =
            assertThrows(IllegalArgumentException.class, () -> wheel.arm(Long.MAX_VALUE, 0));
        assertTrue(e.getMessage().contains("deadline=" + Long.MAX_VALUE), e.getMessage());
        assertEquals(0, wheel.timerCount());
        assertThrows(IllegalArgumentException.class, () -> wheel.poll(Long.MAX_VALUE, recorder));
        final long handle = wheel.arm(10, 0);
        assertThrows(IllegalArgumentException.class, () -> wheel.rearm(handle, Long.MAX_VALUE));
        assertEquals(10, wheel.deadline(handle));
    }

    /**
     * The bound of the Javadoc ({@link TimerWheel#arm}: a deadline {@code Long.MAX_VALUE} units or more after the
     * start time is refused), computed exactly with BigInteger, at its edges for start times across the long range
     * (the wheel's check is one comparison against a precomputed last time).
     */
    @ParameterizedTest
    @ValueSource(longs = {Long.MIN_VALUE, Long.MIN_VALUE + 1, -1, 0, 1, 2, 3, Long.MAX_VALUE - 1, Long.MAX_VALUE})
    void shouldRefuseExactlyTheTimesLongMaxValueOrMoreAfterTheStartWhenArmingReArmingOrPolling(final long start)
    {
        final java.math.BigInteger max = java.math.BigInteger.valueOf(Long.MAX_VALUE);
        final java.math.BigInteger origin = java.math.BigInteger.valueOf(start);
        final List<Long> times = new ArrayList<>(List.of(Long.MIN_VALUE, Long.MIN_VALUE + 1, -1L, 0L, 1L,
            Long.MAX_VALUE - 1, Long.MAX_VALUE, start));
        for (final long offset : new long[]{-1, 1, Long.MAX_VALUE - 2, Long.MAX_VALUE - 1, Long.MAX_VALUE})
        {
            final java.math.BigInteger time = origin.add(java.math.BigInteger.valueOf(offset));
            if (time.bitLength() < Long.SIZE)
            {
                times.add(time.longValueExact());
            }
        }
        for (final long time : times)
        {
            final boolean refused = java.math.BigInteger.valueOf(time).subtract(origin).compareTo(max) >= 0;
            wheel = TimerWheel.builder(TimeUnit.NANOSECONDS).tickDuration(1).startTime(start).build();
            final long live = wheel.arm(start, 7);
            final String what = "start=" + start + " time=" + time;
            if (refused)
            {
                final IllegalArgumentException e =
                    assertThrows(IllegalArgumentException.class, () -> wheel.arm(time, 0), what);
                assertTrue(e.getMessage().contains("deadline=" + time), e.getMessage());
                assertThrows(IllegalArgumentException.class, () -> wheel.rearm(live, time), what);
                assertEquals(start, wheel.deadline(live), what);
                assertThrows(IllegalArgumentException.class, () -> wheel.poll(time, recorder), what);
                assertEquals(1, wheel.timerCount(), what);
            }
            else
            {
                final long handle = wheel.arm(time, 0);
                assertEquals(time, wheel.deadline(handle), what);
                assertTrue(wheel.rearm(live, time), what);
                assertEquals(time, wheel.deadline(live), what);
            }
        }
    }

    @Test
    @Timeout(5)
    void shouldHandleDeadlinesAtTheTopOfTheRange()
    {
        wheel = TimerWheel.builder(TimeUnit.NANOSECONDS).tickDuration(1).startTime(0).build();
        final long top = wheel.arm(Long.MAX_VALUE - 1, 1);
        wheel.arm(Long.MAX_VALUE - 2, 2);
        final long near = wheel.arm(1_000, 3);
        wheel.poll(Long.MAX_VALUE - 3, recorder);
        assertEquals(1, fired.size());
        assertEquals(near, fired.get(0)[0]);
        wheel.poll(Long.MAX_VALUE - 1, recorder);
        assertEquals(3, fired.size());
        assertEquals(top, fired.get(2)[0]);
    }

    @Test
    @Timeout(5)
    void shouldAdvanceAcrossHugeSpansInTimeProportionalToTimersNotTicks()
    {
        wheel = TimerWheel.builder(TimeUnit.NANOSECONDS).tickDuration(1).build();
        final long hour = TimeUnit.HOURS.toNanos(1);
        final long century = 100 * 365 * 24 * hour;
        wheel.arm(hour, 1);
        wheel.arm(24 * hour, 2);
        wheel.arm(century, 3);
        // 3e18 one-nanosecond ticks: a wheel that walked ticks would never finish
        assertEquals(3, wheel.poll(century, recorder));
        assertEquals(List.of(1L, 2L, 3L), fired.stream().map(f -> f[1]).toList());
    }

    @ParameterizedTest
    @MethodSource("origins")
    void shouldKeepOtherDueTimersWhenACallbackThrows(final long start, final boolean lazy)
    {
        newWheel(start, lazy);
        for (int i = 0; i < 5; i++)
        {
            wheel.arm(start + (i + 1) * TICK, i);
        }
        final List<Long> seen = new ArrayList<>();
        final TimerHandler throwsOnTwo = (h, payload, deadline) ->
        {
            seen.add(payload);
            if (payload == 2)
            {
                throw new IllegalStateException("boom");
            }
        };
        assertThrows(IllegalStateException.class, () -> wheel.poll(start + 10 * TICK, throwsOnTwo));
        assertEquals(List.of(0L, 1L, 2L), seen);
        assertEquals(2, wheel.timerCount(), "the thrower counts as fired; 3 and 4 are still armed");
        assertTrue(wheel.earliestDeadline() <= wheel.currentTime(), "the rest are due now");

        assertEquals(2, wheel.poll(start + 10 * TICK, throwsOnTwo));
        assertEquals(List.of(0L, 1L, 2L, 3L, 4L), seen, "nothing lost, nothing twice");
        assertEquals(0, wheel.timerCount());
    }

    @Test
    void shouldStopAtTheLimitAndContinueAtTheNextAdvance()
    {
        newWheel(0, true);
        for (int i = 0; i < 10; i++)
        {
            wheel.arm(i * TICK + 1, i);
        }
        assertEquals(4, wheel.poll(100 * TICK, recorder, 4));
        assertEquals(6, wheel.timerCount());
        assertEquals(4, wheel.poll(100 * TICK, recorder, 4));
        assertEquals(2, wheel.poll(100 * TICK, recorder, 4));
        assertEquals(10, fired.size());
        for (int i = 0; i < 10; i++)
        {
            assertEquals(i, fired.get(i)[1], "limit must not reorder");
        }
    }

    @Test
    void shouldStopInsideABucketAtTheLimitWhenOneTickHoldsMoreTimers()
    {
        // One tick's bucket holds all ten: the limit must cut the bucket's firing itself, not only poll's loop
        // between buckets (the test above has one timer a tick).
        newWheel(0, true);
        for (int i = 0; i < 10; i++)
        {
            wheel.arm(5 * TICK + 10 * i, i);
        }
        assertEquals(4, wheel.poll(100 * TICK, recorder, 4));
        assertEquals(6, wheel.timerCount(), "six still armed after the first call");
        assertEquals(4, wheel.poll(100 * TICK, recorder, 4));
        assertEquals(2, wheel.poll(100 * TICK, recorder, 4));
        assertEquals(0, wheel.poll(100 * TICK, recorder, 4));
        assertEquals(0, wheel.timerCount());
        final boolean[] seen = new boolean[10];
        for (final long[] f : fired)
        {
            assertFalse(seen[(int)f[1]], "fired twice: " + f[1]);
            seen[(int)f[1]] = true;
            assertEquals(5 * TICK + 10 * f[1], f[2], "its own deadline");
            assertTrue(f[3] >= f[2], "never early");
        }
        assertEquals(10, fired.size(), "none lost");
    }

    @Test
    void shouldCountTimersFiredInEarlierTicksAgainstTheLimitInsideALaterBucket()
    {
        // One timer fires in an earlier tick of the same call: the crowded bucket later gets what is left of the
        // limit (3 - 1), not the whole limit again.
        newWheel(0, true);
        wheel.arm(TICK + 1, 100);
        for (int i = 0; i < 5; i++)
        {
            wheel.arm(5 * TICK + i, i);
        }
        assertEquals(3, wheel.poll(100 * TICK, recorder, 3));
        assertEquals(3, wheel.timerCount(), "three still armed after the first call");
        assertEquals(3, wheel.poll(100 * TICK, recorder, 3));
        assertEquals(0, wheel.timerCount());
        assertEquals(6, fired.size(), "none lost");
    }

    @Test
    void shouldThrowCapacityExceptionAndStayConsistent()
    {
        wheel = TimerWheel.builder(TimeUnit.MILLISECONDS).capacity(3).initialCapacity(0).build();
        final long a = wheel.arm(10, 1);
        wheel.arm(20, 2);
        wheel.arm(30, 3);
        final TimerCapacityException e = assertThrows(TimerCapacityException.class, () -> wheel.arm(40, 4));
        assertEquals(3, e.capacity());
        assertEquals(3, wheel.timerCount());

        assertTrue(wheel.cancel(a));
        wheel.arm(40, 4);
        assertEquals(3, wheel.poll(100, recorder));
    }

    @Test
    void shouldBuildAWheelSmallerThanOnePageWhenNoInitialCapacityIsSet()
    {
        wheel = TimerWheel.builder(TimeUnit.MILLISECONDS).capacity(1000).build();
        assertEquals(1000, wheel.capacity(), "capacity() is the most the wheel holds");
        for (int i = 0; i < 1000; i++)
        {
            wheel.arm(10 + i, i);
        }
        assertThrows(TimerCapacityException.class, () -> wheel.arm(5, 0));
        assertTrue(wheel.allocatedCapacity() >= 1000);
    }

    @Test
    void shouldNameTheEmptyWheelsSentinelWhenPolledToIt()
    {
        wheel = TimerWheel.builder(TimeUnit.MILLISECONDS).startTime(500).build();
        assertEquals(NULL_DEADLINE, wheel.earliestDeadline());
        final IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
            () -> wheel.poll(Math.max(wheel.currentTime(), wheel.earliestDeadline()), recorder));
        assertTrue(e.getMessage().contains("NULL_DEADLINE"), e.getMessage());
        assertEquals(500, wheel.currentTime(), "the wheel's time did not move");

        // the documented loop: stop at the sentinel
        wheel.arm(700, 1);
        wheel.arm(900, 2);
        int fired = 0;
        for (long next; (next = wheel.earliestDeadline()) != NULL_DEADLINE; )
        {
            fired += wheel.poll(Math.max(wheel.currentTime(), next), recorder);
        }
        assertEquals(2, fired);
        assertEquals(900, wheel.currentTime());
    }

    @Test
    void shouldRejectAdvanceFromInsideACallback()
    {
        newWheel(0, true);
        wheel.arm(TICK, 1);
        wheel.arm(TICK, 2);
        assertThrows(IllegalStateException.class,
            () -> wheel.poll(TICK, (h, p, d) -> wheel.poll(2 * TICK, recorder)));
        assertEquals(1, wheel.poll(TICK, recorder), "the second timer survives");
    }

    @Test
    void shouldRejectInvalidConfigurationWithTheNameAndValue()
    {
        final TimerWheel.Builder builder = TimerWheel.builder(TimeUnit.NANOSECONDS);
        assertMessage(() -> builder.tickDuration(0), "tickDuration must be at least 1");
        assertMessage(() -> builder.tickDuration(-5), "was -5");
        assertMessage(() -> builder.capacity(0), "capacity");
        assertMessage(() -> builder.initialCapacity(-1), "initialCapacity");
        assertMessage(() -> TimerWheel.builder(TimeUnit.NANOSECONDS).capacity(10).initialCapacity(100).build(),
            "exceeds capacity");
        assertThrows(NullPointerException.class, () -> TimerWheel.builder(null));
        newWheel(0, true);
        assertMessage(() -> wheel.poll(1, recorder, 0), "limit");
        assertThrows(NullPointerException.class, () -> wheel.poll(1, null));
    }

    private static void assertMessage(final Runnable action, final String expected)
    {
        final IllegalArgumentException e = assertThrows(IllegalArgumentException.class, action::run);
        assertTrue(e.getMessage().contains(expected), e.getMessage());
    }

    @Test
    void shouldDefaultToAOneMillisecondTick()
    {
        assertEquals(1_000_000, TimerWheel.builder(TimeUnit.NANOSECONDS).build().tickDuration());
        assertEquals(1, TimerWheel.builder(TimeUnit.MILLISECONDS).build().tickDuration());
        assertEquals(1, TimerWheel.builder(TimeUnit.SECONDS).build().tickDuration());
    }

    @ParameterizedTest
    @MethodSource("origins")
    void shouldReportExactEarliestDeadlineWithinTheCurrentWindow(final long start, final boolean lazy)
    {
        newWheel(start, lazy);
        assertEquals(NULL_DEADLINE, wheel.earliestDeadline());
        wheel.arm(start + 40 * TICK + 5, 1);
        wheel.arm(start + 40 * TICK + 3, 2);
        wheel.arm(start + 90_000 * TICK, 3);
        assertEquals(start + 40 * TICK + 3, wheel.earliestDeadline());
    }

    @ParameterizedTest
    @MethodSource("origins")
    void shouldReachAFarDeadlineByJumpingToEarliestDeadlineInAFewSteps(final long start, final boolean lazy)
    {
        newWheel(start, lazy);
        final long deadline = start + 123_456_789 * TICK + 77;
        wheel.arm(deadline, 1);
        int steps = 0;
        while (fired.isEmpty())
        {
            final long next = wheel.earliestDeadline();
            assertTrue(next > wheel.currentTime(), "a lower bound must lie ahead of now");
            assertTrue(next <= deadline, "must never overshoot the deadline");
            wheel.poll(next, recorder);
            steps++;
        }
        assertEquals(deadline, fired.get(0)[3], "fired with zero lateness");
        assertTrue(steps <= TimerWheel.LEVELS + 1, "steps=" + steps);
    }

    @Test
    void shouldGrowPastTheInitialCapacityWithoutLosingTimers()
    {
        wheel = TimerWheel.builder(TimeUnit.MILLISECONDS).initialCapacity(1).build();
        final int count = 5 * TimerWheel.PAGE_SIZE + 17;
        for (int i = 0; i < count; i++)
        {
            wheel.arm(i % 1000, i);
        }
        assertTrue(wheel.allocatedCapacity() >= count);
        assertEquals(count, wheel.poll(1000, recorder));
        final long sum = fired.stream().mapToLong(f -> f[1]).sum();
        assertEquals((long)count * (count - 1) / 2, sum, "every payload exactly once");
    }
}
