package io.escapement.simulator.cli;

import io.escapement.simulator.Simulation;

import java.io.PrintStream;
import java.util.Locale;

/**
 * A progress bar on stderr. On a terminal it redraws one line in place, at most five times a second; elsewhere
 * (a log, CI) it prints a plain line at every tenth of the way, so a captured log stays readable.
 */
final class ProgressBar implements Simulation.Progress
{
    private static final int WIDTH = 30;

    private final PrintStream out;
    private final boolean terminal;
    private final String what;
    private final long startNanos = System.nanoTime();
    private int lastTenth = -1;
    private boolean drawn;

    /** @param what what the counts count, such as {@code connections opened}. */
    ProgressBar(final PrintStream out, final boolean terminal, final String what)
    {
        this.out = out;
        this.terminal = terminal;
        this.what = what;
    }

    @Override
    public void update(final long arrived, final long total, final long virtualUs)
    {
        final double fraction = total == 0 ? 1 : (double)arrived / total;
        final double elapsed = (System.nanoTime() - startNanos) / 1e9;
        final String virtual = virtualUs == Long.MAX_VALUE ? "" :
            String.format(Locale.ROOT, ", virtual time %.0f s", virtualUs / 1e6);
        if (terminal)
        {
            final int filled = (int)(fraction * WIDTH);
            out.printf(Locale.ROOT, "\r[%s%s] %3.0f%% %,d/%,d %s%s, %.1f s ", "=".repeat(filled),
                " ".repeat(WIDTH - filled), fraction * 100, arrived, total, what, virtual, elapsed);
            out.flush();
            drawn = true;
        }
        else
        {
            final int tenth = (int)(fraction * 10);
            if (tenth > lastTenth)
            {
                lastTenth = tenth;
                out.printf(Locale.ROOT, "progress: %3d%% (%,d of %,d %s)%s, %.1f s%n", tenth * 10, arrived, total,
                    what, virtual, elapsed);
            }
        }
    }

    /** Ends the in-place line so that what follows starts on a line of its own. */
    void finish()
    {
        if (drawn)
        {
            out.println();
        }
    }
}
