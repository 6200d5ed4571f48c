package io.escapement.engine.service;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * No wake-up of the driver thread is lost. The driver sleeps towards an hour-away timer (its safety-net wake-up is
 * set to a minute, so that it cannot hide a lost wake-up); two producers then arm short timers one at a time, each
 * waiting until its previous timer fired, with delays from 0 to 200 us, so that arms keep racing the driver as it
 * finishes a callback and goes back to sleep. A timer armed earlier than the deadline the driver sleeps towards
 * must unpark it: one that is not fired within seconds was missed. A second pass does the same with re-arms from
 * the hour-away deadline down to a short one.
 */
class TimerServiceDriverWakeStressTest
{
    private static final int ROUNDS_PER_PRODUCER = 1_500;
    private static final long MISSED_NS = TimeUnit.SECONDS.toNanos(5);

    @Test
    @Timeout(60)
    void shouldNeverMissTheWakeUpOfATimerEarlierThanTheDriversSleepTarget() throws InterruptedException
    {
        runProducers(false);
    }

    @Test
    @Timeout(60)
    void shouldNeverMissTheWakeUpOfATimerRearmedEarlierThanTheDriversSleepTarget() throws InterruptedException
    {
        runProducers(true);
    }

    private static void runProducers(final boolean rearm) throws InterruptedException
    {
        final AtomicInteger[] firedBy = {new AtomicInteger(), new AtomicInteger()};
        final AtomicLong worstLatenessNs = new AtomicLong();
        try (TimerService service = TimerService.builder().maxParkNs(TimeUnit.MINUTES.toNanos(1))
            .busyParkNs(TimeUnit.MINUTES.toNanos(1))
            .handler((handle, producer, deadlineNs) ->
            {
                worstLatenessNs.accumulateAndGet(System.nanoTime() - deadlineNs, Math::max);
                firedBy[(int)producer].incrementAndGet();
            }).build())
        {
            service.arm(1, TimeUnit.HOURS, 99L); // what the driver sleeps towards between rounds
            service.start();
            final Throwable[] failure = new Throwable[2];
            final Thread[] producers = new Thread[2];
            for (int p = 0; p < 2; p++)
            {
                final int producer = p;
                producers[p] = new Thread(() ->
                {
                    final SplittableRandom random = new SplittableRandom(producer);
                    try
                    {
                        for (int round = 1; round <= ROUNDS_PER_PRODUCER; round++)
                        {
                            final long delayNs = random.nextLong(200_000);
                            if (rearm)
                            {
                                final long handle = service.arm(1, TimeUnit.HOURS, producer);
                                spinNs(random.nextLong(50_000)); // let the driver file it and sleep again
                                assertTrue(service.rearm(handle, delayNs, TimeUnit.NANOSECONDS));
                            }
                            else
                            {
                                service.arm(delayNs, TimeUnit.NANOSECONDS, producer);
                            }
                            final long armedAt = System.nanoTime();
                            while (firedBy[producer].get() < round)
                            {
                                if (System.nanoTime() - armedAt > MISSED_NS)
                                {
                                    fail("round " + round + " of producer " + producer + ": a timer due in " +
                                        delayNs + " ns did not fire within 5 s: the driver missed its wake-up");
                                }
                                Thread.onSpinWait();
                            }
                        }
                    }
                    catch (final Throwable t)
                    {
                        failure[producer] = t;
                    }
                }, "wake-producer-" + p);
                producers[p].start();
            }
            for (final Thread producer : producers)
            {
                producer.join();
            }
            for (final Throwable t : failure)
            {
                if (t != null)
                {
                    throw new AssertionError(t);
                }
            }
            assertEquals(ROUNDS_PER_PRODUCER, firedBy[0].get());
            assertEquals(ROUNDS_PER_PRODUCER, firedBy[1].get());
            assertTrue(worstLatenessNs.get() >= 0);
        }
    }

    private static void spinNs(final long ns)
    {
        final long until = System.nanoTime() + ns;
        while (System.nanoTime() < until)
        {
            Thread.onSpinWait();
        }
    }
}
