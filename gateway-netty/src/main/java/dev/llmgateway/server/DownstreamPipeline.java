package dev.llmgateway.server;

import dev.llmgateway.auth.ApiKeyAuthHandler;
import dev.llmgateway.auth.KeyLimitHandler;
import dev.llmgateway.budget.BudgetHandler;
import dev.llmgateway.config.ServerConfig;
import dev.llmgateway.proxy.ProxyCall;
import dev.llmgateway.server.ProxyHandler;
import dev.llmgateway.routing.ModelListHandler;
import dev.llmgateway.routing.ModelRouteHandler;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpServerKeepAliveHandler;
import io.netty.handler.ssl.SslContext;

import java.util.function.Supplier;

/**
 * The downstream pipeline, one per client connection; every handler's name and place is here and nowhere else.
 * <pre>
 *  bytes ─▶ {@value #TLS}                 [server.tls] only: TLS with the running config's certificate
 *        ─▶ {@value #LINGERING_CLOSE}     after an early refusal: half-close, read the rest away, then close
 *        ─▶ {@value #HTTP_CODEC}          HTTP/1.1 framing; request line and header size limits
 *        ─▶ {@value #CONFORMANCE}         HTTP/1.1's request rules: version (505), transfer codings (501), Host (400)
 *        ─▶ {@value #KEEP_ALIVE}          Connection: close / keep-alive per RFC 9112, HTTP/1.0 included
 *        ─▶ {@value #DRAIN}               graceful drain: idle connections close, busy ones after their response
 *        ─▶ {@value #READ_TIMEOUT}        idle, header-read and body-read timeouts (408)
 *        ─▶ {@value #STALLED_CLIENT}      closes a connection the client has not read from for too long
 *        ─▶ {@value #KEY_CHECK}           a proxied endpoint's missing or unknown key: 401 before the body is read
 *        ─▶ {@value #BODY_AGGREGATOR}     whole body up to max_request_bytes (413), 100-continue
 *        ─▶ {@value #SEQUENCER}           pipelined requests answered in order, one at a time
 *        ─▶ {@value #ENDPOINTS}           refusals (closing); path → endpoint (404/405); /health and /ready; the Exchange
 *        ─▶ {@value #AUTH}                gateway key → principal (401)
 *        ─▶ {@value #KEY_LIMITS}          the key's rate, token, concurrency and budget limits (429)
 *        ─▶ {@value #MODEL_LIST}          GET /v1/models
 *        ─▶ {@value #MODEL_ROUTE}         body read, model → route (400/403/404/415)
 *        ─▶ {@value #PROXY}               the exchange goes upstream; the response is relayed back
 *        ─▶ {@value #ERRORS}              exceptions nobody handled: logged (client I/O errors quietly), close
 * </pre>
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
        SslContext tls = this.tls.get();
        if (tls != null) {
            channel.pipeline().addLast(TLS, tls.newHandler(channel.alloc()));
        }
        channel.pipeline()
                .addLast(LINGERING_CLOSE, new LingeringClose(server.lingeringTime(), server.lingeringTimeout(),
                        server.maxLingeringBytes()))
                .addLast(HTTP_CODEC, new HttpServerCodec(new HttpDecoderConfig()
                        .setMaxInitialLineLength(server.maxInitialLineBytes())
                        .setMaxHeaderSize(server.maxHeaderBytes())))
                .addLast(CONFORMANCE, REQUEST_CONFORMANCE)
                .addLast(KEEP_ALIVE, new HttpServerKeepAliveHandler())
                .addLast(DRAIN, new DrainHandler())
                .addLast(READ_TIMEOUT, new RequestReadTimeoutHandler(server.idleTimeout(),
                        server.headerReadTimeout(), server.bodyReadTimeout()))
                .addLast(STALLED_CLIENT, new StalledClientTimeout(server.stalledClientTimeout(),
                        stalledClientClosed));
        if (keyCheck != null) {
            channel.pipeline().addLast(KEY_CHECK, keyCheck);
        }
        channel.pipeline()
                .addLast(BODY_AGGREGATOR, new RequestBodyAggregator((int) Math.min(Integer.MAX_VALUE,
                        server.maxRequestBytes())))
                .addLast(SEQUENCER, new RequestSequencer())
                .addLast(ENDPOINTS, endpoints);
        if (calls != null) {
            channel.pipeline()
                    .addLast(AUTH, auth)
                    .addLast(KEY_LIMITS, keyLimits)
                    .addLast(MODEL_LIST, modelList)
                    .addLast(MODEL_ROUTE, modelRoute)
                    .addLast(BUDGET, budget)
                    .addLast(PROXY, new ProxyHandler(calls));
        }
        channel.pipeline().addLast(ERRORS, CONNECTION_ERRORS);
    }
}
