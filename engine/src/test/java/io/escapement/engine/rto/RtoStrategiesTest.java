package io.escapement.engine.rto;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RtoStrategiesTest
{
    private static String error(final String spec)
    {
        return assertThrows(IllegalArgumentException.class, () -> RtoStrategies.parse(spec)).getMessage();
    }

    @Test
    void shouldListTheKnownStrategiesWhenTheNameIsUnknown()
    {
        final String message = error("cubic");
        assertTrue(message.contains("unknown RTO strategy 'cubic'"), message);
        for (final String name : RtoStrategies.names())
        {
            assertTrue(message.contains(name), message);
        }
        assertTrue(error("").contains("known strategies"));
    }

    @Test
    void shouldListTheStrategysParametersWhenOneIsUnknown()
    {
        final String message = error("rfc6298:minimum=200ms");
        assertTrue(message.contains("no parameter 'minimum'") && message.contains("min") &&
            message.contains("granularity"), message);
    }

    @Test
    void shouldExplainMalformedParametersAndDurations()
    {
        assertTrue(error("rfc6298:min").contains("key=value"));
        assertTrue(error("rfc6298:min=200").contains("no unit"));
        assertTrue(error("rfc6298:min=-5ms").contains("parameter min: duration '-5ms' must be a non-negative"));
        assertTrue(error("rfc6298:min=fastms").contains("not a number"));
        assertTrue(error("rfc6298:min=1ms,min=2ms").contains("twice"));
        assertTrue(error("fixed:rto=0s").contains("rto=0"), error("fixed:rto=0s"));
    }

    @Test
    void shouldMoveTheDefaultInitialTimeoutIntoTheGivenBounds()
    {
        final long[] state = new long[3];
        final RtoStrategy rfc = RtoStrategies.parse("rfc6298:min=2s");
        rfc.reset(state, 0);
        assertEquals(2_000_000, rfc.rtoUs(state, 0), "the 1 s default initial RTO, raised to the 2 s minimum");
        assertTrue(error("rfc6298:min=2s,initial=1s").contains("initial=1s"), "an explicit one is checked");
    }

    @Test
    void shouldRejectDurationsFinerThanAMicrosecond()
    {
        assertTrue(error("fixed:rto=1.4us").contains("whole number of microseconds"));
        assertEquals(1_500, RtoParameters.parseDurationUs("1.5ms"));
    }

    @Test
    void shouldApplyParametersWithUnits()
    {
        assertEquals(1_500, RtoParameters.parseDurationUs("1.5ms"));
        assertEquals(200_000, RtoParameters.parseDurationUs("200ms"));
        assertEquals(2_000_000, RtoParameters.parseDurationUs("2s"));
        assertEquals(7, RtoParameters.parseDurationUs("7us"));
        assertEquals("fixed(rto=250ms,max=60s,backoff=1)", RtoStrategies.parse("fixed:rto=250ms").toString());
    }
}
