package dev.llmgateway.upstream;

import io.netty.channel.EventLoop;
import io.netty.util.concurrent.Future;

/** Hands out connections to providers; pooled connections ({@link UpstreamPools}), the built-in mock, an in-memory channel in benchmarks. */
public interface UpstreamConnector {
    /** A connection to {@code provider} that lives on {@code loop}, the caller's loop. */
    Future<? extends UpstreamSession> acquire(EventLoop loop, Provider provider);
}
