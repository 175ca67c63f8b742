package dev.llmgateway.testutil;

import dev.llmgateway.config.ConfigException;
import dev.llmgateway.config.ConfigLoader;
import dev.llmgateway.exchange.Endpoint;
import dev.llmgateway.exchange.Exchange;
import dev.llmgateway.exchange.ExchangeObserver;
import dev.llmgateway.exchange.RequestBodyScanner;
import dev.llmgateway.exchange.Route;
import dev.llmgateway.server.Snapshot;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpVersion;

import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * Requests and exchanges as the downstream pipeline makes them, for tests that drive one handler or the proxy on an
 * EmbeddedChannel: a decoded request, and an exchange already authenticated with {@link GatewayHarness#KEY} and
 * routed by the config's router, as the proxy handler receives it.
 */
public final class Exchanges {
    /** The base URL of a provider whose sessions a test fakes: nothing ever connects to it. */
    public static final String UNUSED_BASE_URL = "http://127.0.0.1:9/v1";

    private Exchanges() {
    }

    /** A config's snapshot; {@code toml} holds everything but [server]. */
    public static Snapshot snapshot(String toml) {
        try {
            return Snapshot.of(ConfigLoader.parse(toml, "test.toml", Map.of()));
        } catch (ConfigException e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        }
    }

    /** A request as the body aggregator passes it on, its body in a pooled direct buffer; headers: name, value... */
    public static FullHttpRequest request(HttpMethod method, String uri, String body, String... headerPairs) {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        ByteBuf content = PooledByteBufAllocator.DEFAULT.directBuffer(bytes.length).writeBytes(bytes);
        FullHttpRequest request = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, method, uri, content);
        for (int i = 0; i < headerPairs.length; i += 2) {
            request.headers().add(headerPairs[i], headerPairs[i + 1]);
        }
        return request;
    }

    /**
     * A JSON POST to {@code path} from a client of {@code downstream}, authenticated with the harness key and routed
     * by its model as the model-route handler does.
     */
    public static Exchange routed(Channel downstream, Snapshot snapshot, String path, String json,
                                  ExchangeObserver observer) {
        FullHttpRequest request = request(HttpMethod.POST, path, json,
                HttpHeaderNames.CONTENT_TYPE.toString(), HttpHeaderValues.APPLICATION_JSON.toString(),
                HttpHeaderNames.AUTHORIZATION.toString(), "Bearer " + GatewayHarness.KEY);
        Exchange exchange = new Exchange(downstream, request, Endpoint.forPath(path), "req_test", System.nanoTime(),
                observer);
        exchange.principal(snapshot.keys().find(GatewayHarness.KEY));
        try {
            exchange.body(RequestBodyScanner.scan(request.content()));
        } catch (RequestBodyScanner.InvalidBody invalid) {
            request.release();
            throw new IllegalArgumentException(invalid.getMessage(), invalid);
        }
        Route route = snapshot.router().route(exchange.body().model());
        if (route == null) {
            request.release();
            throw new IllegalArgumentException("no route for " + exchange.body().model());
        }
        exchange.route(route);
        return exchange;
    }
}
