package dev.llmgateway.server;

import dev.llmgateway.auth.ApiKeyAuthHandler;
import dev.llmgateway.dialect.ApiError;
import dev.llmgateway.dialect.ClientDialect;
import dev.llmgateway.exchange.Endpoint;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.HttpRequest;

/**
 * Refuses a request to a proxied endpoint whose gateway key is missing or unknown as soon as its head arrives,
 * before its body is read: a client without a key cannot make the gateway read and hold {@code max_request_bytes},
 * and a client still writing its body reads its 401, because the refusal closes lingering (docs/ARCHITECTURE.md
 * §1). The refusal is marked on the head ({@link RequestRefusal}) and answered in order by the endpoint handler;
 * the aggregator then discards the body. {@code api-key-auth} still records the principal once the body is in:
 * this check only refuses, by that handler's own rules. Other paths (health, readiness, the model list, unknown
 * paths, a wrong method) carry no body worth refusing early and are left to the handlers that answer them. Holds no buffer.
 */
@ChannelHandler.Sharable
final class KeyCheckBeforeBody extends ChannelInboundHandlerAdapter {
    private final ApiKeyAuthHandler auth;

    KeyCheckBeforeBody(ApiKeyAuthHandler auth) {
        this.auth = auth;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof HttpRequest head && head.decoderResult().isSuccess()) {
            Endpoint endpoint = proxied(head);
            // Gemini's clients may send the key as ?key=; nobody else's key counts in the URL.
            ApiError refused = endpoint == null ? null : auth.refusal(head.headers(),
                    endpoint.dialect() == ClientDialect.GEMINI ? head.uri() : null);
            if (refused != null) {
                RequestRefusal.refuse(head, refused);
            }
        }
        ctx.fireChannelRead(msg);
    }

    /** The proxied endpoint that serves the request's path and method (a wrong method is a 405 later), or null. */
    private static Endpoint proxied(HttpRequest head) {
        String uri = head.uri();
        int query = uri.indexOf('?');
        Endpoint endpoint = Endpoint.forPath(query < 0 ? uri : uri.substring(0, query));
        return endpoint != null && endpoint.isProxied() && endpoint.method().equals(head.method()) ? endpoint : null;
    }
}
