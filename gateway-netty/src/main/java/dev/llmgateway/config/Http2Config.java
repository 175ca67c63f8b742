package dev.llmgateway.config;

/**
 * HTTP/2 on the client side ({@code [server]} keys {@code http2*}): whether the listener speaks it (h2c by prior
 * knowledge or {@code Upgrade} in plain text, h2 by ALPN over TLS), and the limits one client connection gets.
 *
 * @param enabled              {@code http2}: HTTP/2 offered beside HTTP/1.1
 * @param maxConcurrentStreams {@code http2_max_concurrent_streams}: SETTINGS_MAX_CONCURRENT_STREAMS, the streams a
 *                             client may have open at once on one connection
 * @param maxResetsPerSecond   {@code http2_max_resets_per_second}: RST_STREAM frames a client may send on one
 *                             connection in a second before it is cut off with GOAWAY ENHANCE_YOUR_CALM (rapid
 *                             reset, CVE-2023-44487)
 */
public record Http2Config(boolean enabled, int maxConcurrentStreams, int maxResetsPerSecond) {
    public static final Http2Config DEFAULT = new Http2Config(true, 128, 100);
}
