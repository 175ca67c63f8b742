package dev.llmgateway.server;

import dev.llmgateway.dialect.ApiError;
import dev.llmgateway.dialect.ClientDialect;
import dev.llmgateway.dialect.ErrorResponses;
import dev.llmgateway.proxy.Exchange;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import io.netty.util.ReferenceCountUtil;

import java.nio.charset.StandardCharsets;
import java.util.function.BooleanSupplier;

/**
 * First handler to see a whole request: rejects requests the codec could not decode (400/414/431, then close),
 * maps the path to an {@link Endpoint} (404 unknown path, 405 wrong method), answers {@code /health} and
 * {@code /ready} itself, and wraps every other request in an {@link Exchange} that carries it down the pipeline.
 * Ownership of the request moves into the exchange, or the request is released here.
 */
@ChannelHandler.Sharable
public final class EndpointHandler extends ChannelInboundHandlerAdapter {
    private static final byte[] HEALTHY = "{\"status\":\"ok\"}".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] READY = "{\"status\":\"ready\"}".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] NOT_READY = "{\"status\":\"not_ready\"}".getBytes(StandardCharsets.US_ASCII);

    private final BooleanSupplier ready;

    public EndpointHandler(BooleanSupplier ready) {
        this.ready = ready;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof FullHttpRequest request)) {
            ctx.fireChannelRead(msg);
            return;
        }
        long receivedNanos = System.nanoTime();
        String requestId = RequestIds.of(request.headers());
        if (request.decoderResult().isFailure()) {
            rejectUndecodable(ctx, request, requestId);
            return;
        }
        String uri = request.uri();
        int query = uri.indexOf('?');
        String path = query < 0 ? uri : uri.substring(0, query);
        Endpoint endpoint = Endpoint.forPath(path);
        HttpMethod method = request.method();
        Exchange exchange = new Exchange(ctx.channel(), request, endpoint, requestId, receivedNanos);
        if (endpoint == null) {
            exchange.fail(ApiError.unknownUrl(method.name(), path));
        } else if (!method.equals(endpoint.method())
                && !(method.equals(HttpMethod.HEAD) && endpoint.method().equals(HttpMethod.GET))) {
            exchange.fail(ApiError.methodNotAllowed(method.name(), path));
        } else if (endpoint == Endpoint.HEALTH) {
            exchange.respond(json(ctx, HttpResponseStatus.OK, HEALTHY));
        } else if (endpoint == Endpoint.READY) {
            boolean isReady = ready.getAsBoolean();
            exchange.respond(json(ctx, isReady ? HttpResponseStatus.OK : HttpResponseStatus.SERVICE_UNAVAILABLE,
                    isReady ? READY : NOT_READY));
        } else {
            ctx.fireChannelRead(exchange);
        }
    }

    /** The codec marks heads it could not parse; the connection's framing is lost, so answer and close. */
    private static void rejectUndecodable(ChannelHandlerContext ctx, FullHttpRequest request, String requestId) {
        Throwable cause = request.decoderResult().cause();
        ReferenceCountUtil.release(request);
        HttpResponseStatus status = cause instanceof TooLongHttpHeaderException
                ? HttpResponseStatus.REQUEST_HEADER_FIELDS_TOO_LARGE
                : cause instanceof TooLongHttpLineException ? HttpResponseStatus.REQUEST_URI_TOO_LONG
                : HttpResponseStatus.BAD_REQUEST;
        String message = cause instanceof TooLongFrameException
                ? "The request line or headers are larger than the gateway accepts."
                : "The request is not valid HTTP/1.1.";
        FullHttpResponse response = ErrorResponses.response(ctx.alloc(), ClientDialect.OPENAI,
                ApiError.malformedRequest(status, message), requestId);
        response.headers().set(HttpHeaderNames.CONNECTION, "close");
        ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
    }

    private static FullHttpResponse json(ChannelHandlerContext ctx, HttpResponseStatus status, byte[] body) {
        ByteBuf content = ctx.alloc().buffer(body.length).writeBytes(body);
        FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status, content);
        response.headers()
                .set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.APPLICATION_JSON)
                .setInt(HttpHeaderNames.CONTENT_LENGTH, content.readableBytes())
                .set(HttpHeaderNames.CACHE_CONTROL, HttpHeaderValues.NO_STORE);
        return response;
    }
}
