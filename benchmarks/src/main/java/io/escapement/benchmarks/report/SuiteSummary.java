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
        Files.writeString(dir.resolve("summary.md"), markdown(rows), StandardCharsets.UTF_8);
        chart(rows, dir.resolve("summary"));
        System.out.println("wrote " + dir.resolve("summary.md") + " and summary.png (" + rows.size() + " results)");
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
        final StringBuilder s = new StringBuilder("# Benchmark suite summary\n\n");
        s.append("Generated from the JMH JSON files beside this one by `SuiteSummary`. Ratio: the engine's score ")
            .append("over the peer's for throughput, the peer's over the engine's for time per operation, so that ")
            .append("above 1 means the engine is ahead, for the same benchmark and parameters. B/op is JMH's ")
            .append("`gc.alloc.rate.norm` (about 0.001 means nothing: JMH's own background).\n\n");
        final Map<String, List<Row>> byBenchmark = new LinkedHashMap<>();
        rows.forEach(r -> byBenchmark.computeIfAbsent(r.benchmark(), k -> new ArrayList<>()).add(r));
        for (final Map.Entry<String, List<Row>> e : byBenchmark.entrySet())
        {
            s.append("## ").append(e.getKey()).append("\n\n| parameters | impl | score | error | unit | B/op | ")
                .append("ratio to the engine |\n|---|---|---:|---:|---|---:|---:|\n");
            final List<Row> sorted = new ArrayList<>(e.getValue());
            sorted.sort(java.util.Comparator.comparing(Row::paramsWithoutImpl)); // stable: impls keep their order
            for (final Row r : sorted)
            {
                final Row engine = e.getValue().stream().filter(x -> x.impl().equals("escapement") &&
                    x.paramsWithoutImpl().equals(r.paramsWithoutImpl())).findFirst().orElse(null);
                final String ratio = engine == null || r.impl().equals("escapement") ? "" :
                    String.format(Locale.ROOT, "%.2fx", r.lowerIsBetter() ? r.score() / engine.score() :
                        engine.score() / r.score());
                s.append(String.format(Locale.ROOT, "| %s | %s | %s | %s | %s | %s | %s |%n", r.paramsWithoutImpl(),
                    r.impl(), number(r.score()), number(r.error()), r.unit(), number(r.allocNorm()), ratio));
            }
            s.append('\n');
        }
        s.append("![every implementation side by side](summary.png)\n");
        return s.toString();
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
