package io.escapement.simulator.net;

import io.escapement.engine.rto.RtoParameters;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The network between clients and server: a per-direction loss probability and a one-way delay made of half the
 * base RTT, a random jitter and any scheduled event in force (a delay spike, a step change of the RTT).
 * <p>
 * <b>Fates are functions, not a random stream.</b> Whether a packet is lost and how long it takes come from a hash
 * of the seed and the packet's identity (connection, direction, what it carries, which transmission of it), never
 * from a generator consumed in event order. Two runs that differ only in when they retransmit therefore see the
 * same fate for every packet both send: comparing RTO strategies compares the strategies, not their luck. Only
 * the part of the delay that depends on the send time (spikes, steps) differs between packets sent at different
 * times. The transcendental functions are {@link StrictMath}'s, whose results the JDK fixes bit for bit, not
 * {@link Math}'s, which may differ by an ulp between JVMs and processors: a sweep's runs on a cluster's mixed
 * machines meet the same fates as on one machine.
 * <p>
 * Beside these, each optional and off by default (a run without them is the same as before they existed): a base
 * RTT drawn per connection from a distribution ({@link RttDistribution}: a hash of the seed and the connection, so
 * every strategy meets the same RTT on every connection); bursty loss per direction ({@link GilbertElliott}: a
 * two-state chain over the units a connection first sends, still a function of the packet's identity); and a measured one-way
 * delay replayed per direction ({@link DelayTrace}), on every connection or on one. A trace replaces the base RTT's
 * half, the jitter and the RTT steps of its direction (a measured delay has all three in it); spikes still add.
 * <p>
 * Jitter shapes, each with mean {@code jitter}: {@code constant} (none), {@code uniform} (0 to 2 x jitter),
 * {@code lognormal} (sigma 1), {@code pareto} (shape 2, heavy-tailed; capped at 1000 x jitter or 60 s).
 * Immutable and thread-safe.
 */
public final class NetworkModel
{
    /** The random part of the one-way delay. */
    public enum Jitter
    {
        CONSTANT, UNIFORM, LOGNORMAL, PARETO
    }

    /** What a packet carries, as far as its fate is concerned. */
    public static final int SEGMENT = 0;
    public static final int PURE_ACK = 1;
    public static final int RESET = 2;

    /**
     * Decides some packets' fates before the probabilistic model does: for tests and for scripted scenarios. It
     * must be a pure function of its arguments: the simulator asks again about earlier transmissions of a segment
     * (with {@code ack = -1}) to tell whether a retransmission was spurious.
     */
    @FunctionalInterface
    public interface Dropper
    {
        /**
         * @param connection   the connection's number.
         * @param fromClient   the packet's direction.
         * @param packetClass  {@link #SEGMENT}, {@link #PURE_ACK} or {@link #RESET}.
         * @param unit         for a segment, which of the sender's units (0 = SYN, 1.. data, last = FIN); for an ACK
         *                     or a RST, the unit of the segment that triggered it.
         * @param transmission 0 for the first transmission, 1 for the first retransmission, ...
         * @param ack          the cumulative acknowledgement the packet carries, in units (0: no ACK flag).
         * @return whether to drop it.
         */
        boolean drop(long connection, boolean fromClient, int packetClass, int unit, int transmission, int ack);
    }

    /** Sees every packet the simulator puts on the wire and its fate: for tests and diagnostics. */
    @FunctionalInterface
    public interface Observer
    {
        /**
         * @param jitterUs the random part of the packet's delay (the part its identity decides), or -1 if lost.
         */
        void packet(long connection, boolean fromClient, int packetClass, int unit, int transmission, boolean lost,
            long jitterUs);
    }

    private static final long PARETO_CAP_US = 60_000_000L;

    private final double lossToServer;
    private final double lossToClient;
    private final long rttUs;
    private final Jitter jitter;
    private final long jitterUs;
    private final long[] stepAtUs;
    private final long[] stepRttUs;
    private final long[] spikeFromUs;
    private final long[] spikeToUs;
    private final long[] spikeAddUs;
    private final Dropper dropper;
    private final Observer observer;
    private final RttDistribution rttDistribution; // null: every connection has rttUs
    private final GilbertElliott burstToServer;    // null: no bursty loss that way
    private final GilbertElliott burstToClient;
    private final DelayTrace traceToServer;        // null: no trace that way
    private final DelayTrace traceToClient;
    private final long traceConnection;            // ALL_CONNECTIONS, or the one connection the traces apply to
    private final boolean traceLoss;               // a trace gives loss rates

    /** The traces apply to every connection. */
    public static final long ALL_CONNECTIONS = -1;

    private NetworkModel(final Builder b)
    {
        lossToServer = b.lossToServer;
        lossToClient = b.lossToClient;
        rttUs = b.rttUs;
        jitter = b.jitter;
        jitterUs = b.jitterUs;
        stepAtUs = b.steps.stream().mapToLong(s -> s[0]).toArray();
        stepRttUs = b.steps.stream().mapToLong(s -> s[1]).toArray();
        spikeFromUs = b.spikes.stream().mapToLong(s -> s[0]).toArray();
        spikeToUs = b.spikes.stream().mapToLong(s -> s[1]).toArray();
        spikeAddUs = b.spikes.stream().mapToLong(s -> s[2]).toArray();
        dropper = b.dropper;
        observer = b.observer;
        rttDistribution = b.rttDistribution;
        burstToServer = b.burstToServer;
        burstToClient = b.burstToClient;
        traceToServer = b.traceToServer;
        traceToClient = b.traceToClient;
        traceConnection = b.traceConnection;
        traceLoss = traceToServer != null && traceToServer.hasLoss() || traceToClient != null && traceToClient.hasLoss();
    }

    /** @return the dropper, or null. */
    public Dropper dropper()
    {
        return dropper;
    }

    /** @return the observer, or null. */
    public Observer observer()
    {
        return observer;
    }

    /**
     * @return whether the packet, sent at {@code sentUs}, is lost: {@link #lost(long, long, boolean, int, int, int,
     * int)}, or a delay trace's loss rate in force at {@code sentUs} loses it (a hash of its identity below the rate).
     * A function of the identity and the send time: who asks again about a packet must give its send time, or keep
     * the fate it was told.
     */
    public boolean lost(final long seed, final long connection, final boolean fromClient, final int packetClass,
        final int unit, final int transmission, final int ack, final long sentUs)
    {
        return lost(seed, connection, connectionKey(seed, connection), fromClient, packetClass, unit, transmission,
            ack, sentUs);
    }

    /**
     * @return {@link #lost(long, long, boolean, int, int, int, int, long)}, the same fate, with the connection's
     * part of the hashes given: {@code key} must be {@link #connectionKey(long, long)} of the seed and connection.
     * A packet's loss and its jitter both hash the connection; a sender asking both computes that part once.
     */
    public boolean lost(final long seed, final long connection, final long key, final boolean fromClient,
        final int packetClass, final int unit, final int transmission, final int ack, final long sentUs)
    {
        if (lostByIdentity(seed, connection, key, fromClient, packetClass, unit, transmission, ack))
        {
            return true;
        }
        final DelayTrace trace = traceLoss ? trace(connection, fromClient) : null;
        if (trace == null)
        {
            return false;
        }
        final double p = trace.lossAt(sentUs);
        return p > 0 && uniform(key, fromClient, packetClass, unit, transmission, 0x7ACE) < p;
    }

    /**
     * @return whether a delay trace gives loss rates: fates then depend on the send time, so that a packet's fate is
     * {@link #lost(long, long, boolean, int, int, int, int, long)}'s, not this one's.
     */
    public boolean traceLoss()
    {
        return traceLoss;
    }

    /**
     * @return whether the packet is lost by its identity alone: drop rules, {@code --loss}, {@code --burst-loss}; not
     * a delay trace's loss rates, which need the send time.
     */
    public boolean lost(final long seed, final long connection, final boolean fromClient, final int packetClass,
        final int unit, final int transmission, final int ack)
    {
        return lostByIdentity(seed, connection, connectionKey(seed, connection), fromClient, packetClass, unit,
            transmission, ack);
    }

    /** @return {@link #lost(long, long, boolean, int, int, int, int)} with the connection's key given. */
    private boolean lostByIdentity(final long seed, final long connection, final long key, final boolean fromClient,
        final int packetClass, final int unit, final int transmission, final int ack)
    {
        if (dropper != null && dropper.drop(connection, fromClient, packetClass, unit, transmission, ack))
        {
            return true;
        }
        final double p = fromClient ? lossToServer : lossToClient;
        if (p > 0 && uniform(key, fromClient, packetClass, unit, transmission, 0x1055) < p)
        {
            return true;
        }
        final GilbertElliott burst = fromClient ? burstToServer : burstToClient;
        if (burst == null)
        {
            return false;
        }
        // first transmissions: one chain over the units; a retransmission: a chain of its own, one packet long
        final boolean first = transmission == 0;
        return burst.lost(flight(seed, connection, fromClient, packetClass, transmission, first ? -1 : unit),
            first ? unit & 0xFFFF : 0, uniform(key, fromClient, packetClass, unit, transmission, 0x6E11));
    }

    /**
     * @return a hash naming a flight of the bursty-loss chain: the first transmissions of one connection, direction
     * and kind (segments; ACKs and RSTs), whose units the chain runs over in order ({@code unit = -1}); or one
     * retransmission alone.
     */
    static long flight(final long seed, final long connection, final boolean fromClient, final int packetClass,
        final int transmission, final int unit)
    {
        final long kind = packetClass == SEGMENT ? 0 : 1;
        long h = mix(mix(seed ^ 0x6E11E7A5L) + 0x9E3779B97F4A7C15L * (connection + 1));
        h = mix(h + ((long)transmission << 2 | (fromClient ? 2 : 0) | kind));
        return mix(h + 0xC2B2AE3D27D4EB4FL * (unit + 1L));
    }

    /** @return the one-way delay of a packet sent at {@code sentUs}, at least 1 microsecond. */
    public long delayUs(final long seed, final long connection, final boolean fromClient, final int packetClass,
        final int unit, final int transmission, final long sentUs)
    {
        return delayUs(seed, connection, connectionKey(seed, connection), fromClient, packetClass, unit, transmission,
            sentUs);
    }

    /**
     * @return {@link #delayUs(long, long, boolean, int, int, int, long)}, the same delay, with the connection's part
     * of the hashes given: {@code key} must be {@link #connectionKey(long, long)} of the seed and connection.
     */
    public long delayUs(final long seed, final long connection, final long key, final boolean fromClient,
        final int packetClass, final int unit, final int transmission, final long sentUs)
    {
        final DelayTrace trace = trace(connection, fromClient);
        long delay = trace != null ? trace.delayUs(sentUs) : connectionRttUs(seed, connection, sentUs) / 2;
        for (int i = 0; i < spikeFromUs.length; i++)
        {
            if (sentUs >= spikeFromUs[i] && sentUs < spikeToUs[i])
            {
                delay += spikeAddUs[i];
            }
        }
        return Math.max(1, trace != null ? delay :
            delay + jitterUs(seed, connection, key, fromClient, packetClass, unit, transmission));
    }

    /** @return the trace that gives this connection's delay in this direction, or null. */
    private DelayTrace trace(final long connection, final boolean fromClient)
    {
        final DelayTrace trace = fromClient ? traceToServer : traceToClient;
        return trace != null && (traceConnection == ALL_CONNECTIONS || traceConnection == connection) ? trace : null;
    }

    /** @return the random part of a packet's delay: a function of the seed and the packet's identity alone. */
    public long jitterUs(final long seed, final long connection, final boolean fromClient, final int packetClass,
        final int unit, final int transmission)
    {
        return jitterUs(seed, connection, connectionKey(seed, connection), fromClient, packetClass, unit,
            transmission);
    }

    /**
     * @return {@link #jitterUs(long, long, boolean, int, int, int)}, the same jitter, with the connection's part of
     * the hashes given: {@code key} must be {@link #connectionKey(long, long)} of the seed and connection.
     */
    public long jitterUs(final long seed, final long connection, final long key, final boolean fromClient,
        final int packetClass, final int unit, final int transmission)
    {
        if (jitterUs == 0 || jitter == Jitter.CONSTANT)
        {
            return 0;
        }
        final double u = uniform(key, fromClient, packetClass, unit, transmission, 0xDE1A);
        return switch (jitter)
        {
            case UNIFORM -> (long)(u * 2 * jitterUs);
            case LOGNORMAL ->
            {
                // Box-Muller from two independent hashes; mean of exp(N(mu, 1)) is exp(mu + 1/2)
                final double u2 = uniform(key, fromClient, packetClass, unit, transmission, 0xB0C5);
                final double z = Math.sqrt(-2 * StrictMath.log(1 - u)) * StrictMath.cos(2 * Math.PI * u2);
                yield (long)Math.min(jitterUs * StrictMath.exp(z - 0.5), PARETO_CAP_US);
            }
            case PARETO ->
            {
                // shape 2, scale jitter/2: mean jitter, infinite variance
                final double x = (jitterUs / 2.0) / Math.sqrt(1 - u);
                yield (long)Math.min(x, Math.min(1000.0 * jitterUs, PARETO_CAP_US));
            }
            case CONSTANT -> 0L;
        };
    }

    /**
     * @return a connection's base RTT in force at {@code atUs}: the last step at or before it, else the
     * connection's draw from the RTT distribution; a traced direction counts its traced delay instead of half.
     */
    public long baseRttUs(final long seed, final long connection, final long atUs)
    {
        final long rtt = connectionRttUs(seed, connection, atUs);
        final DelayTrace toServer = trace(connection, true);
        final DelayTrace toClient = trace(connection, false);
        if (toServer == null && toClient == null)
        {
            return rtt;
        }
        return (toServer != null ? toServer.peekDelayUs(atUs) : rtt / 2) +
            (toClient != null ? toClient.peekDelayUs(atUs) : rtt / 2);
    }

    /** @return the base RTT at {@code atUs} without traces: the last step at or before it, else the draw. */
    private long connectionRttUs(final long seed, final long connection, final long atUs)
    {
        if (rttDistribution == null || (stepAtUs.length > 0 && atUs >= stepAtUs[0]))
        {
            return baseRttUs(atUs);
        }
        return rttDistribution.rttUs(seed, connection);
    }

    /**
     * @return the base RTT in force at {@code atUs}: the last step at or before it, else the configured RTT (with
     * an RTT distribution, its median: each connection has its own, {@link #baseRttUs(long, long, long)}).
     */
    public long baseRttUs(final long atUs)
    {
        long rtt = rttUs;
        for (int i = 0; i < stepAtUs.length; i++)
        {
            if (atUs >= stepAtUs[i])
            {
                rtt = stepRttUs[i];
            }
        }
        return rtt;
    }

    /** A uniform double in [0, 1) from the seed and the packet's identity: a hash, so order of use never matters. */
    static double uniform(final long seed, final long connection, final boolean fromClient, final int packetClass,
        final int unit, final int transmission, final int salt)
    {
        return uniform(connectionKey(seed, connection), fromClient, packetClass, unit, transmission, salt);
    }

    /**
     * @return the part of every packet hash ({@link #uniform(long, long, boolean, int, int, int, int)}) that depends
     * on the seed and the connection alone: one mix a packet's loss and jitter can share.
     */
    public static long connectionKey(final long seed, final long connection)
    {
        return mix(seed ^ 0x9E3779B97F4A7C15L * (connection + 1));
    }

    /** @return {@link #uniform(long, long, boolean, int, int, int, int)} from the connection's key. */
    private static double uniform(final long key, final boolean fromClient, final int packetClass, final int unit,
        final int transmission, final int salt)
    {
        long h = key;
        h = mix(h ^ (((long)salt << 32) | ((long)packetClass << 24) | ((long)(fromClient ? 1 : 0) << 20) |
            (transmission & 0xFFFFF)));
        h = mix(h + 0xC2B2AE3D27D4EB4FL * (unit + 1L)); // the unit as a word of its own: any int, no overlap
        return (h >>> 11) * 0x1.0p-53;
    }

    /** Stafford's variant 13 of the SplitMix64 finalizer: every input bit affects every output bit. */
    public static long mix(final long z)
    {
        long x = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        x = (x ^ (x >>> 27)) * 0x94D049BB133111EBL;
        return x ^ (x >>> 31);
    }

    public double lossToServer() { return lossToServer; }
    public double lossToClient() { return lossToClient; }
    public long rttUs() { return rttUs; }
    /** @return the distribution each connection's base RTT is drawn from, or null if every one is {@link #rttUs}. */
    public RttDistribution rttDistribution() { return rttDistribution; }
    /** @return the delay trace towards the server, or null. */
    public DelayTrace traceToServer() { return traceToServer; }
    /** @return the delay trace towards the client, or null. */
    public DelayTrace traceToClient() { return traceToClient; }
    public Jitter jitter() { return jitter; }
    public long jitterUs() { return jitterUs; }

    /**
     * @param spanUs how long the run opens connections for (connections / rate), microseconds.
     * @throws IllegalArgumentException naming the option if a trace that refuses to be shorter than the run is.
     */
    public void requireTracesCover(final long spanUs)
    {
        if (traceToServer != null)
        {
            traceToServer.requireCovers(spanUs, "--delay-trace-to-server");
        }
        if (traceToClient != null)
        {
            traceToClient.requireCovers(spanUs, "--delay-trace-to-client");
        }
    }

    @Override
    public String toString()
    {
        final StringBuilder s = new StringBuilder()
            .append("rtt ").append(rttDistribution != null ? rttDistribution.toString() + " per connection" :
                RtoParameters.formatUs(rttUs))
            .append(", jitter ").append(jitter.name().toLowerCase(Locale.ROOT))
            .append(jitter == Jitter.CONSTANT ? "" : " mean " + RtoParameters.formatUs(jitterUs))
            .append(", loss ").append(lossToServer).append(" to server / ").append(lossToClient).append(" to client");
        for (int i = 0; i < stepAtUs.length; i++)
        {
            s.append(", RTT step to ").append(RtoParameters.formatUs(stepRttUs[i])).append(" at ")
                .append(RtoParameters.formatUs(stepAtUs[i]));
        }
        for (int i = 0; i < spikeFromUs.length; i++)
        {
            s.append(", +").append(RtoParameters.formatUs(spikeAddUs[i])).append(" spike from ")
                .append(RtoParameters.formatUs(spikeFromUs[i])).append(" to ")
                .append(RtoParameters.formatUs(spikeToUs[i]));
        }
        return s.append(additions()).toString();
    }

    /**
     * @return what this network adds to the model of before per-connection RTTs, bursty loss and traces: its
     * bursty loss and delay traces, each after a comma, or an empty string (a per-connection RTT is in the RTT).
     */
    public String additions()
    {
        final StringBuilder s = new StringBuilder();
        if (burstToServer != null)
        {
            s.append(", bursty loss to server ").append(burstToServer);
        }
        if (burstToClient != null)
        {
            s.append(", bursty loss to client ").append(burstToClient);
        }
        if (traceToServer != null)
        {
            s.append(", delay to server from ").append(traceToServer);
        }
        if (traceToClient != null)
        {
            s.append(", delay to client from ").append(traceToClient);
        }
        if ((traceToServer != null || traceToClient != null) && traceConnection != ALL_CONNECTIONS)
        {
            s.append(" on connection ").append(traceConnection).append(" only");
        }
        return s.toString();
    }

    public static Builder builder()
    {
        return new Builder();
    }

    public static final class Builder
    {
        private double lossToServer = 0.01;
        private double lossToClient = 0.01;
        private long rttUs = 20_000;
        private Jitter jitter = Jitter.UNIFORM;
        private long jitterUs = 2_000;
        private final List<long[]> steps = new ArrayList<>();
        private final List<long[]> spikes = new ArrayList<>();
        private Dropper dropper;
        private Observer observer;
        private RttDistribution rttDistribution;
        private GilbertElliott burstToServer;
        private GilbertElliott burstToClient;
        private DelayTrace traceToServer;
        private DelayTrace traceToClient;
        private long traceConnection = ALL_CONNECTIONS;

        /** Both directions. */
        public Builder loss(final double p)
        {
            return loss(p, p);
        }

        public Builder loss(final double toServer, final double toClient)
        {
            check(toServer >= 0 && toServer <= 1 && toClient >= 0 && toClient <= 1,
                "loss=" + toServer + "/" + toClient + " must be probabilities between 0 and 1");
            lossToServer = toServer;
            lossToClient = toClient;
            return this;
        }

        public Builder rttUs(final long v)
        {
            check(v >= 2 && v <= 60_000_000L, "rtt=" + v + "us must be between 2us and 60s");
            rttUs = v;
            rttDistribution = null;
            return this;
        }

        /**
         * @param distribution each connection's base RTT, drawn per connection; a constant one is {@link #rttUs}.
         * @return this builder.
         */
        public Builder rtt(final RttDistribution distribution)
        {
            rttUs(distribution.medianUs());
            rttDistribution = distribution.isConstant() ? null : distribution;
            return this;
        }

        /**
         * @param toServer the bursty loss towards the server, or null for none.
         * @param toClient the bursty loss towards the client, or null for none.
         * @return this builder.
         */
        public Builder burstLoss(final GilbertElliott toServer, final GilbertElliott toClient)
        {
            burstToServer = toServer;
            burstToClient = toClient;
            return this;
        }

        /**
         * @param toServer   the delay trace towards the server, or null for none.
         * @param toClient   the delay trace towards the client, or null for none.
         * @param connection the one connection they apply to, or {@link #ALL_CONNECTIONS}.
         * @return this builder.
         */
        public Builder delayTrace(final DelayTrace toServer, final DelayTrace toClient, final long connection)
        {
            check(connection >= ALL_CONNECTIONS, "a delay trace's connection=" + connection +
                " must be 0 or more (or all)");
            traceToServer = toServer;
            traceToClient = toClient;
            traceConnection = connection;
            return this;
        }

        public Builder jitter(final Jitter shape, final long meanUs)
        {
            check(meanUs >= 0 && meanUs <= 60_000_000L, "jitter=" + meanUs + "us must be between 0 and 60s");
            jitter = shape;
            jitterUs = meanUs;
            return this;
        }

        public Builder rttStep(final long atUs, final long newRttUs)
        {
            check(atUs >= 0 && newRttUs >= 2 && newRttUs <= 60_000_000L,
                "an RTT step needs at >= 0 and an rtt between 2us and 60s");
            steps.add(new long[]{atUs, newRttUs});
            steps.sort((a, b) -> Long.compare(a[0], b[0]));
            return this;
        }

        public Builder delaySpike(final long fromUs, final long durationUs, final long addUs)
        {
            check(fromUs >= 0 && durationUs > 0 && addUs >= 0 && addUs <= 60_000_000L,
                "a delay spike needs at >= 0, for > 0 and add between 0 and 60s");
            spikes.add(new long[]{fromUs, fromUs + durationUs, addUs});
            return this;
        }

        /**
         * Adds an event written as {@code spike:at=10s,for=2s,add=200ms} or {@code step:at=20s,rtt=100ms}.
         *
         * @throws IllegalArgumentException saying what is wrong and what is expected.
         */
        public Builder event(final String specification)
        {
            final String spec = specification.trim();
            final int colon = spec.indexOf(':');
            final String kind = colon < 0 ? spec : spec.substring(0, colon);
            final java.util.Map<String, Long> values = new java.util.TreeMap<>();
            final String expected = "expected spike:at=T,for=D,add=D or step:at=T,rtt=D (durations such as 10s, 200ms)";
            if (colon >= 0)
            {
                for (final String pair : spec.substring(colon + 1).split(","))
                {
                    final int eq = pair.indexOf('=');
                    if (eq < 1)
                    {
                        throw new IllegalArgumentException("network event '" + spec + "': '" + pair +
                            "' is not key=value; " + expected);
                    }
                    try
                    {
                        values.put(pair.substring(0, eq).trim(), RtoParameters.parseDurationUs(pair.substring(eq + 1)));
                    }
                    catch (final IllegalArgumentException e)
                    {
                        throw new IllegalArgumentException("network event '" + spec + "': " + e.getMessage());
                    }
                }
            }
            switch (kind)
            {
                case "spike" ->
                {
                    requireKeys(spec, values, expected, "add", "at", "for");
                    delaySpike(values.get("at"), values.get("for"), values.get("add"));
                }
                case "step" ->
                {
                    requireKeys(spec, values, expected, "at", "rtt");
                    rttStep(values.get("at"), values.get("rtt"));
                }
                default -> throw new IllegalArgumentException("unknown network event '" + kind + "' in '" + spec +
                    "'; " + expected);
            }
            return this;
        }

        private static void requireKeys(final String spec, final java.util.Map<String, Long> values,
            final String expected, final String... keys)
        {
            if (!values.keySet().equals(new java.util.TreeSet<>(List.of(keys))))
            {
                throw new IllegalArgumentException("network event '" + spec + "' has parameters " + values.keySet() +
                    "; " + expected);
            }
        }

        public Builder dropper(final Dropper d)
        {
            dropper = d;
            return this;
        }

        public Builder observer(final Observer o)
        {
            observer = o;
            return this;
        }

        public NetworkModel build()
        {
            return new NetworkModel(this);
        }

        private static void check(final boolean ok, final String message)
        {
            if (!ok)
            {
                throw new IllegalArgumentException(message);
            }
        }
    }
}
