package io.escapement.simulator.tcp;

import io.escapement.simulator.Scenario;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The congestion window against RFC 5681's and RFC 6928's rules, worked out by hand, and Linux's Reno
 * ({@code tcp_reno_cong_avoid()}, {@code tcp_slow_start()}, {@code tcp_cong_avoid_ai()}); and a response larger
 * than the initial window taking round trips on one connection.
 */
class TcpCongestionControlTest
{
    private static CongestionControl window(final Scenario.Window mode)
    {
        // Reno named: the linux preset's default is CUBIC (TcpCubicLinuxTest; RFC 9438's: TcpCubicTest); PRR off,
        // so that a fast retransmit sets cwnd = ssthresh at once (PRR's window in the recovery: TcpPrrTest)
        final CongestionControl w = new CongestionControl(Scenario.builder().window(mode).cc(Scenario.Cc.RENO)
            .prr(false).build(), 1);
        w.reset(0);
        return w;
    }

    @Test
    void shouldGrowByOneSegmentPerAckInSlowStartAndOnePerWindowInAvoidanceUnderRfc5681()
    {
        final CongestionControl w = window(Scenario.Window.RFC);
        assertEquals(10, w.cwnd(0), "RFC 6928: IW 10");
        assertEquals(CongestionControl.UNLIMITED, w.ssthresh(0), "RFC 5681: ssthresh arbitrarily high");
        for (int k = 0; k < 5; k++)
        {
            w.onAck(0, 2, 10); // an ACK of two segments (a delayed ACK) still adds one: cwnd += min(N, SMSS)
        }
        assertEquals(15, w.cwnd(0));
        // RTO with 15 outstanding: ssthresh = max(FlightSize / 2, 2 SMSS) = 7, cwnd = LW = 1
        w.onTimeout(0, 15, true);
        assertEquals(7, w.ssthresh(0));
        assertEquals(1, w.cwnd(0));
        for (int k = 0; k < 6; k++)
        {
            w.onAck(0, 1, 1);
        }
        assertEquals(7, w.cwnd(0), "slow start up to ssthresh");
        for (int k = 0; k < 6; k++)
        {
            w.onAck(0, 1, 7);
        }
        assertEquals(7, w.cwnd(0), "avoidance: six ACKs are less than a window");
        w.onAck(0, 1, 7);
        assertEquals(8, w.cwnd(0), "the seventh ACK of a 7-segment window adds one");
    }

    @Test
    void shouldHoldSsthreshWhenTheTimerResendsTheSameSegmentAgain()
    {
        final CongestionControl w = window(Scenario.Window.RFC);
        w.onTimeout(0, 12, true);
        assertEquals(6, w.ssthresh(0));
        w.onTimeout(0, 12, false); // the backed-off timer fires on the same segment: RFC 5681 equation 4's note
        assertEquals(6, w.ssthresh(0));
        assertEquals(1, w.cwnd(0));
        w.onTimeout(0, 3, true);
        assertEquals(2, w.ssthresh(0), "never below 2 segments");
    }

    @Test
    void shouldHalveTheFlightOnAFastRetransmit()
    {
        final CongestionControl w = window(Scenario.Window.RFC);
        w.onFastRetransmit(0, 9);
        assertEquals(4, w.ssthresh(0), "max(9 / 2, 2)");
        assertEquals(4, w.cwnd(0), "RFC 6675: cwnd = ssthresh");
        w.onFastRetransmit(0, 1);
        assertEquals(2, w.cwnd(0));
    }

    @Test
    void shouldCountSegmentsAcknowledgedAndGrowOnlyWhenTheWindowLimitsTheSenderAsLinuxDoes()
    {
        final CongestionControl w = window(Scenario.Window.LINUX);
        w.onAck(0, 2, 10);
        assertEquals(12, w.cwnd(0), "tcp_slow_start(): cwnd + acked");
        w.onAck(0, 2, 3);
        assertEquals(12, w.cwnd(0), "3 in flight: 12 >= 2 x 3, not cwnd-limited, no growth");
        w.onTimeout(0, 12, true);
        w.onAck(0, 1, 1);
        w.onAck(0, 2, 2);
        assertEquals(4, w.cwnd(0), "slow start again from 1: 1 + 1 + 2");
        w.onAck(0, 5, 4);
        assertEquals(6, w.cwnd(0), "slow start stops at ssthresh 6; the 3 segments left start avoidance");
        w.onAck(0, 3, 6);
        assertEquals(7, w.cwnd(0), "snd_cwnd_cnt reaches 6 = cwnd: one more");
        w.onAck(0, 3, 5);
        assertEquals(7, w.cwnd(0), "avoidance with the flight below cwnd: not cwnd-limited");
    }

    @Test
    void shouldHalveTheWindowNotTheFlightUnderLinuxWhenTheApplicationLimitsTheSender()
    {
        // 3 segments in flight under an initial window of 10: RFC 5681 (4) halves FlightSize, max(3 / 2, 2) = 2;
        // Linux's tcp_reno_ssthresh() halves the window, max(10 >> 1, 2) = 5, on an RTO and on fast retransmit
        final CongestionControl rfc = window(Scenario.Window.RFC);
        rfc.onTimeout(0, 3, true);
        assertEquals(2, rfc.ssthresh(0));
        final CongestionControl linux = window(Scenario.Window.LINUX);
        linux.onTimeout(0, 3, true);
        assertEquals(5, linux.ssthresh(0));
        final CongestionControl fast = window(Scenario.Window.LINUX);
        fast.onFastRetransmit(0, 3);
        assertEquals(5, fast.ssthresh(0));
        assertEquals(5, fast.cwnd(0));
    }

    @Test
    void shouldNotUndoToThePreviousConnectionsWindowAfterTheSlotIsReused()
    {
        final CongestionControl w = window(Scenario.Window.RFC);
        for (int k = 0; k < 10; k++)
        {
            w.onAck(0, 1, 20); // slow start: 10 -> 20
        }
        assertEquals(20, w.cwnd(0));
        w.onTimeout(0, 20, true); // prior_cwnd 20
        w.reset(0);               // the slot's next connection
        w.undo(0);                // an undo with no RTO of its own to undo
        assertEquals(10, w.cwnd(0), "the new connection's initial window, not the old one's 20");
    }

    @Test
    void shouldUndoToTheWindowBeforeTheFastRetransmitWhenTheRtoInItsRecoveryDidNotCutUnderLinux()
    {
        // Reno under Linux: a fast retransmit at 40 (ssthresh 20) saves prior_cwnd 40 and prior_ssthresh =
        // tcp_current_ssthresh() = max(ssthresh, 3 x 40 / 4) = 30 when ssthresh was 20 from an earlier loss; an RTO
        // in that recovery neither cuts nor saves (tcp_enter_loss()), so an undo restores 40 and 30, not the cut
        // window; RFC 5681's preset keeps the threshold itself and saves at each first RTO
        final CongestionControl w = window(Scenario.Window.LINUX);
        for (int k = 0; k < 30; k++)
        {
            w.onAck(0, 1, 40); // slow start: 10 -> 40
        }
        w.onFastRetransmit(0, 40); // ssthresh 20, cwnd 20
        w.onAck(0, 40, 40); // avoidance back to 40: 20 + 40 / 20 ... (tcp_cong_avoid_ai)
        while (w.cwnd(0) < 40)
        {
            w.onAck(0, w.cwnd(0), w.cwnd(0));
        }
        assertEquals(40, w.cwnd(0));
        assertEquals(20, w.ssthresh(0));
        w.onFastRetransmit(0, 40);
        assertEquals(20, w.cwnd(0));
        w.onTimeout(0, 20, false); // in Recovery: not cut
        assertEquals(20, w.ssthresh(0));
        assertEquals(1, w.cwnd(0));
        w.undo(0);
        assertEquals(40, w.cwnd(0), "prior_cwnd from the fast retransmit");
        assertEquals(30, w.ssthresh(0), "prior_ssthresh = max(20, 30)");
    }

    @Test
    void shouldNeverLimitWithoutAWindow()
    {
        final CongestionControl w = window(Scenario.Window.OFF);
        w.onTimeout(0, 20, true);
        w.onFastRetransmit(0, 20);
        assertEquals(CongestionControl.UNLIMITED, w.cwnd(0));
    }

    @Test
    void shouldSendAResponseLargerThanTheInitialWindowInRoundTrips()
    {
        // 40 segments, every segment acknowledged at once, 10 ms each way: the server sends 10 at 30 ms (IW 10);
        // each of their ACKs (at 50 ms) adds one segment and frees one: 20 more; their ACKs (70 ms) let the last
        // 10 go. Without a window all 40 leave at 30 ms.
        final OneConnection run = new OneConnection(null, b -> b.requestBytes(100).responseBytes(40 * 1448)
            .delayedAck(Scenario.DelayedAck.OFF));
        assertEquals(Map.of(30L, 10, 50L, 20, 70L, 10), flights(run), run.dump());
        final OneConnection burst = new OneConnection(null, b -> b.requestBytes(100).responseBytes(40 * 1448)
            .delayedAck(Scenario.DelayedAck.OFF).window(Scenario.Window.OFF));
        assertEquals(Map.of(30L, 40), flights(burst), burst.dump());
        // two round trips more, less the 30 us by which the burst's FIFO spacing (1 us a segment) delays its 40th
        assertEquals(2 * 20_000 - 30, run.timeOf("client ESTABLISHED receives DATA seq=" + seq(run, 40)) -
            burst.timeOf("client ESTABLISHED receives DATA seq=" + seq(burst, 40)));
        run.assertAccountedFor();
    }

    @Test
    void shouldTakeMoreRoundTripsWithRfc5681sOneSegmentPerDelayedAck()
    {
        // RFC mode, an ACK per two segments: 10 segments give 5 ACKs, each adding 1 and freeing 2: 15 in the
        // second flight (3 per ACK)
        final OneConnection run = new OneConnection(null, b -> b.requestBytes(100).responseBytes(40 * 1448)
            .delayedAck(Scenario.DelayedAck.RFC).window(Scenario.Window.RFC));
        final Map<Long, Integer> flights = flights(run);
        assertEquals(10, flights.get(30L), run.dump());
        assertEquals(15, flights.get(50L), run.dump());
        run.assertAccountedFor();
    }

    private static long seq(final OneConnection run, final int unit)
    {
        return run.isn(ConnectionTable.SERVER) + 1 + (long)(unit - 1) * 1448;
    }

    /** @return data segments the server sent, by the millisecond they left in. */
    private static Map<Long, Integer> flights(final OneConnection run)
    {
        final Map<Long, Integer> flights = new TreeMap<>();
        final List<Long> times = run.timesOf("server sends DATA");
        for (final long t : times)
        {
            flights.merge(t / 1000, 1, Integer::sum);
        }
        return flights;
    }
}
