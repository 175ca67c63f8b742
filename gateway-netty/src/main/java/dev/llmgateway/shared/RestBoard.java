package dev.llmgateway.shared;

import io.lettuce.core.RedisChannelHandler;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisConnectionStateListener;
import io.lettuce.core.RedisURI;
import io.lettuce.core.codec.StringCodec;
import io.lettuce.core.pubsub.RedisPubSubAdapter;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import io.netty.channel.EventLoop;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Hears the rests of upstream keys that any replica met a 429 with (its own included), so that the whole fleet
 * stops sending a key the provider asked to rest: one subscription per replica, on one event loop, whose messages
 * ({@code provider keyid milliseconds}) go to the {@link SharedState.RestListener}. No request ever waits for it:
 * the rests land in the lock-free {@code KeyRing}s, which every attempt reads as before.
 *
 * <p>A lost or failed connection is opened again after a {@link Backoff}, and subscribes again; after each
 * subscription, and whenever the loop's command connection comes up, the rests still running are read once
 * ({@code rests.lua}), so a replica that was away or just started learns what it missed.
 */
final class RestBoard extends RedisPubSubAdapter<String, String> {
    private final SharedState shared;
    private final EventLoop loop;
    private final RedisClient client;
    private final RedisURI uri;
    private final SharedState.RestListener listener;
    private final Backoff backoff = new Backoff();
    private StatefulRedisPubSubConnection<String, String> connection;
    private boolean closed;

    RestBoard(SharedState shared, EventLoop loop, RedisClient client, RedisURI uri,
              SharedState.RestListener listener) {
        this.shared = shared;
        this.loop = loop;
        this.client = client;
        this.uri = uri;
        this.listener = listener;
        client.addListener(new RedisConnectionStateListener() {
            @Override
            public void onRedisDisconnected(RedisChannelHandler<?, ?> lost) {
                loop.execute(() -> {
                    if (lost == connection) {
                        connection = null;
                        retryLater();
                    }
                });
            }
        });
    }

    EventLoop loop() {
        return loop;
    }

    void start() {
        loop.execute(this::connect);
    }

    private void connect() {
        if (closed) {
            return;
        }
        client.connectPubSubAsync(StringCodec.UTF8, uri).whenComplete((opened, error) -> loop.execute(() -> {
            if (error != null || closed) {
                if (opened != null) {
                    opened.closeAsync();
                }
                retryLater();
                return;
            }
            backoff.reset();
            connection = opened;
            opened.addListener(this);
            opened.async().subscribe(shared.restChannel());
        }));
    }

    private void retryLater() {
        if (!closed) {
            loop.schedule(this::connect, backoff.nextNanos(), TimeUnit.NANOSECONDS);
        }
    }

    @Override
    public void subscribed(String channel, long count) {
        catchUp(shared.link(loop));
    }

    /** Reads the rests still running through {@code link} (this loop's command connection), when it is up. */
    void catchUp(RedisLink link) {
        link.catchUpRests(this::rested);
    }

    @Override
    public void message(String channel, String message) {
        int space = message.lastIndexOf(' ');
        if (space > 0) {
            try {
                rested(message.substring(0, space), Long.parseLong(message.substring(space + 1)));
            } catch (NumberFormatException e) {
                // Not one of ours (someone else published on the channel): nothing to rest.
            }
        }
    }

    /** {@code field} is {@code provider keyid}. */
    private void rested(String field, long millis) {
        int space = field.indexOf(' ');
        if (space > 0 && millis > 0) {
            listener.rested(field.substring(0, space), field.substring(space + 1),
                    TimeUnit.MILLISECONDS.toNanos(millis));
        }
    }

    CompletableFuture<Void> close() {
        CompletableFuture<Void> done = new CompletableFuture<>();
        loop.execute(() -> {
            closed = true;
            if (connection != null) {
                connection.closeAsync();
                connection = null;
            }
            done.complete(null);
        });
        return done;
    }
}
