package dev.llmgateway.dialect.gemini;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import dev.llmgateway.dialect.RequestBodyBytes;
import dev.llmgateway.dialect.RequestEvents;
import dev.llmgateway.dialect.ToolChoice;
import dev.llmgateway.dialect.Untranslatable;
import dev.llmgateway.json.ByteSpan;

import java.io.IOException;
import java.util.List;

import static dev.llmgateway.dialect.gemini.GeminiRequestValues.expect;
import static dev.llmgateway.dialect.gemini.GeminiRequestValues.invalid;
import static dev.llmgateway.dialect.gemini.GeminiRequestValues.openApiSchema;
import static dev.llmgateway.dialect.gemini.GeminiRequestValues.string;
import static dev.llmgateway.dialect.gemini.GeminiRequestValues.strings;
import static dev.llmgateway.dialect.gemini.GeminiRequestValues.unsupported;

/** A Gemini request's {@code tools} (function declarations only) and {@code toolConfig} (the calling mode). */
final class GeminiTools {
    private final RequestBodyBytes body;
    private final RequestEvents out;

    GeminiTools(RequestBodyBytes body, RequestEvents out) {
        this.body = body;
        this.out = out;
    }

    void readTool(JsonParser p, String path, int base) throws IOException, Untranslatable {
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
                case "parameters" -> schema = openApiSchema(body.structure(p, base, JsonToken.START_OBJECT,
                        path + ".parameters"));
                case "parametersJsonSchema", "parameters_json_schema" ->
                        schema = body.structure(p, base, JsonToken.START_OBJECT, path + ".parametersJsonSchema");
                default -> p.skipChildren();
            }
        }
        if (name == null) {
            throw invalid(path + ".name", path + ".name is required.");
        }
        out.tool(name, description, schema);
    }

    void readToolConfig(ByteSpan toolConfig) throws IOException, Untranslatable {
        String mode = null;
        List<String> allowed = List.of();
        try (JsonParser p = body.parser(toolConfig)) {
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
}
