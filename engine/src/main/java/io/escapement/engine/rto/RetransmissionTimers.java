package io.escapement.engine.rto;

import io.escapement.engine.TimerHandler;
import io.escapement.engine.wheel.TimerWheel;

import java.util.Objects;

/**
 * The retransmission timers of many connections, on one {@link TimerWheel}, with one shared {@link RtoStrategy}:
 * armed when the first unacknowledged segment is sent, re-armed when an ACK acknowledges new data, stopped when
 * everything is acknowledged, backed off and re-armed on expiry, and given up after the {@link RetryPolicy}'s
 * limit for the connection's phase, saying why.
 * <p>
 * Connections are numbered {@code 0 .. capacity-1} by the caller; every method's {@code connection} is such a
 * number, and one outside that range throws {@link IndexOutOfBoundsException}. Each has
 * {@link #bytesPerConnection()} bytes of primitive state in one {@code long[]}: the strategy's words, the timer
 * handle, and one word packing the phase, the retransmission count and the time of the first retransmission. No
 * object per connection, nothing allocated per operation.
 * <p>
 * Karn's rule (Karn and Partridge, 1987; RFC 6298 section 3): an ACK of a segment that was retransmitted gives no
 * RTT sample, since it cannot tell which transmission it acknowledges. With {@code timestamps} on (RFC 7323,
 * section 4: the echoed timestamp names the transmission), or for a strategy whose transport never reuses a
 * packet's number ({@link RtoStrategy#unambiguousSamples()}: QUIC), every ACK yields a sample.
 * <p>
 * The timer fires through the wheel's {@link io.escapement.engine.TimerHandler}, with payload
 * {@code connection << 8 | timerKind}; the caller's handler dispatches on the kind and calls {@link #onExpiry},
 * which tells it to retransmit or that the connection gave up. Times are microseconds on the wheel's clock.
 * Not thread-safe: the wheel's owner thread drives it.
 */
public final class RetransmissionTimers
{
    /** The phase of a connection, each with its own retry limit. */
    public enum Phase
    {
        /** A client's SYN awaits its SYN-ACK ({@code tcp_syn_retries}). */
        SYN,
        /** A server's SYN-ACK awaits the final ACK ({@code tcp_synack_retries}). */
        SYN_ACK,
        /** Data or FIN awaits its ACK ({@code tcp_retries2}). */
        DATA,
        /** The application has closed the socket; its data and FIN await their ACK ({@code tcp_orphan_retries}). */
        FIN
    }

    /** What {@link #onExpiry} decided. */
    public enum Outcome
    {
        /** Retransmit the oldest unacknowledged segment; the timer is re-armed with the backed-off timeout. */
        RETRANSMIT,
        /** The SYN was retransmitted {@code tcp_syn_retries} times: connect() fails with a timeout. */
        GAVE_UP_SYN,
        /** The SYN-ACK was retransmitted {@code tcp_synack_retries} times: the server drops the half-open request. */
        GAVE_UP_SYN_ACK,
        /** Data went unacknowledged beyond {@code tcp_retries2}: the connection is aborted. */
        GAVE_UP_DATA,
        /** An orphaned connection's FIN went unacknowledged beyond {@code tcp_orphan_retries}: it is dropped. */
        GAVE_UP_FIN
    }

    private static final Phase[] PHASES = Phase.values();
    private static final int PHASE_BITS = 2;
    private static final int RETRIES_SHIFT = PHASE_BITS;
    private static final int RETRIES_BITS = 8;
    private static final int STAMP_SHIFT = RETRIES_SHIFT + RETRIES_BITS;
    /** The first-retransmission time, counted from the wheel's start time, in 54 bits: 570 years of microseconds. */
    private static final long STAMP_MASK = (1L << (Long.SIZE - STAMP_SHIFT)) - 1;

    private final TimerWheel wheel;
    private final RtoStrategy strategy;
    private final RetryPolicy retryPolicy;
    private final boolean timestamps;
    private final int timerKind;
    private int capacity;
    private final int stride;
    private final int handleWord;
    private final int metaWord;
    private long[] table;

    /**
     * @return whether every ACK yields an RTT sample, retransmissions' too (timestamps on, or a strategy with
     * {@linkplain RtoStrategy#unambiguousSamples() unambiguous samples}): the caller then measures a sample from
     * the transmission the ACK answers, not from the first.
     */
    public boolean samplesRetransmissions()
    {
        return timestamps;
    }

    /**
     * @param wheel       the wheel the timers live on; its time unit must be microseconds.
     * @param strategy    the estimator and timeout rule, shared by every connection.
     * @param retryPolicy when to give up, per phase.
     * @param timestamps  whether every ACK yields an RTT sample (RFC 7323) rather than only those Karn allows;
     *                    a strategy whose samples are always unambiguous (QUIC) implies it.
     * @param capacity    the number of connections, numbered from 0.
     * @param timerKind   0..255, the low byte of each timer's payload, for the caller's dispatch.
     */
    public RetransmissionTimers(final TimerWheel wheel, final RtoStrategy strategy, final RetryPolicy retryPolicy,
        final boolean timestamps, final int capacity, final int timerKind)
    {
        this.wheel = Objects.requireNonNull(wheel, "wheel");
        this.strategy = Objects.requireNonNull(strategy, "strategy");
        this.retryPolicy = Objects.requireNonNull(retryPolicy, "retryPolicy");
        if (wheel.timeUnit() != java.util.concurrent.TimeUnit.MICROSECONDS)
        {
            throw new IllegalArgumentException("the wheel's time unit must be MICROSECONDS, was " + wheel.timeUnit());
        }
        if (timerKind < 0 || timerKind > 255)
        {
            throw new IllegalArgumentException("timerKind=" + timerKind + " must be between 0 and 255");
        }
        final int words = strategy.stateWords();
        if (words < 1 || words > RtoStrategy.MAX_STATE_WORDS)
        {
            throw new IllegalArgumentException(strategy + " declares " + words + " state words, expected 1 to " +
                RtoStrategy.MAX_STATE_WORDS);
        }
        stride = words + 2;
        if (capacity < 1 || (long)capacity * stride > Integer.MAX_VALUE - 8)
        {
            throw new IllegalArgumentException("capacity=" + capacity + " must be between 1 and " +
                (Integer.MAX_VALUE - 8) / stride + " for " + strategy.name());
        }
        this.timestamps = timestamps || strategy.unambiguousSamples();
        this.timerKind = timerKind;
        this.capacity = capacity;
        this.handleWord = words;
        this.metaWord = words + 1;
        this.table = new long[capacity * stride];
        for (int connection = 0; connection < capacity; connection++)
        {
            strategy.reset(table, connection * stride);
        }
    }

    /**
     * Grows the table to hold at least {@code connections} connections, keeping every existing connection's state;
     * new connections start reset. Allocates; meant for a simulator whose population grows, not for a hot path.
     *
     * @param connections the number of connections wanted; at most the current {@link #capacity()} changes nothing.
     * @throws IllegalArgumentException if the table for that many, {@code connections} times the words per
     *                                  connection, would exceed {@code Integer.MAX_VALUE - 8} words.
     */
    public void ensureCapacity(final int connections)
    {
        if (connections <= capacity)
        {
            return;
        }
        if ((long)connections * stride > Integer.MAX_VALUE - 8)
        {
            throw new IllegalArgumentException("capacity=" + connections + " must be at most " +
                (Integer.MAX_VALUE - 8) / stride + " for " + strategy.name());
        }
        table = java.util.Arrays.copyOf(table, connections * stride);
        for (int connection = capacity; connection < connections; connection++)
        {
            strategy.reset(table, connection * stride);
        }
        capacity = connections;
    }

    /** @return the number of connections the table holds. */
    public int capacity()
    {
        return capacity;
    }

    /** @return the bytes of state each connection costs: the strategy's words, the timer handle, one word more. */
    public int bytesPerConnection()
    {
        return stride * Long.BYTES;
    }

    /**
     * Starts a connection afresh: estimator reset, timer stopped, phase {@code phase}, no retransmissions.
     *
     * @param connection the connection's number, from 0 to {@code capacity() - 1}.
     * @param phase      the phase it starts in, whose retry limit applies: {@link Phase#SYN} for a client,
     *                   {@link Phase#SYN_ACK} for a server's half-open connection, {@link Phase#DATA} for one
     *                   already established.
     */
    public void open(final int connection, final Phase phase)
    {
        final int at = base(connection);
        stop(connection);
        strategy.reset(table, at);
        table[at + metaWord] = phase.ordinal();
    }

    /**
     * Moves a connection to another phase (SYN to DATA once established), clearing its retransmission count and
     * the time of its first retransmission; the estimator and a running timer are kept.
     *
     * @param connection the connection's number, from 0 to {@code capacity() - 1}.
     * @param phase      the phase it enters.
     */
    public void enterPhase(final int connection, final Phase phase)
    {
        table[base(connection) + metaWord] = phase.ordinal();
    }

    /**
     * A segment was sent. Arms the timer if none is running (RFC 6298 section 5.1: the first unacknowledged
     * segment); a running timer is left alone.
     *
     * @param connection the connection's number, from 0 to {@code capacity() - 1}.
     * @param nowUs      the time it was sent, on the wheel's clock; the timer is armed for
     *                   {@code nowUs + rtoUs(connection)}.
     */
    public void onSend(final int connection, final long nowUs)
    {
        final int at = base(connection);
        if (!wheel.isArmed(table[at + handleWord])) // also re-arms if a fired timer's onExpiry never came
        {
            table[at + handleWord] = wheel.arm(nowUs + strategy.rtoUs(table, at), payload(connection));
        }
    }

    /**
     * What one ACK tells the retransmission timer, named rather than passed as a row of positional primitives. A
     * caller keeps one instance per thread and refills it for every ACK, so nothing is allocated per ACK:
     * <pre>{@code
     * timers.onAck(connection, ack.of(nowUs, sndUna, sndNxt).rtt(rttUs, retransmitted));
     * }</pre>
     * {@link #of} clears the optional parts (the RTT sample, the ACK delay), so a sample never carries over from
     * one ACK to the next. Not thread-safe: one instance per thread.
     */
    public static final class Ack
    {
        private long nowUs;
        private long sndUna;
        private long sndNxt;
        private long rttUs = -1;
        private boolean ofRetransmission;
        private long ackDelayUs;

        /**
         * Starts describing an ACK that acknowledges new data.
         *
         * @param nowUs  the time it arrived, on the wheel's clock.
         * @param sndUna the oldest unacknowledged sequence number after it.
         * @param sndNxt the next sequence number to send; {@code sndUna == sndNxt} means everything sent is
         *               acknowledged, and the timer stops (RFC 6298 section 5.2), otherwise it restarts (5.3).
         * @return this, with no RTT sample and no ACK delay.
         */
        public Ack of(final long nowUs, final long sndUna, final long sndNxt)
        {
            this.nowUs = nowUs;
            this.sndUna = sndUna;
            this.sndNxt = sndNxt;
            this.rttUs = -1;
            this.ofRetransmission = false;
            this.ackDelayUs = 0;
            return this;
        }

        /**
         * @param rttUs            the time since the acknowledged segment was sent, at least 0.
         * @param ofRetransmission whether that segment had been retransmitted: then Karn's rule withholds the
         *                         sample, unless the timers were built with timestamps on.
         * @return this.
         */
        public Ack rtt(final long rttUs, final boolean ofRetransmission)
        {
            if (rttUs < 0)
            {
                throw new IllegalArgumentException("rttUs must be at least 0, was " + rttUs);
            }
            this.rttUs = rttUs;
            this.ofRetransmission = ofRetransmission;
            return this;
        }

        /**
         * @param ackDelayUs the peer's reported ACK delay (QUIC's ack_delay), at least 0; TCP strategies ignore it.
         * @return this.
         */
        public Ack ackDelay(final long ackDelayUs)
        {
            if (ackDelayUs < 0)
            {
                throw new IllegalArgumentException("ackDelayUs must be at least 0, was " + ackDelayUs);
            }
            this.ackDelayUs = ackDelayUs;
            return this;
        }

        @Override
        public String toString()
        {
            return "Ack{nowUs=" + nowUs + ", sndUna=" + sndUna + ", sndNxt=" + sndNxt + ", rttUs=" + rttUs +
                ", ofRetransmission=" + ofRetransmission + ", ackDelayUs=" + ackDelayUs + '}';
        }
    }

    /**
     * An ACK arrived that acknowledges new data: takes its RTT sample if Karn's rule allows (every sample with
     * timestamps on) and otherwise tells the strategy {@link RtoStrategy#onAckWithoutSample} (whose backoff then
     * stays, for TCP, or ends, for QUIC), restarts the retransmission count, and restarts the timer with the current timeout, or stops it
     * when everything sent is acknowledged.
     *
     * @param connection the connection's number, from 0 to {@code capacity() - 1}.
     * @param ack        what the ACK says; read during the call only, so the caller may refill it at once.
     */
    public void onAck(final int connection, final Ack ack)
    {
        final int at = base(connection);
        final long nowUs = ack.nowUs;
        if (ack.rttUs >= 0 && (timestamps || !ack.ofRetransmission))
        {
            strategy.onRttSample(table, at, ack.rttUs, ack.ackDelayUs, ack.sndUna, ack.sndNxt);
        }
        else
        {
            // new data acknowledged without a sample: TCP keeps its backoff (Karn), QUIC resets pto_count
            strategy.onAckWithoutSample(table, at);
        }
        table[at + metaWord] &= (1L << PHASE_BITS) - 1; // new data acknowledged: retransmission count restarts
        final long handle = table[at + handleWord];
        if (ack.sndUna == ack.sndNxt)
        {
            if (handle != TimerWheel.NULL_HANDLE)
            {
                wheel.cancel(handle);
                table[at + handleWord] = TimerWheel.NULL_HANDLE;
            }
        }
        else if (handle != TimerWheel.NULL_HANDLE && wheel.isArmed(handle))
        {
            wheel.rearm(handle, nowUs + strategy.rtoUs(table, at));
        }
        else
        {
            table[at + handleWord] = wheel.arm(nowUs + strategy.rtoUs(table, at), payload(connection));
        }
    }

    /**
     * The connection's timer fired (the caller's wheel handler saw this connection and the timer kind). Decides,
     * by the retry policy, whether to retransmit, in which case the timeout is backed off and the timer re-armed,
     * or to give up, in which case the timer stays stopped.
     *
     * @param connection the connection's number, from 0 to {@code capacity() - 1}.
     * @param nowUs      the time the timer fired, on the wheel's clock: the retransmission's timer is armed for
     *                   {@code nowUs} plus the backed-off timeout, and the first expiry's {@code nowUs} is kept as
     *                   the start of {@link RetryPolicy#linux}'s time budget.
     * @return what to do.
     */
    public Outcome onExpiry(final int connection, final long nowUs)
    {
        final int at = base(connection);
        final long meta = table[at + metaWord];
        final Phase phase = PHASES[(int)(meta & ((1L << PHASE_BITS) - 1))];
        final int retries = (int)((meta >>> RETRIES_SHIFT) & ((1 << RETRIES_BITS) - 1));
        // the stamp counts from the wheel's start time, so that a clock with negative values works too
        final long sinceStartUs = nowUs - wheel.startTime();
        final long firstUs = meta >>> STAMP_SHIFT;
        table[at + handleWord] = TimerWheel.NULL_HANDLE; // the wheel's timer has fired
        if (retryPolicy.givesUp(phase, retries, sinceStartUs - firstUs))
        {
            return switch (phase)
            {
                case SYN -> Outcome.GAVE_UP_SYN;
                case SYN_ACK -> Outcome.GAVE_UP_SYN_ACK;
                case DATA -> Outcome.GAVE_UP_DATA;
                case FIN -> Outcome.GAVE_UP_FIN;
            };
        }
        final long stamp = retries == 0 ? sinceStartUs & STAMP_MASK : firstUs;
        table[at + metaWord] = (stamp << STAMP_SHIFT) | ((long)Math.min(retries + 1, 255) << RETRIES_SHIFT) |
            phase.ordinal();
        if (phase != Phase.SYN || retries >= retryPolicy.synLinearTimeouts())
        {
            strategy.onTimeout(table, at);
        }
        table[at + handleWord] = wheel.arm(nowUs + strategy.rtoUs(table, at), payload(connection));
        return Outcome.RETRANSMIT;
    }

    /**
     * A timeout was found spurious (the original's ACK arrived after the retransmission): the strategy may respond
     * (Eifel, RFC 4015). The timer itself is left as it is.
     *
     * @param connection the connection's number, from 0 to {@code capacity() - 1}.
     * @param rttUs      the RTT of the original transmission, measured by its late ACK, microseconds.
     */
    public void onSpuriousTimeout(final int connection, final long rttUs)
    {
        strategy.onSpuriousTimeout(table, base(connection), rttUs);
    }

    /**
     * Stops the connection's timer, if running; the estimator, phase and retransmission count are kept.
     *
     * @param connection the connection's number, from 0 to {@code capacity() - 1}.
     */
    public void stop(final int connection)
    {
        final int at = base(connection);
        final long handle = table[at + handleWord];
        if (handle != TimerWheel.NULL_HANDLE)
        {
            wheel.cancel(handle);
            table[at + handleWord] = TimerWheel.NULL_HANDLE;
        }
    }

    /**
     * Whether the connection's timer is running.
     *
     * @param connection the connection's number, from 0 to {@code capacity() - 1}.
     * @return {@code true} while the timer is armed on the wheel and has not fired.
     */
    public boolean isArmed(final int connection)
    {
        return wheel.isArmed(table[base(connection) + handleWord]);
    }

    /**
     * The wheel handle of the connection's timer. A caller that defers expiries compares a fired handle with this
     * to tell a current expiry from one overtaken by an ACK or a stop.
     *
     * @param connection the connection's number, from 0 to {@code capacity() - 1}.
     * @return the running timer's handle, or the one whose expiry has not been handed to {@link #onExpiry} yet;
     *         {@link TimerWheel#NULL_HANDLE} if stopped.
     */
    public long timerHandle(final int connection)
    {
        return table[base(connection) + handleWord];
    }

    /**
     * The deadline of the connection's timer.
     *
     * @param connection the connection's number, from 0 to {@code capacity() - 1}.
     * @return the running timer's deadline, on the wheel's clock, or {@link TimerWheel#NULL_DEADLINE}.
     */
    public long deadlineUs(final int connection)
    {
        return wheel.deadline(table[base(connection) + handleWord]);
    }

    /**
     * The timeout the connection would arm now: {@link RtoStrategy#rtoUs} of its state.
     *
     * @param connection the connection's number, from 0 to {@code capacity() - 1}.
     * @return the timeout, microseconds, backoff included.
     */
    public long rtoUs(final int connection)
    {
        return strategy.rtoUs(table, base(connection));
    }

    /**
     * The connection's smoothed RTT: {@link RtoStrategy#srttUs} of its state.
     *
     * @param connection the connection's number, from 0 to {@code capacity() - 1}.
     * @return the smoothed RTT, microseconds, or -1 before the first sample or for a strategy that keeps none.
     */
    public long srttUs(final int connection)
    {
        return strategy.srttUs(table, base(connection));
    }

    /**
     * The connection's retransmission count, which the {@link RetryPolicy} compares with the phase's limit.
     *
     * @param connection the connection's number, from 0 to {@code capacity() - 1}.
     * @return retransmissions since new data was last acknowledged (or since the phase began), at most 255.
     */
    public int retransmissions(final int connection)
    {
        return (int)((table[base(connection) + metaWord] >>> RETRIES_SHIFT) & ((1 << RETRIES_BITS) - 1));
    }

    /**
     * The connection's phase.
     *
     * @param connection the connection's number, from 0 to {@code capacity() - 1}.
     * @return the phase given to {@link #open} or last to {@link #enterPhase}.
     */
    public Phase phase(final int connection)
    {
        return PHASES[(int)(table[base(connection) + metaWord] & ((1L << PHASE_BITS) - 1))];
    }

    /** @return the shared strategy. */
    public RtoStrategy strategy()
    {
        return strategy;
    }

    private int base(final int connection)
    {
        if (connection < 0 || connection >= capacity)
        {
            throw new IndexOutOfBoundsException("connection " + connection + " outside [0, " + capacity + ")");
        }
        return connection * stride;
    }

    private long payload(final int connection)
    {
        return ((long)connection << 8) | timerKind;
    }
}
