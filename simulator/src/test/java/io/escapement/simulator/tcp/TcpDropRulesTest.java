package io.escapement.simulator.tcp;

import io.escapement.simulator.net.DropRule;
import io.escapement.simulator.net.DropRules;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code --drop} rules drop exactly the packets they name: checked on one connection's trace. */
class TcpDropRulesTest
{
    private static final int REQUEST_UNITS = 1;  // 300 bytes
    private static final int RESPONSE_UNITS = 3; // 4000 bytes of 1448

    private static OneConnection run(final String... rules)
    {
        final List<DropRule> parsed = java.util.Arrays.stream(rules)
            .map(r -> DropRule.parse(r, REQUEST_UNITS, RESPONSE_UNITS)).toList();
        return new OneConnection(new DropRules(parsed), b -> b.rto("fixed:rto=300ms"));
    }

    private static List<String> lost(final OneConnection run)
    {
        return run.trace.stream().filter(l -> l.endsWith("(lost)")).toList();
    }

    @Test
    void shouldDropOnlyTheNamedDataSegmentsFirstTransmission()
    {
        final OneConnection run = run("kind=data,dir=to-client,unit=2,tx=first");
        final List<String> lost = lost(run);
        assertEquals(1, lost.size(), run.dump());
        assertTrue(lost.get(0).contains("server sends DATA seq=" + (run.isn(1) + 1 + 1448) + " len=1448"), run.dump());
        assertTrue(run.has("server sends DATA seq=" + (run.isn(1) + 1 + 1448) + " len=1448 (retransmission 1)"));
        run.assertAccountedFor();
    }

    @Test
    void shouldDropTheAckOfTheServersFinWithUnitFin()
    {
        final OneConnection run = run("kind=ack,dir=to-server,unit=fin,tx=first");
        final List<String> lost = lost(run);
        assertEquals(1, lost.size(), run.dump());
        assertTrue(lost.get(0).contains("client sends ACK seq=" + (run.isn(0) + 1 + 300 + 1) + " ack=" +
            (run.isn(1) + 1 + 4000 + 1)), run.dump());
        run.assertAccountedFor();
    }

    @Test
    void shouldDropEveryTransmissionWithTxAllAndOnlyTheSecondWithTx2()
    {
        final OneConnection all = run("kind=fin,dir=to-server");
        assertTrue(lost(all).size() > 3, "every FIN of the client: " + all.dump());
        assertTrue(lost(all).stream().allMatch(l -> l.contains("client sends FIN")), all.dump());

        final OneConnection second = run("kind=syn,tx=2", "kind=syn,tx=first");
        assertEquals(2, lost(second).size(), second.dump());
        assertEquals(List.of(0L, 300_000L, 600_000L), second.timesOf("client sends SYN"),
            "the first two SYNs are lost (a fixed RTO of 300 ms, linear SYN timeouts), the third connects");
        assertTrue(second.timeOf("client SYN-SENT -> ESTABLISHED") > 600_000, second.dump());
    }

    @Test
    void shouldCountTheDropsOfEachRuleAndLeaveAnUnmatchedRuleAtZero()
    {
        final DropRule synAck = DropRule.parse("kind=syn-ack,conn=0,tx=first", REQUEST_UNITS, RESPONSE_UNITS);
        final DropRule otherConnection = DropRule.parse("kind=syn,conn=7", REQUEST_UNITS, RESPONSE_UNITS);
        final DropRule rst = DropRule.parse("kind=rst", REQUEST_UNITS, RESPONSE_UNITS);
        new OneConnection(new DropRules(List.of(synAck, otherConnection, rst)), b -> { });
        assertEquals(1, synAck.matched());
        assertEquals(0, otherConnection.matched());
        assertEquals(0, rst.matched());
    }

    @Test
    void shouldDropTheNthPacketOfAKindOnEachConnectionAndDirectionWithNth()
    {
        // the server's pure ACKs: of the handshake's... none; of the request (1), of the client's FIN (2); the
        // client's: of the SYN-ACK (1), of each response segment (2, 3, 4), of the server's FIN (5). nth=3 names
        // the third the client sends, the ACK of the second response segment, and nothing the server sends
        final DropRule rule = DropRule.parse("kind=ack,nth=3", REQUEST_UNITS, RESPONSE_UNITS);
        final OneConnection run = new OneConnection(new DropRules(List.of(rule)), b -> b.rto("fixed:rto=300ms"));
        final List<String> lost = lost(run);
        assertEquals(1, lost.size(), run.dump());
        assertTrue(lost.get(0).contains("client sends ACK seq=" + (run.isn(0) + 301) + " ack=" +
            (run.isn(1) + 1 + 2 * 1448)), run.dump());
        assertEquals(1, rule.matched());
        run.assertAccountedFor();
    }

    @Test
    void shouldCountEveryTransmissionAsAnOccurrenceAndAnswerForTheDroppedOneLater()
    {
        // the first two transmissions of the client's data: the original (lost by tx=first) and its resend,
        // the second occurrence, lost by nth=2; the third copy arrives. The resend's loss is a real loss: not
        // counted as a spurious retransmission when the third copy goes out
        final DropRule first = DropRule.parse("kind=data,dir=to-server,tx=first", REQUEST_UNITS, RESPONSE_UNITS);
        final DropRule second = DropRule.parse("kind=data,dir=to-server,nth=2", REQUEST_UNITS, RESPONSE_UNITS);
        final OneConnection run = new OneConnection(new DropRules(List.of(first, second)),
            b -> b.rto("fixed:rto=300ms"));
        final List<Long> sent = run.timesOf("client sends DATA seq=" + (run.isn(0) + 1));
        assertEquals(3, sent.size(), run.dump());
        assertEquals(2, lost(run).size(), run.dump());
        assertEquals(1, second.matched());
        assertEquals(0, run.count(io.escapement.simulator.report.Counter.RETX_SPURIOUS), run.dump());
        run.assertAccountedFor();
    }

    @Test
    void shouldNumberUnitsWithinTheNamedExchangeOfAPersistentConnection()
    {
        // two exchanges of 300-byte requests and 4000-byte responses: exchange 2's response is units 4..6 of the
        // server's stream; exchange=2,unit=2 names unit 5, at y+1+4000+1448
        final io.escapement.simulator.SizeDistribution two = io.escapement.simulator.SizeDistribution.constant(2);
        final io.escapement.simulator.Exchanges layout = new io.escapement.simulator.Exchanges(1, 1448, two,
            io.escapement.simulator.SizeDistribution.constant(0), io.escapement.simulator.SizeDistribution.constant(300),
            io.escapement.simulator.SizeDistribution.constant(4000));
        final DropRule rule = DropRule.parse("kind=data,dir=to-client,exchange=2,unit=2,tx=first",
            layout::unitsThrough, 60, 60);
        final DropRule none = DropRule.parse("kind=data,exchange=3", layout::unitsThrough, 60, 60);
        final OneConnection run = new OneConnection(new DropRules(List.of(rule, none)),
            b -> b.rto("fixed:rto=300ms").exchangeCounts(two));
        final List<String> lost = lost(run);
        assertEquals(1, lost.size(), run.dump());
        assertTrue(lost.get(0).contains("server sends DATA seq=" + (run.isn(1) + 1 + 4000 + 1448) + " len=1448"),
            run.dump());
        assertEquals(0, none.matched(), "the connection has no third exchange");
        run.assertAccountedFor();
    }
}
