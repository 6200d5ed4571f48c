package io.escapement.sweep;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The stored results of finished runs: a directory (local, {@code hdfs://}, {@code s3a://}: any Hadoop file
 * system, so that executors on a cluster write where the driver reads) holding one CSV file per run, named by the
 * run's key, a hash of all its options. A file appears whole or not at all: it is written under
 * {@code _temporary/} and renamed, so a sweep killed at any point leaves only finished runs, and the next sweep
 * with the same store skips them.
 *
 * <p>Serializable: a Spark task carries the directory's name and opens the file system where it runs.
 */
final class RunStore implements Serializable
{
    private static final long serialVersionUID = 1L;

    private static final Map<String, FileSystem> FILE_SYSTEMS = new ConcurrentHashMap<>();

    private final String directory;
    private transient FileSystem fs;

    RunStore(final String directory)
    {
        this.directory = directory;
    }

    String directory()
    {
        return directory;
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
                    own.setWriteChecksum(false); // no .crc files beside the results on a local disk
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

    private Path file(final String key)
    {
        return new Path(directory, key + ".csv");
    }

    /** @return the keys of the stored runs: one listing, not a look-up per run, on a remote file system. */
    Set<String> keys()
    {
        try
        {
            final Path dir = new Path(directory);
            final Set<String> keys = new HashSet<>();
            if (!fs().exists(dir))
            {
                return keys;
            }
            for (final FileStatus file : fs().listStatus(dir))
            {
                final String name = file.getPath().getName();
                if (file.isFile() && name.endsWith(".csv"))
                {
                    keys.add(name.substring(0, name.length() - ".csv".length()));
                }
            }
            return keys;
        }
        catch (final IOException e)
        {
            throw new UncheckedIOException("cannot list the run store " + directory + ": " + e, e);
        }
    }

    /** @return the stored result of the run, or null if it has none. */
    RunResult load(final RunSpec spec)
    {
        try
        {
            final Path file = file(spec.key());
            if (!fs().exists(file))
            {
                return null;
            }
            try (BufferedReader reader = new BufferedReader(new InputStreamReader(fs().open(file),
                StandardCharsets.UTF_8)))
            {
                final String header = reader.readLine();
                final String row = reader.readLine();
                if (header == null || row == null)
                {
                    throw new IllegalStateException("stored run " + file + " is empty");
                }
                final RunResult stored = RunResult.parse(header, row);
                final RunSpec was = stored.spec();
                if (!was.sameRun(spec))
                {
                    throw new IllegalStateException("stored run " + file + " is of " + was.describe() + ", not of " +
                        spec.describe());
                }
                // the index is the place in this sweep's order, which may differ from the sweep that stored it
                return stored.at(spec);
            }
            catch (final IllegalArgumentException e)
            {
                throw new IllegalStateException("stored run " + file + " cannot be read: " + e.getMessage() +
                    " (delete it to run it again)", e);
            }
        }
        catch (final IOException e)
        {
            throw new UncheckedIOException("cannot read the run store " + directory + ": " + e, e);
        }
    }

    /** Stores a result, whole: written aside, then renamed into place. */
    void store(final RunResult result) throws IOException
    {
        final Path target = file(result.spec().key());
        final Path temporary = new Path(new Path(directory, "_temporary"), result.spec().key() + "-" +
            UUID.randomUUID() + ".csv");
        try (FSDataOutputStream out = fs().create(temporary, true))
        {
            out.write((RunResult.csvHeader() + "\n" + result.toCsv() + "\n").getBytes(StandardCharsets.UTF_8));
        }
        // another attempt of the same run (a speculative copy, a retry after a lost executor) may have stored it
        // first: runs are deterministic, so either file is the result
        if (!fs().rename(temporary, target))
        {
            fs().delete(temporary, false);
            if (!fs().exists(target))
            {
                throw new IOException("cannot rename " + temporary + " to " + target);
            }
        }
    }
}
