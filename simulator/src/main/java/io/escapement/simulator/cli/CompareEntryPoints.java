package io.escapement.simulator.cli;

import io.escapement.simulator.compare.Comparison;
import picocli.CommandLine;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * {@code compare} for another front end (the sweep module runs compare's runs on a cluster): the same options,
 * defaults, presets and config files, parsed by compare's own parser, with the runs executed elsewhere. Arguments
 * are compare's, without the leading {@code compare}.
 */
public final class CompareEntryPoints
{
    private CompareEntryPoints()
    {
    }

    /**
     * Runs {@code compare} with its runs executed by {@code runner}: validation, reports and charts as compare's.
     *
     * @param args   compare's arguments, without {@code compare}.
     * @param runner executes the runs.
     * @param out    where compare's table and messages go.
     * @param err    where errors and the progress line go.
     * @return the exit code: 0 done, 1 a run failed, 2 bad options.
     */
    public static int compare(final String[] args, final Comparison.Runner runner, final PrintStream out,
        final PrintStream err)
    {
        return compare(args, runner, null, out, err);
    }

    /**
     * Runs {@code compare} with its runs executed by {@code runner}, its report naming {@code madeBy} as the
     * command that made it (the front end's own command line, not compare's).
     *
     * @param args   compare's arguments, without {@code compare}.
     * @param runner executes the runs.
     * @param madeBy the command line the report quotes; null: compare's own.
     * @param out    where compare's table and messages go.
     * @param err    where errors and the progress line go.
     * @return the exit code: 0 done, 1 a run failed, 2 bad options.
     */
    public static int compare(final String[] args, final Comparison.Runner runner, final String madeBy,
        final PrintStream out, final PrintStream err)
    {
        return SimulatorCommand.execute(withCommand(args), out, err, runner, madeBy);
    }

    /**
     * @param args compare's arguments, without {@code compare}.
     * @return compare's {@code --parallel} (from the command line or a config file), or null if it is not given.
     * @throws IllegalArgumentException for options compare refuses.
     */
    public static Integer parallel(final String[] args)
    {
        return parse(args).parallel;
    }

    /**
     * @param args compare's arguments, without {@code compare}.
     * @return the scenario of each (strategy, seed, grid point) that {@code compare} with these arguments runs.
     * @throws IllegalArgumentException for options compare refuses.
     */
    public static Comparison.Workload workload(final String[] args)
    {
        final CompareCommand command = parse(args);
        return command.workload(Comparison.Grid.parse(command.sweep));
    }

    /**
     * @param args compare's arguments, without {@code compare}.
     * @return every option that shapes a run's scenario, by long name, with its effective value (from the command
     * line, a config file, a preset or the default), except those each run sets: {@code --seed} and {@code --rto}.
     * Two argument lists that give equal maps give equal runs for equal (strategy, seed, sweep value).
     */
    public static SortedMap<String, String> scenarioOptions(final String[] args)
    {
        final CompareCommand command = parse(args);
        final SortedMap<String, String> options = new TreeMap<>();
        // the scenario options are compare's mixin of that name (the field's); its other options say how and
        // where the runs go, not what they are
        for (final CommandLine.Model.OptionSpec option : command.spec.mixins().get("options").options())
        {
            final String name = option.longestName();
            if (!name.equals("--seed") && !name.equals("--rto"))
            {
                // deepToString: an array-valued option prints its elements, not its identity
                final Object value = option.getValue();
                options.put(name, java.util.Arrays.deepToString(new Object[]{value}));
            }
        }
        return options;
    }

    /**
     * @param args compare's arguments, without {@code compare}.
     * @return where compare writes its outputs ({@code --out}).
     */
    public static Path out(final String[] args)
    {
        return parse(args).out;
    }

    /**
     * @param args compare's arguments, without {@code compare}.
     * @return the grid's swept parameters (loss, rtt or jitter), in its order, joined by {@code +}.
     */
    public static String sweepParameters(final String[] args)
    {
        final StringBuilder s = new StringBuilder();
        for (final Comparison.Sweep axis : Comparison.Grid.parse(parse(args).sweep).axes())
        {
            s.append(s.length() == 0 ? "" : "+").append(axis.parameter());
        }
        return s.toString();
    }

    private static CompareCommand parse(final String[] args)
    {
        final String[] all = withCommand(args);
        final CommandLine commandLine = SimulatorCommand.commandLine(all);
        try
        {
            commandLine.parseArgs(all);
        }
        catch (final CommandLine.ParameterException e)
        {
            throw new IllegalArgumentException(e.getMessage(), e);
        }
        return (CompareCommand)commandLine.getSubcommands().get("compare").getCommand();
    }

    private static String[] withCommand(final String[] args)
    {
        final String[] all = new String[args.length + 1];
        all[0] = "compare";
        System.arraycopy(args, 0, all, 1, args.length);
        return all;
    }
}
