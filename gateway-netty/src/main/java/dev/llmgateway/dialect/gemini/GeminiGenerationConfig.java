package dev.llmgateway.dialect.gemini;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import dev.llmgateway.dialect.RequestBodyBytes;
import dev.llmgateway.dialect.RequestEvents;
import dev.llmgateway.dialect.ResponseFormat;
import dev.llmgateway.dialect.Untranslatable;
import dev.llmgateway.json.ByteSpan;

import java.io.IOException;
import java.util.List;
import java.util.Locale;

import static dev.llmgateway.dialect.gemini.GeminiRequestValues.expect;
import static dev.llmgateway.dialect.gemini.GeminiRequestValues.integer;
import static dev.llmgateway.dialect.gemini.GeminiRequestValues.number;
import static dev.llmgateway.dialect.gemini.GeminiRequestValues.openApiSchema;
import static dev.llmgateway.dialect.gemini.GeminiRequestValues.string;
import static dev.llmgateway.dialect.gemini.GeminiRequestValues.strings;
import static dev.llmgateway.dialect.gemini.GeminiRequestValues.unsupported;

/**
 * A Gemini request's {@code generationConfig}: sampling, limits, stop sequences, the response's format and schema,
 * thinking; output other than one text candidate is refused.
 */
final class GeminiGenerationConfig {
    private final RequestBodyBytes body;
    private final RequestEvents out;

    GeminiGenerationConfig(RequestBodyBytes body, RequestEvents out) {
        this.body = body;
        this.out = out;
    }

    void read(ByteSpan generationConfig) throws IOException, Untranslatable {
        String mimeType = null;
        ByteSpan schema = null;
        try (JsonParser p = body.parser(generationConfig)) {
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
                    case "responseSchema" -> schema = openApiSchema(body.structure(p, generationConfig.offset(),
                            JsonToken.START_OBJECT, path));
                    case "responseJsonSchema", "_responseJsonSchema" ->
                            schema = body.structure(p, generationConfig.offset(), JsonToken.START_OBJECT, path);
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
}
