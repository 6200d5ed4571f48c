package io.escapement.simulator;

import io.escapement.simulator.net.NetworkModel;
import io.escapement.simulator.report.Counter;
import io.escapement.simulator.report.Report;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.DoubleRange;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.LongRange;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Whole runs: determinism, independence from the thread count, and that every connection is accounted for. */
class SimulationTest
{
    private static Scenario lossy(final long seed, final double loss)
    {
        return Scenario.builder()
            .seed(seed).connections(20_000).arrivalsPerSecond(5_000).clientAddresses(8)
            .simultaneousClose(0.1).clientClosesFirst(0.5)
            .network(NetworkModel.builder().loss(loss).rttUs(30_000)
                .jitter(NetworkModel.Jitter.LOGNORMAL, 5_000).event("spike:at=1s,for=500ms,add=300ms").build())
            .build();
    }

    private static Report run(final Scenario scenario, final int threads) throws InterruptedException
    {
        return new Simulation(scenario, threads, null, null).run(null);
    }

    @Test
    void shouldGiveTheSameResultsOnAnyThreadCountWithDrawnSizesAndDropRules() throws InterruptedException
    {
        final java.util.List<io.escapement.simulator.net.DropRule> rules = java.util.List.of(
            io.escapement.simulator.net.DropRule.parse("kind=syn-ack,tx=first", 1, 3),
            io.escapement.simulator.net.DropRule.parse("kind=ack,dir=to-server,unit=0", 1, 3));
        final Scenario scenario = Scenario.builder()
            .seed(3).connections(6_000).arrivalsPerSecond(5_000).clientAddresses(8)
            .requestSizes(SizeDistribution.parse("--request-size", "uniform:1-3000", 60 * 1448))
            .responseSizes(SizeDistribution.parse("--response-size", "pareto:min=500,shape=1.2", 60 * 1448))
            .network(NetworkModel.builder().loss(0.02).rttUs(30_000)
                .jitter(NetworkModel.Jitter.LOGNORMAL, 5_000)
                .dropper(new io.escapement.simulator.net.DropRules(rules)).build())
            .build();
        final Report one = run(scenario, 1);
        assertAccountedFor(one);
        assertEquals(one.resultsJson(), run(scenario, 2).resultsJson());
        assertEquals(one.resultsJson(), run(scenario, 3).resultsJson());
    }

    @Test
    void shouldReportTheRetainedHeapNotMeasuredAndTheSameResultsWhenTheFullGcIsSkipped() throws InterruptedException
    {
        final Scenario scenario = Scenario.builder().seed(3).connections(500).arrivalsPerSecond(1_000)
            .network(NetworkModel.builder().loss(0.02).rttUs(30_000).build()).build();
        final Report measured = run(scenario, 1);
        final Report skipped = new Simulation(scenario, 1, null, null).measureRetainedHeap(false).run(null);
        assertTrue(measured.retainedHeapBytes() > 0, "measured by default: " + measured.retainedHeapBytes());
        assertEquals(Report.NOT_MEASURED, skipped.retainedHeapBytes());
        assertEquals(measured.resultsJson(), skipped.resultsJson(), "only the cost figure differs");
        // said not measured, not printed as a negative size
        assertTrue(skipped.toText().matches("(?s).*heap retained after the run +not measured\n.*"), skipped.toText());
        assertTrue(skipped.toText().matches("(?s).*bytes per connection open at the peak +not measured\n.*"));
        assertTrue(skipped.toJson().contains("\"retained_heap_bytes\": null") &&
            skipped.toJson().contains("\"bytes_per_open_connection\": null"), skipped.toJson());
        assertTrue(skipped.toCsv().contains("\nbytes_per_open_connection,\n"), skipped.toCsv());
        assertTrue(measured.toText().matches("(?s).*heap retained after the run +[0-9.,]+ MiB\n.*"),
            measured.toText());
    }

    @Test
    void shouldGiveTheSameResultsForTheSameSeed() throws InterruptedException
    {
        final Report first = run(lossy(7, 0.05), 1);
        final Report second = run(lossy(7, 0.05), 1);
        assertEquals(first.resultsJson(), second.resultsJson());
        assertNotEquals(first.resultsJson(), run(lossy(8, 0.05), 1).resultsJson(), "another seed, another run");
    }

    @Test
    void shouldGiveTheSameResultsWhateverTheNumberOfThreads() throws InterruptedException
    {
        final String one = run(lossy(3, 0.05), 1).resultsJson();
        assertEquals(one, run(lossy(3, 0.05), 2).resultsJson(), "2 threads");
        assertEquals(one, run(lossy(3, 0.05), 3).resultsJson(), "3 threads");
    }

    @Test
    void shouldGiveTheSameResultsOnAnyThreadCountWithTheRfcBaselineAndLargeResponses() throws InterruptedException
    {
        // windows, fast recoveries and delayed-ACK timers: a response of 30 segments takes several round trips
        final Scenario scenario = Scenario.builder()
            .seed(5).connections(6_000).arrivalsPerSecond(5_000).clientAddresses(8).responseBytes(30 * 1448)
            .delayedAck(Scenario.DelayedAck.RFC).atoUs(40_000, 200_000).window(Scenario.Window.RFC).rto("rfc6298")
            .tailLossProbe(false).hz(0)
            .network(NetworkModel.builder().loss(0.03).rttUs(30_000).jitter(NetworkModel.Jitter.UNIFORM, 5_000).build())
            .build();
        final Report one = run(scenario, 1);
        assertAccountedFor(one);
        assertTrue(one.counter(Counter.FAST_RECOVERIES) > 0, one.toText());
        assertTrue(one.counter(Counter.DELAYED_ACKS) > 0, one.toText());
        assertEquals(one.resultsJson(), run(scenario, 2).resultsJson(), "2 threads");
        assertEquals(one.resultsJson(), run(scenario, 3).resultsJson(), "3 threads");
    }

    @Test
    void shouldGiveTheSameResultsOnAnyThreadCountWithoutSackAndWithRfc6675Rescues() throws InterruptedException
    {
        // the rfc baseline's windows without RACK: NewReno without SACK, RFC 6675 with its rules 3 and 4 with it
        for (final boolean sack : new boolean[]{false, true})
        {
            final Scenario scenario = Scenario.builder()
                .seed(5).connections(4_000).arrivalsPerSecond(5_000).clientAddresses(8).responseBytes(30 * 1448)
                .delayedAck(Scenario.DelayedAck.RFC).atoUs(40_000, 500_000).window(Scenario.Window.RFC)
                .rto("rfc6298").tailLossProbe(false).hz(0).rack(false).frto(false).sack(sack)
                .network(NetworkModel.builder().loss(0.03).rttUs(30_000).jitter(NetworkModel.Jitter.UNIFORM, 5_000)
                    .build())
                .build();
            final Report one = run(scenario, 1);
            assertAccountedFor(one);
            assertTrue(one.counter(sack ? Counter.FAST_RECOVERIES : Counter.RENO_RECOVERIES) > 0, one.toText());
            assertEquals(0, one.counter(sack ? Counter.RENO_RECOVERIES : Counter.FAST_RECOVERIES), one.toText());
            assertEquals(sack, one.counter(Counter.RESCUE_RETRANSMITS) > 0, one.toText());
            assertEquals(one.resultsJson(), run(scenario, 2).resultsJson(), "2 threads, SACK " + sack);
            assertEquals(one.resultsJson(), run(scenario, 3).resultsJson(), "3 threads, SACK " + sack);
        }
    }

    @Test
    void shouldAccountForEveryConnectionUnderHeavyLoss() throws InterruptedException
    {
        final Report report = run(lossy(11, 0.25), 2);
        assertAccountedFor(report);
        assertTrue(report.outcomes() > report.counter(Counter.OUTCOME_COMPLETED), "25% loss makes some fail");
        assertTrue(report.counter(Counter.RETX_SPURIOUS) > 0);
        assertTrue(report.counter(Counter.TIME_WAIT_RESTARTS) > 0);
    }

    @Property(tries = 100)
    void everyConnectionEndsInExactlyOneOutcomeAndLeavesNoTimer(
        @ForAll @LongRange(min = 1, max = 1_000_000) final long seed,
        @ForAll @DoubleRange(min = 0, max = 0.4) final double lossToServer,
        @ForAll @DoubleRange(min = 0, max = 0.4) final double lossToClient,
        @ForAll @IntRange(min = 0, max = 20_000) final int requestBytes,
        @ForAll @IntRange(min = 0, max = 30_000) final int responseBytes,
        @ForAll @DoubleRange(min = 0, max = 0.5) final double clientFirst,
        @ForAll @DoubleRange(min = 0, max = 0.5) final double simultaneous,
        @ForAll @LongRange(min = 0, max = 200_000_000) final long clientThinkUs,
        @ForAll @LongRange(min = 0, max = 2_000_000) final long serverThinkUs,
        @ForAll("strategies") final String rto,
        @ForAll final boolean tlp,
        @ForAll @IntRange(min = 0, max = 4) final int synLinear,
        @ForAll @DoubleRange(min = 0, max = 0.2) final double refused,
        @ForAll @IntRange(min = 0, max = 1) final int hzChoice,
        @ForAll final boolean tinyRtt,
        @ForAll @DoubleRange(min = 0, max = 1) final double halfClose,
        @ForAll final Scenario.DelayedAck delayedAck,
        @ForAll final Scenario.Window window,
        @ForAll final boolean fastRetransmit,
        @ForAll final boolean rack,
        @ForAll final boolean frto,
        @ForAll final boolean sack,
        @ForAll @IntRange(min = 1, max = 12) final int initialWindow) throws InterruptedException
    {
        final Scenario scenario = Scenario.builder()
            .seed(seed).connections(300).arrivalsPerSecond(2_000).clientAddresses(2).ports(40000, 40199)
            .requestBytes(requestBytes).responseBytes(responseBytes).clientClosesFirst(clientFirst)
            .simultaneousClose(simultaneous).halfClose(halfClose).clientThinkUs(clientThinkUs).serverThinkUs(serverThinkUs)
            .idleTimeoutUs(30_000_000).rto(rto).tailLossProbe(tlp).synLinearTimeouts(synLinear)
            .refusedFraction(refused).hz(hzChoice == 0 ? 0 : 250)
            .delayedAck(delayedAck).window(window).fastRetransmit(fastRetransmit).rack(rack).frto(frto).sack(sack)
            .initialWindow(initialWindow)
            .network(NetworkModel.builder().loss(lossToServer, lossToClient).rttUs(tinyRtt ? 1_000 : 40_000)
                .jitter(NetworkModel.Jitter.PARETO, tinyRtt ? 100 : 10_000).build())
            .build();
        assertAccountedFor(run(scenario, 1));
    }

    @Property(tries = 60)
    void everyPersistentConnectionEndsInExactlyOneOutcomeAndLeavesNoTimer(
        @ForAll @LongRange(min = 1, max = 1_000_000) final long seed,
        @ForAll @DoubleRange(min = 0, max = 0.3) final double loss,
        @ForAll @IntRange(min = 1, max = 12) final int maxExchanges,
        @ForAll @IntRange(min = 0, max = 6_000) final int maxRequest,
        @ForAll @IntRange(min = 0, max = 20_000) final int maxResponse,
        @ForAll @IntRange(min = 0, max = 3_000) final int thinkMs,
        @ForAll @IntRange(min = 100, max = 5_000) final int idleMs,
        @ForAll @DoubleRange(min = 0, max = 0.6) final double clientFirst,
        @ForAll @DoubleRange(min = 0, max = 1) final double halfClose,
        @ForAll @LongRange(min = 0, max = 2_000_000) final long closeAfterEofUs,
        @ForAll final boolean tlp,
        @ForAll @IntRange(min = 0, max = 1) final int hzChoice) throws InterruptedException
    {
        // think times above the idle timeout make servers close between exchanges: the client's next request
        // then meets a closed socket, or its end-of-file
        final Scenario scenario = Scenario.builder()
            .seed(seed).connections(200).arrivalsPerSecond(2_000).clientAddresses(2).ports(40000, 40199)
            .requestSizes(SizeDistribution.parse("--request-size", "uniform:0-" + maxRequest, 60 * 1448))
            .responseSizes(SizeDistribution.parse("--response-size", "uniform:0-" + maxResponse, 60 * 1448))
            .exchangeCounts(SizeDistribution.parse("--exchanges", "uniform:1-" + maxExchanges, Exchanges.MAX))
            .thinkTimes(Exchanges.parseDurations("--think-time", "uniform:0ms-" + thinkMs + "ms"))
            .closeAfterEofUs(closeAfterEofUs)
            .clientClosesFirst(clientFirst).simultaneousClose(0.1).halfClose(halfClose)
            .idleTimeoutUs(idleMs * 1000L).tailLossProbe(tlp).hz(hzChoice == 0 ? 0 : 250)
            .network(NetworkModel.builder().loss(loss).rttUs(40_000)
                .jitter(NetworkModel.Jitter.PARETO, 10_000).build())
            .build();
        assertAccountedFor(run(scenario, 1));
    }

    @Test
    void shouldGiveTheSameResultsOnAnyThreadCountWithPersistentConnections() throws InterruptedException
    {
        final Scenario scenario = Scenario.builder()
            .seed(5).connections(4_000).arrivalsPerSecond(5_000).clientAddresses(8)
            .requestSizes(SizeDistribution.parse("--request-size", "lognormal:median=400,sigma=1", 60 * 1448))
            .responseSizes(SizeDistribution.parse("--response-size", "pareto:min=500,shape=1.2", 60 * 1448))
            .exchangeCounts(SizeDistribution.parse("--exchanges", "pareto:min=1,shape=1", Exchanges.MAX))
            .thinkTimes(Exchanges.parseDurations("--think-time", "lognormal:median=200ms,sigma=1"))
            .network(NetworkModel.builder().loss(0.02).rttUs(30_000)
                .jitter(NetworkModel.Jitter.LOGNORMAL, 5_000).build())
            .build();
        final Report one = run(scenario, 1);
        assertAccountedFor(one);
        assertEquals(one.resultsJson(), run(scenario, 2).resultsJson());
        assertEquals(one.resultsJson(), run(scenario, 3).resultsJson());
    }

    @net.jqwik.api.Provide
    net.jqwik.api.Arbitrary<String> strategies()
    {
        return Arbitraries.of("linux", "rfc6298", "rfc6298:min=200ms", "rfc793", "fixed:rto=300ms", "quic",
            "eifel");
    }

    static void assertAccountedFor(final Report report)
    {
        assertEquals(report.counter(Counter.CONNECTIONS), report.outcomes(), report.toText());
        assertEquals(0, report.counter(Counter.OUTCOME_UNEXPLAINED), report.toText());
        assertEquals(0, report.timersLeft(), report.toText());
        assertEquals(0, report.connectionsLeft(), report.toText());
    }
}
