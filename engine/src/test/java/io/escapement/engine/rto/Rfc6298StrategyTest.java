package io.escapement.engine.rto;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Hand-worked sequences from RFC 6298 sections 2 and 5, in microseconds. */
class Rfc6298StrategyTest
{
    private final long[] state = new long[3];

    private static Rfc6298Strategy withMin(final String min)
    {
        return (Rfc6298Strategy)RtoStrategies.parse("rfc6298:min=" + min);
    }

    private void sample(final RtoStrategy strategy, final long rttUs)
    {
        strategy.onRttSample(state, 0, rttUs, 0, 0, 0);
    }

    @Test
    void shouldFollowSection2ExactlyWithA200msMinimum()
    {
        final Rfc6298Strategy rfc = withMin("200ms");
        rfc.reset(state, 0);
        assertEquals(1_000_000, rfc.rtoUs(state, 0), "2.1: 1 s before the first measurement");
        assertEquals(-1, rfc.srttUs(state, 0));

        // 2.2: SRTT = R = 100000, RTTVAR = R/2 = 50000, RTO = 100000 + max(G = 1000, 4 * 50000) = 300000
        sample(rfc, 100_000);
        assertEquals(100_000.0, rfc.srttExactUs(state, 0));
        assertEquals(50_000.0, rfc.rttvarExactUs(state, 0));
        assertEquals(300_000, rfc.rtoUs(state, 0));

        // 2.3 with R' = 200000: RTTVAR = 3/4 * 50000 + 1/4 * |100000 - 200000| = 37500 + 25000 = 62500 (old SRTT),
        // SRTT = 7/8 * 100000 + 1/8 * 200000 = 87500 + 25000 = 112500, RTO = 112500 + 4 * 62500 = 362500
        sample(rfc, 200_000);
        assertEquals(62_500.0, rfc.rttvarExactUs(state, 0));
        assertEquals(112_500.0, rfc.srttExactUs(state, 0));
        assertEquals(362_500, rfc.rtoUs(state, 0));

        // R' = 80000: RTTVAR = 46875 + 1/4 * 32500 = 55000, SRTT = 98437.5 + 10000 = 108437.5,
        // RTO = 108437.5 + 220000 = 328437.5, rounded up to 328438
        sample(rfc, 80_000);
        assertEquals(55_000.0, rfc.rttvarExactUs(state, 0));
        assertEquals(108_437.5, rfc.srttExactUs(state, 0));
        assertEquals(328_438, rfc.rtoUs(state, 0));
    }

    @Test
    void shouldRoundUpToTheOneSecondMinimumByDefault()
    {
        final RtoStrategy rfc = RtoStrategies.parse("rfc6298");
        rfc.reset(state, 0);
        sample(rfc, 100_000); // 300000 by the formula; 2.4: rounded up to 1 s
        assertEquals(1_000_000, rfc.rtoUs(state, 0));
    }

    @Test
    void shouldUseTheClockGranularityWhenTheVarianceIsSmaller()
    {
        final RtoStrategy rfc = RtoStrategies.parse("rfc6298:min=1us,granularity=10ms");
        rfc.reset(state, 0);
        sample(rfc, 1_000); // SRTT 1000, RTTVAR 500: max(G = 10000, 2000) = 10000
        assertEquals(11_000, rfc.rtoUs(state, 0));
    }

    @Test
    void shouldDoubleOnEachExpiryCapAtTheMaximumAndStayBackedOffUntilAValidSample()
    {
        final Rfc6298Strategy rfc = withMin("200ms");
        rfc.reset(state, 0);
        sample(rfc, 100_000);
        sample(rfc, 200_000);
        sample(rfc, 80_000);
        rfc.onTimeout(state, 0);
        assertEquals(656_876, rfc.rtoUs(state, 0), "5.5: 2 x 328438");
        rfc.onTimeout(state, 0);
        assertEquals(1_313_752, rfc.rtoUs(state, 0));
        for (int i = 0; i < 40; i++)
        {
            rfc.onTimeout(state, 0);
        }
        assertEquals(60_000_000, rfc.rtoUs(state, 0), "capped at the 60 s maximum");
        assertTrue(rfc.backoffCount(state, 0) > 0);

        // a valid sample (Karn: from a segment not retransmitted) ends the backoff:
        // RTTVAR = 41250 + 1/4 * 8437.5 = 43359.375, SRTT = 94882.8125 + 12500 = 107382.8125,
        // RTO = 107382.8125 + 173437.5 = 280820.3125 -> 280821
        sample(rfc, 100_000);
        assertEquals(0, rfc.backoffCount(state, 0));
        assertEquals(43_359.375, rfc.rttvarExactUs(state, 0));
        assertEquals(107_382.8125, rfc.srttExactUs(state, 0));
        assertEquals(280_821, rfc.rtoUs(state, 0));
    }

    @Test
    void shouldRejectAMaximumBelowSixtySecondsAsTheRfcRequires()
    {
        final IllegalArgumentException e =
            assertThrows(IllegalArgumentException.class, () -> RtoStrategies.parse("rfc6298:max=30s"));
        assertTrue(e.getMessage().contains("max=30s") && e.getMessage().contains("60s"), e.getMessage());
    }

    @Test
    void shouldRejectAMinimumAboveTheMaximumAndAnInitialOutsideThem()
    {
        assertThrows(IllegalArgumentException.class, () -> RtoStrategies.parse("rfc6298:min=90s"));
        final IllegalArgumentException e =
            assertThrows(IllegalArgumentException.class, () -> RtoStrategies.parse("rfc6298:min=2s,initial=1s"));
        assertTrue(e.getMessage().contains("initial=1s"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> RtoStrategies.parse("rfc6298:alpha=0"));
        assertThrows(IllegalArgumentException.class, () -> RtoStrategies.parse("rfc6298:beta=NaN"));
    }
}
