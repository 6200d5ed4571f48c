package io.escapement.simulator.cli;

import io.escapement.engine.rto.RtoStrategies;
import io.escapement.simulator.Scenario;
import io.escapement.simulator.Simulation;
import io.escapement.simulator.net.NetworkModel;
import io.escapement.simulator.report.Report;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.function.LongPredicate;

/**
 * The simulator's command line: runs one scenario and prints its summary; writes it as JSON and CSV.
 * Options come, first found wins, from the command line, then a {@code --config} properties file (keys are the
 * long option names without dashes), then the {@code --preset}, then the built-in defaults (the {@code linux}
 * preset).
 */
@Command(name = "escapement-simulator", mixinStandardHelpOptions = true, version = "escapement-simulator 0.1.0",
    sortOptions = false, usageHelpAutoWidth = true, showDefaultValues = true,
    description = {
        "Drives TCP connections through their whole lifecycle (handshake, request and response, four-way",
        "teardown, TIME-WAIT) over a lossy, jittery network in virtual time, every timer on Escapement's",
        "timing wheel, and reports what the timers did and what it cost.",
        "",
        "Durations take a unit: 200ms, 1s, 1500us. Exit codes: 0 success, 1 the run failed, 2 bad input.",
        ""},
    footer = {"",
        "Presets: linux (the defaults: Linux 6.x knobs, HZ=1000, TLP on, TIME-WAIT 60 s) and rfc (RFC 6298",
        "RTO, no TLP, exact timers, MSL 2 min so TIME-WAIT 4 min).",
        "Example: escapement-simulator --connections 100000 --loss 0.05 --rto rfc6298:min=200ms"})
public final class SimulatorCommand implements Callable<Integer>
{
    static final int EXIT_OK = 0;
    static final int EXIT_FAILED = 1;
    static final int EXIT_USAGE = 2;

    /** What each preset changes from the built-in defaults (which are the linux preset). */
    static final Map<String, Map<String, String>> PRESETS = Map.of(
        "linux", Map.of(),
        "rfc", Map.of("rto", "rfc6298", "tlp", "false", "hz", "0", "msl", "120s", "time-wait", "0s"));

    // ---- traffic
    @Option(names = "--connections", paramLabel = "N", defaultValue = "1000000",
        description = "Connections to open in all.")
    int connections;

    @Option(names = "--rate", paramLabel = "PER_SECOND", defaultValue = "20000",
        description = "New connections per second of virtual time (Poisson arrivals).")
    double rate;

    @Option(names = "--clients", paramLabel = "N", defaultValue = "64",
        description = "Client IP addresses; connections take them in turn.")
    int clients;

    @Option(names = "--ports", paramLabel = "LOW-HIGH", defaultValue = "32768-60999",
        description = "Each client address's ephemeral port range (Linux's ip_local_port_range).")
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

    @Option(names = "--idle-timeout", paramLabel = "DURATION", defaultValue = "120s",
        converter = DurationConverter.class,
        description = "An application closes an end that has waited this long with nothing to send.")
    long idleTimeoutUs;

    // ---- the stack
    @Option(names = "--rto", paramLabel = "STRATEGY", defaultValue = "linux",
        description = "RTO strategy: name[:key=value,...]. Known: ${COMPLETION-CANDIDATES}.",
        completionCandidates = StrategyNames.class)
    String rto;

    @Option(names = "--syn-retries", paramLabel = "N", defaultValue = "6", description = "net.ipv4.tcp_syn_retries.")
    int synRetries;

    @Option(names = "--syn-linear-timeouts", paramLabel = "N", defaultValue = "0",
        description = "net.ipv4.tcp_syn_linear_timeouts: first SYN retransmissions 1 s apart (recent kernels: 4).")
    int synLinearTimeouts;

    @Option(names = "--synack-retries", paramLabel = "N", defaultValue = "5",
        description = "net.ipv4.tcp_synack_retries.")
    int synAckRetries;

    @Option(names = "--tcp-retries2", paramLabel = "N", defaultValue = "15",
        description = "net.ipv4.tcp_retries2, applied as Linux does: a time budget, not a count.")
    int tcpRetries2;

    @Option(names = "--orphan-retries", paramLabel = "N", defaultValue = "8",
        description = "net.ipv4.tcp_orphan_retries (the sysctl's 0 means 8).")
    int orphanRetries;

    @Option(names = "--timestamps", paramLabel = "BOOLEAN", defaultValue = "false", arity = "1",
        description = "TCP timestamps (RFC 7323): every ACK gives an RTT sample, Karn's rule aside.")
    boolean timestamps;

    @Option(names = "--tlp", paramLabel = "BOOLEAN", defaultValue = "true", arity = "1",
        description = "Tail loss probe (RFC 8985) before the first RTO.")
    boolean tlp;

    @Option(names = "--hz", paramLabel = "HZ", defaultValue = "1000",
        description = "Kernel timer granularity: timers fire on 1/HZ boundaries; 0 for exact timers.")
    int hz;

    @Option(names = "--msl", paramLabel = "DURATION", defaultValue = "30s", converter = DurationConverter.class,
        description = "Maximum segment lifetime.")
    long mslUs;

    @Option(names = "--time-wait", paramLabel = "DURATION", defaultValue = "60s", converter = DurationConverter.class,
        description = "TIME-WAIT length; 0s for 2 x MSL (Linux uses a fixed 60 s).")
    long timeWaitUs;

    @Option(names = "--fin-timeout", paramLabel = "DURATION", defaultValue = "60s",
        converter = DurationConverter.class, description = "net.ipv4.tcp_fin_timeout: orphaned FIN-WAIT-2.")
    long finTimeoutUs;

    // ---- the network
    @Option(names = "--loss", paramLabel = "P", defaultValue = "0.01",
        description = "Packet loss probability, each direction.")
    double loss;

    @Option(names = "--loss-to-server", paramLabel = "P", description = "Loss towards the server (overrides --loss).")
    Double lossToServer;

    @Option(names = "--loss-to-client", paramLabel = "P", description = "Loss towards the client (overrides --loss).")
    Double lossToClient;

    @Option(names = "--rtt", paramLabel = "DURATION", defaultValue = "20ms", converter = DurationConverter.class,
        description = "Base round-trip time (half each way), before jitter.")
    long rttUs;

    @Option(names = "--jitter", paramLabel = "SHAPE", defaultValue = "uniform",
        description = "Random part of the delay: ${COMPLETION-CANDIDATES}.")
    NetworkModel.Jitter jitter;

    @Option(names = "--jitter-mean", paramLabel = "DURATION", defaultValue = "2ms",
        converter = DurationConverter.class, description = "Mean of the random part of each one-way delay.")
    long jitterMeanUs;

    @Option(names = "--event", paramLabel = "EVENT",
        description = "A scheduled network event, repeatable: spike:at=10s,for=2s,add=200ms or step:at=20s,rtt=100ms.")
    List<String> events = new ArrayList<>();

    // ---- the run
    @Option(names = "--seed", paramLabel = "N", defaultValue = "1",
        description = "Seed: the same seed and options give the same results, bit for bit.")
    long seed;

    @Option(names = "--threads", paramLabel = "N", defaultValue = "1",
        description = "Share-nothing shards (by client address) run in parallel; results do not depend on N.")
    int threads;

    @Option(names = "--trace", paramLabel = "CONN", split = ",",
        description = "Connection numbers whose every packet and timer event is written to the trace file.")
    List<Long> trace = new ArrayList<>();

    @Option(names = "--trace-every", paramLabel = "N", defaultValue = "0",
        description = "Also trace every N-th connection (0: none).")
    long traceEvery;

    @Option(names = "--out", paramLabel = "DIR", defaultValue = "results/simulation",
        description = "Where summary.json, summary.csv, summary.txt, timeseries.csv and trace.txt go.")
    Path out;

    @Option(names = "--progress", paramLabel = "BOOLEAN", defaultValue = "true", arity = "1",
        description = "Progress bar on stderr (redrawn on a terminal, a line per 10% otherwise).")
    boolean progress;

    @Option(names = "--preset", paramLabel = "NAME", defaultValue = "linux",
        description = "Defaults to start from: linux or rfc (see below).")
    String preset;

    @Option(names = "--config", paramLabel = "FILE",
        description = "A properties file of option=value lines (long option names without dashes).")
    Path config;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    /** Lists the strategy names for the help text. */
    static final class StrategyNames extends ArrayList<String>
    {
        StrategyNames()
        {
            super(RtoStrategies.names());
        }
    }

    public static void main(final String[] args)
    {
        System.exit(execute(args, System.out, System.err));
    }

    /** Runs the command line; @return the exit code. */
    static int execute(final String[] args, final PrintStream out, final PrintStream err)
    {
        final CommandLine commandLine;
        try
        {
            commandLine = commandLine(args);
        }
        catch (final IllegalArgumentException e)
        {
            err.println("escapement-simulator: " + e.getMessage());
            return EXIT_USAGE;
        }
        commandLine.setOut(new PrintWriter(out, true));
        commandLine.setErr(new PrintWriter(err, true));
        commandLine.setExecutionExceptionHandler((e, cl, parsed) ->
        {
            if (e instanceof IllegalArgumentException)
            {
                cl.getErr().println("escapement-simulator: " + e.getMessage());
                cl.getErr().println("Try --help for the options.");
                return EXIT_USAGE;
            }
            cl.getErr().println("escapement-simulator: the run failed: " + e);
            e.printStackTrace(cl.getErr());
            return EXIT_FAILED;
        });
        commandLine.setParameterExceptionHandler((e, argv) ->
        {
            e.getCommandLine().getErr().println("escapement-simulator: " + e.getMessage());
            e.getCommandLine().getErr().println("Try --help for the options.");
            return EXIT_USAGE;
        });
        return commandLine.execute(args);
    }

    /** The command line with its defaults layered: config file, then preset, then the annotations. */
    static CommandLine commandLine(final String[] args)
    {
        final CommandLine commandLine = new CommandLine(new SimulatorCommand()).setCaseInsensitiveEnumValuesAllowed(true);
        final Properties file = loadConfig(find(args, "--config"));
        final Set<String> known = new HashSet<>();
        for (final CommandLine.Model.OptionSpec option : commandLine.getCommandSpec().options())
        {
            known.add(option.longestName().replaceFirst("^--", ""));
        }
        for (final String key : file.stringPropertyNames())
        {
            if (!known.contains(key) || key.equals("config") || key.equals("help") || key.equals("version"))
            {
                throw new IllegalArgumentException("config file: unknown key '" + key + "'; keys are the long option " +
                    "names without dashes: " + String.join(", ", new TreeMap<>(toMap(known)).keySet()));
            }
        }
        String presetName = find(args, "--preset");
        if (presetName == null)
        {
            presetName = file.getProperty("preset", "linux");
        }
        final Map<String, String> preset = PRESETS.get(presetName);
        if (preset == null)
        {
            throw new IllegalArgumentException("unknown preset '" + presetName + "'; presets: " +
                String.join(", ", new TreeMap<>(PRESETS).keySet()));
        }
        commandLine.setDefaultValueProvider(argSpec ->
        {
            if (!(argSpec instanceof CommandLine.Model.OptionSpec option))
            {
                return null;
            }
            final String key = option.longestName().replaceFirst("^--", "");
            final String fromFile = file.getProperty(key);
            if (fromFile != null)
            {
                return fromFile;
            }
            return preset.get(key); // null: the annotation's default
        });
        return commandLine;
    }

    private static Map<String, String> toMap(final Set<String> keys)
    {
        final Map<String, String> m = new TreeMap<>();
        keys.forEach(k -> m.put(k, k));
        return m;
    }

    private static String find(final String[] args, final String option)
    {
        for (int i = 0; i < args.length; i++)
        {
            if (args[i].equals(option) && i + 1 < args.length)
            {
                return args[i + 1];
            }
            if (args[i].startsWith(option + "="))
            {
                return args[i].substring(option.length() + 1);
            }
        }
        return null;
    }

    private static Properties loadConfig(final String path)
    {
        final Properties properties = new Properties();
        if (path == null)
        {
            return properties;
        }
        try (Reader reader = Files.newBufferedReader(Path.of(path), StandardCharsets.UTF_8))
        {
            properties.load(reader);
        }
        catch (final IOException e)
        {
            throw new IllegalArgumentException("cannot read config file '" + path + "': " + e);
        }
        catch (final IllegalArgumentException e)
        {
            throw new IllegalArgumentException("config file '" + path + "' is malformed: " + e.getMessage());
        }
        return properties;
    }

    /** @return the scenario the options describe. @throws IllegalArgumentException naming a bad value. */
    Scenario scenario()
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
        final NetworkModel.Builder network = NetworkModel.builder()
            .loss(lossToServer != null ? lossToServer : loss, lossToClient != null ? lossToClient : loss)
            .rttUs(rttUs)
            .jitter(jitter, jitterMeanUs);
        for (final String event : events)
        {
            network.event(event);
        }
        return Scenario.builder()
            .seed(seed).connections(connections).arrivalsPerSecond(rate).clientAddresses(clients).ports(low, high)
            .refusedFraction(refused).requestBytes(requestBytes).responseBytes(responseBytes).mss(mss)
            .clientThinkUs(clientThinkUs).serverThinkUs(serverThinkUs).clientClosesFirst(clientClosesFirst)
            .simultaneousClose(simultaneousClose).idleTimeoutUs(idleTimeoutUs).rto(rto).synRetries(synRetries)
            .synLinearTimeouts(synLinearTimeouts).synAckRetries(synAckRetries).tcpRetries2(tcpRetries2)
            .orphanRetries(orphanRetries).timestamps(timestamps).tailLossProbe(tlp).hz(hz).mslUs(mslUs)
            .timeWaitUs(timeWaitUs).finTimeoutUs(finTimeoutUs).network(network.build())
            .build();
    }

    @Override
    public Integer call() throws Exception
    {
        final Scenario scenario = scenario();
        final PrintWriter out = spec.commandLine().getOut();
        Files.createDirectories(out());
        final LongPredicate traced = traced();
        final PrintWriter traceWriter = traced == null ? null :
            new PrintWriter(Files.newBufferedWriter(out().resolve("trace.txt"), StandardCharsets.UTF_8));
        final ProgressBar bar = progress ? new ProgressBar(System.err, System.console() != null) : null;
        final Report report;
        try
        {
            report = new Simulation(scenario, threads, traceWriter == null ? null : traceWriter::println, traced)
                .run(bar);
        }
        finally
        {
            if (bar != null)
            {
                bar.finish();
            }
            if (traceWriter != null)
            {
                traceWriter.close();
            }
        }
        final String text = report.toText();
        out.print(text);
        Files.writeString(out().resolve("summary.txt"), text, StandardCharsets.UTF_8);
        Files.writeString(out().resolve("summary.json"), report.toJson() + "\n", StandardCharsets.UTF_8);
        Files.writeString(out().resolve("summary.csv"), report.toCsv(), StandardCharsets.UTF_8);
        Files.writeString(out().resolve("timeseries.csv"), report.timeSeriesCsv(), StandardCharsets.UTF_8);
        out.printf(Locale.ROOT, "%nWrote %s/summary.{txt,json,csv} and timeseries.csv%s%n", out(),
            traced == null ? "" : " and trace.txt");
        out.flush();
        if (report.outcomes() != report.counter(io.escapement.simulator.report.Counter.CONNECTIONS) ||
            report.timersLeft() != 0 || report.connectionsLeft() != 0)
        {
            spec.commandLine().getErr().println("escapement-simulator: accounting failed: " + report.outcomes() +
                " outcomes for " + report.counter(io.escapement.simulator.report.Counter.CONNECTIONS) +
                " connections, " + report.timersLeft() + " timers and " + report.connectionsLeft() +
                " connections left");
            return EXIT_FAILED;
        }
        return EXIT_OK;
    }

    private Path out()
    {
        return out;
    }

    private LongPredicate traced()
    {
        if (trace.isEmpty() && traceEvery <= 0)
        {
            return null;
        }
        if (traceEvery < 0)
        {
            throw new IllegalArgumentException("--trace-every=" + traceEvery + " must be 0 or more");
        }
        final Set<Long> chosen = new HashSet<>(trace);
        final long every = traceEvery;
        return conn -> chosen.contains(conn) || (every > 0 && conn % every == 0);
    }
}
