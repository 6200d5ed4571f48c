package io.escapement.simulator.tcp;

import io.escapement.engine.rto.RetransmissionTimers;
import io.escapement.engine.rto.RtoStrategy;
import io.escapement.engine.wheel.TimerWheel;
import io.escapement.simulator.Scenario;
import io.escapement.simulator.report.Counter;
import io.escapement.simulator.report.ShardStats;

import java.util.concurrent.TimeUnit;
import java.util.function.LongPredicate;

import static io.escapement.simulator.tcp.ConnectionTable.CLIENT;
import static io.escapement.simulator.tcp.ConnectionTable.SERVER;

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
 * <h2>Rooms</h2>
 * This class drives time and hands each event to the room whose concern it is:
 * <ul>
 *   <li>{@link ConnectionTable}: the struct-of-arrays storage, slot allocation, an end's word of bit fields;</li>
 *   <li>{@link EventBatch}: one microsecond's events, in an order that does not depend on the threads;</li>
 *   <li>{@link Transitions}: RFC 793's states, entered on packets and timers;</li>
 *   <li>{@link Sender}: what is in flight, what to resend, the tail loss probe;</li>
 *   <li>{@link Receiver}: what arrived, and when an ACK is sent;</li>
 *   <li>{@link Application}: what each end writes and when it closes;</li>
 *   <li>{@link Wire}: packets on the network; {@link Streams}: units and sequence numbers;</li>
 *   <li>{@link AuxTimers}: think, probe, FIN-WAIT-2, TIME-WAIT and idle timers;</li>
 *   <li>{@link TimeWaitCompactor}: freeing slots, and TIME-WAIT kept as one timer;</li>
 *   <li>{@link TraceLog}: the trace of selected connections.</li>
 * </ul>
 * A slot is freed when both ends hold no state and none of its packets is in flight; its ephemeral port only then
 * returns to the pool, so a 4-tuple stays taken through TIME-WAIT.
 *
 * <h2>Simplifications</h2>
 * ACKs may be delayed ({@link DelayedAck}), a congestion window limits what is in flight
 * ({@link CongestionControl}: round trips, no bandwidth or queue), and losses are repaired by fast retransmit
 * and RFC 6675 recovery ({@link LossRecovery}), RACK ({@link Rack}), the tail loss probe and the RTO, with
 * F-RTO after an RTO; the recovery's scoreboard is
 * the receiver's true state, standing in for SACK. Not thread-safe: one thread runs a shard.
 */
public final class TcpShard
{
    /** Writes the trace of the connections selected for tracing. */
    @FunctionalInterface
    public interface Tracer
    {
        /** @param text one line of trace, without its line break. */
        void line(String text);
    }

    private final Scenario scenario;
    private final long seed;
    private final int shard;
    private final int shards;
    private final ShardStats stats = new ShardStats();
    private final ShardClock clock;
    private final TimerWheel wheel;
    private final RetransmissionTimers[] rto = new RetransmissionTimers[2];
    private final PortPool ports;

    private final ConnectionTable table;
    private final AuxTimers aux;
    private final EventBatch batch;
    private final TraceLog trace;
    private final Wire wire;
    private final Sender sender;
    private final Receiver receiver;
    private final Transitions transitions;
    private final Application application;
    private final TimeWaitCompactor compactor;
    private final Streams streams;
    private final DelayedAck delayedAck;
    private final Rack rack;
    private final Sack sack;

    private long nextConnection;  // the next connection number this shard owns, or -1
    private long nextArrivalUs;
    private long arrivalCursor;   // the connection number whose arrival time is arrivalCursorUs
    private double arrivalCursorUs;

    /**
     * @param scenario what to simulate.
     * @param shard    this shard's number, {@code 0 .. shards-1}; it owns the client addresses {@code a} with
     *                 {@code a % shards == shard}, and with them every connection from those addresses.
     * @param shards   the number of shards.
     * @param tracer   where trace lines go, or null.
     * @param traced   which connection numbers to trace, or null for none.
     */
    public TcpShard(final Scenario scenario, final int shard, final int shards, final Tracer tracer,
        final LongPredicate traced)
    {
        this.scenario = scenario;
        this.seed = scenario.seed;
        this.shard = shard;
        this.shards = shards;
        this.wheel = TimerWheel.builder(TimeUnit.MICROSECONDS).startTime(0).tickDuration(1).build();
        this.clock = new ShardClock(scenario.hz);
        ports = new PortPool(scenario.portLow, scenario.portHigh, seed);
        final int capacity = 1024;
        final KernelTimers timers = new KernelTimers(clock, wheel, scenario.hz, scenario.timerSlack);
        final RtoStrategy strategy = timers.filing(scenario.rto);
        rto[CLIENT] = new RetransmissionTimers(wheel, strategy, scenario.retryPolicy, scenario.timestamps,
            capacity, EventBatch.RTO_CLIENT);
        rto[SERVER] = new RetransmissionTimers(wheel, strategy, scenario.retryPolicy, scenario.timestamps,
            capacity, EventBatch.RTO_SERVER);
        table = new ConnectionTable(capacity, this::grow);
        aux = new AuxTimers(wheel, table);
        batch = new EventBatch(this, table, rto, aux);
        streams = new Streams(scenario, table, stats);
        trace = new TraceLog(tracer, traced, clock, table, streams);
        wire = new Wire(scenario, wheel, stats, clock, table, trace);
        sender = new Sender(scenario, stats, clock, table, streams, rto, aux, wire, trace, timers);
        receiver = new Receiver(scenario.timeWaitUs, stats, table, streams, aux, wire, trace, timers);
        delayedAck = new DelayedAck(scenario, wheel, stats, clock, table, streams, rto, timers, trace);
        delayedAck.receiver = receiver;
        receiver.delayedAck = delayedAck;
        sender.delayedAck = delayedAck;
        batch.delayedAck = delayedAck;
        rack = new Rack(scenario.rack, wheel, stats, clock, table, rto, timers);
        sender.rack = rack;
        batch.rack = rack;
        compactor = new TimeWaitCompactor(wheel, stats, clock, table, aux, ports, scenario.clientAddresses, trace);
        transitions = new Transitions(scenario, stats, clock, table, streams, rto, aux, wire, sender, receiver, trace,
            compactor, timers);
        application = new Application(scenario, stats, clock, table, streams, aux, sender, trace);
        sender.receiver = receiver;
        receiver.transitions = transitions;
        receiver.application = application;
        transitions.application = application;
        application.transitions = transitions;
        compactor.wire = wire;
        sack = new Sack(scenario.sack, scenario.timestamps, capacity);
        wire.sack = sack;
        wire.receiver = receiver;
        receiver.sack = sack;
        sender.sack = sack;
        transitions.sack = sack;
        arrivalCursor = -1;
        nextConnection = findNextOwned(0);
        if (nextConnection >= 0)
        {
            wheel.arm(nextArrivalUs, EventBatch.ARRIVAL);
        }
    }

    private void grow(final int newCapacity)
    {
        rto[CLIENT].ensureCapacity(newCapacity);
        rto[SERVER].ensureCapacity(newCapacity);
        aux.grow(newCapacity);
        wire.grow(newCapacity);
        sender.grow(newCapacity);
        receiver.grow(newCapacity);
        delayedAck.grow(newCapacity);
        rack.grow(newCapacity);
        sack.grow(newCapacity);
        streams.grow(newCapacity);
        application.grow(newCapacity);
    }

    // ------------------------------------------------------------------------------------------------ driving

    /**
     * Runs virtual time up to {@code untilUs} (inclusive), or to the end when nothing is left to do.
     *
     * @param untilUs the virtual time to stop at, in microseconds; at or after the {@code untilUs} of every earlier
     *                call (time never goes back: the wheel refuses a limit before the time it has reached).
     * @return whether anything is left to do.
     */
    public boolean runUntil(final long untilUs)
    {
        // One wheel call a microsecond: pollEarliest jumps to the next deadline and fires that microsecond's
        // timers into the batch, which handles them once all have fired (earliestDeadline then poll searched the
        // wheel three times for it, and read the bucket's deadlines first)
        batch.clear();
        while (wheel.pollEarliest(untilUs, batch) > 0)
        {
            batch.drain(nextConnection);
            batch.clear();
        }
        return wheel.timerCount() != 0;
    }

    /** Runs to the end. */
    public void run()
    {
        runUntil(Long.MAX_VALUE - 1);
    }

    /** @return the shard's counters and histograms. */
    public ShardStats stats()
    {
        return stats;
    }

    /** @return the senders' congestion windows (package tests read CUBIC's state). */
    CongestionControl window()
    {
        return sender.window();
    }

    /** @return connections this shard has opened so far (arrived). */
    public long arrived()
    {
        return stats.get(Counter.CONNECTIONS);
    }

    /** @return SACK options on packets in flight (0 after a complete run). */
    int sackRecordsInFlight()
    {
        return sack.recordsInFlight();
    }

    /** @return connections holding a slot now. */
    public long openSlots()
    {
        return table.openSlots();
    }

    /** @return timers left on the wheel (0 after a complete run). */
    public int timersLeft()
    {
        return wheel.timerCount();
    }

    /** @return compacted TIME-WAITs still running. */
    public long compactedTimeWaits()
    {
        return compactor.compacted();
    }

    /**
     * @param max the most connections to list.
     * @return the connections still holding a slot, with their ends' states: for diagnosing a run that leaks.
     */
    public String describeOpenConnections(final int max)
    {
        return table.describeOpen(max, wire.inFlight);
    }

    /** @return virtual time now. */
    public long nowUs()
    {
        return clock.now;
    }

    /** @return the initial sequence number of end {@code end} of connection {@code conn}: a hash of the seed. */
    public static long initialSequence(final long seed, final long conn, final int end)
    {
        return Streams.initialSequence(seed, conn, end);
    }

    // ------------------------------------------------------------------------------------------------ events

    /** Handles one event: sets the clock to its deadline and hands it to its room. */
    void handle(final long handle, final long payload, final long deadline)
    {
        clock.now = deadline;
        stats.add(Counter.EVENTS);
        final int kind = (int)(payload & 0xFF);
        switch (kind)
        {
            case EventBatch.ARRIVAL -> onArrival();
            case EventBatch.PACKET_TO_SERVER, EventBatch.PACKET_TO_CLIENT ->
                transitions.onPacket(payload, kind == EventBatch.PACKET_TO_CLIENT ? CLIENT : SERVER);
            case EventBatch.RTO_CLIENT, EventBatch.RTO_SERVER -> transitions.onRetransmissionTimeout(
                (int)(payload >>> EventBatch.SLOT_SHIFT), kind == EventBatch.RTO_CLIENT ? CLIENT : SERVER);
            case EventBatch.AUX_CLIENT, EventBatch.AUX_SERVER -> transitions.onAuxiliaryTimer(
                (int)(payload >>> EventBatch.SLOT_SHIFT), kind == EventBatch.AUX_CLIENT ? CLIENT : SERVER);
            case EventBatch.TIME_WAIT_END -> compactor.onEnd(payload);
            case EventBatch.DELACK_CLIENT, EventBatch.DELACK_SERVER -> delayedAck.onTimer(
                (int)(payload >>> EventBatch.SLOT_SHIFT), kind == EventBatch.DELACK_CLIENT ? CLIENT : SERVER);
            case EventBatch.RACK_CLIENT, EventBatch.RACK_SERVER -> sender.onReorderTimeout(
                (int)(payload >>> EventBatch.SLOT_SHIFT), kind == EventBatch.RACK_CLIENT ? CLIENT : SERVER);
            default -> throw new IllegalStateException("unknown event kind " + kind);
        }
        if (aux.cancelsPending())
        {
            aux.flushCancels(); // before the wheel fires again (AuxTimers: cancels wait for the event's end)
        }
        stats.lastEvent(clock.now);
    }

    private void onArrival()
    {
        final long conn = nextConnection;
        nextConnection = findNextOwned(conn + 1);
        if (nextConnection >= 0)
        {
            wheel.arm(nextArrivalUs, EventBatch.ARRIVAL);
        }
        stats.add(Counter.CONNECTIONS);
        final int address = (int)(conn % scenario.clientAddresses);
        final int clientPort = ports.take(address);
        if (clientPort < 0)
        {
            stats.add(Counter.OUTCOME_ADDRESS_UNAVAILABLE);
            if (trace.tracing(conn))
            {
                trace.line(conn, "client connect() fails: no free port on address " + address + " (EADDRNOTAVAIL)");
            }
            return;
        }
        final int c = table.allocate();
        stats.openChanged(clock.now, +1);
        table.connection[c] = (int)conn;
        table.startUs[c] = clock.now;
        table.port[c] = (char)clientPort;
        wire.inFlight[c] = 0;
        streams.connect(c, conn);
        final boolean refuses = scenario.refusedFraction > 0 &&
            application.uniform(conn, 0x5EF) < scenario.refusedFraction;
        transitions.connect(c, conn, address, clientPort, refuses);
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
                final double u = (io.escapement.simulator.net.NetworkModel.mix(seed * 31 + arrivalCursor) >>> 11) *
                    0x1.0p-53;
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
}
