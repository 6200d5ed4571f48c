package io.escapement.benchmarks.baseline;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Every peer adapter does what the workloads rely on: arm, re-arm and cancel answer as their peer does. */
class TimerAdapterTest
{
    @ParameterizedTest
    @ValueSource(strings = {"escapement", "agrona", "netty", "stpe", "heap", "kafka"})
    void shouldArmRearmAndCancelExactlyOnce(final String impl)
    {
        try (TimerAdapter adapter = TimerAdapter.create(impl, 4))
        {
            adapter.arm(0, 3_600_000);
            adapter.arm(1, 3_600_500);
            adapter.rearm(1, 3_601_000);
            assertTrue(adapter.cancel(1), impl + ": cancel of a live timer");
            assertFalse(adapter.cancel(1), impl + ": a second cancel answers false");
            assertTrue(adapter.cancel(0));
        }
    }

    @org.junit.jupiter.api.Test
    void shouldNameTheKnownImplementationsForAnUnknownOne()
    {
        final IllegalArgumentException e =
            assertThrows(IllegalArgumentException.class, () -> TimerAdapter.create("quartz", 1));
        assertTrue(e.getMessage().contains("escapement, agrona, netty, stpe, heap, kafka"), e.getMessage());
    }
}
