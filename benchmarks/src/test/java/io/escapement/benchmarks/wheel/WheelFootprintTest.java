package io.escapement.benchmarks.wheel;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class WheelFootprintTest
{
    /**
     * A million timers fill 123 pages of 8,192 records of 24 bytes (24.2 B per timer) and 16 pages of 65,536
     * entries of 6 bytes (6.3 B), plus chunk links and the fixed arrays: about 30.6 B (measured 30.63). The
     * contract is at most 32 bytes per live timer including its payload (below a few hundred thousand timers the
     * pages' granularity and a small wheel's 0.6 MB weigh more); the lower bound catches JOL measuring the wrong
     * graph.
     */
    @Test
    @Timeout(30)
    void shouldMeasureAtMost32BytesPerLiveTimerWithJol()
    {
        final WheelFootprint.Footprint footprint = WheelFootprint.measure(1_000_000);

        assertEquals(1_000_000, footprint.liveTimers());
        final double bytesPerTimer = footprint.jolBytesPerTimer();
        System.out.printf("1M armed 1-10 s ahead: %.2f B per live timer%n", bytesPerTimer);
        assertTrue(bytesPerTimer >= 28 && bytesPerTimer <= 32, "JOL bytes per timer " + bytesPerTimer);
    }
}
