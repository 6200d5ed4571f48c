package io.escapement.sweep;

import io.escapement.engine.rto.RtoParameters;
import io.escapement.engine.rto.RtoStrategies;
import io.escapement.engine.rto.RtoStrategy;
import io.escapement.engine.rto.RtoStrategyProvider;

/**
 * A plug-in strategy for {@link CompareBridgeTest}: packed into a jar of its own there, never in the class path's
 * services.
 */
public final class PlugInStrategyFixture implements RtoStrategyProvider
{
    /** The name it is chosen by. */
    public static final String NAME = "sweeptestplugin";

    @Override
    public String name()
    {
        return NAME;
    }

    @Override
    public RtoStrategy create(final RtoParameters parameters)
    {
        return RtoStrategies.parse("fixed");
    }
}
