package io.escapement.simulator.cli;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DemoTest
{
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    private int run(final String... args)
    {
        out.reset();
        err.reset();
        return Demo.run(new PrintStream(out, true, StandardCharsets.UTF_8),
            new PrintStream(err, true, StandardCharsets.UTF_8), args);
    }

    private String report()
    {
        // the last line is wall time, which differs from run to run
        final String text = out.toString(StandardCharsets.UTF_8);
        return text.substring(0, text.indexOf("  wall time"));
    }

    @Test
    void shouldCloseEveryConnectionAndRetransmitLostAcks()
    {
        assertEquals(0, run("--connections", "20000", "--rate=5000", "--ack-loss", "0.05", "--time-wait-ms", "1000"));
        final String report = report();
        assertTrue(report.contains("20,000 opened, 20,000 closed after TIME-WAIT"), report);
        assertTrue(!report.contains("retransmissions   0 "), report);
        assertTrue(report.contains("virtual time"), report);
    }

    @Test
    void shouldGiveTheSameReportForTheSameSeedAndADifferentOneForAnotherSeed()
    {
        run("--connections", "5000", "--seed", "7");
        final String first = report();
        run("--connections", "5000", "--seed", "7");
        assertEquals(first, report());
        run("--connections", "5000", "--seed", "8");
        assertNotEquals(first, report());
    }

    @Test
    void shouldPileUpTimeWaitTimersAtRateTimesTwoMsl()
    {
        run("--connections", "30000", "--rate", "1000", "--time-wait-ms", "10000", "--ack-loss", "0");
        // 1000 connections per second, each in TIME-WAIT for 10 s: 10,000 TIME-WAIT timers at the peak, plus an RTO
        // and an ACK timer for each of the ~160 connections still sending (8 segments x 20 ms), plus the opener
        final String report = report();
        final String line = report.lines().filter(l -> l.contains("peak live timers")).findFirst().orElseThrow();
        final int peak = Integer.parseInt(line.replace(",", "").replaceAll("[^0-9]+", " ").trim().split(" ")[0]);
        assertTrue(peak >= 10_000 && peak <= 10_400, line);
    }

    @Test
    void shouldExplainItselfOnHelp()
    {
        assertEquals(0, run("--help"));
        assertTrue(out.toString(StandardCharsets.UTF_8).contains("--connections N"));
    }

    @Test
    void shouldRejectBadInputWithTheReasonAndExitCodeTwo()
    {
        assertEquals(2, run("--connections", "-5"));
        assertTrue(err.toString(StandardCharsets.UTF_8).contains("--connections must be between 1 and"));
        assertEquals(2, run("--ack-loss", "NaN"));
        assertTrue(err.toString(StandardCharsets.UTF_8).contains("--ack-loss"));
        assertEquals(2, run("--rate", "fast"));
        assertTrue(err.toString(StandardCharsets.UTF_8).contains("expects a whole number, got 'fast'"));
        assertEquals(2, run("--bogus", "1"));
        assertTrue(err.toString(StandardCharsets.UTF_8).contains("unknown option --bogus"));
        assertEquals(2, run("--seed"));
        assertTrue(err.toString(StandardCharsets.UTF_8).contains("needs a value"));
        assertTrue(err.toString(StandardCharsets.UTF_8).contains("Usage:"));
    }
}
