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
        assertEquals(656_875, rfc.rtoUs(state, 0), "5.5: 2 x 328437.5, rounded once");
        rfc.onTimeout(state, 0);
        assertEquals(1_313_750, rfc.rtoUs(state, 0), "4 x 328437.5");
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

    @Test
    void shouldDoubleTheExactRtoAndRoundOnceWhenBackingOffEightTimes()
    {
        // min=0 and a one-day max, so that neither bound hides the rounding.
        final Rfc6298Strategy rfc = (Rfc6298Strategy)RtoStrategies.parse("rfc6298:min=0,max=86400s");
        rfc.reset(state, 0);
        // 2.2, R = 1000: SRTT = 1000, RTTVAR = 500. 2.3, R' = 1001: RTTVAR = 3/4 * 500 + 1/4 * |1000 - 1001| =
        // 375.25, SRTT = 7/8 * 1000 + 1/8 * 1001 = 1000.125; RTO = 1000.125 + max(G = 1000, 4 * 375.25 = 1501) =
        // 2501.125, armed as 2502.
        sample(rfc, 1_000);
        sample(rfc, 1_001);
        assertEquals(1_000.125, rfc.srttExactUs(state, 0));
        assertEquals(375.25, rfc.rttvarExactUs(state, 0));
        assertEquals(2_502, rfc.rtoUs(state, 0));
        for (int i = 0; i < 8; i++)
        {
            rfc.onTimeout(state, 0);
        }
        // 5.5 eight times: 2^8 * 2501.125 = 640288 exactly, not 2^8 * 2502 = 640512 (224 us late)
        assertEquals(640_288, rfc.rtoUs(state, 0));

        // at the cap, min(max, 2^n * exact): 2501.125 * 2^25 = 2501 * 33554432 + 33554432 / 8 =
        // 83,919,634,432 + 4,194,304 = 83,923,828,736 us is below one day (86,400,000,000);
        // 2^26 times it is above
        for (int i = 8; i < 25; i++)
        {
            rfc.onTimeout(state, 0);
        }
        assertEquals(83_923_828_736L, rfc.rtoUs(state, 0));
        rfc.onTimeout(state, 0);
        assertEquals(86_400_000_000L, rfc.rtoUs(state, 0));
    }

    @Test
    void shouldLetTheClockGranularityBoundTheRtoWhenTheMinimumIsZero()
    {
        // 2.4 allows a minimum below 1 s; with none, 2.2's max(G, K*RTTVAR) is what keeps the RTO above zero.
        final Rfc6298Strategy rfc = withMin("0");
        rfc.reset(state, 0);
        assertEquals(1_000_000, rfc.rtoUs(state, 0), "2.1: still 1 s before the first measurement");
        // R = 100: SRTT = 100, RTTVAR = 50, RTO = 100 + max(1000, 200) = 1100 (1 s with the default minimum)
        sample(rfc, 100);
        assertEquals(1_100, rfc.rtoUs(state, 0));
        assertEquals(1_000_000, withDefaultMinimumAfter(100), "the same sample under the default 1 s minimum");
        // R = 0 from the start: SRTT = 0, RTTVAR = 0, RTO = 0 + max(G, 0) = G = 1000, the least RTO it arms
        rfc.reset(state, 0);
        sample(rfc, 0);
        assertEquals(1_000, rfc.rtoUs(state, 0));
        assertEquals(1_000, rfc.minRtoUs());
        assertEquals(1, RtoStrategies.parse("rfc6298:min=0s,granularity=1us").minRtoUs());
        assertEquals("rfc6298(min=0s,max=60s,initial=1s,granularity=1ms,alpha=0.125,beta=0.25,k=4.0)", rfc.toString());
        assertEquals(RtoStrategies.parse("rfc6298:min=0us").toString(), rfc.toString());
        assertEquals(1_000, withMin("0ms").minRtoUs());

        final IllegalArgumentException negative =
            assertThrows(IllegalArgumentException.class, () -> RtoStrategies.parse("rfc6298:min=-1ms"));
        assertTrue(negative.getMessage().contains("min"), negative.getMessage());
        final IllegalArgumentException unitless =
            assertThrows(IllegalArgumentException.class, () -> RtoStrategies.parse("rfc6298:min=5"));
        assertTrue(unitless.getMessage().contains("no unit"), unitless.getMessage());
    }

    private long withDefaultMinimumAfter(final long rttUs)
    {
        final long[] other = new long[3];
        final RtoStrategy rfc = RtoStrategies.parse("rfc6298");
        rfc.reset(other, 0);
        rfc.onRttSample(other, 0, rttUs, 0, 0, 0);
        return rfc.rtoUs(other, 0);
    }
}
