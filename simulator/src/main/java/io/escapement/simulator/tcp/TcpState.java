package io.escapement.simulator.tcp;

/** The states of RFC 793's connection diagram, as the simulator numbers them (4 bits). */
public final class TcpState
{
    public static final int CLOSED = 0;
    public static final int LISTEN = 1;
    public static final int SYN_SENT = 2;
    public static final int SYN_RECEIVED = 3;
    public static final int ESTABLISHED = 4;
    public static final int FIN_WAIT_1 = 5;
    public static final int FIN_WAIT_2 = 6;
    public static final int CLOSE_WAIT = 7;
    public static final int CLOSING = 8;
    public static final int LAST_ACK = 9;
    public static final int TIME_WAIT = 10;

    private static final String[] NAMES = {"CLOSED", "LISTEN", "SYN-SENT", "SYN-RECEIVED", "ESTABLISHED",
        "FIN-WAIT-1", "FIN-WAIT-2", "CLOSE-WAIT", "CLOSING", "LAST-ACK", "TIME-WAIT"};

    private TcpState()
    {
    }

    public static String name(final int state)
    {
        return NAMES[state];
    }

    /** @return whether a side in this state holds no state for the connection (CLOSED, or a listener's LISTEN). */
    public static boolean isIdle(final int state)
    {
        return state == CLOSED || state == LISTEN;
    }
}
