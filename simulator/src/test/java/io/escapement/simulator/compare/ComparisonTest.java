package io.escapement.simulator.compare;

import io.escapement.simulator.Scenario;
import io.escapement.simulator.net.NetworkModel;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Planning, parsing and writing of {@link Comparison} and {@link CompareCsv}. */
class ComparisonTest
{
    @Test
    void shouldParseSeedsAsNumbersAndInclusiveRanges()
    {
        assertEquals(List.of(1L, 2L, 3L, 42L), Comparison.parseSeeds("1..3,42"));
        assertEquals(30, Comparison.parseSeeds("1..30").size());
        assertEquals(List.of(-1L, 0L), Comparison.parseSeeds("-1..0"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Comparison.parseSeeds("1..100000"))
            .getMessage().contains("more than 10000 seeds"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Comparison.parseSeeds(""))
            .getMessage().contains("'' is not a seed"));
    }

    @Test
    void shouldParseAGridOfTwoParametersEveryCombinationOnce()
    {
        final Comparison.Grid grid = Comparison.Grid.parse("loss=0,0.015,rtt=20ms,100ms,200ms");
        assertEquals(2, grid.axes().size());
        assertEquals(6, grid.points().size());
        assertArrayEquals(new double[]{0, 20_000}, grid.points().get(0));
        assertArrayEquals(new double[]{0.015, 200_000}, grid.points().get(5));
        assertArrayEquals(new double[]{0.015, 100_000}, grid.reference(), "1.5% is nearest 1%; the middle RTT");
        assertEquals("loss 1.5%, rtt 100ms", grid.format(grid.reference()));
        assertEquals(1, Comparison.Grid.parse("loss=0,0.01").axes().size());
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Comparison.Grid.parse("loss=0,loss=0.1"))
            .getMessage().contains("loss is swept twice"));
        assertTrue(assertThrows(IllegalArgumentException.class,
            () -> Comparison.Grid.parse("loss=0,rtt=1ms,jitter=1ms")).getMessage().contains("at most two"));
    }

    @Test
    void shouldPlanEveryPointStrategyAndSeedNumberedInOrder()
    {
        final List<Comparison.PlannedRun> plan = Comparison.plan(List.of("a", "b"), List.of(7L, 8L),
            Comparison.Grid.parse("loss=0,0.1").points());
        assertEquals(8, plan.size());
        for (int k = 0; k < plan.size(); k++)
        {
            assertEquals(k, plan.get(k).index());
        }
        assertEquals("b", plan.get(2).strategy());
        assertEquals(7L, plan.get(2).seed());
        assertEquals(0.1, plan.get(4).point()[0]);
    }

    @Test
    void shouldWriteTheSameCsvByteForByteWhateverOrderTheRunsFinishIn() throws InterruptedException
    {
        final Comparison.Grid grid = Comparison.Grid.parse("loss=0.02,rtt=20ms,50ms");
        final Comparison.Workload workload = (strategy, seed, point) -> Scenario.builder().seed(seed)
            .connections(60).rto(strategy).network(grid.apply(NetworkModel.builder(), NetworkModel.Jitter.UNIFORM,
                point).build()).build();
        final List<Comparison.PlannedRun> plan = Comparison.plan(List.of("rfc6298", "linux"), List.of(1L, 2L),
            grid.points());
        final List<Comparison.Run> inOrder = new ArrayList<>();
        for (final Comparison.PlannedRun planned : plan)
        {
            inOrder.add(Comparison.execute(workload, planned));
        }
        final List<Comparison.Run> shuffled = new ArrayList<>(inOrder);
        Collections.shuffle(shuffled, new Random(3));
        final String csv = CompareCsv.write(grid, inOrder);
        assertEquals(csv, CompareCsv.write(grid, shuffled));
        assertEquals(csv, CompareCsv.write(grid, Comparison.execute(workload, plan, 2, null)), "the pool's runs");
        // what an executor elsewhere does: each run becomes its row where it ran, the rows sorted by the plan
        final StringBuilder assembled = new StringBuilder(CompareCsv.header(grid));
        shuffled.stream().sorted(java.util.Comparator.comparingInt(r -> r.planned().index()))
            .map(CompareCsv::row).forEach(assembled::append);
        assertEquals(csv, assembled.toString());
        assertEquals(1 + plan.size(), csv.lines().count());
        assertTrue(csv.startsWith("strategy,seed,loss,rtt,connections,"), csv);
        for (final Metric m : Metric.values())
        {
            assertTrue(csv.lines().findFirst().orElseThrow().contains(m.column), m.column);
        }
    }
}
