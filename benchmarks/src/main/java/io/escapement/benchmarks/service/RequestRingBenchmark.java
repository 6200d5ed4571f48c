package io.escapement.benchmarks.service;

import io.escapement.engine.service.RequestRingProbe;
import org.jctools.queues.MessagePassingQueue;
import org.jctools.queues.MpscArrayQueue;
import org.jctools.queues.MpscChunkedArrayQueue;
import org.jctools.queues.MpscUnboundedXaddArrayQueue;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Control;

import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The timer service's request ring against JCTools' multi-producer queues, on the service's workload: producer
 * threads each send one request (handle, deadline, payload, kind and sequence: 32 bytes) per operation, and one
 * owner thread, started with the trial, drains them in batches and handles each, spinning when there is nothing. A
 * producer that finds the queue full spins until it has room (the owner is behind), so the score is the rate at
 * which requests go through, from one producer ({@link #send1}) or two ({@link #send2}), summed over the producers,
 * in requests per microsecond; with {@code -prof gc}, {@code gc.alloc.rate.norm} is bytes per request (the owner
 * thread's allocation included). The owner checks every request's fields, and the trial fails unless it handled
 * exactly the requests sent, each with the fields its producer wrote.
 * <p>
 * Per request, each {@code impl} does:
 * <ul>
 *   <li>{@code escapement}: the service's ring ({@link RequestRingProbe}, which calls {@code TimerSlots} as the
 *       service does): the producer claims a position (a CAS of the producer index, against a cached bound of the
 *       owner's index), writes the deadline, payload and meta into the entry and publishes it with a release store of
 *       the handle. The owner's drain reads every position claimed so far, the four fields from the entry, clears the
 *       handle, goes past an entry claimed and not yet published, and releases its index every 256 requests and at
 *       the end of the drain.</li>
 *   <li>{@code mpsc-array}: JCTools {@link MpscArrayQueue} of the same capacity, holding references. The producer
 *       writes the four fields into per-slot {@code long} arrays at a slot number of its own (each producer cycles
 *       through twice the capacity's worth of slots, so a slot is never rewritten before the owner has read it),
 *       then {@code offer}s that slot's {@link Integer}, boxed once at setup (a CAS of the producer index, a release
 *       store of the element). The owner's {@code drain(consumer, capacity)} takes each element (a release store of
 *       null and of its index per element), unboxes the slot and reads the four fields from the arrays. It stops at
 *       an element claimed and not yet published.</li>
 *   <li>{@code mpsc-chunked}: JCTools {@link MpscChunkedArrayQueue} with the capacity as its maximum and the chunk
 *       size JCTools chooses for it (1,024 for 16,384), the rest as {@code mpsc-array}. It allocates a chunk each
 *       time the producers fill one.</li>
 *   <li>{@code mpsc-xadd}: JCTools {@link MpscUnboundedXaddArrayQueue} (1,024-element chunks, pooled enough to
 *       hold the capacity: no allocation once warm). Unbounded: the producer reads both indices before each offer
 *       and waits while the capacity's worth of requests is queued, as a service would have to, to bound its memory
 *       and keep back-pressure. The producer claims with an atomic add instead of a CAS loop; the rest as
 *       {@code mpsc-array}.</li>
 * </ul>
 * The owner never parks (as with a busy-spinning Agrona runner; the service's own driver parks instead): while it
 * waits, an empty drain of the service's ring reads the producers' index, a line every claim writes, where JCTools'
 * drain reads only the next element. The trial's setup allocates the per-slot arrays (13 MB for the JCTools variants),
 * which the first iteration's {@code gc.alloc.rate.norm} includes: read it after warm-up.
 * <p>
 * The ring's size is the service's default (16,384 requests, for a capacity of 65,536 timers); {@code -p ringSize}
 * takes powers of two from 1,024 to 65,536. With two producers the owner needs a third core: pin the run on a quiet
 * machine with at least 4. Run, from the repository root, after {@code mvn -B -q package -DskipTests}:
 * <pre>
 * java -jar benchmarks/target/escapement-benchmarks.jar RequestRingBenchmark -prof gc \
 *   -rf json -rff results/&lt;date&gt;-request-ring-&lt;cpu&gt;.json
 * </pre>
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 2, jvmArgsAppend = {"-Xmx2g", "-Xms2g"})
public class RequestRingBenchmark
{
    static final int ESCAPEMENT = 0;
    static final int JCTOOLS = 1;
    static final int JCTOOLS_XADD = 2;
    /** The most producer threads (-t): each has its own range of slots. */
    static final int MAX_PRODUCERS = 8;
    /** A handle's generation, as the service's first timer in a slot has. */
    static final long GENERATION = 1L << 32;
    /** An arm's kind, in the high half of meta, as in the service. */
    static final long KIND_ARM = 1L << 32;
    /** JCTools' unbounded queue: elements per chunk. */
    static final int XADD_CHUNK = 1024;

    /** The queue, the per-slot request fields of the JCTools variants, and the owner thread. */
    @State(Scope.Benchmark)
    public static class Ring
    {
        @Param({"escapement", "mpsc-array", "mpsc-chunked", "mpsc-xadd"})
        String impl;

        @Param({"16384"})
        int ringSize;

        int kind;
        RequestRingProbe probe;
        MessagePassingQueue<Integer> queue;
        MpscUnboundedXaddArrayQueue<Integer> xadd;
        /** Slots per producer (a power of two): twice the ring, see the class comment. */
        int slotsPerProducer;
        long[] handles;
        long[] deadlines;
        long[] payloads;
        long[] metas;
        Integer[] boxes;

        final AtomicInteger producers = new AtomicInteger();
        /**
         * Every producer, whose request counts the trial's teardown adds up: JMH runs it after the last operation of
         * every thread (its threads meet at a barrier before any teardown), not after their own teardowns.
         */
        final Queue<Producer> registered = new ConcurrentLinkedQueue<>();
        Owner owner;
        Thread ownerThread;

        /** Builds the queue and the per-slot arrays, and starts the owner. */
        @Setup(Level.Trial)
        public void setUp()
        {
            slotsPerProducer = 2 * ringSize;
            switch (impl)
            {
                case "escapement":
                    kind = ESCAPEMENT;
                    probe = new RequestRingProbe(ringSize);
                    break;
                case "mpsc-array":
                    kind = JCTOOLS;
                    queue = new MpscArrayQueue<>(ringSize);
                    break;
                case "mpsc-chunked":
                    kind = JCTOOLS;
                    queue = new MpscChunkedArrayQueue<>(ringSize);
                    break;
                case "mpsc-xadd":
                    kind = JCTOOLS_XADD;
                    xadd = new MpscUnboundedXaddArrayQueue<>(XADD_CHUNK, ringSize / XADD_CHUNK + 2);
                    queue = xadd;
                    break;
                default:
                    throw new IllegalArgumentException("unknown impl " + impl);
            }
            if (kind != ESCAPEMENT)
            {
                if (queue.capacity() != MessagePassingQueue.UNBOUNDED_CAPACITY && queue.capacity() != ringSize)
                {
                    throw new IllegalStateException(impl + " has capacity " + queue.capacity() + ", not " + ringSize);
                }
                final int slots = MAX_PRODUCERS * slotsPerProducer;
                handles = new long[slots];
                deadlines = new long[slots];
                payloads = new long[slots];
                metas = new long[slots];
                boxes = new Integer[slots];
                for (int slot = 0; slot < slots; slot++)
                {
                    boxes[slot] = slot; // boxed once: offering it allocates nothing
                }
            }
            owner = new Owner(this);
            ownerThread = new Thread(owner, "request-ring-owner");
            ownerThread.setDaemon(true);
            ownerThread.start();
        }

        /**
         * Lets the owner drain what is left, stops it, and fails the trial unless it handled exactly the requests
         * sent, each with the fields written for it.
         *
         * @throws InterruptedException if interrupted while waiting for the owner.
         */
        @TearDown(Level.Trial)
        public void tearDown() throws InterruptedException
        {
            long expected = 0;
            for (final Producer producer : registered)
            {
                expected += producer.sent;
            }
            final long giveUpAt = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (owner.handled.get() != expected && System.nanoTime() - giveUpAt < 0)
            {
                Thread.sleep(1); // the owner drains what the last iteration left: not measured
            }
            owner.running = false;
            ownerThread.join();
            if (owner.handled.get() != expected || owner.mismatches != 0)
            {
                throw new IllegalStateException(impl + ": sent " + expected + " requests, the owner handled " +
                    owner.handled.get() + ", " + owner.mismatches + " of them with fields other than those written");
            }
        }

        /** @return whether the request was queued; false only if the iteration ended while the queue was full. */
        boolean send(final Producer producer, final Control control)
        {
            // Advanced only once the request is queued: a send given up (the iteration ended while the queue was
            // full, which in JMH's warm-down repeats at once) must leave its slot for the next send, not move on
            // through slots whose requests are still queued.
            final long sequence = producer.sequence;
            final int slot = producer.firstSlot + (int)(sequence & producer.slotMask);
            final long handle = GENERATION | slot;
            final long payload = sequence;
            final long deadlineNs = handle ^ payload; // checked by the owner, with meta
            final long meta = meta(payload);
            if (kind == ESCAPEMENT)
            {
                final RequestRingProbe probe = this.probe;
                long position;
                while ((position = probe.claim()) < 0)
                {
                    if (control.stopMeasurement)
                    {
                        return false;
                    }
                    Thread.onSpinWait();
                }
                probe.publish(position, handle, deadlineNs, payload, meta);
            }
            else
            {
                // The slot is free: its previous request was sent twice the capacity's worth of this producer's
                // requests ago, so the owner has taken it and read its fields (it reads them before taking the next).
                handles[slot] = handle;
                deadlines[slot] = deadlineNs;
                payloads[slot] = payload;
                metas[slot] = meta;
                final Integer box = boxes[slot];
                while ((kind == JCTOOLS_XADD && xadd.currentProducerIndex() - xadd.currentConsumerIndex() >= ringSize) ||
                    !queue.offer(box))
                {
                    if (control.stopMeasurement)
                    {
                        return false;
                    }
                    Thread.onSpinWait();
                }
            }
            producer.sequence = sequence + 1;
            producer.sent++;
            return true;
        }
    }

    static long meta(final long payload)
    {
        return KIND_ARM | (payload & 0xFF_FFFF) << 8;
    }

    /** The owner: drains and handles the requests, spinning when there are none. */
    static final class Owner implements Runnable, RequestRingProbe.Handler, MessagePassingQueue.Consumer<Integer>
    {
        final Ring ring;
        final AtomicLong handled = new AtomicLong();
        volatile boolean running = true;
        long mismatches;
        long checksum;

        Owner(final Ring ring)
        {
            this.ring = ring;
        }

        @Override
        public void run()
        {
            final Ring ring = this.ring;
            final int kind = ring.kind;
            final int limit = ring.ringSize;
            while (running)
            {
                final int drained = kind == ESCAPEMENT ? ring.probe.drain(this) : ring.queue.drain(this, limit);
                if (drained == 0)
                {
                    Thread.onSpinWait();
                }
                else
                {
                    handled.lazySet(handled.get() + drained);
                }
            }
        }

        @Override
        public void onRequest(final long handle, final long deadlineNs, final long payload, final long meta)
        {
            // The same handling for every impl: check the fields, fold them in (the service would file the timer)
            if (deadlineNs != (handle ^ payload) || meta != meta(payload))
            {
                mismatches++;
            }
            checksum += meta;
        }

        @Override
        public void accept(final Integer box)
        {
            final Ring ring = this.ring;
            final int slot = box;
            onRequest(ring.handles[slot], ring.deadlines[slot], ring.payloads[slot], ring.metas[slot]);
        }
    }

    /** A producer's range of slots, its sequence, and the requests it sent. */
    @State(Scope.Thread)
    public static class Producer
    {
        int firstSlot;
        int slotMask;
        long sequence;
        long sent;

        /**
         * Takes the next producer number and its range of slots.
         *
         * @param ring the shared queue.
         */
        @Setup(Level.Trial)
        public void setUp(final Ring ring)
        {
            final int id = ring.producers.getAndIncrement();
            if (id >= MAX_PRODUCERS)
            {
                throw new IllegalStateException("at most " + MAX_PRODUCERS + " producer threads, this is number " +
                    (id + 1));
            }
            firstSlot = id * ring.slotsPerProducer;
            slotMask = ring.slotsPerProducer - 1;
            ring.registered.add(this);
        }
    }

    /**
     * One producer sends one request.
     *
     * @param ring     the queue.
     * @param producer this thread's slots and sequence.
     * @param control  JMH's, to give up waiting for room when the iteration ends.
     * @return whether the request was sent (false only at the end of an iteration, with the queue full).
     */
    @Benchmark
    @Threads(1)
    public boolean send1(final Ring ring, final Producer producer, final Control control)
    {
        return ring.send(producer, control);
    }

    /**
     * Each of two producers sends one request.
     *
     * @param ring     the queue.
     * @param producer this thread's slots and sequence.
     * @param control  JMH's, to give up waiting for room when the iteration ends.
     * @return whether the request was sent.
     */
    @Benchmark
    @Threads(2)
    public boolean send2(final Ring ring, final Producer producer, final Control control)
    {
        return ring.send(producer, control);
    }
}
