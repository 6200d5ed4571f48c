package io.escapement.docs;

import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.lang.reflect.Method;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Compiles every example of the README and of {@code docs/} (a {@code java} block right after a marker
 * {@code <!-- NAME-example -->}, followed by a {@code text} block of its output), runs it, and compares what it
 * prints with the output the page shows, so the examples cannot rot. The README must keep its front-door examples.
 */
class ReadmeExampleTest
{
    private static final Pattern CLASS_NAME = Pattern.compile("public class (\\w+)");
    private static final Pattern EXAMPLE = Pattern.compile(
        "<!-- ([\\w-]+-example) -->\\s*```java\\n(.*?)```.*?```text\\n(.*?)```", Pattern.DOTALL);
    /** The examples the front door must show: the wheel, the service, and the switch from the JDK's executor. */
    private static final List<String> README_EXAMPLES = List.of("embedding-example", "service-example", "executor-example");

    @TestFactory
    List<DynamicTest> everyExampleCompilesRunsAndPrintsWhatItsPageShows() throws Exception
    {
        final Path root = Path.of(System.getProperty("escapement.root", ".."));
        final List<Path> pages = new ArrayList<>();
        pages.add(root.resolve("README.md"));
        try (Stream<Path> docs = Files.list(root.resolve("docs")))
        {
            docs.filter(path -> path.toString().endsWith(".md")).sorted().forEach(pages::add);
        }
        final List<DynamicTest> tests = new ArrayList<>();
        final List<String> readmeMarkers = new ArrayList<>();
        for (final Path page : pages)
        {
            final Matcher example = EXAMPLE.matcher(Files.readString(page));
            while (example.find())
            {
                final String marker = example.group(1);
                final String source = example.group(2);
                final String expected = example.group(3);
                if (page.getFileName().toString().equals("README.md"))
                {
                    readmeMarkers.add(marker);
                }
                tests.add(DynamicTest.dynamicTest(page.getFileName() + " " + marker,
                    () -> compileRunAndCompare(page + " " + marker, source, expected)));
            }
        }
        assertTrue(readmeMarkers.containsAll(README_EXAMPLES),
            "README.md must show " + README_EXAMPLES + ", found " + readmeMarkers);
        return tests;
    }

    private void compileRunAndCompare(final String where, final String source, final String expectedOutput)
        throws Exception
    {
        final Matcher className = CLASS_NAME.matcher(source);
        assertTrue(className.find(), where + ": the example declares no public class");

        final Path dir = Files.createTempDirectory("readme-example");
        final Path file = dir.resolve(className.group(1) + ".java");
        Files.writeString(file, source);
        final JavaCompiler compiler = ToolProvider.getSystemJavaCompiler();
        assertNotNull(compiler, "tests must run on a JDK");
        final String classPath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        final ByteArrayOutputStream diagnostics = new ByteArrayOutputStream();
        final int status = compiler.run(null, diagnostics, diagnostics,
            "--release", "17", "-cp", classPath, "-d", dir.toString(), file.toString());
        assertEquals(0, status, where + ": the example does not compile:\n" + diagnostics);

        final ByteArrayOutputStream captured = new ByteArrayOutputStream();
        final PrintStream original = System.out;
        try (URLClassLoader loader = new URLClassLoader(new URL[]{dir.toUri().toURL()}, getClass().getClassLoader()))
        {
            final Method main = loader.loadClass(className.group(1)).getMethod("main", String[].class);
            System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
            main.invoke(null, (Object)new String[0]);
        }
        finally
        {
            System.setOut(original);
        }
        assertEquals(expectedOutput, captured.toString(StandardCharsets.UTF_8).replace(System.lineSeparator(), "\n"),
            where + ": the example printed something else than its page shows");
    }
}
