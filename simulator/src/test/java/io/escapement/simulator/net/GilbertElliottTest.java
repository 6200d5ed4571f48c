package io.escapement.simulator.net;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The bursty-loss chain against the analytic properties of a two-state Markov chain (Gilbert 1960, Elliott 1963),
 * not against its own code: the stationary share of the bad state {@code p / (p + r)}, the one-step transition
 * probabilities {@code p} and {@code r}, the mean stay {@code 1 / r} in the bad state, and the long-run loss rate
 * through the network model. Every tolerance is five standard deviations of the estimate for the sample drawn.
 */
class GilbertElliottTest
{
    private static long flight(final int k)
    {
        return NetworkModel.mix(0xF1167L + k);
    }

    @ParameterizedTest
    @CsvSource({"0.01, 0.3", "0.05, 0.5", "0.2, 0.2", "0.5, 0.9", "0.001, 1.0"})
    void shouldSpendTheStationaryShareInTheBadStateWhenManyFlightsAreSent(final double p, final double r)
    {
        final GilbertElliott chain = new GilbertElliott(p, r, 0, 1);
        final int flights = 20_000;
        final int length = 64;
        long bad = 0;
        for (int k = 0; k < flights; k++)
        {
            for (int n = 0; n < length; n++)
            {
                bad += chain.bad(flight(k), n) ? 1 : 0;
            }
        }
        final double pi = p / (p + r);
        assertEquals(pi, chain.stationaryBad(), 1e-12);
        // the variance of a stationary chain's mean over a flight of N is about pi(1-pi)/N (1+l)/(1-l), l = 1-p-r
        final double lambda = 1 - p - r;
        final double sd = Math.sqrt(pi * (1 - pi) / ((double)flights * length) * (1 + lambda) / (1 - lambda));
        assertEquals(pi, (double)bad / ((double)flights * length), 5 * sd + 1e-9,
            "share of the bad state for p=" + p + ", r=" + r);
    }

    @ParameterizedTest
    @CsvSource({"0.01, 0.3", "0.1, 0.5", "0.3, 0.3", "0.7, 0.9"})
    void shouldLeaveEachStateWithItsTransitionProbability(final double p, final double r)
    {
        final GilbertElliott chain = new GilbertElliott(p, r, 0, 1);
        long fromGood = 0;
        long goodToBad = 0;
        long fromBad = 0;
        long badToGood = 0;
        for (int k = 0; k < 20_000; k++)
        {
            boolean previous = chain.bad(flight(k), 0);
            for (int n = 1; n < 64; n++)
            {
                final boolean now = chain.bad(flight(k), n);
                if (previous)
                {
                    fromBad++;
                    badToGood += now ? 0 : 1;
                }
                else
                {
                    fromGood++;
                    goodToBad += now ? 1 : 0;
                }
                previous = now;
            }
        }
        assertEquals(p, (double)goodToBad / fromGood, 5 * Math.sqrt(p * (1 - p) / fromGood), "good to bad");
        assertEquals(r, (double)badToGood / fromBad, 5 * Math.sqrt(r * (1 - r) / fromBad), "bad to good");
    }

    @ParameterizedTest
    @CsvSource({"0.02, 0.25", "0.1, 0.5", "0.05, 0.1"})
    void shouldStayOneOverRPacketsInTheBadStateOnAverage(final double p, final double r)
    {
        final GilbertElliott chain = new GilbertElliott(p, r, 0, 1);
        long runs = 0;
        long packets = 0;
        final boolean[] states = new boolean[4_000];
        for (int k = 0; k < 400; k++)
        {
            // complete stays only: one that starts at 0 or runs past the window is cut short
            chain.states(flight(k), states);
            int start = -1;
            boolean previous = states[0];
            for (int n = 1; n < states.length; n++)
            {
                final boolean now = states[n];
                if (now && !previous)
                {
                    start = n;
                }
                else if (!now && previous && start >= 0)
                {
                    runs++;
                    packets += n - start;
                }
                previous = now;
            }
        }
        // a stay is geometric on {1, 2, ...} with mean 1/r and variance (1 - r)/r^2
        final double sd = Math.sqrt((1 - r) / (r * r) / runs);
        assertTrue(runs > 1_000, "enough bursts to measure: " + runs);
        assertEquals(1 / r, (double)packets / runs, 5 * sd, "mean burst for p=" + p + ", r=" + r);
        assertEquals(1 / r, chain.meanBadStay(), 1e-12);
    }

    @Test
    void shouldWalkAWholeFlightToTheSameStatesAsAskingForEachPacket()
    {
        final GilbertElliott chain = new GilbertElliott(0.2, 0.4, 0, 1);
        final boolean[] states = new boolean[64];
        for (int k = 0; k < 1_000; k++)
        {
            chain.states(flight(k), states);
            for (int n = 0; n < states.length; n++)
            {
                assertEquals(states[n], chain.bad(flight(k), n), "flight " + k + ", packet " + n);
            }
        }
    }

    @ParameterizedTest
    @CsvSource({"0, true", "1, false", "3, false"})
    void shouldLoseAtTheStationaryRateInBurstsOverFirstTransmissionsOnly(final int transmission,
        final boolean bursty)
    {
        // Elliott's form: some loss in the good state, not all in the bad one
        final double p = 0.05;
        final double r = 0.25;
        final double good = 0.01;
        final double bad = 0.6;
        final GilbertElliott chain = new GilbertElliott(p, r, good, bad);
        final NetworkModel network = NetworkModel.builder().loss(0).burstLoss(chain, chain).build();
        final int connections = 20_000;
        final int units = 40;
        long lost = 0;
        long pairs = 0;
        long bothLost = 0;
        for (int c = 0; c < connections; c++)
        {
            boolean previous = false;
            for (int u = 0; u < units; u++)
            {
                final int packetClass = c % 3 == 0 ? NetworkModel.PURE_ACK : NetworkModel.SEGMENT;
                final boolean l = network.lost(7, c, (c & 1) == 0, packetClass, u, transmission, 1);
                lost += l ? 1 : 0;
                if (u > 0 && previous)
                {
                    pairs++;
                    bothLost += l ? 1 : 0;
                }
                previous = l;
            }
        }
        final double pi = p / (p + r);
        final double rate = (1 - pi) * good + pi * bad;
        assertEquals(rate, chain.stationaryLoss(), 1e-12);
        final double n = (double)connections * units;
        // loss indicators are correlated through the state; (1+l)/(1-l) bounds the variance's inflation
        final double lambda = 1 - p - r;
        final double sd = Math.sqrt(rate * (1 - rate) / n * (1 + lambda) / (1 - lambda));
        assertEquals(rate, lost / n, 5 * sd, "long-run loss rate of transmission " + transmission);
        // P(loss at n+1 | loss at n): the state after a loss is bad with P(bad | loss) = pi*bad / rate, then moves;
        // retransmissions are flights of their own, lost at the stationary rate whatever the unit before
        final double badAfterLoss = pi * bad / rate;
        final double badNext = badAfterLoss * (1 - r) + (1 - badAfterLoss) * p;
        final double expected = bursty ? badNext * bad + (1 - badNext) * good : rate;
        assertEquals(expected, (double)bothLost / pairs, 5 * Math.sqrt(expected * (1 - expected) / pairs),
            "a loss follows a loss as the chain says");
        assertEquals(bursty, expected > 3 * rate, "bursty: far above the independent rate");
    }

    @Test
    void shouldLoseARetransmissionAtTheStationaryRateWhateverBefellTheOriginal()
    {
        final GilbertElliott chain = new GilbertElliott(0.05, 0.25, 0, 1);
        final NetworkModel network = NetworkModel.builder().loss(0).burstLoss(chain, chain).build();
        long originalsLost = 0;
        long bothLost = 0;
        for (int c = 0; c < 100_000; c++)
        {
            if (network.lost(3, c, true, NetworkModel.SEGMENT, 2, 0, 1))
            {
                originalsLost++;
                bothLost += network.lost(3, c, true, NetworkModel.SEGMENT, 2, 1, 1) ? 1 : 0;
            }
        }
        final double rate = chain.stationaryLoss();
        assertEquals(rate, (double)bothLost / originalsLost, 5 * Math.sqrt(rate * (1 - rate) / originalsLost));
    }

    @Test
    void shouldGiveEachPacketIdentityOneFateWhateverIsAskedBefore()
    {
        // losses in both states, so that the packet's own draw matters as well as the chain's state
        final GilbertElliott chain = new GilbertElliott(0.1, 0.3, 0.3, 0.7);
        final NetworkModel network = NetworkModel.builder().loss(0).burstLoss(chain, chain).build();
        final boolean[] forward = new boolean[64];
        for (int u = 0; u < 64; u++)
        {
            forward[u] = network.lost(3, 11, true, NetworkModel.SEGMENT, u, 1, 2);
        }
        for (int u = 63; u >= 0; u--) // asked in another order, with another ACK: the same fates
        {
            assertEquals(forward[u], network.lost(3, 11, true, NetworkModel.SEGMENT, u, 1, 5), "unit " + u);
        }
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "p=0.1,r=0          | r=0 leaves the bad state no way out",
        "p=1.5,r=0.3        | p=1.5 is not a probability",
        "p=0.1,r=0.3,bad=-1 | bad=-1.0 is not a probability",
        "p=0.1,r=0.3,good=2 | good=2.0 is not a probability",
        "p=0.1              | p= and r= are required",
        "p=x,r=0.3          | p 'x' is not a number",
        "p=0.1,r=0.3,s=1    | unknown key 's'",
        "p=0.1,r            | 'r' is not key=value",
    })
    void shouldRefuseABadChainNamingTheOption(final String spec, final String message)
    {
        final IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
            () -> GilbertElliott.parse("--burst-loss", spec));
        assertTrue(e.getMessage().startsWith("--burst-loss '" + spec + "'"), e.getMessage());
        assertTrue(e.getMessage().contains(message), e.getMessage());
    }
}
