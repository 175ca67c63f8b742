package dev.llmgateway.proxy;

import dev.llmgateway.accesslog.Outcome;
import dev.llmgateway.config.ProviderType;
import dev.llmgateway.dialect.ApiError;
import dev.llmgateway.metrics.GatewayMetrics;
import dev.llmgateway.mock.MockProvider;
import dev.llmgateway.routing.RequestBody;
import dev.llmgateway.routing.Route;
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
import io.netty.handler.codec.http.HttpUtil;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.ScheduledFuture;

import java.io.IOException;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * One exchange's trip to its provider and back: builds the upstream request ({@link UpstreamBodies}), takes a
 * connection from the pool of the client's event loop (or starts the mock), and relays the response through a
 * {@link ResponseRelay}.
 *
 * <p>Before any response byte reaches the client, a connect failure, a first-byte or idle timeout, a connection
 * lost before the head, and a 429/500/502/503/504/529 are retried up to the route's {@code max_attempts}
 * ({@link Retries}), each attempt with the next usable key; when attempts run out on such a failure the next route
 * of the {@link RouteChain} (a fallback alias) starts with its own provider, body and attempts, as it does when a
 * provider's circuit refuses an attempt; when the chain is used up the client gets the last provider answer, or a
 * 502/503/504 in its dialect. Each attempt's outcome feeds the provider's circuit. A reused keep-alive connection
 * that dies before answering is retried once more on a fresh one, free (the provider closed it while idle; it never
 * saw the request). After the
 * head, a failure or timeout ends a stream with an error event and closes ({@link UpstreamTimers}). Gateway
 * overhead is the time from the request's arrival to the upstream write, less the wait for a connection, plus the
 * relay's own time.
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
    public static Factory factory(UpstreamConnector upstreams, GatewayMetrics metrics) {
        return (exchange, ended) -> {
            ProxyCall call = new ProxyCall(exchange, upstreams, metrics, ended);
            call.start();
            return call;
        };
    }

    private final Exchange exchange;
    private final Channel downstream;
    private final UpstreamConnector upstreams;
    private final Consumer<ProxyCall> ended;
    private final GatewayMetrics metrics;
    private final RouteChain chain;
    /** The route in use and what belongs to it; a fallback replaces them all. */
    private Provider provider;
    private Retries retries;
    private UpstreamTimers timers;
    private boolean mock;
    private HttpHeaders forwardedHeaders;
    private Future<UpstreamConnection> acquiring;
    private UpstreamSource source;
    private Relay relay;
    /** An error response kept back while deciding whether to retry it; owned here until passed on or dropped. */
    private HeldResponse held;
    private ScheduledFuture<?> retryWait;
    private int staleRetries;
    private boolean sourceReused;
    private boolean done;

    private ProxyCall(Exchange exchange, UpstreamConnector upstreams, GatewayMetrics metrics,
                      Consumer<ProxyCall> ended) {
        this.exchange = exchange;
        this.downstream = exchange.downstream();
        this.upstreams = upstreams;
        this.ended = ended;
        this.metrics = metrics;
        this.chain = new RouteChain(exchange.route(), metrics);
    }

    private void start() {
        forwardedHeaders = UpstreamRequests.forwardedHeaders(exchange.request().headers(), exchange.requestId());
        startRoute(chain.next(), exchange.receivedNanos());
    }

    /** Moves to the next route of the chain; false when none is left. */
    private boolean fallBack() {
        Route next = chain.next();
        if (next != null) {
            startRoute(next, System.nanoTime());
        }
        return next != null;
    }

    /** Starts a route's attempts; {@code sinceNanos} is when the gateway's own work for it began (overhead). */
    private void startRoute(Route route, long sinceNanos) {
        exchange.route(route);
        provider = route.provider();
        retries = new Retries(provider, route.policy(), metrics,
                exchange.principal() == null ? null : exchange.principal().providerKey(provider.name()));
        mock = provider.type() == ProviderType.MOCK;
        if (timers != null) {
            timers.cancelAll();
        }
        timers = new UpstreamTimers(downstream.eventLoop(), route.policy(), this::timedOut);
        ApiError refused = UpstreamBodies.prepare(exchange, route);
        if (refused != null) {
            end();
            exchange.fail(refused);
            return;
        }
        exchange.addOverhead(System.nanoTime() - sinceNanos);
        if (mock) {
            RequestBody body = exchange.body();
            exchange.attemptStarted();
            relay = newRelay();
            // A translated answer always carries usage: the client's encoder decides whether the client sees it.
            source = MockProvider.serve(provider.config().mock(), downstream.eventLoop(), downstream.alloc(),
                    route.apiModel(), body.stream(),
                    body.includeUsage() || exchange.hidesUsage() || exchange.translation() != null,
                    exchange.request().content().readableBytes(), this);
            return;
        }
        timers.exchangeStarted(exchange.receivedNanos());
        attempt();
    }

    private void attempt() {
        if (!retries.chooseKey()) {
            if (fallBack()) {
                return;
            }
            failBeforeResponse(ApiError.upstreamKeysCooling(provider.name(), retries.secondsUntilKeyUsable()),
                    Outcome.REJECTED);
            return;
        }
        if (!retries.admit()) {
            if (!fallBack()) {
                failBeforeResponse(ApiError.allUpstreamsOpen(exchange.route().requestedModel()), Outcome.REJECTED);
            }
            return;
        }
        exchange.attemptStarted();
        acquiring = upstreams.acquire(downstream.eventLoop(), provider);
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
            retries.settle(true);
            retryOrFail(ApiError.upstreamUnreachable(provider.name(), describe(future.cause())),
                    Outcome.UPSTREAM_ERROR);
            return;
        }
        long acquiredNanos = System.nanoTime();
        UpstreamConnection connection = (UpstreamConnection) future.getNow();
        connection.bind(this);
        source = connection;
        sourceReused = connection.reused();
        relay = newRelay();
        FullHttpRequest request = UpstreamRequests.build(provider, exchange.upstreamPath(),
                forwardedHeaders, exchange.upstreamBody().retainedDuplicate(), retries.key());
        connection.channel().writeAndFlush(request).addListener(written -> {
            if (!written.isSuccess() && source == connection) {
                onUpstreamFailure(written.cause());
            }
        });
        timers.requestWritten();
        exchange.addOverhead(System.nanoTime() - acquiredNanos);
    }

    @Override
    public void onResponseHead(HttpResponse head) {
        if (done) {
            return;
        }
        if (mock) {
            relay.head(head); // the built-in mock: the gateway's own answer needs no timeout or retry
            return;
        }
        timers.headReceived();
        int status = head.status().code();
        retries.settle(status != 429 && RetryPolicy.retryableStatus(status));
        if (retries.holds(status, chain.hasNext())) {
            held = new HeldResponse(head, downstream.alloc());
        } else {
            relay.head(head);
        }
    }

    @Override
    public void onResponseContent(HttpContent content) {
        if (done) {
            content.release();
            return;
        }
        timers.read();
        if (held != null) {
            if (!held.add(content)) {
                passHeldOn();
            } else if (held.complete()) {
                decide();
            }
            return;
        }
        relay.content(content);
        if (!done && !downstream.isWritable()) {
            source.pauseReading();
            timers.paused(true);
        }
    }

    /** A whole held error response: retry it, or give it to the client. */
    private void decide() {
        long waitNanos = retries.afterError(held);
        boolean fallingBack = waitNanos == Retries.GIVE_UP && Retries.fallsBack(held) && chain.hasNext();
        if (waitNanos == Retries.GIVE_UP && !fallingBack) {
            passHeldOn();
            return;
        }
        HeldResponse dropped = held;
        held = null;
        dropped.release();
        UpstreamSource used = source;
        source = null;
        timers.attemptEnded();
        used.finish(HttpUtil.isKeepAlive(dropped.head()));
        if (fallingBack) {
            relay.discard();
            fallBack();
        } else {
            retryAfter(waitNanos);
        }
    }

    private void passHeldOn() {
        HeldResponse passing = held;
        held = null;
        passing.replay(relay);
    }

    @Override
    public void onUpstreamFailure(Throwable cause) {
        if (done) {
            return;
        }
        abortSource();
        timers.attemptEnded();
        if (failedAfterHead(ApiError.upstreamBroken(provider.name(), describe(cause)), Outcome.UPSTREAM_ERROR)) {
            return;
        }
        dropAttempt();
        if (sourceReused && staleRetries < MAX_STALE_RETRIES) {
            retries.abandon();
            staleRetries++;
            attempt();
            return;
        }
        retries.settle(true);
        retryOrFail(ApiError.upstreamBroken(provider.name(), describe(cause)), Outcome.UPSTREAM_ERROR);
    }

    private void timedOut(UpstreamTimers.Kind kind) {
        if (done) {
            return;
        }
        abortSource();
        ApiError error = ApiError.upstreamTimeout(provider.name(), kind.label);
        retries.settle(true);
        if (failedAfterHead(error, Outcome.TIMEOUT)) {
            return;
        }
        if (acquiring != null) {
            acquiring.cancel(false);
        }
        dropAttempt();
        if (kind == UpstreamTimers.Kind.TOTAL) {
            failBeforeResponse(error, Outcome.TIMEOUT);
        } else {
            retryOrFail(error, Outcome.TIMEOUT);
        }
    }

    /** Stops the current attempt's upstream at once; its connection is closed, never pooled. */
    private void abortSource() {
        UpstreamSource current = source;
        source = null;
        if (current != null) {
            current.abort();
        }
    }

    /**
     * Once the client has the response head a failure can only end the stream: an error event in the client's
     * dialect, then a close. Returns false (nothing done) while nothing has reached the client.
     */
    private boolean failedAfterHead(ApiError error, Outcome outcome) {
        if (relay == null || !relay.started()) {
            return false;
        }
        end();
        relay.failMidResponse(error);
        exchange.end(relay.status(), outcome, error.code());
        return true;
    }

    /** Frees what the failed attempt held back from the client. */
    private void dropAttempt() {
        if (held != null) {
            held.release();
            held = null;
        }
        if (relay != null) {
            relay.discard();
        }
    }

    private void retryOrFail(ApiError error, Outcome outcome) {
        long waitNanos = retries.afterFailure();
        if (waitNanos == Retries.GIVE_UP) {
            if (!fallBack()) {
                failBeforeResponse(error, outcome);
            }
        } else {
            retryAfter(waitNanos);
        }
    }

    private void retryAfter(long waitNanos) {
        retryWait = downstream.eventLoop().schedule(() -> {
            retryWait = null;
            if (!done) {
                attempt();
            }
        }, waitNanos, TimeUnit.NANOSECONDS);
    }

    /** Relays the current attempt's answer: as it is, or translated into the client's dialect. */
    private Relay newRelay() {
        Translation translation = exchange.translation();
        return translation == null ? new ResponseRelay(exchange, this::responseEnded, this::streamBroken)
                : new TranslatingRelay(exchange, translation, this::responseEnded, this::streamBroken);
    }

    /** The relay found the provider's stream unusable after the client got its head. */
    private void streamBroken(String reason) {
        onUpstreamFailure(new IOException(reason));
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
        dropAttempt();
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
        abortSource();
        boolean started = relay != null && relay.started();
        dropAttempt();
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
        abortSource();
        if (!failedAfterHead(ApiError.draining(), Outcome.DRAINED)) {
            failBeforeResponse(ApiError.draining(), Outcome.DRAINED);
        }
    }

    void downstreamWritable() {
        if (!done && source != null) {
            source.resumeReading();
            timers.paused(false);
        }
    }

    /** Every ending path comes here: no timer or pending retry outlives the exchange. */
    private void end() {
        done = true;
        if (retries != null) {
            retries.abandon();
        }
        timers.cancelAll();
        if (retryWait != null) {
            retryWait.cancel(false);
            retryWait = null;
        }
        ended.accept(this);
    }

    private static String describe(Throwable cause) {
        String message = cause.getMessage();
        return cause.getClass().getSimpleName() + (message == null ? "" : ": " + message);
    }
}
