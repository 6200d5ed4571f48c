package io.escapement.simulator.net;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Delay-trace replay against hand-worked samples: sample and hold, times relative to the first line, the length
 * (last time plus the last interval), wrapping, refusal of a trace shorter than the arrivals, the count of packets
 * sent past the end, one connection or all, and every malformed file refused with its line.
 */
class DelayTraceTest
{
    @TempDir
    Path dir;

    private DelayTrace trace(final String content, final DelayTrace.End end) throws IOException
    {
        final Path file = dir.resolve("trace.csv");
        Files.writeString(file, content);
        return DelayTrace.read("--delay-trace-to-server", file.toString(), end);
    }

    @Test
    void shouldHoldEachSampleUntilTheNextAndTakeTimesFromTheFirstLine() throws IOException
    {
        // epoch seconds, milliseconds; a header and a comment
        final DelayTrace t = trace("time_s,delay_ms\n# ping -D\n1700000000,10\n1700000000.5,25.5\n" +
            "1700000002,40\n", DelayTrace.End.REFUSE);
        assertEquals(3_500_000, t.lengthUs()); // 2 s, plus the last interval of 1.5 s
        assertEquals(10_000, t.delayUs(0));
        assertEquals(10_000, t.delayUs(499_999));
        assertEquals(25_500, t.delayUs(500_000));
        assertEquals(25_500, t.delayUs(1_999_999));
        assertEquals(40_000, t.delayUs(2_000_000));
        assertEquals(40_000, t.delayUs(3_499_999));
        assertEquals(0, t.packetsPastEnd());
        assertEquals(40_000, t.delayUs(3_500_000)); // refuse: past the end, the last delay holds
        assertEquals(40_000, t.delayUs(100_000_000));
        assertEquals(2, t.packetsPastEnd());
    }

    @Test
    void shouldHoldEachLossRateAsItsDelayAndTakeZeroWhereALineHasNone() throws IOException
    {
        final DelayTrace t = trace("time,delay,loss\n0,10,0.25\n1,12\n2,14,1\n", DelayTrace.End.WRAP);
        assertTrue(t.hasLoss());
        assertEquals(0.25, t.lossAt(0));
        assertEquals(0.25, t.lossAt(999_999));
        assertEquals(0, t.lossAt(1_000_000), "a line without a loss field: 0");
        assertEquals(1, t.lossAt(2_999_999));
        assertEquals(0.25, t.lossAt(3_000_000), "wrapped");
        assertEquals(0, t.packetsPastEnd(), "a loss lookup does not count the packet again");
        assertFalse(trace("0,10\n1,12\n", DelayTrace.End.WRAP).hasLoss());
    }

    @Test
    void shouldStartOverPastTheEndWhenWrapping() throws IOException
    {
        final DelayTrace t = trace("0s,5ms\n1s,7ms\n", DelayTrace.End.WRAP);
        assertEquals(2_000_000, t.lengthUs());
        assertEquals(5_000, t.delayUs(2_000_000));
        assertEquals(7_000, t.delayUs(3_000_000));
        assertEquals(5_000, t.delayUs(4_999_999));
        assertEquals(7_000, t.delayUs(2_000_000L * 1_000 + 1_500_000));
        assertEquals(4, t.packetsPastEnd());
    }

    @Test
    void shouldRefuseATraceShorterThanTheArrivalsUnlessItWraps() throws IOException
    {
        final DelayTrace refuse = trace("0,5\n10,5\n", DelayTrace.End.REFUSE); // lasts 20 s
        refuse.requireCovers(20_000_000, "--delay-trace-to-server");
        final IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
            () -> refuse.requireCovers(20_000_001, "--delay-trace-to-server"));
        assertTrue(e.getMessage().startsWith("--delay-trace-to-server '"), e.getMessage());
        assertTrue(e.getMessage().contains("lasts 20s but connections arrive over"), e.getMessage());
        trace("0,5\n10,5\n", DelayTrace.End.WRAP).requireCovers(1_000_000_000, "--delay-trace-to-server");
    }

    @Test
    void shouldReplaceHalfTheRttAndTheJitterButKeepSpikesOnTheTracedConnectionOnly() throws IOException
    {
        final DelayTrace toServer = trace("0,30\n1,60\n", DelayTrace.End.WRAP);
        final NetworkModel network = NetworkModel.builder().rttUs(20_000)
            .jitter(NetworkModel.Jitter.CONSTANT, 0).event("spike:at=1500ms,for=1s,add=100ms")
            .delayTrace(toServer, null, 4).build();
        assertEquals(30_000, network.delayUs(1, 4, true, NetworkModel.SEGMENT, 1, 0, 0));
        assertEquals(160_000, network.delayUs(1, 4, true, NetworkModel.SEGMENT, 1, 0, 1_600_000));
        assertEquals(10_000, network.delayUs(1, 4, false, NetworkModel.PURE_ACK, 1, 0, 0), "the other way");
        assertEquals(10_000, network.delayUs(1, 5, true, NetworkModel.SEGMENT, 1, 0, 0), "another connection");
        assertEquals(30_000 + 10_000, network.baseRttUs(1, 4, 0));
        assertEquals(20_000, network.baseRttUs(1, 5, 0));
        assertEquals(0, toServer.packetsPastEnd(), "no packet past the end yet");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "''                        | the file holds 0 sample(s): a trace needs at least two",
        "0,5\\n                    | the file holds 1 sample(s)",
        "0,5\\n2,5\\n1,5\\n        | line 3: time 1 is not after the previous line's: times must increase",
        "0,5\\n0,5\\n              | line 2: time 0 is not after the previous line's",
        "0,5\\n1,-5\\n             | line 2: delay '-5' is negative",
        "0,5\\n1,x\\n              | line 2: delay 'x' is not a number (milliseconds) or a duration",
        "0,5\\n1\\n                | line 2 has 1 field(s): expected time,delay",
        "0,5\\n1,5,0.5,1\\n        | line 2 has 4 field(s)",
        "0,5\\n1,5,1.01\\n         | line 2: loss '1.01' is not a probability in [0, 1]",
        "0,5\\n1,5,x\\n            | line 2: loss 'x' is not a probability in [0, 1]",
        "0,5\\n1,5,NaN\\n          | line 2: loss 'NaN' is not a probability in [0, 1]",
        "0,5\\nt,5\\n              | line 2: time 't' is not a number (seconds)",
        "0,5\\n1,40s\\n            | line 2: delay 40s is above 30s",
    })
    void shouldRefuseAMalformedTraceNamingTheOptionAndTheLine(final String content, final String message)
        throws IOException
    {
        final IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
            () -> trace(content.trim().replace("\\n", "\n"), DelayTrace.End.WRAP));
        assertTrue(e.getMessage().startsWith("--delay-trace-to-server '"), e.getMessage());
        assertTrue(e.getMessage().contains(message), e.getMessage());
    }
}
