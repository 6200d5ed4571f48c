package io.escapement.engine.wheel;

import io.escapement.engine.TimerHandler;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static io.escapement.engine.wheel.TimerWheel.NULL_DEADLINE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A wheel whose caller numbers the timers ({@link TimerWheel.Builder#callerAssignedSlots}), as the service does. */
class TimerWheelCallerSlotsTest
{
    private final List<long[]> fired = new ArrayList<>(); // {slot, payload, deadline}
    private final TimerHandler recorder = (handle, payload, deadline) ->
        fired.add(new long[]{(int)handle, payload, deadline});

    private static TimerWheel wheel(final int capacity)
    {
        return TimerWheel.builder(TimeUnit.MILLISECONDS).tickDuration(1).capacity(capacity)
            .initialCapacity(1).callerAssignedSlots(true).build();
    }

    @Test
    void shouldFireEachTimerWithTheSlotItWasArmedInAndNeverEarly()
    {
        // Slots far apart, so that the wheel adds record pages up to the highest one on demand.
        final TimerWheel wheel = wheel(100_000);
        wheel.armSlot(99_999, 30, 7);
        wheel.armSlot(3, 10, 8);
        wheel.armSlot(40_000, 20, 9);

        assertEquals(0, wheel.poll(9, recorder));
        assertEquals(3, wheel.poll(30, recorder));
        assertEquals(List.of("3/8/10", "40000/9/20", "99999/7/30"),
            fired.stream().map(f -> f[0] + "/" + f[1] + "/" + f[2]).toList());
    }

    @Test
    void shouldMoveCancelAndAnswerForATimerByItsSlot()
    {
        final TimerWheel wheel = wheel(16);
        wheel.armSlot(5, 100, 55);
        assertTrue(wheel.isSlotArmed(5));
        assertEquals(100, wheel.slotDeadline(5));
        wheel.rearmSlot(5, 40);
        assertEquals(40, wheel.slotDeadline(5));
        assertTrue(wheel.cancelSlot(5));
        assertFalse(wheel.cancelSlot(5));
        assertFalse(wheel.isSlotArmed(5));
        assertEquals(NULL_DEADLINE, wheel.slotDeadline(5));
        assertEquals(55, wheel.slotPayload(5), "the payload stays readable until the slot is armed again");
        assertFalse(wheel.rearmSlot(5, 50), "an empty slot is answered false");
        assertEquals(0, wheel.poll(1_000, recorder));
    }

    @Test
    void shouldLetASlotBeArmedAgainAfterItsTimerFiredOrWasCancelled()
    {
        final TimerWheel wheel = wheel(4);
        wheel.armSlot(1, 5, 1);
        assertEquals(1, wheel.poll(5, recorder));
        wheel.armSlot(1, 8, 2);
        assertTrue(wheel.cancelSlot(1));
        wheel.armSlot(1, 9, 3);
        assertEquals(1, wheel.poll(9, recorder));
        assertEquals(List.of(1L, 3L), fired.stream().map(f -> f[1]).toList());
    }

    @Test
    void shouldRefuseASlotThatHoldsATimerOrLiesOutOfRangeAndTheWheelsOwnNumbering()
    {
        final TimerWheel wheel = wheel(4);
        wheel.armSlot(2, 5, 1);
        assertTrue(assertThrows(IllegalStateException.class, () -> wheel.armSlot(2, 6, 1)).getMessage()
            .contains("already holds a timer"));
        assertThrows(IllegalArgumentException.class, () -> wheel.armSlot(4, 6, 1));
        assertThrows(IllegalArgumentException.class, () -> wheel.armSlot(-1, 6, 1));
        assertTrue(assertThrows(IllegalStateException.class, () -> wheel.arm(6, 1)).getMessage()
            .contains("armSlot"));
        final TimerWheel own = TimerWheel.builder(TimeUnit.MILLISECONDS).build();
        assertThrows(IllegalStateException.class, () -> own.armSlot(0, 6, 1));
        assertEquals(1, wheel.timerCount());
    }
}
