package io.escapement.simulator.tcp;

import io.escapement.simulator.SizeDistribution;
import io.escapement.simulator.net.DropRule;
import io.escapement.simulator.net.DropRules;
import io.escapement.simulator.report.Counter;
import io.escapement.simulator.net.NetworkModel;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

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
    void shouldCountTheExchangesTheSixtySegmentCutTookNotHideThem()
    {
        // 30 exchanges drawn, each response 3 segments: the server's stream holds 20 of them (60 segments), and the
        // summary says so rather than reporting 30 as if carried
        final OneConnection run = new OneConnection(null, b -> b.requestBytes(300).responseBytes(4000)
            .exchangeCounts(SizeDistribution.constant(30)));
        assertEquals(30, run.count(Counter.EXCHANGES_DRAWN));
        assertEquals(20, run.count(Counter.EXCHANGES_CARRIED));
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

    /**
     * Bytes are conserved across exchanges: the original data segments each end sends tile its stream exactly
     * (every byte of every exchange once, no gap, no overlap), and its FIN follows the last byte, whatever is lost
     * and resent on the way. The reference is arithmetic on the constant sizes, not the simulator's layout.
     */
    @Property(tries = 40)
    void shouldSendEveryByteOfEveryExchangeOnceInOrderWhateverIsLost(
        @ForAll @IntRange(min = 1, max = 5_000) final int request,
        @ForAll @IntRange(min = 1, max = 20_000) final int response,
        @ForAll @IntRange(min = 1, max = 12) final int exchanges,
        @ForAll @IntRange(min = 0, max = 1_000) final int lossSalt)
    {
        final int mss = 1448;
        // the exchanges stop before a direction would carry more than 60 segments
        final int carried = Math.min(exchanges, Math.min(60 / ((request + mss - 1) / mss),
            60 / ((response + mss - 1) / mss)));
        // a fifth of the data segments' first transmissions (and of their ACKs) lost, chosen by a hash
        final NetworkModel.Dropper dropper = (conn, fromClient, cls, unit, tx, ack) -> tx == 0 && unit > 0 &&
            Math.floorMod(NetworkModel.mix(lossSalt * 131L + unit * 2L + (fromClient ? 1 : 0) + cls * 977L), 5) == 0;
        final OneConnection run = new OneConnection(dropper, b -> b.requestBytes(request).responseBytes(response)
            .exchangeCounts(SizeDistribution.constant(exchanges)).thinkTimes(SizeDistribution.constant(100_000))
            .rto("fixed:rto=300ms"));
        assertTiled(run, "client", run.isn(0), (long)request * carried);
        assertTiled(run, "server", run.isn(1), (long)response * carried);
        assertEquals(1, run.count(Counter.OUTCOME_COMPLETED), run.dump());
        run.assertAccountedFor();
    }

    private static void assertTiled(final OneConnection run, final String end, final long isn, final long total)
    {
        final Pattern data = Pattern.compile(end + " sends DATA seq=(\\d+) len=(\\d+)");
        final Pattern fin = Pattern.compile(end + " sends FIN seq=(\\d+)");
        final TreeMap<Long, Long> segments = new TreeMap<>();
        long finOffset = -1; // of the FIN's one original
        for (final String line : run.trace)
        {
            final Matcher d = data.matcher(line);
            if (d.find() && !line.contains("(retransmission"))
            {
                final long offset = (Long.parseLong(d.group(1)) - isn - 1) & 0xFFFF_FFFFL;
                assertEquals(null, segments.put(offset, Long.parseLong(d.group(2))),
                    "an original sent twice at " + offset + "\n" + run.dump());
            }
            final Matcher f = fin.matcher(line);
            if (f.find() && !line.contains("(retransmission"))
            {
                finOffset = (Long.parseLong(f.group(1)) - isn - 1) & 0xFFFF_FFFFL;
            }
        }
        long next = 0;
        for (final var segment : segments.entrySet())
        {
            assertEquals(next, segment.getKey(), end + ": a gap or an overlap\n" + run.dump());
            next += segment.getValue();
        }
        assertEquals(total, next, end + ": every byte of every exchange\n" + run.dump());
        assertEquals(total, finOffset, end + ": the FIN right after the last byte\n" + run.dump());
    }
}
