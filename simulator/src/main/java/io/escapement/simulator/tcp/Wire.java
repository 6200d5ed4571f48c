package io.escapement.simulator.tcp;

import io.escapement.engine.wheel.TimerWheel;
import io.escapement.simulator.Scenario;
import io.escapement.simulator.net.NetworkModel;
import io.escapement.simulator.report.Counter;
import io.escapement.simulator.report.ShardStats;

import java.util.Arrays;

import static io.escapement.simulator.tcp.ConnectionTable.ACK_SENT;
import static io.escapement.simulator.tcp.ConnectionTable.CLIENT;
import static io.escapement.simulator.tcp.ConnectionTable.field;
import static io.escapement.simulator.tcp.ConnectionTable.with;

/**
 * The wire: puts packets on the network, each a single {@code long} timer payload that is delivered at its
 * arrival time, and counts a connection's packets in flight (its slot is freed only when none is).
 * <p>
 * A packet's payload: {@code kind | slot << 8 | unit << 40 | ack << 46 | transmission << 52 | class << 56},
 * and {@link #SACK} when it carries SACK blocks, which wait in {@link Sack}'s queue of the sending end.
 */
final class Wire
{
    static final int UNIT_SHIFT = 40;
    static final int ACK_SHIFT = 46;
    static final int TX_SHIFT = 52;
    static final int CLASS_SHIFT = 56;
    /** The packet carries SACK blocks: the head of its sender's queue in {@link Sack}. */
    static final long SACK = 1L << 58;

    private final long seed;
    private final NetworkModel network;
    private final TimerWheel wheel;
    private final ShardStats stats;
    private final ShardClock clock;
    private final ConnectionTable table;
    private final TraceLog trace;
    Sack sack;
    Receiver receiver;

    char[] inFlight;            // per slot: packets of the connection on their way
    /**
     * Per end: when its latest packet arrives, microseconds after the start. 64 bits: at 32 it saturated after 2^32 us
     * (71.6 minutes) of a connection's life, and the FIFO order the SACK options' queue is matched by broke silently.
     */
    private long[] lastArrival;

    Wire(final Scenario scenario, final TimerWheel wheel, final ShardStats stats, final ShardClock clock,
        final ConnectionTable table, final TraceLog trace)
    {
        this.seed = scenario.seed;
        this.network = scenario.network;
        this.wheel = wheel;
        this.stats = stats;
        this.clock = clock;
        this.table = table;
        this.trace = trace;
        inFlight = new char[table.capacity()];
        lastArrival = new long[table.capacity() * 2];
    }

    void grow(final int capacity)
    {
        inFlight = Arrays.copyOf(inFlight, capacity);
        lastArrival = Arrays.copyOf(lastArrival, capacity * 2);
    }

    void reset(final int i)
    {
        lastArrival[i] = 0;
    }

    /** @return when the latest packet end {@code i} sent arrives (or arrived). */
    long lastArrivalUs(final int i)
    {
        return table.startUs[i >> 1] + lastArrival[i];
    }

    static int unit(final long payload)
    {
        return (int)(payload >>> UNIT_SHIFT) & 0x3F;
    }

    static int ack(final long payload)
    {
        return (int)(payload >>> ACK_SHIFT) & 0x3F;
    }

    static int transmission(final long payload)
    {
        return (int)(payload >>> TX_SHIFT) & 0xF;
    }

    static int packetClass(final long payload)
    {
        return (int)(payload >>> CLASS_SHIFT) & 0x3;
    }

    void sendReset(final int i, final int unit, final int tx)
    {
        stats.add(Counter.RST_SENT);
        transmit(i, NetworkModel.RESET, unit, 0, tx);
    }

    /**
     * Puts a packet on the wire. Each direction of a connection is a FIFO path, as one route is: a packet arrives
     * at least a microsecond after the one sent before it, so the jitter is queueing that delays, not reordering,
     * and packets an end sends in one microsecond (an ACK, then data, then the FIN) arrive in that order.
     *
     * @return whether the network lost it (the fate, decided now, for a sender that needs it later).
     */
    boolean transmit(final int i, final int packetClass, final int unit, final int ack, final int tx)
    {
        final int c = i >> 1;
        final boolean fromClient = (i & 1) == CLIENT;
        final long conn = table.connection[c];
        final long now = clock.now;
        stats.add(Counter.PACKETS_SENT);
        final long key = NetworkModel.connectionKey(seed, conn); // loss and jitter both hash it: once
        final boolean lost = network.lost(seed, conn, key, fromClient, packetClass, unit, tx, ack, now);
        // what the ACK (every packet but a RST carries one once the handshake is under way) reports beyond itself
        final long option = ack > 0 && packetClass != NetworkModel.RESET ? sack.option(i, receiver.received(i)) : 0;
        if (trace.traced(c))
        {
            trace.line(conn, TraceLog.endName(i & 1) + " sends " + trace.describe(i, packetClass, unit, ack, tx, true) +
                (option != 0 ? " " + trace.describeSack(i, option) : "") + (lost ? " (lost)" : ""));
        }
        final NetworkModel.Observer observer = network.observer();
        if (observer != null)
        {
            observer.packet(conn, fromClient, packetClass, unit, tx, lost,
                lost ? -1 : network.jitterUs(seed, conn, key, fromClient, packetClass, unit, tx));
        }
        if (lost)
        {
            stats.add(Counter.PACKETS_LOST);
            return true;
        }
        table.word[i] = with(table.word[i], ACK_SENT, ack);
        final long delay = network.delayUs(seed, conn, key, fromClient, packetClass, unit, tx, now);
        final long start = table.startUs[c];
        final long arrival = Math.max(now + delay, start + lastArrival[i] + 1);
        lastArrival[i] = arrival - start;
        final long payload = (fromClient ? EventBatch.PACKET_TO_SERVER : EventBatch.PACKET_TO_CLIENT) |
            ((long)c << EventBatch.SLOT_SHIFT) | ((long)unit << UNIT_SHIFT) | ((long)ack << ACK_SHIFT) |
            ((long)Math.min(tx, 15) << TX_SHIFT) | ((long)packetClass << CLASS_SHIFT) | (option != 0 ? SACK : 0);
        if (option != 0)
        {
            sack.queue(i, option);
        }
        wheel.arm(arrival, payload);
        inFlight[c]++;
        return false;
    }

    /** @return the ACK (in units) carried by the latest packet end {@code i} sent. */
    int ackSent(final int i)
    {
        return field(table.word[i], ACK_SENT, 6);
    }
}
