package dev.llmgateway.dialect;

/** Why an answer stopped, in neutral terms (TRANSLATION.md §2). */
public enum FinishReason {
    /** The model was done, or a stop sequence matched. */
    STOP,
    /** The output token limit (or the context window) was reached. */
    LENGTH,
    /** The model wants tool results. */
    TOOL_CALLS,
    /** A safety system or the model itself refused. */
    CONTENT_FILTER
}
