package io.escapement.engine.service;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * The slot table of a {@link TimerService}: one slot per timer, a state word per slot that decides every race on
 * that timer with one CAS, and two intrusive lock-free stacks threaded through the slots (free slots, and slots with
 * a request for the owner). Fixed capacity, allocated up front: 44 bytes a slot.
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
 *       was cancelled, whose slot was freed and perhaps reused) never matches: the owner bumps the generation when
 *       it frees the slot.</li>
 *   <li><b>status</b> (3 bits): {@link #FREE}, {@link #ARMED}, {@link #FIRING}, {@link #CANCELLED},
 *       {@link #CLOSED}. ARMED is the only status that can be left by a race: by the owner to FIRING, by
 *       {@code cancel} to CANCELLED, by {@code close} to CLOSED. Each is a CAS from the exact word read, so exactly one
 *       wins and the loser sees the winner's status.</li>
 *   <li><b>{@link #QUEUED}</b>: the slot is in the request stack (or taken from it and not yet looked at). Set by the
 *       CAS that makes a request, cleared by the owner when it looks at the slot. A request is pushed only by the CAS
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
 * time and published by a volatile write or CAS of the state word or of a stack head; the reader reads them after a
 * volatile read or CAS of the same word. Holding the slot means: the arming thread between popping the slot (CAS of
 * the free head) and publishing it as ARMED; a re-arm while WRITING is set; the owner otherwise.
 *
 * <h2>The stacks</h2>
 * Both are Treiber stacks of slot indices linked through the records (one link per slot serves both: a slot is
 * never free and queued at once). Their heads sit 128 bytes apart in one padded array, away from other data.
 * <ul>
 *   <li><b>Free stack</b>: popped by any arming thread, pushed only by the owner. The head is
 *       {@code pops << 32 | slot}. Pops count up, so a head seen twice with the same value has not been popped in
 *       between: the ABA problem of a popper holding a stale "next" cannot occur (the slot would have to be popped,
 *       changing the count, before it could be pushed back). The pop count also gives {@code pending}: slots taken
 *       minus slots freed.</li>
 *   <li><b>Request stack</b>: pushed by any thread, taken whole by the owner with one {@code getAndSet}, so no pop
 *       races a push and no ABA arises. The head is {@code count << 32 | slot}; the count tells the pushing thread
 *       how many requests wait, which lets it wake a sleeping driver once a backlog builds up. Requests come out in
 *       LIFO order, which does not matter: a request only says "look at this slot again", and the owner acts on the
 *       slot's current state word.</li>
 * </ul>
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
    /** The upper half of a stack head: the pop count or the request count. */
    private static final long COUNT_MASK = 0xFFFF_FFFF_0000_0000L;

    static final VarHandle STATE = MethodHandles.arrayElementVarHandle(long[].class);
    private static final VarHandle HEAD = MethodHandles.arrayElementVarHandle(long[].class);

    /** Longs per record, and the place of each field in it. */
    private static final int RECORD_SHIFT = 2;
    private static final int STATE_AT = 0;
    private static final int DEADLINE_AT = 1;
    private static final int PAYLOAD_AT = 2;
    private static final int LINK_AT = 3;

    /** Longs between the two heads and around them: 128 bytes, two cache lines (adjacent-line prefetch). */
    private static final int PAD = 16;
    private static final int FREE_HEAD = PAD;
    private static final int REQUEST_HEAD = 2 * PAD;
    /** An empty request stack: count 0, no slot. */
    private static final long NO_REQUESTS = NIL & SLOT_MASK;

    final int capacity;
    /** One record per slot: state word (accessed only through {@link #STATE}), deadline, payload, link. */
    private final long[] records;
    /** The task of a timer armed with a {@link Runnable}, else null. */
    final Runnable[] tasks;
    /** The owner's handle of the timer's entry in the wheel, or 0 when it has none. Owner only. */
    final long[] wheelHandles;
    private final long[] heads = new long[3 * PAD];

    TimerSlots(final int capacity)
    {
        this.capacity = capacity;
        records = new long[capacity << RECORD_SHIFT];
        tasks = new Runnable[capacity];
        wheelHandles = new long[capacity];
        for (int slot = 0; slot < capacity; slot++)
        {
            records[(slot << RECORD_SHIFT) + STATE_AT] = 1L << 32 | FREE;
            records[(slot << RECORD_SHIFT) + LINK_AT] = slot + 1 < capacity ? slot + 1 : NIL;
        }
        heads[FREE_HEAD] = 0; // no pops yet, slot 0 on top
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

    /** @return the state word of a freed slot: the next generation (wrapping from 2^31-1 to 1), FREE. */
    static long freed(final long state)
    {
        final long generation = state >>> 32;
        return (generation == Integer.MAX_VALUE ? 1L : generation + 1) << 32 | FREE;
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

    /** @return the next slot in the free stack or the request stack the slot is in. */
    int link(final int slot)
    {
        return (int)records[(slot << RECORD_SHIFT) + LINK_AT];
    }

    private void link(final int slot, final int next)
    {
        records[(slot << RECORD_SHIFT) + LINK_AT] = next;
    }

    // ------------------------------------------------------------------------------------------ free stack

    /** Any thread. @return a free slot, now held by the caller, or NIL if none is free. Lock-free. */
    int allocate()
    {
        final long[] heads = this.heads;
        while (true)
        {
            final long head = (long)HEAD.getVolatile(heads, FREE_HEAD);
            final int slot = (int)head;
            if (slot == NIL)
            {
                return NIL;
            }
            // A racy read when another thread pops the slot first; then the CAS fails (the pop count moved).
            final int next = link(slot);
            final long popped = ((head >>> 32) + 1) << 32 | (next & SLOT_MASK);
            if (HEAD.compareAndSet(heads, FREE_HEAD, head, popped))
            {
                return slot;
            }
        }
    }

    /**
     * Owner only. Returns a slot whose state word already says FREE (next generation) to the free stack. The CAS
     * publishes that word and the slot's link to the thread that pops it.
     */
    void free(final int slot)
    {
        free(slot, slot);
    }

    /**
     * Owner only. Returns a chain of slots, linked through {@link #link} from {@code first} to {@code last} (whose own
     * link is overwritten), each already FREE, to the free stack with one CAS: the owner retires a drain's cancelled
     * timers together, so the head's cache line moves to the owner's core once per drain, not once per timer.
     */
    void free(final int first, final int last)
    {
        final long[] heads = this.heads;
        while (true)
        {
            final long head = (long)HEAD.getVolatile(heads, FREE_HEAD);
            link(last, (int)head);
            if (HEAD.compareAndSet(heads, FREE_HEAD, head, (head & COUNT_MASK) | first))
            {
                return;
            }
        }
    }

    /** Owner only, for a slot held by the owner and in neither stack: threads it onto a chain for {@link #free(int, int)}. */
    void chain(final int slot, final int next)
    {
        link(slot, next);
    }

    /** @return the number of slots ever popped, modulo 2^32. */
    int allocations()
    {
        return (int)((long)HEAD.getVolatile(heads, FREE_HEAD) >>> 32);
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
