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
 *   <li>Linux grows the window only when it limits the sender ({@code tcp_is_cwnd_limited()}: in slow start while
 *   {@code cwnd < 2 x} the segments in flight, in avoidance when the flight fills it); RFC 5681 always.</li>
 *   <li>An <b>RTO</b> sets {@code ssthresh = max(FlightSize / 2, 2)} (unless the segment was already resent by the
 *   timer: RFC 5681 equation 4's note) and {@code cwnd} to the loss window, 1 (RFC 5681 3.1).</li>
 *   <li><b>Fast retransmit</b> sets {@code ssthresh = cwnd = max(FlightSize / 2, 2)} (RFC 5681 3.2 step 2; RFC
 *   6675 section 5 step 4); recovery then sends while the pipe is below {@code cwnd} ({@link LossRecovery}).</li>
 * </ul>
 * <b>CUBIC</b> ({@link Scenario.Cc#CUBIC}, RFC 9438) replaces Reno's congestion avoidance and its cut: a loss
 * (third duplicate ACK, RACK or the first RTO of a segment) remembers {@code W_max} (with fast convergence, 4.7: a
 * window below the previous {@code W_max} lowers it to {@code cwnd (1 + beta) / 2}) and sets
 * {@code ssthresh = max(cwnd beta, 2)}, {@code beta = 0.7} (4.6); above {@code ssthresh} each ACK moves the window
 * towards {@code W_cubic(t + RTT) = C (t + RTT - K)^3 + W_max}, {@code C = 0.4}, {@code K = cbrt((W_max - cwnd_epoch)
 * / C)}, {@code t} the time since the first ACK of the avoidance epoch (4.2), by {@code (target - cwnd) / cwnd} per
 * segment acknowledged, the target held within {@code [cwnd, 1.5 cwnd]} (4.4, 4.5); where Reno's estimate
 * {@code W_est} (growing by {@code alpha = 3 (1 - beta) / (1 + beta)} per window) is above {@code W_cubic(t)}, the
 * window follows {@code W_est} (the Reno-friendly region, 4.3). Its state (epoch, {@code W_max}, {@code K},
 * {@code W_est}, a fraction of a segment) is allocated only when CUBIC is chosen: 24 bytes per end.
 * <p>
 * No bandwidth, no queue: a window limits how many segments are in flight, not how fast they leave, so it costs
 * round trips, never queueing delay; no pacing, no PRR (RFC 6937), no HyStart. With {@link Scenario.Window#OFF} the
 * window is unlimited and a message leaves in one burst. Per end, 10 bytes.
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

    /** RFC 9438's C, segments per second cubed. */
    static final double CUBIC_C = 0.4;
    /** RFC 9438's beta_cubic: the window after a loss, a share of the window before it. */
    static final double CUBIC_BETA = 0.7;
    /** RFC 9438's alpha_cubic, {@code 3 (1 - beta) / (1 + beta)}: W_est's growth per window (4.3). */
    static final double CUBIC_ALPHA = 3 * (1 - CUBIC_BETA) / (1 + CUBIC_BETA);

    private final boolean cubic;
    // CUBIC's per end state, null with Reno
    private long[] epochUs;   // the avoidance epoch's start (t = 0), or -1 before its first ACK
    private float[] wMax;     // W_max, segments (0: no loss yet)
    private float[] k;        // K, seconds
    private float[] wEst;     // W_est, segments
    private float[] credit;   // fraction of a segment grown, not yet a segment

    CongestionControl(final Scenario scenario, final int capacity)
    {
        this.mode = scenario.window;
        this.off = mode == Scenario.Window.OFF;
        this.initialWindow = scenario.initialWindow;
        cwnd = new char[capacity * 2];
        ssthresh = new char[capacity * 2];
        count = new char[capacity * 2];
        priorCwnd = new char[capacity * 2];
        priorSsthresh = new char[capacity * 2];
        cubic = scenario.cc == Scenario.Cc.CUBIC && mode != Scenario.Window.OFF;
        if (cubic)
        {
            epochUs = new long[capacity * 2];
            wMax = new float[capacity * 2];
            k = new float[capacity * 2];
            wEst = new float[capacity * 2];
            credit = new float[capacity * 2];
        }
    }

    void grow(final int capacity)
    {
        cwnd = Arrays.copyOf(cwnd, capacity * 2);
        ssthresh = Arrays.copyOf(ssthresh, capacity * 2);
        count = Arrays.copyOf(count, capacity * 2);
        priorCwnd = Arrays.copyOf(priorCwnd, capacity * 2);
        priorSsthresh = Arrays.copyOf(priorSsthresh, capacity * 2);
        if (cubic)
        {
            epochUs = Arrays.copyOf(epochUs, capacity * 2);
            wMax = Arrays.copyOf(wMax, capacity * 2);
            k = Arrays.copyOf(k, capacity * 2);
            wEst = Arrays.copyOf(wEst, capacity * 2);
            credit = Arrays.copyOf(credit, capacity * 2);
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
        if (cubic)
        {
            epochUs[i] = -1;
            wMax[i] = 0;
            k[i] = 0;
            wEst[i] = 0;
            credit[i] = 0;
        }
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
     * An ACK acknowledged {@code acked} new segments outside recovery.
     *
     * @param flight the segments in flight before the ACK (for Linux's {@code tcp_is_cwnd_limited()}).
     * @param nowUs  the time, microseconds (CUBIC's clock).
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
            if (left > 0 && cubic)
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
     * @param firstTimeout whether this segment had not been resent by the timer before (ssthresh is then cut).
     */
    void onTimeout(final int i, final int flight, final boolean firstTimeout)
    {
        if (mode == Scenario.Window.OFF)
        {
            return;
        }
        if (firstTimeout)
        {
            priorCwnd[i] = cwnd[i];
            priorSsthresh[i] = ssthresh[i];
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

    /** The third duplicate ACK: {@code ssthresh = cwnd =} {@link #halved}. */
    void onFastRetransmit(final int i, final int flight)
    {
        if (mode == Scenario.Window.OFF)
        {
            return;
        }
        final int half = cubic ? cubicLoss(i) : halved(i, flight);
        ssthresh[i] = (char)half;
        cwnd[i] = (char)half;
        count[i] = 0;
    }

    /** @return end {@code i}'s CUBIC W_max, segments (0: none remembered). */
    double wMax(final int i)
    {
        return wMax[i];
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
}
