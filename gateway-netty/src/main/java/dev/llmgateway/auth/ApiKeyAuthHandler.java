package dev.llmgateway.auth;

import dev.llmgateway.exchange.Principal;
import dev.llmgateway.dialect.ApiError;
import dev.llmgateway.dialect.ClientDialect;
import dev.llmgateway.exchange.Exchange;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.QueryStringDecoder;

import java.util.List;
import java.util.function.Supplier;

/**
 * Authenticates every request that gets past the endpoint handler (all of {@code /v1}) with a gateway key from
 * {@code Authorization: Bearer <key>}, {@code x-api-key: <key>} or Google's {@code x-goog-api-key: <key>}, or, for
 * Gemini's API only, the {@code ?key=<key>} query parameter Google's clients may use (the access log and traces keep
 * only the path), and records the {@link Principal} on the exchange; 401 otherwise. Sits after the
 * endpoint handler (so /health and /ready need no key) and before routing. The key headers never reach a
 * provider: the upstream request is built from scratch with the provider's own key.
 */
@ChannelHandler.Sharable
public final class ApiKeyAuthHandler extends ChannelInboundHandlerAdapter {
    private static final String X_API_KEY = "x-api-key";
    private static final String X_GOOG_API_KEY = "x-goog-api-key";
    private static final String BEARER = "bearer ";

    private final Supplier<KeyTable> keys;

    public ApiKeyAuthHandler(Supplier<KeyTable> keys) {
        this.keys = keys;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof Exchange exchange)) {
            ctx.fireChannelRead(msg);
            return;
        }
        ApiError refused = authenticate(exchange, keys.get());
        if (refused != null) {
            exchange.fail(refused);
            return;
        }
        ctx.fireChannelRead(exchange);
    }

    /** Records the caller's principal on the exchange; returns the 401 to send when there is none. */
    public static ApiError authenticate(Exchange exchange, KeyTable keys) {
        String presented = presentedKey(exchange.request().headers(),
                exchange.dialect() == ClientDialect.GEMINI ? exchange.request().uri() : null);
        Principal principal = presented == null ? null : keys.find(presented);
        if (principal == null) {
            return refusal(presented);
        }
        exchange.principal(principal);
        return null;
    }

    /**
     * The 401 for a request head whose key is missing or unknown, or null when its key is known: lets a request be
     * refused before its body is read ({@code server}'s early key check), by the same rules as here.
     */
    public ApiError refusal(HttpHeaders headers, String queryKeyUri) {
        String presented = presentedKey(headers, queryKeyUri);
        return presented != null && keys.get().find(presented) != null ? null : refusal(presented);
    }

    private static ApiError refusal(String presented) {
        return presented == null ? ApiError.missingApiKey() : ApiError.invalidApiKey();
    }

    /** {@code queryKeyUri}: the request's URI when its {@code ?key=} counts, else null. */
    private static String presentedKey(HttpHeaders headers, String queryKeyUri) {
        String authorization = headers.get(HttpHeaderNames.AUTHORIZATION);
        if (authorization != null && authorization.regionMatches(true, 0, BEARER, 0, BEARER.length())) {
            String key = authorization.substring(BEARER.length()).trim();
            if (!key.isEmpty()) {
                return key;
            }
        }
        String apiKey = headers.get(X_API_KEY);
        if (apiKey == null || apiKey.isBlank()) {
            apiKey = headers.get(X_GOOG_API_KEY);
        }
        if ((apiKey == null || apiKey.isBlank()) && queryKeyUri != null) {
            apiKey = queryKey(queryKeyUri);
        }
        return apiKey == null || apiKey.isBlank() ? null : apiKey.trim();
    }

    /** The {@code key} query parameter, percent-decoded, or null. */
    private static String queryKey(String uri) {
        int query = uri.indexOf('?');
        if (query < 0) {
            return null;
        }
        List<String> keys = new QueryStringDecoder(uri).parameters().get("key");
        return keys == null || keys.isEmpty() ? null : keys.get(0);
    }
}
