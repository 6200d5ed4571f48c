package io.escapement.benchmarks.report;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertFalse;
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
    void shouldNameTheCommandsFileWhenTheResultsWereRunByHand(@TempDir final Path dir) throws IOException
    {
        assertTrue(SuiteSummary.madeBy(dir).contains("benchmarks/run-suite.sh"), SuiteSummary.madeBy(dir));
        Files.writeString(dir.resolve("commands.txt"), "java -jar ...\n");
        assertTrue(SuiteSummary.madeBy(dir).contains("`commands.txt`"), SuiteSummary.madeBy(dir));
        assertFalse(SuiteSummary.madeBy(dir).contains("run-suite.sh"), SuiteSummary.madeBy(dir));
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

    private static SuiteSummary.Row result(final String benchmark, final Map<String, String> params,
        final double score, final String unit)
    {
        return new SuiteSummary.Row(benchmark, params, score, 1.0, unit, 0.0);
    }

    @Test
    void shouldStateEachTargetWithItsRatioAndWhetherItIsMet()
    {
        final String targets = SuiteSummary.targets(List.of(
            // 1M timers drained in 20 ms: 20 ns per timer, against Agrona's 16
            result("TimerPeersDrainBenchmark.drain", Map.of("impl", "escapement", "timers", "1000000"), 20, "ms/op"),
            result("TimerPeersDrainBenchmark.drain", Map.of("impl", "agrona", "timers", "1000000"), 16, "ms/op"),
            result("TimerPeersRandomRearmBenchmark.rearmRandom", Map.of("impl", "escapement", "liveTimers", "10000"),
                20, "ns/op"),
            result("TimerPeersRandomRearmBenchmark.rearmRandom", Map.of("impl", "agrona", "liveTimers", "10000"),
                25, "ns/op"),
            result("TimerPeersBenchmark.armCancel", Map.of("impl", "escapement", "liveTimers", "1000000"), 10,
                "ns/op"),
            result("TimerPeersBenchmark.armCancel", Map.of("impl", "agrona", "liveTimers", "1000000"), 1, "ns/op"),
            result("TimerPeersBenchmark.rearm", Map.of("impl", "escapement", "liveTimers", "10000000"), 100, "ns/op"),
            result("RandomAccessFloorBenchmark.harnessOfPeersRearm", Map.of("timers", "10000000"), 51, "ns/op"),
            result("RandomAccessFloorBenchmark.harnessOfPeersRearm", Map.of("timers", "1000000"), 5, "ns/op"),
            result("DrainFloorBenchmark.visitRecordsOnce", Map.of("timers", "1000000"), 12, "ms/op"),
            result("DrainFloorBenchmark.visitRecordsTwice", Map.of("timers", "1000000"), 25, "ms/op"),
            result("DrainLayoutFloorBenchmark.currentRecords", Map.of("timers", "10000000"), 400, "ms/op"),
            result("DrainLayoutFloorBenchmark.currentRecords", Map.of("timers", "1000000"), 9, "ms/op"),
            result("DrainLayoutFloorBenchmark.sequentialScan", Map.of("timers", "10000000"), 150, "ms/op"),
            result("ArmCancelFloorBenchmark.linkedHeads", Map.of("timers", "1000000"), 5.9, "ns/op"),
            result("ArmCancelFloorBenchmark.chunkedSwapRemove", Map.of("timers", "1000000"), 7.5, "ns/op"),
            result("ArmCancelFloorBenchmark.pagedOwnedChunks", Map.of("timers", "1000000"), 9.25, "ns/op")));
        assertTrue(targets.contains("| drain 1M: ns per fired timer, at least Agrona's fired per second | 20.0 | " +
            "Agrona 16.0 | 0.80x | no |"), targets);
        assertTrue(targets.contains("| re-arm to a random deadline, 10k live: ns, at least Agrona's rate | 20.0 | " +
            "Agrona 25.0 | 1.25x | yes |"), targets);
        assertTrue(targets.contains("| arm+cancel, 1M live: ns, within 2x of the 5.9 ns floor | 10.0 | " +
            "2x floor 11.8 | 1.18x | yes |"), "the engine's row, not Agrona's: " + targets);
        assertTrue(targets.contains("| re-arm later, 10M live: ns, within 2x of " +
            "RandomAccessFloorBenchmark.harnessOfPeersRearm | 100 | 2x floor 102 | 1.02x | yes |"), targets);
        assertTrue(targets.contains("| (drain floors, 1M, ns per timer: visitRecordsOnce 12.0, visitRecordsTwice " +
            "25.0) | | | | |"), "each floor measured, in ns per timer: " + targets);
        assertTrue(!targets.contains("drain floors, 10M"), "no floor line without a floor: " + targets);
        assertTrue(targets.contains("| (drain layout floors, 10M, ns per timer: currentRecords 40.0, sequentialScan " +
            "15.0) | | | | |"), "each layout floor measured, in ns per timer: " + targets);
        assertTrue(targets.contains("| (proposed) drain 1M: ns per fired timer, within 2x of " +
            "DrainLayoutFloorBenchmark.currentRecords | 20.0 | 2x floor 18.0 | 0.90x | no |"),
            "the drain against twice its layout's floor, in ns per timer: " + targets);
        assertTrue(targets.contains("| (arm+cancel floors, 1M, ns: linkedHeads 5.90, chunkedSwapRemove 7.50, " +
            "pagedOwnedChunks 9.25) | | | | |"),
            "each arm+cancel floor measured, in ns: " + targets);
        assertTrue(!targets.contains("arm+cancel floors, 10M"), "no floor line without a floor: " + targets);
        assertTrue(targets.contains("| (proposed) arm+cancel, 1M live: ns, within 2x of " +
            "ArmCancelFloorBenchmark.pagedOwnedChunks | 10.0 | 2x floor 18.5 | 1.85x | yes |"),
            "arm+cancel against twice its layout's floor: " + targets);
        assertTrue(targets.contains("| (proposed) drain 10M: ns per fired timer, within 2x of " +
            "DrainLayoutFloorBenchmark.currentRecords | | | | not in this run |"),
            "a layout floor without the engine's drain is no target met: " + targets);
        assertTrue(targets.contains("| drain 10M: ns per fired timer, at least Agrona's fired per second | | | | " +
            "not in this run |"), targets);
        assertTrue(targets.contains("| re-arm later, 1M live: ns, within 2x of " +
            "RandomAccessFloorBenchmark.harnessOfPeersRearm | | | | not in this run |"),
            "a floor without the engine's row is no target met: " + targets);
    }
}
