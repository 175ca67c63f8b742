package dev.llmgateway.server;

import dev.llmgateway.auth.ApiKeyAuthHandler;
import dev.llmgateway.auth.KeyLimitHandler;
import dev.llmgateway.budget.BudgetHandler;
import dev.llmgateway.config.ServerConfig;
import dev.llmgateway.proxy.ProxyCall;
import dev.llmgateway.routing.ModelListHandler;
import dev.llmgateway.routing.ModelRouteHandler;
import dev.llmgateway.config.Http2Config;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerAdapter;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpServerKeepAliveHandler;
import io.netty.handler.codec.http2.Http2CodecUtil;
import io.netty.handler.codec.http2.Http2FrameCodec;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.Http2MultiplexHandler;
import io.netty.handler.codec.http2.Http2ServerUpgradeCodec;
import io.netty.handler.codec.http2.Http2Settings;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.util.AsciiString;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslHandler;

import java.time.Duration;
import java.util.List;
import java.util.function.Supplier;

/**
 * The downstream pipeline, one per client connection; every handler's name and place is here and nowhere else.
 * <pre>
 *  bytes ─▶ {@value #TLS}                 [server.tls] only: TLS with the running config's certificate; the
 *                                       handshake within header_read_timeout
 *        ─▶ {@value #ALPN}                [server.tls] and http2 = true: ALPN h2 turns the connection to HTTP/2
 *        ─▶ {@value #LINGERING_CLOSE}     after an early refusal: half-close, read the rest away, then close
 *        ─▶ {@value #H2C_PRIOR_KNOWLEDGE} plain text and http2 = true: the HTTP/2 preface turns it to HTTP/2
 *        ─▶ {@value #HTTP_CODEC}          HTTP/1.1 framing; request line and header size limits
 *        ─▶ {@value #H2C_UPGRADE}         Upgrade: h2c on a request without a body: 101, HTTP/2 (http2 = true)
 *        ─▶ {@value #CONFORMANCE}         RFC 9112's head rules: version (505), transfer codings (501), Host (400)
 *        ─▶ {@value #KEEP_ALIVE}          Connection: close / keep-alive per RFC 9112, HTTP/1.0 included
 *        ─▶ {@value #DRAIN}               graceful drain: idle connections close, busy ones after their response
 *        ─▶ {@value #READ_TIMEOUT}        idle, header-read and body-read timeouts (408)
 *        ─▶ {@value #STALLED_CLIENT}      closes a connection the client has not read from for too long
 *        ─▶ {@value #KEY_CHECK}           a proxied endpoint's missing or unknown key: 401 before the body is read
 *        ─▶ {@value #BODY_AGGREGATOR}     whole body up to max_request_bytes (413), 100-continue
 *        ─▶ {@value #SEQUENCER}           pipelined requests answered in order, one at a time
 *        ─▶ {@value #ENDPOINTS}           refusals (closing); path → endpoint (404/405); /health, /ready; the Exchange
 *        ─▶ {@value #AUTH}                gateway key → principal (401)
 *        ─▶ {@value #KEY_LIMITS}          the key's rate, token, concurrency and budget limits (429)
 *        ─▶ {@value #MODEL_LIST}          GET /v1/models
 *        ─▶ {@value #MODEL_ROUTE}         body read, model → route (400/403/404/415)
 *        ─▶ {@value #PROXY}               the exchange goes upstream; the response is relayed back
 *        ─▶ {@value #ERRORS}              exceptions nobody handled: logged (client I/O errors quietly), close
 * </pre>
 * An HTTP/2 connection (prior knowledge, {@code Upgrade}) has a shape of its own, built here too from the same stages:
 * <pre>
 *  bytes ─▶ {@value #LINGERING_CLOSE}     after a GOAWAY for a connection error: half-close, read the rest away
 *        ─▶ {@value #H2_CODEC}            frames; SETTINGS (max concurrent streams, header list size), rapid-reset cap
 *        ─▶ {@value #H2_GRACEFUL_CLOSE}   GOAWAY on drain and after idle_timeout without a stream; deadline to streams
 *        ─▶ {@value #H2_STREAMS}          one child channel per stream, each with:
 *             {@value #LINGERING_CLOSE} → {@value #H2_STREAM_CODEC} → {@value #READ_TIMEOUT} (body only)
 *             → {@value #STALLED_CLIENT} → {@value #KEY_CHECK} → {@value #BODY_AGGREGATOR} → {@value #ENDPOINTS}
 *             … {@value #PROXY} → {@value #ERRORS}
 *        ─▶ {@value #ERRORS}
 * </pre>
 * A stream's refusal, cancel or stall ends that stream (RST_STREAM), never the connection — a refusal after the
 * lingering close has read away what the client still sends on it; the HTTP/1.1-only mechanics (keep-alive, drain
 * handler, sequencer, RFC 9112's head rules) are the connection's or the codec's job there.
 * Handlers up to the sequencer are per connection, but the shared request checks; the stateless ones after it are
 * shared. Each new connection is
 * first admitted by {@link ClientConnections} (the cap on open connections, and no new ones while draining);
 * the admin listener has no such cap and is not drained, so probes and scrapes see the drain to its end. The
 * request limits come from the running config when the connection opens: a reload applies them to new connections.
 */
public final class DownstreamPipeline extends ChannelInitializer<Channel> {
    public static final String TLS = "tls";
    public static final String LINGERING_CLOSE = "lingering-close";
    public static final String HTTP_CODEC = "http-codec";
    public static final String CONFORMANCE = "request-conformance";
    public static final String KEEP_ALIVE = "keep-alive";
    public static final String DRAIN = "drain";
    public static final String READ_TIMEOUT = "request-read-timeout";
    public static final String STALLED_CLIENT = "stalled-client";
    public static final String KEY_CHECK = "key-check-before-body";
    public static final String BODY_AGGREGATOR = "body-aggregator";
    public static final String SEQUENCER = "request-sequencer";
    public static final String ENDPOINTS = "endpoints";
    public static final String AUTH = "api-key-auth";
    public static final String KEY_LIMITS = "key-limits";
    public static final String MODEL_LIST = "model-list";
    public static final String MODEL_ROUTE = "model-route";
    public static final String BUDGET = "budget";
    public static final String PROXY = "proxy";
    public static final String ERRORS = "connection-errors";
    public static final String ALPN = "alpn";
    public static final String H2C_PRIOR_KNOWLEDGE = "h2c-prior-knowledge";
    public static final String H2C_UPGRADE = "h2c-upgrade";
    public static final String H2_CODEC = "http2-codec";
    public static final String H2_GRACEFUL_CLOSE = "http2-graceful-close";
    public static final String H2_STREAMS = "http2-streams";
    public static final String H2_STREAM_CODEC = "http2-stream-codec";

    /**
     * What an HTTP/1.1 connection has and an HTTP/2 one does not (the request stages move into each stream). They
     * go before the HTTP/2 codec comes, whose first write (its SETTINGS) must not meet the HTTP/1.1 encoder; the
     * prior-knowledge detector goes after it, then hands the bytes it read on to that codec. The lingering close
     * stays: the close after a GOAWAY for a connection error lingers too ({@link Http2GracefulClose}).
     */
    private static final List<String> HTTP1_ONLY = List.of(HTTP_CODEC, H2C_UPGRADE, CONFORMANCE,
            KEEP_ALIVE, DRAIN, READ_TIMEOUT, STALLED_CLIENT, KEY_CHECK, BODY_AGGREGATOR, SEQUENCER, ENDPOINTS, AUTH,
            KEY_LIMITS, MODEL_LIST, MODEL_ROUTE, BUDGET, PROXY);
    /**
     * The header list the HTTP/2 codec decodes (and advertises), as a multiple of max_header_bytes: a list over
     * max_header_bytes and under this is decoded whole, so the stream can answer it 431 in the client's shape
     * ({@link Http2StreamCodec}); past it the codec answers alone (a bare 431 and RST_STREAM, or GOAWAY past another
     * quarter, as HPACK state is then lost).
     */
    private static final int HEADER_LIST_DECODED_FACTOR = 4;
    /** How much longer than drain_timeout a closing HTTP/2 connection waits for its streams before it closes. */
    private static final long GRACEFUL_CLOSE_SLACK_MILLIS = 5000;

    private static final ConnectionErrorHandler CONNECTION_ERRORS = new ConnectionErrorHandler();
    private static final RequestConformance REQUEST_CONFORMANCE = new RequestConformance();

    private final Supplier<ServerConfig> server;
    private final Supplier<SslContext> tls;
    private final ClientConnections connections;
    private final EndpointHandler endpoints;
    private final ApiKeyAuthHandler auth;
    private final KeyLimitHandler keyLimits = new KeyLimitHandler();
    private final KeyCheckBeforeBody keyCheck;
    private final ModelListHandler modelList;
    private final ModelRouteHandler modelRoute;
    private final ProxyCall.Factory calls;
    private final BudgetHandler budget;
    private final Runnable stalledClientClosed;

    /**
     * @param tls                 the listener's TLS context when a connection opens; null from it: plain HTTP
     * @param stalledClientClosed told of each connection closed because its client stopped reading
     */
    public DownstreamPipeline(Supplier<ServerConfig> server, Supplier<SslContext> tls, ClientConnections connections,
                              EndpointHandler endpoints, ApiKeyAuthHandler auth, ModelListHandler modelList,
                              ModelRouteHandler modelRoute, ProxyCall.Factory calls, BudgetHandler budget,
                              Runnable stalledClientClosed) {
        this.server = server;
        this.tls = tls;
        this.stalledClientClosed = stalledClientClosed;
        this.connections = connections;
        this.endpoints = endpoints;
        this.auth = auth;
        this.keyCheck = auth == null ? null : new KeyCheckBeforeBody(auth);
        this.modelList = modelList;
        this.modelRoute = modelRoute;
        this.calls = calls;
        this.budget = budget;
    }

    /** The admin listener's pipeline: the same front, ending at the endpoint handler (health, ready, metrics). */
    public static DownstreamPipeline admin(Supplier<ServerConfig> server, EndpointHandler endpoints,
                                           Runnable stalledClientClosed) {
        return new DownstreamPipeline(server, () -> null, null, endpoints, null, null, null, null, null,
                stalledClientClosed);
    }

    @Override
    protected void initChannel(Channel channel) {
        if (connections != null && !connections.admit(channel)) {
            return;
        }
        ServerConfig server = this.server.get();
        boolean http2 = calls != null && server.http2().enabled();
        ChannelPipeline pipeline = channel.pipeline();
        SslContext tls = this.tls.get();
        if (tls != null) {
            // A handshake is held to the same limit as a request's head: a client cannot hold a connection longer.
            SslHandler handshake = tls.newHandler(channel.alloc());
            handshake.setHandshakeTimeoutMillis(server.headerReadTimeout().toMillis());
            pipeline.addLast(TLS, handshake);
            if (http2) {
                pipeline.addLast(ALPN, new Http2Alpn(ctx -> toHttp2(ctx.pipeline(), server)));
            }
        }
        boolean h2c = http2 && tls == null;
        pipeline.addLast(LINGERING_CLOSE, lingeringClose(server));
        if (h2c) {
            pipeline.addLast(H2C_PRIOR_KNOWLEDGE, new Http2PriorKnowledge(ctx -> toHttp2(ctx.pipeline(), server)));
        }
        HttpServerCodec codec = new HttpServerCodec(new HttpDecoderConfig()
                .setMaxInitialLineLength(server.maxInitialLineBytes())
                .setMaxHeaderSize(server.maxHeaderBytes()));
        pipeline.addLast(HTTP_CODEC, codec);
        if (h2c) {
            pipeline.addLast(H2C_UPGRADE, new H2cUpgrade(codec, protocol ->
                    AsciiString.contentEquals(Http2CodecUtil.HTTP_UPGRADE_PROTOCOL_NAME, protocol)
                            ? new Http2ServerUpgradeCodec(H2_CODEC, http2Codec(server), new UpgradedToHttp2(server))
                            : null));
        }
        pipeline.addLast(CONFORMANCE, REQUEST_CONFORMANCE)
                .addLast(KEEP_ALIVE, new HttpServerKeepAliveHandler())
                .addLast(DRAIN, new DrainHandler());
        addRequestStages(pipeline, server, new RequestReadTimeoutHandler(server.idleTimeout(),
                server.headerReadTimeout(), server.bodyReadTimeout()), new RequestSequencer());
    }

    /**
     * The stages every request goes through, on an HTTP/1.1 connection or an HTTP/2 stream alike: read timeouts,
     * stalled client, key check before the body, body, then (after {@code sequencer}, HTTP/1.1's only) endpoints
     * to proxy, and the error handler last.
     */
    private void addRequestStages(ChannelPipeline pipeline, ServerConfig server, RequestReadTimeoutHandler timeouts,
                                  RequestSequencer sequencer) {
        pipeline.addLast(READ_TIMEOUT, timeouts)
                .addLast(STALLED_CLIENT, new StalledClientTimeout(server.stalledClientTimeout(),
                        stalledClientClosed));
        if (keyCheck != null) {
            pipeline.addLast(KEY_CHECK, keyCheck);
        }
        pipeline.addLast(BODY_AGGREGATOR, new RequestBodyAggregator((int) Math.min(Integer.MAX_VALUE,
                server.maxRequestBytes())));
        if (sequencer != null) {
            pipeline.addLast(SEQUENCER, sequencer);
        }
        pipeline.addLast(ENDPOINTS, endpoints);
        if (calls != null) {
            pipeline.addLast(AUTH, auth)
                    .addLast(KEY_LIMITS, keyLimits)
                    .addLast(MODEL_LIST, modelList)
                    .addLast(MODEL_ROUTE, modelRoute)
                    .addLast(BUDGET, budget)
                    .addLast(PROXY, new ProxyHandler(calls));
        }
        pipeline.addLast(ERRORS, CONNECTION_ERRORS);
    }

    /**
     * The connection turns HTTP/2 (prior knowledge here; ALPN {@code h2} on a TLS listener through the same call):
     * the HTTP/1.1 handlers go, the HTTP/2 codec, the graceful close and the stream multiplexer come; each stream
     * gets the request stages ({@link #initStream}). The connection-error handler stays last.
     */
    void toHttp2(ChannelPipeline pipeline, ServerConfig server) {
        removeHttp1(pipeline, true);
        pipeline.addBefore(ERRORS, H2_CODEC, http2Codec(server));
        addHttp2Streams(pipeline, server);
        if (pipeline.context(H2C_PRIOR_KNOWLEDGE) != null) {
            pipeline.remove(H2C_PRIOR_KNOWLEDGE);
        }
    }

    /** The connection handlers after the HTTP/2 codec: graceful close, then one child channel per stream. */
    private void addHttp2Streams(ChannelPipeline pipeline, ServerConfig server) {
        Http2GracefulClose graceful = new Http2GracefulClose(server.idleTimeout());
        pipeline.addAfter(H2_CODEC, H2_GRACEFUL_CLOSE, graceful)
                .addAfter(H2_GRACEFUL_CLOSE, H2_STREAMS, new Http2MultiplexHandler(
                        new ChannelInitializer<Http2StreamChannel>() {
                            @Override
                            protected void initChannel(Http2StreamChannel stream) {
                                graceful.opened(stream);
                                initStream(stream.pipeline(), server);
                            }
                        }));
    }

    /**
     * One HTTP/2 stream's pipeline: the lingering close of a refused request's stream, its frames as one HTTP
     * request and response, then the request stages. What is HTTP/1.1's alone stays out — keep-alive, the drain
     * handler, the sequencer, the head rules of RFC 9112 (the HTTP/2 codec has validated the head: pseudo-headers,
     * no connection-specific fields) — as does the header-read and idle part of the read timeouts: a stream exists
     * once its headers are whole, and the connection's idle time is {@link Http2GracefulClose}'s.
     */
    private void initStream(ChannelPipeline stream, ServerConfig server) {
        stream.addLast(LINGERING_CLOSE, lingeringClose(server))
                .addLast(H2_STREAM_CODEC, new Http2StreamCodec(server.maxHeaderBytes()));
        addRequestStages(stream, server, new RequestReadTimeoutHandler(Duration.ZERO, Duration.ZERO,
                server.bodyReadTimeout()), null);
    }

    private static LingeringClose lingeringClose(ServerConfig server) {
        return new LingeringClose(server.lingeringTime(), server.lingeringTimeout(), server.maxLingeringBytes());
    }

    private static void removeHttp1(ChannelPipeline pipeline, boolean withUpgrade) {
        for (String name : HTTP1_ONLY) {
            if ((withUpgrade || !name.equals(H2C_UPGRADE)) && pipeline.context(name) != null) {
                pipeline.remove(name);
            }
        }
    }

    /**
     * The HTTP/2 codec for one connection: SETTINGS_MAX_CONCURRENT_STREAMS from the config, the header list
     * bounded ({@link #HEADER_LIST_DECODED_FACTOR}), RST_STREAM floods cut off (GOAWAY ENHANCE_YOUR_CALM), and a
     * graceful close that waits for the streams in flight a little longer than a drain does (the drain's deadline
     * ends them first).
     */
    private static Http2FrameCodec http2Codec(ServerConfig server) {
        Http2Config http2 = server.http2();
        return Http2FrameCodecBuilder.forServer()
                .initialSettings(Http2Settings.defaultSettings()
                        .maxConcurrentStreams(http2.maxConcurrentStreams())
                        .maxHeaderListSize((long) server.maxHeaderBytes() * HEADER_LIST_DECODED_FACTOR))
                .decoderEnforceMaxRstFramesPerWindow(http2.maxResetsPerSecond(), 1)
                .gracefulShutdownTimeoutMillis(server.drainTimeout().toMillis() + GRACEFUL_CLOSE_SLACK_MILLIS)
                .build();
    }

    /**
     * Put in by {@code Upgrade: h2c} right after the HTTP/2 codec (the upgrade handler took out the HTTP/1.1 codec
     * and takes itself out): turns the rest of the pipeline to HTTP/2, then goes.
     */
    private final class UpgradedToHttp2 extends ChannelHandlerAdapter {
        private final ServerConfig server;

        UpgradedToHttp2(ServerConfig server) {
            this.server = server;
        }

        @Override
        public void handlerAdded(ChannelHandlerContext ctx) {
            ChannelPipeline pipeline = ctx.pipeline();
            pipeline.remove(this);
            removeHttp1(pipeline, false);
            addHttp2Streams(pipeline, server);
        }
    }
}
