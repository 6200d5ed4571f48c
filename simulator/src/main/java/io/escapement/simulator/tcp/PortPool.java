package io.escapement.simulator.tcp;

import io.escapement.simulator.net.NetworkModel;

/**
 * The ephemeral ports of every client address, each address with a ring of its free ports, handed out oldest-freed
 * first, starting from a per-address offset as Linux's {@code __inet_hash_connect} does. A port is taken at
 * connect() and given back when the connection's 4-tuple is free again (after TIME-WAIT), so a high connection
 * rate from few addresses runs out: {@link #take} answers -1, the EADDRNOTAVAIL of the real call.
 * <p>
 * A ring is allocated the first time its address connects: two bytes per port of the range.
 */
final class PortPool
{
    private final int low;
    private final int size;
    private final long seed;
    private char[][] rings = new char[16][];
    private int[] head = new int[16];
    private int[] free = new int[16];

    PortPool(final int low, final int high, final long seed)
    {
        this.low = low;
        this.size = high - low + 1;
        this.seed = seed;
    }

    /** @return a free port of {@code address}, or -1 if none is free. */
    int take(final int address)
    {
        final char[] ring = ring(address);
        if (free[address] == 0)
        {
            return -1;
        }
        final int at = head[address];
        head[address] = at + 1 == size ? 0 : at + 1;
        free[address]--;
        return ring[at];
    }

    /** Gives back a port that {@link #take} handed out. */
    void give(final int address, final int port)
    {
        final char[] ring = rings[address];
        int tail = head[address] + free[address];
        if (tail >= size)
        {
            tail -= size;
        }
        ring[tail] = (char)port;
        free[address]++;
    }

    /** @return free ports of {@code address}. */
    int free(final int address)
    {
        ring(address);
        return free[address];
    }

    private char[] ring(final int address)
    {
        if (address >= rings.length)
        {
            final int length = Math.max(address + 1, rings.length * 2);
            rings = java.util.Arrays.copyOf(rings, length);
            head = java.util.Arrays.copyOf(head, length);
            free = java.util.Arrays.copyOf(free, length);
        }
        char[] ring = rings[address];
        if (ring == null)
        {
            ring = new char[size];
            final int offset = (int)Long.remainderUnsigned(NetworkModel.mix(seed ^ (0x9047L + address)), size);
            for (int k = 0; k < size; k++)
            {
                ring[k] = (char)(low + (offset + k) % size);
            }
            rings[address] = ring;
            free[address] = size;
        }
        return ring;
    }
}
