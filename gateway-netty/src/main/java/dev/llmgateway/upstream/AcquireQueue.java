package dev.llmgateway.upstream;

import io.netty.channel.EventLoop;
import io.netty.util.concurrent.Promise;

import java.util.ArrayDeque;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The acquires of a pool that wait for a connection (or a stream), served in order; each fails with a
 * {@link TimeoutException} once it waited the connect timeout. Confined to the pool's loop like the pool.
 */
final class AcquireQueue<T> {
    private final ArrayDeque<Promise<T>> waiting = new ArrayDeque<>();
    private final EventLoop loop;
    private final long timeoutNanos;

    AcquireQueue(EventLoop loop, long timeoutNanos) {
        this.loop = loop;
        this.timeoutNanos = timeoutNanos;
    }

    /** Queues {@code promise}; after the timeout it fails saying {@code why}, unless served before. */
    void add(Promise<T> promise, String why) {
        waiting.add(promise);
        loop.schedule(() -> {
            if (waiting.remove(promise)) {
                promise.tryFailure(new TimeoutException(why));
            }
        }, timeoutNanos, TimeUnit.NANOSECONDS);
    }

    Promise<T> peek() {
        return waiting.peek();
    }

    Promise<T> poll() {
        return waiting.poll();
    }

    boolean isEmpty() {
        return waiting.isEmpty();
    }

    int size() {
        return waiting.size();
    }
}
