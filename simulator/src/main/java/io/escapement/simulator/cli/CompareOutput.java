package io.escapement.simulator.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * Where {@code compare} writes: every file goes first into a fresh sibling of {@code --out}, which replaces
 * {@code --out} as a whole once everything is written. A run that fails half-way leaves {@code --out} as it was
 * (the sibling is removed), and a finished run never leaves an earlier run's files beside its own: a reader of
 * {@code --out} sees one run, complete.
 * <p>
 * Everything that can be known before the runs start is checked by {@link #prepare}: the sibling is created and a
 * file written into it (so that an unwritable parent fails in a second, not after an hour of runs), and an
 * existing {@code --out} must be a directory that is empty or holds an earlier compare's output and nothing else:
 * {@code report.md} or {@code compare.csv}, and only files of the names compare writes (lower-case names ending
 * in {@code .md}, {@code .csv} or {@code .png}, no subdirectory). Any other directory (say {@code --out .}, or one
 * holding a {@code report.md} among other work), the working directory and its ancestors are refused rather than
 * replaced, and {@link #commit} checks again just before the swap.
 * <p>
 * The final swap is two renames (old aside, new in place), each atomic on one file system; between them
 * {@code --out} is briefly absent, never mixed.
 */
final class CompareOutput
{
    /** The files by which an earlier compare's directory is recognised. */
    static final List<String> MARKERS = List.of("report.md", "compare.csv");

    private final Path out;
    private final Path staging;
    private boolean keepStaging; // the swap was refused: the finished output stays where the message says

    private CompareOutput(final Path out, final Path staging)
    {
        this.out = out;
        this.staging = staging;
    }

    /**
     * Checks {@code --out} and creates the staging directory beside it.
     *
     * @throws IllegalArgumentException naming {@code --out} (a usage error, exit 2) if it cannot be written or
     *                                  holds files that are not an earlier compare's.
     */
    static CompareOutput prepare(final Path requested)
    {
        final Path out = requested.toAbsolutePath().normalize();
        if (Files.exists(out) && !Files.isDirectory(out))
        {
            throw new IllegalArgumentException("--out " + requested + ": is a file, not a directory");
        }
        final Path cwd = Path.of("").toAbsolutePath().normalize();
        if (cwd.startsWith(out))
        {
            throw new IllegalArgumentException("--out " + requested + ": is the working directory or holds it; " +
                "compare replaces its --out as a whole, so give an empty or new directory");
        }
        final String foreign = foreignEntry(out);
        if (foreign != null)
        {
            throw new IllegalArgumentException("--out " + requested + ": " + foreign + "; compare replaces its " +
                "--out as a whole, so give an empty or new directory, or an earlier compare's");
        }
        final Path parent = out.getParent();
        if (parent == null)
        {
            throw new IllegalArgumentException("--out " + requested + ": cannot be a file system's root");
        }
        try
        {
            Files.createDirectories(parent);
            final Path staging = Files.createTempDirectory(parent, "." + out.getFileName() + ".writing-");
            Files.writeString(staging.resolve(".probe"), "", StandardCharsets.UTF_8);
            Files.delete(staging.resolve(".probe"));
            return new CompareOutput(out, staging);
        }
        catch (final IOException | SecurityException e)
        {
            throw new IllegalArgumentException("--out " + requested + ": cannot write beside it in " + parent +
                " (" + e + ")");
        }
    }

    /**
     * @return why {@code dir} is not compare's to replace (it holds something compare does not write, or no
     * earlier output of compare's), or null if it is absent, empty or an earlier compare's output alone.
     */
    private static String foreignEntry(final Path dir)
    {
        if (!Files.isDirectory(dir))
        {
            return null;
        }
        boolean any = false;
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir))
        {
            for (final Path entry : entries)
            {
                any = true;
                final String name = entry.getFileName().toString();
                if (!Files.isRegularFile(entry, java.nio.file.LinkOption.NOFOLLOW_LINKS) ||
                    !name.matches("[a-z0-9][a-z0-9.-]*\\.(md|csv|png)"))
                {
                    return "holds " + name + ", which compare does not write";
                }
            }
        }
        catch (final IOException e)
        {
            throw new IllegalArgumentException("--out " + dir + ": cannot be read (" + e + ")");
        }
        if (any && MARKERS.stream().noneMatch(m -> Files.exists(dir.resolve(m))))
        {
            return "is not empty and holds no earlier compare output (" + String.join(" or ", MARKERS) + ")";
        }
        return null;
    }

    /** @return the directory to write every file into until {@link #commit}. */
    Path staging()
    {
        return staging;
    }

    /** @return the directory the files end up in. */
    Path out()
    {
        return out;
    }

    /** Puts the staged files in place of {@code --out}, and removes what was there. */
    void commit() throws IOException
    {
        Path old = null;
        final String foreign = foreignEntry(out);
        if (foreign != null)
        {
            // something was put there while the runs ran: keep it, and say where the finished output is
            keepStaging = true;
            throw new IOException("--out " + out + " " + foreign + " (added during the run): not replaced; the " +
                "finished output is in " + staging);
        }
        if (Files.exists(out))
        {
            old = Files.createTempDirectory(out.getParent(), "." + out.getFileName() + ".old-");
            Files.delete(old); // only its unique name is wanted: the rename below creates it
            move(out, old);
        }
        move(staging, out);
        if (old != null)
        {
            deleteTree(old);
        }
    }

    /** Removes the staging directory after a failed run; {@code --out} is untouched. */
    void abandon()
    {
        if (keepStaging)
        {
            return;
        }
        try
        {
            deleteTree(staging);
        }
        catch (final IOException ignored)
        {
            // best effort: the run's own failure is what the user must see
        }
    }

    private static void move(final Path from, final Path to) throws IOException
    {
        try
        {
            Files.move(from, to, StandardCopyOption.ATOMIC_MOVE);
        }
        catch (final AtomicMoveNotSupportedException e)
        {
            Files.move(from, to); // siblings share a file system; this is only for exotic ones
        }
    }

    static void deleteTree(final Path dir) throws IOException
    {
        if (!Files.exists(dir))
        {
            return;
        }
        try (Stream<Path> walk = Files.walk(dir))
        {
            for (final Path p : (Iterable<Path>)walk.sorted(Comparator.reverseOrder())::iterator)
            {
                Files.delete(p);
            }
        }
    }
}
