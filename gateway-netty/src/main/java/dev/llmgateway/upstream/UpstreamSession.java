package dev.llmgateway.upstream;

import io.netty.handler.codec.http.FullHttpRequest;

/**
 * A provider ready to take one request on the caller's event loop: a pooled connection, or the built-in mock.
 * After {@link #send} it is the {@link UpstreamSource} of that request's response.
 */
public interface UpstreamSession extends UpstreamSource {
    /** True when it served an earlier request: a failure before any response may be a stale socket. */
    boolean reused();

    /**
     * Sends {@code request} (ownership moves here); its response, or the failure to send it, goes to
     * {@code listener}.
     */
    void send(FullHttpRequest request, UpstreamListener listener);
}
