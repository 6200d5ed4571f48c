package io.escapement.benchmarks.report;

import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;
import org.knowm.xchart.style.Styler;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * Turns the JMH JSON files of a suite run into {@code summary.md} (one table per benchmark: score, error, bytes
 * allocated per operation, and the ratio to the engine for the same parameters) and {@code summary.png} (the
 * workloads with an {@code impl} parameter, every implementation side by side, log scale).
 * <p>
 * Usage: {@code java -cp benchmarks/target/escapement-benchmarks.jar io.escapement.benchmarks.report.SuiteSummary DIR}.
 */
public final class SuiteSummary
{
    /** One JMH result row. */
    record Row(String benchmark, Map<String, String> params, double score, double error, String unit,
        double allocNorm)
    {
        String paramsWithoutImpl()
        {
            final StringBuilder s = new StringBuilder();
            params.forEach((k, v) ->
            {
                if (!k.equals("impl"))
                {
                    s.append(s.length() == 0 ? "" : ", ").append(k).append('=').append(v);
                }
            });
            return s.toString();
        }

        String impl()
        {
            return params.getOrDefault("impl", "escapement");
        }

        boolean lowerIsBetter()
        {
            return unit.contains("/op");
        }
    }

    private SuiteSummary()
    {
    }

    public static void main(final String[] args) throws IOException
    {
        if (args.length != 1 || !Files.isDirectory(Path.of(args[0])))
        {
            System.err.println("usage: SuiteSummary DIR (a directory of JMH JSON results)");
            System.exit(2);
        }
        final Path dir = Path.of(args[0]);
        final List<Row> rows = new ArrayList<>();
        try (Stream<Path> files = Files.list(dir))
        {
            for (final Path file : files.filter(p -> p.toString().endsWith(".json")).sorted().toList())
            {
                rows.addAll(read(Files.readString(file, StandardCharsets.UTF_8)));
            }
        }
        if (rows.isEmpty())
        {
            System.err.println("no JMH results in " + dir);
            System.exit(2);
        }
        final Path footprint = dir.resolve("footprint.txt"); // written by the suite's full mode
        final String bytes = Files.exists(footprint) ? Files.readString(footprint, StandardCharsets.UTF_8) : null;
        Files.writeString(dir.resolve("summary.md"), "# Benchmark suite summary\n\n" + header(dir) +
            targets(rows) + markdown(rows) + footprint(bytes),
            StandardCharsets.UTF_8);
        chart(rows, dir.resolve("summary"));
        System.out.println("wrote " + dir.resolve("summary.md") + " and summary.png (" + rows.size() + " results)");
    }

    /** The machine and JVM this summary was made on (the suite's runs, by construction), and the command. */
    private static String header(final Path dir)
    {
        String cpu = "unknown CPU";
        try
        {
            cpu = Files.readAllLines(Path.of("/proc/cpuinfo")).stream().filter(l -> l.startsWith("model name"))
                .findFirst().map(l -> l.substring(l.indexOf(':') + 1).trim()).orElse(cpu);
        }
        catch (final IOException | RuntimeException e)
        {
            // not Linux: the JVM's figures below still say what ran
        }
        return "Machine: " + cpu + ", " + Runtime.getRuntime().availableProcessors() + " cores, " +
            Runtime.getRuntime().maxMemory() / (1 << 20) + " MiB max heap for this tool; JVM: " +
            System.getProperty("java.vm.name") + " " + System.getProperty("java.version") + ". " + madeBy(dir) +
            "; each benchmark's settings are in its JSON.\n\n";
    }

    /**
     * @param dir the results directory.
     * @return what made its JSON files: the commands in its {@code commands.txt} when a hand-run directory has one,
     * otherwise the suite's script, which writes none.
     */
    static String madeBy(final Path dir)
    {
        return Files.isRegularFile(dir.resolve("commands.txt")) ?
            "Made by the commands in `commands.txt` beside this file (" + dir.getFileName() + ")" :
            "Made by `benchmarks/run-suite.sh` (" + dir.getFileName() + ")";
    }

    private static String footprint(final String table)
    {
        if (table == null)
        {
            return "";
        }
        final StringBuilder s = new StringBuilder("\n## Bytes per live timer\n\n")
            .append("Heap delta after full GC with N timers armed, minus the adapter's own id array, one JVM per ")
            .append("line (`PeerFootprint`). The engine's figure includes its 8-byte payload; Agrona keeps none.\n\n")
            .append("| impl | live timers | bytes per timer |\n|---|---:|---:|\n");
        table.lines().skip(1).map(String::trim).filter(l -> !l.isEmpty()).forEach(l ->
        {
            final String[] f = l.split("\\s+");
            if (f.length == 3)
            {
                s.append("| ").append(f[0]).append(" | ").append(String.format(Locale.ROOT, "%,d",
                    Long.parseLong(f[1]))).append(" | ").append(f[2]).append(" |\n");
            }
        });
        return s.toString();
    }

    @SuppressWarnings("unchecked")
    static List<Row> read(final String json)
    {
        final List<Row> rows = new ArrayList<>();
        for (final Object o : (List<Object>)new Json(json).value())
        {
            final Map<String, Object> result = (Map<String, Object>)o;
            final String benchmark = ((String)result.get("benchmark")).replaceFirst("^.*\\.([^.]+\\.[^.]+)$", "$1");
            final Map<String, String> params = new TreeMap<>();
            final Object p = result.get("params");
            if (p instanceof Map<?, ?> map)
            {
                map.forEach((k, v) -> params.put((String)k, String.valueOf(v)));
            }
            final Map<String, Object> primary = (Map<String, Object>)result.get("primaryMetric");
            double alloc = Double.NaN;
            final Object secondary = result.get("secondaryMetrics");
            if (secondary instanceof Map<?, ?> map && map.get("gc.alloc.rate.norm") instanceof Map<?, ?> gc)
            {
                alloc = ((Number)gc.get("score")).doubleValue();
            }
            final Object error = primary.get("scoreError");
            rows.add(new Row(benchmark, params, ((Number)primary.get("score")).doubleValue(),
                error instanceof Number n ? n.doubleValue() : Double.NaN, (String)primary.get("scoreUnit"), alloc));
        }
        return rows;
    }

    static String markdown(final List<Row> rows)
    {
        // (the title comes first in the file: see main)
        final StringBuilder s = new StringBuilder();
        s.append("Generated from the JMH JSON files beside this one by `SuiteSummary`. Ratio: the engine's score ")
            .append("over the peer's for throughput, the peer's over the engine's for time per operation, so that ")
            .append("above 1 means the engine is ahead, for the same benchmark and parameters. Where a table has ")
            .append("the engine's thread-driven `service`, the peers that run on a thread of their own (`netty`, ")
            .append("`stpe`) are compared with it, the others with the engine's wheel (`escapement`). B/op is JMH's ")
            .append("`gc.alloc.rate.norm` (about 0.001 means nothing: JMH's own background).\n\n");
        final Map<String, List<Row>> byBenchmark = new LinkedHashMap<>();
        rows.forEach(r -> byBenchmark.computeIfAbsent(r.benchmark(), k -> new ArrayList<>()).add(r));
        for (final Map.Entry<String, List<Row>> e : byBenchmark.entrySet())
        {
            s.append("## ").append(e.getKey()).append("\n\n| parameters | impl | score | error | unit | ops/s | B/op | ")
                .append("ratio to the engine |\n|---|---|---:|---:|---|---:|---:|---:|\n");
            final List<Row> sorted = new ArrayList<>(e.getValue());
            sorted.sort(java.util.Comparator.comparing(Row::paramsWithoutImpl)); // stable: impls keep their order
            for (final Row r : sorted)
            {
                final String engineImpl = engineFor(r.impl(), e.getValue());
                final Row engine = e.getValue().stream().filter(x -> x.impl().equals(engineImpl) &&
                    x.paramsWithoutImpl().equals(r.paramsWithoutImpl())).findFirst().orElse(null);
                // the service is the engine too: no ratio of it to the wheel
                final String ratio = engine == null || r.impl().equals(engineImpl) || r.impl().equals("service") ? "" :
                    String.format(Locale.ROOT, "%.2fx", r.lowerIsBetter() ? r.score() / engine.score() :
                        engine.score() / r.score());
                final double opsPerSecond = r.unit().equals("ns/op") ? 1e9 / r.score() :
                    r.unit().equals("ops/us") ? r.score() * 1e6 : Double.NaN;
                s.append(String.format(Locale.ROOT, "| %s | %s | %s | %s | %s | %s | %s | %s |%n",
                    r.paramsWithoutImpl(), r.impl(), number(r.score()), number(r.error()), r.unit(),
                    number(opsPerSecond), number(r.allocNorm()), ratio));
            }
            s.append('\n');
        }
        s.append("![every implementation side by side](summary.png)\n");
        return s.toString();
    }

    /** Arm+cancel's floor of shared/PERFORMANCE.md (the leanest correct wheel), ns: the targets allow twice this. */
    static final double ARM_CANCEL_FLOOR_NS = 5.9;

    /**
     * The targets of issue 18, one row each, with the ratio that says whether it is met (1.00x or more: met):
     * the drain and the random re-arm against Agrona, arm+cancel against twice the floor of shared/PERFORMANCE.md,
     * the re-arm at a million and ten million against twice {@code RandomAccessFloorBenchmark.harnessOfPeersRearm},
     * the floor of that very benchmark; and, marked "(proposed)", the targets the closing notes propose in
     * place of those shown impossible in the wheel's layout: the drain and arm+cancel within 2x of their layout's
     * floor. A target whose rows are missing from the run says so.
     */
    static String targets(final List<Row> rows)
    {
        final StringBuilder s = new StringBuilder("## Targets\n\n")
            .append("Each target of the performance issue, from this run's figures. Ratio: the bound (or the peer) ")
            .append("over the engine, so 1.00x or more means met.\n\n")
            .append("| target | engine | bound | ratio | met |\n|---|---:|---:|---:|---|\n");
        for (final String timers : List.of("1000000", "10000000"))
        {
            final Row engine = find(rows, "TimerPeersDrainBenchmark.drain", "escapement", "timers", timers);
            final Row agrona = find(rows, "TimerPeersDrainBenchmark.drain", "agrona", "timers", timers);
            final double n = Double.parseDouble(timers);
            target(s, "drain " + count(timers) + ": ns per fired timer, at least Agrona's fired per second",
                engine == null ? Double.NaN : engine.score() * 1e6 / n, "Agrona",
                agrona == null ? Double.NaN : agrona.score() * 1e6 / n);
        }
        for (final String timers : List.of("1000000", "10000000"))
        {
            // Proposed in the closing notes where the peer's rate cannot be reached in the wheel's layout
            // (its own floor is Agrona's whole drain at 10M): the rule of the other floors.
            final Row engine = find(rows, "TimerPeersDrainBenchmark.drain", "escapement", "timers", timers);
            final Row floor = find(rows, "DrainLayoutFloorBenchmark.currentRecords", null, "timers", timers);
            final double n = Double.parseDouble(timers);
            target(s, "(proposed) drain " + count(timers) + ": ns per fired timer, within 2x of " +
                "DrainLayoutFloorBenchmark.currentRecords", engine == null ? Double.NaN : engine.score() * 1e6 / n,
                "2x floor", floor == null ? Double.NaN : 2 * floor.score() * 1e6 / n);
        }
        for (final String timers : List.of("1000000", "10000000"))
        {
            // what the drain cannot go below, by layout: the explanation of a drain target not met
            drainFloors(s, rows, "drain floors", "DrainFloorBenchmark.",
                List.of("scanContiguous", "visitRecordsOnce", "visitRecordsTwice"), timers);
        }
        for (final String timers : List.of("1000000", "10000000"))
        {
            // issue 18: the drain's own traffic in today's layout and in the sequential one
            drainFloors(s, rows, "drain layout floors", "DrainLayoutFloorBenchmark.",
                List.of("currentRecords", "sequentialEntries", "sequentialEntriesLoadingGeneration", "sequentialScan"),
                timers);
        }
        for (final String live : List.of("1000", "10000"))
        {
            final Row engine = find(rows, "TimerPeersRandomRearmBenchmark.rearmRandom", "escapement", "liveTimers",
                live);
            final Row agrona = find(rows, "TimerPeersRandomRearmBenchmark.rearmRandom", "agrona", "liveTimers", live);
            target(s, "re-arm to a random deadline, " + count(live) + " live: ns, at least Agrona's rate",
                engine == null ? Double.NaN : engine.score(), "Agrona", agrona == null ? Double.NaN : agrona.score());
            // the same with the clock moving, so that what a structure defers to its ticks is paid
            final Row engineTicking = find(rows, "TimerPeersRandomRearmBenchmark.rearmRandomTicking", "escapement",
                "liveTimers", live);
            final Row agronaTicking = find(rows, "TimerPeersRandomRearmBenchmark.rearmRandomTicking", "agrona",
                "liveTimers", live);
            target(s, "re-arm to a random deadline, clock ticking, " + count(live) + " live: ns, at least Agrona's " +
                "rate", engineTicking == null ? Double.NaN : engineTicking.score(), "Agrona",
                agronaTicking == null ? Double.NaN : agronaTicking.score());
        }
        for (final String live : List.of("1000000", "10000000"))
        {
            final Row engine = find(rows, "TimerPeersBenchmark.armCancel", "escapement", "liveTimers", live);
            target(s, "arm+cancel, " + count(live) + " live: ns, within 2x of the " + ARM_CANCEL_FLOOR_NS +
                " ns floor", engine == null ? Double.NaN : engine.score(), "2x floor", 2 * ARM_CANCEL_FLOOR_NS);
            // what arm+cancel cannot go below, by what a structure keeps: the explanation of the target not met
            final StringBuilder floors = new StringBuilder();
            for (final String variant : List.of("linkedHeads", "linkedHeadsGenerationBitmap", "chunkedSwapRemove",
                "pagedOwnedChunks"))
            {
                final Row floor = find(rows, "ArmCancelFloorBenchmark." + variant, null, "timers", live);
                if (floor != null)
                {
                    floors.append(floors.length() == 0 ? "" : ", ").append(variant).append(' ')
                        .append(number(floor.score()));
                }
            }
            if (floors.length() > 0)
            {
                s.append("| (arm+cancel floors, ").append(count(live)).append(", ns: ").append(floors)
                    .append(") | | | | |\n");
            }
            // Proposed in the closing notes in place of the row above: the 5.9 ns floor keeps no
            // generation and links through the records, which the drain's sequential reads rule out; the floor of
            // the layout the wheel keeps for them, with its guarantees, is pagedOwnedChunks.
            final Row layoutFloor = find(rows, "ArmCancelFloorBenchmark.pagedOwnedChunks", null, "timers", live);
            target(s, "(proposed) arm+cancel, " + count(live) + " live: ns, within 2x of " +
                "ArmCancelFloorBenchmark.pagedOwnedChunks", engine == null ? Double.NaN : engine.score(), "2x floor",
                layoutFloor == null ? Double.NaN : 2 * layoutFloor.score());
        }
        for (final String live : List.of("1000000", "10000000"))
        {
            final Row engine = find(rows, "TimerPeersBenchmark.rearm", "escapement", "liveTimers", live);
            final Row floor = find(rows, "RandomAccessFloorBenchmark.harnessOfPeersRearm", null, "timers", live);
            target(s, "re-arm later, " + count(live) + " live: ns, within 2x of RandomAccessFloorBenchmark" +
                ".harnessOfPeersRearm", engine == null ? Double.NaN : engine.score(), "2x floor",
                floor == null ? Double.NaN : 2 * floor.score());
        }
        return s.append('\n').toString();
    }

    /** Appends one line of drain floors measured at {@code timers}, in ns per timer, or nothing if none was. */
    private static void drainFloors(final StringBuilder s, final List<Row> rows, final String label,
        final String benchmark, final List<String> passes, final String timers)
    {
        final double n = Double.parseDouble(timers);
        final StringBuilder floors = new StringBuilder();
        for (final String pass : passes)
        {
            final Row floor = find(rows, benchmark + pass, null, "timers", timers);
            if (floor != null)
            {
                floors.append(floors.length() == 0 ? "" : ", ").append(pass).append(' ')
                    .append(number(floor.score() * 1e6 / n));
            }
        }
        if (floors.length() > 0)
        {
            s.append("| (").append(label).append(", ").append(count(timers)).append(", ns per timer: ").append(floors)
                .append(") | | | | |\n");
        }
    }

    private static void target(final StringBuilder s, final String what, final double engineNs, final String boundName,
        final double boundNs)
    {
        if (Double.isNaN(engineNs) || Double.isNaN(boundNs))
        {
            s.append("| ").append(what).append(" | | | | not in this run |\n");
            return;
        }
        final double ratio = boundNs / engineNs;
        s.append(String.format(Locale.ROOT, "| %s | %s | %s %s | %.2fx | %s |%n", what, number(engineNs), boundName,
            number(boundNs), ratio, ratio >= 1.0 ? "yes" : "no"));
    }

    /** @return the row of a benchmark with the given impl ({@code null}: a benchmark without one) and size. */
    private static Row find(final List<Row> rows, final String benchmark, final String impl, final String sizeParam,
        final String size)
    {
        return rows.stream().filter(r -> r.benchmark().equals(benchmark) &&
            (impl == null ? !r.params().containsKey("impl") : r.impl().equals(impl)) &&
            size.equals(r.params().get(sizeParam))).findFirst().orElse(null);
    }

    private static String count(final String n)
    {
        return switch (n)
        {
            case "1000" -> "1k";
            case "10000" -> "10k";
            case "1000000" -> "1M";
            case "10000000" -> "10M";
            default -> n;
        };
    }

    /** @return the engine row a peer's ratio is taken against: the service for thread-driven peers, if present. */
    static String engineFor(final String impl, final List<Row> table)
    {
        final boolean threadDriven = impl.equals("netty") || impl.equals("stpe");
        return threadDriven && table.stream().anyMatch(x -> x.impl().equals("service")) ? "service" : "escapement";
    }

    private static void chart(final List<Row> rows, final Path file) throws IOException
    {
        System.setProperty("java.awt.headless", "true");
        final List<Row> perImpl = rows.stream().filter(r -> r.params().containsKey("impl") &&
            r.unit().equals("ns/op")).toList();
        if (perImpl.isEmpty())
        {
            return;
        }
        final CategoryChart chart = new CategoryChartBuilder().width(1400).height(700)
            .title("Time per operation, every implementation (ns/op, log scale; lower is better)")
            .xAxisTitle("workload").yAxisTitle("ns/op").build();
        chart.getStyler().setLegendPosition(Styler.LegendPosition.OutsideE);
        chart.getStyler().setYAxisLogarithmic(true);
        chart.getStyler().setYAxisMin(1.0); // a peer that cannot run a workload gets 0.1: no bar
        chart.getStyler().setXAxisLabelRotation(15);
        final List<String> workloads = perImpl.stream().map(r -> r.benchmark().replaceFirst("^[^.]+\\.", "") +
            " " + r.paramsWithoutImpl()).distinct().toList();
        final List<String> impls = perImpl.stream().map(Row::impl).distinct().toList();
        for (final String impl : impls)
        {
            final List<Double> values = new ArrayList<>();
            for (final String workload : workloads)
            {
                values.add(perImpl.stream().filter(r -> r.impl().equals(impl) && workload.equals(
                    r.benchmark().replaceFirst("^[^.]+\\.", "") + " " + r.paramsWithoutImpl()))
                    .mapToDouble(Row::score).findFirst().orElse(Double.NaN));
            }
            chart.addSeries(impl, workloads, values.stream().map(v -> v.isNaN() ? 0.1 : v).toList());
        }
        BitmapEncoder.saveBitmap(chart, file.toString(), BitmapEncoder.BitmapFormat.PNG);
    }

    private static String number(final double v)
    {
        if (Double.isNaN(v))
        {
            return "";
        }
        return Math.abs(v) >= 100 ? String.format(Locale.ROOT, "%,.0f", v) : String.format(Locale.ROOT, "%.3g", v);
    }

    /** A small JSON reader: objects (as ordered maps), arrays, strings, numbers, booleans, null. */
    static final class Json
    {
        private final String text;
        private int at;

        Json(final String text)
        {
            this.text = text;
        }

        Object value()
        {
            skip();
            final char c = text.charAt(at);
            if (c == '{')
            {
                final Map<String, Object> map = new LinkedHashMap<>();
                at++;
                skip();
                if (text.charAt(at) == '}')
                {
                    at++;
                    return map;
                }
                while (true)
                {
                    skip();
                    final String key = string();
                    skip();
                    expect(':');
                    map.put(key, value());
                    skip();
                    if (text.charAt(at++) == '}')
                    {
                        return map;
                    }
                }
            }
            if (c == '[')
            {
                final List<Object> list = new ArrayList<>();
                at++;
                skip();
                if (text.charAt(at) == ']')
                {
                    at++;
                    return list;
                }
                while (true)
                {
                    list.add(value());
                    skip();
                    if (text.charAt(at++) == ']')
                    {
                        return list;
                    }
                }
            }
            if (c == '"')
            {
                return string();
            }
            final int start = at;
            while (at < text.length() && ",}] \n\r\t".indexOf(text.charAt(at)) < 0)
            {
                at++;
            }
            final String word = text.substring(start, at);
            return switch (word)
            {
                case "true" -> Boolean.TRUE;
                case "false" -> Boolean.FALSE;
                case "null" -> null;
                case "NaN" -> Double.NaN;
                default -> Double.parseDouble(word);
            };
        }

        private String string()
        {
            expect('"');
            final StringBuilder s = new StringBuilder();
            while (text.charAt(at) != '"')
            {
                char c = text.charAt(at++);
                if (c == '\\')
                {
                    c = text.charAt(at++);
                    if (c == 'u')
                    {
                        c = (char)Integer.parseInt(text.substring(at, at + 4), 16);
                        at += 4;
                    }
                    else if (c == 'n')
                    {
                        c = '\n';
                    }
                    else if (c == 't')
                    {
                        c = '\t';
                    }
                }
                s.append(c);
            }
            at++;
            return s.toString();
        }

        private void expect(final char c)
        {
            if (text.charAt(at) != c)
            {
                throw new IllegalArgumentException("JSON: expected '" + c + "' at " + at);
            }
            at++;
        }

        private void skip()
        {
            while (at < text.length() && Character.isWhitespace(text.charAt(at)))
            {
                at++;
            }
        }
    }
}
