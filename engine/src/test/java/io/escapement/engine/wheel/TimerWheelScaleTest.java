package io.escapement.engine.wheel;

import io.escapement.engine.TimerHandler;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.BitSet;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Millions of live timers at once, driven the way a server drives its wheel: one advance per 1 ms tick. Every
 * timer not cancelled fires exactly once, none early, none more than one tick late. Asserts correctness only;
 * speed is measured by the JMH benchmarks, not here.
 */
class TimerWheelScaleTest
{
    @ParameterizedTest
    @ValueSource(ints = {1_000_000, 10_000_000})
    void shouldFireEveryLiveTimerOnceAndOnTimeWithMillionsArmed(final int count)
    {
        final long horizonMs = 60_000; // TIME-WAIT-like spread: a minute ahead at a 1 ms tick
        final TimerWheel wheel = TimerWheel.builder(TimeUnit.MILLISECONDS).build();
        final SplittableRandom random = new SplittableRandom(count);
        final long[] handles = new long[count];
        final long[] deadlines = new long[count];
        for (int i = 0; i < count; i++)
        {
            deadlines[i] = 1 + random.nextLong(horizonMs);
            handles[i] = wheel.arm(deadlines[i], i);
        }
        assertEquals(count, wheel.timerCount());

        final BitSet cancelled = new BitSet(count);
        for (int i = 0; i < count; i += 3)
        {
            assertTrue(wheel.cancel(handles[i]));
            cancelled.set(i);
        }
        for (int i = 1; i < count; i += 5)
        {
            if (cancelled.get(i))
            {
                continue;
            }
            deadlines[i] += random.nextLong(1_000); // RTO restarts move timers later
            wheel.rearm(handles[i], deadlines[i]);
        }
        for (int i = 2; i < count; i += 7)
        {
            if (cancelled.get(i))
            {
                continue;
            }
            deadlines[i] = Math.max(1, deadlines[i] - random.nextLong(1_000)); // and some earlier
            wheel.rearm(handles[i], deadlines[i]);
        }

        final BitSet fired = new BitSet(count);
        final long[] violations = new long[3]; // early, late, twice
        final TimerHandler check = (handle, payload, deadline) ->
        {
            final int i = (int)payload;
            final long now = wheel.currentTime();
            if (deadline != deadlines[i] || deadline > now)
            {
                violations[0]++;
            }
            if (now - deadline >= 1)
            {
                violations[1]++; // advanced every tick, so a timer fires in the advance that reaches its deadline
            }
            if (fired.get(i) || cancelled.get(i))
            {
                violations[2]++;
            }
            fired.set(i);
        };
        for (long now = 1; now <= horizonMs + 1_000; now++)
        {
            wheel.poll(now, check);
        }

        assertEquals(0, violations[0], "fired early or with a wrong deadline");
        assertEquals(0, violations[1], "fired late");
        assertEquals(0, violations[2], "fired twice or after cancel");
        assertEquals(count - cancelled.cardinality(), fired.cardinality(), "every live timer fired");
        assertEquals(0, wheel.timerCount());
    }
}
