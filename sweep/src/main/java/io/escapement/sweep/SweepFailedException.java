package io.escapement.sweep;

/** A run of the sweep failed for good: the message names the run's options and its error. */
public final class SweepFailedException extends RuntimeException
{
    private static final long serialVersionUID = 1L;

    SweepFailedException(final String message, final Throwable cause)
    {
        super(message, cause);
    }
}
