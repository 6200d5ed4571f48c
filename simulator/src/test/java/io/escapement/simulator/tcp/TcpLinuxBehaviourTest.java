package io.escapement.simulator.tcp;

import io.escapement.simulator.net.NetworkModel;
import io.escapement.simulator.report.Counter;
import org.junit.jupiter.api.Test;

import java.util.List;

import static io.escapement.simulator.net.NetworkModel.SEGMENT;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Each behaviour of Linux 6.x the simulator follows, pinned to the kernel's code: the function or sysctl is named
 * in each test. One connection at a time (see {@link OneConnection}), exact times.
 */
class TcpLinuxBehaviourTest
{
    @Test
    void shouldRestartTheSynAckTimerWhenItAnswersADuplicateSyn()
    {
        // net/ipv4/tcp_minisocks.c, tcp_check_req(): a retransmitted SYN in SYN-RECV is answered with the SYN-ACK
        // (inet_rtx_syn_ack(), which counts num_retrans, not num_timeout) and then "Reset timer after
        // retransmitting SYNACK": mod_timer_pending(&req->rsk_timer, jiffies + reqsk_timeout(req, TCP_RTO_MAX)),
        // reqsk_timeout() being TCP_TIMEOUT_INIT << num_timeout: the timeout in force, from now.
        // The first four SYN-ACKs are lost; SYNs leave at 0, 1, 3 s (tcp_syn_linear_timeouts = 0) and arrive
        // 10 ms later.
        final OneConnection run = new OneConnection(
            (conn, fromClient, cls, unit, tx, ack) -> !fromClient && cls == SEGMENT && unit == 0 && tx < 4,
            b -> b.synLinearTimeouts(0));
        // 0.01: SYN-ACK, timer 1.01. 1.01: duplicate SYN answered, timer reset to 1.01 + 1 = 2.01 (without the
        // reset it would fire at 1.01). 2.01: fires, backs off to 2 s: 4.01. 3.01: duplicate SYN answered, timer
        // reset to 3.01 + 2 = 5.01 (not 4.01). 5.01: fires; that SYN-ACK arrives at 5.02.
        assertEquals(List.of(2_010_000L, 5_010_000L),
            run.timesOf("server SYN-RECEIVED retransmission timer fires"), run.dump());
        assertEquals(5_020_000, run.timeOf("client SYN-SENT -> ESTABLISHED"));
        assertEquals(2, run.count(Counter.SYN_ACK_FOR_DUPLICATE_SYN));
        assertEquals(2, run.count(Counter.RETX_SYN_ACK));
        run.assertAccountedFor();
    }

    @Test
    void shouldNotCountDuplicateSynAnswersTowardsTheSynAckGiveUp()
    {
        // tcp_check_req()'s answers raise num_retrans; reqsk_timer_handler() gives up on num_timeout >=
        // tcp_synack_retries, the timer's own expiries only. Every SYN-ACK is lost and the client keeps retrying
        // (tcp_syn_retries = 10): the first request still makes its five timer retransmissions before it is
        // dropped, however many duplicate SYNs it answered in between.
        final OneConnection run = new OneConnection(
            (conn, fromClient, cls, unit, tx, ack) -> !fromClient && cls == SEGMENT && unit == 0,
            b -> b.synLinearTimeouts(0).synRetries(10));
        final long gaveUp = run.timeOf("GAVE_UP_SYN_ACK");
        assertEquals(5, run.timesOf("server SYN-RECEIVED retransmission timer fires: RETRANSMIT").stream()
            .filter(t -> t < gaveUp).count(), run.dump());
        assertTrue(run.timesOf("server SYN-RECEIVED receives SYN").stream().filter(t -> t < gaveUp).count() >= 3,
            run.dump());
        run.assertAccountedFor();
    }

    @Test
    void shouldCloseWithFinNotRstWhenTheIdleApplicationLeftNothingUnread()
    {
        // net/ipv4/tcp.c, tcp_close(): RST only if data_was_unread (bytes left in sk_receive_queue); otherwise
        // tcp_close_state() and tcp_send_fin(). The request is lost twice (RTO 3 s): the server, which has read
        // everything that arrived (nothing), reaches its 5 s idle timeout before the request and closes without
        // writing: its FIN follows its SYN (seq = ISN + 1), no RST anywhere, and the client reads end-of-file.
        final OneConnection run = new OneConnection(
            (conn, fromClient, cls, unit, tx, ack) -> fromClient && cls == SEGMENT && unit == 1 && tx < 2,
            b -> b.idleTimeoutUs(5_000_000).rto("fixed:rto=3s"));
        final long idle = run.timeOf("server idle timeout: the application closes without writing");
        assertEquals(idle, run.timeOf("server sends FIN seq=" + (run.isn(1) + 1) + " "), run.dump());
        assertTrue(run.timesOf("sends RST").stream().allMatch(t -> t > idle), "no RST at close(): " + run.dump());
        assertEquals(1, run.count(Counter.OUTCOME_CLOSED_BEFORE_RESPONSE));
        assertEquals(0, run.count(Counter.OUTCOME_COMPLETED));
        run.assertAccountedFor();
    }

    @Test
    void shouldResetWhenNewDataReachesASocketItsApplicationClosed()
    {
        // net/ipv4/tcp_input.c, tcp_rcv_state_process(): in FIN-WAIT-1/2 with RCV_SHUTDOWN (close() was called),
        // a segment with data beyond rcv_nxt gets tcp_reset() and, returning 1, a RST from tcp_v4_do_rcv()
        // ("RFC 1122 says we MUST send a reset"). The request of the test above arrives after the server closed.
        final OneConnection run = new OneConnection(
            (conn, fromClient, cls, unit, tx, ack) -> fromClient && cls == SEGMENT && unit == 1 && tx < 2,
            b -> b.idleTimeoutUs(5_000_000).rto("fixed:rto=3s"));
        OneConnection.assertContainsInOrder(run.trace, "server idle timeout: the application closes without writing",
            "server FIN-WAIT-2 receives DATA", "server FIN-WAIT-2: data after close(), RST -> CLOSED",
            "server sends RST", "client LAST-ACK receives RST", "client LAST-ACK -> CLOSED (reset)");
        assertEquals(1, run.count(Counter.RST_SENT), run.dump());
        run.assertAccountedFor();
    }

    @Test
    void shouldKeepAHalfClosedFinWait2WithoutTheFinTimeoutUntilTheApplicationCloses()
    {
        // shutdown(SHUT_WR) sends the FIN but leaves the socket open: tcp_rcv_state_process() arms the FIN-WAIT-2
        // timer (tcp_fin_timeout) only for an orphaned socket (SOCK_DEAD); tcp_close() in FIN-WAIT-2 starts it.
        // Here the server thinks 100 s, longer than the 60 s fin_timeout, before it answers the half-closed client,
        // which must still be there to read the response.
        final OneConnection run = new OneConnection(null, b -> b.halfClose(1).serverThinkUs(100_000_000)
            .clientClosesFirst(0).idleTimeoutUs(3_600_000_000L));
        final long x = run.isn(0);
        OneConnection.assertContainsInOrder(run.trace,
            "client sends DATA seq=" + (x + 1) + " len=300",
            "client shutdown(SHUT_WR) -> FIN-WAIT-1, sends FIN",
            "client sends FIN seq=" + (x + 301),
            "client FIN-WAIT-1 receives ACK ack=" + (x + 302),
            "client FIN-WAIT-2 receives DATA",
            "client FIN-WAIT-2 receives FIN",
            "TIME-WAIT ends");
        assertTrue(run.timeOf("client FIN-WAIT-2 receives DATA") > 100_000_000, run.dump());
        assertEquals(0, run.count(Counter.FIN_WAIT_2_TIMEOUTS), run.dump());
        assertEquals(1, run.count(Counter.OUTCOME_COMPLETED));
        run.assertAccountedFor();
    }

    @Test
    void shouldStartTheFinTimeoutWhenAHalfClosedApplicationClosesInFinWait2()
    {
        // tcp_close() in FIN-WAIT-2 orphans the socket and starts tcp_fin_timeout: the half-closed client is in
        // FIN-WAIT-2 (no timer) while the server thinks for 1 s; it closes once it has its response (client
        // first); the server never sends its FIN (every server FIN is lost)
        final OneConnection run = new OneConnection(
            (conn, fromClient, cls, unit, tx, ack) -> !fromClient && cls == SEGMENT && unit == 4,
            b -> b.halfClose(1).clientClosesFirst(1).serverThinkUs(1_000_000));
        final long closed = run.timeOf("client FIN-WAIT-2 receives DATA seq=" + (run.isn(1) + 1 + 2896));
        assertEquals(closed + 60_000_000, run.timeOf("client FIN-WAIT-2 fin_timeout -> CLOSED"), run.dump());
        assertEquals(1, run.count(Counter.OUTCOME_COMPLETED));
        run.assertAccountedFor();
    }

    @Test
    void shouldRetryAHalfClosedEndsFinUnderTcpOrphanRetriesOnceTheApplicationCloses()
    {
        // tcp_close() orphans a half-closed socket whose FIN is still unacknowledged: from then on
        // tcp_write_timeout() bounds its retransmissions by tcp_orphan_retries(), not tcp_retries2. Every client FIN
        // is lost; the half-closed client reads its response (FIN-WAIT-1 still) and closes, so it gives up as an
        // orphan (GAVE_UP_FIN), where a socket left unorphaned would run the whole tcp_retries2 budget
        final OneConnection run = new OneConnection(
            (conn, fromClient, cls, unit, tx, ack) -> fromClient && cls == SEGMENT && unit == 2,
            b -> b.halfClose(1).clientClosesFirst(1));
        assertEquals(1, run.count(Counter.ORPHAN_GIVE_UPS), run.dump());
        assertEquals(0, run.count(Counter.DATA_GIVE_UPS), run.dump());
        assertTrue(run.has("retransmission timer fires: GAVE_UP_FIN"), run.dump());
        run.assertAccountedFor();
    }

    @Test
    void shouldSpaceTheFirstFourSynRetransmissionsOneSecondApartByDefault()
    {
        // net.ipv4.tcp_syn_linear_timeouts, default 4 since Linux 6.5 (tcp_sk_init()); tcp_retransmit_timer()
        // backs off only once icsk_backoff > tcp_syn_linear_timeouts, and tcp_write_timeout() allows
        // tcp_syn_retries + tcp_syn_linear_timeouts retransmissions
        final OneConnection run = new OneConnection(
            (conn, fromClient, cls, unit, tx, ack) -> fromClient && cls == SEGMENT && unit == 0, b -> { });
        assertEquals(List.of(0L, 1_000_000L, 2_000_000L, 3_000_000L, 4_000_000L, 5_000_000L, 7_000_000L,
            11_000_000L, 19_000_000L, 35_000_000L, 67_000_000L), run.timesOf("client sends SYN"));
        assertEquals(131_000_000, run.timeOf("GAVE_UP_SYN"));
        run.assertAccountedFor();
    }

    @Test
    void shouldGiveTheLinuxStrategyExactTimersWhenHzIsZero()
    {
        // --hz 0 is exact everywhere: the linux strategy too (linux:hz=0), so the first RTO is RFC 6298's
        // SRTT + max(2 x SRTT, rto_min) = 20.3 ms + 200 ms to the microsecond, not rounded up to 221 jiffies
        final NetworkModel.Dropper firstRequest =
            (conn, fromClient, cls, unit, tx, ack) -> fromClient && cls == SEGMENT && unit == 1 && tx == 0;
        final OneConnection run = new OneConnection(null, b -> b.hz(0).rto("linux").network(NetworkModel.builder()
            .loss(0).rttUs(20_300).jitter(NetworkModel.Jitter.CONSTANT, 0).dropper(firstRequest).build()));
        assertEquals("linux:hz=0", run.scenario.rtoSpecification);
        final List<Long> data = run.timesOf("client sends DATA");
        assertEquals(2, data.size(), run.dump());
        assertEquals(20_300, data.get(0));
        assertEquals(20_300 + 220_300, data.get(1), run.dump());
        run.assertAccountedFor();
    }

    @Test
    void shouldFireSynRetransmissionsInTheKernelTimerWheelsBucketsAtHz1000()
    {
        // kernel/time/timer.c, calc_wheel_index(): at HZ 1000 a 1 s timer is in level 2 (64 ms buckets), 8 s in
        // level 3 (512 ms), 64 s in level 4 (4.096 s); calc_index() rounds up to the bucket. Armed at 0: 1000 ->
        // 1024; at 1024 for 2000: 3024 -> 3072; at 3072 for 4000: 7072 -> 7104; at 7104 for 8000: 15104 -> 15360;
        // at 15360 for 16000: 31360 -> 31744; at 31744 for 32000: 63744 -> 64000; at 64000 for 64000: 128000 ->
        // 131072, the give-up
        final OneConnection run = new OneConnection(
            (conn, fromClient, cls, unit, tx, ack) -> fromClient && cls == SEGMENT && unit == 0,
            b -> b.hz(1000).timerSlack(true).synLinearTimeouts(0));
        assertEquals(List.of(0L, 1_024_000L, 3_072_000L, 7_104_000L, 15_360_000L, 31_744_000L, 64_000_000L),
            run.timesOf("client sends SYN"), run.dump());
        assertEquals(131_072_000, run.timeOf("GAVE_UP_SYN"), "4 s later than the 127 s of exact timers");
        run.assertAccountedFor();
    }

    @Test
    void shouldFireSynRetransmissionsInTheKernelTimerWheelsBucketsAtHz250()
    {
        // the same at HZ 250 (4 ms jiffies): 250 jiffies from 0 is level 1 (8 jiffies): 256; at 256 for 500:
        // 756 -> 760; at 760 for 1000 (level 2, 64): 1760 -> 1792; at 1792 for 2000: 3792 -> 3840; at 3840 for
        // 4000: 7840 -> 7872; at 7872 for 8000 (level 3, 512): 15872 -> 16384; at 16384 for 16000: 32384 -> 32768
        final OneConnection run = new OneConnection(
            (conn, fromClient, cls, unit, tx, ack) -> fromClient && cls == SEGMENT && unit == 0,
            b -> b.hz(250).timerSlack(true).synLinearTimeouts(0));
        assertEquals(List.of(0L, 1_024_000L, 3_040_000L, 7_168_000L, 15_360_000L, 31_488_000L, 65_536_000L),
            run.timesOf("client sends SYN"), run.dump());
        assertEquals(131_072_000, run.timeOf("GAVE_UP_SYN"));
        run.assertAccountedFor();
    }

    @Test
    void shouldFireKernelTimersOnTheJiffyWhenTheSlackIsOff()
    {
        final OneConnection run = new OneConnection(
            (conn, fromClient, cls, unit, tx, ack) -> fromClient && cls == SEGMENT && unit == 0,
            b -> b.hz(1000).timerSlack(false).synLinearTimeouts(0));
        assertEquals(List.of(0L, 1_000_000L, 3_000_000L, 7_000_000L, 15_000_000L, 31_000_000L, 63_000_000L),
            run.timesOf("client sends SYN"));
        assertEquals(127_000_000, run.timeOf("GAVE_UP_SYN"));
    }

    @Test
    void shouldHoldTimeWaitForTheKernelWheelsBucketOfSixtySeconds()
    {
        // inet_twsk_schedule() arms the TIME-WAIT timer for TCP_TIMEWAIT_LEN (60 s): 60000 jiffies at HZ 1000 is
        // level 4, buckets of 4096 jiffies, so it ends at the next multiple of 4.096 s after its expiry
        final OneConnection run = new OneConnection(null, b -> b.hz(1000).timerSlack(true));
        final long from = run.timeOf("client FIN-WAIT-2 receives FIN");
        final long expiresJiffy = from / 1000 + 60_000;
        assertEquals((expiresJiffy / 4096 + 1) * 4096 * 1000, run.timeOf("TIME-WAIT ends"), run.dump());
        run.assertAccountedFor();
    }
}
