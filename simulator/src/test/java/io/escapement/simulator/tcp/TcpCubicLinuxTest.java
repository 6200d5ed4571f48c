package io.escapement.simulator.tcp;

import io.escapement.simulator.Scenario;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * CUBIC as Linux's {@code net/ipv4/tcp_cubic.c} has it ({@link Scenario.Window#LINUX}, the {@code linux} preset)
 * where it parts from RFC 9438 ({@link TcpCubicTest}): beta 717 / 1024 in integers, the first epoch's 5% a round,
 * the target one {@code delay_min} ahead and {@code delay_min}'s own rules. Expected values are worked from the
 * kernel's integer formulas by hand, or from a per-ACK counter as {@code tcp_cong_avoid_ai()} keeps one.
 */
class TcpCubicLinuxTest
{
    private static final long RTT_US = 100_000;

    private static CongestionControl cubic()
    {
        final CongestionControl w = new CongestionControl(Scenario.builder().window(Scenario.Window.LINUX)
            .cc(Scenario.Cc.CUBIC).build(), 1);
        w.reset(0);
        return w;
    }

    /** One round trip from {@code startUs}: the window's segments acknowledged one by one, the window kept full. */
    private static void round(final CongestionControl w, final long startUs, final long srttUs)
    {
        final int round = w.cwnd(0);
        for (int s = 0; s < round; s++)
        {
            w.onAck(0, 1, w.cwnd(0), startUs + s * RTT_US / round, srttUs);
        }
    }

    @Test
    void shouldCutBy717Over1024InWholeSegmentsWhenALossComes()
    {
        // cubictcp_recalc_ssthresh(): ssthresh = max(cwnd x 717 / 1024, 2); at 1027 that is 719 (719.09), where
        // RFC 9438's 0.7 gives 718 (718.9); fast convergence at the next loss, below last_max_cwnd = 1027:
        // last_max_cwnd = 719 x 1741 / 2048 = 611 (611.2), whole segments
        final CongestionControl w = cubic();
        w.onAck(0, 1017, 1027, 0, RTT_US); // slow start: 10 + 1017
        assertEquals(1027, w.cwnd(0));
        w.onFastRetransmit(0, 1027);
        assertEquals(719, w.ssthresh(0), "ssthresh = 1027 x 717 / 1024");
        assertEquals(719, w.cwnd(0));
        assertEquals(1027, w.wMax(0), 0.0);
        w.onFastRetransmit(0, 719);
        assertEquals(611, w.wMax(0), 0.0, "fast convergence: 719 x 1741 / 2048 in whole segments");
        assertEquals(503, w.ssthresh(0), "719 x 717 / 1024 = 503.4");
        assertEquals(503, w.cwnd(0));
    }

    @Test
    void shouldGrowFivePercentARoundWhenAnRtoHasForgottenWMax()
    {
        // an RTO at cwnd 40: ssthresh 40 x 717 / 1024 = 28, and bictcp_reset() forgets last_max_cwnd. Back in
        // avoidance at 28 the curve starts at the window (K = 0: 28 + 0.4 t^3, under a segment for a second) and
        // Reno's estimate grows a segment per 28 x 15 / 8 = 52 ACKs, both slower than bictcp_update()'s floor with
        // no last_max_cwnd: cnt = 20, a segment per 20 acknowledged, 5% a round. RFC 9438 has no such floor: there
        // the window follows W_est, 28 + 0.53 a round (TcpCubicTest), 33 after ten rounds.
        final CongestionControl w = cubic();
        w.onRttSample(0, RTT_US, 0);
        w.onAck(0, 30, 40, 0, RTT_US);
        assertEquals(40, w.cwnd(0));
        w.onTimeout(0, 40, true);
        assertEquals(28, w.ssthresh(0), "ssthresh = 40 x 717 / 1024");
        assertEquals(1, w.cwnd(0));
        assertEquals(0, w.wMax(0), 0.0, "the RTO forgets last_max_cwnd");
        w.onAck(0, 27, 1, 0, RTT_US); // slow start back to ssthresh
        assertEquals(28, w.cwnd(0));
        // the reference: a segment per 20 acknowledged, the count carried across rounds (snd_cwnd_cnt)
        int model = 28;
        int counted = 0;
        long now = RTT_US;
        for (int n = 0; n < 10; n++)
        {
            final int acks = model;
            for (int a = 0; a < acks; a++)
            {
                if (++counted == 20)
                {
                    counted = 0;
                    model++;
                }
            }
            round(w, now, RTT_US);
            now += RTT_US;
            assertEquals(model, w.cwnd(0), "round " + n);
        }
        assertEquals(45, w.cwnd(0), "28 grown by a segment per 20 ACKs for ten rounds: 29, 30, 32, 33, 35, 37, 39, " +
            "41, 43, 45");
    }

    @Test
    void shouldAimOneMinimumRttAheadNotOneSmoothedRtt()
    {
        // a loss at 100: cwnd 70, W_max 100, K = cbrt(30 / 0.4) = 4.22 s. The first round aims at the curve one
        // delay_min ahead: W(0.1 s) = 100 - 0.4 x 4.12^3 = 72.1, a few segments a round. The smoothed RTT the
        // sender passes (here three times the minimum, as after a delay spike) must not move the target: with it,
        // W(0.3 s) = 76.0 would double the growth. A minimum of 300 ms does.
        final int atMin100Srtt300 = firstRoundAfterALoss(RTT_US, 3 * RTT_US);
        final int atMin100Srtt100 = firstRoundAfterALoss(RTT_US, RTT_US);
        final int atMin300Srtt300 = firstRoundAfterALoss(3 * RTT_US, 3 * RTT_US);
        assertEquals(atMin100Srtt100, atMin100Srtt300, "SRTT does not move the target");
        assertTrue(atMin100Srtt100 >= 72 && atMin100Srtt100 <= 74, "70 + a few: " + atMin100Srtt100);
        assertTrue(atMin300Srtt300 >= atMin100Srtt100 + 2, "delay_min does: " + atMin300Srtt300 + " against " +
            atMin100Srtt100);
    }

    private static int firstRoundAfterALoss(final long minRttUs, final long srttUs)
    {
        final CongestionControl w = cubic();
        w.onRttSample(0, minRttUs, 0);
        w.onAck(0, 90, 100, 0, srttUs);
        w.onFastRetransmit(0, 100);
        assertEquals(70, w.cwnd(0), "100 x 717 / 1024");
        round(w, 0, srttUs);
        return w.cwnd(0);
    }

    @Test
    void shouldKeepTheLeastRttSampleButNotInAnEpochsFirstSecondAndForgetItOnAnRto()
    {
        final CongestionControl w = cubic();
        w.onRttSample(0, 80_000, 0);
        w.onRttSample(0, 120_000, 0);
        w.onRttSample(0, -1, 0); // no sample (resent data only, no timestamps)
        assertEquals(80_000, w.delayMinUs(0));
        w.onAck(0, 10, 20, 0, RTT_US);
        w.onFastRetransmit(0, 20);
        w.onAck(0, 1, w.cwnd(0), 5_000_000, RTT_US); // the epoch starts at 5 s
        w.onRttSample(0, 50_000, 5_999_999);
        assertEquals(80_000, w.delayMinUs(0), "cubictcp_acked(): within HZ of epoch_start, ignored");
        w.onRttSample(0, 50_000, 6_000_000);
        assertEquals(50_000, w.delayMinUs(0), "a second on, taken");
        w.onTimeout(0, w.cwnd(0), true);
        assertEquals(0, w.delayMinUs(0), "bictcp_reset() at the RTO");
        w.onRttSample(0, 90_000, 6_100_000);
        assertEquals(90_000, w.delayMinUs(0), "no epoch after the RTO: the next sample starts it afresh");
    }
}
