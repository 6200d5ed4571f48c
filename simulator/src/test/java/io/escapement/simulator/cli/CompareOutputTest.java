package io.escapement.simulator.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
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
}
