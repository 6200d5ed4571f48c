package io.escapement.engine.rto;

import io.escapement.engine.rto.RetransmissionTimers.Outcome;
import io.escapement.engine.rto.RetransmissionTimers.Phase;
import io.escapement.engine.wheel.TimerWheel;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.Arrays;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * An ACK that newly acknowledges data without a valid RTT sample (Karn's rule withholds the sample of a
 * retransmitted segment): QUIC's {@code pto_count} resets (RFC 9002, section 6.2.1, Appendix A.7
 * {@code OnAckReceived}), TCP's backoff stays (RFC 6298, section 5; Linux {@code tcp_ack_update_rtt()}: "only reset
 * backoff on valid RTT measurement"). Every expected value is worked by hand from those texts in the comments.
 * <p>
 * The sequence, for every strategy: send at 0; at 100 ms an ACK of the first segment with a 100 ms sample, more
 * data still in flight; the timer then expires twice; then an ACK of the retransmitted segment, without timestamps,
 * so without a sample.
 */
class RetransmissionTimersAckWithoutSampleTest
{
    private static final long MS = 1_000;
    private static final int KIND = 3;

    private final TimerWheel wheel = TimerWheel.builder(TimeUnit.MICROSECONDS).build();
    private final RetransmissionTimers.Ack ack = new RetransmissionTimers.Ack();

    private RetransmissionTimers sampledThenTwiceExpired(final String strategy, final long firstDeadlineUs,
        final long secondDeadlineUs, final long thirdDeadlineUs)
    {
        final RetransmissionTimers timers = new RetransmissionTimers(wheel, RtoStrategies.parse(strategy),
            RetryPolicy.linuxDefaults(), false, 1, KIND);
        timers.open(0, Phase.DATA);
        timers.onSend(0, 0);
        timers.onAck(0, ack.of(100 * MS, 1, 3).rtt(100 * MS, false));
        assertEquals(firstDeadlineUs, timers.deadlineUs(0), "after the sample");
        expire(timers, firstDeadlineUs);
        assertEquals(secondDeadlineUs, timers.deadlineUs(0), "after the first expiry");
        expire(timers, secondDeadlineUs);
        assertEquals(thirdDeadlineUs, timers.deadlineUs(0), "after the second expiry");
        assertEquals(2, timers.retransmissions(0));
        return timers;
    }

    private void expire(final RetransmissionTimers timers, final long deadlineUs)
    {
        final int fired = wheel.poll(deadlineUs, (handle, payload, deadline) ->
            assertEquals(Outcome.RETRANSMIT, timers.onExpiry((int)(payload >>> 8), deadline)));
        assertEquals(1, fired, "one expiry at " + deadlineUs);
    }

    @Test
    void shouldResetQuicsPtoCountWhenAnAckOfNewDataGivesNoSample()
    {
        // RFC 9002 defaults: max_ack_delay 25 ms, kGranularity 1 ms. Section 5.3, first sample 100 ms:
        // smoothed_rtt = 100 ms, rttvar = 50 ms. Section 6.2.1: PTO = 100 + max(4 * 50, 1) + 25 = 325 ms, armed at
        // 100 + 325 = 425 ms; pto_count 1 doubles it to 650 ms (armed at 1075 ms), pto_count 2 to 1300 ms (2375 ms).
        final RetransmissionTimers timers = sampledThenTwiceExpired("quic", 425 * MS, 1075 * MS, 2375 * MS);
        assertEquals(1300 * MS, timers.rtoUs(0));

        // Appendix A.7, OnAckReceived: newly acknowledged packets, no RTT update (section 5.1: the largest
        // acknowledged was not newly acknowledged, so no sample: no rtt() on the Ack), pto_count = 0 all the same; the timer
        // restarts with PTO = 325 ms from 1200 ms.
        timers.onAck(0, ack.of(1200 * MS, 2, 3));
        assertEquals(325 * MS, timers.rtoUs(0));
        assertEquals(1525 * MS, timers.deadlineUs(0));
        assertEquals(100_000, timers.srttUs(0), "no sample: the estimator is untouched");
    }

    @Test
    void shouldTakeQuicsSampleFromTheAckOfARetransmissionWhichKarnWithholdsFromTcp()
    {
        // RFC 9002 4.2: a retransmission is a new packet number, so its ACK is an unambiguous sample (Karn's rule
        // guards TCP only). After the two expiries the ACK of the retransmission sent at 1075 ms arrives at
        // 1200 ms: a 125 ms sample. Section 5.3: rttvar = 3/4 * 50 + 1/4 * |100 - 125| = 43.75 ms,
        // smoothed_rtt = 7/8 * 100 + 1/8 * 125 = 103.125 ms; pto_count 0: PTO = 103.125 + 4 * 43.75 + 25 = 303.125 ms.
        final RetransmissionTimers quic = sampledThenTwiceExpired("quic", 425 * MS, 1075 * MS, 2375 * MS);
        assertTrue(quic.samplesRetransmissions());
        quic.onAck(0, ack.of(1200 * MS, 2, 3).rtt(125 * MS, true));
        assertEquals(103_125, quic.srttUs(0));
        assertEquals(303_125, quic.rtoUs(0));

        // the same ACK under RFC 6298 without timestamps: Karn's rule, no sample, SRTT stays 100 ms
        final RetransmissionTimers tcp = new RetransmissionTimers(TimerWheel.builder(TimeUnit.MICROSECONDS).build(),
            RtoStrategies.parse("rfc6298:min=200ms"), RetryPolicy.linuxDefaults(), false, 1, KIND);
        assertTrue(!tcp.samplesRetransmissions());
        tcp.open(0, Phase.DATA);
        tcp.onSend(0, 0);
        tcp.onAck(0, ack.of(100 * MS, 1, 3).rtt(100 * MS, false));
        tcp.onAck(0, ack.of(1200 * MS, 2, 3).rtt(125 * MS, true));
        assertEquals(100_000, tcp.srttUs(0));
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = ';', value = {
        // RFC 6298 2.2: SRTT = 100 ms, RTTVAR = 50 ms, RTO = 100 + max(1 ms, 4 * 50) = 300 ms (above min=200ms);
        // armed at 400 ms; 5.5 doubles it to 600 ms (armed at 1000 ms), then 1200 ms (armed at 2200 ms).
        "rfc6298:min=200ms;  400; 1000; 2200; 1200",
        // RFC 4015 leaves RFC 6298's timer as it is outside a spurious timeout: the same numbers.
        "eifel:min=200ms;    400; 1000; 2200; 1200",
        // tcp_rtt_estimator, first sample m = 100 ms: srtt = 8m, mdev = 2m = 200 ms, rttvar = max(mdev, 200 ms) =
        // 200 ms; tcp_set_rto: 100 + 200 = 300 ms = 300 jiffies at HZ 1000; icsk_rto << 1: 600, 1200 ms.
        "linux:hz=1000;      400; 1000; 2200; 1200",
        // RFC 793: SRTT = 100 ms, RTO = BETA * SRTT = 200 ms (LBOUND 100 ms); doubled: 400 ms, 800 ms.
        "rfc793:lbound=100ms;300;  700; 1500;  800",
        // The baseline: 300 ms whatever the sample; doubled: 600 ms, 1200 ms.
        "fixed:rto=300ms;    400; 1000; 2200; 1200",
    })
    void shouldKeepTcpsBackoffWhenAnAckOfNewDataGivesNoSample(final String strategy, final long firstMs,
        final long secondMs, final long thirdMs, final long backedOffMs)
    {
        final RetransmissionTimers timers = sampledThenTwiceExpired(strategy, firstMs * MS, secondMs * MS,
            thirdMs * MS);
        assertEquals(backedOffMs * MS, timers.rtoUs(0));

        // Karn: the ACK of the retransmission gives no sample and the backed-off RTO is kept; RFC 6298 5.3 restarts
        // the timer "so that it will expire after RTO seconds (for the current value of RTO)".
        final long nowUs = thirdMs * MS - 100 * MS;
        timers.onAck(0, ack.of(nowUs, 2, 3).rtt(nowUs, true));
        assertEquals(backedOffMs * MS, timers.rtoUs(0), "the backed-off RTO stays until a valid sample");
        assertEquals(nowUs + backedOffMs * MS, timers.deadlineUs(0));

        // The next valid sample ends the backoff: a fresh 100 ms sample brings the RTO back from the doubled value.
        timers.onAck(0, ack.of(nowUs + 100 * MS, 3, 4).rtt(100 * MS, false));
        assertTrue(timers.rtoUs(0) < backedOffMs * MS, "a valid sample collapses the backoff");
    }

    @Test
    void shouldNotTouchTheStrategysStateOutsideItsWordsOnAnAckWithoutSample()
    {
        for (final String name : RtoStrategies.names())
        {
            final RtoStrategy strategy = RtoStrategies.parse(name);
            final long[] state = new long[2 + strategy.stateWords() + 2];
            Arrays.fill(state, 0x5EEDL);
            strategy.reset(state, 2);
            strategy.onRttSample(state, 2, 100 * MS, 0, 1, 2);
            strategy.onTimeout(state, 2);
            strategy.onAckWithoutSample(state, 2);
            assertEquals(0x5EEDL, state[0], name);
            assertEquals(0x5EEDL, state[1], name);
            assertEquals(0x5EEDL, state[state.length - 1], name);
            assertEquals(0x5EEDL, state[state.length - 2], name);
            assertEquals(name.equals(QuicStrategy.NAME) ? 0 : 1, strategy.backoffCount(state, 2), name);
        }
    }
}
