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
    /** Client headers never forwarded. */
    private static final List<AsciiString> NEVER_FORWARDED = List.of(HttpHeaderNames.HOST,
            HttpHeaderNames.AUTHORIZATION, X_API_KEY, GOOGLE_API_KEY, HttpHeaderNames.CONTENT_LENGTH,
            HttpHeaderNames.CONTENT_TYPE,
            HttpHeaderNames.ACCEPT_ENCODING, HttpHeaderNames.EXPECT, HttpHeaderNames.COOKIE,
            AsciiString.cached("openai-organization"), AsciiString.cached("openai-project"), REQUEST_ID);
    /** What an Anthropic provider is not sent; a header set of names only, for its case-insensitive lookup. */
    private static final HttpHeaders DROPPED_FOR_ANTHROPIC = names(HopByHop.NAMES, NEVER_FORWARDED, List.of());
    /** What any other provider is not sent: Anthropic's own headers too. */
    private static final HttpHeaders DROPPED = names(HopByHop.NAMES, NEVER_FORWARDED,
            List.of(ANTHROPIC_VERSION, ANTHROPIC_BETA));
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
        ProviderType type = provider.type();
        HttpHeaders dropped = type == ProviderType.ANTHROPIC ? DROPPED_FOR_ANTHROPIC : DROPPED;
        boolean connectionNamesMore = false;
        for (Iterator<Map.Entry<CharSequence, CharSequence>> it = client.iteratorCharSequence(); it.hasNext(); ) {
            Map.Entry<CharSequence, CharSequence> header = it.next();
            CharSequence name = header.getKey();
            if (!dropped.contains(name)) {
                headers.add(name, header.getValue());
            } else if (!connectionNamesMore) {
                connectionNamesMore = HttpHeaderNames.CONNECTION.contentEqualsIgnoreCase(name);
            }
        }
        if (connectionNamesMore) {
            HopByHop.strip(headers, client); // the headers the client's Connection names (RFC 9110 §7.6.1)
        }
        // Every name below was dropped above: add, not set, spares a search for one that cannot be there.
        headers.add(HttpHeaderNames.HOST, provider.hostHeader());
        headers.add(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.APPLICATION_JSON);
        headers.addInt(HttpHeaderNames.CONTENT_LENGTH, body.readableBytes());
        headers.add(HttpHeaderNames.ACCEPT_ENCODING, HttpHeaderValues.IDENTITY);
        headers.add(REQUEST_ID, requestId);
        if (type == ProviderType.ANTHROPIC && !headers.contains(ANTHROPIC_VERSION)) {
            headers.add(ANTHROPIC_VERSION, provider.config().anthropicVersion());
        }
        if (key != null) {
            switch (type) {
                case ANTHROPIC -> headers.add(X_API_KEY, key);
                case GEMINI -> headers.add(GOOGLE_API_KEY, key);
                default -> headers.add(HttpHeaderNames.AUTHORIZATION,
                        new StringBuilder(BEARER.length() + key.length()).append(BEARER).append(key));
            }
        }
        return request;
    }

    private static HttpHeaders names(List<AsciiString> first, List<AsciiString> second, List<AsciiString> third) {
        HttpHeaders set = new DefaultHttpHeaders();
        for (List<AsciiString> names : List.of(first, second, third)) {
            names.forEach(name -> set.add(name, ""));
        }
        return set;
    }
}
