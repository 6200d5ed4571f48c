package io.escapement.sweep;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The sweep's command line, where no Spark is needed: its checks before Spark starts and the report's line. */
class SweepCommandTest
{
    @Test
    void shouldNotShowSparkConfValuesInTheMadeByLineAndSaySo()
    {
        final String line = SweepCommand.madeBy(new String[]{"--spark-conf", "spark.hadoop.fs.s3a.secret.key=s3cr3t",
            "--spark-conf=spark.executor.memory=4g", "--seeds", "1,2"}, null);
        assertFalse(line.contains("s3cr3t") || line.contains("4g"), line);
        assertEquals("java -jar sweep/target/escapement-sweep.jar --spark-conf " +
            "'spark.hadoop.fs.s3a.secret.key=<hidden>' '--spark-conf=spark.executor.memory=<hidden>' --seeds 1,2 " +
            "# --spark-conf values not shown", line);
        assertEquals("spark-submit --master yarn sweep/target/escapement-sweep.jar --seeds 1,2",
            SweepCommand.madeBy(new String[]{"--seeds", "1,2"}, "yarn"), "nothing hidden, nothing said");
    }

    @Test
    void shouldPutTheAddedParallelBeforeTheUsersArguments()
    {
        assertEquals(List.of("--parallel", "2", "--sweep", "loss=0", "--"),
            List.of(SweepCommand.withParallel(List.of("--sweep", "loss=0", "--"), null, 2)));
        assertEquals(List.of("--parallel", "256", "--seeds"),
            List.of(SweepCommand.withParallel(List.of("--seeds"), null, 1000)));
        assertEquals(List.of("--parallel", "3"), List.of(SweepCommand.withParallel(List.of("--parallel", "3"), 3, 2)));
    }

    @Test
    void shouldRefuseParallelOutOfRangeAndNegativeRunsPerTaskBeforeSparkStarts()
    {
        assertRefused("--parallel=0 must be between 1 and 256", "--parallel", "0");
        assertRefused("--parallel=257 must be between 1 and 256", "--parallel", "257");
        assertRefused("--runs-per-task=-1 must be 0 (chosen) or more", "--runs-per-task", "-1");
    }

    /** Runs the sweep with no context: had Spark started, the error would be Spark's, seconds later. */
    private static void assertRefused(final String message, final String... args)
    {
        final ByteArrayOutputStream err = new ByteArrayOutputStream();
        final int exit = SweepCommand.execute(args, new PrintStream(new ByteArrayOutputStream(), true),
            new PrintStream(err, true, StandardCharsets.UTF_8));
        final String said = err.toString(StandardCharsets.UTF_8);
        assertEquals(SweepCommand.EXIT_USAGE, exit, said);
        assertEquals("escapement-sweep: " + message, said.strip(), said);
        assertTrue(said.lines().count() == 1, said);
    }
}
