package io.escapement.agrona;

import io.escapement.engine.service.TimerService;
import io.escapement.engine.service.TimerServiceClosedException;
import org.agrona.concurrent.Agent;
import org.agrona.concurrent.AgentInvoker;
import org.agrona.concurrent.AgentRunner;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.CompositeAgent;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import static java.util.concurrent.TimeUnit.HOURS;
import static java.util.concurrent.TimeUnit.MICROSECONDS;
import static java.util.concurrent.TimeUnit.MILLISECONDS;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The agent in Agrona's duty cycles. Deterministic: an {@link AgentInvoker} with a manual clock, checked against a
 * reference model (the timers whose deadline is at or before the clock, minus the cancelled ones), except one test
 * that runs a real {@link AgentRunner} thread and waits for its fires without timing them.
 */
class TimerServiceAgentTest
{
    private final AtomicLong clock = new AtomicLong(-5_000_000_000L); // a negative origin: nanoTime may be negative
    /** Fires, in order: {handle, payload, deadline, clock at fire}. */
    private final List<long[]> fired = new ArrayList<>();
    private final List<Throwable> invokerErrors = new ArrayList<>();
    private final List<Long> serviceErrorHandles = new ArrayList<>();

    private TimerService.Builder manual()
    {
        return TimerService.builder().clock(clock::get).tickNs(MICROSECONDS.toNanos(100))
            .handler((handle, payload, deadline) -> fired.add(new long[]{handle, payload, deadline, clock.get()}))
            .errorHandler((handle, error) -> serviceErrorHandles.add(handle));
    }

    private AgentInvoker invoker(final Agent agent)
    {
        final AgentInvoker invoker = new AgentInvoker(invokerErrors::add, null, agent);
        invoker.start();
        assertTrue(invoker.isRunning(), () -> "the agent did not start: " + invokerErrors);
        return invoker;
    }

    @ParameterizedTest(name = "seed {0}")
    @ValueSource(longs = {1, 2, 3})
    void shouldFireEveryTimerExactlyOnceAtTheFirstCycleAtOrAfterItsDeadlineWhenDrivenByAnInvoker(final long seed)
    {
        final Random random = new Random(seed);
        final TimerService service = manual().capacity(4096).build();
        final AgentInvoker invoker = invoker(new TimerServiceAgent(service));
        // The model: deadline of every timer armed and not cancelled; a timer fires at the first cycle whose clock is
        // at or after its deadline, never before, never twice, and a cancelled one never.
        final Map<Long, Long> deadlineOf = new HashMap<>();
        final TreeMap<Long, Set<Long>> byDeadline = new TreeMap<>();
        final Set<Long> cancelled = new HashSet<>();
        final Set<Long> firedHandles = new HashSet<>();
        for (int step = 0; step < 3_000; step++)
        {
            final int arms = random.nextInt(4);
            for (int i = 0; i < arms; i++)
            {
                final long delayNs = random.nextInt(20) == 0 ? 0 : random.nextInt(50_000_000);
                final long deadline = clock.get() + delayNs;
                final long handle = service.arm(delayNs, TimeUnit.NANOSECONDS, step);
                deadlineOf.put(handle, deadline);
                byDeadline.computeIfAbsent(deadline, d -> new HashSet<>()).add(handle);
            }
            if (random.nextInt(3) == 0 && !deadlineOf.isEmpty())
            {
                final Long[] live = deadlineOf.keySet().toArray(new Long[0]);
                final long victim = live[random.nextInt(live.length)];
                final boolean wasPending = !firedHandles.contains(victim) && !cancelled.contains(victim);
                assertEquals(wasPending, service.cancel(victim), "cancel answers whether the timer was pending");
                if (wasPending)
                {
                    cancelled.add(victim);
                    byDeadline.get(deadlineOf.get(victim)).remove(victim);
                }
            }
            clock.addAndGet(random.nextInt(200_000));
            final int firedBefore = fired.size();
            final int work = invoker.invoke();
            final long now = clock.get();
            final Set<Long> expected = new HashSet<>();
            for (final Set<Long> due : byDeadline.headMap(now, true).values())
            {
                expected.addAll(due);
            }
            byDeadline.headMap(now, true).clear();
            final Set<Long> actual = new HashSet<>();
            for (final long[] fire : fired.subList(firedBefore, fired.size()))
            {
                assertTrue(fire[3] >= fire[2], "never early");
                assertEquals(deadlineOf.get(fire[0]), fire[2], "fired with its own deadline");
                assertTrue(firedHandles.add(fire[0]), "never twice");
                actual.add(fire[0]);
            }
            assertEquals(expected, actual, "step " + step + ": exactly the timers due at " + now + " fired");
            assertTrue(work >= actual.size(), "the work counted includes the fires");
        }
        assertTrue(firedHandles.size() > 1000, "the run fired timers: " + firedHandles.size());
        assertTrue(invokerErrors.isEmpty(), invokerErrors::toString);
        invoker.close();
    }

    @Test
    void shouldCountTheRequestsOfOtherThreadsAsWorkWhenNoTimerIsDue() throws InterruptedException
    {
        final TimerService service = manual().build();
        final AgentInvoker invoker = invoker(new TimerServiceAgent(service));
        final Thread producer = new Thread(() ->
        {
            final long handle = service.arm(1, HOURS, 1);
            service.rearm(handle, 2, HOURS);
            service.arm(1, HOURS, 2);
        });
        producer.start();
        producer.join();
        assertEquals(3, invoker.invoke(), "two arms and a re-arm handled, no timer due");
        assertEquals(0, invoker.invoke(), "nothing came since: the idle strategy may idle");
        invoker.close();
    }

    @Test
    void shouldReportNoWorkOnceTheServiceIsClosedEvenIfItsLastDrainHandledRequests()
    {
        final TimerService service = manual().build();
        final AgentInvoker invoker = invoker(new TimerServiceAgent(service));
        service.arm(1, HOURS, 1);
        service.arm(1, HOURS, 2);
        assertEquals(2, invoker.invoke());
        service.close();
        assertEquals(0, invoker.invoke(), "a closed service reports no work: the runner idles instead of spinning");
        assertEquals(0, invoker.invoke());
        assertTrue(invoker.isRunning(), "closing the service does not stop the runner (nor a composite's others)");
        invoker.close();
    }

    @Test
    void shouldTakeAtMostThePollLimitPerCycleAndTheRestAtTheNext()
    {
        final TimerService service = manual().build();
        final AgentInvoker invoker = invoker(new TimerServiceAgent(service, "timers", 2));
        for (int i = 0; i < 5; i++)
        {
            service.arm(1, MILLISECONDS, i);
        }
        assertEquals(5, invoker.invoke(), "five arms drained, nothing due");
        clock.addAndGet(MILLISECONDS.toNanos(1));
        assertEquals(2, invoker.invoke());
        assertEquals(2, fired.size());
        assertEquals(2, invoker.invoke());
        assertEquals(1, invoker.invoke());
        assertEquals(0, invoker.invoke());
        assertEquals(5, fired.size());
        invoker.close();
    }

    @Test
    void shouldRunTheTimersAndTheOtherAgentInEveryCycleOfACompositeAgent()
    {
        final TimerService service = manual().build();
        final AtomicInteger otherCycles = new AtomicInteger();
        final List<String> lifecycle = new ArrayList<>();
        final Agent other = new Agent()
        {
            @Override
            public void onStart()
            {
                lifecycle.add("other started");
            }

            @Override
            public int doWork()
            {
                otherCycles.incrementAndGet();
                return 0;
            }

            @Override
            public void onClose()
            {
                lifecycle.add("other closed");
            }

            @Override
            public String roleName()
            {
                return "other";
            }
        };
        final CompositeAgent composite = new CompositeAgent(new TimerServiceAgent(service), other);
        assertTrue(composite.roleName().contains(TimerServiceAgent.DEFAULT_ROLE_NAME), composite.roleName());
        final AgentInvoker invoker = invoker(composite);
        final long deadline = clock.get() + MILLISECONDS.toNanos(3);
        service.arm(3, MILLISECONDS, 7);
        for (int ms = 1; ms <= 5; ms++)
        {
            clock.addAndGet(MILLISECONDS.toNanos(1));
            invoker.invoke();
            assertEquals(ms, otherCycles.get(), "the other agent runs once per cycle");
            assertEquals(ms >= 3 ? 1 : 0, fired.size(), "at " + ms + " ms");
        }
        assertEquals(deadline, fired.get(0)[2]);
        invoker.close();
        assertTrue(service.isClosed(), "the composite's close closes the service");
        assertEquals(List.of("other started", "other closed"), lifecycle);
    }

    @Test
    void shouldCloseTheServiceOnCloseSoThatNoArmIsAcceptedThatWouldNeverFire()
    {
        final TimerService service = manual().build();
        final AgentInvoker invoker = invoker(new TimerServiceAgent(service));
        final long pending = service.arm(1, HOURS, 1);
        invoker.invoke();
        invoker.close();
        assertTrue(service.isClosed());
        assertFalse(service.isArmed(pending), "the pending timer was cancelled by the close");
        assertEquals(1, service.metrics().closedPending(), "counted as pending at the close");
        assertThrows(TimerServiceClosedException.class, () -> service.arm(1, HOURS, 2));
        assertTrue(invokerErrors.isEmpty(), invokerErrors::toString);
    }

    @Test
    void shouldLeaveAServiceWithADriverThreadAloneWhenOnStartRefusesIt() throws InterruptedException
    {
        final CountDownLatch fires = new CountDownLatch(1);
        final TimerService service = TimerService.builder()
            .handler((handle, payload, deadline) -> fires.countDown()).build();
        service.start();
        try
        {
            final AgentInvoker invoker = new AgentInvoker(invokerErrors::add, null, new TimerServiceAgent(service));
            invoker.start();
            assertFalse(invoker.isRunning(), "onStart refused a service that has a driver thread");
            assertEquals(1, invokerErrors.size());
            assertInstanceOf(IllegalStateException.class, invokerErrors.get(0));
            assertFalse(service.isClosed(), "an agent that never drove the service does not close it");
            service.arm(0, MILLISECONDS, 1);
            assertTrue(fires.await(10, TimeUnit.SECONDS), "the driver thread still fires");
        }
        finally
        {
            service.close();
        }
    }

    @Test
    void shouldSendCallbackErrorsToTheServiceErrorHandlerAndNotOutOfDoWork()
    {
        final TimerService service = manual().build();
        final AgentInvoker invoker = invoker(new TimerServiceAgent(service));
        final long throwing = service.arm(1, MILLISECONDS, () ->
        {
            throw new IllegalStateException("callback failure");
        });
        service.arm(1, MILLISECONDS, 42);
        assertEquals(2, invoker.invoke(), "two arms drained");
        clock.addAndGet(MILLISECONDS.toNanos(1));
        assertEquals(2, invoker.invoke(), "both timers taken, the throwing one included");
        assertEquals(List.of(throwing), serviceErrorHandles, "the service's error handler heard the callback");
        assertTrue(invokerErrors.isEmpty(), "nothing reached the runner's error handler: " + invokerErrors);
        assertTrue(invoker.isRunning());
        assertEquals(1, fired.size(), "the next timer fired all the same");
        assertEquals(1, service.metrics().callbackErrors());
        invoker.close();
    }

    @Test
    @Timeout(60)
    void shouldFireTimersWhenAnAgentRunnerThreadDrivesTheServiceInsteadOfItsDriver() throws InterruptedException
    {
        final List<long[]> fires = new CopyOnWriteArrayList<>();
        final CountDownLatch allFired = new CountDownLatch(100);
        final TimerService service = TimerService.builder().clock(clock::get)
            .handler((handle, payload, deadline) ->
            {
                fires.add(new long[]{handle, deadline, clock.get()});
                allFired.countDown();
            })
            .build();
        final List<Throwable> runnerErrors = new CopyOnWriteArrayList<>();
        final AgentRunner runner = new AgentRunner(new BackoffIdleStrategy(), runnerErrors::add, null,
            new TimerServiceAgent(service));
        final Thread thread = AgentRunner.startOnThread(runner);
        try
        {
            // Armed from this thread while the runner polls; the clock moves only after every arm, so none is early.
            for (int i = 0; i < 100; i++)
            {
                service.arm(i % 10, MILLISECONDS, i);
            }
            clock.addAndGet(MILLISECONDS.toNanos(10));
            assertTrue(allFired.await(30, TimeUnit.SECONDS), "fired: " + fires.size());
            final Set<Long> handles = new HashSet<>();
            for (final long[] fire : fires)
            {
                assertTrue(handles.add(fire[0]), "never twice");
                assertTrue(fire[2] >= fire[1], "never early");
            }
            assertEquals(thread.getName(), TimerServiceAgent.DEFAULT_ROLE_NAME, "Agrona names the thread");
        }
        finally
        {
            runner.close();
        }
        assertTrue(service.isClosed(), "the runner's close closed the service");
        assertTrue(runnerErrors.isEmpty(), runnerErrors::toString);
        assertEquals(100, fires.size());
    }

    @Test
    @Timeout(60)
    void shouldFireTimersWhenAnAgentRunnerIdlesWithTheDeadlineIdleStrategy() throws InterruptedException
    {
        // The idle strategy asks the service for its deadline from the runner's thread between two duty cycles: the
        // service must take that as its own poller's call, not as a second poller.
        final CountDownLatch allFired = new CountDownLatch(50);
        final List<long[]> fires = new CopyOnWriteArrayList<>();
        final TimerService service = TimerService.builder().clock(clock::get)
            .handler((handle, payload, deadline) ->
            {
                fires.add(new long[]{deadline, clock.get()});
                allFired.countDown();
            })
            .build();
        final List<Throwable> runnerErrors = new CopyOnWriteArrayList<>();
        final AgentRunner runner = new AgentRunner(new DeadlineIdleStrategy(service, MILLISECONDS.toNanos(1)),
            runnerErrors::add, null, new TimerServiceAgent(service));
        AgentRunner.startOnThread(runner);
        try
        {
            for (int i = 0; i < 50; i++)
            {
                service.arm(1 + i % 5, MILLISECONDS, i); // the clock stands still: the runner parks 1 ms at a time
            }
            clock.addAndGet(MILLISECONDS.toNanos(5));
            assertTrue(allFired.await(30, TimeUnit.SECONDS), "fired: " + fires.size());
            for (final long[] fire : fires)
            {
                assertTrue(fire[1] >= fire[0], "never early");
            }
        }
        finally
        {
            runner.close();
        }
        assertTrue(runnerErrors.isEmpty(), runnerErrors::toString);
        assertEquals(50, fires.size());
    }

    @Test
    void shouldRejectBadArgumentsNamingThem()
    {
        final TimerService service = manual().build();
        assertEquals("service", assertThrows(NullPointerException.class, () -> new TimerServiceAgent(null)).getMessage());
        assertTrue(assertThrows(IllegalArgumentException.class, () -> new TimerServiceAgent(service, "t", 0))
            .getMessage().contains("pollLimit"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> new TimerServiceAgent(service, "", 1))
            .getMessage().contains("roleName"));
        assertEquals("roleName",
            assertThrows(NullPointerException.class, () -> new TimerServiceAgent(service, null, 1)).getMessage());
    }
}
