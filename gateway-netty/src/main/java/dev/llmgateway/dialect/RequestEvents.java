package dev.llmgateway.dialect;

import dev.llmgateway.json.ByteSpan;

import java.util.List;

/**
 * A chat request in neutral terms: a request reader (the client's dialect) calls it, a request writer (the
 * provider's dialect) writes the provider's JSON from it. Calls come in this order: {@link #system} parts, then
 * the conversation (each turn {@link #startMessage}, its parts, {@link #endMessage}; a {@link #system} part between
 * turns where the client's API has a system message there, as Anthropic's newer models do), then tools, then the
 * parameters in any order, then {@link #end}. A parameter the client did not send is not called. A writer throws
 * {@link Untranslatable} for what its API cannot express.
 */
public interface RequestEvents {
    /** One system or developer instruction, in conversation order. */
    void system(String text) throws Untranslatable;

    void startMessage(Role role) throws Untranslatable;

    void text(String text) throws Untranslatable;

    /**
     * An image: {@code base64} (a JSON string's contents, borrowed) of type {@code mediaType}, or {@code url}
     * (then {@code base64} is null and {@code mediaType} may be).
     */
    void image(String mediaType, ByteSpan base64, String url) throws Untranslatable;

    /** An assistant's tool call; {@code arguments} is one JSON object. */
    void toolCall(String id, String name, ByteSpan arguments) throws Untranslatable;

    /** The result of the tool call {@code toolCallId}, as text. */
    void toolResult(String toolCallId, String content, boolean isError) throws Untranslatable;

    /** Reasoning the assistant showed in an earlier turn, with the provider's signature for it (either may be empty). */
    void reasoning(String text, String signature) throws Untranslatable;

    /** Encrypted reasoning from an earlier turn, echoed back. */
    void redactedReasoning(String data) throws Untranslatable;

    void endMessage() throws Untranslatable;

    /** A function the model may call; {@code parameters} is its JSON Schema, or null for none. */
    void tool(String name, String description, ByteSpan parameters) throws Untranslatable;

    /** {@code name} is the tool for {@link ToolChoice#TOOL}, else null. */
    void toolChoice(ToolChoice choice, String name) throws Untranslatable;

    void parallelToolCalls(boolean allowed) throws Untranslatable;

    /** The output token limit (OpenAI {@code max_completion_tokens}/{@code max_tokens}, Anthropic {@code max_tokens}). */
    void maxTokens(long tokens) throws Untranslatable;

    void temperature(double temperature) throws Untranslatable;

    void topP(double topP) throws Untranslatable;

    void topK(long topK) throws Untranslatable;

    void presencePenalty(double penalty) throws Untranslatable;

    void frequencyPenalty(double penalty) throws Untranslatable;

    void stopSequences(List<String> stops) throws Untranslatable;

    /** Alternative answers wanted (OpenAI {@code n}); only called when above 1. */
    void candidates(int n) throws Untranslatable;

    void seed(long seed) throws Untranslatable;

    /** The end user, for the provider's abuse monitoring (OpenAI {@code user}, Anthropic {@code metadata.user_id}). */
    void user(String user) throws Untranslatable;

    /** The answer must be JSON; {@code name} and {@code schema} only for {@link ResponseFormat#JSON_SCHEMA}. */
    void responseFormat(ResponseFormat format, String name, ByteSpan schema) throws Untranslatable;

    /**
     * Reasoning wanted: an OpenAI effort ({@code minimal}, {@code low}, {@code medium}, {@code high}) or a token
     * budget (Anthropic, Gemini); the other is null / -1. Writers map one onto the other.
     */
    void reasoningEffort(String effort, long budgetTokens) throws Untranslatable;

    /** The answer is streamed; {@code includeUsage}: the client wants usage reported in the stream. */
    void stream(boolean includeUsage) throws Untranslatable;

    void end() throws Untranslatable;
}
