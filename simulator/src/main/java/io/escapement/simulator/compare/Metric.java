package io.escapement.simulator.compare;

import io.escapement.simulator.report.Counter;
import io.escapement.simulator.report.Report;

/**
 * The figures compare reports per seed, each defined here exactly as it is computed from one run's
 * {@link Report}; tables and charts show their mean over seeds with a 95% interval ({@link Stats}).
 */
public enum Metric
{
    /** Spurious data and FIN retransmissions per 1000 data and FIN segments first sent. */
    SPURIOUS("spurious_per_1000_segments", "spurious / 1000 segments", 2,
        "1000 × data and FIN retransmissions sent while a copy of the segment, or an ACK covering it, was still " +
            "in flight (the simulator knows), ÷ data and FIN segments first sent"),
    /** Retransmission timer expiries per connection. */
    RTO_EXPIRIES("rto_expiries_per_connection", "RTO expiries / connection", 3,
        "retransmission-timer expiries (SYN, SYN-ACK, data, FIN) ÷ connections opened"),
    /** Mean wait of a really lost data segment or FIN for its first retransmission, milliseconds. */
    RECOVERY_WAIT("recovery_wait_mean_ms", "recovery wait, mean (ms)", 0,
        "for each data segment or FIN really lost (no copy arrived), the time from its loss-making transmission " +
            "to its first retransmission, whatever sent it (RTO, tail loss probe, fast retransmit); mean over " +
            "those losses, ms; no value for a seed without losses"),
    /** Median connection completion time, milliseconds. */
    COMPLETION_P50("completion_p50_ms", "completion p50 (ms)", 0,
        "completion: from the client's connect() to the moment it holds the whole response (handshake, " +
            "request and response); median over the connections that completed, ms"),
    /** 99th percentile of completion time, milliseconds. */
    COMPLETION_P99("completion_p99_ms", "completion p99 (ms)", 0,
        "the same, 99th percentile (HdrHistogram, 3 significant digits)"),
    /** Application bytes per second of a completed connection's life. */
    GOODPUT("goodput_kb_per_s", "goodput (kB/s per connection)", 1,
        "(request + response bytes) ÷ mean completion time of the completed connections, kB/s (1 kB = 1000 B): " +
            "what one connection's application moved per second of its life"),
    /** Connections that failed, per 1000 opened. */
    FAILED("failed_per_1000_connections", "failed / 1000 connections", 2,
        "1000 × connections that ended in any way but completed (refused, timed out, reset, ...) ÷ connections " +
            "opened");

    /** The CSV column. */
    public final String column;
    /** The table's heading. */
    public final String heading;
    /** Decimals shown in tables. */
    public final int decimals;
    /** How the value is computed, in words. */
    public final String definition;

    Metric(final String column, final String heading, final int decimals, final String definition)
    {
        this.column = column;
        this.heading = heading;
        this.decimals = decimals;
        this.definition = definition;
    }

    /**
     * This metric of one run, or NaN when the run has no data for it (no losses, nothing completed).
     *
     * @param r one run's report.
     * @return this metric of one run, or NaN when the run has no data for it (no losses, nothing completed).
     */
    public double of(final Report r)
    {
        final double connections = Math.max(1, r.counter(Counter.CONNECTIONS));
        return switch (this)
        {
            case SPURIOUS -> r.spuriousPerThousandSegments();
            case RTO_EXPIRIES -> r.counter(Counter.RTO_EXPIRIES) / connections;
            case RECOVERY_WAIT -> r.recoveryUs().getTotalCount() == 0 ? Double.NaN : r.recoveryUs().getMean() / 1e3;
            case COMPLETION_P50 -> r.completionUs().getTotalCount() == 0 ? Double.NaN :
                r.completionUs().getValueAtPercentile(50) / 1e3;
            case COMPLETION_P99 -> r.completionUs().getTotalCount() == 0 ? Double.NaN :
                r.completionUs().getValueAtPercentile(99) / 1e3;
            case GOODPUT -> r.completionUs().getTotalCount() == 0 ? Double.NaN :
                (r.scenario().requestBytes + r.scenario().responseBytes) / (r.completionUs().getMean() / 1e6) / 1e3;
            case FAILED -> 1000.0 * (r.outcomes() - r.counter(Counter.OUTCOME_COMPLETED)) / connections;
        };
    }
}
