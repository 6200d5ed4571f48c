import io.escapement.engine.wheel.TimerWheel;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

/** TimerPeersRandomRearmBenchmark's loops for the engine, timed in slices: applyAsLong(ops) returns elapsed ns. */
public final class RearmSlice implements java.util.function.LongUnaryOperator
{
    static final int INPUTS = 1 << 16, MASK = INPUTS - 1;
    final TimerWheel wheel; final long[] handles; final int[] ids = new int[INPUTS]; final long[] deadlines = new long[INPUTS];
    final int mode; // 0 rearmRandom, 1 ticking, 2 later (TimerPeersBenchmark.rearm)
    long now; int next; long fired; long sink;
    final long[] later; final int[] laterIds = new int[INPUTS]; final int[] steps = new int[INPUTS];

    public RearmSlice(final int mode, final int live)
    {
        this.mode = mode;
        final SplittableRandom random = new SplittableRandom(0x5EED);
        wheel = TimerWheel.builder(TimeUnit.MILLISECONDS).initialCapacity(live + 1024).build();
        handles = new long[live];
        later = new long[live];
        if (mode == 2)
        {
            for (int id = 0; id < live; id++) { later[id] = 3_600_000 + random.nextInt(1_000, 10_001); handles[id] = wheel.arm(later[id], id); }
            for (int i = 0; i < INPUTS; i++) { random.nextInt(200, 3_001); laterIds[i] = random.nextInt(live); steps[i] = random.nextInt(1, 65); }
            return;
        }
        for (int id = 0; id < live; id++) handles[id] = wheel.arm(random.nextInt(1_000, 10_001), id);
        final int[] round = new int[live];
        for (int id = 0; id < live; id++) round[id] = id;
        for (int i = 0; i < INPUTS; i++)
        {
            final int k = i % live;
            if (k == 0) for (int j = live - 1; j > 0; j--) { final int o = random.nextInt(j + 1); final int t = round[j]; round[j] = round[o]; round[o] = t; }
            ids[i] = round[k];
        }
        for (int i = 0; i < INPUTS; i++) deadlines[i] = random.nextInt(1_000, 10_001);
    }

    public long applyAsLong(final long ops)
    {
        final long t0 = System.nanoTime();
        if (mode == 0) for (long k = 0; k < ops; k++) random();
        else if (mode == 1) for (long k = 0; k < ops; k++) ticking();
        else for (long k = 0; k < ops; k++) later();
        final long t = System.nanoTime() - t0;
        if (fired != 0) throw new IllegalStateException("fired " + fired);
        return t;
    }

    private void random() { final int i = next++ & MASK; wheel.rearm(handles[ids[i]], deadlines[i]); }

    private void later() { final int i = next++ & MASK; final int id = laterIds[i]; final long d = later[id] + steps[i]; later[id] = d; wheel.rearm(handles[id], d); }

    private void ticking()
    {
        final int n = next++;
        if ((n & 1023) == 0) fired += wheel.poll(++now, (h, p, d) -> wheel.arm(wheel.currentTime() + 1000, p));
        final int i = n & MASK;
        wheel.rearm(handles[ids[i]], now + deadlines[i]);
    }
}
