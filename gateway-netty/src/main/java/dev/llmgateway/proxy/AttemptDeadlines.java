package dev.llmgateway.proxy;

import io.netty.channel.EventLoop;
import io.netty.util.concurrent.FastThreadLocal;

import java.lang.ref.WeakReference;
import java.util.Arrays;
import java.util.Map;
import java.util.WeakHashMap;
import java.util.concurrent.TimeUnit;

/**
 * The upstream attempts of one event loop that wait under one timeout (say every {@code first_byte_timeout} of
 * 60 s), in order of when each is due, with one scheduled task for the whole queue instead of a schedule and a
 * cancel per attempt. An attempt joins at the tail (now + the timeout is never earlier than any deadline already
 * in the queue) and leaves from wherever it is, both in constant time, without touching the task: the task runs at
 * the head's deadline as it was when armed, takes every attempt that is due, and is armed again for the new head.
 * A taken attempt whose deadline moved on meanwhile (a read since; a paused upstream) goes back in its place for
 * the rest, so each timeout fires exactly when due, as the scheduler would fire it, and a busy loop pays one task
 * run per timeout period rather than per request. Confined to the loop, like the attempts.
 */
final class AttemptDeadlines implements Runnable {
    /** The queues of the loops on this thread: one in the gateway, several in tests with embedded channels. */
    private static final FastThreadLocal<Loops> LOOPS = new FastThreadLocal<>() {
        @Override
        protected Loops initialValue() {
            return new Loops();
        }
    };

    /** One queued attempt; {@link UpstreamTimers} is one, linked in at most one queue at a time. */
    abstract static class Waiting {
        private Waiting previous;
        private Waiting next;
        private AttemptDeadlines queue;
        /** When this attempt is due as queued; its real deadline is never earlier. */
        private long dueNanos;

        /** When the attempt is really due, given {@code now}; not after now means it times out. */
        abstract long deadline(long now);

        /** The deadline passed; the attempt is out of its queue. */
        abstract void expired();

        /** Takes the attempt out of its queue, if it is in one. */
        final void leave() {
            if (queue != null) {
                queue.unlink(this);
            }
        }
    }

    /** Weak, as the key it is kept under (see {@link Loops}); its attempts' loop outlives every call here. */
    private final WeakReference<EventLoop> loop;
    private final long timeoutNanos;
    private Waiting head;
    private Waiting tail;
    private boolean armed;

    private AttemptDeadlines(EventLoop loop, long timeoutNanos) {
        this.loop = new WeakReference<>(loop);
        this.timeoutNanos = timeoutNanos;
    }

    /** The queue of {@code loop}'s attempts waiting {@code timeoutNanos}; call it on that loop. */
    static AttemptDeadlines of(EventLoop loop, long timeoutNanos) {
        return LOOPS.get().queue(loop, timeoutNanos);
    }

    long now() {
        return loop.get().ticker().nanoTime();
    }

    /** Queues {@code attempt} (out of any queue it was in), due {@code now} + the timeout. */
    void join(Waiting attempt, long now) {
        attempt.leave();
        attempt.dueNanos = now + timeoutNanos;
        attempt.queue = this;
        attempt.previous = tail;
        if (tail == null) {
            head = attempt;
        } else {
            tail.next = attempt;
        }
        tail = attempt;
        if (!armed) {
            arm(now);
        }
    }

    @Override
    public void run() {
        armed = false;
        long now = now();
        try {
            for (Waiting due = head; due != null && due.dueNanos - now <= 0; due = head) {
                unlink(due);
                long deadline = due.deadline(now);
                if (deadline - now <= 0) {
                    due.expired();
                } else {
                    insert(due, deadline);
                }
            }
        } finally {
            // Also when an expiry threw: the attempts behind it still have their deadlines.
            if (head != null && !armed) {
                arm(now());
            }
        }
    }

    private void arm(long now) {
        armed = true;
        loop.get().schedule(this, Math.max(0, head.dueNanos - now), TimeUnit.NANOSECONDS);
    }

    /** Back in its place for a deadline that moved; from the tail, where a recent read's deadline belongs. */
    private void insert(Waiting attempt, long dueNanos) {
        attempt.dueNanos = dueNanos;
        attempt.queue = this;
        Waiting before = tail;
        while (before != null && before.dueNanos - dueNanos > 0) {
            before = before.previous;
        }
        attempt.previous = before;
        attempt.next = before == null ? head : before.next;
        if (attempt.next == null) {
            tail = attempt;
        } else {
            attempt.next.previous = attempt;
        }
        if (before == null) {
            head = attempt;
        } else {
            before.next = attempt;
        }
    }

    private void unlink(Waiting attempt) {
        if (attempt.previous == null) {
            head = attempt.next;
        } else {
            attempt.previous.next = attempt.next;
        }
        if (attempt.next == null) {
            tail = attempt.previous;
        } else {
            attempt.next.previous = attempt.previous;
        }
        attempt.previous = null;
        attempt.next = null;
        attempt.queue = null;
    }

    /** One thread's queues, per loop (weakly: a test's loop goes with its channel) and per timeout. */
    private static final class Loops {
        private final Map<EventLoop, AttemptDeadlines[]> byLoop = new WeakHashMap<>();
        private EventLoop lastLoop;
        private AttemptDeadlines[] lastQueues;

        AttemptDeadlines queue(EventLoop loop, long timeoutNanos) {
            if (loop != lastLoop) {
                lastQueues = byLoop.getOrDefault(loop, new AttemptDeadlines[0]);
                lastLoop = loop;
            }
            for (AttemptDeadlines queue : lastQueues) {
                if (queue.timeoutNanos == timeoutNanos) {
                    return queue;
                }
            }
            // A timeout not seen on this loop yet: one more queue, kept (the config's timeouts are few).
            AttemptDeadlines[] grown = Arrays.copyOf(lastQueues, lastQueues.length + 1);
            AttemptDeadlines queue = new AttemptDeadlines(loop, timeoutNanos);
            grown[lastQueues.length] = queue;
            lastQueues = grown;
            byLoop.put(loop, grown);
            return queue;
        }
    }
}
