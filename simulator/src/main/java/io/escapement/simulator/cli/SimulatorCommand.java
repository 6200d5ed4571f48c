package io.escapement.simulator.cli;

import io.escapement.simulator.Scenario;
import io.escapement.simulator.Simulation;
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
@Command(name = "escapement-simulator", mixinStandardHelpOptions = true, subcommands = CompareCommand.class,
    version = "escapement-simulator 0.1.0",
    sortOptions = false, usageHelpAutoWidth = true, showDefaultValues = true,
    description = {
        "Drives TCP connections through their whole lifecycle (handshake, request and response, four-way",
        "teardown, TIME-WAIT) over a lossy, jittery network in virtual time, every timer on Escapement's",
        "timing wheel, and reports what the timers did and what it cost.",
        "",
        "Durations take a unit: 200ms, 1s, 1500us. Exit codes: 0 success, 1 the run failed, 2 bad input.",
        ""},
    footer = {"",
        "Presets: linux (the defaults: Linux 6.5 and later, HZ=1000 with the timer wheel's slack, TLP on,",
        "SYN linear timeouts 4, TIME-WAIT 60 s, CUBIC, PRR; each option's help names the kernel its default is",
        "from) and rfc (RFC 6298 RTO, no TLP, exact timers, MSL 2 min so TIME-WAIT 4 min, retries counted, delayed",
        "ACKs every second segment or after 500 ms, RFC 5681 slow start and Reno, RFC 6675 recovery without PRR).",
        "Example: escapement-simulator --connections 100000 --loss 0.05 --rto rfc6298:min=200ms",
        "Compare RTO strategies: escapement-simulator compare --help"})
public final class SimulatorCommand implements Callable<Integer>
{
    static final int EXIT_OK = 0;
    static final int EXIT_FAILED = 1;
    static final int EXIT_USAGE = 2;

    /** The named scenarios: each a drop rule on connection 0, and what it shows. */
    static final Map<String, String[]> SCENARIOS = scenarios();

    private static Map<String, String[]> scenarios()
    {
        final Map<String, String[]> m = new java.util.LinkedHashMap<>();
        m.put("lost-syn", new String[]{"kind=syn,conn=0,tx=first",
            "the client's SYN is lost: connect() resends it after the initial RTO"});
        m.put("lost-syn-ack", new String[]{"kind=syn-ack,conn=0,tx=first",
            "the SYN-ACK is lost: the client's SYN timer and the server's SYN-ACK timer race"});
        m.put("lost-final-ack", new String[]{"kind=ack,dir=to-server,unit=0,conn=0,tx=first",
            "the handshake's last ACK is lost: the request, which carries the ACK too, completes the handshake"});
        m.put("lost-request", new String[]{"kind=data,dir=to-server,conn=0,tx=first",
            "the request is lost: the client's retransmission timer resends it"});
        m.put("lost-response", new String[]{"kind=data,dir=to-client,unit=1,conn=0,tx=first",
            "the response's first segment is lost: the server resends it, the client acknowledges the rest"});
        m.put("lost-fin", new String[]{"kind=fin,dir=to-server,conn=0,tx=first",
            "the client's FIN is lost: FIN-WAIT-1 lasts until it is resent"});
        m.put("lost-last-ack", new String[]{"kind=ack,dir=to-server,unit=fin,conn=0,tx=first",
            "the ACK of the server's FIN is lost: the server in LAST-ACK resends its FIN, TIME-WAIT restarts"});
        return java.util.Collections.unmodifiableMap(m);
    }

    /** Lists the scenario names for the help text. */
    static final class ScenarioNames extends ArrayList<String>
    {
        private static final long serialVersionUID = 1L;

        ScenarioNames()
        {
            super(SCENARIOS.keySet());
        }
    }

    /** What each preset changes from the built-in defaults (which are the linux preset). */
    static final Map<String, Map<String, String>> PRESETS = Map.of(
        "linux", Map.of(),
        "rfc", Map.ofEntries(Map.entry("rto", "rfc6298"), Map.entry("tlp", "false"), Map.entry("hz", "0"),
            Map.entry("msl", "120s"), Map.entry("time-wait", "0s"), Map.entry("give-up", "count"),
            Map.entry("syn-linear-timeouts", "0"), Map.entry("timer-slack", "false"),
            // RFC 1122 4.2.3.2 and RFC 5681 4.2: every second full-sized segment, within 500 ms; RFC 5681 Reno
            Map.entry("delayed-ack", "rfc"), Map.entry("ato-max", "500ms"), Map.entry("cwnd", "rfc"),
            Map.entry("cc", "reno"),
            Map.entry("rack", "false"), Map.entry("frto", "false"), Map.entry("prr", "false")));

    @CommandLine.Mixin
    ScenarioOptions options;

    // ---- the run
    @Option(names = "--threads", paramLabel = "N", defaultValue = "1",
        description = "Share-nothing shards (by client address) run in parallel; results do not depend on N.")
    int threads;

    @Option(names = "--trace", paramLabel = "CONN", split = ",",
        description = "Connection numbers whose every packet and timer event is written to the trace file.")
    List<Long> trace = new ArrayList<>();

    @Option(names = "--trace-every", paramLabel = "N", defaultValue = "0",
        description = "Also trace every N-th connection (0: none).")
    long traceEvery;

    @Option(names = "--scenario", paramLabel = "NAME",
        description = "A named handshake or teardown case: one connection, no random loss, constant delays, the " +
            "client closing first, and one drop rule; prints that connection's trace. Known: " +
            "${COMPLETION-CANDIDATES}.", completionCandidates = ScenarioNames.class)
    String scenarioName;

    @Option(names = "--out", paramLabel = "DIR", defaultValue = "results/simulation",
        description = "Where summary.{txt,json,csv}, timeseries.csv, timeseries.png and trace.txt go.")
    Path out;

    @Option(names = "--progress", paramLabel = "BOOLEAN", defaultValue = "true", arity = "1",
        description = "Progress bar on stderr (redrawn on a terminal, a line per 10%% otherwise).")
    boolean progress;

    @Option(names = "--preset", paramLabel = "NAME", defaultValue = "linux", scope = CommandLine.ScopeType.INHERIT,
        description = "Defaults to start from: linux or rfc (see below).")
    String preset;

    @Option(names = "--config", paramLabel = "FILE", scope = CommandLine.ScopeType.INHERIT,
        description = "A properties file of option=value lines (long option names without dashes).")
    Path config;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    public static void main(final String[] args)
    {
        System.exit(execute(args, System.out, System.err));
    }

    /** Runs the command line; @return the exit code. */
    static int execute(final String[] args, final PrintStream out, final PrintStream err)
    {
        return execute(args, out, err, null);
    }

    /** Runs the command line, compare's runs executed by {@code runner} if not null; @return the exit code. */
    static int execute(final String[] args, final PrintStream out, final PrintStream err,
        final io.escapement.simulator.compare.Comparison.Runner runner)
    {
        return execute(args, out, err, runner, null);
    }

    /**
     * Runs the command line, compare's runs executed by {@code runner} if not null, its report saying it was made
     * by {@code madeBy} if not null; @return the exit code.
     */
    static int execute(final String[] args, final PrintStream out, final PrintStream err,
        final io.escapement.simulator.compare.Comparison.Runner runner, final String madeBy)
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
        if (runner != null)
        {
            ((CompareCommand)commandLine.getSubcommands().get("compare").getCommand()).runner = runner;
        }
        if (madeBy != null)
        {
            ((CompareCommand)commandLine.getSubcommands().get("compare").getCommand()).madeBy = madeBy;
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
        final CommandLine commandLine = new CommandLine(new SimulatorCommand())
            .setCaseInsensitiveEnumValuesAllowed(true);
        CompareCommand.hideReplacedOptions(commandLine.getSubcommands().get("compare").getCommandSpec());
        final Properties file = loadConfig(find(args, "--config"));
        final Set<String> known = new HashSet<>();
        final List<CommandLine.Model.OptionSpec> all = new ArrayList<>(commandLine.getCommandSpec().options());
        commandLine.getSubcommands().values().forEach(sub -> all.addAll(sub.getCommandSpec().options()));
        for (final CommandLine.Model.OptionSpec option : all)
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
            final String fromPreset = preset.get(key);
            if (fromPreset == null && option.command() != null && "compare".equals(option.command().name()))
            {
                return CompareCommand.DEFAULTS.get(key); // null: the annotation's default
            }
            return fromPreset; // null: the annotation's default
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

    @Override
    public Integer call() throws Exception
    {
        final String[] named = namedScenario();
        final Scenario scenario = options.scenario();
        final PrintWriter out = spec.commandLine().getOut();
        createDirectories(out());
        final LongPredicate traced = traced();
        final PrintWriter traceWriter = traced == null ? null :
            new PrintWriter(Files.newBufferedWriter(out().resolve("trace.txt"), StandardCharsets.UTF_8));
        final List<String> shown = new ArrayList<>();
        final ProgressBar bar = progress && named == null ?
            new ProgressBar(System.err, System.console() != null, "connections opened") : null;
        final Report report;
        try
        {
            report = new Simulation(scenario, threads, traceWriter == null ? null : line ->
            {
                traceWriter.println(line);
                if (named != null)
                {
                    shown.add(line);
                }
            }, traced).run(bar);
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
        if (named != null)
        {
            out.printf(Locale.ROOT, "Scenario %s: %s%n(--drop %s; connection 0 of one, no random loss, constant " +
                "delays)%n%n", scenarioName, named[1], named[0]);
            shown.forEach(out::println);
            out.println();
            for (final io.escapement.simulator.report.Counter c : io.escapement.simulator.report.Counter.values())
            {
                if (c.isOutcome() && report.counter(c) > 0)
                {
                    out.println("Outcome: " + c.description);
                }
            }
        }
        else
        {
            out.print(text);
        }
        Files.writeString(out().resolve("summary.txt"), text, StandardCharsets.UTF_8);
        Files.writeString(out().resolve("summary.json"), report.toJson() + "\n", StandardCharsets.UTF_8);
        Files.writeString(out().resolve("summary.csv"), report.toCsv(), StandardCharsets.UTF_8);
        Files.writeString(out().resolve("timeseries.csv"), report.timeSeriesCsv(), StandardCharsets.UTF_8);
        report.timeSeriesChart(out().resolve("timeseries"));
        out.printf(Locale.ROOT, "%nWrote %s/summary.{txt,json,csv}, timeseries.csv and timeseries.png%s%n", out(),
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

    /** @throws IllegalArgumentException (a usage error, exit 2) if the directory cannot be made. */
    static void createDirectories(final Path dir)
    {
        try
        {
            Files.createDirectories(dir);
        }
        catch (final IOException e)
        {
            throw new IllegalArgumentException("--out " + dir + ": cannot create the directory (" + e + ")");
        }
    }

    private Path out()
    {
        return out;
    }

    /**
     * Applies the named scenario to the options, if one is named.
     *
     * @return its rule and description, or null.
     * @throws IllegalArgumentException for an unknown name.
     */
    private String[] namedScenario()
    {
        if (scenarioName == null)
        {
            return null;
        }
        final String[] named = SCENARIOS.get(scenarioName);
        if (named == null)
        {
            throw new IllegalArgumentException("--scenario=" + scenarioName + " is unknown; scenarios: " +
                String.join(", ", SCENARIOS.keySet()));
        }
        options.connections = 1;
        options.loss = 0;
        options.lossToServer = null;
        options.lossToClient = null;
        options.jitter = io.escapement.simulator.net.NetworkModel.Jitter.CONSTANT;
        options.clientClosesFirst = 1;
        options.simultaneousClose = 0;
        options.drops.add(named[0]);
        trace = new ArrayList<>(List.of(0L));
        return named;
    }

    private LongPredicate traced()
    {
        if (traceEvery < 0)
        {
            throw new IllegalArgumentException("--trace-every=" + traceEvery + " must be 0 or more");
        }
        for (final long conn : trace)
        {
            if (conn < 0)
            {
                throw new IllegalArgumentException("--trace=" + conn + ": connection numbers start at 0");
            }
        }
        if (trace.isEmpty() && traceEvery == 0)
        {
            return null;
        }
        final Set<Long> chosen = new HashSet<>(trace);
        final long every = traceEvery;
        return conn -> chosen.contains(conn) || (every > 0 && conn % every == 0);
    }
}
