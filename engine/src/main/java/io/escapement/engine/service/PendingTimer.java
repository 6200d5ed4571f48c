package io.escapement.engine.service;

/**
 * A timer that was armed and had neither fired nor been cancelled when {@link TimerService#shutdown()} closed the
 * service: it was cancelled by the close and is handed back so that nothing is lost silently.
 *
 * @param handle     its handle; {@link TimerService#cancel(long)} now answers {@code false} for it.
 * @param payload    its payload (0 for a timer armed with a {@link Runnable}).
 * @param deadlineNs its deadline on the service's clock.
 * @param task       the {@link Runnable} it was armed with, or {@code null} for a payload timer.
 */
public record PendingTimer(long handle, long payload, long deadlineNs, Runnable task)
{
}
