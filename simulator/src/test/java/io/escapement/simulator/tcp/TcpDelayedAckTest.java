package io.escapement.simulator.tcp;

import io.escapement.simulator.Scenario;
import io.escapement.simulator.report.Counter;
import org.junit.jupiter.api.Test;

import java.util.List;

import static io.escapement.simulator.net.NetworkModel.SEGMENT;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

/**
 * Delayed ACKs against the kernel's code (net/ipv4/tcp_input.c {@code tcp_event_data_recv()},
 * {@code __tcp_ack_snd_check()}; tcp_output.c {@code tcp_send_delayed_ack()}) and RFC 1122 4.2.3.2 / RFC 5681
 * 4.2, on one connection with exact times: the request's segments leave together and arrive 1 us apart, 10 ms
 * after they are sent.
 */
class TcpDelayedAckTest
{
    private static final int MSS = 1448;

    private static OneConnection run(final Scenario.DelayedAck mode, final int requestSegments,
        final long serverThinkUs)
    {
        return new OneConnection(null, b -> b.delayedAck(mode)
            .requestBytes(requestSegments * MSS).responseBytes(100).serverThinkUs(serverThinkUs)
            .window(Scenario.Window.OFF));
    }

    private static List<Long> before(final List<Long> times, final long limitUs)
    {
        return times.stream().filter(t -> t < limitUs).toList();
    }

    @Test
    void shouldAckEverySegmentInQuickAckModeThenEverySecondThenOnTheTimer()
    {
        // tcp_incr_quickack(): 10 quick ACKs for the first 10 segments; then an ACK when more than one full
        // segment is unacknowledged (segments 12); the 13th waits for the timer: ato is TCP_ATO_MIN (40 ms),
        // as spending the last quick ACK deflated it and 1 us gaps keep it there (ato/2 + ato_min/2)
        final OneConnection run = run(Scenario.DelayedAck.LINUX, 13, 300_000);
        final long firstArrival = run.timeOf("server ESTABLISHED receives DATA");
        final List<Long> acks = before(run.timesOf("server sends ACK "), firstArrival + 300_000);
        assertEquals(12, acks.size(), run.dump()); // 10 quick, one for 11+12, one from the timer for 13
        for (int k = 0; k < 10; k++)
        {
            assertEquals(firstArrival + k, acks.get(k), "quick ACK " + (k + 1) + "\n" + run.dump());
        }
        assertEquals(firstArrival + 11, acks.get(10), "segment 12 makes two unacknowledged: at once");
        assertEquals(firstArrival + 12 + 40_000, acks.get(11), "segment 13 waits TCP_ATO_MIN");
        assertEquals(1, run.count(Counter.DELAYED_ACKS));
        run.assertAccountedFor();
    }

    @Test
    void shouldAckEverySecondSegmentFromTheStartAndWithinTheFixedTimeoutUnderTheRfc()
    {
        // a 200 ms timeout: the RFCs' 500 ms would outlast this sender's RTO (linux: 200 ms + the RTT), which
        // then fires spuriously
        final OneConnection run = new OneConnection(null, b -> b.delayedAck(Scenario.DelayedAck.RFC)
            .atoUs(40_000, 200_000).requestBytes(5 * MSS).responseBytes(100).serverThinkUs(800_000)
            .window(Scenario.Window.OFF));
        final long firstArrival = run.timeOf("server ESTABLISHED receives DATA");
        final List<Long> acks = before(run.timesOf("server sends ACK "), firstArrival + 800_000);
        assertEquals(List.of(firstArrival + 1, firstArrival + 3, firstArrival + 4 + 200_000), acks, run.dump());
        assertEquals(1, run.count(Counter.DELAYED_ACKS));
        run.assertAccountedFor();
    }

    @Test
    void shouldAckOutOfOrderDataAndTheSegmentFillingTheHoleAtOnce()
    {
        // RFC 5681 4.2: segment 2 is lost; 3, 4 and 5 arrive out of order and are each acknowledged at once
        // (duplicate ACKs); the retransmitted 2 fills the hole and is acknowledged at once
        final OneConnection run = new OneConnection(
            (conn, fromClient, cls, unit, tx, ack) -> fromClient && cls == SEGMENT && unit == 2 && tx == 0,
            b -> b.delayedAck(Scenario.DelayedAck.RFC).atoUs(40_000, 500_000).requestBytes(5 * MSS)
                .responseBytes(100).serverThinkUs(800_000).window(Scenario.Window.OFF).fastRetransmit(false));
        final long firstArrival = run.timeOf("server ESTABLISHED receives DATA");
        final List<Long> acks = run.timesOf("server sends ACK ");
        // segment 1 alone waits; 3, 4, 5 (arriving 1 us apart after the lost 2) at once
        assertEquals(firstArrival + 1, acks.get(0), run.dump());
        assertEquals(firstArrival + 2, acks.get(1), run.dump());
        assertEquals(firstArrival + 3, acks.get(2), run.dump());
        final long refill = run.timesOf("server ESTABLISHED receives DATA").get(4);
        assertEquals(refill, acks.get(3), "the segment filling the hole is acknowledged at once\n" + run.dump());
        assertEquals(0, run.count(Counter.DELAYED_ACKS), "segment 1's timer was stopped by the duplicate ACK");
        run.assertAccountedFor();
    }

    @Test
    void shouldAckEverySegmentWhenOff()
    {
        final OneConnection run = run(Scenario.DelayedAck.OFF, 13, 300_000);
        final long firstArrival = run.timeOf("server ESTABLISHED receives DATA");
        assertEquals(13, before(run.timesOf("server sends ACK "), firstArrival + 300_000).size(), run.dump());
        assertEquals(0, run.count(Counter.DELAYED_ACKS));
        assertFalse(run.has("delayed-ACK timer fires"));
    }

    @Test
    void shouldLetTheReplyCarryTheAckWhenTheServerAnswersAtOnce()
    {
        final OneConnection run = run(Scenario.DelayedAck.LINUX, 13, 0);
        assertEquals(0, run.count(Counter.DELAYED_ACKS), run.dump());
        final long firstArrival = run.timeOf("server ESTABLISHED receives DATA");
        assertEquals(firstArrival + 12, run.timeOf("server sends DATA"), "the response carries the ACK of 13");
        assertEquals(11, before(run.timesOf("server sends ACK "), firstArrival + 13).size(), run.dump());
        run.assertAccountedFor();
    }

    @Test
    void shouldAdaptAtoAsTcpEventDataRecvDoes()
    {
        // hand-worked from tcp_event_data_recv(), TCP_ATO_MIN 40 ms, RTO 200 ms (microseconds)
        assertEquals(40_000, DelayedAck.adaptedAto(40_000, 1, 40_000, 200_000), "m <= ato_min/2: ato/2 + 20 ms");
        assertEquals(70_000, DelayedAck.adaptedAto(100_000, 10_000, 40_000, 200_000), "m <= ato_min/2");
        assertEquals(55_000, DelayedAck.adaptedAto(60_000, 25_000, 40_000, 200_000), "m < ato: ato/2 + m");
        assertEquals(200_000, DelayedAck.adaptedAto(300_000, 90_000, 40_000, 200_000), "capped at the RTO");
        assertEquals(50_000, DelayedAck.adaptedAto(40_000, 30_000, 40_000, 200_000), "m < ato: 20 ms + 30 ms");
        assertEquals(40_000, DelayedAck.adaptedAto(40_000, 45_000, 40_000, 200_000), "m >= ato: unchanged");
    }

    @Test
    void shouldBoundTheDelayAsTcpSendDelayedAckDoes()
    {
        // not above TCP_DELACK_MIN: as is; above it: bounded by 500 ms (HZ/2), by TCP_DELACK_MAX in ping-pong
        // mode, by the smoothed RTT (at least TCP_DELACK_MIN), and always by icsk_delack_max
        assertEquals(40_000, DelayedAck.delayedTimeout(40_000, false, 10_000, 40_000, 200_000));
        assertEquals(80_000, DelayedAck.delayedTimeout(80_000, false, -1, 40_000, 200_000));
        assertEquals(50_000, DelayedAck.delayedTimeout(80_000, false, 50_000, 40_000, 200_000), "srtt bounds it");
        assertEquals(40_000, DelayedAck.delayedTimeout(80_000, true, 10_000, 40_000, 200_000), "srtt floor");
        assertEquals(200_000, DelayedAck.delayedTimeout(400_000, true, -1, 40_000, 200_000), "TCP_DELACK_MAX");
        assertEquals(100_000, DelayedAck.delayedTimeout(400_000, false, -1, 40_000, 100_000), "delack_max");
    }
}
