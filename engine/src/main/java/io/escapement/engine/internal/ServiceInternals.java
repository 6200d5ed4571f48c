package io.escapement.engine.internal;

import io.escapement.engine.service.TimerService;

/**
 * Not API: what the engine's own packages ask of a {@link TimerService} that users must not rely on. The executor
 * adapter (in another package) needs to know whether its task's {@code run()} is the service's own call; a public
 * method on the service could not keep that promise to anyone else (a periodic timer, an executor mode, a call from
 * another thread all answer differently), so the service installs its answer here once, when its class initialises,
 * and nothing else can replace it.
 */
public final class ServiceInternals
{
    /**
     * The service's side of the bridge, installed by {@link TimerService}'s class initialiser.
     */
    public interface Access
    {
        /**
         * @param service the service asked.
         * @return see {@link ServiceInternals#dispatchingHandle}.
         */
        long dispatchingHandle(TimerService service);
    }

    private static Access access;

    static
    {
        try
        {
            // The service installs its access in its own class initialiser: make sure it ran, so that no one else
            // installs first (a nested call from that initialiser finds it under way in this thread and returns).
            Class.forName(TimerService.class.getName(), true, ServiceInternals.class.getClassLoader());
        }
        catch (final ClassNotFoundException e)
        {
            throw new ExceptionInInitializerError(e);
        }
    }

    private ServiceInternals()
    {
    }

    /**
     * Called once, by {@link TimerService}'s class initialiser.
     *
     * @param serviceAccess the service's side of the bridge.
     * @throws IllegalStateException if it was installed already.
     */
    public static synchronized void install(final Access serviceAccess)
    {
        if (access != null)
        {
            throw new IllegalStateException("the service's access is installed once, by TimerService itself");
        }
        access = serviceAccess;
    }

    /**
     * @param service the service asked.
     * @return the handle of the timer whose callback the calling thread runs now as the service's owner (the driver
     * thread, or the caller in {@code poll}) without an executor, from just before the callback is called until it
     * returns; {@link TimerService#NULL_HANDLE} on any other thread, or between callbacks. Only the owner thread
     * writes and reads the answer, so no other thread can find its own call taken for the service's.
     */
    public static long dispatchingHandle(final TimerService service)
    {
        return access.dispatchingHandle(service);
    }
}
