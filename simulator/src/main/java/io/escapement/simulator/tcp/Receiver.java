package io.escapement.simulator.tcp;

import io.escapement.simulator.net.NetworkModel;
import io.escapement.simulator.report.Counter;
import io.escapement.simulator.report.ShardStats;

import java.util.Arrays;

import static io.escapement.simulator.tcp.ConnectionTable.APP_CLOSED;
import static io.escapement.simulator.tcp.ConnectionTable.DATA_DONE;
import static io.escapement.simulator.tcp.TcpState.FIN_WAIT_1;
import static io.escapement.simulator.tcp.TcpState.FIN_WAIT_2;
import static io.escapement.simulator.tcp.TcpState.TIME_WAIT;

/**
 * The receiver: what each end has received of its peer's stream, and when it sends an ACK.
 * <p>
 * <b>When an ACK is sent.</b> A segment whose reaction sends something (a response written at once, a FIN)
 * has its ACK carried by that. Otherwise out-of-order data, data filling a hole, the FIN and a duplicate (its ACK
 * was lost, or it was resent needlessly) are acknowledged at once by a pure ACK (RFC 5681 section 4.2), and
 * in-order data as {@link DelayedAck} decides: at once, or when its timer fires. The handshake's ACKs (of a
 * SYN-ACK, of a duplicate SYN-ACK) are sent by the transitions, through {@link #sendAck}. An ACK's fate is keyed
 * by the segment it answers ({@code unit}, {@code transmission}), so two runs that differ only in timers see the
 * same fates. With SACK, every ACK reports the blocks {@link Sack} keeps (RFC 2018 section 4); {@link Wire} puts
 * them in the packet.
 */
final class Receiver
{
    private final ShardStats stats;
    private final ConnectionTable table;
    private final Streams streams;
    private final AuxTimers aux;
    private final Wire wire;
    private final TraceLog trace;
    private final long timeWaitUs;
    private final KernelTimers timers;
    Transitions transitions;
    Application application;
    DelayedAck delayedAck;
    Sack sack;

    private long[] received; // per end: bit u set when unit u of the peer's stream has arrived

    Receiver(final long timeWaitUs, final ShardStats stats, final ConnectionTable table,
        final Streams streams, final AuxTimers aux, final Wire wire, final TraceLog trace, final KernelTimers timers)
    {
        this.timers = timers;
        this.timeWaitUs = timeWaitUs;
        this.stats = stats;
        this.table = table;
        this.streams = streams;
        this.aux = aux;
        this.wire = wire;
        this.trace = trace;
        received = new long[table.capacity() * 2];
    }

    void grow(final int capacity)
    {
        received = Arrays.copyOf(received, capacity * 2);
    }

    void reset(final int i)
    {
        received[i] = 0;
        delayedAck.reset(i);
        sack.resetReceiver(i);
    }

    /** The end holds no more state: no ACK is owed any more. */
    void onClose(final int i)
    {
        delayedAck.reset(i);
    }

    /** The peer's SYN arrived (in the SYN, or in the SYN-ACK). */
    void receivedSyn(final int i)
    {
        received[i] = 1;
    }

    /** @return the units of the peer's stream end {@code i} holds, a bit each. */
    long received(final int i)
    {
        return received[i];
    }

    /** @return the next unit end {@code i} expects: what its ACKs carry. */
    int rcvNext(final int i)
    {
        return Long.numberOfTrailingZeros(~received[i]);
    }

    /** A pure ACK, answering the segment {@code (unit, tx)} of the peer: its fate is keyed by that segment. */
    void sendAck(final int i, final int unit, final int tx)
    {
        final int ack = rcvNext(i);
        delayedAck.onAckSent(i, ack);
        wire.transmit(i, NetworkModel.PURE_ACK, unit, ack, tx);
    }

    /** A data segment or FIN {@code (unit, tx)} arrived at an end past the handshake. */
    void onSegment(final int i, final int unit, final int tx)
    {
        final int c = i >> 1;
        final int end = i & 1;
        final int peerUnits = streams.units(i ^ 1);
        final int peerFin = peerUnits + 1;
        final long bit = 1L << unit;
        final long had = received[i]; // nothing below changes it before this segment is added
        if ((had & bit) != 0)
        {
            // a duplicate: its ACK was lost or it was resent needlessly; acknowledge again
            if (unit == peerFin && table.state(i) == TIME_WAIT)
            {
                stats.add(Counter.TIME_WAIT_RESTARTS);
                if (trace.tracing(table.connection[c]))
                {
                    trace.line(table.connection[c], TraceLog.endName(end) +
                        " TIME-WAIT: retransmitted FIN, re-ACK and restart 2MSL");
                }
                aux.set(i, AuxTimers.TIME_WAIT, timers.deadline(timeWaitUs));
            }
            sack.onSegment(i, had, unit); // above the cumulative ACK, its block is reported first again
            delayedAck.enterQuickAck(i);
            sendAck(i, unit, tx);
            return;
        }
        if (unit <= peerUnits && (table.word[i] & APP_CLOSED) != 0)
        {
            final int state = table.state(i);
            if (state == FIN_WAIT_1 || state == FIN_WAIT_2)
            {
                // new data for a socket its application has closed: tcp_rcv_state_process() (RCV_SHUTDOWN in
                // FIN-WAIT-1/2, "RFC 1122 says we MUST send a reset") resets the connection
                transitions.abortOnData(i, unit, tx);
                return;
            }
        }
        final int before = Long.numberOfTrailingZeros(~had); // rcvNext(i)
        final long holds = had | bit;
        received[i] = holds;
        sack.onSegment(i, holds, unit);
        final int after = Long.numberOfTrailingZeros(~holds);
        if (after > before && unit <= peerUnits)
        {
            delayedAck.onDataInOrder(i); // tcp_event_data_recv(), before the application sees the data
        }
        else
        {
            delayedAck.onNewData(i);
        }
        boolean replied = false;
        final boolean lastMessage = before <= peerUnits && after > peerUnits && (table.word[i] & DATA_DONE) == 0;
        if (lastMessage)
        {
            table.word[i] |= DATA_DONE;
        }
        // with persistent connections, a message of an exchange before the last is a message too
        final boolean messageNow = lastMessage || (streams.persistent() && streams.messageCompleted(i ^ 1, before,
            after));
        // the kernel takes a FIN that is now in order (it may have waited for a resent segment to fill the gap)
        // before the application sees the data
        if (before <= peerFin && after > peerFin)
        {
            replied = transitions.onFin(i, tx);
        }
        if (messageNow)
        {
            replied |= application.onMessageReceived(i);
        }
        if (!replied)
        {
            // RFC 5681 4.2: out-of-order data, data filling (part of) a hole, and the FIN are acknowledged at once;
            // in-order data may wait (DelayedAck)
            final boolean hole = after == before || after > before + 1 || (received[i] >>> after) != 0;
            if (hole || unit > peerUnits)
            {
                sendAck(i, unit, tx);
            }
            else
            {
                delayedAck.ackOrDelay(i, unit, tx);
            }
        }
    }
}
