package io.escapement.benchmarks.service;

import io.escapement.engine.TimerHandler;
import io.escapement.engine.service.TimerService;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.openjdk.jol.info.GraphLayout;

import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ServiceFootprintTest
{
    private static final int TIMERS = 1_000_000;

    /**
     * A service sized for exactly a million timers, all armed an hour and 1-10 s ahead and filed in its wheel: every
     * object reachable from it, as JOL counts them, is at most 40 bytes per live timer, payload included. The wheel
     * alone is about 30.6 (see {@code WheelFootprintTest}); the service adds its state word per slot (8), its free
     * slots' bookkeeping, the request ring and the lateness histograms. The lower bound catches JOL measuring the
     * wrong graph (the wheel missing from it, say). Caller-driven, with a clock of its own: no driver thread, whose
     * {@code Thread} object JOL would walk into, and nothing fires.
     */
    @Test
    @Timeout(60)
    void shouldMeasureAtMost40BytesPerLiveTimerWithJol()
    {
        final TimerService service = TimerService.builder().capacity(TIMERS).clock(new StoppedClock())
            .handler(new NeverDue()).build();
        final SplittableRandom random = new SplittableRandom(42);
        for (int i = 0; i < TIMERS; i++)
        {
            // a full request ring is drained by the arming thread itself: the service is caller-driven
            service.arm(TimeUnit.HOURS.toMillis(1) + random.nextInt(1_000, 10_001), TimeUnit.MILLISECONDS,
                random.nextLong());
        }
        assertEquals(0, service.poll(), "nothing fires");

        assertEquals(TIMERS, service.metrics().pending());
        final double bytesPerTimer = (double)GraphLayout.parseInstance(service).totalSize() / TIMERS;
        System.out.printf("service, 1M armed an hour ahead: %.2f B per live timer%n", bytesPerTimer);
        assertTrue(bytesPerTimer >= 36 && bytesPerTimer <= 40, "JOL bytes per timer " + bytesPerTimer);
        service.close();
    }

    /** Named classes, not lambdas: JOL cannot read the fields of a lambda's hidden class. */
    private static final class StoppedClock implements LongSupplier
    {
        @Override
        public long getAsLong()
        {
            return 0;
        }
    }

    private static final class NeverDue implements TimerHandler
    {
        @Override
        public void onExpiry(final long handle, final long payload, final long deadline)
        {
            throw new AssertionError("nothing is due: the clock never moves");
        }
    }
}
