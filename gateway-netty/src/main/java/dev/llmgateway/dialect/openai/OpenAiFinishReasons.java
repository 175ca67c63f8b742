package dev.llmgateway.dialect.openai;

import dev.llmgateway.dialect.FinishReason;

/** OpenAI's {@code finish_reason} strings both ways (TRANSLATION.md §2). */
final class OpenAiFinishReasons {
    private OpenAiFinishReasons() {
    }

    /**
     * The string for {@code reason}; a plain stop after tool calls is {@code tool_calls}: clients run the tools
     * only on that reason, and Gemini (and some Anthropic-compatible servers) say "stop" for a tool-call turn.
     */
    static String toWire(FinishReason reason, boolean toolCalled) {
        return switch (reason) {
            case STOP -> toolCalled ? "tool_calls" : "stop";
            case LENGTH -> "length";
            case TOOL_CALLS -> "tool_calls";
            case CONTENT_FILTER -> "content_filter";
        };
    }

    /**
     * The reason for an OpenAI-compatible server's string. A plain stop after tool calls is TOOL_CALLS (servers
     * such as vLLM and older Ollama say "stop"); an unknown string (vLLM "abort", Ollama "load") is a stop.
     */
    static FinishReason fromWire(String reason, boolean toolCalled) {
        return switch (reason) {
            case "length" -> FinishReason.LENGTH;
            case "tool_calls", "function_call" -> FinishReason.TOOL_CALLS;
            case "content_filter" -> FinishReason.CONTENT_FILTER;
            default -> toolCalled ? FinishReason.TOOL_CALLS : FinishReason.STOP;
        };
    }
}
