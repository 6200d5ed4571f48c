package io.escapement.engine.service;

/**
 * A snapshot of a {@link TimerService}'s counters and of the lateness of the timers it fired: the figures users
 * ask Netty's {@code HashedWheelTimer} for, and the distribution it does not give. Each counter is exact for the
 * operations it includes; they are read one after the other, not atomically together.
 *
 * @param pending        timers armed and not yet fired or retired: it includes timers cancelled since the owner
 *                       thread last drained its requests (their slots are not free yet). 0 once closed.
 * @param fired          timers whose callback ran or was handed to the executor (whether or not it accepted it).
 * @param cancelled      timers whose {@link TimerService#cancel(long)} returned {@code true}, counted when the owner
 *                       retires them, plus those cancelled and not yet retired when the service closed.
 * @param rejected       arms refused (the service was full or closed), and re-arms refused (the request queue
 *                       stayed full for the whole wait).
 * @param callbackErrors callbacks that threw, on the owner thread or the executor's (each one went to the
 *                       {@link TimerErrorHandler}).
 * @param closedPending  timers that were pending when the service closed and that the close cancelled.
 * @param latenessCount  timers whose lateness was recorded (every fired timer).
 * @param latenessP50Ns  median lateness: the time from deadline to callback (or hand-off to the executor).
 * @param latenessP90Ns  90th percentile of lateness.
 * @param latenessP99Ns  99th percentile of lateness.
 * @param latenessP999Ns 99.9th percentile of lateness.
 * @param latenessMaxNs  the largest lateness recorded; lateness is recorded to 2 significant digits and capped at
 *                       one hour.
 * @param executorRejections fired timers whose callback the executor refused to run (its {@code execute} threw,
 *                       {@link java.util.concurrent.RejectedExecutionException} above all; each refusal went to the
 *                       {@link TimerErrorHandler}); always 0 without an executor.
 */
public record TimerServiceMetrics(
    long pending,
    long fired,
    long cancelled,
    long rejected,
    long callbackErrors,
    long closedPending,
    long latenessCount,
    long latenessP50Ns,
    long latenessP90Ns,
    long latenessP99Ns,
    long latenessP999Ns,
    long latenessMaxNs,
    long executorRejections)
{
}
