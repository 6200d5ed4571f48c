package io.escapement.engine.service;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import static java.util.concurrent.TimeUnit.HOURS;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The builder's edges: values at the limits of their types, and null, each answered clearly. */
class TimerServiceBuilderTest
{
    private final AtomicLong clock = new AtomicLong();

    @Test
    void shouldRejectANullWaitWhenFullNamingTheParameter()
    {
        final NullPointerException failure = assertThrows(NullPointerException.class,
            () -> TimerService.builder().waitWhenFull(null));
        assertTrue(failure.getMessage().contains("waitWhenFull") && failure.getMessage().contains("maxWait"),
            failure.getMessage());
    }

    @Test
    void shouldRejectANegativeWaitWhenFullNamingTheParameter()
    {
        final IllegalArgumentException failure = assertThrows(IllegalArgumentException.class,
            () -> TimerService.builder().waitWhenFull(Duration.ofNanos(-1)));
        assertTrue(failure.getMessage().contains("waitWhenFull"), failure.getMessage());
    }

    @Test
    void shouldTakeWaitsBeyondTheRangeOfNanosecondsAsForever()
    {
        // Duration.toNanos() overflows (ArithmeticException) for each of these: they mean "as long as it takes"
        for (final Duration huge : new Duration[]{Duration.ofSeconds(Long.MAX_VALUE),
            Duration.ofSeconds(Long.MAX_VALUE, 999_999_999), ChronoUnit.FOREVER.getDuration(),
            Duration.ofNanos(Long.MAX_VALUE)})
        {
            final TimerService service = TimerService.builder().clock(clock::get).waitWhenFull(huge).build();
            service.close();
        }
    }

    /**
     * A wait of about 292 years behaves as a wait, not as "give up at once" (which an overflowed deadline would
     * give): an arm on a full caller-driven service waits until the slot is freed by a cancel, draining the cancel
     * itself as nobody polls. (Should the arm come after the cancel, it finds the slot freed the same way: whichever
     * the order, it must not fail.)
     */
    @Test
    @Timeout(value = 30, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void shouldWaitForASlotWhenTheWaitIsHuge() throws InterruptedException
    {
        final TimerService service = TimerService.builder().clock(clock::get).capacity(1)
            .waitWhenFull(Duration.ofSeconds(Long.MAX_VALUE)).build();
        final long first = service.arm(1, HOURS, () -> { });
        final AtomicReference<Object> second = new AtomicReference<>();
        final Thread arming = new Thread(() ->
        {
            try
            {
                second.set(service.arm(1, HOURS, () -> { }));
            }
            catch (final RuntimeException e)
            {
                second.set(e);
            }
        }, "arming-into-a-full-service");
        arming.start();
        while (arming.getState() == Thread.State.NEW)
        {
            Thread.onSpinWait();
        }
        assertTrue(service.cancel(first));
        arming.join();

        assertTrue(second.get() instanceof Long, "the waiting arm failed: " + second.get());
        assertNotEquals(first, second.get());
        assertTrue(service.isArmed((Long)second.get()));
        assertEquals(0, service.metrics().rejected());
        service.close();
    }
}
