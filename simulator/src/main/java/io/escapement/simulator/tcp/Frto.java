package io.escapement.simulator.tcp;

/**
 * F-RTO's decision on one ACK after an RTO (RFC 5682, its SACK-enhanced variant of section 4), as Linux's
 * {@code tcp_process_loss()} (net/ipv4/tcp_input.c, {@code tcp_frto = 2}) takes it while {@code tp->frto} is set.
 * The sender ({@link Sender}) gathers the ACK's flags and acts on the answer.
 * <p>
 * The kernel's order, each branch a return value:
 * <ol>
 * <li>{@code FLAG_ORIG_SACK_ACKED} (data sent before the timeout, below {@code high_seq}, never resent, newly
 * acknowledged or SACKed, duplicate ACK or not): step 3b, the timeout was spurious, {@code tcp_try_undo_loss(sk,
 * true)} undoes it: {@link #UNDO}.</li>
 * <li>New data was sent after the timeout ({@code after(snd_nxt, high_seq)}, step 2b done): a duplicate ACK or one
 * that SACKs data newly ({@code FLAG_DATA_SACKED}) means the new data arrived while the hole stayed: step 3a, the loss
 * was real: {@link #END}. Any other ACK leaves F-RTO on ({@link #GO_ON}): the conventional recovery resends what is
 * lost, and a later ACK of never-resent data can still undo.</li>
 * <li>Nothing new sent yet: an ACK that advances {@code SND.UNA} short of the recovery point sends new data if some
 * waits (step 2b: {@link #SEND_NEW}), else ends F-RTO ({@link #END}); a duplicate ACK leaves it on
 * ({@link #GO_ON}): it says nothing about the timeout yet.</li>
 * </ol>
 * Not modelled: the first branch of {@code tcp_process_loss()}, {@code tcp_try_undo_loss(sk, false)} on any ACK
 * that advances {@code SND.UNA}, which undoes by timestamps ({@code tcp_packet_delayed()}) or DSACKs (Eifel's
 * detection, not F-RTO's): the simulator's sender keeps neither.
 */
final class Frto
{
    /** The ACK does not decide: F-RTO stays on, the recovery goes on conventionally. */
    static final int GO_ON = 0;
    /** Step 3b: the timeout was spurious; undo its window cut and end the recovery. */
    static final int UNDO = 1;
    /** Step 2b: send up to two new segments instead of resending; the next ACKs decide. */
    static final int SEND_NEW = 2;
    /** Step 3a, or 2b impossible: F-RTO ends, the conventional recovery goes on. */
    static final int END = 3;

    private Frto()
    {
    }

    /**
     * @param origAcked     {@code FLAG_ORIG_SACK_ACKED}: never-resent data below the recovery point is newly
     *                      acknowledged or reported.
     * @param newDataSent   {@code after(snd_nxt, high_seq)}: data above the recovery point was sent.
     * @param dataSacked    {@code FLAG_DATA_SACKED}: the ACK reports data above its cumulative point newly.
     * @param duplicate     the ACK is a duplicate ACK ({@code num_dupack > 0}).
     * @param unaAdvanced   {@code FLAG_SND_UNA_ADVANCED}.
     * @param recovered     {@code SND.UNA} reached the recovery point.
     * @param newDataWaits  new data is written and may be sent ({@code tcp_send_head()}, the receive window open).
     * @return {@link #GO_ON}, {@link #UNDO}, {@link #SEND_NEW} or {@link #END}.
     */
    static int onAck(final boolean origAcked, final boolean newDataSent, final boolean dataSacked,
        final boolean duplicate, final boolean unaAdvanced, final boolean recovered, final boolean newDataWaits)
    {
        if (origAcked)
        {
            return UNDO;
        }
        if (newDataSent)
        {
            return dataSacked || duplicate ? END : GO_ON;
        }
        if (unaAdvanced && !recovered)
        {
            return newDataWaits ? SEND_NEW : END;
        }
        return GO_ON;
    }
}
