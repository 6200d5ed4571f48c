package io.escapement.engine.rto;

/**
 * A user's own {@link RtoStrategy}, plugged in by name through {@link java.util.ServiceLoader}: a jar on the class
 * path with an implementation of this interface, named in its
 * {@code META-INF/services/io.escapement.engine.rto.RtoStrategyProvider} file, makes
 * {@link RtoStrategies#parse} (and so the simulator's {@code --rto} and {@code compare --strategies}) accept
 * {@code name} and {@code name:key=value,...} exactly as for the built-in strategies.
 * <p>
 * The provider reads its parameters through the {@link RtoParameters} it is given, whose accessors check the
 * values and name the strategy and the parameter in every error; {@link RtoStrategies#parse} then refuses any
 * parameter the provider did not read, so a misspelt key is an error, not a silent default. A name already taken
 * by a built-in strategy or by another provider is refused, as is one that a specification cannot spell (see
 * {@link #name()}).
 * <p>
 * A provider needs a public no-argument constructor (the {@code ServiceLoader} rule). {@link #create} may be called
 * from several threads at once (the simulator's {@code compare} runs in parallel), and the strategies it returns
 * follow {@link RtoStrategy}'s contract: immutable, per-connection state in the caller's {@code long[]}, nothing
 * allocated per call. docs/rto-strategies.md shows a complete example.
 */
public interface RtoStrategyProvider
{
    /**
     * The name the strategy is chosen by, such as {@code halving}: a letter, then letters, digits, {@code -},
     * {@code _} or {@code .}, and different from every built-in strategy's ({@link RtoStrategies#builtInNames()}).
     * The strategies {@link #create} returns answer the same from {@link RtoStrategy#name()}.
     *
     * @return the strategy's name.
     */
    String name();

    /**
     * Builds the strategy from its parameters, the {@code key=value} pairs after the name's colon.
     *
     * @param parameters the parameters, read with {@link RtoParameters#durationUs}, {@link RtoParameters#number},
     *                   {@link RtoParameters#integer} or {@link RtoParameters#text}, each with its default.
     * @return the strategy, not null.
     * @throws IllegalArgumentException for a value the strategy cannot take, naming the parameter (the accessors
     *                                  of {@code parameters} do so already).
     */
    RtoStrategy create(RtoParameters parameters);
}
