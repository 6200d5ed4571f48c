package io.escapement.engine.rto;

import java.math.BigInteger;

/**
 * The Linux kernel's TCP RTT estimator and retransmission timeout, reproduced with the kernel's integer arithmetic
 * and rounding, so that the same samples give the same timeouts, to the jiffy, as a Linux host.
 * <p>
 * Followed: Linux 6.10-rc1 (torvalds/linux commit {@code 35e02583088823e8833419c360eeefcd3f935fed}). The other
 * versions of these functions consulted (an older 5.x tree, patches against later 6.x) differ only in the
 * {@code tcp_bpf_rtt()} hook's arguments.
 * <ul>
 *   <li>{@code tcp_rtt_estimator()}, net/ipv4/tcp_input.c: Van Jacobson's estimator (SIGCOMM '88) with Linux's
 *       changes. {@code srtt_us} is kept scaled by 8 and {@code mdev_us} by 4. The first sample m sets
 *       {@code srtt = m << 3}, {@code mdev = m << 1} ("make sure rto = 3*rtt"),
 *       {@code rttvar = max(mdev, tcp_rto_min_us)}, {@code mdev_max = rttvar} and {@code rtt_seq = snd_nxt}. A later
 *       sample takes the error {@code m - (srtt >> 3)}, adds it to srtt (gain 1/8), and updates mdev with gain 1/4,
 *       except that a negative error (the RTT fell) counts only by 1/8 of its excess over {@code mdev >> 2}, so a
 *       falling RTT does not inflate the variance (the kernel compares this to Eifel). mdev raises
 *       {@code mdev_max}, which raises {@code rttvar}. Once per round trip, when {@code after(snd_una, rtt_seq)},
 *       {@code rttvar} decays a quarter of the way down to {@code mdev_max}, {@code rtt_seq = snd_nxt} and
 *       {@code mdev_max} restarts from {@code tcp_rto_min_us}. Finally {@code srtt_us = max(1U, srtt)}: a
 *       connection that has had a sample never has srtt 0 again, even after a 0 us sample.</li>
 *   <li>{@code tcp_set_rto()}, same file, with {@code __tcp_set_rto()} and {@code tcp_bound_rto()},
 *       include/net/tcp.h: {@code icsk_rto = usecs_to_jiffies((srtt_us >> 3) + rttvar_us)}, at most
 *       {@code TCP_RTO_MAX}. There is no clamp to the minimum: {@code rttvar_us} never falls below
 *       {@code tcp_rto_min_us} (every decay stops at {@code mdev_max}, which starts each round at the minimum),
 *       so the RTO is at least the minimum plus srtt. That is why a near-zero RTT gives 200 ms plus a jiffy, not
 *       200 ms: 204 ms at HZ=250.</li>
 *   <li>{@code tcp_ack_update_rtt()}, same file: after the estimator and {@code tcp_set_rto()},
 *       {@code icsk_backoff = 0} ("RFC6298: only reset backoff on valid RTT measurement").</li>
 *   <li>{@code tcp_retransmit_timer()}, net/ipv4/tcp_timer.c: per expiry {@code icsk_backoff++} and
 *       {@code icsk_rto = min(icsk_rto << 1, TCP_RTO_MAX)}. The state keeps the count, not the doubled value:
 *       {@code min(rto << n, max)} equals n capped doublings. The kernel doubles the RTO in whole jiffies, already
 *       rounded by {@code usecs_to_jiffies()}, and so does this class: unlike the RFC strategies, which double the
 *       exact RTO and round once, the rounding is doubled with it here because it is in the kernel.</li>
 *   <li>{@code usecs_to_jiffies()} / {@code jiffies_to_usecs()}, include/linux/jiffies.h and kernel/time/time.c,
 *       for a 64-bit kernel: when HZ divides 10<sup>6</sup>, {@code (u + 10^6/HZ - 1) / (10^6/HZ)}, rounding up;
 *       otherwise (HZ=300) {@code (USEC_TO_HZ_MUL32 * u + USEC_TO_HZ_ADJ32) >> USEC_TO_HZ_SHR32} with the constants
 *       kernel/time/timeconst.bc generates, computed here the same way. Jiffies go back to microseconds as
 *       {@code (10^6/HZ) * j}, or {@code j * HZ_TO_USEC_NUM / HZ_TO_USEC_DEN}, rounding down.</li>
 *   <li>Constants, include/net/tcp.h: {@code TCP_TIMEOUT_INIT} = 1 s, {@code TCP_RTO_MIN} = 200 ms,
 *       {@code TCP_RTO_MAX} = 120 s, and {@code before()/after()}: 32-bit sequence numbers compared with
 *       wraparound, {@code after(a, b)} being {@code (s32)(b - a) < 0}.</li>
 * </ul>
 *
 * <h2>Parameters</h2>
 * {@code hz} (default 1000; Linux builds with 100, 250, 300 or 1000; accepted 1 to 10000) is the jiffy rate the
 * RTO is rounded up to; {@code hz=0} is an exact configuration, no kernel's: a jiffy of one microsecond, so that the
 * estimator's RTO is compared with RFC formulas without the quantum. {@code min} (default 200 ms) is the minimum, as {@code ip route ... rto_min} (or, in kernels
 * after 6.10, the {@code tcp_rto_min_us} sysctl) sets it: converted to whole jiffies, rounding up, as the kernel stores it, and back to
 * microseconds as the floor of rttvar ({@code tcp_rto_min_us()}). {@code max} (default and largest 120 s: Linux never
 * arms more than {@code TCP_RTO_MAX}) and {@code initial} (default 1 s, moved into [min, max] when not given) are
 * converted to jiffies the same way.
 * {@link #minRtoUs()} and {@link #maxRtoUs()} report the bounds after this rounding, which is what the timer can arm.
 *
 * <h2>Samples</h2>
 * A sample is clamped into [0, {@link RtoStrategy#MAX_SAMPLE_US}]. The estimator itself has no guard against
 * m &lt;= 0: a 0 us sample (what {@code tcp_stamp_us_delta()} yields when send and ACK fall in the same microsecond)
 * is used as is, and a first sample of 0 leaves {@code srtt_us = 1} through the final {@code max(1U, srtt)}. The
 * kernel drops negative samples before the estimator ({@code tcp_ack_update_rtt()} returns when
 * {@code seq_rtt_us < 0}, without clearing the backoff); the {@link RtoStrategy} contract instead treats them as 0,
 * and so does this class. The 1 ms that {@code tcp_rtt_tsopt_us()} substitutes for a 0 ms timestamp echo belongs to
 * the caller's measurement, not to the estimator, and is not applied here. {@code ackDelayUs} is ignored: Linux does
 * not subtract the peer's ACK delay.
 *
 * <h2>Where this differs from the kernel</h2>
 * <ul>
 *   <li>Width: the kernel's {@code srtt_us}, {@code mdev_us}, {@code mdev_max_us} and {@code rttvar_us} are
 *       {@code u32}, and {@code srtt_us} holds 8 x srtt, so a sample of 2<sup>29</sup> us (about 537 s) or more
 *       wraps them. Here they are 40 bits wide, so samples up to the 1 hour clamp are exact and the RTO saturates at
 *       the maximum; below 2<sup>29</sup> us every value is bit-for-bit the kernel's.</li>
 *   <li>The backoff count stops at {@code Backoff.MAX_COUNT} (the kernel's {@code icsk_backoff} is a {@code u8};
 *       {@code tcp_retries2} ends the connection before either matters); the RTO reaches its cap within 30 doublings.</li>
 *   <li>With {@code min} left at its default and an HZ that is not a multiple of 5, the kernel's
 *       {@code TCP_RTO_MIN = HZ/5} truncates, where 200 ms converted here rounds up.</li>
 *   <li>{@code usecs_to_jiffies()} answers {@code MAX_JIFFY_OFFSET} above {@code jiffies_to_usecs(MAX_JIFFY_OFFSET)},
 *       a value that wraps in 64 bits and is truncated to 32. For HZ = 100, 250, 300, 1000 and the other usual values
 *       checked (24 to 1200) it is above 1431 s, where the RTO is at the maximum anyway, so the guard is left out;
 *       for some HZ no kernel is built with (4369 gives 0.98 s) it would turn every longer RTO into
 *       {@code TCP_RTO_MAX}.</li>
 *   <li>Not modelled, as they belong to the connection rather than the estimator: {@code TCP_TIMEOUT_FALLBACK}
 *       (3 s when the handshake was retransmitted without a sample), RTT and rttvar seeded from the
 *       {@code tcp_metrics} cache, thin-stream linear timeouts ({@code tcp_thin_linear_timeouts}), SYN linear
 *       timeouts ({@code tcp_syn_linear_timeouts}), the {@code TCP_USER_TIMEOUT} clamp, the RTO re-armed after a
 *       TLP or RACK timer ({@code tcp_rearm_rto()}), the zero-window probe timer, and the BPF RTT hook. Spurious
 *       timeouts (F-RTO undo) do not change the kernel's RTO, so {@link #onSpuriousTimeout} is the default no-op.</li>
 * </ul>
 *
 * <h2>State</h2>
 * 4 longs, 32 bytes per connection: {@code srtt_us} (x8) and the backoff count; {@code mdev_us} (x4) and the low
 * half of {@code rtt_seq}; {@code mdev_max_us} and its high half; {@code rttvar_us}. A zero {@code srtt_us} means
 * no sample yet, as in the kernel.
 */
public final class LinuxStrategy implements RtoStrategy
{
    /** The name this strategy is chosen by in {@link RtoStrategies#parse}. */
    public static final String NAME = "linux";

    /** {@code HZ} unless given: the x86 and arm64 defconfig value. */
    public static final int DEFAULT_HZ = 1000;
    /** {@code TCP_RTO_MIN}: HZ/5 jiffies. */
    public static final long DEFAULT_MIN_US = 200_000;
    /** {@code TCP_RTO_MAX}: 120*HZ jiffies. */
    public static final long DEFAULT_MAX_US = 120_000_000;
    /** {@code TCP_TIMEOUT_INIT}: 1*HZ jiffies, RFC 6298 section 2.1. */
    public static final long DEFAULT_INITIAL_US = 1_000_000;
    /** The largest {@code hz} accepted. */
    public static final int MAX_HZ = 10_000;
    /** The largest {@code max} accepted: {@code TCP_RTO_MAX}, the most Linux ever arms. */
    public static final long MAX_MAX_US = DEFAULT_MAX_US;

    private static final long USEC_PER_SEC = 1_000_000;

    // State layout: each word holds one 40-bit estimator value in its low bits (the values stay below 2^36, see
    // onRttSample), and above it the backoff count or a 16-bit half of rtt_seq.
    private static final int SRTT = 0;
    private static final int MDEV = 1;
    private static final int MDEV_MAX = 2;
    private static final int RTTVAR = 3;
    private static final int VALUE_BITS = 40;
    private static final long VALUE_MASK = (1L << VALUE_BITS) - 1;
    private static final long HALF_SEQ_MASK = 0xFFFF;

    private final int hz;
    /** 10^6 / HZ when HZ divides 10^6, else 0. */
    private final long usPerJiffy;
    /** USEC_TO_HZ_MUL32, _ADJ32, _SHR32 and HZ_TO_USEC_NUM, _DEN for an HZ that does not divide 10^6. */
    private final long usecToHzMul32;
    private final long usecToHzAdj32;
    private final int usecToHzShr32;
    private final long hzToUsecNum;
    private final long hzToUsecDen;

    private final long minJiffies;
    private final long maxJiffies;
    private final long initialJiffies;
    /** {@code tcp_rto_min_us()}: the minimum in jiffies, back in microseconds; the floor of rttvar. */
    private final long rtoMinUs;
    private final long maxUs;
    /** The configured {@code max}: a sum above it converts to at least {@link #maxJiffies}. */
    private final long maxConfiguredUs;
    private final long initialUs;

    /** @return the kernel's defaults: HZ=1000, min 200 ms, max 120 s, initial 1 s. */
    public static LinuxStrategy withDefaults()
    {
        return fromParameters(RtoParameters.none(NAME));
    }

    /**
     * Builds the strategy from {@code linux:hz=1000,min=200ms,max=120s,initial=1s}, every parameter optional.
     *
     * @param p the parameters: the whole number {@code hz} (1 to {@value #MAX_HZ}, default {@value #DEFAULT_HZ})
     *          and the durations {@code min} (default 200 ms, {@code TCP_RTO_MIN}), {@code max} (default
     *          120 s, {@code TCP_RTO_MAX}) and {@code initial} (default {@code TCP_TIMEOUT_INIT}, 1 s, moved into
     *          [min, max]), each from 1 us to 120 s with {@code min <= initial <= max}; see the class comment for
     *          their rounding to jiffies.
     * @return the strategy.
     * @throws IllegalArgumentException naming the parameter, its value and what is valid.
     */
    public static LinuxStrategy fromParameters(final RtoParameters p)
    {
        final int hz = (int)p.integer("hz", DEFAULT_HZ, 0, MAX_HZ);
        final long minUs = p.durationUs("min", DEFAULT_MIN_US, 1, MAX_MAX_US);
        final long maxUs = p.durationUs("max", DEFAULT_MAX_US, 1, MAX_MAX_US);
        final long initialUs = p.durationUs("initial", Math.min(Math.max(DEFAULT_INITIAL_US, minUs), maxUs), 1,
            MAX_MAX_US);
        p.checkAllRead();
        return new LinuxStrategy(hz, minUs, maxUs, initialUs);
    }

    /**
     * @param hz        the jiffy rate, 1 to {@value #MAX_HZ}, or 0 for exact timers (a jiffy of 1 us).
     * @param minUs     the minimum RTO, at least 1 us; rounded up to whole jiffies.
     * @param maxUs     the maximum RTO, from {@code minUs} to {@link #MAX_MAX_US}, 120 s; rounded up to whole
     *                  jiffies.
     * @param initialUs the RTO before the first sample, within [minUs, maxUs]; rounded up to whole jiffies.
     * @throws IllegalArgumentException naming the parameter, its value and what is valid.
     */
    public LinuxStrategy(final int hz, final long minUs, final long maxUs, final long initialUs)
    {
        if (hz < 0 || hz > MAX_HZ)
        {
            throw invalid("hz", Integer.toString(hz), "a whole number from 1 to " + MAX_HZ + ", or 0 for exact timers");
        }
        if (minUs < 1 || minUs > MAX_MAX_US)
        {
            throw invalid("min", RtoParameters.formatUs(minUs), "a duration from 1us to " +
                RtoParameters.formatUs(MAX_MAX_US));
        }
        if (maxUs < 1 || maxUs > MAX_MAX_US)
        {
            throw invalid("max", RtoParameters.formatUs(maxUs), "a duration from 1us to " +
                RtoParameters.formatUs(MAX_MAX_US) + " (TCP_RTO_MAX)");
        }
        if (minUs > maxUs)
        {
            throw invalid("min", RtoParameters.formatUs(minUs), "at most max=" + RtoParameters.formatUs(maxUs));
        }
        if (initialUs < minUs || initialUs > maxUs)
        {
            throw invalid("initial", RtoParameters.formatUs(initialUs), "a duration from min=" +
                RtoParameters.formatUs(minUs) + " to max=" + RtoParameters.formatUs(maxUs));
        }
        this.hz = hz;
        if (hz == 0 || USEC_PER_SEC % hz == 0)
        {
            usPerJiffy = hz == 0 ? 1 : USEC_PER_SEC / hz; // hz=0: exact, whole microseconds
            usecToHzMul32 = 0;
            usecToHzAdj32 = 0;
            usecToHzShr32 = 0;
            hzToUsecNum = 0;
            hzToUsecDen = 0;
        }
        else
        {
            // kernel/time/timeconst.bc: s = fmuls(32, hz, 10^6), the least s with fmul(s) >= 2^31;
            // fmul(s, n, d) = (2^s * n + d - 1) / d; fadj(s, n, d) = 2^s * (d' - 1) / d', d' = d / gcd(n, d).
            final BigInteger n = BigInteger.valueOf(hz);
            final BigInteger d = BigInteger.valueOf(USEC_PER_SEC);
            int s = 0;
            while (fmul(s, n, d).compareTo(BigInteger.ONE.shiftLeft(31)) < 0)
            {
                s++;
            }
            final BigInteger reduced = d.divide(n.gcd(d));
            usPerJiffy = 0;
            usecToHzShr32 = s;
            usecToHzMul32 = fmul(s, n, d).longValueExact();
            usecToHzAdj32 = BigInteger.ONE.shiftLeft(s).multiply(reduced.subtract(BigInteger.ONE)).divide(reduced)
                .longValueExact();
            final long gcd = n.gcd(d).longValueExact();
            hzToUsecNum = USEC_PER_SEC / gcd;
            hzToUsecDen = hz / gcd;
        }
        // below 2^31 us the kernel's conversion is the exact ceiling, so min <= initial <= max stays true in jiffies
        minJiffies = usecsToJiffies(minUs);
        maxJiffies = usecsToJiffies(maxUs);
        initialJiffies = usecsToJiffies(initialUs);
        rtoMinUs = jiffiesToUsecs(minJiffies);
        this.maxUs = jiffiesToUsecs(maxJiffies);
        maxConfiguredUs = maxUs;
        this.initialUs = jiffiesToUsecs(initialJiffies);
    }

    private static BigInteger fmul(final int s, final BigInteger n, final BigInteger d)
    {
        return BigInteger.ONE.shiftLeft(s).multiply(n).add(d).subtract(BigInteger.ONE).divide(d);
    }

    private static IllegalArgumentException invalid(final String key, final String value, final String expected)
    {
        return new IllegalArgumentException("strategy " + NAME + ": parameter " + key + "=" + value +
            " is invalid, expected " + expected);
    }

    /**
     * {@code _usecs_to_jiffies()} of a 64-bit kernel at this HZ, for {@code 0 <= us < 2^32} (an {@code unsigned
     * int}): the ceiling in whole jiffies (exactly so below 2<sup>31</sup> us when HZ does not divide 10<sup>6</sup>;
     * timeconst.bc allows an error of one above).
     */
    long usecsToJiffies(final long us)
    {
        if (usPerJiffy != 0)
        {
            return (us + usPerJiffy - 1) / usPerJiffy;
        }
        // u64 arithmetic, as in the kernel: Java's long wraps the same way and >>> is the unsigned shift
        return (usecToHzMul32 * us + usecToHzAdj32) >>> usecToHzShr32;
    }

    /** {@code jiffies_to_usecs()} of a 64-bit kernel at this HZ, for the jiffy counts an RTO can have. */
    long jiffiesToUsecs(final long jiffies)
    {
        if (usPerJiffy != 0)
        {
            return usPerJiffy * jiffies;
        }
        return jiffies * hzToUsecNum / hzToUsecDen;
    }

    @Override
    public String name()
    {
        return NAME;
    }

    @Override
    public int stateWords()
    {
        return 4;
    }

    @Override
    public void reset(final long[] state, final int offset)
    {
        state[offset + SRTT] = 0;
        state[offset + MDEV] = 0;
        state[offset + MDEV_MAX] = 0;
        state[offset + RTTVAR] = 0;
    }

    /**
     * {@code tcp_rtt_estimator()} followed by the end of {@code tcp_ack_update_rtt()}: the backoff is cleared. The
     * operations, their order, and every shift's rounding are the kernel's; the values are longs, not u32 (see the
     * class comment). With m at most 1 hour (M), srtt stays at most 8M and mdev at most 4M + 4 (its update is
     * {@code mdev - mdev/4 + err} with err at most M), so all fit 36 bits.
     */
    @Override
    public void onRttSample(final long[] state, final int offset, final long rttUs, final long ackDelayUs,
        final long sndUna, final long sndNxt)
    {
        long m = Math.min(Math.max(rttUs, 0), MAX_SAMPLE_US);
        long srtt = state[offset + SRTT] & VALUE_MASK;
        long mdev;
        long mdevMax;
        long rttvar;
        long rttSeq;
        if (srtt != 0)
        {
            mdev = state[offset + MDEV] & VALUE_MASK;
            mdevMax = state[offset + MDEV_MAX] & VALUE_MASK;
            rttvar = state[offset + RTTVAR];
            rttSeq = readRttSeq(state, offset);
            m -= srtt >> 3; // m is now the error of the estimate
            srtt += m; // srtt = 7/8 srtt + 1/8 m
            // the kernel's branches, without a branch: the sign of the error follows the path's jitter, so a jump
            // on it is mispredicted about every other sample. fell is -1 when the RTT fell, else 0
            final long fell = m >> 63;
            m = ((m ^ fell) - fell) - (mdev >> 2); // |error| - mdev / 4
            // the RTT fell by more than the deviation: the excess counts 1/8 as much, gain 1/32 instead of 1/4
            // (m > 0 is m - 1 >= 0; m is far from Long.MIN_VALUE, see above)
            m >>= (int)(fell & ~((m - 1) >> 63) & 3);
            mdev += m; // mdev = 3/4 mdev + 1/4 |error|
            if (mdev > mdevMax)
            {
                mdevMax = mdev;
                if (mdevMax > rttvar)
                {
                    rttvar = mdevMax;
                }
            }
            if ((int)(rttSeq - sndUna) < 0) // after(snd_una, rtt_seq): a round trip has ended
            {
                if (mdevMax < rttvar)
                {
                    rttvar -= (rttvar - mdevMax) >> 2;
                }
                rttSeq = sndNxt;
                mdevMax = rtoMinUs;
            }
        }
        else
        {
            srtt = m << 3; // the first measurement is the RTT
            mdev = m << 1; // so that rto = 3 * rtt
            rttvar = Math.max(mdev, rtoMinUs);
            mdevMax = rttvar;
            rttSeq = sndNxt;
        }
        srtt = Math.max(1, srtt);
        // the backoff count (above srtt) is cleared: icsk_backoff = 0
        state[offset + SRTT] = srtt;
        state[offset + MDEV] = mdev | (rttSeq & HALF_SEQ_MASK) << VALUE_BITS;
        state[offset + MDEV_MAX] = mdevMax | (rttSeq >>> 16 & HALF_SEQ_MASK) << VALUE_BITS;
        state[offset + RTTVAR] = rttvar;
    }

    private static long readRttSeq(final long[] state, final int offset)
    {
        return (state[offset + MDEV] >>> VALUE_BITS) | (state[offset + MDEV_MAX] >>> VALUE_BITS) << 16;
    }

    /**
     * An acknowledgment of new data without a valid RTT sample: nothing changes, the backoff stays. Linux's
     * {@code tcp_ack_update_rtt()} (net/ipv4/tcp_input.c) returns before {@code icsk_backoff = 0} when the ACK gave
     * no sample ("RFC6298: only reset backoff on valid RTT measurement"), and the estimator runs only with one.
     */
    @Override
    public void onAckWithoutSample(final long[] state, final int offset)
    {
        // deliberately empty: the backed-off timeout is kept until a valid sample (Karn's algorithm)
    }

    /** {@code tcp_retransmit_timer()}'s exponential branch: {@code icsk_backoff++}. */
    @Override
    public void onTimeout(final long[] state, final int offset)
    {
        final long word = state[offset + SRTT];
        final int count = Backoff.increment((int)(word >>> VALUE_BITS));
        state[offset + SRTT] = (word & VALUE_MASK) | (long)count << VALUE_BITS;
    }

    /**
     * @return {@code icsk_rto} in microseconds: {@code min(rto << backoff, TCP_RTO_MAX)} jiffies, where rto is
     * {@code TCP_TIMEOUT_INIT} before the first sample and {@code tcp_set_rto()}'s value after it.
     */
    @Override
    public long rtoUs(final long[] state, final int offset)
    {
        return jiffiesToUsecs(Backoff.apply(baseRtoJiffies(state, offset), backoffCount(state, offset), maxJiffies));
    }

    /** @return {@code tcp_set_rto()}: {@code usecs_to_jiffies((srtt_us >> 3) + rttvar_us)}, at most the maximum. */
    private long baseRtoJiffies(final long[] state, final int offset)
    {
        final long srtt = state[offset + SRTT] & VALUE_MASK;
        if (srtt == 0)
        {
            return initialJiffies;
        }
        final long us = (srtt >> 3) + state[offset + RTTVAR];
        if (us > maxConfiguredUs)
        {
            // usecs_to_jiffies() grows with its argument and is maxJiffies at maxConfiguredUs; the test also keeps
            // its argument within the 32 bits of the kernel's unsigned int (see the class comment)
            return maxJiffies;
        }
        return Math.min(usecsToJiffies(us), maxJiffies);
    }

    /** @return {@code srtt_us >> 3}, or -1 before the first sample. */
    @Override
    public long srttUs(final long[] state, final int offset)
    {
        final long srtt = state[offset + SRTT] & VALUE_MASK;
        return srtt == 0 ? -1 : srtt >> 3;
    }

    /** @return {@code rttvar_us}, or -1 before the first sample. */
    @Override
    public long rttvarUs(final long[] state, final int offset)
    {
        return (state[offset + SRTT] & VALUE_MASK) == 0 ? -1 : state[offset + RTTVAR];
    }

    /**
     * The kernel's {@code mdev_us} (struct tcp_sock), for tests that compare the estimator with
     * {@code tcp_rtt_estimator()} word for word.
     *
     * @param state  the caller's {@code long[]} of per-connection words.
     * @param offset the index in {@code state} of this connection's first word.
     * @return {@code mdev_us}: 4 x the mean deviation, microseconds, or -1 before the first sample.
     */
    public long mdevUs(final long[] state, final int offset)
    {
        return (state[offset + SRTT] & VALUE_MASK) == 0 ? -1 : state[offset + MDEV] & VALUE_MASK;
    }

    /**
     * The kernel's {@code mdev_max_us}, for tests that compare the estimator with {@code tcp_rtt_estimator()}.
     *
     * @param state  the caller's {@code long[]} of per-connection words.
     * @param offset the index in {@code state} of this connection's first word.
     * @return {@code mdev_max_us}: the largest mdev of the current round trip (at least the minimum RTO),
     *         microseconds, or -1 before the first sample.
     */
    public long mdevMaxUs(final long[] state, final int offset)
    {
        return (state[offset + SRTT] & VALUE_MASK) == 0 ? -1 : state[offset + MDEV_MAX] & VALUE_MASK;
    }

    /**
     * The kernel's {@code rtt_seq}: the {@code sndNxt} of the sample that began the current round trip; the round
     * trip ends, and {@code rttvar_us} decays, at the first sample whose {@code sndUna} is after it.
     *
     * @param state  the caller's {@code long[]} of per-connection words.
     * @param offset the index in {@code state} of this connection's first word.
     * @return {@code rtt_seq}, the 32-bit sequence number that ends the current round trip, from 0 to
     *         2<sup>32</sup> - 1; 0 before a sample.
     */
    public long rttSeq(final long[] state, final int offset)
    {
        return readRttSeq(state, offset);
    }

    @Override
    public int backoffCount(final long[] state, final int offset)
    {
        return (int)(state[offset + SRTT] >>> VALUE_BITS);
    }

    /** @return the minimum in whole jiffies, in microseconds: {@code tcp_rto_min_us()}. */
    @Override
    public long minRtoUs()
    {
        return rtoMinUs;
    }

    /** @return the maximum in whole jiffies, in microseconds. */
    @Override
    public long maxRtoUs()
    {
        return maxUs;
    }

    /** @return the RTO before the first sample, in whole jiffies, in microseconds. */
    public long initialRtoUs()
    {
        return initialUs;
    }

    /** @return the jiffy rate. */
    public int hz()
    {
        return hz;
    }

    @Override
    public String toString()
    {
        return NAME + "(hz=" + hz + ",min=" + RtoParameters.formatUs(rtoMinUs) + ",max=" +
            RtoParameters.formatUs(maxUs) + ",initial=" + RtoParameters.formatUs(initialUs) + ")";
    }
}
