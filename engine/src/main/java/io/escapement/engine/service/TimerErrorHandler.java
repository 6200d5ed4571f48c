package io.escapement.engine.service;

/**
 * Told about every exception a timer's callback throws, so that none is lost silently and none stops the service:
 * a callback run on the owner thread, or on the service's executor (the service hands the executor a task of its
 * own that catches what the callback throws). Also told when the executor refuses to run a callback (its
 * {@code execute} throws, {@link java.util.concurrent.RejectedExecutionException} above all): then the callback never
 * runs. The default, {@link #PRINT_STACK_TRACE}, prints to {@code System.err}.
 * <p>
 * It runs on the thread that ran the callback (the owner thread, or an executor's thread), or on the owner thread for
 * a refusal. If it throws in turn, its exception is printed to {@code System.err} and the service goes on.
 */
@FunctionalInterface
public interface TimerErrorHandler
{
    /** Prints the handle and the stack trace to {@code System.err}. */
    TimerErrorHandler PRINT_STACK_TRACE = (handle, error) ->
    {
        System.err.println("escapement timer service: the callback of timer 0x" + Long.toHexString(handle) +
            " threw, or the executor refused to run it; the service goes on");
        error.printStackTrace();
    };

    /**
     * @param handle the handle of the timer whose callback threw (or could not be handed to the executor).
     * @param error  what it threw (or the executor's refusal).
     */
    void onError(long handle, Throwable error);
}
