package io.escapement.engine.wheel;

import io.escapement.engine.TimerHandler;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.LongRange;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * {@link TimerWheel#pollEarliest}'s Javadoc promises that it fires what the loop {@code earliestDeadline} then
 * {@code poll} fires, in the same order; the simulator's bit-for-bit results rest on that. Two identical wheels
 * are fed the same random operations (arms, zero-delay and past ones included, cancels, re-arms earlier and later,
 * the same from inside callbacks, a callback that throws now and then), one stepped by pollEarliest, the other by
 * that loop; after every step both must have fired the same (handle, deadline) sequence, answered the same count
 * or thrown alike, and stand at the same time. The reference-model property ({@link TimerWheelPropertyTest})
 * checks each step against the specification; this one checks the two paths against each other.
 */
class TimerWheelPollEarliestDifferentialTest
{
    private static final class BoomException extends RuntimeException
    {
        private static final long serialVersionUID = 1L;

        BoomException()
        {
            super("callback failure injected by the test", null, false, false);
        }
    }

    /** One wheel and the random stream that drives it; two drivers with the same seed see the same operations. */
    private static final class Driver implements TimerHandler
    {
        final TimerWheel wheel;
        final Random random;
        final long tick;
        final List<Long> handles = new ArrayList<>();
        final List<Long> log = new ArrayList<>(); // handle, deadline, handle, deadline...

        Driver(final long start, final long tick, final boolean lazy, final long seed)
        {
            this.wheel = TimerWheel.builder(TimeUnit.NANOSECONDS)
                .startTime(start).tickDuration(tick).lazyRearm(lazy).initialCapacity(0).build();
            this.random = new Random(seed);
            this.tick = tick;
        }

        long delay()
        {
            switch (random.nextInt(8))
            {
                case 0:
                    return 0; // due now: OVERDUE, and a zero-delay arm from a callback
                case 1:
                    return -1 - random.nextInt(1_000); // in the past
                case 2:
                    return random.nextInt(3) * tick + random.nextInt((int)Math.min(tick, 1_000)); // this instant's
                case 3:
                    return random.nextInt(300) * tick; // level 0 and 1
                case 4:
                    return random.nextInt(70_000) * tick + random.nextInt(7); // up to level 2
                default:
                    return random.nextInt(50) + random.nextInt(50) * tick;
            }
        }

        long pick()
        {
            return handles.isEmpty() ? TimerWheel.NULL_HANDLE : handles.get(random.nextInt(handles.size()));
        }

        void operate()
        {
            final int op = random.nextInt(10);
            if (op < 5)
            {
                handles.add(wheel.arm(wheel.currentTime() + delay(), handles.size()));
            }
            else if (op < 7)
            {
                wheel.cancel(pick());
            }
            else
            {
                final long handle = pick();
                if (wheel.isArmed(handle))
                {
                    // earlier (eager) or later (lazy when the wheel allows it)
                    final long deadline = random.nextBoolean() ?
                        wheel.currentTime() + random.nextInt((int)Math.min(tick * 4, 100_000)) :
                        wheel.deadline(handle) + delay();
                    wheel.rearm(handle, Math.max(deadline, wheel.currentTime() - 5));
                }
            }
        }

        @Override
        public void onExpiry(final long handle, final long payload, final long deadline)
        {
            log.add(handle);
            log.add(deadline);
            final int action = random.nextInt(10);
            if (action < 4)
            {
                operate();
            }
            else if (action == 4)
            {
                wheel.rearm(handle, wheel.currentTime() + delay()); // periodic
            }
            if (random.nextInt(25) == 0)
            {
                throw new BoomException();
            }
        }

        /** pollEarliest's step, or the loop its Javadoc names; the count fired, -1 if a callback threw. */
        int step(final boolean eventDriven, final long until)
        {
            try
            {
                if (eventDriven)
                {
                    return wheel.pollEarliest(until, this);
                }
                // bounded: a wheel whose earliestDeadline stays put while poll fires nothing would loop forever
                for (long next, spins = 0; (next = wheel.earliestDeadline()) != TimerWheel.NULL_DEADLINE && next <= until;
                     spins++)
                {
                    if (spins > 1_000_000)
                    {
                        throw new AssertionError("earliestDeadline stays at " + next + " and poll fires nothing");
                    }
                    final int fired = wheel.poll(Math.max(wheel.currentTime(), next), this);
                    if (fired > 0)
                    {
                        return fired;
                    }
                }
                return 0;
            }
            catch (final BoomException expected)
            {
                return -1;
            }
        }
    }

    @Provide
    Arbitrary<Long> ticks()
    {
        return Arbitraries.of(1L, 1L, 3L, 1_000L, 1_024L);
    }

    @Property(tries = 300)
    void pollEarliestFiresWhatTheEarliestDeadlineThenPollLoopFires(
        @ForAll final long seed,
        @ForAll("ticks") final long tick,
        @ForAll final boolean lazy,
        @ForAll @LongRange(min = -1_000_000, max = 1_000_000) final long start,
        @ForAll @IntRange(min = 50, max = 600) final int steps)
    {
        final Driver stepped = new Driver(start, tick, lazy, seed);
        final Driver looped = new Driver(start, tick, lazy, seed);
        final Random choice = new Random(~seed);
        for (int i = 0; i < steps; i++)
        {
            final int ops = choice.nextInt(4);
            for (int k = 0; k < ops; k++)
            {
                stepped.operate();
                looped.operate();
            }
            final long now = stepped.wheel.currentTime();
            final int kind = choice.nextInt(3);
            final long until = kind == 0 ? Long.MAX_VALUE :
                now + (kind == 1 ? choice.nextInt(3) * tick + choice.nextInt((int)Math.min(tick, 1_000)) :
                    choice.nextInt(5_000) * tick);
            final int a = stepped.step(true, until);
            final int b = looped.step(false, until);
            final String where = "step " + i + " until " + until + " from " + now;
            assertEquals(b, a, "fired count (-1: threw), " + where);
            assertEquals(looped.log, stepped.log, "fired (handle, deadline) sequence, " + where);
            assertEquals(looped.wheel.currentTime(), stepped.wheel.currentTime(), "current time, " + where);
            assertEquals(looped.wheel.timerCount(), stepped.wheel.timerCount(), "timer count, " + where);
            stepped.log.clear();
            looped.log.clear();
        }
        // drain both without limit
        for (int guard = 0; stepped.wheel.timerCount() > 0; guard++)
        {
            final int a = stepped.step(true, Long.MAX_VALUE);
            final int b = looped.step(false, Long.MAX_VALUE);
            assertEquals(b, a, "fired count while draining");
            assertEquals(looped.log, stepped.log, "fired sequence while draining");
            assertEquals(looped.wheel.currentTime(), stepped.wheel.currentTime(), "current time while draining");
            stepped.log.clear();
            looped.log.clear();
            assertEquals(true, guard < 1_000_000, "draining made no progress");
        }
        assertEquals(0, looped.wheel.timerCount());
    }
}
