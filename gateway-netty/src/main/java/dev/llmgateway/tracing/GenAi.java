package dev.llmgateway.tracing;

import dev.llmgateway.config.ProviderType;

/**
 * Attribute names: the OpenTelemetry semantic conventions (GenAI, HTTP, server, error) and the gateway's own, under
 * {@code llm_gateway.}; the gateway's time and count names follow its access log's fields. Those marked repeating
 * take their values from the config or a few labels: the same from span to span.
 */
final class GenAi {
    static final AttributeName OPERATION = new AttributeName("gen_ai.operation.name", true);
    static final AttributeName PROVIDER = new AttributeName("gen_ai.provider.name", true);
    static final AttributeName REQUEST_MODEL = new AttributeName("gen_ai.request.model", true);
    static final AttributeName RESPONSE_MODEL = new AttributeName("gen_ai.response.model", true);
    static final AttributeName RESPONSE_ID = new AttributeName("gen_ai.response.id");
    static final AttributeName MAX_TOKENS = new AttributeName("gen_ai.request.max_tokens");
    static final AttributeName TEMPERATURE = new AttributeName("gen_ai.request.temperature");
    static final AttributeName TOP_P = new AttributeName("gen_ai.request.top_p");
    static final AttributeName FINISH_REASONS = new AttributeName("gen_ai.response.finish_reasons");
    static final AttributeName INPUT_TOKENS = new AttributeName("gen_ai.usage.input_tokens");
    static final AttributeName OUTPUT_TOKENS = new AttributeName("gen_ai.usage.output_tokens");
    static final AttributeName CACHED_INPUT_TOKENS = new AttributeName("gen_ai.usage.cache_read.input_tokens");
    static final AttributeName INPUT_MESSAGES = new AttributeName("gen_ai.input.messages");
    static final AttributeName SYSTEM_INSTRUCTIONS = new AttributeName("gen_ai.system_instructions");
    static final AttributeName OUTPUT_MESSAGES = new AttributeName("gen_ai.output.messages");

    static final AttributeName SERVER_ADDRESS = new AttributeName("server.address", true);
    static final AttributeName SERVER_PORT = new AttributeName("server.port");
    static final AttributeName ERROR_TYPE = new AttributeName("error.type", true);
    static final AttributeName HTTP_METHOD = new AttributeName("http.request.method", true);
    static final AttributeName HTTP_ROUTE = new AttributeName("http.route", true);
    static final AttributeName HTTP_STATUS = new AttributeName("http.response.status_code");
    static final AttributeName URL_PATH = new AttributeName("url.path", true);
    static final AttributeName CLIENT_ADDRESS = new AttributeName("client.address", true);

    static final AttributeName REQUEST_ID = new AttributeName("llm_gateway.request_id");
    static final AttributeName API_KEY = new AttributeName("llm_gateway.api_key", true);
    static final AttributeName MODEL_ALIAS = new AttributeName("llm_gateway.model_alias", true);
    static final AttributeName GATEWAY_PROVIDER = new AttributeName("llm_gateway.provider", true);
    static final AttributeName ATTEMPT = new AttributeName("llm_gateway.attempt");
    static final AttributeName ATTEMPTS = new AttributeName("llm_gateway.attempts");
    static final AttributeName TTFT_MS = new AttributeName("llm_gateway.ttft_ms");
    static final AttributeName OVERHEAD_US = new AttributeName("llm_gateway.overhead_us");
    static final AttributeName OUTCOME = new AttributeName("llm_gateway.outcome", true);
    static final AttributeName STREAM = new AttributeName("llm_gateway.stream");

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
