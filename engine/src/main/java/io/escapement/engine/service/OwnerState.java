package io.escapement.engine.service;

/**
 * The mutable state only a {@link TimerService}'s owner thread touches, written on every drain and every fire, kept
 * on cache lines of its own: were these fields in the service object, beside the fields every arming thread reads
 * ({@code closed}, the clock, the slot table), each fire would take that line away from the arming cores. The two
 * superclasses and the subclass pad the fields by 128 bytes on each side (the JVM lays superclass fields first).
 */
final class OwnerState extends OwnerStateFields
{
    long p20, p21, p22, p23, p24, p25, p26, p27;
    long p30, p31, p32, p33, p34, p35, p36, p37;
}

abstract class OwnerStatePadding
{
    long p00, p01, p02, p03, p04, p05, p06, p07;
    long p10, p11, p12, p13, p14, p15, p16, p17;
}

abstract class OwnerStateFields extends OwnerStatePadding
{
    /** The longest the driver parks next: busyParkNs after work, doubling up to maxParkNs while idle. */
    long parkCapNs;
    /** The clock's reading lateness is measured with: taken when an advance starts, again every few fires. */
    long fireClockNs;
    /** The slot of the periodic timer whose callback runs now (NIL otherwise), and the deadline of its next run. */
    int runningSlot = TimerSlots.NIL;
    long runningNextNs;
    /**
     * The handle of the timer whose callback the owner runs now (without an executor), or NULL_HANDLE: written
     * before and after each call, read only by the owner (see TimerService.dispatchingHandle).
     */
    long dispatchingHandle;
    /** Requests the last drain handled. */
    int lastDrained;
    int firesSinceClockRead;
}
