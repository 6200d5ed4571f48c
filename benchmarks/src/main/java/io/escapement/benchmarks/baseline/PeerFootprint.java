package io.escapement.benchmarks.baseline;

import io.escapement.benchmarks.wheel.WheelFootprint;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.lang.ref.Reference;
import java.util.SplittableRandom;

/**
 * Bytes per live timer of every peer, the engine included, measured the same way for all: the used heap after
 * repeated full GCs with N timers armed, minus the same before, minus the adapter's own id-to-handle array (8
 * bytes per timer for a {@code long[]}, 4 for an array of compressed references), divided by N. Timers are armed an
 * hour ahead; the thread-based peers (Netty, the JDK executor, the engine's service) are given a second to move them from their
 * submission queue into their wheel or heap before measuring.
 * <p>
 * Run one peer per JVM: a stopped peer's memory (Netty's, measured) can linger past its {@code close()} and
 * spoil the next peer's baseline.
 * <pre>
 * for impl in escapement agrona netty stpe heap kafka service; do for n in 1000000 10000000; do
 *   java -Xmx12g -XX:+UseParallelGC -cp benchmarks/target/escapement-benchmarks.jar \
 *     io.escapement.benchmarks.baseline.PeerFootprint $n $impl | tail -1; done; done
 * </pre>
 */
public final class PeerFootprint
{
    private static final String[] IMPLS = {"escapement", "agrona", "netty", "stpe", "heap", "kafka", "service"};

    private PeerFootprint()
    {
    }

    /**
     * Measures one peer in a frame of its own, so that nothing of it is still referenced from the caller's stack
     * when the next peer's baseline is taken.
     */
    static double bytesPerTimer(final String impl, final int count, final MemoryMXBean memory)
        throws InterruptedException
    {
        final long before = WheelFootprint.usedHeapAfterGc(memory);
        // the service allocates its slots up front: sized for exactly these timers, as a user would size it
        final TimerAdapter adapter = "service".equals(impl) ? new ServiceAdapter(count, count) :
            TimerAdapter.create(impl, count);
        final SplittableRandom random = new SplittableRandom(42);
        for (int id = 0; id < count; id++)
        {
            adapter.arm(id, TimerPeersBenchmark.HOUR_MS + random.nextInt(1_000, 10_001));
        }
        if (adapter.ownClock())
        {
            Thread.sleep(1_000); // let the worker (the service's driver) move the timers from its submission queue
        }
        final long after = WheelFootprint.usedHeapAfterGc(memory);
        final long handleArrayBytes = (long)count * (impl.equals("escapement") || impl.equals("agrona") || impl.equals("service") ? 8 : 4);
        Reference.reachabilityFence(adapter);
        adapter.close();
        return (after - before - handleArrayBytes) / (double)count;
    }

    public static void main(final String[] args) throws InterruptedException
    {
        final int count = args.length > 0 ? Integer.parseInt(args[0].replace("_", "")) : 1_000_000;
        final MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
        System.out.printf("%-11s %12s %16s%n", "impl", "live timers", "bytes per timer");
        final String[] impls = args.length > 1 ? java.util.Arrays.copyOfRange(args, 1, args.length) : IMPLS;
        for (final String impl : impls)
        {
            System.out.printf("%-11s %12d %16.1f%n", impl, count, bytesPerTimer(impl, count, memory));
        }
    }
}
