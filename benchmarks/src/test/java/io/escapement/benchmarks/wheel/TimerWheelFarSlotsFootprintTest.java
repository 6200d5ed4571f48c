package io.escapement.benchmarks.wheel;

import io.escapement.engine.wheel.TimerWheel;
import org.junit.jupiter.api.Test;
import org.openjdk.jol.info.GraphLayout;

import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The contract of 32 bytes per live timer when timers armed 2^24 ticks ahead or more (which take slots from pages
 * of their own) follow near ones, or the reverse, each kind at a peak of a million but never both at once: the
 * slots one kind freed must serve the other, so the record pages stay at the peak of live timers (the review's
 * scenarios, which measured 54.8 bytes per live timer and twice the pages while a freed slot served only its kind).
 */
class TimerWheelFarSlotsFootprintTest
{
    private static final int TIMERS = 1_000_000;
    private static final long FAR = 1L << 24; // TimerWheel.FAR_TICKS, package-private; 1 ms ticks: 4.66 h
    private static final int PAGE_SIZE = 8_192; // TimerWheel.PAGE_SIZE, package-private
    /** The most slots the pages may hold: the peak of a million rounded up to a page, plus a page. */
    private static final int MOST_SLOTS = (TIMERS + PAGE_SIZE - 1) / PAGE_SIZE * PAGE_SIZE + PAGE_SIZE;

    @Test
    void shouldStayWithin32BytesPerLiveTimerWhenNearTimersEndAndFarOnesAreArmed()
    {
        final TimerWheel wheel = TimerWheel.builder(TimeUnit.MILLISECONDS).build();
        final SplittableRandom random = new SplittableRandom(7);
        for (int i = 0; i < TIMERS; i++)
        {
            wheel.arm(1 + random.nextInt(10_000), i); // 1-10 s ahead
        }
        assertEquals(TIMERS, wheel.poll(10_000, (h, p, d) -> { }));
        for (int i = 0; i < TIMERS; i++)
        {
            wheel.arm(10_000 + FAR + random.nextInt(10_000), i); // 4.7 h ahead: an idle timeout, a TIME-WAIT
        }
        assertEquals(TIMERS, wheel.timerCount());
        assertTrue(wheel.allocatedCapacity() <= MOST_SLOTS, wheel.allocatedCapacity() + " slots allocated");
        final double bytesPerTimer = GraphLayout.parseInstance(wheel).totalSize() / (double)TIMERS;
        System.out.printf("near then far: %.2f B per live timer, %d slots allocated%n", bytesPerTimer,
            wheel.allocatedCapacity());
        assertTrue(bytesPerTimer <= 32, bytesPerTimer + " B per live timer");
    }

    @Test
    void shouldStayWithin32BytesPerLiveTimerWhenFarTimersAreRearmedNearAndReplaced()
    {
        final TimerWheel wheel = TimerWheel.builder(TimeUnit.MILLISECONDS).build();
        final SplittableRandom random = new SplittableRandom(8);
        final long[] handles = new long[TIMERS];
        for (int i = 0; i < TIMERS; i++)
        {
            handles[i] = wheel.arm(FAR + random.nextInt(10_000), i); // armed far
        }
        for (int i = 0; i < TIMERS; i++)
        {
            assertTrue(wheel.rearm(handles[i], 1 + random.nextInt(10_000))); // then brought near: keep far slots
        }
        assertEquals(TIMERS, wheel.poll(10_000, (h, p, d) -> { }));
        for (int i = 0; i < TIMERS; i++)
        {
            wheel.arm(10_001 + random.nextInt(10_000), i); // near timers again: the far slots are free
        }
        assertEquals(TIMERS, wheel.timerCount());
        assertTrue(wheel.allocatedCapacity() <= MOST_SLOTS, wheel.allocatedCapacity() + " slots allocated");
        final double bytesPerTimer = GraphLayout.parseInstance(wheel).totalSize() / (double)TIMERS;
        System.out.printf("far, rearmed near, replaced by near: %.2f B per live timer, %d slots allocated%n",
            bytesPerTimer, wheel.allocatedCapacity());
        assertTrue(bytesPerTimer <= 32, bytesPerTimer + " B per live timer");
    }
}
