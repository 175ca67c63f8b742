package dev.llmgateway.dialect.gemini;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import dev.llmgateway.dialect.RequestEvents;
import dev.llmgateway.dialect.ResponseFormat;
import dev.llmgateway.dialect.Role;
import dev.llmgateway.dialect.ToolChoice;
import dev.llmgateway.dialect.Untranslatable;
import dev.llmgateway.json.ByteSpan;
import dev.llmgateway.json.Json;
import io.netty.buffer.ByteBuf;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.StringWriter;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Reads a Gemini {@code generateContent} request (the body of {@code :generateContent} and
 * {@code :streamGenerateContent}; the model is in the path) as {@link RequestEvents}, for a provider of another API.
 * A first pass over the top-level object reads {@code generationConfig} and notes where {@code systemInstruction},
 * {@code contents}, {@code tools} and {@code toolConfig} are; each is then read from its bytes in the order the
 * events require.
 * <ul>
 * <li>Roles {@code user} (also {@code function}, and a content without a role) and {@code model}; parts
 * {@code text}, {@code text} with {@code thought:true} (reasoning, with its {@code thoughtSignature}),
 * {@code inlineData} and {@code fileData} of an image type, {@code functionCall}, {@code functionResponse}.</li>
 * <li>Gemini's calls may have no ids: a call without one gets {@code call_<n>} by its place in the conversation
 * (the same ids for the same history, every time), and a response without one takes the id of the oldest call of
 * its name still unanswered; an id the client sent is kept both ways.</li>
 * <li>A {@code functionResponse.response} of one string member ({@code output}, {@code result},
 * {@code content}) is that text; of one {@code error} string, that text as an error; anything else its compact
 * JSON.</li>
 * <li>{@code parameters} and {@code responseSchema} (Google's OpenAPI schema subset, types in capitals) are given
 * to the provider as JSON Schema with lower-case types; {@code parametersJsonSchema} and
 * {@code responseJsonSchema} as they are.</li>
 * <li>{@code functionCallingConfig}: AUTO, VALIDATED (as AUTO), NONE, ANY (one allowed name: that tool; more: any
 * tool, the list dropped). {@code thinkingConfig.thinkingBudget} above 0 is a token budget; 0 and -1 (dynamic)
 * leave the provider's default; {@code thinkingLevel} is an effort.</li>
 * <li>Ignored, no equivalent: {@code safetySettings}, {@code labels}, a function call's {@code thoughtSignature},
 * {@code responseModalities} of text only, logprobs options, {@code mediaResolution}. Refused (400):
 * Gemini's own tools ({@code googleSearch}, {@code codeExecution}, ...), {@code cachedContent}, a
 * {@code candidateCount} above 1, non-image inline
 * or file data, {@code executableCode} and {@code codeExecutionResult} parts, a response type other than JSON or
 * text, output other than text.</li>
 * </ul>
 * Ownership: {@code body} is borrowed, not released. The {@link ByteSpan}s handed on point into the body's array
 * (or one copy of a direct body) and are valid during {@link #read} only.
 */
public final class GeminiRequestReader {
    private final byte[] bytes;
    private final RequestEvents out;
    private final Map<String, ArrayDeque<String>> unanswered = new HashMap<>();
    private int calls;

    private ByteSpan systemInstruction;
    private ByteSpan contents;
    private ByteSpan tools;
    private ByteSpan toolConfig;
    private ByteSpan generationConfig;

    private GeminiRequestReader(byte[] bytes, RequestEvents out) {
        this.bytes = bytes;
        this.out = out;
    }

    /** @param stream the client called {@code :streamGenerateContent} */
    public static void read(ByteBuf body, boolean stream, RequestEvents out) throws Untranslatable {
        ByteSpan span = ByteSpan.readable(body);
        GeminiRequestReader reader = new GeminiRequestReader(span.bytes(), out);
        try {
            reader.readTopLevel(span.offset(), span.length());
            reader.emit(stream);
        } catch (JsonProcessingException e) {
            throw invalid(null, "Invalid JSON payload received. " + e.getOriginalMessage());
        } catch (IOException e) {
            throw invalid(null, "The request body could not be read: " + e.getMessage());
        }
    }

    private void readTopLevel(int offset, int length) throws IOException, Untranslatable {
        try (JsonParser p = Json.FACTORY.createParser(bytes, offset, length)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                throw invalid(null, "Invalid JSON payload received. The request body must be a JSON object.");
            }
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String name = p.currentName();
                if (p.nextToken() == JsonToken.VALUE_NULL) {
                    continue;
                }
                switch (name) {
                    case "systemInstruction", "system_instruction" ->
                            systemInstruction = structure(p, offset, JsonToken.START_OBJECT, name);
                    case "contents" -> contents = structure(p, offset, JsonToken.START_ARRAY, name);
                    case "tools" -> tools = structure(p, offset, JsonToken.START_ARRAY, name);
                    case "toolConfig", "tool_config" -> toolConfig = structure(p, offset, JsonToken.START_OBJECT, name);
                    case "generationConfig", "generation_config" ->
                            generationConfig = structure(p, offset, JsonToken.START_OBJECT, name);
                    case "cachedContent", "cached_content" -> throw unsupported(name, "cachedContent names a cache "
                            + "on Gemini's servers; the provider serving this model has none. Send the contents.");
                    default -> p.skipChildren();
                }
            }
            if (p.nextToken() != null) {
                throw invalid(null, "Invalid JSON payload received. Content after the JSON object.");
            }
        }
        if (contents == null) {
            throw invalid("contents", "* GenerateContentRequest.contents: contents is not specified");
        }
    }

    private void emit(boolean stream) throws IOException, Untranslatable {
        if (systemInstruction != null) {
            readSystemInstruction();
        }
        forEachObject(contents, "contents", this::readContent);
        if (tools != null) {
            forEachObject(tools, "tools", this::readTool);
        }
        if (toolConfig != null) {
            readToolConfig();
        }
        if (generationConfig != null) {
            readGenerationConfig();
        }
        if (stream) {
            out.stream(true); // Gemini's stream always reports usage
        }
        out.end();
    }

    private void readSystemInstruction() throws IOException, Untranslatable {
        try (JsonParser p = parser(systemInstruction)) {
            p.nextToken();
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                if (p.nextToken() == JsonToken.START_ARRAY && p.currentName().equals("parts")) {
                    for (int i = 0; p.nextToken() != JsonToken.END_ARRAY; i++) {
                        String path = "systemInstruction.parts[" + i + "]";
                        expect(p, JsonToken.START_OBJECT, path);
                        String text = null;
                        while (p.nextToken() == JsonToken.FIELD_NAME) {
                            if (p.nextToken() == JsonToken.VALUE_STRING && p.currentName().equals("text")) {
                                text = p.getText();
                            } else {
                                p.skipChildren();
                            }
                        }
                        if (text == null) {
                            throw unsupported(path, path + ": a system instruction can only hold text here.");
                        }
                        out.system(text);
                    }
                } else {
                    p.skipChildren();
                }
            }
        }
    }

    private void readContent(JsonParser p, String path, int base) throws IOException, Untranslatable {
        String role = null;
        ByteSpan parts = null;
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String name = p.currentName();
            JsonToken value = p.nextToken();
            if (name.equals("role") && value == JsonToken.VALUE_STRING) {
                role = p.getText();
            } else if (name.equals("parts") && value != JsonToken.VALUE_NULL) {
                parts = structure(p, base, JsonToken.START_ARRAY, path + ".parts");
            } else {
                p.skipChildren();
            }
        }
        out.startMessage(role(role, path));
        if (parts != null) {
            String where = path + ".parts";
            forEachObject(parts, where, this::readPart);
        }
        out.endMessage();
    }

    private static Role role(String role, String path) throws Untranslatable {
        if (role == null || role.isEmpty() || role.equals("user") || role.equals("function")) {
            return Role.USER;
        }
        if (role.equals("model")) {
            return Role.ASSISTANT;
        }
        throw invalid(path + ".role", "Please use a valid role: user, model.");
    }

    /** One part: its kind is whichever data member it has. */
    private void readPart(JsonParser p, String path, int base) throws IOException, Untranslatable {
        String text = null;
        boolean thought = false;
        String signature = null;
        boolean data = false;
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String name = p.currentName();
            JsonToken value = p.nextToken();
            if (value == JsonToken.VALUE_NULL) {
                continue;
            }
            switch (name) {
                case "text" -> text = string(p, path + ".text");
                case "thought" -> thought = value == JsonToken.VALUE_TRUE;
                case "thoughtSignature", "thought_signature" -> signature = string(p, path + ".thoughtSignature");
                case "inlineData", "inline_data" -> {
                    data = true;
                    media(p, path + ".inlineData", base, true);
                }
                case "fileData", "file_data" -> {
                    data = true;
                    media(p, path + ".fileData", base, false);
                }
                case "functionCall", "function_call" -> {
                    data = true;
                    function(p, path + ".functionCall", base, false);
                }
                case "functionResponse", "function_response" -> {
                    data = true;
                    function(p, path + ".functionResponse", base, true);
                }
                case "executableCode", "codeExecutionResult", "executable_code", "code_execution_result" ->
                        throw unsupported(path + "." + name, path + "." + name + ": code execution is Gemini's own "
                                + "tool; the provider serving this model cannot run it.");
                default -> p.skipChildren();
            }
        }
        if (text != null && !data) {
            if (thought) {
                out.reasoning(text, signature == null ? "" : signature);
            } else {
                out.text(text);
            }
        } else if (text == null && !data && signature == null) {
            throw invalid(path, path + ": a part needs data: text, inlineData, fileData, functionCall or"
                    + " functionResponse.");
        }
    }

    /** An image, inline ({@code mimeType}, base64 {@code data}) or by URI ({@code mimeType}, {@code fileUri}). */
    private void media(JsonParser p, String path, int base, boolean inline) throws IOException, Untranslatable {
        expect(p, JsonToken.START_OBJECT, path);
        String mimeType = null;
        ByteSpan base64 = null;
        String uri = null;
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String name = p.currentName();
            JsonToken value = p.nextToken();
            if (value != JsonToken.VALUE_STRING) {
                p.skipChildren();
                continue;
            }
            switch (name) {
                case "mimeType", "mime_type" -> mimeType = p.getText();
                case "data" -> base64 = stringContents(p, base);
                case "fileUri", "file_uri" -> uri = p.getText();
                default -> {
                }
            }
        }
        if (mimeType == null || !mimeType.toLowerCase(Locale.ROOT).startsWith("image/")) {
            throw unsupported(path + ".mimeType", path + ": only images can be sent to the provider serving this"
                    + " model; got " + (mimeType == null ? "no mimeType" : "'" + mimeType + "'") + ".");
        }
        if (inline ? base64 == null : uri == null) {
            throw invalid(path, path + (inline ? ".data" : ".fileUri") + " is required.");
        }
        out.image(mimeType, inline ? base64 : null, inline ? null : uri);
    }

    /** A {@code functionCall} ({@code args}) or a {@code functionResponse} ({@code response}): name, id and value. */
    private void function(JsonParser p, String path, int base, boolean response) throws IOException, Untranslatable {
        expect(p, JsonToken.START_OBJECT, path);
        String id = null;
        String name = null;
        ByteSpan args = null;
        FunctionResult result = null;
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String field = p.currentName();
            JsonToken value = p.nextToken();
            if (field.equals("name") && value == JsonToken.VALUE_STRING) {
                name = p.getText();
            } else if (field.equals("id") && value == JsonToken.VALUE_STRING) {
                id = p.getText();
            } else if (!response && field.equals("args") && value == JsonToken.START_OBJECT) {
                args = structure(p, base, JsonToken.START_OBJECT, path + ".args");
            } else if (response && field.equals("response") && value == JsonToken.START_OBJECT) {
                result = FunctionResult.read(p);
            } else {
                p.skipChildren();
            }
        }
        if (name == null) {
            throw invalid(path + ".name", path + ".name is required.");
        }
        if (response) {
            answer(id, name, result);
        } else {
            call(id, name, args);
        }
    }

    private void call(String id, String name, ByteSpan args) throws Untranslatable {
        calls++;
        String callId = id == null || id.isEmpty() ? "call_" + calls : id;
        unanswered.computeIfAbsent(name, n -> new ArrayDeque<>()).add(callId);
        out.toolCall(callId, name, args);
    }

    private void answer(String id, String name, FunctionResult result) throws Untranslatable {
        ArrayDeque<String> pending = unanswered.get(name);
        String callId;
        if (id != null && !id.isEmpty()) {
            callId = id;
            if (pending != null) {
                pending.remove(id);
            }
        } else {
            callId = pending == null || pending.isEmpty() ? "call_" + name : pending.poll();
        }
        out.toolResult(callId, result == null ? "" : result.text(), result != null && result.error());
    }

    /** A function response's text for the provider. */
    private record FunctionResult(String text, boolean error) {
        private static final List<String> TEXT_MEMBERS = List.of("output", "result", "content");

        /** Reads the {@code response} object the parser is at. */
        static FunctionResult read(JsonParser p) throws IOException {
            StringWriter json = new StringWriter();
            String only = null;
            String onlyText = null;
            int members = 0;
            try (JsonGenerator g = Json.FACTORY.createGenerator(json)) {
                g.writeStartObject();
                while (p.nextToken() == JsonToken.FIELD_NAME) {
                    members++;
                    String name = p.currentName();
                    g.writeFieldName(name);
                    JsonToken value = p.nextToken();
                    if (value == JsonToken.VALUE_STRING) {
                        only = name;
                        onlyText = p.getText();
                    }
                    g.copyCurrentStructure(p);
                }
                g.writeEndObject();
            }
            if (members == 1 && onlyText != null) {
                if (only.equals("error")) {
                    return new FunctionResult(onlyText, true);
                }
                if (TEXT_MEMBERS.contains(only)) {
                    return new FunctionResult(onlyText, false);
                }
            }
            return new FunctionResult(json.toString(), false);
        }
    }

    private void readTool(JsonParser p, String path, int base) throws IOException, Untranslatable {
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String name = p.currentName();
            JsonToken value = p.nextToken();
            if (value == JsonToken.VALUE_NULL) {
                continue;
            }
            if (name.equals("functionDeclarations") || name.equals("function_declarations")) {
                expect(p, JsonToken.START_ARRAY, path + "." + name);
                for (int i = 0; p.nextToken() != JsonToken.END_ARRAY; i++) {
                    String at = path + ".functionDeclarations[" + i + "]";
                    expect(p, JsonToken.START_OBJECT, at);
                    readFunctionDeclaration(p, at, base);
                }
            } else {
                throw unsupported(path + "." + name, path + "." + name + " is one of Gemini's own tools; the "
                        + "provider serving this model cannot run it. Use function declarations only.");
            }
        }
    }

    private void readFunctionDeclaration(JsonParser p, String path, int base) throws IOException, Untranslatable {
        String name = null;
        String description = null;
        ByteSpan schema = null;
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String field = p.currentName();
            JsonToken value = p.nextToken();
            if (value == JsonToken.VALUE_NULL) {
                continue;
            }
            switch (field) {
                case "name" -> name = string(p, path + ".name");
                case "description" -> description = string(p, path + ".description");
                case "parameters" -> schema = openApiSchema(structure(p, base, JsonToken.START_OBJECT,
                        path + ".parameters"));
                case "parametersJsonSchema", "parameters_json_schema" ->
                        schema = structure(p, base, JsonToken.START_OBJECT, path + ".parametersJsonSchema");
                default -> p.skipChildren();
            }
        }
        if (name == null) {
            throw invalid(path + ".name", path + ".name is required.");
        }
        out.tool(name, description, schema);
    }

    private void readToolConfig() throws IOException, Untranslatable {
        String mode = null;
        List<String> allowed = List.of();
        try (JsonParser p = parser(toolConfig)) {
            p.nextToken();
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                boolean calling = p.currentName().equals("functionCallingConfig")
                        || p.currentName().equals("function_calling_config");
                if (p.nextToken() != JsonToken.START_OBJECT || !calling) {
                    p.skipChildren();
                    continue;
                }
                while (p.nextToken() == JsonToken.FIELD_NAME) {
                    String name = p.currentName();
                    JsonToken value = p.nextToken();
                    if (name.equals("mode") && value == JsonToken.VALUE_STRING) {
                        mode = p.getText();
                    } else if ((name.equals("allowedFunctionNames") || name.equals("allowed_function_names"))
                            && value == JsonToken.START_ARRAY) {
                        allowed = strings(p, "toolConfig.functionCallingConfig.allowedFunctionNames");
                    } else {
                        p.skipChildren();
                    }
                }
            }
        }
        switch (mode == null ? "" : mode) {
            case "AUTO", "VALIDATED" -> out.toolChoice(ToolChoice.AUTO, null);
            case "NONE" -> out.toolChoice(ToolChoice.NONE, null);
            case "ANY" -> {
                if (allowed.size() == 1) {
                    out.toolChoice(ToolChoice.TOOL, allowed.get(0));
                } else {
                    out.toolChoice(ToolChoice.REQUIRED, null);
                }
            }
            case "", "MODE_UNSPECIFIED" -> {
            }
            default -> throw invalid("toolConfig.functionCallingConfig.mode",
                    "Invalid value at 'tool_config.function_calling_config.mode': \"" + mode + "\"");
        }
    }

    private void readGenerationConfig() throws IOException, Untranslatable {
        String mimeType = null;
        ByteSpan schema = null;
        try (JsonParser p = parser(generationConfig)) {
            p.nextToken();
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String name = p.currentName();
                JsonToken value = p.nextToken();
                if (value == JsonToken.VALUE_NULL) {
                    continue;
                }
                String path = "generationConfig." + name;
                switch (name) {
                    case "maxOutputTokens" -> out.maxTokens(integer(p, path));
                    case "temperature" -> out.temperature(number(p, path));
                    case "topP" -> out.topP(number(p, path));
                    case "topK" -> out.topK((long) number(p, path));
                    case "presencePenalty" -> out.presencePenalty(number(p, path));
                    case "frequencyPenalty" -> out.frequencyPenalty(number(p, path));
                    case "seed" -> out.seed(integer(p, path));
                    case "stopSequences" -> {
                        List<String> stops = strings(p, path);
                        if (!stops.isEmpty()) {
                            out.stopSequences(stops);
                        }
                    }
                    case "candidateCount" -> {
                        if (integer(p, path) > 1) { // the answer encoders write one candidate
                            throw unsupported(path, "The gateway answers with one candidate per request when the"
                                    + " provider serving this model is not Gemini; candidateCount must be 1.");
                        }
                    }
                    case "responseMimeType" -> mimeType = string(p, path);
                    case "responseSchema" -> schema = openApiSchema(structure(p, generationConfig.offset(),
                            JsonToken.START_OBJECT, path));
                    case "responseJsonSchema", "_responseJsonSchema" ->
                            schema = structure(p, generationConfig.offset(), JsonToken.START_OBJECT, path);
                    case "thinkingConfig" -> readThinkingConfig(p);
                    case "responseModalities" -> {
                        for (String modality : strings(p, path)) {
                            if (!modality.equals("TEXT")) {
                                throw unsupported(path, "The provider serving this model answers with text only;"
                                        + " responseModalities asked for " + modality + ".");
                            }
                        }
                    }
                    default -> p.skipChildren();
                }
            }
        }
        if (mimeType == null || mimeType.equals("text/plain")) {
            return;
        }
        if (!mimeType.equals("application/json")) {
            throw unsupported("generationConfig.responseMimeType", "The provider serving this model supports"
                    + " responseMimeType text/plain and application/json; got '" + mimeType + "'.");
        }
        if (schema == null) {
            out.responseFormat(ResponseFormat.JSON_OBJECT, null, null);
        } else {
            out.responseFormat(ResponseFormat.JSON_SCHEMA, "response", schema);
        }
    }

    private void readThinkingConfig(JsonParser p) throws IOException, Untranslatable {
        expect(p, JsonToken.START_OBJECT, "generationConfig.thinkingConfig");
        long budget = -1;
        String level = null;
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String name = p.currentName();
            JsonToken value = p.nextToken();
            if (name.equals("thinkingBudget") && value == JsonToken.VALUE_NUMBER_INT) {
                budget = p.getLongValue();
            } else if (name.equals("thinkingLevel") && value == JsonToken.VALUE_STRING) {
                level = p.getText().toLowerCase(Locale.ROOT);
            } else {
                p.skipChildren();
            }
        }
        if (budget > 0) {
            out.reasoningEffort(null, budget);
        } else if (level != null && !level.equals("thinking_level_unspecified")) {
            out.reasoningEffort(level, -1);
        }
    }

    /**
     * Google's OpenAPI schema subset as JSON Schema: the same object with each {@code type} (written in capitals,
     * {@code OBJECT}) in lower case. A new array, read like the body's.
     */
    private static ByteSpan openApiSchema(ByteSpan schema) throws IOException {
        ByteArrayOutputStream copy = new ByteArrayOutputStream(schema.length());
        try (JsonParser in = Json.FACTORY.createParser(schema.bytes(), schema.offset(), schema.length());
             JsonGenerator g = Json.FACTORY.createGenerator(copy)) {
            boolean typeNext = false;
            boolean inTypeArray = false;
            JsonToken token;
            while ((token = in.nextToken()) != null) {
                if (token == JsonToken.VALUE_STRING && (typeNext || inTypeArray)) {
                    g.writeString(in.getText().toLowerCase(Locale.ROOT));
                } else {
                    g.copyCurrentEvent(in);
                }
                inTypeArray = token == JsonToken.START_ARRAY ? typeNext : inTypeArray && token != JsonToken.END_ARRAY;
                typeNext = token == JsonToken.FIELD_NAME && in.currentName().equals("type");
            }
        }
        byte[] bytes = copy.toByteArray();
        return new ByteSpan(bytes, 0, bytes.length);
    }

    // The body's bytes.

    private JsonParser parser(ByteSpan span) throws IOException {
        return Json.FACTORY.createParser(span.bytes(), span.offset(), span.length());
    }

    /** The bytes of the array or object the parser is at, which it skips; {@code offset}: where its input starts. */
    private ByteSpan structure(JsonParser p, int offset, JsonToken expected, String path)
            throws IOException, Untranslatable {
        expect(p, expected, path);
        int start = offset + (int) p.currentTokenLocation().getByteOffset();
        p.skipChildren();
        int end = offset + (int) p.currentLocation().getByteOffset();
        return new ByteSpan(bytes, start, end - start);
    }

    /**
     * The still-escaped contents of the string the parser is at (base64 data, never decoded or copied), found by
     * scanning for its closing quote: safe, since the first pass parsed the whole body.
     */
    private ByteSpan stringContents(JsonParser p, int offset) {
        int start = offset + (int) p.currentTokenLocation().getByteOffset() + 1;
        int end = start;
        while (bytes[end] != '"') {
            end += bytes[end] == '\\' ? 2 : 1;
        }
        return new ByteSpan(bytes, start, end - start);
    }

    private void forEachObject(ByteSpan span, String path, ObjectReader reader) throws IOException, Untranslatable {
        try (JsonParser p = parser(span)) {
            p.nextToken();
            for (int i = 0; p.nextToken() != JsonToken.END_ARRAY; i++) {
                String at = path + "[" + i + "]";
                expect(p, JsonToken.START_OBJECT, at);
                reader.read(p, at, span.offset());
            }
        }
    }

    @FunctionalInterface
    private interface ObjectReader {
        /** {@code base}: where the parser's input starts in the body's bytes. */
        void read(JsonParser p, String path, int base) throws IOException, Untranslatable;
    }

    // Values, and Google's wording for what is wrong with them.

    private static void expect(JsonParser p, JsonToken expected, String path) throws Untranslatable {
        if (p.currentToken() != expected) {
            throw invalid(path, "Invalid JSON payload received. " + path + ": expected "
                    + (expected == JsonToken.START_ARRAY ? "a list" : "an object") + ".");
        }
    }

    private static String string(JsonParser p, String path) throws IOException, Untranslatable {
        if (p.currentToken() != JsonToken.VALUE_STRING) {
            throw invalid(path, "Invalid JSON payload received. " + path + ": expected a string.");
        }
        return p.getText();
    }

    private static double number(JsonParser p, String path) throws IOException, Untranslatable {
        if (!p.currentToken().isNumeric()) {
            throw invalid(path, "Invalid JSON payload received. " + path + ": expected a number.");
        }
        return p.getDoubleValue();
    }

    private static long integer(JsonParser p, String path) throws IOException, Untranslatable {
        if (p.currentToken() != JsonToken.VALUE_NUMBER_INT || p.getLongValue() < 0) {
            throw invalid(path, "Invalid JSON payload received. " + path + ": expected a non-negative integer.");
        }
        return p.getLongValue();
    }

    private static List<String> strings(JsonParser p, String path) throws IOException, Untranslatable {
        expect(p, JsonToken.START_ARRAY, path);
        List<String> values = new ArrayList<>();
        while (p.nextToken() != JsonToken.END_ARRAY) {
            values.add(string(p, path + "[" + values.size() + "]"));
        }
        return values;
    }

    private static Untranslatable invalid(String param, String message) {
        return new Untranslatable("invalid_value", param, message);
    }

    private static Untranslatable unsupported(String param, String message) {
        return new Untranslatable("unsupported_value", param, message);
    }
}
