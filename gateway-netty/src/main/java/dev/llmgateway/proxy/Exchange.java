package dev.llmgateway.proxy;

import dev.llmgateway.auth.Principal;
import dev.llmgateway.dialect.ApiError;
import dev.llmgateway.dialect.ClientDialect;
import dev.llmgateway.dialect.ErrorResponses;
import dev.llmgateway.routing.RequestBody;
import dev.llmgateway.routing.Route;
import dev.llmgateway.server.Endpoint;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;

/**
 * Everything known about one client request, filled in as it moves down the downstream pipeline
 * (endpoint → principal → route) and then through the proxy. One typed object instead of channel attributes.
 *
 * <p>Ownership: the exchange owns {@link #request()} from the moment the endpoint handler creates it until
 * {@link #release()}; the request body is kept that long because an upstream attempt may need to resend it.
 * All methods run on the client channel's event loop.
 */
public final class Exchange {
    private final Channel downstream;
    private final FullHttpRequest request;
    private final Endpoint endpoint;
    private final String requestId;
    private final long receivedNanos;
    private Principal principal;
    private Route route;
    private RequestBody body;
    private ByteBuf upstreamBody;
    private boolean released;

    public Exchange(Channel downstream, FullHttpRequest request, Endpoint endpoint, String requestId,
                    long receivedNanos) {
        this.downstream = downstream;
        this.request = request;
        this.endpoint = endpoint;
        this.requestId = requestId;
        this.receivedNanos = receivedNanos;
    }

    public Channel downstream() {
        return downstream;
    }

    public FullHttpRequest request() {
        return request;
    }

    /** Null only for an unknown path, which is answered 404 before anything reads it. */
    public Endpoint endpoint() {
        return endpoint;
    }

    /** Unknown paths have no endpoint; their 404 uses OpenAI's shape. */
    public ClientDialect dialect() {
        return endpoint == null ? ClientDialect.OPENAI : endpoint.dialect();
    }

    public String requestId() {
        return requestId;
    }

    public long receivedNanos() {
        return receivedNanos;
    }

    public Principal principal() {
        return principal;
    }

    public void principal(Principal principal) {
        this.principal = principal;
    }

    public Route route() {
        return route;
    }

    public void route(Route route) {
        this.route = route;
    }

    public RequestBody body() {
        return body;
    }

    public void body(RequestBody body) {
        this.body = body;
    }

    /** The body as sent upstream; kept for resending until the exchange ends. */
    public ByteBuf upstreamBody() {
        return upstreamBody;
    }

    /** Takes ownership of the body to send upstream. */
    public void upstreamBody(ByteBuf upstreamBody) {
        this.upstreamBody = upstreamBody;
    }

    /** Answers with a gateway-made error in the client's dialect and ends the exchange. */
    public void fail(ApiError error) {
        respond(ErrorResponses.response(downstream.alloc(), dialect(), error, requestId));
    }

    /** Answers with a complete response (ownership moves to the channel) and ends the exchange. */
    public void respond(FullHttpResponse response) {
        response.headers().set(ErrorResponses.REQUEST_ID_HEADER, requestId);
        downstream.writeAndFlush(response);
        release();
    }

    /** Frees the request; idempotent, so every ending path may call it. */
    public void release() {
        if (!released) {
            released = true;
            if (upstreamBody != null) {
                upstreamBody.release();
            }
            request.release();
        }
    }
}
