package io.escapement.simulator.tcp;

import io.escapement.simulator.Exchanges;
import io.escapement.simulator.Scenario;
import io.escapement.simulator.SizeDistribution;
import io.escapement.simulator.net.NetworkModel;
import io.escapement.simulator.report.Counter;
import io.escapement.simulator.report.ShardStats;

import static io.escapement.simulator.tcp.ConnectionTable.CLIENT;
import static io.escapement.simulator.tcp.ConnectionTable.SERVER;

/**
 * Each direction's byte stream, counted in <i>units</i>: unit 0 is the SYN, units {@code 1..M} the data segments,
 * unit {@code M+1} the FIN. Sequence numbers follow from the connection's initial sequence number (a hash of the
 * seed) and the segment sizes, so a packet in flight needs only its unit.
 * <p>
 * <b>Persistent connections.</b> With more than one exchange per connection ({@link Exchanges}), a direction's
 * stream is its messages one after another: exchange 0's data units, then exchange 1's, ..., then the FIN, and the
 * sequence numbers run on across them. Each end keeps its exchanges' cumulative units and bytes (about 600 bytes
 * a slot, only in such a run), and how many of them its stream holds: all drawn, until its application closes
 * early (an idle timeout, end-of-file from the peer), which ends the stream at the messages it has written.
 */
final class Streams
{
    private final long seed;
    /** {@link #initialSequence}'s hash of the seed alone, the same for every connection: hashed once, not per ACK. */
    private final long isnKey;
    private final int mss;
    private final ConnectionTable table;
    private final int[] messageUnits = new int[2];  // data segments each end sends: request, response
    private final int[] messageBytes = new int[2];
    // sizes drawn per connection, when either side's is not constant: per end (slot << 1 | end)
    private final SizeDistribution[] sizes;
    private final boolean drawn;
    private int[] drawnBytes;
    private byte[] drawnUnits;
    // persistent connections: per end, cumulative units and bytes through each exchange (MAX entries an end), and
    // the exchanges its stream holds
    private final Exchanges exchanges;
    private final boolean persistent;
    private byte[] exchangeUnits;
    private int[] exchangeBytes;
    private byte[] limit;
    private final ShardStats stats;
    private byte[] laidOut; // per slot: the exchanges laid out, before any end truncated its stream

    Streams(final Scenario scenario, final ConnectionTable table, final ShardStats stats)
    {
        this.stats = stats;
        this.seed = scenario.seed;
        this.isnKey = NetworkModel.mix(seed ^ 0x15E);
        this.mss = scenario.mss;
        this.table = table;
        messageUnits[CLIENT] = scenario.requestSegments();
        messageUnits[SERVER] = scenario.responseSegments();
        messageBytes[CLIENT] = scenario.requestBytes;
        messageBytes[SERVER] = scenario.responseBytes;
        sizes = new SizeDistribution[]{scenario.requestSizes, scenario.responseSizes};
        drawn = !scenario.requestSizes.isConstant() || !scenario.responseSizes.isConstant();
        if (drawn)
        {
            drawnBytes = new int[table.capacity() * 2];
            drawnUnits = new byte[table.capacity() * 2];
        }
        exchanges = scenario.exchanges;
        persistent = exchanges.isPersistent();
        if (persistent)
        {
            exchangeUnits = new byte[table.capacity() * 2 * Exchanges.MAX];
            exchangeBytes = new int[table.capacity() * 2 * Exchanges.MAX];
            limit = new byte[table.capacity() * 2];
            laidOut = new byte[table.capacity()];
        }
    }

    /** @return whether connections carry a sequence of exchanges (persistent connections). */
    boolean persistent()
    {
        return persistent;
    }

    void grow(final int capacity)
    {
        if (drawn)
        {
            drawnBytes = java.util.Arrays.copyOf(drawnBytes, capacity * 2);
            drawnUnits = java.util.Arrays.copyOf(drawnUnits, capacity * 2);
        }
        if (persistent)
        {
            exchangeUnits = java.util.Arrays.copyOf(exchangeUnits, capacity * 2 * Exchanges.MAX);
            exchangeBytes = java.util.Arrays.copyOf(exchangeBytes, capacity * 2 * Exchanges.MAX);
            limit = java.util.Arrays.copyOf(limit, capacity * 2);
            laidOut = java.util.Arrays.copyOf(laidOut, capacity);
        }
    }

    /** Connection {@code conn} takes slot {@code c}: its messages' sizes are drawn. */
    void connect(final int c, final long conn)
    {
        if (persistent)
        {
            // layout() writes side s of exchange k at [at + s * MAX + k]: the client's entries, then the server's
            final int n = exchanges.layout(conn, exchangeUnits, exchangeBytes, c * 2 * Exchanges.MAX);
            // what the cut took is counted, never silent: drawn against carried
            stats.add(Counter.EXCHANGES_DRAWN, exchanges.drawnCount(conn));
            stats.add(Counter.EXCHANGES_CARRIED, n);
            limit[c << 1] = (byte)n;
            limit[c << 1 | 1] = (byte)n;
            laidOut[c] = (byte)n;
            return;
        }
        if (drawn)
        {
            for (int end = CLIENT; end <= SERVER; end++)
            {
                final int bytes = sizes[end].bytesFor(seed, conn, end);
                drawnBytes[c << 1 | end] = bytes;
                drawnUnits[c << 1 | end] = (byte)((bytes + mss - 1) / mss);
            }
        }
    }

    private int messageUnits(final int i)
    {
        return drawn ? drawnUnits[i] : messageUnits[i & 1];
    }

    private int messageBytes(final int i)
    {
        return drawn ? drawnBytes[i] : messageBytes[i & 1];
    }

    /** @return the data segments end {@code i} sends: its message's, or none if it closed without writing. */
    int units(final int i)
    {
        if (persistent)
        {
            return (table.word[i] & ConnectionTable.WROTE_NOTHING) != 0 ? 0 : unitsThrough(i, limit[i]);
        }
        return (table.word[i] & ConnectionTable.WROTE_NOTHING) != 0 ? 0 : messageUnits(i);
    }

    // ------------------------------------------------------------------------------------------------ exchanges

    private int at(final int i)
    {
        return i * Exchanges.MAX; // (c * 2 + end) * MAX: layout() put the server's entries MAX after the client's
    }

    /** @return the data units of end {@code i}'s first {@code n} exchanges. */
    private int unitsThrough(final int i, final int n)
    {
        return n <= 0 ? 0 : exchangeUnits[at(i) + n - 1];
    }

    private int bytesThrough(final int i, final int n)
    {
        return n <= 0 ? 0 : exchangeBytes[at(i) + n - 1];
    }

    /** @return the exchanges end {@code i}'s stream holds (persistent connections). */
    int exchanges(final int i)
    {
        return limit[i];
    }

    /** @return the data units end {@code i} would send had its application written every exchange drawn. */
    int drawnUnits(final int i)
    {
        return persistent ? unitsThrough(i, laidOut[i >> 1]) : messageUnits(i);
    }

    /**
     * @param nxt the end's next unit to send.
     * @return the last unit of the message end {@code i} writes next: its whole message, or with persistent
     * connections the next exchange's; {@code nxt - 1} when it has nothing more to write.
     */
    int nextMessageEnd(final int i, final int nxt)
    {
        if (!persistent)
        {
            return units(i);
        }
        for (int k = 0; k < limit[i]; k++)
        {
            final int end = exchangeUnits[at(i) + k];
            if (end >= nxt)
            {
                return end;
            }
        }
        return units(i);
    }

    /** @return the messages (exchanges) whose units are all below {@code nxt}: those end {@code i} has written. */
    int messagesBelow(final int i, final int nxt)
    {
        if (!persistent)
        {
            return nxt > units(i) ? 1 : 0;
        }
        int k = 0;
        while (k < limit[i] && exchangeUnits[at(i) + k] < nxt)
        {
            k++;
        }
        return k;
    }

    /**
     * @return whether a message of end {@code i}'s stream became whole when the units below {@code after} (and not
     * all those below {@code before}) had arrived at its peer.
     */
    boolean messageCompleted(final int i, final int before, final int after)
    {
        for (int k = 0; k < limit[i]; k++)
        {
            final int last = exchangeUnits[at(i) + k];
            if (before <= last && last < after)
            {
                return true;
            }
        }
        return false;
    }

    /** The application of end {@code i} closes: its stream ends after its first {@code n} messages. */
    void truncate(final int i, final int n)
    {
        if (n < limit[i])
        {
            limit[i] = (byte)n;
        }
    }

    /** @return the unit of end {@code i}'s FIN. */
    int finUnit(final int i)
    {
        return units(i) + 1;
    }

    /** @return the initial sequence number of end {@code end} of connection {@code conn}: a hash of the seed. */
    static long initialSequence(final long seed, final long conn, final int end)
    {
        return isn(NetworkModel.mix(seed ^ 0x15E), conn, end);
    }

    /** The one formula of an ISN from the seed's hash: in long arithmetic, as connections reach 2^31. */
    private static long isn(final long key, final long conn, final int end)
    {
        return NetworkModel.mix(key + conn * 2 + end) & 0xFFFF_FFFFL;
    }

    /** @return the sequence number of unit {@code unit} of end {@code i}'s stream (mod 2^32). */
    long seq(final int i, final int unit)
    {
        // initialSequence(seed, conn, end), its seed's hash kept
        return (isn(isnKey, table.connection[i >> 1], i & 1) + offset(i, unit)) & 0xFFFF_FFFFL;
    }

    /** @return the stream offset of a unit: SYN at 0, data from 1, the FIN after the data, then one past it. */
    long offset(final int i, final int unit)
    {
        if (unit == 0)
        {
            return 0;
        }
        final int units = units(i);
        if (persistent)
        {
            // the exchange holding the unit: the first whose cumulative units reach it
            int k = 0;
            while (k < limit[i] && exchangeUnits[at(i) + k] < unit)
            {
                k++;
            }
            if (unit <= units)
            {
                return 1 + bytesThrough(i, k) + (long)(unit - unitsThrough(i, k) - 1) * mss;
            }
            return 1 + (units == 0 ? 0 : bytesThrough(i, limit[i])) + (unit - units - 1);
        }
        if (unit <= units)
        {
            return 1 + (long)(unit - 1) * mss;
        }
        return 1 + (units == 0 ? 0 : messageBytes(i)) + (unit - units - 1);
    }

    /** @return the bytes of data unit {@code unit} of end {@code i} carries. */
    int length(final int i, final int unit)
    {
        final int units = units(i);
        if (unit == 0 || unit > units)
        {
            return 0;
        }
        if (persistent)
        {
            int k = 0;
            while (exchangeUnits[at(i) + k] < unit)
            {
                k++;
            }
            final int before = unitsThrough(i, k);
            final int bytes = bytesThrough(i, k + 1) - bytesThrough(i, k);
            return (int)Math.min(mss, bytes - (long)(unit - before - 1) * mss);
        }
        return (int)Math.min(mss, messageBytes(i) - (long)(unit - 1) * mss);
    }
}
