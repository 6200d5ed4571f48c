package io.escapement.simulator.tcp;

import io.escapement.simulator.SizeDistribution;
import io.escapement.simulator.net.DropRule;
import io.escapement.simulator.net.DropRules;
import io.escapement.simulator.report.Counter;
import org.junit.jupiter.api.Test;

import java.util.List;

import static io.escapement.simulator.tcp.OneConnection.assertContainsInOrder;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Persistent connections: a connection carries a sequence of exchanges (request, response, think time, again),
 * the sequence numbers running on across them, under the same retransmission timers.
 */
class TcpPersistentConnectionsTest
{
    @Test
    void shouldCarryThreeExchangesWithSequenceNumbersRunningOnAndTheThinkTimeBetween()
    {
        final OneConnection run = new OneConnection(null, b -> b.requestBytes(300).responseBytes(2000)
            .exchangeCounts(SizeDistribution.constant(3)).thinkTimes(SizeDistribution.constant(500_000)));
        final long x = run.isn(0);
        final long y = run.isn(1);
        // exchange 1: request x+1 (300 bytes), response y+1 (1448 + 552); exchange 2 starts 500 ms after the
        // client read the response, its request at x+301 and its response at y+2001; exchange 3 at x+601, y+4001
        assertContainsInOrder(run.trace,
            "client sends DATA seq=" + (x + 1) + " len=300 ack=" + (y + 1),
            "server sends DATA seq=" + (y + 1) + " len=1448 ack=" + (x + 301),
            "server sends DATA seq=" + (y + 1449) + " len=552 ack=" + (x + 301),
            "client sends DATA seq=" + (x + 301) + " len=300 ack=" + (y + 2001),
            "server sends DATA seq=" + (y + 2001) + " len=1448 ack=" + (x + 601),
            "client sends DATA seq=" + (x + 601) + " len=300 ack=" + (y + 4001),
            "server sends DATA seq=" + (y + 5449) + " len=552 ack=" + (x + 901),
            "client close() -> FIN-WAIT-1", "client sends FIN seq=" + (x + 901) + " ack=" + (y + 6001),
            "server sends FIN seq=" + (y + 6001) + " ack=" + (x + 902), "TIME-WAIT ends");
        final List<Long> requests = run.timesOf("client sends DATA");
        final List<Long> responses = run.timesOf("client ESTABLISHED receives DATA seq=" + (y + 1449));
        assertEquals(3, requests.size(), run.dump());
        // the second request leaves exactly the think time after the first response's last segment arrived
        assertEquals(responses.get(0) + 500_000, requests.get(1), run.dump());
        assertEquals(1, run.count(Counter.OUTCOME_COMPLETED));
        assertEquals(11, run.count(Counter.SEGMENTS), "9 data segments and 2 FINs");
        run.assertAccountedFor();
    }

    @Test
    void shouldRecoverALossInALaterExchangeUnderTheSameRetransmissionTimer()
    {
        // exchange 2's request (unit 2 of the client's stream) is lost once: the RTO resends it, at the timeout the
        // connection's RTT samples from exchange 1 gave, not the initial 1 s
        final DropRule rule = DropRule.parse("kind=data,dir=to-server,unit=2,tx=first", 60, 60);
        final OneConnection run = new OneConnection(new DropRules(List.of(rule)), b -> b.requestBytes(300)
            .responseBytes(300).exchangeCounts(SizeDistribution.constant(2)));
        final long x = run.isn(0);
        final List<Long> copies = run.timesOf("client sends DATA seq=" + (x + 301));
        assertEquals(2, copies.size(), run.dump());
        // RFC 6298 with two 20 ms samples: SRTT 20 ms, RTTVAR 7.5 ms after the second; the linux strategy's
        // floor (200 ms) dominates: the RTO is 220 ms or so, well below the initial 1 s
        final long rto = copies.get(1) - copies.get(0);
        assertTrue(rto < 500_000 && rto >= 200_000, rto + "us\n" + run.dump());
        assertEquals(1, rule.matched());
        assertEquals(1, run.count(Counter.OUTCOME_COMPLETED));
        run.assertAccountedFor();
    }

    @Test
    void shouldEndWithTheFirstExchangeWhenItsRequestIsEmpty()
    {
        // an empty message ends the sequence: a handshake-only connection, whatever the exchanges drawn
        final OneConnection run = new OneConnection(null, b -> b.requestBytes(0).responseBytes(1).clientClosesFirst(0)
            .exchangeCounts(SizeDistribution.constant(3)));
        final long x = run.isn(0);
        final long y = run.isn(1);
        assertContainsInOrder(run.trace, "client close() -> FIN-WAIT-1", "client sends FIN seq=" + (x + 1),
            "server close() -> LAST-ACK", "server sends FIN seq=" + (y + 1), "TIME-WAIT ends");
        assertEquals(0, run.timesOf("sends DATA").size(), run.dump());
        assertEquals(1, run.count(Counter.OUTCOME_COMPLETED));
        run.assertAccountedFor();
    }

    @Test
    void shouldCloseAfterTheMessagesWrittenWhenTheServerIdlesOutBetweenExchanges()
    {
        // the client thinks 3 s between exchanges, the server's application gives up after 1 s idle: it closes
        // after its first response, its FIN right after it (y+4001); the client reads end-of-file instead of a
        // second response and closes with what it has written, its FIN after its first request (x+301)
        final OneConnection run = new OneConnection(null, b -> b.requestBytes(300).responseBytes(4000)
            .exchangeCounts(SizeDistribution.constant(2)).thinkTimes(SizeDistribution.constant(3_000_000))
            .idleTimeoutUs(1_000_000));
        final long x = run.isn(0);
        final long y = run.isn(1);
        assertContainsInOrder(run.trace, "server idle timeout: the application closes",
            "server sends FIN seq=" + (y + 4001) + " ack=" + (x + 301), "client ESTABLISHED receives FIN",
            "client close() -> LAST-ACK", "client sends FIN seq=" + (x + 301) + " ack=" + (y + 4002),
            "TIME-WAIT ends");
        assertEquals(1, run.timesOf("client sends DATA").size(), run.dump());
        assertEquals(1, run.count(Counter.OUTCOME_CLOSED_BEFORE_RESPONSE));
        run.assertAccountedFor();
    }
}
