package dev.llmgateway.testutil;

import dev.llmgateway.upstream.Provider;
import dev.llmgateway.upstream.UpstreamConnector;
import dev.llmgateway.upstream.UpstreamListener;
import dev.llmgateway.upstream.UpstreamSession;
import io.netty.channel.EventLoop;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.Promise;

import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;

/**
 * An {@link UpstreamConnector} without sockets: every acquire hands out a {@link Session} that the test answers by
 * hand, on the caller's event loop (an EmbeddedChannel's, in the tests). An acquire may be held back until the
 * test completes it, or failed.
 */
public final class FakeConnector implements UpstreamConnector {
    private final List<Session> sessions = new ArrayList<>();
    private final List<String> providers = new ArrayList<>();
    private final Deque<Throwable> failures = new ArrayDeque<>();
    private boolean holdNext;
    private boolean reuseNext;
    private Promise<Session> held;

    /** The next acquire fails with {@code cause}; several calls queue several failures. */
    public void failNext(Throwable cause) {
        failures.add(cause);
    }

    /** The next acquire stays pending until {@link #complete}. */
    public void holdNext() {
        holdNext = true;
    }

    /** The next session says it served an earlier request (a pooled keep-alive connection). */
    public void reuseNext() {
        reuseNext = true;
    }

    @Override
    public Future<Session> acquire(EventLoop loop, Provider provider) {
        providers.add(provider.name());
        Throwable failure = failures.poll();
        if (failure != null) {
            return loop.newFailedFuture(failure);
        }
        if (holdNext) {
            holdNext = false;
            held = loop.newPromise();
            return held;
        }
        return loop.newSucceededFuture(newSession());
    }

    /** The pending acquire of {@link #holdNext}. */
    public Promise<Session> held() {
        return held;
    }

    /** Completes the held acquire with a new session, if it still can be. */
    public Session complete() {
        Session session = newSession();
        held.trySuccess(session);
        return session;
    }

    /** The provider names asked for, one per acquire. */
    public List<String> providers() {
        return providers;
    }

    /** The latest session handed out. */
    public Session last() {
        return sessions.get(sessions.size() - 1);
    }

    public int sessions() {
        return sessions.size();
    }

    private Session newSession() {
        Session session = new Session(reuseNext);
        reuseNext = false;
        sessions.add(session);
        return session;
    }

    /**
     * One upstream exchange as the test plays the provider: what it was sent (copied, the request released at
     * once), and the answer the test delivers to its listener piece by piece.
     */
    public static final class Session implements UpstreamSession {
        private final boolean reused;
        private UpstreamListener listener;
        private String uri;
        private HttpHeaders headers;
        private String body;
        private boolean bodyDirect;
        private boolean paused;
        private boolean aborted;
        private Boolean finishedReusable;

        Session(boolean reused) {
            this.reused = reused;
        }

        @Override
        public boolean reused() {
            return reused;
        }

        @Override
        public void send(FullHttpRequest request, UpstreamListener listener) {
            this.listener = listener;
            uri = request.uri();
            headers = request.headers().copy();
            body = request.content().toString(StandardCharsets.UTF_8);
            bodyDirect = request.content().isDirect();
            request.release();
        }

        public boolean sent() {
            return listener != null;
        }

        public String uri() {
            return uri;
        }

        public String header(String name) {
            return headers.get(name);
        }

        public String body() {
            return body;
        }

        /** Whether every part of the body was direct memory: a socket writes it as it is, without copying it. */
        public boolean bodyDirect() {
            return bodyDirect;
        }

        /** Delivers a response head; {@code headerPairs} are name, value, name, value... */
        public void head(int status, String contentType, String... headerPairs) {
            listener.onResponseHead(UpstreamMessages.head(status, contentType, headerPairs));
        }

        /** Delivers one read of the body; returned for refCnt checks. */
        public HttpContent content(String text) {
            return deliver(UpstreamMessages.content(text));
        }

        /** Delivers the body's last read. */
        public HttpContent last(String text) {
            return deliver(UpstreamMessages.last(text));
        }

        private HttpContent deliver(HttpContent content) {
            listener.onResponseContent(content);
            listener.onReadComplete(); // each piece a read of its own
            return content;
        }

        public void fail(Throwable cause) {
            listener.onUpstreamFailure(cause);
        }

        @Override
        public void pauseReading() {
            paused = true;
        }

        @Override
        public void resumeReading() {
            paused = false;
        }

        public boolean paused() {
            return paused;
        }

        @Override
        public void finish(boolean reusable) {
            finishedReusable = reusable;
        }

        /** Null until the call finished with the session; then whether it may serve another request. */
        public Boolean finishedReusable() {
            return finishedReusable;
        }

        @Override
        public void abort() {
            aborted = true;
        }

        public boolean aborted() {
            return aborted;
        }
    }
}
