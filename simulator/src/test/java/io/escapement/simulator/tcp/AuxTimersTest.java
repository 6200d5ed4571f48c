package io.escapement.simulator.tcp;

import io.escapement.engine.TimerHandler;
import io.escapement.engine.wheel.TimerWheel;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The auxiliary timers' cancels, which wait for the end of the event (the shard's {@code flushCancels}): whatever
 * the rooms see during the event, and whatever the wheel fires after it, is what an immediate cancel gives. The
 * reference is that model: after a cancel the end has no timer; after a set it has exactly one, at the set's
 * deadline, whose firing the event batch accepts (the end holds its handle).
 */
class AuxTimersTest
{
    private static final int END = 3; // slot 1, server

    private TimerWheel wheel;
    private ConnectionTable table;
    private AuxTimers aux;
    private final List<long[]> fired = new ArrayList<>();
    private final TimerHandler record = (handle, payload, deadline) -> fired.add(new long[] {handle, deadline});

    @BeforeEach
    void setUp()
    {
        wheel = TimerWheel.builder(TimeUnit.MICROSECONDS).startTime(0).tickDuration(1).build();
        table = new ConnectionTable(4, capacity -> { });
        aux = new AuxTimers(wheel, table);
        aux.reset(END);
    }

    /** Polls the wheel to {@code until}: the timers fired, each as the batch would see it, current or stale. */
    private List<long[]> pollTo(final long until)
    {
        fired.clear();
        wheel.poll(until, record);
        return new ArrayList<>(fired);
    }

    @Test
    void shouldFireOnlyAtTheNewDeadlineWhenSetAgainInTheEventThatCancelled()
    {
        aux.set(END, AuxTimers.TLP, 1_000);
        // one event: the ACK of everything stops the probe, the FIN sent in answer arms the next one
        aux.cancel(END);
        aux.set(END, AuxTimers.TLP, 5_000);
        aux.flushCancels();

        assertEquals(1, wheel.timerCount());
        assertTrue(pollTo(4_999).isEmpty(), "the cancelled deadline must not fire");
        final List<long[]> at = pollTo(5_000);
        assertEquals(1, at.size());
        assertEquals(5_000, at.get(0)[1]);
        assertEquals(aux.handle[END], at.get(0)[0], "the batch takes it as the end's current timer");
        assertEquals(AuxTimers.TLP, aux.fired(END));
    }

    @Test
    void shouldLeaveNothingOnTheWheelWhenTheEventEndsWithTheTimerCancelled()
    {
        aux.set(END, AuxTimers.FIN_TIMEOUT, 1_000);
        aux.cancel(END);
        aux.flushCancels();

        assertEquals(0, wheel.timerCount());
        assertTrue(pollTo(10_000).isEmpty());
        assertEquals(AuxTimers.NONE, aux.kind(END));
    }

    @Test
    void shouldShowNoTimerToTheRoomsWhileItsCancelWaits()
    {
        aux.set(END, AuxTimers.TIME_WAIT, 60_000_000);
        aux.cancel(END);

        assertEquals(AuxTimers.NONE, aux.kind(END));
        assertFalse(aux.isScheduled(END));
        aux.flushCancels();
        assertFalse(aux.isScheduled(END));
    }

    @Test
    void shouldCancelAWaitingTimerWhenTheEndIsResetInTheSameEvent()
    {
        aux.set(END, AuxTimers.TLP, 1_000);
        aux.cancel(END);
        aux.reset(END); // a new request reaches the listener that dropped the last one: its handle is forgotten

        assertEquals(0, wheel.timerCount(), "a forgotten handle must not leave its timer on the wheel");
        aux.flushCancels();
        assertEquals(0, wheel.timerCount());
        assertTrue(pollTo(10_000).isEmpty());
    }

    @Test
    void shouldKeepOneTimerWhenCancelledTwiceAndSetInOneEvent()
    {
        aux.set(END, AuxTimers.TLP, 1_000);
        aux.cancel(END);
        aux.cancel(END);
        aux.set(END, AuxTimers.TIME_WAIT, 2_000);
        aux.cancel(END);
        aux.set(END, AuxTimers.TIME_WAIT, 3_000);
        aux.flushCancels();

        assertEquals(1, wheel.timerCount());
        assertTrue(aux.isScheduled(END));
        assertEquals(3_000, aux.deadline(END));
        final List<long[]> all = pollTo(10_000);
        assertEquals(1, all.size());
        assertEquals(3_000, all.get(0)[1]);
    }

    @Test
    void shouldCancelEveryEndsTimerThatWasNotSetAgain()
    {
        final int other = 2; // slot 1, client
        aux.reset(other);
        aux.set(END, AuxTimers.TLP, 1_000);
        aux.set(other, AuxTimers.TLP, 1_500);
        aux.cancel(END);
        aux.cancel(other);
        aux.set(other, AuxTimers.TIME_WAIT, 2_500);
        aux.flushCancels();

        assertEquals(1, wheel.timerCount());
        assertFalse(aux.isScheduled(END));
        final List<long[]> all = pollTo(10_000);
        assertEquals(1, all.size());
        assertEquals(2_500, all.get(0)[1]);
        assertEquals(aux.handle[other], all.get(0)[0]);
    }
}
