package com.example.rto;

import io.escapement.engine.rto.RtoParameters;
import io.escapement.engine.rto.RtoStrategy;
import io.escapement.engine.rto.RtoStrategyProvider;

/**
 * Makes {@link MarginStrategy} available as {@code margin:add=100ms,gain=0.125,initial=1s,max=60s}, every
 * parameter optional. Registered in {@code META-INF/services/io.escapement.engine.rto.RtoStrategyProvider}.
 */
public final class MarginStrategyProvider implements RtoStrategyProvider
{
    /** The name the strategy is chosen by. */
    static final String NAME = "margin";

    @Override
    public String name()
    {
        return NAME;
    }

    @Override
    public RtoStrategy create(final RtoParameters parameters)
    {
        // each accessor checks its value and names the strategy and the key in its error; a key not read here is
        // refused by RtoStrategies
        final long addUs = parameters.durationUs("add", 100_000, 1, 1_000_000);
        final double gain = parameters.number("gain", 0.125, 0.001, 1);
        final long initialUs = parameters.durationUs("initial", 1_000_000, 1, 60_000_000);
        final long maxUs = parameters.durationUs("max", 60_000_000, 60_000_000, 86_400_000_000L);
        return new MarginStrategy(addUs, gain, initialUs, maxUs);
    }
}
