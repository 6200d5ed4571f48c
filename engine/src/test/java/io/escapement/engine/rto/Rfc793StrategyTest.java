package io.escapement.engine.rto;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** Hand-worked sequences from RFC 793, section 3.7, in microseconds. */
class Rfc793StrategyTest
{
    private final long[] state = new long[2];

    @Test
    void shouldSmoothWithAlphaAndTimeOutAtBetaTimesSrttWithinTheBounds()
    {
        final Rfc793Strategy rfc = (Rfc793Strategy)RtoStrategies.parse("rfc793:lbound=100ms");
        rfc.reset(state, 0);
        assertEquals(1_000_000, rfc.rtoUs(state, 0), "initial timeout before any measurement");

        rfc.onRttSample(state, 0, 300_000, 0, 0, 0); // first: SRTT = 300000, RTO = 2.0 * 300000
        assertEquals(300_000.0, rfc.srttExactUs(state, 0));
        assertEquals(600_000, rfc.rtoUs(state, 0));

        rfc.onRttSample(state, 0, 500_000, 0, 0, 0); // SRTT = 0.9 * 300000 + 0.1 * 500000 = 320000
        assertEquals(320_000.0, rfc.srttExactUs(state, 0), 1e-6);
        assertEquals(640_000, rfc.rtoUs(state, 0));

        rfc.onRttSample(state, 0, 20_000, 0, 0, 0); // SRTT = 288000 + 2000 = 290000, RTO = 580000
        assertEquals(580_000, rfc.rtoUs(state, 0));

        rfc.onRttSample(state, 0, 10, 0, 0, 0); // SRTT = 261001, 2 x = 522002
        assertEquals(522_002, rfc.rtoUs(state, 0));
    }

    @Test
    void shouldClampToLboundAndUbound()
    {
        final RtoStrategy rfc = RtoStrategies.parse("rfc793"); // LBOUND 1 s, UBOUND 60 s, BETA 2
        rfc.reset(state, 0);
        rfc.onRttSample(state, 0, 100_000, 0, 0, 0);
        assertEquals(1_000_000, rfc.rtoUs(state, 0));
        rfc.reset(state, 0);
        rfc.onRttSample(state, 0, 45_000_000, 0, 0, 0);
        assertEquals(60_000_000, rfc.rtoUs(state, 0));
    }

    @Test
    void shouldTimeOutSpuriouslyAfterAnRttStepUpUnlikeAVarianceBasedRule()
    {
        // RTT 400 ms for a while, then steps to 900 ms: BETA * SRTT lags behind the new RTT for several samples
        final RtoStrategy rfc = RtoStrategies.parse("rfc793:lbound=10ms,beta=1.3");
        rfc.reset(state, 0);
        for (int i = 0; i < 50; i++)
        {
            rfc.onRttSample(state, 0, 400_000, 0, 0, 0);
        }
        rfc.onRttSample(state, 0, 900_000, 0, 0, 0); // SRTT = 360000 + 90000 = 450000; RTO = 585000 < 900000
        assertEquals(585_000, rfc.rtoUs(state, 0));
    }

    @Test
    void shouldRejectOutOfRangeParameters()
    {
        assertThrows(IllegalArgumentException.class, () -> RtoStrategies.parse("rfc793:alpha=1"));
        assertThrows(IllegalArgumentException.class, () -> RtoStrategies.parse("rfc793:beta=0.5"));
        assertThrows(IllegalArgumentException.class, () -> RtoStrategies.parse("rfc793:lbound=2s,ubound=1s"));
    }

    @Test
    void shouldDoubleTheExactTimeoutAndRoundOnceWhenBackingOffEightTimes()
    {
        final Rfc793Strategy rfc = (Rfc793Strategy)RtoStrategies.parse("rfc793:lbound=1us,ubound=86400s");
        rfc.reset(state, 0);
        // SRTT = 1000, then 0.9 * 1000 + 0.1 * 1001 = 1000.1; RTO = 2.0 * 1000.1 = 2000.2, armed as 2001
        rfc.onRttSample(state, 0, 1_000, 0, 0, 0);
        rfc.onRttSample(state, 0, 1_001, 0, 0, 0);
        assertEquals(2_001, rfc.rtoUs(state, 0));
        for (int i = 0; i < 8; i++)
        {
            rfc.onTimeout(state, 0);
        }
        // 2^8 * 2000.2 = 512051.2, rounded up once: 512052, not 2^8 * 2001 = 512256
        assertEquals(512_052, rfc.rtoUs(state, 0));
    }
}
