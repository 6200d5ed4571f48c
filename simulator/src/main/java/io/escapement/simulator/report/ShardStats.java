package io.escapement.simulator.report;

import org.HdrHistogram.Histogram;

import java.util.Arrays;

/**
 * What one shard measured. Gauges are kept as per-second deltas so that shards merge by addition and the result
 * does not depend on how connections were split between threads: the value at second {@code k} counts the
 * changes strictly before {@code k} seconds of virtual time.
 */
public final class ShardStats
{
    /** Latencies are recorded up to an hour, to 3 significant digits. */
    private static final long HIGHEST_US = 3_600_000_000L;

    public final long[] counters = new long[Counter.values().length];
    public final Histogram handshakeUs = new Histogram(HIGHEST_US, 3);
    public final Histogram completionUs = new Histogram(HIGHEST_US, 3);
    public final Histogram closeUs = new Histogram(HIGHEST_US, 3);
    /** How long a really lost data segment or FIN waited before its first retransmission. */
    public final Histogram recoveryUs = new Histogram(HIGHEST_US, 3);
    /** The same wait divided by the base RTT when it was sent, in thousandths. */
    public final Histogram recoveryPerMilliRtt = new Histogram(HIGHEST_US, 3);
    private int[] openDelta = new int[64];
    private int[] timeWaitDelta = new int[64];
    private long lastEventUs;

    public void add(final Counter counter)
    {
        counters[counter.ordinal()]++;
    }

    public void add(final Counter counter, final long n)
    {
        counters[counter.ordinal()] += n;
    }

    public long get(final Counter counter)
    {
        return counters[counter.ordinal()];
    }

    public static void record(final Histogram histogram, final long us)
    {
        histogram.recordValue(Math.min(Math.max(us, 0), HIGHEST_US));
    }

    /** A connection started (+1) or stopped (-1) holding state, at {@code atUs}. */
    public void openChanged(final long atUs, final int delta)
    {
        openDelta = bump(openDelta, atUs, delta);
    }

    /** A side entered (+1) or left (-1) TIME-WAIT at {@code atUs}. */
    public void timeWaitChanged(final long atUs, final int delta)
    {
        timeWaitDelta = bump(timeWaitDelta, atUs, delta);
    }

    public void lastEvent(final long atUs)
    {
        lastEventUs = Math.max(lastEventUs, atUs);
    }

    public long lastEventUs()
    {
        return lastEventUs;
    }

    int[] openDelta()
    {
        return openDelta;
    }

    int[] timeWaitDelta()
    {
        return timeWaitDelta;
    }

    private static int[] bump(final int[] deltas, final long atUs, final int delta)
    {
        final int second = (int)Math.min(atUs / 1_000_000 + 1, Integer.MAX_VALUE - 8);
        int[] d = deltas;
        if (second >= d.length)
        {
            d = Arrays.copyOf(d, Math.max(second + 1, d.length * 2));
        }
        d[second] += delta;
        return d;
    }
}
