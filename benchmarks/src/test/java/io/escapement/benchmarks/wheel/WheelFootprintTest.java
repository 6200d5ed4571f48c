package io.escapement.benchmarks.wheel;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class WheelFootprintTest
{
    /**
     * 100,000 timers fill 13 pages of 8,192 records of 28 bytes: 29.8 bytes per timer. The bounds catch a record
     * that grew, a structure allocated per timer, or JOL measuring the wrong graph.
     */
    @Test
    @Timeout(10)
    void shouldMeasureAbout28BytesPerLiveTimerWithJol()
    {
        final WheelFootprint.Footprint footprint = WheelFootprint.measure(100_000);

        assertEquals(100_000, footprint.liveTimers());
        final double bytesPerTimer = footprint.jolBytesPerTimer();
        assertTrue(bytesPerTimer >= 28 && bytesPerTimer <= 40, "JOL bytes per timer " + bytesPerTimer);
    }
}
