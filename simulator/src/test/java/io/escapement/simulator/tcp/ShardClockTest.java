package io.escapement.simulator.tcp;

import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The kernel's clock is the virtual time rounded down to a jiffy, whatever order instants come in: the value cached
 * for one instant is never answered for another.
 */
class ShardClockTest
{
    @Test
    void shouldRoundEveryInstantDownToItsJiffyWhenInstantsRepeatAndGoBack()
    {
        for (final int hz : new int[] {100, 250, 300, 1000})
        {
            final ShardClock clock = new ShardClock(hz);
            final long jiffy = 1_000_000 / hz;
            final SplittableRandom random = new SplittableRandom(hz);
            long now = 0;
            for (int n = 0; n < 100_000; n++)
            {
                // mostly forward in small steps (an event loop), sometimes a repeat or a jump back
                switch (random.nextInt(4))
                {
                    case 0 -> now += random.nextLong(3 * jiffy);
                    case 1 -> now = random.nextLong(Long.MAX_VALUE);
                    case 2 -> now = Math.max(0, now - random.nextLong(2 * jiffy));
                    default -> { }
                }
                clock.now = now;
                assertEquals(now - now % jiffy, clock.kernelNow(), "hz " + hz + " at " + now);
                assertEquals(now - now % jiffy, clock.kernelNow(), "asked twice, hz " + hz + " at " + now);
            }
        }
    }

    @Test
    void shouldAnswerTheExactTimeWithExactTimers()
    {
        final ShardClock clock = new ShardClock(0);
        for (final long now : new long[] {0, 1, 999, 1_000, 1_001, 0, Long.MAX_VALUE})
        {
            clock.now = now;
            assertEquals(now, clock.kernelNow());
        }
    }
}
