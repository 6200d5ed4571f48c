package io.escapement.benchmarks.report;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertTrue;

/** The summary's ratios compare each peer with the right form of the engine. */
class SuiteSummaryTest
{
    private static SuiteSummary.Row row(final String impl, final double nsPerOp)
    {
        return new SuiteSummary.Row("TimerPeersExpireBenchmark.burst", Map.of("impl", impl), nsPerOp, 1.0, "ns/op",
            0.0);
    }

    @Test
    void shouldCompareThreadDrivenPeersWithTheServiceAndTheOthersWithTheWheel()
    {
        final String markdown = SuiteSummary.markdown(List.of(row("escapement", 20), row("agrona", 40),
            row("service", 50), row("netty", 100), row("stpe", 25)));
        assertTrue(markdown.contains("| agrona | 40.0 | 1.00 | ns/op | 25,000,000 | 0.00 | 2.00x |"),
            "agrona over the wheel, not over the service (0.80x): " + markdown);
        assertTrue(markdown.contains("| netty | 100 | 1.00 | ns/op | 10,000,000 | 0.00 | 2.00x |"),
            "netty over the service, not over the wheel (5.00x): " + markdown);
        assertTrue(markdown.contains("| stpe | 25.0 | 1.00 | ns/op | 40,000,000 | 0.00 | 0.50x |"), markdown);
        assertTrue(markdown.contains("| service | 50.0 | 1.00 | ns/op | 20,000,000 | 0.00 |  |"),
            "no ratio of the engine to itself: " + markdown);
    }

    @Test
    void shouldCompareEveryPeerWithTheWheelWhenTheTableHasNoService()
    {
        final String markdown = SuiteSummary.markdown(List.of(row("escapement", 20), row("netty", 100)));
        assertTrue(markdown.contains("| netty | 100 | 1.00 | ns/op | 10,000,000 | 0.00 | 5.00x |"), markdown);
    }
}
