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
 * <b>The scoreboard is the SACK blocks that arrived.</b> With SACK ({@link Sack}), what the sender knows the
 * receiver holds is the cumulative ACK and the union of the blocks of every ACK that arrived: a lost ACK hides its
 * blocks until a later one repeats them. A duplicate ACK also starts a recovery before the third when the
 * scoreboard deems the head lost (RFC 6675 section 5, step (b): {@code IsLost(HighACK + 1)}). When rules 1 and 2 of
 * {@code NextSeg()} give nothing, rule 3 resends the lowest unit not SACKed above {@code HighRxt} and below the
 * highest SACKed one, and rule 4 once per recovery the highest unit outstanding and not SACKed (the <i>rescue</i>
 * retransmission, {@link #rescue}), which moves neither {@code HighRxt} nor the pipe.
 * <p>
 * <b>Without SACK: NewReno (RFC 6582).</b> The scoreboard holds only the cumulative ACK. Fast retransmit on the
 * third duplicate ACK, then each partial ACK (one below the recovery point) makes the new head lost and resends it
 * (RFC 6582 section 3.2 step 3); Reno's window inflation is kept as the pipe: each duplicate ACK is one segment that
 * left the network ({@link #inflation}), and a partial ACK of {@code n} segments deflates it by {@code n - 1}.
 * Limited transmit (RFC 3042) is the sender's ({@code Sender.limitedTransmit}). The recoveries are counted as nstat
 * counts them:
 * {@code TcpExtTCPSackRecovery} with SACK, {@code TcpExtTCPRenoRecovery} without.
 * <p>
 * Per end, two bytes: the duplicate ACKs counted and the recovery's flags, and NewReno's inflation.
 */
final class LossRecovery
{
    /** RFC 5681's and RFC 6675's DupThresh. */
    static final int DUP_THRESH = 3;

    private static final int DUPS = 0x0F;
    private static final int FAST = 0x10;
    private static final int BY_RACK = 0x20;
    private static final int FRTO = 0x40;
    private static final int RESCUED = 0x80; // RFC 6675's RescueRxt is set: rule 4 was used in this recovery

    private final boolean enabled;
    private final boolean sack;
    private final ShardStats stats;
    private byte[] state;
    private byte[] inflation; // NewReno: duplicate ACKs in this recovery, less partial ACKs' deflation

    LossRecovery(final boolean fastRetransmit, final boolean sack, final ShardStats stats, final int capacity)
    {
        this.enabled = fastRetransmit;
        this.sack = sack;
        this.stats = stats;
        state = new byte[capacity * 2];
        inflation = new byte[capacity * 2];
    }

    void grow(final int capacity)
    {
        state = Arrays.copyOf(state, capacity * 2);
        inflation = Arrays.copyOf(inflation, capacity * 2);
    }

    void reset(final int i)
    {
        state[i] = 0;
        inflation[i] = 0;
    }

    /** @return whether the sender reads SACK blocks (RFC 6675), not only the cumulative ACK (NewReno). */
    boolean sack()
    {
        return sack;
    }

    /**
     * @return NewReno's window inflation in segments: the duplicate ACKs of this recovery (the three that started
     * it included), less what partial ACKs deflated; 0 with SACK.
     */
    int inflation(final int i)
    {
        return sack ? 0 : inflation[i]; // with SACK nothing ever writes it but 0
    }

    /** NewReno: a duplicate ACK in a fast recovery, one more segment has left the network. */
    void onDuplicateInRecovery(final int i)
    {
        if (!sack && (state[i] & FAST) != 0 && inflation[i] < Byte.MAX_VALUE)
        {
            inflation[i]++;
        }
    }

    /**
     * A NewReno recovery held at its recovery point (Linux's {@code tcp_reset_reno_sack()} on every ACK there): no
     * duplicate ACK counts as a segment that left the network.
     */
    void resetInflation(final int i)
    {
        inflation[i] = 0;
    }

    /** @return whether rule 4's rescue retransmission has been used in this recovery. */
    boolean rescued(final int i)
    {
        return (state[i] & RESCUED) != 0;
    }

    /** Rule 4 resent a unit: {@code RescueRxt = RecoveryPoint}, no other rescue in this recovery. */
    void rescue(final int i)
    {
        state[i] |= RESCUED;
        stats.add(Counter.RESCUE_RETRANSMITS);
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

    /**
     * An ACK acknowledged {@code acked} new segments: the duplicate count starts again; in a NewReno recovery the
     * inflation deflates by {@code acked - 1} (RFC 6582 3.2 step 3: the amount acknowledged, one segment added back).
     */
    void onNewAck(final int i, final int acked)
    {
        state[i] &= FAST | BY_RACK | FRTO | RESCUED;
        if (!sack && inflation[i] != 0) // with SACK it stays 0 (onDuplicateAck, onDuplicateInRecovery)
        {
            inflation[i] = (byte)Math.max(0, inflation[i] - (acked - 1));
        }
    }

    /**
     * A duplicate ACK arrived outside any recovery.
     *
     * @param headLost  the scoreboard deems the oldest unacknowledged unit lost (RFC 6675 section 5 (b)).
     * @param mayEnter  a fast retransmit may start: false while NewReno's cumulative ACK does not cover more than
     *                  {@code recover} (RFC 6582 3.2 step 2); the duplicates still count, for limited transmit.
     * @return whether it is the third: the sender enters fast recovery.
     */
    boolean onDuplicateAck(final int i, final boolean headLost, final boolean mayEnter)
    {
        if (!enabled)
        {
            return false;
        }
        final int dups = Math.min((state[i] & DUPS) + 1, DUPS);
        state[i] = (byte)((state[i] & (FAST | BY_RACK | FRTO)) | dups);
        if (mayEnter && (dups == DUP_THRESH || (sack && headLost)))
        {
            // RFC 6675 section 5: the third duplicate, or (b) fewer but IsLost(HighACK + 1)
            state[i] = (byte)((state[i] & ~RESCUED) | FAST);
            inflation[i] = (byte)(sack ? 0 : dups);
            stats.add(sack ? Counter.FAST_RECOVERIES : Counter.RENO_RECOVERIES);
            return true;
        }
        return false;
    }

    /** RACK marked a segment lost outside any recovery: a fast recovery starts (counted as one). */
    void enterByRack(final int i)
    {
        state[i] = (byte)(FAST | BY_RACK);
        inflation[i] = 0;
        stats.add(sack ? Counter.FAST_RECOVERIES : Counter.RENO_RECOVERIES);
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
        inflation[i] = 0;
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
        inflation[i] = 0;
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

    /**
     * RFC 6675's {@code NextSeg()} rule 3 over units: when rules 1 and 2 give nothing, the lowest unit above
     * {@code HighRxt} not SACKed and below the highest SACKed unit ((1.a) and (1.b) without (1.c)).
     *
     * @param received the units SACKed (and those below the cumulative ACK), a bit each.
     * @param limit    one past the highest unit rule 3 may pick.
     * @return that unit, or -1 when none.
     */
    static int nextSegRule3(final long received, final int highRxtNext, final int limit)
    {
        if (highRxtNext >= 64 || received == 0)
        {
            return -1;
        }
        final int highestSacked = 63 - Long.numberOfLeadingZeros(received);
        final long candidates = ~received & (-1L << highRxtNext) & ((1L << highestSacked) - 1);
        final int u = Long.numberOfTrailingZeros(candidates);
        return candidates != 0 && u < limit ? u : -1;
    }

    /**
     * RFC 6675's {@code NextSeg()} rule 4 over units: the rescue retransmission, the highest unit outstanding and
     * not SACKed, if this recovery has not resent it already. The RFC's words would resend it even then (a segment
     * rule 1 just resent, when it is the only one not SACKed); that copy would be spurious by construction, and the
     * rule is there for a tail that nothing else resends, so the simulator leaves it out.
     *
     * @param highRxtNext one past the highest unit resent in this recovery ({@code HighRxt + 1}).
     * @param sent        one past the highest unit sent.
     * @return that unit, or -1 when none.
     */
    static int rescueSeg(final long received, final int una, final int highRxtNext, final int sent)
    {
        final long outstanding = (sent >= 64 ? -1L : (1L << sent) - 1) & (-1L << una) & ~received;
        final int u = outstanding == 0 ? -1 : 63 - Long.numberOfLeadingZeros(outstanding);
        return u >= highRxtNext ? u : -1;
    }
}
