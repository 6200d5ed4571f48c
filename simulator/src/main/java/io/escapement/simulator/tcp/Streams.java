package io.escapement.simulator.tcp;

import io.escapement.simulator.Scenario;
import io.escapement.simulator.SizeDistribution;
import io.escapement.simulator.net.NetworkModel;

import static io.escapement.simulator.tcp.ConnectionTable.CLIENT;
import static io.escapement.simulator.tcp.ConnectionTable.SERVER;

/**
 * Each direction's byte stream, counted in <i>units</i>: unit 0 is the SYN, units {@code 1..M} the data segments,
 * unit {@code M+1} the FIN. Sequence numbers follow from the connection's initial sequence number (a hash of the
 * seed) and the segment sizes, so a packet in flight needs only its unit.
 */
final class Streams
{
    private final long seed;
    private final int mss;
    private final ConnectionTable table;
    private final int[] messageUnits = new int[2];  // data segments each end sends: request, response
    private final int[] messageBytes = new int[2];
    // sizes drawn per connection, when either side's is not constant: per end (slot << 1 | end)
    private final SizeDistribution[] sizes;
    private final boolean drawn;
    private int[] drawnBytes;
    private byte[] drawnUnits;

    Streams(final Scenario scenario, final ConnectionTable table)
    {
        this.seed = scenario.seed;
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
    }

    void grow(final int capacity)
    {
        if (drawn)
        {
            drawnBytes = java.util.Arrays.copyOf(drawnBytes, capacity * 2);
            drawnUnits = java.util.Arrays.copyOf(drawnUnits, capacity * 2);
        }
    }

    /** Connection {@code conn} takes slot {@code c}: its messages' sizes are drawn. */
    void connect(final int c, final long conn)
    {
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
        return (table.word[i] & ConnectionTable.WROTE_NOTHING) != 0 ? 0 : messageUnits(i);
    }

    /** @return the unit of end {@code i}'s FIN. */
    int finUnit(final int i)
    {
        return units(i) + 1;
    }

    /** @return the initial sequence number of end {@code end} of connection {@code conn}: a hash of the seed. */
    static long initialSequence(final long seed, final long conn, final int end)
    {
        return NetworkModel.mix(NetworkModel.mix(seed ^ 0x15E) + conn * 2 + end) & 0xFFFF_FFFFL;
    }

    /** @return the sequence number of unit {@code unit} of end {@code i}'s stream (mod 2^32). */
    long seq(final int i, final int unit)
    {
        return (initialSequence(seed, table.connection[i >> 1], i & 1) + offset(i, unit)) & 0xFFFF_FFFFL;
    }

    /** @return the stream offset of a unit: SYN at 0, data from 1, the FIN after the data, then one past it. */
    long offset(final int i, final int unit)
    {
        if (unit == 0)
        {
            return 0;
        }
        final int units = units(i);
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
        return (int)Math.min(mss, messageBytes(i) - (long)(unit - 1) * mss);
    }
}
