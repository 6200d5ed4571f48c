package io.escapement.simulator.tcp;

import io.escapement.engine.rto.RetransmissionTimers;
import io.escapement.engine.wheel.TimerWheel;
import io.escapement.simulator.report.Counter;
import io.escapement.simulator.report.ShardStats;

import java.util.Arrays;

import static io.escapement.simulator.tcp.ConnectionTable.CLIENT;

/**
 * RACK's time-based loss detection (RFC 8985 section 6; Linux's net/ipv4/tcp_recovery.c): a segment is lost when
 * a segment sent after it has been delivered and a reordering window has passed since. Per end it keeps
 * {@code RACK.xmit_ts} and {@code RACK.end_seq} (here the unit) of the most recently sent segment known delivered,
 * {@code RACK.rtt}, the minimum RTT of those samples, the units it marked lost, and its reordering timer on the
 * shard's wheel.
 * <p>
 * The reordering window ({@code tcp_rack_reo_wnd()}): with no reordering seen it is 0 in a recovery or once
 * {@link LossRecovery#DUP_THRESH} segments above the oldest are delivered; otherwise {@code min_rtt / 4},
 * at most the smoothed RTT. The simulator's paths never reorder, so reordering is never seen and the window never
 * grows (no DSACK, no {@code reo_wnd_steps}).
 * <p>
 * <b>Retransmissions.</b> A segment's {@code xmit_ts} is its most recent transmission (RFC 8985 6.1): the time a
 * resent unit was last sent is kept in {@link ResendTimes}, a side table holding only the ends with resent units
 * outstanding. So a retransmission sent before a segment that is later delivered, and not delivered itself within
 * {@code RACK.rtt + reo_wnd} of its sending, is lost again ({@code tcp_rack_detect_loss()} skips only the segments
 * marked lost and not resent since); it is resent again ({@link #relost}) before anything else, instead of waiting
 * for the RTO. A delivered retransmission advances {@code RACK.xmit_ts} unless its RTT sample is below
 * {@code min_rtt}, when the ACK may be the original's ({@code tcp_rack_advance()}).
 * <p>
 * Simplifications: "delivered" is read from the receiver's true state as {@link LossRecovery}'s scoreboard reports
 * it; {@code min_rtt} is the minimum of RACK's samples, not a windowed filter; no DSACK reaches the sender and the
 * simulator's paths never reorder, so the window's growth on DSACK ({@code tcp_rack_update_reo_wnd()}, RFC 8985 6.2
 * step 4's {@code reo_wnd_mult}) is left out: it could never trigger.
 */
final class Rack
{
    private static final int UNIT_MASK = 0x3F;
    private static final int ARMED = 0x40;

    private final boolean enabled;
    private final TimerWheel wheel;
    private final ShardStats stats;
    private final ShardClock clock;
    private final ConnectionTable table;
    private final RetransmissionTimers[] rto;
    private final KernelTimers timers;

    // per end (slot << 1 | end)
    long[] handle;
    private int[] xmitAt;   // RACK.xmit_ts, microseconds after the connection's start
    /**
     * RACK.end_seq as a unit in the low six bits, 0 for none (unit 0 is the SYN), and {@link #ARMED}: whether the
     * reordering timer runs ({@link #handle} is not {@code NULL_HANDLE}). The detection reads this byte on every ACK,
     * so the timer's cancel there asks it rather than load the handle, a line of another array.
     */
    private byte[] endUnit;
    private int[] rttUs;    // RACK.rtt
    private int[] minRttUs; // 0 for none
    private long[] lost;    // units RACK marked lost
    /** The latest resend time of each resent unit, and the resent units marked lost again: only while outstanding. */
    private final ResendTimes resends = new ResendTimes();

    Rack(final boolean enabled, final TimerWheel wheel, final ShardStats stats, final ShardClock clock,
        final ConnectionTable table, final RetransmissionTimers[] rto, final KernelTimers timers)
    {
        this.enabled = enabled;
        this.wheel = wheel;
        this.stats = stats;
        this.clock = clock;
        this.table = table;
        this.rto = rto;
        this.timers = timers;
        final int ends = table.capacity() * 2;
        handle = new long[ends];
        Arrays.fill(handle, TimerWheel.NULL_HANDLE);
        xmitAt = new int[ends];
        endUnit = new byte[ends];
        rttUs = new int[ends];
        minRttUs = new int[ends];
        lost = new long[ends];
    }

    void grow(final int capacity)
    {
        final int old = handle.length;
        handle = Arrays.copyOf(handle, capacity * 2);
        Arrays.fill(handle, old, handle.length, TimerWheel.NULL_HANDLE);
        xmitAt = Arrays.copyOf(xmitAt, capacity * 2);
        endUnit = Arrays.copyOf(endUnit, capacity * 2);
        rttUs = Arrays.copyOf(rttUs, capacity * 2);
        minRttUs = Arrays.copyOf(minRttUs, capacity * 2);
        lost = Arrays.copyOf(lost, capacity * 2);
    }

    /**
     * End {@code i} starts afresh.
     *
     * @param resent whether the end resent anything since its last reset: only then can {@link ResendTimes} hold it
     *               ({@link #onResend} is the only way in, and each resend counts in the sender's transmission counts,
     *               which only the reset clears), so only then is its side table searched.
     */
    void reset(final int i, final boolean resent)
    {
        if (!enabled)
        {
            return; // RACK off: nothing of this room is ever written, so it need not be cleared (nor read in)
        }
        cancel(i);
        // RACK.xmit_ts and RACK.rtt are not cleared: read only while RACK.end_seq is set, and written with it
        endUnit[i] = 0;
        minRttUs[i] = 0;
        lost[i] = 0;
        if (resent)
        {
            resends.release(i);
        }
    }

    boolean enabled()
    {
        return enabled;
    }

    /** @return the units RACK marked lost. */
    long lost(final int i)
    {
        return lost[i];
    }

    /** A recovery ended or an RTO took over: the marks are the recovery's business no more. */
    void clearLost(final int i)
    {
        lost[i] = 0;
        resends.relost(i, 0);
    }

    /**
     * An RTO: as Linux's {@code tcp_enter_loss()}, every outstanding unit not delivered is marked lost
     * ({@code TCPCB_LOST}) and none counts as resent since ({@code TCPCB_SACKED_RETRANS} cleared), so that
     * {@code tcp_rack_detect_loss()} skips them all until the recovery resends each once; a unit resent in an earlier
     * recovery is not marked again and sent twice (once as lost again, once by the recovery's walk).
     *
     * @param marked     the outstanding units not delivered.
     * @param everResent the units ever resent (their marks are kept as "lost again, not resent since").
     */
    void onTimeout(final int i, final long marked, final long everResent)
    {
        if (!enabled)
        {
            return;
        }
        lost[i] = marked;
        resends.relost(i, marked & everResent);
    }

    /**
     * @return the resent units RACK marked lost again and not resent since: to resend first (Linux's
     * {@code tcp_mark_skb_lost()} takes them out of {@code retrans_out}, so they are not in flight).
     */
    long relost(final int i)
    {
        return resends.relost(i);
    }

    /** Unit {@code unit} of end {@code i} is resent now, {@code offsetUs} after the start: its new {@code xmit_ts}. */
    void onResend(final int i, final int unit, final long offsetUs)
    {
        if (!enabled || unit == 0)
        {
            return;
        }
        resends.set(i, unit, offsetUs);
        final long relost = resends.relost(i);
        if ((relost & (1L << unit)) != 0)
        {
            resends.relost(i, relost & ~(1L << unit));
        }
    }

    /**
     * UNA moved.
     *
     * @param resentOutstanding the units still outstanding that were ever resent; 0 releases the end's resend times.
     */
    void onAcked(final int i, final long resentOutstanding)
    {
        if (resentOutstanding == 0)
        {
            resends.release(i);
        }
    }

    /** @return the ends keeping resend times now (for tests). */
    int endsKeepingResendTimes()
    {
        return resends.size();
    }

    /**
     * @return when unit {@code u} was last sent, microseconds after the start: its first transmission's time, or its
     * latest retransmission's; -1 if it was resent while RACK kept no time for it.
     */
    private long xmitAt(final int i, final Sender sender, final int u, final long start)
    {
        if (sender.transmissions(i, u) == 0)
        {
            return sender.sendTime(i, u) - start;
        }
        return u == 0 ? -1 : resends.get(i, u); // a resent SYN's time is not kept (RACK starts with data)
    }

    /** @return RACK.rtt of end {@code i} (0 while it has no reference: RACK.end_seq unset). */
    long rttUs(final int i)
    {
        return (endUnit[i] & UNIT_MASK) == 0 ? 0 : rttUs[i];
    }

    /**
     * RFC 8985's {@code RACK_sent_after()}: whether a segment sent at {@code t1} ending at {@code unit1} was sent
     * after one sent at {@code t2} ending at {@code unit2}.
     */
    static boolean sentAfter(final long t1, final int unit1, final long t2, final int unit2)
    {
        return t1 > t2 || (t1 == t2 && unit1 > unit2);
    }

    /**
     * RFC 8985 6.2 step 4 as {@code tcp_rack_reo_wnd()}, with no reordering seen.
     *
     * @param recovering whether a recovery (fast or after an RTO) runs.
     * @param delivered  the segments above the oldest outstanding one already delivered ({@code sacked_out}).
     * @param minRtt     the minimum RTT, microseconds.
     * @param srtt       the smoothed RTT, microseconds (0 or less: none).
     * @return the reordering window, microseconds.
     */
    static long reorderWindow(final boolean recovering, final int delivered, final long minRtt, final long srtt)
    {
        if (recovering || delivered >= LossRecovery.DUP_THRESH)
        {
            return 0;
        }
        final long window = minRtt >> 2;
        return srtt > 0 ? Math.min(window, srtt) : window;
    }

    /**
     * RFC 8985 6.2 step 2 ({@code RACK_update()}, {@code tcp_rack_advance()}): the most recently sent of the delivered
     * units {@code from..sent-1} becomes RACK's reference, and gives an RTT sample, if it was sent after the current
     * one. A resent unit counts from its latest transmission, unless the sample is below {@code min_rtt} (then the
     * ACK may answer an earlier copy: ambiguous, skipped).
     *
     * @param sender     for the units' send times and transmission counts.
     * @param received   the units the receiver holds.
     * @param everResent the units the end ever resent ({@link Sender#resent}).
     */
    void update(final int i, final Sender sender, final long received, final int from, final int sent,
        final long everResent)
    {
        if (!enabled)
        {
            return;
        }
        long bestAt = -1;
        int best = -1;
        final long units = unitsIn(from, sent);
        if ((everResent & units) == 0 && !sender.timesAttached(i))
        {
            // none of them resent, and two send times (the oldest outstanding, then the latest burst's, never
            // earlier): the first transmissions left in unit order, so the most recently sent delivered unit is the
            // highest, a tie in time going to the higher unit as RACK_sent_after() has it. The loop below would
            // pick the same unit, visiting every one (unit 0, the SYN, is never RACK's: from 1)
            final long delivered = received & units & ~1L;
            if (delivered == 0)
            {
                return;
            }
            best = 63 - Long.numberOfLeadingZeros(delivered);
            bestAt = sender.burstOffset(i, best);
        }
        else
        {
            final long start = table.startUs[i >> 1];
            for (int u = from; u < sent; u++)
            {
                if ((received & (1L << u)) != 0 && u > 0)
                {
                    final long at = xmitAt(i, sender, u, start);
                    if (at < 0 || sender.transmissions(i, u) != 0 &&
                        (minRttUs[i] == 0 || clock.now - start - at < minRttUs[i]))
                    {
                        continue;
                    }
                    if (best < 0 || sentAfter(at, u, bestAt, best))
                    {
                        bestAt = at;
                        best = u;
                    }
                }
            }
        }
        final int reference = endUnit[i];
        final int referenceUnit = reference & UNIT_MASK;
        if (best >= 0 && (referenceUnit == 0 || sentAfter(bestAt, best, xmitAt[i] & 0xFFFF_FFFFL, referenceUnit)))
        {
            xmitAt[i] = (int)bestAt;
            endUnit[i] = (byte)(best | (reference & ARMED));
            final long rtt = clock.now - table.startUs[i >> 1] - bestAt;
            rttUs[i] = (int)rtt;
            if (minRttUs[i] == 0 || rtt < minRttUs[i])
            {
                minRttUs[i] = (int)Math.max(1, rtt);
            }
        }
    }

    /**
     * RFC 8985 6.2 step 5 ({@code RACK_detect_loss()}) and the reordering timer for what is not lost yet.
     *
     * @param recovering whether a recovery runs (the reordering window is then 0).
     * @return the units newly marked lost.
     */
    long detect(final int i, final Sender sender, final long received, final int una, final int sent,
        final boolean recovering)
    {
        final int referenceUnit = enabled ? endUnit[i] & UNIT_MASK : 0;
        if (referenceUnit == 0)
        {
            return 0;
        }
        final long outstanding = unitsIn(una, sent);
        // skipped: delivered, or marked lost and not resent since (tcp_rack_detect_loss()). Most ACKs leave none
        // to look at (everything sent is delivered): then nothing is marked and no reordering timer runs, known
        // before the side table of resends is searched
        final long undelivered = outstanding & ~received;
        if (undelivered == 0)
        {
            cancel(i);
            return 0;
        }
        final long everResent = sender.resent(i);
        final long reference = xmitAt[i] & 0xFFFF_FFFFL;
        if (everResent == 0)
        {
            // nothing ever resent: the undelivered units left in unit order (see firstTransmissions below), so when
            // the lowest was not sent before RACK's reference, none was: nothing to mark and no timer, known without
            // RACK's marks or the side table (most ACKs with data still in flight)
            final int lowest = Long.numberOfTrailingZeros(undelivered);
            if (!sentAfter(reference, referenceUnit, sender.sendOffset(i, lowest), lowest))
            {
                cancel(i);
                return 0;
            }
        }
        // the side table holds only ends that resent (ResendTimes takes an end at its first resend)
        final long relost = everResent == 0 ? 0 : resends.relost(i);
        final long candidates = undelivered & ~relost & ~(lost[i] & ~everResent);
        if (candidates == 0)
        {
            cancel(i);
            return 0;
        }
        final long start = table.startUs[i >> 1];
        final long now = clock.now - start;
        // no candidate ever resent: each one's time is its first transmission's, and first transmissions left in unit
        // order (Sender.sendNew sends from SND.NXT up, its times never earlier than those before), so (time, unit)
        // grows with the unit and those RACK's reference was sent after are the lowest candidates: the walk stops at
        // the first that is not (on most ACKs the lowest, everything outstanding sent after the reference)
        final boolean firstTransmissions = (candidates & everResent) == 0;
        long reo = -1; // the reordering window, computed at the first candidate that needs it
        long newly = 0;
        long newlyRelost = 0;
        long timeout = 0;
        for (long left = candidates; left != 0; left &= left - 1) // lowest first; marks and timeout are order-free
        {
            final int u = Long.numberOfTrailingZeros(left);
            final long bit = 1L << u;
            final boolean resent = (everResent & bit) != 0;
            final long at = firstTransmissions ? sender.sendOffset(i, u) : xmitAt(i, sender, u, start);
            if (at >= 0 && sentAfter(reference, referenceUnit, at, u))
            {
                if (reo < 0)
                {
                    reo = reorderWindow(recovering, Long.bitCount(received & outstanding), minRttUs[i],
                        rto[i & 1].srttUs(i >> 1));
                }
                final long remaining = at + rttUs[i] + reo - now;
                if (remaining <= 0)
                {
                    newly |= bit;
                    if (resent)
                    {
                        newlyRelost |= bit; // a lost retransmission: resend it again
                    }
                }
                else
                {
                    timeout = Math.max(timeout, remaining);
                }
            }
            else if (firstTransmissions)
            {
                break; // this candidate and all above it were sent after the reference
            }
        }
        if (newlyRelost != 0)
        {
            resends.relost(i, relost | newlyRelost);
        }
        if (newly != 0)
        {
            lost[i] |= newly;
            stats.add(Counter.RACK_LOSSES, Long.bitCount(newly));
        }
        if (timeout > 0)
        {
            arm(i, timeout);
        }
        else
        {
            cancel(i);
        }
        return newly;
    }

    /** @return the units {@code from..to-1} as a mask (units are below 64), empty when {@code from >= to}. */
    private static long unitsIn(final int from, final int to)
    {
        if (from >= to)
        {
            return 0;
        }
        final long upTo = to >= 64 ? -1L : (1L << to) - 1;
        return upTo & -(1L << from);
    }

    /** Arms (or moves) the reordering timer: a kernel timer ({@code ICSK_TIME_REO_TIMEOUT}) {@code delayUs} on. */
    private void arm(final int i, final long delayUs)
    {
        final long deadline = timers.deadline(delayUs);
        // never called from within the wheel's poll, so the re-arm's answer says whether the timer runs (AuxTimers.set)
        if (handle[i] == TimerWheel.NULL_HANDLE || !wheel.rearm(handle[i], deadline))
        {
            handle[i] = wheel.arm(deadline, ((long)(i >> 1) << EventBatch.SLOT_SHIFT) |
                ((i & 1) == CLIENT ? EventBatch.RACK_CLIENT : EventBatch.RACK_SERVER));
            endUnit[i] |= ARMED;
        }
    }

    /** The reordering timer fired: it is no longer armed. */
    void fired(final int i)
    {
        handle[i] = TimerWheel.NULL_HANDLE;
        endUnit[i] &= ~ARMED;
    }

    void cancel(final int i)
    {
        if (enabled && (endUnit[i] & ARMED) != 0) // handle[i] != NULL_HANDLE
        {
            wheel.cancel(handle[i]);
            handle[i] = TimerWheel.NULL_HANDLE;
            endUnit[i] &= ~ARMED;
        }
    }
}
