package io.escapement.engine.service;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * The slot table of a {@link TimerService}: one slot per timer, a state word per slot that decides every race on
 * that timer with one CAS, a ring of free slot numbers, and an intrusive lock-free stack of the slots with a request
 * for the owner. Fixed capacity, allocated up front: 48 bytes a slot (up to 52 when the capacity is not a power of two).
 *
 * <h2>Layout</h2>
 * A slot is a 32-byte record in one {@code long[]}: state word, deadline, payload, stack link. Arming a timer
 * touches that one record (two slots a cache line), not one line in each of four arrays: the records are written
 * by the arming thread and by the owner in turn, so every separate line would be another transfer between cores.
 * The {@link Runnable} of a timer armed with one lives apart (written only when there is one), and so does the
 * owner's handle of the wheel entry, which no other thread reads.
 *
 * <h2>The state word</h2>
 * A {@code long} per slot: {@code generation << 32 | flags | status}.
 * <ul>
 *   <li><b>generation</b> (31 bits, 1 to 2<sup>31</sup>-1): the generation of the timer now in the slot. A handle
 *       is {@code generation << 32 | slot}, so a handle is never 0 and a stale handle (of a timer that fired or
 *       was cancelled, whose slot was freed and perhaps reused) never matches: the thread that takes a free slot
 *       bumps its generation.</li>
 *   <li><b>status</b> (3 bits): {@link #FREE}, {@link #ARMED}, {@link #FIRING}, {@link #CANCELLED},
 *       {@link #CLOSED}. ARMED is the only status that can be left by a race: by the owner to FIRING, by
 *       {@code cancel} to CANCELLED, by {@code close} to CLOSED. Each is a CAS from the exact word read, so exactly one
 *       wins and the loser sees the winner's status.</li>
 *   <li><b>{@link #QUEUED}</b>: the slot is in the request stack (or taken from it and not yet looked at). Set by the
 *       CAS that makes a request, cleared by the owner when it looks at the slot (a cancelled timer's slot keeps it:
 *       the owner retires it without writing its word, and nothing reads the flag of a status other than ARMED). A request is pushed only by the CAS
 *       that sets the flag, so a slot is in the stack at most once and the stack can never overflow.</li>
 *   <li><b>{@link #WRITING}</b>: a re-arm holds the slot's deadline cell and is writing a new deadline. The owner
 *       neither fires the timer nor reads the deadline while it is set, and does not free the slot: the re-arm
 *       clears it with the CAS that also queues the slot.</li>
 * </ul>
 * The owner fires a timer only by a CAS from exactly {@code generation | ARMED}: no request pending, no re-arm in
 * progress. So a cancel or re-arm that got in first (and whose request the owner has not seen yet) always wins.
 *
 * <h2>Memory ordering</h2>
 * A slot's plain cells (deadline, payload, task, link) are written by the one thread that holds the slot at the
 * time and published by a volatile write or CAS of the state word, of the request stack's head, or (for a freed
 * slot) by the release store of its ring entry; the reader reads them after a volatile read or CAS of the same word,
 * or the acquire read of the same entry. Holding the slot means: the arming thread between taking the slot (CAS of
 * the ring's {@code taken}) and publishing it as ARMED; a re-arm while WRITING is set; the owner otherwise.
 *
 * <h2>Free slots: a ring the owner fills and arming threads empty</h2>
 * Free slot numbers wait in an {@code int} ring, the capacity rounded up to a power of two. The owner, alone, writes
 * each slot it frees at the next position (a release store: the slot is free for others at once); an arming thread
 * takes the slot at position {@code taken} with one CAS of {@code taken}. No more slots than the capacity are ever
 * free, so the owner never overwrites an entry not yet taken, and a taker that lost the CAS retries (the 64-bit
 * positions never repeat, so there is no ABA). An entry carries the parity of its lap around the ring beside the
 * slot number, so a taker tells an entry written for its position from one a lap old (position not yet written:
 * nothing free) without reading a shared "written so far" index, which the owner would have to write on every free.
 * The ring, not the records, carries a freed slot back to the arming threads: retiring a cancelled timer writes
 * nothing into its record, so the record's cache line travels from the arming core to the owner's and need not come
 * back (16 freed slots share one line of the ring). {@code taken} also gives {@code pending}: slots taken minus
 * slots freed.
 *
 * <h2>Generations are bumped by the arming thread</h2>
 * A retired slot keeps its last state word (the cancelled timer's generation, CANCELLED); a fired one says FREE with
 * its timer's generation. Either way no handle of the old timer is obeyed (its status is not ARMED), and the thread
 * that takes the slot next publishes the next generation with it. So a stale handle never matches a new timer.
 *
 * <h2>The request stack</h2>
 * A Treiber stack of slot indices linked through the records, pushed by any thread and taken whole by the owner with
 * one {@code getAndSet}, so no pop races a push and no ABA arises. The head is {@code count << 32 | slot}; the count
 * tells the pushing thread how many requests wait, which lets it wake a sleeping driver once a backlog builds up.
 * Requests come out in LIFO order, which does not matter: a request only says "look at this slot again", and the
 * owner acts on the slot's current state word. The head and the ring's two indices sit on cache lines of their own.
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
    static final long QUEUED = 1 << 3;
    static final long WRITING = 1 << 4;
    static final long GENERATION_MASK = 0xFFFF_FFFF_0000_0000L;
    static final long SLOT_MASK = 0xFFFF_FFFFL;

    static final VarHandle STATE = MethodHandles.arrayElementVarHandle(long[].class);
    private static final VarHandle HEAD = MethodHandles.arrayElementVarHandle(long[].class);

    /** Longs per record, and the place of each field in it. */
    private static final int RECORD_SHIFT = 2;
    private static final int STATE_AT = 0;
    private static final int DEADLINE_AT = 1;
    private static final int PAYLOAD_AT = 2;
    private static final int LINK_AT = 3;

    /** Longs between the shared indices and around them: 128 bytes, two cache lines (adjacent-line prefetch). */
    private static final int PAD = 16;
    /** The next ring position an arming thread takes: a CAS by any arming thread. */
    private static final int FREE_TAKEN = PAD;
    private static final int REQUEST_HEAD = 2 * PAD;
    /**
     * Owner only, a plain cell: the ring position the owner writes the next slot it frees at. Apart from the cells
     * arming threads use, as it changes on every free.
     */
    private static final int FREE_ADDING = 3 * PAD;
    /** A ring entry: the lap's parity in the top bit, the slot number (below 2^30) in the others. */
    private static final int LAP_BIT = 1 << 31;
    private static final VarHandle RING = MethodHandles.arrayElementVarHandle(int[].class);
    /** An empty request stack: count 0, no slot. */
    private static final long NO_REQUESTS = NIL & SLOT_MASK;

    final int capacity;
    /** One record per slot: state word (accessed only through {@link #STATE}), deadline, payload, link. */
    private final long[] records;
    /** The task of a timer armed with a {@link Runnable}, else null. */
    final Runnable[] tasks;
    /** The owner's handle of the timer's entry in the wheel, or 0 when it has none. Owner only. */
    final long[] wheelHandles;
    /** Free slot numbers, tagged with their lap's parity, at positions taken onwards, modulo the ring's size. */
    private final int[] freeRing;
    private final int ringMask;
    private final int ringShift;
    private final long[] heads = new long[4 * PAD];

    TimerSlots(final int capacity)
    {
        this.capacity = capacity;
        records = new long[capacity << RECORD_SHIFT];
        tasks = new Runnable[capacity];
        wheelHandles = new long[capacity];
        final int ringSize = Integer.highestOneBit(capacity) == capacity ? capacity : Integer.highestOneBit(capacity) << 1;
        freeRing = new int[ringSize];
        ringMask = ringSize - 1;
        ringShift = Integer.numberOfTrailingZeros(ringSize);
        for (int slot = 0; slot < capacity; slot++)
        {
            records[(slot << RECORD_SHIFT) + STATE_AT] = 1L << 32 | FREE;
            freeRing[slot] = slot; // lap 0, parity 0
        }
        for (int position = capacity; position < ringSize; position++)
        {
            freeRing[position] = LAP_BIT; // "written a lap before lap 0": not yet written
        }
        heads[FREE_ADDING] = capacity;
        heads[FREE_TAKEN] = 0;
        heads[REQUEST_HEAD] = NO_REQUESTS;
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

    /** @return the slot a handle names, or NIL if it cannot name one (wrong range, generation not positive). */
    int slotOf(final long handle)
    {
        final long slot = handle & SLOT_MASK;
        final long generation = handle >>> 32;
        return slot < capacity && generation > 0 && generation <= Integer.MAX_VALUE ? (int)slot : NIL;
    }

    long state(final int slot)
    {
        return (long)STATE.getVolatile(records, slot << RECORD_SHIFT);
    }

    boolean casState(final int slot, final long expected, final long value)
    {
        return STATE.compareAndSet(records, slot << RECORD_SHIFT, expected, value);
    }

    /** A volatile write: ordered before every later volatile read of the writing thread (see TimerService.arm). */
    void setStateVolatile(final int slot, final long value)
    {
        STATE.setVolatile(records, slot << RECORD_SHIFT, value);
    }

    /** Publishes the record's plain fields written before it to whoever reads the state word afterwards. */
    void setStateRelease(final int slot, final long value)
    {
        STATE.setRelease(records, slot << RECORD_SHIFT, value);
    }

    long deadline(final int slot)
    {
        return records[(slot << RECORD_SHIFT) + DEADLINE_AT];
    }

    void deadline(final int slot, final long deadlineNs)
    {
        records[(slot << RECORD_SHIFT) + DEADLINE_AT] = deadlineNs;
    }

    long payload(final int slot)
    {
        return records[(slot << RECORD_SHIFT) + PAYLOAD_AT];
    }

    void payload(final int slot, final long payload)
    {
        records[(slot << RECORD_SHIFT) + PAYLOAD_AT] = payload;
    }

    /** @return the next slot in the request stack the slot is in. */
    int link(final int slot)
    {
        return (int)records[(slot << RECORD_SHIFT) + LINK_AT];
    }

    private void link(final int slot, final int next)
    {
        records[(slot << RECORD_SHIFT) + LINK_AT] = next;
    }

    // ------------------------------------------------------------------------------------------ free ring

    /**
     * Any thread. @return a free slot, now held by the caller (its word is still the old timer's), or NIL if none is
     * free. Lock-free: one CAS, retried only when another arming thread took the same position first.
     */
    int allocate()
    {
        final long[] heads = this.heads;
        long taken = (long)HEAD.getVolatile(heads, FREE_TAKEN);
        while (true)
        {
            // Acquire: the owner wrote everything of the slot before its release store of the entry.
            final int entry = (int)RING.getAcquire(freeRing, (int)taken & ringMask);
            if ((entry & LAP_BIT) == lapBit(taken))
            {
                // Written for this position: the entry cannot change while `taken` still names it (the owner writes
                // it again only a lap later, after it was taken). If another thread took it first, the CAS fails.
                if (HEAD.compareAndSet(heads, FREE_TAKEN, taken, taken + 1))
                {
                    return entry & ~LAP_BIT;
                }
                taken = (long)HEAD.getVolatile(heads, FREE_TAKEN);
            }
            else
            {
                // A lap old: the owner has not written this position yet, so nothing is free, unless `taken` moved
                // on meanwhile (then this read was of a stale position: look again).
                final long now = (long)HEAD.getVolatile(heads, FREE_TAKEN);
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
     * as this returns. Writes nothing into the slot's record; one release store of its ring entry.
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
        return (int)(long)HEAD.getVolatile(heads, FREE_TAKEN);
    }

    // ------------------------------------------------------------------------------------------ request stack

    /**
     * Any thread, and only by the thread whose CAS set QUEUED on the slot. Lock-free.
     *
     * @return the number of requests waiting, this one included.
     */
    int pushRequest(final int slot)
    {
        final long[] heads = this.heads;
        while (true)
        {
            final long head = (long)HEAD.getVolatile(heads, REQUEST_HEAD);
            link(slot, (int)head);
            final long count = (head >>> 32) + 1;
            if (HEAD.compareAndSet(heads, REQUEST_HEAD, head, count << 32 | slot))
            {
                return (int)count;
            }
        }
    }

    /** Owner only. @return the first slot of every request made so far (linked through {@link #link}), or NIL. */
    int takeRequests()
    {
        return (int)(long)HEAD.getAndSet(heads, REQUEST_HEAD, NO_REQUESTS);
    }
}
