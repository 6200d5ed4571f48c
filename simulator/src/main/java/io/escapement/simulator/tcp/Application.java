package io.escapement.simulator.tcp;

import io.escapement.simulator.Scenario;
import io.escapement.simulator.net.NetworkModel;
import io.escapement.simulator.report.Counter;
import io.escapement.simulator.report.ShardStats;

import static io.escapement.simulator.tcp.ConnectionTable.APP_CLOSED;
import static io.escapement.simulator.tcp.ConnectionTable.CLOSE_PENDING;
import static io.escapement.simulator.tcp.ConnectionTable.HALF_CLOSED;
import static io.escapement.simulator.tcp.ConnectionTable.NXT;
import static io.escapement.simulator.tcp.ConnectionTable.OUTCOME_DONE;
import static io.escapement.simulator.tcp.ConnectionTable.SERVER;
import static io.escapement.simulator.tcp.ConnectionTable.UNA;
import static io.escapement.simulator.tcp.ConnectionTable.WROTE_NOTHING;
import static io.escapement.simulator.tcp.ConnectionTable.field;
import static io.escapement.simulator.tcp.TcpState.CLOSE_WAIT;
import static io.escapement.simulator.tcp.TcpState.ESTABLISHED;
import static io.escapement.simulator.tcp.TcpState.FIN_WAIT_2;

/**
 * The applications at both ends: the client writes its request once connected (after its think time), the server
 * its response once it has read the request (after its think time); who closes first is drawn per connection; an
 * end that waits with nothing to send for the idle timeout closes.
 * <p>
 * <b>What an application has written and read.</b> It writes its whole message in one call. It reads whatever
 * data arrives in order as soon as it arrives (a read is pending while it waits for its message), so at close()
 * no received data is ever unread: close() sends FIN, never RST (tcp_close()'s rule). An application that
 * closes before writing (an idle server whose request never came) writes nothing: its FIN comes right after its
 * SYN, and the peer reads end-of-file.
 */
final class Application
{
    static final int CLIENT_FIRST = 0;
    static final int SERVER_FIRST = 1;
    static final int SIMULTANEOUS = 2;

    private final Scenario scenario;
    private final long seed;
    private final ShardStats stats;
    private final ShardClock clock;
    private final ConnectionTable table;
    private final Streams streams;
    private final AuxTimers aux;
    private final Sender sender;
    private final TraceLog trace;
    Transitions transitions;
    // per end: when the application is to close after reading end-of-file, microseconds after the start
    private int[] closeAt;

    Application(final Scenario scenario, final ShardStats stats, final ShardClock clock, final ConnectionTable table,
        final Streams streams, final AuxTimers aux, final Sender sender, final TraceLog trace)
    {
        this.scenario = scenario;
        this.seed = scenario.seed;
        this.stats = stats;
        this.clock = clock;
        this.table = table;
        this.streams = streams;
        this.aux = aux;
        this.sender = sender;
        this.trace = trace;
        closeAt = new int[table.capacity() * 2];
    }

    void grow(final int capacity)
    {
        closeAt = java.util.Arrays.copyOf(closeAt, capacity * 2);
    }

    /**
     * The application read end-of-file in ESTABLISHED (now CLOSE-WAIT) and calls close() {@code --close-after-eof}
     * later. Its timer is the end's auxiliary one; while that runs something else (the think time before a
     * response still to be written, a tail loss probe), the close waits for it to end and then comes at the time
     * set, or at once if that has passed.
     */
    void onEndOfFile(final int i)
    {
        final int c = i >> 1;
        final long at = clock.now + scenario.closeAfterEofUs;
        closeAt[i] = (int)Math.min(at - table.startUs[c], 0xFFFF_FFFFL);
        table.word[i] |= CLOSE_PENDING;
        if (trace.tracing(table.connection[c]))
        {
            trace.line(table.connection[c], TraceLog.endName(i & 1) + " reads end-of-file: close() in " +
                scenario.closeAfterEofUs + "us");
        }
        resumeClose(i);
    }

    /** Arms the pending close once the end's auxiliary timer is free (or closes, if its time has come). */
    void resumeClose(final int i)
    {
        if ((table.word[i] & CLOSE_PENDING) == 0)
        {
            return;
        }
        final int kind = aux.kind(i);
        if (kind != AuxTimers.NONE && kind != AuxTimers.IDLE)
        {
            return; // the think time or the probe runs: after it
        }
        final long at = table.startUs[i >> 1] + (closeAt[i] & 0xFFFF_FFFFL);
        if (at <= clock.now)
        {
            transitions.close(i);
        }
        else
        {
            aux.set(i, AuxTimers.CLOSE, at);
        }
    }

    /** The delayed close's time came. */
    void onCloseTimer(final int i)
    {
        if (trace.tracing(table.connection[i >> 1]))
        {
            trace.line(table.connection[i >> 1], TraceLog.endName(i & 1) + " the application closes after " +
                "end-of-file");
        }
        transitions.close(i);
    }

    /** The client's connect() returned: it writes its request, now or after its think time. */
    void onEstablished(final int client)
    {
        if (scenario.clientThinkUs > 0)
        {
            aux.set(client, AuxTimers.THINK, clock.now + scenario.clientThinkUs);
        }
        else
        {
            sendMessage(client);
        }
    }

    /** The application writes its whole message (and, if it has closed already, the FIN after it). */
    boolean sendMessage(final int i)
    {
        final int c = i >> 1;
        final int end = i & 1;
        final int state = table.state(i);
        if (state != ESTABLISHED && state != CLOSE_WAIT)
        {
            return false;
        }
        final int first = field(table.word[i], NXT, 6);
        // its whole message; with persistent connections, the next exchange's
        final int units = streams.nextMessageEnd(i, first);
        if (streams.persistent() && units < first && units > 0)
        {
            return false; // nothing more to write: its stream ended when it closed
        }
        final boolean last = units == streams.units(i);
        if (aux.kind(i) == AuxTimers.IDLE)
        {
            aux.cancel(i); // no longer waiting: the RTO (or the probe) watches this end now
        }
        sender.startBurst(i, first, units + 1);
        if (end == SERVER && last)
        {
            table.word[i] |= OUTCOME_DONE;
        }
        sender.sendBurst(i, first, units);
        if (units == 0)
        {
            // an empty message: a client with nothing to ask had what it wanted, the handshake; a server with
            // nothing to answer answers by closing. Either closes now, its FIN right after its SYN
            if (end == ConnectionTable.CLIENT && (table.word[i] & OUTCOME_DONE) == 0)
            {
                table.word[i] |= OUTCOME_DONE;
                stats.add(Counter.OUTCOME_COMPLETED);
                ShardStats.record(stats.completionUs, clock.now - table.startUs[c]);
            }
            return (table.word[i] & APP_CLOSED) != 0 ? sendFinNow(i) : transitions.close(i);
        }
        if ((table.word[i] & APP_CLOSED) != 0)
        {
            if (streams.persistent())
            {
                streams.truncate(i, streams.messagesBelow(i, units + 1)); // this message is its stream's last
            }
            transitions.sendFin(i); // close() came before the message was written: the FIN follows it
        }
        else if (!last)
        {
            sender.armProbe(i); // an exchange of a persistent connection: more follow
        }
        else if (end == ConnectionTable.CLIENT && scenario.halfClose > 0 &&
            uniform(table.connection[c], 0x4A1F) < scenario.halfClose)
        {
            // shutdown(SHUT_WR): the FIN follows the request; the application goes on reading
            table.word[i] |= HALF_CLOSED;
            transitions.sendFin(i);
        }
        else if (end == SERVER && closeMode(table.connection[c]) != CLIENT_FIRST)
        {
            transitions.close(i); // HTTP/1.0 style: the server closes after its response
        }
        else
        {
            sender.armProbe(i);
        }
        return true;
    }

    private boolean sendFinNow(final int i)
    {
        transitions.sendFin(i);
        return true;
    }

    /** The peer's whole message arrived: the application reacts. @return whether it sent something. */
    boolean onMessageReceived(final int i)
    {
        final int c = i >> 1;
        if ((i & 1) == SERVER)
        {
            if (scenario.serverThinkUs > 0)
            {
                aux.set(i, AuxTimers.THINK, clock.now + scenario.serverThinkUs);
                return false;
            }
            return sendMessage(i);
        }
        if (streams.persistent() && (table.word[i] & ConnectionTable.DATA_DONE) == 0)
        {
            // a response before the last: the client writes its next request after its think time
            final long thinkUs = scenario.exchanges.thinkUs(table.connection[c],
                streams.messagesBelow(i, field(table.word[i], NXT, 6)));
            if (thinkUs > 0)
            {
                aux.set(i, AuxTimers.THINK, clock.now + thinkUs);
                return false;
            }
            return sendMessage(i);
        }
        // the client has its response
        if ((table.word[i] & OUTCOME_DONE) == 0)
        {
            table.word[i] |= OUTCOME_DONE;
            stats.add(Counter.OUTCOME_COMPLETED);
            ShardStats.record(stats.completionUs, clock.now - table.startUs[c]);
        }
        final int mode = closeMode(table.connection[c]);
        if (mode != SERVER_FIRST)
        {
            return transitions.close(i);
        }
        return false;
    }

    /** Arms (or pushes back) the idle timer of an end that waits for its peer with nothing outstanding. */
    void idleCheck(final int i)
    {
        final long w = table.word[i];
        final int state = field(w, ConnectionTable.STATE, 4);
        final int kind = field(w, ConnectionTable.AUX, 3);
        // a half-closed end in FIN-WAIT-2 still waits for its peer, as an open one does
        final boolean waits = state == ESTABLISHED || (state == FIN_WAIT_2 && (w & HALF_CLOSED) != 0);
        if (waits && field(w, NXT, 6) == field(w, UNA, 6) &&
            (kind == AuxTimers.NONE || kind == AuxTimers.IDLE) && (w & APP_CLOSED) == 0)
        {
            aux.set(i, AuxTimers.IDLE, clock.now + scenario.idleTimeoutUs);
        }
    }

    /** The end waited the idle timeout: the application closes (or aborts). */
    void onIdleTimeout(final int i)
    {
        final int c = i >> 1;
        final int end = i & 1;
        stats.add(Counter.IDLE_TIMEOUTS);
        if (end == ConnectionTable.CLIENT && (table.word[i] & OUTCOME_DONE) == 0)
        {
            table.word[i] |= OUTCOME_DONE;
            stats.add(Counter.OUTCOME_IDLE_TIMEOUT);
        }
        final boolean written = streams.persistent() ? streams.messagesBelow(i, field(table.word[i], NXT, 6)) > 0 :
            field(table.word[i], NXT, 6) > streams.units(i);
        if (!written)
        {
            // it gives up before writing its message (a server still waiting for the request): it writes nothing,
            // its FIN follows its SYN
            table.word[i] |= WROTE_NOTHING;
        }
        // tcp_close() (net/ipv4/tcp.c) sends RST instead of FIN only when received data was left unread
        // (data_was_unread). This application reads whatever arrives in order as it arrives, so nothing is
        // unread and close() sends FIN, whether or not the application wrote
        if (trace.tracing(table.connection[c]))
        {
            trace.line(table.connection[c], TraceLog.endName(end) + " idle timeout: the application closes" +
                (written ? "" : " without writing"));
        }
        transitions.close(i);
    }

    /** @return who closes connection {@code conn} first: {@link #CLIENT_FIRST}, {@link #SERVER_FIRST} or both. */
    int closeMode(final long conn)
    {
        final double u = uniform(conn, 0xC105E);
        if (u < scenario.clientClosesFirst)
        {
            return CLIENT_FIRST;
        }
        return u < scenario.clientClosesFirst + scenario.simultaneousClose ? SIMULTANEOUS : SERVER_FIRST;
    }

    /** @return a uniform double in [0, 1) drawn for connection {@code conn}: a hash of the seed and a salt. */
    double uniform(final long conn, final long salt)
    {
        return (NetworkModel.mix(NetworkModel.mix(seed ^ salt) + conn) >>> 11) * 0x1.0p-53;
    }
}
