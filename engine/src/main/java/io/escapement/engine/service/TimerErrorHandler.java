package io.escapement.engine.service;

/**
 * Told about every exception a timer's callback throws, so that none is lost silently and none stops the service.
 * The default, {@link #PRINT_STACK_TRACE}, prints to {@code System.err}.
 * <p>
 * It runs on the thread that ran the callback (the owner thread, or an executor's thread). If it throws in turn, its
 * exception is printed to {@code System.err} and the service goes on.
 */
@FunctionalInterface
public interface TimerErrorHandler
{
    /** Prints the handle and the stack trace to {@code System.err}. */
    TimerErrorHandler PRINT_STACK_TRACE = (handle, error) ->
    {
        System.err.println("escapement timer service: the callback of timer 0x" + Long.toHexString(handle) +
            " threw; the service goes on");
        error.printStackTrace();
    };

    /**
     * @param handle the handle of the timer whose callback threw.
     * @param error  what it threw.
     */
    void onError(long handle, Throwable error);
}
