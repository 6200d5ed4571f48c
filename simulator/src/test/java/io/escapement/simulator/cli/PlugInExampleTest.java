package io.escapement.simulator.cli;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Builds docs/plugin-example (a user's own RTO strategy, its provider and its services file) into a jar, as its
 * README tells a user to, and runs the README's command in a child JVM with that jar on the class path: the run
 * must succeed, print the lines the README shows, and retransmit when the strategy's parameters say; without the
 * jar, or with a bad key or value, it must fail with exit code 2 and the documented message. {@code compare} must
 * take the strategy by name too.
 */
class PlugInExampleTest
{
    private static final String MAIN = "io.escapement.simulator.cli.SimulatorCommand";
    private static final Pattern COMMAND = Pattern.compile("<!-- plugin-example-command -->\\s*```sh\\n(.*?)```",
        Pattern.DOTALL);
    private static final Pattern OUTPUT = Pattern.compile("<!-- plugin-example-output -->\\s*```text\\n(.*?)```",
        Pattern.DOTALL);
    private static final Pattern LOSS_TO_RETRANSMISSION =
        Pattern.compile("real loss to its first retransmission\\s+([0-9.]+) ms");

    @TempDir
    static Path dir;

    private static Path example;
    private static String readme;
    private static Path jar;

    @BeforeAll
    static void buildThePlugInJar() throws IOException
    {
        example = Path.of(System.getProperty("escapement.root", "..")).resolve("docs/plugin-example");
        readme = Files.readString(example.resolve("README.md"));
        final List<String> sources = new ArrayList<>();
        try (Stream<Path> files = Files.walk(example.resolve("src/main/java")))
        {
            files.filter(path -> path.toString().endsWith(".java")).forEach(path -> sources.add(path.toString()));
        }
        assertEquals(2, sources.size(), "the example's strategy and provider: " + sources);
        final Path classes = Files.createDirectories(dir.resolve("classes"));
        final JavaCompiler compiler = ToolProvider.getSystemJavaCompiler();
        assertNotNull(compiler, "tests must run on a JDK");
        final List<String> arguments = new ArrayList<>(List.of("--release", "17", "-Xlint:all", "-Werror",
            "-cp", classPath(), "-d", classes.toString()));
        arguments.addAll(sources);
        final ByteArrayOutputStream diagnostics = new ByteArrayOutputStream();
        assertEquals(0, compiler.run(null, diagnostics, diagnostics, arguments.toArray(String[]::new)),
            "the example does not compile cleanly:\n" + diagnostics);

        jar = dir.resolve("margin-rto.jar");
        try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(jar)))
        {
            add(out, classes);
            add(out, example.resolve("src/main/resources"));
        }
    }

    private static void add(final JarOutputStream out, final Path root) throws IOException
    {
        final List<Path> files;
        try (Stream<Path> walk = Files.walk(root))
        {
            files = walk.filter(Files::isRegularFile).sorted().toList();
        }
        for (final Path file : files)
        {
            out.putNextEntry(new JarEntry(root.relativize(file).toString().replace(File.separatorChar, '/')));
            Files.copy(file, out);
            out.closeEntry();
        }
    }

    private static String classPath()
    {
        return System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
    }

    /** The README's command's arguments after the main class, its {@code --out} moved into the test's directory. */
    private static List<String> documentedArguments(final String out)
    {
        final Matcher block = COMMAND.matcher(readme);
        assertTrue(block.find(), "docs/plugin-example/README.md shows no <!-- plugin-example-command --> block");
        final List<String> words = List.of(block.group(1).replace("\\\n", " ").trim().split("\\s+"));
        assertEquals("java", words.get(0), "the command runs java: " + words);
        assertTrue(words.get(2).endsWith("margin-rto.jar"), "the class path names the plug-in's jar: " + words);
        final int main = words.indexOf(MAIN);
        assertTrue(main > 0, "the command names the main class " + MAIN + ": " + words);
        final List<String> arguments = new ArrayList<>(words.subList(main + 1, words.size()));
        final int at = arguments.indexOf("--out");
        assertTrue(at >= 0, "the command names --out: " + arguments);
        arguments.set(at + 1, out);
        return arguments;
    }

    private record Run(int exitCode, String out, String err)
    {
    }

    private static Run simulate(final boolean withPlugIn, final List<String> arguments)
        throws IOException, InterruptedException
    {
        final List<String> command = new ArrayList<>(List.of(
            Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Djava.awt.headless=true", "-cp",
            withPlugIn ? classPath() + File.pathSeparator + jar : classPath(), MAIN));
        command.addAll(arguments);
        final Path out = Files.createTempFile(dir, "out", ".txt");
        final Path err = Files.createTempFile(dir, "err", ".txt");
        final Process process = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile())
            .start();
        process.getOutputStream().close(); // nothing to read from stdin
        assertTrue(process.waitFor(5, TimeUnit.MINUTES), "the simulator did not finish: " + command);
        return new Run(process.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
            Files.readString(err, StandardCharsets.UTF_8));
    }

    private static String normalized(final String text)
    {
        return text.strip().replaceAll("[ \\t]+", " ");
    }

    @Test
    void shouldRunTheDocumentedCommandWithThePlugInAndPrintWhatTheReadmeShows() throws Exception
    {
        final Run run = simulate(true, documentedArguments(dir.resolve("run").toString()));
        assertEquals(0, run.exitCode(), run.err());
        assertTrue(run.out().contains("RTO strategy margin:add=400ms,gain=0.25,"), run.out());

        final Matcher shown = OUTPUT.matcher(readme);
        assertTrue(shown.find(), "docs/plugin-example/README.md shows no <!-- plugin-example-output --> block");
        final String printed = normalized(run.out());
        for (final String line : shown.group(1).split("\n"))
        {
            assertTrue(printed.contains(normalized(line)), "the README shows '" + line.strip() +
                "', the run printed:\n" + run.out());
        }

        // the parameter reached the strategy: the dropped segment waited SRTT (the 20 ms RTT, no jitter) + add
        // (400 ms), never less, and less than the next RTT's worth of timer slack and ACK timing more
        final Matcher waited = LOSS_TO_RETRANSMISSION.matcher(run.out());
        assertTrue(waited.find(), run.out());
        final double waitedMs = Double.parseDouble(waited.group(1));
        assertTrue(waitedMs >= 420 && waitedMs < 440, "waited " + waitedMs + " ms for SRTT + add = 420 ms");
    }

    @Test
    void shouldNotKnowTheStrategyWithoutThePlugInOnTheClassPath() throws Exception
    {
        final Run run = simulate(false, documentedArguments(dir.resolve("without").toString()));
        assertEquals(2, run.exitCode(), run.out() + run.err());
        assertTrue(run.err().startsWith("escapement-simulator: unknown RTO strategy 'margin'; known strategies: " +
            "rfc6298, linux, rfc793, fixed, quic, eifel"), run.err());
    }

    @Test
    void shouldRefuseAnUnknownKeyAndABadValueNamingTheStrategyAndTheKey() throws Exception
    {
        final Run misspelt = simulate(true, List.of("--rto", "margin:ad=400ms", "--out", dir.resolve("k").toString()));
        assertEquals(2, misspelt.exitCode(), misspelt.err());
        assertTrue(misspelt.err().startsWith("escapement-simulator: strategy margin has no parameter 'ad'; its " +
            "parameters are: add, gain, initial, max"), misspelt.err());
        assertTrue(readme.contains("`strategy margin has no parameter 'ad'; its parameters are: add, gain, initial, " +
            "max`"), "the README quotes the message");

        final Run tooLarge = simulate(true, List.of("--rto", "margin:add=2s", "--out", dir.resolve("v").toString()));
        assertEquals(2, tooLarge.exitCode(), tooLarge.err());
        assertTrue(tooLarge.err().startsWith("escapement-simulator: strategy margin: parameter add=2s is invalid, " +
            "expected a duration from 1us to 1s"), tooLarge.err());
        assertTrue(readme.contains("`strategy margin: parameter add=2s is invalid, expected a duration from 1us to " +
            "1s`"), "the README quotes the message");
    }

    @Test
    void shouldCompareThePlugInBesideABuiltInStrategy() throws Exception
    {
        final Path out = dir.resolve("compare");
        final Run run = simulate(true, List.of("compare", "--connections", "100", "--strategies",
            "margin:add=400ms;rfc6298", "--sweep", "loss=0.02", "--timeline", "5s", "--out", out.toString(),
            "--progress", "false"));
        assertEquals(0, run.exitCode(), run.err());
        boolean named = false;
        try (Stream<Path> files = Files.list(out))
        {
            for (final Path file : files.filter(f -> f.toString().endsWith(".csv") || f.toString().endsWith(".md"))
                .toList())
            {
                named |= Files.readString(file).contains("margin:add=400ms");
            }
        }
        assertTrue(named, "compare's report or CSV names the plug-in strategy");
    }
}
