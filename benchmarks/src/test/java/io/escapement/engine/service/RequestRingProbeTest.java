package io.escapement.engine.service;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The probe the request-ring benchmark measures drains as the service does: in order, past an entry claimed and not
 * yet published, each request once, handing positions back only up to that entry.
 */
class RequestRingProbeTest
{
    private final RequestRingProbe ring = new RequestRingProbe(1024);
    private final List<long[]> handled = new ArrayList<>();

    private int drain()
    {
        return ring.drain((handle, deadlineNs, payload, meta) -> handled.add(new long[]{handle, deadlineNs, payload,
            meta}));
    }

    @Test
    void shouldHandEveryFieldOfEachRequestInOrder()
    {
        for (long i = 1; i <= 3; i++)
        {
            ring.publish(ring.claim(), i, 10 * i, 100 * i, 1000 * i);
        }
        assertEquals(3, drain());
        for (int i = 0; i < 3; i++)
        {
            final long n = i + 1;
            assertArrayEquals(new long[]{n, 10 * n, 100 * n, 1000 * n}, handled.get(i));
        }
        assertEquals(0, drain(), "each request once");
    }

    @Test
    void shouldHandleThePublishedRequestsBehindAClaimedButUnpublishedOneAndThatOneLater()
    {
        final long first = ring.claim();
        final long stalled = ring.claim();
        final long third = ring.claim();
        ring.publish(first, 1, 0, 0, 0);
        ring.publish(third, 3, 0, 0, 0);
        assertEquals(2, drain(), "not stopped by the stalled producer's entry");
        assertEquals(List.of(1L, 3L), handles());
        ring.publish(stalled, 2, 0, 0, 0);
        assertEquals(1, drain());
        assertEquals(List.of(1L, 3L, 2L), handles(), "the third is not handled twice");
    }

    @Test
    void shouldGiveNoPositionBackPastAnUnpublishedEntryUntilItIsPublished()
    {
        final long stalled = ring.claim();
        for (int i = 1; i < ring.size(); i++)
        {
            ring.publish(ring.claim(), i, 0, 0, 0);
        }
        assertEquals(-1, ring.claim(), "full");
        assertEquals(ring.size() - 1, drain());
        assertEquals(-1, ring.claim(), "still full: every position is behind the stalled one");
        ring.publish(stalled, RequestRingProbe.NOP, 0, 0, 0);
        assertEquals(0, drain(), "a request for nothing is not handed over");
        assertTrue(ring.claim() >= 0, "room again");
    }

    @Test
    void shouldRejectASizeTheServiceWouldNotUse()
    {
        assertTrue(assertThrows(IllegalArgumentException.class, () -> new RequestRingProbe(1000)).getMessage()
            .contains("ringSize"));
        assertThrows(IllegalArgumentException.class, () -> new RequestRingProbe(512));
        assertThrows(IllegalArgumentException.class, () -> new RequestRingProbe(1 << 17));
    }

    private List<Long> handles()
    {
        final List<Long> handles = new ArrayList<>();
        for (final long[] request : handled)
        {
            handles.add(request[0]);
        }
        return handles;
    }
}
