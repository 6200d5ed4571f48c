package io.escapement.simulator.tcp;

import io.escapement.engine.rto.RetransmissionTimers;
import io.escapement.engine.rto.RetransmissionTimers.Outcome;
import io.escapement.engine.rto.RetransmissionTimers.Phase;
import io.escapement.engine.TimerHandler;
import io.escapement.engine.wheel.TimerWheel;
import io.escapement.simulator.Scenario;
import io.escapement.simulator.net.NetworkModel;
import io.escapement.simulator.report.Counter;
import io.escapement.simulator.report.ShardStats;

import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import java.util.function.LongPredicate;

import static io.escapement.simulator.tcp.TcpState.CLOSED;
import static io.escapement.simulator.tcp.TcpState.CLOSE_WAIT;
import static io.escapement.simulator.tcp.TcpState.CLOSING;
import static io.escapement.simulator.tcp.TcpState.ESTABLISHED;
import static io.escapement.simulator.tcp.TcpState.FIN_WAIT_1;
import static io.escapement.simulator.tcp.TcpState.FIN_WAIT_2;
import static io.escapement.simulator.tcp.TcpState.LAST_ACK;
import static io.escapement.simulator.tcp.TcpState.LISTEN;
import static io.escapement.simulator.tcp.TcpState.SYN_RECEIVED;
import static io.escapement.simulator.tcp.TcpState.SYN_SENT;
import static io.escapement.simulator.tcp.TcpState.TIME_WAIT;

/**
 * One share-nothing part of a simulation: the connections of some client addresses, their client and server
 * ends, and one {@link TimerWheel} that is at once the event queue and the home of every TCP timer.
 *
 * <h2>Events are timers</h2>
 * Connection arrivals, packet deliveries, retransmission timers (through the engine's {@link RetransmissionTimers},
 * one per end), tail loss probes, TIME-WAIT, FIN-WAIT-2 and idle timers are all timers on one wheel with a 1
 * microsecond tick, and virtual time jumps from one deadline to the next. The wheel compares exact deadlines, so
 * no event is moved by the tick: RTT samples and timeouts are exact to the microsecond.
 *
 * <h2>State</h2>
 * A connection that holds state has a slot; each of its two ends (client 0, server 1) has a few words in
 * primitive arrays indexed {@code slot << 1 | end}. A direction's byte stream is counted in <i>units</i>: unit 0
 * is the SYN, units {@code 1..M} the data segments, unit {@code M+1} the FIN. Sequence numbers follow from the
 * connection's initial sequence numbers (a hash of the seed) and the segment sizes, so a packet in flight is a
 * single {@code long}: the wheel payload. A slot is freed when both ends hold no state and none of its packets
 * is in flight; its ephemeral port only then returns to the pool, so a 4-tuple stays taken through TIME-WAIT.
 * A connection whose only remaining state is TIME-WAIT is compacted, as Linux does with its
 * {@code inet_timewait_sock}: its slot is freed and TIME-WAIT lives on as one timer whose payload names the port.
 *
 * <h2>Simplifications</h2>
 * Every segment is acknowledged at once (no delayed ACK) unless the reply carries data; a message is sent in one
 * burst (the initial window covers it); after an RTO the lost units are resent two per ACK, skipping those the
 * receiver already holds (standing in for SACK); no fast retransmit. Not thread-safe: one thread runs a shard.
 */
public final class TcpShard implements TimerHandler
{
    /** Writes the trace of the connections selected for tracing. */
    @FunctionalInterface
    public interface Tracer
    {
        void line(String text);
    }

    static final int CLIENT = 0;
    static final int SERVER = 1;

    // event kinds: the low byte of every payload
    private static final int ARRIVAL = 1;
    private static final int PACKET_TO_SERVER = 2;
    private static final int PACKET_TO_CLIENT = 3;
    private static final int RTO_CLIENT = 4;
    private static final int RTO_SERVER = 5;
    private static final int AUX_CLIENT = 6;
    private static final int AUX_SERVER = 7;
    private static final int TIME_WAIT_END = 8;

    // a packet's payload: kind | slot << 8 | unit << 40 | ack << 46 | transmission << 52 | class << 56
    private static final int SLOT_SHIFT = 8;
    private static final int UNIT_SHIFT = 40;
    private static final int ACK_SHIFT = 46;
    private static final int TX_SHIFT = 52;
    private static final int CLASS_SHIFT = 56;
    // a compacted TIME-WAIT's payload: kind | port << 8 | connection << 24 | freesTuple << 56
    private static final int TW_PORT_SHIFT = 8;
    private static final int TW_CONN_SHIFT = 24;
    private static final long TW_FREES_TUPLE = 1L << 56;

    // the auxiliary timer of an end: one at a time, the kind kept in the end's word
    private static final int AUX_NONE = 0;
    private static final int AUX_THINK = 1;
    private static final int AUX_TLP = 2;
    private static final int AUX_FIN_TIMEOUT = 3;
    private static final int AUX_TIME_WAIT = 4;
    private static final int AUX_IDLE = 5;

    // an end's word: bit fields
    private static final int STATE = 0;         // 4 bits
    private static final int UNA = 4;           // 6 bits: oldest unacknowledged unit
    private static final int NXT = 10;          // 6 bits: next unit to send
    private static final int RECOVER = 16;      // 6 bits: recovery point after an RTO, 0 when not recovering
    private static final int RTX_NEXT = 22;     // 6 bits: next unit to resend in recovery
    private static final int BURST = 28;        // 6 bits: first unit of the latest burst
    private static final int AUX = 34;          // 3 bits
    private static final long APP_CLOSED = 1L << 37;
    private static final long TLP_USED = 1L << 38;
    private static final long OUTCOME_DONE = 1L << 39;  // client: outcome counted; server: response sent
    private static final long DATA_DONE = 1L << 40;     // the peer's whole message received
    private static final long REFUSES = 1L << 41;       // server: nobody listens on the port
    private static final int RTO_UNIT = 48;             // 6 bits: 1 + the unit the last RTO resent, 0 if none
    private static final int ACK_SENT = 42;             // 6 bits: the ACK carried by the end's latest packet sent

    private static final long PROBE_MIN_US = 200_000;   // TCP_RTO_MIN added to a lone segment's probe timeout

    private final Scenario scenario;
    private final NetworkModel network;
    private final long seed;
    private final int shard;
    private final int shards;
    private final ShardStats stats = new ShardStats();
    private final TimerWheel wheel;
    private final RetransmissionTimers[] rto = new RetransmissionTimers[2];
    /** Refilled for every ACK handed to the retransmission timers: named fields, nothing allocated. */
    private final RetransmissionTimers.Ack rtoAck = new RetransmissionTimers.Ack();
    private final PortPool ports;
    private final int[] messageUnits = new int[2];  // data segments each end sends: request, response
    private final int[] messageBytes = new int[2];
    private final long jiffyUs;

    private final Tracer tracer;
    private final LongPredicate traced;

    // per connection slot
    private int[] connection;
    private long[] startUs;
    private char[] port;
    private char[] inFlight;
    // per end (slot << 1 | end)
    private long[] word;
    private long[] received;
    private long[] txLow;
    private long[] txHigh;
    private long[] sentAt;
    private long[] auxHandle;
    private int[] lastArrival; // when the end's latest packet arrives, microseconds after the start, unsigned
    private int[] resendsBeyondThree; // transmissions numbered 4, 5, ... by this end, whatever the unit
    private int[] lastResendAt; // the end's latest retransmission, microseconds after the start (timestamps)

    private int[] freeSlots;
    private int freeCount;
    private int slotsUsed;
    private int capacity;
    private long openSlots;
    private long compactedTimeWaits;

    private long nextConnection;  // the next connection number this shard owns, or -1
    private long nextArrivalUs;
    private long arrivalCursor;   // the connection number whose arrival time is arrivalCursorUs
    private double arrivalCursorUs;
    private long now;
    private int batchSize;
    private long[] batchHandle = new long[64];
    private long[] batchPayload = new long[64];
    private long[] batchDeadline = new long[64];
    private long[] batchKeys = new long[64];

    /**
     * @param shard  this shard's number, {@code 0 .. shards-1}; it owns the client addresses {@code a} with
     *               {@code a % shards == shard}, and with them every connection from those addresses.
     * @param tracer where trace lines go, or null.
     * @param traced which connection numbers to trace, or null for none.
     */
    public TcpShard(final Scenario scenario, final int shard, final int shards, final Tracer tracer,
        final LongPredicate traced)
    {
        this.scenario = scenario;
        this.network = scenario.network;
        this.seed = scenario.seed;
        this.shard = shard;
        this.shards = shards;
        this.tracer = tracer;
        this.traced = tracer == null ? null : traced;
        this.wheel = TimerWheel.builder(TimeUnit.MICROSECONDS).startTime(0).tickDuration(1).build();
        this.jiffyUs = scenario.hz == 0 ? 0 : 1_000_000 / scenario.hz;
        messageUnits[CLIENT] = scenario.requestSegments();
        messageUnits[SERVER] = scenario.responseSegments();
        messageBytes[CLIENT] = scenario.requestBytes;
        messageBytes[SERVER] = scenario.responseBytes;
        ports = new PortPool(scenario.portLow, scenario.portHigh, seed);
        capacity = 1024;
        rto[CLIENT] = new RetransmissionTimers(wheel, scenario.rto, scenario.retryPolicy, scenario.timestamps,
            capacity, RTO_CLIENT);
        rto[SERVER] = new RetransmissionTimers(wheel, scenario.rto, scenario.retryPolicy, scenario.timestamps,
            capacity, RTO_SERVER);
        connection = new int[capacity];
        startUs = new long[capacity];
        port = new char[capacity];
        inFlight = new char[capacity];
        word = new long[capacity * 2];
        received = new long[capacity * 2];
        txLow = new long[capacity * 2];
        txHigh = new long[capacity * 2];
        sentAt = new long[capacity * 2];
        auxHandle = new long[capacity * 2];
        lastArrival = new int[capacity * 2];
        resendsBeyondThree = new int[capacity * 2];
        lastResendAt = new int[capacity * 2];
        freeSlots = new int[capacity];
        arrivalCursor = -1;
        nextConnection = findNextOwned(0);
        if (nextConnection >= 0)
        {
            wheel.arm(nextArrivalUs, ARRIVAL);
        }
    }

    // ------------------------------------------------------------------------------------------------ driving

    /**
     * Runs virtual time up to {@code untilUs} (inclusive), or to the end when nothing is left to do.
     *
     * @return whether anything is left to do.
     */
    public boolean runUntil(final long untilUs)
    {
        long next;
        while ((next = wheel.earliestDeadline()) != TimerWheel.NULL_DEADLINE && next <= untilUs)
        {
            batchSize = 0;
            wheel.poll(Math.max(next, wheel.currentTime()), this);
            if (batchSize == 1)
            {
                handle(batchHandle[0], batchPayload[0], batchDeadline[0]);
            }
            else if (batchSize > 1)
            {
                handleBatch();
            }
        }
        return next != TimerWheel.NULL_DEADLINE;
    }

    /**
     * Handles the events of one microsecond in an order of their own, not the wheel's. The wheel's order within a
     * tick depends on which other timers share the bucket, that is on how connections were split between shards;
     * sorting by connection number, then by kind, makes a run's results independent of the number of threads.
     * A timer overtaken by an earlier event of the batch (an ACK that stopped the RTO) is recognised by its
     * handle and skipped, as it would have been cancelled had that event come first.
     */
    private void handleBatch()
    {
        final int n = batchSize;
        if (batchKeys.length < n)
        {
            batchKeys = new long[batchHandle.length];
        }
        final long[] keys = batchKeys;
        for (int k = 0; k < n; k++)
        {
            keys[k] = (sortKey(batchPayload[k]) << INDEX_BITS) | k;
        }
        Arrays.sort(keys, 0, n);
        // the batch arrays stay as they are while it is handled: only the wheel's advance, not running now, fills them
        for (int k = 0; k < n; k++)
        {
            final int e = (int)(keys[k] & ((1 << INDEX_BITS) - 1));
            if (isCurrent(batchHandle[e], batchPayload[e]))
            {
                handle(batchHandle[e], batchPayload[e], batchDeadline[e]);
            }
        }
    }

    /** Events of one microsecond are numbered in 27 bits: 134 million at once (the batch array fails first). */
    private static final int INDEX_BITS = 27;

    /** @return connection number (32 bits), then the event kind (4 bits): a key that does not depend on slots. */
    private long sortKey(final long payload)
    {
        final int kind = (int)(payload & 0xFF);
        final long conn = switch (kind)
        {
            case ARRIVAL -> nextConnection;
            case TIME_WAIT_END -> (payload >>> TW_CONN_SHIFT) & 0xFFFF_FFFFL;
            default -> connection[(int)(payload >>> SLOT_SHIFT)];
        };
        return conn << 4 | kind; // 36 bits; with the index, 63
    }

    /** @return whether a fired timer is still the one its owner holds (packets and arrivals always are). */
    private boolean isCurrent(final long handle, final long payload)
    {
        final int kind = (int)(payload & 0xFF);
        final int c = (int)(payload >>> SLOT_SHIFT);
        return switch (kind)
        {
            case RTO_CLIENT -> rto[CLIENT].timerHandle(c) == handle;
            case RTO_SERVER -> rto[SERVER].timerHandle(c) == handle;
            case AUX_CLIENT -> auxHandle[c << 1] == handle;
            case AUX_SERVER -> auxHandle[c << 1 | 1] == handle;
            default -> true;
        };
    }

    /** Runs to the end. */
    public void run()
    {
        runUntil(Long.MAX_VALUE - 1);
    }

    public ShardStats stats()
    {
        return stats;
    }

    /** @return connections this shard has opened so far (arrived). */
    public long arrived()
    {
        return stats.get(Counter.CONNECTIONS);
    }

    /** @return connections holding a slot now. */
    public long openSlots()
    {
        return openSlots;
    }

    /** @return timers left on the wheel (0 after a complete run). */
    public int timersLeft()
    {
        return wheel.timerCount();
    }

    /** @return compacted TIME-WAITs still running. */
    public long compactedTimeWaits()
    {
        return compactedTimeWaits;
    }

    /** @return the connections still holding a slot, with their ends' states: for diagnosing a run that leaks. */
    public String describeOpenConnections(final int max)
    {
        final StringBuilder s = new StringBuilder();
        final boolean[] free = new boolean[slotsUsed];
        for (int k = 0; k < freeCount; k++)
        {
            free[freeSlots[k]] = true;
        }
        int shown = 0;
        for (int c = 0; c < slotsUsed && shown < max; c++)
        {
            if (!free[c])
            {
                shown++;
                s.append("conn=").append(connection[c]).append(" client ")
                    .append(TcpState.name(field(word[c << 1], STATE, 4))).append(" una=")
                    .append(field(word[c << 1], UNA, 6)).append(" nxt=").append(field(word[c << 1], NXT, 6))
                    .append(" aux=").append(field(word[c << 1], AUX, 3)).append(" server ")
                    .append(TcpState.name(field(word[c << 1 | 1], STATE, 4))).append(" una=")
                    .append(field(word[c << 1 | 1], UNA, 6)).append(" nxt=").append(field(word[c << 1 | 1], NXT, 6))
                    .append(" aux=").append(field(word[c << 1 | 1], AUX, 3)).append(" inFlight=")
                    .append((int)inFlight[c]).append('\n');
            }
        }
        return s.toString();
    }

    /** @return virtual time now. */
    public long nowUs()
    {
        return now;
    }

    // ------------------------------------------------------------------------------------------------ events

    @Override
    public void onExpiry(final long handle, final long payload, final long deadline)
    {
        // buffered: the microsecond's events are handled once the wheel has fired them all, in a fixed order
        if (batchSize == batchPayload.length)
        {
            batchHandle = Arrays.copyOf(batchHandle, batchSize * 2);
            batchPayload = Arrays.copyOf(batchPayload, batchSize * 2);
            batchDeadline = Arrays.copyOf(batchDeadline, batchSize * 2);
        }
        batchHandle[batchSize] = handle;
        batchPayload[batchSize] = payload;
        batchDeadline[batchSize] = deadline;
        batchSize++;
    }

    private void handle(final long handle, final long payload, final long deadline)
    {
        now = deadline;
        stats.add(Counter.EVENTS);
        final int kind = (int)(payload & 0xFF);
        switch (kind)
        {
            case ARRIVAL -> onArrival();
            case PACKET_TO_SERVER, PACKET_TO_CLIENT -> onPacket(payload, kind == PACKET_TO_CLIENT ? CLIENT : SERVER);
            case RTO_CLIENT, RTO_SERVER -> onRetransmissionTimeout((int)(payload >>> SLOT_SHIFT),
                kind == RTO_CLIENT ? CLIENT : SERVER);
            case AUX_CLIENT, AUX_SERVER -> onAuxiliaryTimer((int)(payload >>> SLOT_SHIFT),
                kind == AUX_CLIENT ? CLIENT : SERVER);
            case TIME_WAIT_END -> onCompactedTimeWaitEnd(payload);
            default -> throw new IllegalStateException("unknown event kind " + kind);
        }
        stats.lastEvent(now);
    }

    private void onArrival()
    {
        final long conn = nextConnection;
        nextConnection = findNextOwned(conn + 1);
        if (nextConnection >= 0)
        {
            wheel.arm(nextArrivalUs, ARRIVAL);
        }
        stats.add(Counter.CONNECTIONS);
        final int address = (int)(conn % scenario.clientAddresses);
        final int clientPort = ports.take(address);
        if (clientPort < 0)
        {
            stats.add(Counter.OUTCOME_ADDRESS_UNAVAILABLE);
            if (tracing(conn))
            {
                trace(conn, "client connect() fails: no free port on address " + address + " (EADDRNOTAVAIL)");
            }
            return;
        }
        final int c = allocateSlot();
        connection[c] = (int)conn;
        startUs[c] = now;
        port[c] = (char)clientPort;
        inFlight[c] = 0;
        final int client = c << 1;
        final int server = client | 1;
        final boolean refuses = scenario.refusedFraction > 0 &&
            uniform(conn, 0x5EF) < scenario.refusedFraction;
        resetEnd(client, SYN_SENT, 0);
        resetEnd(server, refuses ? CLOSED : LISTEN, refuses ? REFUSES : 0);
        rto[CLIENT].open(c, Phase.SYN);
        if (tracing(conn))
        {
            trace(conn, "client " + address + ":" + clientPort + " connect() -> SYN-SENT");
        }
        markBurst(client, 0);
        sendSegment(client, 0, false);
        word[client] = with(word[client], NXT, 1);
        rto[CLIENT].onSend(c, timerNow());
    }

    private void onPacket(final long payload, final int toEnd)
    {
        final int c = (int)(payload >>> SLOT_SHIFT);
        final int unit = (int)(payload >>> UNIT_SHIFT) & 0x3F;
        final int ack = (int)(payload >>> ACK_SHIFT) & 0x3F;
        final int tx = (int)(payload >>> TX_SHIFT) & 0xF;
        final int packetClass = (int)(payload >>> CLASS_SHIFT) & 0x3;
        inFlight[c]--;
        final int i = c << 1 | toEnd;
        final int state = field(word[i], STATE, 4);
        if (traced(c))
        {
            trace(connection[c], endName(toEnd) + " " + TcpState.name(state) + " receives " +
                describe(i ^ 1, packetClass, unit, ack, tx, false));
        }
        if (packetClass == NetworkModel.RESET)
        {
            onReset(i, state);
        }
        else if (state == CLOSED)
        {
            // no socket for this 4-tuple (never, or no longer): RFC 793 answers with RST
            if ((word[i] & REFUSES) != 0 && unit == 0 && ack == 0)
            {
                trace(connection[c], "server: nobody listens on the port: RST");
            }
            sendReset(i, unit, tx);
        }
        else if (state == LISTEN)
        {
            if (packetClass == NetworkModel.SEGMENT && unit == 0 && ack == 0)
            {
                acceptSyn(i);
            }
            else
            {
                sendReset(i, unit, tx); // an ACK or data for a request the listener no longer has
            }
        }
        else if (state == SYN_SENT)
        {
            if (packetClass == NetworkModel.SEGMENT && unit == 0 && ack == 1)
            {
                onSynAck(i, tx);
            }
        }
        else
        {
            onSynchronized(i, state, packetClass, unit, ack, tx);
        }
        settle(c);
    }

    private void acceptSyn(final int server)
    {
        final int c = server >> 1;
        resetEnd(server, LISTEN, 0); // a new request: nothing of one the listener dropped before carries over
        word[server] = with(with(word[server], STATE, SYN_RECEIVED), NXT, 1);
        received[server] = 1; // the client's SYN
        rto[SERVER].open(c, Phase.SYN_ACK);
        trace(connection[c], "server LISTEN -> SYN-RECEIVED, sends SYN-ACK");
        markBurst(server, 0);
        sendSegment(server, 0, false);
        rto[SERVER].onSend(c, timerNow());
    }

    private void onSynAck(final int client, final int tx)
    {
        final int c = client >> 1;
        received[client] = 1; // the server's SYN
        final boolean retransmitted = transmissions(client, 0) > 0;
        final long rtt = now - (scenario.timestamps && retransmitted ? resendTime(client) : startUs[c]);
        rto[CLIENT].onAck(c, rtoAck.of(timerNow(), seq(client, 1), seq(client, 1)).rtt(rtt, retransmitted));
        rto[CLIENT].enterPhase(c, Phase.DATA);
        word[client] = with(with(word[client], STATE, ESTABLISHED), UNA, 1);
        stats.add(Counter.ESTABLISHED);
        ShardStats.record(stats.handshakeUs, now - startUs[c]);
        trace(connection[c], "client SYN-SENT -> ESTABLISHED, sends ACK");
        sendAck(client, 0, tx);
        if (scenario.clientThinkUs > 0)
        {
            setAux(client, AUX_THINK, now + scenario.clientThinkUs);
        }
        else
        {
            sendMessage(client);
        }
    }

    /** A packet for an end past the handshake (or a server in SYN-RECEIVED). */
    private void onSynchronized(final int i, final int state, final int packetClass, final int unit, final int ack,
        final int tx)
    {
        final int c = i >> 1;
        final int end = i & 1;
        if (packetClass == NetworkModel.SEGMENT && unit == 0)
        {
            // a duplicate SYN or SYN-ACK: its first answer was lost, answer again at once
            if (end == SERVER && state == SYN_RECEIVED && ack == 0)
            {
                stats.add(Counter.SYN_ACK_FOR_DUPLICATE_SYN);
                sendSegment(i, 0, true);
            }
            else if (end == CLIENT)
            {
                stats.add(Counter.ACK_FOR_DUPLICATE_SYN_ACK);
                sendAck(i, 0, tx);
            }
            return;
        }
        if (ack > 0)
        {
            if (packetClass == NetworkModel.PURE_ACK && tx == 0 && field(word[i], RTO_UNIT, 6) == unit + 1 &&
                unit >= field(word[i], UNA, 6) && unit < ack)
            {
                word[i] = with(word[i], RTO_UNIT, 0);
                // The ACK of an original that was since retransmitted: the timeout was spurious. Real stacks
                // learn this from timestamps (Eifel, RFC 3522) or F-RTO; the simulator knows which copy the ACK
                // answers. Strategies with a response (eifel) adapt; the others ignore it.
                stats.add(Counter.SPURIOUS_TIMEOUTS_DETECTED);
                rto[i & 1].onSpuriousTimeout(i >> 1, now - sendTime(i, unit));
            }
            onAck(i, ack);
        }
        if (packetClass == NetworkModel.SEGMENT && field(word[i], STATE, 4) != CLOSED)
        {
            onSegment(i, unit, tx);
        }
        idleCheck(i);
    }

    private void onAck(final int i, final int ack)
    {
        final int c = i >> 1;
        final int end = i & 1;
        long w = word[i];
        final int una = field(w, UNA, 6);
        final int nxt = field(w, NXT, 6);
        if (ack <= una || ack > nxt)
        {
            return; // old or duplicate ACK (or one for data never sent: ignored, as RFC 793 says to)
        }
        final int state = field(w, STATE, 4);
        final long retransmittedMask = (txLow[i] | txHigh[i]) & rangeMask(una, ack);
        // with timestamps the ACK echoes the latest transmission's time (RFC 7323): a resent segment's sample
        // runs from its resend, not from the original
        final long rttUs = now - (scenario.timestamps && retransmittedMask != 0 ? resendTime(i) : sendTime(i, una));
        final boolean allAcked = ack == nxt;
        rto[end].onAck(c, rtoAck.of(timerNow(), seq(i, ack), seq(i, nxt)).rtt(rttUs, retransmittedMask != 0));
        w = with(w, UNA, ack);
        if (allAcked)
        {
            w &= ~TLP_USED;
        }
        if (ack >= field(w, BURST, 6))
        {
            sentAt[i] = (sentAt[i] & 0xFFFF_FFFF_0000_0000L) | (sentAt[i] >>> 32); // the oldest is of the latest burst
        }
        final int recover = field(w, RECOVER, 6);
        word[i] = w;
        if (recover > 0)
        {
            if (ack >= recover)
            {
                word[i] = with(word[i], RECOVER, 0);
            }
            else
            {
                resendLost(i, 2);
            }
        }
        if (state == SYN_RECEIVED)
        {
            // the handshake's last ACK, or data carrying it
            word[i] = with(word[i], STATE, ESTABLISHED);
            rto[SERVER].enterPhase(c, Phase.DATA);
            trace(connection[c], "server SYN-RECEIVED -> ESTABLISHED");
        }
        final int finUnit = messageUnits[end] + 1;
        if (ack == finUnit + 1)
        {
            // our FIN is acknowledged
            switch (state)
            {
                case FIN_WAIT_1 ->
                {
                    toState(i, FIN_WAIT_2);
                    setAux(i, AUX_FIN_TIMEOUT, kernelNow() + scenario.finTimeoutUs); // orphaned: fin_timeout
                }
                case CLOSING -> enterTimeWait(i);
                case LAST_ACK ->
                {
                    toState(i, doneState(i));
                    closeEnd(i);
                }
                default ->
                {
                }
            }
        }
        else if (!allAcked)
        {
            armProbe(i);
        }
        if (allAcked && field(word[i], AUX, 3) == AUX_TLP)
        {
            cancelAux(i);
        }
    }

    private void onSegment(final int i, final int unit, final int tx)
    {
        final int c = i >> 1;
        final int end = i & 1;
        final int peerUnits = messageUnits[end ^ 1];
        final int peerFin = peerUnits + 1;
        final long bit = 1L << unit;
        if ((received[i] & bit) != 0)
        {
            // a duplicate: its ACK was lost or it was resent needlessly; acknowledge again
            if (unit == peerFin && field(word[i], STATE, 4) == TIME_WAIT)
            {
                stats.add(Counter.TIME_WAIT_RESTARTS);
                if (tracing(connection[c]))
                {
                    trace(connection[c], endName(end) + " TIME-WAIT: retransmitted FIN, re-ACK and restart 2MSL");
                }
                setAux(i, AUX_TIME_WAIT, kernelNow() + scenario.timeWaitUs);
            }
            sendAck(i, unit, tx);
            return;
        }
        final int before = rcvNext(i);
        received[i] |= bit;
        final int after = rcvNext(i);
        boolean replied = false;
        final boolean messageNow = before <= peerUnits && after > peerUnits && (word[i] & DATA_DONE) == 0;
        if (messageNow)
        {
            word[i] |= DATA_DONE;
        }
        // the kernel takes a FIN that is now in order (it may have waited for a resent segment to fill the gap)
        // before the application sees the data
        if (before <= peerFin && after > peerFin)
        {
            replied = onFin(i, tx);
        }
        if (messageNow)
        {
            replied |= onMessageReceived(i);
        }
        if (!replied)
        {
            sendAck(i, unit, tx);
        }
    }

    /** The peer's whole message arrived: the application reacts. @return whether it sent something. */
    private boolean onMessageReceived(final int i)
    {
        final int c = i >> 1;
        if ((i & 1) == SERVER)
        {
            if (scenario.serverThinkUs > 0)
            {
                setAux(i, AUX_THINK, now + scenario.serverThinkUs);
                return false;
            }
            return sendMessage(i);
        }
        // the client has its response
        if ((word[i] & OUTCOME_DONE) == 0)
        {
            word[i] |= OUTCOME_DONE;
            stats.add(Counter.OUTCOME_COMPLETED);
            ShardStats.record(stats.completionUs, now - startUs[c]);
        }
        final int mode = closeMode(connection[c]);
        if (mode != SERVER_FIRST)
        {
            return close(i);
        }
        return false;
    }

    /** The peer's FIN arrived in order. @return whether this end sent something. */
    private boolean onFin(final int i, final int tx)
    {
        final int state = field(word[i], STATE, 4);
        switch (state)
        {
            case ESTABLISHED ->
            {
                toState(i, CLOSE_WAIT);
                // the application sees EOF and closes at once: CLOSE-WAIT -> LAST-ACK
                sendAck(i, rcvNext(i) - 1, tx);
                close(i);
                return true;
            }
            case FIN_WAIT_1 ->
            {
                toState(i, CLOSING);
                stats.add(Counter.SIMULTANEOUS_CLOSES);
                return false;
            }
            case FIN_WAIT_2 ->
            {
                enterTimeWait(i);
                return false;
            }
            default ->
            {
                return false; // CLOSE-WAIT, LAST-ACK, CLOSING, TIME-WAIT already had it
            }
        }
    }

    private void onReset(final int i, final int state)
    {
        final int c = i >> 1;
        final int end = i & 1;
        if (TcpState.isIdle(state))
        {
            return; // RFC 793: a RST for no connection is dropped
        }
        if (end == CLIENT)
        {
            if ((word[i] & OUTCOME_DONE) == 0)
            {
                word[i] |= OUTCOME_DONE;
                stats.add(state == SYN_SENT ? Counter.OUTCOME_REFUSED : Counter.OUTCOME_RESET);
            }
        }
        if (tracing(connection[c]))
        {
            trace(connection[c], endName(end) + " " + TcpState.name(state) + " -> CLOSED (reset)");
        }
        if (state == TIME_WAIT)
        {
            stats.timeWaitChanged(now, -1); // RFC 1337's hazard: Linux drops TIME-WAIT on RST (rfc1337 = 0)
        }
        word[i] = with(word[i], STATE, doneState(i));
        closeEnd(i);
    }

    private void onRetransmissionTimeout(final int c, final int end)
    {
        final int i = c << 1 | end;
        final Outcome outcome = rto[end].onExpiry(c, timerNow());
        stats.add(Counter.RTO_EXPIRIES);
        final int state = field(word[i], STATE, 4);
        if (traced(c))
        {
            trace(connection[c], endName(end) + " " + TcpState.name(state) + " retransmission timer fires: " +
                outcome + (outcome == Outcome.RETRANSMIT ? ", next in " + (rto[end].deadlineUs(c) - now) + "us" : ""));
        }
        switch (outcome)
        {
            case RETRANSMIT ->
            {
                if (state == SYN_SENT)
                {
                    stats.add(Counter.RETX_SYN);
                    sendSegment(i, 0, true);
                }
                else if (state == SYN_RECEIVED)
                {
                    stats.add(Counter.RETX_SYN_ACK);
                    sendSegment(i, 0, true);
                }
                else
                {
                    final int una = field(word[i], UNA, 6);
                    if (field(word[i], AUX, 3) == AUX_TLP)
                    {
                        cancelAux(i);
                    }
                    word[i] = with(with(with(word[i], RECOVER, field(word[i], NXT, 6)), RTX_NEXT, una + 1),
                        RTO_UNIT, una + 1);
                    resendUnit(i, una);
                }
            }
            case GAVE_UP_SYN ->
            {
                word[i] |= OUTCOME_DONE;
                stats.add(Counter.OUTCOME_CONNECT_TIMEOUT);
                toState(i, doneState(i));
                closeEnd(i);
            }
            case GAVE_UP_SYN_ACK ->
            {
                stats.add(Counter.SYN_ACK_GIVE_UPS);
                toState(i, LISTEN); // the request is dropped; the listener remains
                closeEnd(i);
            }
            case GAVE_UP_DATA, GAVE_UP_FIN ->
            {
                stats.add(outcome == Outcome.GAVE_UP_DATA ? Counter.DATA_GIVE_UPS : Counter.ORPHAN_GIVE_UPS);
                if (end == CLIENT && (word[i] & OUTCOME_DONE) == 0)
                {
                    word[i] |= OUTCOME_DONE;
                    stats.add(Counter.OUTCOME_DATA_TIMEOUT);
                }
                // tcp_write_err(): the socket is done, no RST is sent
                toState(i, doneState(i));
                closeEnd(i);
            }
        }
        settle(c);
    }

    private void onAuxiliaryTimer(final int c, final int end)
    {
        final int i = c << 1 | end;
        final int kind = field(word[i], AUX, 3);
        word[i] = with(word[i], AUX, AUX_NONE);
        auxHandle[i] = TimerWheel.NULL_HANDLE;
        switch (kind)
        {
            case AUX_THINK -> sendMessage(i);
            case AUX_TLP ->
            {
                // RFC 8985 section 7.3: resend the last segment sent; then, as tcp_send_loss_probe() does, the
                // RTO restarts from now
                final int last = field(word[i], NXT, 6) - 1;
                stats.add(Counter.RETX_TLP);
                word[i] |= TLP_USED;
                if (tracing(connection[c]))
                {
                    trace(connection[c], endName(end) + " tail loss probe fires");
                }
                resendUnitCounted(i, last, false);
                rto[end].stop(c);
                rto[end].onSend(c, timerNow());
            }
            case AUX_FIN_TIMEOUT ->
            {
                stats.add(Counter.FIN_WAIT_2_TIMEOUTS);
                if (tracing(connection[c]))
                {
                    trace(connection[c], endName(end) + " FIN-WAIT-2 fin_timeout -> CLOSED");
                }
                toState(i, doneState(i));
                closeEnd(i);
            }
            case AUX_TIME_WAIT ->
            {
                if (tracing(connection[c]))
                {
                    trace(connection[c], endName(end) + " TIME-WAIT ends -> CLOSED");
                }
                stats.timeWaitChanged(now, -1);
                toState(i, doneState(i));
                closeEnd(i);
            }
            case AUX_IDLE ->
            {
                stats.add(Counter.IDLE_TIMEOUTS);
                if (end == CLIENT && (word[i] & OUTCOME_DONE) == 0)
                {
                    word[i] |= OUTCOME_DONE;
                    stats.add(Counter.OUTCOME_IDLE_TIMEOUT);
                }
                if (field(word[i], NXT, 6) > messageUnits[end])
                {
                    if (tracing(connection[c]))
                    {
                        trace(connection[c], endName(end) + " idle timeout: the application closes");
                    }
                    close(i);
                }
                else
                {
                    // it gives up before writing its message (the peer's is incomplete, unread): close() with
                    // unread data aborts the connection with RST, as tcp_close() does
                    if (tracing(connection[c]))
                    {
                        trace(connection[c], endName(end) + " idle timeout: the application aborts, RST");
                    }
                    sendReset(i, 0, 0);
                    toState(i, doneState(i));
                    closeEnd(i);
                }
            }
            default -> throw new IllegalStateException("auxiliary timer fired with no kind, end " + i);
        }
        settle(c);
    }

    private void onCompactedTimeWaitEnd(final long payload)
    {
        final int clientPort = (int)(payload >>> TW_PORT_SHIFT) & 0xFFFF;
        final long conn = (payload >>> TW_CONN_SHIFT) & 0xFFFF_FFFFL;
        stats.timeWaitChanged(now, -1);
        trace(conn, "TIME-WAIT ends -> CLOSED");
        if ((payload & TW_FREES_TUPLE) != 0)
        {
            compactedTimeWaits--;
            stats.openChanged(now, -1);
            ports.give((int)(conn % scenario.clientAddresses), clientPort);
        }
    }

    // ------------------------------------------------------------------------------------------------ actions

    /** The application writes its whole message (and, if it has closed already, the FIN after it). */
    private boolean sendMessage(final int i)
    {
        final int c = i >> 1;
        final int end = i & 1;
        final int state = field(word[i], STATE, 4);
        if (state != ESTABLISHED && state != CLOSE_WAIT)
        {
            return false;
        }
        final int units = messageUnits[end];
        if (field(word[i], AUX, 3) == AUX_IDLE)
        {
            cancelAux(i); // no longer waiting: the RTO (or the probe) watches this end now
        }
        long w = word[i];
        final int first = field(w, NXT, 6);
        w = with(with(w, NXT, units + 1), BURST, first);
        word[i] = w;
        markBurst(i, first);
        if (end == SERVER)
        {
            word[i] |= OUTCOME_DONE;
        }
        for (int u = first; u <= units; u++)
        {
            sendSegment(i, u, false);
        }
        rto[end].onSend(c, timerNow());
        if ((word[i] & APP_CLOSED) != 0)
        {
            sendFin(i); // close() came before the message was written: the FIN follows it
        }
        else if (end == SERVER && closeMode(connection[c]) != CLIENT_FIRST)
        {
            close(i); // HTTP/1.0 style: the server closes after its response
        }
        else
        {
            armProbe(i);
        }
        return true;
    }

    /** The application calls close(): the FIN follows any data still unsent. @return whether it sent. */
    private boolean close(final int i)
    {
        if ((word[i] & APP_CLOSED) != 0)
        {
            return false;
        }
        word[i] |= APP_CLOSED;
        final int state = field(word[i], STATE, 4);
        if (field(word[i], AUX, 3) == AUX_IDLE)
        {
            cancelAux(i);
        }
        if (field(word[i], NXT, 6) <= messageUnits[i & 1] && (word[i] & OUTCOME_DONE) == 0 && (i & 1) == SERVER)
        {
            return false; // the response is still to be written; the FIN goes out after it
        }
        if (state == ESTABLISHED || state == CLOSE_WAIT)
        {
            sendFin(i);
            return true;
        }
        return false;
    }

    private void sendFin(final int i)
    {
        final int c = i >> 1;
        final int end = i & 1;
        final int state = field(word[i], STATE, 4);
        final int fin = messageUnits[end] + 1;
        final int first = field(word[i], NXT, 6);
        // data not yet written (an idle timeout closed first) is flushed before the FIN, as the kernel does
        word[i] = with(with(word[i], NXT, fin + 1), BURST, first);
        markBurst(i, first);
        toState(i, state == CLOSE_WAIT ? LAST_ACK : FIN_WAIT_1);
        rto[end].enterPhase(c, Phase.FIN); // orphaned by close(): tcp_orphan_retries from now on
        if (traced(c))
        {
            trace(connection[c], endName(end) + " close() -> " + TcpState.name(field(word[i], STATE, 4)) +
                ", sends FIN");
        }
        for (int u = first; u <= fin; u++)
        {
            sendSegment(i, u, false);
        }
        rto[end].onSend(c, timerNow());
        armProbe(i);
    }

    private void enterTimeWait(final int i)
    {
        stats.add(Counter.TIME_WAIT_ENTERED);
        stats.timeWaitChanged(now, +1);
        final long closedAt = sentAt[i];
        ShardStats.record(stats.closeUs, now - (startUs[i >> 1] + (closedAt >>> 32)));
        toState(i, TIME_WAIT);
        if (field(word[i], AUX, 3) != AUX_NONE)
        {
            cancelAux(i);
        }
        setAux(i, AUX_TIME_WAIT, kernelNow() + scenario.timeWaitUs);
    }

    /** After an RTO: resend up to {@code budget} units the receiver lacks, in order, below the recovery point. */
    private void resendLost(final int i, final int budget)
    {
        final long peerHas = received[i ^ 1];
        int next = Math.max(field(word[i], RTX_NEXT, 6), field(word[i], UNA, 6));
        final int recover = field(word[i], RECOVER, 6);
        int sent = 0;
        while (next < recover && sent < budget)
        {
            if ((peerHas & (1L << next)) == 0)
            {
                resendUnit(i, next);
                sent++;
            }
            next++;
        }
        word[i] = with(word[i], RTX_NEXT, next);
    }

    private void resendUnit(final int i, final int unit)
    {
        resendUnitCounted(i, unit, true);
    }

    private void resendUnitCounted(final int i, final int unit, final boolean countKind)
    {
        if (countKind)
        {
            stats.add(unit == messageUnits[i & 1] + 1 ? Counter.RETX_FIN : Counter.RETX_DATA);
        }
        sendSegment(i, unit, true);
    }

    /** Arms the tail loss probe (RFC 8985, Linux's tcp_schedule_loss_probe) if the rules allow one now. */
    private void armProbe(final int i)
    {
        if (!scenario.tailLossProbe)
        {
            return;
        }
        final int c = i >> 1;
        final int end = i & 1;
        final long w = word[i];
        final int outstanding = field(w, NXT, 6) - field(w, UNA, 6);
        final long srtt = rto[end].srttUs(c);
        if (outstanding <= 0 || srtt < 0 || (w & TLP_USED) != 0 || field(w, RECOVER, 6) != 0 ||
            !rto[end].isArmed(c) || field(w, AUX, 3) == AUX_THINK)
        {
            return;
        }
        long pto = 2 * srtt + (outstanding == 1 ? PROBE_MIN_US : Math.max(2 * jiffyUs, 2_000));
        if (jiffyUs > 0)
        {
            pto = (pto + jiffyUs - 1) / jiffyUs * jiffyUs;
        }
        // Linux takes the earlier of the probe timeout and the RTO: the probe then stands in for the RTO (the
        // kernel's one timer is the probe's); a microsecond early here, so that it fires before this RTO timer
        final long rtoLeft = rto[end].deadlineUs(c) - kernelNow();
        if (rtoLeft <= 1)
        {
            return;
        }
        setAux(i, AUX_TLP, kernelNow() + Math.min(pto, rtoLeft - 1));
    }

    /** Arms (or pushes back) the idle timer of an end that waits for its peer with nothing outstanding. */
    private void idleCheck(final int i)
    {
        final long w = word[i];
        final int state = field(w, STATE, 4);
        final int aux = field(w, AUX, 3);
        if (state == ESTABLISHED && field(w, NXT, 6) == field(w, UNA, 6) && (aux == AUX_NONE || aux == AUX_IDLE) &&
            (w & APP_CLOSED) == 0)
        {
            setAux(i, AUX_IDLE, now + scenario.idleTimeoutUs);
        }
    }

    /** An end holds no more state: stop its timers. */
    private void closeEnd(final int i)
    {
        rto[i & 1].stop(i >> 1);
        if (field(word[i], AUX, 3) != AUX_NONE)
        {
            cancelAux(i);
        }
        if ((i & 1) == CLIENT && (word[i] & OUTCOME_DONE) == 0)
        {
            // no path leads here; counted, so that a test sees it if one ever does
            word[i] |= OUTCOME_DONE;
            stats.add(Counter.OUTCOME_UNEXPLAINED);
        }
    }

    /**
     * Frees the slot when neither end holds state and no packet of it is in flight; or compacts a connection whose
     * only state left is TIME-WAIT into one timer.
     */
    private void settle(final int c)
    {
        if (inFlight[c] != 0)
        {
            return;
        }
        final int client = c << 1;
        final int server = client | 1;
        final int clientState = field(word[client], STATE, 4);
        final int serverState = field(word[server], STATE, 4);
        final boolean clientIdle = TcpState.isIdle(clientState);
        final boolean serverIdle = TcpState.isIdle(serverState);
        if (clientIdle && serverIdle)
        {
            ports.give(connection[c] % scenario.clientAddresses, port[c]);
            stats.openChanged(now, -1);
            freeSlot(c);
        }
        else if ((clientIdle || clientState == TIME_WAIT) && (serverIdle || serverState == TIME_WAIT) &&
            (clientState != TIME_WAIT || wheel.isArmed(auxHandle[client])) &&
            (serverState != TIME_WAIT || wheel.isArmed(auxHandle[server])))
        {
            // (a TIME-WAIT whose timer already fired, its expiry waiting in this microsecond's batch, is left to
            // that expiry: it closes the end and settles again)
            // only TIME-WAIT is left: keep it as timers whose payload names the tuple, free the slot
            final long clientEnd = clientState == TIME_WAIT ? wheel.deadline(auxHandle[client]) : Long.MIN_VALUE;
            final long serverEnd = serverState == TIME_WAIT ? wheel.deadline(auxHandle[server]) : Long.MIN_VALUE;
            final long tuple = ((long)port[c] << TW_PORT_SHIFT) | ((long)connection[c] << TW_CONN_SHIFT) |
                TIME_WAIT_END;
            if (clientState == TIME_WAIT)
            {
                cancelAux(client);
            }
            if (serverState == TIME_WAIT)
            {
                cancelAux(server);
            }
            if (clientEnd != Long.MIN_VALUE && serverEnd != Long.MIN_VALUE)
            {
                wheel.arm(Math.min(clientEnd, serverEnd), tuple); // one end's TIME-WAIT ends first
            }
            wheel.arm(Math.max(clientEnd, serverEnd), tuple | TW_FREES_TUPLE);
            compactedTimeWaits++;
            freeSlot(c);
        }
    }

    // ------------------------------------------------------------------------------------------------ packets

    /** Sends unit {@code unit} of end {@code i}. */
    private void sendSegment(final int i, final int unit, final boolean retransmission)
    {
        int tx = 0;
        if (retransmission)
        {
            lastResendAt[i] = (int)Math.min(now - startUs[i >> 1], 0xFFFF_FFFFL);
            tx = bumpTransmissions(i, unit);
            final boolean spurious = spuriousRetransmission(i, unit, tx);
            if (spurious)
            {
                stats.add(Counter.RETX_SPURIOUS);
            }
            if (unit > 0)
            {
                stats.add(Counter.RETX_DATA_AND_FIN);
                if (spurious)
                {
                    stats.add(Counter.RETX_SPURIOUS_DATA_AND_FIN);
                }
                else if (tx == 1 && network.lost(seed, connection[i >> 1], (i & 1) == CLIENT, NetworkModel.SEGMENT,
                    unit, 0, -1))
                {
                    // a real loss of the original: how long it waited to be resent (the simulator knows)
                    final long sent = sendTime(i, unit);
                    ShardStats.record(stats.recoveryUs, now - sent);
                    ShardStats.record(stats.recoveryPerMilliRtt,
                        (now - sent) * 1000 / Math.max(1, network.baseRttUs(sent)));
                }
            }
        }
        else if (unit > 0)
        {
            stats.add(Counter.SEGMENTS);
        }
        transmit(i, NetworkModel.SEGMENT, unit, rcvNext(i), tx);
    }

    /** A pure ACK, answering the segment {@code (unit, tx)} of the peer: its fate is keyed by that segment. */
    private void sendAck(final int i, final int unit, final int tx)
    {
        transmit(i, NetworkModel.PURE_ACK, unit, rcvNext(i), tx);
    }

    private void sendReset(final int i, final int unit, final int tx)
    {
        stats.add(Counter.RST_SENT);
        transmit(i, NetworkModel.RESET, unit, 0, tx);
    }

    /**
     * Puts a packet on the wire. Each direction of a connection is a FIFO path, as one route is: a packet arrives
     * at least a microsecond after the one sent before it, so the jitter is queueing that delays, not reordering,
     * and packets an end sends in one microsecond (an ACK, then data, then the FIN) arrive in that order.
     */
    private void transmit(final int i, final int packetClass, final int unit, final int ack, final int tx)
    {
        final int c = i >> 1;
        final boolean fromClient = (i & 1) == CLIENT;
        final long conn = connection[c];
        stats.add(Counter.PACKETS_SENT);
        final boolean lost = network.lost(seed, conn, fromClient, packetClass, unit, tx, ack);
        if (traced(c))
        {
            trace(conn, endName(i & 1) + " sends " + describe(i, packetClass, unit, ack, tx, true) +
                (lost ? " (lost)" : ""));
        }
        final NetworkModel.Observer observer = network.observer();
        if (observer != null)
        {
            observer.packet(conn, fromClient, packetClass, unit, tx, lost,
                lost ? -1 : network.jitterUs(seed, conn, fromClient, packetClass, unit, tx));
        }
        if (lost)
        {
            stats.add(Counter.PACKETS_LOST);
            return;
        }
        word[i] = with(word[i], ACK_SENT, ack);
        final long delay = network.delayUs(seed, conn, fromClient, packetClass, unit, tx, now);
        final long start = startUs[c];
        final long arrival = Math.max(now + delay, start + (lastArrival[i] & 0xFFFF_FFFFL) + 1);
        lastArrival[i] = (int)Math.min(arrival - start, 0xFFFF_FFFFL);
        final long payload = (fromClient ? PACKET_TO_SERVER : PACKET_TO_CLIENT) | ((long)c << SLOT_SHIFT) |
            ((long)unit << UNIT_SHIFT) | ((long)ack << ACK_SHIFT) | ((long)Math.min(tx, 15) << TX_SHIFT) |
            ((long)packetClass << CLASS_SHIFT);
        wheel.arm(arrival, payload);
        inFlight[c]++;
    }

    /**
     * @return whether resending {@code unit} now is spurious: the timer fired though a copy of it is still on its
     * way to the receiver, or the receiver has it and an ACK covering it is on its way back. The simulator knows
     * both, where a real stack can only guess (Eifel, F-RTO). A copy the receiver has whose ACKs were all lost makes
     * the retransmission necessary, not spurious.
     */
    private boolean spuriousRetransmission(final int i, final int unit, final int tx)
    {
        final int peer = i ^ 1;
        if ((received[peer] & (1L << unit)) != 0)
        {
            // paths are FIFO and ACKs cumulative: the last packet sent back carries the highest ACK in flight
            final long backAt = startUs[i >> 1] + (lastArrival[peer] & 0xFFFF_FFFFL);
            return field(word[peer], ACK_SENT, 6) > unit && backAt > now;
        }
        final long conn = connection[i >> 1];
        final boolean fromClient = (i & 1) == CLIENT;
        for (int t = 0; t < Math.min(tx, 4); t++) // transmissions 0..3 are numbered in order; later ones skip
        {
            if (!network.lost(seed, conn, fromClient, NetworkModel.SEGMENT, unit, t, -1))
            {
                return true; // not lost, not arrived: on its way
            }
        }
        return false;
    }

    /** Counts a retransmission of {@code unit}: @return its transmission number (1 for the first resend). */
    private int bumpTransmissions(final int i, final int unit)
    {
        final long bit = 1L << unit;
        final int count = transmissions(i, unit);
        if (count < 3)
        {
            final int next = count + 1;
            txLow[i] = (next & 1) != 0 ? txLow[i] | bit : txLow[i] & ~bit;
            txHigh[i] = (next & 2) != 0 ? txHigh[i] | bit : txHigh[i] & ~bit;
            return next;
        }
        // beyond three resends the 2-bit count saturates: the end's own count of such resends, never reset while
        // the connection lives, gives every later transmission an identity of its own
        return 4 + resendsBeyondThree[i]++;
    }

    /** @return how many times {@code unit} has been resent, saturating at 3. */
    private int transmissions(final int i, final int unit)
    {
        return (int)((txLow[i] >>> unit) & 1) | (int)(((txHigh[i] >>> unit) & 1) << 1);
    }

    // ------------------------------------------------------------------------------------------------ helpers

    private void resetEnd(final int i, final int state, final long flags)
    {
        word[i] = ((long)state) | flags;
        received[i] = 0;
        txLow[i] = 0;
        txHigh[i] = 0;
        sentAt[i] = 0;
        auxHandle[i] = TimerWheel.NULL_HANDLE;
        lastArrival[i] = 0;
        resendsBeyondThree[i] = 0;
        lastResendAt[i] = 0;
    }

    /**
     * @return the state an end returns to when it holds no more state: a server end goes back to its listener
     * (LISTEN: a new SYN on the tuple starts a new request), a client end, or a server on a port nobody listens
     * on, to CLOSED.
     */
    private int doneState(final int i)
    {
        return (i & 1) == SERVER && (word[i] & REFUSES) == 0 ? LISTEN : CLOSED;
    }

    private void toState(final int i, final int state)
    {
        word[i] = with(word[i], STATE, state);
    }

    private void setAux(final int i, final int kind, final long deadline)
    {
        final long handle = auxHandle[i];
        if (field(word[i], AUX, 3) != AUX_NONE && wheel.isArmed(handle))
        {
            wheel.rearm(handle, deadline);
        }
        else
        {
            auxHandle[i] = wheel.arm(deadline, ((long)(i >> 1) << SLOT_SHIFT) | ((i & 1) == CLIENT ? AUX_CLIENT :
                AUX_SERVER));
        }
        word[i] = with(word[i], AUX, kind);
    }

    private void cancelAux(final int i)
    {
        wheel.cancel(auxHandle[i]);
        auxHandle[i] = TimerWheel.NULL_HANDLE;
        word[i] = with(word[i], AUX, AUX_NONE);
    }

    /** Records that a burst starting at {@code first} leaves now: the time every unit of it was first sent. */
    private void markBurst(final int i, final int first)
    {
        final long offset = Math.min(now - startUs[i >> 1], 0xFFFF_FFFFL);
        final long oldest = field(word[i], UNA, 6) >= first ? offset : sentAt[i] & 0xFFFF_FFFFL;
        sentAt[i] = offset << 32 | oldest;
    }

    /** @return when unit {@code unit} was first sent: in the latest burst, or the oldest outstanding time. */
    private long sendTime(final int i, final int unit)
    {
        final long at = unit >= field(word[i], BURST, 6) ? sentAt[i] >>> 32 : sentAt[i] & 0xFFFF_FFFFL;
        return startUs[i >> 1] + at;
    }

    private long resendTime(final int i)
    {
        return startUs[i >> 1] + (lastResendAt[i] & 0xFFFF_FFFFL);
    }

    private int rcvNext(final int i)
    {
        return Long.numberOfTrailingZeros(~received[i]);
    }

    private long timerNow()
    {
        return kernelNow();
    }

    /** The kernel's clock for arming timers: jiffies, so a timer fires on a jiffy boundary as the kernel's do. */
    private long kernelNow()
    {
        return jiffyUs == 0 ? now : now / jiffyUs * jiffyUs;
    }

    private static final int CLIENT_FIRST = 0;
    private static final int SERVER_FIRST = 1;
    private static final int SIMULTANEOUS = 2;

    private int closeMode(final long conn)
    {
        final double u = uniform(conn, 0xC105E);
        if (u < scenario.clientClosesFirst)
        {
            return CLIENT_FIRST;
        }
        return u < scenario.clientClosesFirst + scenario.simultaneousClose ? SIMULTANEOUS : SERVER_FIRST;
    }

    private double uniform(final long conn, final long salt)
    {
        return (NetworkModel.mix(NetworkModel.mix(seed ^ salt) + conn) >>> 11) * 0x1.0p-53;
    }

    /**
     * @return the next connection number at or after {@code from} that this shard owns, setting
     * {@link #nextArrivalUs}; -1 when none is left. Arrivals are a Poisson process: exponential gaps, each a hash
     * of the seed and the connection number, so every shard sees the same arrival times.
     */
    private long findNextOwned(final long from)
    {
        for (long conn = from; conn < scenario.connections; conn++)
        {
            while (arrivalCursor < conn)
            {
                arrivalCursor++;
                final double u = (NetworkModel.mix(seed * 31 + arrivalCursor) >>> 11) * 0x1.0p-53;
                arrivalCursorUs += -Math.log(1 - u) * 1e6 / scenario.arrivalsPerSecond;
            }
            if ((int)(conn % scenario.clientAddresses) % shards == shard)
            {
                nextArrivalUs = (long)arrivalCursorUs;
                return conn;
            }
        }
        return -1;
    }

    private int allocateSlot()
    {
        final int c;
        if (freeCount > 0)
        {
            c = freeSlots[--freeCount];
        }
        else
        {
            if (slotsUsed == capacity)
            {
                grow();
            }
            c = slotsUsed++;
        }
        openSlots++;
        stats.openChanged(now, +1);
        return c;
    }

    private void freeSlot(final int c)
    {
        freeSlots[freeCount++] = c;
        openSlots--;
    }

    private void grow()
    {
        final int newCapacity = capacity + Math.max(capacity >> 1, 1024);
        rto[CLIENT].ensureCapacity(newCapacity);
        rto[SERVER].ensureCapacity(newCapacity);
        connection = Arrays.copyOf(connection, newCapacity);
        startUs = Arrays.copyOf(startUs, newCapacity);
        port = Arrays.copyOf(port, newCapacity);
        inFlight = Arrays.copyOf(inFlight, newCapacity);
        word = Arrays.copyOf(word, newCapacity * 2);
        received = Arrays.copyOf(received, newCapacity * 2);
        txLow = Arrays.copyOf(txLow, newCapacity * 2);
        txHigh = Arrays.copyOf(txHigh, newCapacity * 2);
        sentAt = Arrays.copyOf(sentAt, newCapacity * 2);
        auxHandle = Arrays.copyOf(auxHandle, newCapacity * 2);
        lastArrival = Arrays.copyOf(lastArrival, newCapacity * 2);
        resendsBeyondThree = Arrays.copyOf(resendsBeyondThree, newCapacity * 2);
        lastResendAt = Arrays.copyOf(lastResendAt, newCapacity * 2);
        freeSlots = Arrays.copyOf(freeSlots, newCapacity);
        capacity = newCapacity;
    }

    private static long rangeMask(final int from, final int to)
    {
        final long upTo = to >= 64 ? -1L : (1L << to) - 1;
        return upTo & ~((1L << from) - 1);
    }

    private static int field(final long w, final int shift, final int bits)
    {
        return (int)((w >>> shift) & ((1L << bits) - 1));
    }

    private static long with(final long w, final int shift, final int value)
    {
        final int bits = shift == STATE ? 4 : shift == AUX ? 3 : 6;
        final long mask = ((1L << bits) - 1) << shift;
        return (w & ~mask) | (((long)value << shift) & mask);
    }

    // ------------------------------------------------------------------------------------------------ numbering

    /** @return the initial sequence number of end {@code end} of connection {@code conn}: a hash of the seed. */
    public static long initialSequence(final long seed, final long conn, final int end)
    {
        return NetworkModel.mix(NetworkModel.mix(seed ^ 0x15E) + conn * 2 + end) & 0xFFFF_FFFFL;
    }

    /** @return the sequence number of unit {@code unit} of end {@code i}'s stream (mod 2^32). */
    private long seq(final int i, final int unit)
    {
        return (initialSequence(seed, connection[i >> 1], i & 1) + offset(i & 1, unit)) & 0xFFFF_FFFFL;
    }

    /** @return the stream offset of a unit: SYN at 0, data from 1, the FIN after the data, then one past it. */
    private long offset(final int end, final int unit)
    {
        if (unit == 0)
        {
            return 0;
        }
        final int units = messageUnits[end];
        if (unit <= units)
        {
            return 1 + (long)(unit - 1) * scenario.mss;
        }
        return 1 + messageBytes[end] + (unit - units - 1);
    }

    private int length(final int end, final int unit)
    {
        final int units = messageUnits[end];
        if (unit == 0 || unit > units)
        {
            return 0;
        }
        return (int)Math.min(scenario.mss, messageBytes[end] - (long)(unit - 1) * scenario.mss);
    }

    private boolean traced(final int c)
    {
        return traced != null && traced.test(connection[c]);
    }

    /** Guards every trace line that is built from parts: untraced connections build no string. */
    private boolean tracing(final long conn)
    {
        return traced != null && traced.test(conn);
    }

    private void trace(final long conn, final String text)
    {
        if (tracing(conn))
        {
            tracer.line(String.format(java.util.Locale.ROOT, "%12.6f conn=%d %s", now / 1e6, conn, text));
        }
    }

    private static String endName(final int end)
    {
        return end == CLIENT ? "client" : "server";
    }

    /** @return a packet as a capture would show it: flags, seq, ack, length. */
    private String describe(final int from, final int packetClass, final int unit, final int ack, final int tx,
        final boolean sending)
    {
        final int end = from & 1;
        final StringBuilder s = new StringBuilder();
        final long ackNumber = ack == 0 ? -1 : seq(from ^ 1, ack);
        if (packetClass == NetworkModel.RESET)
        {
            s.append("RST");
        }
        else if (packetClass == NetworkModel.PURE_ACK)
        {
            s.append("ACK"); // a pure ACK's seq is the sender's next, known when it leaves, not kept in flight
            if (sending)
            {
                s.append(" seq=").append(seq(from, field(word[from], NXT, 6)));
            }
        }
        else
        {
            final int units = messageUnits[end];
            final String flags = unit == 0 ? (ack == 0 ? "SYN" : "SYN-ACK") : unit > units ? "FIN" : "DATA";
            s.append(flags).append(" seq=").append(seq(from, unit));
            final int length = length(end, unit);
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
