package dev.llmgateway.dialect;

import dev.llmgateway.json.ByteSpan;

import java.util.List;

/**
 * The part every request writer shares: the scalar parameters, which come after the conversation and tools but
 * are written where the provider wants them (often at {@link #end}), are held here as they come. A writer
 * overrides a parameter's method only to refuse or check it (calling this one to hold it), and reads the held
 * values back; null (or false, 0) means the client did not send the parameter. Holds no buffers; a held
 * {@link ByteSpan} is borrowed like every span the writer gets.
 */
public abstract class ParameterHoldingWriter implements RequestEvents {
    private ToolChoice toolChoice;
    private String toolChoiceName;
    private Boolean parallelToolCalls;
    private Long maxTokens;
    private Double temperature;
    private Double topP;
    private Long topK;
    private Double presencePenalty;
    private Double frequencyPenalty;
    private List<String> stopSequences;
    private int candidates;
    private Long seed;
    private String user;
    private ResponseFormat responseFormat;
    private String responseFormatName;
    private ByteSpan responseSchema;
    private String reasoningEffort;
    private long reasoningBudget = -1;
    private boolean stream;

    @Override
    public final void toolChoice(ToolChoice choice, String name) {
        toolChoice = choice;
        toolChoiceName = name;
    }

    @Override
    public final void parallelToolCalls(boolean allowed) {
        parallelToolCalls = allowed;
    }

    @Override
    public final void maxTokens(long tokens) {
        maxTokens = tokens;
    }

    @Override
    public final void temperature(double value) {
        temperature = value;
    }

    @Override
    public final void topP(double value) {
        topP = value;
    }

    @Override
    public final void topK(long value) {
        topK = value;
    }

    @Override
    public final void presencePenalty(double penalty) {
        presencePenalty = penalty;
    }

    @Override
    public final void frequencyPenalty(double penalty) {
        frequencyPenalty = penalty;
    }

    @Override
    public void stopSequences(List<String> stops) throws Untranslatable {
        stopSequences = stops;
    }

    @Override
    public void candidates(int n) throws Untranslatable {
        candidates = n;
    }

    @Override
    public final void seed(long value) {
        seed = value;
    }

    @Override
    public final void user(String value) {
        user = value;
    }

    @Override
    public final void responseFormat(ResponseFormat format, String name, ByteSpan schema) {
        responseFormat = format;
        responseFormatName = name;
        responseSchema = schema;
    }

    @Override
    public void reasoningEffort(String effort, long budgetTokens) throws Untranslatable {
        reasoningEffort = effort;
        reasoningBudget = budgetTokens;
    }

    /** Each provider asks for usage in its own way (or always reports it), so only the request to stream is held. */
    @Override
    public final void stream(boolean includeUsage) {
        stream = true;
    }

    protected final ToolChoice heldToolChoice() {
        return toolChoice;
    }

    /** The tool {@link ToolChoice#TOOL} names, else null. */
    protected final String heldToolChoiceName() {
        return toolChoiceName;
    }

    protected final Boolean heldParallelToolCalls() {
        return parallelToolCalls;
    }

    protected final Long heldMaxTokens() {
        return maxTokens;
    }

    protected final Double heldTemperature() {
        return temperature;
    }

    protected final Double heldTopP() {
        return topP;
    }

    protected final Long heldTopK() {
        return topK;
    }

    protected final Double heldPresencePenalty() {
        return presencePenalty;
    }

    protected final Double heldFrequencyPenalty() {
        return frequencyPenalty;
    }

    protected final List<String> heldStopSequences() {
        return stopSequences;
    }

    /** The alternative answers wanted, 0 when not asked for (it is only called above 1). */
    protected final int heldCandidates() {
        return candidates;
    }

    protected final Long heldSeed() {
        return seed;
    }

    protected final String heldUser() {
        return user;
    }

    protected final ResponseFormat heldResponseFormat() {
        return responseFormat;
    }

    protected final String heldResponseFormatName() {
        return responseFormatName;
    }

    protected final ByteSpan heldResponseSchema() {
        return responseSchema;
    }

    protected final String heldReasoningEffort() {
        return reasoningEffort;
    }

    /** The reasoning token budget asked for, -1 for none. */
    protected final long heldReasoningBudget() {
        return reasoningBudget;
    }

    protected final boolean heldStream() {
        return stream;
    }
}
