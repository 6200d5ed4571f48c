package io.escapement.engine.wheel;

import io.escapement.engine.TimerHandler;

import java.util.Arrays;
import java.util.Objects;
import java.util.concurrent.TimeUnit;

/**
 * A hierarchical timing wheel (Varghese and Lauck, "Hashed and Hierarchical Timing Wheels", SOSP 1987) that holds
 * millions of timers in primitive arrays, about 31 bytes each, and arms, re-arms, cancels and fires them in O(1)
 * without allocating.
 * <p>
 * Time is a {@code long} in a unit the caller names once ({@link Builder}); the wheel never reads a clock, so the
 * same wheel serves real time and a simulator's virtual time. A timer is armed for an absolute deadline with a
 * {@code long} payload and is named by a {@code long} handle. {@link #poll(long, TimerHandler)} fires every
 * timer whose deadline is at or before the given time, exactly once, in tick order, through one long-lived
 * {@link TimerHandler}.
 *
 * <h2>Guarantees</h2>
 * <ul>
 *   <li><b>Never early, never lost, exactly once.</b> A timer fires only from an {@code poll(now)} with
 *       {@code deadline <= now}; the comparison is on the exact deadline, not its tick, so a caller that advances
 *       exactly to a deadline fires it with zero lateness, and one that advances at least once per tick fires
 *       every timer less than one tick late. Cancel and fire exclude each other.</li>
 *   <li><b>Tick order.</b> Within one {@code poll}, timers fire in the order of their deadline's tick (the
 *       order inside one tick is unspecified). The one exception is timers that were already in the past when
 *       armed: they fire first, at the next {@code poll}, in no particular order.</li>
 *   <li><b>Armed from a callback.</b> A callback that arms or re-arms a timer whose deadline falls in a tick the
 *       running {@code poll} has already processed sees it fire at the next {@code poll}, not the running
 *       one. This bounds the work of one call: a callback that re-arms itself at "now" cannot spin forever.
 *       A deadline in a later tick up to {@code now} fires in the running call, in order.</li>
 *   <li><b>Stale handles are answered, never obeyed.</b> Handles carry a 31-bit generation. Once a timer has
 *       fired or been cancelled its handle is dead: {@link #cancel(long)} and {@link #rearm(long, long)} answer
 *       {@code false}, and neither touches the timer that may now reuse the slot. A slot must be reused
 *       2<sup>31</sup> times before an old handle could alias it.</li>
 * </ul>
 *
 * <h2>Complexity</h2>
 * {@link #arm}, {@link #cancel}, {@link #rearm} and firing are O(1). {@link #poll} costs
 * O(timers fired + timers cascaded + levels), independent of the time elapsed: occupancy bitmaps let it jump over
 * empty buckets, so advancing by hours of virtual time is as cheap as advancing by one tick. A timer cascades at
 * most once per level it starts above level 0: at a 1 ms tick, not at all for deadlines up to 256 ms ahead, once
 * up to 65 s ahead (RTOs, TIME-WAIT), twice up to 4.7 hours. {@link #earliestDeadline()} is O(levels) plus the
 * length of one bucket (O(levels) with a tick of one time unit, unless that bucket's tick is the current one, not
 * yet processed), plus the overdue timers' when a cancel left their bound stale. {@link #pollEarliest}, an
 * event-driven caller's step to the next deadline, costs one such search plus the timers it fires when the
 * earliest timers wait in a level-0 bucket and none is overdue; otherwise it costs what earliestDeadline then
 * poll cost (its Javadoc says when).
 * <p>
 * Cascades are amortized, not spread: the {@code poll} that enters a level-1 range re-files that range's
 * timers, 256 ticks' worth, in one call, and its {@code limit} counts timers fired, not re-filed. With a million
 * timers spread over 10 s that is about 46,000 timers, about 2 ms on the development machine, once every 256 ticks.
 * <p>
 * A small wheel holds about 0.6 MB: one page of records (192 KiB), one page of the entry store (256 KiB of slot
 * ids and 128 KiB of tick hints, from the first timer armed) and their bookkeeping.
 *
 * <h2>Thread safety</h2>
 * None: one thread owns a wheel. Other threads hand their requests to the owner (see the engine's service
 * package) rather than touching it.
 *
 * <h2>Algorithm</h2>
 * Deadlines are converted to ticks counted from the start time. The wheel keeps a cursor, {@code cursorTick}: every
 * tick before it has been processed. There are {@value #LEVELS} levels of {@value #BUCKETS_PER_LEVEL} buckets;
 * a bucket of level {@code k} covers a range of 2<sup>8k</sup> ticks, and 8 levels of 8 bits cover the whole
 * 63-bit tick range, so no deadline is ever "beyond the top level". Each level is a circular array: a timer for
 * tick {@code t >= cursorTick} is filed at the lowest level whose range containing {@code t} is fewer than 256
 * ranges ahead of the cursor's, in the bucket named by that range's number modulo 256. Above level 0 that range
 * is never the cursor's own, so the cursor enters it after the timer was filed; at that moment the bucket is
 * cascaded: its timers
 * are re-filed relative to the new cursor, one or more levels lower. Occupancy bitmaps (256 bits a level) find the
 * bucket the cursor reaches next in a few instructions, which lets {@code poll} jump over empty time. Timers for
 * ticks already processed (deadlines in the past, and timers of the current tick that are not due yet) wait in an
 * {@code OVERDUE} list that every {@code poll} examines first.
 * <p>
 * 256 buckets a level, rather than the 64 of Linux and Caffeine, keep the timers a network server has most of,
 * RTOs and TIME-WAIT from a quarter of a second to a minute ahead at a 1 ms tick, on level 1: they cascade once,
 * in batches of one bucket (256 ticks' worth of timers) rather than in the bursts a coarser upper level would
 * release all at once.
 *
 * <h2>Re-arm: lazy while the timer's bucket still comes first, eager otherwise</h2>
 * A TCP retransmission timer is re-armed on every ACK and almost always moved later. Moving a timer eagerly
 * (remove from its bucket, append to another) touches the timer, the timer moved into its place and the new
 * bucket's front chunk: two or three cache misses at a million timers. When the new
 * deadline is later and the timer is filed in a bucket of the wheel, {@link #rearm} only records the new
 * deadline (one miss); when the old bucket comes due the timer is found not due and re-filed by its new deadline.
 * This keeps the invariant that makes the wheel correct: a timer is always filed at or before its deadline, so it
 * is never fired early and {@link #earliestDeadline()} stays a lower bound. The same invariant lets a timer moved
 * earlier stay where it is when its bucket's range still starts at or before the new deadline (a timer filed for
 * an early deadline, re-armed later, then earlier again, as RTOs and random re-arms are); only a timer moved before
 * its bucket's start, or one in the {@code OVERDUE} list, is moved eagerly. The lazy path pays off when a timer is
 * re-armed more than about once before its old bucket is reached; {@link Builder#lazyRearm(boolean)} turns it off.
 *
 * <h2>Memory layout</h2>
 * A timer is a 6-int record: generation, position, deadline (2 ints), payload (2 ints) = 24 bytes. Records live
 * in pages of {@value #PAGE_SIZE} records that are allocated as the wheel grows and never copied, so growing
 * never pauses to copy millions of timers. A bucket is not a linked list of records but an unrolled list of
 * slot ids: chunks of {@value #CHUNK_SIZE} ints in an entry store, all full but the front one. A record's position
 * is its index in the entry store, and the chunk's owner names the bucket, so cancel removes a timer in O(1) by
 * moving the bucket's last entry into its place (swap-remove): it touches the timer and, unless the timer was the
 * last one armed in its bucket, the timer moved. Firing and cascading read a bucket's slot ids in order, so the
 * records they name are independent loads the processor overlaps, where walking a linked bucket is a chain of
 * dependent cache misses. A timer costs 24 bytes of record plus 4 bytes of entry plus 2 bytes of tick hint plus
 * about 0.5 byte of chunk bookkeeping, plus at most 0.75 byte of forwarding tables (below). Measured with JOL at a
 * million timers: 30.6 bytes armed 1-10 s ahead; 31.5 at most under the cascades that forward the most (periodic
 * 300 ms timers, a fixed 1 s timeout, a burst for one deadline), within the contract of 32 bytes per live timer,
 * payload included. Each
 * bucket ever used also keeps one chunk (256 bytes of ids, 128 of hints) when it empties, so that a timer armed
 * and cancelled in an empty bucket does not take and return a chunk each time (2,051 lists: 0.75 MB at most). Free
 * slots form a LIFO free list through their position field, so a timer armed right after a cancel reuses a slot
 * that is still in cache. Timers armed 2<sup>24</sup> ticks ahead or more (level 3 and up: a simulator's 60 s
 * TIME-WAIT at a 1 µs tick) take their slots from pages of their own, with a free list of their own: otherwise each
 * would take, and hold for its long wait, the slot a busy timer had just freed, and the busy timers' records would
 * drift across every page the long ones fill, out of cache (a wheel that arms one gets a second page, 192 KiB).
 * A list found empty borrows a slot of the other when that one holds more than a page of free slots, and a page is
 * added only otherwise, so the two lists cost no more pages than one: the record pages never hold more slots than
 * the most slots ever in use at once (the timers held, plus the one whose callback runs) rounded up to a page of
 * {@value #PAGE_SIZE}, plus one page, or the initial capacity rounded up to a page if that is more; and never
 * more than the capacity rounded up to a page, plus one page.
 *
 * <h2>Cascades read the buckets, not the records</h2>
 * Beside each slot id the entry store keeps a 16-bit tick hint, the low bits of the tick the timer was filed for.
 * A bucket of level 1 or 2 spans at most 2<sup>16</sup> ticks, so when the cursor enters it the hint gives the whole
 * tick, and the cascade re-files the timer from the chunk alone. The hint is at or before the deadline (a lazy
 * re-arm later leaves it early, which only re-files the timer once more, from level 0, where its record is read
 * anyway; a move earlier that keeps the timer in its bucket lowers it). A level-1 cascade need not even write the
 * records' positions: the cascaded chunk is kept, holding each timer's new position, and cancel and re-arm follow
 * it (one hop; the timers it names fire or move within the 256 ticks of the range just entered, and the range's
 * chunks are released once its last tick has been expired: at that expiry, or, when that tick's bucket was empty,
 * at the end of the poll or by the next cascade of the same parity). So a timer drained from level 1 has its record touched
 * once, when it fires, where the cascade used to load it once more, at random. The tables are bounded, exactly:
 * a chunk is forwarded only while the tables then hold at most an eighth as many entries as there are slots in
 * use (0.75 byte per timer at the wheel's high-water mark, which its records already occupy, so a wheel whose
 * timers are draining forwards as much as it did full, and allocates nothing for it); past that, the cascade
 * writes the positions into the records, as level 2 always does (a table kept for 65 s would cost memory). A
 * sparse set (timers spread over seconds, a few percent of them per range) forwards every cascade, also while it
 * drains; a dense one (periodic timers of a few hundred ticks, a burst for one deadline) forwards an eighth.
 * Levels 3 and up read the deadlines.
 */
public final class TimerWheel
{
    /** A handle that never names a timer; {@link #arm} never returns it. */
    public static final long NULL_HANDLE = 0L;

    /**
     * Returned by {@link #deadline(long)} for a handle that names no live timer, and by {@link #earliestDeadline()}
     * when the wheel holds no timer. A timer may be armed for this very value; use {@link #isArmed(long)} or
     * {@link #timerCount()} to tell the two apart.
     */
    public static final long NULL_DEADLINE = Long.MAX_VALUE;

    /**
     * Bits of the tick resolved per level: 256 buckets. Timers from a quarter of a second to a minute ahead (at a
     * 1 ms tick) land on level 1 and cascade once, in batches of one level-1 bucket (256 ticks' worth of timers).
     */
    static final int BITS_PER_LEVEL = 8;
    static final int BUCKETS_PER_LEVEL = 1 << BITS_PER_LEVEL;
    static final int BUCKET_MASK = BUCKETS_PER_LEVEL - 1;
    /** 8 x 8 = 64 bits: more than the 63 bits a non-negative tick can have, so no deadline overflows the top. */
    static final int LEVELS = 8;
    /** Occupancy words per level: 256 bits. */
    static final int WORDS_PER_LEVEL = BUCKETS_PER_LEVEL / Long.SIZE;
    /** List index of the timers whose tick is before the cursor (past, or due later within the current tick). */
    static final int OVERDUE = LEVELS * BUCKETS_PER_LEVEL;
    /** List index of the bucket being fired, detached so that callbacks can cancel or move its timers. */
    static final int EXPIRING = OVERDUE + 1;
    /** List index used only while putting an interrupted OVERDUE pass back together. */
    static final int SPARE = EXPIRING + 1;
    static final int LIST_COUNT = SPARE + 1;

    // Record layout, in ints. GEN, POS and the deadline come first: cancel and a lazy re-arm read only those.
    static final int GEN = 0;
    static final int POS = 1;
    static final int DEADLINE_HIGH = 2;
    static final int DEADLINE_LOW = 3;
    static final int PAYLOAD_HIGH = 4;
    static final int PAYLOAD_LOW = 5;
    static final int RECORD_INTS = 6;
    static final int RECORD_BYTES = RECORD_INTS * Integer.BYTES;

    static final int PAGE_SHIFT = 13;
    static final int PAGE_SIZE = 1 << PAGE_SHIFT;
    static final int PAGE_MASK = PAGE_SIZE - 1;
    /**
     * Length of a far page's record array ({@link #farFreeSlot}): one int more than a page's records, never read,
     * so that a slot's list is told by the length of the page in hand ({@link #releaseSlot}) rather than by a
     * table. 8 bytes a far page of 8,192 records (the int and its alignment).
     */
    static final int FAR_PAGE_INTS = PAGE_SIZE * RECORD_INTS + 1;

    /**
     * Slot ids per chunk of a list: 256 bytes. Chunks of one bucket are scattered in the entry store, so each is a
     * cache miss when the bucket is fired or cascaded; 64 entries amortize it (16 measured 15% slower to cascade at
     * a million timers) for at most one partly filled (or kept empty) chunk per bucket.
     */
    static final int CHUNK_SHIFT = 6;
    static final int CHUNK_SIZE = 1 << CHUNK_SHIFT;
    /** Entries per page of the entry store: 256 KiB pages, a whole number of chunks. */
    static final int ENTRY_PAGE_SHIFT = 16;
    static final int ENTRY_PAGE_MASK = (1 << ENTRY_PAGE_SHIFT) - 1;

    /** Largest number of timers a wheel can be configured to hold: slots are non-negative ints. */
    public static final int MAX_CAPACITY_LIMIT = 1 << 30;

    /** No slot, no chunk. */
    static final int NIL = -1;
    /**
     * Owner of a chunk kept, after a level-1 cascade, as a forwarding table: each entry holds the new position of
     * the timer that was there, whose record still names the old one (see {@link #resolve}).
     */
    static final int FORWARDED = -2;
    /** POS of a timer whose callback is running: fired, in no list, its handle still valid. */
    static final int DETACHED = Integer.MIN_VALUE;
    /**
     * Forwarding chunks hold at most {@code forwardSlots() >>> FORWARD_SHIFT} entries, counted when each chunk is
     * forwarded: an eighth of the slots in use, 0.75 byte each (4 bytes of position, 2 of hint, per entry). A timer
     * costs 30.5 bytes without them, so the contract of 32 bytes per live timer holds however dense the cascades
     * are: a sparse set (timers spread over seconds, a few percent of them per level-1 range) forwards every
     * cascade, a dense one (periodic timers re-armed every few hundred ticks, a burst for one deadline) forwards an
     * eighth and writes the rest's positions into their records.
     * <p>
     * Slots in use, not live timers: neither the record pages nor the entry store is ever given back, so what a
     * wheel occupies is set by the most timers it ever held (its slots in use, give or take the one slot of a
     * running callback), and the entry store then held at most that many entries plus an eighth of them. A wheel
     * whose timers are draining (live timers falling, as after a burst of closes) keeps forwarding within that
     * bound, in chunks its entry store already has, where a bound of an eighth of the live timers made its last
     * cascades write a random record per timer (a fifth of the timers of a 10M drain over 10 s).
     */
    static final int FORWARD_SHIFT = 3;
    /**
     * Chunks the entry store may hold: positions ({@code chunk << CHUNK_SHIFT | index}) are non-negative ints, so
     * none can reach 2^31 and be read as {@link #DETACHED} (or any negative POS). {@link #chunkBound} shows that a
     * wheel of {@link #MAX_CAPACITY_LIMIT} timers never needs more; {@link #acquireChunk} checks it anyway.
     */
    static final int MAX_CHUNKS = 1 << (Integer.SIZE - 1 - CHUNK_SHIFT);

    private final TimeUnit timeUnit;
    private final long startTime;
    private final long tickDuration;
    /** log2(tickDuration) when it is a power of two, else -1 (then ticks are found by division). */
    private final int tickShift;
    private final int maxCapacity;
    private final boolean lazyRearm;
    /** Timers are numbered by the caller ({@link #armSlot}), never by the wheel's free list. */
    private final boolean callerAssignedSlots;
    /** {@link #arm} refuses once timerCount reaches this: maxCapacity, or 0 when the caller assigns slots. */
    private final int scheduleLimit;
    /** The last tick whose start time is a long: (Long.MAX_VALUE - startTime) / tickDuration, unsigned. */
    private final long lastRepresentableTick;
    /**
     * The latest time {@link #checkTime} accepts: less than Long.MAX_VALUE units after the start time, so that a
     * time's tick and the tick after it are representable; every long when that lies beyond the range (a start
     * time of 2 or more). Every time before the start is accepted too (it is in the past), and lies below this.
     */
    private final long lastTime;

    /**
     * Per list (bucket, OVERDUE, EXPIRING, SPARE): its front chunk, the only one that may be partly filled, or NIL.
     * An emptied list keeps its last chunk, so emptiness is {@code frontCount[list] == 0}, never this.
     */
    private final int[] frontChunk = new int[LIST_COUNT];
    /** Per list: entries used in its front chunk (every other chunk of the list is full); 0 for an empty list. */
    private final int[] frontCount = new int[LIST_COUNT];
    /**
     * Bit {@code list & 63} of word {@code list >>> 6} is set while a bucket is non-empty: 4 words per level. The
     * last word absorbs the bits of OVERDUE and EXPIRING so that list code never branches on the kind of list; it
     * is never read.
     */
    private final long[] occupancy = new long[LEVELS * WORDS_PER_LEVEL + 1];
    /** Tick at which the cursor reaches the list {@link #nextList()} returned last. */
    private long nextListTick;
    /**
     * Timers armed at least this many ticks after the cursor (level 3 and up: 16.7 s at a 1 µs tick, 4.6 hours at
     * 1 ms) take their slots from the far pages ({@link #farFreeSlot}).
     */
    static final long FAR_TICKS = 1L << (3 * BITS_PER_LEVEL);
    /** The start time of the tick FAR_TICKS after the cursor (Long.MAX_VALUE past the range): arm's far test. */
    private long farStartTime;

    /** Timer records, RECORD_INTS ints each, in pages of PAGE_SIZE records that are never moved. */
    private int[][] pages;
    private int allocatedSlots;
    /**
     * Free slots, linked through their POS field, a fresh page's slots included ({@link #addPage}), so that
     * {@link #arm} takes every slot from this list and its hot path holds no second way to find one (see there).
     * Also in caller-slot mode, where nothing takes them and pages are not linked: harmless. A slot never armed has
     * generation 0, which no handle carries.
     */
    private int freeSlot = NIL;
    /**
     * Free slots of the far pages, linked as {@link #freeSlot}'s are: the slots of timers armed at least
     * {@link #FAR_TICKS} ticks ahead. A timer that waits that long (a simulator's 60 s TIME-WAIT at a 1 µs tick,
     * one per closed connection, a million of them) would otherwise take, and hold, the slot the last re-armed or
     * fired timer just freed, so the few thousand timers armed, cancelled and fired all the time drift across every
     * page the long ones fill (spread over 800 KB of records rather than 100); in pages of their own, the long ones
     * leave the busy timers' records where they were, in cache. A slot returns to its page's list (told by the
     * page's length, {@link #FAR_PAGE_INTS}).
     */
    private int farFreeSlot = NIL;
    /**
     * How many slots {@link #freeSlot}'s list and {@link #farFreeSlot}'s hold: one increment or decrement per take
     * and release, so that a list found empty can tell in O(1) whether the other holds more than a page of free
     * slots to borrow rather than add a page (see {@link #armRarely}). Kept in caller-slot mode too, where nothing
     * reads them.
     */
    private int freeCount;
    private int farFreeCount;
    private int timerCount;

    /** Slot ids of the lists, in chunks of CHUNK_SIZE; a timer's POS is its index here. Pages never move. */
    private int[][] entryPages = new int[4][];
    /**
     * Per entry, beside its slot id (same index): the low 16 bits of the tick the timer was filed for, its tick
     * hint. A bucket of level 1 or 2 spans at most 2^16 ticks, so when the cursor enters it the hint and the
     * cursor give the whole tick, and {@link #cascade} re-files the timer without loading its record (the one
     * cache miss per timer a cascade otherwise costs). Invariant: the hinted tick lies in the bucket's range and
     * at or before the timer's deadline; a lazy re-arm later leaves it stale-earlier, which is safe (the timer is
     * re-filed when the level-0 bucket reads its record, as the lazy re-arm does anyway), and every move earlier
     * that keeps the timer in its bucket lowers it. Only the hints of level-1 and level-2 entries are ever read: a
     * level-1 cascade leaves those of the level-0 entries it writes unwritten ({@link #appendSlot}).
     */
    private short[][] hintPages = new short[4][];
    /** Per chunk: the list it belongs to (at index 2c) and the next chunk of that list or of the free chunks. */
    private int[] chunkLinks = new int[2 << (ENTRY_PAGE_SHIFT - CHUNK_SHIFT)];
    private int allocatedChunks;
    private int freeChunk = NIL;

    private long currentTime;
    /** Every tick before this one has been processed. */
    private long cursorTick;
    /** startTime + cursorTick * tickDuration, or Long.MAX_VALUE when that is not representable. */
    private long cursorStartTime;
    private boolean advancing;
    /**
     * A lower bound of the deadlines in OVERDUE (Long.MIN_VALUE when unknown): an advance to a time before it
     * skips the list, so that timers of the current tick waiting to become due are not re-filed by every
     * sub-tick advance. Lowered by every timer filed there; recomputed by every full pass over the list.
     */
    private long overdueMin = Long.MAX_VALUE;
    /** Scratch for cascade: the deadlines of one chunk. */
    private final long[] batch = new long[CHUNK_SIZE];
    /**
     * Scratch for cascade: the new positions of one chunk's timers, either copied over the chunk (which becomes a
     * forwarding table) or written to the timers' records, in a loop of independent stores.
     */
    private final int[] batchPositions = new int[CHUNK_SIZE];
    /**
     * Forwarding chunks of level-1 cascades, by the parity of the range's number (linked through the chunks' next
     * fields). A level-1 cascade may re-file its timers into level 0 without touching their records (see
     * {@link #cascade}), so a record's POS still names its entry in the cascaded chunk, which is kept and holds the
     * new position. Every timer of range r has fired or moved (writing its POS) once the level-0 bucket of the
     * range's last tick has been expired, so range r's chunks are released as soon as that expiry returns (or
     * throws), or at the end of the poll that moved the cursor past the range, or by the cascade of range r + 2;
     * never by r + 1's, which runs before the last tick of range r is fired (moveCursor precedes expire), while
     * callbacks may still cancel through them. So at most two ranges' tables live at once: the second only until
     * the first's last tick has been expired or, when that tick's bucket was empty, until the poll ends or the
     * cascade of range r + 2 (both sets count against the one bound, so memory stays bounded either way). After an
     * error inside the wheel itself (a chunk's allocation failing mid-cascade) the end-of-poll release may free a
     * range whose last tick was not yet expired; a partial cascade has already lost timers then, so the wheel is
     * not to be used after such an error.
     */
    private final int[] forwardChunks = {NIL, NIL};
    /** The range number (tick >>> 8) whose forwarding chunks {@link #forwardChunks} holds at each parity, or -1. */
    private final long[] forwardRange = {-1, -1};
    /** Entries held in forwarding chunks, per parity. */
    private final int[] forwardEntries = new int[2];
    /**
     * The lowest {@link #forwardRange} of a parity that holds forwarding chunks, or Long.MAX_VALUE when neither
     * does: {@link #releasePassedForwarding}, called after every tick fired, has nothing to release while the
     * cursor's range is at or before it, and then tests this one field (a simulator's microsecond ticks release
     * once every 256 of them).
     */
    private long forwardHeldFrom = Long.MAX_VALUE;
    /** Timers re-filed by a cascade from their tick hint (record not read) and from their record: for tests. */
    private long cascadedFromHint;
    private long cascadedFromRecord;
    /** Records a cascade wrote (their new position): every cascaded timer but the forwarded ones. For tests. */
    private long cascadeRecordWrites;
    /**
     * Per level-0 bucket: whether a cascade may have filed timers into it since it was last expired. Such timers'
     * records were last touched at least 256 ticks before (up to 65 s at 1 ms), so {@link #expire} prefetches them
     * ({@link #touchRecords}); the records of timers armed straight into level 0 were touched within the last 256
     * ticks, and a bucket holding only those (a burst armed for the next tick) is fired without the prefetch, whose
     * loads would only cost there. Set for every bucket by each cascade (any level may file into level 0; marking
     * the buckets one by one cost the drain a store per timer), cleared when the bucket is expired. A bucket of one
     * timer is never prefetched ({@link #expireOne}): the firing loads that record at once, so the prefetch would
     * only move its miss.
     */
    private final boolean[] cascadedInto = new boolean[BUCKETS_PER_LEVEL];
    /** Receives the loads of {@link #touchCascadedChunks} and {@link #touchLevel0Fronts}; never read. */
    private int cascadeSink;
    /** Receives the loads of {@link #touchRecords}; never read. */
    private int touchSink;

    private TimerWheel(final Builder builder)
    {
        timeUnit = builder.timeUnit;
        startTime = builder.startTime;
        tickDuration = builder.tickDuration;
        tickShift = Long.bitCount(tickDuration) == 1 ? Long.numberOfTrailingZeros(tickDuration) : -1;
        maxCapacity = builder.maxCapacity;
        lazyRearm = builder.lazyRearm;
        callerAssignedSlots = builder.callerAssignedSlots;
        scheduleLimit = callerAssignedSlots ? 0 : maxCapacity;
        // Long.MAX_VALUE - startTime overflows for a negative start, but is exact read as unsigned.
        lastRepresentableTick = Long.divideUnsigned(Long.MAX_VALUE - startTime, tickDuration);
        lastTime = startTime >= 2 ? Long.MAX_VALUE : startTime + (Long.MAX_VALUE - 1);

        Arrays.fill(frontChunk, NIL);
        currentTime = startTime;
        cursorTick = 0;
        cursorStartTime = startTime;
        farStartTime = startTimeOfTick(FAR_TICKS);

        final int initialPages = Math.max(1, (builder.initialCapacity + PAGE_MASK) >>> PAGE_SHIFT);
        pages = new int[Math.max(4, initialPages)][];
        for (int i = 0; i < initialPages; i++)
        {
            allocatePage(false);
        }
        if (!callerAssignedSlots)
        {
            // Each page is linked in front of the list, so they are linked last page first, once each: slots are then
            // taken in order, the first page first (a caller arming a batch fills records, and their cache lines, one
            // after another). Linking in addPage and relinking here wrote every POS twice: at a large initial
            // capacity, billions of stores at build time.
            for (int i = initialPages - 1; i >= 0; i--)
            {
                linkFreePage(i, false);
            }
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
     *                 past is allowed: the timer fires at the next {@link #poll}.
     * @param payload  any value; handed back to the {@link TimerHandler}.
     * @return the timer's handle, never {@link #NULL_HANDLE}.
     * @throws IllegalArgumentException if the deadline lies {@code Long.MAX_VALUE} units or more after the
     *                                  start time, where ticks would overflow.
     * @throws TimerCapacityException   if the wheel already holds its maximum number of timers.
     * @throws IllegalStateException    if the wheel was built with {@link Builder#callerAssignedSlots(boolean)}:
     *                                  then the caller names the slot ({@link #armSlot}).
     */
    public long arm(final long deadline, final long payload)
    {
        // One test, out of line, for the four rare cases: a deadline that would overflow, a full wheel (or one whose
        // caller assigns the slots), an empty free list, which takes a page of fresh slots once per 8,192 slots
        // (addPage links them into the list, so every slot comes from it), and a deadline at least FAR_TICKS ahead,
        // whose slot comes from the far pages (farFreeSlot). arm's compiled code must stay under the
        // size (InlineSmallCode, 2,500 bytes) past which a caller compiled after it no longer inlines it, and each
        // rare case compiled in line costs about 60 bytes of deoptimization stub; with a second path for fresh
        // slots (taken on every call while a wheel is filled up front) arm outgrew that size, and every caller paid
        // a call and the reloads of the wheel's fields after it. The non-short-circuit ors keep it one branch.
        final int slot = freeSlot;
        if ((deadline > lastTime) | (timerCount >= scheduleLimit) | (slot == NIL) | (deadline >= farStartTime))
        {
            return armRarely(deadline, payload);
        }
        final int[] page = pages[slot >>> PAGE_SHIFT];
        final int at = (slot & PAGE_MASK) * RECORD_INTS;
        // A free slot links the next through its POS and keeps its next generation negated (a fresh one: 0, so
        // generation 1). The generation stays in a register for the handle: reading it back from the record would
        // wait for the store just made, on the path from one operation to the next.
        freeSlot = page[at + POS];
        freeCount--;
        final int gen = Math.max(1, -page[at + GEN]);
        page[at + GEN] = gen;
        return fill(slot, page, at, gen, deadline, payload);
    }

    /**
     * The rare cases of {@link #arm}, out of line: refuses a deadline that would overflow, or a wheel that holds
     * its most timers or whose caller assigns the slots; otherwise arms the timer in a slot of its list (the far
     * pages' for a deadline at least {@link #FAR_TICKS} ahead); when that list is empty, in a slot of the other list
     * if it holds more than a page of free slots, else in a page of fresh slots added to the empty list (or, at the
     * capacity, in any free slot there is).
     *
     * @return the timer's handle.
     */
    private long armRarely(final long deadline, final long payload)
    {
        checkTime(deadline, "deadline");
        if (timerCount >= scheduleLimit) // one test for both refusals
        {
            if (callerAssignedSlots)
            {
                throw new IllegalStateException("this wheel's slots are assigned by its caller: use armSlot");
            }
            throw new TimerCapacityException(maxCapacity);
        }
        // timerCount < maxCapacity here, and the slot of a timer whose callback runs is not counted: the wheel may
        // hold maxCapacity + 1 slots in use, never more (one callback runs at a time). A list that is empty borrows
        // a slot of the other list when that one holds more than a page of free slots (the borrowed slot goes back
        // to its own page's list), and adds a page only otherwise: while the pages hold fewer slots than the
        // capacity, or, at the capacity, when both lists are empty (a callback's slot, as with one list). So a page
        // is added only while at most PAGE_SIZE slots are free in all: the S slots before it then hold at most
        // U - 1 + PAGE_SIZE, U the slots in use once this timer has its slot, and the S + PAGE_SIZE after it, a
        // multiple of PAGE_SIZE, at most U rounded up to a page plus one page. So the pages never exceed the most
        // slots ever in use at once rounded up to a page, plus one page (or the initial capacity rounded up, if
        // that is more), nor the capacity rounded up plus one page: two lists cost no more than one list did.
        // "More than" rather than "at least" a page: a default wheel's first page, untouched, is not lent to a far
        // timer (which would sit among the busy timers' slots); the bound is the same either way.
        // Without the borrowing, a slot freed by one kind was never taken by the other and the pages grew to the
        // peak near slots plus the peak far slots (a million near timers, then a million far ones: twice the pages).
        final boolean far = deadline >= farStartTime;
        if (far ? farFreeSlot == NIL : freeSlot == NIL)
        {
            final int otherFree = far ? freeCount : farFreeCount;
            if (otherFree <= PAGE_SIZE && (allocatedSlots < maxCapacity || otherFree == 0))
            {
                linkFreePage(allocatePage(far), far);
            }
        }
        int slot = far ? farFreeSlot : freeSlot;
        if (slot == NIL)
        {
            slot = far ? freeSlot : farFreeSlot; // borrowed: the other list holds more than a page, or the capacity
        }
        final int[] page = pages[slot >>> PAGE_SHIFT];
        final int at = (slot & PAGE_MASK) * RECORD_INTS;
        if (slot == freeSlot)
        {
            freeSlot = page[at + POS];
            freeCount--;
        }
        else
        {
            farFreeSlot = page[at + POS];
            farFreeCount--;
        }
        final int gen = Math.max(1, -page[at + GEN]);
        page[at + GEN] = gen;
        return fill(slot, page, at, gen, deadline, payload);
    }

    /**
     * Fills a slot just taken (its generation {@code gen} already live) and files it: the end of both ways to arm.
     */
    private long fill(final int slot, final int[] page, final int at, final int gen, final long deadline,
        final long payload)
    {
        writeDeadline(page, at, deadline);
        page[at + PAYLOAD_HIGH] = (int)(payload >>> 32);
        page[at + PAYLOAD_LOW] = (int)payload;
        fileArmed(slot, page, at, deadline);
        timerCount++;
        return handle(gen, slot);
    }

    /**
     * {@link #file} for a timer just armed, in line but for the timers of ticks already processed (OVERDUE, through
     * {@link #file}). This keeps arm's compiled code small (see arm): appending through appendSlot alone, C2
     * compiled the chunk's allocation in line and the rest of the append twice, once after each branch; it did
     * so again, in a copy of file, when a second path took the appends that need a new chunk, since a wheel filled
     * up front takes one every 64 timers (the profile arm is compiled with). Here the append is written once, in a
     * loop that first makes room in the list's front chunk: its tests are those appendSlot makes, on the same
     * loads, so C2 folds appendSlot's as decided.
     */
    private void fileArmed(final int slot, final int[] page, final int at, final long deadline)
    {
        // Meaningless for a deadline before the start time, where the first test fails; the second fails only when
        // cursorStartTime saturated at Long.MAX_VALUE. Non-short-circuit: one branch.
        final long tick = tickOf(deadline);
        if ((deadline >= cursorStartTime) & (tick >= cursorTick))
        {
            final int list = listForTick(tick);
            while (frontCount[list] == CHUNK_SIZE || frontChunk[list] == NIL)
            {
                takeFrontChunk(list); // once at most
            }
            page[at + POS] = appendEntry(list, slot, (short)tick);
            return;
        }
        file(slot, page, at, deadline);
    }

    /**
     * Gives a list whose front chunk is full (or that has none) a new, empty, front chunk, as {@link #appendSlot}
     * does before it appends: the full one (or NIL) is linked behind it. The list's count is 0 until the append
     * that follows at once.
     */
    private void takeFrontChunk(final int list)
    {
        final int full = frontChunk[list];
        final int chunk = acquireChunk();
        chunkLinks[2 * chunk] = list;
        chunkLinks[2 * chunk + 1] = full;
        frontChunk[list] = chunk;
        frontCount[list] = 0;
    }

    /**
     * Cancels a timer.
     *
     * @param handle a handle from {@link #arm}, or any other value.
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
        final int pos = page[at + POS];
        if (pos == DETACHED)
        {
            return false;
        }
        removeEntry(resolve(pos));
        releaseSlot(slot, page, at, (int)(handle >>> 32)); // liveSlot checked that the record holds this generation
        timerCount--;
        return true;
    }

    /**
     * Re-arms a live timer for a new deadline, keeping its handle and payload: the RTO restart on every ACK. A
     * callback may re-arm the timer it is called for, which arms it again (a periodic timer).
     *
     * @param handle   the handle of a live timer, or of the timer whose callback is running; any other value is
     *                 answered {@code false} and changes nothing.
     * @param deadline the new absolute deadline; earlier or later than the old one.
     * @return {@code true} if the timer is now armed for {@code deadline}; {@code false} if the handle names no live
     * timer (it fired, was cancelled, or was never issued): stale handles are answered, never obeyed.
     * @throws IllegalArgumentException if the deadline would overflow; the wheel is unchanged.
     */
    public boolean rearm(final long handle, final long deadline)
    {
        checkTime(deadline, "deadline");
        final int slot = liveSlot(handle);
        if (slot < 0)
        {
            return false;
        }
        final int[] page = pages[slot >>> PAGE_SHIFT];
        final int at = (slot & PAGE_MASK) * RECORD_INTS;
        final int recordedPos = page[at + POS];
        final long oldDeadline = readDeadline(page, at);
        // Later, and filed in a bucket (POS is an entry, never DETACHED, which is negative, and the old deadline's
        // tick not yet processed): the bucket is at or before the old deadline's tick, so also at or before the new
        // deadline, and re-files the timer when reached. One cache line touched: the RTO restart on every ACK.
        // Non-short-circuit ands: one branch, whose other side is a call. This is all of rearm that is compiled
        // into its callers: with the earlier paths in line (the bucket test, the move and the list code under it)
        // rearm compiled to 6.6 KB, past InlineSmallCode (2,500 bytes), and every caller paid a call for the lazy
        // path too (Agrona's cancel and schedule are compiled into the caller whole).
        if (lazyRearm & (recordedPos >= 0) & (deadline >= oldDeadline) & (oldDeadline >= cursorStartTime))
        {
            writeDeadline(page, at, deadline);
            return true;
        }
        rearmFiled(slot, page, at, recordedPos, oldDeadline, deadline);
        return true;
    }

    /**
     * {@link #rearm} of a timer that is not simply moved later in its bucket: moved earlier, or waiting in
     * OVERDUE, or in no list (its callback runs), or with the lazy paths off.
     * <p>
     * Out of line, and kept so: its bytecode (the bucket test and the move written out here, rather than called)
     * is longer than the 325 bytes (FreqInlineSize) up to which C2 inlines a hot method, so C2 never compiles it
     * into rearm, however often it runs (half the re-arms to a random deadline); TimerWheelApiPathTest pins the
     * size. Its callees are small and hot and would be inlined here, so splitting it would undo that.
     *
     * @param recordedPos the timer's POS field.
     * @param oldDeadline the timer's deadline before this call.
     */
    private void rearmFiled(final int slot, final int[] page, final int at, final int recordedPos,
        final long oldDeadline, final long deadline)
    {
        if (recordedPos == DETACHED)
        {
            rearmDetached(slot, page, at, deadline);
            return;
        }
        writeDeadline(page, at, deadline);
        // the timer's entry: its POS, or where a level-1 cascade's forwarding chunk says it went (resolve)
        final int pos = chunkLinks[2 * (recordedPos >>> CHUNK_SHIFT)] == FORWARDED ?
            entryPages[recordedPos >>> ENTRY_PAGE_SHIFT][recordedPos & ENTRY_PAGE_MASK] : recordedPos;
        final int filedIn = chunkLinks[2 * (pos >>> CHUNK_SHIFT)];
        // The list for the new deadline, relative to the cursor, and its tick for the hint, as file() finds them.
        int list = OVERDUE;
        long tick = 0;
        if (deadline >= cursorStartTime)
        {
            tick = tickOf(deadline);
            final long cursor = cursorTick;
            if (tick >= cursor) // fails only when cursorStartTime saturated at Long.MAX_VALUE
            {
                if (lazyRearm && filedIn < OVERDUE && oldDeadline >= cursorStartTime)
                {
                    // Moved earlier (a later deadline took rearm's own path), filed in a bucket of the wheel (not
                    // OVERDUE, nor the EXPIRING list being fired): it may stay where it is if the bucket's range
                    // starts at or before the new tick, so the bucket is reached, and re-files or fires the timer,
                    // no later than the deadline. At the bucket's level (shift bits a range), the cursor's range
                    // is number cursor >>> shift; the bucket's is the first at or after it whose number modulo 256
                    // is the bucket's index (never the cursor's own above level 0 but while the poll that entered
                    // it has yet to cascade it, and a bucket of the top level never wraps), e ranges ahead; the
                    // new tick's range is d ranges ahead. It stays if d >= e.
                    final int shift = (filedIn >>> BITS_PER_LEVEL) * BITS_PER_LEVEL;
                    final long cursorRange = cursor >>> shift;
                    final long d = (tick >>> shift) - cursorRange;
                    final int e = ((filedIn & BUCKET_MASK) - (int)cursorRange) & BUCKET_MASK;
                    if (d >= e)
                    {
                        // In the bucket's own range (d == e) at level 1 or 2, the hint becomes the new tick, so that
                        // the cascade, which trusts it, files the timer at or before its new deadline (the old hint
                        // may lie after it). A tick past the range keeps the hint, which lies in the range and so
                        // before it. Level 0 and levels 3 and up never read the hint.
                        if (d == e && (shift == BITS_PER_LEVEL || shift == 2 * BITS_PER_LEVEL))
                        {
                            hintPages[pos >>> ENTRY_PAGE_SHIFT][pos & ENTRY_PAGE_MASK] = (short)tick;
                        }
                        return;
                    }
                }
                list = listForTick(tick);
            }
        }
        if (list == OVERDUE && deadline < overdueMin)
        {
            overdueMin = deadline;
        }
        if (list != filedIn)
        {
            removeEntry(pos);
            // appendEntry after making room as fileArmed does, rather than append: the longer bytecode keeps this
            // method past FreqInlineSize (see above)
            while (frontCount[list] == CHUNK_SIZE || frontChunk[list] == NIL)
            {
                takeFrontChunk(list); // once at most
            }
            page[at + POS] = appendEntry(list, slot, (short)tick);
        }
        else
        {
            // Same bucket, moved within its range (or OVERDUE to OVERDUE): it stays where it is, but its tick hint
            // follows, or a move earlier within a level-1 or level-2 bucket would be cascaded to the old tick.
            hintPages[pos >>> ENTRY_PAGE_SHIFT][pos & ENTRY_PAGE_MASK] = (short)tick;
        }
    }

    /** {@link #rearm} from the timer's own callback: it is in no list, and goes back into the wheel. */
    private void rearmDetached(final int slot, final int[] page, final int at, final long deadline)
    {
        writeDeadline(page, at, deadline);
        file(slot, page, at, deadline);
        timerCount++;
    }

    /**
     * @param handle any value.
     * @return {@code true} if the handle names a timer that is armed and has not fired or been cancelled.
     */
    public boolean isArmed(final long handle)
    {
        final int slot = liveSlot(handle);
        return slot >= 0 && pages[slot >>> PAGE_SHIFT][(slot & PAGE_MASK) * RECORD_INTS + POS] != DETACHED;
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

    // ------------------------------------------------------------------------------------------------ caller's slots

    /**
     * Arms a timer in a slot the caller chose, for a wheel built with {@link Builder#callerAssignedSlots(boolean)}.
     * A caller that already numbers its timers (the engine's thread-safe service, whose slot table is indexed the
     * same way) then needs no handle from the wheel: no 8-byte handle per timer to store, no lookup. The other
     * {@code *Slot} methods name the timer by its slot; the handle given to the {@link TimerHandler} still carries
     * the slot in its low 32 bits.
     *
     * @param slot     from 0 to {@code maxCapacity - 1}; must hold no timer (none armed, none whose callback runs).
     * @param deadline as for {@link #arm}.
     * @param payload  as for {@link #arm}; it stays readable by {@link #slotPayload} after the timer fired or was
     *                 cancelled, until the slot is armed again.
     * @return the timer's handle.
     * @throws IllegalStateException    if the wheel numbers its own slots, or the slot holds a timer.
     * @throws IllegalArgumentException if the slot is out of range or the deadline would overflow.
     */
    public long armSlot(final int slot, final long deadline, final long payload)
    {
        checkTime(deadline, "deadline");
        if (!callerAssignedSlots)
        {
            throw new IllegalStateException("this wheel numbers its own slots: use arm");
        }
        if (slot < 0 || slot >= maxCapacity)
        {
            throw new IllegalArgumentException("slot must be in [0, " + maxCapacity + "), was " + slot);
        }
        while (slot >= allocatedSlots)
        {
            addPage();
        }
        final int[] page = pages[slot >>> PAGE_SHIFT];
        final int at = (slot & PAGE_MASK) * RECORD_INTS;
        final int gen = page[at + GEN];
        if (gen > 0)
        {
            throw new IllegalStateException("slot " + slot + " already holds a timer");
        }
        // A slot never used has generation 0; a released one keeps its next generation negated.
        final int liveGen = gen == 0 ? 1 : -gen;
        page[at + GEN] = liveGen;
        return fill(slot, page, at, liveGen, deadline, payload);
    }

    /**
     * {@link #rearm} of the timer in {@code slot}.
     *
     * @param slot     the timer's slot, as given to {@link #armSlot}.
     * @param deadline the new absolute deadline, as for {@link #rearm}.
     * @return {@code true} if the slot's timer is now armed for {@code deadline}; {@code false} if the slot holds no
     * live timer.
     * @throws IllegalArgumentException if the deadline would overflow.
     */
    public boolean rearmSlot(final int slot, final long deadline)
    {
        return rearm(slotHandle(slot), deadline);
    }

    /**
     * {@link #cancel} of the timer in {@code slot}.
     *
     * @param slot the timer's slot, as given to {@link #armSlot}; any other value is answered {@code false}.
     * @return whether this call stopped a timer, which then never fires.
     */
    public boolean cancelSlot(final int slot)
    {
        return cancel(slotHandle(slot));
    }

    /**
     * @param slot any value.
     * @return whether {@code slot} holds a timer that is armed (not fired, not cancelled).
     */
    public boolean isSlotArmed(final int slot)
    {
        return isArmed(slotHandle(slot));
    }

    /**
     * @param slot any value.
     * @return the payload last armed in {@code slot} (live, fired or cancelled: it stays until the slot is armed
     * again), or 0 for a slot never armed or out of range.
     */
    public long slotPayload(final int slot)
    {
        if (slot < 0 || slot >= allocatedSlots) // a slot never armed has generation 0 and payload 0
        {
            return 0;
        }
        final int[] page = pages[slot >>> PAGE_SHIFT];
        final int at = (slot & PAGE_MASK) * RECORD_INTS;
        return ((long)page[at + PAYLOAD_HIGH] << 32) | (page[at + PAYLOAD_LOW] & 0xFFFF_FFFFL);
    }

    /**
     * @param slot any value.
     * @return the deadline of the live timer in {@code slot}, or {@link #NULL_DEADLINE} if it holds none.
     */
    public long slotDeadline(final int slot)
    {
        return deadline(slotHandle(slot));
    }

    /** @return the handle of the timer in {@code slot} (live, or its callback running), or {@link #NULL_HANDLE}. */
    private long slotHandle(final int slot)
    {
        if (slot < 0 || slot >= allocatedSlots) // a slot never armed has generation 0 and payload 0
        {
            return NULL_HANDLE;
        }
        final int gen = pages[slot >>> PAGE_SHIFT][(slot & PAGE_MASK) * RECORD_INTS + GEN];
        return gen > 0 ? handle(gen, slot) : NULL_HANDLE;
    }

    // ------------------------------------------------------------------------------------------------ advancing

    /**
     * Advances the wheel to {@code now} and fires every due timer. Same as
     * {@code poll(now, handler, Integer.MAX_VALUE)}.
     *
     * @param now     the time to advance to, not before {@link #currentTime()}.
     * @param handler receives each fired timer.
     * @return the number of timers fired.
     * @see #poll(long, TimerHandler, int)
     */
    public int poll(final long now, final TimerHandler handler)
    {
        return poll(now, handler, Integer.MAX_VALUE);
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
    public int poll(final long now, final TimerHandler handler, final int limit)
    {
        Objects.requireNonNull(handler, "handler");
        if (limit <= 0)
        {
            throw new IllegalArgumentException("limit must be at least 1, was " + limit);
        }
        if (now < currentTime)
        {
            throw new IllegalArgumentException("cannot poll backwards: now=" + now +
                " is before the wheel's current time " + currentTime);
        }
        if (now == NULL_DEADLINE && timerCount == 0)
        {
            // The idiom poll(max(currentTime(), earliestDeadline())) on an empty wheel: say so, rather than the
            // overflow message checkTime would give.
            throw new IllegalArgumentException("now=NULL_DEADLINE, which earliestDeadline() answers when the wheel " +
                "holds no timer: test earliestDeadline() against TimerWheel.NULL_DEADLINE before polling to it");
        }
        checkTime(now, "now");
        if (advancing)
        {
            throw new IllegalStateException("poll must not be called from an expiry callback");
        }

        advancing = true;
        try
        {
            currentTime = now;
            final long targetTick = tickOf(now);
            int fired = 0;
            if (frontCount[OVERDUE] != 0 && overdueMin <= now)
            {
                fired = expire(OVERDUE, now, handler, limit);
            }

            while (fired < limit)
            {
                final int list = nextList();
                if (list < 0)
                {
                    break;
                }
                final long eventTick = nextListTick;
                if (eventTick > targetTick)
                {
                    break;
                }
                if (list < BUCKETS_PER_LEVEL)
                {
                    fired += expireTick(list, eventTick, now, handler, limit - fired); // level 0: one tick
                }
                else
                {
                    if (eventTick > cursorTick)
                    {
                        moveCursor(eventTick); // the cursor enters the bucket's range: moveCursor cascades it
                    }
                    if (frontCount[list] != 0)
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
            releasePassedForwarding(); // a range whose last tick's bucket was empty, or one jumped over
        }
    }

    /**
     * The earliest time at which a timer may be due: an event-driven caller sleeps until, or jumps straight to,
     * this time.
     * <p>
     * The answer is exact when the earliest timer is filed on level 0 (up to 256 ticks ahead) and no lazily
     * re-armed timer waits in an earlier bucket. Otherwise it is a lower bound: the start of the tick range of the
     * bucket holding the earliest timers, or, for timers of ticks already processed (armed in the past, or due
     * later in the current tick), a bound kept as they are filed. The call is O(levels) plus the length of one
     * level-0 bucket, plus the length of the list of those timers when a cancel left their bound stale. With a
     * tick of one time unit (a simulator's microsecond; a millisecond wheel at a 1 ms tick too) the level-0 bucket
     * is not read, unless its tick is the wheel's current one, not yet processed (the first tick, or the one a
     * {@code poll} stopped early in), which is scanned so that the answer stays ahead of now when nothing is due.
     * Otherwise the tick is a single instant, at or before each of its timers' deadlines (every timer is filed
     * at or before its deadline), so the tick's start is the exact answer when the bucket holds the earliest
     * timer, and a lower bound when it holds only lazily re-armed ones, as above. A lower bound lies after
     * {@link #currentTime()} unless a timer is already due or the last {@code poll} stopped early (its limit, or
     * a callback that threw) with work left up to now. Either
     * way a caller that repeatedly advances to {@code max(currentTime(), earliestDeadline())} always makes
     * progress, and reaches the earliest timer within a few steps (one per level the timer cascades through).
     *
     * <pre>{@code
     * for (long next; (next = wheel.earliestDeadline()) != TimerWheel.NULL_DEADLINE; )
     * {
     *     wheel.poll(Math.max(wheel.currentTime(), next), handler); // a simulator jumps from deadline to deadline
     * }
     * }</pre>
     *
     * @return a time at or before the earliest deadline of the armed timers; at or before {@link #currentTime()}
     * if one is due now; {@link #NULL_DEADLINE} if the wheel holds no timer, which is no time to poll to: test for
     * it, as above. {@code NULL_DEADLINE} is {@link Long#MAX_VALUE}, so it is also the answer, exact, when the
     * earliest timer is due at {@code Long.MAX_VALUE}: the loop above then stops with that timer armed
     * ({@link #timerCount()} tells the two apart; {@link #pollEarliest} fires it).
     */
    public long earliestDeadline()
    {
        long earliest = NULL_DEADLINE;
        if (frontCount[OVERDUE] != 0)
        {
            // Overdue timers precede every timer in a bucket: their ticks are before the cursor.
            if (overdueMin <= currentTime)
            {
                // Something is due, or a cancel (or an interrupted pass) left the bound low: make it exact, so a
                // caller that sleeps until the answer is not woken for nothing.
                overdueMin = minDeadline(OVERDUE);
            }
            return frontCount[EXPIRING] == 0 ? overdueMin : Math.min(overdueMin, minDeadline(EXPIRING));
        }
        if (frontCount[EXPIRING] != 0)
        {
            earliest = minDeadline(EXPIRING);
        }
        final int list = nextList();
        if (list >= 0)
        {
            final long startTick = nextListTick;
            earliest = Math.min(earliest, list < BUCKETS_PER_LEVEL ?
                bucketDeadline(list, startTick) : startTimeOfTick(startTick));
        }
        return earliest;
    }

    /**
     * Advances the wheel to the earliest deadline of its timers, if that lies at or before {@code until}, and
     * fires every timer due then: one step of an event-driven caller, such as a discrete-event simulator that jumps
     * from deadline to deadline and handles each instant's events before it looks for the next. It fires what
     * the loop {@code for (long next; (next = earliestDeadline()) != NULL_DEADLINE && next <= until; ) if
     * (poll(max(currentTime(), next), handler) > 0) break;} fires, in the same order, without searching the
     * wheel three times per step (earliestDeadline's search, then poll's search for the bucket and for the one
     * after it): the level-0 bucket it finds is fired at once. One difference: a timer due at
     * {@link Long#MAX_VALUE}, whose deadline earliestDeadline answers as {@link #NULL_DEADLINE}, stops that loop as
     * an empty wheel would; this method tells the two apart by {@link #timerCount()} and, with {@code until}
     * {@code Long.MAX_VALUE}, fires it, the wheel's time then {@code Long.MAX_VALUE}.
     * <p>
     * Guarantees, for the timers armed when the call begins:
     * <ul>
     *   <li><b>Never early, never past a deadline.</b> The wheel's time moves to
     *       {@code max(currentTime(), d)}, where {@code d} is the earliest deadline, and no further: every timer
     *       fired has its deadline at that time, or was already due when the call began (armed in the past, or
     *       left due by a {@code poll} that stopped early). So a caller fires each instant's timers in one call,
     *       with zero lateness, and reads the instant from {@link #currentTime()}.</li>
     *   <li><b>Nothing due is left behind.</b> When the call returns, every timer whose deadline is at or before
     *       {@link #currentTime()} has fired, as after {@link #poll(long, TimerHandler)}.</li>
     *   <li><b>The limit.</b> If the earliest deadline lies after {@code until}, or the wheel is empty, nothing
     *       fires and 0 is answered. The wheel's time may still have moved forward, never past {@code until}:
     *       {@link #earliestDeadline()} may be a lower bound (a lazily re-armed timer waits in an earlier bucket,
     *       or the earliest timer lies more than 256 ticks ahead), and the wheel advances to it to re-file or
     *       cascade those timers, as that loop would. A later call continues from there.</li>
     * </ul>
     * Timers that callbacks arm for a deadline at or before the new time fire at the next call, as for
     * {@code poll}: one call fires one instant. Cost, when no timer is overdue (none armed for a tick already
     * processed: in the past, at the current time, as a zero-delay arm from a callback is, or left by a
     * {@code poll} that stopped early) and the first bucket the cursor reaches is a level-0 bucket holding a timer
     * due in its tick: one search of the occupancy bitmaps and the fired bucket's timers. The bucket is not read
     * before it fires when the tick is one time unit (a simulator's microsecond, a millisecond wheel at a 1 ms
     * tick) and is not the wheel's current, unprocessed tick, since its tick is then a single instant (see
     * {@link #earliestDeadline()}); otherwise its deadlines are scanned once first, as {@code earliestDeadline}
     * does. In every other case (overdue timers, the earliest ones on an upper level, a bucket holding only
     * lazily re-armed timers) the step is the loop above, {@code earliestDeadline} then {@code poll}, until a
     * timer fires.
     * <p>
     * If the handler throws, the timer it was called for counts as fired, the exception leaves this method, and
     * the wheel is consistent: every other timer due at that time is still armed and fires at the next call (of
     * this method or of {@code poll}). Nothing is lost and nothing fires twice.
     *
     * <pre>{@code
     * while (wheel.pollEarliest(untilUs, batch) > 0)
     * {
     *     batch.handle(wheel.currentTime()); // every timer of this instant, in an order of the caller's choosing
     * }
     * }</pre>
     *
     * @param until   the latest time to advance to, not before {@link #currentTime()}; {@link Long#MAX_VALUE}
     *                for no limit.
     * @param handler receives each fired timer.
     * @return the number of timers fired, at least 1 unless no timer is due at or before {@code until}.
     * @throws IllegalArgumentException if {@code until} is before the current time.
     * @throws IllegalStateException    if called from an expiry callback.
     */
    public int pollEarliest(final long until, final TimerHandler handler)
    {
        Objects.requireNonNull(handler, "handler");
        if (until < currentTime)
        {
            throw new IllegalArgumentException("until=" + until + " is before the wheel's current time " +
                currentTime);
        }
        if (advancing)
        {
            throw new IllegalStateException("pollEarliest must not be called from an expiry callback");
        }
        while (true)
        {
            // Nothing in OVERDUE (EXPIRING is empty outside a poll): the earliest timers are in the bucket the
            // cursor reaches first. If that is a level-0 bucket, its single tick is the next instant.
            if (frontCount[OVERDUE] == 0)
            {
                final int list = nextList();
                if (list < 0)
                {
                    return 0;
                }
                if (list < BUCKETS_PER_LEVEL)
                {
                    final long tick = nextListTick;
                    final long time = bucketDeadline(list, tick);
                    if (time > until)
                    {
                        return 0;
                    }
                    // time > currentTime: the cursor is not behind the wheel's time (a poll stopped early leaves
                    // it so); time before the next tick's start: the bucket's deadlines lie in its own tick (not
                    // only lazily re-armed timers, which a poll to the next tick's start would re-file together
                    // with that tick's bucket). Otherwise the general step below does what poll would.
                    if (time > currentTime && time < startTimeOfTick(tick + 1))
                    {
                        final int fired = fireTick(list, tick, time, handler);
                        if (fired > 0)
                        {
                            return fired;
                        }
                        continue; // only lazily re-armed timers, now re-filed by their deadlines
                    }
                }
            }
            final long next = earliestDeadline();
            if (next > until || (next == NULL_DEADLINE && timerCount == 0))
            {
                return 0;
            }
            // earliestDeadline's contract: each such step makes progress, and the earliest timer is reached in a
            // few (one per level it cascades through)
            final int fired = poll(Math.max(currentTime, next), handler);
            if (fired > 0)
            {
                return fired;
            }
        }
    }

    // ------------------------------------------------------------------------------------------------ accessors

    /** @return the number of armed timers (fired and cancelled ones excluded). */
    public int timerCount()
    {
        return timerCount;
    }

    /** @return the time of the last {@link #poll}, or the start time before the first. */
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

    /**
     * @return the most timers this wheel will hold ({@link Builder#capacity(int)}), as a service's
     * {@code capacity()} is the most it holds.
     */
    public int capacity()
    {
        return maxCapacity;
    }

    /**
     * @return the number of timer slots allocated now. It grows a page at a time, as slots are needed: up to the
     * {@link #capacity()} rounded up to a page, and at most one page more when a callback arms while the wheel is full
     * (the firing timer's slot is not free yet, so capacity + 1 slots are in use).
     */
    public int allocatedCapacity()
    {
        return allocatedSlots;
    }

    /** @return whether a later re-arm only records the deadline (see the class comment). */
    public boolean isLazyRearm()
    {
        return lazyRearm;
    }

    /** @return the timers cascades re-filed from their tick hint, without reading the record, since the start. */
    long cascadedFromHint()
    {
        return cascadedFromHint;
    }

    /** @return the records cascades wrote (a timer's new position), since the wheel was made. */
    long cascadeRecordWrites()
    {
        return cascadeRecordWrites;
    }

    /** @return the timers cascades re-filed after reading their record's deadline, since the wheel was made. */
    long cascadedFromRecord()
    {
        return cascadedFromRecord;
    }

    /** @return where a live timer is filed and where the cursor stands, for test failure messages. */
    String debugState(final long handle)
    {
        final int slot = liveSlot(handle);
        final int recordedPos = pages[slot >>> PAGE_SHIFT][(slot & PAGE_MASK) * RECORD_INTS + POS];
        final int pos = recordedPos >= 0 ? resolve(recordedPos) : recordedPos;
        final int list = pos >= 0 ? chunkLinks[2 * (pos >>> CHUNK_SHIFT)] : -99;
        return "slot=" + slot + " pos=" + pos + " list=" + list + " level=" + (list >>> BITS_PER_LEVEL) + " idx=" +
            (list & BUCKET_MASK) + " cursorTick=" + cursorTick + " deadline=" + deadline(handle) + " tick=" +
            tickOf(deadline(handle)) + " nextList=" + nextList() + " at " + nextListTick;
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
     * sibling removes it through the ordinary path, and so that anything a callback files into {@code list} waits
     * for a later pass instead of extending this one. Entries are taken from the end of the list: a removal by a
     * callback swaps the last entry into the hole, which leaves every entry not yet taken in place.
     */
    private int expire(final int list, final long fireLimit, final TimerHandler handler, final int budget)
    {
        // A level-0 bucket of one timer (a simulator's microsecond ticks: most instants fire one timer) is fired in
        // place: the detaching and the prefetch serve only a bucket of several (see expireOne).
        if (list < BUCKETS_PER_LEVEL && frontCount[list] == 1 && chunkLinks[2 * frontChunk[list] + 1] == NIL)
        {
            return expireOne(list, fireLimit, handler);
        }
        moveList(list, EXPIRING);
        if (list == OVERDUE)
        {
            overdueMin = Long.MAX_VALUE; // recomputed by what is filed back
        }
        // Prefetch the records unless every timer of this level-0 bucket was armed straight into it, within the last
        // 256 ticks: then they are still in cache, as after a burst armed for the next tick (see cascadedInto).
        final boolean prefetch = list >= BUCKETS_PER_LEVEL || cascadedInto[list];
        if (list < BUCKETS_PER_LEVEL)
        {
            cascadedInto[list] = false; // the bucket is empty now: what is filed into it later sets it again
        }
        int fired = 0;
        int touchedChunk = NIL;
        try
        {
            while (fired < budget && frontCount[EXPIRING] != 0)
            {
                final int front = frontChunk[EXPIRING];
                if (prefetch && front != touchedChunk)
                {
                    touchRecords(front, frontCount[EXPIRING]);
                    touchedChunk = front;
                }
                final int slot = popLast(EXPIRING);
                final int[] page = pages[slot >>> PAGE_SHIFT];
                final int at = (slot & PAGE_MASK) * RECORD_INTS;
                final long deadline = readDeadline(page, at);
                if (deadline > fireLimit)
                {
                    file(slot, page, at, deadline); // not due yet, or re-armed later while it waited
                    continue;
                }

                final int gen = page[at + GEN];
                page[at + POS] = DETACHED;
                timerCount--;
                fired++;
                try
                {
                    handler.onExpiry(handle(gen, slot), ((long)page[at + PAYLOAD_HIGH] << 32) |
                        (page[at + PAYLOAD_LOW] & 0xFFFF_FFFFL), deadline);
                }
                finally
                {
                    // Free the slot unless the callback re-armed it (POS no longer DETACHED) or cancelled and
                    // reused it (GEN changed).
                    if (page[at + GEN] == gen && page[at + POS] == DETACHED)
                    {
                        releaseSlot(slot, page, at);
                    }
                }
            }
        }
        finally
        {
            // Budget spent or a callback threw: put back what is left. What came from OVERDUE belongs there
            // still, so it goes back whole, in O(chunks): a drain by small limits must not re-file the rest on
            // every call. A level-0 bucket's leftovers are re-filed by deadline, once: due ones land in OVERDUE
            // (their tick is behind the cursor) and fire at the next advance.
            if (list == OVERDUE && frontCount[EXPIRING] != 0)
            {
                restoreOverdue();
            }
            while (frontCount[EXPIRING] != 0)
            {
                final int slot = popLast(EXPIRING);
                final int[] page = pages[slot >>> PAGE_SHIFT];
                final int at = (slot & PAGE_MASK) * RECORD_INTS;
                file(slot, page, at, readDeadline(page, at));
            }
        }
        return fired;
    }

    /**
     * {@link #expire} of a level-0 bucket that holds exactly one timer (budget at least 1, as always): the timer is
     * taken out of the bucket first, which leaves it empty (keeping its chunk), then fired or re-filed as expire
     * does. It is what expire does for such a bucket without the work that serves a bucket of several: no chunk
     * changes owner (moveList's swap with EXPIRING and its two link writes), no prefetch (whose loads the firing
     * would take at once anyway), no second pass to re-file leftovers. A callback sees the wheel as in expire: the
     * bucket and EXPIRING empty, its own timer in no list; what it files into the bucket (a deadline 256 ticks
     * ahead) waits for the bucket's next turn, as expire's detaching ensures for a bucket of several. If the
     * handler throws, the timer counts as fired and nothing else is left to put back.
     *
     * @return 1 if the timer fired, 0 if it was re-filed (re-armed later lazily while it waited).
     */
    private int expireOne(final int list, final long fireLimit, final TimerHandler handler)
    {
        cascadedInto[list] = false; // the bucket is empty now: what is filed into it later sets it again
        // The one entry, taken as popLast would, without its tests: the list is one chunk (expire checked), which it
        // keeps, emptied, as dropLast leaves an emptied list.
        final int first = frontChunk[list] << CHUNK_SHIFT;
        final int slot = entryPages[first >>> ENTRY_PAGE_SHIFT][first & ENTRY_PAGE_MASK];
        frontCount[list] = 0;
        occupancy[list >>> 6] &= ~(1L << list);
        final int[] page = pages[slot >>> PAGE_SHIFT];
        final int at = (slot & PAGE_MASK) * RECORD_INTS;
        final long deadline = readDeadline(page, at);
        if (deadline > fireLimit)
        {
            file(slot, page, at, deadline); // re-armed later while it waited
            return 0;
        }
        final int gen = page[at + GEN];
        page[at + POS] = DETACHED;
        timerCount--;
        try
        {
            handler.onExpiry(handle(gen, slot), ((long)page[at + PAYLOAD_HIGH] << 32) |
                (page[at + PAYLOAD_LOW] & 0xFFFF_FFFFL), deadline);
        }
        finally
        {
            // as in expire: free the slot unless the callback re-armed it or cancelled and reused it
            if (page[at + GEN] == gen && page[at + POS] == DETACHED)
            {
                releaseSlot(slot, page, at);
            }
        }
        return 1;
    }

    /**
     * Makes the leftovers of an interrupted OVERDUE pass the OVERDUE list again, and appends to it whatever the
     * callbacks filed there meanwhile (usually little). The bound of the list is then unknown.
     */
    private void restoreOverdue()
    {
        moveList(OVERDUE, SPARE);
        moveList(EXPIRING, OVERDUE);
        while (frontCount[SPARE] != 0)
        {
            final int slot = popLast(SPARE);
            append(OVERDUE, slot, pages[slot >>> PAGE_SHIFT], (slot & PAGE_MASK) * RECORD_INTS, (short)0);
        }
        overdueMin = Long.MIN_VALUE;
    }

    /**
     * Re-files every timer of a bucket relative to the cursor, which has just entered the bucket's range. No
     * callback runs, so the chunks are read in place, in order.
     * <p>
     * A bucket of level 1 or 2 spans at most 2^16 ticks, so each entry's tick hint (see {@link #hintPages}) and the
     * cursor, standing at the range's start, give the tick the timer was filed for: it is re-filed from its chunk
     * alone. From level 1, while the forwarding tables hold at most an eighth of the slots in use
     * ({@link #FORWARD_SHIFT}), its record is not touched at all: the chunk is kept as a forwarding table of the new
     * positions ({@link #forwardChunks}); past that bound, and from level 2, the new positions are written, in a loop
     * of independent stores that do not stall as loads would. A timer whose deadline was moved later since it was
     * filed (a lazy re-arm) is re-filed by its old tick, still at or before its deadline; the level-0 bucket that
     * fires it reads its record and re-files it then. Higher levels (deadlines more than 65 s ahead at 1 ms) read each record's
     * deadline instead: the records they name are independent loads that the processor overlaps, unlike the
     * dependent loads of walking a linked list.
     */
    private void cascade(final int list)
    {
        int chunk = frontChunk[list];
        int count = frontCount[list];
        frontChunk[list] = NIL;
        frontCount[list] = 0;
        occupancy[list >>> 6] &= ~(1L << list);
        final int shift = (list >>> BITS_PER_LEVEL) * BITS_PER_LEVEL;
        final long cursor = cursorTick;
        // The hint decodes relative to the range's start: the cursor must stand there (it always does; the test
        // keeps a defensive call from an unexpected cursor correct), and the range's ticks must have start times.
        final boolean hinted = shift <= 2 * BITS_PER_LEVEL && (cursor & ((1L << shift) - 1)) == 0 &&
            ((int)(cursor >>> shift) & BUCKET_MASK) == (list & BUCKET_MASK) && cursorStartTime != Long.MAX_VALUE;
        // Level 1 may forward: its timers all fire or move within the range just entered, whose last expiry
        // releases the chunks (see forwardChunks).
        final boolean forward = hinted && shift == BITS_PER_LEVEL;
        Arrays.fill(cascadedInto, true); // once a cascade: cheaper than marking the buckets it fills one by one
        final int forwardSet = (int)(cursor >>> BITS_PER_LEVEL) & 1;
        if (forward)
        {
            releaseForwarding(forwardSet);
            forwardRange[forwardSet] = cursor >>> BITS_PER_LEVEL;
        }
        // The memory bound (FORWARD_SHIFT): a chunk is forwarded only while the forwarding chunks then hold at
        // most an eighth as many entries as there are slots in use; past it, the positions are written as level 2
        // does. Exact, not statistical: checked before each chunk (no page is added during a cascade). Slots
        // allocated, capped at the capacity plus the one a callback may hold, so chunkBound's count still holds.
        final int forwardLimit = forwardSlots() >>> FORWARD_SHIFT;
        int nextChunk = hinted && chunk != NIL ? chunkLinks[2 * chunk + 1] : NIL;
        // A level-1 bucket of at most MARK_CHUNKS chunks (a simulator's microsecond ticks cascade a few dozen timers
        // every 256 ticks) sets the occupancy bits of the buckets it fills from its chunks' hints, a second pass over
        // them in cache, rather than by markLevel0Occupancy's scan of all 256 buckets' counts; a larger one is
        // marked by the scan, once (the chunks it marked first are then marked twice, harmlessly).
        int chunksFiled = 0;
        if (nextChunk != NIL)
        {
            // A bucket of several chunks: load each of its chunks' lines first (see touchCascadedChunks), and before
            // a large level-1 cascade the level-0 chunks it will fill (see touchLevel0Fronts).
            final int chunks = touchCascadedChunks(chunk);
            if (forward && chunks > MARK_CHUNKS)
            {
                touchLevel0Fronts();
            }
        }
        while (chunk != NIL)
        {
            // Timers land in lower levels, never in this list, so the chunk is not written while it is read.
            final int first = chunk << CHUNK_SHIFT;
            final int[] entries = entryPages[first >>> ENTRY_PAGE_SHIFT];
            final int base = first & ENTRY_PAGE_MASK;
            if (hinted)
            {
                // The walk of the chunks, one link ahead: the link of the next chunk is loaded before this chunk's
                // work, whose time its cache miss then overlaps, where loaded after it the walk waited for one miss
                // per chunk. (No chunk's link is written before the walk has read it: forwarding rewrites the link
                // of the chunk just filed.)
                final int next = nextChunk;
                nextChunk = next != NIL ? chunkLinks[2 * next + 1] : NIL;
                final short[] hints = hintPages[first >>> ENTRY_PAGE_SHIFT];
                final int[] positions = batchPositions;
                if (shift == BITS_PER_LEVEL)
                {
                    // Level 1: the cursor stands at the range's start, a multiple of 256, and the hinted tick lies
                    // in the range, so it is the level-0 bucket its low 8 bits name (what listForTick would say).
                    // Each entry is appended as appendSlot does, without the hint (level 0 never reads one) and
                    // without the occupancy bit, which the pass after this loop sets for the first MARK_CHUNKS chunks
                    // and markLevel0Occupancy once the cascade is done if it held more (nothing reads the bits
                    // during a cascade). The loop is written here, not in a method of its own: the JIT compiles a
                    // method by its own counters, invocations plus loop back-edges, and cascade runs once per 256
                    // ticks. With the loop in a callee, cascade counted one back-edge per chunk of 64 timers, so it ran
                    // interpreted through the first two drains of a million timers (and would again after any
                    // deoptimization), where with the loop here it counts one per timer and is compiled within the
                    // first drain.
                    // Two passes: first each entry's new position (the hint, the bucket's front and count), then the
                    // copies of the slot ids to those positions. In one pass, each entry's store waited on a chain
                    // of dependent loads (hint, front and count, then the entry page its position names, then that
                    // page's length for the bounds check) that kept the processor from running ahead to the next
                    // entries: 7.6 ns an entry in cache in a model of this loop, 4.5 ns in two passes, as fast as
                    // one pass into a single flat array. The page is read once the chunks are taken, since
                    // acquireChunk may add a page.
                    final int[] fronts = frontChunk;
                    final int[] counts = frontCount;
                    for (int i = 0; i < count; i++)
                    {
                        final int bucket = hints[base + i] & BUCKET_MASK;
                        int front = fronts[bucket];
                        int used = counts[bucket];
                        if (used == CHUNK_SIZE || front == NIL)
                        {
                            final int full = front;
                            front = acquireChunk();
                            chunkLinks[2 * front] = bucket;
                            chunkLinks[2 * front + 1] = full;
                            fronts[bucket] = front;
                            used = 0;
                        }
                        counts[bucket] = used + 1;
                        positions[i] = (front << CHUNK_SHIFT) + used;
                    }
                    final int[][] store = entryPages; // read after the chunks are taken: acquireChunk may add a page
                    for (int i = 0; i < count; i++)
                    {
                        final int pos = positions[i];
                        store[pos >>> ENTRY_PAGE_SHIFT][pos & ENTRY_PAGE_MASK] = entries[base + i];
                    }
                    if (++chunksFiled <= MARK_CHUNKS)
                    {
                        final long[] bits = occupancy;
                        for (int i = 0; i < count; i++)
                        {
                            final int bucket = hints[base + i] & BUCKET_MASK;
                            bits[bucket >>> 6] |= 1L << bucket;
                        }
                    }
                }
                else
                {
                    for (int i = 0; i < count; i++)
                    {
                        final short hint = hints[base + i];
                        // the one tick of [cursor, cursor + 2^16) whose low 16 bits are the hint
                        final long tick = cursor + ((hint - (int)cursor) & 0xFFFF);
                        positions[i] = appendEntry(listForTick(tick), entries[base + i], hint);
                    }
                }
                cascadedFromHint += count;
                if (forward && forwardEntries[0] + forwardEntries[1] + count <= forwardLimit)
                {
                    // The chunk becomes the forwarding table: the records are not touched at all.
                    System.arraycopy(positions, 0, entries, base, count);
                    chunkLinks[2 * chunk] = FORWARDED;
                    chunkLinks[2 * chunk + 1] = forwardChunks[forwardSet];
                    forwardChunks[forwardSet] = chunk;
                    forwardHeldFrom = Math.min(forwardHeldFrom, forwardRange[forwardSet]);
                    forwardEntries[forwardSet] += count;
                }
                else
                {
                    // Level 2 (a table kept 65 s would cost memory), or level 1 past the forwarding bound: write the
                    // positions, in a loop of independent stores that do not stall as loads would.
                    for (int i = 0; i < count; i++)
                    {
                        final int slot = entries[base + i];
                        pages[slot >>> PAGE_SHIFT][(slot & PAGE_MASK) * RECORD_INTS + POS] = positions[i];
                    }
                    cascadeRecordWrites += count;
                    releaseChunk(chunk);
                }
                chunk = next;
                count = CHUNK_SIZE;
                continue;
            }
            cascadedFromRecord += count;
            cascadeRecordWrites += count;
            // Two passes: first gather the deadlines, a loop of independent loads whose cache misses overlap; then
            // file, from cache. Filing straight away stalls on each miss, because where a timer is appended
            // depends on its deadline and the next append may touch the same bucket.
            final long[] deadlines = batch;
            for (int i = 0; i < count; i++)
            {
                final int slot = entries[base + i];
                deadlines[i] = readDeadline(pages[slot >>> PAGE_SHIFT], (slot & PAGE_MASK) * RECORD_INTS);
            }
            for (int i = 0; i < count; i++)
            {
                final int slot = entries[base + i];
                file(slot, pages[slot >>> PAGE_SHIFT], (slot & PAGE_MASK) * RECORD_INTS, deadlines[i]);
            }
            final int next = chunkLinks[2 * chunk + 1];
            releaseChunk(chunk);
            chunk = next;
            count = CHUNK_SIZE;
        }
        if (hinted && shift == BITS_PER_LEVEL && chunksFiled > MARK_CHUNKS)
        {
            markLevel0Occupancy(); // the level-1 filing loop leaves the bits to this, once a cascade of several chunks
        }
    }

    /**
     * Loads every line of a cascaded bucket's chunks, slot ids and tick hints, before the cascade reads them in
     * order. Those lines were last touched when the timers were armed, 256 ticks or more before (the drain's
     * timers, a million of them: seconds of firing before, out of every cache), and a chunk is only four lines of
     * ids and two of hints: too short for the hardware's stream prefetch to run ahead of the cascade, so the
     * cascade waited for them about one miss at a time. These loads are independent of each other (only the walk
     * of the links is a chain, through chunkLinks, which stays in cache), so their misses overlap, and the
     * cascade then finds the chunks in cache. Measured at a million timers under load, each drain beside the
     * previous code's in one JVM: with touchLevel0Fronts and the cascade's two passes, the cascades 14-24% faster
     * (the two orders of the pair), the drain about 5%; this one alone about a quarter off the cascades.
     *
     * @param front the bucket's front chunk.
     * @return the bucket's chunks.
     */
    private int touchCascadedChunks(final int front)
    {
        int sum = 0;
        int chunks = 0;
        for (int chunk = front; chunk != NIL; chunk = chunkLinks[2 * chunk + 1])
        {
            final int first = chunk << CHUNK_SHIFT;
            final int[] entries = entryPages[first >>> ENTRY_PAGE_SHIFT];
            final short[] hints = hintPages[first >>> ENTRY_PAGE_SHIFT];
            final int base = first & ENTRY_PAGE_MASK;
            // one load per 64-byte line: four of 16 ids, two of 32 hints
            sum += entries[base] + entries[base + 16] + entries[base + 32] + entries[base + 48] + hints[base] +
                hints[base + 32];
            chunks++;
        }
        cascadeSink += sum;
        return chunks;
    }

    /**
     * Loads the lines of the front chunks of level 0's buckets, which a level-1 cascade of more than
     * {@link #MARK_CHUNKS} chunks fills in no order: a bucket keeps its chunk when it is fired, 256 ticks before, and
     * its lines have left the cache since (a cascade of a million timers' drain fills 256 of them, a quarter of the
     * cascade's stores). Loaded together here, their misses overlap, where the cascade's stores met them one at a
     * time (measured at a million timers under load: a further fifth off the cascades, noisy). Not for a smaller
     * cascade (a simulator's few dozen timers), which would pay 256 buckets' loads for the few it fills.
     */
    private void touchLevel0Fronts()
    {
        int sum = 0;
        for (int bucket = 0; bucket < BUCKETS_PER_LEVEL; bucket++)
        {
            final int front = frontChunk[bucket];
            if (front != NIL)
            {
                final int first = front << CHUNK_SHIFT;
                final int[] entries = entryPages[first >>> ENTRY_PAGE_SHIFT];
                final int base = first & ENTRY_PAGE_MASK;
                sum += entries[base] + entries[base + 16] + entries[base + 32] + entries[base + 48];
            }
        }
        cascadeSink += sum;
    }

    /**
     * Chunks of a level-1 cascade whose level-0 occupancy bits are set from their hints, one bit per timer; past
     * that, {@link #markLevel0Occupancy} scans the 256 buckets' counts once. Two chunks, 128 timers: about the
     * scan's cost (a load, a shift and an or per timer against a load and a test per bucket).
     */
    static final int MARK_CHUNKS = 2;

    /** Sets the occupancy bits of level 0 from the buckets' counts: exactly the non-empty buckets. */
    private void markLevel0Occupancy()
    {
        for (int word = 0; word < WORDS_PER_LEVEL; word++)
        {
            long bits = 0;
            for (int bit = 0; bit < Long.SIZE; bit++)
            {
                if (frontCount[(word << 6) + bit] != 0)
                {
                    bits |= 1L << bit;
                }
            }
            occupancy[word] = bits;
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
        farStartTime = startTimeOfTick(tick + FAR_TICKS); // past the range (or wrapped): Long.MAX_VALUE
        if ((tick & BUCKET_MASK) == 0)
        {
            final int topLevel = Math.min(LEVELS - 1, Long.numberOfTrailingZeros(tick) / BITS_PER_LEVEL);
            for (int level = topLevel; level >= 1; level--)
            {
                final int list = (level << BITS_PER_LEVEL) |
                    (int)((tick >>> (level * BITS_PER_LEVEL)) & BUCKET_MASK);
                if (frontCount[list] != 0)
                {
                    cascade(list);
                }
            }
        }
    }

    /**
     * Finds the bucket the cursor reaches first and stores the tick at which it does in {@link #nextListTick}.
     * <p>
     * Each level is a circular array: a bucket at or after the cursor's digit is reached in the cursor's current
     * rotation of that level, one before it in the next. Level k is searched only while the best candidate so far
     * lies at or after the start of the cursor's next level-k range, since every level-k bucket begins there or
     * later; so the usual search stops after level 0 or 1.
     *
     * @return the list, or -1 if every bucket is empty.
     */
    private int nextList()
    {
        final long cursor = cursorTick;
        // A level-0 bucket in the cursor's own word, at or after its digit (a simulator's microsecond ticks: the
        // next instant's timer is usually a few ticks ahead): it lies before the start of the cursor's next level-1
        // range, where the loop below would stop after level 0, with this answer.
        final int cursorDigit = (int)cursor & BUCKET_MASK;
        final long near = occupancy[cursorDigit >>> 6] & (-1L << cursorDigit); // shifts are mod 64
        if (near != 0)
        {
            final int index = (cursorDigit & ~(Long.SIZE - 1)) + Long.numberOfTrailingZeros(near);
            nextListTick = cursor + (index - cursorDigit);
            return index;
        }
        int bestList = -1;
        long bestTick = Long.MAX_VALUE;
        for (int level = 0; level < LEVELS; level++)
        {
            final int shift = level * BITS_PER_LEVEL;
            if (level > 0 && bestTick < ((cursor >>> shift) + 1) << shift)
            {
                break;
            }
            final int digit = (int)(cursor >>> shift) & BUCKET_MASK;
            final int wordBase = level * WORDS_PER_LEVEL;
            int index = firstSetBit(wordBase, digit, BUCKETS_PER_LEVEL);
            boolean nextRotation = false;
            if (index < 0)
            {
                index = firstSetBit(wordBase, 0, digit);
                nextRotation = true;
            }
            if (index < 0)
            {
                continue;
            }
            final int rotationShift = shift + BITS_PER_LEVEL;
            long rotation = rotationShift >= Long.SIZE ? 0 : (cursor >>> rotationShift) << rotationShift;
            if (nextRotation)
            {
                rotation += 1L << rotationShift; // never at the top level: its buckets never wrap
            }
            final long tick = Math.max(cursor, rotation | ((long)index << shift));
            if (tick <= bestTick)
            {
                // On a tie the higher level wins: a range must be cascaded before its first tick is fired, or the
                // cursor would step past the range's start without entering it.
                bestTick = tick;
                bestList = (level << BITS_PER_LEVEL) | index;
            }
        }
        nextListTick = bestTick;
        return bestList;
    }

    /** @return the first set bit in [from, to) of the 256-bit occupancy of the level whose first word is given. */
    private int firstSetBit(final int wordBase, final int from, final int to)
    {
        for (int word = from >>> 6; word < WORDS_PER_LEVEL && word << 6 < to; word++)
        {
            long bits = occupancy[wordBase + word];
            if (word == from >>> 6)
            {
                bits &= -1L << from; // shifts are mod 64: the bit offset within the word
            }
            if (bits != 0)
            {
                final int bit = (word << 6) + Long.numberOfTrailingZeros(bits);
                return bit < to ? bit : -1;
            }
        }
        return -1;
    }

    /** Appends a timer to the list its deadline belongs to, relative to the cursor. */
    private void file(final int slot, final int[] page, final int at, final long deadline)
    {
        // The list for the deadline, relative to the cursor, and its tick for the hint, computed once (a division
        // when the tick is not a power of two)
        int list = OVERDUE;
        long tick = 0;
        if (deadline >= cursorStartTime)
        {
            tick = tickOf(deadline);
            if (tick >= cursorTick) // fails only when cursorStartTime saturated at Long.MAX_VALUE
            {
                list = listForTick(tick);
            }
        }
        if (list == OVERDUE && deadline < overdueMin)
        {
            overdueMin = deadline;
        }
        // The hint is only read back for timers in a bucket of level 1 or 2; in OVERDUE it is meaningless.
        append(list, slot, page, at, (short)tick);
    }

    /**
     * @param tick at or after the cursor.
     * @return the bucket a timer for {@code tick} is filed in: the lowest level whose circular array reaches the
     * tick, whose range is fewer than 256 ranges of that level ahead of the cursor's. Never the cursor's own range
     * above level 0 (the level below reaches it), so the bucket is entered, and cascaded, after the timer was filed.
     */
    private int listForTick(final long tick)
    {
        return listForTick(tick, cursorTick);
    }

    /**
     * {@link #listForTick(long)} for a given cursor, without a loop: the level is the one the distance's bit length
     * names, or the next. A loop (shift both, until the ranges are fewer than 256 apart) compiled to a few hundred
     * bytes of loop checks on the path of every arm; this is a few instructions.
     * <p>
     * With {@code d = tick - cursor}, level {@code k = floor(log2(d)) / 8} (0 for d below 256) is the lowest whose
     * buckets can reach d: {@code d < 2^(8k+8)}, so the ranges are {@code floor(d / 2^8k)} or one more apart, at
     * most 256. Exactly 256 (the cursor's range has a borrow) goes one level up, where they are at most 1 apart. At
     * the top level (k = 7, shift 56) ticks below 2^63 are at most 127 ranges apart, so the level never passes 7.
     * <p>
     * A tick before the cursor is outside the contract: the negative distance has bit length 64, so it answers a
     * level-7 bucket, where the loop this replaced answered the level-0 bucket of the tick's low 8 bits. Neither is
     * a place for such a timer, and no caller asks: arm, re-arm and file send it to OVERDUE first, and a cascade
     * computes its ticks at or after the cursor (no assert here: it would add bytecode to a method whose size is
     * measured against the inlining limits, see {@link #arm}).
     *
     * @param tick   at or after {@code cursor}, both non-negative.
     * @param cursor the cursor's tick.
     * @return the list a timer for {@code tick} is filed in.
     */
    static int listForTick(final long tick, final long cursor)
    {
        // (d | 1): a distance of 0 is level 0, as 1 is
        int shift = ((63 - Long.numberOfLeadingZeros((tick - cursor) | 1)) >>> 3) << 3;
        if ((tick >>> shift) - (cursor >>> shift) >= BUCKETS_PER_LEVEL)
        {
            shift += BITS_PER_LEVEL;
        }
        // level << 8 is (shift / 8) << 8
        return (shift << (BITS_PER_LEVEL - 3)) | (int)((tick >>> shift) & BUCKET_MASK);
    }

    private void append(final int list, final int slot, final int[] page, final int at, final short hint)
    {
        page[at + POS] = appendEntry(list, slot, hint);
    }

    /** @return the position of a new entry for {@code slot} at the end of {@code list}; the record is not touched. */
    private int appendEntry(final int list, final int slot, final short hint)
    {
        final int pos = appendSlot(list, slot);
        hintPages[pos >>> ENTRY_PAGE_SHIFT][pos & ENTRY_PAGE_MASK] = hint;
        return pos;
    }

    /**
     * {@link #appendEntry} without the tick hint, which {@code appendEntry} writes after it: how a level-1 cascade
     * files every timer into level 0, which never reads a hint (only the cascades of levels 1 and 2 do), sparing a
     * store per timer and the hint chunk's cache lines.
     *
     * @return the position of the new entry; the record is not touched.
     */
    private int appendSlot(final int list, final int slot)
    {
        int chunk = frontChunk[list];
        int count = frontCount[list];
        if (count == CHUNK_SIZE || chunk == NIL)
        {
            final int full = chunk;
            chunk = acquireChunk();
            chunkLinks[2 * chunk] = list;
            chunkLinks[2 * chunk + 1] = full;
            frontChunk[list] = chunk;
            count = 0;
        }
        if (count == 0)
        {
            occupancy[list >>> 6] |= 1L << list; // also when an emptied list's kept chunk is reused
        }
        final int pos = (chunk << CHUNK_SHIFT) + count;
        entryPages[pos >>> ENTRY_PAGE_SHIFT][pos & ENTRY_PAGE_MASK] = slot;
        frontCount[list] = count + 1;
        return pos;
    }

    /**
     * Removes the entry at {@code pos} from its list in O(1): the list's last entry (at the end of its front chunk)
     * moves into the hole and its timer's POS follows it.
     */
    private void removeEntry(final int pos)
    {
        final int list = chunkLinks[2 * (pos >>> CHUNK_SHIFT)];
        final int front = frontChunk[list];
        final int count = frontCount[list] - 1;
        final int lastPos = (front << CHUNK_SHIFT) + count;
        if (lastPos != pos)
        {
            final int last = entryPages[lastPos >>> ENTRY_PAGE_SHIFT][lastPos & ENTRY_PAGE_MASK];
            entryPages[pos >>> ENTRY_PAGE_SHIFT][pos & ENTRY_PAGE_MASK] = last;
            hintPages[pos >>> ENTRY_PAGE_SHIFT][pos & ENTRY_PAGE_MASK] =
                hintPages[lastPos >>> ENTRY_PAGE_SHIFT][lastPos & ENTRY_PAGE_MASK];
            pages[last >>> PAGE_SHIFT][(last & PAGE_MASK) * RECORD_INTS + POS] = pos;
        }
        dropLast(list, front, count);
    }

    /** @return the slot of the last entry of a non-empty list, removed from it. */
    private int popLast(final int list)
    {
        final int front = frontChunk[list];
        final int count = frontCount[list] - 1;
        final int lastPos = (front << CHUNK_SHIFT) + count;
        final int slot = entryPages[lastPos >>> ENTRY_PAGE_SHIFT][lastPos & ENTRY_PAGE_MASK];
        dropLast(list, front, count);
        return slot;
    }

    private void dropLast(final int list, final int front, final int count)
    {
        if (count > 0)
        {
            frontCount[list] = count;
            return;
        }
        final int next = chunkLinks[2 * front + 1];
        if (next == NIL)
        {
            // The list is empty. It keeps its chunk: a bucket that a timer enters and leaves again and again
            // (arm, then cancel) would otherwise take and give back a chunk every time.
            frontCount[list] = 0;
            occupancy[list >>> 6] &= ~(1L << list);
            if (list == OVERDUE)
            {
                overdueMin = Long.MAX_VALUE;
            }
        }
        else
        {
            releaseChunk(front);
            frontChunk[list] = next;
            frontCount[list] = CHUNK_SIZE;
        }
    }

    /**
     * Loads every record a chunk names, in a loop of independent loads whose cache misses overlap, so that firing
     * them one by one finds them in cache: a software prefetch. The sum goes to a field so the loads cannot be
     * removed.
     * <p>
     * Both ends of each record are loaded, its generation and the last int of its payload: records are 24 bytes,
     * so two in every eight cross a 64-byte cache line (those starting 48 and 56 bytes into one), and loading the
     * generation alone left their deadline or payload to a second miss, taken alone when the timer fired. Loading
     * both ends measured 18% less CPU per fired timer draining a million timers (uniform over 10 s, 1 ms tick). For
     * the records within one line the second load hits the line the first is fetching.
     */
    private void touchRecords(final int chunk, final int count)
    {
        final int first = chunk << CHUNK_SHIFT;
        final int[] entries = entryPages[first >>> ENTRY_PAGE_SHIFT];
        final int base = first & ENTRY_PAGE_MASK;
        int sum = 0;
        for (int i = 0; i < count; i++)
        {
            final int slot = entries[base + i];
            final int[] page = pages[slot >>> PAGE_SHIFT];
            final int at = (slot & PAGE_MASK) * RECORD_INTS;
            sum += page[at + GEN] + page[at + PAYLOAD_LOW];
        }
        touchSink += sum;
    }

    /**
     * @param pos a position read from a live timer's record.
     * @return the position of the timer's entry: {@code pos}, or, if a level-1 cascade moved the timer without
     * touching its record, the new position its forwarding chunk holds. One hop at most: a forwarded timer is in
     * level 0 or EXPIRING, which never forward, and any move of it writes its record.
     */
    private int resolve(final int pos)
    {
        return chunkLinks[2 * (pos >>> CHUNK_SHIFT)] == FORWARDED ?
            entryPages[pos >>> ENTRY_PAGE_SHIFT][pos & ENTRY_PAGE_MASK] : pos;
    }

    private void releaseForwarding(final int set)
    {
        int chunk = forwardChunks[set];
        forwardChunks[set] = NIL;
        forwardRange[set] = -1;
        forwardEntries[set] = 0;
        final int other = set ^ 1;
        forwardHeldFrom = forwardChunks[other] != NIL ? forwardRange[other] : Long.MAX_VALUE;
        while (chunk != NIL)
        {
            final int next = chunkLinks[2 * chunk + 1];
            releaseChunk(chunk);
            chunk = next;
        }
    }

    /**
     * Releases the forwarding chunks of every range the cursor has left. Called only where no expiry runs (after a
     * level-0 bucket's expiry returned or threw, at the end of a poll): then every timer of such a range has fired
     * or been re-filed, which wrote its record, so nothing resolves through the chunks any more.
     */
    private void releasePassedForwarding()
    {
        final long range = cursorTick >>> BITS_PER_LEVEL;
        if (range <= forwardHeldFrom)
        {
            return; // no parity holds chunks of a range the cursor has left
        }
        for (int set = 0; set < 2; set++)
        {
            if (forwardChunks[set] != NIL && forwardRange[set] < range)
            {
                releaseForwarding(set);
            }
        }
    }

    /** @return the entries now held in forwarding chunks (see {@link #FORWARD_SHIFT}), for tests. */
    int forwardedEntries()
    {
        return forwardEntries[0] + forwardEntries[1];
    }

    /**
     * @return the slots the forwarding tables' bound counts (see {@link #FORWARD_SHIFT}): those allocated in record
     * pages, at most the capacity plus one (a callback's detached timer), as {@link #chunkBound} assumes.
     */
    int forwardSlots()
    {
        return (int)Math.min(allocatedSlots, maxCapacity + 1L);
    }

    /** Hands a whole list to another, empty one (a bucket to EXPIRING): O(chunks), to re-own them. */
    private void moveList(final int from, final int to)
    {
        // The target is empty; the empty chunk it kept goes to the source, which is left empty with a chunk of its
        // own: firing a bucket that holds one timer (a simulator's microsecond ticks) then neither takes nor gives
        // back a chunk, and each bucket keeps writing the same, cached, chunk.
        final int kept = frontChunk[to];
        final int front = frontChunk[from];
        frontChunk[to] = front;
        frontCount[to] = frontCount[from];
        frontChunk[from] = kept;
        frontCount[from] = 0;
        if (kept != NIL)
        {
            chunkLinks[2 * kept] = from;
            chunkLinks[2 * kept + 1] = NIL;
        }
        occupancy[from >>> 6] &= ~(1L << from);
        for (int chunk = front; chunk != NIL; chunk = chunkLinks[2 * chunk + 1])
        {
            chunkLinks[2 * chunk] = to;
        }
    }

    /**
     * The most chunks a wheel of {@code capacity} timers ever holds at once: every live timer has one entry, in a
     * list (at most capacity / 64 full chunks, plus one partly filled or kept empty chunk per list); forwarding
     * chunks hold at most (capacity + 1) >>> FORWARD_SHIFT entries (the slots in use when they were forwarded are at
     * most the capacity, plus the slot of a callback's timer, see {@link #freshSlot}), plus a partly filled chunk
     * for each of the two ranges that may keep tables; a cascade
     * holds one chunk more while it re-files it (its timers then have entries both there and in their new lists).
     * For the largest capacity, 2^30, that is 2^24 + 2^21 + 2,056 chunks, about 18.9 million, under
     * {@link #MAX_CHUNKS} (2^25): positions stay below 2^31.
     *
     * @param capacity a wheel's capacity.
     * @return an upper bound of the chunks in use.
     */
    static long chunkBound(final int capacity)
    {
        final long listChunks = capacity / CHUNK_SIZE + LIST_COUNT;
        final long forwardChunks = ((capacity + 1L) >>> FORWARD_SHIFT) / CHUNK_SIZE + 2;
        // one more: the chunk being cascaded; two more: the divisions' remainders, and the one timer past the
        // capacity that a callback may re-arm (its own, detached and uncounted while a new one was armed)
        return listChunks + forwardChunks + 1 + 2;
    }

    private int acquireChunk()
    {
        int chunk = freeChunk;
        if (chunk != NIL)
        {
            freeChunk = chunkLinks[2 * chunk + 1];
            return chunk;
        }
        chunk = allocatedChunks;
        // Every growth of the store falls on the first chunk of an entry page: a page holds 1,024 chunks, the
        // chunk links start with room for 1,024 and double, and MAX_CHUNKS is a multiple of 1,024. So one test, and
        // the growth out of line: called once per 65,536 entries, too rarely for C2 to inline it (fewer than
        // MinInliningThreshold calls below 16 million timers), where the allocations and copies compiled in line
        // made the compiled code of every append, arm's included, twice as large (see arm).
        if ((chunk & ((1 << (ENTRY_PAGE_SHIFT - CHUNK_SHIFT)) - 1)) == 0)
        {
            growChunkStore(chunk);
        }
        allocatedChunks = chunk + 1;
        return chunk;
    }

    /** Makes room in the entry store for {@code chunk}, the first chunk of a new page. */
    private void growChunkStore(final int chunk)
    {
        if (chunk == MAX_CHUNKS)
        {
            // Unreachable (see chunkBound): a position of 2^31 would read as DETACHED, so refuse rather than wrap.
            throw new IllegalStateException("the entry store is full: " + MAX_CHUNKS + " chunks");
        }
        final int page = (chunk << CHUNK_SHIFT) >>> ENTRY_PAGE_SHIFT;
        if (page == entryPages.length)
        {
            entryPages = Arrays.copyOf(entryPages, page * 2);
            hintPages = Arrays.copyOf(hintPages, page * 2);
        }
        entryPages[page] = new int[1 << ENTRY_PAGE_SHIFT];
        hintPages[page] = new short[1 << ENTRY_PAGE_SHIFT];
        if (2 * chunk + 1 >= chunkLinks.length)
        {
            chunkLinks = Arrays.copyOf(chunkLinks, chunkLinks.length * 2);
        }
    }

    private void releaseChunk(final int chunk)
    {
        chunkLinks[2 * chunk] = NIL;
        chunkLinks[2 * chunk + 1] = freeChunk;
        freeChunk = chunk;
    }

    /**
     * @param list a level-0 bucket, the one {@link #nextList()} answered.
     * @param tick the tick at which the cursor reaches it, {@link #nextListTick}.
     * @return the earliest time at which a timer of the bucket may be due, for {@link #earliestDeadline()} and
     * {@link #pollEarliest}: at or before every deadline in the bucket, and no later than the next tick's start
     * (anything in a later bucket is due at or after it). With a tick of one time unit the tick's start itself,
     * without reading a record: every timer is filed at or before its deadline, so each deadline in the bucket is
     * that instant, exactly, unless the timer was re-armed later lazily (then the start is a lower bound, as
     * earliestDeadline allows). Not when that start is the wheel's time, not yet processed (the first tick, or
     * after a poll stopped early): earliestDeadline's answer lies after the current time unless a timer is due,
     * and a lazily re-armed timer is not. Longer ticks, and that case, scan the bucket, which is then exact
     * unless it holds only lazily re-armed timers.
     */
    private long bucketDeadline(final int list, final long tick)
    {
        if (tickDuration == 1)
        {
            final long start = startTimeOfTick(tick);
            if (start > currentTime)
            {
                return start;
            }
        }
        return Math.min(minDeadline(list), startTimeOfTick(tick + 1));
    }

    /**
     * Fires the level-0 bucket {@code list}, of tick {@code tick}, at {@code now}: exactly what {@code poll(now)}
     * does when that bucket is the first the cursor reaches and {@code now} lies in its tick, after the wheel's
     * time, with OVERDUE empty (then poll's loop fires this bucket, finds the next one after {@code now}'s tick and
     * stops), without poll's two searches. The bucket's step is poll's own ({@link #expireTick}); this method adds
     * only what poll does around its loop.
     *
     * @return the number of timers fired.
     */
    private int fireTick(final int list, final long tick, final long now, final TimerHandler handler)
    {
        advancing = true;
        try
        {
            currentTime = now;
            return expireTick(list, tick, now, handler, Integer.MAX_VALUE);
        }
        finally
        {
            advancing = false;
            releasePassedForwarding();
        }
    }

    /**
     * Fires the level-0 bucket {@code list}, of tick {@code tick}, the first bucket the cursor reaches, up to
     * {@code now} (the wheel's time, already set) and at most {@code budget} timers: the one step that both
     * {@link #poll(long, TimerHandler, int)}'s loop and {@link #fireTick} take for a level-0 bucket, so the two
     * cannot drift apart (pollEarliest promises to fire what poll fires).
     * <p>
     * The cursor moves past the tick first, so that callbacks file relative to the next tick (and a range starting
     * there is cascaded before anything fires). What fires is what is due by the end of the tick, capped at
     * {@code now}: the rest of the bucket, lazily re-armed timers, is re-filed by {@link #expire}. Kept small (no
     * checks, no loop of its own) so that C2 inlines it into poll, whose compiled loop is then the one it was with
     * these steps written in it; {@code expire}, past the size limits, stays a call from both. With the steps here
     * poll is 319 bytes of bytecode, under the 325 (FreqInlineSize) up to which C2 inlines a hot method, so a
     * caller's compiled loop now holds poll's own (it was 398, a call per poll).
     *
     * @return the number of timers fired.
     */
    private int expireTick(final int list, final long tick, final long now, final TimerHandler handler,
        final int budget)
    {
        moveCursor(tick + 1);
        // The last tick a long can start reaches up to Long.MAX_VALUE: then everything up to now is due.
        final long fireLimit = Long.compareUnsigned(tick + 1, lastRepresentableTick) > 0 ?
            now : Math.min(now, cursorStartTime - 1);
        try
        {
            return expire(list, fireLimit, handler, budget);
        }
        finally
        {
            if ((tick & BUCKET_MASK) == BUCKET_MASK)
            {
                releasePassedForwarding(); // the range's last tick: its forwarded timers all moved
            }
        }
    }

    private long minDeadline(final int list)
    {
        long min = NULL_DEADLINE;
        int count = frontCount[list];
        for (int chunk = frontChunk[list]; chunk != NIL; chunk = chunkLinks[2 * chunk + 1])
        {
            final int first = chunk << CHUNK_SHIFT;
            final int[] entries = entryPages[first >>> ENTRY_PAGE_SHIFT];
            for (int i = 0; i < count; i++)
            {
                final int slot = entries[(first & ENTRY_PAGE_MASK) + i];
                min = Math.min(min, readDeadline(pages[slot >>> PAGE_SHIFT], (slot & PAGE_MASK) * RECORD_INTS));
            }
            count = CHUNK_SIZE;
        }
        return min;
    }

    /** @return the slot of the live (or firing) timer a handle names, or -1. */
    private int liveSlot(final long handle)
    {
        final int slot = (int)handle;
        final int gen = (int)(handle >>> 32);
        // A slot allocated but never armed has generation 0, which no handle carries (gen > 0 here).
        if (slot < 0 || slot >= allocatedSlots || gen <= 0)
        {
            return -1;
        }
        return pages[slot >>> PAGE_SHIFT][(slot & PAGE_MASK) * RECORD_INTS + GEN] == gen ? slot : -1;
    }


    private void releaseSlot(final int slot, final int[] page, final int at)
    {
        releaseSlot(slot, page, at, page[at + GEN]);
    }

    /** Frees a slot whose live generation, {@code gen}, the caller already holds. */
    private void releaseSlot(final int slot, final int[] page, final int at, final int gen)
    {
        // Negated so no handle (whose generation is positive) matches a free slot; 31 bits, never 0.
        page[at + GEN] = gen == Integer.MAX_VALUE ? -1 : -(gen + 1);
        // The page's length tells its list: loaded already for the range checks of the stores into the record, where
        // a table of far pages was one more load, from one more cache line, on every cancel and fire (5-7% of an
        // arm+cancel at a million timers).
        if (page.length == FAR_PAGE_INTS)
        {
            page[at + POS] = farFreeSlot;
            farFreeSlot = slot;
            farFreeCount++;
            return;
        }
        page[at + POS] = freeSlot;
        freeSlot = slot;
        freeCount++;
    }

    /** Allocates the next page and, unless the caller assigns the slots, puts its slots on the free list. */
    private void addPage()
    {
        final int pageIndex = allocatePage(false);
        if (!callerAssignedSlots)
        {
            linkFreePage(pageIndex, false);
        }
    }

    /**
     * @param far whether the page's slots are to belong to {@link #farFreeSlot}'s list: its length says so for good
     *            ({@link #FAR_PAGE_INTS}).
     * @return the index of a new page of never-armed slots (generation 0), on no list yet.
     */
    private int allocatePage(final boolean far)
    {
        final int pageIndex = allocatedSlots >>> PAGE_SHIFT;
        if (pageIndex == pages.length)
        {
            pages = Arrays.copyOf(pages, pages.length * 2);
        }
        pages[pageIndex] = new int[far ? FAR_PAGE_INTS : PAGE_SIZE * RECORD_INTS];
        allocatedSlots += PAGE_SIZE;
        return pageIndex;
    }

    /**
     * Puts every slot of a fresh page (generation 0) on a free list, in front, in order: the far pages' list
     * ({@link #farFreeSlot}) or the others' ({@link #freeSlot}), for good (the page's slots return to it).
     */
    private void linkFreePage(final int pageIndex, final boolean far)
    {
        final int[] page = pages[pageIndex];
        final int first = pageIndex << PAGE_SHIFT;
        for (int i = 0; i < PAGE_SIZE - 1; i++)
        {
            page[i * RECORD_INTS + POS] = first + i + 1;
        }
        if (far)
        {
            page[(PAGE_SIZE - 1) * RECORD_INTS + POS] = farFreeSlot;
            farFreeSlot = first;
            farFreeCount += PAGE_SIZE;
        }
        else
        {
            page[(PAGE_SIZE - 1) * RECORD_INTS + POS] = freeSlot;
            freeSlot = first;
            freeCount += PAGE_SIZE;
        }
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
        if (time > lastTime)
        {
            throw new IllegalArgumentException(name + "=" + time + " is too far after the wheel's start time " +
                startTime + ": it must be less than Long.MAX_VALUE " + timeUnit + " after it");
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
        /** Negative until set: then one page, or the capacity if that is smaller. */
        private int initialCapacity = -1;
        private int maxCapacity = MAX_CAPACITY_LIMIT;
        private boolean lazyRearm = true;
        private boolean callerAssignedSlots;

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
         * @param initialCapacity timer slots to allocate up front, from 0 up to the capacity; rounded up to whole
         *                        pages of {@value TimerWheel#PAGE_SIZE}. Default one page, or the capacity if that is
         *                        smaller.
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
         * @param capacity the most timers the wheel holds before {@link TimerWheel#arm} throws
         *                 {@link TimerCapacityException}, from 1 up to {@link TimerWheel#MAX_CAPACITY_LIMIT}
         *                 (the default). Slots are allocated as they are needed, a page at a time.
         * @return this builder.
         */
        public Builder capacity(final int capacity)
        {
            if (capacity < 1 || capacity > MAX_CAPACITY_LIMIT)
            {
                throw new IllegalArgumentException("capacity must be in [1, " + MAX_CAPACITY_LIMIT + "], was " +
                    capacity);
            }
            this.maxCapacity = capacity;
            return this;
        }

        /**
         * @param lazyRearm whether a re-arm to a later deadline only records it (default {@code true}); with
         *                       {@code false} every re-arm unlinks and relinks the timer.
         * @return this builder.
         */
        public Builder lazyRearm(final boolean lazyRearm)
        {
            this.lazyRearm = lazyRearm;
            return this;
        }

        /**
         * @param callerAssignedSlots whether the caller numbers the timers itself, from 0 to {@code maxCapacity - 1},
         *                            and arms them with {@link TimerWheel#armSlot} (default {@code false}:
         *                            {@link TimerWheel#arm} picks a free slot and returns a handle).
         * @return this builder.
         */
        public Builder callerAssignedSlots(final boolean callerAssignedSlots)
        {
            this.callerAssignedSlots = callerAssignedSlots;
            return this;
        }

        /**
         * @return a new, empty wheel.
         * @throws IllegalArgumentException if an initialCapacity that was set exceeds the capacity.
         */
        public TimerWheel build()
        {
            if (initialCapacity > maxCapacity)
            {
                throw new IllegalArgumentException("initialCapacity " + initialCapacity +
                    " exceeds capacity " + maxCapacity);
            }
            return new TimerWheel(this);
        }
    }
}
