package io.escapement.sweep;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import java.util.stream.Stream;

/**
 * The stored results of finished runs: a directory (local, {@code hdfs://}, {@code s3a://}: any Hadoop file
 * system, so that executors on a cluster write where the driver reads) of CSV files, each a header and the rows of
 * the runs one task finished (a batch; a single run in a store written before batches, whose files still read).
 * Every row carries its run's key, a hash of all its options, so resuming looks runs up by key whatever batch
 * stored them. A file appears whole or not at all: it is written under {@code _temporary/} and renamed, so a
 * sweep killed at any point leaves only finished runs, and the next sweep with the same store skips them.
 *
 * <p>The directory is qualified once, on the driver, before a task carries it: a path without a scheme is on
 * Hadoop's default file system ({@code fs.defaultFS}: HDFS on a cluster, the local disk embedded), relative to its
 * working directory (the driver's for the local disk), so that every executor writes where the driver reads, not
 * into its own working directory. A local directory ({@code file:}) is written with {@code java.nio} rather than
 * Hadoop's local file system, which sets each new file's permissions by starting a {@code chmod} process when Hadoop's native
 * library is missing, as it is here: a fork of the whole JVM per stored file.
 *
 * <p>Serializable: a Spark task carries the directory's name and opens the file system where it runs.
 */
final class RunStore implements Serializable
{
    private static final long serialVersionUID = 2L;

    private static final String SUFFIX = ".csv";
    private static final String TEMPORARY = "_temporary";
    private static final Map<String, FileSystem> FILE_SYSTEMS = new ConcurrentHashMap<>();

    private final String directory;
    private transient FileSystem fs;

    /**
     * A store in {@code directory}, qualified on Hadoop's default file system of {@code conf} if it has no scheme.
     *
     * @throws UncheckedIOException if the default file system cannot be opened.
     */
    RunStore(final String directory, final Configuration conf)
    {
        this.directory = qualified(directory, conf);
    }

    /** A store in {@code directory}, qualified with Hadoop's default settings (the local disk, unless configured). */
    RunStore(final String directory)
    {
        this(directory, new Configuration());
    }

    /** @return the directory with a scheme and an absolute path: on the default file system if it had no scheme. */
    static String qualified(final String directory, final Configuration conf)
    {
        final Path path = new Path(directory);
        try
        {
            final FileSystem fs = path.toUri().getScheme() == null ? FileSystem.get(conf) : path.getFileSystem(conf);
            return fs.makeQualified(path).toString();
        }
        catch (final IOException e)
        {
            throw new UncheckedIOException("cannot open the file system of the run store " + directory + ": " + e, e);
        }
    }

    String directory()
    {
        return directory;
    }

    /** @return the directory as a local path, or null if it is on another file system (Hadoop's). */
    private java.nio.file.Path local()
    {
        // qualified: a scheme-less directory is on the default file system, which may be HDFS
        final URI uri = new Path(directory).toUri();
        return "file".equals(uri.getScheme()) ? java.nio.file.Path.of(uri) : null;
    }

    private FileSystem fs() throws IOException
    {
        if (fs == null)
        {
            // one per JVM and directory: a task deserializes its own store, and a Configuration reads Hadoop's
            // default XML files when made, which would cost every task tens of milliseconds
            fs = FILE_SYSTEMS.computeIfAbsent(directory, d ->
            {
                try
                {
                    // an instance of our own, not Hadoop's shared one, whose settings Spark's own writes use
                    final FileSystem own = FileSystem.newInstance(new Path(d).toUri(), new Configuration());
                    own.setWriteChecksum(false); // no .crc files beside the results
                    return own;
                }
                catch (final IOException e)
                {
                    throw new UncheckedIOException("cannot open the run store " + d + ": " + e, e);
                }
            });
        }
        return fs;
    }

    /**
     * Reads every stored run: one listing and a read per file, not a look-up per run, on a remote file system.
     * A file that cannot be read (written by a simulator with other counters, say, whose runs' keys differ from
     * this one's anyway; not UTF-8; not readable by this user) is skipped with a warning: at worst its runs run
     * again. Only a directory that cannot be listed is an error.
     *
     * @param warnings told of each file skipped, naming it and why.
     * @return the stored runs by key (a run stored twice, by two batches or two attempts, once: runs are
     * deterministic, either copy is the result).
     */
    Map<String, RunResult> stored(final Consumer<String> warnings)
    {
        final Map<String, RunResult> runs = new HashMap<>();
        try
        {
            final java.nio.file.Path local = local();
            if (local != null)
            {
                if (!Files.isDirectory(local))
                {
                    return runs;
                }
                try (Stream<java.nio.file.Path> files = Files.list(local))
                {
                    for (final java.nio.file.Path file : files.filter(f -> f.getFileName().toString()
                        .endsWith(SUFFIX) && Files.isRegularFile(f)).sorted().toList())
                    {
                        read(file.toString(), () -> Files.newInputStream(file), runs, warnings);
                    }
                }
                return runs;
            }
            final Path dir = new Path(directory);
            if (!fs().exists(dir))
            {
                return runs;
            }
            for (final FileStatus file : fs().listStatus(dir))
            {
                if (file.isFile() && file.getPath().getName().endsWith(SUFFIX))
                {
                    read(file.getPath().toString(), () -> fs().open(file.getPath()), runs, warnings);
                }
            }
            return runs;
        }
        catch (final IOException e)
        {
            throw new UncheckedIOException("cannot read the run store " + directory + ": " + e, e);
        }
    }

    /** Opens a stored file. */
    @FunctionalInterface
    private interface Opener
    {
        InputStream open() throws IOException;
    }

    /**
     * Reads one file's runs into {@code runs}, or none of them: a file that cannot be opened, decoded (strict
     * UTF-8, on every file system alike) or parsed is skipped with a warning.
     */
    private static void read(final String file, final Opener opener, final Map<String, RunResult> runs,
        final Consumer<String> warnings)
    {
        final Map<String, RunResult> read = new HashMap<>();
        try
        {
            final List<String> lines = new ArrayList<>();
            // a decoder that reports malformed input, as Files.readAllLines does, rather than replacing it
            try (BufferedReader reader = new BufferedReader(new InputStreamReader(opener.open(),
                StandardCharsets.UTF_8.newDecoder())))
            {
                for (String line; (line = reader.readLine()) != null; )
                {
                    lines.add(line);
                }
            }
            if (lines.size() < 2)
            {
                throw new IllegalArgumentException("no run in it");
            }
            for (final String row : lines.subList(1, lines.size()))
            {
                final RunResult run = RunResult.parse(lines.get(0), row);
                read.put(run.spec().key(), run);
            }
        }
        // a bad number, a missing column, a truncated row, bytes that are not UTF-8, a file this user may not
        // read: the file, not the sweep
        catch (final IOException | RuntimeException e)
        {
            warnings.accept("stored runs " + file + " cannot be read (" + (e instanceof IOException ? e.toString() :
                e.getMessage()) + "): skipped, its runs " +
                "run again if this sweep has them; delete it to silence this");
            return;
        }
        runs.putAll(read);
    }

    /**
     * @return the stored result of the run, at the run's place in this sweep, or null if {@code stored} has none.
     * @throws IllegalStateException if the result stored under the run's key is of another run.
     */
    static RunResult find(final Map<String, RunResult> stored, final RunSpec spec)
    {
        final RunResult found = spec.kept() ? stored.get(spec.key()) : null;
        if (found == null)
        {
            return null;
        }
        if (!found.spec().sameRun(spec))
        {
            throw new IllegalStateException("the run stored as " + spec.key() + " is of " + found.spec().describe() +
                ", not of " + spec.describe());
        }
        // the index is the place in this sweep's order, which may differ from the sweep that stored it
        return found.at(spec);
    }

    /**
     * Stores finished runs, whole: one file, written aside, then renamed into place. The file's name is a hash of
     * the runs' keys, so another attempt of the same batch (a retry, a speculative copy) writes the same name.
     * Runs whose code could not be identified ({@link RunSpec#kept()} false) are not stored.
     */
    void store(final List<RunResult> finished) throws IOException
    {
        final List<RunResult> results = finished.stream().filter(r -> r.spec().kept()).toList();
        if (results.isEmpty())
        {
            return;
        }
        final StringBuilder s = new StringBuilder(RunResult.csvHeader()).append('\n');
        final StringBuilder keys = new StringBuilder();
        for (final RunResult result : results)
        {
            s.append(result.toCsv()).append('\n');
            keys.append(result.spec().key()).append('\n');
        }
        final String name = results.size() == 1 ? results.get(0).spec().key() : "batch-" + hash(keys);
        final byte[] bytes = s.toString().getBytes(StandardCharsets.UTF_8);
        final java.nio.file.Path local = local();
        if (local != null)
        {
            final java.nio.file.Path temporary = local.resolve(TEMPORARY).resolve(name + "-" + UUID.randomUUID() +
                SUFFIX);
            Files.createDirectories(temporary.getParent());
            Files.write(temporary, bytes);
            // atomic, and replacing: a file another attempt stored under the same name holds the same runs
            Files.move(temporary, local.resolve(name + SUFFIX), StandardCopyOption.ATOMIC_MOVE,
                StandardCopyOption.REPLACE_EXISTING);
            return;
        }
        final Path target = new Path(directory, name + SUFFIX);
        final Path temporary = new Path(new Path(directory, TEMPORARY), name + "-" + UUID.randomUUID() + SUFFIX);
        try (FSDataOutputStream out = fs().create(temporary, true))
        {
            out.write(bytes);
        }
        // another attempt of the same batch may have stored it first: runs are deterministic, so either file is
        // the result
        if (!fs().rename(temporary, target))
        {
            fs().delete(temporary, false);
            if (!fs().exists(target))
            {
                throw new IOException("cannot rename " + temporary + " to " + target);
            }
        }
    }

    private static String hash(final CharSequence text)
    {
        try
        {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(text.toString()
                .getBytes(StandardCharsets.UTF_8)), 0, 16);
        }
        catch (final NoSuchAlgorithmException e)
        {
            throw new IllegalStateException("every JVM has SHA-256", e);
        }
    }
}
