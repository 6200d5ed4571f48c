package io.escapement.simulator.tcp;

import io.escapement.engine.rto.RetransmissionTimers;
import io.escapement.engine.TimerHandler;

import java.util.Arrays;

import static io.escapement.simulator.tcp.ConnectionTable.CLIENT;
import static io.escapement.simulator.tcp.ConnectionTable.SERVER;

/**
 * The events of one microsecond, handled in an order of their own, not the wheel's. The wheel's order within a
 * tick depends on which other timers share the bucket, that is on how connections were split between shards;
 * sorting by connection number, then by kind, makes a run's results independent of the number of threads.
 * A timer overtaken by an earlier event of the batch (an ACK that stopped the RTO) is recognised by its handle
 * and skipped, as it would have been cancelled had that event come first.
 * <p>
 * Every event is a timer whose payload's low byte is its kind; all but arrivals and compacted TIME-WAITs name
 * their slot from bit {@link #SLOT_SHIFT}.
 */
final class EventBatch implements TimerHandler
{
    // event kinds: the low byte of every payload
    static final int ARRIVAL = 1;
    static final int PACKET_TO_SERVER = 2;
    static final int PACKET_TO_CLIENT = 3;
    static final int RTO_CLIENT = 4;
    static final int RTO_SERVER = 5;
    static final int AUX_CLIENT = 6;
    static final int AUX_SERVER = 7;
    static final int TIME_WAIT_END = 8;
    static final int DELACK_CLIENT = 9;
    static final int DELACK_SERVER = 10;
    static final int RACK_CLIENT = 11;
    static final int RACK_SERVER = 12;

    static final int SLOT_SHIFT = 8;

    /** Events of one microsecond are numbered in 27 bits: 134 million at once (the batch array fails first). */
    private static final int INDEX_BITS = 27;

    private final TcpShard shard;
    private final ConnectionTable table;
    private final RetransmissionTimers[] rto;
    private final AuxTimers aux;
    DelayedAck delayedAck;
    Rack rack;

    /** The arrays' length to start with. */
    static final int INITIAL_CAPACITY = 64;
    /** Arrays grown beyond this (by a burst of events in one microsecond) are given back before the next batch. */
    static final int RETAINED_CAPACITY = 4096;

    private int size;
    private long[] handle = new long[INITIAL_CAPACITY];
    private long[] payload = new long[INITIAL_CAPACITY];
    private long[] deadline = new long[INITIAL_CAPACITY];
    private long[] keys = new long[INITIAL_CAPACITY];

    EventBatch(final TcpShard shard, final ConnectionTable table, final RetransmissionTimers[] rto,
        final AuxTimers aux)
    {
        this.shard = shard;
        this.table = table;
        this.rto = rto;
        this.aux = aux;
    }

    void clear()
    {
        if (handle.length > RETAINED_CAPACITY)
        {
            // a burst grew the arrays: give them back rather than hold them for the rest of the run. With the
            // kernel timer wheel's slack, the 60 s TIME-WAITs armed within one 4.096 s bucket of its level 4 all
            // end in the same microsecond (86,000 of them at 20,000 connections a second): four arrays of 131,072
            // longs, 4 MiB, that were otherwise retained to the end, 4 bytes per connection of the default run
            handle = new long[INITIAL_CAPACITY];
            payload = new long[INITIAL_CAPACITY];
            deadline = new long[INITIAL_CAPACITY];
            keys = new long[INITIAL_CAPACITY];
        }
        size = 0;
    }

    /** @return the events the batch holds room for now. */
    int capacity()
    {
        return handle.length;
    }

    @Override
    public void onExpiry(final long handle, final long payload, final long deadline)
    {
        // buffered: the microsecond's events are handled once the wheel has fired them all, in a fixed order
        if (size == this.payload.length)
        {
            this.handle = Arrays.copyOf(this.handle, size * 2);
            this.payload = Arrays.copyOf(this.payload, size * 2);
            this.deadline = Arrays.copyOf(this.deadline, size * 2);
        }
        this.handle[size] = handle;
        this.payload[size] = payload;
        this.deadline[size] = deadline;
        size++;
    }

    /** Handles the events the wheel fired into the batch, in the batch's order. */
    void drain(final long nextConnection)
    {
        if (size == 1)
        {
            shard.handle(handle[0], payload[0], deadline[0]);
        }
        else if (size > 1)
        {
            drainSorted(nextConnection);
        }
    }

    private void drainSorted(final long nextConnection)
    {
        final int n = size;
        if (keys.length < n)
        {
            keys = new long[handle.length];
        }
        final long[] k = keys;
        for (int e = 0; e < n; e++)
        {
            k[e] = (sortKey(payload[e], nextConnection) << INDEX_BITS) | e;
        }
        Arrays.sort(k, 0, n);
        // the batch arrays stay as they are while it is handled: only the wheel's advance, not running now, fills them
        for (int j = 0; j < n; j++)
        {
            final int e = (int)(k[j] & ((1 << INDEX_BITS) - 1));
            if (isCurrent(handle[e], payload[e]))
            {
                shard.handle(handle[e], payload[e], deadline[e]);
            }
        }
    }

    /** @return connection number (32 bits), then the event kind (4 bits): a key that does not depend on slots. */
    private long sortKey(final long payload, final long nextConnection)
    {
        final int kind = (int)(payload & 0xFF);
        final long conn = switch (kind)
        {
            case ARRIVAL -> nextConnection;
            case TIME_WAIT_END -> TimeWaitCompactor.connection(payload);
            default -> table.connection[(int)(payload >>> SLOT_SHIFT)];
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
            case AUX_CLIENT -> aux.handle[c << 1] == handle;
            case AUX_SERVER -> aux.handle[c << 1 | 1] == handle;
            case DELACK_CLIENT -> delayedAck.handle[c << 1] == handle;
            case DELACK_SERVER -> delayedAck.handle[c << 1 | 1] == handle;
            case RACK_CLIENT -> rack.handle[c << 1] == handle;
            case RACK_SERVER -> rack.handle[c << 1 | 1] == handle;
            default -> true;
        };
    }
}
