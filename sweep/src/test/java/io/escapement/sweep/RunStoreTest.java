package io.escapement.sweep;

import io.escapement.simulator.Simulation;
import io.escapement.simulator.cli.CompareEntryPoints;
import io.escapement.simulator.report.Report;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
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
}
