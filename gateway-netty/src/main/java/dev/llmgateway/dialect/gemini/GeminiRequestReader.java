package dev.llmgateway.dialect.gemini;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import dev.llmgateway.dialect.RequestBodyBytes;
import dev.llmgateway.dialect.RequestEvents;
import dev.llmgateway.dialect.Untranslatable;
import dev.llmgateway.json.ByteSpan;
import io.netty.buffer.ByteBuf;

import java.io.IOException;

import static dev.llmgateway.dialect.gemini.GeminiRequestValues.expect;
import static dev.llmgateway.dialect.gemini.GeminiRequestValues.invalid;
import static dev.llmgateway.dialect.gemini.GeminiRequestValues.unsupported;

/**
 * Reads a Gemini {@code generateContent} request (the body of {@code :generateContent} and
 * {@code :streamGenerateContent}; the model is in the path) as {@link RequestEvents}, for a provider of another API.
 * A first pass over the top-level object notes where {@code systemInstruction}, {@code generationConfig},
 * {@code contents}, {@code tools} and {@code toolConfig} are; each is then read from its bytes in the order the
 * events require, by its own reader ({@link GeminiContents}, {@link GeminiTools}, {@link GeminiGenerationConfig};
 * values with Google's wording for what is wrong with them in {@link GeminiRequestValues}).
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
    private final RequestBodyBytes body;
    private final RequestEvents out;

    private ByteSpan systemInstruction;
    private ByteSpan contents;
    private ByteSpan tools;
    private ByteSpan toolConfig;
    private ByteSpan generationConfig;

    private GeminiRequestReader(byte[] bytes, RequestEvents out) {
        this.body = new RequestBodyBytes(bytes, GeminiRequestValues.WORDING);
        this.out = out;
    }

    /** @param stream the client called {@code :streamGenerateContent} */
    public static void read(ByteBuf body, boolean stream, RequestEvents out) throws Untranslatable {
        ByteSpan span = ByteSpan.readable(body);
        GeminiRequestReader reader = new GeminiRequestReader(span.bytes(), out);
        try {
            reader.readTopLevel(span);
            reader.emit(stream);
        } catch (JsonProcessingException e) {
            throw invalid(null, "Invalid JSON payload received. " + e.getOriginalMessage());
        } catch (IOException e) {
            throw invalid(null, "The request body could not be read: " + e.getMessage());
        }
    }

    private void readTopLevel(ByteSpan whole) throws IOException, Untranslatable {
        int offset = whole.offset();
        try (JsonParser p = body.parser(whole)) {
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
                            systemInstruction = body.structure(p, offset, JsonToken.START_OBJECT, name);
                    case "contents" -> contents = body.structure(p, offset, JsonToken.START_ARRAY, name);
                    case "tools" -> tools = body.structure(p, offset, JsonToken.START_ARRAY, name);
                    case "toolConfig", "tool_config" ->
                            toolConfig = body.structure(p, offset, JsonToken.START_OBJECT, name);
                    case "generationConfig", "generation_config" ->
                            generationConfig = body.structure(p, offset, JsonToken.START_OBJECT, name);
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
        body.forEachObject(contents, "contents", new GeminiContents(body, out)::readContent);
        GeminiTools toolReader = new GeminiTools(body, out);
        if (tools != null) {
            body.forEachObject(tools, "tools", toolReader::readTool);
        }
        if (toolConfig != null) {
            toolReader.readToolConfig(toolConfig);
        }
        if (generationConfig != null) {
            new GeminiGenerationConfig(body, out).read(generationConfig);
        }
        if (stream) {
            out.stream(true); // Gemini's stream always reports usage
        }
        out.end();
    }

    private void readSystemInstruction() throws IOException, Untranslatable {
        try (JsonParser p = body.parser(systemInstruction)) {
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
}
