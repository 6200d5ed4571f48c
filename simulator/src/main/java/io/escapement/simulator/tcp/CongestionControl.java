package io.escapement.simulator.tcp;

import io.escapement.simulator.Scenario;

import java.util.Arrays;

/**
 * The congestion window of each end, in segments (a unit, the FIN included, is one segment, as Linux counts
 * {@code packets_out}).
 * <ul>
 *   <li>It starts at the initial window (RFC 6928: 10) with {@code ssthresh} unbounded (RFC 5681 3.1).</li>
 *   <li><b>Slow start</b> while {@code cwnd < ssthresh}: {@link Scenario.Window#RFC} adds one segment per ACK of new
 *   data (RFC 5681 3.1, {@code cwnd += min(N, SMSS)}); {@link Scenario.Window#LINUX} adds the segments the ACK
 *   acknowledges, up to {@code ssthresh}, the rest going to congestion avoidance ({@code tcp_slow_start()}).</li>
 *   <li><b>Congestion avoidance</b>: one segment per window's worth: RFC 5681 counts ACKs, Linux counts segments
 *   acknowledged ({@code tcp_cong_avoid_ai()} with {@code snd_cwnd_cnt}).</li>
 *   <li>Linux counts the segments newly delivered ({@code tcp_newly_delivered()}: with SACK, a segment counts when
 *   first SACKed, not again under the cumulative ACK; the sender passes the count) and grows from the ACK that ends
 *   a recovery on.</li>
 *   <li>Linux grows the window only when it limits the sender ({@code tcp_is_cwnd_limited()}: in slow start while
 *   {@code cwnd < 2 x} the segments in flight, in avoidance when the flight fills it); RFC 5681 always.</li>
 *   <li>An <b>RTO</b> sets {@code ssthresh = max(FlightSize / 2, 2)} (unless the segment was already resent by the
 *   timer: RFC 5681 equation 4's note) and {@code cwnd} to the loss window, 1 (RFC 5681 3.1). Linux
 *   ({@code tcp_enter_loss()}) cuts {@code ssthresh} only outside a recovery, or in the recovery after an RTO once
 *   an ACK has moved SND.UNA since (an RTO in a fast recovery keeps that recovery's cut), and sets {@code cwnd} to
 *   the segments in flight plus one: 1 here, as the RTO marks every outstanding segment not SACKed lost (Linux's
 *   RACK spares those sent within the last RTT, not modelled).</li>
 *   <li><b>Fast retransmit</b> sets {@code ssthresh = cwnd = max(FlightSize / 2, 2)} (RFC 5681 3.2 step 2; RFC
 *   6675 section 5 step 4); recovery then sends while the pipe is below {@code cwnd} ({@link LossRecovery}).</li>
 *   <li>With <b>PRR</b> ({@link Scenario#prr}, the {@link Scenario.Window#LINUX} window's default; RFC 6937,
 *   {@code tcp_cwnd_reduction()}) the fast retransmit sets {@code ssthresh} only; on each ACK of the recovery
 *   {@link #reduce} makes the window the pipe plus what PRR lets out, in proportion to what was delivered while more
 *   than {@code ssthresh} is in flight, by the reduction bound below it, and the recovery's end sets
 *   {@code cwnd = ssthresh} ({@link #endReduction}). An RTO's recovery (Linux's Loss state) has no PRR: slow start
 *   from 1. Linux's CWR by PRR over a round (ECN, local congestion) has no cause here; its CWR after a tail loss
 *   probe that repaired a loss ({@code tcp_process_tlp_ack()}) is ended at once, {@link #onProbeRepairedLoss}.</li>
 *   <li><b>Restart after idle</b> ({@link Scenario#slowStartAfterIdle}): an end that sent no data for longer than
 *   the RTO restarts its window before its next message ({@link #restartAfterIdle}).</li>
 * </ul>
 * <b>CUBIC</b> ({@link Scenario.Cc#CUBIC}, RFC 9438) replaces Reno's congestion avoidance and its cut: a loss
 * (third duplicate ACK, RACK or the first RTO of a segment) remembers {@code W_max} (with fast convergence, 4.7: a
 * window below the previous {@code W_max} lowers it to {@code cwnd (1 + beta) / 2}) and sets
 * {@code ssthresh = max(cwnd beta, 2)}, {@code beta = 0.7} (4.6); above {@code ssthresh} each ACK moves the window
 * towards {@code W_cubic(t + RTT) = C (t + RTT - K)^3 + W_max}, {@code C = 0.4}, {@code K = cbrt((W_max - cwnd_epoch)
 * / C)}, {@code t} the time since the first ACK of the avoidance epoch (4.2), by {@code (target - cwnd) / cwnd} per
 * segment acknowledged, the target held within {@code [cwnd, 1.5 cwnd]} (4.4, 4.5); where Reno's estimate
 * {@code W_est} (growing by {@code alpha = 3 (1 - beta) / (1 + beta)} per window) is above {@code W_cubic(t)}, the
 * window follows {@code W_est} (the Reno-friendly region, 4.3). That is CUBIC with {@link Scenario.Window#RFC}.
 * With {@link Scenario.Window#LINUX} it is Linux's {@code tcp_cubic.c} (the default since 2.6.19), which differs:
 * {@code beta = 717 / 1024} in integers ({@code ssthresh = max(cwnd 717 / 1024, 2)}, fast convergence's
 * {@code W_max = cwnd 1741 / 2048}, whole segments); the target one minimum RTT ahead ({@code delay_min}, forgotten
 * at an RTO), not one SRTT; the growth as a count of segments per segment ({@code cnt}) applied by
 * {@code tcp_cong_avoid_ai()}, at least 5% a round while no {@code W_max} is known (after an RTO), a trickle
 * ({@code cnt = 100 cwnd}) at or above the target, and Reno's estimate a floor on the rate, not a jump
 * ({@link #linuxCubicAvoidance}). An RTO in both: {@code ssthresh} from the loss rule, then the state forgotten
 * ({@code bictcp_reset()}: {@code W_max}, the epoch). Its state is allocated only when CUBIC is chosen: 24 bytes per
 * end, 42 as Linux (its {@code cnt}, {@code last_cwnd} and {@code last_time} kept between updates).
 * <p>
 * Left out of Linux's CUBIC: HyStart ({@code hystart=1}, from a window of 16 segments: leave slow start when a
 * round's train of closely spaced ACKs lasts half the minimum RTT, or when the least of a round's first eight RTT
 * samples is an eighth of the minimum, 4 to 16 ms, above it). Both signals are made by the sender's own queue at a
 * bottleneck, which is not modelled: here each ACK comes back after an RTT drawn from the path whatever the window,
 * so neither grows with the window; only the path's jitter could trip them, by chance (a round whose eight samples
 * all sit above the threshold; ACKs of one round spread over half the RTT), and Linux would take that for a queue
 * too. Without HyStart slow start runs on until a loss (as Reno's does): where Linux would leave it early, at a
 * bottleneck's queue, the simulator has no bottleneck, so its slow start doubles on; with the windows of this
 * simulator's messages (at most 60 segments a direction) HyStart could act only from 16 segments on.
 * Linux's CUBIC moves its epoch by an application-limited pause ({@code CA_EVENT_TX_START}, {@link #onTxStart}):
 * only a kept connection ({@code --exchanges}) sends again after one; RFC 9438's (the rfc window) is left as it is.
 * <p>
 * No bandwidth, no queue: a window limits how many segments are in flight, not how fast they leave, so it costs
 * round trips, never queueing delay; no pacing. With {@link Scenario.Window#OFF} the window is unlimited and a
 * message leaves in one burst. Per end, 10 bytes, and 6 more with PRR.
 */
final class CongestionControl
{
    /** An unbounded window (and {@code ssthresh}): more than any direction's units. */
    static final int UNLIMITED = 0xFFFF;

    private final Scenario.Window mode;
    /** No window: cwnd and ssthresh stay {@link #UNLIMITED}, answered without reading an array per connection. */
    private final boolean off;
    private final int initialWindow;

    // per end (slot << 1 | end), in segments
    private char[] cwnd;
    private char[] ssthresh;
    private char[] count; // congestion avoidance's progress towards the next segment (snd_cwnd_cnt)
    private char[] priorCwnd;     // before the last RTO's cut, for an undo (prior_cwnd)
    private char[] priorSsthresh; // (prior_ssthresh)

    /** PRR's window in a fast recovery ({@link Scenario#prr}), as Linux or as RFC 6937's PRR-SSRB. */
    private final boolean prr;
    // PRR's per end state, null without it: segments, each capped at UNLIMITED
    private char[] recoverFs;    // the divisor: Linux's prior_cwnd (the window at entry), RFC 6937's RecoverFS
    private char[] prrDelivered; // segments delivered since the recovery began
    private char[] prrOut;       // segments sent since the recovery began

    /** RFC 9438's C, segments per second cubed. */
    static final double CUBIC_C = 0.4;
    /** RFC 9438's beta_cubic: the window after a loss, a share of the window before it. */
    static final double CUBIC_BETA = 0.7;
    /** RFC 9438's alpha_cubic, {@code 3 (1 - beta) / (1 + beta)}: W_est's growth per window (4.3). */
    static final double CUBIC_ALPHA = 3 * (1 - CUBIC_BETA) / (1 + CUBIC_BETA);

    /** Linux's {@code beta}, over {@link #LINUX_BETA_SCALE}: 717 / 1024 = 0.7002 ({@code tcp_cubic.c}). */
    static final int LINUX_BETA = 717;
    /** Linux's {@code BICTCP_BETA_SCALE}. */
    static final int LINUX_BETA_SCALE = 1024;
    /**
     * Linux's {@code beta_scale}, {@code 8 (1024 + 717) / 3 / (1024 - 717)} in integers, 15: W_est ({@code tcp_cwnd})
     * grows a segment per {@code (cwnd x 15) >> 3} segments acknowledged, 0.533 a window (RFC 9438's alpha, 0.529).
     */
    static final int LINUX_BETA_SCALE_FRIENDLY =
        8 * (LINUX_BETA_SCALE + LINUX_BETA) / 3 / (LINUX_BETA_SCALE - LINUX_BETA);
    /** Linux's cap on the segments per segment of growth while no W_max is known: 5% a round ({@code cnt = 20}). */
    static final int LINUX_FIRST_EPOCH_CNT = 20;
    /** Linux ignores delay samples this long after an epoch starts ({@code cubictcp_acked()}: {@code HZ}). */
    static final long LINUX_DELAY_SAMPLE_HOLD_US = 1_000_000;

    private final boolean cubic;
    /** CUBIC as Linux's {@code tcp_cubic.c} (with {@link Scenario.Window#LINUX}), else as RFC 9438. */
    private final boolean linuxCubic;
    // CUBIC's per end state, null with Reno
    private long[] epochUs;   // the avoidance epoch's start (t = 0), or -1 before its first ACK
    private float[] wMax;     // W_max, segments (0: no loss yet; Linux: last_max_cwnd, whole segments)
    private float[] k;        // K, seconds
    private float[] wEst;     // W_est, segments (Linux: tcp_cwnd, whole segments)
    private float[] credit;   // RFC: fraction of a segment grown, not yet a segment; Linux: ack_cnt
    private float[] origin;   // Linux: bic_origin_point, the curve's plateau (W_max, or the window when above it)
    private int[] delayMinUs; // Linux: delay_min, the least RTT sample since the last RTO (0: none)
    private int[] cnt;        // Linux: ca->cnt, segments acknowledged per segment of growth, kept between updates
    private char[] lastCwnd;  // Linux: last_cwnd, the window cnt was computed for (0: none since bictcp_reset)
    private int[] lastTime;   // Linux: last_time, the jiffy cnt was computed in (tcp_jiffies32, wrapping as it)
    /** CUBIC's jiffy, microseconds: {@code --hz}'s, or 1 with {@code --hz 0} (exact, as the kernel timers then). */
    private final long jiffyUs;
    /** {@code HZ / 32} in jiffies: how long {@code bictcp_update()} keeps {@code cnt} while the window is unchanged. */
    private final int hzOver32;

    CongestionControl(final Scenario scenario, final int capacity)
    {
        this.mode = scenario.window;
        this.off = mode == Scenario.Window.OFF;
        this.initialWindow = scenario.initialWindow;
        this.jiffyUs = scenario.hz == 0 ? 1 : 1_000_000 / scenario.hz;
        this.hzOver32 = (scenario.hz == 0 ? 1_000_000 : scenario.hz) / 32;
        cwnd = new char[capacity * 2];
        ssthresh = new char[capacity * 2];
        count = new char[capacity * 2];
        priorCwnd = new char[capacity * 2];
        priorSsthresh = new char[capacity * 2];
        prr = scenario.prr && mode != Scenario.Window.OFF;
        if (prr)
        {
            recoverFs = new char[capacity * 2];
            prrDelivered = new char[capacity * 2];
            prrOut = new char[capacity * 2];
        }
        cubic = scenario.cc == Scenario.Cc.CUBIC && mode != Scenario.Window.OFF;
        linuxCubic = cubic && mode == Scenario.Window.LINUX;
        if (cubic)
        {
            epochUs = new long[capacity * 2];
            wMax = new float[capacity * 2];
            k = new float[capacity * 2];
            wEst = new float[capacity * 2];
            credit = new float[capacity * 2];
        }
        if (linuxCubic)
        {
            origin = new float[capacity * 2];
            delayMinUs = new int[capacity * 2];
            cnt = new int[capacity * 2];
            lastCwnd = new char[capacity * 2];
            lastTime = new int[capacity * 2];
        }
    }

    void grow(final int capacity)
    {
        cwnd = Arrays.copyOf(cwnd, capacity * 2);
        ssthresh = Arrays.copyOf(ssthresh, capacity * 2);
        count = Arrays.copyOf(count, capacity * 2);
        priorCwnd = Arrays.copyOf(priorCwnd, capacity * 2);
        priorSsthresh = Arrays.copyOf(priorSsthresh, capacity * 2);
        if (prr)
        {
            recoverFs = Arrays.copyOf(recoverFs, capacity * 2);
            prrDelivered = Arrays.copyOf(prrDelivered, capacity * 2);
            prrOut = Arrays.copyOf(prrOut, capacity * 2);
        }
        if (cubic)
        {
            epochUs = Arrays.copyOf(epochUs, capacity * 2);
            wMax = Arrays.copyOf(wMax, capacity * 2);
            k = Arrays.copyOf(k, capacity * 2);
            wEst = Arrays.copyOf(wEst, capacity * 2);
            credit = Arrays.copyOf(credit, capacity * 2);
        }
        if (linuxCubic)
        {
            origin = Arrays.copyOf(origin, capacity * 2);
            delayMinUs = Arrays.copyOf(delayMinUs, capacity * 2);
            cnt = Arrays.copyOf(cnt, capacity * 2);
            lastCwnd = Arrays.copyOf(lastCwnd, capacity * 2);
            lastTime = Arrays.copyOf(lastTime, capacity * 2);
        }
    }

    void reset(final int i)
    {
        if (off)
        {
            return; // never read with the window off (cwnd and ssthresh answer UNLIMITED)
        }
        cwnd[i] = (char)initialWindow;
        ssthresh[i] = (char)UNLIMITED;
        count[i] = 0;
        priorCwnd[i] = 0; // an undo restores this connection's window, never the slot's previous tenant's
        priorSsthresh[i] = 0;
        // Left as the slot's previous tenant had them, because each is written before it is read (each write is a
        // line of another array, on every connection, where most connections never read them): PRR's three, set
        // by onFastRetransmit, which every fast recovery's entry calls first; CUBIC's K, W_est, the credit and
        // Linux's origin, set where an epoch starts (epochUs < 0, as here); Linux's cnt and last_time, read only
        // with last_cwnd equal to the window (never 0, as here) or an epoch running
        if (cubic)
        {
            epochUs[i] = -1;
            wMax[i] = 0;
        }
        if (linuxCubic)
        {
            delayMinUs[i] = 0;
            lastCwnd[i] = 0;
        }
    }

    /** @return whether {@link #onRttSample} keeps anything (Linux's CUBIC): else the sender need not pick a sample. */
    boolean takesRttSamples()
    {
        return linuxCubic;
    }

    /** @return whether {@link #onAck} reads its {@code srttUs} (RFC 9438's CUBIC): else the sender need not ask. */
    boolean readsSrtt()
    {
        return cubic && !linuxCubic;
    }

    /** @return whether a window limits the sender at all. */
    boolean enabled()
    {
        return mode != Scenario.Window.OFF;
    }

    /** @return end {@code i}'s congestion window, in segments. */
    int cwnd(final int i)
    {
        return off ? UNLIMITED : cwnd[i];
    }

    /** @return end {@code i}'s slow-start threshold, in segments ({@link #UNLIMITED} before any loss). */
    int ssthresh(final int i)
    {
        return off ? UNLIMITED : ssthresh[i];
    }

    /**
     * An ACK acknowledged {@code acked} new segments outside recovery.
     *
     * @param flight the segments in flight before the ACK (for Linux's {@code tcp_is_cwnd_limited()}).
     */
    void onAck(final int i, final int acked, final int flight)
    {
        onAck(i, acked, flight, 0, -1);
    }

    /**
     * An ACK acknowledged {@code acked} new segments outside recovery (RFC 5681: the cumulative ACK's; Linux: those
     * newly delivered, {@code tcp_newly_delivered()}, SACKed ones counted when first SACKed).
     *
     * @param flight the segments in flight before the ACK (for Linux's {@code tcp_is_cwnd_limited()}).
     * @param nowUs  the time, microseconds (CUBIC's clock; Linux's CUBIC reads its jiffies from it).
     * @param srttUs the smoothed RTT, microseconds; 0 or less for none (CUBIC's {@code t + RTT}).
     */
    void onAck(final int i, final int acked, final int flight, final long nowUs, final long srttUs)
    {
        if (mode == Scenario.Window.OFF || acked <= 0)
        {
            return;
        }
        int w = cwnd[i];
        final int threshold = ssthresh[i];
        if (mode == Scenario.Window.RFC)
        {
            if (w < threshold)
            {
                w++; // RFC 5681 (2): cwnd += min(N, SMSS), one segment
            }
            else if (cubic)
            {
                w = cubicAvoidance(i, w, 1, nowUs, srttUs);
            }
            else if (++count[i] >= w)
            {
                count[i] = 0; // RFC 5681 (3): cwnd += SMSS * SMSS / cwnd per ACK, a segment per window of ACKs
                w++;
            }
        }
        else
        {
            final boolean slowStart = w < threshold;
            if (slowStart ? w >= 2 * flight : flight < w)
            {
                return; // tcp_is_cwnd_limited(): the window did not limit the sender, it does not grow
            }
            int left = acked;
            if (slowStart)
            {
                final int grown = Math.min(w + left, threshold); // tcp_slow_start()
                left -= grown - w;
                w = grown;
            }
            if (left > 0 && linuxCubic)
            {
                w = linuxCubicAvoidance(i, w, left, nowUs);
            }
            else if (left > 0 && cubic)
            {
                w = cubicAvoidance(i, w, left, nowUs, srttUs);
            }
            else if (left > 0)
            {
                // tcp_cong_avoid_ai(tp, w, acked): snd_cwnd_cnt counts segments acknowledged, a segment per
                // window of them; w is the window on entry, fixed while the credits are applied
                final int w0 = w;
                int cnt = count[i];
                if (cnt >= w0)
                {
                    cnt = 0;
                    w++;
                }
                cnt += left;
                if (cnt >= w0)
                {
                    final int delta = cnt / w0;
                    cnt -= delta * w0;
                    w += delta;
                }
                count[i] = (char)Math.min(cnt, UNLIMITED);
            }
        }
        cwnd[i] = (char)Math.min(w, UNLIMITED);
    }

    /**
     * The retransmission timer fired.
     *
     * @param flight       FlightSize, the segments outstanding.
     * @param cut    whether ssthresh is cut and the window before it saved for an undo: RFC 5681, the first time the
     *               timer resends this segment; Linux, as {@code tcp_enter_loss()} decides (not in Recovery, nor
     *               again on the same SND.UNA: the sender's {@code retransmitOnTimeout}).
     */
    void onTimeout(final int i, final int flight, final boolean cut)
    {
        if (mode == Scenario.Window.OFF)
        {
            return;
        }
        if (cut)
        {
            savePrior(i);
            ssthresh[i] = (char)(cubic ? cubicLoss(i) : halved(i, flight));
        }
        cwnd[i] = 1; // the loss window
        count[i] = 0;
        if (cubic)
        {
            // RFC 9438 4.8 and Linux's cubictcp_state(TCP_CA_Loss) -> bictcp_reset(): the RTO forgets W_max
            // (last_max_cwnd = 0) and the epoch, after ssthresh was taken from the window above: the next
            // avoidance epoch starts with K = 0 and W_max the window then, and the next loss sees no W_max to
            // converge from
            wMax[i] = 0;
            epochUs[i] = -1;
            credit[i] = 0;
        }
        if (linuxCubic)
        {
            delayMinUs[i] = 0; // bictcp_reset() clears delay_min too: the next samples start it afresh
            cnt[i] = 0;        // and cnt, last_cwnd, last_time: the next update computes cnt afresh
            lastCwnd[i] = 0;
            lastTime[i] = 0;
        }
    }

    /**
     * Saves the window and threshold a loss is about to cut, for an undo: {@code prior_cwnd} and, as Linux's
     * {@code tcp_current_ssthresh()} outside a window reduction, {@code prior_ssthresh = max(ssthresh, 3 cwnd / 4)}
     * (RFC 5681 has no undo: the threshold itself).
     */
    private void savePrior(final int i)
    {
        priorCwnd[i] = cwnd[i];
        priorSsthresh[i] = mode == Scenario.Window.LINUX ?
            (char)Math.max(ssthresh[i], (cwnd[i] >> 1) + (cwnd[i] >> 2)) : ssthresh[i];
    }

    /**
     * F-RTO proved the last RTO spurious: the window comes back as Linux's {@code tcp_undo_cwnd_reduction()} brings
     * it back, {@code cwnd = max(cwnd, prior_cwnd)}, {@code ssthresh = max(ssthresh, prior_ssthresh)} (RFC 5682
     * leaves the response to the sender; RFC 4015's Eifel response is similar).
     */
    void undo(final int i)
    {
        if (mode == Scenario.Window.OFF)
        {
            return;
        }
        cwnd[i] = (char)Math.max(cwnd[i], priorCwnd[i]);
        ssthresh[i] = (char)Math.max(ssthresh[i], priorSsthresh[i]);
    }

    /**
     * The slow-start threshold after a loss: RFC 5681 (4), {@code max(FlightSize / 2, 2)}; Linux's Reno,
     * {@code tcp_reno_ssthresh()}: {@code max(cwnd >> 1, 2)}, the window rather than what is in flight (the two
     * differ when the application, not the window, limits the sender).
     */
    private int halved(final int i, final int flight)
    {
        return Math.max((mode == Scenario.Window.LINUX ? cwnd[i] : flight) / 2, 2);
    }

    /**
     * A fast recovery starts (the third duplicate ACK, or RACK): {@code ssthresh =} {@link #halved} (or CUBIC's cut)
     * and, without PRR, {@code cwnd = ssthresh}. With PRR the window is left as it is, the reduction starts from
     * nothing delivered and nothing sent ({@code tcp_init_cwnd_reduction()}; RFC 6937's "at the beginning of
     * recovery"), and {@link #reduce} sets the window on this ACK and the next.
     *
     * @param flight FlightSize, the segments outstanding ({@code SND.NXT - SND.UNA}).
     */
    void onFastRetransmit(final int i, final int flight)
    {
        if (mode == Scenario.Window.OFF)
        {
            return;
        }
        if (mode == Scenario.Window.LINUX)
        {
            savePrior(i); // tcp_enter_recovery() and tcp_init_cwnd_reduction(): an RTO in the recovery keeps these
        }
        final int before = cwnd[i];
        final int half = cubic ? cubicLoss(i) : halved(i, flight);
        ssthresh[i] = (char)half;
        count[i] = 0;
        if (prr)
        {
            // Linux divides by prior_cwnd, the window at entry; RFC 6937 by RecoverFS = snd.nxt - snd.una. They
            // differ when the application, not the window, limited the sender (a message smaller than the window)
            recoverFs[i] = (char)Math.max(1, mode == Scenario.Window.LINUX ? before : Math.min(flight, UNLIMITED));
            prrDelivered[i] = 0;
            prrOut[i] = 0;
        }
        else
        {
            cwnd[i] = (char)half;
        }
    }

    /**
     * A tail loss probe that resent a segment is followed by an ACK above {@code tlp_high_seq} with no D-SACK:
     * Linux's {@code tcp_process_tlp_ack()} takes it for a loss the probe repaired and runs a CWR reduction ended
     * at once, {@code tcp_init_cwnd_reduction()} ({@code prior_cwnd} saved, {@code ssthresh} from the congestion
     * control's cut: CUBIC's beta, Reno's half) then {@code tcp_end_cwnd_reduction()} ({@code cwnd = ssthresh}).
     * The linux window only (the rfc preset runs no probe; RFC 8985 7.4 asks for a reduction without naming it).
     */
    void onProbeRepairedLoss(final int i)
    {
        if (mode != Scenario.Window.LINUX)
        {
            return;
        }
        savePrior(i);
        final int cut = cubic ? cubicLoss(i) : halved(i, 0);
        ssthresh[i] = (char)cut;
        cwnd[i] = (char)cut;
        count[i] = 0;
    }

    /** @return whether a fast recovery reduces the window by PRR. */
    boolean prr()
    {
        return prr;
    }

    /**
     * PRR on an ACK in a fast recovery (RFC 6937 section 3; Linux's {@code tcp_cwnd_reduction()}, as since 5.19):
     * {@code prr_delivered += delivered}; while more than {@code ssthresh} is in flight, the proportional part,
     * {@code sndcnt = ceil(ssthresh x prr_delivered / RecoverFS) - prr_out}; at or below it, the reduction bound,
     * {@code sndcnt = min(ssthresh - pipe, max(prr_delivered - prr_out, delivered) + 1)} (RFC 6937's PRR-SSRB; Linux
     * adds the 1 only on an ACK that moved SND.UNA and marked nothing newly lost, else it is the conservative bound
     * that sends what was delivered); Linux lets at least one segment out while none was sent in the recovery (the
     * fast retransmit). The window becomes {@code pipe + sndcnt}, so the sender's loop ({@code pipe < cwnd}) sends
     * exactly {@code sndcnt}. An ACK that delivered nothing leaves the window as it is (Linux returns early; in the
     * RFC, {@code sndcnt} would be what earlier ACKs left unsent, which the unchanged window still allows).
     *
     * @param delivered the segments this ACK newly delivered ({@code DeliveredData}, {@code newly_acked_sacked}).
     * @param pipe      the segments in flight after the ACK (RFC 6675's pipe, Linux's
     *                  {@code tcp_packets_in_flight()}).
     * @param safe      the ACK moved SND.UNA and marked no segment newly lost ({@code FLAG_SND_UNA_ADVANCED &&
     *                  !newly_lost}); read only by Linux's variant.
     */
    void reduce(final int i, final int delivered, final int pipe, final boolean safe)
    {
        if (!prr || delivered <= 0)
        {
            return;
        }
        final int d = Math.min(prrDelivered[i] + delivered, UNLIMITED);
        prrDelivered[i] = (char)d;
        final int out = prrOut[i];
        final int threshold = ssthresh[i];
        final int inFlight = Math.max(pipe, 0);
        final int delta = threshold - inFlight;
        int sndcnt;
        if (delta < 0)
        {
            final int fs = recoverFs[i];
            sndcnt = (int)(((long)threshold * d + fs - 1) / fs) - out; // the proportional part, rounded up
        }
        else
        {
            sndcnt = Math.max(d - out, delivered);
            if (mode != Scenario.Window.LINUX || safe)
            {
                sndcnt++; // the slow start reduction bound: one more than delivered, towards ssthresh
            }
            sndcnt = Math.min(delta, sndcnt);
        }
        if (mode == Scenario.Window.LINUX && out == 0)
        {
            sndcnt = Math.max(sndcnt, 1); // "force a fast retransmit upon entering fast recovery"
        }
        cwnd[i] = (char)Math.max(1, Math.min(inFlight + sndcnt, UNLIMITED));
    }

    /** PRR: end {@code i} sent {@code segments} in its fast recovery ({@code prr_out}). */
    void onRecoverySent(final int i, final int segments)
    {
        if (prr)
        {
            prrOut[i] = (char)Math.min(prrOut[i] + segments, UNLIMITED);
        }
    }

    /**
     * A fast recovery ended at its recovery point: with PRR the window is {@code ssthresh}
     * ({@code tcp_end_cwnd_reduction()}: not undone, as the simulator has no undo of a fast recovery; RFC 6937
     * likewise), whatever the reduction left it at; without PRR it is {@code ssthresh} already.
     */
    void endReduction(final int i)
    {
        if (prr && ssthresh[i] < UNLIMITED)
        {
            cwnd[i] = ssthresh[i];
        }
    }

    /** @return end {@code i}'s PRR {@code prr_delivered} (0 without PRR). */
    int prrDelivered(final int i)
    {
        return prr ? prrDelivered[i] : 0;
    }

    /** @return end {@code i}'s PRR {@code prr_out} (0 without PRR). */
    int prrOut(final int i)
    {
        return prr ? prrOut[i] : 0;
    }

    /**
     * An end that has nothing in flight writes new data at {@code nowUs}, its latest data segment sent at
     * {@code lastSendUs}: Linux's {@code tcp_slow_start_after_idle_check()} and {@code tcp_cwnd_restart()} (RFC 2861's
     * restart) when the idle exceeds the RTO, {@code ssthresh = max(ssthresh, 3 cwnd / 4)} ({@code
     * tcp_current_ssthresh()}) and the window halved {@code ceil(idle / RTO) - 1} times while above the restart window
     * {@code min(IW, cwnd)}, never below it; RFC 5681 section 4.1: {@code cwnd = min(IW, cwnd)}, {@code ssthresh}
     * unchanged. Linux counts in jiffies ({@code --hz}; microseconds with {@code --hz 0}): the idle is {@code
     * tcp_jiffies32 - lsndtime}, the jiffy now less the jiffy of the latest send, and the RTO is {@code icsk_rto},
     * already jiffies ({@code usecs_to_jiffies()} rounds up), so an idle one jiffy above the RTO restarts whatever
     * the sends' phases within their jiffies, and one of exactly the RTO's jiffies does not even when it lasted
     * almost a jiffy longer. The RFC 5681 window compares the idle in microseconds: the RFC has no clock tick.
     *
     * @param lastSendUs when the end last sent data, microseconds (Linux: {@code lsndtime}).
     * @param nowUs      the time, microseconds.
     * @param rtoUs      the retransmission timeout in force, microseconds ({@code icsk_rto}).
     * @return whether the window restarted (the idle exceeded the RTO).
     */
    boolean restartAfterIdle(final int i, final long lastSendUs, final long nowUs, final long rtoUs)
    {
        if (off)
        {
            return false;
        }
        final long idle;
        final long rtoUnits;
        if (mode == Scenario.Window.RFC)
        {
            idle = nowUs - lastSendUs;
            rtoUnits = rtoUs;
        }
        else
        {
            idle = nowUs / jiffyUs - lastSendUs / jiffyUs; // tcp_jiffies32 - lsndtime
            rtoUnits = (rtoUs + jiffyUs - 1) / jiffyUs;    // icsk_rto, usecs_to_jiffies() rounding up
        }
        if (idle <= rtoUnits)
        {
            return false;
        }
        final int w = cwnd[i];
        final int restart = Math.min(initialWindow, w);
        if (mode == Scenario.Window.RFC)
        {
            cwnd[i] = (char)restart;
            return true;
        }
        ssthresh[i] = (char)Math.max(ssthresh[i], (w >> 1) + (w >> 2));
        int halved = w;
        long left = idle;
        while ((left -= rtoUnits) > 0 && halved > restart)
        {
            halved >>= 1;
        }
        cwnd[i] = (char)Math.max(halved, restart);
        return true;
    }

    /**
     * Linux's CUBIC at the first send with nothing in flight ({@code CA_EVENT_TX_START}, {@code cubictcp_cwnd_event()}):
     * the epoch moves forward by the time the end was idle, capped at now, so that the curve does not count an
     * application-limited pause as growth time. Other windows: nothing.
     *
     * @param idleUs how long the end sent no data, microseconds ({@code now - lsndtime}).
     */
    void onTxStart(final int i, final long idleUs, final long nowUs)
    {
        if (linuxCubic && epochUs[i] >= 0 && idleUs > 0)
        {
            epochUs[i] = Math.min(epochUs[i] + idleUs, nowUs);
        }
    }

    /** @return end {@code i}'s CUBIC W_max, segments (0: none remembered). */
    double wMax(final int i)
    {
        return wMax[i];
    }

    /** @return end {@code i}'s CUBIC avoidance epoch's start, microseconds (-1: none running). */
    long epochUs(final int i)
    {
        return epochUs[i];
    }

    /** @return end {@code i}'s CUBIC {@code delay_min} as Linux keeps it, microseconds (0: none since the last RTO). */
    int delayMinUs(final int i)
    {
        return delayMinUs[i];
    }

    /** RFC 9438 {@code W_cubic(t) = C (t - K)^3 + W_max}, t and K in seconds, windows in segments (4.2, eq. 1). */
    static double wCubic(final double tSeconds, final double kSeconds, final double wMaxSegments)
    {
        return CUBIC_C * StrictMath.pow(tSeconds - kSeconds, 3) + wMaxSegments;
    }

    /** RFC 9438 4.2 eq. 2: {@code K = cbrt((W_max - cwnd_epoch) / C)}, 0 when the window starts at or above W_max. */
    static double cubicK(final double wMaxSegments, final double cwndEpoch)
    {
        return wMaxSegments > cwndEpoch ? StrictMath.cbrt((wMaxSegments - cwndEpoch) / CUBIC_C) : 0;
    }

    /**
     * A congestion event under CUBIC (RFC 9438 4.6, 4.7): remembers W_max (fast convergence) and ends the epoch.
     *
     * @return the new {@code ssthresh}, {@code max(cwnd beta, 2)}.
     */
    private int cubicLoss(final int i)
    {
        final int w = cwnd[i];
        if (linuxCubic)
        {
            // cubictcp_recalc_ssthresh(): the same rule in integers, beta 717 / 1024; last_max_cwnd whole segments
            wMax[i] = w < wMax[i] ? w * (LINUX_BETA_SCALE + LINUX_BETA) / (2 * LINUX_BETA_SCALE) : w;
            epochUs[i] = -1;
            return Math.max(w * LINUX_BETA / LINUX_BETA_SCALE, 2);
        }
        wMax[i] = w < wMax[i] ? (float)(w * (1 + CUBIC_BETA) / 2) : w;
        epochUs[i] = -1;
        credit[i] = 0;
        return Math.max((int)(w * CUBIC_BETA), 2);
    }

    /**
     * RFC 9438 4.2 to 4.5 for {@code acked} segments acknowledged above {@code ssthresh}.
     *
     * @return the new window.
     */
    private int cubicAvoidance(final int i, final int w, final int acked, final long nowUs, final long srttUs)
    {
        if (epochUs[i] < 0)
        {
            // the epoch starts with the first ACK in congestion avoidance; without a loss yet, W_max is the window;
            // above W_max, K = 0 and the curve starts from the window (W_max takes its value: Linux keeps
            // last_max_cwnd apart from bic_origin_point, which only fast convergence at the next loss tells apart)
            epochUs[i] = nowUs;
            final double max = wMax[i] > 0 ? wMax[i] : w;
            k[i] = (float)cubicK(max, w);
            wMax[i] = (float)Math.max(max, w);
            wEst[i] = w;
            credit[i] = 0;
        }
        final double t = (nowUs - epochUs[i]) / 1e6;
        final double rtt = srttUs > 0 ? srttUs / 1e6 : 0;
        // the origin is W_max when the epoch started below it (K > 0), else the window then (K = 0, convex at once)
        final double target = Math.min(Math.max(wCubic(t + rtt, k[i], wMax[i]), w), 1.5 * w);
        wEst[i] += (float)(CUBIC_ALPHA * acked / w);
        double grown = w;
        if (wCubic(t, k[i], wMax[i]) < wEst[i])
        {
            grown = Math.max(grown, Math.floor(wEst[i])); // the Reno-friendly region: cwnd = W_est
        }
        else
        {
            double c = credit[i] + acked * (target - w) / w; // (target - cwnd) / cwnd per segment acknowledged
            final int whole = (int)c;
            c -= whole;
            credit[i] = (float)c;
            grown = w + whole;
        }
        return (int)Math.min(grown, UNLIMITED);
    }

    /**
     * An RTT sample, microseconds (negative: none, as for an ACK of resent data only without timestamps), for
     * Linux's CUBIC: its {@code delay_min} ({@code cubictcp_acked()}), the least sample since the last RTO, which
     * puts the curve's target one minimum RTT ahead. As Linux, samples within a second of an epoch's start are
     * ignored (they may carry the queue that the loss left). Taken on every ACK of new data, in recovery too, and
     * under Linux on duplicate ACKs that SACK new data (the sender picks the sample as {@code ca_rtt_us}).
     */
    void onRttSample(final int i, final long rttUs, final long nowUs)
    {
        if (!linuxCubic || rttUs < 0 || (epochUs[i] >= 0 && nowUs - epochUs[i] < LINUX_DELAY_SAMPLE_HOLD_US))
        {
            return;
        }
        final int delay = (int)Math.max(1, Math.min(rttUs, Integer.MAX_VALUE));
        if (delayMinUs[i] == 0 || delayMinUs[i] > delay)
        {
            delayMinUs[i] = delay;
        }
    }

    /**
     * Congestion avoidance as Linux's {@code cubictcp_cong_avoid()} and {@code bictcp_update()} grow it for
     * {@code acked} segments above {@code ssthresh}: the curve gives a count, {@code cnt}, of segments acknowledged
     * per segment of growth, applied by {@code tcp_cong_avoid_ai()} with {@code snd_cwnd_cnt}:
     * <ul>
     *   <li>the epoch starts at its first ACK: below {@code last_max_cwnd}, {@code K = cbrt((W_max - cwnd) / C)}
     *   and the plateau is {@code W_max}; at or above it, {@code K = 0} and the plateau is the window;</li>
     *   <li>the target is the curve one {@code delay_min} ahead, in whole segments, and
     *   {@code cnt = cwnd / (target - cwnd)}, or {@code 100 cwnd} (almost no growth) when the window is at or above
     *   it;</li>
     *   <li>with no {@code last_max_cwnd} (no loss yet, or an RTO forgot it) {@code cnt} is at most 20: 5% a
     *   round at least;</li>
     *   <li>Reno's estimate {@code tcp_cwnd} grows a segment per {@code (cwnd x 15) >> 3} acknowledged; above the
     *   window it caps {@code cnt} at {@code cwnd / (tcp_cwnd - cwnd)} (the window climbs to it, not jumps);</li>
     *   <li>{@code cnt} is at least 2: 1.5 times the window a round at most.</li>
     * </ul>
     * As Linux, {@code cnt} is kept between updates and recomputed only when {@code bictcp_update()} would: not
     * while the window is the one it was computed for and at most {@code HZ / 32} jiffies have passed (then even
     * Reno's estimate waits: only {@code ack_cnt} counts), and at most once a jiffy while an epoch runs (then Reno's
     * estimate still moves and may lower it). So every ACK of one jiffy grows the window by one {@code cnt}, even
     * after the window grew (a burst of 20 ACKs at 20 with a target of 26 keeps {@code cnt = 3} and ends at 26,
     * where a count recomputed per ACK would end at 24). The jiffy is {@code --hz}'s (1 us with {@code --hz 0}).
     * Left as it is: t in microseconds from the epoch's first ACK (Linux: jiffies), C = 0.4 and an exact root (Linux:
     * 410 / 1024 and a table good to 0.2%), which move the target by at most a segment near a jiffy or a table
     * step's edge.
     *
     * @return the new window.
     */
    private int linuxCubicAvoidance(final int i, final int w, final int acked, final long nowUs)
    {
        float ackCnt = credit[i] + acked;
        final int jiffies = (int)(nowUs / jiffyUs); // tcp_jiffies32
        long cnt = this.cnt[i];
        if (lastCwnd[i] == w && jiffies - lastTime[i] <= hzOver32)
        {
            credit[i] = ackCnt; // bictcp_update()'s first exit: only ack_cnt counts, cnt stays
        }
        else
        {
            if (epochUs[i] < 0 || jiffies != lastTime[i]) // else the second exit: cnt stays, friendliness runs
            {
                lastCwnd[i] = (char)w;
                lastTime[i] = jiffies;
                if (epochUs[i] < 0)
                {
                    epochUs[i] = nowUs;
                    ackCnt = acked;
                    wEst[i] = w;
                    if (wMax[i] <= w)
                    {
                        k[i] = 0;
                        origin[i] = w;
                    }
                    else
                    {
                        k[i] = (float)cubicK(wMax[i], w);
                        origin[i] = wMax[i];
                    }
                }
                final double offs = (nowUs - epochUs[i] + delayMinUs[i]) / 1e6 - k[i];
                final long delta = (long)(CUBIC_C * Math.abs(offs) * offs * offs); // whole segments, as bic_target
                final long target = offs < 0 ? (long)origin[i] - delta : (long)origin[i] + delta;
                cnt = target > w ? w / (target - w) : 100L * w;
                if (wMax[i] == 0 && cnt > LINUX_FIRST_EPOCH_CNT)
                {
                    cnt = LINUX_FIRST_EPOCH_CNT;
                }
            }
            // tcp_friendliness: Reno's window, a segment per (cwnd x beta_scale) >> 3 acknowledged
            final int perSegment = Math.max(1, (w * LINUX_BETA_SCALE_FRIENDLY) >> 3);
            while (ackCnt > perSegment)
            {
                ackCnt -= perSegment;
                wEst[i]++;
            }
            credit[i] = ackCnt;
            if (wEst[i] > w)
            {
                cnt = Math.min(cnt, (long)(w / (wEst[i] - w)));
            }
            cnt = Math.max(cnt, 2);
            this.cnt[i] = (int)cnt;
        }
        // tcp_cong_avoid_ai(tp, cnt, acked)
        int grown = w;
        int count = this.count[i];
        if (count >= cnt)
        {
            count = 0;
            grown++;
        }
        count += acked;
        if (count >= cnt)
        {
            final long d = count / cnt;
            count -= (int)(d * cnt);
            grown += (int)d;
        }
        this.count[i] = (char)Math.min(count, UNLIMITED);
        return Math.min(grown, UNLIMITED);
    }
}
