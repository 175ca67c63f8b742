package dev.llmgateway.exchange;

import dev.llmgateway.dialect.ClientDialect;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.QueryStringDecoder;

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
    COUNT_TOKENS("/v1/messages/count_tokens", HttpMethod.POST, "/messages/count_tokens", ClientDialect.ANTHROPIC),
    /**
     * Gemini's API, for the {@code @google/genai} SDKs and Gemini CLI: {@code /v1beta/models/{model}:<method>} (or
     * under {@code /v1/}); the model is in the path ({@link #modelInPath}), and the provider's path is made per route.
     */
    GEMINI_GENERATE("/v1beta/models/", HttpMethod.POST, ":generateContent", ClientDialect.GEMINI),
    GEMINI_STREAM("/v1beta/models/", HttpMethod.POST, ":streamGenerateContent", ClientDialect.GEMINI),
    GEMINI_COUNT_TOKENS("/v1beta/models/", HttpMethod.POST, ":countTokens", ClientDialect.GEMINI),
    GEMINI_MODELS("/v1beta/models", HttpMethod.GET, null, ClientDialect.GEMINI),
    /** {@code /v1beta/models/{id}}: matched by prefix. */
    GEMINI_MODEL("/v1beta/models/", HttpMethod.GET, null, ClientDialect.GEMINI);

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

    /** The path; for a Gemini method, its pattern ({@code /v1beta/models/{model}:generateContent}). */
    public String path() {
        return isGeminiMethod() ? path + "{model}" + upstreamPath : path;
    }

    /** A Gemini method on a model: the method ({@code :generateContent}) is the {@link #upstreamPath}. */
    public boolean isGeminiMethod() {
        return dialect == ClientDialect.GEMINI && upstreamPath != null;
    }

    public HttpMethod method() {
        return method;
    }

    /**
     * The path appended to a provider's base URL (which ends in /v1 for OpenAI-style providers); for a Gemini
     * method, the method after the model.
     */
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
        if (this != MODELS && this != MODEL) {
            return dialect;
        }
        return headers.contains(ANTHROPIC_VERSION) ? ClientDialect.ANTHROPIC
                : headers.contains(GOOG_API_KEY) ? ClientDialect.GEMINI : dialect;
    }

    private static final String ANTHROPIC_VERSION = "anthropic-version";
    private static final String GOOG_API_KEY = "x-goog-api-key";

    /** The dialect of the client asking for {@code uri}: errors made before its endpoint is known use it too. */
    public static ClientDialect dialectOf(String uri) {
        return uri.startsWith(MESSAGES.path) ? ClientDialect.ANTHROPIC
                : uri.startsWith(GEMINI_MODELS_PREFIX) || geminiMethod(uri) != null ? ClientDialect.GEMINI
                : ClientDialect.OPENAI;
    }

    /** The Gemini method {@code path} names ({@code /v1beta/models/m:generateContent}, or under /v1/), or null. */
    private static Endpoint geminiMethod(String path) {
        int colon = path.lastIndexOf(':');
        if (colon < 0 || modelStart(path) < 0 || colon == modelStart(path)) {
            return null;
        }
        return switch (path.substring(colon)) {
            case ":generateContent" -> GEMINI_GENERATE;
            case ":streamGenerateContent" -> GEMINI_STREAM;
            case ":countTokens" -> GEMINI_COUNT_TOKENS;
            default -> null;
        };
    }

    private static int modelStart(String path) {
        return path.startsWith(GEMINI_MODELS_PREFIX) ? GEMINI_MODELS_PREFIX.length()
                : path.startsWith(V1_MODELS_PREFIX) ? V1_MODELS_PREFIX.length() : -1;
    }

    /**
     * The model a Gemini method's path names (percent-decoded; {@code models/} is the collection, not part of the
     * name), or null when {@code path} names none.
     */
    public static String modelInPath(String path) {
        int start = modelStart(path);
        int colon = path.lastIndexOf(':');
        return start < 0 || colon <= start ? null
                : QueryStringDecoder.decodeComponent(path.substring(start, colon));
    }

    /** The endpoint for a request path (query string already removed), or null for an unknown path. */
    public static Endpoint forPath(String path) {
        Endpoint gemini = geminiMethod(path);
        if (gemini != null) {
            return gemini;
        }
        for (Endpoint endpoint : VALUES) {
            boolean byPrefix = endpoint == MODEL || endpoint == GEMINI_MODEL;
            if (byPrefix ? path.length() > endpoint.path.length() && path.startsWith(endpoint.path)
                    : !endpoint.isGeminiMethod() && path.equals(endpoint.path)) {
                return endpoint;
            }
        }
        return null;
    }

    private static final Endpoint[] VALUES = values();

    private static final String GEMINI_MODELS_PREFIX = "/v1beta/models/";
    private static final String V1_MODELS_PREFIX = "/v1/models/";
}
