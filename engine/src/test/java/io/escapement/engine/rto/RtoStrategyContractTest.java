package io.escapement.engine.rto;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

import java.util.Arrays;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The contract every registered strategy keeps, checked on random sequences of samples (zero, huge, negative,
 * jittery), timeouts, spurious-timeout reports and ACKs without a sample: the timeout stays within [min, max]; an expiry never shortens
 * it, and doubles it until the maximum; a valid sample ends the backoff; nothing outside the strategy's state slice
 * is written; and the same inputs give the same outputs.
 */
class RtoStrategyContractTest
{
    @Provide
    Arbitrary<String> strategies()
    {
        final java.util.List<String> specifications = new java.util.ArrayList<>(RtoStrategies.names());
        specifications.add("rfc6298:min=0"); // G alone bounds the RTO from below
        return Arbitraries.of(specifications.toArray(new String[0]));
    }

    @Property(tries = 300)
    void timeoutStaysWithinBoundsBacksOffAndRecovers(@ForAll("strategies") final String name, @ForAll final long seed)
    {
        final RtoStrategy strategy = RtoStrategies.parse(name);
        assertTrue(strategy.stateWords() >= 1 && strategy.stateWords() <= RtoStrategy.MAX_STATE_WORDS);
        final int offset = 3;
        final long[] state = new long[offset + strategy.stateWords() + 3];
        Arrays.fill(state, 0x5EED);
        strategy.reset(state, offset);
        final Random random = new Random(seed);
        long sndNxt = random.nextInt();
        for (int step = 0; step < 400; step++)
        {
            final long before = strategy.rtoUs(state, offset);
            assertTrue(before >= strategy.minRtoUs() && before <= strategy.maxRtoUs(),
                strategy + ": rto " + before + " outside [min, max]");
            final int op = random.nextInt(11);
            if (op < 6)
            {
                final long rtt = switch (random.nextInt(6))
                {
                    case 0 -> 0;
                    case 1 -> Long.MAX_VALUE;
                    case 2 -> -random.nextInt(1_000_000);
                    default -> random.nextInt(2_000_000);
                };
                sndNxt += 1 + random.nextInt(100_000);
                strategy.onRttSample(state, offset, rtt, random.nextInt(50_000), sndNxt - random.nextInt(1_000),
                    sndNxt);
                assertEquals(0, strategy.backoffCount(state, offset), strategy + ": a valid sample ends the backoff");
            }
            else if (op < 9)
            {
                strategy.onTimeout(state, offset);
                final long after = strategy.rtoUs(state, offset);
                assertTrue(after >= before, strategy + ": an expiry shortened the timeout");
                // doubling, give or take the rounding up to a whole microsecond (QUIC doubles the exact PTO)
                assertTrue(after == strategy.maxRtoUs() || after >= Math.min(2 * before - 1, strategy.maxRtoUs()) ||
                    strategy.toString().contains("backoff=0"), strategy + ": backoff did not double: " + before +
                    " -> " + after);
            }
            else if (op < 10)
            {
                strategy.onSpuriousTimeout(state, offset, random.nextInt(3_000_000));
            }
            else
            {
                // an ACK of new data without a sample keeps the backoff (TCP) or ends it (QUIC): never a longer RTO
                final int backoff = strategy.backoffCount(state, offset);
                strategy.onAckWithoutSample(state, offset);
                assertTrue(strategy.rtoUs(state, offset) <= before, strategy + ": an ACK lengthened the timeout");
                assertTrue(strategy.backoffCount(state, offset) == backoff || strategy.backoffCount(state, offset) == 0,
                    strategy + ": an ACK changed the backoff other than ending it");
            }
            for (int i = 0; i < offset; i++)
            {
                assertEquals(0x5EED, state[i], strategy + " wrote before its slice");
            }
            for (int i = offset + strategy.stateWords(); i < state.length; i++)
            {
                assertEquals(0x5EED, state[i], strategy + " wrote after its slice");
            }
        }
    }
}
