package io.escapement.simulator.net;

import io.escapement.engine.rto.RtoParameters;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.LongAdder;

/**
 * A measured one-way delay, and optionally a loss rate, replayed over virtual time, one direction of the path: a CSV
 * file of {@code time,delay[,loss]} lines, such as a ping log turned into one line per reply.
 * <p>
 * <b>Format.</b> One sample a line: the time the sample was taken, then the one-way delay. Each field is a number
 * with its unit ({@code 12.5s}, {@code 23.4ms}, {@code 800us}) or a plain number, which is seconds for the time
 * and milliseconds for the delay (what a ping log gives: half the RTT it prints is a one-way delay). Times must
 * increase strictly from line to line; they are taken relative to the first line's, so epoch seconds work, and
 * the first sample is in force at the start of the run. Blank lines and lines starting with {@code #} are skipped,
 * and so is a first line that starts with a letter (a header such as {@code time_s,delay_ms}). Anything else is
 * refused, naming the line: a malformed or negative field, a time not after the previous line's, a fourth field.
 * <p>
 * <b>Loss.</b> The optional third field is the probability, in [0, 1], that a packet sent while the line is in force
 * is lost (a line without it: 0), beside {@code --loss} and {@code --burst-loss} (a packet is lost if any of them
 * loses it). A packet's fate is then a function of its identity <i>and its send time</i>: a hash of the identity,
 * uniform in [0, 1), below the rate in force when it left. The simulator asks about a packet's fate when it sends
 * it and keeps what it learns where it needs it later (its count of spurious retransmissions), never asking again
 * without the send time.
 * <p>
 * <b>Replay.</b> A packet sent at virtual time {@code t} takes the delay of the last sample at or before
 * {@code t} (sample and hold). The trace lasts from its first time to its last plus one more interval (the last
 * interval repeated, so the last sample holds as long as the one before it). A packet sent after that is
 * <i>past the end</i>: with {@link End#WRAP} the trace starts over ({@code t} modulo its length); with
 * {@link End#REFUSE} a trace shorter than the time over which the run opens its connections is refused before the
 * run, and the packets of the last connections still sent after its end keep its last delay. Either way the packets
 * sent past the end are counted and reported.
 * <p>
 * Immutable but for that count; thread-safe.
 */
public final class DelayTrace
{
    /** What a trace shorter than the run does. */
    public enum End
    {
        /** Start over: time modulo the trace's length. */
        WRAP,
        /** Refuse a trace shorter than the time connections arrive over; later packets keep the last delay. */
        REFUSE
    }

    private final String source;
    private final long[] timeUs;   // from 0, strictly increasing
    private final long[] delayUs;
    private final double[] loss;   // null: no line has a loss field
    private final long lengthUs;
    private final End end;
    private final LongAdder pastEnd = new LongAdder();

    DelayTrace(final String source, final long[] timeUs, final long[] delayUs, final double[] loss, final End end)
    {
        this.source = source;
        this.timeUs = timeUs;
        this.delayUs = delayUs;
        this.loss = loss;
        final int n = timeUs.length;
        this.lengthUs = timeUs[n - 1] + (timeUs[n - 1] - timeUs[n - 2]);
        this.end = end;
    }

    /**
     * @param option the option it comes from, for messages: {@code --delay-trace-to-server}.
     * @param path   the CSV file, as the class comment describes it.
     * @param end    what a trace shorter than the run does.
     * @return the trace.
     * @throws IllegalArgumentException naming the option, the line and what is wrong.
     */
    public static DelayTrace read(final String option, final String path, final End end)
    {
        final List<String> lines = RttDistribution.readLines(option, path, path);
        final long[] times = new long[lines.size()];
        final long[] delays = new long[lines.size()];
        final double[] losses = new double[lines.size()];
        boolean anyLoss = false;
        int n = 0;
        long first = 0;
        boolean header = false;
        for (int k = 0; k < lines.size(); k++)
        {
            final String line = lines.get(k).trim();
            if (line.isEmpty() || line.startsWith("#"))
            {
                continue;
            }
            if (n == 0 && !header && Character.isLetter(line.charAt(0)))
            {
                header = true; // a header: one line, before the first sample
                continue;
            }
            final String where = option + " '" + path + "': line " + (k + 1);
            final String[] fields = line.split(",", -1);
            if (fields.length != 2 && fields.length != 3)
            {
                throw new IllegalArgumentException(where + " has " + fields.length + " field(s): expected " +
                    "time,delay[,loss] such as 12.5,23.4 (seconds, milliseconds) or 12.5,23.4,0.01");
            }
            if (fields.length == 3)
            {
                losses[n] = probability(where, fields[2]);
                anyLoss = true;
            }
            final long t = field(where, "time", fields[0], 1_000_000);
            final long d = field(where, "delay", fields[1], 1_000);
            if (n == 0)
            {
                first = t;
            }
            else if (t - first <= times[n - 1])
            {
                throw new IllegalArgumentException(where + ": time " + fields[0].trim() +
                    " is not after the previous line's: times must increase");
            }
            if (d > RttDistribution.MAX_RTT_US / 2)
            {
                throw new IllegalArgumentException(where + ": delay " + fields[1].trim() + " is above 30s");
            }
            times[n] = t - first;
            delays[n] = d;
            n++;
        }
        if (n < 2)
        {
            throw new IllegalArgumentException(option + " '" + path + "': the file holds " + n +
                " sample(s): a trace needs at least two");
        }
        return new DelayTrace(path, Arrays.copyOf(times, n), Arrays.copyOf(delays, n),
            anyLoss ? Arrays.copyOf(losses, n) : null, end);
    }

    /** A loss field: a plain number in [0, 1]. */
    private static double probability(final String where, final String text)
    {
        final String f = text.trim();
        double p;
        try
        {
            p = Double.parseDouble(f);
        }
        catch (final NumberFormatException e)
        {
            p = Double.NaN;
        }
        if (!(p >= 0 && p <= 1))
        {
            throw new IllegalArgumentException(where + ": loss '" + f + "' is not a probability in [0, 1]");
        }
        return p;
    }

    /** A field: a duration with its unit, or a plain number of {@code plainUs} microseconds; not negative. */
    private static long field(final String where, final String name, final String text, final long plainUs)
    {
        final String f = text.trim();
        final long us;
        try
        {
            if (!f.isEmpty() && (Character.isDigit(f.charAt(f.length() - 1)) || f.endsWith(".")))
            {
                final double v = Double.parseDouble(f);
                if (!Double.isFinite(v) || Math.abs(v) > 1e12)
                {
                    throw new NumberFormatException(f);
                }
                us = Math.round(v * plainUs);
            }
            else
            {
                us = RtoParameters.parseDurationUs(f);
            }
        }
        catch (final IllegalArgumentException e)
        {
            throw new IllegalArgumentException(where + ": " + name + " '" + f + "' is not a number (" +
                (plainUs == 1_000 ? "milliseconds" : "seconds") + ") or a duration such as 20ms");
        }
        if (us < 0)
        {
            throw new IllegalArgumentException(where + ": " + name + " '" + f + "' is negative");
        }
        return us;
    }

    /** @return how long the trace lasts, microseconds: its last time plus its last interval. */
    public long lengthUs()
    {
        return lengthUs;
    }

    /** @return what a trace shorter than the run does. */
    public End end()
    {
        return end;
    }

    /** @return the packets sent past the trace's end so far (wrapped, or given its last delay). */
    public long packetsPastEnd()
    {
        return pastEnd.sum();
    }

    /**
     * @param sentUs when the packet leaves, virtual microseconds from the start of the run.
     * @return its one-way delay, microseconds.
     */
    public long delayUs(final long sentUs)
    {
        return lookup(sentUs, true);
    }

    /** @return the delay at {@code atUs}, as {@link #delayUs}, without counting it as a packet sent. */
    long peekDelayUs(final long atUs)
    {
        return lookup(atUs, false);
    }

    /** @return whether a line gives a loss rate. */
    public boolean hasLoss()
    {
        return loss != null;
    }

    /**
     * @param sentUs when the packet leaves, virtual microseconds from the start of the run.
     * @return the loss rate in force then (0 without a loss field); packets past the end are counted by
     * {@link #delayUs} alone, not again here.
     */
    public double lossAt(final long sentUs)
    {
        return loss == null ? 0 : loss[index(sentUs, false)];
    }

    private long lookup(final long atUs, final boolean count)
    {
        return delayUs[index(atUs, count)];
    }

    private int index(final long atUs, final boolean count)
    {
        long t = Math.max(0, atUs);
        if (t >= lengthUs)
        {
            if (count)
            {
                pastEnd.increment();
            }
            if (end == End.WRAP)
            {
                t %= lengthUs;
            }
        }
        int k = Arrays.binarySearch(timeUs, t);
        if (k < 0)
        {
            k = -k - 2; // the last sample before t; t >= 0 = timeUs[0], so k >= 0
        }
        return k;
    }

    /**
     * @param spanUs how long the run opens connections for, microseconds.
     * @param option the option that gave this trace, for the message.
     * @throws IllegalArgumentException if the trace refuses to be shorter than that.
     */
    void requireCovers(final long spanUs, final String option)
    {
        if (end == End.REFUSE && lengthUs < spanUs)
        {
            throw new IllegalArgumentException(option + " '" + source + "' lasts " + RtoParameters.formatUs(lengthUs) +
                " but connections arrive over " + RtoParameters.formatUs(spanUs) + " (connections / rate): give a " +
                "longer trace, fewer connections, or --delay-trace-end wrap");
        }
    }

    @Override
    public String toString()
    {
        return String.format(Locale.ROOT, "trace %s (%d samples over %s, %s%s past its end)", source, timeUs.length,
            RtoParameters.formatUs(lengthUs), loss != null ? "with loss, " : "", end == End.WRAP ? "wraps" : "refused");
    }
}
