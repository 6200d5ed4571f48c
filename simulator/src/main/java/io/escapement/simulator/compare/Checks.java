package io.escapement.simulator.compare;

import io.escapement.engine.rto.RetryPolicy;
import io.escapement.engine.rto.RtoParameters;
import io.escapement.engine.rto.RtoStrategies;
import io.escapement.engine.rto.RtoStrategy;
import io.escapement.simulator.Scenario;
import io.escapement.simulator.Simulation;
import io.escapement.simulator.net.NetworkModel;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;

/**
 * Checks of the simulator against published results, each quantitative, over seeds with intervals, and each able
 * to fail: the tests run every check on a simulator broken on purpose (a strategy that ignores its minimum, one
 * that backs off wrongly, the timeline without Karn's rule) and see it turn red, and on the real one and see it
 * pass. A check states its source, the number it expects, what it measured and by how much it passed or failed.
 */
public final class Checks
{
    /** A check's verdict. */
    public record Result(String title, String source, String expectation, String measured, String margin,
        boolean passed)
    {
        /**
         * The check as a Markdown list item.
         *
         * @param number the item's number in the list.
         * @return the check as a Markdown list item.
         */
        public String markdown(final int number)
        {
            return number + ". **" + title + "** " + (passed ? "**Passed**" : "**Failed**") + " (margin: " + margin +
                ").\n   Source: " + source + ".\n   Expected: " + expectation + ".\n   Measured: " + measured +
                ".\n";
        }
    }

    /**
     * What the checks run on: how a strategy's specification becomes a strategy, and whether the single-connection
     * timeline applies Karn's rule. {@link #REAL} is the simulator as it is; the tests build broken ones.
     */
    public record Lab(Function<String, RtoStrategy> strategies, boolean karn)
    {
        /** The simulator as it is. */
        public static final Lab REAL = new Lab(RtoStrategies::parse, true);
    }

    /** Builds a simulation of the compare workload for a strategy and a seed. */
    @FunctionalInterface
    public interface Traffic
    {
        /**
         * @param specification the strategy's specification, for reports.
         * @param strategy      the strategy to run.
         * @param seed          the seed.
         * @return the scenario.
         */
        Scenario scenario(String specification, RtoStrategy strategy, long seed);
    }

    /** How many times the minimum's effect must exceed the gains' (interval ends, see {@link #minimumDominates}). */
    static final double DOMINANCE = 3;
    /** The largest SRTT bias, either way, that Karn's rule may leave (interval ends). */
    static final double KARN_BIAS = 0.05;
    /** The smallest inflation of SRTT the ambiguous samples must cause (lower interval end). */
    static final double AMBIGUOUS_INFLATION = 0.10;
    /** The most valid samples RFC 6298 may take to exceed the new RTT after a step. */
    static final int ADAPT_SAMPLES = 5;
    /** Retries of the backoff check (tcp_retries2's role, counted). */
    static final int RETRIES = 8;

    private Checks()
    {
    }

    /**
     * Allman and Paxson 1999: of the RTO's parameters, its minimum dominates performance while the EWMA gains
     * barely matter. Measured on the same traffic (the compare workload, paired seeds): the effect of moving the
     * minimum from 200 ms to 1 s, and of doubling RFC 6298's gains (1/8, 1/4 to 1/4, 1/2) at a 200 ms minimum, on
     * the two sides of the trade-off: the wait of a real loss for its retransmission, and spurious
     * retransmissions. Passes when, on the wait, the minimum's effect at the near end of its interval is at least
     * {@link #DOMINANCE} times the gains' at the far end of theirs, and the higher minimum has fewer spurious
     * retransmissions (interval below zero). The gains' effect on spurious retransmissions is reported, not judged.
     * @param lab what the check runs on: {@link Lab#REAL}, or a simulator broken on purpose.
     * @param traffic the compare workload, for a strategy and a seed.
     * @param seeds the seeds, each an independent replication.
     * @return the verdict.
     * @throws InterruptedException if the thread is interrupted while runs are under way.
     */
    public static Result minimumDominates(final Lab lab, final Traffic traffic, final List<Long> seeds)
        throws InterruptedException
    {
        final String base = "rfc6298:min=200ms";
        final String floor = "rfc6298";
        final String gains = "rfc6298:min=200ms,alpha=0.25,beta=0.5";
        final double[][] a = measure(lab, traffic, base, seeds);
        final double[][] f = measure(lab, traffic, floor, seeds);
        final double[][] g = measure(lab, traffic, gains, seeds);
        final Stats.Interval minWait = Stats.paired(a[1], f[1]);
        final Stats.Interval gainWait = Stats.paired(a[1], g[1]);
        final Stats.Interval minSpurious = Stats.paired(a[0], f[0]);
        final Stats.Interval gainSpurious = Stats.paired(a[0], g[0]);
        final boolean judged = minWait.n() >= 2 && gainWait.n() >= 2 && minSpurious.n() >= 2;
        final double near = minWait.excludesZero() ? Math.min(Math.abs(minWait.low()), Math.abs(minWait.high())) : 0;
        final double far = Math.max(Math.abs(gainWait.low()), Math.abs(gainWait.high()));
        final boolean fewer = minSpurious.excludesZero() && minSpurious.mean() < 0;
        final boolean passed = judged && near > 0 && near >= DOMINANCE * far && fewer;
        return new Result("The RTO's minimum dominates; the EWMA gains barely matter",
            "Allman and Paxson, \"On Estimating End-to-End Network Path Properties\", SIGCOMM 1999, section 4",
            String.format(Locale.ROOT, "moving the minimum from 200 ms to 1 s lengthens the recovery wait at " +
                "least %.0f times as much as doubling the gains changes it (near end of the first paired interval " +
                "against the far end of the second), and leaves fewer spurious retransmissions (paired interval " +
                "below 0); %d seeds", DOMINANCE, seeds.size()),
            String.format(Locale.ROOT, "recovery wait (ms): `%s` − `%s` %s, `%s` − `%s` %s; spurious per 1000 " +
                "segments: minimum %s, gains %s", floor, base, minWait.format(1), gains, base, gainWait.format(1),
                minSpurious.format(2), gainSpurious.format(2)),
            !judged ? "needs 2 seeds" : String.format(Locale.ROOT, "%.1f ms against %.0f × %.1f ms = %.1f ms; " +
                "spurious interval's upper end %.2f", near, DOMINANCE, far, DOMINANCE * far, minSpurious.high()),
            passed);
    }

    /** @return per seed: [0] spurious per 1000 segments, [1] the mean recovery wait in ms. */
    private static double[][] measure(final Lab lab, final Traffic traffic, final String spec,
        final List<Long> seeds) throws InterruptedException
    {
        final double[][] v = new double[2][seeds.size()];
        for (int k = 0; k < seeds.size(); k++)
        {
            final Scenario scenario = traffic.scenario(spec, lab.strategies().apply(spec), seeds.get(k));
            final io.escapement.simulator.report.Report report = new Simulation(scenario, 1, null, null)
                .measureRetainedHeap(false).run(null);
            v[0][k] = Metric.SPURIOUS.of(report);
            v[1][k] = Metric.RECOVERY_WAIT.of(report);
        }
        return v;
    }

    /**
     * Karn and Partridge 1987: an ACK of a retransmitted segment is ambiguous, and a sample timed from the first
     * transmission is too long by at least one RTO whenever the retransmission is what was acknowledged, so taking
     * such samples inflates SRTT; Karn's rule (RFC 6298, section 3) leaves them out. One long-lived connection
     * ({@link RtoTimeline}) per seed over a lossy path, RFC 6298: the relative bias of SRTT (its mean after each
     * ACK against the mean RTT of segments sent once) with the rule, and without it. Passes when the rule's bias
     * lies within ±{@link #KARN_BIAS} (interval ends) and the ambiguous samples inflate SRTT by more than
     * {@link #AMBIGUOUS_INFLATION} on every seed.
     * @param lab what the check runs on: {@link Lab#REAL}, or a simulator broken on purpose.
     * @param lossy the lossy path of the connection.
     * @param seeds the seeds, each an independent replication.
     * @param durationUs how long the connection runs on each seed, microseconds.
     * @return the verdict.
     */
    public static Result karn(final Lab lab, final NetworkModel lossy, final List<Long> seeds, final long durationUs)
    {
        final double[] with = new double[seeds.size()];
        final double[] without = new double[seeds.size()];
        for (int k = 0; k < seeds.size(); k++)
        {
            with[k] = srttBias(RtoTimeline.run(lab.strategies().apply("rfc6298"), RetryPolicy.linuxDefaults(),
                lab.karn(), lossy, seeds.get(k), durationUs));
            without[k] = srttBias(RtoTimeline.run(lab.strategies().apply("rfc6298"), RetryPolicy.linuxDefaults(),
                false, lossy, seeds.get(k), durationUs));
        }
        final Stats.Interval w = Stats.of(with);
        final Stats.Interval wo = Stats.of(without);
        final boolean judged = w.n() >= 2 && wo.n() >= 2;
        final double karnMargin = KARN_BIAS - Math.max(Math.abs(w.low()), Math.abs(w.high()));
        // without the rule the inflation feeds on itself (a longer SRTT, a longer backed-off wait, a longer next
        // ambiguous sample), so its spread over seeds is wide: the prediction is its direction on every seed
        double smallest = Double.POSITIVE_INFINITY;
        for (final double v : without)
        {
            smallest = Math.min(smallest, Double.isNaN(v) ? Double.NEGATIVE_INFINITY : v);
        }
        final double inflationMargin = smallest - AMBIGUOUS_INFLATION;
        return new Result("Karn's rule keeps SRTT unbiased; ambiguous samples would inflate it",
            "Karn and Partridge, \"Improving Round-Trip Time Estimates in Reliable Transport Protocols\", " +
                "SIGCOMM 1987; RFC 6298, section 3",
            String.format(Locale.ROOT, "with Karn's rule SRTT's relative bias within ±%.0f%% (interval ends); " +
                "timing ACKs of retransmissions from the first transmission inflates it by more than %.0f%% on " +
                "every seed (%d seeds, one connection each for %s over %s)", KARN_BIAS * 100, AMBIGUOUS_INFLATION * 100,
                seeds.size(), RtoParameters.formatUs(durationUs), lossy),
            String.format(Locale.ROOT, "bias with the rule %s%%, without it %s%% (smallest %.1f%%)", percent(w),
                percent(wo), smallest * 100),
            judged ? String.format(Locale.ROOT, "%.1f points inside the ±%.0f%% band; smallest inflation %.1f " +
                "points above %.0f%%", karnMargin * 100, KARN_BIAS * 100, inflationMargin * 100,
                AMBIGUOUS_INFLATION * 100) :
                "needs 2 seeds",
            judged && karnMargin >= 0 && inflationMargin > 0);
    }

    private static String percent(final Stats.Interval i)
    {
        return new Stats.Interval(i.n(), i.mean() * 100, i.halfWidth() * 100).format(1);
    }

    /**
     * @return mean SRTT after each ACK ÷ mean RTT of the segments sent once (the path's true RTT, whatever the
     * estimator took) − 1, the first 10 ACKs left out as warm-up.
     */
    static double srttBias(final List<RtoTimeline.Point> points)
    {
        double srtt = 0;
        double samples = 0;
        int n = 0;
        int m = 0;
        int seen = 0;
        for (final RtoTimeline.Point p : points)
        {
            if (p.timeout())
            {
                continue;
            }
            if (++seen <= 10)
            {
                continue;
            }
            if (p.srttUs() > 0)
            {
                srtt += p.srttUs();
                n++;
            }
            if (p.sampleUs() > 0 && !p.retransmitted())
            {
                samples += p.sampleUs();
                m++;
            }
        }
        return n == 0 || m == 0 ? Double.NaN : (srtt / n) / (samples / m) - 1;
    }

    /**
     * RFC 6298, section 5.5: each expiry doubles the timeout, up to the maximum; with {@link #RETRIES} retries
     * counted, a segment that is never acknowledged is given up at the closed-form sum of the timeouts,
     * {@code sum over i = 0..N of min(initial × 2^i, max)}. A connection on a path that loses everything, for two
     * parameter sets; deterministic (no seed changes it). Passes when every give-up time is within one
     * microsecond per expiry (the wheel's tick) of the sum.
     * @param lab what the check runs on: {@link Lab#REAL}, or a simulator broken on purpose.
     * @return the verdict.
     */
    public static Result backoff(final Lab lab)
    {
        final NetworkModel blackHole = NetworkModel.builder().loss(1).rttUs(100_000).build();
        final String[] specs = {"rfc6298", "rfc6298:min=200ms,initial=200ms"};
        final StringBuilder measured = new StringBuilder();
        final StringBuilder expected = new StringBuilder();
        long worst = 0;
        for (final String spec : specs)
        {
            final RtoStrategy strategy = lab.strategies().apply(spec);
            final RtoStrategy reference = RtoStrategies.parse(spec);
            final long[] state = new long[RtoStrategy.MAX_STATE_WORDS];
            reference.reset(state, 0);
            final long initial = reference.rtoUs(state, 0);
            final long max = reference.maxRtoUs();
            long sum = 0;
            for (int i = 0; i <= RETRIES; i++)
            {
                sum += Math.min(initial << i, max);
            }
            final List<RtoTimeline.Point> points = RtoTimeline.run(strategy, RetryPolicy.counting(6, 5, RETRIES),
                lab.karn(), blackHole, 1, 1);
            final long gaveUp = points.isEmpty() ? 0 : points.get(points.size() - 1).atUs();
            worst = Math.max(worst, Math.abs(gaveUp - sum));
            expected.append(expected.length() == 0 ? "" : "; ").append('`').append(spec).append("`: ")
                .append(RtoParameters.formatUs(sum));
            measured.append(measured.length() == 0 ? "" : "; ").append('`').append(spec).append("`: ")
                .append(RtoParameters.formatUs(gaveUp)).append(" after ").append(points.size()).append(" expiries");
        }
        final long tolerance = RETRIES + 1;
        return new Result("Backoff gives up at the closed-form sum of doubled timeouts",
            "RFC 6298, section 5.5 (double the RTO on each expiry) and 2.5 (the maximum)",
            "give-up after " + RETRIES + " retries at the sum of min(initial × 2^i, max) for i = 0.." + RETRIES + ": " +
                expected + ", within " + tolerance + " µs (one tick per expiry)",
            measured.toString(),
            String.format(Locale.ROOT, "largest error %d µs against %d µs allowed", worst, tolerance),
            worst <= tolerance);
    }

    /**
     * Jacobson 1988: after the path's RTT steps up, an RTO built on the RTT's variation (RFC 6298) adapts within
     * a few samples, while RFC 793's SRTT-only rule keeps timing out spuriously under jitter. One long-lived
     * connection per seed through a step at {@code stepAtUs}, both strategies with a 10 ms floor so that the
     * rule, not the floor, decides. Passes when RFC 793 has more spurious timeouts after the step than RFC 6298
     * (paired interval above zero) and RFC 6298's RTO exceeds the new RTT within {@link #ADAPT_SAMPLES} valid
     * samples after the step on every seed.
     *
     * @param lab        what the check runs on: {@link Lab#REAL}, or a simulator broken on purpose.
     * @param step       the path with its RTT step.
     * @param stepAtUs   when the RTT steps up, microseconds.
     * @param newRttUs   the RTT after the step, microseconds.
     * @param seeds      the seeds, each an independent replication.
     * @param durationUs how long the connection runs on each seed, microseconds.
     * @return the verdict.
     */
    public static Result rttStep(final Lab lab, final NetworkModel step, final long stepAtUs, final long newRttUs,
        final List<Long> seeds, final long durationUs)
    {
        final String rfc6298 = "rfc6298:min=10ms";
        final String rfc793 = "rfc793:lbound=10ms";
        final double[] spurious6298 = new double[seeds.size()];
        final double[] spurious793 = new double[seeds.size()];
        int slowest = 0;
        for (int k = 0; k < seeds.size(); k++)
        {
            final List<RtoTimeline.Point> a = RtoTimeline.run(lab.strategies().apply(rfc6298),
                RetryPolicy.linuxDefaults(), lab.karn(), step, seeds.get(k), durationUs);
            final List<RtoTimeline.Point> b = RtoTimeline.run(lab.strategies().apply(rfc793),
                RetryPolicy.linuxDefaults(), lab.karn(), step, seeds.get(k), durationUs);
            spurious6298[k] = a.stream().filter(p -> p.atUs() >= stepAtUs && p.spurious()).count();
            spurious793[k] = b.stream().filter(p -> p.atUs() >= stepAtUs && p.spurious()).count();
            final int adapt = samplesToAdapt(a, stepAtUs, newRttUs);
            slowest = adapt < 0 || slowest < 0 ? -1 : Math.max(slowest, adapt);
        }
        final Stats.Interval d = Stats.paired(spurious6298, spurious793);
        final boolean passed = d.excludesZero() && d.mean() > 0 && slowest >= 1 && slowest <= ADAPT_SAMPLES;
        return new Result("After an RTT step up, RFC 6298 adapts within a few samples; RFC 793 times out spuriously",
            "Jacobson, \"Congestion Avoidance and Control\", SIGCOMM 1988, section 2 and appendix A",
            String.format(Locale.ROOT, "`%s` has more spurious timeouts after the step than `%s` (paired interval " +
                "above 0), and `%s`'s RTO exceeds the new RTT of %s within %d valid samples on every seed (%d " +
                "seeds, one connection each for %s over %s)", rfc793, rfc6298, rfc6298,
                RtoParameters.formatUs(newRttUs), ADAPT_SAMPLES, seeds.size(), RtoParameters.formatUs(durationUs),
                step),
            String.format(Locale.ROOT, "spurious timeouts after the step: `%s` %s, `%s` %s, difference %s; " +
                "valid samples to adapt, slowest seed: %s", rfc6298, Stats.of(spurious6298).format(1), rfc793,
                Stats.of(spurious793).format(1), d.format(1), slowest < 0 ? "never on some seed" : slowest),
            d.n() < 2 ? "needs 2 seeds" : String.format(Locale.ROOT, "difference's lower end %.1f above 0; " +
                "slowest adaptation %s of at most %d samples", d.low(), slowest < 0 ? "never" :
                String.valueOf(slowest), ADAPT_SAMPLES),
            passed);
    }

    /**
     * @param points   a timeline.
     * @param fromUs   where to start counting, microseconds.
     * @param rttUs    the RTT to exceed, microseconds.
     * @return how many valid RTT samples after {@code fromUs} it takes until the RTO computed from one exceeds
     * {@code rttUs} (a backed-off RTO after a timeout does not count: only what the estimator learnt), or -1.
     */
    static int samplesToAdapt(final List<RtoTimeline.Point> points, final long fromUs, final long rttUs)
    {
        int samples = 0;
        for (final RtoTimeline.Point p : points)
        {
            if (p.atUs() < fromUs || p.sampleUs() <= 0)
            {
                continue;
            }
            samples++;
            if (p.rtoUs() > rttUs)
            {
                return samples;
            }
        }
        return -1;
    }

    /**
     * Every check, in the report's order.
     *
     * @param lab            what the checks run on: {@link Lab#REAL}, or a simulator broken on purpose.
     * @param traffic        the compare workload, for a strategy and a seed.
     * @param seeds          the seeds, each an independent replication.
     * @param lossy          the lossy path of Karn's check.
     * @param karnDurationUs how long Karn's connection runs on each seed, microseconds.
     * @param step           the path of the RTT step's check, its step at half of {@code stepDurationUs}.
     * @param newRttUs       the RTT after that step, microseconds.
     * @param stepDurationUs how long the RTT step's connection runs on each seed, microseconds.
     * @return the verdicts.
     * @throws InterruptedException if the thread is interrupted while runs are under way.
     */
    public static List<Result> all(final Lab lab, final Traffic traffic, final List<Long> seeds,
        final NetworkModel lossy, final long karnDurationUs, final NetworkModel step, final long newRttUs,
        final long stepDurationUs) throws InterruptedException
    {
        final List<Result> results = new ArrayList<>();
        results.add(minimumDominates(lab, traffic, seeds));
        results.add(karn(lab, lossy, seeds, karnDurationUs));
        results.add(backoff(lab));
        results.add(rttStep(lab, step, stepDurationUs / 2, newRttUs, seeds, stepDurationUs));
        return results;
    }
}
