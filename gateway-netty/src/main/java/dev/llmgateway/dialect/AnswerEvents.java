package dev.llmgateway.dialect;

/**
 * One model answer as neutral events (docs/ARCHITECTURE.md §5): an upstream decoder reads them out of a provider's
 * stream or body, a client encoder writes them in the client's dialect. One answer, one thread, calls in answer
 * order: {@link #start}; then any mix of text, reasoning and tool calls; {@link #finish}; {@link #end}.
 * {@link #usage} may come at any point after start, more than once (cumulative: a later call replaces an earlier
 * one). {@link #error} replaces finish/end when the provider fails mid-answer; nothing follows it.
 * Character arguments are only valid during the call: they may point into a parser's buffer.
 */
public interface AnswerEvents {
    /** The answer begins; {@code id} is the provider's id for it, or null. */
    void start(String id);

    /** A piece of the answer's text. */
    void text(char[] chars, int offset, int length);

    /** A piece of reasoning ("thinking") text, where the provider shows it. */
    void reasoning(char[] chars, int offset, int length);

    /** The opaque signature sealing the reasoning so far; providers want it back unchanged in a later turn. */
    void reasoningSignature(String signature);

    /** Reasoning the provider returns only encrypted (Anthropic {@code redacted_thinking}); echoed back unchanged. */
    void redactedReasoning(String data);

    /**
     * A tool call begins. {@code index} counts this answer's tool calls from 0 in order of appearance; {@code id}
     * is never null (a decoder synthesizes one when the provider has none, see {@link ToolCallIds});
     * {@code signature} is an opaque thought signature the call carries (Gemini), or null.
     */
    void toolCallStart(int index, String id, String name, String signature);

    /** A fragment of tool call {@code index}'s arguments: JSON text; the fragments joined are one JSON object. */
    void toolCallArguments(int index, char[] chars, int offset, int length);

    /** The answer is complete; {@code stopSequence} is the stop sequence that matched, when the provider says. */
    void finish(FinishReason reason, String stopSequence);

    /**
     * Token counts so far; -1 where unknown. {@code input} is every input token, cached reads and cache writes
     * included (OpenAI's {@code prompt_tokens}); {@code cacheWrite} includes {@code cacheWrite1h}, the writes kept
     * for an hour (Anthropic's {@code ephemeral_1h_input_tokens}); {@code output} includes {@code reasoning}.
     */
    void usage(long input, long cachedInput, long cacheWrite, long cacheWrite1h, long output, long reasoning);

    /** The provider's answer ended properly. */
    void end();

    /** The provider reported an error mid-answer. */
    void error(ApiError error);
}
