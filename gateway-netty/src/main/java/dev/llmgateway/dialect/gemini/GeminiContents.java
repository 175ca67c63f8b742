package dev.llmgateway.dialect.gemini;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import dev.llmgateway.dialect.RequestBodyBytes;
import dev.llmgateway.dialect.RequestEvents;
import dev.llmgateway.dialect.Role;
import dev.llmgateway.dialect.Untranslatable;
import dev.llmgateway.json.ByteSpan;
import dev.llmgateway.json.Json;

import java.io.IOException;
import java.io.StringWriter;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import static dev.llmgateway.dialect.gemini.GeminiRequestValues.expect;
import static dev.llmgateway.dialect.gemini.GeminiRequestValues.invalid;
import static dev.llmgateway.dialect.gemini.GeminiRequestValues.string;
import static dev.llmgateway.dialect.gemini.GeminiRequestValues.unsupported;

/**
 * A Gemini request's {@code contents}: each content a message of its role, each part text, reasoning, an image, a
 * function call or a function response. Gemini's calls may have no ids: a call without one gets {@code call_<n>}
 * by its place in the conversation, a response without one takes the id of the oldest call of its name still
 * unanswered, so one reader reads one request's contents in order.
 */
final class GeminiContents {
    private final RequestBodyBytes body;
    private final RequestEvents out;
    private final Map<String, ArrayDeque<String>> unanswered = new HashMap<>();
    private int calls;

    GeminiContents(RequestBodyBytes body, RequestEvents out) {
        this.body = body;
        this.out = out;
    }

    void readContent(JsonParser p, String path, int base) throws IOException, Untranslatable {
        String role = null;
        ByteSpan parts = null;
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String name = p.currentName();
            JsonToken value = p.nextToken();
            if (name.equals("role") && value == JsonToken.VALUE_STRING) {
                role = p.getText();
            } else if (name.equals("parts") && value != JsonToken.VALUE_NULL) {
                parts = body.structure(p, base, JsonToken.START_ARRAY, path + ".parts");
            } else {
                p.skipChildren();
            }
        }
        out.startMessage(role(role, path));
        if (parts != null) {
            String where = path + ".parts";
            body.forEachObject(parts, where, this::readPart);
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
                case "data" -> base64 = body.stringContents(p, base);
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
                args = body.structure(p, base, JsonToken.START_OBJECT, path + ".args");
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
}
