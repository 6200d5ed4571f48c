package io.escapement.simulator.compare;

import io.escapement.engine.rto.RtoStrategies;
import io.escapement.engine.rto.RtoStrategy;
import io.escapement.simulator.Scenario;
import io.escapement.simulator.net.NetworkModel;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every check passes on the simulator as it is and fails on one broken on purpose: a strategy that ignores its
 * minimum, one whose backoff quadruples, a timeline that takes samples from retransmissions (no Karn's rule).
 */
class ChecksTest
{
    private static final List<Long> SEEDS = List.of(1L, 2L, 3L, 4L, 5L);
    private static final NetworkModel PATH = NetworkModel.builder().loss(0.01).rttUs(100_000)
        .jitter(NetworkModel.Jitter.LOGNORMAL, 20_000).build();
    private static final NetworkModel LOSSY = NetworkModel.builder().loss(0.05).rttUs(100_000)
        .jitter(NetworkModel.Jitter.LOGNORMAL, 20_000).build();
    private static final long KARN_US = 120_000_000;
    private static final long STEP_US = 40_000_000;
    private static final NetworkModel STEP = NetworkModel.builder().loss(0).rttUs(100_000)
        .jitter(NetworkModel.Jitter.LOGNORMAL, 10_000).event("step:at=20s,rtt=500ms").build();

    /** RFC 6298 without its variance term (k = 0): an RTO of SRTT alone, as RFC 793's without its factor. */
    private static final Checks.Lab NO_VARIANCE = new Checks.Lab(spec ->
        RtoStrategies.parse(spec.startsWith("rfc6298") ? spec + (spec.contains(":") ? "," : ":") + "k=0" : spec),
        true);

    /** compare's workload, small. */
    private static final Checks.Traffic TRAFFIC = (specification, strategy, seed) -> Scenario.builder().seed(seed)
        .connections(2000).tailLossProbe(false).rto(specification).rtoStrategy(strategy).network(PATH).build();

    /** Drops a strategy's min= parameter: every strategy sits at its default minimum. */
    private static final Checks.Lab IGNORES_MINIMUM = new Checks.Lab(spec ->
        RtoStrategies.parse(spec.replaceAll("min=[^,]*,?", "").replaceAll("[:,]$", "")), true);

    /** A strategy whose every expiry backs off twice: the timeout quadruples. */
    private static final Checks.Lab QUADRUPLES = new Checks.Lab(spec -> new Wrapped(RtoStrategies.parse(spec))
    {
        @Override
        public void onTimeout(final long[] state, final int offset)
        {
            delegate.onTimeout(state, offset);
            delegate.onTimeout(state, offset);
        }
    }, true);

    /** The timeline without Karn's rule. */
    private static final Checks.Lab NO_KARN = new Checks.Lab(RtoStrategies::parse, false);

    @Test
    void shouldPassEveryCheckOnTheRealSimulator() throws InterruptedException
    {
        final List<Checks.Result> results = Checks.all(Checks.Lab.REAL, TRAFFIC, SEEDS, LOSSY, KARN_US, STEP,
            500_000, STEP_US);
        assertEquals(4, results.size());
        for (final Checks.Result r : results)
        {
            System.out.println(r.markdown(1));
            assertTrue(r.passed(), r.markdown(1));
        }
    }

    @Test
    void shouldFailTheMinimumCheckWhenTheStrategyIgnoresItsMinimum() throws InterruptedException
    {
        final Checks.Result r = Checks.minimumDominates(IGNORES_MINIMUM, TRAFFIC, SEEDS);
        System.out.println(r.markdown(1));
        assertFalse(r.passed(), r.markdown(1));
    }

    @Test
    void shouldFailTheKarnCheckWhenTheTimelineTakesSamplesFromRetransmissions()
    {
        final Checks.Result r = Checks.karn(NO_KARN, LOSSY, SEEDS, KARN_US);
        System.out.println(r.markdown(1));
        assertFalse(r.passed(), r.markdown(1));
    }

    @Test
    void shouldFailTheBackoffCheckWhenTheTimeoutQuadruples()
    {
        final Checks.Result r = Checks.backoff(QUADRUPLES);
        System.out.println(r.markdown(1));
        assertFalse(r.passed(), r.markdown(1));
    }

    @Test
    void shouldFailTheRttStepCheckWhenRfc6298LosesItsVarianceTerm()
    {
        final Checks.Result r = Checks.rttStep(NO_VARIANCE, STEP, STEP_US / 2, 500_000, SEEDS, STEP_US);
        System.out.println(r.markdown(1));
        assertFalse(r.passed(), r.markdown(1));
    }

    @Test
    void shouldFailTheMinimumCheckWithOneSeed() throws InterruptedException
    {
        assertFalse(Checks.minimumDominates(Checks.Lab.REAL, TRAFFIC, List.of(1L)).passed(),
            "one seed gives no interval, and a check without one is not passed");
    }

    /** A strategy that does what another does, for a test to override one method and break it. */
    private static class Wrapped implements RtoStrategy
    {
        final RtoStrategy delegate;

        Wrapped(final RtoStrategy delegate)
        {
            this.delegate = delegate;
        }

        @Override
        public String name()
        {
            return delegate.name();
        }

        @Override
        public int stateWords()
        {
            return delegate.stateWords();
        }

        @Override
        public void reset(final long[] state, final int offset)
        {
            delegate.reset(state, offset);
        }

        @Override
        public void onRttSample(final long[] state, final int offset, final long rttUs, final long ackDelayUs,
            final long sndUna, final long sndNxt)
        {
            delegate.onRttSample(state, offset, rttUs, ackDelayUs, sndUna, sndNxt);
        }

        @Override
        public boolean unambiguousSamples()
        {
            return delegate.unambiguousSamples();
        }

        @Override
        public void onAckWithoutSample(final long[] state, final int offset)
        {
            delegate.onAckWithoutSample(state, offset);
        }

        @Override
        public void onTimeout(final long[] state, final int offset)
        {
            delegate.onTimeout(state, offset);
        }

        @Override
        public void onSpuriousTimeout(final long[] state, final int offset, final long rttUs)
        {
            delegate.onSpuriousTimeout(state, offset, rttUs);
        }

        @Override
        public long rtoUs(final long[] state, final int offset)
        {
            return delegate.rtoUs(state, offset);
        }

        @Override
        public long srttUs(final long[] state, final int offset)
        {
            return delegate.srttUs(state, offset);
        }

        @Override
        public long rttvarUs(final long[] state, final int offset)
        {
            return delegate.rttvarUs(state, offset);
        }

        @Override
        public int backoffCount(final long[] state, final int offset)
        {
            return delegate.backoffCount(state, offset);
        }

        @Override
        public long minRtoUs()
        {
            return delegate.minRtoUs();
        }

        @Override
        public long maxRtoUs()
        {
            return delegate.maxRtoUs();
        }
    }
}
