package io.escapement.engine.rto;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.Arrays;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Expected values are worked by hand from the kernel's arithmetic (Linux 6.10 {@code tcp_rtt_estimator()},
 * {@code tcp_set_rto()}, {@code usecs_to_jiffies()}); the working is in the comments. They were also checked
 * against a C transcription of those functions with the kernel's u32 types.
 */
class LinuxStrategyTest
{
    private static final long MS = 1_000;
    private static final long S = 1_000_000;

    /**
     * One connection, HZ=1000, rto_min 200 ms: {rtt, snd_una, snd_nxt} per ACK. Samples 1 to 3 fall within the
     * first round trip (rtt_seq = 10000), sample 4 ends it (snd_una 10001 is after 10000), sample 6 ends the next
     * (rtt_seq = 20000).
     */
    private static final long[][] SEQUENCE = {
        {300_000, 0, 10_000},
        {500_000, 4_000, 12_000},
        {200_000, 8_000, 14_000},
        {10_000, 10_001, 20_000},
        {280_000, 15_000, 22_000},
        {270_000, 20_001, 30_000},
    };

    private final long[] state = new long[4];

    private static LinuxStrategy strategy(final int hz)
    {
        return new LinuxStrategy(hz, 200 * MS, 120 * S, S);
    }

    private static LinuxStrategy parse(final Map<String, String> values)
    {
        return LinuxStrategy.fromParameters(new RtoParameters(LinuxStrategy.NAME, values));
    }

    private void sample(final LinuxStrategy linux, final long rttUs, final long sndUna, final long sndNxt)
    {
        linux.onRttSample(state, 0, rttUs, 0, sndUna, sndNxt);
    }

    private void assertEstimator(final LinuxStrategy linux, final long srttX8, final long mdev, final long mdevMax,
        final long rttvar, final long rttSeq, final long rtoUs)
    {
        assertEquals(srttX8 >> 3, linux.srttUs(state, 0), "srtt");
        assertEquals(mdev, linux.mdevUs(state, 0), "mdev");
        assertEquals(mdevMax, linux.mdevMaxUs(state, 0), "mdev_max");
        assertEquals(rttvar, linux.rttvarUs(state, 0), "rttvar");
        assertEquals(rttSeq, linux.rttSeq(state, 0), "rtt_seq");
        assertEquals(rtoUs, linux.rtoUs(state, 0), "rto");
    }

    @Test
    void shouldArmOneSecondWithNoEstimateWhenNoSampleYet()
    {
        final LinuxStrategy linux = LinuxStrategy.withDefaults();
        linux.reset(state, 0);

        assertEquals(S, linux.rtoUs(state, 0)); // TCP_TIMEOUT_INIT
        assertEquals(-1, linux.srttUs(state, 0));
        assertEquals(-1, linux.rttvarUs(state, 0));
        assertEquals(0, linux.backoffCount(state, 0));
        assertEquals("linux", linux.name());
        assertTrue(linux.stateWords() >= 1 && linux.stateWords() <= RtoStrategy.MAX_STATE_WORDS);
    }

    @Test
    void shouldFollowKernelArithmeticStepByStepWhenSamplesRiseFallAndRoundTripsEnd()
    {
        final LinuxStrategy linux = strategy(1000);
        linux.reset(state, 0);

        // 1. m = 300000, first sample: srtt = m << 3 = 2400000 (300 ms); mdev = m << 1 = 600000;
        //    rttvar = max(mdev, rto_min 200000) = 600000; mdev_max = rttvar = 600000; rtt_seq = snd_nxt = 10000.
        //    rto = usecs_to_jiffies(2400000 >> 3 + 600000 = 900000) = 900 jiffies = 900 ms (3 x RTT).
        sample(linux, 300_000, 0, 10_000);
        assertEstimator(linux, 2_400_000, 600_000, 600_000, 600_000, 10_000, 900 * MS);

        // 2. m = 500000, the RTT rose: m -= srtt >> 3 (300000): error 200000; srtt = 2400000 + 200000 = 2600000.
        //    m >= 0: m -= mdev >> 2 (150000): 50000; mdev = 600000 + 50000 = 650000 > mdev_max 600000, so
        //    mdev_max = 650000 > rttvar 600000, so rttvar = 650000. after(4000, 10000)? no.
        //    rto = 2600000 >> 3 (325000) + 650000 = 975000 us = 975 jiffies.
        sample(linux, 500_000, 4_000, 12_000);
        assertEstimator(linux, 2_600_000, 650_000, 650_000, 650_000, 10_000, 975 * MS);

        // 3. m = 200000, the RTT fell a little: error 200000 - 325000 = -125000; srtt = 2600000 - 125000 = 2475000.
        //    m < 0: m = 125000 - (mdev >> 2 = 162500) = -37500, not > 0 so not shifted; mdev = 650000 - 37500
        //    = 612500, not above mdev_max. after(8000, 10000)? no.
        //    rto = 2475000 >> 3 (309375) + 650000 = 959375 us, rounded up: 960 jiffies.
        sample(linux, 200_000, 8_000, 14_000);
        assertEstimator(linux, 2_475_000, 612_500, 650_000, 650_000, 10_000, 960 * MS);

        // 4. m = 10000, the RTT fell sharply: error 10000 - 309375 = -299375; srtt = 2475000 - 299375 = 2175625.
        //    m < 0: m = 299375 - (612500 >> 2 = 153125) = 146250 > 0, so m >>= 3: 18281 (plain Jacobson would add
        //    146250); mdev = 612500 + 18281 = 630781, not above mdev_max 650000.
        //    after(10001, 10000): the round trip ended. mdev_max 650000 < rttvar 650000? no: no decay.
        //    rtt_seq = 20000; mdev_max = rto_min 200000.
        //    rto = 2175625 >> 3 (271953) + 650000 = 921953 us: 922 jiffies.
        sample(linux, 10_000, 10_001, 20_000);
        assertEstimator(linux, 2_175_625, 630_781, 200_000, 650_000, 20_000, 922 * MS);

        // 5. m = 280000: error 280000 - 271953 = 8047; srtt = 2175625 + 8047 = 2183672.
        //    m >= 0: m = 8047 - (630781 >> 2 = 157695) = -149648; mdev = 630781 - 149648 = 481133 > mdev_max
        //    200000, so mdev_max = 481133 (not above rttvar 650000). after(15000, 20000)? no.
        //    rto = 2183672 >> 3 (272959) + 650000 = 922959 us: 923 jiffies.
        sample(linux, 280_000, 15_000, 22_000);
        assertEstimator(linux, 2_183_672, 481_133, 481_133, 650_000, 20_000, 923 * MS);

        // 6. m = 270000: error 270000 - 272959 = -2959; srtt = 2183672 - 2959 = 2180713.
        //    m < 0: m = 2959 - (481133 >> 2 = 120283) = -117324, not shifted; mdev = 481133 - 117324 = 363809.
        //    after(20001, 20000): the round trip ended, and mdev_max 481133 < rttvar 650000: rttvar decays by
        //    (650000 - 481133) >> 2 = 168867 >> 2 = 42216 to 607784. rtt_seq = 30000; mdev_max = 200000.
        //    rto = 2180713 >> 3 (272589) + 607784 = 880373 us: 881 jiffies.
        sample(linux, 270_000, 20_001, 30_000);
        assertEstimator(linux, 2_180_713, 363_809, 200_000, 607_784, 30_000, 881 * MS);
    }

    /**
     * The same sequence at other HZ: the estimator is the same (rto_min is 200 ms at each), only the rounding of
     * srtt + rttvar up to a jiffy differs. Sums: 900000, 975000, 959375, 921953, 922959, 880373 us.
     */
    static Stream<Arguments> roundingPerHz()
    {
        return Stream.of(
            // 10 ms jiffies: 90, 97.5 -> 98, 95.9 -> 96, 92.2 -> 93, 92.3 -> 93, 88.04 -> 89
            Arguments.of(100, new long[]{900_000, 980_000, 960_000, 930_000, 930_000, 890_000}),
            // 4 ms jiffies: 225, 243.75 -> 244, 239.8 -> 240, 230.5 -> 231, 230.7 -> 231, 220.1 -> 221
            Arguments.of(250, new long[]{900_000, 976_000, 960_000, 924_000, 924_000, 884_000}),
            // 3333.3 us jiffies: 270, 292.5 -> 293, 287.8 -> 288, 276.6 -> 277, 276.9 -> 277, 264.1 -> 265;
            // back to us rounding down, as jiffies_to_usecs() does: 293 * 10^6 / 300 = 976666.7 -> 976666
            Arguments.of(300, new long[]{900_000, 976_666, 960_000, 923_333, 923_333, 883_333}),
            Arguments.of(1000, new long[]{900_000, 975_000, 960_000, 922_000, 923_000, 881_000}));
    }

    @ParameterizedTest
    @MethodSource("roundingPerHz")
    void shouldRoundRtoUpToWholeJiffiesWhenHzVaries(final int hz, final long[] expectedRtoUs)
    {
        final LinuxStrategy linux = strategy(hz);
        linux.reset(state, 0);
        for (int i = 0; i < SEQUENCE.length; i++)
        {
            sample(linux, SEQUENCE[i][0], SEQUENCE[i][1], SEQUENCE[i][2]);
            assertEquals(expectedRtoUs[i], linux.rtoUs(state, 0), "sample " + (i + 1) + " at HZ=" + hz);
        }
        assertEquals(607_784, linux.rttvarUs(state, 0));
    }

    @ParameterizedTest
    @ValueSource(longs = {(1L << 32) - 12_000, 1L << 32, 7L << 32, -15_000, Long.MIN_VALUE})
    void shouldEndRoundTripsTheSameWhenSequenceNumbersWrap(final long base)
    {
        // the base is added to every sequence number; only the low 32 bits count, compared with wraparound, so
        // rtt_seq crosses 2^32 between samples without changing what after(snd_una, rtt_seq) answers
        final LinuxStrategy linux = strategy(1000);
        final long[] reference = new long[4];
        linux.reset(state, 0);
        linux.reset(reference, 0);
        for (final long[] ack : SEQUENCE)
        {
            linux.onRttSample(reference, 0, ack[0], 0, ack[1], ack[2]);
            sample(linux, ack[0], base + ack[1], base + ack[2]);
            assertEquals(linux.rtoUs(reference, 0), linux.rtoUs(state, 0));
            assertEquals(linux.rttvarUs(reference, 0), linux.rttvarUs(state, 0));
            assertEquals(linux.mdevMaxUs(reference, 0), linux.mdevMaxUs(state, 0));
            assertEquals((linux.rttSeq(reference, 0) + base) & 0xFFFF_FFFFL, linux.rttSeq(state, 0));
        }
        assertEquals(607_784, linux.rttvarUs(state, 0)); // both ends of round trip were seen
        assertEquals((base + 30_000) & 0xFFFF_FFFFL, linux.rttSeq(state, 0));
    }

    @Test
    void shouldNotEndRoundTripWhenSndUnaIsHalfTheSequenceSpaceAway()
    {
        // after(a, b) is (s32)(b - a) < 0: a snd_una exactly 2^31 ahead of rtt_seq is after it, one more is before
        final LinuxStrategy linux = strategy(1000);
        linux.reset(state, 0);
        sample(linux, 300_000, 0, 10_000);
        sample(linux, 500_000, 4_000, 12_000); // mdev_max = rttvar = 650000, as in the sequence
        sample(linux, 100_000, 10_000 + (1L << 31), 99); // (s32)(10000 - (10000 + 2^31)) = -2^31 < 0: after
        assertEquals(99, linux.rttSeq(state, 0));

        linux.reset(state, 0);
        sample(linux, 300_000, 0, 10_000);
        sample(linux, 100_000, 10_001 + (1L << 31), 99); // (s32)(10000 - 10001 - 2^31) = 2^31 - 1 > 0: before
        assertEquals(10_000, linux.rttSeq(state, 0));
    }

    @Test
    void shouldArm204msWhenRttIsNearZeroAtHz250()
    {
        final LinuxStrategy linux = strategy(250);
        linux.reset(state, 0);

        // m = 100 us: srtt = 800 (100 us), mdev = 200, rttvar = max(200, rto_min) where rto_min is HZ/5 = 50
        // jiffies = 200000 us. rto = usecs_to_jiffies(100 + 200000) = (200100 + 3999) / 4000 = 51 jiffies = 204 ms.
        sample(linux, 100, 0, 1);
        assertEquals(100, linux.srttUs(state, 0));
        assertEquals(200 * MS, linux.rttvarUs(state, 0));
        assertEquals(204 * MS, linux.rtoUs(state, 0));
        assertEquals(200 * MS, linux.minRtoUs());
    }

    @Test
    void shouldArmExactly200msWhenRttIsZeroAtHz250()
    {
        final LinuxStrategy linux = strategy(250);
        linux.reset(state, 0);

        // m = 0: srtt = 0 << 3 = 0, kept as max(1U, 0) = 1 so that the connection counts as measured; srtt >> 3 = 0.
        // rto = usecs_to_jiffies(0 + 200000) = 50 jiffies = 200 ms exactly.
        sample(linux, 0, 0, 1);
        assertEquals(0, linux.srttUs(state, 0));
        assertEquals(200 * MS, linux.rtoUs(state, 0));

        // a second 0: m -= 1 >> 3 (0); srtt = 1 + 0 = 1; m -= mdev >> 2 (0): mdev stays 0. Still 200 ms.
        sample(linux, 0, 0, 1);
        assertEquals(0, linux.srttUs(state, 0));
        assertEquals(200 * MS, linux.rtoUs(state, 0));
    }

    @Test
    void shouldAddSrttRoundedUpToTheFloorWhenRttIsSmallAtHz1000()
    {
        final LinuxStrategy linux = strategy(1000);

        // rttvar is floored at rto_min (200000 us), and srtt comes on top, rounded up to the next 1 ms jiffy
        linux.reset(state, 0);
        sample(linux, 0, 0, 1); // 0 + 200000: 200 jiffies, exactly the floor
        assertEquals(200 * MS, linux.rtoUs(state, 0));

        linux.reset(state, 0);
        sample(linux, 1, 0, 1); // srtt 8 >> 3 = 1: 200001 us rounds up to 201 jiffies
        assertEquals(201 * MS, linux.rtoUs(state, 0));

        linux.reset(state, 0);
        sample(linux, 1_500, 0, 1); // 1500 + 200000 = 201500 us: 202 jiffies
        assertEquals(202 * MS, linux.rtoUs(state, 0));

        linux.reset(state, 0);
        sample(linux, 100_000, 0, 1); // mdev = 200000 = rto_min: rttvar 200000, 300000 us: 300 jiffies = 3 x RTT
        assertEquals(300 * MS, linux.rtoUs(state, 0));
    }

    @Test
    void shouldTreatNegativeSampleAsZeroWhenRttIsBelowZero()
    {
        final LinuxStrategy linux = strategy(1000);
        linux.reset(state, 0);
        sample(linux, -5_000, 0, 1);
        assertEquals(0, linux.srttUs(state, 0));
        assertEquals(200 * MS, linux.rtoUs(state, 0));
    }

    @Test
    void shouldConvertLikeTheKernelWhenHzDoesNotDivideOneMillion()
    {
        // HZ=300: include/generated/timeconst.h as kernel/time/timeconst.bc makes it (run with bc):
        // USEC_TO_HZ_MUL32 = 2638827907, USEC_TO_HZ_ADJ32 = 8795213412905, USEC_TO_HZ_SHR32 = 43
        final LinuxStrategy linux = strategy(300);
        final SplittableRandom random = new SplittableRandom(300);
        for (int i = 0; i < 100_000; i++)
        {
            final long us = i < 1_000 ? i : random.nextLong(1L << 31);
            final long kernel = (2_638_827_907L * us + 8_795_213_412_905L) >>> 43;
            assertEquals(kernel, linux.usecsToJiffies(us), "usecs_to_jiffies(" + us + ")");
            assertEquals((us * 300 + 999_999) / 1_000_000, kernel, "not the ceiling at " + us); // exact below 2^31
        }
        assertEquals(61, linux.usecsToJiffies(200_100));
        assertEquals(203_333, linux.jiffiesToUsecs(61)); // 61 * 10^6 / 300 = 203333.3, rounded down

        // the bc output for the other HZ Linux builds with that do not divide 10^6 (alpha's 1024, 24)
        final LinuxStrategy hz1024 = strategy(1024);
        final LinuxStrategy hz24 = strategy(24);
        for (int i = 0; i < 10_000; i++)
        {
            final long us = random.nextLong(1L << 31);
            assertEquals((2_251_799_814L * us + 2_198_882_518_063L) >>> 41, hz1024.usecsToJiffies(us));
            assertEquals((3_377_699_721L * us + 140_736_362_455_421L) >>> 47, hz24.usecsToJiffies(us));
        }
    }

    @Test
    void shouldArm203333usWhenRttIsNearZeroAtHz300()
    {
        final LinuxStrategy linux = strategy(300);
        linux.reset(state, 0);
        sample(linux, 100, 0, 1); // 200100 us -> 61 jiffies of 3333.3 us -> 203333 us
        assertEquals(203_333, linux.rtoUs(state, 0));
        assertEquals(200 * MS, linux.minRtoUs()); // 60 jiffies
    }

    @Test
    void shouldDoubleRtoPerTimeoutUpTo120sWhenTimerExpiresAndClearOnSample()
    {
        final LinuxStrategy linux = strategy(1000);
        linux.reset(state, 0);
        sample(linux, 300_000, 0, 10_000); // 900 ms, as in the sequence
        final long[] expectedMs = {1_800, 3_600, 7_200, 14_400, 28_800, 57_600, 115_200, 120_000, 120_000};
        for (int i = 0; i < expectedMs.length; i++)
        {
            linux.onTimeout(state, 0);
            assertEquals(i + 1, linux.backoffCount(state, 0));
            assertEquals(expectedMs[i] * MS, linux.rtoUs(state, 0), "after timeout " + (i + 1));
        }
        // the estimator is untouched by timeouts
        assertEquals(300_000, linux.srttUs(state, 0));
        assertEquals(600_000, linux.rttvarUs(state, 0));

        // a valid sample: tcp_set_rto() then icsk_backoff = 0; sample 2 of the sequence gives 975 ms
        sample(linux, 500_000, 4_000, 12_000);
        assertEquals(0, linux.backoffCount(state, 0));
        assertEquals(975 * MS, linux.rtoUs(state, 0));
    }

    @Test
    void shouldDoubleInitialRtoWhenTimeoutsComeBeforeAnySample()
    {
        final LinuxStrategy linux = LinuxStrategy.withDefaults();
        linux.reset(state, 0);
        final long[] expectedS = {2, 4, 8, 16, 32, 64, 120, 120}; // 128 s is capped at TCP_RTO_MAX
        for (final long seconds : expectedS)
        {
            linux.onTimeout(state, 0);
            assertEquals(seconds * S, linux.rtoUs(state, 0));
        }
        assertEquals(-1, linux.srttUs(state, 0));
    }

    @Test
    void shouldStayAtMaximumWithoutOverflowWhenTimeoutsNeverStop()
    {
        final LinuxStrategy linux = strategy(1000);
        linux.reset(state, 0);
        sample(linux, 1, 0, 1); // 201 ms
        long previous = linux.rtoUs(state, 0);
        for (int i = 0; i < 10_000; i++)
        {
            linux.onTimeout(state, 0);
            final long rto = linux.rtoUs(state, 0);
            assertTrue(rto >= previous && rto <= 120 * S, "rto " + rto + " after " + (i + 1) + " timeouts");
            previous = rto;
        }
        assertEquals(120 * S, linux.rtoUs(state, 0)); // 201 ms x 2^10 = 205.8 s was capped at the 10th
        assertEquals(Backoff.MAX_COUNT, linux.backoffCount(state, 0));
        assertEquals(1, linux.srttUs(state, 0)); // the count does not spill into srtt
    }

    @Test
    void shouldClampHugeSampleToOneHourWhenRttIsEnormous()
    {
        final LinuxStrategy linux = strategy(1000);
        linux.reset(state, 0);

        // m = 1 hour: srtt = 8 x 3.6e9 = 2.88e10 (past the kernel's u32, kept here), mdev = rttvar = 7.2e9;
        // srtt + rttvar is far beyond 120 s: rto = TCP_RTO_MAX
        sample(linux, Long.MAX_VALUE, 0, 1);
        assertEquals(RtoStrategy.MAX_SAMPLE_US, linux.srttUs(state, 0));
        assertEquals(2 * RtoStrategy.MAX_SAMPLE_US, linux.rttvarUs(state, 0));
        assertEquals(120 * S, linux.rtoUs(state, 0));

        // one 0 sample: error -3.6e9; srtt = 2.88e10 - 3.6e9 = 2.52e10 (3.15e9 us); m = 3.6e9 - (7.2e9 >> 2)
        // = 1.8e9 > 0, >>= 3: 2.25e8; mdev = 7.425e9 raises mdev_max and rttvar to 7.425e9
        sample(linux, 0, 0, 1);
        assertEquals(3_150_000_000L, linux.srttUs(state, 0));
        assertEquals(7_425_000_000L, linux.rttvarUs(state, 0));
        assertEquals(120 * S, linux.rtoUs(state, 0));
    }

    @Test
    void shouldStayWithinBoundsWhenHugeAndZeroSamplesAlternate()
    {
        final SplittableRandom random = new SplittableRandom(42);
        for (final int hz : new int[]{100, 250, 300, 1000, 1024, 7})
        {
            final LinuxStrategy linux = strategy(hz);
            linux.reset(state, 0);
            long una = random.nextLong();
            for (int i = 0; i < 20_000; i++)
            {
                final int kind = random.nextInt(6);
                if (kind == 0)
                {
                    linux.onTimeout(state, 0);
                }
                else
                {
                    final long rtt = kind == 1 ? Long.MAX_VALUE : kind == 2 ? 0 : kind == 3 ? Long.MIN_VALUE :
                        random.nextLong(RtoStrategy.MAX_SAMPLE_US + 1);
                    una += random.nextInt(100_000);
                    linux.onRttSample(state, 0, rtt, random.nextLong(), una, una + random.nextInt(1 << 20));
                }
                final long rto = linux.rtoUs(state, 0);
                assertTrue(rto >= linux.minRtoUs() && rto <= linux.maxRtoUs(), "rto " + rto + " at HZ=" + hz);
                final long srtt = linux.srttUs(state, 0);
                assertTrue(srtt >= -1 && srtt <= RtoStrategy.MAX_SAMPLE_US, "srtt " + srtt);
                final long rttvar = linux.rttvarUs(state, 0);
                assertTrue(rttvar == -1 || rttvar >= linux.minRtoUs() && rttvar < 1L << 36, "rttvar " + rttvar);
            }
        }
    }

    @Test
    void shouldTouchOnlyItsSliceWhenStateSharesAnArray()
    {
        final LinuxStrategy linux = strategy(250);
        assertTrue(linux.stateWords() <= RtoStrategy.MAX_STATE_WORDS);
        final int offset = 5;
        final long sentinel = 0x5A5A_5A5A_5A5A_5A5AL;
        final long[] shared = new long[offset + linux.stateWords() + 5];
        Arrays.fill(shared, sentinel);
        Arrays.fill(shared, offset, offset + linux.stateWords(), -1L); // garbage that reset must clear

        linux.reset(shared, offset);
        assertEquals(-1, linux.srttUs(shared, offset));
        assertEquals(0, linux.backoffCount(shared, offset));
        assertEquals(S, linux.rtoUs(shared, offset));
        for (final long[] ack : SEQUENCE)
        {
            linux.onRttSample(shared, offset, ack[0], 0, ack[1] + (1L << 32) - 12_000, ack[2] + (1L << 32) - 12_000);
            linux.onTimeout(shared, offset);
            linux.onSpuriousTimeout(shared, offset, ack[0]);
            linux.rtoUs(shared, offset);
        }
        linux.onRttSample(shared, offset, Long.MAX_VALUE, 0, -1, -1);
        for (int i = 0; i < 100; i++)
        {
            linux.onTimeout(shared, offset);
        }
        for (int i = 0; i < shared.length; i++)
        {
            if (i < offset || i >= offset + linux.stateWords())
            {
                assertEquals(sentinel, shared[i], "word " + i + " outside the slice was written");
            }
        }
        assertEquals(120 * S, linux.rtoUs(shared, offset));
    }

    @Test
    void shouldKeepConnectionsApartWhenSlicesAreAdjacent()
    {
        final LinuxStrategy linux = strategy(1000);
        final int words = linux.stateWords();
        final long[] table = new long[3 * words];
        for (int c = 0; c < 3; c++)
        {
            linux.reset(table, c * words);
        }
        for (final long[] ack : SEQUENCE)
        {
            linux.onRttSample(table, words, ack[0], 0, ack[1], ack[2]);
            linux.onTimeout(table, 0);
        }
        assertEquals(881 * MS, linux.rtoUs(table, words)); // the hand-worked sequence, undisturbed
        assertEquals(0, linux.backoffCount(table, words));
        assertEquals(64 * S, linux.rtoUs(table, 0)); // six timeouts from 1 s, no sample
        assertEquals(S, linux.rtoUs(table, 2 * words)); // untouched
        assertEquals(-1, linux.srttUs(table, 2 * words));
    }

    @Test
    void shouldDescribeEffectiveParametersWhenPrinted()
    {
        assertEquals("linux(hz=1000,min=200ms,max=120s,initial=1s)", LinuxStrategy.withDefaults().toString());
        assertEquals("linux(hz=250,min=200ms,max=60s,initial=3s)",
            parse(Map.of("hz", "250", "max", "60s", "initial", "3s")).toString());
        // 201 ms is 60.3 jiffies at HZ=300: 61 jiffies, 203333 us, which is what the timer can arm
        assertEquals("linux(hz=300,min=203333us,max=120s,initial=1s)",
            parse(Map.of("hz", "300", "min", "201ms")).toString());
    }

    @Test
    void shouldReadParametersAndMoveDefaultInitialIntoBoundsWhenGiven()
    {
        final LinuxStrategy linux = parse(Map.of("hz", "100", "min", "1s", "max", "30s", "initial", "2s"));
        assertEquals(100, linux.hz());
        assertEquals(S, linux.minRtoUs());
        assertEquals(30 * S, linux.maxRtoUs());
        linux.reset(state, 0);
        assertEquals(2 * S, linux.rtoUs(state, 0));

        // no initial given: 1 s moved into [min, max]
        assertEquals(3 * S, parse(Map.of("min", "3s")).initialRtoUs());
        assertEquals(500 * MS, parse(Map.of("max", "500ms")).initialRtoUs());

        // min rounds up to a whole jiffy, as msecs_to_jiffies() rounds ip route's rto_min
        assertEquals(10 * MS, parse(Map.of("hz", "100", "min", "1ms")).minRtoUs());
    }

    @Test
    void shouldNameUnknownParameterWhenGivenOne()
    {
        final IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
            () -> parse(Map.of("rto_min", "200ms")));
        assertEquals("strategy linux has no parameter 'rto_min'; its parameters are: hz, initial, max, min",
            e.getMessage());
    }

    @Test
    void shouldRejectMinAboveMaxWhenBothGiven()
    {
        final IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
            () -> parse(Map.of("min", "2s", "max", "1s")));
        assertEquals("strategy linux: parameter min=2s is invalid, expected at most max=1s", e.getMessage());

        final IllegalArgumentException direct = assertThrows(IllegalArgumentException.class,
            () -> new LinuxStrategy(1000, 2 * S, S, S));
        assertEquals("strategy linux: parameter min=2s is invalid, expected at most max=1s", direct.getMessage());
    }

    @Test
    void shouldGiveTheExactRtoWithNoJiffyRoundingWhenHzIsZero()
    {
        // RFC 6298 section 2.2 with Linux's floor: the first sample R gives SRTT = R and an RTO of
        // R + max(2R, rto_min) = 20.3 ms + 200 ms, to the microsecond; at HZ=1000 it is rounded up to 221 ms
        final LinuxStrategy exact = parse(Map.of("hz", "0"));
        assertEquals(0, exact.hz());
        exact.reset(state, 0);
        assertEquals(S, exact.rtoUs(state, 0));
        sample(exact, 20_300, 1, 2);
        assertEquals(220_300, exact.rtoUs(state, 0));
        exact.onTimeout(state, 0);
        assertEquals(440_600, exact.rtoUs(state, 0), "one backoff doubles the exact value");

        final LinuxStrategy jiffies = strategy(1000);
        jiffies.reset(state, 0);
        sample(jiffies, 20_300, 1, 2);
        assertEquals(221_000, jiffies.rtoUs(state, 0));
    }

    @Test
    void shouldRejectANegativeHz()
    {
        final IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
            () -> parse(Map.of("hz", "-1")));
        assertEquals("strategy linux: parameter hz=-1 is invalid, expected a whole number from 0 to 10000",
            e.getMessage());

        final IllegalArgumentException direct = assertThrows(IllegalArgumentException.class,
            () -> new LinuxStrategy(-1, 200 * MS, 120 * S, S));
        assertEquals("strategy linux: parameter hz=-1 is invalid, expected a whole number from 1 to 10000, or 0 " +
            "for exact timers", direct.getMessage());
    }

    @Test
    void shouldRejectOutOfRangeValuesWhenConstructedDirectly()
    {
        final IllegalArgumentException max = assertThrows(IllegalArgumentException.class,
            () -> new LinuxStrategy(1000, 200 * MS, 121 * S, S));
        assertEquals("strategy linux: parameter max=121s is invalid, expected a duration from 1us to 120s " +
            "(TCP_RTO_MAX)", max.getMessage());

        final IllegalArgumentException min = assertThrows(IllegalArgumentException.class,
            () -> new LinuxStrategy(1000, 0, 120 * S, S));
        assertEquals("strategy linux: parameter min=0s is invalid, expected a duration from 1us to 120s",
            min.getMessage());

        final IllegalArgumentException initial = assertThrows(IllegalArgumentException.class,
            () -> new LinuxStrategy(1000, 200 * MS, 60 * S, 61 * S));
        assertEquals("strategy linux: parameter initial=61s is invalid, expected a duration from min=200ms to " +
            "max=60s", initial.getMessage());

        final IllegalArgumentException hz = assertThrows(IllegalArgumentException.class,
            () -> parse(Map.of("hz", "10001")));
        assertEquals("strategy linux: parameter hz=10001 is invalid, expected a whole number from 0 to 10000",
            hz.getMessage());
    }
}
