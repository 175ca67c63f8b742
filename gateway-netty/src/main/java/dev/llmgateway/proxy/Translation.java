package dev.llmgateway.proxy;

import com.fasterxml.jackson.core.JsonGenerator;
import dev.llmgateway.config.ProviderType;
import dev.llmgateway.dialect.AnswerDecoder;
import dev.llmgateway.dialect.AnswerEvents;
import dev.llmgateway.dialect.ApiError;
import dev.llmgateway.dialect.BodyEncoder;
import dev.llmgateway.dialect.ClientDialect;
import dev.llmgateway.dialect.RequestEvents;
import dev.llmgateway.dialect.Untranslatable;
import dev.llmgateway.dialect.anthropic.AnthropicAnswerDecoder;
import dev.llmgateway.dialect.anthropic.AnthropicErrors;
import dev.llmgateway.dialect.anthropic.AnthropicEventEncoder;
import dev.llmgateway.dialect.anthropic.AnthropicMessageEncoder;
import dev.llmgateway.dialect.anthropic.AnthropicRequestReader;
import dev.llmgateway.dialect.anthropic.AnthropicRequestWriter;
import dev.llmgateway.dialect.gemini.GeminiAnswerDecoder;
import dev.llmgateway.dialect.gemini.GeminiChunkEncoder;
import dev.llmgateway.dialect.gemini.GeminiErrors;
import dev.llmgateway.dialect.gemini.GeminiRequestReader;
import dev.llmgateway.dialect.gemini.GeminiResponseEncoder;
import dev.llmgateway.dialect.gemini.GeminiRequestWriter;
import dev.llmgateway.dialect.openai.OpenAiAnswerDecoder;
import dev.llmgateway.dialect.openai.OpenAiChunkEncoder;
import dev.llmgateway.dialect.openai.OpenAiCompletionEncoder;
import dev.llmgateway.dialect.openai.OpenAiErrors;
import dev.llmgateway.dialect.openai.OpenAiRequestReader;
import dev.llmgateway.dialect.openai.OpenAiRequestWriter;
import dev.llmgateway.dialect.openai.ResponsesBodyEncoder;
import dev.llmgateway.dialect.openai.ResponsesEventEncoder;
import dev.llmgateway.dialect.openai.ResponsesRequestReader;
import dev.llmgateway.json.Json;
import dev.llmgateway.exchange.Route;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufOutputStream;
import io.netty.handler.codec.http.HttpHeaders;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.util.Set;
import java.util.function.Consumer;

/**
 * How one route's exchange crosses from the client's API to the provider's (docs/ARCHITECTURE.md §5): which
 * request reader and writer make the provider's body, and which decoder and encoder turn its answer, streamed or
 * whole, or its error, into what the client's own SDK expects. Exchanges whose client and provider speak the same
 * API have none: their bytes pass through.
 */
final class Translation {
    private final ClientDialect client;
    private final ProviderType provider;
    private final boolean clientStreams;
    private final boolean includeUsage;
    private final boolean jsonTool;
    /** A Responses client's custom tools, whose calls its answer names as such. */
    private final Set<String> customTools;

    private Translation(ClientDialect client, ProviderType provider, boolean clientStreams, boolean includeUsage,
                        boolean jsonTool, Set<String> customTools) {
        this.client = client;
        this.provider = provider;
        this.clientStreams = clientStreams;
        this.includeUsage = includeUsage;
        this.jsonTool = jsonTool;
        this.customTools = customTools;
    }

    /** Whether a client of {@code client} needs its requests translated for a provider of type {@code type}. */
    static boolean needed(ClientDialect client, ProviderType type) {
        return switch (client) {
            case OPENAI -> !type.openAiDialect();
            // Only OpenAI itself has the Responses API; OpenAI-compatible servers and the mock only chat.
            case RESPONSES -> type != ProviderType.OPENAI;
            case ANTHROPIC -> type != ProviderType.ANTHROPIC;
            case GEMINI -> type != ProviderType.GEMINI;
        };
    }

    /**
     * Writes the provider's request for {@code route} from the client's body into a new buffer (the caller owns it)
     * and returns how its answer is to be translated.
     *
     * @param clientStreams the client asked for a stream
     * @param includeUsage  an OpenAI client asked for usage in its stream
     * @throws Untranslatable when the provider's API cannot express the request, or it is malformed
     */
    static Translation request(ClientDialect client, ByteBuf clientBody, Route route, boolean clientStreams,
                               boolean includeUsage, ByteBuf into) throws Untranslatable {
        ProviderType type = route.provider().type();
        boolean jsonTool = false;
        Set<String> customTools = Set.of();
        try (JsonGenerator out = Json.FACTORY.createGenerator((OutputStream) new ByteBufOutputStream(into))) {
            RequestEvents writer;
            AnthropicRequestWriter anthropic = null;
            switch (type) {
                case ANTHROPIC -> {
                    anthropic = new AnthropicRequestWriter(out, route.apiModel(), route.policy().defaultMaxTokens());
                    writer = anthropic;
                }
                case GEMINI -> writer = new GeminiRequestWriter(out);
                default -> writer = new OpenAiRequestWriter(out, route.apiModel(), type == ProviderType.OPENAI);
            }
            switch (client) {
                case OPENAI -> OpenAiRequestReader.read(clientBody, writer);
                case RESPONSES -> customTools = ResponsesRequestReader.read(clientBody, writer);
                case ANTHROPIC -> AnthropicRequestReader.read(clientBody, writer);
                case GEMINI -> GeminiRequestReader.read(clientBody, clientStreams, writer);
            }
            jsonTool = anthropic != null && anthropic.usesJsonTool();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return new Translation(client, type, clientStreams, includeUsage, jsonTool, customTools);
    }

    /** The path below the provider's base URL for this request. */
    static String path(ProviderType type, String apiModel, boolean stream) {
        return switch (type) {
            case ANTHROPIC -> "/messages";
            case GEMINI -> geminiPath(apiModel, stream ? ":streamGenerateContent?alt=sse" : ":generateContent");
            default -> "/chat/completions";
        };
    }

    /** A Gemini provider's path for {@code method} ({@code :generateContent}, ...) on {@code apiModel}. */
    static String geminiPath(String apiModel, String method) {
        // A tuned or otherwise qualified model ("tunedModels/x") names its own collection.
        return (apiModel.indexOf('/') >= 0 ? "/" + apiModel : "/models/" + apiModel) + method;
    }

    boolean clientStreams() {
        return clientStreams;
    }

    ClientDialect client() {
        return client;
    }

    AnswerDecoder decoder(AnswerEvents events) {
        return switch (provider) {
            case ANTHROPIC -> new AnthropicAnswerDecoder(events, jsonTool);
            case GEMINI -> new GeminiAnswerDecoder(events);
            default -> new OpenAiAnswerDecoder(events);
        };
    }

    /** Writes the client's stream; each event goes to {@code out}, which owns it. */
    AnswerEvents streamEncoder(ByteBufAllocator alloc, Consumer<ByteBuf> out, String model, String requestId) {
        return switch (client) {
            case OPENAI -> new OpenAiChunkEncoder(alloc, out, model, includeUsage, requestId);
            case RESPONSES -> new ResponsesEventEncoder(alloc, out, model, requestId, customTools);
            case ANTHROPIC -> new AnthropicEventEncoder(alloc, out, model, requestId);
            case GEMINI -> new GeminiChunkEncoder(alloc, out, model, requestId);
        };
    }

    BodyEncoder bodyEncoder(ByteBufAllocator alloc, String model, String requestId) {
        return switch (client) {
            case OPENAI -> new OpenAiCompletionEncoder(alloc, model, requestId);
            case RESPONSES -> new ResponsesBodyEncoder(alloc, model, requestId, customTools);
            case ANTHROPIC -> new AnthropicMessageEncoder(alloc, model, requestId);
            case GEMINI -> new GeminiResponseEncoder(alloc, model, requestId);
        };
    }

    /** The provider's error answer, for the client to get in its own dialect. */
    ApiError error(int status, HttpHeaders headers, ByteBuf body) {
        return switch (provider) {
            case ANTHROPIC -> AnthropicErrors.read(status, headers, body);
            case GEMINI -> GeminiErrors.read(status, headers, body);
            default -> OpenAiErrors.read(status, headers, body);
        };
    }
}
