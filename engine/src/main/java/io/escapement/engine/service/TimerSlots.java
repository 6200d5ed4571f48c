package io.escapement.engine.service;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * The shared tables of a {@link TimerService}: a state word per slot that decides every race on that timer with one
 * CAS, a stack of free slots threaded through the free slots' own state words, and a bounded ring of requests from
 * any thread to the owner. The timer's deadline and payload live in the owner's wheel, which is addressed by the
 * same slot numbers: a slot costs 8 bytes here (its state word: the free stack costs nothing more) and the wheel's
 * 31 or so (at most 32), and the request ring a fixed size whatever the capacity.
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
 * A free slot's word is {@code generation << 32 | link | FREE}: the generation of its last timer, and in the bits
 * that hold the sequence and the flag while a timer is in the slot (and in bit 63, unused otherwise) the next free
 * slot below it on the free stack. Every reader but a taker decides on a free word's status alone (stale handles
 * and stale requests see FREE and stop there), and no thread but the owner writes it while the slot is free.
 *
 * <h2>Free slots: a stack the owner pushes and arming threads pop</h2>
 * The free slots form a Treiber stack linked through their own state words (see above), so it costs no memory of
 * its own: its head is one {@code long}, {@code pops << 32 | top}, where {@code top} is the slot on top or
 * {@link #NIL}, and the bottom slot links to itself. The owner, alone, pushes each slot it frees: it writes the
 * slot's free word linking to the top it read, then CASes the head from exactly that reading to the slot. It pushes
 * in batches: the slots freed during a drain or an advance wait on a chain of its own (linked the same way) and go
 * on the stack with one CAS at its end, or before the next callback, whichever is first (see {@link #publishFrees}),
 * as the head's line is the one every arm CASes. An arming thread pops: it reads the head, then the top slot's
 * link, then CASes the head to the link with {@code pops} plus one.
 * <p>
 * <b>ABA.</b> Between a taker's read of the head and its CAS, other takers may pop the top slot, the owner fire or
 * retire its timer and push it back: the same top, now over a different link. Every pop adds one to {@code pops}, so
 * the head is never the same value twice with a pop in between and that CAS fails (unless exactly a multiple of
 * 2<sup>32</sup> pops happen while one taker stands between two of its instructions). Pushes leave {@code pops} alone:
 * the head comes back to a slot it named only through a pop. So a CAS that succeeds read the head and the link with
 * no pop between them: the top slot was free throughout, and its word was the free word the owner wrote before the
 * push that put it on the stack (read after the acquire of the head, which came after that write by the CAS's release).
 * A taker that read the word after another popped the slot reads a timer's word, not a link: its CAS fails.
 * <p>
 * <b>Progress.</b> A taker's CAS fails only when another pop or a push succeeded: lock-free. The owner's push fails
 * only when a pop succeeded meanwhile, and pops are bounded by the slots free: it succeeds within capacity + 1
 * tries. {@link #hasFreeSlot} is one read of the head, so "nothing free" is exact at that instant (the spurious
 * {@link TimerServiceFullException} of issue 14 cannot come back through it); a slot on the owner's chain, not
 * pushed yet, is not free yet, as if the owner were that much slower to retire it. {@code pops} also gives
 * {@code pending}: slots taken minus slots freed.
 * <p>
 * <b>Reuse order.</b> Last in, first out: the slot freed last is taken next, its word and wheel record likely still
 * in cache. The ring before this stack (4 bytes a slot) reused the free slots in turn, so a slot's generation moved
 * once per as many arms as there were free slots; here a service whose few timers keep firing and being armed again
 * reuses a handful of slots over and over, so a slot's 31-bit generation comes round after 2<sup>31</sup> - 1 arms
 * (minutes at ten million arms a second, where the ring took that times the number of free slots). A handle used
 * after exactly that many reuses of its slot, and only then, matches the timer in it.
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
 * A freed slot's word says FREE with its last timer's generation (and its link), whether that timer fired or was
 * cancelled and retired. No handle of the old timer is obeyed (its status is not ARMED), no request of it is acted
 * on (the owner acts only on ARMED, CANCELLED and CLOSED words), and the thread that takes the slot next publishes
 * the next generation with it. So a stale handle, or a stale request, never matches a new timer (up to the
 * generations' wrap: see "Reuse order").
 *
 * <h2>Memory ordering</h2>
 * A request's fields are written before the release store of its handle and read after the acquire load of it. A
 * slot's task reference is written by the arming thread before its volatile write of the state word and read by the
 * owner after a volatile read of it. A freed slot's free word is written before the CAS that pushes it and read
 * after a volatile read of the head that names it. The shared indices sit on cache lines of their own.
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
    /** A free word's link: its low 29 bits in the word's bits 3 to 31, its bit 29 in the word's bit 63. */
    private static final long LINK_LOW_MASK = 0x1FFF_FFFFL;
    private static final int LINK_SHIFT = 3;
    private static final int LINK_HIGH_BIT = 29;
    /** The free stack's head: the top slot in the low half (NIL: none), the number of pops so far in the high half. */
    private static final long TOP_MASK = 0xFFFF_FFFFL;
    private static final long ONE_POP = 1L << 32;
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
    /** The free stack's head, {@code pops << 32 | top}: CASed by arming threads (pop) and the owner (push). */
    private static final int FREE_HEAD = PAD;
    /** The next request position a producer claims (a CAS), and beside it the producers' cached bound. */
    private static final int REQUEST_CLAIMED = 2 * PAD;
    private static final int REQUEST_LIMIT = REQUEST_CLAIMED + 1;
    /** The next request position the owner reads: written by the owner (release), read by producers when full. */
    private static final int REQUEST_CONSUMED = 3 * PAD;

    final int capacity;
    /** One state word per slot, accessed only through {@link #LONGS}. */
    private final long[] states;
    /** The task of each timer armed with a {@link Runnable}; created by the first such arm (4 bytes a slot). */
    private volatile Runnable[] tasks;
    /** The period of each periodic timer in ns, 0 for one-shot; created by the first periodic arm (8 bytes a slot). */
    private volatile long[] periods;
    /**
     * The owner's chain of freed slots not yet pushed (see {@link #freeLater}): its top, NIL when empty, and its
     * bottom. Owner only; empty whenever the wheel changes hands (every drain and advance ends with a push).
     */
    private int chainTop = NIL;
    private int chainBottom = NIL;
    /** Request entries, {@code 1 << ENTRY_SHIFT} longs each. */
    private final long[] requests;
    private final int requestMask;
    private final long[] heads = new long[4 * PAD];

    TimerSlots(final int capacity, final int requestRingSize)
    {
        this.capacity = capacity;
        states = new long[capacity];
        // All free, slot 0 on top: generation 1 (a handle is never 0), each slot linking to the next, the last to
        // itself (the bottom). Published with the service (a final field's contents, frozen by its constructor).
        for (int slot = 0; slot < capacity; slot++)
        {
            states[slot] = 1L << 32 | link(slot + 1 < capacity ? slot + 1 : slot) | FREE;
        }
        heads[FREE_HEAD] = 0; // no pops yet, slot 0 on top
        requests = new long[requestRingSize << ENTRY_SHIFT];
        requestMask = requestRingSize - 1;
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

    /**
     * @return the generation (still shifted) of the next timer in a slot whose word is {@code state}: 1 after
     * 2^31-1. Bit 63 of a free word is part of its link, not of the generation.
     */
    static long nextGeneration(final long state)
    {
        final long generation = (state >>> 32) & Integer.MAX_VALUE;
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

    // ------------------------------------------------------------------------------------------ free stack

    /** @return the bits of a free word that hold {@code next}, a slot number below 2^30. */
    private static long link(final int next)
    {
        return (next & LINK_LOW_MASK) << LINK_SHIFT | (long)(next >>> LINK_HIGH_BIT) << 63;
    }

    /**
     * @return the slot below {@code slot} on the free stack, read from its free word, or NIL at the bottom (which links
     * to itself). Garbage if the word is no longer free: the caller's CAS then fails (see the class comment).
     */
    private static int next(final long word, final int slot)
    {
        final int next = (int)((word >>> LINK_SHIFT) & LINK_LOW_MASK) | (int)(word >>> 63) << LINK_HIGH_BIT;
        return next == slot ? NIL : next;
    }

    /**
     * Any thread. @return whether a slot was free at the moment of the call's one read (another thread may take it
     * at once).
     */
    boolean hasFreeSlot()
    {
        return (int)(long)LONGS.getVolatile(heads, FREE_HEAD) != NIL;
    }

    /**
     * Any thread. @return a free slot, now held by the caller (its word is still the free word, with the last timer's
     * generation), or NIL if none was free at the moment of the head's read. Lock-free: one CAS, retried only when
     * another thread popped or the owner pushed in between.
     */
    int allocate()
    {
        final long[] heads = this.heads;
        final long[] states = this.states;
        long head = (long)LONGS.getVolatile(heads, FREE_HEAD);
        while (true)
        {
            final int top = (int)head;
            if (top == NIL)
            {
                return NIL;
            }
            // Read after the head (acquire), so after the owner's write of the top's free word, which came before
            // the CAS that put it on top. If another thread popped it meanwhile, this reads its timer's word instead,
            // and the CAS below fails: `pops` moved.
            final int next = next((long)LONGS.getVolatile(states, top), top);
            if (LONGS.compareAndSet(heads, FREE_HEAD, head, (head & ~TOP_MASK) + ONE_POP | next & TOP_MASK))
            {
                return top;
            }
            head = (long)LONGS.getVolatile(heads, FREE_HEAD);
        }
    }

    /**
     * Owner only. Frees a slot the owner holds, whose timer fired or was retired, at once: {@link #freeLater} and
     * {@link #publishFrees}.
     */
    void free(final int slot)
    {
        freeLater(slot);
        publishFrees();
    }

    /**
     * Owner only. Frees a slot the owner holds, whose timer fired or was retired, onto the owner's own chain of freed
     * slots: arming threads can take it once {@link #publishFrees} pushed the chain. Writes the slot's free word (its
     * generation kept, status FREE, linked to the chain's previous top, or to itself as its bottom). Free words are
     * read by stale handles and requests for their status alone, so the chain's words may be seen before it is pushed.
     */
    void freeLater(final int slot)
    {
        final long[] states = this.states;
        // Nobody else writes the word of a slot the owner holds: cancels and closes CAS only from ARMED or RUNNING.
        final long generation = (long)LONGS.getVolatile(states, slot) & GENERATION_MASK & Long.MAX_VALUE;
        final int chainTop = this.chainTop;
        LONGS.setRelease(states, slot, generation | link(chainTop == NIL ? slot : chainTop) | FREE);
        if (chainTop == NIL)
        {
            chainBottom = slot;
        }
        this.chainTop = slot;
    }

    /**
     * Owner only. Pushes the owner's chain of freed slots onto the free stack with one CAS of the head (retried only
     * after a pop, at most capacity + 1 tries): every slot freed so far can be taken when this returns. One CAS per
     * drain or advance instead of one per freed slot, on the line every arm CASes. The service calls it before every
     * callback (a callback that arms sees every slot freed before it) and at the end of every drain and advance.
     */
    void publishFrees()
    {
        final int chainTop = this.chainTop;
        if (chainTop == NIL)
        {
            return;
        }
        final int bottom = chainBottom;
        final long[] heads = this.heads;
        final long[] states = this.states;
        final long bottomGeneration = (long)LONGS.getVolatile(states, bottom) & GENERATION_MASK & Long.MAX_VALUE;
        long head = (long)LONGS.getVolatile(heads, FREE_HEAD);
        while (true)
        {
            final int top = (int)head;
            // Before the CAS that publishes the chain (a volatile write): a taker that pops down to the bottom reads
            // this link after the head that named the chain's top, and the chain's other links were written earlier.
            LONGS.setRelease(states, bottom, bottomGeneration | link(top == NIL ? bottom : top) | FREE);
            if (LONGS.compareAndSet(heads, FREE_HEAD, head, head & ~TOP_MASK | chainTop))
            {
                this.chainTop = NIL;
                return;
            }
            head = (long)LONGS.getVolatile(heads, FREE_HEAD); // a taker popped meanwhile
        }
    }

    /** @return the number of slots ever taken, modulo 2^32. */
    int allocations()
    {
        return (int)((long)LONGS.getVolatile(heads, FREE_HEAD) >>> 32);
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
