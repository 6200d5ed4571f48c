package io.escapement.sweep;

import java.io.IOException;
import java.lang.reflect.InvocationTargetException;
import java.net.URISyntaxException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * The application jar's entry point. Under {@code spark-submit} Spark is on the class path and the sweep starts
 * at once. Under {@code java -jar}, with Spark not installed, it loads the sweep and Spark from the jar and the
 * {@code spark-jars} directory the build puts beside it, in a class loader of their own, so that one jar serves
 * both: the cluster's Spark when there is one, the build's otherwise. The JVM options Spark needs on Java 17 come
 * from the jar's manifest ({@code Add-Opens}), which {@code java -jar} honours.
 */
public final class SweepLauncher
{
    private static final String MAIN = "io.escapement.sweep.SweepCommand";

    private SweepLauncher()
    {
    }

    /** Starts the sweep, on the class path's Spark if it has one, else on the jars beside this jar. */
    public static void main(final String[] args) throws Exception
    {
        ClassLoader loader = SweepLauncher.class.getClassLoader();
        if (!hasSpark(loader))
        {
            loader = besideJar();
            Thread.currentThread().setContextClassLoader(loader); // Spark and Hadoop load by the context's loader
        }
        try
        {
            loader.loadClass(MAIN).getMethod("main", String[].class).invoke(null, (Object)args);
        }
        catch (final InvocationTargetException e)
        {
            throw e.getCause() instanceof Exception cause ? cause : e;
        }
    }

    private static boolean hasSpark(final ClassLoader loader)
    {
        try
        {
            Class.forName("org.apache.spark.SparkContext", false, loader);
            return true;
        }
        catch (final ClassNotFoundException e)
        {
            return false;
        }
    }

    private static ClassLoader besideJar() throws IOException, URISyntaxException
    {
        final Path jar = Path.of(SweepLauncher.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        final Path jars = jar.resolveSibling("spark-jars");
        if (!Files.isDirectory(jars))
        {
            System.err.println("escapement-sweep: Spark is not on the class path and " + jars + " does not exist; " +
                "build it with `mvn -pl sweep -am package`, or run the jar with spark-submit");
            System.exit(SweepCommand.EXIT_USAGE);
        }
        final List<URL> urls = new ArrayList<>();
        urls.add(jar.toUri().toURL());
        try (Stream<Path> files = Files.list(jars))
        {
            for (final Path file : files.filter(f -> f.toString().endsWith(".jar")).sorted().toList())
            {
                urls.add(file.toUri().toURL());
            }
        }
        // the platform loader as parent: the sweep's classes come from the new loader, beside Spark's, never from
        // the application loader, where Spark is missing
        return new URLClassLoader("escapement-sweep", urls.toArray(new URL[0]),
            ClassLoader.getPlatformClassLoader());
    }
}
