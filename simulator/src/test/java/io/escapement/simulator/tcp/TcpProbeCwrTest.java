package io.escapement.simulator.tcp;

import io.escapement.simulator.Scenario;
import io.escapement.simulator.SizeDistribution;
import org.junit.jupiter.api.Test;

import static io.escapement.simulator.net.NetworkModel.SEGMENT;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

/**
 * The window's reduction after a tail loss probe that repaired a loss, Linux's {@code tcp_process_tlp_ack()}: an
 * ACK above {@code tlp_high_seq} (SND.NXT when the probe resent) with no D-SACK runs {@code
 * tcp_init_cwnd_reduction()}, CWR and {@code tcp_end_cwnd_reduction()}: {@code cwnd = ssthresh} at once.
 */
class TcpProbeCwrTest
{
    private static final int MSS = 1448;

    /**
     * Two exchanges 1 s apart, 10-segment responses (units 1 to 10, then 11 to 20), response 1's last segment (unit
     * 10) lost: the probe resends it, its ACK (11) reaches tlp_high_seq (11) and decides nothing; 1 s later the
     * window has restarted at 10 (restart after idle) and response 2's first ACK (12) is above the point.
     */
    private static OneConnection run(final Scenario.Window window)
    {
        return new OneConnection(
            (conn, fromClient, cls, unit, tx, ack) -> !fromClient && cls == SEGMENT && unit == 10 && tx == 0,
            b -> b.requestBytes(100).responseBytes(10 * MSS).delayedAck(Scenario.DelayedAck.OFF).window(window)
                .cc(Scenario.Cc.CUBIC).tailLossProbe(true).exchangeCounts(SizeDistribution.constant(2))
                .thinkTimes(SizeDistribution.constant(1_000_000)));
    }

    @Test
    void shouldCutTheWindowToSsthreshAtTheFirstAckAboveTheProbesPointUnderLinux()
    {
        // CUBIC's cut of 10: max(10 x 717 / 1024, 2) = 7; cwnd = ssthresh = 7 on response 2's first ACK, once
        final OneConnection run = run(Scenario.Window.LINUX);
        assertEquals(1, run.timesOf("server tail loss probe fires").size(), run.dump());
        assertEquals(1, run.timesOf("server ACK above the probe's point: CWR, cwnd 10 -> 7 ssthresh 7").size(),
            run.dump());
        run.assertAccountedFor();
    }

    @Test
    void shouldNotReduceAfterAProbeUnderTheRfcWindow()
    {
        final OneConnection run = run(Scenario.Window.RFC);
        assertEquals(1, run.timesOf("server tail loss probe fires").size(), run.dump());
        assertFalse(run.has("above the probe's point"), run.dump());
        run.assertAccountedFor();
    }
}
