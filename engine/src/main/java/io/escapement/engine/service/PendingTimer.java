package io.escapement.engine.service;

/**
 * A timer that was armed and had neither fired nor been cancelled when {@link TimerService#shutdown()} closed the
 * service: it was cancelled by the close and is handed back so that nothing is lost silently. A periodic timer is
 * handed back once, with the deadline of its next run.
 *
 * @param handle     its handle; {@link TimerService#cancel(long)} now answers {@code false} for it.
 * @param payload    its payload (0 for a timer armed with a {@link Runnable}).
 * @param deadlineNs its deadline on the service's clock (for a periodic timer, that of its next run).
 * @param task       the {@link Runnable} it was armed with, or {@code null} for a payload timer.
 * @param periodNs   the period of a periodic timer in nanoseconds, or 0 for a one-shot timer.
 */
public record PendingTimer(long handle, long payload, long deadlineNs, Runnable task, long periodNs)
{
    /**
     * A one-shot timer.
     *
     * @param handle     its handle.
     * @param payload    its payload.
     * @param deadlineNs its deadline.
     * @param task       its task, or {@code null}.
     */
    public PendingTimer(final long handle, final long payload, final long deadlineNs, final Runnable task)
    {
        this(handle, payload, deadlineNs, task, 0);
    }
}
