package dev.llmgateway.proxy;

import dev.llmgateway.accesslog.Outcome;
import dev.llmgateway.config.ProviderType;
import dev.llmgateway.dialect.ApiError;
import dev.llmgateway.mock.MockProvider;
import dev.llmgateway.routing.RequestBody;
import dev.llmgateway.routing.Route;
import dev.llmgateway.server.Endpoint;
import dev.llmgateway.upstream.Provider;
import dev.llmgateway.upstream.UpstreamConnection;
import dev.llmgateway.upstream.UpstreamConnector;
import dev.llmgateway.upstream.UpstreamListener;
import dev.llmgateway.upstream.UpstreamRequests;
import dev.llmgateway.upstream.UpstreamSource;
import io.netty.channel.Channel;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.util.concurrent.Future;

import java.util.function.Consumer;

/**
 * One exchange's trip to its provider and back: builds the upstream request ({@link UpstreamBodies}), takes a
 * connection from the pool of the client's event loop (or starts the mock), and relays the response through a
 * {@link ResponseRelay}. Before any response byte reaches the client a failure is answered with 502 in the
 * client's dialect; a reused keep-alive connection that dies before answering is retried once on a fresh one (the
 * provider closed it while idle; it never saw the request). Gateway overhead is the time from the request's
 * arrival to the upstream write, less the wait for a connection, plus the relay's own time.
 *
 * <p>Ownership: the exchange keeps the upstream body until it ends; each attempt sends a retained duplicate.
 * Everything runs on the client channel's event loop.
 */
public final class ProxyCall implements UpstreamListener {
    private static final int MAX_STALE_RETRIES = 1;
    private static final int CLIENT_CLOSED_REQUEST = 499;

    /** Creates and starts calls; {@code ended} hears when a call is over, whichever way. */
    public interface Factory {
        ProxyCall start(Exchange exchange, Consumer<ProxyCall> ended);
    }

    /** The factory the pipeline uses. */
    public static Factory factory(UpstreamConnector upstreams) {
        return (exchange, ended) -> {
            ProxyCall call = new ProxyCall(exchange, upstreams, ended);
            call.start();
            return call;
        };
    }

    private final Exchange exchange;
    private final Channel downstream;
    private final UpstreamConnector upstreams;
    private final Consumer<ProxyCall> ended;
    private HttpHeaders forwardedHeaders;
    private Future<UpstreamConnection> acquiring;
    private UpstreamSource source;
    private ResponseRelay relay;
    private int staleRetries;
    private boolean sourceReused;
    private boolean done;

    private ProxyCall(Exchange exchange, UpstreamConnector upstreams, Consumer<ProxyCall> ended) {
        this.exchange = exchange;
        this.downstream = exchange.downstream();
        this.upstreams = upstreams;
        this.ended = ended;
    }

    private void start() {
        Route route = exchange.route();
        Provider provider = route.provider();
        Endpoint endpoint = exchange.endpoint();
        if (provider.type() == ProviderType.MOCK && endpoint != Endpoint.CHAT_COMPLETIONS) {
            end();
            exchange.fail(ApiError.endpointNotSupported(route.requestedModel(), provider.name(), endpoint.path()));
            return;
        }
        RequestBody body = exchange.body();
        boolean askForUsage = UpstreamBodies.needsUsageRequested(endpoint, body);
        exchange.upstreamBody(UpstreamBodies.build(exchange.request().content(), body, route, askForUsage),
                askForUsage);
        if (provider.type() == ProviderType.MOCK) {
            exchange.attemptStarted();
            relay = new ResponseRelay(exchange, this::responseEnded);
            source = MockProvider.serve(provider.config().mock(), downstream.eventLoop(), downstream.alloc(),
                    route.apiModel(), body.stream(), body.includeUsage() || askForUsage,
                    exchange.request().content().readableBytes(), this);
            exchange.addOverhead(System.nanoTime() - exchange.receivedNanos());
            return;
        }
        forwardedHeaders = UpstreamRequests.forwardedHeaders(exchange.request().headers(), exchange.requestId());
        exchange.addOverhead(System.nanoTime() - exchange.receivedNanos());
        attempt();
    }

    private void attempt() {
        exchange.attemptStarted();
        acquiring = upstreams.acquire(downstream.eventLoop(), exchange.route().provider());
        if (acquiring.isDone()) {
            acquired(acquiring);
        } else {
            acquiring.addListener(this::acquired);
        }
    }

    private void acquired(Future<?> future) {
        acquiring = null;
        if (done) {
            if (future.isSuccess()) {
                ((UpstreamConnection) future.getNow()).finish(true);
            }
            return;
        }
        if (!future.isSuccess()) {
            failBeforeResponse(ApiError.upstreamUnreachable(exchange.route().provider().name(),
                    describe(future.cause())), Outcome.UPSTREAM_ERROR);
            return;
        }
        long acquiredNanos = System.nanoTime();
        UpstreamConnection connection = (UpstreamConnection) future.getNow();
        connection.bind(this);
        source = connection;
        sourceReused = connection.reused();
        relay = new ResponseRelay(exchange, this::responseEnded);
        FullHttpRequest request = UpstreamRequests.build(exchange.route().provider(),
                exchange.endpoint().upstreamPath(), forwardedHeaders, exchange.upstreamBody().retainedDuplicate());
        connection.channel().writeAndFlush(request).addListener(written -> {
            if (!written.isSuccess() && source == connection) {
                onUpstreamFailure(written.cause());
            }
        });
        exchange.addOverhead(System.nanoTime() - acquiredNanos);
    }

    @Override
    public void onResponseHead(HttpResponse head) {
        if (!done) {
            relay.head(head);
        }
    }

    @Override
    public void onResponseContent(HttpContent content) {
        if (done) {
            content.release();
            return;
        }
        relay.content(content);
        if (!done && !downstream.isWritable()) {
            source.pauseReading();
        }
    }

    @Override
    public void onUpstreamFailure(Throwable cause) {
        if (done) {
            return;
        }
        UpstreamSource failed = source;
        source = null;
        if (failed != null) {
            failed.abort();
        }
        if (relay != null && relay.started()) {
            end();
            relay.failMidResponse(ApiError.upstreamBroken(exchange.route().provider().name(), describe(cause)));
            exchange.end(relay.status(), Outcome.UPSTREAM_ERROR, "upstream_error");
            return;
        }
        if (sourceReused && staleRetries < MAX_STALE_RETRIES) {
            staleRetries++;
            attempt();
            return;
        }
        failBeforeResponse(ApiError.upstreamBroken(exchange.route().provider().name(), describe(cause)),
                Outcome.UPSTREAM_ERROR);
    }

    /** The response went to the client whole; the upstream connection may serve another exchange. */
    private void responseEnded(boolean upstreamReusable) {
        UpstreamSource finished = source;
        source = null;
        end();
        int status = relay.status();
        exchange.end(status, Outcome.COMPLETED, status >= 400 ? "upstream_http_" + status : null);
        if (finished != null) {
            finished.finish(upstreamReusable);
        }
    }

    private void failBeforeResponse(ApiError error, Outcome outcome) {
        end();
        if (relay != null) {
            relay.discard();
        }
        exchange.fail(error, outcome);
    }

    /** The client went away: stop the upstream at once, never pool its connection. */
    void cancel() {
        if (done) {
            return;
        }
        end();
        if (acquiring != null) {
            acquiring.cancel(false);
        }
        if (source != null) {
            source.abort();
            source = null;
        }
        boolean started = relay != null && relay.started();
        if (relay != null) {
            relay.discard();
        }
        exchange.end(started ? relay.status() : CLIENT_CLOSED_REQUEST, Outcome.CANCELLED_BY_CLIENT, null);
    }

    /** The gateway is draining and this call outlived drain_timeout: end it as if the upstream had broken. */
    void drainExpired() {
        if (done) {
            return;
        }
        if (acquiring != null) {
            acquiring.cancel(false);
        }
        if (source != null) {
            source.abort();
            source = null;
        }
        if (relay != null && relay.started()) {
            end();
            relay.failMidResponse(ApiError.draining());
            exchange.end(relay.status(), Outcome.DRAINED, "draining");
            return;
        }
        failBeforeResponse(ApiError.draining(), Outcome.DRAINED);
    }

    void downstreamWritable() {
        if (!done && source != null) {
            source.resumeReading();
        }
    }

    private void end() {
        done = true;
        ended.accept(this);
    }

    private static String describe(Throwable cause) {
        String message = cause.getMessage();
        return cause.getClass().getSimpleName() + (message == null ? "" : ": " + message);
    }
}
