package io.escapement.engine;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

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
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Compiles each of the README's examples (the wheel's, marked {@code <!-- embedding-example -->}, and the
 * service's, marked {@code <!-- service-example -->}), runs it, and compares what it prints with the output the
 * README shows, so the examples cannot rot.
 */
class ReadmeExampleTest
{
    private static final Pattern CLASS_NAME = Pattern.compile("public class (\\w+)");

    @ParameterizedTest
    @ValueSource(strings = {"embedding-example", "service-example"})
    void readmeExampleCompilesRunsAndPrintsWhatTheReadmeShows(final String marker) throws Exception
    {
        final String readmePath = System.getProperty("escapement.readme", "../README.md");
        final String readme = Files.readString(Path.of(readmePath));
        final Matcher example = Pattern.compile(
            "<!-- " + marker + " -->\\s*```java\\n(.*?)```.*?```text\\n(.*?)```", Pattern.DOTALL).matcher(readme);
        assertTrue(example.find(), "README.md has no <!-- " + marker + " --> java block followed by its output");
        final String source = example.group(1);
        final String expectedOutput = example.group(2);
        final Matcher className = CLASS_NAME.matcher(source);
        assertTrue(className.find(), "the example declares no public class");

        final Path dir = Files.createTempDirectory("readme-example");
        final Path file = dir.resolve(className.group(1) + ".java");
        Files.writeString(file, source);
        final JavaCompiler compiler = ToolProvider.getSystemJavaCompiler();
        assertNotNull(compiler, "tests must run on a JDK");
        final String classPath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        final ByteArrayOutputStream diagnostics = new ByteArrayOutputStream();
        final int status = compiler.run(null, diagnostics, diagnostics,
            "--release", "17", "-cp", classPath, "-d", dir.toString(), file.toString());
        assertEquals(0, status, "the README example does not compile:\n" + diagnostics);

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
        assertEquals(expectedOutput, captured.toString(StandardCharsets.UTF_8).replace(System.lineSeparator(), "\n"));
    }
}
