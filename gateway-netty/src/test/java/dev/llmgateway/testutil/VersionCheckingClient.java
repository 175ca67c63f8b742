package dev.llmgateway.testutil;

import java.io.IOException;
import java.net.Authenticator;
import java.net.CookieHandler;
import java.net.ProxySelector;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;

/**
 * A client that fails every answer from the gateway's listener ({@code port}) that did not come in the protocol
 * asked for, so a test run over HTTP/2 cannot silently fall back to HTTP/1.1. Other ports (the admin listener, a fake
 * provider) are not checked.
 */
final class VersionCheckingClient extends HttpClient {
    private final HttpClient delegate;
    private final int port;

    VersionCheckingClient(HttpClient delegate, int port) {
        this.delegate = delegate;
        this.port = port;
    }

    private <T> HttpResponse<T> checked(HttpResponse<T> response) {
        if (response.request().uri().getPort() == port && response.version() != delegate.version()) {
            throw new AssertionError("the gateway answered " + response.request().uri() + " over "
                    + response.version() + ", not " + delegate.version());
        }
        return response;
    }

    @Override
    public <T> HttpResponse<T> send(HttpRequest request, HttpResponse.BodyHandler<T> handler)
            throws IOException, InterruptedException {
        return checked(delegate.send(request, handler));
    }

    @Override
    public <T> CompletableFuture<HttpResponse<T>> sendAsync(HttpRequest request,
                                                            HttpResponse.BodyHandler<T> handler) {
        return delegate.sendAsync(request, handler).thenApply(this::checked);
    }

    @Override
    public <T> CompletableFuture<HttpResponse<T>> sendAsync(HttpRequest request, HttpResponse.BodyHandler<T> handler,
                                                            HttpResponse.PushPromiseHandler<T> pushPromises) {
        return delegate.sendAsync(request, handler, pushPromises).thenApply(this::checked);
    }

    @Override
    public Optional<CookieHandler> cookieHandler() {
        return delegate.cookieHandler();
    }

    @Override
    public Optional<Duration> connectTimeout() {
        return delegate.connectTimeout();
    }

    @Override
    public Redirect followRedirects() {
        return delegate.followRedirects();
    }

    @Override
    public Optional<ProxySelector> proxy() {
        return delegate.proxy();
    }

    @Override
    public SSLContext sslContext() {
        return delegate.sslContext();
    }

    @Override
    public SSLParameters sslParameters() {
        return delegate.sslParameters();
    }

    @Override
    public Optional<Authenticator> authenticator() {
        return delegate.authenticator();
    }

    @Override
    public Version version() {
        return delegate.version();
    }

    @Override
    public Optional<Executor> executor() {
        return delegate.executor();
    }
}
