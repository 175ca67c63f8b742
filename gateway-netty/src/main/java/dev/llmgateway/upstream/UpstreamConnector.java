package dev.llmgateway.upstream;

import io.netty.channel.EventLoop;
import io.netty.util.concurrent.Future;

/** Hands out connections to providers; {@link UpstreamPools} in the server, an in-memory channel in benchmarks. */
public interface UpstreamConnector {
    /** A connection to {@code provider} that lives on {@code loop}, the caller's loop. */
    Future<UpstreamConnection> acquire(EventLoop loop, Provider provider);
}
