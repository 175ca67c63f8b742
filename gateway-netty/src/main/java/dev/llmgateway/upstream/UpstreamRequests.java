package dev.llmgateway.upstream;

import dev.llmgateway.config.ProviderType;
import io.netty.buffer.ByteBuf;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.DefaultHttpHeadersFactory;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.AsciiString;

import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * Builds the request a provider receives. End-to-end client headers pass (user agent, {@code openai-beta},
 * {@code anthropic-version} and {@code anthropic-beta} to Anthropic, and the like); hop-by-hop headers
 * (RFC 9110 §7.6.1, and any the client's {@code Connection} names), the client's gateway key (in any of its three
 * headers), headers that tie a
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
    private static final AsciiString REQUEST_ID = AsciiString.cached("x-request-id");
    private static final AsciiString BEARER = AsciiString.cached("Bearer ");
    /** Client headers never forwarded; a header set of names only, for its case-insensitive lookup. */
    private static final HttpHeaders DROPPED = names(HopByHop.NAMES, List.of(HttpHeaderNames.HOST,
            HttpHeaderNames.AUTHORIZATION, X_API_KEY, GOOGLE_API_KEY, HttpHeaderNames.CONTENT_LENGTH,
            HttpHeaderNames.CONTENT_TYPE,
            HttpHeaderNames.ACCEPT_ENCODING, HttpHeaderNames.EXPECT, HttpHeaderNames.COOKIE,
            AsciiString.cached("openai-organization"), AsciiString.cached("openai-project"),
            AsciiString.cached("x-request-id")));
    /** The headers are the decoder's (already validated) and the gateway's own: no second validation. */
    private static final DefaultHttpHeadersFactory HEADERS = DefaultHttpHeadersFactory.headersFactory()
            .withValidation(false);

    private UpstreamRequests() {
    }

    /**
     * One attempt's request, sent with {@code key} (null: none): the client's end-to-end headers copied in one
     * pass, then the gateway's. Takes ownership of {@code body}.
     */
    public static FullHttpRequest build(Provider provider, String endpointPath, HttpHeaders client, String requestId,
                                        ByteBuf body, String key) {
        FullHttpRequest request = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.POST,
                provider.target(endpointPath), body, HEADERS, HEADERS);
        HttpHeaders headers = request.headers();
        boolean connectionNamesMore = client.contains(HttpHeaderNames.CONNECTION);
        for (Iterator<Map.Entry<CharSequence, CharSequence>> it = client.iteratorCharSequence(); it.hasNext(); ) {
            Map.Entry<CharSequence, CharSequence> header = it.next();
            if (!DROPPED.contains(header.getKey())) {
                headers.add(header.getKey(), header.getValue());
            }
        }
        if (connectionNamesMore) {
            HopByHop.strip(headers, client); // the headers the client's Connection names (RFC 9110 §7.6.1)
        }
        headers.set(HttpHeaderNames.HOST, provider.hostHeader());
        headers.set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.APPLICATION_JSON);
        headers.setInt(HttpHeaderNames.CONTENT_LENGTH, body.readableBytes());
        headers.set(HttpHeaderNames.ACCEPT_ENCODING, HttpHeaderValues.IDENTITY);
        headers.set(REQUEST_ID, requestId);
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

    private static HttpHeaders names(List<AsciiString> first, List<AsciiString> second) {
        HttpHeaders set = new DefaultHttpHeaders();
        first.forEach(name -> set.add(name, ""));
        second.forEach(name -> set.add(name, ""));
        return set;
    }
}
