package io.escapement.simulator.cli;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.lang.management.ManagementFactory;
import javax.management.ObjectName;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class JitDirectivesTest
{
    private static String command(final String name) throws Exception
    {
        return String.valueOf(ManagementFactory.getPlatformMBeanServer().invoke(
            new ObjectName("com.sun.management:type=DiagnosticCommand"), name, new Object[] {null},
            new String[] {String[].class.getName()}));
    }

    @AfterEach
    void clearDirectives() throws Exception
    {
        System.clearProperty(JitDirectives.PROPERTY);
        command("compilerDirectivesClear"); // the test JVM's JIT goes back to its defaults
    }

    @Test
    void installForbidsInliningTheSimulatorsMidSizedHotMethods() throws Exception
    {
        assertTrue(JitDirectives.install());
        final String printed = command("compilerDirectivesPrint");
        assertTrue(printed.contains("io/escapement/simulator/tcp/TcpShard.handle"), printed);
        assertTrue(printed.contains("io/escapement/simulator/tcp/Transitions.onAck"), printed);
    }

    @Test
    void theSystemPropertyTurnsTheDirectivesOff() throws Exception
    {
        System.setProperty(JitDirectives.PROPERTY, "false");
        assertFalse(JitDirectives.install());
        assertFalse(command("compilerDirectivesPrint").contains("io/escapement/simulator"));
    }
}
