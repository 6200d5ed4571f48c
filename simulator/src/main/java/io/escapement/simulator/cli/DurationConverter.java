package io.escapement.simulator.cli;

import io.escapement.engine.rto.RtoParameters;
import picocli.CommandLine;

/** Reads a duration with its unit ({@code 200ms}, {@code 1s}, {@code 1500us}) as microseconds. */
final class DurationConverter implements CommandLine.ITypeConverter<Long>
{
    @Override
    public Long convert(final String value)
    {
        try
        {
            return RtoParameters.parseDurationUs(value);
        }
        catch (final IllegalArgumentException e)
        {
            throw new CommandLine.TypeConversionException(e.getMessage());
        }
    }
}
