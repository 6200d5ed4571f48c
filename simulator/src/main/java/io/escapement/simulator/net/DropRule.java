package io.escapement.simulator.net;

import java.util.Locale;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongToIntFunction;

/**
 * One deterministic drop rule, written {@code kind=K[,conn=N|all][,dir=to-server|to-client][,unit=N|fin]
 * [,exchange=N][,tx=first|all|N][,nth=N]}: it drops every packet of kind {@code K} (syn, syn-ack, ack, data, fin,
 * rst) of the named connection (all by default) travelling in the named direction (both by default), of the named
 * unit (any by default) and transmission (all by default); with {@code nth}, only the N-th such packet.
 * <ul>
 *   <li>{@code unit}: for data, which segment of the sender's stream (1 is the first; with persistent connections
 *       the segments of all exchanges are numbered on, one after the other); for an ACK or a RST, the unit of the
 *       segment it answers (0: the SYN or SYN-ACK, so {@code kind=ack,unit=0} is the handshake's last ACK;
 *       {@code fin}: the peer's FIN).</li>
 *   <li>{@code exchange}: for data, ACKs and RSTs, the exchange (1 is the first) of a persistent connection whose
 *       segment the packet is or answers; {@code unit} then numbers the segments of that exchange's message
 *       (1 is its first), and without {@code unit} the rule names all of them. A connection with fewer exchanges
 *       has no such packet.</li>
 *   <li>{@code tx}: {@code first} (the original), {@code N} (the N-th transmission: 2 is the first
 *       retransmission) or {@code all}. An ACK's transmission is that of the segment it answers, as its fate is
 *       keyed by it.</li>
 *   <li>{@code nth}: the occurrence: of the packets the other keys name, only the N-th one sent on each connection
 *       in each direction (every transmission counts), so {@code kind=ack,dir=to-client,nth=3} drops the third
 *       pure ACK each server sends. Without it, all of them.</li>
 * </ul>
 * A rule without {@code nth} is a pure function of the packet's identity (as a {@link NetworkModel.Dropper} must
 * be). A rule with {@code nth} counts the packets it names as they are sent, per connection and direction; a
 * connection's packets are sent in an order that does not depend on {@code --threads}, so it too drops the same
 * packets on every run, and it remembers those it dropped to answer the simulator's questions about an earlier
 * transmission. It keeps a count for each connection and direction it has seen (some tens of bytes each), and its
 * counts are of one run at a time: runs that share it must not run at once. Every rule counts the packets it
 * dropped as they are sent, so that a rule that never matched can be reported. Thread-safe.
 */
public final class DropRule
{
    /** The packet kinds a rule can name. */
    public enum Kind
    {
        /** The client's SYN. */
        SYN,
        /** The server's SYN-ACK. */
        SYN_ACK,
        /** A pure ACK, of either end. */
        ACK,
        /** A data segment (it may carry an ACK too). */
        DATA,
        /** A FIN. */
        FIN,
        /** A RST. */
        RST;

        String text()
        {
            return name().toLowerCase(Locale.ROOT).replace('_', '-');
        }
    }

    private static final String SYNTAX = "kind=syn|syn-ack|ack|data|fin|rst[,conn=N|all][,dir=to-server|to-client]" +
        "[,unit=N|fin][,exchange=N][,tx=first|all|N][,nth=N]";
    private static final int ANY = -1;
    private static final int FIN_UNIT = -2;

    private final String text;
    private final Kind kind;
    private final long connection;
    private final int direction; // 0 both, 1 to the server, 2 to the client
    private final int unit;
    private final int transmission;
    private final int exchange;
    private final int nth;
    private final Layout layout;
    private final LongAdder matched = new LongAdder();
    // occurrence rules only: packets named so far per connection and direction, and the packets dropped
    private final ConcurrentHashMap<Long, Integer> occurrences = new ConcurrentHashMap<>();
    private final Set<Packet> dropped = ConcurrentHashMap.newKeySet();

    /** The data segments of a connection's messages, by exchange: how a rule numbers units. */
    @FunctionalInterface
    public interface Layout
    {
        /**
         * @param conn      the connection's number.
         * @param side      0 for its requests, 1 for its responses.
         * @param exchanges how many exchanges, from the first; all of them when at least their number.
         * @return the data segments of those exchanges' messages on that side.
         */
        int unitsThrough(long conn, int side, int exchanges);
    }

    private record Packet(long conn, boolean fromClient, int packetClass, int unit, int tx)
    {
    }

    private DropRule(final String text, final Kind kind, final long connection, final int direction, final int unit,
        final int exchange, final int transmission, final int nth, final Layout layout)
    {
        this.text = text;
        this.kind = kind;
        this.connection = connection;
        this.direction = direction;
        this.unit = unit;
        this.exchange = exchange;
        this.transmission = transmission;
        this.nth = nth;
        this.layout = layout;
    }

    /**
     * @param rule          the rule's text.
     * @param requestUnits  data segments of a request: a request's FIN is the unit after them.
     * @param responseUnits data segments of a response.
     * @return the rule.
     * @throws IllegalArgumentException naming what is wrong, prefixed with {@code --drop}.
     */
    public static DropRule parse(final String rule, final int requestUnits, final int responseUnits)
    {
        return parse(rule, conn -> requestUnits, conn -> responseUnits, requestUnits, responseUnits);
    }

    /**
     * A rule for messages whose sizes are drawn per connection.
     *
     * @param rule             the rule's text.
     * @param requestUnitsOf   a connection's number to the data segments of its request.
     * @param responseUnitsOf  a connection's number to the data segments of its response.
     * @param requestUnits     the most data segments a request can have.
     * @param responseUnits    the most data segments a response can have.
     * @return the rule.
     * @throws IllegalArgumentException naming what is wrong, prefixed with {@code --drop}.
     */
    public static DropRule parse(final String rule, final LongToIntFunction requestUnitsOf,
        final LongToIntFunction responseUnitsOf, final int requestUnits, final int responseUnits)
    {
        return parse(rule, (conn, side, exchanges) -> exchanges <= 0 ? 0 :
            (side == 0 ? requestUnitsOf : responseUnitsOf).applyAsInt(conn), requestUnits, responseUnits);
    }

    /**
     * A rule for connections that carry a sequence of exchanges (persistent connections).
     *
     * @param rule          the rule's text.
     * @param layout        a connection's data segments by side and exchange.
     * @param requestUnits  the most data segments the requests of a connection can have, all exchanges together.
     * @param responseUnits the most data segments its responses can have.
     * @return the rule.
     * @throws IllegalArgumentException naming what is wrong, prefixed with {@code --drop}.
     */
    public static DropRule parse(final String rule, final Layout layout, final int requestUnits,
        final int responseUnits)
    {
        final String spec = rule.trim();
        Kind kind = null;
        long connection = ANY;
        int direction = 0;
        int unit = ANY;
        int transmission = ANY;
        int exchange = ANY;
        int nth = ANY;
        for (final String pair : spec.split(","))
        {
            final int eq = pair.indexOf('=');
            if (eq < 1)
            {
                throw bad(spec, "'" + pair.trim() + "' is not key=value");
            }
            final String key = pair.substring(0, eq).trim();
            final String value = pair.substring(eq + 1).trim().toLowerCase(Locale.ROOT);
            switch (key)
            {
                case "kind" -> kind = kind(spec, value);
                case "conn" -> connection = value.equals("all") ? ANY : number(spec, key, value, 0);
                case "dir" -> direction = switch (value)
                {
                    case "to-server" -> 1;
                    case "to-client" -> 2;
                    case "both" -> 0;
                    default -> throw bad(spec, "dir=" + value + " must be to-server, to-client or both");
                };
                case "unit" -> unit = value.equals("fin") ? FIN_UNIT : (int)Math.min(number(spec, key, value, 0), 63);
                case "tx" -> transmission = switch (value)
                {
                    case "first" -> 0;
                    case "all" -> ANY;
                    default -> (int)Math.min(number(spec, key, value, 1), 1 << 20) - 1;
                };
                case "exchange" -> exchange = (int)Math.min(number(spec, key, value, 1), 64);
                case "nth" -> nth = (int)Math.min(number(spec, key, value, 1), Integer.MAX_VALUE);
                default -> throw bad(spec, "unknown key '" + key + "'");
            }
        }
        if (kind == null)
        {
            throw bad(spec, "a rule must name a packet kind");
        }
        if ((kind == Kind.SYN && direction == 2) || (kind == Kind.SYN_ACK && direction == 1))
        {
            throw bad(spec, "kind=" + kind.text() + " travels " + (kind == Kind.SYN ? "to-server" : "to-client") +
                " only");
        }
        if (unit != ANY && kind != Kind.DATA && kind != Kind.ACK && kind != Kind.RST)
        {
            throw bad(spec, "unit= names a data segment, or the segment an ACK or RST answers; not a " + kind.text());
        }
        if (unit == FIN_UNIT && kind == Kind.DATA)
        {
            throw bad(spec, "unit=fin names the FIN an ACK answers; use kind=fin for the FIN itself");
        }
        if (kind == Kind.DATA && unit == 0)
        {
            throw bad(spec, "data segments are numbered from 1");
        }
        if (exchange != ANY && kind != Kind.DATA && kind != Kind.ACK && kind != Kind.RST)
        {
            throw bad(spec, "exchange= names the exchange of a data segment, or of the segment an ACK or RST " +
                "answers; not a " + kind.text());
        }
        if (exchange != ANY && (unit == FIN_UNIT || unit == 0))
        {
            throw bad(spec, "with exchange=, unit= numbers that exchange's data segments, from 1");
        }
        // a data segment's unit is of its sender's message; an ACK's or RST's, of the message it answers
        final boolean answers = kind != Kind.DATA;
        final int toServer = answers ? responseUnits : requestUnits;
        final int toClient = answers ? requestUnits : responseUnits;
        final int most = direction == 1 ? toServer : direction == 2 ? toClient : Math.max(toServer, toClient);
        if (unit > most && (kind == Kind.DATA || unit > most + 1))
        {
            throw bad(spec, "unit=" + unit + " names no segment: a request has " + requestUnits +
                " data segment(s), a response " + responseUnits);
        }
        return new DropRule(spec, kind, connection, direction, unit, exchange, transmission, nth, layout);
    }

    private static Kind kind(final String spec, final String value)
    {
        for (final Kind k : Kind.values())
        {
            if (k.text().equals(value))
            {
                return k;
            }
        }
        throw bad(spec, "unknown packet kind '" + value + "'");
    }

    private static long number(final String spec, final String key, final String value, final long min)
    {
        final long n;
        try
        {
            n = Long.parseLong(value);
        }
        catch (final NumberFormatException e)
        {
            throw bad(spec, key + "=" + value + " must be a whole number" + (key.equals("tx") ?
                ", first or all" : key.equals("conn") ? " or all" : key.equals("unit") ? " or fin" : ""));
        }
        if (n < min)
        {
            throw bad(spec, key + "=" + value + " must be at least " + min);
        }
        return n;
    }

    private static IllegalArgumentException bad(final String spec, final String what)
    {
        return new IllegalArgumentException("--drop '" + spec + "': " + what + "; expected " + SYNTAX);
    }

    /**
     * @param conn        the connection's number.
     * @param fromClient  the packet's direction.
     * @param packetClass {@link NetworkModel#SEGMENT}, {@link NetworkModel#PURE_ACK} or {@link NetworkModel#RESET}.
     * @param packetUnit  for a segment its unit, for an ACK or RST the unit of the segment it answers.
     * @param tx          the transmission: 0 for the first.
     * @param ack         the ACK it carries, in units; -1 when the simulator asks about an earlier transmission.
     * @return whether the rule names this packet (the arguments of {@link NetworkModel.Dropper#drop}); for a
     * rule by occurrence, a packet sent ({@code ack >= 0}) is counted.
     */
    public boolean matches(final long conn, final boolean fromClient, final int packetClass, final int packetUnit,
        final int tx, final int ack)
    {
        if (!names(conn, fromClient, packetClass, packetUnit, tx))
        {
            return false;
        }
        if (nth == ANY)
        {
            return true;
        }
        final Packet packet = new Packet(conn, fromClient, packetClass, packetUnit, tx);
        if (ack < 0)
        {
            return dropped.contains(packet); // a question about an earlier transmission: was it this rule's?
        }
        final int occurrence = occurrences.merge(conn << 1 | (fromClient ? 0 : 1), 1, Integer::sum);
        if (occurrence == nth)
        {
            dropped.add(packet);
            return true;
        }
        return false;
    }

    private boolean names(final long conn, final boolean fromClient, final int packetClass, final int packetUnit,
        final int tx)
    {
        if ((connection != ANY && conn != connection) || (direction == 1 && !fromClient) ||
            (direction == 2 && fromClient) || (transmission != ANY && tx != transmission))
        {
            return false;
        }
        final int senderUnits = layout.unitsThrough(conn, fromClient ? 0 : 1, Integer.MAX_VALUE);
        final boolean kindMatches = switch (kind)
        {
            case SYN -> packetClass == NetworkModel.SEGMENT && packetUnit == 0 && fromClient;
            case SYN_ACK -> packetClass == NetworkModel.SEGMENT && packetUnit == 0 && !fromClient;
            case DATA -> packetClass == NetworkModel.SEGMENT && packetUnit >= 1 && packetUnit <= senderUnits;
            case FIN -> packetClass == NetworkModel.SEGMENT && packetUnit == senderUnits + 1;
            case ACK -> packetClass == NetworkModel.PURE_ACK;
            case RST -> packetClass == NetworkModel.RESET;
        };
        if (!kindMatches)
        {
            return false;
        }
        // a data segment's unit is of its sender's stream; an ACK's or RST's, of the stream it answers
        final int side = (kind == Kind.DATA) == fromClient ? 0 : 1;
        if (exchange != ANY)
        {
            final int before = layout.unitsThrough(conn, side, exchange - 1);
            final int through = layout.unitsThrough(conn, side, exchange);
            return unit == ANY ? packetUnit > before && packetUnit <= through :
                before + unit <= through && packetUnit == before + unit;
        }
        if (unit == ANY)
        {
            return true;
        }
        // an ACK or RST answers a segment of the peer: its FIN is the unit after the peer's data
        return unit == FIN_UNIT ? packetUnit == layout.unitsThrough(conn, side, Integer.MAX_VALUE) + 1 :
            packetUnit == unit;
    }

    /** Counts a packet this rule dropped as it was sent. */
    void count()
    {
        matched.increment();
    }

    /** Forgets the packets counted: a run starts. */
    void reset()
    {
        matched.reset();
        occurrences.clear();
        dropped.clear();
    }

    /** @return the packets this rule dropped so far. */
    public long matched()
    {
        return matched.sum();
    }

    @Override
    public String toString()
    {
        return text;
    }
}
