package io.escapement.engine.rto;

import java.security.CodeSource;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * Chooses an {@link RtoStrategy} by its stable name and parameters, written as one specification string:
 * {@code name} or {@code name:key=value,key=value}, for example {@code rfc6298:min=200ms} or {@code linux:hz=250}.
 * Durations take a unit ({@code us}, {@code ms}, {@code s}). An unknown name, an unknown parameter or a value out
 * of range is an {@link IllegalArgumentException} whose message lists what is valid.
 * <p>
 * Besides the built-in strategies, every {@link RtoStrategyProvider} registered with {@link ServiceLoader} (a
 * {@code META-INF/services/io.escapement.engine.rto.RtoStrategyProvider} file in a jar on the class path) is chosen
 * by its name in the same way. The providers are looked up through the calling thread's context class loader and
 * kept for as long as that loader stays the same. A provider that takes a built-in strategy's name or another
 * provider's, or a name a specification cannot spell, makes every call fail with a message naming it: a strategy
 * silently shadowed would make a comparison report on the wrong code.
 * <p>
 * Thread-safe. Meant for setting up, not for a hot path: a call may read the class path.
 */
public final class RtoStrategies
{
    private static final Map<String, Function<RtoParameters, RtoStrategy>> FACTORIES;
    /** What a specification can spell as a name: no colon, comma, equals sign, semicolon or space. */
    private static final Pattern NAME = Pattern.compile("[A-Za-z][A-Za-z0-9_.-]*");

    /** The providers found through one class loader; replaced when a caller's context loader differs. */
    private static volatile Plugins plugins;

    static
    {
        final Map<String, Function<RtoParameters, RtoStrategy>> factories = new LinkedHashMap<>();
        factories.put(Rfc6298Strategy.NAME, Rfc6298Strategy::fromParameters);
        factories.put(LinuxStrategy.NAME, LinuxStrategy::fromParameters);
        factories.put(Rfc793Strategy.NAME, Rfc793Strategy::fromParameters);
        factories.put(FixedStrategy.NAME, FixedStrategy::fromParameters);
        factories.put(QuicStrategy.NAME, QuicStrategy::fromParameters);
        factories.put(EifelStrategy.NAME, EifelStrategy::fromParameters);
        FACTORIES = Collections.unmodifiableMap(factories);
    }

    private RtoStrategies()
    {
    }

    /** @return the names of the strategies this library builds in, in a stable order. */
    public static Set<String> builtInNames()
    {
        return FACTORIES.keySet();
    }

    /**
     * @return the names strategies are chosen by: the built-in ones in a stable order, then those of the plug-ins
     * on the class path ({@link RtoStrategyProvider}), sorted.
     * @throws IllegalArgumentException if a plug-in cannot be loaded or its name is taken or unusable.
     */
    public static Set<String> names()
    {
        final Map<String, RtoStrategyProvider> providers = plugins();
        if (providers.isEmpty())
        {
            return FACTORIES.keySet();
        }
        final Set<String> names = new LinkedHashSet<>(FACTORIES.keySet());
        names.addAll(providers.keySet());
        return Collections.unmodifiableSet(names);
    }

    /**
     * @param specification {@code name} or {@code name:key=value,...}.
     * @return the strategy it names, built-in or plug-in, with its parameters applied.
     * @throws IllegalArgumentException if the name is unknown (the message lists the known ones), a parameter is
     *                                  unknown to the strategy (the message lists its parameters), malformed, or
     *                                  out of range, or a plug-in is broken (the message names it).
     */
    public static RtoStrategy parse(final String specification)
    {
        final Map<String, RtoStrategyProvider> providers = plugins(); // first: a broken plug-in fails every call
        if (specification == null || specification.isBlank())
        {
            throw new IllegalArgumentException("no RTO strategy given; known strategies: " + String.join(", ", names()));
        }
        final String spec = specification.trim();
        final int colon = spec.indexOf(':');
        final String name = colon < 0 ? spec : spec.substring(0, colon);
        final Function<RtoParameters, RtoStrategy> factory = FACTORIES.get(name);
        final RtoStrategyProvider provider = factory == null ? providers.get(name) : null;
        if (factory == null && provider == null)
        {
            throw new IllegalArgumentException("unknown RTO strategy '" + name + "'; known strategies: " +
                String.join(", ", names()));
        }
        final RtoParameters parameters = new RtoParameters(name, values(name, spec, colon));
        return factory != null ? factory.apply(parameters) : create(provider, parameters);
    }

    private static Map<String, String> values(final String name, final String spec, final int colon)
    {
        final Map<String, String> values = new LinkedHashMap<>();
        if (colon >= 0)
        {
            for (final String pair : spec.substring(colon + 1).split(",", -1)) // -1: keep a trailing empty one
            {
                final int eq = pair.indexOf('=');
                if (eq <= 0 || eq == pair.length() - 1)
                {
                    throw new IllegalArgumentException("strategy " + name + ": parameter '" + pair +
                        "' is not written key=value (in '" + spec + "')");
                }
                final String key = pair.substring(0, eq).trim();
                if (values.put(key, pair.substring(eq + 1).trim()) != null)
                {
                    throw new IllegalArgumentException("strategy " + name + ": parameter " + key + " is given twice");
                }
            }
        }
        return values;
    }

    /** Builds a plug-in's strategy and holds it to what the built-in ones guarantee. */
    private static RtoStrategy create(final RtoStrategyProvider provider, final RtoParameters parameters)
    {
        final String name = parameters.strategy();
        final RtoStrategy strategy;
        try
        {
            strategy = provider.create(parameters);
        }
        catch (final IllegalArgumentException e)
        {
            throw e; // the provider's own message, naming the parameter
        }
        catch (final RuntimeException | LinkageError e)
        {
            throw new IllegalArgumentException("strategy " + name + ": its plug-in " + describe(provider) +
                " failed: " + e, e);
        }
        parameters.checkAllRead(); // even if the provider forgot to: a misspelt key is never ignored
        if (strategy == null)
        {
            throw new IllegalArgumentException("strategy " + name + ": its plug-in " + describe(provider) +
                " returned no strategy");
        }
        if (!name.equals(strategy.name()))
        {
            throw new IllegalArgumentException("strategy " + name + ": its plug-in " + describe(provider) +
                " returned a strategy named '" + strategy.name() + "'; RtoStrategy.name() must answer '" + name + "'");
        }
        final int words = strategy.stateWords();
        if (words < 1 || words > RtoStrategy.MAX_STATE_WORDS)
        {
            throw new IllegalArgumentException("strategy " + name + ": stateWords()=" + words + " must be 1 to " +
                RtoStrategy.MAX_STATE_WORDS);
        }
        if (strategy.minRtoUs() < 1 || strategy.maxRtoUs() < strategy.minRtoUs())
        {
            throw new IllegalArgumentException("strategy " + name + ": minRtoUs()=" + strategy.minRtoUs() +
                " and maxRtoUs()=" + strategy.maxRtoUs() + " must satisfy 1 <= minRtoUs() <= maxRtoUs()");
        }
        return strategy;
    }

    /** @return the valid providers visible to the calling thread's context class loader, by name. */
    private static Map<String, RtoStrategyProvider> plugins()
    {
        final ClassLoader loader = Thread.currentThread().getContextClassLoader();
        final Plugins cached = plugins;
        if (cached != null && cached.loader == loader)
        {
            return cached.byName;
        }
        // racing threads may both load; each gets an equal map, and the last one written is kept
        final Plugins loaded = new Plugins(loader, load(loader));
        plugins = loaded;
        return loaded.byName;
    }

    private static Map<String, RtoStrategyProvider> load(final ClassLoader loader)
    {
        final Map<String, RtoStrategyProvider> byName = new TreeMap<>();
        try
        {
            for (final RtoStrategyProvider provider : ServiceLoader.load(RtoStrategyProvider.class, loader))
            {
                final String name = provider.name();
                if (name == null || !NAME.matcher(name).matches())
                {
                    throw new IllegalArgumentException("RTO strategy plug-in " + describe(provider) + " is named '" +
                        name + "', which a specification cannot spell: a letter, then letters, digits, '-', '_' or '.'");
                }
                if (FACTORIES.containsKey(name))
                {
                    throw new IllegalArgumentException("RTO strategy plug-in " + describe(provider) + " takes the " +
                        "name '" + name + "' of a built-in strategy; give it a name of its own (built-in: " +
                        String.join(", ", FACTORIES.keySet()) + ")");
                }
                final RtoStrategyProvider other = byName.put(name, provider);
                if (other != null)
                {
                    throw new IllegalArgumentException("RTO strategy plug-ins " + describe(other) + " and " +
                        describe(provider) + " both take the name '" + name + "'");
                }
            }
        }
        catch (final ServiceConfigurationError e)
        {
            throw new IllegalArgumentException("cannot load the RTO strategy plug-ins: " + e.getMessage(), e);
        }
        return Collections.unmodifiableMap(byName);
    }

    /** @return the provider's class, and the jar or directory it came from where known. */
    private static String describe(final RtoStrategyProvider provider)
    {
        final Class<?> type = provider.getClass();
        final CodeSource source = type.getProtectionDomain().getCodeSource();
        return type.getName() + (source == null || source.getLocation() == null ? "" : " (" + source.getLocation() + ")");
    }

    /** The providers one class loader sees; immutable. */
    private static final class Plugins
    {
        final ClassLoader loader;
        final Map<String, RtoStrategyProvider> byName;

        Plugins(final ClassLoader loader, final Map<String, RtoStrategyProvider> byName)
        {
            this.loader = loader;
            this.byName = byName;
        }
    }
}
