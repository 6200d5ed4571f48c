package io.escapement.simulator.cli;

import io.escapement.engine.rto.RtoStrategies;
import io.escapement.simulator.Scenario;
import io.escapement.simulator.SizeDistribution;
import io.escapement.simulator.net.DelayTrace;
import io.escapement.simulator.net.DropRule;
import io.escapement.simulator.net.DropRules;
import io.escapement.simulator.net.GilbertElliott;
import io.escapement.simulator.net.NetworkModel;
import io.escapement.simulator.net.RttDistribution;
import picocli.CommandLine.Option;

import java.util.ArrayList;
import java.util.List;

/**
 * The options that describe a scenario: traffic, the TCP stack's knobs, the network. Shared, as a picocli mixin,
 * by the run command and {@code compare}.
 */
final class ScenarioOptions
{
    @Option(names = "--seed", paramLabel = "N", defaultValue = "1",
        description = "Seed: the same seed and options give the same results, bit for bit.")
    long seed;

    // ---- traffic
    @Option(names = "--connections", paramLabel = "N", defaultValue = "1000000",
        description = "Connections to open in all (per run, for compare).")
    int connections;

    @Option(names = "--rate", paramLabel = "PER_SECOND", defaultValue = "20000",
        description = "New connections per second of virtual time (Poisson arrivals).")
    double rate;

    @Option(names = "--clients", paramLabel = "N", defaultValue = "64",
        description = "Client IP addresses; connections take them in turn.")
    int clients;

    @Option(names = "--ports", paramLabel = "LOW-HIGH", defaultValue = "32768-60999",
        description = "Each client address's ephemeral port range (net.ipv4.ip_local_port_range; Linux 6.x default).")
    String ports;

    @Option(names = "--refused", paramLabel = "FRACTION", defaultValue = "0",
        description = "Fraction of connections aimed at a port nobody listens on (answered with RST).")
    double refused;

    @Option(names = "--request-bytes", paramLabel = "BYTES", defaultValue = "300",
        description = "Request size; segments of --mss bytes.")
    int requestBytes;

    @Option(names = "--response-bytes", paramLabel = "BYTES", defaultValue = "4000", description = "Response size.")
    int responseBytes;

    @Option(names = "--mss", paramLabel = "BYTES", defaultValue = "1448", description = "Maximum segment size.")
    int mss;

    @Option(names = "--request-size", paramLabel = "DIST",
        description = "Request sizes drawn per connection, instead of --request-bytes: N, uniform:MIN-MAX, " +
            "lognormal:median=M,sigma=S, pareto:min=M,shape=A or file:PATH (one size per line, or a CSV's " +
            "first field). At most 60 segments.")
    String requestSize;

    @Option(names = "--response-size", paramLabel = "DIST",
        description = "Response sizes drawn per connection, instead of --response-bytes (as --request-size).")
    String responseSize;

    @Option(names = "--client-think", paramLabel = "DURATION", defaultValue = "0s",
        converter = DurationConverter.class, description = "Client's delay between ESTABLISHED and its request.")
    long clientThinkUs;

    @Option(names = "--server-think", paramLabel = "DURATION", defaultValue = "0s",
        converter = DurationConverter.class, description = "Server's delay between request and response.")
    long serverThinkUs;

    @Option(names = "--client-closes-first", paramLabel = "FRACTION", defaultValue = "0.6",
        description = "Connections the client closes first (it then holds TIME-WAIT).")
    double clientClosesFirst;

    @Option(names = "--simultaneous-close", paramLabel = "FRACTION", defaultValue = "0.05",
        description = "Connections both ends close at once (CLOSING). The rest close server-first.")
    double simultaneousClose;

    @Option(names = "--half-close", paramLabel = "FRACTION", defaultValue = "0",
        description = "Clients that shutdown(SHUT_WR) right after their request and keep reading the response: " +
            "their FIN follows the request, and their FIN-WAIT-2 is not orphaned (no fin_timeout until close()).")
    double halfClose;

    @Option(names = "--exchanges", paramLabel = "DIST", defaultValue = "1",
        description = "Persistent connections: request-response exchanges per connection, drawn per connection as " +
            "--request-size draws (N, uniform:MIN-MAX, lognormal:..., pareto:..., file:PATH), at least 1; each " +
            "exchange draws its own sizes. A direction carries at most 60 segments in all.")
    String exchanges;

    @Option(names = "--think-time", paramLabel = "DIST", defaultValue = "0s",
        description = "The client's think time before each exchange after the first: DURATION, " +
            "uniform:MIN-MAX, lognormal:median=D,sigma=S, pareto:min=D,shape=A or file:PATH (microseconds), at " +
            "most 60 s a draw.")
    String thinkTime;

    @Option(names = "--close-after-eof", paramLabel = "DURATION", defaultValue = "0s",
        converter = DurationConverter.class,
        description = "An application calls close() this long after it reads end-of-file (0: at once).")
    long closeAfterEofUs;

    @Option(names = "--idle-timeout", paramLabel = "DURATION", defaultValue = "120s",
        converter = DurationConverter.class,
        description = "An application closes an end that has waited this long with nothing to send.")
    long idleTimeoutUs;

    // ---- the stack
    @Option(names = "--rto", paramLabel = "STRATEGY", defaultValue = "linux",
        description = "RTO strategy: name[:key=value,...]. Known: ${COMPLETION-CANDIDATES}.",
        completionCandidates = StrategyNames.class)
    String rto;

    @Option(names = "--syn-retries", paramLabel = "N", defaultValue = "6",
        description = "net.ipv4.tcp_syn_retries (default 6 since Linux 3.7).")
    int synRetries;

    @Option(names = "--syn-linear-timeouts", paramLabel = "N", defaultValue = "4",
        description = "net.ipv4.tcp_syn_linear_timeouts: the first N SYN retransmissions 1 s apart, then " +
            "exponential backoff (added with default 4 in Linux 6.5; 0 is the older kernels' schedule).")
    int synLinearTimeouts;

    @Option(names = "--synack-retries", paramLabel = "N", defaultValue = "5",
        description = "net.ipv4.tcp_synack_retries (default 5 since Linux 2.6).")
    int synAckRetries;

    @Option(names = "--tcp-retries2", paramLabel = "N", defaultValue = "15",
        description = "net.ipv4.tcp_retries2 (default 15 since Linux 2.x), applied as Linux does since 3.7 " +
            "(retransmits_timed_out): a time budget, not a count.")
    int tcpRetries2;

    @Option(names = "--give-up", paramLabel = "RULE", defaultValue = "budget",
        description = "How tcp_retries2 and orphan retries give up: budget (Linux: a time budget from the first " +
            "retransmission) or count (that many retransmissions).")
    String giveUp;

    @Option(names = "--orphan-retries", paramLabel = "N", defaultValue = "8",
        description = "net.ipv4.tcp_orphan_retries (default 0, which tcp_orphan_retries() reads as 8; Linux 6.x).")
    int orphanRetries;

    @Option(names = "--timestamps", paramLabel = "BOOLEAN", defaultValue = "false", arity = "1",
        description = "TCP timestamps (RFC 7323): every ACK gives an RTT sample, Karn's rule aside (Linux's " +
            "tcp_timestamps is 1; off here so that Karn's rule shows).")
    boolean timestamps;

    @Option(names = "--tlp", paramLabel = "BOOLEAN", defaultValue = "true", arity = "1",
        description = "Tail loss probe (RFC 8985) before the first RTO (Linux 3.10 on; RACK-TLP 4.18 on).")
    boolean tlp;

    @Option(names = "--hz", paramLabel = "HZ", defaultValue = "1000",
        description = "Kernel timer granularity: timers fire on 1/HZ boundaries (CONFIG_HZ=1000, the x86 and " +
            "arm64 defconfig); 0 for exact timers, the linux RTO strategy's too (linux:hz=0).")
    int hz;

    @Option(names = "--timer-slack", paramLabel = "BOOLEAN", defaultValue = "true", arity = "1",
        description = "Kernel timers fire in the bucket the kernel's timer wheel files them in (calc_wheel_index, " +
            "Linux 4.8 on): late by up to about 1/8 of their delay. Needs --hz above 0.")
    boolean timerSlack;

    @Option(names = "--msl", paramLabel = "DURATION", defaultValue = "30s", converter = DurationConverter.class,
        description = "Maximum segment lifetime.")
    long mslUs;

    @Option(names = "--time-wait", paramLabel = "DURATION", defaultValue = "60s", converter = DurationConverter.class,
        description = "TIME-WAIT length; 0s for 2 x MSL (Linux: TCP_TIMEWAIT_LEN, a fixed 60 s in 6.x).")
    long timeWaitUs;

    @Option(names = "--fin-timeout", paramLabel = "DURATION", defaultValue = "60s",
        converter = DurationConverter.class,
        description = "net.ipv4.tcp_fin_timeout: orphaned FIN-WAIT-2 (default 60 s, Linux 6.x).")
    long finTimeoutUs;

    @Option(names = "--delayed-ack", paramLabel = "MODE", defaultValue = "linux",
        description = "When a receiver acknowledges: linux (quick-ack at the start, then an ACK for more than one " +
            "full segment or when the delayed-ACK timer fires, its timeout adapted between --ato-min and --ato-max " +
            "as tcp_event_data_recv() does; Linux 2.2 on), rfc (every second full-sized segment, else after " +
            "--ato-max: RFC 1122 and 5681) or off (every segment at once). Out-of-order data and data filling a " +
            "hole are acknowledged at once in both.")
    String delayedAck;

    @Option(names = "--ato-min", paramLabel = "DURATION", defaultValue = "40ms", converter = DurationConverter.class,
        description = "Delayed-ACK timeout's lower bound (TCP_ATO_MIN and TCP_DELACK_MIN, HZ/25 in Linux 6.x).")
    long atoMinUs;

    @Option(names = "--ato-max", paramLabel = "DURATION", defaultValue = "200ms", converter = DurationConverter.class,
        description = "Delayed-ACK timeout's upper bound (TCP_DELACK_MAX, HZ/5 in Linux 6.x); the fixed timeout " +
            "of --delayed-ack rfc (RFC 1122: less than 500 ms). At most 500ms.")
    long atoMaxUs;

    @Option(names = "--cwnd", paramLabel = "MODE", defaultValue = "linux",
        description = "Congestion window: linux (slow start by the segments each ACK acknowledges, then --cc as " +
            "Linux has it), rfc (RFC 5681: slow start by one segment per ACK, then --cc as its RFC has it) or " +
            "off (a message leaves in one burst). An RTO sets it to the segments in flight + 1 under linux (1 here: " +
            "every outstanding segment not SACKed is marked lost), to 1 under rfc. No bandwidth or queue is modelled.")
    String cwnd;

    @Option(names = "--cc", paramLabel = "ALGORITHM", defaultValue = "cubic",
        description = "Congestion avoidance of the window: cubic (Linux's default since 2.6.19: W = 0.4 (t - K)^3 + " +
            "W_max from the last loss, cut by 0.7 on loss, with its Reno-friendly region; as tcp_cubic.c with " +
            "--cwnd linux, as RFC 9438 with --cwnd rfc; no HyStart) or reno (RFC 5681, as --cwnd grows it; the rfc " +
            "preset's).")
    String cc;

    @Option(names = "--initial-window", paramLabel = "SEGMENTS", defaultValue = "10",
        description = "Initial congestion window (RFC 6928; TCP_INIT_CWND since Linux 2.6.39).")
    int initialWindow;

    @Option(names = "--fast-retransmit", paramLabel = "BOOLEAN", defaultValue = "true", arity = "1",
        description = "Resend on the third duplicate ACK and recover without waiting for the RTO (RFC 5681 3.2).")
    boolean fastRetransmit;

    @Option(names = "--rack", paramLabel = "BOOLEAN", defaultValue = "true", arity = "1",
        description = "RACK loss detection (RFC 8985; net.ipv4.tcp_recovery=1, Linux 4.18 on): a segment is lost " +
            "once one sent after it is delivered and min_rtt/4 has passed, with a reordering timer.")
    boolean rack;

    @Option(names = "--frto", paramLabel = "BOOLEAN", defaultValue = "true", arity = "1",
        description = "F-RTO (RFC 5682; net.ipv4.tcp_frto=2, Linux 3.10 on): after an RTO, an ACK of data never " +
            "resent proves the timeout spurious and undoes the window's collapse.")
    boolean frto;

    @Option(names = "--prr", paramLabel = "BOOLEAN", arity = "1",
        description = "Proportional Rate Reduction in a fast recovery (RFC 6937; tcp_cwnd_reduction(), Linux 3.2 " +
            "on, its bounds as in 5.19 on): the window comes down to ssthresh over the recovery's round trip, in " +
            "proportion to what is delivered, instead of at once. Default: the window's own, on with --cwnd linux, " +
            "off with --cwnd rfc (RFC 6675: cwnd = ssthresh) and --cwnd off; --prr true with --cwnd rfc is " +
            "RFC 6937's PRR-SSRB.")
    Boolean prr; // null: the window's own (Scenario.Builder's rule), so --cwnd rfc alone does not get PRR-SSRB

    @Option(names = "--slow-start-after-idle", paramLabel = "BOOLEAN", defaultValue = "true", arity = "1",
        description = "Restart the window after an idle period longer than the RTO, before a kept connection's " +
            "next message (net.ipv4.tcp_slow_start_after_idle=1, the default: cwnd halved per RTO idle down to " +
            "min(initial window, cwnd); RFC 5681 4.1 with --cwnd rfc: cwnd = min(initial window, cwnd)).")
    boolean slowStartAfterIdle;

    @Option(names = "--sack", paramLabel = "MODE", defaultValue = "on",
        description = "SACK (RFC 2018; net.ipv4.tcp_sack=1): on (ACKs carry up to 4 SACK blocks, 3 with " +
            "--timestamps, and recovery follows RFC 6675 on the blocks that arrived, with its rescue " +
            "retransmission) or off (only cumulative ACKs: fast retransmit on three duplicates and NewReno's " +
            "partial ACKs, RFC 6582; as in Linux, off also turns RACK and the tail loss probe off).")
    String sack;

    // ---- the network
    @Option(names = "--loss", paramLabel = "P", defaultValue = "0.01",
        description = "Packet loss probability, each direction.")
    double loss;

    @Option(names = "--loss-to-server", paramLabel = "P", description = "Loss towards the server (overrides --loss).")
    Double lossToServer;

    @Option(names = "--loss-to-client", paramLabel = "P", description = "Loss towards the client (overrides --loss).")
    Double lossToClient;

    @Option(names = "--rtt", paramLabel = "DIST", defaultValue = "20ms",
        description = "Base round-trip time (half each way), before jitter: a duration, or drawn per connection " +
            "from uniform:MIN-MAX, lognormal:median=D,sigma=S or file:PATH (one measured RTT a line, ms or " +
            "with a unit).")
    String rtt;

    @Option(names = "--jitter", paramLabel = "SHAPE", defaultValue = "uniform",
        description = "Random part of the delay: ${COMPLETION-CANDIDATES}.")
    NetworkModel.Jitter jitter;

    @Option(names = "--jitter-mean", paramLabel = "DURATION", defaultValue = "2ms",
        converter = DurationConverter.class, description = "Mean of the random part of each one-way delay.")
    long jitterMeanUs;

    @Option(names = "--event", paramLabel = "EVENT",
        description = "A scheduled network event, repeatable: spike:at=10s,for=2s,add=200ms or step:at=20s,rtt=100ms.")
    List<String> events = new ArrayList<>();

    @Option(names = "--burst-loss", paramLabel = "CHAIN",
        description = "Bursty loss beside --loss, each direction its own Gilbert-Elliott chain: p=P,r=R[,good=K]" +
            "[,bad=H] (P good to bad and R bad to good after a packet; loss K in the good state, H in the bad; " +
            "defaults 0 and 1).")
    String burstLoss;

    @Option(names = "--burst-loss-to-server", paramLabel = "CHAIN",
        description = "Bursty loss towards the server (overrides --burst-loss).")
    String burstLossToServer;

    @Option(names = "--burst-loss-to-client", paramLabel = "CHAIN",
        description = "Bursty loss towards the client (overrides --burst-loss).")
    String burstLossToClient;

    @Option(names = "--delay-trace-to-server", paramLabel = "FILE",
        description = "Replay a measured one-way delay towards the server: a CSV of time,delay[,loss] lines " +
            "(seconds, milliseconds, or numbers with units; loss a rate in [0, 1]), in place of half the RTT, the " +
            "jitter and RTT steps.")
    String delayTraceToServer;

    @Option(names = "--delay-trace-to-client", paramLabel = "FILE",
        description = "Replay a measured one-way delay towards the client (as --delay-trace-to-server).")
    String delayTraceToClient;

    @Option(names = "--delay-trace-end", paramLabel = "RULE", defaultValue = "refuse",
        description = "A delay trace shorter than the time connections arrive over (connections / rate): " +
            "refuse it, or wrap it (start over). Packets sent past its end are reported.")
    String delayTraceEnd;

    @Option(names = "--delay-trace-connection", paramLabel = "N", defaultValue = "all",
        description = "The connection the delay traces apply to: all, or one connection's number.")
    String delayTraceConnection;

    @Option(names = "--drop", paramLabel = "RULE",
        description = "Drop exactly the packets a rule names, beside the random loss; repeatable: " +
            "kind=syn|syn-ack|ack|data|fin|rst[,conn=N|all][,dir=to-server|to-client][,unit=N|fin]" +
            "[,tx=first|all|N] (unit: which data segment, or the one an ACK answers; tx: which transmission). " +
            "A rule that never matched is reported in the summary.")
    List<String> drops = new ArrayList<>();

    /** Lists the strategy names for the help text: the built-in ones and the plug-ins on the class path. */
    static final class StrategyNames extends ArrayList<String>
    {
        StrategyNames()
        {
            super(namesForHelp());
        }

        private static java.util.Set<String> namesForHelp()
        {
            try
            {
                return RtoStrategies.names();
            }
            catch (final IllegalArgumentException e)
            {
                // a broken plug-in: --rto reports it when parsed; help still shows the built-in strategies
                return RtoStrategies.builtInNames();
            }
        }
    }

    private static int units(final int bytes, final int mss)
    {
        return (bytes + mss - 1) / mss;
    }

    /** @return the request size distribution given, or null for constant --request-bytes. */
    SizeDistribution requestSizes()
    {
        return requestSize == null ? null :
            SizeDistribution.parse("--request-size", requestSize, Scenario.MAX_SEGMENTS * Math.max(1, mss));
    }

    /** @return the response size distribution given, or null for constant --response-bytes. */
    SizeDistribution responseSizes()
    {
        return responseSize == null ? null :
            SizeDistribution.parse("--response-size", responseSize, Scenario.MAX_SEGMENTS * Math.max(1, mss));
    }

    /** @return the distribution of exchanges per connection, null for one. */
    SizeDistribution exchangeCounts()
    {
        return exchanges == null || exchanges.trim().equals("1") ? null :
            SizeDistribution.parse("--exchanges", exchanges, io.escapement.simulator.Exchanges.MAX);
    }

    /** @return the distribution of think times between exchanges, null for none. */
    SizeDistribution thinkTimes()
    {
        return thinkTime == null || thinkTime.trim().equals("0s") ? null :
            io.escapement.simulator.Exchanges.parseDurations("--think-time", thinkTime);
    }

    /** @return the scenario the options describe. @throws IllegalArgumentException naming a bad value. */
    Scenario scenario()
    {
        return builder().build();
    }

    /** @return a builder holding the options, for callers that vary one of them (a sweep). */
    Scenario.Builder builder()
    {
        final String[] range = ports.split("-");
        if (range.length != 2)
        {
            throw new IllegalArgumentException("--ports=" + ports + " must be LOW-HIGH, such as 32768-60999");
        }
        final int low;
        final int high;
        try
        {
            low = Integer.parseInt(range[0].trim());
            high = Integer.parseInt(range[1].trim());
        }
        catch (final NumberFormatException e)
        {
            throw new IllegalArgumentException("--ports=" + ports + " must be two whole numbers, LOW-HIGH");
        }
        final Scenario.Builder b = Scenario.builder()
            .seed(seed).connections(connections).arrivalsPerSecond(rate).clientAddresses(clients).ports(low, high)
            .refusedFraction(refused).requestBytes(requestBytes).responseBytes(responseBytes).mss(mss)
            .requestSizes(requestSizes()).responseSizes(responseSizes())
            .clientThinkUs(clientThinkUs).serverThinkUs(serverThinkUs).clientClosesFirst(clientClosesFirst)
            .simultaneousClose(simultaneousClose).halfClose(halfClose).idleTimeoutUs(idleTimeoutUs).rto(rto)
            .exchangeCounts(exchangeCounts()).thinkTimes(thinkTimes()).closeAfterEofUs(closeAfterEofUs).synRetries(synRetries)
            .synLinearTimeouts(synLinearTimeouts).synAckRetries(synAckRetries).tcpRetries2(tcpRetries2)
            .orphanRetries(orphanRetries).timestamps(timestamps).countRetries(countRetries()).tailLossProbe(tlp)
            .hz(hz).timerSlack(timerSlack).mslUs(mslUs)
            .timeWaitUs(timeWaitUs).finTimeoutUs(finTimeoutUs).network(networkBuilder().build())
            .delayedAck(mode("--delayed-ack", delayedAck, Scenario.DelayedAck.class))
            .atoUs(atoMinUs, atoMaxUs).window(mode("--cwnd", cwnd, Scenario.Window.class))
            .initialWindow(initialWindow).fastRetransmit(fastRetransmit).rack(rack).frto(frto)
            .sack(onOff("--sack", sack)).cc(cc()).slowStartAfterIdle(slowStartAfterIdle);
        return prr == null ? b : b.prr(prr);
    }

    /** @return whether {@code value} is on (or off). @throws IllegalArgumentException naming the option if neither. */
    private static boolean onOff(final String option, final String value)
    {
        final String v = value == null ? "" : value.trim().toLowerCase(java.util.Locale.ROOT);
        if (v.equals("on"))
        {
            return true;
        }
        if (v.equals("off"))
        {
            return false;
        }
        throw new IllegalArgumentException(option + "=" + value + " must be on or off");
    }

    private Scenario.Cc cc()
    {
        return switch (cc == null ? "" : cc.trim().toLowerCase(java.util.Locale.ROOT))
        {
            case "reno" -> Scenario.Cc.RENO;
            case "cubic" -> Scenario.Cc.CUBIC;
            default -> throw new IllegalArgumentException("--cc=" + cc + " must be reno or cubic");
        };
    }

    /** @return the mode named {@code value}, one of linux, rfc or off. */
    private static <E extends Enum<E>> E mode(final String option, final String value, final Class<E> type)
    {
        for (final E e : type.getEnumConstants())
        {
            if (e.name().equalsIgnoreCase(value == null ? "" : value.trim()))
            {
                return e;
            }
        }
        throw new IllegalArgumentException(option + "=" + value + " must be linux, rfc or off");
    }

    private boolean countRetries()
    {
        return switch (giveUp)
        {
            case "budget" -> false;
            case "count" -> true;
            default -> throw new IllegalArgumentException("--give-up=" + giveUp + " must be budget or count");
        };
    }

    private long traceConnection()
    {
        if (delayTraceConnection.equals("all"))
        {
            return NetworkModel.ALL_CONNECTIONS;
        }
        try
        {
            final long n = Long.parseLong(delayTraceConnection.trim());
            if (n >= 0)
            {
                return n;
            }
        }
        catch (final NumberFormatException e)
        {
            // reported below
        }
        throw new IllegalArgumentException("--delay-trace-connection=" + delayTraceConnection +
            " must be all or a connection number, 0 or more");
    }

    /** @return a network builder holding the network options, for a sweep to vary, for {@code --seed}'s run. */
    NetworkModel.Builder networkBuilder()
    {
        return networkBuilder(seed);
    }

    /**
     * @param runSeed the seed of the run the network is for: drop rules number a connection's units by the message
     *                sizes that seed draws (compare runs many seeds on one set of options).
     * @return a network builder holding the network options, for a sweep to vary.
     */
    NetworkModel.Builder networkBuilder(final long runSeed)
    {
        final NetworkModel.Builder network = NetworkModel.builder()
            .loss(lossToServer != null ? lossToServer : loss, lossToClient != null ? lossToClient : loss)
            .rtt(RttDistribution.parse("--rtt", rtt))
            .jitter(jitter, jitterMeanUs);
        final String burstToServer = burstLossToServer != null ? burstLossToServer : burstLoss;
        final String burstToClient = burstLossToClient != null ? burstLossToClient : burstLoss;
        network.burstLoss(
            burstToServer == null ? null : GilbertElliott.parse(burstLossToServer != null ?
                "--burst-loss-to-server" : "--burst-loss", burstToServer),
            burstToClient == null ? null : GilbertElliott.parse(burstLossToClient != null ?
                "--burst-loss-to-client" : "--burst-loss", burstToClient));
        final DelayTrace.End end = switch (delayTraceEnd)
        {
            case "wrap" -> DelayTrace.End.WRAP;
            case "refuse" -> DelayTrace.End.REFUSE;
            default -> throw new IllegalArgumentException("--delay-trace-end=" + delayTraceEnd +
                " must be wrap or refuse");
        };
        final long traceConnection = traceConnection();
        if (traceConnection != NetworkModel.ALL_CONNECTIONS && delayTraceToServer == null &&
            delayTraceToClient == null)
        {
            throw new IllegalArgumentException("--delay-trace-connection=" + delayTraceConnection +
                " needs --delay-trace-to-server or --delay-trace-to-client");
        }
        if (traceConnection >= connections)
        {
            throw new IllegalArgumentException("--delay-trace-connection=" + delayTraceConnection +
                " names no connection: they are numbered 0 to " + (connections - 1L));
        }
        if (delayTraceToServer != null || delayTraceToClient != null)
        {
            network.delayTrace(
                delayTraceToServer == null ? null : DelayTrace.read("--delay-trace-to-server", delayTraceToServer, end),
                delayTraceToClient == null ? null : DelayTrace.read("--delay-trace-to-client", delayTraceToClient, end),
                traceConnection);
        }
        if (!drops.isEmpty())
        {
            // a rule tells data from the FIN by the message sizes; a bad size is reported by the scenario
            final int segment = Math.max(1, mss);
            final SizeDistribution requests = requestSizes();
            final SizeDistribution responses = responseSizes();
            final int requestUnits = requests != null ? Scenario.MAX_SEGMENTS :
                (int)Math.min(64, (Math.max(0, (long)requestBytes) + segment - 1) / segment);
            final int responseUnits = responses != null ? Scenario.MAX_SEGMENTS :
                (int)Math.min(64, (Math.max(0, (long)responseBytes) + segment - 1) / segment);
            final long s = runSeed;
            final List<DropRule> rules = new ArrayList<>();
            final SizeDistribution counts = exchangeCounts();
            for (final String rule : drops)
            {
                if (counts != null)
                {
                    // persistent connections: units are numbered on across a connection's exchanges
                    final io.escapement.simulator.Exchanges layout = new io.escapement.simulator.Exchanges(s, segment,
                        counts, SizeDistribution.constant(0),
                        requests != null ? requests : SizeDistribution.constant(Math.max(0, requestBytes)),
                        responses != null ? responses : SizeDistribution.constant(Math.max(0, responseBytes)));
                    rules.add(DropRule.parse(rule, layout::unitsThrough, Scenario.MAX_SEGMENTS,
                        Scenario.MAX_SEGMENTS));
                    continue;
                }
                rules.add(DropRule.parse(rule,
                    requests == null ? conn -> requestUnits : conn -> units(requests.bytesFor(s, conn, 0), segment),
                    responses == null ? conn -> responseUnits : conn -> units(responses.bytesFor(s, conn, 1), segment),
                    requestUnits, responseUnits));
            }
            network.dropper(new DropRules(rules));
        }
        for (final String event : events)
        {
            network.event(event);
        }
        return network;
    }
}
