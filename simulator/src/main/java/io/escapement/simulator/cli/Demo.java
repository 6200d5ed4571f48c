package io.escapement.simulator.cli;

import io.escapement.engine.wheel.ExpiryHandler;
import io.escapement.engine.wheel.TimerWheel;

import java.io.PrintStream;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

/**
 * A small discrete-event demo of the engine's wheel, standing in for the TCP simulator until it lands: many
 * connections open at a steady rate, send a few segments whose ACKs restart a retransmission timer (RTO), lose some
 * ACKs (the RTO fires, backs off, retransmits), then sit in TIME-WAIT for 2MSL. Every event, the ACK arrivals
 * included, is a timer on one {@link TimerWheel}, and virtual time jumps straight to
 * {@link TimerWheel#earliestDeadline()}: the wheel is the event queue.
 * <p>
 * Virtual time is in microseconds with a 1 ms tick. The run is deterministic for a given seed.
 */
public final class Demo implements ExpiryHandler
{
    static final int EXIT_OK = 0;
    static final int EXIT_USAGE = 2;

    // payload = connection << KIND_BITS | kind
    private static final int KIND_BITS = 2;
    private static final int OPEN = 0;
    private static final int ACK = 1;
    private static final int RTO = 2;
    private static final int TIME_WAIT_END = 3;

    private static final String USAGE = String.join("\n",
        "Usage: escapement-demo [--connections N] [--rate PER_SECOND] [--segments N] [--rtt-ms MS]",
        "                       [--ack-loss P] [--time-wait-ms MS] [--seed N] [--help]",
        "",
        "Drives TCP-like connection lifecycles on one Escapement timing wheel in virtual time:",
        "each connection sends SEGMENTS segments, one per RTT; every ACK restarts its RTO timer;",
        "a lost ACK lets the RTO fire (then it backs off and retransmits); after the last ACK the",
        "connection enters TIME-WAIT for 2MSL. Prints what the timers did and what it cost.",
        "",
        "  --connections N      connections to open (default 1000000)",
        "  --rate R             new connections per virtual second (default 10000)",
        "  --segments N         segments per connection (default 8)",
        "  --rtt-ms MS          round-trip time in ms (default 20)",
        "  --ack-loss P         probability an ACK is lost, 0..1 (default 0.01)",
        "  --time-wait-ms MS    TIME-WAIT duration, 2MSL (default 60000, Linux's fixed 60 s)",
        "  --seed N             random seed; the same seed gives the same report (default 1)",
        "  --help               show this help",
        "",
        "Exit codes: 0 success, 2 usage error.");

    private final TimerWheel wheel;
    private final SplittableRandom random;
    private final int connections;
    private final long openIntervalUs;
    private final int segments;
    private final long rttUs;
    private final double ackLoss;
    private final long timeWaitUs;
    private final long initialRtoUs;

    private final long[] rtoHandle;
    private final int[] acked;
    private final byte[] backoff;

    private int opened;
    private long armed;
    private long rearmed;
    private long cancelled;
    private long fired;
    private long retransmissions;
    private long closed;
    private int peakTimers;

    Demo(final Config config)
    {
        wheel = TimerWheel.builder(TimeUnit.MICROSECONDS).tickDuration(1_000).build();
        random = new SplittableRandom(config.seed);
        connections = config.connections;
        openIntervalUs = Math.max(1, 1_000_000L / config.rate);
        segments = config.segments;
        rttUs = config.rttMs * 1_000;
        ackLoss = config.ackLoss;
        timeWaitUs = config.timeWaitMs * 1_000;
        initialRtoUs = Math.max(200_000, 3 * rttUs); // Linux's 200 ms floor
        rtoHandle = new long[connections];
        acked = new int[connections];
        backoff = new byte[connections];
    }

    /** Runs the demo to completion and returns the wall time in nanoseconds. */
    long run()
    {
        final long startNs = System.nanoTime();
        arm(0, 0, OPEN);
        while (wheel.timerCount() > 0)
        {
            wheel.advance(Math.max(wheel.currentTime(), wheel.earliestDeadline()), this);
        }
        return System.nanoTime() - startNs;
    }

    @Override
    public void onExpiry(final long handle, final long payload, final long deadline)
    {
        fired++;
        final int connection = (int)(payload >>> KIND_BITS);
        final long now = wheel.currentTime();
        switch ((int)(payload & ((1 << KIND_BITS) - 1)))
        {
            case OPEN:
                final int next = opened++; // one opener timer opens every connection in turn
                rtoHandle[next] = arm(now + initialRtoUs, next, RTO);
                sendSegment(next, now);
                if (opened < connections)
                {
                    wheel.reschedule(handle, now + openIntervalUs); // the opener is a periodic timer
                    rearmed++;
                }
                break;
            case ACK:
                if (++acked[connection] == segments)
                {
                    wheel.cancel(rtoHandle[connection]);
                    cancelled++;
                    arm(now + timeWaitUs, connection, TIME_WAIT_END);
                }
                else
                {
                    backoff[connection] = 0;
                    wheel.reschedule(rtoHandle[connection], now + initialRtoUs); // RTO restart on ACK
                    rearmed++;
                    sendSegment(connection, now);
                }
                break;
            case RTO:
                retransmissions++;
                backoff[connection]++;
                wheel.reschedule(handle, now + (initialRtoUs << Math.min(6, backoff[connection])));
                rearmed++;
                sendSegment(connection, now);
                break;
            default:
                closed++;
                break;
        }
    }

    private void sendSegment(final int connection, final long now)
    {
        if (random.nextDouble() >= ackLoss)
        {
            arm(now + rttUs, connection, ACK);
        }
    }

    private long arm(final long deadline, final int connection, final int kind)
    {
        armed++;
        final long handle = wheel.schedule(deadline, ((long)connection << KIND_BITS) | kind);
        peakTimers = Math.max(peakTimers, wheel.timerCount());
        return handle;
    }

    void report(final PrintStream out, final Config config, final long wallNs)
    {
        final long operations = armed + rearmed + cancelled + fired;
        out.printf(Locale.ROOT, "Escapement engine demo (seed %d)%n", config.seed);
        out.printf(Locale.ROOT, "  config: connections=%d rate=%d/s segments=%d rtt=%d ms ack-loss=%.3f " +
            "time-wait=%d ms%n", config.connections, config.rate, config.segments, config.rttMs, config.ackLoss,
            config.timeWaitMs);
        out.printf(Locale.ROOT, "  virtual time      %,.1f s%n", wheel.currentTime() / 1e6);
        out.printf(Locale.ROOT, "  connections       %,d opened, %,d closed after TIME-WAIT%n", opened, closed);
        out.printf(Locale.ROOT, "  retransmissions   %,d (RTO expiries)%n", retransmissions);
        out.printf(Locale.ROOT, "  timers            %,d armed, %,d re-armed, %,d cancelled, %,d fired%n",
            armed, rearmed, cancelled, fired);
        out.printf(Locale.ROOT, "  peak live timers  %,d (TIME-WAIT piles up: rate x 2MSL)%n", peakTimers);
        out.printf(Locale.ROOT, "  wall time         %,.2f s, %,.0f ns per timer operation%n",
            wallNs / 1e9, operations == 0 ? 0.0 : (double)wallNs / operations);
    }

    /** The demo's settings; every value is checked when parsed. */
    static final class Config
    {
        int connections = 1_000_000;
        int rate = 10_000;
        int segments = 8;
        long rttMs = 20;
        double ackLoss = 0.01;
        long timeWaitMs = 60_000;
        long seed = 1;
        boolean help;

        static Config parse(final String... args)
        {
            final Config config = new Config();
            for (int i = 0; i < args.length; i++)
            {
                final String arg = args[i];
                if ("--help".equals(arg) || "-h".equals(arg))
                {
                    config.help = true;
                    continue;
                }
                final String name;
                final String value;
                final int eq = arg.indexOf('=');
                if (arg.startsWith("--") && eq > 0)
                {
                    name = arg.substring(0, eq);
                    value = arg.substring(eq + 1);
                }
                else if (arg.startsWith("--") && i + 1 < args.length)
                {
                    name = arg;
                    value = args[++i];
                }
                else
                {
                    throw new IllegalArgumentException(arg.startsWith("--") ? "option " + arg + " needs a value" :
                        "unexpected argument '" + arg + "'");
                }
                switch (name)
                {
                    case "--connections" -> config.connections = (int)parseLong(name, value, 1, 50_000_000);
                    case "--rate" -> config.rate = (int)parseLong(name, value, 1, 1_000_000);
                    case "--segments" -> config.segments = (int)parseLong(name, value, 1, 10_000);
                    case "--rtt-ms" -> config.rttMs = parseLong(name, value, 1, 60_000);
                    case "--time-wait-ms" -> config.timeWaitMs = parseLong(name, value, 1, 3_600_000);
                    case "--seed" -> config.seed = parseLong(name, value, Long.MIN_VALUE, Long.MAX_VALUE);
                    case "--ack-loss" -> config.ackLoss = parseProbability(name, value);
                    default -> throw new IllegalArgumentException("unknown option " + name);
                }
            }
            return config;
        }

        private static long parseLong(final String name, final String value, final long min, final long max)
        {
            final long parsed;
            try
            {
                parsed = Long.parseLong(value.replace("_", ""));
            }
            catch (final NumberFormatException e)
            {
                throw new IllegalArgumentException(name + " expects a whole number, got '" + value + "'");
            }
            if (parsed < min || parsed > max)
            {
                throw new IllegalArgumentException(name + " must be between " + min + " and " + max + ", got " +
                    parsed);
            }
            return parsed;
        }

        private static double parseProbability(final String name, final String value)
        {
            final double parsed;
            try
            {
                parsed = Double.parseDouble(value);
            }
            catch (final NumberFormatException e)
            {
                throw new IllegalArgumentException(name + " expects a probability between 0 and 1, got '" +
                    value + "'");
            }
            if (!(parsed >= 0 && parsed < 1)) // also rejects NaN
            {
                throw new IllegalArgumentException(name + " must be at least 0 and below 1, got " + value);
            }
            return parsed;
        }
    }

    static int run(final PrintStream out, final PrintStream err, final String... args)
    {
        final Config config;
        try
        {
            config = Config.parse(args);
        }
        catch (final IllegalArgumentException e)
        {
            err.println("error: " + e.getMessage());
            err.println();
            err.println(USAGE);
            return EXIT_USAGE;
        }
        if (config.help)
        {
            out.println(USAGE);
            return EXIT_OK;
        }
        final Demo demo = new Demo(config);
        final long wallNs = demo.run();
        demo.report(out, config, wallNs);
        return EXIT_OK;
    }

    public static void main(final String[] args)
    {
        System.exit(run(System.out, System.err, args));
    }
}
