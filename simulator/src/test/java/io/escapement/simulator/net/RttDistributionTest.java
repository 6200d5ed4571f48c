package io.escapement.simulator.net;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Per-connection base RTTs: each shape against its definition (bounds and mean of a uniform, the median and the
 * spread of a lognormal, the frequencies of an empirical file), a draw that depends on the seed and the connection
 * alone, and the network model's delays built on it. Tolerances are five standard deviations of the estimate.
 */
class RttDistributionTest
{
    @TempDir
    Path dir;

    private static final int N = 100_000;

    @Test
    void shouldKeepAPlainDurationAConstantRttAsBefore()
    {
        final RttDistribution d = RttDistribution.parse("--rtt", "20ms");
        assertTrue(d.isConstant());
        assertEquals(20_000, d.rttUs(1, 5));
        final NetworkModel network = NetworkModel.builder().rtt(d).build();
        assertEquals(null, network.rttDistribution());
        assertEquals(NetworkModel.builder().build().toString(), network.toString());
    }

    @Test
    void shouldDrawAUniformRttWithinItsBoundsAndWithItsMean()
    {
        final RttDistribution d = RttDistribution.parse("--rtt", "uniform:10ms-110ms");
        double sum = 0;
        long min = Long.MAX_VALUE;
        long max = Long.MIN_VALUE;
        for (int c = 0; c < N; c++)
        {
            final long rtt = d.rttUs(9, c);
            sum += rtt;
            min = Math.min(min, rtt);
            max = Math.max(max, rtt);
        }
        assertTrue(min >= 10_000 && max <= 110_000, min + ".." + max);
        assertTrue(min < 11_000 && max > 109_000, "the whole range is used: " + min + ".." + max);
        final double sd = 100_000 / Math.sqrt(12) / Math.sqrt(N);
        assertEquals(60_000, sum / N, 5 * sd);
    }

    @Test
    void shouldDrawALognormalRttWithItsMedianAndSigma()
    {
        final RttDistribution d = RttDistribution.parse("--rtt", "lognormal:median=40ms,sigma=0.8");
        assertEquals(40_000, d.medianUs());
        int below = 0;
        double sumLog = 0;
        double sumLog2 = 0;
        for (int c = 0; c < N; c++)
        {
            final long rtt = d.rttUs(3, c);
            below += rtt < 40_000 ? 1 : 0;
            final double l = Math.log(rtt / 40_000.0);
            sumLog += l;
            sumLog2 += l * l;
        }
        // below the median: binomial(N, 1/2)
        assertEquals(N / 2.0, below, 5 * Math.sqrt(N / 4.0));
        // log(rtt / median) is N(0, sigma^2): its mean and variance
        assertEquals(0, sumLog / N, 5 * 0.8 / Math.sqrt(N));
        final double variance = sumLog2 / N - (sumLog / N) * (sumLog / N);
        assertEquals(0.64, variance, 5 * 0.64 * Math.sqrt(2.0 / N));
    }

    @Test
    void shouldDrawEachLineOfAnRttFileEquallyOften() throws IOException
    {
        final Path file = dir.resolve("rtts.csv");
        Files.writeString(file, "# measured\n23.4,host-a\n\n80ms\n150\n23.4\n");
        final RttDistribution d = RttDistribution.parse("--rtt", "file:" + file);
        assertEquals(23_400, d.medianUs()); // sorted 23.4, 23.4, 80, 150: the lower middle
        final int[] counts = new int[3];
        for (int c = 0; c < N; c++)
        {
            final long rtt = d.rttUs(5, c);
            counts[rtt == 23_400 ? 0 : rtt == 80_000 ? 1 : rtt == 150_000 ? 2 : -1]++;
        }
        assertEquals(N / 2.0, counts[0], 5 * Math.sqrt(N * 0.25)); // two lines of four
        assertEquals(N / 4.0, counts[1], 5 * Math.sqrt(N * 0.1875));
        assertEquals(N / 4.0, counts[2], 5 * Math.sqrt(N * 0.1875));
    }

    @Test
    void shouldDrawOneRttPerConnectionFromTheSeedAloneWhateverTheOrderOfAsking()
    {
        final RttDistribution d = RttDistribution.parse("--rtt", "lognormal:median=50ms,sigma=1");
        final long[] forward = new long[1_000];
        for (int c = 0; c < forward.length; c++)
        {
            forward[c] = d.rttUs(42, c);
        }
        for (int c = forward.length - 1; c >= 0; c--)
        {
            assertEquals(forward[c], d.rttUs(42, c), "connection " + c);
        }
        assertTrue(Arrays.stream(forward).distinct().count() > 900, "connections differ");
        assertNotEquals(d.rttUs(42, 7), d.rttUs(43, 7), "another seed, another draw");
    }

    @Test
    void shouldDelayEachConnectionByHalfItsOwnRtt()
    {
        final RttDistribution d = RttDistribution.parse("--rtt", "uniform:10ms-200ms");
        final NetworkModel network = NetworkModel.builder().rtt(d).jitter(NetworkModel.Jitter.CONSTANT, 0).build();
        for (int c = 0; c < 100; c++)
        {
            final long rtt = d.rttUs(1, c);
            assertEquals(rtt / 2, network.delayUs(1, c, true, NetworkModel.SEGMENT, 1, 0, 5_000_000));
            assertEquals(rtt / 2, network.delayUs(1, c, false, NetworkModel.PURE_ACK, 1, 0, 5_000_000));
            assertEquals(rtt, network.baseRttUs(1, c, 5_000_000));
        }
    }

    @Test
    void shouldLetAnRttStepOverrideEveryConnectionsDraw()
    {
        final NetworkModel network = NetworkModel.builder().rtt(RttDistribution.parse("--rtt", "uniform:10ms-20ms"))
            .jitter(NetworkModel.Jitter.CONSTANT, 0).event("step:at=10s,rtt=300ms").build();
        assertTrue(network.baseRttUs(1, 3, 9_999_999) <= 20_000);
        assertEquals(300_000, network.baseRttUs(1, 3, 10_000_000));
        assertEquals(150_000, network.delayUs(1, 3, true, NetworkModel.SEGMENT, 1, 0, 10_000_000));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "20                          | has no unit",
        "1us                         | expected an RTT between 2us and 60s",
        "uniform:50ms-10ms           | expected 2us <= MIN <= MAX <= 60s",
        "uniform:10ms                | expected uniform:MIN-MAX",
        "lognormal:median=20ms       | sigma= is missing",
        "lognormal:median=20ms,sigma=-1 | expected a sigma from 0 to 10",
        "lognormal:median=x,sigma=1  | duration 'x' has no unit",
        "gamma:k=2                   | unknown distribution 'gamma'",
        "file:/nonexistent/rtts.csv  | cannot read the file: no such file",
    })
    void shouldRefuseABadDistributionNamingTheOption(final String spec, final String message)
    {
        final IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
            () -> RttDistribution.parse("--rtt", spec));
        assertTrue(e.getMessage().startsWith("--rtt '" + spec + "'"), e.getMessage());
        assertTrue(e.getMessage().contains(message), e.getMessage());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "''                    | the file holds no RTTs",
        "'# only a comment\\n'  | the file holds no RTTs",
        "'20\\n-5\\n'            | line 2, '-5', is not an RTT between 2us and 60s",
        "'20\\nabc\\n'           | line 2, 'abc', is not an RTT",
        "'20\\n\\n90s\\n'         | line 3, '90s', is not an RTT between 2us and 60s",
    })
    void shouldRefuseABadRttFileNamingTheLine(final String content, final String message) throws IOException
    {
        final Path file = dir.resolve("bad.csv");
        Files.writeString(file, content.replace("\\n", "\n"));
        final IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
            () -> RttDistribution.parse("--rtt", "file:" + file));
        assertTrue(e.getMessage().startsWith("--rtt 'file:"), e.getMessage());
        assertTrue(e.getMessage().contains(message), e.getMessage());
    }
}
