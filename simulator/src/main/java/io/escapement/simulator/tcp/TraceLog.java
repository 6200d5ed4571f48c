package io.escapement.simulator.tcp;

import io.escapement.simulator.net.NetworkModel;

import java.util.Locale;
import java.util.function.LongPredicate;

import static io.escapement.simulator.tcp.ConnectionTable.CLIENT;
import static io.escapement.simulator.tcp.ConnectionTable.NXT;
import static io.escapement.simulator.tcp.ConnectionTable.field;

/**
 * The trace of the connections selected for tracing: one line per packet sent or received and per state entered
 * or timer fired, a packet shown as a capture shows it (flags, {@code seq=}, {@code ack=}, {@code len=}). Every line
 * built from parts is guarded by {@link #tracing}, so untraced connections build no string.
 */
final class TraceLog
{
    private final TcpShard.Tracer tracer;
    private final LongPredicate traced;
    private final ShardClock clock;
    private final ConnectionTable table;
    private final Streams streams;

    TraceLog(final TcpShard.Tracer tracer, final LongPredicate traced, final ShardClock clock,
        final ConnectionTable table, final Streams streams)
    {
        this.tracer = tracer;
        this.traced = tracer == null ? null : traced;
        this.clock = clock;
        this.table = table;
        this.streams = streams;
    }

    /** @return whether the connection in slot {@code c} is traced. */
    boolean traced(final int c)
    {
        return traced != null && traced.test(table.connection[c]);
    }

    /** Guards every trace line that is built from parts: untraced connections build no string. */
    boolean tracing(final long conn)
    {
        return traced != null && traced.test(conn);
    }

    void line(final long conn, final String text)
    {
        if (tracing(conn))
        {
            tracer.line(String.format(Locale.ROOT, "%12.6f conn=%d %s", clock.now / 1e6, conn, text));
        }
    }

    static String endName(final int end)
    {
        return end == CLIENT ? "client" : "server";
    }

    /** @return the SACK blocks end {@code from} sends, as a capture shows them: {@code SACK left-right,...}. */
    String describeSack(final int from, final long option)
    {
        final StringBuilder s = new StringBuilder("SACK");
        for (int b = 0; b < Sack.count(option); b++)
        {
            s.append(b == 0 ? ' ' : ',').append(streams.seq(from ^ 1, Sack.first(option, b))).append('-')
                .append(streams.seq(from ^ 1, Sack.last(option, b) + 1));
        }
        return s.toString();
    }

    /** @return a packet as a capture would show it: flags, seq, ack, length. */
    String describe(final int from, final int packetClass, final int unit, final int ack, final int tx,
        final boolean sending)
    {
        final StringBuilder s = new StringBuilder();
        final long ackNumber = ack == 0 ? -1 : streams.seq(from ^ 1, ack);
        if (packetClass == NetworkModel.RESET)
        {
            s.append("RST");
        }
        else if (packetClass == NetworkModel.PURE_ACK)
        {
            s.append("ACK"); // a pure ACK's seq is the sender's next, known when it leaves, not kept in flight
            if (sending)
            {
                s.append(" seq=").append(streams.seq(from, field(table.word[from], NXT, 6)));
            }
        }
        else
        {
            final int units = streams.units(from);
            final String flags = unit == 0 ? (ack == 0 ? "SYN" : "SYN-ACK") : unit > units ? "FIN" : "DATA";
            s.append(flags).append(" seq=").append(streams.seq(from, unit));
            final int length = streams.length(from, unit);
            if (length > 0)
            {
                s.append(" len=").append(length);
            }
            if (tx > 0)
            {
                s.append(" (retransmission ").append(tx).append(')');
            }
        }
        if (ackNumber >= 0)
        {
            s.append(" ack=").append(ackNumber);
        }
        return s.toString();
    }
}
