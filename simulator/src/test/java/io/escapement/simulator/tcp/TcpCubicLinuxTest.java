package io.escapement.simulator.tcp;

import io.escapement.simulator.Scenario;
import io.escapement.simulator.net.NetworkModel;
import org.junit.jupiter.api.Test;

import java.util.function.Consumer;

import static io.escapement.simulator.net.NetworkModel.SEGMENT;

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
        // without PRR: a loss sets cwnd = ssthresh at once, the window the avoidance epoch starts from when a
        // recovery ends (tcp_end_cwnd_reduction()); PRR's window in the recovery is TcpPrrTest's
        final CongestionControl w = new CongestionControl(Scenario.builder().window(Scenario.Window.LINUX)
            .cc(Scenario.Cc.CUBIC).prr(false).build(), 1);
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
        // a loss at 100: cwnd 70, W_max 100, K = cbrt(30 / 0.4) = 4.22 s (the kernel's cubic_root(2^40 / 410 x 30)
        // = 4316 / 1024 s). The smoothed RTT the sender passes (here three times the minimum, as after a delay
        // spike) must not move the target; delay_min does. Worked through bictcp_update() ACK by ACK, 70 ACKs
        // 1.43 ms apart, HZ 1000, bic_target = origin - (410 offs^3 >> 40), offs in 1/1024 s:
        // delay_min 100 ms: cnt 23 (target 73) at jiffy 0; 71 at the 23rd ACK; cnt 71 / 2 = 35 at jiffy 32; kept
        // (window unchanged) until jiffy 64, more than HZ / 32 later: target 74, cnt 23, and that ACK makes 72;
        // cnt 36 at jiffy 65, 24 (target 75) at jiffy 97, and the last ACK completes it: 73.
        // delay_min 300 ms: the same rules, from target 76 (cnt 11): 74 (75 with cnt recomputed on every ACK).
        final int atMin100Srtt300 = firstRoundAfterALoss(RTT_US, 3 * RTT_US);
        final int atMin100Srtt100 = firstRoundAfterALoss(RTT_US, RTT_US);
        final int atMin300Srtt300 = firstRoundAfterALoss(3 * RTT_US, 3 * RTT_US);
        assertEquals(atMin100Srtt100, atMin100Srtt300, "SRTT does not move the target");
        assertEquals(73, atMin100Srtt100);
        assertEquals(74, atMin300Srtt300, "delay_min does");
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

    /**
     * A loss at 29: cwnd 20 (29 x 717 / 1024), last_max_cwnd 29, K = cbrt(9 / 0.4) = 2.823 s. With delay_min at
     * {@code minRttUs} the first update aims at 29 - 0.4 (2.823 - delay_min)^3 in whole segments.
     */
    private static CongestionControl afterALossAt29(final long minRttUs)
    {
        final CongestionControl w = cubic();
        w.onRttSample(0, minRttUs, 0);
        w.onAck(0, 19, 29, 0, RTT_US);
        w.onFastRetransmit(0, 29);
        assertEquals(20, w.cwnd(0));
        return w;
    }

    @Test
    void shouldKeepOneCntForEveryAckOfAJiffyEvenAfterTheWindowGrew()
    {
        // delay_min 800 ms: 29 - 0.4 x 2.023^3 = 25.7, bic_target 29 - 3 = 26, cnt = 20 / (26 - 20) = 3. Twenty ACKs
        // in one jiffy: bictcp_update() computes cnt at the first, then (epoch_start set, tcp_jiffies32 ==
        // last_time) goes straight to tcp_friendliness, which (ack_cnt 20 below (21 x 15) >> 3 = 39) leaves it: a
        // segment every 3 ACKs, 20 -> 26 (snd_cwnd_cnt 2 left). A cnt recomputed per ACK (21 / 5 = 4, 22 / 4 = 5,
        // 23 / 3 = 7) ends at 24.
        final CongestionControl w = afterALossAt29(800_000);
        final long now = 10_000_000;
        for (int a = 0; a < 20; a++)
        {
            w.onAck(0, 1, w.cwnd(0), now + 500, RTT_US); // all within jiffy 10000 (HZ 1000)
        }
        assertEquals(26, w.cwnd(0));
    }

    @Test
    void shouldKeepCntForHzOver32JiffiesWhileTheWindowIsUnchanged()
    {
        // delay_min 853 ms: at the epoch's start 29 - 0.4 x 1.970^3 = 25.94, target 26, cnt 3; 31 ms later
        // 29 - 0.4 x 1.939^3 = 26.08, target 27, cnt 20 / 7 = 2. With cwnd still 20 and 31 jiffies <= HZ / 32
        // (1000 / 32 = 31), bictcp_update() returns at once: cnt stays 3, so the second ACK leaves cwnd at 20
        // (snd_cwnd_cnt 2); a cnt of 2 would have grown it to 21. At 32 jiffies the count is recomputed: 2.
        final long start = 10_000_000;
        final CongestionControl held = afterALossAt29(853_000);
        held.onAck(0, 1, 20, start, RTT_US);
        held.onAck(0, 1, 20, start + 31_000, RTT_US);
        assertEquals(20, held.cwnd(0), "HZ / 32 not passed, window unchanged: cnt 3 kept");
        held.onAck(0, 1, 20, start + 31_000, RTT_US);
        assertEquals(21, held.cwnd(0), "the third ACK completes cnt 3");
        final CongestionControl recomputed = afterALossAt29(853_000);
        recomputed.onAck(0, 1, 20, start, RTT_US);
        recomputed.onAck(0, 1, 20, start + 32_000, RTT_US);
        assertEquals(21, recomputed.cwnd(0), "32 jiffies on: cnt recomputed, 2");
    }

    /** One connection whose packets from 30 ms on (the response's 3 segments, the FINs) take 100 ms more one way. */
    private static OneConnection spikedResponse(final Consumer<Scenario.Builder> more)
    {
        return new OneConnection(null, b -> more.accept(b.responseBytes(3 * 1448).delayedAck(Scenario.DelayedAck.OFF)
            .network(NetworkModel.builder().loss(0).rttUs(2 * OneConnection.ONE_WAY_US)
                .jitter(NetworkModel.Jitter.CONSTANT, 0).delaySpike(30_000, 10_000_000, 100_000).build())));
    }

    @Test
    void shouldNotTakeTheHandshakesRttIntoDelayMin()
    {
        // the server's SYN-ACK takes 20 ms there and back; from 30 ms on every packet, the response, the FINs and
        // the ACKs coming back, takes 100 ms more each way, 220 ms there and back.
        // Linux's child socket has no SYN-ACK to sample at the handshake's last ACK (and tcp_init_transfer() ->
        // cubictcp_init() resets delay_min anyway): the server's delay_min is 220 ms, not the SYN-ACK's 20 ms
        final OneConnection run = spikedResponse(b -> { });
        final int server = 1; // slot 0, end 1
        assertEquals(220_000, run.shard.window().delayMinUs(server), 2, run.dump());
    }

    @Test
    void shouldTakeASampleFromADuplicateAckThatSacksNewData()
    {
        // the response's 10 segments leave at 30 ms; segment 1 is lost; from 45 ms on every packet takes 30 ms
        // more each way (no RTO: the timer is at 200 ms or more). The only ACKs back in 20 ms are the duplicates SACKing 2..10 (sent at 40 ms):
        // tcp_clean_rtx_queue() runs on them and hands CUBIC the RTT of the latest segment newly SACKed, 20 ms.
        // The ACK of the resent 1 gives none (Karn, and nothing newly SACKed); the rest come 80 ms late.
        final OneConnection run = new OneConnection(null, b -> b.responseBytes(10 * 1448)
            .delayedAck(Scenario.DelayedAck.OFF).rack(false)
            .network(NetworkModel.builder().loss(0).rttUs(2 * OneConnection.ONE_WAY_US)
                .jitter(NetworkModel.Jitter.CONSTANT, 0).delaySpike(45_000, 10_000_000, 30_000)
                .dropper((conn, fromClient, cls, u, tx, ack) -> !fromClient && cls == SEGMENT && u == 1 && tx == 0)
                .build()));
        assertTrue(run.has("fast retransmit"), run.dump());
        assertEquals(0, run.timesOf("server ESTABLISHED receives ACK ack=" + (run.isn(1) + 1)).stream()
            .filter(t -> t < 60_000 && t > 45_000).count() - 9, run.dump()); // nine duplicates (2..10), no new ACK
        assertEquals(20_000, run.shard.window().delayMinUs(1), 2, run.dump());
    }

    @Test
    void shouldCreepAtTheCurvesPlateauUntilRenosEstimatePassesTheWindow()
    {
        // losses at 20 and then 14 (fast convergence: last_max_cwnd = 14 x 1741 / 2048 = 11; ssthresh = cwnd =
        // 14 x 717 / 1024 = 9, prior_cwnd 14 and prior_ssthresh max(14, 3 x 14 / 4) = 14 saved), undone: cwnd 14,
        // ssthresh 14, avoidance with last_max_cwnd 11 <= 14: K = 0, the plateau at 14. With delay_min 100 ms the
        // target is 14 + 0.4 (t + 0.1)^3 in whole segments, 14 for the first second: cnt = 100 x 14, almost no
        // growth. ACKs 40 ms apart (each recomputes cnt: more than HZ / 32). tcp_friendliness: tcp_cwnd gains a
        // segment once ack_cnt passes (14 x 15) >> 3 = 26, at the 27th ACK; 15 > 14 caps cnt at 14 / (15 - 14) =
        // 14, and snd_cwnd_cnt, 26 by then, is past it: cwnd 15. With RFC 9438's alpha the estimate would pass a
        // segment at 14 / 0.529 = 26.5 ACKs as well; beta_scale's integer (15, not 15.07) decides the 27th.
        final CongestionControl w = cubic();
        w.onRttSample(0, RTT_US, 0);
        w.onAck(0, 10, 20, 0, RTT_US);
        w.onFastRetransmit(0, 20);
        assertEquals(14, w.cwnd(0));
        w.onFastRetransmit(0, 14);
        assertEquals(11, w.wMax(0), 0.0);
        assertEquals(9, w.cwnd(0));
        w.undo(0);
        assertEquals(14, w.cwnd(0));
        assertEquals(14, w.ssthresh(0));
        final long start = 10_000_000;
        for (int a = 0; a < 26; a++)
        {
            w.onAck(0, 1, 14, start + a * 40_000L, RTT_US);
        }
        assertEquals(14, w.cwnd(0), "cnt = 100 cwnd: 26 ACKs grow nothing");
        w.onAck(0, 1, 14, start + 26 * 40_000L, RTT_US);
        assertEquals(15, w.cwnd(0), "tcp_cwnd 15 > 14: cnt 14, reached");
    }

    @Test
    void shouldGrowAtMostASegmentPerTwoAcknowledged()
    {
        // after a loss at 29 (K = 2.823 s) with delay_min 800 ms, ten seconds into the epoch the curve is at
        // 29 + 0.4 x 7.98^3 = 232: cwnd / (target - cwnd) = 20 / 212 = 0, raised to 2 (1.5 times a round at most).
        // One ACK starts the epoch (cnt 3, snd_cwnd_cnt 1); 20 ACKs in one jiffy ten seconds later: a segment
        // every second ACK, from the first (snd_cwnd_cnt 1 + 1): 20 + 10 = 30
        final CongestionControl w = afterALossAt29(800_000);
        w.onAck(0, 1, 20, 10_000_000, RTT_US);
        assertEquals(20, w.cwnd(0));
        for (int a = 0; a < 20; a++)
        {
            w.onAck(0, 1, w.cwnd(0), 20_000_000, RTT_US);
        }
        assertEquals(30, w.cwnd(0));
    }
}
