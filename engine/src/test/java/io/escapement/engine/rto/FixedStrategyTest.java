package io.escapement.engine.rto;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

class FixedStrategyTest
{
    private final long[] state = new long[1];

    @Test
    void shouldIgnoreMeasurementsAndDoubleOnExpiryUpToTheMaximum()
    {
        final RtoStrategy fixed = RtoStrategies.parse("fixed:rto=250ms,max=1s");
        fixed.reset(state, 0);
        fixed.onRttSample(state, 0, 5_000_000, 0, 0, 0);
        assertEquals(250_000, fixed.rtoUs(state, 0));
        fixed.onTimeout(state, 0);
        assertEquals(500_000, fixed.rtoUs(state, 0));
        fixed.onTimeout(state, 0);
        fixed.onTimeout(state, 0);
        assertEquals(1_000_000, fixed.rtoUs(state, 0));
        fixed.onRttSample(state, 0, 1, 0, 0, 0);
        assertEquals(250_000, fixed.rtoUs(state, 0), "a valid sample ends the backoff");
    }

    @Test
    void shouldStayConstantWithoutBackoff()
    {
        final RtoStrategy fixed = RtoStrategies.parse("fixed:rto=3s,backoff=0");
        fixed.reset(state, 0);
        fixed.onTimeout(state, 0);
        fixed.onTimeout(state, 0);
        assertEquals(3_000_000, fixed.rtoUs(state, 0));
    }
}
