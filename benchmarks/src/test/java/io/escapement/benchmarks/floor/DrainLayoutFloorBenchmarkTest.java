package io.escapement.benchmarks.floor;

import io.escapement.engine.wheel.TimerWheel;
import org.junit.jupiter.api.Test;
import org.openjdk.jmh.infra.Blackhole;

import java.lang.reflect.Method;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The drain floors measure the drain they claim to: every layout fires every timer once per op, and the model
 * cascades the timers the engine's wheel cascades, for the same deadlines, without touching their records.
 */
class DrainLayoutFloorBenchmarkTest
{
    private static final int TIMERS = 100_000;
    private static final Blackhole BLACKHOLE = new Blackhole(
        "Today's password is swordfish. I understand instantiating Blackholes directly is dangerous.");

    private static DrainLayoutFloorBenchmark.Drain drain()
    {
        final DrainLayoutFloorBenchmark.Drain drain = new DrainLayoutFloorBenchmark.Drain();
        drain.timers = TIMERS;
        drain.setUp();
        return drain;
    }

    @Test
    void shouldFireEveryTimerOnceAndFreeItsRecordWhenDrainingTodaysLayout()
    {
        final DrainLayoutFloorBenchmark.Drain drain = drain();
        final DrainLayoutFloorBenchmark benchmark = new DrainLayoutFloorBenchmark();
        for (int op = 1; op <= 2; op++)
        {
            assertEquals(TIMERS, op == 1 ? benchmark.currentRecords(drain, BLACKHOLE) :
                benchmark.currentRecordsInOnePass(drain, BLACKHOLE));
            drain.checkDrained();
            for (int slot = 0; slot < TIMERS; slot++)
            {
                assertEquals(1 + op, drain.records[slot * DrainLayoutFloorBenchmark.RECORD_INTS], "slot " + slot);
            }
            assertFreeListHoldsEverySlot(drain, drain.records, DrainLayoutFloorBenchmark.RECORD_INTS);
        }
    }

    @Test
    void shouldFireEveryTimerOnceAndStoreIntoItsRecordWhenDrainingSequentialEntries()
    {
        final DrainLayoutFloorBenchmark.Drain drain = drain();
        final DrainLayoutFloorBenchmark benchmark = new DrainLayoutFloorBenchmark();
        for (int op = 1; op <= 2; op++)
        {
            assertEquals(TIMERS, op == 1 ? benchmark.sequentialEntries(drain, BLACKHOLE) :
                benchmark.sequentialEntriesTouched(drain, BLACKHOLE));
            drain.checkDrained();
            for (int slot = 0; slot < TIMERS; slot++)
            {
                // the generation comes from the entry (1), not the record: the store is the same every drain
                assertEquals(2, drain.slotRecords[slot * DrainLayoutFloorBenchmark.SLOT_INTS], "slot " + slot);
            }
            assertFreeListHoldsEverySlot(drain, drain.slotRecords, DrainLayoutFloorBenchmark.SLOT_INTS);
        }
    }

    @Test
    void shouldFireEveryTimerOnceAndBumpItsRecordWhenDrainingEntriesWithoutGeneration()
    {
        final DrainLayoutFloorBenchmark.Drain drain = drain();
        final DrainLayoutFloorBenchmark benchmark = new DrainLayoutFloorBenchmark();
        for (int op = 1; op <= 2; op++)
        {
            assertEquals(TIMERS, benchmark.sequentialEntriesLoadingGeneration(drain, BLACKHOLE));
            drain.checkDrained();
            for (int slot = 0; slot < TIMERS; slot++)
            {
                assertEquals(1 + op, drain.slotRecords[slot * DrainLayoutFloorBenchmark.SLOT_INTS], "slot " + slot);
            }
            assertFreeListHoldsEverySlot(drain, drain.slotRecords, DrainLayoutFloorBenchmark.SLOT_INTS);
        }
    }

    @Test
    void shouldFireEveryTimerWithoutTouchingARecordWhenScanning()
    {
        final DrainLayoutFloorBenchmark.Drain drain = drain();
        final DrainLayoutFloorBenchmark benchmark = new DrainLayoutFloorBenchmark();
        for (int op = 1; op <= 2; op++)
        {
            assertEquals(TIMERS, benchmark.sequentialScan(drain, BLACKHOLE));
            drain.checkDrained();
        }
        for (int slot = 0; slot < TIMERS; slot++)
        {
            assertEquals(1, drain.records[slot * DrainLayoutFloorBenchmark.RECORD_INTS]);
            assertEquals(1, drain.slotRecords[slot * DrainLayoutFloorBenchmark.SLOT_INTS]);
        }
    }

    @Test
    void shouldCascadeEveryLevelOneTimerOnceAndFireNoneWhenOnlyCascading()
    {
        final DrainLayoutFloorBenchmark.Drain drain = drain();
        final DrainLayoutFloorBenchmark benchmark = new DrainLayoutFloorBenchmark();
        assertEquals(drain.onLevel1, benchmark.currentCascades(drain));
        drain.checkDrained();
        assertEquals(0, drain.fired);
        assertEquals(drain.onLevel1, benchmark.sequentialCascades(drain));
        drain.checkDrained();
        assertEquals(0, drain.fired);
        for (int slot = 0; slot < TIMERS; slot++)
        {
            assertEquals(1, drain.records[slot * DrainLayoutFloorBenchmark.RECORD_INTS], "no record touched");
            assertEquals(1, drain.slotRecords[slot * DrainLayoutFloorBenchmark.SLOT_INTS], "no record touched");
        }
    }

    /**
     * The model's split (armed into level 0, cascaded once from level 1, none through a record) is the engine's: a
     * wheel armed with the same deadlines and drained tick by tick, as TimerPeersDrainBenchmark drains it.
     */
    @Test
    void shouldCascadeTheTimersTheWheelCascadesWhenArmedWithTheDrainsDeadlines() throws ReflectiveOperationException
    {
        final DrainLayoutFloorBenchmark.Drain drain = drain();
        final TimerWheel wheel = TimerWheel.builder(TimeUnit.MILLISECONDS).initialCapacity(TIMERS).build();
        final SplittableRandom random = new SplittableRandom(DrainLayoutFloorBenchmark.SEED);
        for (int i = 0; i < TIMERS; i++)
        {
            wheel.arm(1 + random.nextInt(DrainLayoutFloorBenchmark.HORIZON_TICKS), i);
        }
        final long[] offTick = new long[1];
        int fired = 0;
        for (long tick = 1; tick <= DrainLayoutFloorBenchmark.HORIZON_TICKS; tick++)
        {
            final long now = tick;
            fired += wheel.poll(now, (handle, payload, deadline) -> offTick[0] += deadline == now ? 0 : 1);
        }
        assertEquals(TIMERS, fired);
        assertEquals(0, offTick[0], "each fired at its own tick, as the model fires it");
        assertEquals(drain.onLevel1, counter(wheel, "cascadedFromHint"), "cascaded once from level 1");
        assertEquals(0, counter(wheel, "cascadedFromRecord"));
        assertEquals(0, counter(wheel, "cascadeRecordWrites"), "every level-1 cascade forwarded, as the model's");
        assertEquals(TIMERS, drain.armedLevel0 + drain.onLevel1);
        assertTrue(drain.armedLevel0 > 0 && drain.onLevel1 > 0);
    }

    private static long counter(final TimerWheel wheel, final String name) throws ReflectiveOperationException
    {
        // the wheel's test counters are package-private: read them without widening the engine's API
        final Method method = TimerWheel.class.getDeclaredMethod(name);
        method.setAccessible(true);
        return (long)method.invoke(wheel);
    }

    /** Every slot fired pushed itself onto the free list through its POS field: the list holds each slot once. */
    private static void assertFreeListHoldsEverySlot(final DrainLayoutFloorBenchmark.Drain drain, final int[] records,
        final int stride)
    {
        final boolean[] seen = new boolean[TIMERS];
        int length = 0;
        for (int slot = drain.freeSlot; slot != DrainLayoutFloorBenchmark.NIL;
            slot = records[slot * stride + DrainLayoutFloorBenchmark.POS])
        {
            assertTrue(!seen[slot] && ++length <= TIMERS, "slot " + slot + " twice on the free list");
            seen[slot] = true;
        }
        assertEquals(TIMERS, length);
    }
}
