package io.escapement.engine.rto.plugin;

import io.escapement.engine.rto.RtoParameters;
import io.escapement.engine.rto.RtoStrategy;
import io.escapement.engine.rto.RtoStrategyProvider;

/**
 * Plug-in strategies for {@code RtoStrategyPlugInTest}, outside the engine's package so that they use only the
 * public API, as a user's jar does. Each is registered by the test in a services file of its own.
 */
public final class TestPlugIns
{
    private TestPlugIns()
    {
    }

    /** {@code constant:rto=...,mode=double|keep}: a constant timeout, doubled per expiry or not. */
    public static final class Constant implements RtoStrategyProvider
    {
        @Override
        public String name()
        {
            return "constant";
        }

        @Override
        public RtoStrategy create(final RtoParameters parameters)
        {
            final long rtoUs = parameters.durationUs("rto", 500_000, 1, 60_000_000);
            final boolean doubling = parameters.text("mode", "double", "double", "keep").equals("double");
            return new ConstantStrategy("constant", rtoUs, doubling);
        }
    }

    /** Forgets to refuse unknown parameters: the registry must do it for it. */
    public static final class Careless implements RtoStrategyProvider
    {
        @Override
        public String name()
        {
            return "careless";
        }

        @Override
        public RtoStrategy create(final RtoParameters parameters)
        {
            return new ConstantStrategy("careless", parameters.durationUs("rto", 500_000, 1, 60_000_000), true);
        }
    }

    /** Takes a built-in strategy's name. */
    public static final class Impostor implements RtoStrategyProvider
    {
        @Override
        public String name()
        {
            return "rfc6298";
        }

        @Override
        public RtoStrategy create(final RtoParameters parameters)
        {
            return new ConstantStrategy("rfc6298", 1, true);
        }
    }

    /** Takes the name {@link Constant} has. */
    public static final class Twin implements RtoStrategyProvider
    {
        @Override
        public String name()
        {
            return "constant";
        }

        @Override
        public RtoStrategy create(final RtoParameters parameters)
        {
            return new ConstantStrategy("constant", 1, true);
        }
    }

    /** A name no specification can spell. */
    public static final class Unspellable implements RtoStrategyProvider
    {
        @Override
        public String name()
        {
            return "my:rto";
        }

        @Override
        public RtoStrategy create(final RtoParameters parameters)
        {
            return new ConstantStrategy("my:rto", 1, true);
        }
    }

    /** Returns a strategy that answers another name. */
    public static final class Mislabelled implements RtoStrategyProvider
    {
        @Override
        public String name()
        {
            return "mislabelled";
        }

        @Override
        public RtoStrategy create(final RtoParameters parameters)
        {
            return new ConstantStrategy("something-else", 1, true);
        }
    }

    /** The strategy: a constant, optionally doubled per expiry up to 60 s; one word of state, the backoff count. */
    static final class ConstantStrategy implements RtoStrategy
    {
        private final String name;
        private final long rtoUs;
        private final boolean doubling;

        ConstantStrategy(final String name, final long rtoUs, final boolean doubling)
        {
            this.name = name;
            this.rtoUs = rtoUs;
            this.doubling = doubling;
        }

        @Override
        public String name()
        {
            return name;
        }

        @Override
        public int stateWords()
        {
            return 1;
        }

        @Override
        public void reset(final long[] state, final int offset)
        {
            state[offset] = 0;
        }

        @Override
        public void onRttSample(final long[] state, final int offset, final long rttUs, final long ackDelayUs,
            final long sndUna, final long sndNxt)
        {
            state[offset] = 0;
        }

        @Override
        public void onTimeout(final long[] state, final int offset)
        {
            state[offset] = Math.min(state[offset] + 1, 30);
        }

        @Override
        public long rtoUs(final long[] state, final int offset)
        {
            return doubling ? Math.min(60_000_000, rtoUs << state[offset]) : rtoUs;
        }

        @Override
        public long srttUs(final long[] state, final int offset)
        {
            return -1;
        }

        @Override
        public long rttvarUs(final long[] state, final int offset)
        {
            return -1;
        }

        @Override
        public int backoffCount(final long[] state, final int offset)
        {
            return (int)state[offset];
        }

        @Override
        public long minRtoUs()
        {
            return rtoUs;
        }

        @Override
        public long maxRtoUs()
        {
            return doubling ? 60_000_000 : rtoUs;
        }
    }
}
