package io.escapement.simulator.tcp;

import io.escapement.engine.rto.RetransmissionTimers;
import io.escapement.engine.rto.RetransmissionTimers.Outcome;
import io.escapement.engine.rto.RetransmissionTimers.Phase;
import io.escapement.simulator.Scenario;
import io.escapement.simulator.net.NetworkModel;
import io.escapement.simulator.report.Counter;
import io.escapement.simulator.report.ShardStats;

import static io.escapement.simulator.tcp.ConnectionTable.APP_CLOSED;
import static io.escapement.simulator.tcp.ConnectionTable.CLIENT;
import static io.escapement.simulator.tcp.ConnectionTable.DATA_DONE;
import static io.escapement.simulator.tcp.ConnectionTable.NXT;
import static io.escapement.simulator.tcp.ConnectionTable.OUTCOME_DONE;
import static io.escapement.simulator.tcp.ConnectionTable.REFUSES;
import static io.escapement.simulator.tcp.ConnectionTable.SERVER;
import static io.escapement.simulator.tcp.ConnectionTable.STATE;
import static io.escapement.simulator.tcp.ConnectionTable.UNA;
import static io.escapement.simulator.tcp.ConnectionTable.WROTE_NOTHING;
import static io.escapement.simulator.tcp.ConnectionTable.field;
import static io.escapement.simulator.tcp.ConnectionTable.with;
import static io.escapement.simulator.tcp.TcpState.CLOSED;
import static io.escapement.simulator.tcp.TcpState.CLOSE_WAIT;
import static io.escapement.simulator.tcp.TcpState.CLOSING;
import static io.escapement.simulator.tcp.TcpState.ESTABLISHED;
import static io.escapement.simulator.tcp.TcpState.FIN_WAIT_1;
import static io.escapement.simulator.tcp.TcpState.FIN_WAIT_2;
import static io.escapement.simulator.tcp.TcpState.LAST_ACK;
import static io.escapement.simulator.tcp.TcpState.LISTEN;
import static io.escapement.simulator.tcp.TcpState.SYN_RECEIVED;
import static io.escapement.simulator.tcp.TcpState.SYN_SENT;
import static io.escapement.simulator.tcp.TcpState.TIME_WAIT;

/**
 * The state transitions of RFC 793's diagram, as Linux takes them: what a packet or a timer does to an end in
 * each state. What is sent is the sender's and the receiver's business, what the application does the
 * application's; this room decides which state an end enters and which timers it then runs.
 * <p>
 * One exception, for the compiler's sake: the application's close() ({@link #close}), the diagram's CLOSE event, is
 * here whole, with the application's rule of when its FIN may go (after the response it owes) beside the
 * transition it makes, so that the method is one unit too large for C2 to copy into each caller (see its Javadoc).
 * The application decides when to call it.
 */
final class Transitions
{
    private final Scenario scenario;
    private final ShardStats stats;
    private final ShardClock clock;
    private final ConnectionTable table;
    private final Streams streams;
    private final RetransmissionTimers[] rto;
    /** Refilled for every ACK handed to the retransmission timers: named fields, nothing allocated. */
    private final RetransmissionTimers.Ack rtoAck = new RetransmissionTimers.Ack();
    private final AuxTimers aux;
    private final Wire wire;
    private final Sender sender;
    private final Receiver receiver;
    private final TraceLog trace;
    private final TimeWaitCompactor compactor;
    private final KernelTimers timers;
    Application application;
    Sack sack;

    Transitions(final Scenario scenario, final ShardStats stats, final ShardClock clock, final ConnectionTable table,
        final Streams streams, final RetransmissionTimers[] rto, final AuxTimers aux, final Wire wire,
        final Sender sender, final Receiver receiver, final TraceLog trace, final TimeWaitCompactor compactor,
        final KernelTimers timers)
    {
        this.timers = timers;
        this.scenario = scenario;
        this.stats = stats;
        this.clock = clock;
        this.table = table;
        this.streams = streams;
        this.rto = rto;
        this.aux = aux;
        this.wire = wire;
        this.sender = sender;
        this.receiver = receiver;
        this.trace = trace;
        this.compactor = compactor;
    }

    // ------------------------------------------------------------------------------------------------ opening

    /** The client calls connect(): both ends of slot {@code c} start, the client sends its SYN. */
    void connect(final int c, final long conn, final int address, final int clientPort, final boolean refuses)
    {
        final int client = c << 1;
        final int server = client | 1;
        resetEnd(client, SYN_SENT, 0);
        resetEnd(server, refuses ? CLOSED : LISTEN, refuses ? REFUSES : 0);
        rto[CLIENT].open(c, Phase.SYN);
        if (trace.tracing(conn))
        {
            trace.line(conn, "client " + address + ":" + clientPort + " connect() -> SYN-SENT");
        }
        sender.sendSyn(client);
    }

    // ------------------------------------------------------------------------------------------------ packets

    /** A packet arrived at end {@code toEnd} of its connection. */
    void onPacket(final long payload, final int toEnd)
    {
        final int c = (int)(payload >>> EventBatch.SLOT_SHIFT);
        final int unit = Wire.unit(payload);
        final int ack = Wire.ack(payload);
        final int tx = Wire.transmission(payload);
        final int packetClass = Wire.packetClass(payload);
        wire.inFlight[c]--;
        final int i = c << 1 | toEnd;
        // the packet's SACK blocks, if it carries any, are the head of its sender's queue (a FIFO path)
        sack.arriving((payload & Wire.SACK) != 0 ? sack.dequeue(i ^ 1) : 0);
        final int state = table.state(i);
        if (trace.traced(c))
        {
            trace.line(table.connection[c], TraceLog.endName(toEnd) + " " + TcpState.name(state) + " receives " +
                trace.describe(i ^ 1, packetClass, unit, ack, tx, false));
        }
        if (packetClass == NetworkModel.RESET)
        {
            onReset(i, state);
        }
        else if (state == CLOSED)
        {
            // no socket for this 4-tuple (never, or no longer): RFC 793 answers with RST
            if ((table.word[i] & REFUSES) != 0 && unit == 0 && ack == 0)
            {
                trace.line(table.connection[c], "server: nobody listens on the port: RST");
            }
            wire.sendReset(i, unit, tx);
        }
        else if (state == LISTEN)
        {
            if (packetClass == NetworkModel.SEGMENT && unit == 0 && ack == 0)
            {
                acceptSyn(i);
            }
            else
            {
                wire.sendReset(i, unit, tx); // an ACK or data for a request the listener no longer has
            }
        }
        else if (state == SYN_SENT)
        {
            if (packetClass == NetworkModel.SEGMENT && unit == 0 && ack == 1)
            {
                onSynAck(i, tx);
            }
        }
        else
        {
            onSynchronized(i, state, packetClass, unit, ack, tx);
        }
        compactor.settle(c);
    }

    private void acceptSyn(final int server)
    {
        final int c = server >> 1;
        resetEnd(server, LISTEN, 0); // a new request: nothing of one the listener dropped before carries over
        table.word[server] = with(table.word[server], STATE, SYN_RECEIVED);
        receiver.receivedSyn(server);
        rto[SERVER].open(c, Phase.SYN_ACK);
        trace.line(table.connection[c], "server LISTEN -> SYN-RECEIVED, sends SYN-ACK");
        sender.sendSyn(server);
    }

    private void onSynAck(final int client, final int tx)
    {
        final int c = client >> 1;
        final long now = clock.now;
        receiver.receivedSyn(client);
        final boolean retransmitted = sender.transmissions(client, 0) > 0;
        final long rtt = now - (rto[CLIENT].samplesRetransmissions() && retransmitted ? sender.resendTime(client) :
            table.startUs[c]);
        rto[CLIENT].onAck(c, rtoAck.of(clock.kernelNow(), streams.seq(client, 1), streams.seq(client, 1))
            .rtt(rtt, retransmitted));
        rto[CLIENT].enterPhase(c, Phase.DATA);
        table.word[client] = with(with(table.word[client], STATE, ESTABLISHED), UNA, 1);
        sender.established(client); // tcp_finish_connect(): lsndtime, after the SYN-ACK's RTT sample above
        stats.add(Counter.ESTABLISHED);
        ShardStats.record(stats.handshakeUs, now - table.startUs[c]);
        trace.line(table.connection[c], "client SYN-SENT -> ESTABLISHED, sends ACK");
        receiver.sendAck(client, 0, tx);
        application.onEstablished(client);
    }

    /** A packet for an end past the handshake (or a server in SYN-RECEIVED). */
    private void onSynchronized(final int i, final int state, final int packetClass, final int unit, final int ack,
        final int tx)
    {
        final int end = i & 1;
        if (packetClass == NetworkModel.SEGMENT && unit == 0)
        {
            // a duplicate SYN or SYN-ACK: its first answer was lost, answer again at once
            if (end == SERVER && state == SYN_RECEIVED && ack == 0)
            {
                // tcp_check_req(): retransmit the SYN-ACK, then "Reset timer after retransmitting SYNACK":
                // mod_timer_pending(&req->rsk_timer, jiffies + reqsk_timeout(req, TCP_RTO_MAX)), the timeout
                // in force (TCP_TIMEOUT_INIT << num_timeout), from now; the answer is not a timeout, so the
                // give-up count (num_timeout) stays
                stats.add(Counter.SYN_ACK_FOR_DUPLICATE_SYN);
                sender.sendSegment(i, 0, true);
                sender.restartTimer(i);
            }
            else if (end == CLIENT)
            {
                stats.add(Counter.ACK_FOR_DUPLICATE_SYN_ACK);
                receiver.sendAck(i, 0, tx);
            }
            return;
        }
        if (ack > 0)
        {
            sender.checkSpuriousTimeout(i, packetClass, unit, ack, tx);
            onAck(i, ack, packetClass == NetworkModel.PURE_ACK, unit, tx);
        }
        if (packetClass == NetworkModel.SEGMENT && table.state(i) != CLOSED)
        {
            receiver.onSegment(i, unit, tx);
        }
        application.idleCheck(i);
        application.resumeClose(i);
    }

    private void onAck(final int i, final int ack, final boolean pure, final int unit, final int tx)
    {
        final int c = i >> 1;
        final int end = i & 1;
        final int state = table.state(i);
        final boolean allAcked = ack == field(table.word[i], NXT, 6);
        if (!sender.onAck(i, ack, pure, unit, tx))
        {
            return;
        }
        if (state == SYN_RECEIVED)
        {
            // the handshake's last ACK, or data carrying it
            table.word[i] = with(table.word[i], STATE, ESTABLISHED);
            sender.established(i); // tcp_rcv_state_process(), SYN_RECV: lsndtime, after onAck's RTT sample
            rto[SERVER].enterPhase(c, Phase.DATA);
            trace.line(table.connection[c], "server SYN-RECEIVED -> ESTABLISHED");
        }
        final boolean finAcked = ack == streams.finUnit(i) + 1;
        if (finAcked)
        {
            // our FIN is acknowledged
            switch (state)
            {
                case FIN_WAIT_1 ->
                {
                    toState(i, FIN_WAIT_2);
                    if ((table.word[i] & APP_CLOSED) != 0)
                    {
                        // orphaned: tcp_fin_timeout. A socket still open (half-closed) has no timer here:
                        // tcp_rcv_state_process() only arms it for a SOCK_DEAD one
                        aux.set(i, AuxTimers.FIN_TIMEOUT, timers.deadline(scenario.finTimeoutUs));
                    }
                }
                case CLOSING -> enterTimeWait(i);
                case LAST_ACK ->
                {
                    toState(i, doneState(i));
                    closeEnd(i);
                }
                default ->
                {
                }
            }
        }
        sender.afterAck(i, allAcked, finAcked);
    }

    /** The peer's FIN arrived in order. @return whether this end sent something. */
    boolean onFin(final int i, final int tx)
    {
        final int state = table.state(i);
        if ((i & 1) == CLIENT && (table.word[i] & (OUTCOME_DONE | DATA_DONE)) == 0)
        {
            // end-of-file before any response (in ESTABLISHED, or half-closed in FIN-WAIT): an empty response
            // (the server only closes), or a server that closed without writing the one it had
            table.word[i] |= OUTCOME_DONE;
            final boolean empty = streams.persistent() ? streams.drawnUnits(i ^ 1) == 0 :
                streams.units(i ^ 1) == 0 && (table.word[i ^ 1] & WROTE_NOTHING) == 0;
            stats.add(empty ? Counter.OUTCOME_COMPLETED : Counter.OUTCOME_CLOSED_BEFORE_RESPONSE);
            if (empty)
            {
                ShardStats.record(stats.completionUs, clock.now - table.startUs[i >> 1]);
            }
        }
        switch (state)
        {
            case ESTABLISHED ->
            {
                // (with persistent connections, a client that closed between exchanges is answered by close())
                if ((i & 1) == SERVER && (table.word[i] & DATA_DONE) == 0 &&
                    (!streams.persistent() || streams.units(i ^ 1) == 0))
                {
                    // end-of-file before the whole request (an empty request: a handshake-only connection): the
                    // server has nothing to answer and closes without writing
                    table.word[i] |= WROTE_NOTHING;
                }
                toState(i, CLOSE_WAIT);
                // the application sees EOF and closes, at once or --close-after-eof later: CLOSE-WAIT -> LAST-ACK
                receiver.sendAck(i, receiver.rcvNext(i) - 1, tx);
                if (scenario.closeAfterEofUs > 0)
                {
                    application.onEndOfFile(i);
                }
                else
                {
                    close(i);
                }
                return true;
            }
            case FIN_WAIT_1 ->
            {
                toState(i, CLOSING);
                stats.add(Counter.SIMULTANEOUS_CLOSES);
                return false;
            }
            case FIN_WAIT_2 ->
            {
                enterTimeWait(i);
                return false;
            }
            default ->
            {
                return false; // CLOSE-WAIT, LAST-ACK, CLOSING, TIME-WAIT already had it
            }
        }
    }

    private void onReset(final int i, final int state)
    {
        final int c = i >> 1;
        final int end = i & 1;
        if (TcpState.isIdle(state))
        {
            return; // RFC 793: a RST for no connection is dropped
        }
        if (end == CLIENT)
        {
            if ((table.word[i] & OUTCOME_DONE) == 0)
            {
                table.word[i] |= OUTCOME_DONE;
                stats.add(state == SYN_SENT ? Counter.OUTCOME_REFUSED : Counter.OUTCOME_RESET);
            }
        }
        if (trace.tracing(table.connection[c]))
        {
            trace.line(table.connection[c], TraceLog.endName(end) + " " + TcpState.name(state) + " -> CLOSED (reset)");
        }
        if (state == TIME_WAIT)
        {
            stats.timeWaitChanged(clock.now, -1); // RFC 1337's hazard: Linux drops TIME-WAIT on RST (rfc1337 = 0)
        }
        table.word[i] = with(table.word[i], STATE, doneState(i));
        closeEnd(i);
    }

    // ------------------------------------------------------------------------------------------------ timers

    /** End {@code end} of slot {@code c}'s retransmission timer fired. */
    void onRetransmissionTimeout(final int c, final int end)
    {
        final int i = c << 1 | end;
        // re-armed with the backed-off timeout if it retransmits, where the kernel's wheel files it
        final Outcome outcome = timers.expire(rto[end], c);
        stats.add(Counter.RTO_EXPIRIES);
        final int state = table.state(i);
        if (trace.traced(c))
        {
            trace.line(table.connection[c], TraceLog.endName(end) + " " + TcpState.name(state) +
                " retransmission timer fires: " + outcome +
                (outcome == Outcome.RETRANSMIT ? ", next in " + (rto[end].deadlineUs(c) - clock.now) + "us" : ""));
        }
        switch (outcome)
        {
            case RETRANSMIT ->
            {
                if (state == SYN_SENT)
                {
                    stats.add(Counter.RETX_SYN);
                    sender.sendSegment(i, 0, true);
                }
                else if (state == SYN_RECEIVED)
                {
                    stats.add(Counter.RETX_SYN_ACK);
                    sender.sendSegment(i, 0, true);
                }
                else
                {
                    sender.retransmitOnTimeout(i);
                }
            }
            case GAVE_UP_SYN ->
            {
                table.word[i] |= OUTCOME_DONE;
                stats.add(Counter.OUTCOME_CONNECT_TIMEOUT);
                toState(i, doneState(i));
                closeEnd(i);
            }
            case GAVE_UP_SYN_ACK ->
            {
                stats.add(Counter.SYN_ACK_GIVE_UPS);
                toState(i, LISTEN); // the request is dropped; the listener remains
                closeEnd(i);
            }
            case GAVE_UP_DATA, GAVE_UP_FIN ->
            {
                stats.add(outcome == Outcome.GAVE_UP_DATA ? Counter.DATA_GIVE_UPS : Counter.ORPHAN_GIVE_UPS);
                if (end == CLIENT && (table.word[i] & OUTCOME_DONE) == 0)
                {
                    table.word[i] |= OUTCOME_DONE;
                    stats.add(Counter.OUTCOME_DATA_TIMEOUT);
                }
                // tcp_write_err(): the socket is done, no RST is sent
                toState(i, doneState(i));
                closeEnd(i);
            }
        }
        application.resumeClose(i);
        compactor.settle(c);
    }

    /** End {@code end} of slot {@code c}'s auxiliary timer fired. */
    void onAuxiliaryTimer(final int c, final int end)
    {
        final int i = c << 1 | end;
        final int kind = aux.fired(i);
        switch (kind)
        {
            case AuxTimers.THINK -> application.sendMessage(i);
            case AuxTimers.TLP -> sender.probe(i);
            case AuxTimers.FIN_TIMEOUT ->
            {
                stats.add(Counter.FIN_WAIT_2_TIMEOUTS);
                if (trace.tracing(table.connection[c]))
                {
                    trace.line(table.connection[c], TraceLog.endName(end) + " FIN-WAIT-2 fin_timeout -> CLOSED");
                }
                toState(i, doneState(i));
                closeEnd(i);
            }
            case AuxTimers.TIME_WAIT ->
            {
                if (trace.tracing(table.connection[c]))
                {
                    trace.line(table.connection[c], TraceLog.endName(end) + " TIME-WAIT ends -> CLOSED");
                }
                stats.timeWaitChanged(clock.now, -1);
                toState(i, doneState(i));
                closeEnd(i);
            }
            case AuxTimers.IDLE -> application.onIdleTimeout(i);
            case AuxTimers.CLOSE -> application.onCloseTimer(i);
            default -> throw new IllegalStateException("auxiliary timer fired with no kind, end " + i);
        }
        application.resumeClose(i);
        compactor.settle(c);
    }

    // ------------------------------------------------------------------------------------------------ closing

    /** The FIN follows any data not yet sent: ESTABLISHED -> FIN-WAIT-1, CLOSE-WAIT -> LAST-ACK. */
    void sendFin(final int i)
    {
        final int c = i >> 1;
        final int end = i & 1;
        final int state = table.state(i);
        final int fin = streams.finUnit(i);
        final int first = field(table.word[i], NXT, 6);
        // data not yet written (an idle timeout closed first) is flushed before the FIN, as the kernel does
        sender.startBurst(i, first, fin + 1);
        toState(i, state == CLOSE_WAIT ? LAST_ACK : FIN_WAIT_1);
        final boolean orphaned = (table.word[i] & APP_CLOSED) != 0;
        if (orphaned)
        {
            rto[end].enterPhase(c, Phase.FIN); // orphaned by close(): tcp_orphan_retries from now on
        }
        if (trace.traced(c))
        {
            trace.line(table.connection[c], TraceLog.endName(end) + (orphaned ? " close() -> " :
                " shutdown(SHUT_WR) -> ") + TcpState.name(table.state(i)) + ", sends FIN");
        }
        sender.sendBurst(i, first, fin);
        sender.armProbe(i);
    }

    /**
     * The application calls close() (the diagram's CLOSE): the FIN follows any data still unsent.
     * <p>
     * Out of line, and kept so: with the half-closed end's case written out here (the socket is orphaned, rather
     * than a call), its bytecode is past the 325 bytes (FreqInlineSize) up to which C2 inlines a hot method, so C2
     * compiles it, and the FIN's burst under it, once as a unit of its own, not into each of its callers
     * (Receiver.onSegment's message path, onFin, the idle and close timers). Run once or twice a connection, its
     * call sites still count as hot to C2 (one run 100 times does). TransitionsCompiledSizeTest pins the size.
     *
     * @return whether it sent.
     */
    boolean close(final int i)
    {
        if ((table.word[i] & APP_CLOSED) != 0)
        {
            return false;
        }
        table.word[i] |= APP_CLOSED;
        table.word[i] &= ~ConnectionTable.CLOSE_PENDING;
        final int state = table.state(i);
        if (aux.kind(i) == AuxTimers.IDLE || aux.kind(i) == AuxTimers.CLOSE)
        {
            aux.cancel(i);
        }
        if ((table.word[i] & ConnectionTable.HALF_CLOSED) != 0)
        {
            // its FIN is out already: close() only gives the socket up. Orphaned, its FIN, if still
            // unacknowledged, is retried under tcp_orphan_retries; in FIN-WAIT-2, tcp_close() starts tcp_fin_timeout
            if (state == FIN_WAIT_1 || state == CLOSING || state == LAST_ACK)
            {
                rto[i & 1].enterPhase(i >> 1, Phase.FIN);
            }
            else if (state == FIN_WAIT_2 && aux.kind(i) == AuxTimers.NONE)
            {
                aux.set(i, AuxTimers.FIN_TIMEOUT, timers.deadline(scenario.finTimeoutUs));
            }
            return false;
        }
        if (streams.persistent())
        {
            final int written = streams.messagesBelow(i, field(table.word[i], NXT, 6));
            if ((i & 1) == SERVER && (table.word[i] & WROTE_NOTHING) == 0 &&
                written < streams.messagesBelow(i ^ 1, receiver.rcvNext(i)))
            {
                return false; // a request it has read is still to be answered; the FIN goes out after the response
            }
            streams.truncate(i, written); // what it has not written, it never will: the FIN follows what it has
        }
        else if (field(table.word[i], NXT, 6) <= streams.units(i) && (table.word[i] & OUTCOME_DONE) == 0 &&
            (i & 1) == SERVER)
        {
            return false; // the response is still to be written; the FIN goes out after it
        }
        if (state == ESTABLISHED || state == CLOSE_WAIT)
        {
            sendFin(i);
            return true;
        }
        return false;
    }

    private void enterTimeWait(final int i)
    {
        stats.add(Counter.TIME_WAIT_ENTERED);
        stats.timeWaitChanged(clock.now, +1);
        ShardStats.record(stats.closeUs, clock.now - sender.latestBurstUs(i));
        toState(i, TIME_WAIT);
        if (aux.kind(i) != AuxTimers.NONE)
        {
            aux.cancel(i);
        }
        aux.set(i, AuxTimers.TIME_WAIT, timers.deadline(scenario.timeWaitUs));
    }

    /** New data reached an end whose application has closed: RST, and the end holds no more state. */
    void abortOnData(final int i, final int unit, final int tx)
    {
        if (trace.traced(i >> 1))
        {
            trace.line(table.connection[i >> 1], TraceLog.endName(i & 1) + " " + TcpState.name(table.state(i)) +
                ": data after close(), RST -> CLOSED");
        }
        wire.sendReset(i, unit, tx);
        toState(i, doneState(i));
        closeEnd(i);
    }

    /** An end holds no more state: stop its timers. */
    private void closeEnd(final int i)
    {
        table.word[i] &= ~ConnectionTable.CLOSE_PENDING; // no socket left to close
        rto[i & 1].stop(i >> 1);
        receiver.onClose(i);
        if (aux.kind(i) != AuxTimers.NONE)
        {
            aux.cancel(i);
        }
        if ((i & 1) == CLIENT && (table.word[i] & OUTCOME_DONE) == 0)
        {
            // no path leads here; counted, so that a test sees it if one ever does
            table.word[i] |= OUTCOME_DONE;
            stats.add(Counter.OUTCOME_UNEXPLAINED);
        }
    }

    /**
     * @return the state an end returns to when it holds no more state: a server end goes back to its listener
     * (LISTEN: a new SYN on the tuple starts a new request), a client end, or a server on a port nobody listens
     * on, to CLOSED.
     */
    private int doneState(final int i)
    {
        return (i & 1) == SERVER && (table.word[i] & REFUSES) == 0 ? LISTEN : CLOSED;
    }

    private void toState(final int i, final int state)
    {
        table.word[i] = with(table.word[i], STATE, state);
    }

    private void resetEnd(final int i, final int state, final long flags)
    {
        table.word[i] = ((long)state) | flags;
        receiver.reset(i);
        sender.reset(i);
        aux.reset(i);
        wire.reset(i);
    }
}
