package dev.llmgateway.proxy;

import dev.llmgateway.exchange.Exchange;
import dev.llmgateway.config.ProviderType;
import dev.llmgateway.dialect.ApiError;
import dev.llmgateway.dialect.Untranslatable;
import dev.llmgateway.json.JsonSplice;
import dev.llmgateway.exchange.RequestFacts;
import dev.llmgateway.exchange.Route;
import dev.llmgateway.exchange.Endpoint;
import io.netty.buffer.ByteBuf;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The request a provider is sent for a route: its path and body. A provider of the client's own API gets the
 * client's bytes, with {@code model} spliced to the provider's name and, for a stream whose client did not ask for
 * usage, {@code stream_options.include_usage} turned on (exact token counts without changing what
 * the client gets; the relay takes that usage out again); everything else is the client's bytes, never
 * re-encoded. A provider of another API gets the request translated into its own ({@link Translation}).
 */
final class UpstreamBodies {
    private static final Logger LOG = Logger.getLogger(UpstreamBodies.class.getName());
    private static final ByteBuf TRUE = literal("true");
    private static final ByteBuf INCLUDE_USAGE = literal("\"include_usage\":true");
    private static final ByteBuf INCLUDE_USAGE_FIRST = literal("\"include_usage\":true,");
    private static final ByteBuf STREAM_OPTIONS = literal(",\"stream_options\":{\"include_usage\":true}");

    private UpstreamBodies() {
    }

    /**
     * The path and body {@code route}'s provider is sent; the body is offered to the debug capture.
     *
     * @throws Untranslatable with the error to answer when the provider cannot serve the request
     */
    static RouteRequest prepare(Exchange exchange, Route route) throws Untranslatable {
        RequestFacts body = exchange.body();
        Endpoint endpoint = exchange.endpoint();
        ProviderType type = route.provider().type();
        if (!serves(endpoint, type)) {
            throw new Untranslatable(ApiError.endpointNotSupported(route.requestedModel(), route.provider().name(),
                    endpoint.path()));
        }
        ByteBuf content = exchange.request().content();
        RouteRequest request;
        if (Translation.needed(endpoint.dialect(), type)) {
            ByteBuf translated = content.alloc().buffer(content.readableBytes() + 256);
            try {
                Translation translation = Translation.request(endpoint.dialect(), content, route, body.stream(),
                        body.includeUsage(), translated);
                request = new RouteRequest(translated, Translation.path(type, route.apiModel(), body.stream()), false,
                        translation);
            } catch (Untranslatable refused) {
                translated.release();
                throw refused;
            } catch (RuntimeException bug) {
                // A request the translation code cannot handle is a gateway bug: a 500 for this request, not a
                // dropped connection, and a log line to find it by.
                translated.release();
                LOG.log(Level.WARNING, "translating " + exchange.requestId() + " for provider "
                        + route.provider().name() + " failed", bug);
                throw new Untranslatable(ApiError.internal("The gateway could not translate this request for "
                        + "provider '" + route.provider().name() + "'."));
            }
        } else {
            boolean askForUsage = needsUsageRequested(endpoint, body);
            request = new RouteRequest(build(content, body, route, askForUsage), upstreamPath(endpoint, route, body),
                    askForUsage, null);
        }
        exchange.capture("request", request.body());
        return request;
    }

    /**
     * Chat (Responses, OpenAI's newer chat, and Gemini's generateContent) goes to every provider, translated where
     * needed; OpenAI's other endpoints only to providers of its API (the built-in mock only chats); token counting
     * only to a provider of the client's own API (Anthropic's, Gemini's), which has it.
     */
    private static boolean serves(Endpoint endpoint, ProviderType type) {
        return switch (endpoint) {
            case CHAT_COMPLETIONS, MESSAGES, RESPONSES, GEMINI_GENERATE, GEMINI_STREAM -> true;
            case COUNT_TOKENS -> type == ProviderType.ANTHROPIC;
            case GEMINI_COUNT_TOKENS -> type == ProviderType.GEMINI;
            default -> type.openAiDialect() && type != ProviderType.MOCK;
        };
    }

    /** The provider's path for a request of its own API: Gemini's names the provider's model. */
    private static String upstreamPath(Endpoint endpoint, Route route, RequestFacts body) {
        if (!endpoint.isGeminiMethod()) {
            return endpoint.upstreamPath();
        }
        return endpoint == Endpoint.GEMINI_COUNT_TOKENS
                ? Translation.geminiPath(route.apiModel(), endpoint.upstreamPath())
                : Translation.path(ProviderType.GEMINI, route.apiModel(), body.stream());
    }

    /** Streams of the OpenAI-style endpoints that report usage only when asked. */
    private static boolean needsUsageRequested(Endpoint endpoint, RequestFacts body) {
        return body.stream() && !body.includeUsage()
                && (endpoint == Endpoint.CHAT_COMPLETIONS || endpoint == Endpoint.COMPLETIONS);
    }

    /** A new buffer over {@code content}'s bytes (retained, not copied) with the edits applied. */
    private static ByteBuf build(ByteBuf content, RequestFacts body, Route route, boolean askForUsage) {
        List<JsonSplice.Edit> edits = new ArrayList<>(2);
        if (body.modelStart() >= 0 && !route.apiModel().equals(body.model())) { // Gemini's model is in the path
            edits.add(new JsonSplice.Edit(body.modelStart(), body.modelEnd(), route.apiModelJson()));
        }
        if (askForUsage) {
            edits.add(usageRequest(body));
        }
        if (edits.isEmpty()) {
            return content.retainedDuplicate();
        }
        edits.sort(Comparator.comparingInt(JsonSplice.Edit::start));
        return JsonSplice.edit(content.alloc(), content.retainedDuplicate(), edits.toArray(JsonSplice.Edit[]::new));
    }

    private static JsonSplice.Edit usageRequest(RequestFacts body) {
        if (body.includeUsageStart() >= 0) {
            return new JsonSplice.Edit(body.includeUsageStart(), body.includeUsageEnd(), TRUE);
        }
        if (body.streamOptionsStart() >= 0) {
            int afterBrace = body.streamOptionsStart() + 1;
            return new JsonSplice.Edit(afterBrace, afterBrace,
                    body.streamOptionsEmpty() ? INCLUDE_USAGE : INCLUDE_USAGE_FIRST);
        }
        return new JsonSplice.Edit(body.objectEnd(), body.objectEnd(), STREAM_OPTIONS);
    }

    /** Direct, as {@link JsonSplice#literal} makes it: a heap part would make the socket copy the whole body. */
    private static ByteBuf literal(String text) {
        return JsonSplice.literal(text.getBytes(StandardCharsets.US_ASCII));
    }
}
