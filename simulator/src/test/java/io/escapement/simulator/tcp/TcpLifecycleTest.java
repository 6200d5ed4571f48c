package io.escapement.simulator.tcp;

import io.escapement.simulator.net.NetworkModel;
import io.escapement.simulator.report.Counter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.List;

import static io.escapement.simulator.net.NetworkModel.PURE_ACK;
import static io.escapement.simulator.net.NetworkModel.SEGMENT;
import static io.escapement.simulator.tcp.OneConnection.ONE_WAY_US;
import static io.escapement.simulator.tcp.OneConnection.assertContainsInOrder;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * One connection at a time through each state transition and each loss case, checked against exact sequence
 * numbers, exact retransmission times and the counted outcome.
 */
class TcpLifecycleTest
{
    private static final int CLIENT_FIN = 2; // request of 300 bytes: unit 1 is the data, unit 2 the FIN
    private static final int SERVER_FIN = 4; // response of 4000 bytes: units 1..3, FIN 4

    @Test
    void shouldNumberTheThreeWayHandshakeAsTcpDoes()
    {
        final OneConnection run = new OneConnection(null, b -> { });
        final long x = run.isn(0);
        final long y = run.isn(1);
        assertContainsInOrder(run.trace,
            "client sends SYN seq=" + x,
            "server LISTEN -> SYN-RECEIVED",
            "server sends SYN-ACK seq=" + y + " ack=" + (x + 1),
            "client SYN-SENT -> ESTABLISHED",
            "client sends ACK seq=" + (x + 1) + " ack=" + (y + 1),
            "client sends DATA seq=" + (x + 1) + " len=300 ack=" + (y + 1),
            "server SYN-RECEIVED -> ESTABLISHED");
        assertEquals(2 * ONE_WAY_US, run.timeOf("client SYN-SENT -> ESTABLISHED"));
        assertEquals(1, run.count(Counter.OUTCOME_COMPLETED));
        run.assertAccountedFor();
    }

    @Test
    void shouldTearDownClientFirstThroughFinWait2AndTimeWaitForTwoMsl()
    {
        final OneConnection run = new OneConnection(null, b -> b.timeWaitUs(0).mslUs(30_000_000));
        final long u = run.isn(0) + 1 + 300;  // the client's FIN: after SYN and 300 bytes
        final long w = run.isn(1) + 1 + 4000; // the server's FIN
        assertContainsInOrder(run.trace,
            "client close() -> FIN-WAIT-1, sends FIN",
            "client sends FIN seq=" + u + " ack=" + (w),
            "server ESTABLISHED receives FIN seq=" + u,
            "server sends ACK seq=" + w + " ack=" + (u + 1),
            "server close() -> LAST-ACK, sends FIN",
            "server sends FIN seq=" + w + " ack=" + (u + 1),
            "client FIN-WAIT-1 receives ACK ack=" + (u + 1),
            "client FIN-WAIT-2 receives FIN seq=" + w,
            "client sends ACK seq=" + (u + 1) + " ack=" + (w + 1),
            "server LAST-ACK receives ACK ack=" + (w + 1),
            "TIME-WAIT ends -> CLOSED");
        final long timeWaitFrom = run.timeOf("client FIN-WAIT-2 receives FIN");
        assertEquals(timeWaitFrom + 60_000_000, run.timeOf("TIME-WAIT ends"), "2 x MSL of 30 s");
        assertEquals(1, run.count(Counter.TIME_WAIT_ENTERED));
        run.assertAccountedFor();
    }

    @Test
    void shouldTearDownServerFirstWithTheServerInTimeWait()
    {
        final OneConnection run = new OneConnection(null, b -> b.clientClosesFirst(0));
        assertContainsInOrder(run.trace,
            "server close() -> FIN-WAIT-1, sends FIN",
            "client ESTABLISHED receives FIN",
            "client close() -> LAST-ACK, sends FIN",
            "server FIN-WAIT-2 receives FIN",
            "client LAST-ACK receives ACK",
            "TIME-WAIT ends -> CLOSED");
        assertEquals(1, run.count(Counter.TIME_WAIT_ENTERED));
        run.assertAccountedFor();
    }

    @Test
    void shouldCloseSimultaneouslyThroughClosingOnBothEnds()
    {
        final OneConnection run = new OneConnection(null, b -> b.clientClosesFirst(0).simultaneousClose(1));
        assertContainsInOrder(run.trace, "client close() -> FIN-WAIT-1", "client FIN-WAIT-1 receives FIN");
        assertTrue(run.has("server FIN-WAIT-1 receives FIN"), run.dump());
        assertEquals(2, run.count(Counter.SIMULTANEOUS_CLOSES));
        assertEquals(2, run.count(Counter.TIME_WAIT_ENTERED), "both ends hold TIME-WAIT");
        assertEquals(2, run.timesOf("TIME-WAIT ends").size());
        run.assertAccountedFor();
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 2, 3, 6})
    void shouldRetransmitALostSynAt1_3_7SecondsAndConnectOnTheFirstThatArrives(final int drops)
    {
        final OneConnection run = new OneConnection(
            (conn, fromClient, cls, unit, tx, ack) -> fromClient && cls == SEGMENT && unit == 0 && tx < drops,
            b -> b.rto("linux").synLinearTimeouts(0)); // kernels before 6.5: exponential from the first
        final List<Long> sent = run.timesOf("client sends SYN");
        assertEquals(drops + 1, sent.size());
        final long[] classic = {0, 1, 3, 7, 15, 31, 63};
        for (int k = 0; k <= drops; k++)
        {
            assertEquals(classic[k] * 1_000_000, sent.get(k), "SYN " + k + " of\n" + run.dump());
        }
        assertEquals(drops, run.count(Counter.RETX_SYN));
        assertEquals(classic[drops] * 1_000_000 + 2 * ONE_WAY_US, run.timeOf("client SYN-SENT -> ESTABLISHED"));
        assertEquals(1, run.count(Counter.OUTCOME_COMPLETED));
        run.assertAccountedFor();
    }

    @Test
    void shouldFailConnectAt127SecondsWhenEverySynIsLost()
    {
        final OneConnection run = new OneConnection(
            (conn, fromClient, cls, unit, tx, ack) -> fromClient && cls == SEGMENT && unit == 0,
            b -> b.synLinearTimeouts(0)); // kernels before 6.5
        assertEquals(7, run.timesOf("client sends SYN").size());
        assertEquals(127_000_000, run.timeOf("retransmission timer fires: GAVE_UP_SYN"));
        assertEquals(1, run.count(Counter.OUTCOME_CONNECT_TIMEOUT));
        run.assertAccountedFor();
    }

    @Test
    void shouldSpaceTheFirstSynRetransmissionsOneSecondApartWithLinearTimeouts()
    {
        final OneConnection run = new OneConnection(
            (conn, fromClient, cls, unit, tx, ack) -> fromClient && cls == SEGMENT && unit == 0,
            b -> b.synLinearTimeouts(4));
        assertEquals(List.of(0L, 1_000_000L, 2_000_000L, 3_000_000L, 4_000_000L, 5_000_000L, 7_000_000L,
            11_000_000L, 19_000_000L, 35_000_000L, 67_000_000L), run.timesOf("client sends SYN"));
        assertEquals(131_000_000, run.timeOf("GAVE_UP_SYN"));
        run.assertAccountedFor();
    }

    @Test
    void shouldAnswerTheDuplicateSynWithASynAckWhenTheSynAckIsLost()
    {
        final OneConnection run = new OneConnection(
            (conn, fromClient, cls, unit, tx, ack) -> !fromClient && cls == SEGMENT && unit == 0 && tx == 0,
            b -> { });
        // the client's SYN timer fires at 1 s; its SYN arrives at 1.01 s, in the microsecond the server's SYN-ACK
        // timer (1 s after 10 ms) is due: the packet comes first, its answer restarts that timer
        // (tcp_check_req()), so the timer does not fire
        assertEquals(1_000_000, run.timesOf("client sends SYN seq").get(1), "the client retransmits at 1 s");
        assertEquals(1, run.count(Counter.RETX_SYN));
        assertEquals(1, run.count(Counter.SYN_ACK_FOR_DUPLICATE_SYN));
        assertEquals(0, run.count(Counter.RETX_SYN_ACK));
        // the SYN had arrived but its SYN-ACK was lost: resending it was needed, and so was the one SYN-ACK resent
        assertEquals(0, run.count(Counter.RETX_SPURIOUS));
        assertEquals(1_000_000 + 2 * ONE_WAY_US, run.timeOf("client SYN-SENT -> ESTABLISHED"));
        assertEquals(1, run.count(Counter.OUTCOME_COMPLETED));
        run.assertAccountedFor();
    }

    @Test
    void shouldCompleteTheHandshakeWithTheRequestWhenTheFinalAckIsLost()
    {
        final OneConnection run = new OneConnection(
            (conn, fromClient, cls, unit, tx, ack) -> fromClient && cls == PURE_ACK && unit == 0 && ack == 1,
            b -> { });
        assertContainsInOrder(run.trace, "client sends ACK seq=" + (run.isn(0) + 1) + " ack=" + (run.isn(1) + 1) +
            " (lost)", "server SYN-RECEIVED receives DATA", "server SYN-RECEIVED -> ESTABLISHED");
        assertEquals(0, run.count(Counter.RETX_SYN_ACK));
        assertEquals(1, run.count(Counter.OUTCOME_COMPLETED));
        run.assertAccountedFor();
    }

    @Test
    void shouldReAcknowledgeEachRetransmittedSynAckWhileTheClientThinks()
    {
        // the first final ACK is lost; the client writes only after 5 s, so the server's SYN-ACK timer fires
        final OneConnection run = new OneConnection(
            (conn, fromClient, cls, unit, tx, ack) -> fromClient && cls == PURE_ACK && unit == 0 && tx == 0,
            b -> b.clientThinkUs(5_000_000));
        assertEquals(ONE_WAY_US + 1_000_000, run.timeOf("server SYN-RECEIVED retransmission timer fires"));
        assertEquals(1, run.count(Counter.ACK_FOR_DUPLICATE_SYN_ACK));
        assertTrue(run.timeOf("server SYN-RECEIVED -> ESTABLISHED") < 5_000_000, run.dump());
        assertEquals(1, run.count(Counter.OUTCOME_COMPLETED));
        run.assertAccountedFor();
    }

    @Test
    void shouldResetTheHalfOpenClientWhoseServerGaveUpOnTheHandshake()
    {
        // every ACK of the SYN-ACK is lost and the client stays silent for 100 s: the server gives up after its
        // fifth SYN-ACK retransmission (63 s after the first SYN-ACK) and answers the late request with RST
        final OneConnection run = new OneConnection(
            (conn, fromClient, cls, unit, tx, ack) -> fromClient && cls == PURE_ACK && ack == 1,
            b -> b.clientThinkUs(100_000_000));
        assertEquals(5, run.count(Counter.RETX_SYN_ACK));
        assertEquals(ONE_WAY_US + 63_000_000, run.timeOf("GAVE_UP_SYN_ACK"));
        assertContainsInOrder(run.trace, "server LISTEN receives DATA", "server sends RST",
            "client ESTABLISHED -> CLOSED (reset)");
        assertEquals(1, run.count(Counter.OUTCOME_RESET));
        assertEquals(1, run.count(Counter.SYN_ACK_GIVE_UPS));
        run.assertAccountedFor();
    }

    @Test
    void shouldRefuseASynToAPortNobodyListensOn()
    {
        final OneConnection run = new OneConnection(null, b -> b.refusedFraction(1));
        assertContainsInOrder(run.trace, "server CLOSED receives SYN", "server sends RST",
            "client SYN-SENT -> CLOSED (reset)");
        assertEquals(1, run.count(Counter.OUTCOME_REFUSED));
        run.assertAccountedFor();
    }

    @Test
    void shouldRetransmitALostFinAfterTheRtoInForce()
    {
        final OneConnection run = new OneConnection(
            (conn, fromClient, cls, unit, tx, ack) -> fromClient && cls == SEGMENT && unit == CLIENT_FIN && tx == 0,
            b -> b.rto("fixed:rto=300ms"));
        final List<Long> fins = run.timesOf("client sends FIN");
        assertEquals(2, fins.size(), run.dump());
        assertEquals(fins.get(0) + 300_000, fins.get(1), "the FIN is resent one RTO after it was sent");
        assertEquals(1, run.count(Counter.RETX_FIN));
        // the lost FIN also carried the ACK of the response's last segment; the server's RTO resends that segment
        // a microsecond before the FIN's retransmission, which carries the ACK, arrives: spurious
        assertEquals(1, run.count(Counter.RETX_DATA));
        assertEquals(1, run.count(Counter.RETX_SPURIOUS));
        run.assertAccountedFor();
    }

    @ParameterizedTest
    @ValueSource(strings = {"rfc6298:min=1s", "rfc6298:min=200ms"})
    void shouldRepairALostFinWithATailLossProbeBeforeTheRto(final String strategy)
    {
        final OneConnection run = new OneConnection(
            (conn, fromClient, cls, unit, tx, ack) -> fromClient && cls == SEGMENT && unit == CLIENT_FIN && tx == 0,
            b -> b.tailLossProbe(true).rto(strategy));
        // the server probes too: the lost FIN carried the ACK of its response's last segment
        assertEquals(1, run.timesOf("client tail loss probe fires").size(), run.dump());
        assertEquals(0, run.count(Counter.RETX_FIN), "the probe repaired the loss before any RTO");
        final List<Long> fins = run.timesOf("client sends FIN");
        // one segment in flight: PTO = 2 x SRTT + 200 ms = 240 ms, or just before the RTO if that comes first
        final long expectedWait = strategy.endsWith("1s") ? 240_000 : 200_000 - 1;
        assertEquals(fins.get(0) + expectedWait, fins.get(1), run.dump());
        run.assertAccountedFor();
    }

    @Test
    void shouldReAcknowledgeARetransmittedFinInTimeWaitAndRestartTwoMsl()
    {
        // the client's ACK of the server's FIN is lost: the server, in LAST-ACK, resends its FIN
        final OneConnection run = new OneConnection(
            (conn, fromClient, cls, unit, tx, ack) -> fromClient && cls == PURE_ACK && unit == SERVER_FIN && tx == 0,
            b -> b.rto("fixed:rto=300ms"));
        assertEquals(1, run.count(Counter.TIME_WAIT_RESTARTS));
        assertEquals(1, run.count(Counter.RETX_FIN));
        final long reAck = run.timeOf("TIME-WAIT: retransmitted FIN, re-ACK and restart 2MSL");
        assertEquals(run.timeOf("server sends FIN") + 300_000 + ONE_WAY_US, reAck, run.dump());
        assertEquals(reAck + 60_000_000, run.timeOf("TIME-WAIT ends"), "2MSL counts from the re-ACK");
        assertContainsInOrder(run.trace, "client TIME-WAIT receives FIN", "server LAST-ACK receives ACK");
        run.assertAccountedFor();
    }

    @Test
    void shouldEndAnOrphanedFinWait2AfterFinTimeoutWhenThePeersFinNeverComes()
    {
        // server closes first; every client FIN is lost: the server sits in FIN-WAIT-2 for fin_timeout, the
        // client in LAST-ACK gives up after tcp_orphan_retries' budget
        final OneConnection run = new OneConnection(
            (conn, fromClient, cls, unit, tx, ack) -> fromClient && cls == SEGMENT && unit == CLIENT_FIN,
            b -> b.clientClosesFirst(0));
        final long finWait2 = run.timeOf("server FIN-WAIT-1 receives ACK ack=" + (run.isn(1) + 1 + 4000 + 1));
        assertEquals(finWait2 + 60_000_000, run.timeOf("FIN-WAIT-2 fin_timeout -> CLOSED"));
        assertEquals(1, run.count(Counter.FIN_WAIT_2_TIMEOUTS));
        assertEquals(1, run.count(Counter.ORPHAN_GIVE_UPS));
        assertTrue(run.has("client LAST-ACK retransmission timer fires: GAVE_UP_FIN"), run.dump());
        assertEquals(0, run.count(Counter.RST_SENT), "every client FIN was lost: nothing reached the done server");
        assertTrue(run.has("server FIN-WAIT-2 fin_timeout"), run.dump());
        run.assertAccountedFor();
    }

    @Test
    void shouldAbortByTheTcpRetries2BudgetWhenNoResponseEverArrives()
    {
        // everything the server sends after the handshake is lost: the request is never acknowledged
        final OneConnection run = new OneConnection(
            (conn, fromClient, cls, unit, tx, ack) -> !fromClient && ack > 1,
            b -> b.rto("fixed:rto=1s,max=120s"));
        assertEquals(1, run.count(Counter.OUTCOME_DATA_TIMEOUT));
        final List<Long> sends = run.timesOf("client sends DATA");
        final long first = sends.get(1);
        final long last = run.timeOf("client ESTABLISHED retransmission timer fires: GAVE_UP_DATA");
        assertTrue(last - first >= 924_600_000, "gave up only after 924.6 s: " + (last - first));
        assertFalse(run.has("client sends RST"), "an aborted connection sends no RST (tcp_write_err)");
        run.assertAccountedFor();
    }

    @Test
    void shouldRunOutOfEphemeralPortsWhileTimeWaitHoldsTheTuples()
    {
        final OneConnection run = new OneConnection(null,
            b -> b.connections(100).clientAddresses(1).ports(40000, 40009).arrivalsPerSecond(1000));
        assertEquals(90, run.count(Counter.OUTCOME_ADDRESS_UNAVAILABLE), "10 ports, each held for 60 s");
        assertEquals(10, run.count(Counter.OUTCOME_COMPLETED));
        run.assertAccountedFor();
    }

    @Test
    void shouldReuseAPortOnceItsTimeWaitHasEnded()
    {
        final OneConnection run = new OneConnection(null,
            b -> b.connections(30).clientAddresses(1).ports(40000, 40009).arrivalsPerSecond(0.1));
        assertEquals(0, run.count(Counter.OUTCOME_ADDRESS_UNAVAILABLE), "one new connection per 10 s on average");
        assertEquals(30, run.count(Counter.OUTCOME_COMPLETED));
        run.assertAccountedFor();
    }

    @Test
    void shouldTakeAFinThatFillsAGapBeforeTheApplicationClosesNotAsASimultaneousClose()
    {
        // simultaneous-close mode, but the response's last segment is lost: its FIN arrives first and waits; when
        // the resend fills the gap the kernel takes the FIN (CLOSE-WAIT) before the application reads and closes
        final OneConnection run = new OneConnection(
            (conn, fromClient, cls, unit, tx, ack) -> !fromClient && cls == SEGMENT && unit == 3 && tx == 0,
            b -> b.clientClosesFirst(0).simultaneousClose(1).rto("fixed:rto=300ms"));
        assertContainsInOrder(run.trace, "client ESTABLISHED receives FIN", "client close() -> LAST-ACK");
        assertEquals(0, run.count(Counter.SIMULTANEOUS_CLOSES), run.dump());
        assertEquals(1, run.count(Counter.TIME_WAIT_ENTERED), "only the server, which closed first");
        run.assertAccountedFor();
    }

    @Test
    void shouldSurviveBothTimeWaitsEndingInTheSameJiffy()
    {
        // 1 ms RTT at HZ 1000: a simultaneous close puts both ends' TIME-WAIT expiries on the same microsecond
        final OneConnection run = new OneConnection(null, b -> b.connections(200).arrivalsPerSecond(2000).hz(1000)
            .clientClosesFirst(0).simultaneousClose(1)
            .network(NetworkModel.builder().loss(0).rttUs(1_000).jitter(NetworkModel.Jitter.CONSTANT, 0).build()));
        assertEquals(200, run.count(Counter.OUTCOME_COMPLETED));
        run.assertAccountedFor();
    }

    @Test
    void shouldHandleThousandsOfEventsInOneMicrosecondAtACoarseHz()
    {
        // HZ 1: every kernel timer of a second lands on the same microsecond
        final OneConnection run = new OneConnection(null, b -> b.connections(20_000).arrivalsPerSecond(20_000)
            .hz(1).network(NetworkModel.builder().loss(0.02).rttUs(20_000).build()));
        assertEquals(20_000, run.count(Counter.CONNECTIONS));
        run.assertAccountedFor();
    }
}
