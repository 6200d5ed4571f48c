package io.escapement.simulator.tcp;

import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.Map;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * {@link ResendTimes}, the side table of resend times, against a reference model ({@code HashMap} of per-end arrays)
 * under random sets, marks and releases, seeded; ends are chosen among few so that probe runs collide and
 * backward-shift deletion is exercised.
 */
class ResendTimesTest
{
    @Test
    void shouldAgreeWithAMapUnderRandomSetsMarksAndReleases()
    {
        for (long seed = 1; seed <= 20; seed++)
        {
            final SplittableRandom random = new SplittableRandom(seed);
            final ResendTimes table = new ResendTimes();
            final Map<Integer, long[]> model = new HashMap<>(); // per end: 64 times, then the marks
            final int ends = 8 + random.nextInt(200);
            for (int op = 0; op < 20_000; op++)
            {
                final int end = random.nextInt(ends);
                final int kind = random.nextInt(10);
                if (kind < 5)
                {
                    final int unit = 1 + random.nextInt(63);
                    final long at = random.nextLong(1L << 32);
                    table.set(end, unit, at);
                    model.computeIfAbsent(end, e -> new long[65])[unit] = at;
                }
                else if (kind < 7)
                {
                    final long marks = random.nextLong();
                    table.relost(end, marks);
                    if (model.containsKey(end))
                    {
                        model.get(end)[64] = marks;
                    }
                }
                else
                {
                    table.release(end);
                    model.remove(end);
                }
                final int probe = random.nextInt(ends);
                final long[] expected = model.get(probe);
                final int unit = 1 + random.nextInt(63);
                assertEquals(expected == null ? -1 : expected[unit], table.get(probe, unit),
                    "seed " + seed + " op " + op + " end " + probe + " unit " + unit);
                assertEquals(expected == null ? 0 : expected[64], table.relost(probe), "seed " + seed + " op " + op);
                assertEquals(model.size(), table.size(), "seed " + seed + " op " + op);
            }
        }
    }

    @Test
    void shouldGiveAReusedBlockNoMarksAndNoEndAfterRelease()
    {
        final ResendTimes table = new ResendTimes();
        table.set(3, 1, 500);
        table.relost(3, 0b10);
        table.release(3);
        assertEquals(-1, table.get(3, 1));
        assertEquals(0, table.relost(3));
        table.set(4, 2, 700); // takes the freed block
        assertEquals(0, table.relost(4), "a reused block marks nothing lost");
        assertEquals(700, table.get(4, 2));
    }
}
