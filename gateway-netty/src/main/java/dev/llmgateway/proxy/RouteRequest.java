package dev.llmgateway.proxy;

import io.netty.buffer.ByteBuf;

/**
 * What one route's provider is sent, made once per route and resent by each of its attempts: the body, the path
 * below the provider's base URL, and how the answer comes back.
 * Ownership: the call owns {@link #body}, from {@link UpstreamBodies#prepare} until {@link #release} (when a
 * fallback replaces the route, or the call ends); each attempt sends a retained duplicate.
 *
 * @param hidesUsage  the gateway asked the provider for stream usage the client did not ask for, so the relay takes
 *                    it out again
 * @param translation how the provider's answer becomes the client's; null when both speak the same API
 */
record RouteRequest(ByteBuf body, String path, boolean hidesUsage, Translation translation) {
    void release() {
        body.release();
    }
}
