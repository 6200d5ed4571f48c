package io.escapement.simulator.tcp;

import io.escapement.simulator.report.Counter;
import io.escapement.simulator.report.ShardStats;

import java.util.Arrays;

/**
 * Loss recovery before the RTO: duplicate ACKs, fast retransmit (RFC 5681 section 3.2) and the recovery after it
 * by RFC 6675's pipe and NextSeg, and the same scoreboard after an RTO.
 * <p>
 * <b>Fast retransmit.</b> A pure ACK that acknowledges nothing new while data is outstanding is a duplicate ACK
 * (RFC 5681 section 2); the third ({@link #DUP_THRESH}) makes the sender resend the oldest unacknowledged segment,
 * set {@code ssthresh = cwnd = max(FlightSize / 2, 2)} ({@link CongestionControl#onFastRetransmit}) and recover up
 * to {@code RecoveryPoint}, the highest segment sent then (RFC 6675 section 5). Like Linux, resending the head
 * restarts the RTO ({@code tcp_xmit_retransmit_queue()}).
 * <p>
 * <b>Recovery.</b> After each ACK, while {@code pipe < cwnd}, the sender resends NextSeg (the lowest segment
 * deemed lost above {@code HighRxt}, RFC 6675 rule 1), else sends new data (rule 2). A segment is lost when at
 * least {@link #DUP_THRESH} segments above it have arrived (RFC 6675's {@code IsLost}, counting segments);
 * after an RTO, every segment not yet received below the recovery point is lost, as Linux's
 * {@code tcp_enter_loss()} marks them. {@code pipe} counts the outstanding segments not received and not lost,
 * plus those resent (up to {@code HighRxt}) and not received (RFC 6675 {@code SetPipe()}).
 * <p>
 * <b>The scoreboard is not SACK blocks.</b> What the receiver holds is read from the receiver itself, limited to
 * what its ACKs can have reported ({@link #onReport}): with FIFO paths, an ACK answering an original reports the
 * units up to it, one answering a resend all the receiver holds. SACK blocks would say as much, but no lost ACK
 * hides one here and there is no limit of 3 or 4 blocks.
 * RFC 6675's rules 3 and 4 (rescue retransmissions) and limited transmit (RFC 3042) are not modelled.
 * Per end, one byte: the duplicate ACKs counted and whether a fast recovery runs.
 */
final class LossRecovery
{
    /** RFC 5681's and RFC 6675's DupThresh. */
    static final int DUP_THRESH = 3;

    private static final int DUPS = 0x0F;
    private static final int FAST = 0x10;
    private static final int BY_RACK = 0x20;
    private static final int FRTO = 0x40;

    private final boolean enabled;
    private final ShardStats stats;
    private byte[] state;
    private byte[] reportedUpTo; // the highest unit the peer's ACKs have reported on, as SACK blocks would

    LossRecovery(final boolean fastRetransmit, final ShardStats stats, final int capacity)
    {
        this.enabled = fastRetransmit;
        this.stats = stats;
        state = new byte[capacity * 2];
        reportedUpTo = new byte[capacity * 2];
    }

    void grow(final int capacity)
    {
        state = Arrays.copyOf(state, capacity * 2);
        reportedUpTo = Arrays.copyOf(reportedUpTo, capacity * 2);
    }

    void reset(final int i)
    {
        state[i] = 0;
        reportedUpTo[i] = 0;
    }

    /**
     * A pure ACK answering the peer's copy {@code (unit, tx)} of end {@code i}'s unit arrived. Paths are FIFO, so
     * when the peer sent it, it held of what end {@code i} sent only what left no later than that copy: for an
     * original, the units up to it (originals leave in order); for a resend, all it holds. SACK blocks in that
     * ACK would have said as much, and no more.
     */
    void onReport(final int i, final int unit, final int tx)
    {
        final int upTo = tx == 0 ? unit : 63;
        if (upTo > reportedUpTo[i])
        {
            reportedUpTo[i] = (byte)upTo;
        }
    }

    /** @return the units of what the receiver holds that its ACKs have reported, from its true state. */
    long reported(final int i, final long received, final int ack)
    {
        final int upTo = Math.max(reportedUpTo[i], ack - 1);
        return upTo >= 63 ? received : received & ((2L << upTo) - 1);
    }

    /** @return whether end {@code i} is in a fast recovery (not one after an RTO). */
    boolean inFastRecovery(final int i)
    {
        return (state[i] & FAST) != 0;
    }

    /** @return the duplicate ACKs end {@code i} has counted since the last new ACK. */
    int duplicateAcks(final int i)
    {
        return state[i] & DUPS;
    }

    /** An ACK acknowledged new data: the duplicate count starts again. */
    void onNewAck(final int i)
    {
        state[i] &= FAST | BY_RACK | FRTO;
    }

    /**
     * A duplicate ACK arrived outside any recovery.
     *
     * @return whether it is the third: the sender enters fast recovery.
     */
    boolean onDuplicateAck(final int i)
    {
        if (!enabled)
        {
            return false;
        }
        final int dups = Math.min((state[i] & DUPS) + 1, DUPS);
        state[i] = (byte)((state[i] & (FAST | BY_RACK | FRTO)) | dups);
        if (dups == DUP_THRESH)
        {
            state[i] |= FAST;
            stats.add(Counter.FAST_RECOVERIES);
            return true;
        }
        return false;
    }

    /** RACK marked a segment lost outside any recovery: a fast recovery starts (counted as one). */
    void enterByRack(final int i)
    {
        state[i] = (byte)(FAST | BY_RACK);
        stats.add(Counter.FAST_RECOVERIES);
    }

    /** @return whether RACK started the fast recovery running. */
    boolean startedByRack(final int i)
    {
        return (state[i] & BY_RACK) != 0;
    }

    /** An RTO: the recovery after it starts in F-RTO's step 2 if F-RTO is on. */
    void onTimeout(final int i, final boolean frto)
    {
        state[i] = (byte)(frto ? FRTO : 0);
    }

    /** @return whether end {@code i}'s recovery after an RTO still tests the timeout (F-RTO). */
    boolean inFrto(final int i)
    {
        return (state[i] & FRTO) != 0;
    }

    /** F-RTO ends: the loss was real (or could not be told), the conventional recovery goes on. */
    void endFrto(final int i)
    {
        state[i] &= ~FRTO;
    }

    /** Recovery ended, or an RTO took over: no fast recovery runs. */
    void exit(final int i)
    {
        state[i] = 0;
    }

    // ------------------------------------------------------------------------------------------------ RFC 6675

    /**
     * RFC 6675's {@code IsLost()} over units, for every outstanding unit at once.
     *
     * @param received     the units the receiver holds, a bit each.
     * @param una          the oldest unacknowledged unit.
     * @param sent         one past the highest unit sent ({@code HighData + 1}).
     * @param afterTimeout whether an RTO started this recovery: every unit not received below {@code recover} is lost.
     * @param recover      the recovery point (one past the highest unit outstanding when recovery began).
     * @return the lost units, a bit each.
     */
    static long lost(final long received, final int una, final int sent, final boolean afterTimeout,
        final int recover)
    {
        long lost = 0;
        int above = 0;
        for (int u = sent - 1; u >= una; u--)
        {
            if ((received & (1L << u)) != 0)
            {
                above++;
            }
            else if (above >= DUP_THRESH || (afterTimeout && u < recover))
            {
                lost |= 1L << u;
            }
        }
        return lost;
    }

    /**
     * RFC 6675's {@code SetPipe()} over units.
     *
     * @param highRxtNext one past the highest unit resent in this recovery ({@code HighRxt + 1}).
     * @return the segments deemed in flight.
     */
    static int pipe(final long received, final long lost, final int una, final int sent, final int highRxtNext)
    {
        int pipe = 0;
        for (int u = una; u < sent; u++)
        {
            final long bit = 1L << u;
            if ((received & bit) == 0)
            {
                if ((lost & bit) == 0)
                {
                    pipe++; // (a) not SACKed, not lost: the original is in flight
                }
                if (u < highRxtNext)
                {
                    pipe++; // (b) resent: the copy is in flight
                }
            }
        }
        return pipe;
    }

    /**
     * RFC 6675's {@code NextSeg()} rule 1 over units: the lowest lost unit not yet resent in this recovery.
     *
     * @param limit one past the highest unit rule 1 may pick.
     * @return that unit, or -1 when none (rule 2, new data, comes next).
     */
    static int nextSeg(final long lost, final int highRxtNext, final int limit)
    {
        if (highRxtNext >= 64)
        {
            return -1;
        }
        final long candidates = lost & (-1L << highRxtNext);
        final int u = Long.numberOfTrailingZeros(candidates);
        return candidates != 0 && u < limit ? u : -1;
    }
}
