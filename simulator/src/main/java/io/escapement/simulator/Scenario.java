package io.escapement.simulator;

import io.escapement.engine.rto.RetryPolicy;
import io.escapement.engine.rto.RtoStrategies;
import io.escapement.engine.rto.RtoStrategy;
import io.escapement.simulator.net.NetworkModel;

import java.util.Objects;

/**
 * Everything one simulation run depends on, validated once: the traffic, the TCP stack's knobs and the network.
 * Immutable; the same scenario and seed give the same result, bit for bit. Times are microseconds.
 */
public final class Scenario
{
    /** Linux's {@code net.ipv4.ip_local_port_range} default. */
    public static final int DEFAULT_PORT_LOW = 32768;
    /** Linux's {@code net.ipv4.ip_local_port_range} default. */
    public static final int DEFAULT_PORT_HIGH = 60999;
    /** The most segments a request or response may take: every unit of a direction fits one 64-bit mask. */
    public static final int MAX_SEGMENTS = 60;
    static final long HOUR_US = 3_600_000_000L;

    public final long seed;
    public final int connections;
    public final double arrivalsPerSecond;
    public final int clientAddresses;
    public final int portLow;
    public final int portHigh;
    public final double refusedFraction;

    public final int requestBytes;
    public final int responseBytes;
    /** The request's size, drawn per connection; constant {@link #requestBytes} unless given. */
    public final SizeDistribution requestSizes;
    /** The response's size, drawn per connection; constant {@link #responseBytes} unless given. */
    public final SizeDistribution responseSizes;
    public final int mss;
    public final long clientThinkUs;
    public final long serverThinkUs;
    public final double clientClosesFirst;
    public final double simultaneousClose;
    /** Clients that shutdown(SHUT_WR) right after their request and keep reading (half-close). */
    public final double halfClose;
    public final long idleTimeoutUs;
    /** Persistent connections: the exchanges per connection, their sizes and the think time between them. */
    public final Exchanges exchanges;
    /** How long after it reads end-of-file an application calls close(); 0: at once. */
    public final long closeAfterEofUs;

    public final String rtoSpecification;
    public final RtoStrategy rto;
    public final RetryPolicy retryPolicy;
    public final boolean timestamps;
    /**
     * The tail loss probe (RFC 8985), as in effect: off with SACK off, as Linux's {@code tcp_schedule_loss_probe()}
     * requires {@code tcp_is_sack()}.
     */
    public final boolean tailLossProbe;
    public final int hz;
    /** Whether kernel timers fire in the bucket of the kernel's timer wheel (see {@link Builder#timerSlack}). */
    public final boolean timerSlack;
    public final long mslUs;
    public final long timeWaitUs;
    public final long finTimeoutUs;

    /** When the receiver acknowledges (see {@link DelayedAck}). */
    public final DelayedAck delayedAck;
    /** The delayed-ACK timeout's lower bound (Linux: {@code TCP_ATO_MIN}, {@code TCP_DELACK_MIN}, 40 ms). */
    public final long atoMinUs;
    /** Its upper bound (Linux: {@code TCP_DELACK_MAX}, 200 ms); the fixed timeout of {@link DelayedAck#RFC}. */
    public final long atoMaxUs;
    /** The sender's congestion window (see {@link Window}). */
    public final Window window;
    /** How congestion avoidance grows the window (see {@link Cc}). */
    public final Cc cc;
    /** The initial window, in segments (RFC 6928: 10). */
    public final int initialWindow;
    /** Fast retransmit on the third duplicate ACK (RFC 5681 section 3.2). */
    public final boolean fastRetransmit;
    /**
     * RACK's time-based loss detection (RFC 8985), Linux's default since 4.18, as in effect: off with SACK off, as
     * Linux's {@code tcp_identify_packet_loss()} takes {@code tcp_newreno_mark_lost()} instead when
     * {@code tcp_is_reno()}.
     */
    public final boolean rack;
    /** F-RTO (RFC 5682, Linux's {@code tcp_frto = 2}): detect a spurious RTO from the next ACKs and undo it. */
    public final boolean frto;
    /**
     * SACK (RFC 2018): ACKs carry SACK blocks and the sender's RFC 6675 scoreboard is built from those that
     * arrived; off, the sender knows only the cumulative ACK and recovers as NewReno (RFC 6582).
     */
    public final boolean sack;
    /**
     * Proportional Rate Reduction in a fast recovery (RFC 6937; Linux's {@code tcp_cwnd_reduction()}, on since 3.2):
     * the window comes down to {@code ssthresh} over the recovery's round trip instead of at its start. By default
     * the {@link Window#LINUX} window's, not the {@link Window#RFC} one's (RFC 6675 and 5681: {@code cwnd =
     * ssthresh} at once).
     */
    public final boolean prr;
    /**
     * The window's restart after an idle period longer than the RTO (Linux's {@code tcp_slow_start_after_idle = 1},
     * the default; RFC 5681 section 4.1): before a kept connection's next message.
     */
    public final boolean slowStartAfterIdle;

    public final NetworkModel network;

    /** How a receiver acknowledges data. */
    public enum DelayedAck
    {
        /** Every segment at once (the simulator before delayed ACKs). */
        OFF,
        /**
         * Linux's: quick-ack mode at the start, then an ACK for more than one full segment or when the delayed-ACK
         * timer fires, its timeout ({@code ato}) adapted to the arrivals as {@code tcp_event_data_recv()} does.
         */
        LINUX,
        /** RFC 1122 4.2.3.2 and RFC 5681 4.2: every second full-sized segment, else a fixed timeout. */
        RFC
    }

    /** The congestion-avoidance algorithm of a window ({@link Window#LINUX} or {@link Window#RFC}). */
    public enum Cc
    {
        /** Reno (RFC 5681): one segment per window of segments acknowledged, halved on loss. */
        RENO,
        /**
         * CUBIC: the window follows {@code W_cubic(t)} from the last loss, cut by 0.7 on loss; as Linux's
         * {@code tcp_cubic.c} with {@link Window#LINUX} (the default, as Linux's), as RFC 9438 with {@link Window#RFC}.
         */
        CUBIC
    }

    /** How a sender limits what it has in flight. */
    public enum Window
    {
        /** No limit: a message leaves in one burst (the simulator before congestion control). */
        OFF,
        /**
         * As Linux grows it ({@code tcp_slow_start()}: by the segments an ACK acknowledges; Reno as
         * {@code tcp_reno_cong_avoid()}, CUBIC as {@code tcp_cubic.c}).
         */
        LINUX,
        /** As RFC 5681 section 3.1 grows it: slow start by at most one segment per ACK; CUBIC as RFC 9438. */
        RFC
    }

    private Scenario(final Builder b)
    {
        seed = b.seed;
        connections = b.connections;
        arrivalsPerSecond = b.arrivalsPerSecond;
        clientAddresses = b.clientAddresses;
        portLow = b.portLow;
        portHigh = b.portHigh;
        refusedFraction = b.refusedFraction;
        requestBytes = b.requestBytes;
        responseBytes = b.responseBytes;
        requestSizes = b.requestSizes != null ? b.requestSizes : SizeDistribution.constant(b.requestBytes);
        responseSizes = b.responseSizes != null ? b.responseSizes : SizeDistribution.constant(b.responseBytes);
        mss = b.mss;
        clientThinkUs = b.clientThinkUs;
        serverThinkUs = b.serverThinkUs;
        clientClosesFirst = b.clientClosesFirst;
        simultaneousClose = b.simultaneousClose;
        halfClose = b.halfClose;
        idleTimeoutUs = b.idleTimeoutUs;
        exchanges = new Exchanges(b.seed, b.mss,
            b.exchangeCounts != null ? b.exchangeCounts : SizeDistribution.constant(1),
            b.thinkTimes != null ? b.thinkTimes : SizeDistribution.constant(0), requestSizes, responseSizes);
        closeAfterEofUs = b.closeAfterEofUs;
        rtoSpecification = withHz(b.rto, b.hz);
        rto = b.rtoStrategy != null ? b.rtoStrategy : RtoStrategies.parse(rtoSpecification);
        retryPolicy = (b.countRetries ? RetryPolicy.counting(b.synRetries, b.synAckRetries, b.tcpRetries2) :
            RetryPolicy.linux(b.synRetries, b.synAckRetries, b.tcpRetries2, b.rtoBaseUs, b.rtoMaxUs))
            .withSynLinearTimeouts(b.synLinearTimeouts)
            .withOrphanRetries(b.orphanRetries);
        timestamps = b.timestamps;
        tailLossProbe = b.tailLossProbe && b.sack; // a non-SACK flow never probes (tcp_schedule_loss_probe())
        hz = b.hz;
        timerSlack = b.timerSlack;
        mslUs = b.mslUs;
        timeWaitUs = b.timeWaitUs > 0 ? b.timeWaitUs : 2 * b.mslUs;
        finTimeoutUs = b.finTimeoutUs;
        network = Objects.requireNonNull(b.network, "network");
        delayedAck = b.delayedAck;
        atoMinUs = b.atoMinUs;
        atoMaxUs = b.atoMaxUs;
        window = b.window;
        cc = b.cc;
        initialWindow = b.initialWindow;
        fastRetransmit = b.fastRetransmit;
        rack = b.rack && b.sack; // nor runs RACK (tcp_identify_packet_loss(): tcp_newreno_mark_lost() when reno)
        frto = b.frto;
        sack = b.sack;
        // what runs, as the summary reports it: without a window (--cwnd off) there is nothing to reduce or restart
        prr = b.window != Window.OFF && (b.prr != null ? b.prr : b.window == Window.LINUX);
        slowStartAfterIdle = b.slowStartAfterIdle && b.window != Window.OFF;
    }

    /**
     * @return the strategy specification with the scenario's HZ for the {@code linux} strategy when it names none,
     * so that its RTO is whole jiffies of the same kernel whose jiffy clock arms the timers; with HZ 0 (exact
     * timers) the strategy's {@code hz=0}, exact too.
     */
    static String withHz(final String specification, final int hz)
    {
        if (specification == null || specification.contains("hz="))
        {
            return specification;
        }
        final String trimmed = specification.trim();
        if (trimmed.equals("linux"))
        {
            return "linux:hz=" + hz;
        }
        if (trimmed.startsWith("linux:"))
        {
            return trimmed + ",hz=" + hz;
        }
        return specification;
    }

    /** @return segments of a request. */
    public int requestSegments()
    {
        return segments(requestBytes);
    }

    /** @return segments of a response. */
    public int responseSegments()
    {
        return segments(responseBytes);
    }

    private int segments(final int bytes)
    {
        return (bytes + mss - 1) / mss;
    }

    /** @return a builder with the defaults of the {@code linux} preset. */
    public static Builder builder()
    {
        return new Builder();
    }

    /** The defaults are Linux's (6.5 and later, HZ=1000) where a knob exists, else a small HTTP-like exchange. */
    public static final class Builder
    {
        long seed = 1;
        int connections = 1_000_000;
        double arrivalsPerSecond = 20_000;
        int clientAddresses = 64;
        int portLow = DEFAULT_PORT_LOW;
        int portHigh = DEFAULT_PORT_HIGH;
        double refusedFraction = 0;
        int requestBytes = 300;
        int responseBytes = 4000;
        SizeDistribution requestSizes;
        SizeDistribution responseSizes;
        int mss = 1448;
        long clientThinkUs = 0;
        long serverThinkUs = 0;
        double clientClosesFirst = 0.6;
        double simultaneousClose = 0.05;
        double halfClose = 0;
        long idleTimeoutUs = 120_000_000;
        SizeDistribution exchangeCounts;
        SizeDistribution thinkTimes;
        long closeAfterEofUs = 0;
        String rto = "linux";
        RtoStrategy rtoStrategy;
        int synRetries = 6;
        int synLinearTimeouts = 4; // Linux 6.5 on
        int synAckRetries = 5;
        int tcpRetries2 = 15;
        int orphanRetries = 8;
        long rtoBaseUs = 200_000;
        long rtoMaxUs = 120_000_000;
        boolean timestamps = false;
        boolean countRetries = false;
        boolean tailLossProbe = true;
        int hz = 1000;
        boolean timerSlack = true;
        long mslUs = 30_000_000;
        long timeWaitUs = 60_000_000; // Linux: TCP_TIMEWAIT_LEN, fixed 60 s whatever the MSL
        long finTimeoutUs = 60_000_000;
        NetworkModel network = NetworkModel.builder().build();
        DelayedAck delayedAck = DelayedAck.LINUX;
        long atoMinUs = 40_000;   // TCP_ATO_MIN = TCP_DELACK_MIN = HZ / 25
        long atoMaxUs = 200_000;  // TCP_DELACK_MAX = HZ / 5
        Window window = Window.LINUX;
        Cc cc = Cc.CUBIC;         // net.ipv4.tcp_congestion_control = cubic, Linux 2.6.19 on
        int initialWindow = 10;   // RFC 6928, TCP_INIT_CWND
        boolean fastRetransmit = true;
        boolean frto = true;       // net.ipv4.tcp_frto = 2, Linux 3.10 on
        boolean rack = true;       // net.ipv4.tcp_recovery = 1 (RACK loss detection), Linux 4.18 on
        boolean sack = true;       // net.ipv4.tcp_sack = 1, Linux 2.2 on; RFC 6675 needs it
        Boolean prr;               // null: the window's own (Linux: PRR since 3.2; RFC 5681/6675: none)
        boolean slowStartAfterIdle = true; // net.ipv4.tcp_slow_start_after_idle = 1; RFC 5681 4.1's SHOULD

        public Builder seed(final long v) { seed = v; return this; }
        public Builder connections(final int v) { connections = v; return this; }
        public Builder arrivalsPerSecond(final double v) { arrivalsPerSecond = v; return this; }
        public Builder clientAddresses(final int v) { clientAddresses = v; return this; }
        public Builder ports(final int low, final int high) { portLow = low; portHigh = high; return this; }
        public Builder refusedFraction(final double v) { refusedFraction = v; return this; }
        public Builder requestBytes(final int v) { requestBytes = v; return this; }
        public Builder responseBytes(final int v) { responseBytes = v; return this; }
        /**
         * @param v the request's size distribution, drawn per connection (null: constant request-bytes).
         * @return this builder.
         */
        public Builder requestSizes(final SizeDistribution v) { requestSizes = v; return this; }
        /**
         * @param v the response's size distribution, drawn per connection (null: constant response-bytes).
         * @return this builder.
         */
        public Builder responseSizes(final SizeDistribution v) { responseSizes = v; return this; }
        public Builder mss(final int v) { mss = v; return this; }
        public Builder clientThinkUs(final long v) { clientThinkUs = v; return this; }
        public Builder serverThinkUs(final long v) { serverThinkUs = v; return this; }
        public Builder clientClosesFirst(final double v) { clientClosesFirst = v; return this; }
        public Builder simultaneousClose(final double v) { simultaneousClose = v; return this; }
        public Builder idleTimeoutUs(final long v) { idleTimeoutUs = v; return this; }
        /**
         * @param v the fraction of clients that shutdown(SHUT_WR) right after writing their request and keep
         *          reading the response: their FIN follows the request, their FIN-WAIT-2 is not orphaned.
         * @return this builder.
         */
        public Builder halfClose(final double v) { halfClose = v; return this; }
        /**
         * @param v the exchanges per connection, drawn per connection (null: one, today's workload).
         * @return this builder.
         */
        public Builder exchangeCounts(final SizeDistribution v) { exchangeCounts = v; return this; }
        /**
         * @param v the client's think time before each exchange after the first, in microseconds, drawn per
         *          exchange (null: none); see {@link Exchanges#parseDurations}.
         * @return this builder.
         */
        public Builder thinkTimes(final SizeDistribution v) { thinkTimes = v; return this; }
        /**
         * @param v how long after it reads end-of-file an application calls close(), in microseconds (0: at once).
         * @return this builder.
         */
        public Builder closeAfterEofUs(final long v) { closeAfterEofUs = v; return this; }
        public Builder rto(final String v) { rto = v; return this; }
        /**
         * A strategy object in place of the one {@link #rto}'s specification names (which still names it in
         * reports): for compare's checks, whose tests run a strategy broken on purpose. {@code null} clears it.
         */
        public Builder rtoStrategy(final RtoStrategy v) { rtoStrategy = v; return this; }
        public Builder synRetries(final int v) { synRetries = v; return this; }
        public Builder synLinearTimeouts(final int v) { synLinearTimeouts = v; return this; }
        public Builder synAckRetries(final int v) { synAckRetries = v; return this; }
        public Builder tcpRetries2(final int v) { tcpRetries2 = v; return this; }
        public Builder orphanRetries(final int v) { orphanRetries = v; return this; }
        public Builder rtoBaseUs(final long v) { rtoBaseUs = v; return this; }
        public Builder rtoMaxUs(final long v) { rtoMaxUs = v; return this; }
        public Builder timestamps(final boolean v) { timestamps = v; return this; }
        /** Data and FIN retries counted (RFC 1122's R2 as a count) instead of Linux's time budget. */
        public Builder countRetries(final boolean v) { countRetries = v; return this; }
        public Builder tailLossProbe(final boolean v) { tailLossProbe = v; return this; }
        public Builder hz(final int v) { hz = v; return this; }
        /**
         * @param v whether kernel timers fire in the bucket of the kernel's timer wheel (calc_wheel_index), late by
         *          up to about 1/8 of their delay; only with an HZ above 0.
         * @return this builder.
         */
        public Builder timerSlack(final boolean v) { timerSlack = v; return this; }
        public Builder mslUs(final long v) { mslUs = v; return this; }
        /** 0 means 2 MSL; Linux's TIME-WAIT is a fixed 60 s. */
        public Builder timeWaitUs(final long v) { timeWaitUs = v; return this; }
        public Builder finTimeoutUs(final long v) { finTimeoutUs = v; return this; }
        public Builder network(final NetworkModel v) { network = v; return this; }
        /**
         * @param v when the receiver acknowledges: at once, as Linux does, or as RFC 1122 and 5681 say.
         * @return this builder.
         */
        public Builder delayedAck(final DelayedAck v) { delayedAck = v; return this; }
        /**
         * @param minUs the delayed-ACK timeout's lower bound ({@code TCP_ATO_MIN}).
         * @param maxUs its upper bound ({@code TCP_DELACK_MAX}); the fixed timeout of {@link DelayedAck#RFC}.
         * @return this builder.
         */
        public Builder atoUs(final long minUs, final long maxUs) { atoMinUs = minUs; atoMaxUs = maxUs; return this; }
        /**
         * @param v the congestion window: none, Reno as Linux grows it, or as RFC 5681 does.
         * @return this builder.
         */
        public Builder window(final Window v) { window = v; return this; }
        /**
         * @param v the congestion-avoidance algorithm: Reno or CUBIC.
         * @return this builder.
         */
        public Builder cc(final Cc v) { cc = v; return this; }
        /**
         * @param v the initial window in segments (RFC 6928's 10).
         * @return this builder.
         */
        public Builder initialWindow(final int v) { initialWindow = v; return this; }
        /**
         * @param v whether the third duplicate ACK triggers a fast retransmit (RFC 5681 section 3.2).
         * @return this builder.
         */
        public Builder fastRetransmit(final boolean v) { fastRetransmit = v; return this; }
        /**
         * @param v whether RACK's time-based loss detection (RFC 8985) runs beside the duplicate-ACK threshold.
         * @return this builder.
         */
        public Builder rack(final boolean v) { rack = v; return this; }
        /**
         * @param v whether F-RTO (RFC 5682) detects spurious timeouts from the ACKs that follow and undoes them.
         * @return this builder.
         */
        public Builder frto(final boolean v) { frto = v; return this; }
        /**
         * @param v whether a fast recovery reduces the window by PRR (RFC 6937; Linux's {@code tcp_cwnd_reduction()})
         *          rather than setting it to {@code ssthresh} at once; unset, the {@link Window#LINUX} window does and
         *          the {@link Window#RFC} one does not.
         * @return this builder.
         */
        public Builder prr(final boolean v) { prr = v; return this; }
        /**
         * @param v whether an end that has sent no data for longer than the RTO restarts its window before sending
         *          again (Linux's {@code tcp_slow_start_after_idle}; RFC 5681 section 4.1).
         * @return this builder.
         */
        public Builder slowStartAfterIdle(final boolean v) { slowStartAfterIdle = v; return this; }
        /**
         * @param v whether ACKs carry SACK blocks (RFC 2018) and recovery reads them (RFC 6675); off: NewReno.
         * @return this builder.
         */
        public Builder sack(final boolean v) { sack = v; return this; }

        /**
         * @return the scenario.
         * @throws IllegalArgumentException naming the first value out of range, and the range.
         */
        public Scenario build()
        {
            require(connections >= 1, "connections", connections, "at least 1");
            require(arrivalsPerSecond > 0 && arrivalsPerSecond <= 1e9, "rate", arrivalsPerSecond,
                "above 0 and at most 1e9 per second");
            // each address used gets a ring of its ports (2 bytes each, 56 KB for Linux's range)
            require(clientAddresses >= 1 && clientAddresses <= 4096, "clients", clientAddresses,
                "between 1 and 4096");
            require(portLow >= 1 && portLow <= portHigh && portHigh <= 65535, "ports", portLow + "-" + portHigh,
                "low-high with 1 <= low <= high <= 65535");
            require(fraction(refusedFraction), "refused", refusedFraction, "between 0 and 1");
            require(mss >= 1 && mss <= 65495, "mss", mss, "between 1 and 65495");
            // 0 is allowed: an empty request makes a handshake-only connection, an empty response a server that
            // only closes
            require(requestBytes >= 0 && (requestBytes + (long)mss - 1) / mss <= MAX_SEGMENTS, "request-bytes",
                requestBytes, "between 0 and " + MAX_SEGMENTS + " x mss (" + (long)MAX_SEGMENTS * mss + ")");
            require(responseBytes >= 0 && (responseBytes + (long)mss - 1) / mss <= MAX_SEGMENTS, "response-bytes",
                responseBytes, "between 0 and " + MAX_SEGMENTS + " x mss (" + (long)MAX_SEGMENTS * mss + ")");
            // send times are kept as 32-bit microsecond offsets from the connection's start (71 minutes)
            require(clientThinkUs >= 0 && clientThinkUs <= HOUR_US, "client-think", clientThinkUs + "us",
                "between 0 and 1 hour");
            require(serverThinkUs >= 0 && serverThinkUs <= HOUR_US, "server-think", serverThinkUs + "us",
                "between 0 and 1 hour");
            require(fraction(clientClosesFirst) && fraction(simultaneousClose) &&
                clientClosesFirst + simultaneousClose <= 1.0 + 1e-12, "close mix",
                clientClosesFirst + " client-first + " + simultaneousClose + " simultaneous",
                "fractions between 0 and 1 that add up to at most 1 (the rest closes server-first)");
            require(fraction(halfClose), "half-close", halfClose, "between 0 and 1");
            require(idleTimeoutUs >= 1 && idleTimeoutUs <= HOUR_US, "idle-timeout", idleTimeoutUs + "us",
                "between 1us and 1 hour");
            require(exchangeCounts == null || exchangeCounts.least() >= 1, "exchanges", exchangeCounts,
                "a distribution of at least 1 exchange");
            require(closeAfterEofUs >= 0 && closeAfterEofUs <= HOUR_US, "close-after-eof", closeAfterEofUs + "us",
                "between 0 and 1 hour");
            require(hz >= 0 && hz <= 10_000, "hz", hz, "between 0 (exact timers) and 10000");
            require(duration(mslUs, false), "msl", mslUs + "us", "between 1us and 1 day");
            require(duration(timeWaitUs, true), "time-wait", timeWaitUs + "us", "between 0 (2 MSL) and 1 day");
            require(duration(finTimeoutUs, false), "fin-timeout", finTimeoutUs + "us", "between 1us and 1 day");
            require(rto != null, "rto", null, "a strategy name");
            // the retry policy checks these too, by its own names; here they are named as the options are
            require(synRetries >= 0 && synRetries <= 255, "syn-retries", synRetries, "between 0 and 255");
            require(synLinearTimeouts >= 0 && synLinearTimeouts <= 255 - synRetries, "syn-linear-timeouts",
                synLinearTimeouts, "between 0 and 255 - syn-retries");
            require(synAckRetries >= 0 && synAckRetries <= 255, "synack-retries", synAckRetries, "between 0 and 255");
            require(tcpRetries2 >= 0 && tcpRetries2 <= 255, "tcp-retries2", tcpRetries2, "between 0 and 255");
            require(orphanRetries >= 0 && orphanRetries <= 255, "orphan-retries", orphanRetries, "between 0 and 255");
            require(delayedAck != null, "delayed-ack", null, "linux, rfc or off");
            require(window != null, "cwnd", null, "linux, rfc or off");
            require(cc != null, "cc", null, "reno or cubic");
            // RFC 1122 4.2.3.2: the delay MUST be less than 0.5 seconds
            require(atoMinUs >= 1 && atoMinUs <= 500_000, "ato-min", atoMinUs + "us", "between 1us and 500ms");
            require(atoMaxUs >= atoMinUs && atoMaxUs <= 500_000, "ato-max", atoMaxUs + "us",
                "between ato-min (" + atoMinUs + "us) and 500ms");
            require(initialWindow >= 1 && initialWindow <= MAX_SEGMENTS + 1, "initial-window", initialWindow,
                "between 1 and " + (MAX_SEGMENTS + 1) + " segments");
            if (network != null)
            {
                network.requireTracesCover((long)Math.ceil(connections / arrivalsPerSecond * 1e6));
            }
            return new Scenario(this); // RtoStrategies and RetryPolicy check their own values, with their messages
        }

        private static boolean fraction(final double v)
        {
            return v >= 0 && v <= 1;
        }

        private static boolean duration(final long us, final boolean zeroAllowed)
        {
            return us >= (zeroAllowed ? 0 : 1) && us <= 86_400_000_000L;
        }

        private static void require(final boolean ok, final String name, final Object value, final String range)
        {
            if (!ok)
            {
                throw new IllegalArgumentException(name + "=" + value + " is out of range: expected " + range);
            }
        }
    }
}
