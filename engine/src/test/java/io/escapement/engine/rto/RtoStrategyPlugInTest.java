package io.escapement.engine.rto;

import io.escapement.engine.rto.plugin.TestPlugIns;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Supplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Strategies plugged in through {@link java.util.ServiceLoader}: each test writes a services file naming some of
 * {@link TestPlugIns}' providers into a directory of its own and runs with that directory's class loader as the
 * thread's context loader, as a jar on the class path would be seen.
 */
class RtoStrategyPlugInTest
{
    @TempDir
    Path dir;

    private <T> T withPlugIns(final List<Class<? extends RtoStrategyProvider>> providers, final Supplier<T> action)
        throws IOException
    {
        final Path services = dir.resolve("META-INF/services/" + RtoStrategyProvider.class.getName());
        Files.createDirectories(services.getParent());
        final StringBuilder lines = new StringBuilder("# a comment, as users write them\n");
        providers.forEach(type -> lines.append(type.getName()).append('\n'));
        Files.writeString(services, lines);
        final Thread thread = Thread.currentThread();
        final ClassLoader original = thread.getContextClassLoader();
        try (URLClassLoader loader = new URLClassLoader(new URL[]{dir.toUri().toURL()}, getClass().getClassLoader()))
        {
            thread.setContextClassLoader(loader);
            return action.get();
        }
        finally
        {
            thread.setContextClassLoader(original);
        }
    }

    private String errorWith(final List<Class<? extends RtoStrategyProvider>> providers, final String spec)
        throws IOException
    {
        return withPlugIns(providers,
            () -> assertThrows(IllegalArgumentException.class, () -> RtoStrategies.parse(spec)).getMessage());
    }

    @Test
    void shouldChooseAPlugInByNameWithItsParametersLikeABuiltInStrategy() throws IOException
    {
        final List<Class<? extends RtoStrategyProvider>> constant = List.of(TestPlugIns.Constant.class);
        final RtoStrategy strategy = withPlugIns(constant, () -> RtoStrategies.parse("constant:rto=250ms,mode=keep"));
        assertEquals("constant", strategy.name());
        final long[] state = new long[1];
        strategy.reset(state, 0);
        strategy.onTimeout(state, 0);
        assertEquals(250_000, strategy.rtoUs(state, 0), "rto=250ms and mode=keep both applied");

        final RtoStrategy defaults = withPlugIns(constant, () -> RtoStrategies.parse("constant"));
        defaults.reset(state, 0);
        defaults.onTimeout(state, 0);
        assertEquals(1_000_000, defaults.rtoUs(state, 0), "the provider's defaults: 500 ms, doubled");

        final List<String> names = List.copyOf(withPlugIns(constant, RtoStrategies::names));
        assertEquals(List.copyOf(RtoStrategies.builtInNames()), names.subList(0, names.size() - 1));
        assertEquals("constant", names.get(names.size() - 1), "plug-ins are listed after the built-in strategies");
        assertTrue(errorWith(constant, "cubic").contains("constant"), "an unknown name lists the plug-ins too");
    }

    @Test
    void shouldNotKnowAPlugInWhoseJarIsNotOnTheClassPath() throws IOException
    {
        final String message = errorWith(List.of(), "constant:rto=250ms");
        assertTrue(message.startsWith("unknown RTO strategy 'constant'"), message);
        assertEquals(RtoStrategies.builtInNames(), RtoStrategies.names());
    }

    @Test
    void shouldRefuseAPlugInsUnknownParameterOrBadValueNamingTheStrategyAndTheKey() throws IOException
    {
        final List<Class<? extends RtoStrategyProvider>> plugIns =
            List.of(TestPlugIns.Constant.class, TestPlugIns.Careless.class);
        assertEquals("strategy constant has no parameter 'rtt'; its parameters are: mode, rto",
            errorWith(plugIns, "constant:rtt=250ms"));
        assertEquals("strategy constant: parameter rto: duration 'fast' has no unit: write it as 200ms, 1s or 1500us",
            errorWith(plugIns, "constant:rto=fast"));
        assertEquals("strategy constant: parameter rto=120s is invalid, expected a duration from 1us to 60s",
            errorWith(plugIns, "constant:rto=120s"));
        assertEquals("strategy constant: parameter mode=halve is invalid, expected one of double, keep",
            errorWith(plugIns, "constant:mode=halve"));
        assertTrue(errorWith(plugIns, "constant:rto").contains("key=value"));
        // the careless provider never calls checkAllRead(): the registry refuses the unknown key for it
        assertEquals("strategy careless has no parameter 'min'; its parameters are: rto",
            errorWith(plugIns, "careless:min=1s"));
    }

    @Test
    void shouldRefuseAPlugInThatTakesABuiltInStrategysName() throws IOException
    {
        final String message = errorWith(List.of(TestPlugIns.Impostor.class), "linux");
        assertTrue(message.startsWith("RTO strategy plug-in " + TestPlugIns.Impostor.class.getName()), message);
        assertTrue(message.contains("takes the name 'rfc6298' of a built-in strategy"), message);
    }

    @Test
    void shouldRefuseTwoPlugInsOfOneName() throws IOException
    {
        final String message = errorWith(List.of(TestPlugIns.Constant.class, TestPlugIns.Twin.class), "constant");
        assertTrue(message.contains(TestPlugIns.Constant.class.getName()) &&
            message.contains(TestPlugIns.Twin.class.getName()) && message.contains("both take the name 'constant'"),
            message);
    }

    @Test
    void shouldRefuseAPlugInNameASpecificationCannotSpell() throws IOException
    {
        final String message = errorWith(List.of(TestPlugIns.Unspellable.class), "fixed");
        assertTrue(message.contains("is named 'my:rto', which a specification cannot spell"), message);
    }

    @Test
    void shouldRefuseAStrategyThatAnswersAnotherName() throws IOException
    {
        final String message = errorWith(List.of(TestPlugIns.Mislabelled.class), "mislabelled");
        assertTrue(message.contains("returned a strategy named 'something-else'"), message);
    }

    @Test
    void shouldExplainAServicesFileNamingAMissingClass() throws IOException
    {
        final Path services = dir.resolve("META-INF/services/" + RtoStrategyProvider.class.getName());
        Files.createDirectories(services.getParent());
        Files.writeString(services, "com.example.NoSuchProvider\n");
        final Thread thread = Thread.currentThread();
        final ClassLoader original = thread.getContextClassLoader();
        try (URLClassLoader loader = new URLClassLoader(new URL[]{dir.toUri().toURL()}, getClass().getClassLoader()))
        {
            thread.setContextClassLoader(loader);
            final String message =
                assertThrows(IllegalArgumentException.class, () -> RtoStrategies.parse("linux")).getMessage();
            assertTrue(message.startsWith("cannot load the RTO strategy plug-ins") &&
                message.contains("com.example.NoSuchProvider"), message);
        }
        finally
        {
            thread.setContextClassLoader(original);
        }
    }
}
