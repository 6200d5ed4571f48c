package io.escapement.simulator.tcp;

import io.escapement.simulator.Scenario;
import io.escapement.simulator.net.NetworkModel;
import io.escapement.simulator.report.Counter;
import io.escapement.simulator.report.ShardStats;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * One connection through a loss-free network with a constant 10 ms each way (no jitter), exact timers (HZ 0), no
 * tail loss probe unless asked: every time in its trace is exact, and the packets a test drops are the only ones
 * lost. Connection 0 arrives within a microsecond of time 0.
 */
final class OneConnection
{
    /** @return the 64-bit mask of the given units (a scoreboard, as LossRecovery and the SACK tests read it). */
    static long units(final int... units)
    {
        long m = 0;
        for (final int u : units)
        {
            m |= 1L << u;
        }
        return m;
    }

    static final long ONE_WAY_US = 10_000;

    final Scenario scenario;
    final List<String> trace = new ArrayList<>();
    final ShardStats stats;
    final TcpShard shard;

    OneConnection(final NetworkModel.Dropper dropper, final Consumer<Scenario.Builder> configure)
    {
        final Scenario.Builder builder = Scenario.builder()
            .connections(1).arrivalsPerSecond(1e9).hz(0).tailLossProbe(false).clientClosesFirst(1.0)
            .simultaneousClose(0).network(NetworkModel.builder().loss(0).rttUs(2 * ONE_WAY_US)
                .jitter(NetworkModel.Jitter.CONSTANT, 0).dropper(dropper).build());
        configure.accept(builder);
        scenario = builder.build();
        shard = new TcpShard(scenario, 0, 1, trace::add, conn -> true);
        shard.run();
        stats = shard.stats();
    }

    long isn(final int end)
    {
        return TcpShard.initialSequence(scenario.seed, 0, end);
    }

    long count(final Counter counter)
    {
        return stats.get(counter);
    }

    /** @return the time, in microseconds, of the first trace line containing {@code text}; fails if none. */
    long timeOf(final String text)
    {
        return timesOf(text).stream().findFirst().orElseGet(() ->
        {
            fail("no trace line contains '" + text + "':\n" + String.join("\n", trace));
            return -1L;
        });
    }

    List<Long> timesOf(final String text)
    {
        final List<Long> times = new ArrayList<>();
        for (final String line : trace)
        {
            if (line.contains(text))
            {
                times.add(Math.round(Double.parseDouble(line.trim().split(" ")[0]) * 1e6));
            }
        }
        return times;
    }

    boolean has(final String text)
    {
        return trace.stream().anyMatch(l -> l.contains(text));
    }

    /** Every connection counted in exactly one outcome, nothing left on the wheel. */
    void assertAccountedFor()
    {
        long outcomes = 0;
        for (final Counter c : Counter.values())
        {
            if (c.isOutcome())
            {
                outcomes += stats.get(c);
            }
        }
        assertEquals(stats.get(Counter.CONNECTIONS), outcomes, "one outcome per connection\n" + dump());
        assertEquals(0, stats.get(Counter.OUTCOME_UNEXPLAINED), dump());
        assertEquals(0, shard.timersLeft(), "timers left\n" + dump());
        assertEquals(0, shard.openSlots() + shard.compactedTimeWaits(), "connections left\n" + dump());
        assertEquals(0, shard.sackRecordsInFlight(), "SACK options left in flight\n" + dump());
    }

    String dump()
    {
        return String.join("\n", trace);
    }

    static void assertContainsInOrder(final List<String> lines, final String... texts)
    {
        int at = 0;
        for (final String text : texts)
        {
            while (at < lines.size() && !lines.get(at).contains(text))
            {
                at++;
            }
            assertTrue(at < lines.size(), "missing, in order: '" + text + "' in\n" + String.join("\n", lines));
            at++;
        }
    }
}
