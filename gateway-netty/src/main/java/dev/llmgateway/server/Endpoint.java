package dev.llmgateway.server;

import dev.llmgateway.dialect.ClientDialect;
import io.netty.handler.codec.http.HttpMethod;

/** Every path the gateway serves, with its method and, for proxied endpoints, the path below the provider's base URL. */
public enum Endpoint {
    HEALTH("/health", HttpMethod.GET, null),
    READY("/ready", HttpMethod.GET, null),
    METRICS("/metrics", HttpMethod.GET, null),
    MODELS("/v1/models", HttpMethod.GET, null),
    /** {@code /v1/models/{id}}: matched by prefix. */
    MODEL("/v1/models/", HttpMethod.GET, null),
    CHAT_COMPLETIONS("/v1/chat/completions", HttpMethod.POST, "/chat/completions"),
    COMPLETIONS("/v1/completions", HttpMethod.POST, "/completions"),
    EMBEDDINGS("/v1/embeddings", HttpMethod.POST, "/embeddings"),
    RESPONSES("/v1/responses", HttpMethod.POST, "/responses");

    private final String path;
    private final HttpMethod method;
    private final String upstreamPath;
    private final String label;

    Endpoint(String path, HttpMethod method, String upstreamPath) {
        this.path = path;
        this.method = method;
        this.upstreamPath = upstreamPath;
        this.label = name().toLowerCase(java.util.Locale.ROOT);
    }

    public String path() {
        return path;
    }

    public HttpMethod method() {
        return method;
    }

    /** The path appended to a provider's base URL (which ends in /v1 for OpenAI-style providers). */
    public String upstreamPath() {
        return upstreamPath;
    }

    /** The metrics and access-log name: {@code chat_completions}, {@code models}, ... */
    public String label() {
        return label;
    }

    public boolean isProxied() {
        return upstreamPath != null;
    }

    public ClientDialect dialect() {
        return ClientDialect.OPENAI;
    }

    /** The endpoint for a request path (query string already removed), or null for an unknown path. */
    public static Endpoint forPath(String path) {
        for (Endpoint endpoint : VALUES) {
            if (endpoint == MODEL ? path.length() > MODEL.path.length() && path.startsWith(MODEL.path)
                    : path.equals(endpoint.path)) {
                return endpoint;
            }
        }
        return null;
    }

    private static final Endpoint[] VALUES = values();
}
