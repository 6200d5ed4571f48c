package io.escapement.sweep;

import io.escapement.engine.rto.RtoStrategyProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.TreeMap;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

/** The run key's cover of a plug-in strategy's code: a rebuilt plug-in must not reuse runs the old one stored. */
class CompareBridgeTest
{
    private static final String FIXTURE = PlugInStrategyFixture.class.getName();

    @TempDir
    Path dir;

    @Test
    void shouldChangeAPlugInStrategysRunKeysWhenItsJarChangesAndNoBuiltInStrategysKey() throws Exception
    {
        final Path one = jar("one", "built once");
        final Path two = jar("two", "built again");
        final Path copy = jar("copy", "built once");
        final String plugin = PlugInStrategyFixture.NAME + ":rto=1s";
        assertNotEquals(key(one, plugin), key(two, plugin), "another build of the plug-in: other keys");
        assertEquals(key(one, plugin), key(copy, plugin), "the same jar elsewhere: the same keys");
        assertEquals(key(null, "rfc6298:min=200ms"), key(one, "rfc6298:min=200ms"),
            "a built-in strategy's keys do not depend on the plug-ins beside it");
        assertEquals(key(one, "rfc6298:min=200ms"), key(two, "rfc6298:min=200ms"));
    }

    /** @return the run key of a strategy, with {@code jar}'s (a jar's or a class directory's) plug-in (if not null) on the context class loader. */
    private static String key(final Path jar, final String strategy) throws IOException
    {
        final Thread thread = Thread.currentThread();
        final ClassLoader was = thread.getContextClassLoader();
        try (URLClassLoader loader = jar == null ? null : new ChildFirst(jar))
        {
            if (loader != null)
            {
                thread.setContextClassLoader(loader);
            }
            return CompareBridge.key(new TreeMap<>(), strategy, 1, "loss", new double[]{0.01});
        }
        finally
        {
            thread.setContextClassLoader(was);
        }
    }

    /** @return a jar holding the fixture, its services file and a note that makes two builds' bytes differ. */
    private Path jar(final String name, final String note) throws IOException
    {
        final Path jar = Files.createDirectories(dir.resolve(name)).resolve("plugin.jar");
        try (OutputStream file = Files.newOutputStream(jar); JarOutputStream out = new JarOutputStream(file))
        {
            put(out, "META-INF/services/" + RtoStrategyProvider.class.getName(),
                (FIXTURE + "\n").getBytes(StandardCharsets.UTF_8));
            final String classFile = FIXTURE.replace('.', '/') + ".class";
            try (InputStream in = CompareBridgeTest.class.getClassLoader().getResourceAsStream(classFile))
            {
                put(out, classFile, in.readAllBytes());
            }
            put(out, "note.txt", note.getBytes(StandardCharsets.UTF_8));
        }
        return jar;
    }

    private static void put(final JarOutputStream out, final String name, final byte[] bytes) throws IOException
    {
        final JarEntry entry = new JarEntry(name);
        entry.setTime(0); // the same contents give the same bytes
        out.putNextEntry(entry);
        out.write(bytes);
        out.closeEntry();
    }

    /** Loads the fixture from the jar, not from the test classes its parent also has. */
    private static final class ChildFirst extends URLClassLoader
    {
        ChildFirst(final Path code) throws IOException
        {
            // a jar, or a class directory (its URL ends with '/')
            super(new URL[]{code.toUri().toURL()}, CompareBridgeTest.class.getClassLoader());
        }

        @Override
        protected Class<?> loadClass(final String name, final boolean resolve) throws ClassNotFoundException
        {
            if (!name.equals(FIXTURE))
            {
                return super.loadClass(name, resolve);
            }
            synchronized (getClassLoadingLock(name))
            {
                final Class<?> loaded = findLoadedClass(name);
                return loaded != null ? loaded : findClass(name);
            }
        }
    }

    @Test
    void shouldChangeAPlugInStrategysRunKeysWhenItsClassDirectoryChanges() throws Exception
    {
        final Path classes = directory("classes", "built once");
        final String plugin = PlugInStrategyFixture.NAME + ":rto=1s";
        final String once = key(classes, plugin);
        assertEquals(once, key(directory("elsewhere", "built once"), plugin), "the same classes elsewhere");
        Files.writeString(classes.resolve("note.txt"), "built again");
        assertNotEquals(once, key(classes, plugin), "rebuilt in place: other keys");
        Files.writeString(classes.resolve("note.txt"), "built once");
        assertEquals(once, key(classes, plugin));
        Files.writeString(classes.resolve("added.txt"), "");
        assertNotEquals(once, key(classes, plugin), "a file more: other keys");
        assertTrue(!once.startsWith(RunSpec.UNKEPT), once);
    }

    @Test
    void shouldNeitherStoreNorReuseRunsOfAPlugInWhoseCodeIsUnknown() throws Exception
    {
        final Path services = Files.writeString(dir.resolve("services"), FIXTURE + "\n");
        final byte[] bytes;
        try (InputStream in = CompareBridgeTest.class.getClassLoader().getResourceAsStream(
            FIXTURE.replace('.', '/') + ".class"))
        {
            bytes = in.readAllBytes();
        }
        // a class defined from bytes, with no code source's location: nothing to take a digest of
        final ClassLoader loader = new ClassLoader(CompareBridgeTest.class.getClassLoader())
        {
            @Override
            protected Class<?> loadClass(final String name, final boolean resolve) throws ClassNotFoundException
            {
                if (!name.equals(FIXTURE))
                {
                    return super.loadClass(name, resolve);
                }
                synchronized (getClassLoadingLock(name))
                {
                    final Class<?> loaded = findLoadedClass(name);
                    return loaded != null ? loaded : defineClass(name, bytes, 0, bytes.length);
                }
            }

            @Override
            public java.util.Enumeration<URL> getResources(final String name) throws IOException
            {
                return name.equals("META-INF/services/" + RtoStrategyProvider.class.getName()) ?
                    java.util.Collections.enumeration(java.util.List.of(services.toUri().toURL())) :
                    super.getResources(name);
            }
        };
        final Thread thread = Thread.currentThread();
        final ClassLoader was = thread.getContextClassLoader();
        thread.setContextClassLoader(loader);
        try
        {
            final String key = CompareBridge.key(new TreeMap<>(), PlugInStrategyFixture.NAME + ":rto=1s", 1, "loss",
                new double[]{0.01});
            assertTrue(key.startsWith(RunSpec.UNKEPT), key);
            assertFalse(new RunSpec(0, PlugInStrategyFixture.NAME, 1, "loss", new double[]{0.01}, key).kept());
            assertFalse(CompareBridge.key(new TreeMap<>(), "rfc6298", 1, "loss", new double[]{0.01})
                .startsWith(RunSpec.UNKEPT), "a built-in strategy beside it is kept");
        }
        finally
        {
            thread.setContextClassLoader(was);
        }
    }

    /** @return a class directory holding the fixture, its services file and a note. */
    private Path directory(final String name, final String note) throws IOException
    {
        final Path classes = Files.createDirectories(dir.resolve(name));
        final Path services = classes.resolve("META-INF/services/" + RtoStrategyProvider.class.getName());
        Files.createDirectories(services.getParent());
        Files.writeString(services, FIXTURE + "\n");
        final Path classFile = classes.resolve(FIXTURE.replace('.', '/') + ".class");
        Files.createDirectories(classFile.getParent());
        try (InputStream in = CompareBridgeTest.class.getClassLoader().getResourceAsStream(
            FIXTURE.replace('.', '/') + ".class"))
        {
            Files.write(classFile, in.readAllBytes());
        }
        Files.writeString(classes.resolve("note.txt"), note);
        return classes;
    }
}
