package dev.llmgateway.dialect.openai;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import dev.llmgateway.dialect.RequestEvents;
import dev.llmgateway.dialect.Role;
import dev.llmgateway.dialect.Untranslatable;
import dev.llmgateway.json.ByteSpan;
import io.netty.buffer.ByteBuf;

import java.io.IOException;
import java.util.Set;

import static dev.llmgateway.dialect.openai.OpenAiRequestValues.invalid;
import static dev.llmgateway.dialect.openai.OpenAiRequestValues.unreadableBody;
import static dev.llmgateway.dialect.openai.OpenAiRequestValues.invalidType;
import static dev.llmgateway.dialect.openai.OpenAiRequestValues.string;
import static dev.llmgateway.dialect.openai.OpenAiRequestValues.unsupported;

/**
 * Reads an OpenAI Responses request ({@code POST /v1/responses}) into {@link RequestEvents}, for a provider of
 * another API. A first pass records the top-level values ({@link ResponsesParameters}) and the spans of
 * {@code input} and {@code tools}, whatever their key order; then {@code instructions} and every system and
 * developer message are emitted, the conversation ({@link ResponsesInput}), the tools ({@link ResponsesTools}),
 * the parameters. A request that only a stored response could answer ({@code previous_response_id},
 * {@code conversation}, an {@code item_reference}) is refused: the gateway keeps no responses. Streaming parser
 * only; no trees.
 *
 * <p>Ownership: as {@link OpenAiRequestReader}: {@code body} is borrowed; spans given to {@code out} point into it.
 */
public final class ResponsesRequestReader {
    private final OpenAiBodyBytes body;
    private final ResponsesParameters parameters;
    private ByteSpan input;
    private String inputText;
    private String instructions;
    private ByteSpan tools;

    private ResponsesRequestReader(OpenAiBodyBytes body) {
        this.body = body;
        this.parameters = new ResponsesParameters(body);
    }

    /**
     * Emits the request's events into {@code out}.
     *
     * @return the names of the request's freeform ({@code custom}) tools, whose calls the answer must give back as
     *         {@code custom_tool_call} items; empty when it has none
     * @throws Untranslatable when the request is malformed or asks for what only OpenAI can do
     */
    public static Set<String> read(ByteBuf body, RequestEvents out) throws Untranslatable {
        ByteSpan span = ByteSpan.readable(body);
        ResponsesRequestReader reader = new ResponsesRequestReader(
                new OpenAiBodyBytes(span.bytes(), span.offset() + span.length()));
        try {
            reader.scan(span);
            return reader.emit(out);
        } catch (IOException e) {
            throw unreadableBody(e);
        }
    }

    private void scan(ByteSpan span) throws IOException, Untranslatable {
        try (JsonParser p = body.parser(span)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                throw invalid(null, "The request body must be a JSON object.");
            }
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String name = p.currentName();
                if (p.nextToken() == JsonToken.VALUE_NULL) {
                    continue;
                }
                switch (name) {
                    case "input" -> {
                        if (p.currentToken() == JsonToken.VALUE_STRING) {
                            inputText = p.getText();
                        } else if (p.currentToken() == JsonToken.START_ARRAY) {
                            input = body.valueSpan(p, span.offset());
                        } else {
                            throw invalidType("input", "a string or an array of input items");
                        }
                    }
                    case "instructions" -> instructions = string(p, name);
                    case "tools" -> {
                        if (p.currentToken() != JsonToken.START_ARRAY) {
                            throw invalidType(name, "an array");
                        }
                        tools = body.valueSpan(p, span.offset());
                    }
                    default -> parameters.read(p, name, span.offset());
                }
            }
        }
        if (input == null && inputText == null) {
            throw new Untranslatable("missing_required_parameter", "input", "Missing required parameter: 'input'.");
        }
    }

    private Set<String> emit(RequestEvents out) throws IOException, Untranslatable {
        if (instructions != null && !instructions.isEmpty()) {
            out.system(instructions);
        }
        ResponsesInput items = input == null ? null : new ResponsesInput(body, input);
        if (items != null) {
            items.emitSystem(out);
            items.emitConversation(out);
        } else {
            out.startMessage(Role.USER);
            out.text(inputText);
            out.endMessage();
        }
        Set<String> customTools = tools == null ? Set.of() : new ResponsesTools(body).read(tools, out);
        parameters.emit(out);
        out.end();
        return customTools;
    }

    /** The refusal for what needs a stored response, which the gateway does not keep. */
    static Untranslatable needsStore(String param, String what) {
        return unsupported(param, what + " cannot be used with this model: the gateway keeps no responses, so"
                + " send the whole conversation in 'input' (as 'store': false clients do).");
    }
}
