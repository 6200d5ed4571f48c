package io.escapement.simulator.tcp;

import io.escapement.simulator.Scenario;
import io.escapement.simulator.net.NetworkModel;
import io.escapement.simulator.report.Counter;
import org.junit.jupiter.api.Test;

import static io.escapement.simulator.net.NetworkModel.SEGMENT;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The metrics that only a simulator can measure, on hand-built traces whose right answer is known. */
class LossMetricsTest
{
    @Test
    void shouldMeasureARealLossAsWaitingExactlyTheRtoInForce()
    {
        // the client's FIN is lost once; with a fixed 300 ms RTO it is resent exactly 300 ms later
        final OneConnection run = new OneConnection(
            (conn, fromClient, cls, unit, tx, ack) -> fromClient && cls == SEGMENT && unit == 2 && tx == 0,
            b -> b.rto("fixed:rto=300ms"));
        assertEquals(1, run.stats.recoveryUs.getTotalCount(), "one real loss");
        assertTrue(run.stats.recoveryUs.valuesAreEquivalent(300_000, run.stats.recoveryUs.getMaxValue()),
            "waited " + run.stats.recoveryUs.getMaxValue() + "us");
        assertTrue(run.stats.recoveryPerMilliRtt.valuesAreEquivalent(15_000,
            run.stats.recoveryPerMilliRtt.getMaxValue()), "300 ms is 15 RTTs of 20 ms");
    }

    @Test
    void shouldCountEachSpuriousRetransmissionOnceAndNoRealLoss()
    {
        // a 100 ms delay spike catches the response (sent at 30 ms): the client's request RTO (100 ms, fired at
        // 120 ms) resends the request while the response that acknowledges it is on its way, and the server's RTO
        // resends the response's first segment while the client's ACK is not sent yet but the segment itself is
        // still on its way: two spurious retransmissions, one per end, each counted once
        // (without a window: recovery then skips what the receiver holds; with one, the ACK of segment 1 reports
        // nothing above it, as SACK would not, so 2 and 3 are resent too, spuriously: what F-RTO is for)
        final OneConnection run = new OneConnection(null, b -> b.rto("fixed:rto=100ms").window(Scenario.Window.OFF)
            .network(NetworkModel.builder().loss(0).rttUs(2 * OneConnection.ONE_WAY_US)
                .jitter(NetworkModel.Jitter.CONSTANT, 0).delaySpike(30_000, 1_000, 100_000).build()));
        assertEquals(2, run.count(Counter.RETX_DATA), run.dump());
        assertEquals(2, run.count(Counter.RETX_SPURIOUS_DATA_AND_FIN), run.dump());
        assertEquals(2, run.count(Counter.RETX_SPURIOUS));
        assertEquals(0, run.stats.recoveryUs.getTotalCount(), "nothing was lost");
        // the server's timeout is proven spurious by the client's ACK of the original (a pure ACK); the client's
        // is answered by the response itself, which says nothing about which copy it acknowledges
        assertEquals(1, run.count(Counter.SPURIOUS_TIMEOUTS_DETECTED), run.dump());
        run.assertAccountedFor();
    }
}
