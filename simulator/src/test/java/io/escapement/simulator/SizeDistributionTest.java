package io.escapement.simulator;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Per-connection message sizes: each shape against its definition, and bad specifications refused. */
class SizeDistributionTest
{
    private static final int MAX = 60 * 1448;
    private static final int DRAWS = 20_000;

    @TempDir
    Path dir;

    private static int[] draw(final String spec)
    {
        final SizeDistribution d = SizeDistribution.parse("--request-size", spec, MAX);
        final int[] sizes = new int[DRAWS];
        for (int conn = 0; conn < DRAWS; conn++)
        {
            sizes[conn] = d.bytesFor(1, conn, 0);
        }
        Arrays.sort(sizes);
        return sizes;
    }

    @Test
    void shouldDrawTheSameSizeForTheSameConnectionAndSideWhateverTheOrder()
    {
        final SizeDistribution d = SizeDistribution.parse("--request-size", "lognormal:median=500,sigma=1", MAX);
        final int late = d.bytesFor(9, 12_345, 1);
        for (int conn = 0; conn < 100; conn++)
        {
            d.bytesFor(9, conn, 0);
        }
        assertEquals(late, d.bytesFor(9, 12_345, 1));
    }

    @Test
    void shouldGiveEveryConnectionTheConstantSize()
    {
        final int[] sizes = draw("300");
        assertEquals(300, sizes[0]);
        assertEquals(300, sizes[DRAWS - 1]);
        assertTrue(SizeDistribution.parse("--request-size", "300", MAX).isConstant());
    }

    @Test
    void shouldAllowEmptyMessagesFromConstantUniformAndEmpiricalButNotFromLognormalOrPareto()
    {
        assertEquals(0, draw("0")[DRAWS - 1]);
        assertEquals(0, draw("uniform:0-3")[0]);
        assertTrue(draw("lognormal:median=1,sigma=5")[0] >= 1);
        assertTrue(draw("pareto:min=1,shape=0.5")[0] >= 1);
    }

    @Test
    void shouldDrawUniformlyBetweenBothBoundsInclusive()
    {
        final int[] sizes = draw("uniform:100-199");
        assertEquals(100, sizes[0]);
        assertEquals(199, sizes[DRAWS - 1]);
        final int median = sizes[DRAWS / 2];
        assertTrue(Math.abs(median - 149.5) <= 3, "median " + median);
    }

    @Test
    void shouldCentreTheLognormalOnItsMedian()
    {
        final int[] sizes = draw("lognormal:median=2000,sigma=1");
        final int median = sizes[DRAWS / 2];
        assertTrue(Math.abs(median - 2000) < 100, "median " + median);
        // P(X < median x e^sigma) = P(Z < 1) = 0.8413
        final long belowOneSigma = Arrays.stream(sizes).filter(s -> s < 2000 * Math.E).count();
        assertEquals(0.8413, belowOneSigma / (double)DRAWS, 0.01);
    }

    @Test
    void shouldGiveTheParetoItsMinimumAndItsTail()
    {
        final int[] sizes = draw("pareto:min=1000,shape=1.5");
        assertEquals(1000, sizes[0]);
        // P(X > x) = (min / x)^shape: above 4 x min, 1/8
        final long above = Arrays.stream(sizes).filter(s -> s > 4000).count();
        assertEquals(0.125, above / (double)DRAWS, 0.01);
        assertTrue(sizes[DRAWS - 1] <= MAX, "cut to 60 segments");
    }

    @Test
    void shouldDrawEachLineOfTheFileEquallyOften() throws IOException
    {
        final Path file = Files.writeString(dir.resolve("sizes.csv"), "# sizes seen\n100\n2000,a comment\n\n5000\n");
        final int[] sizes = draw("file:" + file);
        final Map<Integer, Integer> counts = new TreeMap<>();
        for (final int s : sizes)
        {
            counts.merge(s, 1, Integer::sum);
        }
        assertEquals(java.util.Set.of(100, 2000, 5000), counts.keySet());
        for (final int n : counts.values())
        {
            assertEquals(DRAWS / 3.0, n, DRAWS * 0.02);
        }
    }

    @Test
    void shouldRefuseBadSpecificationsNamingTheOption() throws IOException
    {
        final Path empty = Files.writeString(dir.resolve("empty.csv"), "# nothing\n\n");
        final Path malformed = Files.writeString(dir.resolve("bad.csv"), "100\nlots\n");
        final Path negative = Files.writeString(dir.resolve("negative.csv"), "100\n-5\n");
        final Map<String, String> bad = new TreeMap<>(Map.of(
            "86881", "--response-size '86881' is out of range: expected a size from 0 to 86880 bytes",
            "uniform:5-1", "expected 0 <= MIN <= MAX <= 86880 bytes",
            "lognormal:median=300", "sigma= is missing",
            "lognormal:median=300,sigma=-1", "expected a sigma from 0 to 10",
            "pareto:min=100,shape=0", "expected a shape above 0 and at most 100",
            "gauss:mean=3", "unknown distribution 'gauss'",
            "file:" + empty, "the file holds no sizes",
            "file:" + malformed, "line 2, 'lots', is not a whole number of bytes",
            "file:" + negative, "line 2, -5, is not a size from 0 to 86880 bytes",
            "file:" + dir.resolve("missing.csv"), "cannot read the file"));
        for (final Map.Entry<String, String> e : bad.entrySet())
        {
            final IllegalArgumentException thrown = assertThrows(IllegalArgumentException.class,
                () -> SizeDistribution.parse("--response-size", e.getKey(), MAX), e.getKey());
            assertTrue(thrown.getMessage().startsWith("--response-size '"), thrown.getMessage());
            assertTrue(thrown.getMessage().contains(e.getValue()), thrown.getMessage());
        }
    }
}
