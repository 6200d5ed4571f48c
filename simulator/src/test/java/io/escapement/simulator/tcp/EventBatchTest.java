package io.escapement.simulator.tcp;

import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The event batch's arrays: grown for a burst, given back after it, kept for ordinary batches; its sort of small
 * batches against the JDK's.
 */
class EventBatchTest
{
    private static void fill(final EventBatch batch, final int events)
    {
        for (int e = 0; e < events; e++)
        {
            batch.onExpiry(e, EventBatch.ARRIVAL, 1);
        }
    }

    @Test
    void shouldGiveBackTheArraysABurstGrewWhenTheNextBatchStarts()
    {
        // a microsecond of 86,000 TIME-WAIT expiries (a bucket of the kernel timer wheel) must not leave 4 MiB of
        // batch arrays behind for the rest of the run
        final EventBatch batch = new EventBatch(null, null, null, null);
        fill(batch, 86_000);
        assertTrue(batch.capacity() >= 86_000);
        batch.clear();
        assertEquals(EventBatch.INITIAL_CAPACITY, batch.capacity());
    }

    @Test
    void shouldKeepTheArraysOfAnOrdinaryBatch()
    {
        // no reallocation churn for batches up to the retained capacity
        final EventBatch batch = new EventBatch(null, null, null, null);
        fill(batch, EventBatch.RETAINED_CAPACITY);
        batch.clear();
        assertEquals(EventBatch.RETAINED_CAPACITY, batch.capacity());
        fill(batch, 10);
        assertEquals(EventBatch.RETAINED_CAPACITY, batch.capacity());
    }

    @Test
    void shouldSortSmallBatchesAsArraysSortDoes()
    {
        final SplittableRandom random = new SplittableRandom(7);
        for (int round = 0; round < 20_000; round++)
        {
            final int n = random.nextInt(EventBatch.SMALL_BATCH + 1);
            final long[] keys = new long[n + 3]; // entries past n stay where they are
            for (int e = 0; e < keys.length; e++)
            {
                // connection, kind, then the distinct index, as the batch builds them; few connections, so that
                // equal connection and kind (two packets of one connection in one microsecond) occur often
                keys[e] = ((long)random.nextInt(4) << 4 | random.nextInt(1, 13)) << 27 | e;
            }
            final long[] expected = keys.clone();
            Arrays.sort(expected, 0, n);
            EventBatch.insertionSort(keys, n);
            assertArrayEquals(expected, keys, "n=" + n);
        }
    }
}
