package io.escapement.engine.wheel;

import org.junit.jupiter.api.Test;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.spi.ToolProvider;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The caller-facing path of the wheel as it was reshaped for the JIT: the bucket of a tick computed
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
    void shouldFireAgainATimerItsOwnCallbackReArmsToTheLastRepresentableDeadline()
    {
        // With a start time above zero a deadline of Long.MAX_VALUE is accepted, and when it fires the cursor's start
        // is saturated at that value: the running (detached) timer's old deadline is not before it, so only its
        // detached position keeps the re-arm off rearm's in-line later path (which would write the deadline and let
        // the callback's end free the slot: the timer lost).
        final TimerWheel wheel = TimerWheel.builder(TimeUnit.NANOSECONDS).startTime(1).tickDuration(1).build();
        final long handle = wheel.arm(Long.MAX_VALUE, 7);
        final List<Long> fired = new ArrayList<>();
        final io.escapement.engine.TimerHandler handler = (h, payload, deadline) ->
        {
            fired.add(deadline);
            if (fired.size() == 1)
            {
                assertTrue(wheel.rearm(h, Long.MAX_VALUE));
            }
        };
        assertEquals(1, wheel.poll(Long.MAX_VALUE, handler));
        assertTrue(wheel.isArmed(handle), "re-armed from its callback");
        assertEquals(1, wheel.timerCount());
        assertEquals(1, wheel.poll(Long.MAX_VALUE, handler));
        assertEquals(List.of(Long.MAX_VALUE, Long.MAX_VALUE), fired);
        assertEquals(0, wheel.timerCount());
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

    /** Fixed seeds, so that a failure repeats, and one fresh seed per run, printed, to widen the search. */
    @Test
    void shouldFileRandomTicksInTheBucketTheLevelLoopNames()
    {
        final long freshSeed = System.nanoTime();
        System.out.println("TimerWheelApiPathTest fresh seed: " + freshSeed);
        for (final long seed : new long[] {1, 0x5EED_2026_1207L, freshSeed})
        {
            fileRandomTicks(seed, 700_000);
        }
    }

    private static void fileRandomTicks(final long seed, final int count)
    {
        final SplittableRandom random = new SplittableRandom(seed);
        for (int i = 0; i < count; i++)
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
                assertThrows(IllegalArgumentException.class, () -> wheel.payload(handle),
                    "payload of slot " + slot + " gen " + gen);
            }
        }
        assertEquals(1, wheel.timerCount());
    }

    /**
     * A full wheel whose callback arms: the timer being fired is not counted, so the arm is within the capacity,
     * but its slot is not free yet either, so the wheel needs slot capacity + 1, a page past the first. armRarely's
     * promise: at most capacity + 1 slots in use while a callback runs, and growth by at most a page past that.
     */
    @Test
    void shouldArmFromACallbackIntoAFreshPageWhenTheFullWheelFillsExactlyOnePage()
    {
        final int capacity = TimerWheel.PAGE_SIZE;
        final TimerWheel wheel = TimerWheel.builder(TimeUnit.MILLISECONDS).capacity(capacity).build();
        for (int i = 1; i <= capacity; i++)
        {
            assertEquals(i - 1, (int)wheel.arm(i, i), "slot of the timer for " + i);
        }
        assertEquals(capacity, wheel.allocatedCapacity());
        assertThrows(TimerCapacityException.class, () -> wheel.arm(10_000, -1), "full before the poll");
        final long[] armedInCallback = {TimerWheel.NULL_HANDLE};
        final int[] firedAtOne = {0};
        assertEquals(1, wheel.poll(1, (h, p, d) ->
        {
            firedAtOne[0]++;
            assertEquals(1, p);
            assertEquals(capacity - 1, wheel.timerCount(), "the firing timer is not counted");
            armedInCallback[0] = wheel.arm(10_000, 0);
            assertThrows(TimerCapacityException.class, () -> wheel.arm(10_000, -2), "full again in the callback");
        }));
        assertEquals(1, firedAtOne[0]);
        assertEquals(capacity, (int)armedInCallback[0], "the first slot of the next page");
        assertEquals(1, (int)(armedInCallback[0] >>> 32), "a fresh slot's generation");
        assertEquals(2 * capacity, wheel.allocatedCapacity(), "one page past the capacity, no more");
        assertEquals(capacity, wheel.timerCount());
        assertThrows(TimerCapacityException.class, () -> wheel.arm(10_000, -3), "full after the poll");
        assertEquals(2 * capacity, wheel.allocatedCapacity());

        final int[] fired = new int[capacity + 1]; // by payload: 0 (the callback's timer) and 2..capacity
        assertEquals(capacity, wheel.poll(10_000, (h, p, d) ->
        {
            assertTrue(p >= 0 && p <= capacity && p != 1, "payload " + p);
            assertEquals(p == 0 ? 10_000 : p, d, "deadline of payload " + p);
            fired[(int)p]++;
        }));
        for (int p = 0; p <= capacity; p++)
        {
            assertEquals(p == 1 ? 0 : 1, fired[p], "fired count of payload " + p);
        }
        assertEquals(0, wheel.timerCount());
    }

    /**
     * Caller-assigned slots above the highest armed one but inside the allocated pages (and past them) have
     * generation 0 and were never linked: every slot query must answer as for no timer.
     */
    @Test
    void shouldAnswerAsForNoTimerWhenACallerSlotAboveTheArmedOneWasNeverArmed()
    {
        final TimerWheel wheel = TimerWheel.builder(TimeUnit.MILLISECONDS).callerAssignedSlots(true)
            .capacity(4 * TimerWheel.PAGE_SIZE).build();
        wheel.armSlot(3, 500, 33);
        assertEquals(TimerWheel.PAGE_SIZE, wheel.allocatedCapacity(), "one page, so PAGE_SIZE + 1 is past it");
        for (final int slot : new int[] {4, 100, TimerWheel.PAGE_SIZE - 1, TimerWheel.PAGE_SIZE,
            TimerWheel.PAGE_SIZE + 1})
        {
            assertFalse(wheel.isSlotArmed(slot), "slot " + slot);
            assertFalse(wheel.cancelSlot(slot), "slot " + slot);
            assertFalse(wheel.rearmSlot(slot, 5), "slot " + slot);
            assertEquals(TimerWheel.NULL_DEADLINE, wheel.slotDeadline(slot), "slot " + slot);
            assertEquals(0, wheel.slotPayload(slot), "slot " + slot);
            assertEquals(1, wheel.timerCount(), "slot " + slot);
        }
        assertTrue(wheel.isSlotArmed(3));
        assertEquals(500, wheel.slotDeadline(3));
        assertEquals(33, wheel.slotPayload(3));
        final List<Long> fired = new ArrayList<>();
        assertEquals(0, wheel.poll(499, (h, p, d) -> fired.add(p)));
        assertEquals(1, wheel.poll(500, (h, p, d) -> fired.add(p)));
        assertEquals(List.of(33L), fired);
    }

    /**
     * arm takes a new front chunk (takeFrontChunk) every 64 timers of a list: 200 timers into one level-0 bucket
     * and 200 into one level-1 bucket cross three chunk boundaries each. Checked against the deadlines themselves:
     * each timer not cancelled fires once, at the poll of its deadline's tick or the next, never before.
     */
    @Test
    void shouldFireEveryTimerOnceWhenArmingFillsSeveralChunksOfOneBucket()
    {
        final TimerWheel wheel = TimerWheel.builder(TimeUnit.MILLISECONDS).build();
        final int perBucket = 200;
        final long[] deadlines = new long[2 * perBucket];
        final long[] handles = new long[deadlines.length];
        for (int i = 0; i < perBucket; i++)
        {
            deadlines[i] = 100; // level 0, bucket 100
            deadlines[perBucket + i] = 5 * 256 + (i * 37) % 256; // level 1: every tick of range 5, one bucket
        }
        for (int i = 0; i < deadlines.length; i++)
        {
            handles[i] = wheel.arm(deadlines[i], i);
        }
        final boolean[] cancelled = new boolean[deadlines.length];
        for (int i = 0; i < deadlines.length; i += 7)
        {
            assertTrue(wheel.cancel(handles[i]), "cancel " + i);
            cancelled[i] = true;
        }
        final int[] fired = new int[deadlines.length];
        final long[] now = {0};
        for (now[0] = 1; now[0] <= 6 * 256 + 2; now[0]++)
        {
            wheel.poll(now[0], (h, p, d) ->
            {
                final int i = (int)p;
                assertEquals(handles[i], h, "handle of " + i);
                assertEquals(deadlines[i], d, "deadline of " + i);
                assertTrue(now[0] >= deadlines[i], i + " fired early at " + now[0]);
                assertTrue(now[0] <= deadlines[i] + 1, i + " fired late at " + now[0]);
                fired[i]++;
            });
        }
        for (int i = 0; i < deadlines.length; i++)
        {
            assertEquals(cancelled[i] ? 0 : 1, fired[i], "fired count of " + i);
        }
        assertEquals(0, wheel.timerCount());
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

    /**
     * A timer re-armed earlier stays in its bucket when the bucket's range starts at or before the new tick (rearm's
     * out-of-line path computes that start from the ranges the bucket and the tick lie ahead of the cursor's). Every
     * level from 0 to 3, buckets of the cursor's rotation and of the next (their index below the cursor's digit), new
     * deadlines inside the bucket's range (the tick hint lowered), before it (a move) and past it (it stays, hint
     * kept): polled at every deadline in order, each timer must fire in the first poll whose time reaches its last
     * deadline, exactly once, as a sorted map of deadlines says. Cursors sit just before and after range boundaries
     * of each level, so that the buckets wrap.
     */
    @Test
    void shouldFireEveryTimerReArmedEarlierInThePollThatReachesItsDeadlineWhateverItsBucketsLevelAndRotation()
    {
        final long seed = 0x5EED_2026L;
        final SplittableRandom random = new SplittableRandom(seed);
        final long[] cursors = {0, 200, 255, 256, 40_000, 65_535, 65_536, 65_800, 16_777_000, 16_777_216, 123_456_789};
        for (final long cursor : cursors)
        {
            final TimerWheel wheel = TimerWheel.builder(TimeUnit.MILLISECONDS).build();
            wheel.poll(cursor, (h, p, d) -> { });
            final Map<Long, Long> deadlines = new HashMap<>();
            for (int i = 0; i < 2_000; i++)
            {
                // distances of every level up to 3, a few ranges of each
                final int level = random.nextInt(4);
                final long span = 1L << (level * TimerWheel.BITS_PER_LEVEL);
                final long armedAt = cursor + 1 + random.nextLong(Math.max(1, 255 * span));
                final long handle = wheel.arm(armedAt, i);
                long deadline = armedAt;
                for (int move = 0; move < 3; move++)
                {
                    // later (lazy: stays), then earlier: anywhere from the cursor to the last deadline, often within
                    // a few of the bucket's ranges of the first one
                    final long later = deadline + random.nextLong(1 + 3 * span);
                    assertTrue(wheel.rearm(handle, later));
                    final long earlier = random.nextBoolean() ?
                        cursor + 1 + random.nextLong(later - cursor) :
                        Math.max(cursor + 1, armedAt - span + random.nextLong(2 * span));
                    assertTrue(wheel.rearm(handle, earlier));
                    deadline = earlier;
                }
                deadlines.put(handle, deadline);
            }
            final TreeSet<Long> times = new TreeSet<>(deadlines.values());
            final Map<Long, Long> firedAt = new HashMap<>();
            final long[] now = new long[1];
            for (final long time : times)
            {
                now[0] = time;
                wheel.poll(time, (h, p, d) -> assertNull(firedAt.put(h, now[0]), "fired twice: seed " + seed));
            }
            for (final Map.Entry<Long, Long> timer : deadlines.entrySet())
            {
                assertEquals(timer.getValue(), firedAt.get(timer.getKey()), "cursor " + cursor + ", seed " + seed +
                    ": the timer fires in the poll to its deadline, once");
            }
            assertEquals(deadlines.size(), firedAt.size(), "only armed timers fire");
            assertEquals(0, wheel.timerCount());
        }
    }

    /**
     * rearm's later path (one record line) is compiled into its callers only if rearm stays within the sizes up to
     * which C2 inlines a hot method: 325 bytes of bytecode (FreqInlineSize). Its other paths are in rearmFiled, which
     * must stay past that size, or C2 compiles it, and the list code under it, into rearm (6.6 KB of machine code,
     * past InlineSmallCode, and every caller of rearm then pays a call). Read from the class file with javap.
     */
    @Test
    void shouldKeepReArmWithinAndItsOtherPathsPastTheBytecodeSizeC2InlinesWhenHot() throws Exception
    {
        final ToolProvider javap = ToolProvider.findFirst("javap").orElse(null);
        assertNotNull(javap, "javap is part of the JDK that runs the build");
        final String classes = Path.of(TimerWheel.class.getProtectionDomain().getCodeSource().getLocation().toURI())
            .toString();
        final StringWriter out = new StringWriter();
        assertEquals(0, javap.run(new PrintWriter(out), new PrintWriter(new StringWriter()), "-c", "-p", "-cp",
            classes, TimerWheel.class.getName()));
        final int freqInlineSize = 325;
        final int rearm = bytecodeSize(out.toString(), "public boolean rearm(long, long);");
        final int rearmFiled = bytecodeSize(out.toString(), "private void rearmFiled(");
        assertTrue(rearm <= freqInlineSize, "rearm is " + rearm + " bytes of bytecode");
        assertTrue(rearmFiled > freqInlineSize, "rearmFiled is " + rearmFiled + " bytes of bytecode");
    }

    /** @return the offset of the last instruction of the method javap -c printed under {@code header}, plus 1. */
    private static int bytecodeSize(final String javap, final String header)
    {
        final int start = javap.indexOf(header);
        assertTrue(start >= 0, header + " not found");
        final int end = javap.indexOf("\n\n", start);
        final Matcher offsets = Pattern.compile("^\\s+(\\d+): (\\w+)", Pattern.MULTILINE)
            .matcher(javap.substring(start, end < 0 ? javap.length() : end));
        int last = -1;
        String opcode = "";
        while (offsets.find())
        {
            last = Integer.parseInt(offsets.group(1));
            opcode = offsets.group(2);
        }
        assertTrue(opcode.endsWith("return"), header + " ends with " + opcode);
        return last + 1; // a return instruction is one byte
    }
}
