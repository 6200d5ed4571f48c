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
 * RFC 9002 sections 5 and 6.2, worked by hand. Times are microseconds; "ms" in comments are milliseconds.
 * Defaults: max_ack_delay 25 ms, kInitialRtt 333 ms, kGranularity 1 ms, cap 120 s.
 */
class QuicStrategyTest
{
    /** The connection's slice sits between sentinels that no method may touch. */
    private static final int OFFSET = 3;
    private static final long SENTINEL = 0x5EED_5EED_5EED_5EEDL;

    private QuicStrategy quic;
    private long[] state;

    @BeforeEach
    void setUp()
    {
        use(QuicStrategy.withDefaults());
    }

    private void use(final QuicStrategy strategy)
    {
        quic = strategy;
        state = new long[OFFSET + strategy.stateWords() + OFFSET];
        Arrays.fill(state, SENTINEL);
        quic.reset(state, OFFSET);
        assertSentinelsIntact();
    }

    private void sample(final long rttUs, final long ackDelayUs)
    {
        quic.onRttSample(state, OFFSET, rttUs, ackDelayUs, 0, 0);
        assertSentinelsIntact();
    }

    private void timeout()
    {
        quic.onTimeout(state, OFFSET);
        assertSentinelsIntact();
    }

    private void assertSentinelsIntact()
    {
        for (int i = 0; i < state.length; i++)
        {
            if (i < OFFSET || i >= OFFSET + quic.stateWords())
            {
                assertEquals(SENTINEL, state[i], "word " + i + " lies outside the slice and was changed");
            }
        }
    }

    private void assertEstimator(final long srtt, final long rttvar, final long minRtt, final long pto)
    {
        assertEquals(srtt, quic.srttUs(state, OFFSET), "smoothed_rtt");
        assertEquals(rttvar, quic.rttvarUs(state, OFFSET), "rttvar");
        assertEquals(minRtt, quic.minRttUs(state, OFFSET), "min_rtt");
        assertEquals(pto, quic.rtoUs(state, OFFSET), "PTO");
        assertSentinelsIntact();
    }

    @Test
    void shouldKeepAtMostFourWordsAndTouchOnlyItsSlice()
    {
        assertTrue(quic.stateWords() >= 1 && quic.stateWords() <= RtoStrategy.MAX_STATE_WORDS);
        sample(100_000, 10_000);
        sample(Long.MAX_VALUE, Long.MAX_VALUE);
        sample(-5, -5);
        for (int i = 0; i < 100; i++)
        {
            timeout();
        }
        quic.onSpuriousTimeout(state, OFFSET, 50_000);
        quic.rtoUs(state, OFFSET);
        quic.srttUs(state, OFFSET);
        quic.rttvarUs(state, OFFSET);
        quic.minRttUs(state, OFFSET);
        quic.backoffCount(state, OFFSET);
        assertSentinelsIntact();
    }

    @Test
    void shouldArmA999MsPtoWithoutMaxAckDelayWhenNoSampleYet()
    {
        // kInitialRtt: smoothed_rtt = 333 ms, rttvar = 166.5 ms (RFC 9002 6.2.2); Initial/Handshake PTO leaves
        // max_ack_delay out (6.2.1): 333 + max(4 * 166.5, 1) + 0 = 333 + 666 = 999 ms.
        assertEstimator(-1, -1, -1, 999_000);
        assertEquals(999_000, quic.initialPtoUs());
        assertEquals(0, quic.backoffCount(state, OFFSET));
    }

    @Test
    void shouldFollowRfc9002WhenFedAHandWorkedSequence()
    {
        // Sample 1: latest_rtt 100 ms, ack_delay 10 ms. First sample: ack_delay ignored (5.3).
        //   min_rtt = 100, smoothed_rtt = 100, rttvar = 50.
        //   PTO = 100 + max(200, 1) + 25 = 325 ms.
        sample(100_000, 10_000);
        assertEstimator(100_000, 50_000, 100_000, 325_000);

        // Sample 2: latest_rtt 120 ms, ack_delay 15 ms (below max_ack_delay 25).
        //   min_rtt = min(100, 120) = 100. 120 >= 100 + 15, so adjusted_rtt = 120 - 15 = 105.
        //   rttvar = 3/4 * 50 + 1/4 * |100 - 105| = 37.5 + 1.25 = 38.75
        //   smoothed_rtt = 7/8 * 100 + 1/8 * 105 = 87.5 + 13.125 = 100.625
        //   PTO = 100.625 + max(155, 1) + 25 = 280.625 ms.
        sample(120_000, 15_000);
        assertEstimator(100_625, 38_750, 100_000, 280_625);

        // Sample 3: latest_rtt 110 ms, ack_delay 20 ms. 110 < 100 + 20: implausible, adjusted_rtt = 110.
        //   rttvar = 3/4 * 38.75 + 1/4 * |100.625 - 110| = 29.0625 + 2.34375 = 31.40625
        //   smoothed_rtt = 7/8 * 100.625 + 1/8 * 110 = 88.046875 + 13.75 = 101.796875
        //   PTO = 101.796875 + 125.625 + 25 = 252.421875 ms = 252421.875 us, rounded up to 252422.
        //   smoothed_rtt 101796.875 us rounds to 101797; rttvar 31406.25 us rounds to 31406.
        sample(110_000, 20_000);
        assertEstimator(101_797, 31_406, 100_000, 252_422);

        // Sample 4: latest_rtt 90 ms, ack_delay 50 ms limited to max_ack_delay 25 ms.
        //   min_rtt = 90 (a new minimum, taken before the check). 90 < 90 + 25: adjusted_rtt = 90.
        //   rttvar = 3/4 * 31.40625 + 1/4 * |101.796875 - 90| = 23.5546875 + 2.94921875 = 26.50390625
        //   smoothed_rtt = 7/8 * 101.796875 + 1/8 * 90 = 89.072265625 + 11.25 = 100.322265625
        //   PTO = 100.322265625 + 106.015625 + 25 = 231.337890625 ms, up to 231338 us.
        sample(90_000, 50_000);
        assertEstimator(100_322, 26_504, 90_000, 231_338);

        // Sample 5: latest_rtt 150 ms, ack_delay 40 ms limited to 25 ms. 150 >= 90 + 25: adjusted_rtt = 125
        // (with an unlimited ack_delay it would have been 110).
        //   rttvar = 3/4 * 26.50390625 + 1/4 * |100.322265625 - 125| = 19.8779296875 + 6.16943359375
        //          = 26.04736328125
        //   smoothed_rtt = 7/8 * 100.322265625 + 1/8 * 125 = 87.781982421875 + 15.625 = 103.406982421875
        //   PTO = 103.406982421875 + 104.189453125 + 25 = 232.596435546875 ms, up to 232597 us.
        sample(150_000, 40_000);
        assertEstimator(103_407, 26_047, 90_000, 232_597);
    }

    @Test
    void shouldSubtractAckDelayWhenLatestRttEqualsMinRttPlusAckDelay()
    {
        // RFC 9002 5.3: the adjustment applies when latest_rtt >= min_rtt + ack_delay, equality included.
        sample(100_000, 0);
        // 110 >= 100 + 10: adjusted_rtt = 100. rttvar = 3/4 * 50 + 1/4 * 0 = 37.5; smoothed_rtt stays 100.
        // PTO = 100 + 150 + 25 = 275 ms.
        sample(110_000, 10_000);
        assertEstimator(100_000, 37_500, 100_000, 275_000);
    }

    @Test
    void shouldIgnoreAckDelayWhenItWouldTakeTheSampleBelowMinRtt()
    {
        sample(100_000, 0);
        // 105 < 100 + 10: adjusted_rtt = latest_rtt = 105.
        // rttvar = 3/4 * 50 + 1/4 * 5 = 38.75; smoothed_rtt = 87.5 + 13.125 = 100.625.
        sample(105_000, 10_000);
        assertEstimator(100_625, 38_750, 100_000, 280_625);
    }

    @Test
    void shouldTreatNegativeAckDelayAsZeroWhenSampled()
    {
        sample(100_000, 0);
        // ack_delay -7 ms counts as 0: adjusted_rtt = 120. rttvar = 37.5 + 5 = 42.5; smoothed = 87.5 + 15 = 102.5.
        sample(120_000, -7_000);
        assertEstimator(102_500, 42_500, 100_000, 102_500 + 170_000 + 25_000);
    }

    @Test
    void shouldDoubleThePtoPerTimeoutAndCapItWhenBackedOff()
    {
        // No sample: 999 ms, then 999 * 2^n, capped at 120 s: 999 * 64 = 63.936 s, 999 * 128 = 127.872 s > 120 s.
        final long[] expected = {999_000, 1_998_000, 3_996_000, 7_992_000, 15_984_000, 31_968_000, 63_936_000,
            120_000_000, 120_000_000};
        for (int count = 0; count < expected.length; count++)
        {
            assertEquals(count, quic.backoffCount(state, OFFSET));
            assertEquals(expected[count], quic.rtoUs(state, OFFSET), "pto_count " + count);
            timeout();
        }
    }

    @Test
    void shouldDoubleMaxAckDelayWithTheRestWhenBackedOffAfterASample()
    {
        // Appendix A.8: max_ack_delay * 2^pto_count as well. PTO 325 ms -> 650 -> 1300 ms.
        sample(100_000, 0);
        timeout();
        assertEquals(650_000, quic.rtoUs(state, OFFSET));
        timeout();
        assertEquals(1_300_000, quic.rtoUs(state, OFFSET));
        assertEquals(2, quic.backoffCount(state, OFFSET));
    }

    @Test
    void shouldResetBackoffWhenASampleArrives()
    {
        timeout();
        timeout();
        assertEquals(3_996_000, quic.rtoUs(state, OFFSET));
        // First sample 200 ms: smoothed 200, rttvar 100, PTO = 200 + 400 + 25 = 625 ms, pto_count 0.
        sample(200_000, 0);
        assertEquals(0, quic.backoffCount(state, OFFSET));
        assertEstimator(200_000, 100_000, 200_000, 625_000);
        timeout();
        // Second sample 200 ms: rttvar = 75, smoothed 200: PTO = 200 + 300 + 25 = 525 ms, pto_count 0.
        sample(200_000, 0);
        assertEquals(0, quic.backoffCount(state, OFFSET));
        assertEstimator(200_000, 75_000, 200_000, 525_000);
    }

    @Test
    void shouldReturnTheCapWithoutOverflowWhenTimedOutManyTimes()
    {
        sample(Long.MAX_VALUE, 0); // clamped to one hour
        for (int i = 0; i < 10_000; i++)
        {
            timeout();
        }
        assertEquals(10_000, quic.backoffCount(state, OFFSET));
        assertEquals(120_000_000, quic.rtoUs(state, OFFSET));
        // White box: pto_count is word 3; counting to 2^31 by calls would take too long.
        state[OFFSET + 3] = Integer.MAX_VALUE - 1;
        timeout();
        timeout();
        assertEquals(Integer.MAX_VALUE, quic.backoffCount(state, OFFSET));
        assertEquals(120_000_000, quic.rtoUs(state, OFFSET));
    }

    @Test
    void shouldClampHugeAndNegativeSamplesWhenSampled()
    {
        sample(Long.MAX_VALUE, Long.MAX_VALUE);
        // latest_rtt clamped to 1 h: smoothed 3600 s, rttvar 1800 s, PTO far above the cap.
        assertEstimator(RtoStrategy.MAX_SAMPLE_US, RtoStrategy.MAX_SAMPLE_US / 2, RtoStrategy.MAX_SAMPLE_US,
            120_000_000);

        quic.reset(state, OFFSET);
        sample(-1, 0);
        // latest_rtt clamped to 0: smoothed 0, rttvar 0, PTO = 0 + max(0, 1 ms) + 25 ms = 26 ms, the least PTO.
        assertEstimator(0, 0, 0, 26_000);
        assertEquals(26_000, quic.minRtoUs());
        sample(0, 0);
        assertEquals(quic.minRtoUs(), quic.rtoUs(state, OFFSET));
    }

    @Test
    void shouldStayWithinItsBoundsWhenFedExtremes()
    {
        final long[] samples = {0, 1, 7, 999, 25_000, 333_000, 5_000_000, RtoStrategy.MAX_SAMPLE_US, Long.MAX_VALUE,
            Long.MIN_VALUE};
        for (final long rtt : samples)
        {
            for (final long delay : samples)
            {
                sample(rtt, delay);
                for (int i = 0; i < 70; i++)
                {
                    final long pto = quic.rtoUs(state, OFFSET);
                    assertTrue(pto >= quic.minRtoUs() && pto <= quic.maxRtoUs(), "PTO " + pto);
                    timeout();
                }
            }
        }
    }

    @Test
    void shouldUseItsParametersWhenGivenThem()
    {
        // maxAckDelay 10 ms, kInitialRtt 100 ms, kGranularity 100 ms, cap 1 s.
        use(new QuicStrategy(10_000, 100_000, 100_000, 1_000_000));
        // No sample: 100 + max(4 * 50, 100) = 300 ms, then 600 ms, then 1.2 s capped at 1 s.
        assertEquals(300_000, quic.rtoUs(state, OFFSET));
        timeout();
        assertEquals(600_000, quic.rtoUs(state, OFFSET));
        timeout();
        assertEquals(1_000_000, quic.rtoUs(state, OFFSET));
        // Sample 20 ms: smoothed 20, rttvar 10: PTO = 20 + max(40, 100) + 10 = 130 ms (kGranularity binds).
        sample(20_000, 0);
        assertEstimator(20_000, 10_000, 20_000, 130_000);
        // min(300 ms, 100 ms + 10 ms) = 110 ms.
        assertEquals(110_000, quic.minRtoUs());
        assertEquals(1_000_000, quic.maxRtoUs());
    }

    @Test
    void shouldReadEveryParameterWhenBuiltFromParameters()
    {
        final QuicStrategy parsed = QuicStrategy.fromParameters(parameters(
            "maxAckDelay", "10ms", "initialRtt", "0.1s", "granularity", "100ms", "max", "1s"));
        assertEquals("quic:maxAckDelay=10ms,initialRtt=100ms,granularity=100ms,max=1s", parsed.toString());
        assertEquals(QuicStrategy.NAME, parsed.name());
    }

    @Test
    void shouldShowDefaultsWhenPrinted()
    {
        assertEquals("quic:maxAckDelay=25ms,initialRtt=333ms,granularity=1ms,max=120s", quic.toString());
        assertEquals(quic.toString(), QuicStrategy.fromParameters(RtoParameters.none("quic")).toString());
        assertEquals(999_000, quic.initialPtoUs());
    }

    @Test
    void shouldNameTheParameterWhenAParameterIsInvalid()
    {
        assertMessage("strategy quic: parameter maxAckDelay=-1us is invalid, expected a duration from 0s to 16383ms",
            () -> new QuicStrategy(-1, 333_000, 1_000, 60_000_000));
        assertMessage("strategy quic: parameter maxAckDelay=20s is invalid, expected a duration from 0s to 16383ms",
            () -> new QuicStrategy(20_000_000, 333_000, 1_000, 60_000_000));
        assertMessage("strategy quic: parameter initialRtt=0s is invalid, expected a duration from 1us to 3600s",
            () -> new QuicStrategy(25_000, 0, 1_000, 60_000_000));
        assertMessage("strategy quic: parameter granularity=0s is invalid, expected a duration from 1us to 86400s",
            () -> new QuicStrategy(25_000, 333_000, 0, 60_000_000));
        assertMessage("strategy quic: parameter max=500us is invalid, expected a duration from 1ms to 86400s " +
            "(at least granularity)", () -> new QuicStrategy(25_000, 333_000, 1_000, 500));
        assertMessage("strategy quic: parameter max=-5s is invalid, expected a duration from 1ms to 86400s " +
            "(at least granularity)", () -> new QuicStrategy(25_000, 333_000, 1_000, -5_000_000));
    }

    @Test
    void shouldNameTheParameterWhenASpecificationIsInvalid()
    {
        assertMessage("strategy quic: parameter max=500us is invalid, expected a duration from 1ms to 86400s",
            () -> QuicStrategy.fromParameters(parameters("max", "500us")));
        assertMessage("strategy quic: parameter maxAckDelay=16.4s is invalid, expected a duration from 0s to " +
            "16383ms", () -> QuicStrategy.fromParameters(parameters("maxAckDelay", "16.4s")));
        assertMessageNames("initialRtt", "NaNms", () -> QuicStrategy.fromParameters(parameters("initialRtt", "NaNms")));
        assertMessageNames("max", "60", () -> QuicStrategy.fromParameters(parameters("max", "60")));
        final IllegalArgumentException unknown = assertThrows(IllegalArgumentException.class,
            () -> QuicStrategy.fromParameters(parameters("min", "1ms")));
        assertTrue(unknown.getMessage().startsWith("strategy quic has no parameter 'min'"), unknown.getMessage());
        assertTrue(unknown.getMessage().contains("maxAckDelay"), unknown.getMessage());
    }

    private static RtoParameters parameters(final String... keysAndValues)
    {
        final Map<String, String> values = new LinkedHashMap<>();
        for (int i = 0; i < keysAndValues.length; i += 2)
        {
            values.put(keysAndValues[i], keysAndValues[i + 1]);
        }
        return new RtoParameters("quic", values);
    }

    /** A malformed duration: the message names the strategy, the parameter and the text given. */
    private static void assertMessageNames(final String key, final String text, final Runnable action)
    {
        final IllegalArgumentException e = assertThrows(IllegalArgumentException.class, action::run);
        assertTrue(e.getMessage().contains("strategy quic"), e.getMessage());
        assertTrue(e.getMessage().contains(key), e.getMessage());
        assertTrue(e.getMessage().contains("'" + text + "'"), e.getMessage());
    }

    private static void assertMessage(final String expected, final Runnable action)
    {
        final IllegalArgumentException e = assertThrows(IllegalArgumentException.class, action::run);
        assertEquals(expected, e.getMessage());
    }
}
