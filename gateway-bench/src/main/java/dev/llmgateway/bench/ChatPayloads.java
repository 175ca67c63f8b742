package dev.llmgateway.bench;

import java.nio.charset.StandardCharsets;

/**
 * OpenAI-shaped bodies of realistic size, shared by the microbenchmarks and the load harness so both measure the
 * same bytes. The upstream answers with a dated model name, different from the alias clients ask for, so a gateway
 * in between has to rewrite it.
 */
public final class ChatPayloads {
    public static final String CLIENT_MODEL = "bench-model";
    public static final String UPSTREAM_MODEL = "bench-model-2025-01-01";

    private static final String PROSE = "The quick brown fox jumps over the lazy dog while the gateway relays "
            + "every byte without copying it. ";

    private ChatPayloads() {
    }

    /**
     * A chat request of about {@code approxBytes} (never less than ~300): a system prompt plus a conversation.
     * The load harness's mock upstream answers a stream with {@code maxTokens} events.
     */
    public static byte[] chatRequest(String model, boolean stream, int maxTokens, int approxBytes) {
        StringBuilder json = new StringBuilder(approxBytes + 256)
                .append("{\"model\":\"").append(model).append("\",\"messages\":[")
                .append("{\"role\":\"system\",\"content\":\"You are a helpful assistant. Answer briefly.\"}");
        int turn = 0;
        // Long requests are long conversations: many turns of history, as a chat client resends them.
        while (json.length() < approxBytes - 160) {
            String role = turn++ % 2 == 0 ? "user" : "assistant";
            int room = approxBytes - 160 - json.length();
            json.append(",{\"role\":\"").append(role).append("\",\"content\":\"")
                    .append(prose(Math.max(16, Math.min(room, 2000)))).append("\"}");
        }
        json.append("],\"temperature\":0.7,\"max_tokens\":").append(maxTokens)
                .append(",\"user\":\"bench-user-42\",\"stream\":").append(stream).append('}');
        return bytes(json);
    }

    /** A non-streamed chat completion of about 1 KB, with usage, as OpenAI sends it. */
    public static byte[] completion(String model) {
        return bytes(new StringBuilder(1100)
                .append("{\"id\":\"chatcmpl-B9MBs8CjcvOU2jLn4n570S5qMJKcT\",\"object\":\"chat.completion\",")
                .append("\"created\":1735689600,\"model\":\"").append(model).append("\",\"choices\":[{\"index\":0,")
                .append("\"message\":{\"role\":\"assistant\",\"content\":\"").append(prose(560))
                .append("\",\"refusal\":null,\"annotations\":[]},\"logprobs\":null,\"finish_reason\":\"stop\"}],")
                .append("\"usage\":{\"prompt_tokens\":230,\"completion_tokens\":128,\"total_tokens\":358,")
                .append("\"prompt_tokens_details\":{\"cached_tokens\":0,\"audio_tokens\":0},")
                .append("\"completion_tokens_details\":{\"reasoning_tokens\":0,\"audio_tokens\":0,")
                .append("\"accepted_prediction_tokens\":0,\"rejected_prediction_tokens\":0}},")
                .append("\"service_tier\":\"default\",\"system_fingerprint\":\"fp_44709d6fcb\"}"));
    }

    /** One streamed token as a complete SSE event: {@code data: {...chat.completion.chunk...}\n\n}. */
    public static byte[] chunkEvent(String model, String token) {
        return bytes(new StringBuilder(320)
                .append("data: {\"id\":\"chatcmpl-B9MBs8CjcvOU2jLn4n570S5qMJKcT\",\"object\":\"chat.completion.chunk\",")
                .append("\"created\":1735689600,\"model\":\"").append(model)
                .append("\",\"system_fingerprint\":\"fp_44709d6fcb\",\"choices\":[{\"index\":0,")
                .append("\"delta\":{\"content\":\"").append(token)
                .append("\"},\"logprobs\":null,\"finish_reason\":null}]}\n\n"));
    }

    /** The closing usage event OpenAI sends when {@code stream_options.include_usage} is set. */
    public static byte[] usageEvent(String model, int completionTokens) {
        return bytes(new StringBuilder(400)
                .append("data: {\"id\":\"chatcmpl-B9MBs8CjcvOU2jLn4n570S5qMJKcT\",\"object\":\"chat.completion.chunk\",")
                .append("\"created\":1735689600,\"model\":\"").append(model)
                .append("\",\"system_fingerprint\":\"fp_44709d6fcb\",\"choices\":[],\"usage\":{")
                .append("\"prompt_tokens\":230,\"completion_tokens\":").append(completionTokens)
                .append(",\"total_tokens\":").append(230 + completionTokens).append("}}\n\n"));
    }

    public static byte[] doneEvent() {
        return bytes("data: [DONE]\n\n");
    }

    private static String prose(int length) {
        StringBuilder text = new StringBuilder(length + PROSE.length());
        while (text.length() < length) {
            text.append(PROSE);
        }
        text.setLength(length);
        return text.toString();
    }

    private static byte[] bytes(CharSequence text) {
        return text.toString().getBytes(StandardCharsets.UTF_8);
    }
}
