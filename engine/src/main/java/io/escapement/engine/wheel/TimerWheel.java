package io.escapement.engine.wheel;

import java.util.Arrays;
import java.util.Objects;
import java.util.concurrent.TimeUnit;

/**
 * A hierarchical timing wheel (Varghese and Lauck, "Hashed and Hierarchical Timing Wheels", SOSP 1987) that holds
 * millions of timers in primitive arrays, 28 bytes each, and arms, re-arms, cancels and fires them in O(1)
 * without allocating.
 * <p>
 * Time is a {@code long} in a unit the caller names once ({@link Builder}); the wheel never reads a clock, so the
 * same wheel serves real time and a simulator's virtual time. A timer is armed for an absolute deadline with a
 * {@code long} payload and is named by a {@code long} handle. {@link #advance(long, ExpiryHandler)} fires every
 * timer whose deadline is at or before the given time, exactly once, in tick order, through one long-lived
 * {@link ExpiryHandler}.
 *
 * <h2>Guarantees</h2>
 * <ul>
 *   <li><b>Never early, never lost, exactly once.</b> A timer fires only from an {@code advance(now)} with
 *       {@code deadline <= now}; the comparison is on the exact deadline, not its tick, so a caller that advances
 *       exactly to a deadline fires it with zero lateness, and one that advances at least once per tick fires
 *       every timer less than one tick late. Cancel and fire exclude each other.</li>
 *   <li><b>Tick order.</b> Within one {@code advance}, timers fire in the order of their deadline's tick (the
 *       order inside one tick is unspecified). The one exception is timers that were already in the past when
 *       armed: they fire first, at the next {@code advance}, in no particular order.</li>
 *   <li><b>Armed from a callback.</b> A callback that arms or re-arms a timer whose deadline falls in a tick the
 *       running {@code advance} has already processed sees it fire at the next {@code advance}, not the running
 *       one. This bounds the work of one call: a callback that re-arms itself at "now" cannot spin forever.
 *       A deadline in a later tick up to {@code now} fires in the running call, in order.</li>
 *   <li><b>Stale handles are answered, never obeyed.</b> Handles carry a 31-bit generation. Once a timer has
 *       fired or been cancelled its handle is dead: {@link #cancel(long)} answers {@code false},
 *       {@link #reschedule(long, long)} throws, and neither touches the timer that may now reuse the slot. A
 *       slot must be reused 2<sup>31</sup> times before an old handle could alias it.</li>
 * </ul>
 *
 * <h2>Complexity</h2>
 * {@link #schedule}, {@link #cancel}, {@link #reschedule} and firing are O(1). {@link #advance} costs
 * O(timers fired + timers cascaded + levels), independent of the time elapsed: occupancy bitmaps let it jump over
 * empty buckets, so advancing by hours of virtual time is as cheap as advancing by one tick. A timer cascades at
 * most once per level it starts above level 0: about 2 times for deadlines seconds ahead at a 1 ms tick, 4 for a
 * day. {@link #earliestDeadline()} is O(levels) plus the length of one bucket.
 *
 * <h2>Thread safety</h2>
 * None: one thread owns a wheel. Other threads hand their requests to the owner (see the engine's service
 * package) rather than touching it.
 *
 * <h2>Algorithm</h2>
 * Deadlines are converted to ticks counted from the start time. The wheel keeps a cursor, {@code cursorTick}: every
 * tick before it has been processed. There are {@value #LEVELS} levels of {@value #BUCKETS_PER_LEVEL} buckets;
 * level {@code k} resolves 2<sup>6k</sup> ticks per bucket, and 11 levels of 6 bits cover the whole 63-bit tick
 * range, so no deadline is ever "beyond the top level". A timer for tick {@code t >= cursorTick} is filed at the
 * level of the highest 6-bit digit in which {@code t} differs from {@code cursorTick} (the radix placement of Linux
 * and Caffeine), in the bucket named by that digit of {@code t}. So at every level the occupied buckets lie at or
 * after the cursor's digit, earlier levels hold earlier deadlines, and the first set bit of the lowest non-empty
 * level's occupancy bitmap names the next bucket the cursor will reach. When the cursor enters a bucket's range the
 * bucket is cascaded: its timers are re-filed one or more levels lower, relative to the new cursor. Timers for
 * ticks already processed (deadlines in the past, and timers of the current tick that are not due yet) wait in an
 * {@code OVERDUE} list that every {@code advance} examines first.
 *
 * <h2>Re-arm: lazy when later, eager when earlier</h2>
 * A TCP retransmission timer is re-armed on every ACK and almost always moved later. Moving a timer eagerly
 * (unlink, relink) touches the timer and both its neighbours: three cache misses at a million timers. When the new
 * deadline is later and the timer is filed in a bucket of the wheel, {@link #reschedule} only records the new
 * deadline (one miss); when the old bucket comes due the timer is found not due and re-filed by its new deadline.
 * This keeps the invariant that makes the wheel correct: a timer is always filed at or before its deadline, so it
 * is never fired early and {@link #earliestDeadline()} stays a lower bound. A timer moved earlier, or one in the
 * {@code OVERDUE} list, is moved eagerly. The lazy path pays off when a timer is re-armed more than about once
 * before its old bucket is reached; {@link Builder#lazyReschedule(boolean)} turns it off.
 *
 * <h2>Memory layout</h2>
 * A timer is a 7-int record: generation, next, previous, deadline (2 ints), payload (2 ints) = 28 bytes. Records
 * live in pages of {@value #PAGE_SIZE} records that are allocated as the wheel grows and never copied or freed,
 * so growing never pauses to copy millions of timers and memory stays within one page of 28 bytes per slot. The
 * generation, the links and the deadline share one cache line for almost every record, so cancel and lazy re-arm
 * touch one line of the timer. Bucket heads are slot indexes; a record's previous link names either a slot
 * ({@code >= 0}) or, encoded as {@code -2 - list}, the list whose head it is, so unlinking needs no bucket field.
 * Free slots form a LIFO free list through their next link, so a timer armed right after a cancel reuses a slot
 * that is still in cache.
 */
public final class TimerWheel
{
    /** A handle that never names a timer; {@link #schedule} never returns it. */
    public static final long NULL_HANDLE = 0L;

    /**
     * Returned by {@link #deadline(long)} for a handle that names no live timer, and by {@link #earliestDeadline()}
     * when the wheel holds no timer. A timer may be armed for this very value; use {@link #isScheduled(long)} or
     * {@link #timerCount()} to tell the two apart.
     */
    public static final long NULL_DEADLINE = Long.MAX_VALUE;

    /** Bits of the tick resolved per level: 64 buckets, so one {@code long} is a level's occupancy bitmap. */
    static final int BITS_PER_LEVEL = 6;
    static final int BUCKETS_PER_LEVEL = 1 << BITS_PER_LEVEL;
    static final int BUCKET_MASK = BUCKETS_PER_LEVEL - 1;
    /** 11 x 6 = 66 bits: more than the 63 bits a non-negative tick can have, so no deadline overflows the top. */
    static final int LEVELS = 11;
    /** List index of the timers whose tick is before the cursor (past, or due later within the current tick). */
    static final int OVERDUE = LEVELS * BUCKETS_PER_LEVEL;
    /** List index of the bucket being fired, detached so that callbacks can cancel or move its timers. */
    static final int EXPIRING = OVERDUE + 1;
    static final int LIST_COUNT = EXPIRING + 1;

    // Record layout, in ints. GEN, NEXT and PREV come first: cancel reads exactly those.
    static final int GEN = 0;
    static final int NEXT = 1;
    static final int PREV = 2;
    static final int DEADLINE_HIGH = 3;
    static final int DEADLINE_LOW = 4;
    static final int PAYLOAD_HIGH = 5;
    static final int PAYLOAD_LOW = 6;
    static final int RECORD_INTS = 7;
    static final int RECORD_BYTES = RECORD_INTS * Integer.BYTES;

    static final int PAGE_SHIFT = 13;
    static final int PAGE_SIZE = 1 << PAGE_SHIFT;
    static final int PAGE_MASK = PAGE_SIZE - 1;

    /** Largest number of timers a wheel can be configured to hold: slots are non-negative ints. */
    public static final int MAX_CAPACITY_LIMIT = 1 << 30;

    /** End of a list. */
    static final int NIL = -1;
    /** PREV of a timer whose callback is running: fired, not in any list, its handle still valid. */
    static final int DETACHED = Integer.MIN_VALUE;

    private final TimeUnit timeUnit;
    private final long startTime;
    private final long tickDuration;
    /** log2(tickDuration) when it is a power of two, else -1 (then ticks are found by division). */
    private final int tickShift;
    private final int maxCapacity;
    private final boolean lazyReschedule;
    /** The last tick whose start time is a long: (Long.MAX_VALUE - startTime) / tickDuration, unsigned. */
    private final long lastRepresentableTick;

    /** First slot of each list (bucket, OVERDUE, EXPIRING), or NIL. */
    private final int[] heads = new int[LIST_COUNT];
    /**
     * Bit b of word k is set while bucket b of level k is non-empty. The 12th word absorbs the bits of OVERDUE and
     * EXPIRING so that list code never branches on the kind of list; it is never read.
     */
    private final long[] occupancy = new long[LEVELS + 1];

    private int[][] pages;
    private int allocatedSlots;
    /** Slots below this have been handed out at least once; slots from here up are fresh (generation 0). */
    private int usedSlots;
    private int freeHead = NIL;
    private int timerCount;

    private long currentTime;
    /** Every tick before this one has been processed. */
    private long cursorTick;
    /** startTime + cursorTick * tickDuration, or Long.MAX_VALUE when that is not representable. */
    private long cursorStartTime;
    private boolean advancing;

    private TimerWheel(final Builder builder)
    {
        timeUnit = builder.timeUnit;
        startTime = builder.startTime;
        tickDuration = builder.tickDuration;
        tickShift = Long.bitCount(tickDuration) == 1 ? Long.numberOfTrailingZeros(tickDuration) : -1;
        maxCapacity = builder.maxCapacity;
        lazyReschedule = builder.lazyReschedule;
        // Long.MAX_VALUE - startTime overflows for a negative start, but is exact read as unsigned.
        lastRepresentableTick = Long.divideUnsigned(Long.MAX_VALUE - startTime, tickDuration);

        Arrays.fill(heads, NIL);
        currentTime = startTime;
        cursorTick = 0;
        cursorStartTime = startTime;

        final int initialPages = Math.max(1, (builder.initialCapacity + PAGE_MASK) >>> PAGE_SHIFT);
        pages = new int[Math.max(4, initialPages)][];
        for (int i = 0; i < initialPages; i++)
        {
            addPage();
        }
    }

    /**
     * Starts configuring a wheel whose time values are in {@code timeUnit}.
     *
     * @param timeUnit the unit of every deadline and time value given to and returned by the wheel.
     * @return a builder with a 1 ms tick (one unit if the unit is coarser), start time 0, lazy re-arm on.
     */
    public static Builder builder(final TimeUnit timeUnit)
    {
        return new Builder(timeUnit);
    }

    // ------------------------------------------------------------------------------------------------ arm, cancel

    /**
     * Arms a timer.
     *
     * @param deadline absolute time at or after which the timer fires, in the wheel's unit. A deadline in the
     *                 past is allowed: the timer fires at the next {@link #advance}.
     * @param payload  any value; handed back to the {@link ExpiryHandler}.
     * @return the timer's handle, never {@link #NULL_HANDLE}.
     * @throws IllegalArgumentException if the deadline lies {@code Long.MAX_VALUE} units or more after the
     *                                  start time, where ticks would overflow.
     * @throws TimerCapacityException   if the wheel already holds its maximum number of timers.
     */
    public long schedule(final long deadline, final long payload)
    {
        checkTime(deadline, "deadline");
        final int slot = allocateSlot();
        final int[] page = pages[slot >>> PAGE_SHIFT];
        final int at = (slot & PAGE_MASK) * RECORD_INTS;
        writeDeadline(page, at, deadline);
        page[at + PAYLOAD_HIGH] = (int)(payload >>> 32);
        page[at + PAYLOAD_LOW] = (int)payload;
        file(slot, page, at, deadline);
        timerCount++;
        return handle(page[at + GEN], slot);
    }

    /**
     * Cancels a timer.
     *
     * @param handle a handle from {@link #schedule}, or any other value.
     * @return {@code true} only if this call stopped the timer, which then never fires; {@code false} if the
     * handle names no live timer: it fired (its callback may be running now), was cancelled, or was never issued.
     */
    public boolean cancel(final long handle)
    {
        final int slot = liveSlot(handle);
        if (slot < 0)
        {
            return false;
        }
        final int[] page = pages[slot >>> PAGE_SHIFT];
        final int at = (slot & PAGE_MASK) * RECORD_INTS;
        final int prev = page[at + PREV];
        if (prev == DETACHED)
        {
            return false;
        }
        unlink(page[at + NEXT], prev, slot);
        freeSlot(slot, page, at);
        timerCount--;
        return true;
    }

    /**
     * Re-arms a live timer for a new deadline, keeping its handle and payload: the RTO restart on every ACK. A
     * callback may re-arm the timer it is called for, which arms it again (a periodic timer).
     *
     * @param handle   the handle of a live timer, or of the timer whose callback is running.
     * @param deadline the new absolute deadline; earlier or later than the old one.
     * @throws IllegalArgumentException if the handle names no live timer (it fired, was cancelled, or was never
     *                                  issued) or the deadline would overflow; the wheel is unchanged.
     */
    public void reschedule(final long handle, final long deadline)
    {
        checkTime(deadline, "deadline");
        final int slot = liveSlot(handle);
        if (slot < 0)
        {
            throw new IllegalArgumentException("cannot reschedule handle 0x" + Long.toHexString(handle) +
                ": it names no live timer (it fired, was cancelled, or was never issued by this wheel)");
        }
        final int[] page = pages[slot >>> PAGE_SHIFT];
        final int at = (slot & PAGE_MASK) * RECORD_INTS;
        final int prev = page[at + PREV];
        if (prev == DETACHED)
        {
            // re-armed from its own callback: back into the wheel
            writeDeadline(page, at, deadline);
            file(slot, page, at, deadline);
            timerCount++;
            return;
        }

        final long oldDeadline = readDeadline(page, at);
        if (lazyReschedule && deadline >= oldDeadline && oldDeadline >= cursorStartTime)
        {
            // Filed in a bucket at or before oldDeadline's tick, so also at or before the new deadline: the bucket
            // re-files it when reached. One cache line touched.
            writeDeadline(page, at, deadline);
            return;
        }
        unlink(page[at + NEXT], prev, slot);
        writeDeadline(page, at, deadline);
        file(slot, page, at, deadline);
    }

    /**
     * @param handle any value.
     * @return {@code true} if the handle names a timer that is armed and has not fired or been cancelled.
     */
    public boolean isScheduled(final long handle)
    {
        final int slot = liveSlot(handle);
        return slot >= 0 && pages[slot >>> PAGE_SHIFT][(slot & PAGE_MASK) * RECORD_INTS + PREV] != DETACHED;
    }

    /**
     * @param handle any value.
     * @return the deadline of the live timer (or of the timer whose callback is running) the handle names, or
     * {@link #NULL_DEADLINE} if it names none.
     */
    public long deadline(final long handle)
    {
        final int slot = liveSlot(handle);
        if (slot < 0)
        {
            return NULL_DEADLINE;
        }
        return readDeadline(pages[slot >>> PAGE_SHIFT], (slot & PAGE_MASK) * RECORD_INTS);
    }

    /**
     * @param handle the handle of a live timer, or of the timer whose callback is running.
     * @return its payload.
     * @throws IllegalArgumentException if the handle names no such timer.
     */
    public long payload(final long handle)
    {
        final int slot = liveSlot(handle);
        if (slot < 0)
        {
            throw new IllegalArgumentException("handle 0x" + Long.toHexString(handle) + " names no live timer");
        }
        final int[] page = pages[slot >>> PAGE_SHIFT];
        final int at = (slot & PAGE_MASK) * RECORD_INTS;
        return ((long)page[at + PAYLOAD_HIGH] << 32) | (page[at + PAYLOAD_LOW] & 0xFFFF_FFFFL);
    }

    // ------------------------------------------------------------------------------------------------ advancing

    /**
     * Advances the wheel to {@code now} and fires every due timer. Same as
     * {@code advance(now, handler, Integer.MAX_VALUE)}.
     *
     * @see #advance(long, ExpiryHandler, int)
     */
    public int advance(final long now, final ExpiryHandler handler)
    {
        return advance(now, handler, Integer.MAX_VALUE);
    }

    /**
     * Advances the wheel to {@code now} and fires, through {@code handler}, the timers whose deadline is at or
     * before {@code now}, at most {@code limit} of them. Timers left due by the limit stay armed and fire at the
     * next call, which continues where this one stopped.
     * <p>
     * If the handler throws, the timer it was called for counts as fired (it is never fired again), the exception
     * leaves this method, and the wheel is consistent: every other due timer is still armed and fires at the next
     * call. Nothing is lost and nothing fires twice.
     *
     * @param now     the time to advance to, not before {@link #currentTime()}; equal is allowed and fires timers
     *                that became due, such as ones armed in the past since the last call.
     * @param handler receives each fired timer.
     * @param limit   the most timers to fire in this call, at least 1.
     * @return the number of timers fired.
     * @throws IllegalArgumentException if {@code now} is before the current time, or would overflow, or the
     *                                  limit is not positive.
     * @throws IllegalStateException    if called from an expiry callback.
     */
    public int advance(final long now, final ExpiryHandler handler, final int limit)
    {
        Objects.requireNonNull(handler, "handler");
        if (limit <= 0)
        {
            throw new IllegalArgumentException("limit must be at least 1, was " + limit);
        }
        if (now < currentTime)
        {
            throw new IllegalArgumentException("cannot advance backwards: now=" + now +
                " is before the wheel's current time " + currentTime);
        }
        checkTime(now, "now");
        if (advancing)
        {
            throw new IllegalStateException("advance must not be called from an expiry callback");
        }

        advancing = true;
        try
        {
            currentTime = now;
            final long targetTick = tickOf(now);
            int fired = 0;
            if (heads[OVERDUE] != NIL)
            {
                fired = expire(OVERDUE, now, handler, limit);
            }

            while (fired < limit)
            {
                final int list = firstOccupiedList();
                if (list < 0)
                {
                    break;
                }
                final long eventTick = listStartTick(list);
                if (eventTick > targetTick)
                {
                    break;
                }
                if (list < BUCKETS_PER_LEVEL)
                {
                    // Level 0: one tick. Move past it first, so that callbacks file relative to the next tick.
                    moveCursor(eventTick + 1);
                    final long fireLimit = Math.min(now, cursorStartTime - 1);
                    fired += expire(list, fireLimit, handler, limit - fired);
                }
                else
                {
                    if (eventTick > cursorTick)
                    {
                        moveCursor(eventTick); // the cursor enters the bucket's range: moveCursor cascades it
                    }
                    if (heads[list] != NIL)
                    {
                        cascade(list); // only if the cursor already stood at the range's start (defensive)
                    }
                }
            }
            if (fired < limit && cursorTick <= targetTick)
            {
                // Nothing occupied up to targetTick: jump. Any bucket starting exactly at targetTick + 1 is
                // cascaded by moveCursor; none can start in between, or the loop would have found it.
                moveCursor(targetTick + 1);
            }
            return fired;
        }
        finally
        {
            advancing = false;
        }
    }

    /**
     * The earliest time at which a timer may be due: an event-driven caller sleeps until, or jumps straight to,
     * this time.
     * <p>
     * The answer is exact when the earliest timer is overdue or lies within the current 64-tick window of level 0
     * and was not lazily re-armed. Otherwise it is a lower bound: the start of the tick range of the bucket holding
     * the earliest timers. A lower bound lies after {@link #currentTime()} unless a timer is already due or the
     * last {@code advance} stopped early (its limit, or a callback that threw) with work left up to now. Either
     * way a caller that repeatedly advances to {@code max(currentTime(), earliestDeadline())} always makes
     * progress, and reaches the earliest timer within a few steps (one per level the timer cascades through).
     *
     * @return a time at or before the earliest deadline of the armed timers; at or before {@link #currentTime()}
     * if one is due now; {@link #NULL_DEADLINE} if the wheel holds no timer.
     */
    public long earliestDeadline()
    {
        long earliest = NULL_DEADLINE;
        if (heads[OVERDUE] != NIL)
        {
            // Overdue timers precede every timer in a bucket: their ticks are before the cursor.
            return Math.min(minDeadline(OVERDUE), minDeadline(EXPIRING));
        }
        if (heads[EXPIRING] != NIL)
        {
            earliest = minDeadline(EXPIRING);
        }
        final int list = firstOccupiedList();
        if (list >= 0)
        {
            final long startTick = listStartTick(list);
            if (list < BUCKETS_PER_LEVEL)
            {
                // one tick: scan it; anything in a later bucket is due at or after the next tick's start
                earliest = Math.min(earliest, Math.min(minDeadline(list), startTimeOfTick(startTick + 1)));
            }
            else
            {
                earliest = Math.min(earliest, startTimeOfTick(startTick));
            }
        }
        return earliest;
    }

    // ------------------------------------------------------------------------------------------------ accessors

    /** @return the number of armed timers (fired and cancelled ones excluded). */
    public int timerCount()
    {
        return timerCount;
    }

    /** @return the time of the last {@link #advance}, or the start time before the first. */
    public long currentTime()
    {
        return currentTime;
    }

    /** @return the time from which ticks are counted. */
    public long startTime()
    {
        return startTime;
    }

    /** @return the length of one tick, in {@link #timeUnit()}. */
    public long tickDuration()
    {
        return tickDuration;
    }

    /** @return the unit of all time values of this wheel. */
    public TimeUnit timeUnit()
    {
        return timeUnit;
    }

    /** @return the number of timer slots allocated now (grows a page at a time up to {@link #maxCapacity()}). */
    public int capacity()
    {
        return allocatedSlots;
    }

    /** @return the most timers this wheel will hold. */
    public int maxCapacity()
    {
        return maxCapacity;
    }

    /** @return whether a later re-arm only records the deadline (see the class comment). */
    public boolean isLazyReschedule()
    {
        return lazyReschedule;
    }

    @Override
    public String toString()
    {
        return "TimerWheel{timeUnit=" + timeUnit + ", tickDuration=" + tickDuration + ", startTime=" + startTime +
            ", currentTime=" + currentTime + ", timerCount=" + timerCount + ", capacity=" + allocatedSlots + '}';
    }

    // ------------------------------------------------------------------------------------------------ internals

    /**
     * Fires the timers of {@code list} whose deadline is at or before {@code fireLimit}, at most {@code budget},
     * and re-files the others. The list is first detached to EXPIRING, so that a callback cancelling or moving a
     * sibling unlinks it through the ordinary path, and so that anything a callback files into {@code list} waits
     * for a later pass instead of extending this one.
     */
    private int expire(final int list, final long fireLimit, final ExpiryHandler handler, final int budget)
    {
        final int first = heads[list];
        heads[list] = NIL;
        occupancy[list >>> BITS_PER_LEVEL] &= ~(1L << list);
        heads[EXPIRING] = first;
        setPrev(first, headLink(EXPIRING));

        int fired = 0;
        try
        {
            int slot;
            while (fired < budget && (slot = heads[EXPIRING]) != NIL)
            {
                final int[] page = pages[slot >>> PAGE_SHIFT];
                final int at = (slot & PAGE_MASK) * RECORD_INTS;
                popExpiring(page[at + NEXT]);
                final long deadline = readDeadline(page, at);
                if (deadline > fireLimit)
                {
                    file(slot, page, at, deadline); // not due yet, or re-armed later while it waited
                    continue;
                }

                final int gen = page[at + GEN];
                page[at + PREV] = DETACHED;
                timerCount--;
                fired++;
                try
                {
                    handler.onExpiry(handle(gen, slot), ((long)page[at + PAYLOAD_HIGH] << 32) |
                        (page[at + PAYLOAD_LOW] & 0xFFFF_FFFFL), deadline);
                }
                finally
                {
                    // Free the slot unless the callback re-armed it (PREV no longer DETACHED) or cancelled and
                    // reused it (GEN changed).
                    if (page[at + GEN] == gen && page[at + PREV] == DETACHED)
                    {
                        freeSlot(slot, page, at);
                    }
                }
            }
        }
        finally
        {
            // Budget spent or a callback threw: re-file what is left by deadline. Due ones land in OVERDUE
            // (their tick is behind the cursor) and fire at the next advance.
            int slot;
            while ((slot = heads[EXPIRING]) != NIL)
            {
                final int[] page = pages[slot >>> PAGE_SHIFT];
                final int at = (slot & PAGE_MASK) * RECORD_INTS;
                popExpiring(page[at + NEXT]);
                file(slot, page, at, readDeadline(page, at));
            }
        }
        return fired;
    }

    private void popExpiring(final int next)
    {
        heads[EXPIRING] = next;
        if (next != NIL)
        {
            setPrev(next, headLink(EXPIRING));
        }
    }

    /** Re-files every timer of a bucket relative to the cursor, which has just entered the bucket's range. */
    private void cascade(final int list)
    {
        int slot = heads[list];
        heads[list] = NIL;
        occupancy[list >>> BITS_PER_LEVEL] &= ~(1L << list);
        while (slot != NIL)
        {
            final int[] page = pages[slot >>> PAGE_SHIFT];
            final int at = (slot & PAGE_MASK) * RECORD_INTS;
            final int next = page[at + NEXT];
            file(slot, page, at, readDeadline(page, at));
            slot = next;
        }
    }

    /**
     * Moves the cursor forward to {@code tick} and cascades the buckets whose range begins exactly there, highest
     * level first (a cascade from level k may fill a bucket of level j < k that is also entered now). Buckets whose
     * range begins strictly between the old and the new cursor must be empty; callers guarantee it.
     */
    private void moveCursor(final long tick)
    {
        cursorTick = tick;
        cursorStartTime = startTimeOfTick(tick);
        if ((tick & BUCKET_MASK) == 0)
        {
            final int topLevel = Math.min(LEVELS - 1, Long.numberOfTrailingZeros(tick) / BITS_PER_LEVEL);
            for (int level = topLevel; level >= 1; level--)
            {
                final int list = (level << BITS_PER_LEVEL) |
                    (int)((tick >>> (level * BITS_PER_LEVEL)) & BUCKET_MASK);
                if (heads[list] != NIL)
                {
                    cascade(list);
                }
            }
        }
    }

    /**
     * @return the bucket the cursor reaches first: the first occupied bucket, at or after the cursor's digit, of
     * the lowest non-empty level; or -1 if every bucket is empty.
     */
    private int firstOccupiedList()
    {
        final long cursor = cursorTick;
        for (int level = 0; level < LEVELS; level++)
        {
            final long bits = occupancy[level];
            if (bits != 0)
            {
                final int digit = (int)(cursor >>> (level * BITS_PER_LEVEL)) & BUCKET_MASK;
                final long reachable = bits & (-1L << digit);
                if (reachable != 0)
                {
                    return (level << BITS_PER_LEVEL) | Long.numberOfTrailingZeros(reachable);
                }
            }
        }
        return -1;
    }

    /** @return the first tick of a bucket's range in the cursor's current rotation, never before the cursor. */
    private long listStartTick(final int list)
    {
        final int level = list >>> BITS_PER_LEVEL;
        final int shift = level * BITS_PER_LEVEL;
        final int rotationShift = shift + BITS_PER_LEVEL;
        final long rotation = rotationShift >= Long.SIZE ? 0 : (cursorTick >>> rotationShift) << rotationShift;
        final long start = rotation | ((long)(list & BUCKET_MASK) << shift);
        return Math.max(start, cursorTick);
    }

    /** Links a timer into the list its deadline belongs to, relative to the cursor. */
    private void file(final int slot, final int[] page, final int at, final long deadline)
    {
        int list = OVERDUE;
        if (deadline >= cursorStartTime)
        {
            final long tick = tickOf(deadline);
            final long cursor = cursorTick;
            if (tick >= cursor) // fails only when cursorStartTime saturated at Long.MAX_VALUE
            {
                // tick == cursor gives 63 - 64 = -1, and -1 / 6 == 0: level 0
                final int level = (63 - Long.numberOfLeadingZeros(tick ^ cursor)) / BITS_PER_LEVEL;
                list = (level << BITS_PER_LEVEL) | (int)((tick >>> (level * BITS_PER_LEVEL)) & BUCKET_MASK);
            }
        }
        final int head = heads[list];
        page[at + NEXT] = head;
        page[at + PREV] = headLink(list);
        if (head != NIL)
        {
            setPrev(head, slot);
        }
        heads[list] = slot;
        occupancy[list >>> BITS_PER_LEVEL] |= 1L << list;
    }

    private void unlink(final int next, final int prev, final int slot)
    {
        if (next != NIL)
        {
            setPrev(next, prev);
        }
        if (prev >= 0)
        {
            pages[prev >>> PAGE_SHIFT][(prev & PAGE_MASK) * RECORD_INTS + NEXT] = next;
        }
        else
        {
            final int list = -2 - prev;
            heads[list] = next;
            if (next == NIL)
            {
                occupancy[list >>> BITS_PER_LEVEL] &= ~(1L << list);
            }
        }
    }

    private void setPrev(final int slot, final int prev)
    {
        pages[slot >>> PAGE_SHIFT][(slot & PAGE_MASK) * RECORD_INTS + PREV] = prev;
    }

    private static int headLink(final int list)
    {
        return -2 - list;
    }

    private long minDeadline(final int list)
    {
        long min = NULL_DEADLINE;
        for (int slot = heads[list]; slot != NIL; )
        {
            final int[] page = pages[slot >>> PAGE_SHIFT];
            final int at = (slot & PAGE_MASK) * RECORD_INTS;
            min = Math.min(min, readDeadline(page, at));
            slot = page[at + NEXT];
        }
        return min;
    }

    /** @return the slot of the live (or firing) timer a handle names, or -1. */
    private int liveSlot(final long handle)
    {
        final int slot = (int)handle;
        final int gen = (int)(handle >>> 32);
        if (slot < 0 || slot >= usedSlots || gen <= 0)
        {
            return -1;
        }
        return pages[slot >>> PAGE_SHIFT][(slot & PAGE_MASK) * RECORD_INTS + GEN] == gen ? slot : -1;
    }

    private int allocateSlot()
    {
        int slot = freeHead;
        if (slot != NIL)
        {
            final int[] page = pages[slot >>> PAGE_SHIFT];
            final int at = (slot & PAGE_MASK) * RECORD_INTS;
            freeHead = page[at + NEXT];
            page[at + GEN] = -page[at + GEN]; // free slots keep their next generation negated
            return slot;
        }
        if (usedSlots >= maxCapacity)
        {
            throw new TimerCapacityException(maxCapacity);
        }
        slot = usedSlots;
        if (slot == allocatedSlots)
        {
            addPage();
        }
        usedSlots++;
        pages[slot >>> PAGE_SHIFT][(slot & PAGE_MASK) * RECORD_INTS + GEN] = 1;
        return slot;
    }

    private void freeSlot(final int slot, final int[] page, final int at)
    {
        final int gen = page[at + GEN];
        // Negated so no handle (whose generation is positive) matches a free slot; 31 bits, never 0.
        page[at + GEN] = gen == Integer.MAX_VALUE ? -1 : -(gen + 1);
        page[at + NEXT] = freeHead;
        page[at + PREV] = NIL;
        freeHead = slot;
    }

    private void addPage()
    {
        final int pageIndex = allocatedSlots >>> PAGE_SHIFT;
        if (pageIndex == pages.length)
        {
            pages = Arrays.copyOf(pages, pages.length * 2);
        }
        pages[pageIndex] = new int[PAGE_SIZE * RECORD_INTS];
        allocatedSlots += PAGE_SIZE;
    }

    private static long handle(final int gen, final int slot)
    {
        return ((long)gen << 32) | (slot & 0xFFFF_FFFFL);
    }

    private static long readDeadline(final int[] page, final int at)
    {
        return ((long)page[at + DEADLINE_HIGH] << 32) | (page[at + DEADLINE_LOW] & 0xFFFF_FFFFL);
    }

    private static void writeDeadline(final int[] page, final int at, final long deadline)
    {
        page[at + DEADLINE_HIGH] = (int)(deadline >>> 32);
        page[at + DEADLINE_LOW] = (int)deadline;
    }

    /** @return the tick of a time at or after the start time. */
    private long tickOf(final long time)
    {
        final long sinceStart = time - startTime;
        return tickShift >= 0 ? sinceStart >>> tickShift : sinceStart / tickDuration;
    }

    /** @return the first time of a tick, or Long.MAX_VALUE if that lies beyond the range of a long. */
    private long startTimeOfTick(final long tick)
    {
        if (Long.compareUnsigned(tick, lastRepresentableTick) > 0)
        {
            return Long.MAX_VALUE;
        }
        return startTime + tick * tickDuration; // may wrap in between, but the true result is in range
    }

    /**
     * Times before the start time are fine (they are simply in the past). A time at or after it must lie less than
     * Long.MAX_VALUE units after it, so that its tick and the tick after it are representable.
     */
    private void checkTime(final long time, final String name)
    {
        if (time >= startTime)
        {
            final long sinceStart = time - startTime;
            if (sinceStart < 0 || sinceStart == Long.MAX_VALUE)
            {
                throw new IllegalArgumentException(name + "=" + time + " is too far after the wheel's start time " +
                    startTime + ": it must be less than Long.MAX_VALUE " + timeUnit + " after it");
            }
        }
    }

    /**
     * Configures a {@link TimerWheel}. Every value is checked when set, with the name, the value and what was
     * expected in the message.
     */
    public static final class Builder
    {
        private final TimeUnit timeUnit;
        private long startTime;
        private long tickDuration;
        private int initialCapacity = PAGE_SIZE;
        private int maxCapacity = MAX_CAPACITY_LIMIT;
        private boolean lazyReschedule = true;

        private Builder(final TimeUnit timeUnit)
        {
            this.timeUnit = Objects.requireNonNull(timeUnit, "timeUnit");
            this.tickDuration = Math.max(1, timeUnit.convert(1, TimeUnit.MILLISECONDS));
        }

        /**
         * @param startTime the caller's current time when the wheel is made; ticks are counted from it and the
         *                  wheel's {@link #currentTime()} starts there. Default 0.
         * @return this builder.
         */
        public Builder startTime(final long startTime)
        {
            this.startTime = startTime;
            return this;
        }

        /**
         * @param tickDuration the resolution of the wheel, in its unit, at least 1. Default 1 ms (or one unit if
         *                     the unit is coarser). A power of two is a little faster (a shift, not a division).
         * @return this builder.
         */
        public Builder tickDuration(final long tickDuration)
        {
            if (tickDuration < 1)
            {
                throw new IllegalArgumentException("tickDuration must be at least 1 " + timeUnit + ", was " +
                    tickDuration);
            }
            this.tickDuration = tickDuration;
            return this;
        }

        /**
         * @param initialCapacity timer slots to allocate up front, from 0 up to {@link TimerWheel#MAX_CAPACITY_LIMIT};
         *                        rounded up to whole pages of {@value TimerWheel#PAGE_SIZE}. Default one page.
         * @return this builder.
         */
        public Builder initialCapacity(final int initialCapacity)
        {
            if (initialCapacity < 0 || initialCapacity > MAX_CAPACITY_LIMIT)
            {
                throw new IllegalArgumentException("initialCapacity must be in [0, " + MAX_CAPACITY_LIMIT +
                    "], was " + initialCapacity);
            }
            this.initialCapacity = initialCapacity;
            return this;
        }

        /**
         * @param maxCapacity the most timers the wheel holds before {@link #schedule} throws
         *                    {@link TimerCapacityException}, from 1 up to {@link TimerWheel#MAX_CAPACITY_LIMIT}
         *                    (the default).
         * @return this builder.
         */
        public Builder maxCapacity(final int maxCapacity)
        {
            if (maxCapacity < 1 || maxCapacity > MAX_CAPACITY_LIMIT)
            {
                throw new IllegalArgumentException("maxCapacity must be in [1, " + MAX_CAPACITY_LIMIT + "], was " +
                    maxCapacity);
            }
            this.maxCapacity = maxCapacity;
            return this;
        }

        /**
         * @param lazyReschedule whether a re-arm to a later deadline only records it (default {@code true}); with
         *                       {@code false} every re-arm unlinks and relinks the timer.
         * @return this builder.
         */
        public Builder lazyReschedule(final boolean lazyReschedule)
        {
            this.lazyReschedule = lazyReschedule;
            return this;
        }

        /**
         * @return a new, empty wheel.
         * @throws IllegalArgumentException if initialCapacity exceeds maxCapacity.
         */
        public TimerWheel build()
        {
            if (initialCapacity > maxCapacity)
            {
                throw new IllegalArgumentException("initialCapacity " + initialCapacity +
                    " exceeds maxCapacity " + maxCapacity);
            }
            return new TimerWheel(this);
        }
    }
}
