package io.escapement.simulator.tcp;

import org.junit.jupiter.api.Test;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.spi.ToolProvider;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * C2 inlines a method at a call site run 100 times or more (InlineFrequencyCount) whenever its bytecode is at most
 * 325 bytes (FreqInlineSize, JDK 17's default on x86-64 and AArch64): per connection is hot enough, so the one way in
 * the code's reach to keep a path that runs once or twice a connection out of the per-packet units C2 compiles is a
 * method past that size (a callee already compiled past InlineSmallCode is also left out, but that depends on
 * timing). This test pins the size of such a path, read from the class file with javap; it cannot see what C2 does.
 */
class TransitionsCompiledSizeTest
{
    private static final int FREQ_INLINE_SIZE = 325;

    @Test
    void shouldKeepTheApplicationsCloseOutOfLine() throws Exception
    {
        final String transitions = javap(Transitions.class);
        assertPastFreqInlineSize(transitions, "boolean close(int);");
    }

    private static void assertPastFreqInlineSize(final String javap, final String header)
    {
        final int size = bytecodeSize(javap, header);
        assertTrue(size > FREQ_INLINE_SIZE, header + " is " + size + " bytes of bytecode, C2 would inline it when hot");
    }

    private static String javap(final Class<?> type) throws Exception
    {
        final ToolProvider javap = ToolProvider.findFirst("javap").orElse(null);
        assertNotNull(javap, "javap is part of the JDK that runs the build");
        final String classes = Path.of(type.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
        final StringWriter out = new StringWriter();
        assertEquals(0, javap.run(new PrintWriter(out), new PrintWriter(new StringWriter()), "-c", "-p", "-cp",
            classes, type.getName()));
        return out.toString();
    }

    /** @return the offset of the last instruction of the method javap -c printed under {@code header}, plus 1. */
    private static int bytecodeSize(final String javap, final String header)
    {
        final int start = javap.indexOf(header);
        assertTrue(start >= 0, header + " not found");
        final int end = javap.indexOf("\n\n", start);
        final Matcher offsets = Pattern.compile("^\\s+(\\d+): (\\w+)", Pattern.MULTILINE)
            .matcher(javap.substring(start, end < 0 ? javap.length() : end));
        int last = -1;
        String opcode = "";
        while (offsets.find())
        {
            last = Integer.parseInt(offsets.group(1));
            opcode = offsets.group(2);
        }
        assertTrue(opcode.endsWith("return") || opcode.equals("athrow"), header + " ends with " + opcode);
        return last + 1; // a return instruction is one byte
    }
}
