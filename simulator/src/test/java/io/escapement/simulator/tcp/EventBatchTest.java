package io.escapement.simulator.tcp;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The event batch's arrays: grown for a burst, given back after it, kept for ordinary batches. */
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
}
