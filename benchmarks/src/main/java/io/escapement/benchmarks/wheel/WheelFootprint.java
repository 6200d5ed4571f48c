package io.escapement.benchmarks.wheel;

import io.escapement.engine.wheel.TimerWheel;
import org.openjdk.jol.info.GraphLayout;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.lang.ref.Reference;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

/**
 * Bytes per live timer of a {@link TimerWheel} holding N timers, measured two ways so that each checks the other:
 * <ul>
 *   <li><b>JOL</b>: {@code GraphLayout.parseInstance(wheel).totalSize()}, the exact size of every object reachable
 *       from the wheel (its record pages, bucket heads, bitmaps, and its {@code TimeUnit}, about 100 bytes);</li>
 *   <li><b>heap</b>: used heap after repeated {@code System.gc()} once the wheel is filled, minus the same before it
 *       was built; this also catches anything JOL cannot see, but moves by a few KiB with whatever else the JVM
 *       allocated meanwhile.</li>
 * </ul>
 * Each wheel is built with the default builder (milliseconds; default initial capacity, so the growth path is what
 * is measured: pages added one at a time, the page table doubled) and filled with N timers armed 1-10 s ahead with
 * random payloads. A record is 28 bytes and pages hold 8,192 records, so expect 28 bytes per timer plus the unused
 * part of the last page (under 0.3 bytes per timer from a million up).
 * <p>
 * Run, from the repository root, after {@code mvn -pl benchmarks package}:
 * <pre>
 * java -Xmx8g -XX:+UseParallelGC -Djdk.attach.allowAttachSelf=true \
 *     -cp benchmarks/target/escapement-benchmarks.jar io.escapement.benchmarks.wheel.WheelFootprint 1000000 10000000
 * </pre>
 * The arguments are the timer counts to measure (default 1000000 and 10000000). {@code allowAttachSelf} lets JOL
 * attach its instrumentation agent to this JVM instead of warning that it falls back to its own estimate; either
 * way the sizes of these plain arrays are exact. ParallelGC makes {@code System.gc()} a full, stop-the-world
 * collection, so the heap figure is of live objects only.
 */
public final class WheelFootprint
{
    static final long SEED = 0x5EED_F007_9E3E_17L;
    static final int LIVE_MIN_MS = 1_000;
    static final int LIVE_MAX_MS = 10_000;
    /** Most {@code System.gc()} calls made to settle the used heap before reading it. */
    static final int MAX_GCS = 8;

    private WheelFootprint()
    {
    }

    /** One measurement: the footprint of a wheel holding {@code liveTimers} timers. */
    public record Footprint(int liveTimers, long jolBytes, long heapBytes)
    {
        public double jolBytesPerTimer()
        {
            return (double)jolBytes / liveTimers;
        }

        public double heapBytesPerTimer()
        {
            return (double)heapBytes / liveTimers;
        }
    }

    public static void main(final String[] args)
    {
        final int[] counts = args.length == 0 ? new int[]{1_000_000, 10_000_000} : parseCounts(args);
        if (counts == null)
        {
            System.err.println("usage: WheelFootprint [liveTimers...]   (each a positive int; default " +
                "1000000 10000000)");
            System.exit(2);
            return;
        }

        System.out.println("# " + System.getProperty("java.vm.name") + " " + System.getProperty("java.vm.version") +
            ", max heap " + (Runtime.getRuntime().maxMemory() >> 20) + " MiB, GC " + gcNames());
        final List<Footprint> footprints = new ArrayList<>();
        for (final int count : counts)
        {
            footprints.add(measure(count));
        }

        System.out.printf(Locale.ROOT, "%12s %15s %12s %15s %12s%n",
            "live timers", "JOL bytes", "JOL B/timer", "heap bytes", "heap B/timer");
        for (final Footprint footprint : footprints)
        {
            System.out.printf(Locale.ROOT, "%12d %15d %12.2f %15d %12.2f%n",
                footprint.liveTimers(), footprint.jolBytes(), footprint.jolBytesPerTimer(),
                footprint.heapBytes(), footprint.heapBytesPerTimer());
        }
    }

    /**
     * Builds a default wheel, fills it with {@code liveTimers} timers and measures it. The heap is read before JOL
     * runs, so JOL's own bookkeeping is not counted.
     *
     * @param liveTimers the number of timers to arm, at least 1.
     * @return both measurements.
     */
    public static Footprint measure(final int liveTimers)
    {
        if (liveTimers < 1)
        {
            throw new IllegalArgumentException("liveTimers must be at least 1, was " + liveTimers);
        }
        final MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
        final SplittableRandom random = new SplittableRandom(SEED);
        final long before = usedHeapAfterGc(memory);

        final TimerWheel wheel = TimerWheel.builder(TimeUnit.MILLISECONDS).build();
        final long now = wheel.currentTime();
        for (int i = 0; i < liveTimers; i++)
        {
            wheel.arm(now + random.nextInt(LIVE_MIN_MS, LIVE_MAX_MS + 1), random.nextLong());
        }
        if (wheel.timerCount() != liveTimers)
        {
            throw new IllegalStateException("armed " + liveTimers + " timers but the wheel holds " +
                wheel.timerCount());
        }

        final long after = usedHeapAfterGc(memory);
        final long jolBytes = GraphLayout.parseInstance(wheel).totalSize();
        Reference.reachabilityFence(wheel); // the wheel must still be live when the heap is read, not just referenced
        return new Footprint(liveTimers, jolBytes, after - before);
    }

    /**
     * @return the used heap once repeated full collections stop shrinking it (or after {@value #MAX_GCS} of them).
     */
    public static long usedHeapAfterGc(final MemoryMXBean memory)
    {
        long used = Long.MAX_VALUE;
        for (int i = 0; i < MAX_GCS; i++)
        {
            System.gc();
            final long now = memory.getHeapMemoryUsage().getUsed();
            if (now >= used)
            {
                return now;
            }
            used = now;
        }
        return used;
    }

    /** @return the counts, or null if any argument is not a positive int. */
    private static int[] parseCounts(final String[] args)
    {
        final int[] counts = new int[args.length];
        for (int i = 0; i < args.length; i++)
        {
            try
            {
                counts[i] = Integer.parseInt(args[i].replace("_", ""));
            }
            catch (final NumberFormatException ex)
            {
                return null;
            }
            if (counts[i] < 1)
            {
                return null;
            }
        }
        return counts;
    }

    private static String gcNames()
    {
        final StringBuilder names = new StringBuilder();
        ManagementFactory.getGarbageCollectorMXBeans().forEach(gc ->
        {
            if (names.length() > 0)
            {
                names.append(" + ");
            }
            names.append(gc.getName());
        });
        return names.toString();
    }
}
