package io.escapement.engine.service;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import java.util.function.LongConsumer;

import static java.util.concurrent.TimeUnit.HOURS;
import static java.util.concurrent.TimeUnit.NANOSECONDS;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The driver thread's life: what an interrupt of it means, a start() that fails, a bounded wait for its end. The
 * clock is injected and never moves unless a test moves it; the driver's caps are an hour, so it wakes only when
 * unparked (or spuriously); nothing is asserted about time.
 */
class TimerServiceDriverTest
{
    /** Counts the driver's parks, and those it began with its interrupt flag set (each returns at once: a spin). */
    private static final class CountingPark implements LongConsumer
    {
        final AtomicLong parks = new AtomicLong();
        final AtomicLong parksInterrupted = new AtomicLong();

        @Override
        public void accept(final long parkNs)
        {
            if (Thread.currentThread().isInterrupted())
            {
                parksInterrupted.incrementAndGet();
            }
            parks.incrementAndGet();
            LockSupport.parkNanos(this, parkNs);
        }

        /** Waits for the first park above {@code count}; bounded by the test's timeout, which interrupts it. */
        void awaitParksAbove(final long count)
        {
            while (parks.get() <= count)
            {
                checkNotTimedOut();
            }
        }

        /**
         * Waits until the driver, woken after park number {@code count}, has either parked again with its flag
         * clear, or parked with it set (the spin: then the assertion that follows fails rather than this hanging).
         */
        void awaitParkAfter(final long count, final Thread driver)
        {
            while (parksInterrupted.get() == 0 && (parks.get() <= count || driver.isInterrupted()))
            {
                checkNotTimedOut();
            }
        }

        private static void checkNotTimedOut()
        {
            if (Thread.currentThread().isInterrupted())
            {
                throw new AssertionError("the driver did not park again before the test's timeout");
            }
            Thread.onSpinWait();
        }
    }

    private final AtomicLong clock = new AtomicLong(1_000);
    private final CountingPark park = new CountingPark();
    private final AtomicReference<Thread> driver = new AtomicReference<>();

    private TimerService.Builder quietDriver()
    {
        return TimerService.builder().clock(clock::get).maxParkNs(HOURS.toNanos(1)).busyParkNs(HOURS.toNanos(1))
            .parkHook(park).threadFactory(runnable ->
            {
                final Thread thread = new Thread(runnable, "driver-under-test");
                thread.setDaemon(true);
                driver.set(thread);
                return thread;
            });
    }

    @Test
    @Timeout(value = 30, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void shouldClearAStrayInterruptOfTheDriverAndParkAgainRatherThanSpin() throws InterruptedException
    {
        try (TimerService service = quietDriver().build())
        {
            service.start();
            park.awaitParksAbove(0);
            final long before = park.parks.get();
            driver.get().interrupt(); // wakes the park: the driver must clear the flag and park again, not spin

            park.awaitParkAfter(before, driver.get());
            assertEquals(0, park.parksInterrupted.get(), "the driver parked with its interrupt flag set");
            assertTrue(driver.get().isAlive(), "an interrupt is not a request to stop");

            // and it still works: a timer due now fires, on a callback that sees no stale interrupt
            final CountDownLatch ran = new CountDownLatch(1);
            final AtomicReference<Boolean> interruptedInCallback = new AtomicReference<>();
            service.arm(0, NANOSECONDS, () ->
            {
                interruptedInCallback.set(Thread.currentThread().isInterrupted());
                ran.countDown();
            });
            assertTrue(ran.await(20, TimeUnit.SECONDS));
            assertEquals(Boolean.FALSE, interruptedInCallback.get());
        }
    }

    @Test
    @Timeout(value = 30, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void shouldNotSpinWhenACallbackRestoresTheInterruptFlag() throws InterruptedException
    {
        try (TimerService service = quietDriver().build())
        {
            service.start();
            park.awaitParksAbove(0);
            final long before = park.parks.get(); // parked, and stays so: the clock never moves
            final CountDownLatch ran = new CountDownLatch(1);
            service.arm(0, NANOSECONDS, () ->
            {
                Thread.currentThread().interrupt(); // the idiom after catching InterruptedException
                ran.countDown();
            });
            assertTrue(ran.await(20, TimeUnit.SECONDS));

            park.awaitParkAfter(before, driver.get()); // the park after the callback's round
            assertEquals(0, park.parksInterrupted.get(), "the driver parked with the callback's interrupt set");
            assertTrue(driver.get().isAlive());
        }
        assertFalse(driver.get().isAlive());
    }

    @Test
    @Timeout(value = 30, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void shouldLeaveTheServiceStartableWhenTheThreadFactoryThrows() throws InterruptedException
    {
        final AtomicLong attempts = new AtomicLong();
        final TimerService service = TimerService.builder().clock(clock::get).threadFactory(runnable ->
        {
            if (attempts.incrementAndGet() == 1)
            {
                throw new IllegalStateException("no threads today");
            }
            final Thread thread = new Thread(runnable, "driver-second-try");
            thread.setDaemon(true);
            driver.set(thread);
            return thread;
        }).build();
        try
        {
            final IllegalStateException failure = org.junit.jupiter.api.Assertions.assertThrows(
                IllegalStateException.class, service::start);
            assertEquals("no threads today", failure.getMessage(), "the factory's own exception, as it was");
            assertFalse(service.isClosed());
            final CountDownLatch ran = new CountDownLatch(1);
            service.arm(0, NANOSECONDS, ran::countDown); // armed while not driven: fires once a driver starts

            service.start(); // the second attempt works
            assertTrue(ran.await(20, TimeUnit.SECONDS), "the timer armed after the failed start never fired");
            assertEquals(2, attempts.get());
        }
        finally
        {
            service.close();
        }
        assertFalse(driver.get().isAlive());
    }

    @Test
    void shouldFailClearlyAndStayPollableWhenTheThreadFactoryReturnsNull()
    {
        final TimerService service = TimerService.builder().clock(clock::get).threadFactory(runnable -> null).build();
        final IllegalStateException failure = org.junit.jupiter.api.Assertions.assertThrows(
            IllegalStateException.class, service::start);
        assertTrue(failure.getMessage().contains("threadFactory returned null"), failure.getMessage());

        final AtomicLong fired = new AtomicLong();
        service.arm(0, NANOSECONDS, fired::incrementAndGet);
        assertEquals(1, service.poll(), "a service whose start failed may still be caller-driven");
        assertEquals(1, fired.get());
        service.close();
    }

    @Test
    void shouldFailClearlyAndStayStartableWhenTheThreadFactoryReturnsAStartedThread() throws InterruptedException
    {
        final Thread alreadyStarted = new Thread(() -> { });
        alreadyStarted.start();
        alreadyStarted.join();
        final AtomicLong attempts = new AtomicLong();
        final TimerService service = TimerService.builder().clock(clock::get).threadFactory(runnable ->
            attempts.incrementAndGet() == 1 ? alreadyStarted : new Thread(runnable, "driver-second-try")).build();
        final IllegalStateException failure = org.junit.jupiter.api.Assertions.assertThrows(
            IllegalStateException.class, service::start);
        assertTrue(failure.getMessage().contains("already started"), failure.getMessage());
        service.start();
        service.close();
        assertEquals(2, attempts.get());
    }

    // ------------------------------------------------------------------------------------------ bounded close

    @Test
    @Timeout(value = 30, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void shouldReturnFalseFromABoundedCloseWhileACallbackIsBlockedAndTrueOnceItReturns() throws Exception
    {
        final CountDownLatch release = new CountDownLatch(1);
        final CountDownLatch entered = new CountDownLatch(1);
        final AtomicLong ran = new AtomicLong();
        final TimerService service = quietDriver().build();
        service.start();
        final Runnable blocking = () ->
        {
            ran.incrementAndGet();
            entered.countDown();
            awaitUninterruptibly(release);
        };
        service.arm(0, NANOSECONDS, blocking); // whichever of the two runs first blocks the owner
        service.arm(0, NANOSECONDS, blocking);
        service.arm(1, HOURS, () -> ran.addAndGet(1_000));
        assertTrue(entered.await(20, TimeUnit.SECONDS));

        assertFalse(service.close(10, TimeUnit.MILLISECONDS), "the callback is still blocked");
        assertTrue(service.isClosed());
        assertTrue(driver.get().isAlive());
        assertFalse(service.awaitTermination(0, TimeUnit.NANOSECONDS));

        release.countDown();
        assertTrue(service.awaitTermination(20, TimeUnit.SECONDS));
        assertFalse(driver.get().isAlive());
        assertEquals(1, ran.get(), "the other due timer and the far one were cancelled by the close, before the wait");
        assertEquals(2, service.metrics().closedPending());
        assertTrue(service.close(0, TimeUnit.NANOSECONDS), "idempotent: closed and finished");
    }

    @Test
    @Timeout(value = 30, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void shouldThrowInterruptedExceptionToAnInterruptedWaiterAndKeepTheServiceClosed() throws Exception
    {
        final CountDownLatch release = new CountDownLatch(1);
        final CountDownLatch entered = new CountDownLatch(1);
        final TimerService service = quietDriver().build();
        service.start();
        service.arm(0, NANOSECONDS, () ->
        {
            entered.countDown();
            awaitUninterruptibly(release);
        });
        assertTrue(entered.await(20, TimeUnit.SECONDS));

        final AtomicReference<Object> closeOutcome = new AtomicReference<>();
        final AtomicReference<Object> awaitOutcome = new AtomicReference<>();
        final Thread closer = waiter("closer", closeOutcome, () -> service.close(1, HOURS));
        closer.start();
        while (!service.isClosed())
        {
            Thread.onSpinWait();
        }
        final Thread awaiter = waiter("awaiter", awaitOutcome, () -> service.awaitTermination(1, HOURS));
        awaiter.start();
        closer.interrupt();
        awaiter.interrupt();
        closer.join();
        awaiter.join();

        assertTrue(closeOutcome.get() instanceof InterruptedException, "close: " + closeOutcome.get());
        assertTrue(awaitOutcome.get() instanceof InterruptedException, "awaitTermination: " + awaitOutcome.get());
        assertTrue(service.isClosed());
        release.countDown();
        assertTrue(service.awaitTermination(20, TimeUnit.SECONDS));
    }

    @Test
    @Timeout(value = 30, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void shouldAnswerFalseAtOnceWhenACallbackClosesWithABoundAndWaitsForItself() throws Exception
    {
        final AtomicReference<Object> outcome = new AtomicReference<>();
        final CountDownLatch done = new CountDownLatch(1);
        final TimerService service = quietDriver().build();
        service.start();
        service.arm(0, NANOSECONDS, () ->
        {
            try
            {
                outcome.set(service.close(1, HOURS));
            }
            catch (final InterruptedException e)
            {
                outcome.set(e);
            }
            done.countDown();
        });
        assertTrue(done.await(20, TimeUnit.SECONDS));
        assertEquals(Boolean.FALSE, outcome.get());
        assertTrue(service.awaitTermination(20, TimeUnit.SECONDS));
    }

    @Test
    @Timeout(value = 30, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void shouldWaitForACallerDrivenPollInACallbackToReturn() throws Exception
    {
        final CountDownLatch release = new CountDownLatch(1);
        final CountDownLatch entered = new CountDownLatch(1);
        final TimerService service = TimerService.builder().clock(clock::get).build();
        service.arm(0, NANOSECONDS, () ->
        {
            entered.countDown();
            awaitUninterruptibly(release);
        });
        final Thread poller = new Thread(service::poll, "caller-driven-poller");
        poller.start();
        assertTrue(entered.await(20, TimeUnit.SECONDS));

        assertFalse(service.close(10, TimeUnit.MILLISECONDS), "the poll is in a callback");
        release.countDown();
        assertTrue(service.awaitTermination(20, TimeUnit.SECONDS));
        poller.join();
    }

    private interface Wait
    {
        boolean run() throws InterruptedException;
    }

    private static Thread waiter(final String name, final AtomicReference<Object> outcome, final Wait wait)
    {
        return new Thread(() ->
        {
            try
            {
                outcome.set(wait.run());
            }
            catch (final InterruptedException e)
            {
                outcome.set(e);
            }
        }, name);
    }

    private static void awaitUninterruptibly(final CountDownLatch latch)
    {
        while (true)
        {
            try
            {
                latch.await();
                return;
            }
            catch (final InterruptedException e)
            {
                // the test's callbacks block until released, whatever happens to the driver
            }
        }
    }
}
