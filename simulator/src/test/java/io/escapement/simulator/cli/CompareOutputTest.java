package io.escapement.simulator.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@link CompareOutput}: a compare that fails half-way leaves --out as it was; one that finishes replaces it. */
class CompareOutputTest
{
    @TempDir
    Path dir;

    @Test
    void shouldLeaveTheEarlierRunUntouchedWhenARunFailsHalfWay() throws IOException
    {
        final Path out = Files.createDirectories(dir.resolve("compare"));
        Files.writeString(out.resolve("report.md"), "earlier");
        final CompareOutput output = CompareOutput.prepare(out);
        Files.writeString(output.staging().resolve("compare.csv"), "half of a new run");
        output.abandon(); // what CompareCommand does when a run throws
        assertEquals("earlier", Files.readString(out.resolve("report.md")));
        try (var files = Files.list(out))
        {
            assertEquals(List.of(out.resolve("report.md")), files.toList());
        }
        try (var siblings = Files.list(dir))
        {
            assertEquals(List.of(out), siblings.toList(), "the staging directory is removed");
        }
    }

    @Test
    void shouldCreateANewOutOnCommit() throws IOException
    {
        final Path out = dir.resolve("a/b/compare");
        final CompareOutput output = CompareOutput.prepare(out);
        Files.writeString(output.staging().resolve("report.md"), "new");
        output.commit();
        output.abandon();
        assertEquals("new", Files.readString(out.resolve("report.md")));
        assertTrue(Files.isDirectory(out));
    }

    @Test
    void shouldRefuseADirectoryHoldingAReportBesideOtherWork() throws IOException
    {
        // a project folder with a report.md of its own is not compare's output: replacing it would delete the work
        final Path project = Files.createDirectories(dir.resolve("project"));
        Files.writeString(project.resolve("report.md"), "my notes");
        Files.createDirectories(project.resolve("src"));
        final IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
            () -> CompareOutput.prepare(project));
        assertTrue(e.getMessage().contains("holds src, which compare does not write"), e.getMessage());
        Files.delete(project.resolve("src"));
        Files.writeString(project.resolve("Notes.txt"), "more");
        assertThrows(IllegalArgumentException.class, () -> CompareOutput.prepare(project));
        assertTrue(Files.exists(project.resolve("report.md")));
    }

    @Test
    void shouldRefuseTheWorkingDirectoryAndItsAncestors()
    {
        final IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
            () -> CompareOutput.prepare(Path.of("")));
        assertTrue(e.getMessage().contains("working directory"), e.getMessage());
        assertThrows(IllegalArgumentException.class,
            () -> CompareOutput.prepare(Path.of("").toAbsolutePath().getParent()));
    }

    @Test
    void shouldKeepWhatWasAddedDuringTheRunAndTheFinishedOutputBeside() throws IOException
    {
        final Path out = Files.createDirectories(dir.resolve("compare"));
        Files.writeString(out.resolve("report.md"), "earlier");
        final CompareOutput output = CompareOutput.prepare(out);
        Files.writeString(output.staging().resolve("report.md"), "new");
        Files.writeString(out.resolve("thesis.tex"), "written while compare ran");
        final IOException e = assertThrows(IOException.class, output::commit);
        output.abandon();
        assertTrue(e.getMessage().contains(output.staging().toString()), e.getMessage());
        assertEquals("written while compare ran", Files.readString(out.resolve("thesis.tex")));
        assertEquals("new", Files.readString(output.staging().resolve("report.md")), "the finished output is kept");
    }
}
