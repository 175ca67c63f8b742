package dev.llmgateway.exchange;

import dev.llmgateway.dialect.ClientDialect;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;

/**
 * Every path the gateway serves, with its method, the API dialect its clients speak and, for proxied endpoints, the
 * path below the base URL of a provider of that same dialect.
 */
public enum Endpoint {
    HEALTH("/health", HttpMethod.GET, null, ClientDialect.OPENAI),
    READY("/ready", HttpMethod.GET, null, ClientDialect.OPENAI),
    METRICS("/metrics", HttpMethod.GET, null, ClientDialect.OPENAI),
    MODELS("/v1/models", HttpMethod.GET, null, ClientDialect.OPENAI),
    /** {@code /v1/models/{id}}: matched by prefix. */
    MODEL("/v1/models/", HttpMethod.GET, null, ClientDialect.OPENAI),
    CHAT_COMPLETIONS("/v1/chat/completions", HttpMethod.POST, "/chat/completions", ClientDialect.OPENAI),
    COMPLETIONS("/v1/completions", HttpMethod.POST, "/completions", ClientDialect.OPENAI),
    EMBEDDINGS("/v1/embeddings", HttpMethod.POST, "/embeddings", ClientDialect.OPENAI),
    RESPONSES("/v1/responses", HttpMethod.POST, "/responses", ClientDialect.RESPONSES),
    /** Anthropic's Messages API, for Claude Code and the Anthropic SDKs. */
    MESSAGES("/v1/messages", HttpMethod.POST, "/messages", ClientDialect.ANTHROPIC),
    COUNT_TOKENS("/v1/messages/count_tokens", HttpMethod.POST, "/messages/count_tokens", ClientDialect.ANTHROPIC);

    private final String path;
    private final HttpMethod method;
    private final String upstreamPath;
    private final ClientDialect dialect;
    private final String label;

    Endpoint(String path, HttpMethod method, String upstreamPath, ClientDialect dialect) {
        this.path = path;
        this.method = method;
        this.upstreamPath = upstreamPath;
        this.dialect = dialect;
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
        return dialect;
    }

    /**
     * The dialect of a request to this endpoint. The model list serves both APIs: an Anthropic client (every
     * Anthropic SDK, Claude Code) says so with its {@code anthropic-version} header.
     */
    public ClientDialect dialect(HttpHeaders headers) {
        return (this == MODELS || this == MODEL) && headers.contains(ANTHROPIC_VERSION) ? ClientDialect.ANTHROPIC
                : dialect;
    }

    private static final String ANTHROPIC_VERSION = "anthropic-version";

    /** The dialect of the client asking for {@code uri}: errors made before its endpoint is known use it too. */
    public static ClientDialect dialectOf(String uri) {
        return uri.startsWith(MESSAGES.path) ? ClientDialect.ANTHROPIC : ClientDialect.OPENAI;
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
