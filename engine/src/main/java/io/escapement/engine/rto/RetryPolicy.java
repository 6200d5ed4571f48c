package io.escapement.engine.rto;

/**
 * When a retransmission timer gives up, per phase of a connection, after Linux's sysctls:
 * {@code net.ipv4.tcp_syn_retries} (6: a client's SYN), {@code tcp_synack_retries} (5: a server's SYN-ACK) and
 * {@code tcp_retries2} (15: data and FIN while the application holds the socket), and {@code tcp_orphan_retries}
 * (8: data and FIN after the application closed it).
 * <p>
 * SYN and SYN-ACK limits count retransmissions: the timer retransmits that many times, and the next expiry gives
 * up (with the defaults and a 1 s initial RTO, connect() fails after 1 + 2 + 4 + 8 + 16 + 32 + 64 = 127 s). For
 * data the limit is either a count as well ({@link #counting}) or, as Linux actually applies {@code tcp_retries2}
 * ({@link #linux}), a time budget measured from the first retransmission: {@code retransmits_timed_out()} in
 * net/ipv4/tcp_timer.c gives up once that time exceeds what N doublings of {@code rtoBase} would take, with the
 * doublings capped at TCP_RTO_MAX: {@code (2^(N+1) - 1) * rtoBase} while {@code N <= log2(rtoMax / rtoBase)},
 * else {@code (2^(t+1) - 1) * rtoBase + (N - t) * rtoMax} with {@code t = log2(rtoMax / rtoBase)}. With N = 15,
 * rtoBase 200 ms and rtoMax 120 s that is 924.6 s, the figure usually quoted for Linux.
 */
public final class RetryPolicy
{
    private final int synRetries;
    private final int synAckRetries;
    private final int dataRetries;
    private final int orphanRetries;
    private final int synLinearTimeouts;
    private final boolean dataTimeBudget;
    private final long rtoBaseUs;
    private final long rtoMaxUs;
    private final long dataBudgetUs;
    private final long orphanBudgetUs;

    private RetryPolicy(final int synRetries, final int synAckRetries, final int dataRetries,
        final boolean dataTimeBudget, final long rtoBaseUs, final long rtoMaxUs)
    {
        this(synRetries, 0, synAckRetries, dataRetries, dataRetries, dataTimeBudget, rtoBaseUs, rtoMaxUs);
    }

    private RetryPolicy(final int synRetries, final int synLinearTimeouts, final int synAckRetries,
        final int dataRetries, final int orphanRetries, final boolean dataTimeBudget, final long rtoBaseUs,
        final long rtoMaxUs)
    {
        check("synRetries", synRetries);
        check("synLinearTimeouts", synLinearTimeouts);
        if (synRetries + synLinearTimeouts > 255)
        {
            throw new IllegalArgumentException("synRetries + synLinearTimeouts = " +
                (synRetries + synLinearTimeouts) + " must be at most 255");
        }
        check("synAckRetries", synAckRetries);
        check("dataRetries", dataRetries);
        check("orphanRetries", orphanRetries);
        if (dataTimeBudget && (rtoBaseUs < 1 || rtoMaxUs < rtoBaseUs || rtoMaxUs > 86_400_000_000L))
        {
            // within a day, the budget of 255 retries stays far inside a long
            throw new IllegalArgumentException("rtoBase=" + rtoBaseUs + "us and rtoMax=" + rtoMaxUs +
                "us must satisfy 0 < rtoBase <= rtoMax <= 1 day");
        }
        this.synRetries = synRetries;
        this.synAckRetries = synAckRetries;
        this.synLinearTimeouts = synLinearTimeouts;
        this.dataRetries = dataRetries;
        this.orphanRetries = orphanRetries;
        this.dataTimeBudget = dataTimeBudget;
        this.rtoBaseUs = rtoBaseUs;
        this.rtoMaxUs = rtoMaxUs;
        this.dataBudgetUs = dataTimeBudget ? linuxBudgetUs(dataRetries, rtoBaseUs, rtoMaxUs) : 0;
        this.orphanBudgetUs = dataTimeBudget ? linuxBudgetUs(orphanRetries, rtoBaseUs, rtoMaxUs) : 0;
    }

    /**
     * Adds Linux's {@code tcp_syn_linear_timeouts}: the first {@code linearTimeouts} SYN retransmissions keep the
     * initial timeout (1 s apart) instead of doubling it, and come on top of {@code synRetries} (recent kernels
     * default to 4; older ones have none, the classic 1, 3, 7, ... s schedule).
     *
     * @param linearTimeouts the number of SYN retransmissions that do not back off, from 0, with
     *                       {@code synRetries + linearTimeouts} at most 255.
     * @return a new policy, this one otherwise unchanged.
     * @throws IllegalArgumentException if {@code linearTimeouts} is negative or the sum exceeds 255.
     */
    public RetryPolicy withSynLinearTimeouts(final int linearTimeouts)
    {
        return new RetryPolicy(synRetries, linearTimeouts, synAckRetries, dataRetries, orphanRetries, dataTimeBudget,
            rtoBaseUs, rtoMaxUs);
    }

    /**
     * Sets {@code tcp_orphan_retries}: the limit for a connection the application has closed (its data and FIN,
     * {@link RetransmissionTimers.Phase#FIN}), a time budget like {@code tcp_retries2}'s under Linux. Linux's sysctl
     * default 0 means 8. Until it is set, the FIN phase has the data phase's limit.
     *
     * @param retries the limit, 0 to 255: a count, or for a {@link #linux} policy the N of the time budget.
     * @return a new policy, this one otherwise unchanged.
     * @throws IllegalArgumentException if {@code retries} is not between 0 and 255.
     */
    public RetryPolicy withOrphanRetries(final int retries)
    {
        return new RetryPolicy(synRetries, synLinearTimeouts, synAckRetries, dataRetries, retries, dataTimeBudget,
            rtoBaseUs, rtoMaxUs);
    }

    private static void check(final String name, final int retries)
    {
        if (retries < 0 || retries > 255)
        {
            throw new IllegalArgumentException(name + "=" + retries + " must be between 0 and 255");
        }
    }

    /**
     * A policy that counts retransmissions in every phase: the timer retransmits as many times as the phase's
     * limit, and the next expiry gives up. The FIN phase takes {@code dataRetries} until
     * {@link #withOrphanRetries} sets its own.
     *
     * @param synRetries    the SYN phase's limit, 0 to 255 ({@code tcp_syn_retries}, Linux: 6).
     * @param synAckRetries the SYN-ACK phase's limit, 0 to 255 ({@code tcp_synack_retries}, Linux: 5).
     * @param dataRetries   the data phase's limit, 0 to 255, as a count ({@code tcp_retries2}, Linux: 15).
     * @return the policy.
     * @throws IllegalArgumentException naming the limit that is not between 0 and 255.
     */
    public static RetryPolicy counting(final int synRetries, final int synAckRetries, final int dataRetries)
    {
        return new RetryPolicy(synRetries, synAckRetries, dataRetries, false, 0, 0);
    }

    /**
     * Linux's policy: SYN and SYN-ACK counted, data given {@code tcp_retries2}'s time budget computed from
     * {@code rtoBaseUs} and {@code rtoMaxUs} as {@code retransmits_timed_out()} does (see the class comment). The
     * FIN phase takes the same budget until {@link #withOrphanRetries} sets its own.
     *
     * @param synRetries    {@code tcp_syn_retries}, 0 to 255 (Linux: 6).
     * @param synAckRetries {@code tcp_synack_retries}, 0 to 255 (Linux: 5).
     * @param tcpRetries2   {@code tcp_retries2}, 0 to 255 (Linux: 15): the N of the data phase's time budget.
     * @param rtoBaseUs     the timeout the budget's doublings start from, microseconds, at least 1
     *                      ({@code TCP_RTO_MIN}, 200 ms).
     * @param rtoMaxUs      the cap of each doubling, microseconds, from {@code rtoBaseUs} to 1 day
     *                      ({@code TCP_RTO_MAX}, 120 s).
     * @return the policy.
     * @throws IllegalArgumentException naming the count that is not between 0 and 255, or if the timeouts do not
     *                                  satisfy {@code 0 < rtoBaseUs <= rtoMaxUs <= 1 day}.
     */
    public static RetryPolicy linux(final int synRetries, final int synAckRetries, final int tcpRetries2,
        final long rtoBaseUs, final long rtoMaxUs)
    {
        return new RetryPolicy(synRetries, synAckRetries, tcpRetries2, true, rtoBaseUs, rtoMaxUs);
    }

    /**
     * @return Linux's defaults: 6 SYN, 5 SYN-ACK retries, tcp_retries2 = 15 as a budget from 200 ms and 120 s,
     * 8 orphan retries (the sysctl's 0), no linear SYN timeouts (see {@link #withSynLinearTimeouts}).
     */
    public static RetryPolicy linuxDefaults()
    {
        return linux(6, 5, 15, 200_000, 120_000_000).withOrphanRetries(8);
    }

    /** The budget of {@code retransmits_timed_out()} for {@code boundary} retries. */
    static long linuxBudgetUs(final int boundary, final long rtoBaseUs, final long rtoMaxUs)
    {
        final int threshold = 63 - Long.numberOfLeadingZeros(rtoMaxUs / rtoBaseUs); // ilog2
        if (boundary <= threshold)
        {
            return ((2L << boundary) - 1) * rtoBaseUs;
        }
        return ((2L << threshold) - 1) * rtoBaseUs + (long)(boundary - threshold) * rtoMaxUs;
    }

    /**
     * The retransmission limit of a phase.
     *
     * @param phase the connection's phase.
     * @return the retransmissions allowed in it before the next expiry gives up (data and FIN: when counting; with
     *         a time budget, the N the budget is computed from); for SYN the linear timeouts included.
     */
    public int retries(final RetransmissionTimers.Phase phase)
    {
        return switch (phase)
        {
            case SYN -> synRetries + synLinearTimeouts;
            case SYN_ACK -> synAckRetries;
            case DATA -> dataRetries;
            case FIN -> orphanRetries;
        };
    }

    /** @return how many of the first SYN retransmissions keep the initial timeout rather than backing off. */
    public int synLinearTimeouts()
    {
        return synLinearTimeouts;
    }

    /** @return whether data is given a time budget rather than a count. */
    public boolean isDataTimeBudget()
    {
        return dataTimeBudget;
    }

    /** @return the data phase's time budget from the first retransmission, if {@link #isDataTimeBudget()}. */
    public long dataBudgetUs()
    {
        return dataBudgetUs;
    }

    /** @return the FIN (orphan) phase's time budget from the first retransmission, if {@link #isDataTimeBudget()}. */
    public long orphanBudgetUs()
    {
        return orphanBudgetUs;
    }

    boolean givesUp(final RetransmissionTimers.Phase phase, final int retransmissions, final long sinceFirstUs)
    {
        if (dataTimeBudget && (phase == RetransmissionTimers.Phase.DATA || phase == RetransmissionTimers.Phase.FIN))
        {
            final long budgetUs = phase == RetransmissionTimers.Phase.DATA ? dataBudgetUs : orphanBudgetUs;
            return retransmissions > 0 && sinceFirstUs >= budgetUs;
        }
        return retransmissions >= retries(phase);
    }

    @Override
    public String toString()
    {
        return "RetryPolicy{syn=" + synRetries + (synLinearTimeouts > 0 ? " + " + synLinearTimeouts + " linear" : "") +
            ", synAck=" + synAckRetries + ", data=" + dataRetries +
            (dataTimeBudget ? " (time budget " + RtoParameters.formatUs(dataBudgetUs) + ")" : "") +
            ", orphan=" + orphanRetries +
            (dataTimeBudget ? " (time budget " + RtoParameters.formatUs(orphanBudgetUs) + ")" : "") + '}';
    }
}
