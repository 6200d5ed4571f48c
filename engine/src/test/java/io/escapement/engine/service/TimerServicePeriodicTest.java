package io.escapement.engine.service;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import static java.util.concurrent.TimeUnit.NANOSECONDS;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Periodic timers on the service: fixed rate from the first deadline (no drift), one handle for life, cancel final
 * (also during a run), missed runs back to back and never together, handed back once by the close. The reference is
 * the JDK's {@code scheduleAtFixedRate} contract; the clock is injected and moved by the test.
 */
class TimerServicePeriodicTest
{
    private static final long PERIOD = 1_000;

    private final AtomicLong clock = new AtomicLong(-5_000_000); // a negative origin, for good measure
    /** Each run: {handle, payload, deadline, clock at the run}. */
    private final List<long[]> runs = new ArrayList<>();
    private final List<Throwable> errors = new ArrayList<>();

    private TimerService.Builder manual()
    {
        return TimerService.builder().clock(clock::get).tickNs(64)
            .handler((handle, payload, deadlineNs) -> runs.add(new long[]{handle, payload, deadlineNs, clock.get()}))
            .errorHandler((handle, error) -> errors.add(error));
    }

    @Test
    void shouldKeepEveryDeadlineAtFirstPlusKPeriodsAfterTenThousandRunsWhateverTheLateness()
    {
        final long seed = System.nanoTime();
        final SplittableRandom random = new SplittableRandom(seed);
        final TimerService service = manual().build();
        final long first = clock.get() + 500;
        final long handle = service.armPeriodic(500, PERIOD, NANOSECONDS, 42L);

        // The owner runs late by a random amount each time, sometimes by several periods: the lateness must never
        // carry into the next deadline.
        while (runs.size() <= 10_000)
        {
            clock.addAndGet(random.nextInt(10) == 0 ? random.nextLong(5 * PERIOD) : random.nextLong(2 * PERIOD));
            service.poll();
        }
        for (int k = 0; k < runs.size(); k++)
        {
            final long[] run = runs.get(k);
            assertEquals(handle, run[0], "seed " + seed + ": one handle for the timer's whole life, run " + k);
            assertEquals(42L, run[1]);
            assertEquals(first + k * PERIOD, run[2], "seed " + seed + ": the deadline of run " + k);
            assertTrue(run[3] >= run[2], "seed " + seed + ": run " + k + " early: at " + run[3] + ", due " + run[2]);
        }
        assertEquals(first + 10_000 * PERIOD, runs.get(10_000)[2], "after 10,000 periods, exactly");
        assertTrue(service.isArmed(handle));
        assertEquals(runs.size(), service.metrics().fired());
        assertEquals(1, service.metrics().pending());
        assertTrue(errors.isEmpty(), errors::toString);
    }

    @Test
    void shouldRunMissedRunsLateBackToBackInDeadlineOrderWithTheirOwnDeadlines()
    {
        final TimerService service = manual().build();
        final long first = clock.get() + PERIOD;
        service.armPeriodic(PERIOD, PERIOD, NANOSECONDS, 1L);
        service.arm(PERIOD + 2 * PERIOD + 1, NANOSECONDS, 99L); // a one-shot due between runs 2 and 3
        clock.addAndGet(PERIOD + 5 * PERIOD); // six runs are due: the owner stalled for five periods

        assertEquals(2, service.poll(2), "the poll's limit bounds the catching up");
        assertEquals(5, service.poll(), "the rest of the backlog in the next poll, with the one-shot among them");
        assertEquals(0, service.poll(), "caught up: the next run is due a period later");
        final long[] payloads = runs.stream().mapToLong(run -> run[1]).toArray();
        assertEquals(List.of(1L, 1L, 1L, 99L, 1L, 1L, 1L), java.util.Arrays.stream(payloads).boxed().toList(),
            "not coalesced, in deadline order");
        int k = 0;
        for (final long[] run : runs)
        {
            if (run[1] == 1L)
            {
                assertEquals(first + k * PERIOD, run[2], "the deadline of run " + k);
                k++;
            }
        }
        assertEquals(first + 6 * PERIOD, service.earliestDeadlineNs());
    }

    @Test
    void shouldNeverRunAgainOnceCancelledBetweenRunsAndAnswerTrueOnlyOnce()
    {
        final TimerService service = manual().build();
        final long handle = service.armPeriodic(0, PERIOD, NANOSECONDS, 7L);
        service.poll();
        clock.addAndGet(PERIOD);
        service.poll();
        assertEquals(2, runs.size());

        assertTrue(service.cancel(handle));
        assertFalse(service.cancel(handle));
        assertFalse(service.isArmed(handle));
        assertFalse(service.rearm(handle, 1, NANOSECONDS));
        for (int i = 0; i < 10; i++)
        {
            clock.addAndGet(PERIOD);
            service.poll();
        }
        assertEquals(2, runs.size());
        final TimerServiceMetrics metrics = service.metrics();
        assertEquals(1, metrics.cancelled());
        assertEquals(0, metrics.pending(), "the slot is retired");
    }

    @Test
    void shouldStopFurtherRunsWhenItsOwnCallbackCancelsIt()
    {
        final AtomicReference<Long> handle = new AtomicReference<>();
        final List<Boolean> answers = new ArrayList<>();
        final TimerService service = manual().build();
        handle.set(service.armPeriodic(0, PERIOD, NANOSECONDS, () ->
        {
            answers.add(service.isArmed(handle.get()));
            answers.add(service.rearm(handle.get(), 5, NANOSECONDS)); // during its own run: false, as documented
            answers.add(service.cancel(handle.get()));
            answers.add(service.cancel(handle.get()));
        }));
        for (int i = 0; i < 5; i++)
        {
            service.poll();
            clock.addAndGet(PERIOD);
        }
        assertEquals(List.of(true, false, true, false), answers, "one run, whose cancel stopped the rest");
        assertEquals(0, service.metrics().pending());
        assertEquals(1, service.metrics().cancelled());
    }

    @Test
    @Timeout(value = 30, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void shouldLetAnotherThreadsCancelDuringARunStopEveryLaterRun() throws InterruptedException
    {
        final CountDownLatch inRun = new CountDownLatch(1);
        final CountDownLatch release = new CountDownLatch(1);
        final AtomicLong runCount = new AtomicLong();
        final TimerService service = manual().build();
        final long handle = service.armPeriodic(0, PERIOD, NANOSECONDS, () ->
        {
            runCount.incrementAndGet();
            inRun.countDown();
            try
            {
                release.await();
            }
            catch (final InterruptedException e)
            {
                Thread.currentThread().interrupt();
            }
        });
        final Thread poller = new Thread(service::poll, "poller");
        poller.start();
        assertTrue(inRun.await(20, TimeUnit.SECONDS));

        assertTrue(service.cancel(handle), "a run in progress does not stop the cancel: it stops the later runs");
        assertFalse(service.cancel(handle));
        release.countDown();
        poller.join();
        for (int i = 0; i < 5; i++)
        {
            clock.addAndGet(PERIOD);
            service.poll();
        }
        assertEquals(1, runCount.get());
        assertEquals(0, service.metrics().pending());
    }

    @Test
    void shouldMoveTheSeriesOnRearmBetweenRuns()
    {
        final TimerService service = manual().build();
        final long handle = service.armPeriodic(0, PERIOD, NANOSECONDS, 3L);
        service.poll();
        final long moved = clock.get() + 250;
        assertTrue(service.rearm(handle, 250, NANOSECONDS));
        for (int i = 0; i < 3; i++)
        {
            clock.addAndGet(PERIOD);
            service.poll();
        }
        assertEquals(4, runs.size());
        assertEquals(moved, runs.get(1)[2]);
        assertEquals(moved + PERIOD, runs.get(2)[2]);
        assertEquals(moved + 2 * PERIOD, runs.get(3)[2]);
        assertEquals(handle, runs.get(3)[0]);
    }

    @Test
    void shouldHandAPeriodicTimerBackOnceOnShutdownWithItsNextDeadlineAndPeriod()
    {
        final TimerService service = manual().build();
        final long first = clock.get();
        final long handle = service.armPeriodic(0, PERIOD, NANOSECONDS, 9L);
        for (int i = 0; i < 3; i++)
        {
            service.poll();
            clock.addAndGet(PERIOD);
        }
        final List<PendingTimer> pending = service.shutdown();
        assertEquals(List.of(new PendingTimer(handle, 9L, first + 3 * PERIOD, null, PERIOD)), pending);
        assertTrue(service.shutdown().isEmpty());
        assertFalse(service.cancel(handle));
        assertEquals(3, runs.size());
        assertEquals(1, service.metrics().closedPending());
    }

    @Test
    void shouldHandItBackOnceWhenItsOwnRunShutsTheServiceDown()
    {
        final AtomicReference<List<PendingTimer>> pending = new AtomicReference<>();
        final AtomicReference<Long> handle = new AtomicReference<>();
        final TimerService service = manual().build();
        final long first = clock.get() + 10;
        final Runnable task = () -> pending.set(service.shutdown());
        handle.set(service.armPeriodic(10, PERIOD, NANOSECONDS, task));
        clock.addAndGet(10);
        service.poll();
        assertEquals(List.of(new PendingTimer(handle.get(), 0, first + PERIOD, task, PERIOD)), pending.get());
        clock.addAndGet(10 * PERIOD);
        assertEquals(0, service.poll());
    }

    @Test
    @Timeout(value = 30, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void shouldRunOnTheDriverAndStopOnClose() throws InterruptedException
    {
        final CountDownLatch threeRuns = new CountDownLatch(3);
        final TimerService service = TimerService.builder().build(); // the real clock: 1 ms runs, no assertion on time
        service.start();
        final long handle = service.armPeriodic(0, 1, TimeUnit.MILLISECONDS, threeRuns::countDown);
        assertTrue(threeRuns.await(20, TimeUnit.SECONDS));
        assertTrue(service.isArmed(handle));
        service.close();
        assertEquals(1, service.metrics().closedPending());
    }

    @Test
    void shouldLetTheErrorHandlerArmInTheSlotOfTheSeriesItIsToldEnded()
    {
        // Capacity 1: the series' own slot is the only one. It is retired before the error handler hears that the
        // series ended, so an arm from the handler must find it free (issue 14's rule: never "full" while a slot is
        // free), though the owner frees slots in batches.
        clock.set(Long.MAX_VALUE - 10 * PERIOD);
        final AtomicReference<TimerService> self = new AtomicReference<>();
        final List<Object> armedFromHandler = new ArrayList<>();
        final TimerService service = manual().capacity(1)
            .errorHandler((handle, error) ->
            {
                errors.add(error);
                try
                {
                    armedFromHandler.add(self.get().arm(1, NANOSECONDS, 7L));
                }
                catch (final RuntimeException e)
                {
                    armedFromHandler.add(e);
                }
            })
            .build();
        self.set(service);
        service.armPeriodic(0, 4 * PERIOD, NANOSECONDS, 5L);
        for (int i = 0; i < 3; i++)
        {
            service.poll();
            clock.addAndGet(4 * PERIOD);
        }
        assertEquals(1, errors.size(), errors::toString);
        assertEquals(1, armedFromHandler.size());
        assertTrue(armedFromHandler.get(0) instanceof Long, "the handler's arm: " + armedFromHandler.get(0));
        assertTrue(service.isArmed((Long)armedFromHandler.get(0)));
    }

    @Test
    void shouldEndTheSeriesAndTellTheErrorHandlerWhenTheNextDeadlineWouldOverflow()
    {
        clock.set(Long.MAX_VALUE - 10 * PERIOD);
        final TimerService service = manual().build();
        service.armPeriodic(0, 4 * PERIOD, NANOSECONDS, 5L);
        for (int i = 0; i < 4; i++)
        {
            service.poll();
            clock.addAndGet(4 * PERIOD > Long.MAX_VALUE - clock.get() ? 0 : 4 * PERIOD);
        }
        assertEquals(3, runs.size(), "runs at start, +4000 and +8000; +12000 lies past Long.MAX_VALUE");
        assertEquals(1, errors.size(), errors::toString);
        assertTrue(errors.get(0).getMessage().contains("overflow"), errors.get(0).getMessage());
        assertEquals(0, service.metrics().pending(), "the series ended: its slot is retired");
    }

    @Test
    void shouldRejectBadPeriodsNamingTheParameter()
    {
        final TimerService service = manual().build();
        for (final long period : new long[]{0, -1, Long.MAX_VALUE})
        {
            final IllegalArgumentException failure = assertThrows(IllegalArgumentException.class,
                () -> service.armPeriodic(0, period, NANOSECONDS, 1L));
            assertTrue(failure.getMessage().contains("period"), failure.getMessage());
        }
        assertThrows(IllegalArgumentException.class, () -> service.armPeriodic(0,
            NANOSECONDS.toDays(Long.MAX_VALUE) + 1, TimeUnit.DAYS, 1L)); // saturates to Long.MAX_VALUE ns
        assertThrows(IllegalArgumentException.class, () -> service.armPeriodic(-1, 1, NANOSECONDS, 1L));
        assertThrows(NullPointerException.class, () -> service.armPeriodic(0, 1, NANOSECONDS, (Runnable)null));
        assertEquals(0, service.metrics().pending(), "nothing was armed");
        if (!runs.isEmpty())
        {
            fail("nothing ran");
        }
    }
}
