package io.escapement.engine.rto;

import io.escapement.engine.rto.RetransmissionTimers.Outcome;
import io.escapement.engine.rto.RetransmissionTimers.Phase;
import io.escapement.engine.wheel.TimerWheel;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RetransmissionTimersTest
{
    private static final int KIND = 7;
    private final TimerWheel wheel = TimerWheel.builder(TimeUnit.MICROSECONDS).build();
    private final List<long[]> expiries = new ArrayList<>(); // {time, outcome ordinal}
    private final RetransmissionTimers.Ack ack = new RetransmissionTimers.Ack();

    private RetransmissionTimers timers(final String strategy, final RetryPolicy policy, final boolean timestamps)
    {
        return new RetransmissionTimers(wheel, RtoStrategies.parse(strategy), policy, timestamps, 4, KIND);
    }

    /** Runs virtual time until no timer is left, retransmitting on every expiry; records when and what. */
    private void runToCompletion(final RetransmissionTimers timers)
    {
        while (wheel.timerCount() > 0)
        {
            wheel.poll(Math.max(wheel.currentTime(), wheel.earliestDeadline()), (handle, payload, deadline) ->
            {
                assertEquals(KIND, payload & 0xFF);
                final Outcome outcome = timers.onExpiry((int)(payload >>> 8), wheel.currentTime());
                expiries.add(new long[]{wheel.currentTime(), outcome.ordinal()});
            });
        }
    }

    private List<Long> secondsOfExpiry()
    {
        return expiries.stream().map(e -> e[0] / 1_000_000).toList();
    }

    @Test
    void shouldRetransmitALostSynAt1_3_7_15_31_63SecondsAndFailAt127()
    {
        // Linux's 120 s TCP_RTO_MAX: with RFC 6298's 60 s cap the 64 s backoff would be cut to 60 s (fail at 123 s)
        final RetransmissionTimers timers = timers("rfc6298:max=120s", RetryPolicy.linuxDefaults(), false);
        timers.open(0, Phase.SYN);
        timers.onSend(0, 0);
        runToCompletion(timers);
        assertEquals(List.of(1L, 3L, 7L, 15L, 31L, 63L, 127L), secondsOfExpiry());
        for (int i = 0; i < 6; i++)
        {
            assertEquals(Outcome.RETRANSMIT.ordinal(), expiries.get(i)[1]);
        }
        assertEquals(Outcome.GAVE_UP_SYN.ordinal(), expiries.get(6)[1]);
        assertFalse(timers.isArmed(0));
    }

    @Test
    void shouldGiveUpOnASynAckAfterFiveRetransmissions()
    {
        final RetransmissionTimers timers = timers("rfc6298", RetryPolicy.linuxDefaults(), false);
        timers.open(1, Phase.SYN_ACK);
        timers.onSend(1, 0);
        runToCompletion(timers);
        assertEquals(List.of(1L, 3L, 7L, 15L, 31L, 63L), secondsOfExpiry());
        assertEquals(Outcome.GAVE_UP_SYN_ACK.ordinal(), expiries.get(5)[1]);
    }

    @Test
    void shouldGiveUpOnDataByLinuxsTimeBudgetFromTheFirstRetransmission()
    {
        assertEquals(924_600_000, RetryPolicy.linuxDefaults().dataBudgetUs(), "tcp_retries2 = 15: 924.6 s");
        assertEquals(102_200_000, RetryPolicy.linux(6, 5, 8, 200_000, 120_000_000).dataBudgetUs());

        final RetransmissionTimers timers =
            timers("rfc6298:min=200ms,max=120s,initial=200ms", RetryPolicy.linux(6, 5, 3, 200_000, 120_000_000),
                false);
        timers.open(2, Phase.DATA);
        timers.onSend(2, 0);
        runToCompletion(timers);
        // RTO 0.2 s doubling: expiries at 0.2, 0.6, 1.4, 3.0, 6.2 s; the first retransmission is at 0.2 s and the
        // budget for 3 is (2^4 - 1) x 0.2 = 3.0 s, reached at the expiry at 6.2 s (6.0 s after it), not at 3.0 s
        // (2.8 s after it)
        assertEquals(List.of(200_000L, 600_000L, 1_400_000L, 3_000_000L, 6_200_000L),
            expiries.stream().map(e -> e[0]).toList());
        assertEquals(Outcome.GAVE_UP_DATA.ordinal(), expiries.get(4)[1]);
    }

    @Test
    void shouldApplyKarnsRuleUnlessTimestampsAreOn()
    {
        final RetransmissionTimers karn = timers("rfc6298", RetryPolicy.linuxDefaults(), false);
        karn.open(0, Phase.DATA);
        karn.onSend(0, 0);
        karn.onAck(0, ack.of(50_000, 1, 2).rtt(50_000, true));
        assertEquals(-1, karn.srttUs(0), "no sample from the ACK of a retransmitted segment");
        karn.onAck(0, ack.of(60_000, 2, 3).rtt(40_000, false));
        assertEquals(40_000, karn.srttUs(0));

        final RetransmissionTimers stamped = timers("rfc6298", RetryPolicy.linuxDefaults(), true);
        stamped.open(1, Phase.DATA);
        stamped.onSend(1, 0);
        stamped.onAck(1, ack.of(50_000, 1, 2).rtt(50_000, true));
        assertEquals(50_000, stamped.srttUs(1), "timestamps tell which transmission an ACK acknowledges");
    }

    @Test
    void shouldNotCarryAnAcksRttSampleOverToTheNextAckWhenTheDescriptionIsRefilled()
    {
        final RetransmissionTimers timers = timers("rfc6298", RetryPolicy.linuxDefaults(), false);
        timers.open(0, Phase.DATA);
        timers.onSend(0, 0);
        timers.onAck(0, ack.of(50_000, 1, 3).rtt(50_000, false));
        assertEquals(50_000, timers.srttUs(0));
        timers.onAck(0, ack.of(60_000, 2, 3)); // no sample given for this one: the last one must not be taken again
        assertEquals(50_000, timers.srttUs(0), "SRTT moves only on a sample");
        assertTrue(timers.isArmed(0), "data still outstanding: the timer restarts");
        assertEquals(60_000 + timers.rtoUs(0), timers.deadlineUs(0));
        timers.onAck(0, ack.of(70_000, 3, 3));
        assertFalse(timers.isArmed(0), "sndUna == sndNxt: everything is acknowledged and the timer stops");

        assertThrows(IllegalArgumentException.class, () -> ack.rtt(-1, false));
        assertThrows(IllegalArgumentException.class, () -> ack.ackDelay(-5));
    }

    @Test
    void shouldArmOnFirstSendRestartOnNewDataAckAndStopWhenAllIsAcked()
    {
        final RetransmissionTimers timers = timers("rfc6298:min=200ms", RetryPolicy.linuxDefaults(), false);
        timers.open(3, Phase.DATA);
        timers.onSend(3, 1_000);
        assertEquals(1_001_000, timers.deadlineUs(3), "armed with the initial 1 s");
        timers.onSend(3, 5_000);
        assertEquals(1_001_000, timers.deadlineUs(3), "a running timer is not restarted by another send");

        timers.onAck(3, ack.of(101_000, 1, 2).rtt(100_000, false));
        assertEquals(101_000 + 300_000, timers.deadlineUs(3), "restarted: SRTT 100 ms + 4 x 50 ms");

        wheel.poll(401_000, (h, p, d) -> timers.onExpiry((int)(p >>> 8), wheel.currentTime()));
        assertEquals(1, timers.retransmissions(3));
        assertEquals(401_000 + 600_000, timers.deadlineUs(3), "backed off to 600 ms");

        timers.onAck(3, ack.of(500_000, 2, 2).rtt(99_000, true));
        assertFalse(timers.isArmed(3), "everything acknowledged: stopped");
        assertEquals(0, timers.retransmissions(3));
        assertEquals(0, wheel.timerCount());
    }

    @Test
    void shouldCostAtMost48BytesPerConnectionForEveryStrategy()
    {
        for (final String name : RtoStrategies.names())
        {
            final RetransmissionTimers timers = new RetransmissionTimers(wheel, RtoStrategies.parse(name),
                RetryPolicy.linuxDefaults(), false, 1, 0);
            assertTrue(timers.bytesPerConnection() <= 48, name + ": " + timers.bytesPerConnection() + " bytes");
        }
    }

    @Test
    void shouldRejectAWheelNotInMicrosecondsAndBadArguments()
    {
        final TimerWheel millis = TimerWheel.builder(TimeUnit.MILLISECONDS).build();
        final RtoStrategy rfc = RtoStrategies.parse("rfc6298");
        assertThrows(IllegalArgumentException.class,
            () -> new RetransmissionTimers(millis, rfc, RetryPolicy.linuxDefaults(), false, 1, 0));
        assertThrows(IllegalArgumentException.class,
            () -> new RetransmissionTimers(wheel, rfc, RetryPolicy.linuxDefaults(), false, 0, 0));
        assertThrows(IllegalArgumentException.class,
            () -> new RetransmissionTimers(wheel, rfc, RetryPolicy.linuxDefaults(), false, 1, 256));
        assertThrows(IllegalArgumentException.class, () -> RetryPolicy.counting(-1, 5, 15));
        final RetransmissionTimers timers = timers("rfc6298", RetryPolicy.linuxDefaults(), false);
        assertThrows(IndexOutOfBoundsException.class, () -> timers.onSend(4, 0));
    }

    @Test
    void shouldKeepTheFirstLinearSynTimeoutsOneSecondApartThenBackOff()
    {
        // tcp_syn_linear_timeouts = 4 on top of tcp_syn_retries = 6: 1, 2, 3, 4 s, then doubling from 1 s
        final RetryPolicy policy = RetryPolicy.linuxDefaults().withSynLinearTimeouts(4);
        assertEquals(10, policy.retries(Phase.SYN));
        final RetransmissionTimers timers = timers("rfc6298:max=120s", policy, false);
        timers.open(0, Phase.SYN);
        timers.onSend(0, 0);
        runToCompletion(timers);
        assertEquals(List.of(1L, 2L, 3L, 4L, 5L, 7L, 11L, 19L, 35L, 67L, 131L), secondsOfExpiry());
        assertEquals(Outcome.GAVE_UP_SYN.ordinal(), expiries.get(10)[1]);
    }

    @Test
    void shouldGiveUpAnOrphanedFinByTheOrphanBudgetNotTcpRetries2()
    {
        final RetryPolicy policy = RetryPolicy.linuxDefaults();
        assertEquals(8, policy.retries(Phase.FIN));
        assertEquals(102_200_000, policy.orphanBudgetUs(), "(2^9 - 1) x 200 ms");
        final RetransmissionTimers timers = timers("rfc6298:min=200ms", policy, false);
        timers.open(2, Phase.DATA);
        timers.onAck(2, ack.of(0, 1, 1).rtt(100_000, false)); // one sample: RTO 300 ms
        timers.enterPhase(2, Phase.FIN);
        timers.onSend(2, 0);
        runToCompletion(timers);
        final long[] last = expiries.get(expiries.size() - 1);
        assertEquals(Outcome.GAVE_UP_FIN.ordinal(), last[1]);
        final long firstRetransmissionUs = expiries.get(0)[0];
        assertTrue(last[0] - firstRetransmissionUs >= 102_200_000, "gave up only past the budget");
        assertTrue(expiries.get(expiries.size() - 2)[0] - firstRetransmissionUs < 102_200_000,
            "the expiry before was still inside the budget");
    }

    @Test
    void shouldKeepEveryConnectionsStateWhenTheTableGrows()
    {
        final RetransmissionTimers timers = timers("rfc6298", RetryPolicy.linuxDefaults(), false);
        timers.open(3, Phase.DATA);
        timers.onAck(3, ack.of(0, 1, 1).rtt(40_000, false));
        final long rto = timers.rtoUs(3);
        timers.onSend(3, 0);
        timers.ensureCapacity(1000);
        assertEquals(1000, timers.capacity());
        assertEquals(rto, timers.rtoUs(3));
        assertTrue(timers.isArmed(3));
        assertEquals(1_000_000, timers.rtoUs(999), "a new connection starts reset");
    }
}
