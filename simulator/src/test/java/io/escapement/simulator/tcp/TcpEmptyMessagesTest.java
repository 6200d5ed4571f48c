package io.escapement.simulator.tcp;

import io.escapement.simulator.report.Counter;
import org.junit.jupiter.api.Test;

import static io.escapement.simulator.tcp.OneConnection.assertContainsInOrder;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

/** Zero bytes on either side: a handshake-only connection, and a server that only closes. */
class TcpEmptyMessagesTest
{
    @Test
    void shouldOpenAndCloseAHandshakeOnlyConnectionWhenTheRequestIsEmpty()
    {
        final OneConnection run = new OneConnection(null, b -> b.requestBytes(0));
        final long x = run.isn(0);
        final long y = run.isn(1);
        // the client has nothing to ask: its FIN follows its SYN (seq x+1); the server reads end-of-file before
        // any request and closes without answering (its FIN at y+1)
        assertContainsInOrder(run.trace, "client SYN-SENT -> ESTABLISHED", "client close() -> FIN-WAIT-1",
            "client sends FIN seq=" + (x + 1) + " ack=" + (y + 1), "server ESTABLISHED receives FIN",
            "server close() -> LAST-ACK", "server sends FIN seq=" + (y + 1) + " ack=" + (x + 2),
            "client FIN-WAIT-2 receives FIN", "TIME-WAIT ends");
        assertFalse(run.has("sends DATA"), run.dump());
        assertEquals(1, run.count(Counter.OUTCOME_COMPLETED));
        run.assertAccountedFor();
    }

    @Test
    void shouldCloseInsteadOfAnsweringWhenTheResponseIsEmpty()
    {
        // the client would close first after its response; the empty response is the server's close
        final OneConnection run = new OneConnection(null, b -> b.responseBytes(0));
        final long x = run.isn(0);
        final long y = run.isn(1);
        assertContainsInOrder(run.trace, "client sends DATA seq=" + (x + 1) + " len=300",
            "server ESTABLISHED receives DATA", "server close() -> FIN-WAIT-1",
            "server sends FIN seq=" + (y + 1) + " ack=" + (x + 301), "client ESTABLISHED receives FIN",
            "client close() -> LAST-ACK", "server FIN-WAIT-2 receives FIN", "TIME-WAIT ends");
        assertFalse(run.has("server sends DATA"), run.dump());
        assertEquals(1, run.count(Counter.OUTCOME_COMPLETED), "the client's empty response is end-of-file");
        assertEquals(0, run.count(Counter.OUTCOME_CLOSED_BEFORE_RESPONSE));
        run.assertAccountedFor();
    }
}
