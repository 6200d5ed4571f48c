package io.escapement.engine.service;

import io.escapement.engine.TimerHandler;
import io.escapement.engine.internal.ServiceInternals;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import static java.util.concurrent.TimeUnit.HOURS;
import static java.util.concurrent.TimeUnit.MILLISECONDS;
import static java.util.concurrent.TimeUnit.NANOSECONDS;
import static java.util.concurrent.TimeUnit.SECONDS;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The service's single-threaded behaviour, bad input and lifecycle, driven by a manual clock (caller-driven mode),
 * plus the driver thread's lifecycle with the real clock and bounded waits. The concurrent claims are proven by
 * {@link TimerServiceLincheckTest} and {@link TimerServiceStressTest}.
 */
class TimerServiceTest
{
    private final AtomicLong clock = new AtomicLong(1_000);
    /** {handle, payload, deadline, clock at fire} per fired payload timer. */
    private final List<long[]> fired = new ArrayList<>();
    private final List<Throwable> errors = new ArrayList<>();

    private TimerService.Builder manual()
    {
        return TimerService.builder().clock(clock::get)
            .handler((handle, payload, deadline) -> fired.add(new long[]{handle, payload, deadline, clock.get()}))
            .errorHandler((handle, error) -> errors.add(error));
    }

    // ------------------------------------------------------------------------------------------ firing

    @Test
    void shouldLetACallbackReuseTheSlotOfATimerFiredEarlierInTheSameAdvance()
    {
        // A callback that arms when every slot is taken must find the slot its predecessor in the same advance gave
        // up: the owner frees a fired timer's slot before the next fire.
        final AtomicReference<TimerService> ref = new AtomicReference<>();
        final List<Long> rearmed = new ArrayList<>();
        final TimerService service = TimerService.builder().clock(clock::get).capacity(2)
            .handler((handle, payload, deadline) ->
            {
                if (payload == 2)
                {
                    rearmed.add(ref.get().arm(1, SECONDS, 3));
                }
            })
            .build();
        ref.set(service);
        // In two ticks (1 ms each), so that the wheel fires them in this order: within a tick it is unspecified.
        service.arm(1, MILLISECONDS, 1);
        service.arm(2, MILLISECONDS, 2);
        clock.addAndGet(MILLISECONDS.toNanos(2));
        assertEquals(2, service.poll());
        assertEquals(1, rearmed.size(), "the callback's arm was taken");
        assertTrue(service.isArmed(rearmed.get(0)));
        assertEquals(1, service.metrics().pending());
        assertEquals(2, service.metrics().fired());
    }

    @Test
    void shouldFireAtTheDeadlineComputedFromTheClockAtArmTimeAndNotOneNanosecondBefore()
    {
        final TimerService service = manual().build();
        clock.set(5_000);
        final long handle = service.arm(300, NANOSECONDS, 42);

        clock.set(5_299);
        assertEquals(0, service.poll());
        assertTrue(fired.isEmpty(), "fired early");
        clock.set(5_300);
        assertEquals(1, service.poll());

        assertEquals(1, fired.size());
        assertEquals(handle, fired.get(0)[0]);
        assertEquals(42, fired.get(0)[1]);
        assertEquals(5_300, fired.get(0)[2]);
        assertEquals(1, service.metrics().fired());
        assertEquals(0, service.metrics().pending());
    }

    @Test
    void shouldRunARunnableTimerInsteadOfTheHandler()
    {
        final TimerService service = TimerService.builder().clock(clock::get).build();
        final int[] runs = {0};
        service.arm(1, MILLISECONDS, () -> runs[0]++);

        clock.addAndGet(MILLISECONDS.toNanos(1));
        service.poll();

        assertEquals(1, runs[0]);
    }

    @Test
    void shouldTellOnlyTheOwnerThreadTheHandleItDispatchesWhileTheCallbackRuns()
    {
        final TimerService service = TimerService.builder().clock(clock::get).build();
        final long[] handle = {0};
        final List<Long> inCallback = new ArrayList<>();
        final long[] otherThreadSaw = {-1};
        handle[0] = service.arm(1, MILLISECONDS, () ->
        {
            inCallback.add(ServiceInternals.dispatchingHandle(service));
            final Thread other = new Thread(() -> otherThreadSaw[0] = ServiceInternals.dispatchingHandle(service));
            other.start();
            try
            {
                other.join();
            }
            catch (final InterruptedException e)
            {
                throw new AssertionError(e);
            }
        });
        final long periodic = service.armPeriodic(1, 1, MILLISECONDS,
            () -> inCallback.add(ServiceInternals.dispatchingHandle(service)));
        assertEquals(TimerService.NULL_HANDLE, ServiceInternals.dispatchingHandle(service), "outside a callback");

        clock.addAndGet(MILLISECONDS.toNanos(1));
        service.poll();

        assertEquals(2, inCallback.size());
        assertTrue(inCallback.containsAll(List.of(handle[0], periodic)), "each callback is told its own handle: " +
            inCallback);
        assertEquals(TimerService.NULL_HANDLE, otherThreadSaw[0], "another thread, while the owner dispatches");
        assertEquals(TimerService.NULL_HANDLE, ServiceInternals.dispatchingHandle(service),
            "the thread that polled, once out of poll()");
    }

    @Test
    void shouldRefuseAPayloadTimerWhenBuiltWithoutAHandler()
    {
        final TimerService service = TimerService.builder().clock(clock::get).build();

        final IllegalStateException e = assertThrows(IllegalStateException.class,
            () -> service.arm(1, MILLISECONDS, 7L));
        assertTrue(e.getMessage().contains("TimerHandler"), e.getMessage());
    }

    @Test
    void shouldFireATimerArmedByACallbackForNowAtTheNextPollNotEarly()
    {
        final AtomicReference<TimerService> ref = new AtomicReference<>();
        final TimerService service = TimerService.builder().clock(clock::get)
            .handler((handle, payload, deadline) ->
            {
                fired.add(new long[]{handle, payload, deadline, clock.get()});
                if (payload == 1)
                {
                    ref.get().arm(0, NANOSECONDS, 2L);
                }
            }).build();
        ref.set(service);
        service.arm(10, NANOSECONDS, 1L);

        clock.addAndGet(10);
        assertEquals(1, service.poll());
        assertEquals(1, service.poll());

        assertEquals(2, fired.size());
        assertTrue(fired.get(1)[2] <= fired.get(1)[3]);
    }

    @Test
    void shouldFireATimerArmedAfterAnOversleptAdvanceAtItsOwnDeadlineNotAtTheStaleOne()
    {
        final TimerService service = manual().build();
        clock.addAndGet(HOURS.toNanos(5)); // the owner has not advanced for hours
        service.arm(2, MILLISECONDS, 1L);

        assertEquals(0, service.poll(), "a timer armed after a long gap must not fire before its own deadline");
        clock.addAndGet(MILLISECONDS.toNanos(2));
        assertEquals(1, service.poll());
    }

    @Test
    void shouldRecordLatenessFromDeadlineToFire()
    {
        final TimerService service = manual().build();
        service.arm(100, NANOSECONDS, 1L);
        service.arm(100, NANOSECONDS, 2L);

        clock.addAndGet(100 + 5_000);
        service.poll();

        final TimerServiceMetrics metrics = service.metrics();
        assertEquals(2, metrics.latenessCount());
        assertTrue(metrics.latenessP50Ns() >= 4_950 && metrics.latenessP50Ns() <= 5_050, metrics.toString());
        assertTrue(metrics.latenessMaxNs() >= 4_950 && metrics.latenessMaxNs() <= 5_050, metrics.toString());
    }

    @Test
    void shouldBoundTheTimersTakenByOnePoll()
    {
        final TimerService service = manual().build();
        for (int i = 0; i < 5; i++)
        {
            service.arm(1, NANOSECONDS, i);
        }
        clock.addAndGet(1);

        assertEquals(2, service.poll(2));
        assertEquals(2, service.poll(2));
        assertEquals(1, service.poll(2));
        assertEquals(5, fired.size());
        assertThrows(IllegalArgumentException.class, () -> service.poll(0));
    }

    // ------------------------------------------------------------------------------------------ cancel, re-arm

    @Test
    void shouldNeverRunACancelledTimerAndAnswerTrueOnlyOnce()
    {
        final TimerService service = manual().build();
        final long keep = service.arm(10, NANOSECONDS, 1L);
        final long drop = service.arm(10, NANOSECONDS, 2L);

        assertTrue(service.cancel(drop));
        assertFalse(service.cancel(drop));
        assertFalse(service.isArmed(drop));
        assertTrue(service.isArmed(keep));
        clock.addAndGet(10);
        service.poll();

        assertEquals(1, fired.size());
        assertEquals(keep, fired.get(0)[0]);
        assertFalse(service.cancel(keep), "cancel after fire must answer false");
        assertFalse(service.rearm(keep, 1, NANOSECONDS), "re-arm after fire must answer false");
        assertEquals(1, service.metrics().cancelled());
    }

    @Test
    void shouldAnswerFalseFromCancelAndRearmInsideItsOwnCallback()
    {
        final AtomicReference<TimerService> ref = new AtomicReference<>();
        final boolean[] answers = {true, true};
        final TimerService service = TimerService.builder().clock(clock::get)
            .handler((handle, payload, deadline) ->
            {
                answers[0] = ref.get().cancel(handle);
                answers[1] = ref.get().rearm(handle, 5, NANOSECONDS);
            }).build();
        ref.set(service);
        service.arm(1, NANOSECONDS, 0L);

        clock.addAndGet(1);
        service.poll();

        assertFalse(answers[0], "the callback is running: cancel has lost");
        assertFalse(answers[1], "the callback is running: re-arm has lost");
    }

    @Test
    void shouldMoveADeadlineLaterOrEarlierOnRearmAndNotFireAtTheOldOne()
    {
        final TimerService service = manual().build();
        final long handle = service.arm(100, NANOSECONDS, 9L);
        service.poll(); // filed in the wheel

        assertTrue(service.rearm(handle, 1_000, NANOSECONDS));
        clock.addAndGet(100);
        service.poll();
        assertTrue(fired.isEmpty(), "fired at its old deadline");

        assertTrue(service.rearm(handle, 50, NANOSECONDS)); // earlier than the 1,000 it had
        clock.addAndGet(49);
        service.poll();
        assertTrue(fired.isEmpty());
        clock.addAndGet(1);
        service.poll();
        assertEquals(1, fired.size());
        assertEquals(handle, fired.get(0)[0]);
        assertEquals(9, fired.get(0)[1]);
    }

    @Test
    void shouldMoveATimerRearmedBeforeTheOwnerEverSawIt()
    {
        final TimerService service = manual().build();
        final long handle = service.arm(10, NANOSECONDS, 1L);
        assertTrue(service.rearm(handle, 500, NANOSECONDS));

        clock.addAndGet(10);
        service.poll();
        assertTrue(fired.isEmpty());
        clock.addAndGet(490);
        service.poll();
        assertEquals(1, fired.size());
    }

    @Test
    void shouldAnswerStaleHandlesWithFalseAndLeaveTheTimerNowInTheirSlotAlone()
    {
        final TimerService service = manual().capacity(1).build();
        final long old = service.arm(10, NANOSECONDS, 1L);
        assertTrue(service.cancel(old));
        service.poll(); // retires it: the slot is free for the next timer, with a new generation

        final long current = service.arm(10, NANOSECONDS, 2L);
        assertEquals((int)old, (int)current, "capacity 1: the same slot");
        assertNotEquals(old, current);
        assertFalse(service.cancel(old));
        assertFalse(service.rearm(old, 1_000, NANOSECONDS));
        assertFalse(service.isArmed(old));

        clock.addAndGet(10);
        service.poll();
        assertEquals(1, fired.size());
        assertEquals(2, fired.get(0)[1]);
    }

    @ParameterizedTest
    @ValueSource(longs = {0L, -1L, Long.MIN_VALUE, Long.MAX_VALUE, 5L, 1L << 32 | 4096, 7L << 32 | 3})
    void shouldAnswerForgedHandlesWithFalse(final long forged)
    {
        final TimerService service = manual().capacity(4096).build();
        final long real = service.arm(10, NANOSECONDS, 1L);

        assertFalse(service.cancel(forged));
        assertFalse(service.rearm(forged, 1, NANOSECONDS));
        assertFalse(service.isArmed(forged));
        assertTrue(service.isArmed(real));
    }

    @Test
    void shouldFreeACancelledTimersSlotAtTheNextPollNotWhenItsBucketComesRound()
    {
        final TimerService service = manual().capacity(2).build();
        final long far = service.arm(1, HOURS, 1L);
        service.arm(1, HOURS, 2L);
        assertThrows(TimerServiceFullException.class, () -> service.arm(1, HOURS, 3L));
        assertTrue(service.cancel(far));
        assertEquals(2, service.metrics().pending(), "not retired yet: the owner has not drained");

        service.poll(); // an hour before the bucket comes round
        assertEquals(1, service.metrics().pending());
        service.arm(1, HOURS, 3L);
        assertEquals(2, service.metrics().pending());
    }

    // ------------------------------------------------------------------------------------------ bad input

    @Test
    void shouldRejectNegativeDelaysWithoutChangingAnything()
    {
        final TimerService service = manual().build();
        final long handle = service.arm(10, NANOSECONDS, 1L);

        final IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
            () -> service.arm(-1, NANOSECONDS, 2L));
        assertTrue(e.getMessage().contains("negative"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> service.arm(-1, MILLISECONDS, () -> { }));
        assertThrows(IllegalArgumentException.class, () -> service.rearm(handle, -5, NANOSECONDS));
        assertTrue(service.isArmed(handle));
        assertEquals(1, service.metrics().pending());
    }

    @Test
    void shouldRejectDelaysWhoseDeadlineWouldOverflow()
    {
        final TimerService service = manual().build();
        final long handle = service.arm(10, NANOSECONDS, 1L);

        assertThrows(IllegalArgumentException.class, () -> service.arm(Long.MAX_VALUE, NANOSECONDS, 1L));
        assertThrows(IllegalArgumentException.class, () -> service.arm(Long.MAX_VALUE, TimeUnit.DAYS, 1L));
        assertThrows(IllegalArgumentException.class, () -> service.arm(Long.MAX_VALUE - 999, NANOSECONDS, 1L));
        assertThrows(IllegalArgumentException.class, () -> service.rearm(handle, Long.MAX_VALUE, NANOSECONDS));
        // the largest delay that fits: a deadline of Long.MAX_VALUE
        final long largest = service.arm(Long.MAX_VALUE - clock.get(), NANOSECONDS, 1L);
        assertTrue(service.isArmed(largest));
    }

    @Test
    void shouldRejectDeadlinesPastLongMaxValueWhenTheClockIsNearTheTop()
    {
        clock.set(Long.MAX_VALUE - 1_000);
        final TimerService service = manual().build();

        assertThrows(IllegalArgumentException.class, () -> service.arm(1_001, NANOSECONDS, 1L));
        final long handle = service.arm(1_000, NANOSECONDS, 1L); // a deadline of Long.MAX_VALUE
        clock.addAndGet(999);
        service.poll();
        assertTrue(fired.isEmpty());
        clock.addAndGet(1);
        service.poll();
        assertEquals(1, fired.size());
        assertEquals(handle, fired.get(0)[0]);
    }

    @Test
    void shouldRejectBadBuilderValuesWithTheirNames()
    {
        final TimerService.Builder builder = TimerService.builder();
        assertTrue(assertThrows(IllegalArgumentException.class, () -> builder.capacity(0)).getMessage()
            .contains("capacity"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> builder.tickNs(0)).getMessage()
            .contains("tickNs"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> builder.wakeAfterRequests(0)).getMessage()
            .contains("wakeAfterRequests"));
        assertThrows(NullPointerException.class, () -> builder.clock(null));
        assertThrows(NullPointerException.class, () -> TimerService.builder().build().arm(1, NANOSECONDS, null));
    }

    @Test
    void shouldThrowFullWhenEveryCapacitySlotIsTakenAndCountTheRejection()
    {
        final TimerService service = manual().capacity(3).build();
        for (int i = 0; i < 3; i++)
        {
            service.arm(10, NANOSECONDS, i);
        }

        final TimerServiceFullException e = assertThrows(TimerServiceFullException.class,
            () -> service.arm(10, NANOSECONDS, 3L));
        assertEquals(3, e.capacity());
        assertEquals(1, service.metrics().rejected());
        assertEquals(3, service.metrics().pending());

        clock.addAndGet(10);
        service.poll(); // fired timers free their slots
        service.arm(10, NANOSECONDS, 4L);
    }

    // ------------------------------------------------------------------------------------------ errors

    @Test
    void shouldReportAThrowingCallbackToTheErrorHandlerAndGoOn()
    {
        final List<Long> failedHandles = new ArrayList<>();
        final TimerService service = TimerService.builder().clock(clock::get)
            .handler((handle, payload, deadline) ->
            {
                if (payload == 1)
                {
                    throw new IllegalStateException("boom");
                }
                fired.add(new long[]{handle, payload});
            })
            .errorHandler((handle, error) ->
            {
                failedHandles.add(handle);
                errors.add(error);
            }).build();
        final long bad = service.arm(1, NANOSECONDS, 1L);
        service.arm(1, NANOSECONDS, 2L);
        service.arm(2, NANOSECONDS, 3L);

        clock.addAndGet(2);
        assertEquals(3, service.poll());

        assertEquals(List.of(bad), failedHandles);
        assertEquals("boom", errors.get(0).getMessage());
        assertEquals(2, fired.size());
        assertEquals(1, service.metrics().callbackErrors());
        assertEquals(3, service.metrics().fired());
    }

    @Test
    void shouldGoOnWhenTheErrorHandlerItselfThrows()
    {
        final TimerService service = TimerService.builder().clock(clock::get)
            .handler((handle, payload, deadline) ->
            {
                throw new IllegalStateException("callback");
            })
            .errorHandler((handle, error) ->
            {
                throw new IllegalStateException("error handler");
            }).build();
        service.arm(1, NANOSECONDS, 1L);
        service.arm(1, NANOSECONDS, 2L);

        clock.addAndGet(1);
        final ByteArrayOutputStream stderr = new ByteArrayOutputStream();
        final PrintStream original = System.err;
        System.setErr(new PrintStream(stderr, true, StandardCharsets.UTF_8));
        try
        {
            assertEquals(2, service.poll());
        }
        finally
        {
            System.setErr(original);
        }
        assertEquals(2, service.metrics().callbackErrors());
        final String printed = stderr.toString(StandardCharsets.UTF_8);
        assertTrue(printed.contains("error handler") && printed.contains("Suppressed") && printed.contains("callback"),
            "both exceptions must reach stderr, not vanish:\n" + printed);
    }

    @Test
    void shouldRefuseAPollFromInsideACallbackAndReportIt()
    {
        final AtomicReference<TimerService> ref = new AtomicReference<>();
        final TimerService service = TimerService.builder().clock(clock::get)
            .handler((handle, payload, deadline) -> ref.get().poll())
            .errorHandler((handle, error) -> errors.add(error)).build();
        ref.set(service);
        service.arm(1, NANOSECONDS, 1L);

        clock.addAndGet(1);
        service.poll();

        assertEquals(1, errors.size());
        assertTrue(errors.get(0) instanceof IllegalStateException);
    }

    // ------------------------------------------------------------------------------------------ executor

    @Test
    void shouldHandExpiredTimersToTheExecutorInsteadOfRunningThem()
    {
        final List<Runnable> handedOver = new ArrayList<>();
        final TimerService service = manual().executor(handedOver::add).build();
        final Runnable task = () -> fired.add(new long[]{-1});
        service.arm(1, NANOSECONDS, task);
        service.arm(1, NANOSECONDS, 5L);

        clock.addAndGet(1);
        service.poll();

        assertTrue(fired.isEmpty(), "the owner must only hand over");
        assertEquals(2, handedOver.size());
        handedOver.forEach(Runnable::run); // each a task of the service's, which runs the callback
        assertEquals(2, fired.size());
    }

    @Test
    void shouldReportAnExecutorsRejectionToTheErrorHandler()
    {
        final TimerService service = manual().executor(task ->
        {
            throw new RejectedExecutionException("executor shut down");
        }).build();
        service.arm(1, NANOSECONDS, 5L);

        clock.addAndGet(1);
        service.poll();

        assertEquals(1, errors.size());
        assertTrue(errors.get(0) instanceof RejectedExecutionException);
        assertEquals(1, service.metrics().fired());
    }

    // ------------------------------------------------------------------------------------------ lifecycle

    @Test
    void shouldReturnAndCancelWhatWasPendingOnShutdown()
    {
        final TimerService service = manual().build();
        final Runnable task = () -> { };
        final long payloadTimer = service.arm(100, NANOSECONDS, 77L);
        final long taskTimer = service.arm(200, NANOSECONDS, task);
        final long cancelled = service.arm(300, NANOSECONDS, 1L);
        service.poll();
        assertTrue(service.cancel(cancelled));

        final List<PendingTimer> pending = service.shutdown();

        assertEquals(List.of(new PendingTimer(payloadTimer, 77L, 1_100, null),
            new PendingTimer(taskTimer, 0, 1_200, task)), pending);
        assertFalse(service.cancel(payloadTimer), "close cancelled it");
        assertFalse(service.rearm(taskTimer, 1, NANOSECONDS));
        clock.addAndGet(1_000);
        assertEquals(0, service.poll());
        assertTrue(fired.isEmpty());
        final TimerServiceMetrics metrics = service.metrics();
        assertEquals(2, metrics.closedPending());
        assertEquals(1, metrics.cancelled());
        assertEquals(0, metrics.pending());
        assertTrue(service.shutdown().isEmpty(), "a second shutdown has nothing left");
    }

    @Test
    void shouldRejectArmsAfterCloseWithASpecificExceptionAndCountThem()
    {
        final TimerService service = manual().build();
        service.close();

        assertThrows(TimerServiceClosedException.class, () -> service.arm(1, NANOSECONDS, 1L));
        assertThrows(TimerServiceClosedException.class, () -> service.arm(1, NANOSECONDS, () -> { }));
        assertThrows(TimerServiceClosedException.class, service::start);
        assertEquals(2, service.metrics().rejected());
        assertTrue(service.isClosed());
    }

    @Test
    void shouldRefuseToMixTheTwoDrivingModes()
    {
        final TimerService polled = manual().build();
        polled.poll();
        assertThrows(IllegalStateException.class, polled::start);

        final TimerService driven = manual().build();
        driven.start();
        try
        {
            assertThrows(IllegalStateException.class, driven::poll);
            assertThrows(IllegalStateException.class, driven::start);
        }
        finally
        {
            driven.close();
        }
    }

    @Test
    @Timeout(20)
    void shouldFireOnTheDriverThreadAndStopItOnClose() throws InterruptedException
    {
        final CountDownLatch ran = new CountDownLatch(1);
        final AtomicReference<Thread> firedOn = new AtomicReference<>();
        final AtomicReference<Thread> driver = new AtomicReference<>();
        final TimerService service = TimerService.builder().threadFactory(r ->
        {
            final Thread thread = new Thread(r, "test-driver");
            driver.set(thread);
            return thread;
        }).build();
        service.start();
        service.arm(1, MILLISECONDS, () ->
        {
            firedOn.set(Thread.currentThread());
            ran.countDown();
        });

        assertTrue(ran.await(10, TimeUnit.SECONDS));
        assertSame(driver.get(), firedOn.get());
        service.close();
        assertFalse(driver.get().isAlive(), "close() returns after the driver thread ended");
    }

    @Test
    @Timeout(20)
    void shouldWakeASleepingDriverForATimerEarlierThanTheOneItSleepsTowards() throws InterruptedException
    {
        final CountDownLatch ran = new CountDownLatch(1);
        try (TimerService service = TimerService.builder().build())
        {
            service.start();
            service.arm(1, HOURS, () -> { });
            // Whether the driver is asleep already or not, the early timer must not wait for the hour (nor for
            // the one-second safety wake: the await would still pass, so also check the lateness below).
            service.arm(1, MILLISECONDS, ran::countDown);

            assertTrue(ran.await(10, TimeUnit.SECONDS));
            assertTrue(service.metrics().latenessMaxNs() < MILLISECONDS.toNanos(900),
                "the driver was not woken: " + service.metrics());
        }
    }

    @Test
    @Timeout(20)
    void shouldWakeASleepingDriverToRetireABacklogOfCancels()
    {
        final int capacity = 64;
        try (TimerService service = TimerService.builder().capacity(capacity).wakeAfterRequests(8).build())
        {
            service.start();
            // 10x the capacity of arm+cancel with the driver asleep towards an hour-away deadline: without the
            // backlog wake-up the slots of cancelled timers would stay taken and the arms would fail.
            final long keep = service.arm(1, HOURS, () -> { });
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            int armed = 0;
            while (armed < 10 * capacity)
            {
                try
                {
                    assertTrue(service.cancel(service.arm(1, HOURS, () -> { })));
                    armed++;
                }
                catch (final TimerServiceFullException e)
                {
                    assertTrue(System.nanoTime() < deadline, "cancelled slots were never retired");
                    Thread.onSpinWait();
                }
            }
            assertTrue(service.isArmed(keep));
        }
    }

    @Test
    @Timeout(20)
    void shouldWaitForTheDriverToRetireCancelledTimersWhenFullIfAskedTo()
    {
        // a huge batch threshold: only the full service's own wake-up lets the driver retire the cancelled timers
        try (TimerService service = TimerService.builder().capacity(16).wakeAfterRequests(1 << 20)
            .waitWhenFull(java.time.Duration.ofSeconds(5)).build())
        {
            service.start();
            for (int i = 0; i < 100 * 16; i++)
            {
                assertTrue(service.cancel(service.arm(1, HOURS, () -> { })), "arm " + i + " waited, never failed");
            }
            assertEquals(0, service.metrics().rejected());
        }
    }

    // ------------------------------------------------------------------------------------------ request queue

    @Test
    void shouldDrainTheFullRequestQueueOnTheArmingThreadWhenNobodyPolls()
    {
        // 50,000 arms between two polls, far more than the queue holds (1,024 to 65,536 requests): the arming
        // thread, finding it full with no poll running, drains it itself. Every timer is kept, with its payload.
        final int timers = 50_000;
        final TimerService service = manual().capacity(timers).build();
        final long[] handles = new long[timers];
        for (int i = 0; i < timers; i++)
        {
            handles[i] = service.arm(i + 1, MILLISECONDS, i);
        }
        assertEquals(timers, service.metrics().pending());
        assertTrue(service.cancel(handles[0]));
        assertTrue(service.rearm(handles[1], 1, HOURS));
        clock.addAndGet(MILLISECONDS.toNanos(timers + 1));
        assertEquals(timers - 2, service.poll());
        assertEquals(timers - 2, fired.size());
        for (int i = 0; i < fired.size(); i++)
        {
            final long[] timer = fired.get(i);
            assertEquals(1_000 + MILLISECONDS.toNanos(timer[1] + 1), timer[2], "the payload travelled with its deadline");
        }
        assertEquals(0, service.metrics().rejected());
    }

    @Test
    void shouldDrainTheFullRequestQueueFromACallbackOnTheOwnerThread()
    {
        // A callback that arms more timers than the queue holds: its thread owns the wheel, so it drains the queue
        // itself rather than waiting for a poll that cannot come until it returns.
        final AtomicReference<TimerService> ref = new AtomicReference<>();
        final List<Long> armed = new ArrayList<>();
        final TimerService service = TimerService.builder().clock(clock::get).capacity(100_000)
            .handler((handle, payload, deadline) ->
            {
                if (payload == -1)
                {
                    for (int i = 0; i < 70_000; i++)
                    {
                        armed.add(ref.get().arm(1, HOURS, i));
                    }
                }
            })
            .build();
        ref.set(service);
        service.arm(0, NANOSECONDS, -1);
        assertEquals(1, service.poll());
        assertEquals(70_000, armed.size());
        assertEquals(70_000, service.metrics().pending());
        assertTrue(armed.stream().allMatch(service::isArmed));
    }

    @Test
    @Timeout(30)
    void shouldFailAnArmClearlyWhenTheOwnerLeavesTheRequestQueueFullBeyondTheWait() throws InterruptedException
    {
        // A callback blocks the driver thread; other threads fill the queue (1,024 requests with these settings).
        // Arms then wait, then fail with a message naming the queue; nothing was armed by them, nothing is lost.
        final CountDownLatch blocking = new CountDownLatch(1);
        final CountDownLatch release = new CountDownLatch(1);
        try (TimerService service = TimerService.builder().capacity(4096).wakeAfterRequests(1)
            .waitWhenFull(java.time.Duration.ofMillis(1_100)).build())
        {
            service.start();
            service.arm(0, NANOSECONDS, () ->
            {
                blocking.countDown();
                awaitUninterruptibly(release);
            });
            assertTrue(blocking.await(10, TimeUnit.SECONDS));
            final List<Long> handles = new ArrayList<>();
            TimerServiceFullException failure = null;
            while (failure == null)
            {
                try
                {
                    handles.add(service.arm(1, HOURS, () -> { }));
                }
                catch (final TimerServiceFullException e)
                {
                    failure = e;
                }
            }
            assertTrue(failure.getMessage().contains("request queue is full"), failure.getMessage());
            assertEquals(1024, handles.size(), "the queue's size, then the failure");
            assertEquals(1, service.metrics().rejected());
            release.countDown();
            // Once the owner drains again every arm that returned a handle holds its timer.
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (service.metrics().fired() < 1 && System.nanoTime() < deadline)
            {
                Thread.sleep(1);
            }
            assertTrue(handles.stream().allMatch(service::isArmed));
            assertEquals(handles.size(), service.shutdown().size());
        }
    }

    @Test
    @Timeout(30)
    void shouldRetireATimerCancelledWhileTheRequestQueueIsFullWhenItComesDueInsteadOfFiringIt()
        throws InterruptedException
    {
        // With the queue full the cancel cannot tell the owner; it still wins at once (the CAS), and the owner,
        // finding the timer cancelled when the wheel hands it over, retires it: never fired, its slot freed.
        final CountDownLatch blocking = new CountDownLatch(1);
        final CountDownLatch release = new CountDownLatch(1);
        final AtomicLong firedCount = new AtomicLong();
        try (TimerService service = TimerService.builder().capacity(4096).wakeAfterRequests(1)
            .waitWhenFull(java.time.Duration.ofMillis(100)).build())
        {
            service.start();
            final long early = service.arm(50, MILLISECONDS, firedCount::incrementAndGet);
            service.arm(0, NANOSECONDS, () ->
            {
                blocking.countDown();
                awaitUninterruptibly(release);
            });
            assertTrue(blocking.await(10, TimeUnit.SECONDS));
            Thread.sleep(10); // the driver has filed `early` (drained before firing the blocking one)
            while (true)
            {
                try
                {
                    service.arm(1, HOURS, () -> { });
                }
                catch (final TimerServiceFullException e)
                {
                    break; // the queue is full
                }
            }
            assertTrue(service.cancel(early), "the cancel wins though it cannot queue its request");
            assertFalse(service.cancel(early));
            release.countDown();
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (service.metrics().cancelled() < 1 && System.nanoTime() < deadline)
            {
                Thread.sleep(1);
            }
            Thread.sleep(100); // past its deadline
            assertEquals(1, service.metrics().cancelled(), "retired when it came due");
            assertEquals(0, firedCount.get(), "and never fired");
        }
    }

    @Test
    @Timeout(30)
    void shouldReturnTheDeadlineOfATimerAShutdownClosedWhileACallerDrivenPollWasAboutToFireIt() throws Exception
    {
        // The first timer's callback has another thread shut the service down and waits until that thread's sweep
        // closed the second timer, due in the same poll. The poll then finds it closed rather than firing it, and
        // shutdown() must still report its deadline and payload (they live in the owner's wheel).
        final AtomicReference<TimerService> ref = new AtomicReference<>();
        final AtomicReference<List<PendingTimer>> returned = new AtomicReference<>();
        final long[] second = new long[1];
        final Thread[] closer = new Thread[1];
        final TimerService service = TimerService.builder().clock(clock::get)
            .handler((handle, payload, deadline) ->
            {
                if (payload == 1)
                {
                    closer[0] = new Thread(() -> returned.set(ref.get().shutdown()));
                    closer[0].start();
                    while (ref.get().isArmed(second[0]))
                    {
                        Thread.onSpinWait();
                    }
                }
            })
            .build();
        ref.set(service);
        service.arm(1, MILLISECONDS, 1);
        second[0] = service.arm(2, MILLISECONDS, 2);
        clock.addAndGet(MILLISECONDS.toNanos(2));
        service.poll();
        closer[0].join(10_000);
        final List<PendingTimer> pending = returned.get();
        assertEquals(1, pending.size());
        assertEquals(second[0], pending.get(0).handle());
        assertEquals(2, pending.get(0).payload());
        assertEquals(1_000 + MILLISECONDS.toNanos(2), pending.get(0).deadlineNs());
    }

    private static void awaitUninterruptibly(final CountDownLatch latch)
    {
        try
        {
            latch.await();
        }
        catch (final InterruptedException e)
        {
            Thread.currentThread().interrupt();
        }
    }

    @Test
    void shouldStillFailAfterTheWaitWhenTheSlotsHoldArmedTimers()
    {
        final TimerService service = manual().capacity(2).waitWhenFull(java.time.Duration.ofMillis(20)).build();
        service.arm(1, HOURS, 1L);
        service.arm(1, HOURS, 2L);
        final long start = System.nanoTime();
        assertThrows(TimerServiceFullException.class, () -> service.arm(1, HOURS, 3L));
        assertTrue(System.nanoTime() - start >= MILLISECONDS.toNanos(20), "it waited before failing");
        assertEquals(1, service.metrics().rejected());
    }

    @Test
    @Timeout(20)
    void shouldLetACallbackCloseTheServiceFromTheDriverThread() throws InterruptedException
    {
        final CountDownLatch closed = new CountDownLatch(1);
        final AtomicReference<TimerService> ref = new AtomicReference<>();
        final TimerService service = TimerService.builder().build();
        ref.set(service);
        service.start();
        final long later = service.arm(1, HOURS, () -> { });
        service.arm(0, NANOSECONDS, () ->
        {
            ref.get().close();
            closed.countDown();
        });

        assertTrue(closed.await(10, TimeUnit.SECONDS));
        assertTrue(service.isClosed());
        assertFalse(service.cancel(later));
    }

    @Test
    void shouldCountTheTimerWhoseCallbackClosesTheServiceAsFiredNotCancelled()
    {
        final AtomicReference<TimerService> ref = new AtomicReference<>();
        final TimerService service = manual().build();
        ref.set(service);
        service.arm(10, NANOSECONDS, () -> ref.get().close());
        service.arm(1, HOURS, 7L);
        final long cancelled = service.arm(1, HOURS, 8L);
        assertTrue(service.cancel(cancelled)); // cancelled, never retired: no poll since
        clock.addAndGet(10);
        assertEquals(1, service.poll());

        final TimerServiceMetrics metrics = service.metrics();
        assertEquals(1, metrics.fired(), metrics.toString());
        assertEquals(1, metrics.cancelled(), "only the timer cancelled before the close: " + metrics);
        assertEquals(1, metrics.closedPending(), "the hour-away timer: " + metrics);
    }
}
