package io.escapement.engine.service;

import org.HdrHistogram.Histogram;
import org.HdrHistogram.WriterReaderPhaser;

/**
 * The lateness histogram of a {@link TimerService}: written by the owner on every fire, read by any thread through
 * {@link TimerService#metrics()}. HdrHistogram's {@code SingleWriterRecorder} would enter and leave its phaser (two
 * atomic increments) per value, as much as the rest of a fire costs; this one buffers up to {@value #BATCH} values
 * and records them in one critical section. The buffer is flushed outside callbacks, so a reader never waits for a
 * callback, only for at most {@value #BATCH} histogram increments.
 */
final class LatenessRecorder
{
    static final int BATCH = 32;

    private final WriterReaderPhaser phaser = new WriterReaderPhaser();
    /** Written by the reader (under the phaser's reader lock), read by the writer inside its critical section. */
    private volatile Histogram active;
    private Histogram inactive;
    /** Owner only. */
    private final long[] buffered = new long[BATCH];
    private int count;

    LatenessRecorder(final long highestTrackableNs)
    {
        active = new Histogram(1, highestTrackableNs, 2);
        inactive = new Histogram(1, highestTrackableNs, 2);
    }

    /** Owner only. @param latenessNs at least 0 and at most the highest trackable value. */
    void record(final long latenessNs)
    {
        buffered[count++] = latenessNs;
        if (count == BATCH)
        {
            flush();
        }
    }

    /** Owner only: makes every value recorded so far visible to the next {@link #moveIntervalTo}. */
    void flush()
    {
        if (count == 0)
        {
            return;
        }
        final long token = phaser.writerCriticalSectionEnter();
        try
        {
            final Histogram histogram = active;
            for (int i = 0; i < count; i++)
            {
                histogram.recordValue(buffered[i]);
            }
        }
        finally
        {
            phaser.writerCriticalSectionExit(token);
        }
        count = 0;
    }

    /**
     * Any thread, one at a time (the caller holds a lock): adds the values flushed since the last call to
     * {@code total}. Swaps the two histograms and waits until the writer has left any critical section that may
     * still be writing the old one.
     */
    void moveIntervalTo(final Histogram total)
    {
        phaser.readerLock();
        try
        {
            inactive.reset();
            final Histogram interval = active;
            active = inactive;
            inactive = interval;
            phaser.flipPhase();
            total.add(interval);
        }
        finally
        {
            phaser.readerUnlock();
        }
    }
}
