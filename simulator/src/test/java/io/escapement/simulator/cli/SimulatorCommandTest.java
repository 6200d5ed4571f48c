package io.escapement.simulator.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import picocli.CommandLine;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SimulatorCommandTest
{
    @TempDir
    Path dir;

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    private int run(final String... args)
    {
        final List<String> all = new ArrayList<>(List.of(args));
        if (!all.contains("--out"))
        {
            all.add("--out");
            all.add(dir.resolve("out").toString());
        }
        all.add("--progress");
        all.add("false");
        return SimulatorCommand.execute(all.toArray(String[]::new), new PrintStream(out, true, StandardCharsets.UTF_8),
            new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    private String out()
    {
        return out.toString(StandardCharsets.UTF_8);
    }

    private String err()
    {
        return err.toString(StandardCharsets.UTF_8);
    }

    @Test
    void shouldPrintNoPicocliWarningWithEitherCommandsHelp()
    {
        // picocli reports a bad format string (an unescaped % in a description) on System.err, not on our streams
        final ByteArrayOutputStream stderr = new ByteArrayOutputStream();
        final PrintStream original = System.err;
        System.setErr(new PrintStream(stderr, true, StandardCharsets.UTF_8));
        try
        {
            for (final String[] args : List.of(new String[]{"--help"}, new String[]{"compare", "--help"}))
            {
                SimulatorCommand.execute(args, new PrintStream(out, true, StandardCharsets.UTF_8),
                    new PrintStream(err, true, StandardCharsets.UTF_8));
            }
        }
        finally
        {
            System.setErr(original);
        }
        final String warnings = stderr.toString(StandardCharsets.UTF_8) + err();
        assertFalse(warnings.contains("WARN"), "help printed warnings:\n" + warnings);
        assertTrue(out().contains("--progress"), out());
    }

    @Test
    void shouldExplainEveryOptionWithItsDefaultInHelp()
    {
        assertEquals(0, SimulatorCommand.execute(new String[]{"--help"}, new PrintStream(out, true,
            StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8)));
        final String help = out();
        for (final String option : List.of("--connections", "--rate", "--clients", "--ports", "--rto", "--loss",
            "--jitter", "--event", "--threads", "--trace", "--preset", "--config", "--syn-retries", "--tlp", "--hz",
            "--time-wait", "--fin-timeout", "--out"))
        {
            assertTrue(help.contains(option), "help lists " + option + ":\n" + help);
        }
        assertTrue(help.contains("Default: 1000000"), help);
        assertTrue(help.contains("rfc6298") && help.contains("linux") && help.contains("quic"), help);
        assertTrue(help.contains("Exit codes"), help);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "--bogus                     | Unknown option: '--bogus'",
        "--rto nosuch                | unknown RTO strategy 'nosuch'; known strategies: rfc6298",
        "--rto rfc6298:min=-1s       | rfc6298",
        "--loss 1.5                  | must be probabilities between 0 and 1",
        "--connections 0             | connections=0 is out of range",
        "--rtt 20                    | has no unit",
        "--event spike:at=1s         | expected spike:at=T,for=D,add=D",
        "--event burst:at=1s         | unknown network event 'burst'",
        "--ports 60999-32768         | ports=60999-32768 is out of range",
        "--ports 1000                | must be LOW-HIGH",
        "--jitter gaussian           | Invalid value for option '--jitter'",
        "--preset bsd                | unknown preset 'bsd'; presets: linux, rfc",
        "--request-bytes 1000000     | request-bytes=1000000 is out of range",
        "--client-closes-first 0.9 --simultaneous-close 0.2 | fractions between 0 and 1 that add up to at most 1",
        "--threads 0                 | threads=0 must be between 1 and 256",
        "--drop conn=0               | --drop 'conn=0': a rule must name a packet kind",
        "--drop kind=syn,tx=-1       | --drop 'kind=syn,tx=-1': tx=-1 must be at least 1",
        "--drop kind=syn,conn=-3     | conn=-3 must be at least 0",
        "--drop kind=bogus           | unknown packet kind 'bogus'",
        "--drop kind=syn,dir=to-client | kind=syn travels to-server only",
        "--drop kind=data,unit=0     | data segments are numbered from 1",
        "--drop kind=fin,unit=2      | unit= names a data segment",
        "--drop kind=syn,when=1      | unknown key 'when'",
        "--drop kind=syn,tx          | 'tx' is not key=value",
        "--scenario lost-everything  | --scenario=lost-everything is unknown; scenarios: lost-syn, lost-syn-ack",
        "--timer-slack maybe         | --timer-slack",
        "--drop kind=data,unit=4     | unit=4 names no segment: a request has 1 data segment(s), a response 3",
        "--drop kind=ack,dir=to-client,unit=3 | unit=3 names no segment",
        "--syn-linear-timeouts -1    | syn-linear-timeouts=-1 is out of range",
        "--syn-retries 300           | syn-retries=300 is out of range",
        "--synack-retries -1         | synack-retries=-1 is out of range",
        "--tcp-retries2 -1           | tcp-retries2=-1 is out of range",
        "--orphan-retries 256        | orphan-retries=256 is out of range",
        "--trace -1                  | --trace=-1: connection numbers start at 0",
        "--trace-every -1            | --trace-every=-1 must be 0 or more",
        "--hz -1                     | hz=-1 is out of range",
        "--rto linux:hz=-1           | parameter hz=-1 is invalid",
        "--request-size uniform:10-5 | --request-size 'uniform:10-5' is out of range",
        "--request-bytes -1          | request-bytes=-1 is out of range",
        "--response-size lognormal:median=x,sigma=1 | --response-size 'lognormal:median=x,sigma=1': median 'x' is not a number",
        "--response-size file:/nonexistent/sizes.csv | --response-size 'file:/nonexistent/sizes.csv': cannot read the file",
        "--rtt uniform:50ms-10ms     | --rtt 'uniform:50ms-10ms' is out of range: expected 2us <= MIN <= MAX <= 60s",
        "--rtt lognormal:median=20ms | --rtt 'lognormal:median=20ms': sigma= is missing",
        "--rtt file:/nonexistent/rtts.csv | --rtt 'file:/nonexistent/rtts.csv': cannot read the file",
        "--burst-loss p=0.1,r=0      | --burst-loss 'p=0.1,r=0': r=0 leaves the bad state no way out",
        "--burst-loss p=1.2,r=0.5    | --burst-loss 'p=1.2,r=0.5': p=1.2 is not a probability",
        "--burst-loss p=0.1,r=0.5,bad=-0.1 | --burst-loss 'p=0.1,r=0.5,bad=-0.1': bad=-0.1 is not a probability",
        "--burst-loss-to-client p=0.1,r=-0.5 | --burst-loss-to-client 'p=0.1,r=-0.5': r=-0.5 is not a probability",
        "--burst-loss r=0.5          | --burst-loss 'r=0.5': p= and r= are required",
        "--cc vegas                  | --cc=vegas must be reno or cubic",
        "--delay-trace-to-server /nonexistent/trace.csv | --delay-trace-to-server '/nonexistent/trace.csv': cannot read",
        "--delay-trace-end sometimes | --delay-trace-end=sometimes must be wrap or refuse",
        "--delay-trace-connection -2 | --delay-trace-connection=-2 must be all or a connection number",
        "--delay-trace-connection 3  | --delay-trace-connection=3 needs --delay-trace-to-server or",
        "--exchanges 0               | exchanges=0 is out of range: expected a distribution of at least 1",
        "--exchanges uniform:0-3     | exchanges=uniform:0-3 is out of range: expected a distribution of at least 1",
        "--exchanges pareto:min=1    | --exchanges 'pareto:min=1': shape= is missing",
        "--exchanges bogus:1         | --exchanges 'bogus:1': unknown distribution 'bogus'",
        "--think-time 100            | --think-time '100': duration '100' has no unit",
        "--think-time uniform:2s-1s  | --think-time 'uniform:2s-1s' is out of range",
        "--think-time 2h             | --think-time '2h'",
        "--think-time 61s            | --think-time '61s' is out of range: expected a size from 0 to 60000000 microseconds",
        "--think-time file:/nonexistent/think.csv | --think-time 'file:/nonexistent/think.csv': cannot read the file",
        "--close-after-eof -1s       | Invalid value for option '--close-after-eof'",
        "--close-after-eof 2h        | Invalid value for option '--close-after-eof'",
        "--close-after-eof 3601s     | close-after-eof=3601000000us is out of range: expected between 0 and 1 hour",
        "--close-after-eof 1         | has no unit",
        "--drop kind=syn,nth=0       | --drop 'kind=syn,nth=0': nth=0 must be at least 1",
        "--drop kind=ack,nth=x       | nth=x must be a whole number",
        "--drop kind=fin,exchange=1  | exchange= names the exchange of a data segment",
        "--drop kind=data,exchange=0 | exchange=0 must be at least 1",
        "--drop kind=ack,exchange=1,unit=fin | with exchange=, unit= numbers that exchange's data segments",
        "--sack maybe                | --sack=maybe must be on or off",
        "--sack true                 | --sack=true must be on or off",
    })
    void shouldRejectBadInputWithAClearMessageAndExitCode2(final String args, final String message)
    {
        assertEquals(2, run(args.trim().split("\\s+")), err());
        assertTrue(err().contains(message), "expected '" + message + "' in: " + err());
        assertFalse(err().contains("Exception"), "no stack trace for bad input: " + err());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "--rtt            | file:     | ''                  | --rtt 'file:FILE': the file holds no RTTs",
        "--rtt            | file:     | 20\\n-5\\n            | --rtt 'file:FILE': line 2, '-5', is not an RTT",
        "--rtt            | file:     | 20\\n20ms x\\n        | --rtt 'file:FILE': line 2, '20ms x', is not an RTT",
        "--delay-trace-to-server |    | 0,10\\n2,10\\n1,10\\n  | --delay-trace-to-server 'FILE': line 3: time 1 is not after",
        "--delay-trace-to-client |    | 0,10\\n1,-3\\n        | --delay-trace-to-client 'FILE': line 2: delay '-3' is negative",
        "--delay-trace-to-client |    | 0,10\\n1,10,1,0\\n    | --delay-trace-to-client 'FILE': line 2 has 4 field(s)",
        "--delay-trace-to-client |    | 0,10\\n1,10,1.5\\n    | --delay-trace-to-client 'FILE': line 2: loss '1.5' is not a probability in [0, 1]",
        "--delay-trace-to-server |    | 0,10,-0.1\\n1,10\\n   | --delay-trace-to-server 'FILE': line 1: loss '-0.1' is not a probability in [0, 1]",
        "--delay-trace-to-server |    | 0,10\\n              | --delay-trace-to-server 'FILE': the file holds 1 sample(s)",
        "--delay-trace-to-server |    | 0,10\\n1,10\\n        | --delay-trace-to-server 'FILE' lasts 2s but connections arrive over 10s",
        "--delay-trace-connection=200 --delay-trace-to-server | | 0,10\\n20,10\\n | --delay-trace-connection=200 names no connection: they are numbered 0 to 199",
    })
    void shouldRejectABadNetworkFileNamingTheOptionAndLineWithExitCode2(final String option, final String prefix,
        final String content, final String message) throws IOException
    {
        final Path file = dir.resolve("network.csv");
        Files.writeString(file, content.replace("\\n", "\n"));
        final List<String> args = new ArrayList<>(List.of("--connections", "200", "--rate", "20"));
        args.addAll(List.of(option.split(" ")));
        args.add((prefix == null ? "" : prefix) + file);
        assertEquals(2, run(args.toArray(String[]::new)), err());
        final String expected = message.replace("FILE", file.toString());
        assertTrue(err().lines().findFirst().orElse("").contains(expected), "expected '" + expected +
            "' on the first line of: " + err());
        assertFalse(err().contains("Exception"), "no stack trace for bad input: " + err());
    }

    @Test
    void shouldRunWithMixedRttsBurstyLossAndATraceAndReportThem() throws IOException
    {
        final Path trace = dir.resolve("trace.csv");
        Files.writeString(trace, "time_s,delay_ms\n0,15\n0.5,40\n1,15\n");
        assertEquals(0, run("--connections", "2000", "--rate", "1000", "--rtt", "lognormal:median=30ms,sigma=0.7",
            "--burst-loss", "p=0.05,r=0.3", "--delay-trace-to-client", trace.toString(), "--delay-trace-end", "wrap"),
            err());
        assertTrue(out().contains("network: rtt lognormal:median=30ms,sigma=0.7 per connection"), out());
        assertTrue(out().contains("bursty loss to server Gilbert-Elliott p=0.05 r=0.3"), out());
        assertTrue(out().contains("delay to client from trace " + trace), out());
        assertTrue(out().matches("(?s).*packets sent past the delay trace to client +[1-9][0-9,]*  \\(the trace " +
            "wrapped\\).*"), out());
        final String json = Files.readString(dir.resolve("out/summary.json"));
        assertTrue(json.matches("(?s).*\"delay_trace_to_client_packets_past_end\": [1-9].*"), json);
    }

    @Test
    void shouldGiveTheSameResultsOnOneOrTwoThreadsWithTheNewNetworkOptions() throws IOException
    {
        final Path trace = dir.resolve("trace.csv");
        Files.writeString(trace, "0,30\n0.3,80\n0.5,30\n");
        final String[] common = {"--connections", "3000", "--rate", "2000", "--rtt", "uniform:5ms-300ms",
            "--burst-loss", "p=0.03,r=0.4,good=0.002,bad=0.8", "--delay-trace-to-client", trace.toString(),
            "--delay-trace-end", "wrap"};
        final List<String> one = new ArrayList<>(List.of(common));
        one.addAll(List.of("--threads", "1", "--out", dir.resolve("one").toString()));
        final List<String> two = new ArrayList<>(List.of(common));
        two.addAll(List.of("--threads", "2", "--out", dir.resolve("two").toString()));
        assertEquals(0, run(one.toArray(String[]::new)), err());
        assertEquals(0, run(two.toArray(String[]::new)), err());
        final String a = results(Files.readString(dir.resolve("one/summary.json")));
        final String b = results(Files.readString(dir.resolve("two/summary.json")));
        assertTrue(a.contains("\"packets_lost\""), a);
        assertTrue(a.contains("\"delay_trace_to_client_packets_past_end\""), a);
        assertEquals(a, b);
    }

    /** @return the results section of a summary: what the run computed, without its cost on this machine. */
    private static String results(final String json)
    {
        return json.substring(json.indexOf("\"results\""), json.indexOf("\"run\""));
    }

    @Test
    void shouldRunAScenarioAndWriteItsSummaryAsTextJsonAndCsv() throws IOException
    {
        assertEquals(0, run("--connections", "2000", "--loss", "0.02", "--trace", "5"), err());
        assertTrue(out().contains("completed: full response received"), out());
        final Path results = dir.resolve("out");
        final String json = Files.readString(results.resolve("summary.json"));
        assertTrue(json.contains("\"connections\": 2000"), json);
        assertTrue(json.contains("\"outcome_completed\""), json);
        assertTrue(json.contains("\"events_per_second\""), json);
        assertTrue(Files.readString(results.resolve("summary.csv")).startsWith("metric,value\nconnections,2000\n"));
        assertTrue(Files.readString(results.resolve("timeseries.csv")).startsWith("second,open_connections,time_wait"));
        final String trace = Files.readString(results.resolve("trace.txt"));
        assertTrue(trace.contains("conn=5 client sends SYN seq="), trace);
        assertFalse(trace.contains("conn=6 "), "only the chosen connection is traced");
    }

    @Test
    void shouldReportADropRuleThatNeverMatchedInTheSummary() throws IOException
    {
        assertEquals(0, run("--connections", "200", "--drop", "kind=syn,conn=3,tx=first", "--drop",
            "kind=rst,conn=5"), err());
        assertTrue(out().contains("Drop rules"), out());
        assertTrue(out().matches("(?s).*kind=rst,conn=5 +0  \\(never matched.*"), out());
        final String json = Files.readString(dir.resolve("out/summary.json"));
        assertTrue(json.contains("\"kind=syn,conn=3,tx=first\": 1"), json);
        assertTrue(json.contains("\"drop_rules_never_matched\": [\"kind=rst,conn=5\"]"), json);
    }

    @Test
    void shouldPrintTheTraceOfANamedScenario()
    {
        assertEquals(0, run("--scenario", "lost-syn"), err());
        final String text = out();
        assertTrue(text.startsWith("Scenario lost-syn: "), text);
        assertTrue(text.matches("(?s).*conn=0 client sends SYN seq=\\d+ \\(lost\\).*"), text);
        assertTrue(text.matches("(?s).*conn=0 client sends SYN seq=\\d+ \\(retransmission 1\\).*"), text);
        assertTrue(text.contains("client SYN-SENT -> ESTABLISHED"), text);
        assertTrue(text.contains("Outcome: completed: full response received"), text);
        assertFalse(text.contains("conn=1 "), "one connection: " + text);
    }

    @Test
    void shouldTakeDefaultsFromAConfigFileUnderTheCommandLine() throws IOException
    {
        final Path config = dir.resolve("scenario.properties");
        Files.writeString(config, "# a larger scenario\nconnections=1500\nloss=0.03\nrto=rfc6298:min=200ms\n");
        assertEquals(0, run("--config", config.toString(), "--loss", "0.01"), err());
        final String json = Files.readString(dir.resolve("out/summary.json"));
        assertTrue(json.contains("\"connections\": 1500"), json);
        assertTrue(json.contains("\"rto\": \"rfc6298:min=200ms\""), json);
        assertTrue(json.contains("loss 0.01 to server"), "the command line wins over the file: " + json);
    }

    @Test
    void shouldRejectAnUnknownKeyInTheConfigFile() throws IOException
    {
        final Path config = dir.resolve("bad.properties");
        Files.writeString(config, "connection=1500\n");
        assertEquals(2, run("--config", config.toString()));
        assertTrue(err().contains("config file: unknown key 'connection'"), err());
    }

    @Test
    void shouldRejectAMalformedValueInTheConfigFile() throws IOException
    {
        final Path config = dir.resolve("bad.properties");
        Files.writeString(config, "connections=many\n");
        assertEquals(2, run("--config", config.toString()));
        assertTrue(err().contains("'many' is not an int"), err());
    }

    @Test
    void shouldRejectAMissingConfigFile()
    {
        assertEquals(2, run("--config", dir.resolve("nowhere.properties").toString()));
        assertTrue(err().contains("cannot read config file"), err());
    }

    @Test
    void shouldApplyTheRfcPreset() throws IOException
    {
        assertEquals(0, run("--preset", "rfc", "--connections", "500"), err());
        final String json = Files.readString(dir.resolve("out/summary.json"));
        assertTrue(json.contains("\"rto\": \"rfc6298\""), json);
        assertTrue(json.contains("\"tlp\": false"), json);
        assertTrue(json.contains("\"time_wait_us\": 240000000"), "2 x MSL of 2 minutes: " + json);
        assertTrue(json.contains("\"timer_slack\": false"), json);
        assertFalse(json.contains(" linear"), "RFC 6298 backs off from the first retransmission: " + json);
    }

    @Test
    void shouldNameTheTrafficModelInTheSummarysConfigSoThatRunsOfDifferentModelsReadApart() throws IOException
    {
        assertEquals(0, run("--connections", "300"), err());
        final String linux = Files.readString(dir.resolve("out/summary.json"));
        for (final String entry : new String[]{"\"cc\": \"cubic\"", "\"cwnd\": \"linux\"", "\"delayed_ack\": \"linux\"",
            "\"sack\": true", "\"rack\": true", "\"frto\": true", "\"fast_retransmit\": true", "\"initial_window\": 10",
            "\"ato_min_us\": 40000", "\"ato_max_us\": 200000", "\"timestamps\": false", "\"prr\": true",
            "\"slow_start_after_idle\": true"})
        {
            assertTrue(linux.contains(entry), entry + " in " + linux);
        }
        assertEquals(0, run("--preset", "rfc", "--connections", "300", "--sack", "off", "--out", dir.resolve("out2").toString()), err());
        final String rfc = Files.readString(dir.resolve("out2/summary.json"));
        for (final String entry : new String[]{"\"cc\": \"reno\"", "\"cwnd\": \"rfc\"", "\"delayed_ack\": \"rfc\"",
            "\"sack\": false", "\"rack\": false", "\"prr\": false", "\"slow_start_after_idle\": true"})
        {
            assertTrue(rfc.contains(entry), entry + " in " + rfc);
        }
    }

    @Test
    void shouldDefaultToTodaysLinuxAndSayWhichKernelEachDefaultComesFrom()
    {
        // tcp_syn_linear_timeouts = 4 since Linux 6.5; the timer wheel's slack since 4.8
        final CommandLine linuxLine = SimulatorCommand.commandLine(new String[0]);
        linuxLine.parseArgs();
        final ScenarioOptions linux = ((SimulatorCommand)linuxLine.getCommand()).options;
        assertEquals(4, linux.scenario().retryPolicy.synLinearTimeouts());
        assertTrue(linux.scenario().timerSlack);
        final CommandLine rfcLine = SimulatorCommand.commandLine(new String[]{"--preset", "rfc"});
        rfcLine.parseArgs("--preset", "rfc");
        final ScenarioOptions rfc = ((SimulatorCommand)rfcLine.getCommand()).options;
        assertEquals(0, rfc.scenario().retryPolicy.synLinearTimeouts());
        assertEquals("rfc6298", rfc.scenario().rtoSpecification);

        assertEquals(0, SimulatorCommand.execute(new String[]{"--help"}, new PrintStream(out, true,
            StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8)));
        final String help = out().replaceAll("\\s+", " ");
        for (final String origin : List.of("added with default 4 in Linux 6.5", "default 6 since Linux 3.7",
            "default 5 since Linux 2.6", "default 15 since Linux", "Linux 4.8 on", "CONFIG_HZ=1000",
            "a fixed 60 s in 6.x", "default 60 s, Linux 6.x"))
        {
            assertTrue(help.contains(origin), "help says '" + origin + "':\n" + help);
        }
    }


    @Test
    void shouldTurnOnLinuxDelayedAcksAndWindowInTheLinuxPresetAndTheRfcBaselineInTheRfcPreset()
    {
        final CommandLine linuxLine = SimulatorCommand.commandLine(new String[0]);
        linuxLine.parseArgs();
        final io.escapement.simulator.Scenario linux = ((SimulatorCommand)linuxLine.getCommand()).options.scenario();
        assertEquals(io.escapement.simulator.Scenario.DelayedAck.LINUX, linux.delayedAck);
        assertEquals(40_000, linux.atoMinUs);
        assertEquals(200_000, linux.atoMaxUs);
        assertEquals(io.escapement.simulator.Scenario.Window.LINUX, linux.window);
        assertEquals(10, linux.initialWindow);
        assertTrue(linux.fastRetransmit);
        assertTrue(linux.rack);
        assertTrue(linux.frto);
        assertTrue(linux.sack, "net.ipv4.tcp_sack = 1");
        final CommandLine rfcLine = SimulatorCommand.commandLine(new String[]{"--preset", "rfc"});
        rfcLine.parseArgs("--preset", "rfc");
        final io.escapement.simulator.Scenario rfc = ((SimulatorCommand)rfcLine.getCommand()).options.scenario();
        assertEquals(io.escapement.simulator.Scenario.DelayedAck.RFC, rfc.delayedAck);
        assertEquals(500_000, rfc.atoMaxUs);
        assertEquals(io.escapement.simulator.Scenario.Window.RFC, rfc.window);
        assertTrue(rfc.fastRetransmit);
        assertFalse(rfc.rack);
        assertFalse(rfc.frto);
        assertTrue(rfc.sack, "RFC 6675 needs SACK");
    }

    @Test
    void shouldChooseCubicInTheLinuxPresetRenoInTheRfcPresetAndLetCcOverrideEither()
    {
        // net.ipv4.tcp_congestion_control = cubic since Linux 2.6.19; RFC 5681's Reno for the rfc preset
        assertEquals(io.escapement.simulator.Scenario.Cc.CUBIC, scenarioOf());
        assertEquals(io.escapement.simulator.Scenario.Cc.CUBIC, scenarioOf("--preset", "linux"));
        assertEquals(io.escapement.simulator.Scenario.Cc.RENO, scenarioOf("--preset", "rfc"));
        assertEquals(io.escapement.simulator.Scenario.Cc.RENO, scenarioOf("--preset", "linux", "--cc", "reno"));
        assertEquals(io.escapement.simulator.Scenario.Cc.RENO, scenarioOf("--cc", "reno"));
        assertEquals(io.escapement.simulator.Scenario.Cc.CUBIC, scenarioOf("--preset", "rfc", "--cc", "cubic"));
        assertEquals(io.escapement.simulator.Scenario.Cc.CUBIC, io.escapement.simulator.Scenario.builder().build().cc,
            "the builder's defaults are the linux preset's");

        assertEquals(0, SimulatorCommand.execute(new String[]{"--help"}, new PrintStream(out, true,
            StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8)));
        final String help = out().replaceAll("\\s+", " ");
        assertTrue(help.contains("--cc=ALGORITHM") && help.contains("Default: cubic"), help);
        assertTrue(help.contains("Linux's default since 2.6.19"), help);
        assertTrue(help.contains("RFC 5681 slow start and Reno"), "the rfc preset's footer: " + help);
    }

    @Test
    void shouldReduceByPrrInTheLinuxPresetNotInTheRfcPresetAndLetPrrOverrideEither()
    {
        // tcp_cwnd_reduction() since Linux 3.2; RFC 6675's cwnd = ssthresh for the rfc preset; restart after idle
        // on in both (net.ipv4.tcp_slow_start_after_idle = 1; RFC 5681 4.1's SHOULD)
        assertTrue(optionsOf().prr);
        assertFalse(optionsOf("--preset", "rfc").prr);
        assertFalse(optionsOf("--prr", "false").prr);
        assertTrue(optionsOf("--preset", "rfc", "--prr", "true").prr);
        assertTrue(optionsOf().slowStartAfterIdle);
        assertTrue(optionsOf("--preset", "rfc").slowStartAfterIdle);
        assertFalse(optionsOf("--slow-start-after-idle", "false").slowStartAfterIdle);
    }

    @Test
    void shouldTakePrrFromTheWindowWhenPrrIsNotGiven()
    {
        // --cwnd rfc without the rfc preset is RFC 6675's cwnd = ssthresh, as Scenario.Builder's default: PRR-SSRB
        // only when asked for; --cwnd linux under the rfc preset is Linux's PRR unless the preset's --prr false
        // holds (it does: a preset's value is given)
        assertFalse(optionsOf("--cwnd", "rfc").prr);
        assertTrue(optionsOf("--cwnd", "rfc", "--prr", "true").prr);
        assertTrue(optionsOf("--cwnd", "linux").prr);
        assertFalse(optionsOf("--cwnd", "linux", "--prr", "false").prr);
        // no window, nothing to reduce nor restart: what runs is what is named
        assertFalse(optionsOf("--cwnd", "off").prr);
        assertFalse(optionsOf("--cwnd", "off", "--prr", "true").prr);
        assertFalse(optionsOf("--cwnd", "off").slowStartAfterIdle);
    }

    @Test
    void shouldReportPrrAsItRunsInTheSummary() throws IOException
    {
        assertEquals(0, run("--connections", "300", "--cwnd", "off"), err());
        final String off = Files.readString(dir.resolve("out/summary.json"));
        assertTrue(off.contains("\"prr\": false"), off);
        assertTrue(off.contains("\"slow_start_after_idle\": false"), off);
        assertEquals(0, run("--connections", "300", "--cwnd", "rfc", "--out", dir.resolve("out2").toString()), err());
        final String rfc = Files.readString(dir.resolve("out2/summary.json"));
        assertTrue(rfc.contains("\"prr\": false"), rfc);
    }

    private static io.escapement.simulator.Scenario optionsOf(final String... args)
    {
        final CommandLine line = SimulatorCommand.commandLine(args);
        line.parseArgs(args);
        return ((SimulatorCommand)line.getCommand()).options.scenario();
    }

    private static io.escapement.simulator.Scenario.Cc scenarioOf(final String... args)
    {
        final CommandLine line = SimulatorCommand.commandLine(args);
        line.parseArgs(args);
        return ((SimulatorCommand)line.getCommand()).options.scenario().cc;
    }

    @Test
    void shouldTakeSackOffInAnyCaseAndTurnRackAndTheProbeOffWithIt()
    {
        // --sack reads its value in any case, as --cc and --cwnd do; off turns RACK and the tail loss probe off in
        // effect (Linux runs neither for a non-SACK flow), though --rack and --tlp stay at their true defaults
        for (final String value : List.of("off", "OFF", "Off"))
        {
            final CommandLine line = SimulatorCommand.commandLine(new String[]{"--sack", value});
            line.parseArgs("--sack", value);
            final io.escapement.simulator.Scenario off = ((SimulatorCommand)line.getCommand()).options.scenario();
            assertFalse(off.sack, value);
            assertFalse(off.rack, "RACK in effect with --sack " + value);
            assertFalse(off.tailLossProbe, "the probe in effect with --sack " + value);
        }
        final CommandLine on = SimulatorCommand.commandLine(new String[]{"--sack", "ON"});
        on.parseArgs("--sack", "ON");
        final io.escapement.simulator.Scenario scenario = ((SimulatorCommand)on.getCommand()).options.scenario();
        assertTrue(scenario.sack && scenario.rack && scenario.tailLossProbe);
    }

    @Test
    void shouldRefuseBadDelayedAckAndWindowValuesWithOneLineNamingTheOption()
    {
        for (final String[] bad : List.of(new String[]{"--delayed-ack", "sometimes"},
            new String[]{"--ato-max", "600ms"}, new String[]{"--ato-min", "300ms", "--ato-max", "200ms"},
            new String[]{"--cwnd", "cubic"}, new String[]{"--initial-window", "0"},
            new String[]{"--fast-retransmit", "maybe"}, new String[]{"--rack", "perhaps"},
            new String[]{"--frto", "2"}, new String[]{"--prr", "rfc6937"},
            new String[]{"--slow-start-after-idle", "1"}))
        {
            err.reset();
            assertEquals(2, run(concat(bad, "--connections", "10")), String.join(" ", bad) + ": " + err());
            final String option = bad[bad.length - 2].replaceFirst("^--", "");
            assertTrue(err().contains(option), "names " + option + ": " + err());
            assertFalse(err().contains("\tat "), "no stack trace: " + err());
        }
    }

    private static String[] concat(final String[] a, final String... b)
    {
        final List<String> all = new ArrayList<>(List.of(a));
        all.addAll(List.of(b));
        return all.toArray(String[]::new);
    }

    @Test
    void shouldRefuseAnOutputDirectoryThatIsAFileWithExitCode2() throws IOException
    {
        final Path file = Files.writeString(dir.resolve("not-a-dir"), "x");
        assertEquals(2, run("--connections", "10", "--out", file.resolve("sub").toString()));
        assertTrue(err().contains("cannot create the directory"), err());
        assertFalse(err().contains("\tat "), "no stack trace: " + err());
    }
}
