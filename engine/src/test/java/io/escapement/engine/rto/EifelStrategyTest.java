package io.escapement.engine.rto;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * RFC 6298 and the Eifel response of RFC 4015, worked by hand. Times are microseconds; "ms" in comments are
 * milliseconds. Defaults: min 1 s, max 60 s, initial 1 s, G 1 ms, K 4.
 */
class EifelStrategyTest
{
    /** The connection's slice sits between sentinels that no method may touch. */
    private static final int OFFSET = 2;
    private static final long SENTINEL = 0x0BAD_F00D_0BAD_F00DL;

    private EifelStrategy eifel;
    private long[] state;

    @BeforeEach
    void setUp()
    {
        use(EifelStrategy.withDefaults());
    }

    private void use(final EifelStrategy strategy)
    {
        eifel = strategy;
        state = new long[OFFSET + strategy.stateWords() + OFFSET + 1];
        Arrays.fill(state, SENTINEL);
        eifel.reset(state, OFFSET);
        assertSentinelsIntact();
    }

    private void sample(final long rttUs)
    {
        eifel.onRttSample(state, OFFSET, rttUs, 0, 0, 0);
        assertSentinelsIntact();
    }

    private void timeout()
    {
        eifel.onTimeout(state, OFFSET);
        assertSentinelsIntact();
    }

    private void spurious(final long rttUs)
    {
        eifel.onSpuriousTimeout(state, OFFSET, rttUs);
        assertSentinelsIntact();
    }

    private void assertSentinelsIntact()
    {
        for (int i = 0; i < state.length; i++)
        {
            if (i < OFFSET || i >= OFFSET + eifel.stateWords())
            {
                assertEquals(SENTINEL, state[i], "word " + i + " lies outside the slice and was changed");
            }
        }
    }

    private void assertEstimator(final long srtt, final long rttvar, final long rto, final int backoff)
    {
        assertEquals(srtt, eifel.srttUs(state, OFFSET), "SRTT");
        assertEquals(rttvar, eifel.rttvarUs(state, OFFSET), "RTTVAR");
        assertEquals(rto, eifel.rtoUs(state, OFFSET), "RTO");
        assertEquals(backoff, eifel.backoffCount(state, OFFSET), "backoff");
        assertSentinelsIntact();
    }

    /** Samples 500, 700, 300 ms: SRTT 496.875 ms, RTTVAR 234.375 ms, RTO 1434.375 ms (worked below). */
    private void feedThreeSamples()
    {
        sample(500_000);
        sample(700_000);
        sample(300_000);
    }

    @Test
    void shouldKeepAtMostFourWordsAndTouchOnlyItsSlice()
    {
        assertTrue(eifel.stateWords() >= 1 && eifel.stateWords() <= RtoStrategy.MAX_STATE_WORDS);
        timeout();
        spurious(Long.MAX_VALUE);
        sample(Long.MIN_VALUE);
        sample(Long.MAX_VALUE);
        for (int i = 0; i < 100; i++)
        {
            timeout();
        }
        spurious(-1);
        eifel.rtoUs(state, OFFSET);
        eifel.srttUs(state, OFFSET);
        eifel.rttvarUs(state, OFFSET);
        eifel.backoffCount(state, OFFSET);
        assertSentinelsIntact();
    }

    @Test
    void shouldArmTheInitialRtoWhenNoSampleYet()
    {
        // RFC 6298 2.1: RTO = 1 s; 5.5: doubled per expiry.
        assertEstimator(-1, -1, 1_000_000, 0);
        timeout();
        assertEstimator(-1, -1, 2_000_000, 1);
    }

    @Test
    void shouldFollowRfc6298WhenFedAHandWorkedSequence()
    {
        // 2.2, R = 500 ms: SRTT = 500, RTTVAR = 250, RTO = 500 + max(1, 4 * 250) = 1500 ms.
        sample(500_000);
        assertEstimator(500_000, 250_000, 1_500_000, 0);
        // 2.3, R' = 700 ms: RTTVAR = 3/4 * 250 + 1/4 * |500 - 700| = 187.5 + 50 = 237.5
        //                   SRTT = 7/8 * 500 + 1/8 * 700 = 437.5 + 87.5 = 525
        //                   RTO = 525 + 4 * 237.5 = 1475 ms.
        sample(700_000);
        assertEstimator(525_000, 237_500, 1_475_000, 0);
        // R' = 300 ms: RTTVAR = 3/4 * 237.5 + 1/4 * |525 - 300| = 178.125 + 56.25 = 234.375
        //              SRTT = 7/8 * 525 + 1/8 * 300 = 459.375 + 37.5 = 496.875
        //              RTO = 496.875 + 937.5 = 1434.375 ms.
        sample(300_000);
        assertEstimator(496_875, 234_375, 1_434_375, 0);
    }

    @Test
    void shouldRaiseTheRtoToMinWhenTheFormulaIsBelowIt()
    {
        // R = 100 ms: RTO = 100 + 200 = 300 ms, raised to 1 s (2.4); backoff doubles the raised RTO.
        sample(100_000);
        assertEstimator(100_000, 50_000, 1_000_000, 0);
        timeout();
        assertEquals(2_000_000, eifel.rtoUs(state, OFFSET));
    }

    @Test
    void shouldUseGranularityWhenFourRttvarIsBelowIt()
    {
        // min 1 us, G 10 ms. R = 2 ms: SRTT 2, RTTVAR 1, RTO = 2 + max(10, 4) = 12 ms.
        use(new EifelStrategy(1, 60_000_000, 1_000_000, 10_000));
        sample(2_000);
        assertEstimator(2_000, 1_000, 12_000, 0);
    }

    @Test
    void shouldDoubleTheRtoPerTimeoutAndCapItWhenBackedOff()
    {
        feedThreeSamples();
        // 1434.375 ms x 2^n: 2868.75, 5737.5, 11475, 22950, 45900 ms, then 91800 ms capped at 60 s.
        final long[] expected = {1_434_375, 2_868_750, 5_737_500, 11_475_000, 22_950_000, 45_900_000, 60_000_000,
            60_000_000};
        for (int count = 0; count < expected.length; count++)
        {
            assertEquals(count, eifel.backoffCount(state, OFFSET));
            assertEquals(expected[count], eifel.rtoUs(state, OFFSET), "backoff " + count);
            timeout();
        }
    }

    @Test
    void shouldEndTheBackoffWhenASampleArrives()
    {
        feedThreeSamples();
        timeout();
        timeout();
        assertEquals(5_737_500, eifel.rtoUs(state, OFFSET));
        // R' = 496.875 ms (= SRTT): RTTVAR = 3/4 * 234.375 = 175.78125, SRTT unchanged,
        // RTO = 496.875 + 703.125 = 1200 ms, backoff 0 (the RTO "collapses", RFC 6298 section 5).
        sample(496_875);
        assertEstimator(496_875, 175_781, 1_200_000, 0);
    }

    @Test
    void shouldFitTheNewRttWhenASpuriousTimeoutFollowsABackoff()
    {
        feedThreeSamples();
        timeout();
        timeout();
        timeout();
        assertEquals(11_475_000, eifel.rtoUs(state, OFFSET));
        // The path's RTT jumped to 3.2 s; the original transmission's ACK reveals the timeouts spurious.
        // RFC 4015: SRTT_prev = 496.875 + 2 * 1 = 498.875 ms, RTTVAR_prev = 234.375 ms.
        //   SRTT = max(498.875, 3200) = 3200 ms; RTTVAR = max(234.375, 1600) = 1600 ms;
        //   RTO = 3200 + max(1, 4 * 1600) = 9600 ms, backoff ended.
        spurious(3_200_000);
        assertEstimator(3_200_000, 1_600_000, 9_600_000, 0);
    }

    @Test
    void shouldRestoreThePreTimeoutRtoWhenTheSpuriousSampleIsSmall()
    {
        feedThreeSamples();
        timeout();
        assertEquals(2_868_750, eifel.rtoUs(state, OFFSET));
        // A blip: the original's RTT is 400 ms. SRTT = max(498.875, 400) = 498.875 ms;
        // RTTVAR = max(234.375, 200) = 234.375 ms; RTO = 498.875 + 937.5 = 1436.375 ms (not 2868.75).
        spurious(400_000);
        assertEstimator(498_875, 234_375, 1_436_375, 0);
        // The estimator goes on from there. R' = 500 ms:
        //   RTTVAR = 3/4 * 234.375 + 1/4 * |498.875 - 500| = 175.78125 + 0.28125 = 176.0625 ms (176062.5 us,
        //   rounds half up to 176063); SRTT = 7/8 * 498.875 + 62.5 = 499.015625 ms (499015.625 us -> 499016);
        //   RTO = 499.015625 + 704.25 = 1203.265625 ms, rounded up to 1203266 us.
        sample(500_000);
        assertEstimator(499_016, 176_063, 1_203_266, 0);
    }

    @Test
    void shouldAddTwoGranularitiesToSrttWhenResponding()
    {
        // min 1 us, G 10 ms. R = 4 ms: SRTT 4, RTTVAR 2, RTO = 4 + max(10, 8) = 14 ms; expiry: 28 ms.
        use(new EifelStrategy(1, 60_000_000, 1_000_000, 10_000));
        sample(4_000);
        assertEstimator(4_000, 2_000, 14_000, 0);
        timeout();
        assertEquals(28_000, eifel.rtoUs(state, OFFSET));
        // Spurious, RTT 5 ms: SRTT = max(4 + 2 * 10, 5) = 24 ms; RTTVAR = max(2, 2.5) = 2.5 ms;
        // RTO = 24 + max(10, 10) = 34 ms.
        spurious(5_000);
        assertEstimator(24_000, 2_500, 34_000, 0);
    }

    @Test
    void shouldTakeTheSampleAsFirstWhenASpuriousTimeoutPrecedesAnySample()
    {
        timeout();
        assertEquals(2_000_000, eifel.rtoUs(state, OFFSET));
        // No SRTT_prev: R = 1.5 s is a first measurement (RFC 6298 2.2): SRTT 1.5 s, RTTVAR 0.75 s, RTO 4.5 s.
        spurious(1_500_000);
        assertEstimator(1_500_000, 750_000, 4_500_000, 0);
    }

    @Test
    void shouldIgnoreASpuriousTimeoutWhenNoTimeoutIsOutstanding()
    {
        spurious(2_000_000);
        assertEstimator(-1, -1, 1_000_000, 0);
        feedThreeSamples();
        spurious(2_000_000);
        assertEstimator(496_875, 234_375, 1_434_375, 0);
        timeout();
        sample(496_875); // a sample came first: the backoff is over, nothing is left to respond to
        spurious(2_000_000);
        assertEstimator(496_875, 175_781, 1_200_000, 0);
    }

    @Test
    void shouldReturnTheCapWithoutOverflowWhenTimedOutManyTimes()
    {
        sample(1);
        for (int i = 0; i < 10_000; i++)
        {
            timeout();
        }
        assertEquals(Backoff.MAX_COUNT, eifel.backoffCount(state, OFFSET), "the count stops where doubling stops");
        assertEquals(60_000_000, eifel.rtoUs(state, OFFSET));
    }

    @Test
    void shouldClampHugeAndNegativeSamplesWhenSampled()
    {
        sample(Long.MAX_VALUE);
        assertEstimator(RtoStrategy.MAX_SAMPLE_US, RtoStrategy.MAX_SAMPLE_US / 2, 60_000_000, 0);
        timeout();
        spurious(Long.MAX_VALUE);
        assertEstimator(RtoStrategy.MAX_SAMPLE_US + 2_000, RtoStrategy.MAX_SAMPLE_US / 2, 60_000_000, 0);
        eifel.reset(state, OFFSET);
        sample(-3);
        assertEstimator(0, 0, 1_000_000, 0);
    }

    @Test
    void shouldStayWithinItsBoundsWhenFedExtremes()
    {
        use(new EifelStrategy(1, 3_600_000_000L, 1, 1));
        final long[] samples = {0, 1, 7, 999, 333_000, 5_000_000, RtoStrategy.MAX_SAMPLE_US, Long.MAX_VALUE,
            Long.MIN_VALUE};
        for (final long rtt : samples)
        {
            sample(rtt);
            for (int i = 0; i < 70; i++)
            {
                final long rto = eifel.rtoUs(state, OFFSET);
                assertTrue(rto >= eifel.minRtoUs() && rto <= eifel.maxRtoUs(), "RTO " + rto);
                timeout();
            }
            spurious(rtt);
            final long rto = eifel.rtoUs(state, OFFSET);
            assertTrue(rto >= eifel.minRtoUs() && rto <= eifel.maxRtoUs(), "RTO " + rto);
        }
    }

    @Test
    void shouldRejectAnInitialRtoOutsideMinAndMax()
    {
        assertThrows(IllegalArgumentException.class, () -> new EifelStrategy(2_000_000, 60_000_000, 1_000_000, 1_000));
        assertThrows(IllegalArgumentException.class, () -> new EifelStrategy(100_000, 500_000, 1_000_000, 1_000));
    }

    @Test
    void shouldShowDefaultsWhenPrinted()
    {
        assertEquals("eifel(min=1s,max=60s,initial=1s,granularity=1ms)", eifel.toString());
        assertEquals(eifel.toString(), EifelStrategy.fromParameters(RtoParameters.none("eifel")).toString());
        assertEquals(EifelStrategy.NAME, eifel.name());
    }

    @Test
    void shouldReadEveryParameterWhenBuiltFromParameters()
    {
        final EifelStrategy parsed = EifelStrategy.fromParameters(parameters(
            "min", "200ms", "max", "120s", "initial", "3s", "granularity", "500us"));
        assertEquals("eifel(min=200ms,max=120s,initial=3s,granularity=500us)", parsed.toString());
        assertEquals(200_000, parsed.minRtoUs());
        assertEquals(120_000_000, parsed.maxRtoUs());
        // A min above the default max is an error, as for rfc6298: raise max with it.
        assertThrows(IllegalArgumentException.class, () -> EifelStrategy.fromParameters(parameters("min", "90s")));
    }

    @Test
    void shouldNameTheParameterWhenAParameterIsInvalid()
    {
        assertMessage("eifel: min=-1us and max=60s must satisfy 0 <= min <= max",
            () -> new EifelStrategy(-1, 60_000_000, 1_000_000, 1_000));
        assertMessage("eifel: min=1s and max=500ms must satisfy 0 <= min <= max",
            () -> new EifelStrategy(1_000_000, 500_000, 1_000_000, 1_000));
        assertMessage("eifel: initial=-1s must lie within [min, max] = [1s, 60s]",
            () -> new EifelStrategy(1_000_000, 60_000_000, -1_000_000, 1_000));
        assertMessage("eifel: granularity=-1us must be at least 1us",
            () -> new EifelStrategy(1_000_000, 60_000_000, 1_000_000, -1));
    }

    @Test
    void shouldNameTheParameterWhenASpecificationIsInvalid()
    {
        assertMessage("strategy eifel: parameter max=500ms is invalid, expected a duration from 60s to 86400s",
            () -> EifelStrategy.fromParameters(parameters("max", "500ms")));
        assertMessage("strategy eifel: parameter min=7200s is invalid, expected a duration from 0s to 3600s",
            () -> EifelStrategy.fromParameters(parameters("min", "7200s")));
        assertMessageNames("granularity", "NaNs",
            () -> EifelStrategy.fromParameters(parameters("granularity", "NaNs")));
        assertMessageNames("initial", "-1ms", () -> EifelStrategy.fromParameters(parameters("initial", "-1ms")));
        final IllegalArgumentException unknown = assertThrows(IllegalArgumentException.class,
            () -> EifelStrategy.fromParameters(parameters("maxAckDelay", "1ms")));
        assertTrue(unknown.getMessage().startsWith("strategy eifel has no parameter 'maxAckDelay'"),
            unknown.getMessage());
    }

    private static RtoParameters parameters(final String... keysAndValues)
    {
        final Map<String, String> values = new LinkedHashMap<>();
        for (int i = 0; i < keysAndValues.length; i += 2)
        {
            values.put(keysAndValues[i], keysAndValues[i + 1]);
        }
        return new RtoParameters("eifel", values);
    }

    /** A malformed duration: the message names the strategy, the parameter and the text given. */
    private static void assertMessageNames(final String key, final String text, final Runnable action)
    {
        final IllegalArgumentException e = assertThrows(IllegalArgumentException.class, action::run);
        assertTrue(e.getMessage().contains("strategy eifel"), e.getMessage());
        assertTrue(e.getMessage().contains(key), e.getMessage());
        assertTrue(e.getMessage().contains("'" + text + "'"), e.getMessage());
    }

    private static void assertMessage(final String expected, final Runnable action)
    {
        final IllegalArgumentException e = assertThrows(IllegalArgumentException.class, action::run);
        assertEquals(expected, e.getMessage());
    }
}
