package io.escapement.simulator.compare;

import io.escapement.engine.rto.RetransmissionTimers;
import io.escapement.engine.rto.RetransmissionTimers.Outcome;
import io.escapement.engine.rto.RetransmissionTimers.Phase;
import io.escapement.engine.rto.RetryPolicy;
import io.escapement.engine.rto.RtoStrategies;
import io.escapement.engine.rto.RtoStrategy;
import io.escapement.engine.wheel.TimerWheel;
import io.escapement.simulator.net.NetworkModel;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * One long-lived connection, followed sample by sample: it sends a segment, waits for its ACK, and sends the next,
 * for a given time, over the network model (its loss, jitter, delay spikes and RTT steps), with the engine's
 * {@link RetransmissionTimers} and the strategy under test on a {@link TimerWheel}. It records every RTT sample,
 * the RTO in force after it, and every timeout, spurious or not; that is the picture of how a strategy follows
 * the path through a spike or a step, which the short request-response connections of the main simulation are
 * too brief to show.
 * <p>
 * Segment {@code k}'s fate is the network's for (connection 0, client to server, segment, unit {@code k},
 * transmission), and its ACK's for the ACK of that transmission: the same for every strategy.
 */
public final class RtoTimeline
{
    /**
     * One point of the timeline: an ACK (with its RTT sample, or -1 if Karn's rule kept it out) or a timeout, and
     * the RTO and SRTT (-1 before any sample) after it; {@code retransmitted} says that the ACK acknowledged a
     * segment sent more than once (its sample, if taken, is ambiguous).
     */
    public record Point(long atUs, long sampleUs, long rtoUs, long srttUs, boolean timeout, boolean spurious,
        boolean retransmitted)
    {
    }

    private static final int KIND = 1;

    private RtoTimeline()
    {
    }

    /**
     * @param strategy   an {@link RtoStrategies} specification.
     * @param durationUs how long the connection sends.
     * @return the points, in time order.
     * @param network the network to change.
     * @param seed the seed of the path's fates.
     */
    public static List<Point> run(final String strategy, final NetworkModel network, final long seed,
        final long durationUs)
    {
        return run(RtoStrategies.parse(strategy), RetryPolicy.linuxDefaults(), true, network, seed, durationUs);
    }

    /**
     * @param strategy   the strategy under test.
     * @param retries    when the connection gives up.
     * @param karn       whether to apply Karn's rule (RFC 6298, section 3): no RTT sample from the ACK of a
     *                   retransmitted segment. {@code false} breaks the simulator on purpose, for the checks'
     *                   tests: the ACK then yields a sample measured from the segment's first transmission.
     * @param network    the path.
     * @param seed       the seed of the path's fates.
     * @param durationUs how long the connection sends.
     * @return the points, in time order.
     */
    public static List<Point> run(final RtoStrategy strategy, final RetryPolicy retries, final boolean karn,
        final NetworkModel network, final long seed, final long durationUs)
    {
        final TimerWheel wheel = TimerWheel.builder(TimeUnit.MICROSECONDS).tickDuration(1).build();
        final RetransmissionTimers timers = new RetransmissionTimers(wheel, strategy, retries, false, 1, KIND);
        timers.open(0, Phase.DATA);
        final List<Point> points = new ArrayList<>();
        final RetransmissionTimers.Ack ack = new RetransmissionTimers.Ack();
        final long[] state = new long[5]; // segment, transmissions, first send time, 1 while waiting, arrived
        final long[] sentAtTx = new long[64]; // each transmission's send time, for unambiguous samples (QUIC)
        final int segment = 0;
        final int transmissions = 1;
        final int sentAt = 2;
        final int waiting = 3;
        // the transmissions of the current segment whose copy and ACK both survived, a bit each, as decided when
        // each was sent: a delay trace's loss rates make a fate depend on the send time, so it is kept, not re-asked
        final int arrived = 4;
        // arrivals of ACKs: payload = 2 | transmission << 8 | segment << 16 (the timer kind is 1)
        final Runnable send = () ->
        {
            final long now = wheel.currentTime();
            final int k = (int)state[segment];
            final int tx = (int)state[transmissions];
            sentAtTx[Math.min(tx, sentAtTx.length - 1)] = now;
            if (!network.lost(seed, 0, true, NetworkModel.SEGMENT, k, tx, 0, now))
            {
                final long there = now + network.delayUs(seed, 0, true, NetworkModel.SEGMENT, k, tx, now);
                if (!network.lost(seed, 0, false, NetworkModel.PURE_ACK, k, tx, 0, there))
                {
                    state[arrived] |= 1L << Math.min(tx, 63);
                    final long back = there + network.delayUs(seed, 0, false, NetworkModel.PURE_ACK, k, tx, there);
                    wheel.arm(back, 2 | (long)tx << 8 | (long)k << 16);
                }
            }
            timers.onSend(0, now);
        };
        state[waiting] = 1;
        send.run();
        while (wheel.timerCount() > 0)
        {
            wheel.pollEarliest(Long.MAX_VALUE, (handle, payload, deadline) -> // the next instant's timers
            {
                final long now = deadline;
                if ((payload & 0xFF) == KIND)
                {
                    final Outcome outcome = timers.onExpiry(0, now);
                    final boolean spurious = earlierCopyArrives(state[arrived], (int)state[transmissions]);
                    points.add(new Point(now, -1, timers.rtoUs(0), timers.srttUs(0), true, spurious, false));
                    if (outcome == Outcome.RETRANSMIT)
                    {
                        state[transmissions]++;
                        timers.stop(0); // send() re-arms with the backed-off timeout
                        send.run();
                    }
                    else
                    {
                        state[waiting] = 0; // gave up: late ACKs are ignored
                    }
                    return;
                }
                final int k = (int)(payload >>> 16);
                final int tx = (int)(payload >>> 8) & 0xFF;
                if (k != state[segment] || state[waiting] == 0)
                {
                    return; // a late ACK of a segment already acknowledged
                }
                final boolean retransmitted = state[transmissions] > 0;
                if (retransmitted && tx == 0)
                {
                    timers.onSpuriousTimeout(0, now - state[sentAt]);
                }
                // QUIC's ACK names the packet it answers: the sample runs from that transmission (RFC 9002 4.2)
                final boolean exact = strategy.unambiguousSamples() && karn;
                final long sample = now - (exact ? sentAtTx[Math.min(tx, sentAtTx.length - 1)] : state[sentAt]);
                final boolean ambiguous = retransmitted && karn && !exact;
                timers.onAck(0, ack.of(now, k + 1, k + 1).rtt(sample, ambiguous));
                points.add(new Point(now, ambiguous ? -1 : sample, timers.rtoUs(0), timers.srttUs(0), false, false,
                    retransmitted));
                if (now < durationUs)
                {
                    state[segment] = k + 1;
                    state[transmissions] = 0;
                    state[arrived] = 0;
                    state[sentAt] = now;
                    send.run();
                }
                else
                {
                    state[waiting] = 0;
                }
            });
        }
        return points;
    }

    /**
     * @return whether the timeout is spurious: a transmission of the segment so far was delivered and its ACK is
     * on its way back (not lost; it has not arrived, or the timer would not have fired).
     */
    private static boolean earlierCopyArrives(final long arrived, final int transmissions)
    {
        final int upTo = Math.min(transmissions, 63);
        return (arrived & (upTo == 63 ? -1L : (2L << upTo) - 1)) != 0;
    }
}
