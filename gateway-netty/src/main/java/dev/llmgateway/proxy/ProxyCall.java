package dev.llmgateway.proxy;

import dev.llmgateway.accesslog.Outcome;
import dev.llmgateway.dialect.ApiError;
import dev.llmgateway.dialect.SamplingParameters;
import dev.llmgateway.dialect.Untranslatable;
import dev.llmgateway.exchange.Exchange;
import dev.llmgateway.exchange.RequestFacts;
import dev.llmgateway.exchange.Route;
import dev.llmgateway.metrics.GatewayMetrics;
import dev.llmgateway.tracing.AttemptTrace;
import dev.llmgateway.upstream.MalformedResponseException;
import dev.llmgateway.upstream.Provider;
import dev.llmgateway.upstream.RefusedStreamException;
import dev.llmgateway.upstream.UpstreamConnector;
import dev.llmgateway.upstream.UpstreamListener;
import dev.llmgateway.upstream.UpstreamRequests;
import dev.llmgateway.upstream.UpstreamSession;
import io.netty.channel.Channel;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.ScheduledFuture;

import java.io.IOException;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * One exchange's trip to its provider and back, as a state machine ({@link State}; docs/ARCHITECTURE.md §4): each
 * attempt takes a session from the {@link UpstreamConnector} (a pooled connection, or the built-in mock), sends the
 * route's {@link RouteRequest}, and gives the answer to a {@link Relay}.
 *
 * <p>Before any response byte reaches the client, a connect failure, a first-byte or idle timeout, a connection
 * lost before the head, and a 429/500/502/503/504/529 are retried ({@link Retries} decides), each attempt with the
 * next usable key; when attempts run out the next route of the {@link RouteChain} (a fallback) starts with its own
 * provider, request and attempts, as it does when a provider's circuit refuses an attempt (then another deployment
 * of a weighted alias comes first); when the chain is used up the client gets the last provider answer, or a
 * 502/503/504 in its dialect: 503 {@code upstream_circuit_open} only when no attempt was made at all. A provider's
 * rejection of the gateway's key is never passed on: another key is tried, else the client gets a 502. A reused
 * keep-alive connection that dies before answering is retried once more on a fresh one, free (the provider closed
 * it while idle; it never saw the request). After the head, a failure or timeout ends a stream with an error event and closes. Gateway overhead
 * is the time from the request's arrival to the upstream write, less the wait for a connection, plus the relay's
 * own time.
 *
 * <p>Each attempt has a client span ({@link AttemptTrace}, {@code OFF} with tracing off) from its start to its end,
 * whichever way it ends; the upstream request names it in {@code traceparent}.
 *
 * <p>Ownership: the call owns the route's request body until the route is replaced or the call ends; each attempt
 * sends a retained duplicate. Everything runs on the client channel's event loop.
 */
public final class ProxyCall implements UpstreamListener {
    /** Where the call is; every event checks it, so a late event after the end is ignored. */
    enum State {
        /** Waiting for a session from the connector. */
        CONNECTING,
        /** The request is sent; the first-byte clock runs. */
        AWAITING_HEAD,
        /** A retryable error answer is being read whole, to retry it or pass it on. */
        HOLDING_ERROR,
        /** The relay has the answer (the client may not have its head yet: a body is gathered first). */
        RELAYING,
        /** Waiting out the backoff before the next attempt. */
        BACKING_OFF,
        /** Over, whichever way; nothing of the call is held any more. */
        DONE
    }

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
    private State state = State.CONNECTING;
    /** The route in use and what belongs to it; a fallback replaces them all. */
    private Provider provider;
    private RouteRequest request;
    private Retries retries;
    private UpstreamTimers timers;
    private Future<? extends UpstreamSession> acquiring;
    /** The session of the current attempt, from the request's send until its answer ends or is dropped. */
    private UpstreamSession session;
    private Relay relay;
    /** An error response kept back while deciding whether to retry it; owned here until passed on or dropped. */
    private HeldResponse held;
    private ScheduledFuture<?> retryWait;
    private int staleRetries;
    /** The current attempt's span; {@link AttemptTrace#OFF} between attempts and with tracing off. */
    private AttemptTrace attemptTrace = AttemptTrace.OFF;
    /**
     * This exchange's last failed attempt with nothing held to show for it (unreachable, cut, timed out): what the
     * client gets when no further attempt can be made, rather than a refusal it did not cause.
     */
    private Failure lastFailure;

    /** A gateway-made error and the outcome it records. */
    private record Failure(ApiError error, Outcome outcome) {
    }

    private ProxyCall(Exchange exchange, UpstreamConnector upstreams, GatewayMetrics metrics,
                      Consumer<ProxyCall> ended) {
        this.exchange = exchange;
        this.downstream = exchange.downstream();
        this.upstreams = upstreams;
        this.ended = ended;
        this.metrics = metrics;
        this.chain = new RouteChain(exchange.route(), metrics);
    }

    State state() {
        return state;
    }

    private void start() {
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
        dropAttempt(); // a held answer of the previous route: this route answers now
        provider = route.provider();
        retries = new Retries(provider, route.policy(), metrics,
                exchange.principal() == null ? null : exchange.principal().providerKey(provider.name()));
        if (timers != null) {
            timers.cancelAll();
        }
        timers = new UpstreamTimers(downstream.eventLoop(), route.policy(), this::timedOut);
        if (request != null) {
            request.release(); // the previous route's
            request = null;
        }
        try {
            request = UpstreamBodies.prepare(exchange, route);
        } catch (Untranslatable refused) {
            end();
            exchange.fail(refused.error());
            return;
        }
        exchange.addOverhead(System.nanoTime() - sinceNanos);
        timers.exchangeStarted(exchange.receivedNanos());
        attempt();
    }

    /**
     * CONNECTING: the next attempt on the current route, unless its keys rest or its circuit is open; then the next
     * route, or, with none left, the client gets this exchange's own last answer when an attempt of it failed (a
     * circuit its failure opened is not the client's answer), else the refusal.
     */
    private void attempt() {
        if (!retries.chooseKey()) {
            if (!fallBack()) {
                failWithLastAnswer(retries.keysResting());
            }
            return;
        }
        if (!retries.admit()) {
            if (!fallBack()) {
                failWithLastAnswer(ApiError.allUpstreamsOpen(exchange.route().requestedModel()));
            }
            return;
        }
        dropAttempt(); // the previous attempt's held answer: this attempt answers now
        state = State.CONNECTING;
        exchange.attemptStarted();
        attemptTrace = traceAttempt();
        Future<? extends UpstreamSession> pending = upstreams.acquire(downstream.eventLoop(), provider);
        acquiring = pending;
        if (pending.isDone()) {
            acquired(pending);
        } else {
            pending.addListener(this::acquired);
        }
    }

    /** CONNECTING → AWAITING_HEAD: the session takes the request. */
    private void acquired(Future<?> future) {
        if (future != acquiring) {
            // A late answer for an attempt given up (timeout, cancel): give the connection back unused.
            if (future.isSuccess()) {
                ((UpstreamSession) future.getNow()).finish(true);
            }
            return;
        }
        acquiring = null;
        if (!future.isSuccess()) {
            retries.settle(true);
            ApiError unreachable = ApiError.upstreamUnreachable(provider.name(), describe(future.cause()));
            attemptEnded(AttemptTrace.Outcome.FAILED, unreachable.code());
            retryOrFail(unreachable, Outcome.UPSTREAM_ERROR);
            return;
        }
        long acquiredNanos = System.nanoTime();
        session = (UpstreamSession) future.getNow();
        relay = newRelay();
        state = State.AWAITING_HEAD;
        FullHttpRequest upstreamRequest = UpstreamRequests.build(provider, request.path(),
                exchange.request().headers(), exchange.requestId(), request.body().retainedDuplicate(), retries.key());
        attemptTrace.propagate(upstreamRequest.headers());
        session.send(upstreamRequest, this);
        timers.requestWritten();
        exchange.addOverhead(System.nanoTime() - acquiredNanos);
    }

    /** AWAITING_HEAD → HOLDING_ERROR (an answer that may be retried) or RELAYING. */
    @Override
    public void onResponseHead(HttpResponse head) {
        if (state != State.AWAITING_HEAD) {
            return;
        }
        timers.headReceived();
        attemptTrace.head(head);
        int status = head.status().code();
        retries.settle(status != 429 && RetryPolicy.retryableStatus(status));
        if (retries.holds(status, chain.hasNext())) {
            state = State.HOLDING_ERROR;
            held = new HeldResponse(head, downstream.alloc());
        } else {
            state = State.RELAYING;
            relay.head(head);
        }
    }

    @Override
    public void onResponseContent(HttpContent content) {
        switch (state) {
            case HOLDING_ERROR -> {
                timers.read();
                if (!held.add(content)) {
                    passHeldOn();
                } else if (held.complete()) {
                    decide();
                }
            }
            case RELAYING -> {
                timers.read();
                attemptTrace.content(content); // before the relay, which may pass the piece on
                relay.content(content);
            }
            default -> content.release();
        }
    }

    /** RELAYING: what the read made goes to the client; a client that cannot take more stops the upstream. */
    @Override
    public void onReadComplete() {
        if (state != State.RELAYING) {
            return;
        }
        relay.readComplete();
        if (state == State.RELAYING && !downstream.isWritable()) {
            session.pauseReading();
            timers.paused(true);
        }
    }

    /**
     * HOLDING_ERROR with the whole answer: retry it (BACKING_OFF, the answer kept until the next attempt is made, in
     * case none can be), fall back, or give it to the client. A rejected key is never the client's answer: it
     * becomes the gateway's own 502.
     */
    private void decide() {
        long waitNanos = retries.afterError(held);
        boolean keyRejected = retries.rejectsKey(held);
        Route next = waitNanos == Retries.GIVE_UP && retries.fallsBack(held) ? chain.next() : null;
        if (waitNanos == Retries.GIVE_UP && next == null && !keyRejected) {
            passHeldOn();
            return;
        }
        timers.attemptEnded();
        attemptEnded(AttemptTrace.Outcome.FAILED, null); // the span names the provider's status
        releaseSession(HttpUtil.isKeepAlive(held.head()));
        relay.discard();
        relay = null;
        if (keyRejected) {
            lastFailure = new Failure(ApiError.upstreamCredentialsRejected(provider.name(), false),
                    Outcome.UPSTREAM_ERROR);
            dropAttempt();
        }
        if (next != null) {
            startRoute(next, System.nanoTime());
        } else if (waitNanos == Retries.GIVE_UP) {
            failBeforeResponse(lastFailure.error(), lastFailure.outcome());
        } else {
            retryAfter(waitNanos);
        }
    }

    /** HOLDING_ERROR → RELAYING: the held answer goes to the client after all. */
    private void passHeldOn() {
        HeldResponse passing = held;
        held = null;
        state = State.RELAYING;
        passing.replay(relay);
    }

    @Override
    public void onUpstreamFailure(Throwable cause) {
        if (state != State.AWAITING_HEAD && state != State.HOLDING_ERROR && state != State.RELAYING) {
            return;
        }
        // A provider that answered, however badly, saw the request: only a silent reused connection was stale, or a
        // stream the provider refused unprocessed (HTTP/2).
        boolean stale = session.reused() && !(cause instanceof MalformedResponseException)
                || cause instanceof RefusedStreamException;
        abortSession();
        timers.attemptEnded();
        ApiError error = ApiError.upstreamBroken(provider.name(), describe(cause));
        if (failedAfterHead(error, Outcome.UPSTREAM_ERROR)) {
            return;
        }
        attemptEnded(AttemptTrace.Outcome.FAILED, error.code());
        dropAttempt();
        if (stale && staleRetries < MAX_STALE_RETRIES) {
            retries.abandon();
            staleRetries++;
            attempt();
            return;
        }
        retries.settle(true);
        retryOrFail(error, Outcome.UPSTREAM_ERROR);
    }

    /** A timer event: first byte or idle ends the attempt (retried when nothing reached the client); total the call. */
    private void timedOut(UpstreamTimers.Kind kind) {
        if (state == State.DONE) {
            return;
        }
        abortSession();
        ApiError error = ApiError.upstreamTimeout(provider.name(), kind.label);
        retries.settle(true);
        if (failedAfterHead(error, Outcome.TIMEOUT)) {
            return;
        }
        attemptEnded(AttemptTrace.Outcome.FAILED, error.code());
        cancelAcquire();
        dropAttempt();
        if (kind == UpstreamTimers.Kind.TOTAL) {
            failBeforeResponse(error, Outcome.TIMEOUT);
        } else {
            retryOrFail(error, Outcome.TIMEOUT);
        }
    }

    /** The relay found the provider's stream unusable after the client got its head (or before: then retried). */
    private void streamBroken(String reason) {
        onUpstreamFailure(new IOException(reason));
    }

    /** RELAYING → DONE: the response went to the client whole; the session may serve another exchange. */
    private void responseEnded(boolean upstreamReusable) {
        int status = relay.status();
        attemptEnded(AttemptTrace.Outcome.COMPLETED, null);
        end();
        exchange.end(status, Outcome.COMPLETED, status >= 400 ? "upstream_http_" + status : null);
        releaseSession(upstreamReusable);
    }

    /** The client went away: stop the upstream at once, never pool its connection. */
    public void cancel() {
        if (state == State.DONE) {
            return;
        }
        boolean started = relay != null && relay.started();
        int status = started ? relay.status() : CLIENT_CLOSED_REQUEST;
        attemptEnded(AttemptTrace.Outcome.CANCELLED, null);
        end();
        cancelAcquire();
        abortSession();
        dropAttempt();
        exchange.end(status, Outcome.CANCELLED_BY_CLIENT, null);
    }

    /** The gateway is draining and this call outlived drain_timeout: end it as if the upstream had broken. */
    public void drainExpired() {
        if (state == State.DONE) {
            return;
        }
        cancelAcquire();
        abortSession();
        if (!failedAfterHead(ApiError.draining(), Outcome.DRAINED)) {
            attemptEnded(AttemptTrace.Outcome.FAILED, ApiError.draining().code());
            failBeforeResponse(ApiError.draining(), Outcome.DRAINED);
        }
    }

    /** The client can take bytes again: the paused upstream is read again. */
    public void downstreamWritable() {
        if (state == State.RELAYING && session != null) {
            session.resumeReading();
            timers.paused(false);
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
        Relay failing = relay;
        relay = null;
        attemptEnded(AttemptTrace.Outcome.FAILED_MID_STREAM, error.code());
        end();
        failing.failMidResponse(error);
        exchange.end(failing.status(), outcome, error.code());
        return true;
    }

    private void retryOrFail(ApiError error, Outcome outcome) {
        lastFailure = new Failure(error, outcome);
        long waitNanos = retries.afterFailure();
        if (waitNanos == Retries.GIVE_UP) {
            if (!fallBack()) {
                failBeforeResponse(error, outcome);
            }
        } else {
            retryAfter(waitNanos);
        }
    }

    /** → BACKING_OFF, then CONNECTING again. */
    private void retryAfter(long waitNanos) {
        state = State.BACKING_OFF;
        retryWait = downstream.eventLoop().schedule(() -> {
            retryWait = null;
            if (state == State.BACKING_OFF) {
                attempt();
            }
        }, waitNanos, TimeUnit.NANOSECONDS);
    }

    /** No attempt can be made: the exchange's own last answer or failure, else {@code refusal} (its own fault). */
    private void failWithLastAnswer(ApiError refusal) {
        if (held != null) {
            relay = newRelay();
            passHeldOn();
        } else if (lastFailure != null) {
            failBeforeResponse(lastFailure.error(), lastFailure.outcome());
        } else {
            failBeforeResponse(refusal, Outcome.REJECTED);
        }
    }

    private void failBeforeResponse(ApiError error, Outcome outcome) {
        end();
        dropAttempt();
        exchange.fail(error, outcome);
    }

    /** Relays the current attempt's answer: as it is, or translated into the client's dialect. */
    private Relay newRelay() {
        Translation translation = request.translation();
        KeyMasks keys = KeyMasks.of(exchange, provider, retries.key());
        return translation == null
                ? new ResponseRelay(exchange, request.hidesUsage(), keys, attemptTrace, this::responseEnded,
                        this::streamBroken)
                : new TranslatingRelay(exchange, translation, keys, this::responseEnded, this::streamBroken);
    }

    private void cancelAcquire() {
        if (acquiring != null) {
            Future<? extends UpstreamSession> pending = acquiring;
            acquiring = null;
            pending.cancel(false);
        }
    }

    /** Stops the current attempt's upstream at once; its connection is closed, never pooled. */
    private void abortSession() {
        UpstreamSession current = session;
        session = null;
        if (current != null) {
            current.abort();
        }
    }

    private void releaseSession(boolean reusable) {
        UpstreamSession current = session;
        session = null;
        if (current != null) {
            current.finish(reusable);
        }
    }

    /** Frees what the failed attempt held back from the client. */
    private void dropAttempt() {
        if (held != null) {
            held.release();
            held = null;
        }
        if (relay != null) {
            relay.discard();
            relay = null;
        }
    }

    /** The span of the attempt starting now ({@link AttemptTrace#OFF} with tracing off); kept out of the hot path. */
    private AttemptTrace traceAttempt() {
        RequestFacts body = exchange.body();
        return exchange.trace().attempt(provider, exchange.route().apiModel(), chain.alias().metricsModel(),
                exchange.attempts(), body == null ? SamplingParameters.NONE : body,
                exchange.request().content());
    }

    /** The current attempt's span ends; {@code errorType} null unless the gateway saw it fail. */
    private void attemptEnded(AttemptTrace.Outcome outcome, String errorType) {
        AttemptTrace ending = attemptTrace;
        attemptTrace = AttemptTrace.OFF;
        ending.ended(outcome, errorType, exchange.usage(), exchange.firstTokenNanos());
    }

    /** → DONE. Every ending path comes here: no timer, pending retry or route request outlives the call. */
    private void end() {
        state = State.DONE;
        if (retries != null) {
            retries.abandon();
        }
        timers.cancelAll();
        if (retryWait != null) {
            retryWait.cancel(false);
            retryWait = null;
        }
        if (request != null) {
            request.release();
            request = null;
        }
        ended.accept(this);
    }

    private static String describe(Throwable cause) {
        String message = cause.getMessage();
        return cause.getClass().getSimpleName() + (message == null ? "" : ": " + message);
    }
}
