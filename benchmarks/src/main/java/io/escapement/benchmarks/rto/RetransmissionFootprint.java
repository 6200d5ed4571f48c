package io.escapement.benchmarks.rto;

import io.escapement.engine.rto.RetransmissionTimers;
import io.escapement.engine.rto.RetryPolicy;
import io.escapement.engine.rto.RtoStrategies;
import io.escapement.engine.wheel.TimerWheel;
import org.openjdk.jol.info.GraphLayout;

import java.util.concurrent.TimeUnit;

/**
 * Measures the bytes of retransmission-timer state per connection, for every strategy: a JOL walk of a
 * {@link RetransmissionTimers} for N connections (its state table and the shared strategy; the wheel, measured
 * by the wheel's own footprint tool, is left out), divided by N.
 * <p>
 * Run: {@code java -Djdk.attach.allowAttachSelf=true -cp benchmarks/target/escapement-benchmarks.jar
 * io.escapement.benchmarks.rto.RetransmissionFootprint 1000000}
 */
public final class RetransmissionFootprint
{
    private RetransmissionFootprint()
    {
    }

    public static void main(final String[] args)
    {
        final int connections = args.length > 0 ? Integer.parseInt(args[0]) : 1_000_000;
        System.out.printf("%-10s %12s %14s%n", "strategy", "connections", "bytes/conn");
        for (final String name : RtoStrategies.names())
        {
            final TimerWheel wheel = TimerWheel.builder(TimeUnit.MICROSECONDS).build();
            final RetransmissionTimers timers = new RetransmissionTimers(wheel, RtoStrategies.parse(name),
                RetryPolicy.linuxDefaults(), false, connections, 0);
            final long wheelBytes = GraphLayout.parseInstance(wheel).totalSize();
            final long total = GraphLayout.parseInstance(timers).totalSize() - wheelBytes;
            System.out.printf("%-10s %12d %14.2f%n", name, connections, (double)total / connections);
        }
    }
}
