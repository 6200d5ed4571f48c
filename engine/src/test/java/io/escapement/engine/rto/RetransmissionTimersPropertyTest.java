package io.escapement.engine.rto;

import io.escapement.engine.rto.RetransmissionTimers.Phase;
import io.escapement.engine.wheel.TimerWheel;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

import java.util.Random;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Karn's rule as a property: over random ACK sequences, a retransmission timer's estimator moves exactly as a
 * reference estimator fed only the samples Karn allows (all of them with timestamps on), and the timer is armed
 * exactly while data is outstanding, at the time the strategy says.
 */
class RetransmissionTimersPropertyTest
{
    @Provide
    Arbitrary<String> strategies()
    {
        return Arbitraries.of(RtoStrategies.names().toArray(new String[0]));
    }

    @Property(tries = 200)
    void estimatorSeesOnlyTheSamplesKarnAllows(@ForAll("strategies") final String name, @ForAll final boolean timestamps,
        @ForAll final long seed)
    {
        final RtoStrategy strategy = RtoStrategies.parse(name);
        final TimerWheel wheel = TimerWheel.builder(TimeUnit.MICROSECONDS).build();
        final RetransmissionTimers timers =
            new RetransmissionTimers(wheel, strategy, RetryPolicy.linuxDefaults(), timestamps, 1, 0);
        final long[] reference = new long[strategy.stateWords()];
        strategy.reset(reference, 0);
        timers.open(0, Phase.DATA);

        final Random random = new Random(seed);
        final RetransmissionTimers.Ack ack = new RetransmissionTimers.Ack();
        long now = 0;
        long sndNxt = 1_000;
        boolean outstanding = false;
        for (int step = 0; step < 300; step++)
        {
            now += random.nextInt(50_000);
            if (!outstanding || random.nextBoolean())
            {
                sndNxt += 1 + random.nextInt(1_460);
                timers.onSend(0, now);
                outstanding = true;
            }
            else
            {
                final long rtt = random.nextInt(10) == 0 ? -1 : random.nextInt(500_000);
                final boolean retransmitted = random.nextInt(4) == 0;
                final boolean allAcked = random.nextBoolean();
                final long sndUna = allAcked ? sndNxt : sndNxt - 1;
                ack.of(now, sndUna, sndNxt);
                if (rtt >= 0)
                {
                    ack.rtt(rtt, retransmitted);
                }
                timers.onAck(0, ack);
                // Karn's rule, unless the ACK names the transmission: TCP timestamps, or QUIC's packet numbers
                if (rtt >= 0 && (timestamps || strategy.unambiguousSamples() || !retransmitted))
                {
                    strategy.onRttSample(reference, 0, rtt, 0, sndUna, sndNxt);
                }
                outstanding = !allAcked;
            }
            assertEquals(strategy.rtoUs(reference, 0), timers.rtoUs(0), "estimator diverged from Karn's samples");
            assertEquals(strategy.srttUs(reference, 0), timers.srttUs(0));
            assertEquals(outstanding, timers.isArmed(0), "armed exactly while data is outstanding");
            assertTrue(!outstanding || timers.deadlineUs(0) <= now + timers.rtoUs(0));
        }
    }
}
