package io.escapement.simulator;

import io.escapement.simulator.report.Counter;
import io.escapement.simulator.report.Report;
import io.escapement.simulator.report.ShardStats;
import io.escapement.simulator.tcp.TcpShard;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongPredicate;

/**
 * Runs a {@link Scenario}: its connections split by client address between {@code threads} share-nothing
 * {@link TcpShard}s, each on a thread of its own with a wheel of its own, then merged into one {@link Report}.
 * Fates, arrival times and sequence numbers are hashes of the seed and the connection number, and a client
 * address's ports belong to one shard, so the counts and histograms do not depend on the number of threads.
 */
public final class Simulation
{
    /** Receives progress: connections arrived so far, of the total, and the slowest shard's virtual time. */
    @FunctionalInterface
    public interface Progress
    {
        void update(long arrived, long total, long virtualUs);
    }

    private static final long SLICE_US = 1_000_000;

    private final Scenario scenario;
    private final int threads;
    private final TcpShard.Tracer tracer;
    private final LongPredicate traced;
    private boolean measureRetainedHeap = true;

    public Simulation(final Scenario scenario, final int threads, final TcpShard.Tracer tracer,
        final LongPredicate traced)
    {
        if (threads < 1 || threads > 256)
        {
            throw new IllegalArgumentException("threads=" + threads + " must be between 1 and 256");
        }
        this.scenario = scenario;
        this.threads = Math.min(threads, scenario.clientAddresses);
        this.tracer = tracer;
        this.traced = traced;
    }

    /**
     * Whether {@link #run} measures the heap the run retains, by a full collection ({@code System.gc()}) after it:
     * on by default. A caller that runs many simulations in one JVM beside other live data (the sweep's Spark
     * executors) turns it off: there the collection costs far more than the run at small sizes (it traces
     * everything the JVM holds), and the figure would count the other data too. Off, the report's retained heap is
     * {@link Report#NOT_MEASURED}.
     *
     * @param measure whether to measure it.
     * @return this simulation.
     */
    public Simulation measureRetainedHeap(final boolean measure)
    {
        this.measureRetainedHeap = measure;
        return this;
    }

    /** Runs to the end; calls {@code progress} (from the calling thread) now and then. */
    public Report run(final Progress progress) throws InterruptedException
    {
        for (final MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans())
        {
            pool.resetPeakUsage();
        }
        if (scenario.network.dropper() instanceof io.escapement.simulator.net.DropRules rules)
        {
            rules.reset(); // the counts are the run's, not those of an earlier run of the same scenario
        }
        final long startNanos = System.nanoTime();
        final List<TcpShard> shards = new ArrayList<>();
        for (int s = 0; s < threads; s++)
        {
            shards.add(new TcpShard(scenario, s, threads, tracer == null ? null : synchronizedTracer(), traced));
        }
        final AtomicLong[] arrived = new AtomicLong[threads];
        final AtomicLong[] virtualUs = new AtomicLong[threads];
        final Throwable[] failure = new Throwable[1];
        final List<Thread> workers = new ArrayList<>();
        for (int s = 0; s < threads; s++)
        {
            final TcpShard shard = shards.get(s);
            final AtomicLong shardArrived = arrived[s] = new AtomicLong();
            final AtomicLong shardTime = virtualUs[s] = new AtomicLong();
            final Thread worker = new Thread(() ->
            {
                try
                {
                    long until = SLICE_US;
                    while (shard.runUntil(until))
                    {
                        shardArrived.set(shard.arrived());
                        shardTime.set(until);
                        until += SLICE_US;
                    }
                    shardArrived.set(shard.arrived());
                    shardTime.set(Long.MAX_VALUE);
                }
                catch (final Throwable t)
                {
                    synchronized (failure)
                    {
                        failure[0] = t;
                    }
                }
            }, "escapement-shard-" + s);
            worker.setDaemon(true);
            workers.add(worker);
            worker.start();
        }
        boolean running = true;
        while (running)
        {
            running = false;
            for (final Thread worker : workers)
            {
                worker.join(200);
                running |= worker.isAlive();
            }
            if (progress != null)
            {
                long sum = 0;
                long slowest = Long.MAX_VALUE;
                for (int s = 0; s < threads; s++)
                {
                    sum += arrived[s].get();
                    slowest = Math.min(slowest, virtualUs[s].get());
                }
                progress.update(sum, scenario.connections, slowest);
            }
        }
        synchronized (failure)
        {
            if (failure[0] != null)
            {
                throw new IllegalStateException("a shard failed: " + failure[0], failure[0]);
            }
        }
        final long wallNanos = System.nanoTime() - startNanos;
        long peakHeap = 0;
        for (final MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans())
        {
            if (pool.getType() == MemoryType.HEAP && pool.getPeakUsage() != null)
            {
                peakHeap += pool.getPeakUsage().getUsed();
            }
        }
        // The shards still hold their structures, sized for the peak: the heap after a full GC is what the peak
        // population cost (plus the JVM's own few megabytes).
        long retained = Report.NOT_MEASURED;
        if (measureRetainedHeap)
        {
            System.gc();
            retained = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
        }
        final List<ShardStats> stats = new ArrayList<>();
        long timersLeft = 0;
        long slotsLeft = 0;
        for (final TcpShard shard : shards)
        {
            stats.add(shard.stats());
            timersLeft += shard.timersLeft();
            slotsLeft += shard.openSlots() + shard.compactedTimeWaits();
        }
        final Report report = Report.merge(scenario, threads, stats, wallNanos, peakHeap, retained, timersLeft,
            slotsLeft);
        if (report.counter(Counter.CONNECTIONS) != scenario.connections)
        {
            throw new IllegalStateException("opened " + report.counter(Counter.CONNECTIONS) + " of " +
                scenario.connections + " connections");
        }
        return report;
    }

    private TcpShard.Tracer synchronizedTracer()
    {
        return line ->
        {
            synchronized (tracer)
            {
                tracer.line(line);
            }
        };
    }
}
