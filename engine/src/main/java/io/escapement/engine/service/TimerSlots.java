package io.escapement.engine.service;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * The shared tables of a {@link TimerService}: a state word per slot that decides every race on that timer with one
 * CAS, a ring of free slot numbers, and a bounded ring of requests from any thread to the owner. The timer's deadline
 * and payload live in the owner's wheel, which is addressed by the same slot numbers: a slot costs 12 bytes here
 * (state word, free ring entry; up to 16 when the capacity is not a power of two) and the wheel's 31 or so (at
 * most 32), and the request ring a fixed size whatever the capacity.
 *
 * <h2>The state word</h2>
 * A {@code long} per slot: {@code generation << 32 | sequence << 8 | QUEUED | status}.
 * <ul>
 *   <li><b>generation</b> (31 bits, 1 to 2<sup>31</sup>-1): the generation of the timer now in the slot. A handle
 *       is {@code generation << 32 | slot}, so a handle is never 0 and a stale handle (of a timer that fired or
 *       was cancelled, whose slot was freed and perhaps reused) never matches: the thread that takes a free slot
 *       bumps its generation.</li>
 *   <li><b>sequence</b> (24 bits): the number of the latest request made for this timer. Every request carries the
 *       sequence its CAS wrote; the owner acts only on the request whose sequence the word still holds, so of two
 *       re-arms racing, the one whose CAS came last sets the deadline, whatever order their requests reach the
 *       owner in. A request can be overtaken by at most a ring's worth (2<sup>16</sup>) of others, far fewer than
 *       the 2<sup>24</sup> it would take for a sequence to come round again.</li>
 *   <li><b>status</b> (3 bits): {@link #FREE}, {@link #ARMED}, {@link #FIRING}, {@link #CANCELLED},
 *       {@link #CLOSED}, {@link #RUNNING}. ARMED is left by a race: by the owner to FIRING (or RUNNING, for a
 *       periodic timer), by {@code cancel} to CANCELLED, by {@code close} to CLOSED; so is RUNNING: by the owner back
 *       to ARMED after the run, by {@code cancel} to CANCELLED, by {@code close} to CLOSED. Each is a CAS from the
 *       exact word read, so exactly one wins and the loser sees the winner's status.</li>
 *   <li><b>{@link #QUEUED}</b>: the request with the word's sequence has not been handled yet. Set by the CAS that
 *       makes a request, cleared by the owner when it handles it. The owner fires a timer only by a CAS from
 *       {@code ARMED} without the flag: a cancel or re-arm that got in first always wins.</li>
 * </ul>
 *
 * <h2>Free slots: a ring the owner fills and arming threads empty</h2>
 * Free slot numbers wait in an {@code int} ring, the capacity rounded up to a power of two. The owner, alone, writes
 * each slot it frees at the next position (a release store: the slot is free for others at once); an arming thread
 * takes the slot at position {@code taken} with one CAS of {@code taken}. No more slots than the capacity are ever
 * free, so the owner never overwrites an entry not yet taken, and a taker that lost the CAS retries (the 64-bit
 * positions never repeat, so there is no ABA). An entry carries the parity of its lap around the ring beside the
 * slot number, so a taker tells an entry written for its position from one a lap old (position not yet written:
 * nothing free) without reading a shared "written so far" index, which the owner would have to write on every free.
 * {@code taken} also gives {@code pending}: slots taken minus slots freed.
 *
 * <h2>Requests: a bounded multi-producer ring</h2>
 * A request is 32 bytes: the handle, the deadline, the payload and the sequence with the kind of request. A producer
 * claims a position with one CAS of the producer index (checked against a cached bound of the consumer's, as in
 * JCTools' {@code MpscArrayQueue}), writes the entry, and publishes it by a release store of the handle, which is 0
 * in an empty entry. The owner reads the entries claimed so far in order, clears each handle and then releases its
 * consumer index. Unlike JCTools' queue, it does not stop at an entry claimed and not yet published (a producer
 * between its claim and its store, perhaps descheduled): it handles the published ones behind it, marking them
 * {@link #HANDLED}, and hands positions back only up to the gap. So a stalled producer delays only its own request
 * (and, once the ring is full, the producers behind it), never the requests of threads that have returned. The owner
 * reads requests sequentially, and the records they name are the wheel's own, not lines another core wrote.
 * <p>
 * <b>Why not JCTools.</b> Measured against JCTools 4.0.7's {@code MpscArrayQueue}, {@code MpscChunkedArrayQueue} and
 * {@code MpscUnboundedXaddArrayQueue} carrying the same requests (a boxed slot number per request, the fields in
 * per-slot arrays; {@code RequestRingBenchmark}, results/2026-12-07-adapters/request-ring.json, 2 forks, 2-vCPU
 * machine, nothing else running), in requests per microsecond, one producer: this ring 23.9 +-13.3,
 * MpscArrayQueue 29.7 +-7.3, chunked 20.7 +-2.0, xadd 10.6 +-3.9; two producers: 14.5 +-2.0, 18.5 +-7.7, 16.2 +-11.2,
 * 7.7 +-1.4. The ring does not win: JCTools' bounded array queue is about a quarter ahead on average, inside
 * overlapping error bars. It is kept for its semantics: every JCTools MPSC queue stops at a claimed but
 * unpublished element, so a
 * producer descheduled between its claim and its store (on a 2-core machine, for a whole time slice) would hold back
 * every request behind it, and a timer armed by another thread to fire within that slice would fire late by it.
 * Here it delays only its own request. {@code RequestRingProbeTest} fails if the drain stops at the gap.
 *
 * <h2>Generations are bumped by the arming thread</h2>
 * A retired slot keeps its last state word (the cancelled timer's generation, CANCELLED); a fired one says FREE with
 * its timer's generation. Either way no handle of the old timer is obeyed (its status is not ARMED), and the thread
 * that takes the slot next publishes the next generation with it. So a stale handle, or a stale request, never
 * matches a new timer.
 *
 * <h2>Memory ordering</h2>
 * A request's fields are written before the release store of its handle and read after the acquire load of it. A
 * slot's task reference is written by the arming thread before its volatile write of the state word and read by the
 * owner after a volatile read of it. A freed slot's number is published by the release store of its ring entry and
 * read after the acquire load of it. The shared indices sit on cache lines of their own.
 */
final class TimerSlots
{
    static final int NIL = -1;

    static final long STATUS_MASK = 0b111;
    static final long FREE = 0;
    static final long ARMED = 1;
    static final long FIRING = 2;
    static final long CANCELLED = 3;
    static final long CLOSED = 4;
    /**
     * A periodic timer whose callback the owner runs now: like FIRING, but it will run again, so a cancel still wins
     * it (a CAS to CANCELLED: no later run) and the close takes it as pending. Left by the owner only, after the
     * callback: back to ARMED (filed at its next deadline), or the cancel's or close's status is acted on.
     */
    static final long RUNNING = 5;
    static final long QUEUED = 1 << 3;
    static final int SEQUENCE_SHIFT = 8;
    static final long SEQUENCE_MASK = 0xFF_FFFFL << SEQUENCE_SHIFT;
    static final long GENERATION_MASK = 0xFFFF_FFFF_0000_0000L;
    static final long SLOT_MASK = 0xFFFF_FFFFL;

    /** Request kinds, in the high half of an entry's META. Only an arm carries a payload. */
    static final long KIND_ARM = 1;
    static final long KIND_REARM = 2;
    static final long KIND_CANCEL = 3;
    /** The handle of an entry that asks for nothing: its producer claimed it and then had nothing to ask. */
    static final long NOP = -1L;
    /** The handle of an entry not yet written. */
    static final long EMPTY = 0;
    /**
     * The handle the owner leaves in an entry it handled behind one not yet published: the entry cannot be handed
     * back before the one in front of it, and must not be handled twice.
     */
    static final long HANDLED = -2L;

    /** The most requests the ring holds; see {@link #requestRingSize}. */
    static final int MAX_REQUEST_RING = 1 << 16;
    static final int MIN_REQUEST_RING = 1 << 10;

    /** Every {@code long[]} here: state words, shared indices, request entries. */
    private static final VarHandle LONGS = MethodHandles.arrayElementVarHandle(long[].class);
    private static final VarHandle RING = MethodHandles.arrayElementVarHandle(int[].class);
    private static final VarHandle TASKS;
    private static final VarHandle PERIODS;

    static
    {
        try
        {
            TASKS = MethodHandles.lookup().findVarHandle(TimerSlots.class, "tasks", Runnable[].class);
            PERIODS = MethodHandles.lookup().findVarHandle(TimerSlots.class, "periods", long[].class);
        }
        catch (final ReflectiveOperationException e)
        {
            throw new ExceptionInInitializerError(e);
        }
    }

    /** Longs per request entry, and the place of each field in it. */
    private static final int ENTRY_SHIFT = 2;
    private static final int HANDLE_AT = 0;
    private static final int DEADLINE_AT = 1;
    private static final int PAYLOAD_AT = 2;
    private static final int META_AT = 3;

    /** Longs between the shared indices and around them: 128 bytes, two cache lines (adjacent-line prefetch). */
    private static final int PAD = 16;
    /** The next free-ring position an arming thread takes: a CAS by any arming thread. */
    private static final int FREE_TAKEN = PAD;
    /** The next request position a producer claims (a CAS), and beside it the producers' cached bound. */
    private static final int REQUEST_CLAIMED = 2 * PAD;
    private static final int REQUEST_LIMIT = REQUEST_CLAIMED + 1;
    /** The next request position the owner reads: written by the owner (release), read by producers when full. */
    private static final int REQUEST_CONSUMED = 3 * PAD;
    /**
     * Owner only, a plain cell: the ring position the owner writes the next slot it frees at. Apart from the cells
     * arming threads use, as it changes on every free.
     */
    private static final int FREE_ADDING = 4 * PAD;
    /** A ring entry: the lap's parity in the top bit, the slot number (below 2^30) in the others. */
    private static final int LAP_BIT = 1 << 31;

    final int capacity;
    /** One state word per slot, accessed only through {@link #LONGS}. */
    private final long[] states;
    /** The task of each timer armed with a {@link Runnable}; created by the first such arm (4 bytes a slot). */
    private volatile Runnable[] tasks;
    /** The period of each periodic timer in ns, 0 for one-shot; created by the first periodic arm (8 bytes a slot). */
    private volatile long[] periods;
    /** Free slot numbers, tagged with their lap's parity, at positions taken onwards, modulo the ring's size. */
    private final int[] freeRing;
    private final int ringMask;
    private final int ringShift;
    /** Request entries, {@code 1 << ENTRY_SHIFT} longs each. */
    private final long[] requests;
    private final int requestMask;
    private final long[] heads = new long[5 * PAD];

    TimerSlots(final int capacity, final int requestRingSize)
    {
        this.capacity = capacity;
        states = new long[capacity];
        final int ringSize = Integer.highestOneBit(capacity) == capacity ? capacity : Integer.highestOneBit(capacity) << 1;
        freeRing = new int[ringSize];
        ringMask = ringSize - 1;
        ringShift = Integer.numberOfTrailingZeros(ringSize);
        for (int slot = 0; slot < capacity; slot++)
        {
            states[slot] = 1L << 32 | FREE;
            freeRing[slot] = slot; // lap 0, parity 0
        }
        for (int position = capacity; position < ringSize; position++)
        {
            freeRing[position] = LAP_BIT; // "written a lap before lap 0": not yet written
        }
        requests = new long[requestRingSize << ENTRY_SHIFT];
        requestMask = requestRingSize - 1;
        heads[FREE_ADDING] = capacity;
        heads[REQUEST_LIMIT] = requestRingSize;
    }

    /**
     * @return the request ring's size for a service that wakes its driver every {@code wakeAfterRequests} requests:
     * room for four such batches, a power of two from 1,024 to 65,536 (32 bytes an entry: at most 2 MiB).
     */
    static int requestRingSize(final int wakeAfterRequests)
    {
        final long wanted = Math.max(MIN_REQUEST_RING, Math.min(MAX_REQUEST_RING, 4L * wakeAfterRequests));
        return Integer.highestOneBit((int)wanted - 1) << 1;
    }

    static long handle(final long state, final int slot)
    {
        return (state & GENERATION_MASK) | slot;
    }

    static long status(final long state)
    {
        return state & STATUS_MASK;
    }

    /** @return the generation (still shifted) of the next timer in a slot whose word is {@code state}: 1 after 2^31-1. */
    static long nextGeneration(final long state)
    {
        final long generation = state >>> 32;
        return (generation == Integer.MAX_VALUE ? 1L : generation + 1) << 32;
    }

    /** @return {@code state} with the next sequence number and QUEUED: the word of a new request. */
    static long nextRequest(final long state)
    {
        final long sequence = (state + (1L << SEQUENCE_SHIFT)) & SEQUENCE_MASK;
        return (state & ~SEQUENCE_MASK) | sequence | QUEUED;
    }

    /** @return the slot a handle names, or NIL if it cannot name one (wrong range, generation not positive). */
    int slotOf(final long handle)
    {
        final long slot = handle & SLOT_MASK;
        final long generation = handle >>> 32;
        return slot < capacity && generation > 0 && generation <= Integer.MAX_VALUE ? (int)slot : NIL;
    }

    long state(final int slot)
    {
        return (long)LONGS.getVolatile(states, slot);
    }

    boolean casState(final int slot, final long expected, final long value)
    {
        return LONGS.compareAndSet(states, slot, expected, value);
    }

    /** A volatile write: ordered before every later volatile read of the writing thread (see TimerService.arm). */
    void setStateVolatile(final int slot, final long value)
    {
        LONGS.setVolatile(states, slot, value);
    }

    /** A release store: whoever reads the word afterwards sees what the writer did before. */
    void setStateRelease(final int slot, final long value)
    {
        LONGS.setRelease(states, slot, value);
    }

    /** @return the slot's task, or null. Read after a volatile read of the slot's word. */
    Runnable task(final int slot)
    {
        final Runnable[] tasks = this.tasks;
        return tasks == null ? null : tasks[slot];
    }

    /** Any thread: creates the task table if no Runnable timer was armed yet (4 bytes a slot, once). */
    void ensureTasks()
    {
        if (tasks == null)
        {
            TASKS.compareAndSet(this, null, new Runnable[capacity]);
        }
    }

    /** The thread that holds the slot, after {@link #ensureTasks}: the arming thread before publishing its word. */
    void task(final int slot, final Runnable task)
    {
        tasks[slot] = task;
    }

    /** Owner only: drops the reference of a fired or retired timer, writing the line only when there is one. */
    void clearTask(final int slot)
    {
        final Runnable[] tasks = this.tasks;
        if (tasks != null && tasks[slot] != null)
        {
            tasks[slot] = null;
        }
    }

    /** Any thread: creates the period table if no periodic timer was armed yet (8 bytes a slot, once). */
    void ensurePeriods()
    {
        if (periods == null)
        {
            PERIODS.compareAndSet(this, null, new long[capacity]);
        }
    }

    /** The thread that holds the slot, after {@link #ensurePeriods}: the arming thread before publishing its word. */
    void period(final int slot, final long periodNs)
    {
        periods[slot] = periodNs;
    }

    /** @return the slot's period in ns, 0 for a one-shot timer. Read after a volatile read of the slot's word. */
    long period(final int slot)
    {
        final long[] periods = this.periods;
        return periods == null ? 0 : periods[slot];
    }

    /** Owner only: a retired periodic timer's slot goes back to one-shot, writing the line only when needed. */
    void clearPeriod(final int slot)
    {
        final long[] periods = this.periods;
        if (periods != null && periods[slot] != 0)
        {
            periods[slot] = 0;
        }
    }

    // ------------------------------------------------------------------------------------------ free ring

    /**
     * Any thread. @return whether a slot was free at some moment during the call (another thread may take it at once).
     * <p>
     * An entry whose lap tag is not its position's was either written a lap before (the position is not written yet:
     * nothing free) or a lap after: between the read of {@code taken} and that of the entry, other threads took the
     * position and the ones after it, and the owner, which keeps up to the capacity of slots free, freed enough to
     * write the position again. With few timers held that takes only a few arms and frees (the owner writes position
     * {@code p + ringSize} once about {@code held + 1} slots after {@code p} were taken), so "nothing free" may be
     * answered only once {@code taken} is read unchanged after the entry, as {@link #allocate} does. (Answering from
     * the stale read was issue 14's spurious {@link TimerServiceFullException}: a service holding 4 timers out of
     * 65,536 claimed to be full a few times per 8 million arms.) The entry, read with acquire after the owner's
     * release, comes after the takes of every slot the owner freed before it; so if it was written a lap after,
     * the second read of {@code taken} sees it moved.
     */
    boolean hasFreeSlot()
    {
        long taken = (long)LONGS.getVolatile(heads, FREE_TAKEN);
        while (true)
        {
            if (((int)RING.getAcquire(freeRing, (int)taken & ringMask) & LAP_BIT) == lapBit(taken))
            {
                return true;
            }
            final long now = (long)LONGS.getVolatile(heads, FREE_TAKEN);
            if (now == taken)
            {
                return false;
            }
            taken = now;
        }
    }

    /**
     * Any thread. @return a free slot, now held by the caller (its word is still the old timer's), or NIL if none is
     * free. Lock-free: one CAS, retried only when another arming thread took the same position first.
     */
    int allocate()
    {
        final long[] heads = this.heads;
        long taken = (long)LONGS.getVolatile(heads, FREE_TAKEN);
        while (true)
        {
            // Acquire: the owner wrote everything of the slot before its release store of the entry.
            final int entry = (int)RING.getAcquire(freeRing, (int)taken & ringMask);
            if ((entry & LAP_BIT) == lapBit(taken))
            {
                // Written for this position: the entry cannot change while `taken` still names it (the owner writes
                // it again only a lap later, after it was taken). If another thread took it first, the CAS fails.
                if (LONGS.compareAndSet(heads, FREE_TAKEN, taken, taken + 1))
                {
                    return entry & ~LAP_BIT;
                }
                taken = (long)LONGS.getVolatile(heads, FREE_TAKEN);
            }
            else
            {
                // A lap old: the owner has not written this position yet, so nothing is free, unless `taken` moved
                // on meanwhile (then this read was of a stale position: look again).
                final long now = (long)LONGS.getVolatile(heads, FREE_TAKEN);
                if (now == taken)
                {
                    return NIL;
                }
                taken = now;
            }
        }
    }

    private int lapBit(final long position)
    {
        return (int)(position >>> ringShift) << 31;
    }

    /**
     * Owner only. Frees a slot the owner holds, whose timer fired or was retired: arming threads can take it as soon
     * as this returns. Writes nothing into the slot's word; one release store of its ring entry.
     */
    void free(final int slot)
    {
        final long[] heads = this.heads;
        final long position = heads[FREE_ADDING];
        RING.setRelease(freeRing, (int)position & ringMask, lapBit(position) | slot);
        heads[FREE_ADDING] = position + 1;
    }

    /** @return the number of slots ever taken, modulo 2^32. */
    int allocations()
    {
        return (int)(long)LONGS.getVolatile(heads, FREE_TAKEN);
    }

    // ------------------------------------------------------------------------------------------ request ring

    /**
     * Any thread. Claims the next request position; the caller must then {@link #publish} it (a request, or
     * {@link #NOP}). Lock-free: one CAS, retried when another producer claimed the same position first.
     *
     * @return the position, or -1 if the ring is full (the owner is a ring's worth of requests behind).
     */
    long claimRequest()
    {
        final long[] heads = this.heads;
        long claimed = (long)LONGS.getVolatile(heads, REQUEST_CLAIMED);
        while (true)
        {
            // The cached bound is read and written as JCTools does (volatile read, release store): a producer that
            // claims under another's bound still reads an index the owner released after clearing the entries.
            if (claimed >= (long)LONGS.getVolatile(heads, REQUEST_LIMIT))
            {
                // The cached bound is reached: read the owner's index (a line it writes) only now, once a lap.
                final long limit = (long)LONGS.getVolatile(heads, REQUEST_CONSUMED) + requestMask + 1;
                if (claimed >= limit)
                {
                    final long now = (long)LONGS.getVolatile(heads, REQUEST_CLAIMED);
                    if (now == claimed)
                    {
                        return -1;
                    }
                    claimed = now;
                    continue;
                }
                LONGS.setRelease(heads, REQUEST_LIMIT, limit);
            }
            if (LONGS.compareAndSet(heads, REQUEST_CLAIMED, claimed, claimed + 1))
            {
                return claimed;
            }
            claimed = (long)LONGS.getVolatile(heads, REQUEST_CLAIMED);
        }
    }

    /**
     * The claiming thread only. Writes and publishes the request at {@code position}.
     *
     * @param handle the timer's handle, or {@link #NOP}.
     * @param meta   {@code kind << 32 | sequence << 8}: the sequence the request's CAS wrote into the word.
     */
    void publish(final long position, final long handle, final long deadlineNs, final long payload, final long meta)
    {
        final long[] requests = this.requests;
        final int at = ((int)position & requestMask) << ENTRY_SHIFT;
        requests[at + DEADLINE_AT] = deadlineNs;
        requests[at + PAYLOAD_AT] = payload;
        requests[at + META_AT] = meta;
        LONGS.setRelease(requests, at + HANDLE_AT, handle);
    }

    /** @return the position up to which requests have been claimed: a volatile read. */
    long requestsClaimed()
    {
        return (long)LONGS.getVolatile(heads, REQUEST_CLAIMED);
    }

    /** Owner only. @return the next position the owner reads. */
    long requestsConsumed()
    {
        return heads[REQUEST_CONSUMED];
    }

    /** Owner only. @return the handle of the request at {@code position}: 0 while not yet published. */
    long requestHandle(final long position)
    {
        return (long)LONGS.getAcquire(requests, ((int)position & requestMask) << ENTRY_SHIFT);
    }

    /** Owner only, after {@link #requestHandle} returned a published entry. */
    long requestDeadline(final long position)
    {
        return requests[(((int)position & requestMask) << ENTRY_SHIFT) + DEADLINE_AT];
    }

    long requestPayload(final long position)
    {
        return requests[(((int)position & requestMask) << ENTRY_SHIFT) + PAYLOAD_AT];
    }

    long requestMeta(final long position)
    {
        return requests[(((int)position & requestMask) << ENTRY_SHIFT) + META_AT];
    }

    /** Owner only: empties the entry at {@code position} once read (a plain store, released with the index). */
    void clearRequest(final long position)
    {
        requests[((int)position & requestMask) << ENTRY_SHIFT] = EMPTY;
    }

    /** Owner only: marks the entry at {@code position}, behind one not yet published, as handled. */
    void markHandled(final long position)
    {
        requests[((int)position & requestMask) << ENTRY_SHIFT] = HANDLED;
    }

    /**
     * Owner only. Hands the entries before {@code position} back to the producers: a release store of the consumer
     * index, after the entries' clears.
     */
    void releaseRequestsBefore(final long position)
    {
        LONGS.setRelease(heads, REQUEST_CONSUMED, position);
    }

    /** @return the number of request positions: the most requests that wait at once. */
    int requestRingSize()
    {
        return requestMask + 1;
    }
}
