package io.escapement.engine.wheel;

import io.escapement.engine.TimerHandler;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The forwarding tables a level-1 cascade keeps (the cascaded chunk, each entry the timer's new position, followed
 * by cancel and re-arm): bounded to an eighth of the slots in use, released once their range has fired, and never
 * followed by a handle that is stale. Expected outcomes come from a model of what was armed, cancelled and moved.
 */
class TimerWheelForwardingTest
{
    private final TimerWheel wheel = TimerWheel.builder(TimeUnit.MILLISECONDS).build();
    private final Map<Long, Long> expected = new HashMap<>(); // handle -> deadline, for the timers still armed
    private final Set<Long> firedHandles = new HashSet<>();

    /** Records a firing and checks it against the model: armed, not cancelled, at its deadline's time, once. */
    private void fired(final long handle, final long deadline)
    {
        final Long model = expected.remove(handle);
        assertTrue(model != null, "fired a timer that was not armed (cancelled, or fired already): " + handle);
        assertEquals(model, deadline);
        assertTrue(wheel.currentTime() >= deadline, "fired early");
        assertTrue(firedHandles.add(handle));
    }

    /**
     * Arms {@code count} timers 10 hours ahead, out of the model, which never fire in these tests: the live count
     * they add lets the tests' few level-1 timers be forwarded (the tables hold at most an eighth of the slots in
     * use).
     */
    private void background(final int count)
    {
        for (int i = 0; i < count; i++)
        {
            wheel.arm(36_000_000L + i, -1);
        }
    }

    private long arm(final long deadline)
    {
        final long handle = wheel.arm(deadline, deadline);
        expected.put(handle, deadline);
        return handle;
    }

    private void cancel(final long handle)
    {
        assertTrue(wheel.cancel(handle), "cancel of an armed timer");
        expected.remove(handle);
    }

    private void rearm(final long handle, final long deadline)
    {
        assertTrue(wheel.rearm(handle, deadline), "re-arm of an armed timer");
        expected.put(handle, deadline);
    }

    /**
     * 20,000 periodic timers of 300 ticks, re-armed from their callback: each level-1 range cascades 85% of them,
     * far past the bound, so a cascade forwards an eighth and writes the rest's positions. The bound is exact:
     * after every tick the forwarding tables hold at most an eighth of the slots the wheel allocated (here three
     * record pages for the 20,000 live timers).
     */
    @Test
    void shouldHoldAtMostAnEighthOfTheLiveTimersInForwardingTablesWhenEveryRangeCascadesMostOfThem()
    {
        final int timers = 20_000;
        for (int i = 0; i < timers; i++)
        {
            arm(1 + i % 300);
        }
        final TimerHandler periodic = (handle, payload, deadline) ->
        {
            fired(handle, deadline);
            firedHandles.remove(handle);
            rearm(handle, deadline + 300);
        };
        int mostForwarded = 0;
        for (long now = 1; now <= 3_000; now++)
        {
            wheel.poll(now, periodic);
            assertEquals(timers, wheel.timerCount());
            assertTrue(wheel.forwardedEntries() <= wheel.forwardSlots() >>> TimerWheel.FORWARD_SHIFT,
                "forwarded " + wheel.forwardedEntries() + " at " + now);
            mostForwarded = Math.max(mostForwarded, wheel.forwardedEntries());
        }
        assertTrue(wheel.forwardSlots() < 2 * timers, "the bound stays near the live timers: " + wheel.forwardSlots());
        assertTrue(mostForwarded > timers / 16, "the cascades still forward up to the bound: " + mostForwarded);
        assertTrue(wheel.cascadeRecordWrites() > 0, "past the bound, positions are written");
        assertEquals(timers, expected.size());
    }

    /**
     * A drain (TIME-WAIT after a burst of closes): 100,000 timers spread over 10 s, the live count falling to 0.
     * The tables are bounded by the slots in use, which a drain does not lower, so every level-1 cascade forwards
     * and none writes a record, also at the end, where the tables hold more than an eighth of the timers still
     * live (a bound of an eighth of the live timers wrote a record per timer there). Callbacks cancel and re-arm
     * timers of the ranges ahead through the tables; the model checks every firing: exactly once, at its deadline.
     */
    @Test
    void shouldForwardEveryCascadeOfADrainWhileItsLiveTimersFall()
    {
        final int timers = 100_000;
        final SplittableRandom random = new SplittableRandom(11);
        final List<Long> handles = new ArrayList<>();
        for (int i = 0; i < timers; i++)
        {
            handles.add(arm(1 + random.nextInt(10_000)));
        }
        final int[] calls = {0};
        final TimerHandler handler = (handle, payload, deadline) ->
        {
            fired(handle, deadline);
            assertEquals(deadline, wheel.currentTime(), "polled every tick: fired at its deadline");
            if (++calls[0] % 16 == 0)
            {
                final long other = handles.get(random.nextInt(timers));
                final Long otherDeadline = expected.get(other);
                if (otherDeadline != null && otherDeadline > deadline + 1)
                {
                    if (calls[0] % 32 == 0)
                    {
                        cancel(other);
                    }
                    else
                    {
                        // earlier (not before the next tick) or later: eager and lazy moves of forwarded timers
                        rearm(other, Math.max(deadline + 1, otherDeadline + random.nextInt(-300, 300)));
                    }
                }
            }
        };
        boolean pastLiveEighth = false;
        for (long now = 1; now <= 10_600; now++) // past the last range (10,240-10,495) that may keep tables
        {
            wheel.poll(now, handler);
            assertTrue(wheel.forwardedEntries() <= wheel.forwardSlots() >>> TimerWheel.FORWARD_SHIFT,
                "forwarded " + wheel.forwardedEntries() + " at " + now);
            pastLiveEighth |= wheel.forwardedEntries() > wheel.timerCount() >>> TimerWheel.FORWARD_SHIFT;
        }
        assertTrue(expected.isEmpty(), "never fired: " + expected.size());
        assertEquals(0, wheel.timerCount());
        assertTrue(pastLiveEighth, "late in the drain the tables hold more than an eighth of the live timers");
        assertEquals(0, wheel.cascadeRecordWrites(), "every cascade forwarded");
        assertEquals(0, wheel.forwardedEntries());
    }

    /**
     * One poll jumps across several level-1 ranges, each cascaded (forwarded) as the cursor enters it, while a
     * callback cancels and re-arms timers of the ranges ahead, which a cascade of this same poll forwarded; the
     * tables of the ranges passed are released by the time the poll returns.
     */
    @Test
    void shouldFollowAndReleaseForwardingTablesWhenOnePollJumpsSeveralLevelOneRanges()
    {
        background(40_000);
        final List<Long> handles = new ArrayList<>();
        for (long tick = 300; tick < 1_500; tick++)
        {
            for (int k = 0; k < 3; k++)
            {
                handles.add(arm(tick));
            }
        }
        for (long now = 1; now <= 260; now++) // range 1 (256-511) cascaded and forwarded
        {
            wheel.poll(now, (handle, payload, deadline) -> fired(handle, deadline));
        }
        assertTrue(wheel.forwardedEntries() > 0);
        rearm(handles.get(3 * 100), 1_450); // forwarded, moved later: to range 5
        rearm(handles.get(3 * 150), 270); // forwarded, moved earlier
        cancel(handles.get(3 * 150 + 1));

        final int[] calls = {0};
        wheel.poll(1_400, (handle, payload, deadline) ->
        {
            fired(handle, deadline);
            // every 7th call reaches 200 to 230 ticks ahead: the next range, cascaded and forwarded by now or later
            if (++calls[0] % 7 == 0)
            {
                final int index = (int)Math.min(handles.size() - 3, 3 * (deadline - 300 + 200 + calls[0] % 30));
                for (int k = 0; k < 3; k++)
                {
                    final long other = handles.get(index + k);
                    if (expected.containsKey(other))
                    {
                        if (k == 0)
                        {
                            cancel(other);
                        }
                        else
                        {
                            rearm(other, expected.get(other) + (k == 1 ? -150 : 400));
                        }
                    }
                    else
                    {
                        assertFalse(wheel.cancel(other), "a fired or cancelled timer is not cancelled again");
                    }
                }
            }
        });
        assertEquals(wheel.timerCount(), expected.size() + 40_000);
        wheel.poll(1_536, (handle, payload, deadline) -> fired(handle, deadline)); // the cursor leaves range 5
        // only range 6 (1536-1791), just entered, may keep tables: of the timers still armed, none earlier
        final long ahead = expected.values().stream().filter(deadline -> deadline >= 1_536).count();
        assertTrue(wheel.forwardedEntries() <= ahead, "the tables of every range passed are released: " +
            wheel.forwardedEntries() + " entries for " + ahead + " timers ahead");
        wheel.poll(100_000, (handle, payload, deadline) -> fired(handle, deadline));
        assertEquals(0, wheel.forwardedEntries());
        assertTrue(expected.isEmpty(), "never fired: " + expected);
        for (final long handle : handles)
        {
            assertFalse(wheel.isArmed(handle));
        }
    }

    /**
     * A forwarded timer is cancelled and its slot reused by a new timer: the old handle is stale and answered
     * {@code false} by cancel and re-arm, which must not follow the old record's position through the kept table
     * to the new timer (or to whatever entry now sits there).
     */
    @Test
    void shouldAnswerAStaleHandleFalseWhenTheSlotOfAForwardedTimerIsReused()
    {
        background(100);
        final long sibling = arm(601);
        final long forwarded = arm(600); // level 1, range 2 (512-767)
        for (long now = 1; now <= 512; now++)
        {
            wheel.poll(now, (handle, payload, deadline) -> fired(handle, deadline));
        }
        assertEquals(2, wheel.forwardedEntries(), "range 2 cascaded into forwarding tables");
        cancel(forwarded);
        final long reused = arm(700);
        assertEquals((int)forwarded, (int)reused, "LIFO: the cancelled slot is reused");
        assertFalse(wheel.cancel(forwarded));
        assertFalse(wheel.rearm(forwarded, 650));
        assertFalse(wheel.isArmed(forwarded));
        assertTrue(wheel.isArmed(reused));
        assertTrue(wheel.isArmed(sibling));
        wheel.poll(1_000, (handle, payload, deadline) -> fired(handle, deadline));
        assertTrue(expected.isEmpty(), "never fired: " + expected);
        assertTrue(firedHandles.contains(reused) && firedHandles.contains(sibling));
    }

    /**
     * The last tick of a range (511) fires after the next range (512-767) was cascaded into forwarding tables. A
     * poll that stops there, by its limit or by a callback that throws, leaves both ranges' forwarded timers
     * reachable: the tick's leftovers and the next range's timers are cancelled and re-armed afterwards.
     */
    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void shouldKeepForwardedTimersReachableWhenThePollOfARangesLastTickStopsEarly(final boolean throwing)
    {
        background(100);
        final long[] last = new long[5];
        final long[] next = new long[5];
        for (int k = 0; k < 5; k++)
        {
            last[k] = arm(511); // range 1, forwarded at 256
            next[k] = arm(700 + k); // range 2, forwarded at 512, before tick 511 fires
        }
        for (long now = 1; now <= 510; now++)
        {
            wheel.poll(now, (handle, payload, deadline) -> fired(handle, deadline));
        }
        assertEquals(5, wheel.forwardedEntries());
        if (throwing)
        {
            final IllegalStateException thrown = new IllegalStateException("callback failed");
            assertEquals(thrown, assertThrows(IllegalStateException.class, () -> wheel.poll(511,
                (handle, payload, deadline) ->
                {
                    fired(handle, deadline);
                    throw thrown;
                })));
        }
        else
        {
            assertEquals(2, wheel.poll(511, (handle, payload, deadline) -> fired(handle, deadline), 2));
        }
        final int firedAtLast = firedHandles.size();
        assertEquals(throwing ? 1 : 2, firedAtLast);
        int left = 0;
        for (int k = 0; k < 5; k++)
        {
            if (expected.containsKey(last[k]))
            {
                if (left++ == 0)
                {
                    cancel(last[k]);
                }
                else if (left == 2)
                {
                    rearm(last[k], 515);
                }
            }
        }
        cancel(next[0]);
        rearm(next[1], 520);
        rearm(next[2], 900);
        assertTrue(wheel.isArmed(next[3]) && wheel.isArmed(next[4]));
        wheel.poll(511, (handle, payload, deadline) -> fired(handle, deadline)); // the leftovers of tick 511
        wheel.poll(1_000, (handle, payload, deadline) -> fired(handle, deadline));
        assertTrue(expected.isEmpty(), "never fired: " + expected);
        assertEquals(0, wheel.forwardedEntries());
    }

    /**
     * The entry store's positions are ints, and a position of 2^31 would read as DETACHED: the chunks a wheel of
     * the largest capacity can hold at once (live entries, the bounded forwarding tables, one kept chunk per list,
     * the chunk being cascaded) stay below the 2^25 chunks that 31 bits of position address.
     */
    @Test
    void shouldAddressEveryEntryOfTheLargestWheelBelowTheDetachedMarker()
    {
        final long chunks = TimerWheel.chunkBound(TimerWheel.MAX_CAPACITY_LIMIT);
        assertTrue(chunks < TimerWheel.MAX_CHUNKS, chunks + " chunks");
        assertTrue(((long)TimerWheel.MAX_CHUNKS << TimerWheel.CHUNK_SHIFT) - 1 <= Integer.MAX_VALUE,
            "the last position addressable is a non-negative int");
        assertTrue(chunks > (long)TimerWheel.MAX_CAPACITY_LIMIT / TimerWheel.CHUNK_SIZE * 9 / 8,
            "the bound counts the live entries and the forwarded eighth");
    }
    /**
     * A level-1 cascade that takes the chunk which adds an entry page at the moment the store's table of pages
     * doubles (pages 0 to 3 full: 4 x 65,536 entries, all of them in the cascaded bucket) writes every slot id into
     * the new page, not into the table the cascade started with, which has no room for it: every timer fires, once,
     * at or after its deadline.
     */
    @Test
    void aCascadeThatAddsAnEntryPageFilesEveryTimerIntoIt()
    {
        final TimerWheel wide = TimerWheel.builder(TimeUnit.MILLISECONDS).build();
        final int timers = 4 * 65_536; // the first four entry pages exactly, in one level-1 bucket's chunks
        for (int i = 0; i < timers; i++)
        {
            wide.arm(256 + (i & 255), i); // level 1, range 1: ticks 256 to 511, every level-0 bucket
        }
        final boolean[] seen = new boolean[timers];
        final int[] fired = new int[1];
        final TimerHandler check = (handle, payload, deadline) ->
        {
            assertTrue(wide.currentTime() >= deadline, "fired early");
            assertEquals(256 + (payload & 255), deadline);
            assertFalse(seen[(int)payload], "fired twice");
            seen[(int)payload] = true;
            fired[0]++;
        };
        for (long now = 1; now <= 511; now++)
        {
            wide.poll(now, check);
        }
        assertEquals(timers, fired[0]);
        assertEquals(0, wide.timerCount());
    }
}
