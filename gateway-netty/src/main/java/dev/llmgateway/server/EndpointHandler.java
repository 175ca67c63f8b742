package dev.llmgateway.server;

import dev.llmgateway.exchange.Endpoint;
import dev.llmgateway.auth.ApiKeyAuthHandler;
import dev.llmgateway.auth.KeyTable;
import dev.llmgateway.dialect.ApiError;
import dev.llmgateway.metrics.GatewayMetrics;
import dev.llmgateway.exchange.Exchange;
import dev.llmgateway.exchange.ExchangeObserver;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.Executor;
import java.util.function.Supplier;

/**
 * First handler to see a whole request: refuses requests that failed on the way (the codec could not decode them,
 * or a handler before refused them: 400/408/413/414/417/431/501/505, then a lingering close),
 * maps the path to an {@link Endpoint} (404 unknown path, 405 wrong method), answers {@code /health},
 * {@code /ready} and {@code /metrics} itself, and wraps every other request in an {@link Exchange} that carries it
 * down the pipeline. Ownership of the request moves into the exchange, or the request is released here.
 * On an admin listener it answers only those three paths.
 */
@ChannelHandler.Sharable
public final class EndpointHandler extends ChannelInboundHandlerAdapter {
    private static final byte[] HEALTHY = "{\"status\":\"ok\"}".getBytes(StandardCharsets.US_ASCII);

    /** How {@code /metrics} is served here: not at all, openly, or only to a gateway key. */
    public enum MetricsAccess { NONE, OPEN, KEY }

    private final Supplier<Readiness> ready;
    private final ExchangeObserver observer;
    private final GatewayMetrics metrics;
    private final MetricsAccess metricsAccess;
    private final Supplier<KeyTable> keys;
    private final Executor scrapes;
    private final boolean adminOnly;

    public EndpointHandler(Supplier<Readiness> ready, ExchangeObserver observer, GatewayMetrics metrics,
                           MetricsAccess metricsAccess, Supplier<KeyTable> keys, Executor scrapes,
                           boolean adminOnly) {
        this.ready = ready;
        this.observer = observer;
        this.metrics = metrics;
        this.metricsAccess = metricsAccess;
        this.keys = keys;
        this.scrapes = scrapes;
        this.adminOnly = adminOnly;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof FullHttpRequest request)) {
            ctx.fireChannelRead(msg);
            return;
        }
        long receivedNanos = System.nanoTime();
        String requestId = RequestIds.of(request.headers());
        String path = pathOf(request.uri());
        if (request.decoderResult().isFailure()) {
            refuse(ctx, request, Endpoint.forPath(path), requestId, receivedNanos);
            return;
        }
        Endpoint endpoint = served(Endpoint.forPath(path));
        HttpMethod method = request.method();
        boolean counted = endpoint != Endpoint.HEALTH && endpoint != Endpoint.READY && endpoint != Endpoint.METRICS;
        Exchange exchange = new Exchange(ctx.channel(), request, endpoint, requestId, receivedNanos,
                counted ? observer : ExchangeObserver.NONE);
        if (endpoint == null) {
            exchange.fail(ApiError.unknownUrl(method.name(), path));
        } else if (!method.equals(endpoint.method())
                && !(method.equals(HttpMethod.HEAD) && endpoint.method().equals(HttpMethod.GET))) {
            exchange.fail(ApiError.methodNotAllowed(method.name(), path));
        } else if (endpoint == Endpoint.HEALTH) {
            exchange.respond(json(ctx, HttpResponseStatus.OK, HEALTHY));
        } else if (endpoint == Endpoint.READY) {
            Readiness readiness = ready.get();
            exchange.respond(json(ctx, readiness.ready() ? HttpResponseStatus.OK
                    : HttpResponseStatus.SERVICE_UNAVAILABLE, readiness.body()));
        } else if (endpoint == Endpoint.METRICS) {
            scrape(exchange);
        } else {
            ctx.fireChannelRead(exchange);
        }
    }

    /** The endpoint if this listener serves it, else null (answered 404 like an unknown path). */
    private Endpoint served(Endpoint endpoint) {
        if (endpoint == Endpoint.METRICS && metricsAccess == MetricsAccess.NONE) {
            return null;
        }
        if (adminOnly && endpoint != Endpoint.HEALTH && endpoint != Endpoint.READY && endpoint != Endpoint.METRICS) {
            return null;
        }
        return endpoint;
    }

    /** Collecting JVM metrics reads /proc and briefly pauses threads: done off the event loop. */
    private void scrape(Exchange exchange) {
        if (metricsAccess == MetricsAccess.KEY) {
            ApiError refused = ApiKeyAuthHandler.authenticate(exchange, keys.get());
            if (refused != null) {
                exchange.fail(refused);
                return;
            }
        }
        String accept = exchange.request().headers().get(HttpHeaderNames.ACCEPT);
        scrapes.execute(() -> {
            ByteBuf body = metrics.scrape(exchange.downstream().alloc(), accept);
            FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK,
                    body);
            response.headers()
                    .set(HttpHeaderNames.CONTENT_TYPE, metrics.contentType(accept))
                    .setInt(HttpHeaderNames.CONTENT_LENGTH, body.readableBytes());
            exchange.downstream().eventLoop().execute(() -> exchange.respond(response));
        });
    }

    /**
     * Every request refused at the edge ends here, in request order, the same way: the codec could not decode it
     * (400/414/431), or a handler before this one refused it ({@link RequestRefusal}: HTTP/1.1's rules, 413, 408,
     * 417). The connection's framing is lost or the rest of the request is abandoned, so the answer closes it —
     * lingering, so that a client still sending reads the answer ({@link LingeringClose}) — and it is counted and
     * logged as a refusal. The answer has the shape of the endpoint the path names, when it names one.
     */
    private void refuse(ChannelHandlerContext ctx, FullHttpRequest request, Endpoint endpoint, String requestId,
                        long receivedNanos) {
        LingeringClose.arm(ctx.pipeline());
        new Exchange(ctx.channel(), request, endpoint, requestId, receivedNanos, observer)
                .refuse(RequestRefusal.errorFor(request.decoderResult().cause()));
    }

    private static String pathOf(String uri) {
        int query = uri.indexOf('?');
        return query < 0 ? uri : uri.substring(0, query);
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
