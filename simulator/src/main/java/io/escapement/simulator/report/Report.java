package io.escapement.simulator.report;

import io.escapement.engine.rto.RtoParameters;
import io.escapement.simulator.Scenario;
import io.escapement.simulator.SizeDistribution;
import io.escapement.simulator.net.DropRule;
import io.escapement.simulator.net.DropRules;
import org.HdrHistogram.Histogram;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.markers.SeriesMarkers;

import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The merged result of a run: what happened (deterministic for a scenario and seed: {@link #resultsJson()}) and
 * what it cost on this machine (wall time, events per second, heap: the {@code run} section).
 */
public final class Report
{
    /** {@link #retainedHeapBytes()} of a run that did not measure it ({@code Simulation#measureRetainedHeap}). */
    public static final long NOT_MEASURED = -1;

    private final Scenario scenario;
    private final int threads;
    private final long[] counters = new long[Counter.values().length];
    private final Histogram handshakeUs;
    private final Histogram completionUs;
    private final Histogram closeUs;
    private final Histogram recoveryUs;
    private final Histogram recoveryPerMilliRtt;
    private final int[] openBySecond;
    private final int[] timeWaitBySecond;
    private final long lastEventUs;
    private final long wallNanos;
    private final long peakHeapBytes;
    private final long retainedHeapBytes;
    private final long timersLeft;
    private final long slotsLeft;

    private Report(final Scenario scenario, final int threads, final List<ShardStats> shards, final long wallNanos,
        final long peakHeapBytes, final long retainedHeapBytes, final long timersLeft, final long slotsLeft)
    {
        this.scenario = scenario;
        this.threads = threads;
        this.wallNanos = wallNanos;
        this.peakHeapBytes = peakHeapBytes;
        this.retainedHeapBytes = retainedHeapBytes;
        this.timersLeft = timersLeft;
        this.slotsLeft = slotsLeft;
        handshakeUs = new Histogram(3);
        completionUs = new Histogram(3);
        closeUs = new Histogram(3);
        recoveryUs = new Histogram(3);
        recoveryPerMilliRtt = new Histogram(3);
        int seconds = 0;
        long last = 0;
        for (final ShardStats s : shards)
        {
            for (int k = 0; k < counters.length; k++)
            {
                counters[k] += s.counters[k];
            }
            handshakeUs.add(s.handshakeUs);
            completionUs.add(s.completionUs);
            closeUs.add(s.closeUs);
            recoveryUs.add(s.recoveryUs);
            recoveryPerMilliRtt.add(s.recoveryPerMilliRtt);
            seconds = Math.max(seconds, Math.max(s.openDelta().length, s.timeWaitDelta().length));
            last = Math.max(last, s.lastEventUs());
        }
        lastEventUs = last;
        final int length = (int)Math.min(seconds, last / 1_000_000 + 2);
        openBySecond = new int[length];
        timeWaitBySecond = new int[length];
        for (final ShardStats s : shards)
        {
            accumulate(openBySecond, s.openDelta());
            accumulate(timeWaitBySecond, s.timeWaitDelta());
        }
        prefixSum(openBySecond);
        prefixSum(timeWaitBySecond);
    }

    public static Report merge(final Scenario scenario, final int threads, final List<ShardStats> shards,
        final long wallNanos, final long peakHeapBytes, final long retainedHeapBytes, final long timersLeft,
        final long slotsLeft)
    {
        return new Report(scenario, threads, shards, wallNanos, peakHeapBytes, retainedHeapBytes, timersLeft,
            slotsLeft);
    }

    private static void accumulate(final int[] into, final int[] deltas)
    {
        for (int k = 0; k < Math.min(into.length, deltas.length); k++)
        {
            into[k] += deltas[k];
        }
    }

    private static void prefixSum(final int[] a)
    {
        for (int k = 1; k < a.length; k++)
        {
            a[k] += a[k - 1];
        }
    }

    public long counter(final Counter counter)
    {
        return counters[counter.ordinal()];
    }

    /** @return the sum of the outcome counters: equals the connections attempted when every one is accounted for. */
    public long outcomes()
    {
        long sum = 0;
        for (final Counter c : Counter.values())
        {
            if (c.isOutcome())
            {
                sum += counters[c.ordinal()];
            }
        }
        return sum;
    }

    public long timersLeft()
    {
        return timersLeft;
    }

    public long connectionsLeft()
    {
        return slotsLeft;
    }

    public Histogram handshakeUs()
    {
        return handshakeUs;
    }

    public Histogram completionUs()
    {
        return completionUs;
    }

    /** @return how long really lost data and FINs waited for their first retransmission. */
    public Histogram recoveryUs()
    {
        return recoveryUs;
    }

    /** @return that wait divided by the base RTT, in thousandths. */
    public Histogram recoveryPerMilliRtt()
    {
        return recoveryPerMilliRtt;
    }

    /** @return spurious data and FIN retransmissions per 1000 data and FIN segments sent. */
    public double spuriousPerThousandSegments()
    {
        return 1000.0 * counter(Counter.RETX_SPURIOUS_DATA_AND_FIN) / Math.max(1, counter(Counter.SEGMENTS));
    }

    public Scenario scenario()
    {
        return scenario;
    }

    /** @return the most connections holding state at a whole second of virtual time. */
    public int peakOpen()
    {
        return max(openBySecond);
    }

    /** @return the most ends in TIME-WAIT at a whole second of virtual time. */
    public int peakTimeWait()
    {
        return max(timeWaitBySecond);
    }

    public long wallNanos()
    {
        return wallNanos;
    }

    /** @return the virtual time of the run's last event, in microseconds. */
    public long virtualTimeUs()
    {
        return lastEventUs;
    }

    /** @return how long active closes took (FIN sent to TIME-WAIT). */
    public Histogram closeUs()
    {
        return closeUs;
    }

    /** @return a copy of the connections holding state at each whole second of virtual time. */
    public int[] openBySecond()
    {
        return openBySecond.clone();
    }

    /** @return a copy of the ends in TIME-WAIT at each whole second of virtual time. */
    public int[] timeWaitBySecond()
    {
        return timeWaitBySecond.clone();
    }

    /** @return the peak heap used during the run, in bytes. */
    public long peakHeapBytes()
    {
        return peakHeapBytes;
    }

    /** @return the heap retained after the run, in bytes, or {@link #NOT_MEASURED}. */
    public long retainedHeapBytes()
    {
        return retainedHeapBytes;
    }

    public double eventsPerSecond()
    {
        return counter(Counter.EVENTS) / (wallNanos / 1e9);
    }

    /**
     * @return heap retained after the run (structures sized for the peak) per connection open at the peak; negative
     * if the retained heap was {@link #NOT_MEASURED}.
     */
    public double bytesPerOpenConnection()
    {
        return (double)retainedHeapBytes / Math.max(1, peakOpen());
    }

    private static int max(final int[] a)
    {
        int m = 0;
        for (final int v : a)
        {
            m = Math.max(m, v);
        }
        return m;
    }

    // ------------------------------------------------------------------------------------------------ outputs

    /** @return the human-readable summary. */
    public String toText()
    {
        final StringBuilder s = new StringBuilder();
        s.append("Escapement TCP simulation: ").append(String.format(Locale.ROOT, "%,d", scenario.connections))
            .append(" connections, seed ").append(scenario.seed).append('\n');
        s.append("  RTO strategy ").append(scenario.rtoSpecification).append(", ").append(scenario.retryPolicy)
            .append('\n');
        s.append("  network: ").append(scenario.network).append('\n');
        s.append("  arrivals ").append(fmt(scenario.arrivalsPerSecond)).append("/s from ")
            .append(scenario.clientAddresses).append(" client addresses, ports ").append(scenario.portLow)
            .append('-').append(scenario.portHigh).append("; request ").append(size(scenario.requestSizes))
            .append(", response ").append(size(scenario.responseSizes))
            .append(scenario.exchanges.isPersistent() ? " per exchange, " + scenario.exchanges : "")
            .append("; TIME-WAIT ")
            .append(RtoParameters.formatUs(scenario.timeWaitUs)).append(", HZ ").append(scenario.hz)
            .append(scenario.timerSlack && scenario.hz > 0 ? " with the timer wheel's slack" : "")
            .append(", TLP ").append(scenario.tailLossProbe ? "on" : "off").append("\n\n");
        s.append("Outcomes\n");
        for (final Counter c : Counter.values())
        {
            if (c.isOutcome() || c == Counter.CONNECTIONS || c == Counter.ESTABLISHED)
            {
                line(s, c.description, counter(c), counter(Counter.CONNECTIONS));
            }
        }
        s.append("Retransmissions and timers\n");
        for (final Counter c : Counter.values())
        {
            final boolean exchanges = c == Counter.EXCHANGES_DRAWN || c == Counter.EXCHANGES_CARRIED;
            if (!c.isOutcome() && c != Counter.CONNECTIONS && c != Counter.ESTABLISHED &&
                (!exchanges || scenario.exchanges.isPersistent()))
            {
                line(s, c.description, counter(c), -1);
            }
        }
        if (scenario.network.dropper() instanceof DropRules rules)
        {
            s.append("Drop rules\n");
            for (final DropRule rule : rules.rules())
            {
                s.append(String.format(Locale.ROOT, "  %-48s %,12d%s%n", rule, rule.matched(),
                    rule.matched() == 0 ? "  (never matched: it names no packet this run sent)" : ""));
            }
        }
        if (scenario.network.traceToServer() != null || scenario.network.traceToClient() != null)
        {
            s.append("Delay traces\n");
        }
        traceLine(s, "to server", scenario.network.traceToServer());
        traceLine(s, "to client", scenario.network.traceToClient());
        s.append("Latency (virtual time)                              p50        p99        max\n");
        latency(s, "handshake (SYN sent to ESTABLISHED)", handshakeUs);
        latency(s, "completion (SYN sent to full response)", completionUs);
        latency(s, "active close (FIN sent to TIME-WAIT)", closeUs);
        latency(s, "real loss to its first retransmission", recoveryUs);
        s.append("Scale\n");
        s.append(String.format(Locale.ROOT, "  %-48s %,12d%n", "peak connections holding state", peakOpen()));
        s.append(String.format(Locale.ROOT, "  %-48s %,12d%n", "peak ends in TIME-WAIT", peakTimeWait()));
        s.append(String.format(Locale.ROOT, "  %-48s %12s%n", "virtual time simulated", seconds(lastEventUs)));
        s.append(String.format(Locale.ROOT, "  %-48s %,12d%n", "timers / connections left at the end",
            timersLeft + slotsLeft));
        s.append("Cost on this machine\n");
        s.append(String.format(Locale.ROOT, "  %-48s %12.2f s (%d thread%s)%n", "wall time", wallNanos / 1e9,
            threads, threads == 1 ? "" : "s"));
        s.append(String.format(Locale.ROOT, "  %-48s %,12.0f%n", "events per second", eventsPerSecond()));
        s.append(String.format(Locale.ROOT, "  %-48s %,12.1f MiB%n", "peak heap used", peakHeapBytes / 1048576.0));
        // not measured (-1): said so, not printed as a negative size
        final boolean measured = retainedHeapBytes != NOT_MEASURED;
        s.append(String.format(Locale.ROOT, "  %-48s %16s%n", "heap retained after the run", measured ?
            String.format(Locale.ROOT, "%,.1f MiB", retainedHeapBytes / 1048576.0) : "not measured"));
        s.append(String.format(Locale.ROOT, "  %-48s %12s%n", "bytes per connection open at the peak", measured ?
            String.format(Locale.ROOT, "%,.1f", bytesPerOpenConnection()) : "not measured"));
        return s.toString();
    }

    private static void line(final StringBuilder s, final String what, final long n, final long of)
    {
        if (of > 0)
        {
            s.append(String.format(Locale.ROOT, "  %-60s %,12d %6.2f%%%n", what, n, 100.0 * n / of));
        }
        else
        {
            s.append(String.format(Locale.ROOT, "  %-60s %,12d%n", what, n));
        }
    }

    private static void latency(final StringBuilder s, final String what, final Histogram h)
    {
        if (h.getTotalCount() == 0)
        {
            s.append(String.format(Locale.ROOT, "  %-48s %10s%n", what, "-"));
            return;
        }
        s.append(String.format(Locale.ROOT, "  %-48s %10s %10s %10s%n", what, ms(h.getValueAtPercentile(50)),
            ms(h.getValueAtPercentile(99)), ms(h.getMaxValue())));
    }

    private static String size(final SizeDistribution sizes)
    {
        return sizes.isConstant() ? sizes + " B" : sizes + " bytes";
    }

    private static String ms(final long us)
    {
        return String.format(Locale.ROOT, "%.1f ms", us / 1000.0);
    }

    private static String seconds(final long us)
    {
        return String.format(Locale.ROOT, "%.1f s", us / 1e6);
    }

    private static String fmt(final double v)
    {
        return v == Math.rint(v) ? String.format(Locale.ROOT, "%,.0f", v) : String.valueOf(v);
    }

    /** @return the scenario and results as JSON: equal, byte for byte, for runs of one scenario and seed. */
    public String resultsJson()
    {
        final Map<String, Object> results = new LinkedHashMap<>();
        for (final Counter c : Counter.values())
        {
            results.put(c.key(), counter(c));
        }
        results.put("handshake_us", histogram(handshakeUs));
        results.put("completion_us", histogram(completionUs));
        results.put("active_close_us", histogram(closeUs));
        results.put("loss_recovery_us", histogram(recoveryUs));
        results.put("loss_recovery_per_rtt_milli", histogram(recoveryPerMilliRtt));
        results.put("peak_open_connections", peakOpen());
        results.put("peak_time_wait", peakTimeWait());
        results.put("virtual_time_us", lastEventUs);
        results.put("timers_left", timersLeft);
        results.put("connections_left", slotsLeft);
        if (scenario.network.dropper() instanceof DropRules rules)
        {
            final Map<String, Object> matched = new LinkedHashMap<>();
            final List<Object> never = new java.util.ArrayList<>();
            for (final DropRule rule : rules.rules())
            {
                matched.put(rule.toString(), rule.matched());
                if (rule.matched() == 0)
                {
                    never.add(rule.toString());
                }
            }
            results.put("drop_rules", matched);
            results.put("drop_rules_never_matched", never);
        }
        if (scenario.network.traceToServer() != null)
        {
            results.put("delay_trace_to_server_packets_past_end", scenario.network.traceToServer().packetsPastEnd());
        }
        if (scenario.network.traceToClient() != null)
        {
            results.put("delay_trace_to_client_packets_past_end", scenario.network.traceToClient().packetsPastEnd());
        }
        return Json.write(results);
    }

    /** A delay trace's packets sent past its end: wrapped, or given its last delay; nothing without a trace. */
    private static void traceLine(final StringBuilder s, final String direction,
        final io.escapement.simulator.net.DelayTrace trace)
    {
        if (trace != null)
        {
            s.append(String.format(Locale.ROOT, "  %-48s %,12d%s%n", "packets sent past the delay trace " + direction,
                trace.packetsPastEnd(), trace.packetsPastEnd() == 0 ? "" :
                trace.end() == io.escapement.simulator.net.DelayTrace.End.WRAP ? "  (the trace wrapped)" :
                "  (given its last delay)"));
        }
    }

    /** @return the whole report as JSON: scenario, results, and the run's cost on this machine. */
    public String toJson()
    {
        final Map<String, Object> root = new LinkedHashMap<>();
        root.put("scenario", scenarioMap());
        root.put("results", new Json.Raw(resultsJson()));
        final Map<String, Object> run = new LinkedHashMap<>();
        run.put("threads", threads);
        run.put("wall_seconds", wallNanos / 1e9);
        run.put("events_per_second", Math.round(eventsPerSecond()));
        run.put("peak_heap_bytes", peakHeapBytes);
        final boolean measured = retainedHeapBytes != NOT_MEASURED; // not measured: null, not a negative size
        run.put("retained_heap_bytes", measured ? retainedHeapBytes : null);
        run.put("bytes_per_open_connection", measured ? Math.round(bytesPerOpenConnection() * 10) / 10.0 : null);
        run.put("java", System.getProperty("java.vm.name") + " " + System.getProperty("java.version"));
        run.put("cores", Runtime.getRuntime().availableProcessors());
        root.put("run", run);
        return Json.write(root);
    }

    /** @return {@code metric,value} rows: every counter, latency percentile and cost figure. */
    public String toCsv()
    {
        final StringBuilder s = new StringBuilder("metric,value\n");
        for (final Counter c : Counter.values())
        {
            s.append(c.key()).append(',').append(counter(c)).append('\n');
        }
        csvHistogram(s, "handshake_us", handshakeUs);
        csvHistogram(s, "completion_us", completionUs);
        csvHistogram(s, "active_close_us", closeUs);
        csvHistogram(s, "loss_recovery_us", recoveryUs);
        s.append("peak_open_connections,").append(peakOpen()).append('\n');
        s.append("peak_time_wait,").append(peakTimeWait()).append('\n');
        s.append("virtual_time_us,").append(lastEventUs).append('\n');
        s.append("wall_seconds,").append(String.format(Locale.ROOT, "%.3f", wallNanos / 1e9)).append('\n');
        s.append("events_per_second,").append(Math.round(eventsPerSecond())).append('\n');
        s.append("peak_heap_bytes,").append(peakHeapBytes).append('\n');
        s.append("bytes_per_open_connection,").append(retainedHeapBytes == NOT_MEASURED ? "" : // not measured: empty
            String.format(Locale.ROOT, "%.1f", bytesPerOpenConnection())).append('\n');
        return s.toString();
    }

    /** Draws the gauges per second (connections holding state, ends in TIME-WAIT) as a PNG, headlessly. */
    public void timeSeriesChart(final Path file) throws IOException
    {
        System.setProperty("java.awt.headless", "true");
        final XYChart chart = new XYChartBuilder().width(1000).height(500)
            .title(String.format(Locale.ROOT, "%,d connections at %,.0f/s: state held over virtual time",
                scenario.connections, scenario.arrivalsPerSecond))
            .xAxisTitle("virtual time (s)").yAxisTitle("count").build();
        chart.getStyler().setLegendPosition(Styler.LegendPosition.InsideNE);
        chart.getStyler().setYAxisDecimalPattern("#,###").setYAxisMin(0.0);
        final double[] x = new double[openBySecond.length];
        final double[] open = new double[openBySecond.length];
        final double[] timeWait = new double[openBySecond.length];
        for (int k = 0; k < x.length; k++)
        {
            x[k] = k;
            open[k] = openBySecond[k];
            timeWait[k] = timeWaitBySecond[k];
        }
        if (x.length > 0)
        {
            chart.addSeries("connections holding state", x, open)
                .setMarker(SeriesMarkers.NONE);
            chart.addSeries("ends in TIME-WAIT", x, timeWait)
                .setMarker(SeriesMarkers.NONE);
        }
        BitmapEncoder.saveBitmap(chart, file.toString(), BitmapEncoder.BitmapFormat.PNG);
    }

    /** @return {@code second,open_connections,time_wait} rows: the gauges at each whole second. */
    public String timeSeriesCsv()
    {
        final StringBuilder s = new StringBuilder("second,open_connections,time_wait\n");
        for (int k = 0; k < openBySecond.length; k++)
        {
            s.append(k).append(',').append(openBySecond[k]).append(',').append(timeWaitBySecond[k]).append('\n');
        }
        return s.toString();
    }

    private static void csvHistogram(final StringBuilder s, final String name, final Histogram h)
    {
        final Map<String, Object> m = histogram(h);
        for (final Map.Entry<String, Object> e : m.entrySet())
        {
            s.append(name).append('_').append(e.getKey()).append(',').append(e.getValue()).append('\n');
        }
    }

    private static Map<String, Object> histogram(final Histogram h)
    {
        final Map<String, Object> m = new LinkedHashMap<>();
        m.put("count", h.getTotalCount());
        final boolean empty = h.getTotalCount() == 0;
        m.put("mean", empty ? 0 : Math.round(h.getMean()));
        m.put("p50", empty ? 0 : h.getValueAtPercentile(50));
        m.put("p99", empty ? 0 : h.getValueAtPercentile(99));
        m.put("max", empty ? 0 : h.getMaxValue());
        return m;
    }

    private Map<String, Object> scenarioMap()
    {
        final Map<String, Object> m = new LinkedHashMap<>();
        m.put("seed", scenario.seed);
        m.put("connections", scenario.connections);
        m.put("rate", scenario.arrivalsPerSecond);
        m.put("clients", scenario.clientAddresses);
        m.put("ports", scenario.portLow + "-" + scenario.portHigh);
        m.put("request_bytes", scenario.requestBytes);
        m.put("response_bytes", scenario.responseBytes);
        if (!scenario.requestSizes.isConstant() || !scenario.responseSizes.isConstant())
        {
            m.put("request_size", scenario.requestSizes.toString());
            m.put("response_size", scenario.responseSizes.toString());
        }
        if (scenario.exchanges.isPersistent())
        {
            m.put("exchanges", scenario.exchanges.counts());
            m.put("think_time_us", scenario.exchanges.thinkTimesUs());
        }
        if (scenario.closeAfterEofUs > 0)
        {
            m.put("close_after_eof_us", scenario.closeAfterEofUs);
        }
        m.put("rto", scenario.rtoSpecification);
        m.put("retry_policy", scenario.retryPolicy.toString());
        m.put("network", scenario.network.toString());
        m.put("tlp", scenario.tailLossProbe);
        m.put("hz", scenario.hz);
        m.put("timer_slack", scenario.timerSlack && scenario.hz > 0);
        m.put("time_wait_us", scenario.timeWaitUs);
        m.put("fin_timeout_us", scenario.finTimeoutUs);
        m.put("client_closes_first", scenario.clientClosesFirst);
        m.put("simultaneous_close", scenario.simultaneousClose);
        // The traffic model: without these a Reno run and a CUBIC run (or SACK on and off) read alike.
        m.put("timestamps", scenario.timestamps);
        m.put("delayed_ack", scenario.delayedAck.name().toLowerCase(Locale.ROOT));
        m.put("ato_min_us", scenario.atoMinUs);
        m.put("ato_max_us", scenario.atoMaxUs);
        m.put("cwnd", scenario.window.name().toLowerCase(Locale.ROOT));
        m.put("cc", scenario.cc.name().toLowerCase(Locale.ROOT));
        m.put("initial_window", scenario.initialWindow);
        m.put("fast_retransmit", scenario.fastRetransmit);
        m.put("sack", scenario.sack);
        m.put("rack", scenario.rack);
        m.put("frto", scenario.frto);
        m.put("prr", scenario.prr);
        m.put("slow_start_after_idle", scenario.slowStartAfterIdle);
        return m;
    }
}
