package io.escapement.benchmarks.wheel;

import io.escapement.engine.TimerHandler;
import io.escapement.engine.wheel.TimerWheel;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.openjdk.jol.info.GraphLayout;

import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The memory contract, at most 32 bytes per live timer including its payload, under the workloads that keep a
 * wheel's cascades busy: every byte reachable from the wheel (JOL, as {@link WheelFootprint} measures), divided by
 * the timers armed. Entry pages are never given back, so what counts is the most entries the wheel ever held at
 * once, forwarding tables included.
 */
class WheelWorkloadFootprintTest
{
    private static final int TIMERS = 1_000_000;
    private static final double CONTRACT_BYTES = 32;

    /** 1M periodic 300 ms timers, each re-armed from its own callback, polled every tick for 3 s. */
    @Test
    @Timeout(60)
    void shouldKeepPeriodicTimersReArmedFromTheirCallbackWithin32BytesEach()
    {
        final TimerWheel wheel = TimerWheel.builder(TimeUnit.MILLISECONDS).build();
        final SplittableRandom random = new SplittableRandom(7);
        for (int i = 0; i < TIMERS; i++)
        {
            wheel.arm(1 + random.nextInt(300), i);
        }
        final TimerHandler periodic = (handle, payload, deadline) -> wheel.rearm(handle, deadline + 300);
        for (long now = 1; now <= 3_000; now++)
        {
            wheel.poll(now, periodic);
        }
        assertWithinContract(wheel, "periodic 300 ms");
    }

    /** 1M timers with a fixed 1 s timeout (RFC 6298's initial RTO), armed 1,000 a tick and re-armed on expiry. */
    @Test
    @Timeout(60)
    void shouldKeepFixedOneSecondTimeoutsWithin32BytesEach()
    {
        final TimerWheel wheel = TimerWheel.builder(TimeUnit.MILLISECONDS).build();
        final TimerHandler timeout = (handle, payload, deadline) -> wheel.rearm(handle, deadline + 1_000);
        int armed = 0;
        for (long now = 1; now <= 4_000; now++)
        {
            for (int i = 0; i < 1_000 && armed < TIMERS; i++, armed++)
            {
                wheel.arm(now + 1_000, armed);
            }
            wheel.poll(now, timeout);
        }
        assertWithinContract(wheel, "fixed 1 s");
    }

    /** One burst of 1M timers for the same deadline, 1 s ahead, then a poll into its level-1 range. */
    @Test
    @Timeout(60)
    void shouldKeepOneBurstForTheSameDeadlineWithin32BytesEachAfterItsCascade()
    {
        final TimerWheel wheel = TimerWheel.builder(TimeUnit.MILLISECONDS).build();
        for (int i = 0; i < TIMERS; i++)
        {
            wheel.arm(1_000, i);
        }
        assertEquals(0, wheel.poll(768, (handle, payload, deadline) -> { }));
        assertWithinContract(wheel, "burst");
    }

    /**
     * A drain: 1M timers spread over 10 s, the clock advanced a tick at a time until all have fired. The forwarding
     * tables are bounded by the slots in use, which the drain does not lower, so its cascades forward to the end:
     * in chunks the entry store already holds, the wheel no larger after the drain than when it was full.
     */
    @Test
    @Timeout(60)
    void shouldGrowNothingWhileDrainingWhenEveryCascadeForwards()
    {
        final TimerWheel wheel = TimerWheel.builder(TimeUnit.MILLISECONDS).build();
        final SplittableRandom random = new SplittableRandom(5);
        for (int i = 0; i < TIMERS; i++)
        {
            wheel.arm(1 + random.nextInt(10_000), i);
        }
        assertWithinContract(wheel, "drain, full");
        final long full = GraphLayout.parseInstance(wheel).totalSize();
        long fired = 0;
        for (long now = 1; now <= 10_000; now++)
        {
            fired += wheel.poll(now, (handle, payload, deadline) -> { });
        }
        assertEquals(TIMERS, fired);
        final long drained = GraphLayout.parseInstance(wheel).totalSize();
        System.out.printf("drain: %d B full, %d B drained%n", full, drained);
        assertTrue(drained <= full, "the drain grew the wheel from " + full + " to " + drained + " B");
    }

    private static void assertWithinContract(final TimerWheel wheel, final String workload)
    {
        assertEquals(TIMERS, wheel.timerCount(), workload + ": live timers");
        final double bytesPerTimer = GraphLayout.parseInstance(wheel).totalSize() / (double)TIMERS;
        System.out.printf("%s: %.2f B per live timer%n", workload, bytesPerTimer);
        assertTrue(bytesPerTimer <= CONTRACT_BYTES, workload + ": " + bytesPerTimer + " B per live timer");
    }
}
