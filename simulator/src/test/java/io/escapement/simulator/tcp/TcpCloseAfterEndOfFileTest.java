package io.escapement.simulator.tcp;

import io.escapement.simulator.report.Counter;
import org.junit.jupiter.api.Test;

import static io.escapement.simulator.tcp.OneConnection.assertContainsInOrder;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code --close-after-eof}: an application calls close() a set time after it reads end-of-file. */
class TcpCloseAfterEndOfFileTest
{
    @Test
    void shouldCloseExactlyTheDelayAfterEndOfFileWhileTheHalfClosedPeerWaitsUnorphanedInFinWait2()
    {
        // the client half-closes after its request; the server reads the request and end-of-file at once, thinks
        // 4 s, answers, and closes 5 s after end-of-file. The client sits in FIN-WAIT-2 for 4 s with a 2 s
        // fin_timeout: its socket is open (shutdown, not close), so no fin_timeout runs; it closes (client first)
        // once it has its response, which orphans it and starts the 2 s, but the server's FIN comes before
        final OneConnection run = new OneConnection(null, b -> b.halfClose(1).clientClosesFirst(1)
            .serverThinkUs(4_000_000).closeAfterEofUs(5_000_000).finTimeoutUs(2_000_000));
        final long x = run.isn(0);
        final long y = run.isn(1);
        final long eof = run.timeOf("server ESTABLISHED receives FIN");
        assertContainsInOrder(run.trace, "client shutdown(SHUT_WR) -> FIN-WAIT-1",
            "server reads end-of-file: close() in 5000000us", "client FIN-WAIT-1 receives ACK",
            "server sends DATA seq=" + (y + 1),
            "client FIN-WAIT-2 receives DATA", "server the application closes after end-of-file",
            "server close() -> LAST-ACK, sends FIN", "server sends FIN seq=" + (y + 4001) + " ack=" + (x + 302),
            "client FIN-WAIT-2 receives FIN", "TIME-WAIT ends");
        assertTrue(run.timeOf("client FIN-WAIT-2 receives DATA") - run.timeOf("client FIN-WAIT-1 receives ACK") >
            2_000_000, "longer in FIN-WAIT-2 than the fin_timeout, not orphaned: " + run.dump());
        assertEquals(eof + 5_000_000, run.timeOf("server sends FIN"), run.dump());
        assertEquals(0, run.count(Counter.FIN_WAIT_2_TIMEOUTS), run.dump());
        assertEquals(1, run.count(Counter.OUTCOME_COMPLETED));
        run.assertAccountedFor();
    }

    @Test
    void shouldCloseRightAfterTheResponseWhenTheDelayEndedWhileItWasStillToBeWritten()
    {
        // end-of-file with the response still to be written (the server thinks 3 s): the 1 s delay runs out
        // while it thinks, and the FIN follows the response at once
        final OneConnection run = new OneConnection(null, b -> b.halfClose(1).clientClosesFirst(1)
            .serverThinkUs(3_000_000).closeAfterEofUs(1_000_000));
        final long request = run.timeOf("server ESTABLISHED receives DATA");
        final long answered = run.timeOf("server sends DATA");
        assertEquals(request + 3_000_000, answered, run.dump());
        assertTrue(answered > run.timeOf("server ESTABLISHED receives FIN") + 1_000_000);
        assertEquals(answered, run.timeOf("server sends FIN"), run.dump());
        run.assertAccountedFor();
    }

    @Test
    void shouldHoldCloseWaitForTheDelayWhenTheClientReadsEndOfFile()
    {
        // server first: the client reads end-of-file in ESTABLISHED and stays in CLOSE-WAIT 2 s before its FIN;
        // with no delay it closes at once (today's behaviour)
        final OneConnection delayed = new OneConnection(null, b -> b.clientClosesFirst(0)
            .closeAfterEofUs(2_000_000));
        final long eof = delayed.timeOf("client ESTABLISHED receives FIN");
        assertEquals(eof + 2_000_000, delayed.timeOf("client sends FIN"), delayed.dump());
        delayed.assertAccountedFor();
        final OneConnection atOnce = new OneConnection(null, b -> b.clientClosesFirst(0));
        assertEquals(atOnce.timeOf("client ESTABLISHED receives FIN"), atOnce.timeOf("client sends FIN"));
        assertFalse(atOnce.has("end-of-file: close() in"), atOnce.dump());
    }
}
