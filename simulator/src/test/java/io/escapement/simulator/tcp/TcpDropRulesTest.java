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
}
