package dev.llmgateway.tracing;

import dev.llmgateway.config.ProviderType;
import io.opentelemetry.api.common.AttributeKey;

import java.util.List;

/**
 * Attribute names: the OpenTelemetry semantic conventions (GenAI, HTTP, server, error) and the gateway's own, under
 * {@code llm_gateway.}; the gateway's time and count names follow its access log's fields.
 */
final class GenAi {
    static final AttributeKey<String> OPERATION = AttributeKey.stringKey("gen_ai.operation.name");
    static final AttributeKey<String> PROVIDER = AttributeKey.stringKey("gen_ai.provider.name");
    static final AttributeKey<String> REQUEST_MODEL = AttributeKey.stringKey("gen_ai.request.model");
    static final AttributeKey<String> RESPONSE_MODEL = AttributeKey.stringKey("gen_ai.response.model");
    static final AttributeKey<String> RESPONSE_ID = AttributeKey.stringKey("gen_ai.response.id");
    static final AttributeKey<Long> MAX_TOKENS = AttributeKey.longKey("gen_ai.request.max_tokens");
    static final AttributeKey<Double> TEMPERATURE = AttributeKey.doubleKey("gen_ai.request.temperature");
    static final AttributeKey<Double> TOP_P = AttributeKey.doubleKey("gen_ai.request.top_p");
    static final AttributeKey<List<String>> FINISH_REASONS =
            AttributeKey.stringArrayKey("gen_ai.response.finish_reasons");
    static final AttributeKey<Long> INPUT_TOKENS = AttributeKey.longKey("gen_ai.usage.input_tokens");
    static final AttributeKey<Long> OUTPUT_TOKENS = AttributeKey.longKey("gen_ai.usage.output_tokens");
    static final AttributeKey<Long> CACHED_INPUT_TOKENS = AttributeKey.longKey("gen_ai.usage.cache_read.input_tokens");
    static final AttributeKey<String> INPUT_MESSAGES = AttributeKey.stringKey("gen_ai.input.messages");
    static final AttributeKey<String> SYSTEM_INSTRUCTIONS = AttributeKey.stringKey("gen_ai.system_instructions");
    static final AttributeKey<String> OUTPUT_MESSAGES = AttributeKey.stringKey("gen_ai.output.messages");

    static final AttributeKey<String> SERVER_ADDRESS = AttributeKey.stringKey("server.address");
    static final AttributeKey<Long> SERVER_PORT = AttributeKey.longKey("server.port");
    static final AttributeKey<String> ERROR_TYPE = AttributeKey.stringKey("error.type");
    static final AttributeKey<String> HTTP_METHOD = AttributeKey.stringKey("http.request.method");
    static final AttributeKey<String> HTTP_ROUTE = AttributeKey.stringKey("http.route");
    static final AttributeKey<Long> HTTP_STATUS = AttributeKey.longKey("http.response.status_code");
    static final AttributeKey<String> URL_PATH = AttributeKey.stringKey("url.path");
    static final AttributeKey<String> CLIENT_ADDRESS = AttributeKey.stringKey("client.address");

    static final AttributeKey<String> REQUEST_ID = AttributeKey.stringKey("llm_gateway.request_id");
    static final AttributeKey<String> API_KEY = AttributeKey.stringKey("llm_gateway.api_key");
    static final AttributeKey<String> MODEL_ALIAS = AttributeKey.stringKey("llm_gateway.model_alias");
    static final AttributeKey<String> GATEWAY_PROVIDER = AttributeKey.stringKey("llm_gateway.provider");
    static final AttributeKey<Long> ATTEMPT = AttributeKey.longKey("llm_gateway.attempt");
    static final AttributeKey<Long> ATTEMPTS = AttributeKey.longKey("llm_gateway.attempts");
    static final AttributeKey<Double> TTFT_MS = AttributeKey.doubleKey("llm_gateway.ttft_ms");
    static final AttributeKey<Long> OVERHEAD_US = AttributeKey.longKey("llm_gateway.overhead_us");
    static final AttributeKey<String> OUTCOME = AttributeKey.stringKey("llm_gateway.outcome");
    static final AttributeKey<Boolean> STREAM = AttributeKey.booleanKey("llm_gateway.stream");

    private GenAi() {
    }

    /** {@code gen_ai.operation.name} for an endpoint's label; null for endpoints that ask no model anything. */
    static String operation(String endpoint) {
        if (endpoint == null) {
            return null;
        }
        return switch (endpoint) {
            case "chat_completions", "messages", "responses" -> "chat";
            case "completions" -> "text_completion";
            case "embeddings" -> "embeddings";
            case "count_tokens" -> "count_tokens";
            default -> null;
        };
    }

    /** {@code gen_ai.provider.name}: the API's well-known name; an OpenAI-compatible server speaks OpenAI's. */
    static String providerName(ProviderType type) {
        return switch (type) {
            case OPENAI, OPENAI_COMPATIBLE -> "openai";
            case ANTHROPIC -> "anthropic";
            case GEMINI -> "gcp.gemini";
            case MOCK -> "llm_gateway.mock";
        };
    }
}
