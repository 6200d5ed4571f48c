package io.escapement.sweep;

import io.escapement.simulator.Simulation;
import io.escapement.simulator.cli.CompareEntryPoints;
import io.escapement.simulator.report.Report;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.RawLocalFileSystem;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The store of finished runs, a file a task, without Spark. */
class RunStoreTest
{
    private static Report report;

    @TempDir
    Path dir;

    private final List<String> warnings = new ArrayList<>();

    @BeforeAll
    static void simulate() throws InterruptedException
    {
        report = new Simulation(CompareEntryPoints.workload(new String[]{"--connections", "50", "--sweep", "loss=0"})
            .scenario("rfc6298", 1, new double[]{0}), 1, null, null).run(null);
    }

    /** @return a result under a spec of its own (the figures are one run's: the store does not look at them). */
    private static RunResult result(final int index)
    {
        return RunResult.of(new RunSpec(index, "rfc6298", index, "loss", new double[]{0}, "key" + index), report);
    }

    private List<String> files() throws IOException
    {
        try (Stream<Path> files = Files.list(dir))
        {
            return files.filter(Files::isRegularFile).map(f -> f.getFileName().toString()).sorted().toList();
        }
    }

    @Test
    void shouldFindEveryRunOfEveryBatchByKeyAndReplaceABatchStoredAgain() throws IOException
    {
        final RunStore store = new RunStore(dir.toString());
        store.store(List.of(result(0), result(1), result(2)));
        store.store(List.of(result(3)));
        store.store(List.of(result(0), result(1), result(2))); // a retry of the batch: the same name, replaced
        assertEquals(2, files().size(), files().toString());
        assertTrue(files().contains("key3.csv"), "a task of one run: its key's name");
        try (Stream<Path> left = Files.list(dir.resolve("_temporary")))
        {
            assertEquals(0, left.count(), "nothing left aside");
        }
        final Map<String, RunResult> stored = store.stored(warnings::add);
        assertEquals(List.of("key0", "key1", "key2", "key3"), stored.keySet().stream().sorted().toList());
        assertEquals(List.of(), warnings);
        // looked up at this sweep's place for the run, whatever its place when stored
        final RunSpec elsewhere = new RunSpec(7, "rfc6298", 2, "loss", new double[]{0}, "key2");
        assertEquals(result(2).toCsv().replaceFirst(",2,", ",7,"), RunStore.find(stored, elsewhere).toCsv());
        assertEquals(null, RunStore.find(stored, new RunSpec(0, "rfc6298", 9, "loss", new double[]{0}, "key9")));
    }

    @Test
    void shouldRefuseARunStoredUnderItsKeyForAnotherRun() throws IOException
    {
        final RunStore store = new RunStore(dir.toString());
        store.store(List.of(result(1)));
        final RunSpec other = new RunSpec(1, "rfc793", 1, "loss", new double[]{0}, "key1");
        final IllegalStateException e = assertThrows(IllegalStateException.class,
            () -> RunStore.find(store.stored(warnings::add), other));
        assertTrue(e.getMessage().contains("strategy=rfc6298") && e.getMessage().contains("strategy=rfc793"),
            e.getMessage());
    }

    @Test
    void shouldSkipAFileItCannotReadWithAWarningNamingItAndReadTheOthers() throws IOException
    {
        final RunStore store = new RunStore(dir.toString());
        store.store(List.of(result(0), result(1)));
        Files.writeString(dir.resolve("batch-old.csv"), "key,index,strategy,seed,parameter,value,no_such_counter\n" +
            "k,0,\"rfc6298\",1,loss,0.0,x\n");
        Files.writeString(dir.resolve("empty.csv"), "");
        assertEquals(2, store.stored(warnings::add).size());
        assertEquals(2, warnings.size(), warnings.toString());
        assertTrue(warnings.stream().anyMatch(w -> w.startsWith("stored runs " + dir.resolve("batch-old.csv") +
            " cannot be read")), warnings.toString());
        assertTrue(warnings.stream().anyMatch(w -> w.contains("empty.csv")), warnings.toString());
    }

    @Test
    void shouldSkipAFileThatIsNotUtf8WithAWarningRatherThanStopTheSweep() throws IOException
    {
        final RunStore store = new RunStore(dir.toString());
        store.store(List.of(result(0)));
        Files.write(dir.resolve("latin1.csv"), new byte[]{'k', 'e', 'y', '\n', (byte)0xE9, 'x', '\n'});
        assertEquals(List.of("key0"), List.copyOf(store.stored(warnings::add).keySet()));
        assertEquals(1, warnings.size(), warnings.toString());
        assertTrue(warnings.get(0).startsWith("stored runs " + dir.resolve("latin1.csv") + " cannot be read (" +
            "java.nio.charset.MalformedInputException"), warnings.toString());
    }

    @Test
    void shouldNeitherStoreNorFindARunWhoseCodeIsUnknown() throws IOException
    {
        final RunStore store = new RunStore(dir.toString());
        final RunSpec unkept = new RunSpec(0, "plugin", 1, "loss", new double[]{0}, RunSpec.UNKEPT + "k");
        store.store(List.of(RunResult.of(unkept, report)));
        assertEquals(List.of(), files());
        store.store(List.of(RunResult.of(unkept, report), result(1)));
        assertEquals(List.of("key1.csv"), files(), "the batch's other runs are stored");
        final Map<String, RunResult> stored = Map.of(unkept.key(), RunResult.of(unkept, report));
        assertEquals(null, RunStore.find(stored, unkept), "not taken from the store even if there");
    }

    @Test
    void shouldPutADirectoryWithoutSchemeOnTheDefaultFileSystemNotOnEachMachinesDisk()
    {
        final Configuration conf = new Configuration();
        conf.set("fs.defaultFS", "fixture:///");
        conf.set("fs.fixture.impl", RemoteFixture.class.getName());
        conf.setBoolean("fs.fixture.impl.disable.cache", true);
        assertEquals("fixture:/user/tester/results/sweep-runs",
            new RunStore("results/sweep-runs", conf).directory(), "relative to the file system's working directory");
        assertEquals("fixture:/data/runs", new RunStore("/data/runs", conf).directory());
        assertEquals("file:" + dir.toAbsolutePath(), new RunStore("file:" + dir.toAbsolutePath(), conf).directory(),
            "a scheme given is kept");
        // embedded, the default file system is the local disk: relative to the driver's working directory
        assertEquals("file:" + Path.of("results/sweep-runs").toAbsolutePath(),
            new RunStore("results/sweep-runs").directory());
    }

    /** A file system that is not the local disk's, as HDFS would be: its own scheme and working directory. */
    public static final class RemoteFixture extends RawLocalFileSystem
    {
        @Override
        public URI getUri()
        {
            return URI.create("fixture:///");
        }

        @Override
        public String getScheme()
        {
            return "fixture";
        }

        @Override
        public org.apache.hadoop.fs.Path getWorkingDirectory()
        {
            return new org.apache.hadoop.fs.Path("/user/tester");
        }
    }
}
