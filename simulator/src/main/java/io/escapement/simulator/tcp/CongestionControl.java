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
 * No bandwidth, no queue: a window limits how many segments are in flight, not how fast they leave, so it costs
 * round trips, never queueing delay; no CUBIC, no pacing, no PRR (RFC 6937). With {@link Scenario.Window#OFF} the
 * window is unlimited and a message leaves in one burst. Per end, 6 bytes.
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
    }

    void grow(final int capacity)
    {
        cwnd = Arrays.copyOf(cwnd, capacity * 2);
        ssthresh = Arrays.copyOf(ssthresh, capacity * 2);
        count = Arrays.copyOf(count, capacity * 2);
        priorCwnd = Arrays.copyOf(priorCwnd, capacity * 2);
        priorSsthresh = Arrays.copyOf(priorSsthresh, capacity * 2);
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
            if (left > 0)
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
            ssthresh[i] = (char)halved(i, flight);
        }
        cwnd[i] = 1; // the loss window
        count[i] = 0;
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
        final int half = halved(i, flight);
        ssthresh[i] = (char)half;
        cwnd[i] = (char)half;
        count[i] = 0;
    }
}
