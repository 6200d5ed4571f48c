package io.escapement.simulator.tcp;

import io.escapement.simulator.Scenario;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * CUBIC as RFC 9438 has it ({@link Scenario.Window#RFC}) in {@link CongestionControl}: the curve's constants worked
 * by hand, the cut on loss with fast convergence, and the window driven round by round against {@code W_cubic(t)}.
 * Linux's {@code tcp_cubic.c} ({@link Scenario.Window#LINUX}): {@link TcpCubicLinuxTest}.
 */
class TcpCubicTest
{
    private static final long RTT_US = 100_000;

    private static CongestionControl cubic()
    {
        final CongestionControl w = new CongestionControl(Scenario.builder().window(Scenario.Window.RFC)
            .cc(Scenario.Cc.CUBIC).build(), 1);
        w.reset(0);
        return w;
    }

    /** Slow start by {@code acks} ACKs of a segment each: RFC 5681 grows the window one segment per ACK. */
    private static void slowStart(final CongestionControl w, final int acks)
    {
        for (int a = 0; a < acks; a++)
        {
            w.onAck(0, 1, w.cwnd(0), 0, RTT_US);
        }
    }

    /**
     * One round trip from {@code startUs}: the window's segments acknowledged one by one, spread over the RTT, the
     * sender keeping the window full (each ACK finds the flight at the window: it limits the sender).
     */
    private static void round(final CongestionControl w, final long startUs)
    {
        final int round = w.cwnd(0);
        for (int s = 0; s < round; s++)
        {
            w.onAck(0, 1, w.cwnd(0), startUs + s * RTT_US / round, RTT_US);
        }
    }

    @Test
    void shouldGiveTheRfcsKAndCurveOnWorkedValues()
    {
        // W_max = 100, cwnd_epoch = 70: K = cbrt((100 - 70) / 0.4) = cbrt(75) = 4.21716 s; the curve starts at the
        // window (70) and reaches W_max at K; alpha_cubic = 3 (0.3) / 1.7 = 0.52941
        assertEquals(4.21716, CongestionControl.cubicK(100, 70), 1e-5);
        assertEquals(70, CongestionControl.wCubic(0, 4.21716, 100), 1e-3);
        assertEquals(100, CongestionControl.wCubic(4.21716, 4.21716, 100), 1e-9);
        assertEquals(100.4, CongestionControl.wCubic(5.21716, 4.21716, 100), 1e-9);
        assertEquals(0, CongestionControl.cubicK(80, 90), "above W_max: K = 0");
        assertEquals(0.52941, CongestionControl.CUBIC_ALPHA, 1e-5);
    }

    @Test
    void shouldCutByBetaAndConvergeFastWhenALossComesBelowTheLastMaximum()
    {
        final CongestionControl w = cubic();
        slowStart(w, 90); // slow start: 10 + 90
        assertEquals(100, w.cwnd(0));
        w.onFastRetransmit(0, 100);
        assertEquals(70, w.cwnd(0), "cwnd = ssthresh = 0.7 x 100");
        assertEquals(70, w.ssthresh(0));
        // grow to 80 or just above through avoidance (round by round), then a second loss below W_max = 100: fast
        // convergence takes W_max to cwnd x 1.7 / 2, so for a loss at 81 the next curve flattens at 68.85
        // (K = cbrt((68.85 - 56) / 0.4) = 3.179 s), not at 100 (K = cbrt((100 - 56) / 0.4) = 4.791 s, where
        // W_cubic(3.179 s) = 98.1)
        long now = 0;
        while (w.cwnd(0) < 80)
        {
            round(w, now);
            now += RTT_US;
        }
        final int before = w.cwnd(0);
        assertTrue(before <= 82, "avoidance grows a few segments a round here: " + before);
        w.onFastRetransmit(0, before);
        assertEquals((int)(before * 0.7), w.cwnd(0));
        assertEquals((int)(before * 0.7), w.ssthresh(0));
        final double wMax = before * 1.7 / 2;
        final double k = CongestionControl.cubicK(wMax, w.cwnd(0));
        assertTrue(k > 3 && k < 3.3, "K " + k);
        final long epoch = now;
        while (now - epoch < (long)(k * 1e6))
        {
            round(w, now);
            now += RTT_US;
        }
        // at K: W_max 68.85, or W_est (56 + 0.53 a round, 72.9 after 32 rounds) where Reno's estimate is above the
        // curve; without fast convergence the curve would be at 98.1
        final double est = (int)(before * 0.7) + CongestionControl.CUBIC_ALPHA * (now - epoch) / RTT_US;
        assertTrue(w.cwnd(0) >= wMax - 2 && w.cwnd(0) <= Math.max(wMax, est) + 1, "at K the window is W_max " +
            wMax + " or W_est " + est + ": " + w.cwnd(0));
    }

    @Test
    void shouldFollowWCubicRoundByRoundAfterALoss()
    {
        // cwnd 100, a loss: W_max = 100, cwnd 70, K = 4.217 s. Round n (one RTT, 100 ms) acknowledges the whole
        // window, an ACK every RTT / cwnd from t = n RTT; each grows cwnd by (W_cubic(t + RTT) - cwnd) / cwnd, so
        // after round n the window lies between W_cubic((n + 1) RTT) and W_cubic((n + 2) RTT), give or take the
        // fraction of a segment carried over and the rounding down to whole segments. W_est stays below the curve
        // (70 + 0.53 n)
        final CongestionControl w = cubic();
        slowStart(w, 90);
        w.onFastRetransmit(0, 100);
        final double k = CongestionControl.cubicK(100, 70);
        for (int n = 0; n <= 60; n++)
        {
            round(w, n * RTT_US);
            // the ACKs of round n come at t in [n RTT, (n + 1) RTT) and aim at W_cubic(t + RTT)
            final double low = CongestionControl.wCubic(n * 0.1 + 0.1, k, 100);
            final double high = CongestionControl.wCubic(n * 0.1 + 0.2, k, 100);
            assertTrue(w.cwnd(0) <= high + 1 && w.cwnd(0) >= low - 2, "round " + n + ": cwnd " + w.cwnd(0) +
                ", W_cubic(t + RTT) from " + low + " to " + high);
        }
        assertEquals(103, w.cwnd(0), "round 60 aims between W_cubic(6.1 s) = 100 + 0.4 x 1.883^3 = 102.67 and " +
            "W_cubic(6.2 s) = 103.13");
    }

    @Test
    void shouldFollowRenosEstimateWhereItIsAboveTheCurve()
    {
        // a loss at cwnd 4: W_max = 4, cwnd 2, K = cbrt(5) = 1.71 s: the curve is nearly flat for a second, while
        // W_est grows by 0.53 a round: the window follows W_est (the Reno-friendly region, RFC 9438 4.3)
        final CongestionControl w = cubic();
        w.onAck(0, 0, 1, 0, RTT_US);
        w.onFastRetransmit(0, 10); // 10 -> 7
        w.onFastRetransmit(0, 7);  // 7 -> 4 (W_max 7 x 0.85 = 5.95)
        final int start = w.cwnd(0);
        double est = start;
        final double k = CongestionControl.cubicK(7 * 1.7 / 2, start);
        for (int n = 0; n < 8; n++)
        {
            final int round = w.cwnd(0);
            for (int s = 0; s < round; s++)
            {
                est += CongestionControl.CUBIC_ALPHA / w.cwnd(0);
                w.onAck(0, 1, w.cwnd(0), n * RTT_US + s * RTT_US / round, RTT_US);
            }
            if (CongestionControl.wCubic(n * 0.1, k, 7 * 1.7 / 2) < est)
            {
                assertEquals(Math.floor(est), w.cwnd(0), 0.0, "round " + n + ": W_est " + est);
            }
        }
    }

    @Test
    void shouldForgetWMaxOnAnRtoAndGrowConvexFromSsthreshWithoutFastConvergenceAfter()
    {
        // RFC 9438 4.8 (as Linux's cubictcp_state(TCP_CA_Loss) -> bictcp_reset()): an RTO at cwnd 40 sets ssthresh
        // to 28 and forgets W_max (last_max_cwnd = 0). Back in avoidance at 28 the epoch starts with K = 0 and
        // W_max = 28: W_cubic(t) = 0.4 t^3 + 28, nearly flat for a second, so the window follows W_est (28 + 0.53 a
        // round). Kept, the pre-RTO W_max of 40 gave K = cbrt(30) = 3.1 s and a concave climb of about 2 segments a
        // round at first (W_cubic(0.2 s) = 40 - 0.4 x 2.9^3 = 30.2). Linux adds a floor of 5% a round here
        // (TcpCubicLinuxTest).
        final CongestionControl w = cubic();
        slowStart(w, 30);
        assertEquals(40, w.cwnd(0));
        w.onTimeout(0, 40, true);
        assertEquals(28, w.ssthresh(0), "ssthresh = 0.7 x 40");
        assertEquals(1, w.cwnd(0));
        assertEquals(0, w.wMax(0), "the RTO forgets W_max");
        slowStart(w, 27); // slow start back to ssthresh
        assertEquals(28, w.cwnd(0));
        long now = RTT_US;
        double est = 28;
        for (int n = 0; n < 10; n++)
        {
            final int before = w.cwnd(0);
            round(w, now);
            est += CongestionControl.CUBIC_ALPHA * before / before;
            now += RTT_US;
            final double convex = CongestionControl.wCubic((n + 2) * 0.1, 0, 28);
            assertTrue(w.cwnd(0) <= Math.max(convex, est) + 1, "round " + n + ": cwnd " + w.cwnd(0) +
                " above both W_cubic(t + RTT) = " + convex + " from 28 and W_est = " + est);
        }
        assertEquals(28, w.wMax(0), 0.0, "the epoch's W_max is the window it started at");
        // the next loss comes above that W_max: no fast convergence, W_max is the window (kept at 40 it would have
        // been lowered to cwnd x 0.85)
        final int c = w.cwnd(0);
        assertTrue(c > 28 && c < 40, "grown above 28 and below the old 40: " + c);
        w.onFastRetransmit(0, c);
        assertEquals(c, w.wMax(0), 0.0, "W_max without fast convergence");
        assertEquals((int)(c * 0.7), w.ssthresh(0));
    }
}
