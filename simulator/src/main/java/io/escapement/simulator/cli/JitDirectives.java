package io.escapement.simulator.cli;

import java.io.InputStream;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.management.ObjectName;

/**
 * Keeps the JIT's compile units small in the command line's own JVM: HotSpot compiler directives
 * ({@code jit-directives.json} beside this class) that forbid inlining the engine's and the simulator's methods of
 * 101 to 325 bytes of bytecode (C2 inlines a hot callee up to 325 bytes, {@code FreqInlineSize}).
 * <p>
 * <b>Why.</b> On a 2-core machine the default run's first seconds are the JIT's: C2 inlined whole trees of those
 * methods into a few giant units ({@code TcpShard.handle}, {@code Sender.onAck}, {@code Transitions.onPacket},
 * {@code Receiver.onSegment}: 6 to 9 KB of bytecode each, 0.5 to 1.8 s of compile time each, some compiled two or
 * three times), so the one C2 thread's queue stayed long and the hottest methods ran C1's profiled code until 5 to
 * 10 s into an 18 s run. Without those inlinings the units are smaller and compile sooner (C2's register allocation
 * grows faster than the unit), at a few calls more per event once compiled (session 13's figures: results/).
 * The simulation's results cannot change: inlining is not visible to Java's semantics.
 * <p>
 * Installed by {@link SimulatorCommand#main} only, never by the {@code Simulation} library (the sweep's executors
 * run other code in their JVM). A JVM without the diagnostic command (not HotSpot) or a directive the JVM refuses
 * leaves the JIT as it was; {@code -Descapement.jitDirectives=false} turns it off. A method renamed since the list
 * was made matches nothing, which is harmless: the list was made from the bytecode sizes in a
 * {@code -XX:+LogCompilation} log of the default run.
 */
final class JitDirectives
{
    static final String RESOURCE = "jit-directives.json";
    static final String PROPERTY = "escapement.jitDirectives";

    private JitDirectives()
    {
    }

    /** @return whether the directives were added to this JVM's compiler. */
    static boolean install()
    {
        if (!Boolean.parseBoolean(System.getProperty(PROPERTY, "true")))
        {
            return false;
        }
        try (InputStream in = JitDirectives.class.getResourceAsStream(RESOURCE))
        {
            if (in == null)
            {
                return false;
            }
            // the diagnostic command reads a file, not a string
            final Path file = Files.createTempFile("escapement-jit-directives", ".json");
            try
            {
                Files.write(file, in.readAllBytes());
                final Object answer = ManagementFactory.getPlatformMBeanServer().invoke(
                    new ObjectName("com.sun.management:type=DiagnosticCommand"), "compilerDirectivesAdd",
                    new Object[] {new String[] {file.toString()}}, new String[] {String[].class.getName()});
                return answer != null && answer.toString().contains("1 compiler directives added");
            }
            finally
            {
                Files.deleteIfExists(file);
            }
        }
        catch (final Exception | LinkageError e)
        {
            return false; // not HotSpot, or the command refused: the JIT keeps its defaults
        }
    }
}
