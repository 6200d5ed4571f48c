package io.escapement.simulator.tcp;

import io.escapement.engine.rto.RetransmissionTimers;
import io.escapement.engine.wheel.TimerWheel;
import io.escapement.simulator.Scenario;
import io.escapement.simulator.report.Counter;
import io.escapement.simulator.report.ShardStats;

import java.util.Arrays;

import static io.escapement.simulator.tcp.ConnectionTable.CLIENT;

/**
 * When a receiver acknowledges data it has taken in order: at once, or later, from the delayed-ACK timer on the
 * shard's wheel. The receiver asks this room once a data segment's own reaction (a reply that carries the ACK)
 * is known; out-of-order data, data filling a hole, duplicates and FINs are acknowledged at once by the receiver
 * (RFC 5681 section 4.2; Linux's {@code tcp_data_queue()}), whatever the mode.
 *
 * <h2>Linux ({@link Scenario.DelayedAck#LINUX})</h2>
 * As net/ipv4/tcp_input.c and tcp_output.c (Linux 6.x) do it:
 * <ul>
 *   <li>{@code tcp_event_data_recv()}: the first data segment starts <i>quick-ack mode</i>
 *   ({@code tcp_incr_quickack()}: {@link #QUICKACKS} ACKs) and sets {@code ato} to {@code TCP_ATO_MIN}; later
 *   ones adapt {@code ato} to the gap {@code m} since the previous one: {@code m <= ato_min/2} gives
 *   {@code ato/2 + ato_min/2}, {@code m < ato} gives {@code ato/2 + m} (at most the RTO), {@code m > rto} starts
 *   quick-ack mode again;</li>
 *   <li>{@code __tcp_ack_snd_check()}: ACK at once when more than one full segment
 *   ({@code rcv_nxt - rcv_wup > rcv_mss}) is unacknowledged or in quick-ack mode (quick ACKs left and not in
 *   <i>ping-pong</i> mode), else {@code tcp_send_delayed_ack()};</li>
 *   <li>{@code tcp_send_delayed_ack()}: the timeout is {@code ato}, above {@code TCP_DELACK_MIN} bounded by
 *   500 ms ({@code HZ/2}), by {@code TCP_DELACK_MAX} in ping-pong mode, and by the smoothed RTT (not below
 *   {@code TCP_DELACK_MIN}); then by {@code icsk_delack_max} (--ato-max). A timer already running is kept if it
 *   fires earlier, and if it fires within {@code ato/4} the ACK goes now;</li>
 *   <li>{@code tcp_event_ack_sent()} / {@code tcp_dec_quickack_mode()}: any packet carrying the ACK stops the
 *   timer and spends one quick ACK; spending the last sets {@code ato} back to {@code TCP_ATO_MIN};</li>
 *   <li>{@code tcp_event_data_sent()}: sending data within {@code ato} of the last data received enters ping-pong
 *   mode ({@code tcp_pingpong_thresh} 1: the replies of an interactive exchange carry the ACKs);</li>
 *   <li>{@code tcp_delack_timer_handler()}: the timer fired with an ACK pending: out of ping-pong mode {@code ato}
 *   doubles (at most the RTO), in it ping-pong mode ends and {@code ato} is {@code TCP_ATO_MIN}; the ACK goes
 *   and counts as {@code TcpExtDelayedACKs};</li>
 *   <li>{@code tcp_enter_quickack_mode()} on a duplicate segment (the sender is retransmitting).</li>
 * </ul>
 * Not modelled: {@code tcp_measure_rcv_mss()} (the receiver's MSS estimate is the sender's MSS), the ACK that
 * {@code tcp_cleanup_rbuf()} sends when the application reads a pushed sub-MSS segment, SACK compression
 * ({@code tcp_comp_sack_nr}) for out-of-order data, and {@code ato} kept in jiffies (it is microseconds here;
 * the timer itself is a kernel timer, in jiffies and in the kernel wheel's buckets).
 *
 * <h2>RFC ({@link Scenario.DelayedAck#RFC})</h2>
 * RFC 1122 section 4.2.3.2 and RFC 5681 section 4.2: an ACK for at least every second full-sized segment
 * ({@code 2 x MSS} unacknowledged), else within the fixed --ato-max (the RFCs' bound is 500 ms).
 * <p>
 * Per end, 20 bytes: the timer's handle, the time of the last in-order data, {@code ato} and one word of
 * {@code rcv_wup}, the segment the pending ACK answers (its fate is keyed by it), quick ACKs left and two flags.
 */
final class DelayedAck
{
    /**
     * Quick ACKs at the start: {@code tcp_incr_quickack()} gives {@code rcv_wnd / (2 * rcv_mss)}, capped at
     * {@code TCP_MAX_QUICKACKS} (16); the initial receive window is {@code tcp_default_init_rwnd()}'s 20
     * segments, so 10.
     */
    static final int QUICKACKS = 10;
    /** {@code tcp_send_delayed_ack()}'s bound out of ping-pong mode: {@code HZ / 2}. */
    private static final long MAX_ATO_US = 500_000;

    // the state word: rcv_wup (6 bits), the answered unit (6) and transmission (4), quick ACKs left (5), flags
    private static final int WUP = 0;
    private static final int ANSWER_UNIT = 6;
    private static final int ANSWER_TX = 12;
    private static final int QUICK = 16;
    private static final int PINGPONG = 1 << 21;
    private static final int SCHEDULED = 1 << 22; // inet_csk_schedule_ack(): data received and not yet acknowledged

    private final Scenario.DelayedAck mode;
    /**
     * Delayed ACKs off: every ACK goes at once, the timer is never armed, and the per-end fields are never read, so
     * the hooks the receiver and sender call on every segment return at once rather than write state nobody reads
     * (each write is a cache line of another array per connection, missed at a few thousand open connections).
     */
    private final boolean off;
    private final long atoMinUs;
    private final long atoMaxUs;
    private final int mss;
    private final TimerWheel wheel;
    private final ShardStats stats;
    private final ShardClock clock;
    private final ConnectionTable table;
    private final Streams streams;
    private final RetransmissionTimers[] rto;
    private final KernelTimers timers;
    private final TraceLog trace;
    Receiver receiver;

    // per end (slot << 1 | end)
    long[] handle;
    /**
     * Ends whose {@link #handle} is not {@code NULL_HANDLE}. Most runs arm few delayed-ACK timers (the default run
     * none: its responses are ACKed at once by quick ACKs), while every packet sent stops the end's timer: with
     * none held, that is a compare, not a load from an array with a line per four ends.
     */
    private int handles;
    private int[] lastDataAt; // microseconds after the connection's start (lrcvtime)
    private int[] atoUs;      // 0 until the first data segment (as icsk_ack.ato)
    private int[] state;

    DelayedAck(final Scenario scenario, final TimerWheel wheel, final ShardStats stats, final ShardClock clock,
        final ConnectionTable table, final Streams streams, final RetransmissionTimers[] rto,
        final KernelTimers timers, final TraceLog trace)
    {
        this.mode = scenario.delayedAck;
        this.off = mode == Scenario.DelayedAck.OFF;
        this.atoMinUs = scenario.atoMinUs;
        this.atoMaxUs = scenario.atoMaxUs;
        this.mss = scenario.mss;
        this.wheel = wheel;
        this.stats = stats;
        this.clock = clock;
        this.table = table;
        this.streams = streams;
        this.rto = rto;
        this.timers = timers;
        this.trace = trace;
        final int ends = table.capacity() * 2;
        handle = new long[ends];
        Arrays.fill(handle, TimerWheel.NULL_HANDLE);
        lastDataAt = new int[ends];
        atoUs = new int[ends];
        state = new int[ends];
    }

    void grow(final int capacity)
    {
        final int old = handle.length;
        handle = Arrays.copyOf(handle, capacity * 2);
        Arrays.fill(handle, old, handle.length, TimerWheel.NULL_HANDLE);
        lastDataAt = Arrays.copyOf(lastDataAt, capacity * 2);
        atoUs = Arrays.copyOf(atoUs, capacity * 2);
        state = Arrays.copyOf(state, capacity * 2);
    }

    /** The end starts afresh (or stops holding state): no ACK pending, the engine as before the first data. */
    void reset(final int i)
    {
        if (off)
        {
            return; // with delayed ACKs off no field of this room is ever read: leave its lines out of the cache
        }
        cancelTimer(i);
        lastDataAt[i] = 0;
        atoUs[i] = 0;
        state[i] = 0;
    }

    /** @return whether ACKs may be delayed at all. */
    boolean enabled()
    {
        return mode != Scenario.DelayedAck.OFF;
    }

    /** @return end {@code i}'s delayed-ACK timeout now ({@code icsk_ack.ato}), 0 before any data. */
    long atoUs(final int i)
    {
        return atoUs[i];
    }

    /** @return the quick ACKs end {@code i} has left. */
    int quickAcks(final int i)
    {
        return (state[i] >>> QUICK) & 0x1F;
    }

    /** @return whether end {@code i} is in ping-pong (interactive) mode. */
    boolean pingPong(final int i)
    {
        return (state[i] & PINGPONG) != 0;
    }

    /** @return whether end {@code i}'s delayed-ACK timer runs. */
    boolean timerRunning(final int i)
    {
        return handle[i] != TimerWheel.NULL_HANDLE && wheel.isArmed(handle[i]);
    }

    // ------------------------------------------------------------------------------------------------ receiving

    /** New data (in order or not) arrived: an ACK is owed ({@code inet_csk_schedule_ack()}). */
    void onNewData(final int i)
    {
        if (off)
        {
            return;
        }
        state[i] |= SCHEDULED;
    }

    /** {@code tcp_event_data_recv()}: in-order data arrived; adapt {@code ato}, start quick-ack mode. */
    void onDataInOrder(final int i)
    {
        if (off)
        {
            return;
        }
        state[i] |= SCHEDULED;
        if (mode != Scenario.DelayedAck.LINUX)
        {
            return;
        }
        final int c = i >> 1;
        final long at = clock.now - table.startUs[c];
        if (atoUs[i] == 0)
        {
            // the first data segment: initialise the delayed-ACK engine
            incrQuickAck(i);
            atoUs[i] = (int)atoMinUs;
        }
        else
        {
            final long m = at - (lastDataAt[i] & 0xFFFF_FFFFL);
            // the RTO matters only for a gap above atoMin / 2 (both tests below and adaptedAto's use of it); the
            // segments of one flight arrive closer than that, so most calls skip the strategy's arithmetic
            final long rtoUs = m > atoMinUs / 2 ? rto[i & 1].rtoUs(c) : 0;
            if (m > atoMinUs / 2 && m >= atoUs[i] && m > rtoUs) // the else-branch of adaptedAto
            {
                incrQuickAck(i); // too long a gap: the sender failed to restart its window, ACK quickly
            }
            atoUs[i] = (int)Math.max(1, adaptedAto(atoUs[i], m, atoMinUs, rtoUs));
        }
        lastDataAt[i] = (int)Math.min(at, 0xFFFF_FFFFL);
    }

    /**
     * {@code tcp_event_data_recv()}'s arithmetic.
     *
     * @param ato    the delayed-ACK timeout in force.
     * @param m      the gap since the previous in-order data segment.
     * @param atoMin {@code TCP_ATO_MIN}.
     * @param rto    the receiving end's RTO.
     * @return the timeout after this segment.
     */
    static long adaptedAto(final long ato, final long m, final long atoMin, final long rto)
    {
        if (m <= atoMin / 2)
        {
            return (ato >> 1) + atoMin / 2; // the fastest case is the first
        }
        if (m < ato)
        {
            return Math.min((ato >> 1) + m, rto);
        }
        return ato;
    }

    /**
     * {@code tcp_send_delayed_ack()}'s timeout.
     *
     * @param ato      the delayed-ACK timeout in force.
     * @param pingPong whether the end is in ping-pong mode.
     * @param srtt     the end's smoothed RTT, 0 or less for none.
     * @param atoMin   {@code TCP_DELACK_MIN}.
     * @param atoMax   {@code TCP_DELACK_MAX} ({@code icsk_delack_max}).
     * @return how long the ACK may wait.
     */
    static long delayedTimeout(final long ato, final boolean pingPong, final long srtt, final long atoMin,
        final long atoMax)
    {
        long timeout = ato;
        if (timeout > atoMin)
        {
            long maxAto = pingPong ? atoMax : MAX_ATO_US;
            if (srtt > 0)
            {
                maxAto = Math.min(maxAto, Math.max(srtt, atoMin)); // the RTT measured bounds it, not the RTO
            }
            timeout = Math.min(timeout, maxAto);
        }
        return Math.min(timeout, atoMax); // icsk_delack_max
    }

    /** {@code tcp_enter_quickack_mode()}: a duplicate arrived, so the sender is retransmitting. */
    void enterQuickAck(final int i)
    {
        if (mode != Scenario.DelayedAck.LINUX)
        {
            return;
        }
        incrQuickAck(i);
        state[i] &= ~PINGPONG;
        atoUs[i] = (int)atoMinUs;
    }

    private void incrQuickAck(final int i)
    {
        if (quickAcks(i) < QUICKACKS)
        {
            state[i] = (state[i] & ~(0x1F << QUICK)) | (QUICKACKS << QUICK);
        }
    }

    /**
     * {@code __tcp_ack_snd_check()}: in-order data, with no hole left, whose reaction sent nothing: ACK it now or
     * arm the delayed-ACK timer. {@code (unit, tx)} is the segment that arrived: the ACK answers it.
     */
    void ackOrDelay(final int i, final int unit, final int tx)
    {
        if (off)
        {
            receiver.sendAck(i, unit, tx);
            return;
        }
        final int s = state[i];
        final boolean now;
        if (mode == Scenario.DelayedAck.LINUX)
        {
            // quick, or more than one full frame: a quick ACK (the common case) needs no count of bytes
            now = (((s >>> QUICK) & 0x1F) > 0 && (s & PINGPONG) == 0) || unacked(i, s) > mss;
        }
        else
        {
            now = unacked(i, s) >= 2L * mss; // every second full-sized segment
        }
        if (now)
        {
            receiver.sendAck(i, unit, tx);
            return;
        }
        state[i] = (state[i] & ~(0x3FF << ANSWER_UNIT)) | (unit << ANSWER_UNIT) | (Math.min(tx, 15) << ANSWER_TX);
        sendDelayed(i);
    }

    /** @return the bytes end {@code i} holds in order and has not acknowledged ({@code rcv_nxt - rcv_wup}). */
    private long unacked(final int i, final int s)
    {
        final int peer = i ^ 1;
        return streams.offset(peer, receiver.rcvNext(i)) - streams.offset(peer, s & 0x3F);
    }

    /** {@code tcp_send_delayed_ack()}: arm (or keep) the timer. */
    private void sendDelayed(final int i)
    {
        long ato;
        if (mode == Scenario.DelayedAck.LINUX)
        {
            ato = delayedTimeout(atoUs[i], (state[i] & PINGPONG) != 0, rto[i & 1].srttUs(i >> 1), atoMinUs,
                atoMaxUs);
        }
        else
        {
            ato = atoMaxUs;
        }
        long deadline = timers.deadline(ato);
        if (timerRunning(i))
        {
            final long running = wheel.deadline(handle[i]);
            if (mode == Scenario.DelayedAck.LINUX && running <= clock.kernelNow() + (ato >> 2))
            {
                // the timer is about to fire: send the ACK now
                receiver.sendAck(i, (state[i] >>> ANSWER_UNIT) & 0x3F, (state[i] >>> ANSWER_TX) & 0xF);
                return;
            }
            if (running <= deadline)
            {
                return; // the older timeout stands
            }
            wheel.rearm(handle[i], deadline);
            return;
        }
        if (handle[i] == TimerWheel.NULL_HANDLE)
        {
            handles++; // else a timer that fired in this microsecond's batch, not handled yet: replaced
        }
        handle[i] = wheel.arm(deadline, ((long)(i >> 1) << EventBatch.SLOT_SHIFT) |
            ((i & 1) == CLIENT ? EventBatch.DELACK_CLIENT : EventBatch.DELACK_SERVER));
    }

    /** The delayed-ACK timer of end {@code end} of slot {@code c} fired ({@code tcp_delack_timer_handler()}). */
    void onTimer(final int c, final int end)
    {
        final int i = c << 1 | end;
        if (handle[i] != TimerWheel.NULL_HANDLE) // (the batch hands over only the timer the end holds)
        {
            handles--;
        }
        handle[i] = TimerWheel.NULL_HANDLE;
        if ((state[i] & SCHEDULED) == 0 || TcpState.isIdle(table.state(i)))
        {
            return;
        }
        if (mode == Scenario.DelayedAck.LINUX)
        {
            if ((state[i] & PINGPONG) == 0)
            {
                atoUs[i] = (int)Math.min((long)atoUs[i] << 1, rto[end].rtoUs(c)); // missed: inflate ato
            }
            else
            {
                state[i] &= ~PINGPONG; // missed: leave ping-pong mode, deflate ato
                atoUs[i] = (int)atoMinUs;
            }
        }
        stats.add(Counter.DELAYED_ACKS);
        if (trace.tracing(table.connection[c]))
        {
            trace.line(table.connection[c], TraceLog.endName(end) + " delayed-ACK timer fires");
        }
        receiver.sendAck(i, (state[i] >>> ANSWER_UNIT) & 0x3F, (state[i] >>> ANSWER_TX) & 0xF);
    }

    // ------------------------------------------------------------------------------------------------ sending

    /**
     * {@code tcp_event_ack_sent()}: end {@code i} sent a packet carrying the ACK of everything it holds in order:
     * the timer stops, a quick ACK is spent if one was owed, {@code rcv_wup} moves up.
     */
    void onAckSent(final int i, final int rcvNext)
    {
        if (off)
        {
            return;
        }
        int s = state[i];
        if ((s & SCHEDULED) != 0)
        {
            final int quick = (s >>> QUICK) & 0x1F;
            if (quick > 0)
            {
                if (quick == 1 && mode == Scenario.DelayedAck.LINUX)
                {
                    atoUs[i] = (int)atoMinUs; // leaving quick-ack mode deflates ato
                }
                s = (s & ~(0x1F << QUICK)) | ((quick - 1) << QUICK);
            }
            s &= ~SCHEDULED;
        }
        state[i] = (s & ~0x3F) | rcvNext;
        cancelTimer(i);
    }

    /** {@code tcp_event_data_sent()}: data sent within {@code ato} of the last data received: ping-pong mode. */
    void onDataSent(final int i)
    {
        if (mode == Scenario.DelayedAck.LINUX && atoUs[i] > 0 &&
            clock.now - table.startUs[i >> 1] - (lastDataAt[i] & 0xFFFF_FFFFL) < atoUs[i])
        {
            state[i] |= PINGPONG;
        }
    }

    private void cancelTimer(final int i)
    {
        if (handles != 0 && handle[i] != TimerWheel.NULL_HANDLE)
        {
            wheel.cancel(handle[i]);
            handle[i] = TimerWheel.NULL_HANDLE;
            handles--;
        }
    }
}
