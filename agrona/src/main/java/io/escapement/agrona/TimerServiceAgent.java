package io.escapement.agrona;

import io.escapement.engine.service.TimerService;
import org.agrona.concurrent.Agent;
import org.agrona.concurrent.AgentInvoker;
import org.agrona.concurrent.AgentRunner;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.CompositeAgent;
import org.agrona.concurrent.IdleStrategy;

import java.util.Objects;

/**
 * A caller-driven {@link TimerService} as an Agrona {@link Agent}: the service's owner loop (drain the requests of
 * other threads, fire the timers due) runs in the duty cycle of an {@link AgentRunner}, an {@link AgentInvoker} or a
 * {@link CompositeAgent}, on that thread, with that runner's {@link IdleStrategy}, instead of on the service's own
 * driver thread ({@link TimerService#start()}). Any thread still arms, re-arms and cancels; only the agent's thread
 * owns the wheel and runs the callbacks (or hands them to the service's executor).
 *
 * <pre>{@code
 * TimerService service = TimerService.builder().handler((handle, payload, deadlineNs) -> retransmit(payload)).build();
 * AgentRunner runner = new AgentRunner(new BackoffIdleStrategy(), Throwable::printStackTrace, null,
 *     new TimerServiceAgent(service));
 * AgentRunner.startOnThread(runner);
 * long handle = service.arm(200, TimeUnit.MILLISECONDS, connectionId); // from any thread
 * ...
 * runner.close(); // closes the service too
 * }</pre>
 *
 * <h2>The duty cycle</h2>
 * {@link #onStart()} makes the service caller-driven (it drains the requests armed so far), and fails with
 * {@link IllegalStateException} if the service has a driver thread or another thread polls it: this agent must be the
 * service's only driver. {@link #doWork()} is one {@link TimerService#poll(int)} of at most {@code pollLimit} timers
 * (a larger burst goes on at the next cycle, which comes at once, as the cycle reported work), and returns the work
 * done: the timers taken from the wheel plus the requests of other threads handled
 * ({@link TimerService#lastDrainedRequests()}), so that the idle strategy backs off only when neither came. Once the
 * service is closed it returns 0 and does nothing; it does not throw
 * {@link org.agrona.concurrent.AgentTerminationException}, which would stop every agent of a composite.
 *
 * <h2>Errors</h2>
 * A callback that throws does not throw out of {@code doWork}: the service catches it and hands it to its own
 * {@link io.escapement.engine.service.TimerErrorHandler}, counted in its metrics, and goes on with the next timer, as
 * with its driver thread. To send callbacks' errors to the runner's Agrona {@link org.agrona.ErrorHandler}, build the
 * service with {@code .errorHandler((handle, error) -> agronaErrorHandler.onError(error))}. What does throw out of
 * {@code doWork} is misuse of the service (polled by a second thread, or from a callback): the runner reports it to
 * its error handler and counts it in its error counter, as Agrona does for any agent.
 *
 * <h2>Closing</h2>
 * {@link #onClose()} closes the service ({@link TimerService#close()}: every pending timer is cancelled and counted,
 * later arms throw), because once the duty cycle ends nothing fires its timers: a service left open would accept arms
 * that never fire. Call {@link TimerService#shutdown()} first to have the pending timers back; {@code onClose} then
 * finds the service closed and does nothing more. An agent whose {@code onStart} failed (the service had a driver
 * thread) or never ran leaves the service as it is.
 *
 * <h2>Wake-ups and lateness</h2>
 * The service's own driver parks until the earliest deadline, and an arm due earlier unparks it. A runner's idle
 * strategy knows neither: it idles for its own periods, and nobody unparks it when a timer is armed. So a timer fires
 * at the first duty cycle at or after its deadline: never early, and late by at most one idle period plus the time
 * the cycle's other work takes (other agents of a composite, earlier callbacks). For a {@link BackoffIdleStrategy}
 * that is its {@code maxParkPeriodNs} (1 ms by default): set it to the lateness the timers can bear; a busy-spin or
 * yielding strategy adds none, and a sleeping strategy adds its sleep period. A thread that runs the timers alone can
 * use a {@link DeadlineIdleStrategy}, which parks until the earliest deadline, at most a bound: then only a timer
 * armed during a park with a deadline before the park ends waits, for the rest of that park. In every case the wheel
 * compares exact deadlines, so the tick adds no lateness to a timer polled after its deadline.
 * <p>
 * Not thread-safe itself: one runner drives one agent, as Agrona's runners do.
 */
public final class TimerServiceAgent implements Agent
{
    /** The role name of an agent built without one. */
    public static final String DEFAULT_ROLE_NAME = "escapement-timer-service";
    /**
     * The most timers one duty cycle takes from the wheel by default: bounds the time one cycle spends in callbacks,
     * so that the other agents of a composite get their turn during a burst of expiries.
     */
    public static final int DEFAULT_POLL_LIMIT = 4096;

    private final TimerService service;
    private final String roleName;
    private final int pollLimit;
    /** Whether onStart claimed the service: only then does onClose close it. */
    private boolean started;

    /**
     * An agent named {@value #DEFAULT_ROLE_NAME} that takes at most {@value #DEFAULT_POLL_LIMIT} timers per cycle.
     *
     * @param service a service that is not started ({@link TimerService#start()}) and that nobody else polls.
     * @throws NullPointerException if the service is null.
     */
    public TimerServiceAgent(final TimerService service)
    {
        this(service, DEFAULT_ROLE_NAME, DEFAULT_POLL_LIMIT);
    }

    /**
     * @param service   a service that is not started ({@link TimerService#start()}) and that nobody else polls.
     * @param roleName  the agent's role name (Agrona names the runner's thread after it), not empty.
     * @param pollLimit the most timers one duty cycle takes from the wheel, at least 1.
     * @throws NullPointerException     if the service or the role name is null.
     * @throws IllegalArgumentException if the role name is empty or the limit below 1.
     */
    public TimerServiceAgent(final TimerService service, final String roleName, final int pollLimit)
    {
        this.service = Objects.requireNonNull(service, "service");
        this.roleName = Objects.requireNonNull(roleName, "roleName");
        if (roleName.isEmpty())
        {
            throw new IllegalArgumentException("roleName must not be empty");
        }
        if (pollLimit < 1)
        {
            throw new IllegalArgumentException("pollLimit must be at least 1, was " + pollLimit);
        }
        this.pollLimit = pollLimit;
    }

    /**
     * Makes the service caller-driven, driven by this agent's thread, and drains the requests made so far.
     *
     * @throws IllegalStateException if the service has a driver thread, or another thread is polling it.
     */
    @Override
    public void onStart()
    {
        // The cheapest call that claims caller-driven mode and fails fast on a started service, rather than on every
        // cycle. It drains requests, and fires nothing.
        service.earliestDeadlineNs();
        started = true;
    }

    /**
     * One turn of the service's owner loop: drains the requests of other threads, then fires the timers due, at most
     * {@code pollLimit} of them.
     *
     * @return the timers taken from the wheel plus the requests handled; 0 once the service is closed.
     * @throws IllegalStateException if another thread polls the service, or a callback drives the runner.
     */
    @Override
    public int doWork()
    {
        final int taken = service.poll(pollLimit);
        // At most the capacity (below 2^31 - 2^16) plus one request ring (2^16): no overflow.
        return taken + service.lastDrainedRequests();
    }

    /** Closes the service, if {@link #onStart()} claimed it (see the class comment). */
    @Override
    public void onClose()
    {
        if (started)
        {
            service.close();
        }
    }

    /** @return the role name given, or {@value #DEFAULT_ROLE_NAME}. */
    @Override
    public String roleName()
    {
        return roleName;
    }

    /** @return the service this agent drives. */
    public TimerService service()
    {
        return service;
    }

    @Override
    public String toString()
    {
        return "TimerServiceAgent{roleName=" + roleName + ", pollLimit=" + pollLimit + ", " + service + '}';
    }
}
