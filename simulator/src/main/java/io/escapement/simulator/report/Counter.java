package io.escapement.simulator.report;

/** What a run counts. Every connection ends in exactly one of the {@code OUTCOME_*} counters. */
public enum Counter
{
    CONNECTIONS("connections attempted"),
    ESTABLISHED("client reached ESTABLISHED"),
    OUTCOME_COMPLETED("completed: full response received"),
    OUTCOME_REFUSED("failed: connection refused (RST to SYN)"),
    OUTCOME_CONNECT_TIMEOUT("failed: connect timed out (tcp_syn_retries)"),
    OUTCOME_ADDRESS_UNAVAILABLE("failed: no free ephemeral port (EADDRNOTAVAIL)"),
    OUTCOME_RESET("failed: reset by the server"),
    OUTCOME_DATA_TIMEOUT("failed: data unacknowledged (tcp_retries2)"),
    OUTCOME_IDLE_TIMEOUT("failed: application idle timeout"),
    /** The client read end-of-file before its whole response: the server closed without writing it. */
    OUTCOME_CLOSED_BEFORE_RESPONSE("failed: the server closed before its response (end-of-file)"),
    OUTCOME_UNEXPLAINED("failed: client closed with no other outcome (a simulator bug if ever non-zero)"),
    RETX_SYN("retransmitted SYN (timer)"),
    RETX_SYN_ACK("retransmitted SYN-ACK (timer)"),
    SYN_ACK_FOR_DUPLICATE_SYN("SYN-ACK answering a duplicate SYN"),
    ACK_FOR_DUPLICATE_SYN_ACK("ACK answering a duplicate SYN-ACK"),
    RETX_DATA("retransmitted data segment (RTO and recovery)"),
    RETX_FIN("retransmitted FIN"),
    RETX_TLP("tail loss probe"),
    RETX_SPURIOUS("spurious retransmission (a copy or its ACK was still on its way)"),
    SEGMENTS("data and FIN segments sent (first transmissions)"),
    RETX_DATA_AND_FIN("data and FIN retransmissions (RTO, recovery and probes)"),
    RETX_SPURIOUS_DATA_AND_FIN("... of which spurious"),
    RTO_EXPIRIES("retransmission timer expiries"),
    RETX_FAST("segments resent in fast recovery (nstat TcpExtTCPFastRetrans)"),
    FAST_RECOVERIES("fast recoveries with SACK, on duplicate ACKs or RACK (TcpExtTCPSackRecovery)"),
    RENO_RECOVERIES("fast recoveries without SACK, NewReno (TcpExtTCPRenoRecovery)"),
    RESCUE_RETRANSMITS("rescue retransmissions (RFC 6675 NextSeg rule 4; no nstat counter)"),
    RACK_LOSSES("segments RACK marked lost (RFC 8985 time-based detection)"),
    FRTO_SPURIOUS_RTOS("spurious RTOs detected by F-RTO and undone (TcpExtTCPSpuriousRTOs)"),
    DELAYED_ACKS("delayed ACKs sent by the delayed-ACK timer (TcpExtDelayedACKs)"),
    REPAIRED_BY_RTO("losses repaired by the RTO and the recovery after it (ground truth)"),
    REPAIRED_BY_FAST_RECOVERY("losses repaired by fast retransmit and fast recovery (ground truth)"),
    REPAIRED_BY_RACK("losses repaired in recoveries RACK started (ground truth)"),
    REPAIRED_BY_TLP("losses repaired by a tail loss probe (ground truth)"),
    /** Persistent connections: exchanges drawn from {@code --exchanges}, before the cut ({@code Exchanges}). */
    EXCHANGES_DRAWN("exchanges drawn (persistent connections)"),
    /** The exchanges laid out after the cut: an empty message ends a connection, a direction carries 60 segments. */
    EXCHANGES_CARRIED("exchanges carried (the rest cut: an empty message ends them, 60 segments a direction)"),
    SPURIOUS_TIMEOUTS_DETECTED("spurious timeouts told to the strategy (the ACK of an original)"),
    SYN_ACK_GIVE_UPS("server dropped a half-open request (tcp_synack_retries)"),
    DATA_GIVE_UPS("side aborted on data (tcp_retries2)"),
    ORPHAN_GIVE_UPS("orphaned side dropped its FIN (tcp_orphan_retries)"),
    FIN_WAIT_2_TIMEOUTS("FIN-WAIT-2 ended by fin_timeout"),
    IDLE_TIMEOUTS("sides closed by the idle timeout"),
    TIME_WAIT_ENTERED("sides that entered TIME-WAIT"),
    TIME_WAIT_RESTARTS("2MSL restarted by a retransmitted FIN"),
    SIMULTANEOUS_CLOSES("sides that went through CLOSING"),
    RST_SENT("RST sent"),
    PACKETS_SENT("packets sent"),
    PACKETS_LOST("packets lost"),
    EVENTS("events handled (timers fired)");

    public final String description;

    Counter(final String description)
    {
        this.description = description;
    }

    /** @return the JSON/CSV key: the constant's name in lower case. */
    public String key()
    {
        return name().toLowerCase(java.util.Locale.ROOT);
    }

    public boolean isOutcome()
    {
        return name().startsWith("OUTCOME_");
    }
}
