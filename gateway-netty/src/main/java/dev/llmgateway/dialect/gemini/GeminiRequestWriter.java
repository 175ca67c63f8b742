package dev.llmgateway.dialect.gemini;

import com.fasterxml.jackson.core.JsonGenerator;
import dev.llmgateway.dialect.ParameterHoldingWriter;
import dev.llmgateway.dialect.ResponseFormat;
import dev.llmgateway.dialect.Role;
import dev.llmgateway.dialect.ToolCallIds;
import dev.llmgateway.dialect.ToolChoice;
import dev.llmgateway.dialect.Untranslatable;
import dev.llmgateway.json.ByteSpan;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Writes a Gemini {@code generateContent} request body; the same body serves {@code streamGenerateContent}, and
 * the model goes in the URL, so neither the model nor {@link #stream} write anything here.
 * <ul>
 * <li>Every system text, in order, joined with a blank line, is the {@code systemInstruction}, written after
 * the conversation so that one coming mid-conversation (Gemini has no system turn) is kept too.</li>
 * <li>Turns become {@code contents} with roles {@code user} and {@code model}; consecutive turns of one role are
 * merged (Gemini wants alternation), and a turn with nothing Gemini can take (only redacted reasoning, empty
 * text) writes nothing, since Gemini refuses a content without parts.</li>
 * <li>An image URL becomes {@code fileData} with the type guessed from its extension (JPEG when unknown). The
 * gateway does not fetch images: Gemini itself resolves what it can (Files-API, {@code gs://} and YouTube URIs;
 * other URLs may be refused by Gemini, which then answers 400).</li>
 * <li>A tool call's thought signature, carried in its id ({@link ToolCallIds}), goes back on its
 * {@code functionCall} part. A tool result is named after the call with its id earlier in the conversation (Gemini
 * matches results to calls by name and order); a result whose call is not in the conversation (a cut history) is
 * named with the id itself, for want of a better name, and Gemini judges it.</li>
 * <li>A tool result's text that is one JSON object is the {@code response} as it is; other text is wrapped as
 * {@code {"result": text}}, and an error's text as {@code {"error": text}}.</li>
 * <li>Reasoning from an earlier turn goes back as a {@code thought} part with its signature; redacted reasoning
 * (another provider's) is dropped.</li>
 * <li>Reasoning effort becomes a thinking budget as Google's own OpenAI layer maps it: low 1024, medium 8192,
 * high 24576; minimal is low (2.5 Pro cannot think less than that), none is 0 (thinking off). A budget given
 * (Anthropic's {@code budget_tokens}) is used as it is. Thoughts are asked for whenever thinking is on.</li>
 * <li>No equivalent, ignored: {@code parallel_tool_calls}, {@code user}. Refused: {@code n} above 1 (the
 * gateway relays one candidate), more than 5 stop sequences.</li>
 * </ul>
 * Writes one JSON object to the generator given; {@code generationConfig} and {@code toolConfig} are written at
 * {@link #end} from the parameters held until then. Holds no buffers.
 */
public final class GeminiRequestWriter extends ParameterHoldingWriter {
    private static final int MAX_STOP_SEQUENCES = 5;

    /** Where the writer is in the object: sections come in this order, each opened when first needed. */
    private enum Section { NONE, CONTENTS, TOOLS, DONE }

    private final JsonGenerator out;
    private final StringBuilder system = new StringBuilder();
    private final Map<String, String> toolNames = new HashMap<>();
    private Section section = Section.NONE;

    private String turnRole;
    /** The role of the content whose parts array is open, or null. */
    private String openRole;

    public GeminiRequestWriter(JsonGenerator out) {
        this.out = out;
    }

    @Override
    public void system(String text) {
        if (!system.isEmpty()) {
            system.append("\n\n");
        }
        system.append(text);
    }

    @Override
    public void startMessage(Role role) {
        turnRole = role == Role.ASSISTANT ? "model" : "user";
    }

    @Override
    public void text(String text) {
        if (text.isEmpty()) {
            return;
        }
        writePart(() -> out.writeStringField("text", text));
    }

    @Override
    public void image(String mediaType, ByteSpan base64, String url) {
        writePart(() -> {
            if (base64 != null) {
                out.writeObjectFieldStart("inlineData");
                out.writeStringField("mimeType", mediaType != null ? mediaType : ImageTypes.DEFAULT);
                out.writeFieldName("data");
                base64.writeAsString(out);
            } else {
                out.writeObjectFieldStart("fileData");
                out.writeStringField("mimeType", mediaType != null ? mediaType : ImageTypes.guess(url));
                out.writeStringField("fileUri", url);
            }
            out.writeEndObject();
        });
    }

    @Override
    public void toolCall(String id, String name, ByteSpan arguments) {
        toolNames.put(id, name);
        writePart(() -> {
            out.writeObjectFieldStart("functionCall");
            out.writeStringField("name", name);
            out.writeFieldName("args");
            if (arguments != null) {
                arguments.copyJson(out);
            } else {
                out.writeStartObject();
                out.writeEndObject();
            }
            out.writeEndObject();
            String signature = ToolCallIds.signature(id);
            if (signature != null && !signature.isEmpty()) {
                out.writeStringField("thoughtSignature", signature);
            }
        });
    }

    @Override
    public void toolResult(String toolCallId, String content, boolean isError) {
        String name = toolNames.getOrDefault(toolCallId, toolCallId);
        writePart(() -> {
            out.writeObjectFieldStart("functionResponse");
            out.writeStringField("name", name);
            out.writeFieldName("response");
            FunctionResponses.write(content, isError, out);
            out.writeEndObject();
        });
    }

    @Override
    public void reasoning(String text, String signature) {
        boolean signed = signature != null && !signature.isEmpty();
        if (text.isEmpty() && !signed) {
            return;
        }
        writePart(() -> {
            out.writeStringField("text", text);
            out.writeBooleanField("thought", true);
            if (signed) {
                out.writeStringField("thoughtSignature", signature);
            }
        });
    }

    /** Another provider's encrypted reasoning means nothing to Gemini. */
    @Override
    public void redactedReasoning(String data) {
    }

    /** Turns are closed lazily: the next turn may have the same role and continue the same content. */
    @Override
    public void endMessage() {
    }

    @Override
    public void tool(String name, String description, ByteSpan parameters) {
        try {
            enter(Section.TOOLS);
            out.writeStartObject();
            out.writeStringField("name", name);
            if (description != null) {
                out.writeStringField("description", description);
            }
            if (parameters != null) {
                out.writeFieldName("parametersJsonSchema");
                parameters.copyJson(out);
            }
            out.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void stopSequences(List<String> stops) throws Untranslatable {
        if (stops.size() > MAX_STOP_SEQUENCES) {
            throw new Untranslatable("unsupported_parameter", "stop", "Gemini takes at most " + MAX_STOP_SEQUENCES
                    + " stop sequences; " + stops.size() + " were given.");
        }
        super.stopSequences(stops);
    }

    @Override
    public void candidates(int n) throws Untranslatable {
        throw new Untranslatable("unsupported_parameter", "n",
                "This model (Gemini, through the gateway) returns one choice per request; 'n' must be 1.");
    }

    @Override
    public void reasoningEffort(String effort, long budgetTokens) throws Untranslatable {
        if (thinkingBudget(effort, budgetTokens) == null) {
            throw new Untranslatable("invalid_value", "reasoning_effort",
                    "Unsupported reasoning effort '" + effort + "': use none, minimal, low, medium or high.");
        }
        super.reasoningEffort(effort, budgetTokens);
    }

    @Override
    public void end() {
        try {
            enter(Section.DONE);
            writeSystemInstruction();
            writeGenerationConfig();
            writeToolConfig();
            out.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A part's members, written between the part object's braces. */
    private interface PartMembers {
        void write() throws IOException;
    }

    /** One part object in the current turn's content, opening that content if another role's is open. */
    private void writePart(PartMembers members) {
        try {
            enter(Section.CONTENTS);
            if (!turnRole.equals(openRole)) {
                closeContent();
                out.writeStartObject();
                out.writeStringField("role", turnRole);
                out.writeArrayFieldStart("parts");
                openRole = turnRole;
            }
            out.writeStartObject();
            members.write();
            out.writeEndObject();
        } catch (IOException e) {
            // The generator writes into memory (JsonOutput); this cannot happen short of a gateway bug.
            throw new UncheckedIOException(e);
        }
    }

    private void closeContent() throws IOException {
        if (openRole != null) {
            out.writeEndArray();
            out.writeEndObject();
            openRole = null;
        }
    }

    /** Closes the section being written and opens {@code next}; the object itself starts with the first one. */
    private void enter(Section next) throws IOException {
        if (section == next) {
            return;
        }
        if (section == Section.NONE) {
            out.writeStartObject();
        }
        switch (section) {
            case CONTENTS -> {
                closeContent();
                out.writeEndArray();
            }
            case TOOLS -> {
                out.writeEndArray();
                out.writeEndObject();
                out.writeEndArray();
            }
            default -> {
            }
        }
        section = next;
        switch (next) {
            case CONTENTS -> out.writeArrayFieldStart("contents");
            case TOOLS -> {
                out.writeArrayFieldStart("tools");
                out.writeStartObject();
                out.writeArrayFieldStart("functionDeclarations");
            }
            default -> {
            }
        }
    }

    /** Written last: a system text may come after the conversation started (a mid-conversation system message). */
    private void writeSystemInstruction() throws IOException {
        if (system.isEmpty()) {
            return;
        }
        out.writeObjectFieldStart("systemInstruction");
        out.writeArrayFieldStart("parts");
        out.writeStartObject();
        out.writeStringField("text", system.toString());
        out.writeEndObject();
        out.writeEndArray();
        out.writeEndObject();
    }

    private void writeGenerationConfig() throws IOException {
        List<String> stops = heldStopSequences();
        ResponseFormat responseFormat = heldResponseFormat();
        boolean thinking = heldReasoningEffort() != null || heldReasoningBudget() >= 0;
        if (heldMaxTokens() == null && heldTemperature() == null && heldTopP() == null && heldTopK() == null
                && heldPresencePenalty() == null && heldFrequencyPenalty() == null && stops == null
                && heldSeed() == null && responseFormat == null && !thinking) {
            return;
        }
        out.writeObjectFieldStart("generationConfig");
        optionalNumber("maxOutputTokens", heldMaxTokens());
        optionalNumber("temperature", heldTemperature());
        optionalNumber("topP", heldTopP());
        optionalNumber("topK", heldTopK());
        optionalNumber("presencePenalty", heldPresencePenalty());
        optionalNumber("frequencyPenalty", heldFrequencyPenalty());
        if (stops != null && !stops.isEmpty()) {
            out.writeFieldName("stopSequences");
            out.writeArray(stops.toArray(String[]::new), 0, stops.size());
        }
        optionalNumber("seed", heldSeed());
        if (responseFormat != null) {
            out.writeStringField("responseMimeType", "application/json");
            if (responseFormat == ResponseFormat.JSON_SCHEMA && heldResponseSchema() != null) {
                out.writeFieldName("responseJsonSchema");
                heldResponseSchema().copyJson(out);
            }
        }
        if (thinking) {
            long thinkingBudget = thinkingBudget(heldReasoningEffort(), heldReasoningBudget());
            out.writeObjectFieldStart("thinkingConfig");
            out.writeNumberField("thinkingBudget", thinkingBudget);
            if (thinkingBudget > 0) {
                out.writeBooleanField("includeThoughts", true);
            }
            out.writeEndObject();
        }
        out.writeEndObject();
    }

    /** A budget given is used as it is; an effort maps as Google's own OpenAI layer maps it; null: no mapping. */
    private static Long thinkingBudget(String effort, long budgetTokens) {
        if (budgetTokens >= 0) {
            return budgetTokens;
        }
        return switch (effort == null ? "" : effort.toLowerCase(Locale.ROOT)) {
            case "none" -> 0L;
            case "minimal", "low" -> 1024L;
            case "medium" -> 8192L;
            case "high" -> 24576L;
            default -> null;
        };
    }

    private void optionalNumber(String name, Number value) throws IOException {
        if (value instanceof Double d) {
            out.writeNumberField(name, d);
        } else if (value != null) {
            out.writeNumberField(name, value.longValue());
        }
    }

    private void writeToolConfig() throws IOException {
        ToolChoice toolChoice = heldToolChoice();
        if (toolChoice == null) {
            return;
        }
        out.writeObjectFieldStart("toolConfig");
        out.writeObjectFieldStart("functionCallingConfig");
        out.writeStringField("mode", switch (toolChoice) {
            case AUTO -> "AUTO";
            case NONE -> "NONE";
            case REQUIRED, TOOL -> "ANY";
        });
        if (toolChoice == ToolChoice.TOOL && heldToolChoiceName() != null) {
            out.writeArrayFieldStart("allowedFunctionNames");
            out.writeString(heldToolChoiceName());
            out.writeEndArray();
        }
        out.writeEndObject();
        out.writeEndObject();
    }
}
