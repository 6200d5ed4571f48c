package io.escapement.simulator.tcp;

import java.util.Arrays;
import java.util.function.IntConsumer;

/**
 * The connection table: which slot holds which connection, and the one word of bit fields each end of it keeps.
 * <p>
 * Storage is a struct of arrays. A connection that holds state has a slot {@code c}; its per-connection words are
 * indexed {@code c}, its two ends' (client 0, server 1) {@code c << 1 | end}. The other rooms own the per-end
 * arrays of their concern (the sender its transmission counts, the receiver what arrived, ...); the table grows
 * them all together through the {@code onGrow} hook, so that one slot number stays valid everywhere.
 * <p>
 * An end's word packs what several rooms read: its state (the transitions), {@code UNA}, {@code NXT},
 * {@code RECOVER}, {@code RTX_NEXT}, {@code BURST} and {@code RTO_UNIT} (the sender), {@code AUX} (the
 * auxiliary timer's kind), the application's flags and {@code ACK_SENT} (the wire). One word, so that an end's
 * hot fields are one cache line read.
 */
final class ConnectionTable
{
    static final int CLIENT = 0;
    static final int SERVER = 1;

    // an end's word: bit fields
    static final int STATE = 0;         // 4 bits
    static final int UNA = 4;           // 6 bits: oldest unacknowledged unit
    static final int NXT = 10;          // 6 bits: next unit to send
    static final int RECOVER = 16;      // 6 bits: recovery point after an RTO, 0 when not recovering
    static final int RTX_NEXT = 22;     // 6 bits: next unit to resend in recovery
    static final int BURST = 28;        // 6 bits: first unit of the latest burst
    static final int AUX = 34;          // 3 bits
    static final long APP_CLOSED = 1L << 37;
    static final long TLP_USED = 1L << 38;
    static final long OUTCOME_DONE = 1L << 39;  // client: outcome counted; server: response sent
    static final long DATA_DONE = 1L << 40;     // the peer's whole message received
    static final long REFUSES = 1L << 41;       // server: nobody listens on the port
    static final int ACK_SENT = 42;             // 6 bits: the ACK carried by the end's latest packet sent
    static final int RTO_UNIT = 48;             // 6 bits: 1 + the unit the last RTO resent, 0 if none
    static final long WROTE_NOTHING = 1L << 54; // the application closed without writing: FIN right after SYN
    static final long HALF_CLOSED = 1L << 55;   // shutdown(SHUT_WR): FIN sent, the application still reads
    static final long CLOSE_PENDING = 1L << 56; // read end-of-file: close() comes --close-after-eof later
    static final long AT_RECOVERY_POINT = 1L << 57; // NewReno: a recovery ended with SND.UNA at its point, no
                                                    // ACK above it since (RFC 6582 3.2 step 2: no new fast
                                                    // retransmit yet)
    static final int TLP_HIGH = 58;             // 6 bits: Linux's tlp_high_seq of a probe that resent, as a unit
                                                // (SND.NXT then); 0 when none (the linux window only)

    // per connection slot
    int[] connection;
    long[] startUs;
    char[] port;
    // per end (slot << 1 | end)
    long[] word;

    private final IntConsumer onGrow;
    private int[] freeSlots;
    private int freeCount;
    private int slotsUsed;
    private int capacity;
    private long openSlots;

    /**
     * @param capacity the slots to start with.
     * @param onGrow   called with the new capacity (in slots) when the table grows: the other rooms grow theirs.
     */
    ConnectionTable(final int capacity, final IntConsumer onGrow)
    {
        this.capacity = capacity;
        this.onGrow = onGrow;
        connection = new int[capacity];
        startUs = new long[capacity];
        port = new char[capacity];
        word = new long[capacity * 2];
        freeSlots = new int[capacity];
    }

    /** @return the slots the table holds room for. */
    int capacity()
    {
        return capacity;
    }

    /** @return a free slot, the most recently freed first. */
    int allocate()
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
        return c;
    }

    void free(final int c)
    {
        freeSlots[freeCount++] = c;
        openSlots--;
    }

    /** @return connections holding a slot now. */
    long openSlots()
    {
        return openSlots;
    }

    private void grow()
    {
        final int newCapacity = capacity + Math.max(capacity >> 1, 1024);
        onGrow.accept(newCapacity);
        connection = Arrays.copyOf(connection, newCapacity);
        startUs = Arrays.copyOf(startUs, newCapacity);
        port = Arrays.copyOf(port, newCapacity);
        word = Arrays.copyOf(word, newCapacity * 2);
        freeSlots = Arrays.copyOf(freeSlots, newCapacity);
        capacity = newCapacity;
    }

    /** @return the state of end {@code i}. */
    int state(final int i)
    {
        return field(word[i], STATE, 4);
    }

    /** @return the connection number of the slot of end {@code i}. */
    long connectionOf(final int i)
    {
        return connection[i >> 1];
    }

    /** @return the connections still holding a slot, with their ends' states: for diagnosing a run that leaks. */
    String describeOpen(final int max, final char[] inFlight)
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

    static int field(final long w, final int shift, final int bits)
    {
        return (int)((w >>> shift) & ((1L << bits) - 1));
    }

    static long with(final long w, final int shift, final int value)
    {
        final int bits = shift == STATE ? 4 : shift == AUX ? 3 : 6;
        final long mask = ((1L << bits) - 1) << shift;
        return (w & ~mask) | (((long)value << shift) & mask);
    }
}
