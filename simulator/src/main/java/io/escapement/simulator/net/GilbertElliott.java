package io.escapement.simulator.net;

import java.util.Locale;

/**
 * Bursty loss: the two-state Markov chain of Gilbert (1960) as Elliott (1963) generalised it. The channel is in a
 * good or a bad state; a packet is lost with probability {@code lossGood} in the good state and {@code lossBad} in
 * the bad one; after each packet the chain moves from good to bad with probability {@code p} and from bad to good
 * with probability {@code r}. Its stationary distribution is {@code pi_bad = p / (p + r)}, so the long-run loss
 * rate is {@code (r * lossGood + p * lossBad) / (p + r)}; a stay in the bad state lasts {@code 1 / r} packets on
 * average, a stay in the good one {@code 1 / p}. Gilbert's original model is {@code lossGood = 0, lossBad = 1}: a
 * burst of losses is a stay in the bad state.
 * <p>
 * <b>Which packets the chain runs over.</b> A packet's fate must stay a function of its identity (connection,
 * direction, what it carries, which unit, which transmission), as the rest of the network model's is, so that two
 * strategies compared on one seed meet the same fate for every packet both send, and so that the simulator can ask
 * again whether an earlier transmission was lost. The chain therefore does not follow the order in which a run
 * happens to send: it runs over the units of one <i>flight</i>, the first transmissions of one connection,
 * direction and kind (segments, or ACKs and RSTs), in unit order: the SYN, the data segments, the FIN as they
 * first leave (a message's segments leave back to back), or the ACKs of them. A retransmission is a flight of its
 * own, one packet long: retransmissions of different units leave at different times (one per timeout, or as ACKs
 * come back), and a chain over them would tie together packets seconds apart. Each flight's chain starts in its
 * stationary distribution, so every packet, whatever its place, is lost with the stationary rate above, and
 * consecutive units of a first flight are lost together as a burst. What this leaves out: a burst does not carry
 * over from a segment to its retransmission (a retransmission leaves at least an RTO or a probe timeout later),
 * nor among retransmissions sent together, nor from data to the ACKs going the same way, nor from one connection
 * to another (a path's outage in time is {@code --event spike} or a delay trace).
 * <p>
 * Computing the state at unit {@code n} walks the chain's stays (geometric lengths, each a hash of the flight and
 * the stay's number), not its steps: O(1 + n / (1/p + 1/r)) hashes, and a flight has at most 64 units.
 * Immutable and thread-safe.
 */
public final class GilbertElliott
{
    private final double p;
    private final double r;
    private final double lossGood;
    private final double lossBad;
    private final double piBad;
    // log(1 - p) and log(1 - r), for drawing geometric stays by inversion; 0 when the stay is always one packet
    private final double logStayGood;
    private final double logStayBad;

    /**
     * @param p        the probability of moving from good to bad after a packet, in [0, 1].
     * @param r        the probability of moving from bad to good after a packet, in (0, 1]: 0 would be a bad
     *                 state with no way out.
     * @param lossGood the loss probability in the good state, in [0, 1].
     * @param lossBad  the loss probability in the bad state, in [0, 1].
     * @throws IllegalArgumentException naming the parameter, its value and the range expected.
     */
    public GilbertElliott(final double p, final double r, final double lossGood, final double lossBad)
    {
        probability("p", p);
        probability("r", r);
        probability("good", lossGood);
        probability("bad", lossBad);
        if (r == 0)
        {
            throw new IllegalArgumentException("r=0 leaves the bad state no way out: expected r above 0 and at most 1");
        }
        this.p = p;
        this.r = r;
        this.lossGood = lossGood;
        this.lossBad = lossBad;
        this.piBad = p / (p + r);
        this.logStayGood = p > 0 && p < 1 ? StrictMath.log1p(-p) : 0;
        this.logStayBad = r < 1 ? StrictMath.log1p(-r) : 0;
    }

    /**
     * Parses {@code p=P,r=R[,good=K][,bad=H]}: {@code good} defaults to 0 and {@code bad} to 1 (Gilbert's model).
     *
     * @param option the option it comes from, for messages.
     * @param spec   the parameters.
     * @return the chain.
     * @throws IllegalArgumentException naming the option and what is wrong.
     */
    public static GilbertElliott parse(final String option, final String spec)
    {
        double p = Double.NaN;
        double r = Double.NaN;
        double good = 0;
        double bad = 1;
        final String expected = "expected p=P,r=R[,good=K][,bad=H], probabilities such as p=0.01,r=0.3";
        for (final String pair : spec.split(","))
        {
            final int eq = pair.indexOf('=');
            if (eq < 1)
            {
                throw new IllegalArgumentException(option + " '" + spec + "': '" + pair + "' is not key=value; " +
                    expected);
            }
            final String key = pair.substring(0, eq).trim();
            final String text = pair.substring(eq + 1).trim();
            final double v;
            try
            {
                v = Double.parseDouble(text);
            }
            catch (final NumberFormatException e)
            {
                throw new IllegalArgumentException(option + " '" + spec + "': " + key + " '" + text +
                    "' is not a number");
            }
            switch (key)
            {
                case "p" -> p = v;
                case "r" -> r = v;
                case "good" -> good = v;
                case "bad" -> bad = v;
                default -> throw new IllegalArgumentException(option + " '" + spec + "': unknown key '" + key +
                    "'; " + expected);
            }
        }
        if (Double.isNaN(p) || Double.isNaN(r))
        {
            throw new IllegalArgumentException(option + " '" + spec + "': p= and r= are required; " + expected);
        }
        try
        {
            return new GilbertElliott(p, r, good, bad);
        }
        catch (final IllegalArgumentException e)
        {
            throw new IllegalArgumentException(option + " '" + spec + "': " + e.getMessage());
        }
    }

    private static void probability(final String name, final double v)
    {
        if (!(v >= 0 && v <= 1))
        {
            throw new IllegalArgumentException(name + "=" + v + " is not a probability: expected 0 to 1");
        }
    }

    /** @return the stationary probability of the bad state, {@code p / (p + r)}. */
    public double stationaryBad()
    {
        return piBad;
    }

    /** @return the long-run loss rate, {@code (1 - pi_bad) * lossGood + pi_bad * lossBad}. */
    public double stationaryLoss()
    {
        return (1 - piBad) * lossGood + piBad * lossBad;
    }

    /** @return the mean stay in the bad state, in packets: {@code 1 / r}. */
    public double meanBadStay()
    {
        return 1 / r;
    }

    /**
     * @param flight a hash naming the flight (seed, connection, direction, kind, transmission).
     * @param n      the packet's place in the flight, from 0.
     * @return whether the chain of that flight is in the bad state at packet {@code n}.
     */
    public boolean bad(final long flight, final int n)
    {
        // the first stay: the state from the stationary distribution; a stationary chain's remaining stay in a
        // state is geometric like any stay (the chain is memoryless), so stay 0 is drawn like the others
        boolean bad = unit(flight, 0) < piBad;
        long at = 0; // where the current stay starts
        for (int stay = 1; ; stay++)
        {
            final long length = stayLength(bad, unit(flight, stay));
            if (at + length > n)
            {
                return bad;
            }
            at += length;
            bad = !bad;
        }
    }

    /**
     * Fills {@code out} with the states of a flight's first {@code out.length} packets in one walk: what
     * {@link #bad} says of each, for a long sequence at O(length) cost.
     *
     * @param flight a hash naming the flight.
     * @param out    true where the chain is in the bad state.
     */
    void states(final long flight, final boolean[] out)
    {
        boolean bad = unit(flight, 0) < piBad;
        long at = 0;
        for (int stay = 1; at < out.length; stay++)
        {
            final long end = Math.min(out.length, at + stayLength(bad, unit(flight, stay)));
            for (long k = at; k < end; k++)
            {
                out[(int)k] = bad;
            }
            at = end;
            bad = !bad;
        }
    }

    /**
     * @param flight a hash naming the flight.
     * @param n      the packet's place in the flight.
     * @param draw   a uniform number in [0, 1) from the packet's identity, for the loss in the state.
     * @return whether the packet is lost.
     */
    public boolean lost(final long flight, final int n, final double draw)
    {
        final boolean bad = bad(flight, n);
        return draw < (bad ? lossBad : lossGood);
    }

    /** A geometric length on {1, 2, ...}: P(L = k) = (1 - q)^(k - 1) q, q the chance of leaving after a packet. */
    private long stayLength(final boolean bad, final double u)
    {
        final double q = bad ? r : p;
        if (q >= 1)
        {
            return 1;
        }
        if (q <= 0)
        {
            return Long.MAX_VALUE / 2; // never leaves: p = 0 keeps the good state (r = 0 is refused)
        }
        // inversion: L = 1 + floor(log(U') / log(1 - q)) with U' = 1 - u in (0, 1]
        final double x = Math.floor(StrictMath.log(1 - u) / (bad ? logStayBad : logStayGood));
        return 1 + (long)Math.min(x, 1e15);
    }

    private static double unit(final long flight, final int stay)
    {
        return (NetworkModel.mix(flight + 0x632BE59BD9B4E019L * (stay + 1L)) >>> 11) * 0x1.0p-53;
    }

    @Override
    public String toString()
    {
        return String.format(Locale.ROOT, "Gilbert-Elliott p=%s r=%s good=%s bad=%s (stationary loss %.4f, " +
            "mean burst %.2f packets)", p, r, lossGood, lossBad, stationaryLoss(), meanBadStay());
    }
}
