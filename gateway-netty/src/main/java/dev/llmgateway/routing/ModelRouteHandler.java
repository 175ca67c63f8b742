package dev.llmgateway.routing;

import dev.llmgateway.exchange.RequestBodyScanner;
import dev.llmgateway.exchange.RequestFacts;
import dev.llmgateway.exchange.Route;
import dev.llmgateway.dialect.ApiError;
import dev.llmgateway.exchange.Endpoint;
import dev.llmgateway.exchange.Exchange;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.QueryStringDecoder;

import java.util.List;
import java.util.function.Supplier;

/**
 * Reads the request body with a streaming parser (400 for an empty, malformed, non-UTF-8 body or a missing
 * model; 415 for a body that is not JSON; Gemini's API names the model in the path, and its stream must be
 * {@code ?alt=sse}), checks the key may use the model (403), and resolves the
 * {@link Route} (404 {@code model_not_found}). Sits after auth, before the proxy.
 */
@ChannelHandler.Sharable
public final class ModelRouteHandler extends ChannelInboundHandlerAdapter {
    private final Supplier<ModelRouter> router;

    public ModelRouteHandler(Supplier<ModelRouter> router) {
        this.router = router;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof Exchange exchange) || !exchange.endpoint().isProxied()) {
            ctx.fireChannelRead(msg);
            return;
        }
        String contentType = exchange.request().headers().get(HttpHeaderNames.CONTENT_TYPE);
        if (!isJson(contentType)) {
            exchange.fail(ApiError.unsupportedMediaType(contentType == null ? "" : contentType));
            return;
        }
        Endpoint endpoint = exchange.endpoint();
        if (endpoint == Endpoint.GEMINI_STREAM && !alternateSse(exchange.request().uri())) {
            exchange.fail(ApiError.badRequest("unsupported_value", "alt", "The gateway streams Gemini answers as "
                    + "server-sent events only: call :streamGenerateContent with ?alt=sse (as the @google/genai SDKs"
                    + " do); the JSON-array stream is not supported."));
            return;
        }
        RequestFacts body;
        try {
            body = endpoint.isGeminiMethod()
                    ? RequestBodyScanner.scanGemini(exchange.request().content(),
                            Endpoint.modelInPath(new QueryStringDecoder(exchange.request().uri()).rawPath()),
                            endpoint == Endpoint.GEMINI_STREAM)
                    : RequestBodyScanner.scan(exchange.request().content());
        } catch (RequestBodyScanner.InvalidBody invalid) {
            exchange.fail(invalid.error());
            return;
        }
        if (!exchange.principal().mayUse(body.model())) {
            exchange.fail(ApiError.modelNotAllowed(body.model()));
            return;
        }
        Route route = router.get().route(body.model());
        if (route == null) {
            exchange.fail(ApiError.modelNotFound(body.model()));
            return;
        }
        exchange.body(body);
        exchange.route(route);
        ctx.fireChannelRead(exchange);
    }

    /** {@code alt=sse} in the query: Gemini's SSE stream, not its default JSON array. */
    private static boolean alternateSse(String uri) {
        List<String> alt = new QueryStringDecoder(uri).parameters().get("alt");
        return alt != null && alt.contains("sse");
    }

    /** application/json, with or without parameters such as charset; case-insensitive per RFC 9110. */
    static boolean isJson(String contentType) {
        if (contentType == null) {
            return false;
        }
        int end = contentType.indexOf(';');
        String mediaType = (end < 0 ? contentType : contentType.substring(0, end)).trim();
        return mediaType.equalsIgnoreCase("application/json");
    }
}
