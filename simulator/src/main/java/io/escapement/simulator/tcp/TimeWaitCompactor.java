package io.escapement.simulator.tcp;

import io.escapement.engine.wheel.TimerWheel;
import io.escapement.simulator.report.ShardStats;

import static io.escapement.simulator.tcp.TcpState.TIME_WAIT;

/**
 * Frees a slot when its connection holds no more state, and compacts one whose only state left is TIME-WAIT, as
 * Linux does with its {@code inet_timewait_sock}: the slot is freed and TIME-WAIT lives on as one timer whose
 * payload names the tuple ({@code kind | port << 8 | connection << 24 | freesTuple << 56}). The ephemeral port
 * returns to the pool only when the last TIME-WAIT of the tuple ends.
 */
final class TimeWaitCompactor
{
    private static final int TW_PORT_SHIFT = 8;
    private static final int TW_CONN_SHIFT = 24;
    private static final long TW_FREES_TUPLE = 1L << 56;

    private final TimerWheel wheel;
    private final ShardStats stats;
    private final ShardClock clock;
    private final ConnectionTable table;
    private final AuxTimers aux;
    private final PortPool ports;
    private final int clientAddresses;
    private final TraceLog trace;
    Wire wire;
    private long compacted;

    TimeWaitCompactor(final TimerWheel wheel, final ShardStats stats, final ShardClock clock,
        final ConnectionTable table, final AuxTimers aux, final PortPool ports, final int clientAddresses,
        final TraceLog trace)
    {
        this.wheel = wheel;
        this.stats = stats;
        this.clock = clock;
        this.table = table;
        this.aux = aux;
        this.ports = ports;
        this.clientAddresses = clientAddresses;
        this.trace = trace;
    }

    /** @return compacted TIME-WAITs still running. */
    long compacted()
    {
        return compacted;
    }

    /** @return the connection number a compacted TIME-WAIT's payload names. */
    static long connection(final long payload)
    {
        return (payload >>> TW_CONN_SHIFT) & 0xFFFF_FFFFL;
    }

    /**
     * Frees the slot when neither end holds state and no packet of it is in flight; or compacts a connection whose
     * only state left is TIME-WAIT into one timer.
     */
    void settle(final int c)
    {
        if (wire.inFlight[c] != 0)
        {
            return;
        }
        final int client = c << 1;
        final int server = client | 1;
        final int clientState = table.state(client);
        final int serverState = table.state(server);
        final boolean clientIdle = TcpState.isIdle(clientState);
        final boolean serverIdle = TcpState.isIdle(serverState);
        if (clientIdle && serverIdle)
        {
            ports.give(table.connection[c] % clientAddresses, table.port[c]);
            stats.openChanged(clock.now, -1);
            table.free(c);
        }
        else if ((clientIdle || clientState == TIME_WAIT) && (serverIdle || serverState == TIME_WAIT) &&
            (clientState != TIME_WAIT || aux.isScheduled(client)) &&
            (serverState != TIME_WAIT || aux.isScheduled(server)))
        {
            // (a TIME-WAIT whose timer already fired, its expiry waiting in this microsecond's batch, is left to
            // that expiry: it closes the end and settles again)
            // only TIME-WAIT is left: keep it as timers whose payload names the tuple, free the slot
            final long clientEnd = clientState == TIME_WAIT ? aux.deadline(client) : Long.MIN_VALUE;
            final long serverEnd = serverState == TIME_WAIT ? aux.deadline(server) : Long.MIN_VALUE;
            final long tuple = ((long)table.port[c] << TW_PORT_SHIFT) | ((long)table.connection[c] << TW_CONN_SHIFT) |
                EventBatch.TIME_WAIT_END;
            if (clientState == TIME_WAIT)
            {
                aux.cancel(client);
            }
            if (serverState == TIME_WAIT)
            {
                aux.cancel(server);
            }
            if (clientEnd != Long.MIN_VALUE && serverEnd != Long.MIN_VALUE)
            {
                wheel.arm(Math.min(clientEnd, serverEnd), tuple); // one end's TIME-WAIT ends first
            }
            wheel.arm(Math.max(clientEnd, serverEnd), tuple | TW_FREES_TUPLE);
            compacted++;
            table.free(c);
        }
    }

    /** A compacted TIME-WAIT ended; the last of its tuple gives the port back. */
    void onEnd(final long payload)
    {
        final int clientPort = (int)(payload >>> TW_PORT_SHIFT) & 0xFFFF;
        final long conn = connection(payload);
        stats.timeWaitChanged(clock.now, -1);
        trace.line(conn, "TIME-WAIT ends -> CLOSED");
        if ((payload & TW_FREES_TUPLE) != 0)
        {
            compacted--;
            stats.openChanged(clock.now, -1);
            ports.give((int)(conn % clientAddresses), clientPort);
        }
    }
}
