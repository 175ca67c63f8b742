package dev.llmgateway.upstream;

import io.netty.util.concurrent.Future;

/**
 * The connections to one provider on one event loop ({@link UpstreamPools}): HTTP/1.1 keep-alive connections, one
 * request each ({@link ConnectionPool}), or multiplexed HTTP/2 connections, a stream per request
 * ({@link Http2Pool}). Every method runs on the pool's loop.
 */
interface ProviderPool {
    Provider provider();

    /** A session for one request; fails after the connect timeout when none can be had. */
    Future<? extends UpstreamSession> acquire();

    /** Connections open or being opened. */
    int open();

    /** Connections that carry no request now. */
    int idle();

    int pendingAcquires();

    /** Drains the pool: idle connections close now, busy ones when their last request ends; none takes another. */
    void retire();

    /** Closes the idle connections; busy ones close when their exchange ends. */
    void closeIdle();
}
