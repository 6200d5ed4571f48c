package io.escapement.simulator.compare;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@link Stats} against published tables and hand-computed intervals. */
class StatsTest
{
    /** Two-sided 95% (one-sided 0.975) quantiles from the NIST/SEMATECH e-Handbook, table 1.3.6.7.2. */
    @ParameterizedTest
    @CsvSource({"1, 12.706", "2, 4.303", "3, 3.182", "4, 2.776", "5, 2.571", "9, 2.262", "10, 2.228",
        "19, 2.093", "29, 2.045", "30, 2.042", "60, 2.000", "100, 1.984"})
    void shouldGiveStudentsTQuantilesOfThePublishedTable(final int df, final double published)
    {
        assertEquals(published, Stats.t975(df), 0.0005, "t(0.975, " + df + ")");
    }

    @Test
    void shouldComputeTheIntervalOfAMeanByHand()
    {
        // 1..5: mean 3, s = sqrt(2.5), half-width t(0.975, 4) * s / sqrt(5) = 2.776445 * 0.7071068 = 1.963243
        final Stats.Interval i = Stats.of(new double[]{1, 2, 3, 4, 5});
        assertEquals(5, i.n());
        assertEquals(3.0, i.mean(), 1e-12);
        assertEquals(1.963243, i.halfWidth(), 1e-6);
        assertEquals("3.00 ± 1.96", i.format(2));
    }

    @Test
    void shouldLeaveNaNsOutAndGiveNoIntervalForOneValue()
    {
        final Stats.Interval i = Stats.of(new double[]{Double.NaN, 4, Double.NaN});
        assertEquals(1, i.n());
        assertTrue(Double.isNaN(i.halfWidth()));
        assertFalse(i.excludesZero(), "one value cannot rank anything");
        assertEquals("4.0 (n=1)", i.format(1));
        assertEquals(0, Stats.of(new double[]{Double.NaN}).n());
    }

    @Test
    void shouldPairDifferencesSoThatSharedNoiseCancels()
    {
        // b = a + 1 on every seed, a itself spread widely: the paired interval is exactly 1 ± 0
        final double[] a = {10, 50, 90, 130};
        final double[] b = {11, 51, 91, 131};
        final Stats.Interval d = Stats.paired(a, b);
        assertEquals(1.0, d.mean(), 1e-12);
        assertEquals(0.0, d.halfWidth(), 1e-12);
        assertTrue(d.excludesZero());
        assertFalse(Stats.paired(a, new double[]{11, 49, 91, 129}).excludesZero(), "+1, -1, +1, -1 ranks nothing");
    }

    @Test
    void shouldRefuseZeroDegreesOfFreedom()
    {
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Stats.t975(0)).getMessage()
            .contains("degreesOfFreedom=0"));
    }
}
