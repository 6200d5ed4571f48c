package io.escapement.agrona;

import io.escapement.engine.service.TimerService;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.concurrent.atomic.AtomicLong;

import static java.util.concurrent.TimeUnit.HOURS;
import static java.util.concurrent.TimeUnit.MILLISECONDS;
import static java.util.concurrent.TimeUnit.SECONDS;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** How long the deadline-aware idle strategy parks, against the service's deadlines on a manual clock. */
class DeadlineIdleStrategyTest
{
    private static final long MAX_PARK_NS = MILLISECONDS.toNanos(10);

    private final AtomicLong clock = new AtomicLong(1_000);
    private final TimerService service = TimerService.builder().clock(clock::get)
        .handler((handle, payload, deadline) -> { }).build();
    private final DeadlineIdleStrategy idle = new DeadlineIdleStrategy(service, MAX_PARK_NS);

    @Test
    void shouldParkTheLongestAllowedWhenNoTimerIsPending()
    {
        assertEquals(MAX_PARK_NS, idle.parkNs());
    }

    @Test
    void shouldParkUntilTheEarliestDeadlineWhenItComesBeforeTheBound()
    {
        service.arm(7, MILLISECONDS, 1);
        service.arm(3, MILLISECONDS, 2);
        service.arm(1, HOURS, 3);
        assertEquals(MILLISECONDS.toNanos(3), idle.parkNs(), "the arms, not yet drained, are seen: parkNs drains");
        clock.addAndGet(MILLISECONDS.toNanos(2));
        assertEquals(MILLISECONDS.toNanos(1), idle.parkNs());
    }

    @Test
    void shouldNotParkWhenATimerIsDue()
    {
        service.arm(2, MILLISECONDS, 1);
        clock.addAndGet(MILLISECONDS.toNanos(2));
        assertEquals(0, idle.parkNs(), "due now");
        clock.addAndGet(MILLISECONDS.toNanos(5));
        assertEquals(0, idle.parkNs(), "overdue");
    }

    @Test
    void shouldParkTheBoundWhenTheEarliestDeadlineIsFurther()
    {
        service.arm(1, SECONDS, 1);
        assertEquals(MAX_PARK_NS, idle.parkNs());
    }

    @Test
    void shouldParkTheBoundWhenTheDifferenceOverflows()
    {
        assertEquals(MAX_PARK_NS, DeadlineIdleStrategy.parkNs(Long.MAX_VALUE, -5, MAX_PARK_NS));
        assertEquals(MAX_PARK_NS, DeadlineIdleStrategy.parkNs(Long.MAX_VALUE - 1, Long.MIN_VALUE + 2, MAX_PARK_NS));
        assertEquals(0, DeadlineIdleStrategy.parkNs(Long.MIN_VALUE, Long.MAX_VALUE, MAX_PARK_NS));
    }

    @Test
    @Timeout(60)
    void shouldReturnWithoutParkingAfterACycleThatDidWork()
    {
        // A bound of an hour: a park here would hang the test until its timeout.
        final DeadlineIdleStrategy patient = new DeadlineIdleStrategy(service, HOURS.toNanos(1));
        for (int i = 0; i < 1000; i++)
        {
            patient.idle(1);
        }
        service.arm(0, MILLISECONDS, 1);
        patient.idle(0); // due: no park either
        patient.idle();
    }

    @Test
    void shouldRejectBadArgumentsNamingThem()
    {
        assertEquals("service", assertThrows(NullPointerException.class,
            () -> new DeadlineIdleStrategy(null, 1)).getMessage());
        assertTrue(assertThrows(IllegalArgumentException.class, () -> new DeadlineIdleStrategy(service, 0))
            .getMessage().contains("maxParkNs"));
    }

    @Test
    void shouldNameItselfForAgronaConfiguration()
    {
        assertEquals(DeadlineIdleStrategy.ALIAS, idle.alias());
    }
}
