package io.escapement.simulator.tcp;

import io.escapement.engine.rto.RetransmissionTimers;
import io.escapement.engine.wheel.TimerWheel;
import io.escapement.simulator.Scenario;
import io.escapement.simulator.net.NetworkModel;
import io.escapement.simulator.report.Counter;
import io.escapement.simulator.report.ShardStats;

import java.util.Arrays;

import static io.escapement.simulator.tcp.ConnectionTable.BURST;
import static io.escapement.simulator.tcp.ConnectionTable.CLIENT;
import static io.escapement.simulator.tcp.ConnectionTable.NXT;
import static io.escapement.simulator.tcp.ConnectionTable.AT_RECOVERY_POINT;
import static io.escapement.simulator.tcp.ConnectionTable.RECOVER;
import static io.escapement.simulator.tcp.ConnectionTable.RTO_UNIT;
import static io.escapement.simulator.tcp.ConnectionTable.RTX_NEXT;
import static io.escapement.simulator.tcp.ConnectionTable.TLP_USED;
import static io.escapement.simulator.tcp.ConnectionTable.TLP_HIGH;
import static io.escapement.simulator.tcp.ConnectionTable.UNA;
import static io.escapement.simulator.tcp.ConnectionTable.field;
import static io.escapement.simulator.tcp.ConnectionTable.with;

/**
 * The sender: what an end has in flight, when each unit was sent, what to resend and when to probe.
 * <p>
 * An end's units {@code UNA..NXT-1} are in flight. A message is sent in one burst (the initial window covers
 * it); the time every unit of the latest burst left, and the oldest outstanding time, are kept in
 * {@link #sentAt} as two 32-bit offsets from the connection's start. Each unit's transmission count (up to 3) is
 * two bits, one in {@link #txLow} and one in {@link #txHigh}; an end that sends a message in several flights
 * keeps per-unit times in {@link SendTimes}. Units {@code sent..NXT-1} are written but held back by the congestion
 * window ({@link CongestionControl}); each ACK lets out what the window allows. Duplicate ACKs, fast retransmit
 * and the recovery after it or after an RTO are {@link LossRecovery}'s rules, RACK's marks {@link Rack}'s, and
 * F-RTO's test of an RTO (RFC 5682) is made here; without a window a
 * recovery resends two lost units per ACK, skipping those the receiver holds. The tail loss probe (RFC 8985) is
 * armed here.
 */
final class Sender
{
    private static final long TLP_HIGH_MASK = 63L << TLP_HIGH;
    private static final long PROBE_MIN_US = 200_000;   // TCP_RTO_MIN added to a lone segment's probe timeout

    private final Scenario scenario;
    private final long seed;
    private final NetworkModel network;
    private final ShardStats stats;
    private final ShardClock clock;
    private final ConnectionTable table;
    private final Streams streams;
    private final RetransmissionTimers[] rto;
    /** Refilled for every ACK handed to the retransmission timers: named fields, nothing allocated. */
    private final RetransmissionTimers.Ack rtoAck = new RetransmissionTimers.Ack();
    private final AuxTimers aux;
    private final Wire wire;
    private final TraceLog trace;
    private final KernelTimers timers;
    Receiver receiver;
    DelayedAck delayedAck;
    Rack rack;
    Sack sack;
    private final CongestionControl window;
    private final LossRecovery recovery;
    private final SendTimes times;
    /** What the resend being made repairs if the unit was really lost: a REPAIRED_BY_* counter. */
    private Counter repairs = Counter.REPAIRED_BY_RTO;
    /** PRR, for the ACK being taken ({@link #prrBefore}): the segments it delivers, and the losses deemed before it. */
    private int prrDelivered;
    private long prrLostBefore;
    private long prrRelostBefore;

    // per end (slot << 1 | end)
    private long[] txLow;
    private long[] txHigh;
    private long[] sentAt;
    private int[] resendsBeyondThree; // transmissions numbered 4, 5, ... by this end, whatever the unit
    private int[] lastResendAt; // the end's latest retransmission or its establishment, us after the start (timestamps; lsndtime)
    private byte[] sent;        // one past the highest unit sent (SND.NXT); NXT, one past what was written, may be more
    /**
     * With a delay trace's loss rates only (null otherwise): per end, the units of which one of the transmissions
     * numbered 0..3 was not lost, as the network decided when it was sent. A fate then depends on the send time, so
     * the ground truth of spurious retransmissions keeps it instead of asking about an earlier copy again.
     */
    private long[] survivors;

    Sender(final Scenario scenario, final ShardStats stats, final ShardClock clock, final ConnectionTable table,
        final Streams streams, final RetransmissionTimers[] rto, final AuxTimers aux, final Wire wire,
        final TraceLog trace, final KernelTimers timers)
    {
        this.timers = timers;
        this.scenario = scenario;
        this.seed = scenario.seed;
        this.network = scenario.network;
        this.stats = stats;
        this.clock = clock;
        this.table = table;
        this.streams = streams;
        this.rto = rto;
        this.aux = aux;
        this.wire = wire;
        this.trace = trace;
        final int ends = table.capacity() * 2;
        txLow = new long[ends];
        txHigh = new long[ends];
        sentAt = new long[ends];
        resendsBeyondThree = new int[ends];
        lastResendAt = new int[ends];
        sent = new byte[ends];
        survivors = network.traceLoss() ? new long[ends] : null;
        window = new CongestionControl(scenario, table.capacity());
        recovery = new LossRecovery(scenario.fastRetransmit, scenario.sack, stats, table.capacity());
        times = new SendTimes(table.capacity());
    }

    void grow(final int capacity)
    {
        txLow = Arrays.copyOf(txLow, capacity * 2);
        txHigh = Arrays.copyOf(txHigh, capacity * 2);
        sentAt = Arrays.copyOf(sentAt, capacity * 2);
        resendsBeyondThree = Arrays.copyOf(resendsBeyondThree, capacity * 2);
        lastResendAt = Arrays.copyOf(lastResendAt, capacity * 2);
        sent = Arrays.copyOf(sent, capacity * 2);
        if (survivors != null)
        {
            survivors = Arrays.copyOf(survivors, capacity * 2);
        }
        window.grow(capacity);
        recovery.grow(capacity);
        times.grow(capacity);
    }

    /** @return the congestion windows of the ends. */
    CongestionControl window()
    {
        return window;
    }

    void reset(final int i)
    {
        final long everResent = txLow[i] | txHigh[i];
        txLow[i] = 0;
        txHigh[i] = 0;
        sentAt[i] = 0;
        resendsBeyondThree[i] = 0;
        lastResendAt[i] = 0;
        sent[i] = 0;
        if (survivors != null)
        {
            survivors[i] = 0;
        }
        window.reset(i);
        recovery.reset(i);
        times.release(i);
        rack.reset(i, everResent != 0);
        sack.resetSender(i);
    }

    /** @return one past the highest unit end {@code i} has sent. */
    int sent(final int i)
    {
        return sent[i];
    }

    /** @return end {@code i}'s congestion window, in segments. */
    int cwnd(final int i)
    {
        return window.cwnd(i);
    }

    /** @return end {@code i}'s slow-start threshold, in segments. */
    int ssthresh(final int i)
    {
        return window.ssthresh(i);
    }

    // ------------------------------------------------------------------------------------------------ new data

    /**
     * The application wrote units {@code first..next-1}: they leave as the window lets them. With nothing in flight,
     * the window may restart after an idle period first ({@link #afterIdle}).
     */
    void startBurst(final int i, final int first, final int next)
    {
        if (sent[i] == field(table.word[i], UNA, 6) && first < next && window.enabled() &&
            !(next - first == 1 && first == streams.finUnit(i)))
        {
            afterIdle(i);
        }
        table.word[i] = with(table.word[i], NXT, next);
    }

    /**
     * An end with nothing in flight writes data: Linux's {@code skb_entail()} -> {@code
     * tcp_slow_start_after_idle_check()} restarts the window if no data left for longer than the RTO
     * ({@link CongestionControl#restartAfterIdle}; RFC 5681 4.1 under the rfc window), and the first send with
     * nothing in flight moves CUBIC's epoch by the idle time ({@code CA_EVENT_TX_START}, whatever the sysctl). The
     * idle runs from the end's latest data segment, first sent or resent ({@code lsndtime}, which the SYN and a bare
     * FIN do not move in Linux; it starts at the establishment, {@link #established}: before the first message the
     * window is the initial one, which a restart leaves as it is).
     */
    private void afterIdle(final int i)
    {
        final long now = clock.now;
        final long lastSendUs = Math.max(latestBurstUs(i), resendTime(i));
        final long idleUs = now - lastSendUs;
        if (scenario.slowStartAfterIdle)
        {
            final int before = window.cwnd(i);
            if (window.restartAfterIdle(i, lastSendUs, now, rto[i & 1].rtoUs(i >> 1)) && trace.tracing(table.connection[i >> 1]))
            {
                trace.line(table.connection[i >> 1], TraceLog.endName(i & 1) + " idle " + idleUs / 1000 +
                    " ms, more than the RTO: cwnd " + before + " -> " + window.cwnd(i) + " ssthresh " +
                    window.ssthresh(i));
            }
        }
        window.onTxStart(i, idleUs, now);
    }

    /**
     * Sends units {@code first..last} for the first time, as far as the congestion window allows (all of them
     * without one), and starts the retransmission timer if it is not running.
     */
    void sendBurst(final int i, final int first, final int last)
    {
        if (first > last)
        {
            return; // an empty message: nothing in flight, no timer
        }
        final int from = sent[i];
        final int una = field(table.word[i], UNA, 6);
        sendNew(i, from, Math.min(last + 1, una + window.cwnd(i)));
        startTimer(i);
    }

    /** Sends the new units {@code from..to-1} now: one flight. */
    private void sendNew(final int i, final int from, final int to)
    {
        if (from >= to)
        {
            return;
        }
        final long offset = Math.min(clock.now - table.startUs[i >> 1], 0xFFFF_FFFFL);
        final int una = field(table.word[i], UNA, 6);
        if (!times.attached(i) && una < field(table.word[i], BURST, 6) && una < from)
        {
            // a third flight while two are outstanding: two times no longer say when each unit left
            final int burst = field(table.word[i], BURST, 6);
            times.attach(i);
            for (int u = una; u < from; u++)
            {
                times.set(i, u, u >= burst ? sentAt[i] >>> 32 : sentAt[i] & 0xFFFF_FFFFL);
            }
        }
        if (times.attached(i))
        {
            for (int u = from; u < to; u++)
            {
                times.set(i, u, offset);
            }
        }
        markBurst(i, from);
        sent[i] = (byte)to;
        for (int u = from; u < to; u++)
        {
            sendSegment(i, u, false);
        }
    }

    /** Arms the retransmission timer if it is not running (RFC 6298 section 5.1). */
    private void startTimer(final int i)
    {
        timers.send(rto[i & 1], i >> 1); // RetransmissionTimers.onSend arms only a timer that is not running
    }

    /** Restarts the retransmission timer from now with the timeout in force. */
    void restartTimer(final int i)
    {
        rto[i & 1].stop(i >> 1);
        startTimer(i);
    }

    /** Sends the SYN (or SYN-ACK) for the first time: unit 0, then NXT is 1. */
    void sendSyn(final int i)
    {
        markBurst(i, 0);
        sendSegment(i, 0, false);
        table.word[i] = with(table.word[i], NXT, 1);
        sent[i] = 1;
        startTimer(i);
    }

    /**
     * An ACK at or above {@code tlp_high_seq} after a probe that resent a segment, Linux's {@code
     * tcp_process_tlp_ack()}: one above it is taken for a loss the probe repaired and cuts the window at once
     * ({@link CongestionControl#onProbeRepairedLoss}); a pure duplicate ACK that SACKs nothing new says the original
     * and the probe both arrived: no loss; an ACK that reaches it exactly, moving SND.UNA, decides nothing. The
     * simulator's receiver sends no D-SACK (RFC 2883 is not modelled), so the D-SACK branch (no loss) is taken only
     * through the duplicate ACK that the second copy draws: a probe whose original arrived but whose duplicate ACK was
     * lost, or overtaken by a later ACK above the point, counts as a repaired loss, as Linux would count it with a
     * peer that sends no D-SACK.
     */
    private void probeAcked(final int i, final int ack, final int una, final boolean pure, final boolean newlySacked)
    {
        final int high = field(table.word[i], TLP_HIGH, 6);
        if (ack > high)
        {
            final int before = window.cwnd(i);
            window.onProbeRepairedLoss(i);
            table.word[i] = with(table.word[i], TLP_HIGH, 0); // tcp_init_cwnd_reduction() resets tlp_high_seq
            if (trace.tracing(table.connection[i >> 1]))
            {
                trace.line(table.connection[i >> 1], TraceLog.endName(i & 1) + " ACK above the probe's point: " +
                    "CWR, cwnd " + before + " -> " + window.cwnd(i) + " ssthresh " + window.ssthresh(i));
            }
        }
        else if (ack == una && pure && !newlySacked)
        {
            table.word[i] = with(table.word[i], TLP_HIGH, 0); // the original and the probe both arrived
        }
    }

    /** Sends unit {@code unit} of end {@code i}. */
    void sendSegment(final int i, final int unit, final boolean retransmission)
    {
        int tx = 0;
        if (retransmission)
        {
            final long now = clock.now;
            lastResendAt[i] = (int)Math.min(now - table.startUs[i >> 1], 0xFFFF_FFFFL);
            rack.onResend(i, unit, lastResendAt[i] & 0xFFFF_FFFFL);
            tx = bumpTransmissions(i, unit);
            final boolean spurious = spuriousRetransmission(i, unit, tx);
            if (spurious)
            {
                stats.add(Counter.RETX_SPURIOUS);
            }
            if (unit > 0)
            {
                stats.add(Counter.RETX_DATA_AND_FIN);
                if (spurious)
                {
                    stats.add(Counter.RETX_SPURIOUS_DATA_AND_FIN);
                }
                else
                {
                    stats.add(repairs); // the copy before this one was lost (or all ACKs of it): a repair
                }
                if (!spurious && tx == 1 && (survivors != null ? (survivors[i] & (1L << unit)) == 0 :
                    network.lost(seed, table.connection[i >> 1], (i & 1) == CLIENT, NetworkModel.SEGMENT, unit, 0, -1)))
                {
                    // a real loss of the original: how long it waited to be resent (the simulator knows)
                    final long sent = sendTime(i, unit);
                    ShardStats.record(stats.recoveryUs, now - sent);
                    ShardStats.record(stats.recoveryPerMilliRtt, (now - sent) * 1000 /
                        Math.max(1, network.baseRttUs(seed, table.connection[i >> 1], sent)));
                }
            }
        }
        else if (unit > 0)
        {
            stats.add(Counter.SEGMENTS);
        }
        final int ack = receiver.rcvNext(i);
        if (unit > 0 && unit <= streams.units(i))
        {
            delayedAck.onDataSent(i);
        }
        delayedAck.onAckSent(i, ack); // every segment carries the ACK
        if (!wire.transmit(i, NetworkModel.SEGMENT, unit, ack, tx) && survivors != null && tx <= 3)
        {
            survivors[i] |= 1L << unit;
        }
    }

    // ------------------------------------------------------------------------------------------------ ACKs

    /**
     * Takes a cumulative ACK: the RTT sample, the new UNA, the window, the next resends of a recovery and the new
     * data the window now lets out. A pure ACK of nothing new while data is outstanding is a duplicate ACK
     * (RFC 5681 section 2), counted towards a fast retransmit ({@link LossRecovery}).
     *
     * @param pure whether the ACK came without data (only those count as duplicates).
     * @param unit for a pure ACK, the unit of this end's stream whose copy it answers.
     * @param tx   for a pure ACK, which transmission of that unit it answers.
     * @return whether it acknowledged anything new (old, duplicate and impossible ACKs are ignored).
     */
    boolean onAck(final int i, final int ack, final boolean pure, final int unit, final int tx)
    {
        final int c = i >> 1;
        final int end = i & 1;
        long w = table.word[i];
        final int una = field(w, UNA, 6);
        final int nxt = field(w, NXT, 6);
        // what the peer's ACKs had reported before this one (F-RTO asks what this one newly acknowledges)
        final long reportedBefore = recovery.inFrto(i) ? scoreboard(i, una) : 0;
        final long sackedBefore = sack.learned(i); // for Linux's delivered count
        final long learned = sack.learn(i); // the SACK blocks this ACK carries, if any
        final long received = learned | rangeMask(0, ack); // scoreboard(i, ack)
        if ((w & TLP_HIGH_MASK) != 0 && ack >= field(w, TLP_HIGH, 6) && ack <= nxt)
        {
            probeAcked(i, ack, una, pure, learned != sackedBefore);
            w = table.word[i];
        }
        final int high = sent[i]; // SND.NXT: only a send below (sendNew, a resend) moves it
        // the units ever resent: only a send (below, after the last use) changes them
        final long everResent = txLow[i] | txHigh[i];
        if (ack == una && pure && una < high)
        {
            rack.update(i, this, received, una, high, everResent);
            if (window.takesRttSamples())
            {
                // a duplicate ACK that SACKs new data gives CUBIC a sample too (tcp_clean_rtx_queue() runs on it)
                window.onRttSample(i, caRttUs(i, una, una, sackedBefore, learned, everResent, -1), clock.now);
            }
            onDuplicateAck(i, received, reportedBefore, sackedBefore);
            return false;
        }
        if (ack <= una || ack > nxt)
        {
            return false; // old or duplicate ACK (or one for data never sent: ignored, as RFC 793 says to)
        }
        // PRR in a fast recovery: what this ACK delivers and what was deemed lost before it (prrBefore)
        final boolean reducing = window.prr() && recovery.inFastRecovery(i);
        if (reducing)
        {
            prrBefore(i, received, sackedBefore, una, ack);
        }
        // before UNA moves: the send times of what it acknowledges
        rack.update(i, this, received, una, high, everResent);
        final long now = clock.now;
        final long retransmittedMask = everResent & rangeMask(una, ack);
        final RetransmissionTimers timer = rto[end];
        final boolean timestamps = timer.samplesRetransmissions();
        // with timestamps the ACK echoes the latest transmission's time (RFC 7323), and QUIC numbers every
        // transmission anew: a resent segment's sample runs from its resend, not from the original
        final long rttUs = now - (timestamps && retransmittedMask != 0 ? resendTime(i) : sendTime(i, una));
        final boolean allAcked = ack == nxt;
        // re-armed (unless all is acknowledged) where the kernel's wheel files it
        timers.ack(timer, c, rtoAck.of(clock.kernelNow(), streams.seq(i, ack), streams.seq(i, nxt))
            .rtt(rttUs, retransmittedMask != 0));
        if (window.takesRttSamples())
        {
            // CUBIC's delay_min, as Linux's pkts_acked (only Linux's CUBIC keeps a sample, so the window is Linux's)
            window.onRttSample(i, caRttUs(i, una, ack, sackedBefore, learned, everResent, rttUs), now);
        }
        w = with(w, UNA, ack);
        if (allAcked)
        {
            w &= ~TLP_USED;
        }
        if (ack >= field(w, BURST, 6))
        {
            sentAt[i] = (sentAt[i] & 0xFFFF_FFFF_0000_0000L) | (sentAt[i] >>> 32); // the oldest is of the latest burst
        }
        int recover = field(w, RECOVER, 6);
        table.word[i] = w;
        if (everResent != 0)
        {
            // (an end that never resent holds no resend times: ResendTimes takes an end only when it resends)
            rack.onAcked(i, everResent & rangeMask(ack, high));
        }
        recovery.onNewAck(i, ack - una);
        boolean newInstead = false;
        if (recover > 0 && recovery.inFrto(i))
        {
            final long newlyReported = received & ~reportedBefore;
            // tcp_clean_rtx_queue() (Linux 4.18 on): for a non-SACK flow, an ACK that also covers a resent segment
            // (FLAG_RETRANS_DATA_ACKED) clears FLAG_ORIG_SACK_ACKED: the cumulative ACK cannot tell whether the
            // never-resent data above the hole arrived before the timeout or after the repair
            final boolean origAcked = (recovery.sack() || retransmittedMask == 0) &&
                origAcked(i, una, recover, (rangeMask(una, ack) | received) & ~reportedBefore);
            final int decision = Frto.onAck(origAcked, high > recover,
                (newlyReported & (-1L << ack)) != 0, false, true, ack >= recover, high < nxt);
            if (decision == Frto.UNDO)
            {
                undoTimeout(i);
                recover = 0;
            }
            else if (decision == Frto.SEND_NEW)
            {
                newInstead = true; // step 2b: send new data, not retransmissions; the next ACKs decide
            }
            else if (decision == Frto.END)
            {
                recovery.endFrto(i); // step 3a, or no new data for 2b: the conventional recovery goes on
            }
        }
        final boolean linux = scenario.window == Scenario.Window.LINUX;
        if (reducing && recover > 0 && (linux && !recovery.sack() ? ack > recover : ack >= recover))
        {
            window.endReduction(i); // tcp_end_cwnd_reduction(): cwnd = ssthresh as the recovery ends, before it grows
        }
        // Linux leaves a SACK recovery in tcp_fastretrans_alert() before tcp_cong_control(): the ACK that reaches
        // the recovery point already grows the window (cwnd = ssthresh then, as here, without PRR); NewReno holds
        // the recovery while SND.UNA is at the point, until an ACK above it (below), and the window's growth with it
        if (!recovery.inFastRecovery(i) || linux && recover > 0 && (recovery.sack() ? ack >= recover : ack > recover))
        {
            // slow start (also after an RTO) and avoidance; the SYN's ACK does not count (the initial window is
            // the window once the handshake is done). RFC 5681 counts the cumulative ACK; Linux the segments
            // newly delivered (tcp_newly_delivered()): a segment SACKed before counted then (on an ACK that may
            // not have raised the window), not again when the cumulative ACK covers it; segments newly SACKed
            // by this ACK count now
            final int acked = linux ? Long.bitCount(received & ~(sackedBefore | rangeMask(0, Math.max(una, 1)))) :
                ack - Math.max(una, 1);
            window.onAck(i, acked, high - una, now, window.readsSrtt() ? timer.srttUs(c) : -1);
        }
        table.word[i] &= ~AT_RECOVERY_POINT; // SND.UNA moved: this ACK covers more than any earlier point
        // RFC 6675: the recovery ends at RecoveryPoint. Linux holds a NewReno one (Recovery, or Loss after an RTO)
        // while SND.UNA is at the point: tcp_try_undo_recovery() returns early for a reno flow with snd_una ==
        // high_seq (tcp_is_non_sack_preventing_reopen(): "hold old state until something *above* high_seq is
        // ACKed", RFC 2582), so duplicate ACKs there start no second fast retransmit. Before it returns,
        // tcp_fastretrans_alert() calls tcp_reset_reno_sack() on every ACK at the point: the inflation is zero there
        // and duplicate ACKs add none. An RTO there is cut again (tcp_enter_loss(): !after(high_seq, snd_una)) but
        // runs no F-RTO (neither new_recovery nor icsk_retransmits)
        if (recover > 0 && linux && !recovery.sack() && ack == recover)
        {
            recovery.resetInflation(i);
        }
        if (recover > 0 && (linux && !recovery.sack() ? ack > recover : ack >= recover))
        {
            table.word[i] = with(table.word[i], RECOVER, 0);
            recovery.exit(i);
            rack.clearLost(i);
            if (!recovery.sack() && ack == recover)
            {
                // RFC 6582 3.2 step 2, the careful variant: no new fast retransmit until an ACK covers more than
                // recover (here only under the rfc window: the linux one holds the recovery above instead)
                table.word[i] |= AT_RECOVERY_POINT;
            }
        }
        if (ack == high)
        {
            times.release(i); // nothing outstanding: two times say it all again
        }
        final boolean recovering = recover > 0 && ack < recover;
        if (newInstead)
        {
            sendNew(i, high, Math.min(high + 2, nxt)); // RFC 5682 step 2b: up to two new segments
            return true;
        }
        if (rack.enabled() && rack.detect(i, this, received, ack, high, recovering) != 0 && !recovering)
        {
            enterRackRecovery(i, window.prr() ? newlyDelivered(received, sackedBefore, una) : 0);
        }
        else
        {
            if (reducing && recovery.inFastRecovery(i))
            {
                // tcp_cong_control() after tcp_fastretrans_alert(): the recovery goes on (NewReno's held at its point
                // too), the ACK moved SND.UNA; the reduction bound adds one only if it marked nothing newly lost
                reduceWindow(i, prrDelivered, !markedNewlyLost(i, prrLostBefore, prrRelostBefore));
            }
            sendOnAck(i, recovering);
        }
        return true;
    }

    /**
     * PRR, before an ACK of new data in a fast recovery changes anything: the segments it delivers
     * ({@code newly_acked_sacked}: newly SACKed or cumulatively acknowledged and not SACKed before; NewReno's partial
     * ACK, those its duplicate ACKs did not count already, at least one, as {@code tcp_remove_reno_sacks()} counts
     * them) and what was deemed lost before it, to tell newly marked losses after it ({@link #markedNewlyLost}).
     * Kept in fields for the end of {@link #onAck}, out of its own code, which every ACK runs.
     */
    private void prrBefore(final int i, final long received, final long sackedBefore, final int una, final int ack)
    {
        prrDelivered = recovery.sack() ? newlyDelivered(received, sackedBefore, una) :
            Math.max(ack - una - recovery.inflation(i), 1);
        prrLostBefore = deemedLost(i, sackedBefore | rangeMask(0, una), una) | rack.lost(i);
        prrRelostBefore = rack.relost(i);
    }

    /** @return the segments the scoreboard {@code received} newly holds above {@code una} (SACKed or acknowledged). */
    private static int newlyDelivered(final long received, final long sackedBefore, final int una)
    {
        return Long.bitCount(received & ~(sackedBefore | rangeMask(0, Math.max(una, 1))));
    }

    /**
     * PRR ({@link CongestionControl#reduce}) on an ACK of a fast recovery: the window becomes the segments in flight
     * now, as the sender's loop counts them, plus what PRR lets out for the {@code delivered} segments.
     */
    private void reduceWindow(final int i, final int delivered, final boolean safe)
    {
        final long w = table.word[i];
        final int una = field(w, UNA, 6);
        final long received = scoreboard(i, una);
        final int highRxtNext = Math.max(field(w, RTX_NEXT, 6), una);
        // the pipe exactly as sendOnAck's loop computes it in a fast recovery, so that the loop sends sndcnt
        final long lost = deemedLost(i, received, una) | (rack.lost(i) & ~received);
        final long relost = rack.relost(i) & ~received;
        final int pipe = LossRecovery.pipe(received, lost, una, sent[i], highRxtNext) - recovery.inflation(i) -
            Long.bitCount(relost & rangeMask(0, highRxtNext));
        window.reduce(i, delivered, pipe, safe);
        if (trace.tracing(table.connection[i >> 1]))
        {
            trace.line(table.connection[i >> 1], TraceLog.endName(i & 1) + " PRR: delivered " + delivered +
                " (" + window.prrDelivered(i) + " in all), sent " + window.prrOut(i) + ", pipe " + pipe + ": cwnd " +
                window.cwnd(i) + (safe ? " (SND.UNA moved, no new loss)" : ""));
        }
    }

    /**
     * @return the units a fast recovery deems lost on the scoreboard {@code received} with SND.UNA at {@code una}:
     * RFC 6675's {@code IsLost()} and, for NewReno, the head after a partial ACK (RACK's marks are apart).
     */
    private long deemedLost(final int i, final long received, final int una)
    {
        final int recover = field(table.word[i], RECOVER, 6);
        final long lost = LossRecovery.lost(received, una, sent[i], false, recover);
        return !recovery.sack() && una < recover ? lost | 1L << una : lost;
    }

    /**
     * @return whether the ACK just taken marked a segment lost that was not before ({@code rs->losses}, Linux's
     * {@code newly_lost}): deemed lost on the scoreboard, marked by RACK, or a retransmission marked lost again.
     */
    private boolean markedNewlyLost(final int i, final long lostBefore, final long relostBefore)
    {
        final int una = field(table.word[i], UNA, 6);
        final long received = scoreboard(i, una);
        final long lostNow = deemedLost(i, received, una) | rack.lost(i);
        return (((lostNow & ~lostBefore) | (rack.relost(i) & ~relostBefore)) & ~received) != 0;
    }

    /**
     * The RTT sample Linux's {@code tcp_clean_rtx_queue()} gives the congestion control ({@code ca_rtt_us}, CUBIC's
     * {@code delay_min}): from the most recently sent unit this ACK newly SACKs ({@code last_sackt}), else from the
     * most recently sent unit it newly acknowledges cumulatively and that no SACK reported before
     * ({@code last_ackt}), never-resent units only, and none of the latter when a resent one is acknowledged
     * (Karn); else, with timestamps, the echoed time ({@code timestampRttUs}); else none. The handshake's ACK gives
     * none: Linux's child socket has no SYN-ACK in its queue, and {@code tcp_init_transfer()} resets CUBIC anyway.
     *
     * @return the sample, microseconds, or -1 for none.
     */
    private long caRttUs(final int i, final int una, final int ack, final long sackedBefore, final long learned,
        final long resent, final long timestampRttUs)
    {
        final long sacked = learned & ~sackedBefore & ~resent & ~rangeMask(0, ack);
        if (sacked != 0)
        {
            return clock.now - sendTime(i, 63 - Long.numberOfLeadingZeros(sacked));
        }
        final long cumulative = rangeMask(Math.max(una, 1), ack);
        final long fresh = cumulative & ~sackedBefore & ~resent;
        if (fresh != 0 && (cumulative & resent) == 0)
        {
            return clock.now - sendTime(i, 63 - Long.numberOfLeadingZeros(fresh));
        }
        return cumulative != 0 && rto[i & 1].samplesRetransmissions() ? timestampRttUs : -1;
    }

    /**
     * {@code FLAG_ORIG_SACK_ACKED}: data sent before the timeout (below {@code recover}) and never resent is among
     * the units newly acknowledged or reported ({@code newly}: not reported by an earlier ACK; a unit SACKed
     * before and cumulatively acknowledged now sets no flag, as its skb is {@code TCPCB_SACKED_ACKED}).
     */
    private boolean origAcked(final int i, final int una, final int recover, final long newly)
    {
        return (newly & rangeMask(una, recover) & ~(txLow[i] | txHigh[i])) != 0;
    }

    /**
     * RFC 5682 3.1 step 3b, as {@code tcp_try_undo_loss(sk, true)} takes it: the timeout was spurious; undo its window
     * cut, end the recovery (the state is Open again).
     */
    private void undoTimeout(final int i)
    {
        window.undo(i);
        table.word[i] = with(table.word[i], RECOVER, 0);
        recovery.exit(i);
        rack.clearLost(i);
        stats.add(Counter.FRTO_SPURIOUS_RTOS);
        if (trace.tracing(table.connection[i >> 1]))
        {
            trace.line(table.connection[i >> 1], TraceLog.endName(i & 1) + " F-RTO: spurious timeout, undone");
        }
    }

    /**
     * RACK marked a segment lost outside any recovery: recover as after a fast retransmit, NextSeg first.
     *
     * @param delivered the segments the ACK that found the loss delivered (PRR's first; 1 for the reordering timer,
     *                  as {@code tcp_rack_reo_timeout()} passes).
     */
    private void enterRackRecovery(final int i, final int delivered)
    {
        final int una = field(table.word[i], UNA, 6);
        table.word[i] = with(table.word[i], TLP_HIGH, 0); // tcp_init_cwnd_reduction(): tlp_high_seq = 0
        recovery.enterByRack(i);
        window.onFastRetransmit(i, sent[i] - una);
        table.word[i] = with(with(table.word[i], RECOVER, sent[i]), RTX_NEXT, una);
        if (window.prr())
        {
            reduceWindow(i, delivered, false); // the entry marked a loss: never the reduction bound's extra one
        }
        if (aux.kind(i) == AuxTimers.TLP)
        {
            aux.cancel(i);
        }
        if (trace.tracing(table.connection[i >> 1]))
        {
            trace.line(table.connection[i >> 1], TraceLog.endName(i & 1) + " RACK marks lost " +
                Long.toBinaryString(rack.lost(i)) + ": recovery, cwnd " + window.cwnd(i));
        }
        sendOnAck(i, true);
        restartTimer(i);
    }

    /** End {@code end} of slot {@code c}'s RACK reordering timer fired (RFC 8985 6.3). */
    void onReorderTimeout(final int c, final int end)
    {
        final int i = c << 1 | end;
        rack.fired(i);
        final int una = field(table.word[i], UNA, 6);
        if (TcpState.isIdle(table.state(i)) || una >= sent[i])
        {
            return;
        }
        final boolean recovering = field(table.word[i], RECOVER, 6) != 0;
        if (rack.detect(i, this, scoreboard(i, una), una, sent[i], recovering) != 0)
        {
            if (!recovering)
            {
                enterRackRecovery(i, 1);
            }
            else if (window.enabled())
            {
                sendOnAck(i, true);
            }
        }
    }

    /**
     * A duplicate ACK: in F-RTO it may decide the timeout ({@link Frto}); the third outside a recovery starts a fast
     * retransmit; in a recovery, it may let out more.
     *
     * @param reportedBefore what the peer's ACKs had reported before this one (for F-RTO; 0 outside it).
     * @param sackedBefore   what the peer's SACK blocks had reported before this ACK (for PRR's delivered count).
     */
    private void onDuplicateAck(final int i, final long received, final long reportedBefore, final long sackedBefore)
    {
        final int una = field(table.word[i], UNA, 6);
        final int recover = field(table.word[i], RECOVER, 6);
        if (recover != 0 && recovery.inFrto(i))
        {
            final long newlyReported = received & ~reportedBefore;
            final int decision = Frto.onAck(origAcked(i, una, recover, newlyReported), sent[i] > recover,
                newlyReported != 0, true, false, false, false);
            if (decision == Frto.UNDO)
            {
                undoTimeout(i); // a duplicate ACK that SACKs never-resent data: step 3b as well
            }
            else if (decision == Frto.END)
            {
                recovery.endFrto(i); // step 3a: the new data sent in 2b arrived, the hole stayed: the loss was real
            }
        }
        if (field(table.word[i], RECOVER, 6) != 0)
        {
            final int inflationBefore = recovery.inflation(i);
            if (field(table.word[i], RECOVER, 6) > una)
            {
                recovery.onDuplicateInRecovery(i); // NewReno's inflation: one more segment left the network
            } // else a NewReno recovery held at its point (linux): tcp_reset_reno_sack(), no inflation
            if (window.enabled())
            {
                rack.detect(i, this, received, una, sent[i], true);
                if (window.prr() && recovery.inFastRecovery(i))
                {
                    // delivered: the segments newly SACKed; NewReno, the duplicate counted (tcp_add_reno_sack())
                    reduceWindow(i, recovery.sack() ? newlyDelivered(received, sackedBefore, una) :
                        recovery.inflation(i) - inflationBefore, false);
                }
                sendOnAck(i, true); // the pipe shrank: more may go
            }
        }
        else if (recovery.onDuplicateAck(i,
            (LossRecovery.lost(received, una, sent[i], false, 0) & (1L << una)) != 0,
            (table.word[i] & AT_RECOVERY_POINT) == 0))
        {
            enterFastRecovery(i, !window.prr() ? 0 : recovery.sack() ? newlyDelivered(received, sackedBefore, una) : 1);
        }
        else if (rack.enabled() && rack.detect(i, this, received, una, sent[i], false) != 0)
        {
            enterRackRecovery(i, window.prr() ? newlyDelivered(received, sackedBefore, una) : 0);
        }
        else
        {
            limitedTransmit(i, una);
        }
    }

    /**
     * Limited transmit (RFC 3042): each of the first two duplicate ACKs sends one new segment the window held back,
     * if the flight stays within {@code cwnd} plus the duplicates counted (two at most); the window is not changed.
     * It keeps ACKs coming when the window is small, so that a third duplicate can arrive.
     */
    private void limitedTransmit(final int i, final int una)
    {
        final int dups = recovery.duplicateAcks(i);
        final int high = sent[i];
        if (window.enabled() && dups > 0 && dups < LossRecovery.DUP_THRESH && high < field(table.word[i], NXT, 6) &&
            high + 1 - una <= window.cwnd(i) + dups)
        {
            sendNew(i, high, high + 1);
        }
    }

    /**
     * RFC 5681 3.2 / RFC 6675 section 5: resend the oldest unacknowledged unit, halve the window, recover up to the
     * highest unit sent; resending the head restarts the RTO, as Linux's {@code tcp_xmit_retransmit_queue()} does.
     * With PRR the window is set from the ACK's delivered segments before the head goes (Linux lets at least it out;
     * RFC 6675 sends it whatever the window, and so does the rfc window with PRR), and the head counts as sent.
     *
     * @param delivered the segments the third duplicate ACK delivered: newly SACKed, or 1 without SACK.
     */
    private void enterFastRecovery(final int i, final int delivered)
    {
        final int una = field(table.word[i], UNA, 6);
        table.word[i] = with(table.word[i], TLP_HIGH, 0); // tcp_init_cwnd_reduction(): tlp_high_seq = 0
        window.onFastRetransmit(i, sent[i] - una);
        table.word[i] = with(with(table.word[i], RECOVER, sent[i]), RTX_NEXT, una);
        if (window.prr())
        {
            reduceWindow(i, delivered, false); // the head is lost and not yet resent: out of the pipe
        }
        table.word[i] = with(table.word[i], RTX_NEXT, una + 1);
        if (aux.kind(i) == AuxTimers.TLP)
        {
            aux.cancel(i);
        }
        if (trace.tracing(table.connection[i >> 1]))
        {
            trace.line(table.connection[i >> 1], TraceLog.endName(i & 1) +
                (recovery.duplicateAcks(i) >= LossRecovery.DUP_THRESH ? " third duplicate ACK" :
                    " SACK blocks show three segments above the hole") + ": fast retransmit, " +
                "cwnd " + window.cwnd(i) + " ssthresh " + window.ssthresh(i));
        }
        repairs = Counter.REPAIRED_BY_FAST_RECOVERY;
        resendUnit(i, una);
        window.onRecoverySent(i, 1);
        restartTimer(i);
        sendOnAck(i, true);
    }

    /**
     * After an ACK: in a recovery, resend what is lost while the pipe is below the window (RFC 6675), then send
     * new data as the window allows. Without a window, a recovery resends two lost units per ACK (as the
     * simulator did before windows) and there is never new data waiting.
     */
    private void sendOnAck(final int i, final boolean recovering)
    {
        if (!window.enabled())
        {
            if (recovering)
            {
                repairs = recovery.startedByRack(i) ? Counter.REPAIRED_BY_RACK :
                    recovery.inFastRecovery(i) ? Counter.REPAIRED_BY_FAST_RECOVERY : Counter.REPAIRED_BY_RTO;
                // a unit marked lost again that the walk from RTX_NEXT will reach is left to it: sent once a marking
                final long again = rack.relost(i) & ~receiver.received(i ^ 1) &
                    rangeMask(0, Math.max(field(table.word[i], RTX_NEXT, 6), field(table.word[i], UNA, 6)));
                if (again != 0)
                {
                    resendUnit(i, Long.numberOfTrailingZeros(again)); // a lost retransmission first
                }
                resendLost(i, again != 0 ? 1 : 2);
            }
            return;
        }
        final int cwnd = window.cwnd(i);
        if (!recovering)
        {
            final int una = field(table.word[i], UNA, 6);
            final int from = sent[i];
            sendNew(i, from, Math.min(field(table.word[i], NXT, 6), una + cwnd));
            if (sent[i] > from)
            {
                startTimer(i);
                if (window.prr() && recovery.inFastRecovery(i))
                {
                    window.onRecoverySent(i, sent[i] - from); // a NewReno recovery held at its point (prr_out)
                }
            }
            return;
        }
        repairs = recovery.startedByRack(i) ? Counter.REPAIRED_BY_RACK :
            recovery.inFastRecovery(i) ? Counter.REPAIRED_BY_FAST_RECOVERY : Counter.REPAIRED_BY_RTO;
        final long received = scoreboard(i, field(table.word[i], UNA, 6));
        while (true)
        {
            final long w = table.word[i];
            final int una = field(w, UNA, 6);
            final int recover = field(w, RECOVER, 6);
            final int highRxtNext = Math.max(field(w, RTX_NEXT, 6), una);
            final int high = sent[i];
            final boolean fast = recovery.inFastRecovery(i);
            long lost = LossRecovery.lost(received, una, high, !fast, recover) | (rack.lost(i) & ~received);
            if (fast && !recovery.sack() && una < recover)
            {
                lost |= 1L << una; // NewReno (RFC 6582): after a partial ACK the new head is lost; resent once
            }
            // a resent unit RACK marked lost again is not in flight (tcp_mark_skb_lost() lowers retrans_out): it
            // leaves SetPipe()'s count of resent units, and goes out again before NextSeg
            final long relost = rack.relost(i) & ~received;
            if (LossRecovery.pipe(received, lost, una, high, highRxtNext) - recovery.inflation(i) -
                Long.bitCount(relost & rangeMask(0, highRxtNext)) >= cwnd)
            {
                return;
            }
            final int limit = Math.min(high, recover);
            // one transmission per marking, as tcp_xmit_retransmit_queue() sends each TCPCB_LOST segment not
            // TCPCB_SACKED_RETRANS once: a unit marked lost again that rule 1's walk from HighRxt will reach (it is in
            // RACK's marks) is left to the walk; resent here as well it went out twice
            final long again = relost & ~rangeMask(highRxtNext, limit);
            int next = LossRecovery.nextSeg(lost, highRxtNext, limit);
            // RFC 6675's rules 3 and 4 in its own recovery; Linux's (with RACK) resends only what is marked lost
            // (tcp_xmit_retransmit_queue()), its tail loss probe standing in for the rescue
            final boolean rfc6675 = fast && recovery.sack() && !rack.enabled();
            if (next < 0 && high >= field(w, NXT, 6) && rfc6675)
            {
                next = LossRecovery.nextSegRule3(received, highRxtNext, limit); // rules 1 and 2 gave nothing
            }
            if (again != 0)
            {
                resendUnit(i, Long.numberOfTrailingZeros(again));
            }
            else if (next >= 0)
            {
                table.word[i] = with(w, RTX_NEXT, next + 1);
                resendUnit(i, next);
            }
            else if (high < field(w, NXT, 6))
            {
                sendNew(i, high, high + 1);
            }
            else if (rfc6675 && scenario.window == Scenario.Window.RFC && !recovery.rescued(i) &&
                (next = LossRecovery.rescueSeg(received, una, highRxtNext, high)) >= 0)
            {
                // rule 4, the rescue retransmission: HighRxt stays, so the copy is not in the pipe; once per recovery.
                // The rfc window's only: Linux's tcp_xmit_retransmit_queue() resends only segments marked lost, RACK
                // on or off, and has no rescue
                recovery.rescue(i);
                if (trace.tracing(table.connection[i >> 1]))
                {
                    trace.line(table.connection[i >> 1], TraceLog.endName(i & 1) + " rescue retransmission");
                }
                resendUnit(i, next);
            }
            else
            {
                return;
            }
            if (fast)
            {
                window.onRecoverySent(i, 1); // PRR's prr_out: every segment sent in a fast recovery
            }
        }
    }

    /** After an ACK's state transitions: probe what is still outstanding, or stop probing when nothing is. */
    void afterAck(final int i, final boolean allAcked, final boolean finAcked)
    {
        if (!finAcked && !allAcked)
        {
            armProbe(i);
        }
        if (allAcked && aux.kind(i) == AuxTimers.TLP)
        {
            aux.cancel(i);
        }
    }

    /**
     * A pure ACK of an original that the last RTO resent: the timeout was spurious. Real stacks learn this from
     * timestamps (Eifel, RFC 3522) or F-RTO; the simulator knows which copy the ACK answers. Strategies with a
     * response (eifel) adapt; the others ignore it.
     */
    void checkSpuriousTimeout(final int i, final int packetClass, final int unit, final int ack, final int tx)
    {
        final long w = table.word[i];
        if (packetClass == NetworkModel.PURE_ACK && tx == 0 && field(w, RTO_UNIT, 6) == unit + 1 &&
            unit >= field(w, UNA, 6) && unit < ack)
        {
            table.word[i] = with(w, RTO_UNIT, 0);
            stats.add(Counter.SPURIOUS_TIMEOUTS_DETECTED);
            rto[i & 1].onSpuriousTimeout(i >> 1, clock.now - sendTime(i, unit));
        }
    }

    // ------------------------------------------------------------------------------------------------ loss

    /** The retransmission timer fired on data or a FIN: resend the oldest unit and enter recovery. */
    void retransmitOnTimeout(final int i)
    {
        final int una = field(table.word[i], UNA, 6);
        if (aux.kind(i) == AuxTimers.TLP)
        {
            aux.cancel(i);
        }
        // ssthresh is cut only the first time the timer resends this unit (RFC 5681 3.1, equation 4's note): a
        // repeated RTO finds RTO_UNIT at this UNA (no ACK has moved it since, Linux's icsk_retransmits > 0)
        final boolean repeated = field(table.word[i], RTO_UNIT, 6) == una + 1;
        boolean cut = !repeated;
        // RFC 5682 3.1 step 1 (the SACK-enhanced algorithm, which Frto runs with or without SACK): step 2 is not
        // entered while "RecoveryPoint" >= SND.UNA. A fast retransmit sets RecoveryPoint (RFC 6675), as do step 1
        // when it refuses F-RTO and step 2 on the first new ACK after the timeout; a timeout that entered F-RTO
        // leaves it as it was, so it recurs into F-RTO until a new ACK arrives ("if the retransmission timeout
        // expires again, go to step 1"). In units: no recovery runs, or an RTO's F-RTO has seen no new ACK yet
        final boolean running = field(table.word[i], RECOVER, 6) > una;
        boolean frto = scenario.frto &&
            (!running || !recovery.inFastRecovery(i) && repeated && recovery.inFrto(i));
        if (scenario.window == Scenario.Window.LINUX)
        {
            // tcp_enter_loss(): ssthresh is cut (and prior_cwnd, prior_ssthresh saved) in Open or Disorder, or in
            // Loss once an ACK has moved SND.UNA since the last RTO; not in Recovery, whose cut stands (the window
            // is not cut twice for one loss). F-RTO runs when this starts a recovery (new_recovery: the state was
            // below Recovery) or the timer fires again on the same SND.UNA (icsk_retransmits), not after a first RTO
            // in Recovery nor in Loss after the ACK point moved. This is Linux's rule, not RFC 5682's: step 1 also
            // refuses the repeat of a timeout that itself refused F-RTO (one in a fast recovery, say), which
            // icsk_retransmits lets in
            final boolean fast = recovery.inFastRecovery(i);
            final boolean loss = !fast && field(table.word[i], RECOVER, 6) != 0;
            // a NewReno recovery held at its point: SND.UNA == high_seq, so !after(high_seq, snd_una) cuts again
            final boolean held = fast && field(table.word[i], RECOVER, 6) <= una;
            cut = (!fast || held) && !(loss && repeated);
            frto = scenario.frto && (!fast && !loss || loss && repeated);
        }
        window.onTimeout(i, sent[i] - una, cut);
        table.word[i] = with(table.word[i], TLP_HIGH, 0); // assumed: the RTO's Loss state ends the probe's episode
        recovery.onTimeout(i, frto);
        if (trace.tracing(table.connection[i >> 1]))
        {
            trace.line(table.connection[i >> 1], TraceLog.endName(i & 1) + " RTO: cwnd " + window.cwnd(i) +
                " ssthresh " + window.ssthresh(i) + (cut ? "" : " (not cut again)") + (frto ? ", F-RTO" : ""));
        }
        rack.onTimeout(i, rangeMask(una, sent[i]) & ~scoreboard(i, una), txLow[i] | txHigh[i]);
        rack.cancel(i);
        table.word[i] = with(with(with(table.word[i], RECOVER, sent[i]), RTX_NEXT, una + 1), RTO_UNIT, una + 1);
        repairs = Counter.REPAIRED_BY_RTO;
        resendUnit(i, una);
    }

    /**
     * RFC 8985 section 7.3: the probe timer fired: resend the last segment sent; then, as
     * {@code tcp_send_loss_probe()} does, the RTO restarts from now.
     */
    void probe(final int i)
    {
        final int c = i >> 1;
        final int high = sent[i];
        stats.add(Counter.RETX_TLP);
        table.word[i] |= TLP_USED;
        if (trace.tracing(table.connection[c]))
        {
            trace.line(table.connection[c], TraceLog.endName(i & 1) + " tail loss probe fires");
        }
        if (high < field(table.word[i], NXT, 6))
        {
            sendNew(i, high, high + 1); // new data if there is some, whatever the window (tcp_send_loss_probe())
        }
        else
        {
            repairs = Counter.REPAIRED_BY_TLP;
            resendUnitCounted(i, high - 1, false);
            if (scenario.window == Scenario.Window.LINUX)
            {
                table.word[i] = with(table.word[i], TLP_HIGH, high); // tlp_high_seq = snd_nxt, tlp_retrans = 1
            }
        }
        restartTimer(i);
    }

    /** After an RTO: resend up to {@code budget} units the receiver lacks, in order, below the recovery point. */
    private void resendLost(final int i, final int budget)
    {
        final long peerHas = receiver.received(i ^ 1);
        int next = Math.max(field(table.word[i], RTX_NEXT, 6), field(table.word[i], UNA, 6));
        final int recover = field(table.word[i], RECOVER, 6);
        int sent = 0;
        while (next < recover && sent < budget)
        {
            if ((peerHas & (1L << next)) == 0)
            {
                resendUnit(i, next);
                sent++;
            }
            next++;
        }
        table.word[i] = with(table.word[i], RTX_NEXT, next);
    }

    private void resendUnit(final int i, final int unit)
    {
        resendUnitCounted(i, unit, true);
    }

    private void resendUnitCounted(final int i, final int unit, final boolean countKind)
    {
        if (countKind)
        {
            stats.add(unit == streams.finUnit(i) ? Counter.RETX_FIN : Counter.RETX_DATA);
            if (recovery.inFastRecovery(i))
            {
                stats.add(Counter.RETX_FAST);
            }
        }
        sendSegment(i, unit, true);
    }

    /** Arms the tail loss probe (RFC 8985, Linux's tcp_schedule_loss_probe) if the rules allow one now. */
    void armProbe(final int i)
    {
        if (!scenario.tailLossProbe)
        {
            return;
        }
        final int c = i >> 1;
        final int end = i & 1;
        final long w = table.word[i];
        final int outstanding = sent[i] - field(w, UNA, 6);
        if (outstanding <= 0 || (w & TLP_USED) != 0 || field(w, RECOVER, 6) != 0)
        {
            return; // decided by the end's word, before the strategy is asked for the smoothed RTT
        }
        final long srtt = rto[end].srttUs(c);
        if (srtt < 0)
        {
            return;
        }
        // the RTO timer's deadline, NULL_DEADLINE when it is not running: outside the wheel's poll (the shard's
        // handler only buffers), a timer on the wheel is never detached, so this is isArmed() in the same lookup
        final long rtoDeadline = rto[end].deadlineUs(c);
        if (rtoDeadline == TimerWheel.NULL_DEADLINE || aux.kind(i) == AuxTimers.THINK)
        {
            return;
        }
        final long jiffyUs = clock.jiffyUs();
        long pto = 2 * srtt + (outstanding == 1 ? PROBE_MIN_US : Math.max(2 * jiffyUs, 2_000));
        if (jiffyUs > 0)
        {
            pto = (pto + jiffyUs - 1) / jiffyUs * jiffyUs;
        }
        // Linux takes the earlier of the probe timeout and the RTO: the probe then stands in for the RTO (the
        // kernel's one timer is the probe's); a microsecond early here, so that it fires before this RTO timer
        if (rtoDeadline - clock.kernelNow() <= 1)
        {
            return;
        }
        aux.set(i, AuxTimers.TLP, Math.min(timers.deadline(pto), rtoDeadline - 1));
    }

    /**
     * @return whether resending {@code unit} now is spurious: the timer fired though a copy of it is still on its
     * way to the receiver, or the receiver has it and an ACK covering it is on its way back. The simulator knows
     * both, where a real stack can only guess (Eifel, F-RTO). A copy the receiver has whose ACKs were all lost makes
     * the retransmission necessary, not spurious.
     */
    private boolean spuriousRetransmission(final int i, final int unit, final int tx)
    {
        final int peer = i ^ 1;
        if ((receiver.received(peer) & (1L << unit)) != 0)
        {
            // paths are FIFO and ACKs cumulative: the last packet sent back carries the highest ACK in flight
            return wire.ackSent(peer) > unit && wire.lastArrivalUs(peer) > clock.now;
        }
        if (survivors != null)
        {
            return (survivors[i] & (1L << unit)) != 0; // a copy numbered 0..3 was not lost, as decided when sent
        }
        final long conn = table.connection[i >> 1];
        final boolean fromClient = (i & 1) == CLIENT;
        for (int t = 0; t < Math.min(tx, 4); t++) // transmissions 0..3 are numbered in order; later ones skip
        {
            if (!network.lost(seed, conn, fromClient, NetworkModel.SEGMENT, unit, t, -1))
            {
                return true; // not lost, not arrived: on its way
            }
        }
        return false;
    }

    /** Counts a retransmission of {@code unit}: @return its transmission number (1 for the first resend). */
    private int bumpTransmissions(final int i, final int unit)
    {
        final long bit = 1L << unit;
        final int count = transmissions(i, unit);
        if (count < 3)
        {
            final int next = count + 1;
            txLow[i] = (next & 1) != 0 ? txLow[i] | bit : txLow[i] & ~bit;
            txHigh[i] = (next & 2) != 0 ? txHigh[i] | bit : txHigh[i] & ~bit;
            return next;
        }
        // beyond three resends the 2-bit count saturates: the end's own count of such resends, never reset while
        // the connection lives, gives every later transmission an identity of its own
        return 4 + resendsBeyondThree[i]++;
    }

    /** @return the units of end {@code i} resent at least once (since its last reset). */
    long resent(final int i)
    {
        return txLow[i] | txHigh[i];
    }

    /** @return whether end {@code i} keeps a send time per unit ({@link SendTimes}) rather than two. */
    boolean timesAttached(final int i)
    {
        return times.attached(i);
    }

    /** @return how many times {@code unit} has been resent, saturating at 3. */
    int transmissions(final int i, final int unit)
    {
        return (int)((txLow[i] >>> unit) & 1) | (int)(((txHigh[i] >>> unit) & 1) << 1);
    }

    // ------------------------------------------------------------------------------------------------ times

    /** Records that a burst starting at {@code first} leaves now: the time every unit of it was first sent. */
    private void markBurst(final int i, final int first)
    {
        final long offset = Math.min(clock.now - table.startUs[i >> 1], 0xFFFF_FFFFL);
        final long oldest = field(table.word[i], UNA, 6) >= first ? offset : sentAt[i] & 0xFFFF_FFFFL;
        sentAt[i] = offset << 32 | oldest;
        table.word[i] = with(table.word[i], BURST, first);
    }

    /** @return when unit {@code unit} was first sent: in the latest burst, or the oldest outstanding time. */
    long sendTime(final int i, final int unit)
    {
        return table.startUs[i >> 1] + sendOffset(i, unit);
    }

    /** @return when unit {@code unit} was first sent, microseconds after the connection's start. */
    long sendOffset(final int i, final int unit)
    {
        return times.attached(i) ? times.get(i, unit) : burstOffset(i, unit);
    }

    /**
     * @return when unit {@code unit} was first sent, microseconds after the connection's start, for an end that keeps
     * two times ({@link #timesAttached} false): in the latest burst, or the oldest outstanding time.
     */
    long burstOffset(final int i, final int unit)
    {
        final long at = sentAt[i];
        return unit >= field(table.word[i], BURST, 6) ? at >>> 32 : at & 0xFFFF_FFFFL;
    }

    /** @return when end {@code i}'s latest burst left. */
    long latestBurstUs(final int i)
    {
        return table.startUs[i >> 1] + (sentAt[i] >>> 32);
    }

    /**
     * End {@code i} has just become established: Linux sets {@code lsndtime} there ({@code tcp_finish_connect()},
     * and {@code tcp_rcv_state_process()}'s SYN_RECV branch: "Prevent spurious tcp_cwnd_restart() on first data
     * packet"), so the idle before its first data runs from now, not from its SYN or SYN-ACK. Kept in the latest
     * retransmission's field, which no RTT sample reads again for the handshake's unit (the ACK that covered it was
     * sampled before this call) and which any data retransmission overwrites before its own sample; so no result
     * moves, only when a restart's trace line says the idle began.
     */
    void established(final int i)
    {
        lastResendAt[i] = (int)Math.min(clock.now - table.startUs[i >> 1], 0xFFFF_FFFFL);
    }

    /** @return when end {@code i} last retransmitted, or became established if that was later. */
    long resendTime(final int i)
    {
        return table.startUs[i >> 1] + (lastResendAt[i] & 0xFFFF_FFFFL);
    }

    /**
     * @return what end {@code i} knows the receiver holds of its stream: the units below the cumulative ACK
     * {@code ack} and those SACK blocks reported (none without SACK).
     */
    private long scoreboard(final int i, final int ack)
    {
        return sack.learned(i) | rangeMask(0, ack);
    }

    private static long rangeMask(final int from, final int to)
    {
        final long upTo = to >= 64 ? -1L : (1L << to) - 1;
        return upTo & ~((1L << from) - 1);
    }
}
