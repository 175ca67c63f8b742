package dev.llmgateway.upstream;

import dev.llmgateway.config.ProviderType;
import io.netty.buffer.ByteBuf;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.AsciiString;

import java.util.List;

/**
 * Builds the request a provider receives. End-to-end client headers pass (user agent, {@code openai-beta},
 * {@code anthropic-version} and {@code anthropic-beta} to Anthropic, and the like); hop-by-hop headers
 * (RFC 9110 §7.6.1, and any the client's {@code Connection} names), the client's gateway key, headers that tie a
 * request to the client's own provider account, and Anthropic's headers to any other provider are dropped. Host,
 * credentials (in the provider's own header: Bearer, {@code x-api-key} or {@code x-goog-api-key}) and
 * Content-Length are the gateway's; an Anthropic provider gets the configured {@code anthropic-version} when the
 * client sent none. {@code accept-encoding: identity}, because the gateway splices response bytes and cannot do
 * that inside a compressed body.
 */
public final class UpstreamRequests {
    private static final AsciiString X_API_KEY = AsciiString.cached("x-api-key");
    private static final AsciiString GOOGLE_API_KEY = AsciiString.cached("x-goog-api-key");
    private static final AsciiString ANTHROPIC_VERSION = AsciiString.cached("anthropic-version");
    private static final AsciiString ANTHROPIC_BETA = AsciiString.cached("anthropic-beta");
    private static final List<AsciiString> DROPPED = List.of(HttpHeaderNames.HOST, HttpHeaderNames.AUTHORIZATION,
            X_API_KEY, HttpHeaderNames.CONTENT_LENGTH, HttpHeaderNames.ACCEPT_ENCODING,
            HttpHeaderNames.EXPECT, HttpHeaderNames.COOKIE, AsciiString.cached("openai-organization"),
            AsciiString.cached("openai-project"), AsciiString.cached("x-request-id"));
    private static final AsciiString BEARER = AsciiString.cached("Bearer ");

    private UpstreamRequests() {
    }

    /** Headers for every attempt of one exchange, with the client's hop-by-hop and credential headers removed. */
    public static HttpHeaders forwardedHeaders(HttpHeaders client, String requestId) {
        HttpHeaders headers = HopByHop.strip(new DefaultHttpHeaders().add(client));
        for (AsciiString name : DROPPED) {
            headers.remove(name);
        }
        headers.set(HttpHeaderNames.ACCEPT_ENCODING, HttpHeaderValues.IDENTITY);
        headers.set("x-request-id", requestId);
        return headers;
    }

    /** One attempt's request, sent with {@code key} (null: none). Takes ownership of {@code body}. */
    public static FullHttpRequest build(Provider provider, String endpointPath, HttpHeaders forwarded, ByteBuf body,
                                        String key) {
        FullHttpRequest request = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.POST,
                provider.target(endpointPath), body);
        HttpHeaders headers = request.headers().add(forwarded);
        headers.set(HttpHeaderNames.HOST, provider.hostHeader());
        headers.set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.APPLICATION_JSON);
        headers.setInt(HttpHeaderNames.CONTENT_LENGTH, body.readableBytes());
        ProviderType type = provider.type();
        if (type == ProviderType.ANTHROPIC) {
            if (!headers.contains(ANTHROPIC_VERSION)) {
                headers.set(ANTHROPIC_VERSION, provider.config().anthropicVersion());
            }
        } else {
            headers.remove(ANTHROPIC_VERSION).remove(ANTHROPIC_BETA);
        }
        if (key != null) {
            switch (type) {
                case ANTHROPIC -> headers.set(X_API_KEY, key);
                case GEMINI -> headers.set(GOOGLE_API_KEY, key);
                default -> headers.set(HttpHeaderNames.AUTHORIZATION,
                        new StringBuilder(BEARER.length() + key.length()).append(BEARER).append(key));
            }
        }
        return request;
    }
}
