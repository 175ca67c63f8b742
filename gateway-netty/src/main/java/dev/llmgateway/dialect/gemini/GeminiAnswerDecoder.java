package dev.llmgateway.dialect.gemini;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import dev.llmgateway.dialect.AnswerDecoder;
import dev.llmgateway.dialect.AnswerEvents;
import dev.llmgateway.dialect.FinishReason;
import dev.llmgateway.dialect.ToolCallIds;
import dev.llmgateway.json.Json;
import dev.llmgateway.json.JsonInput;
import io.netty.buffer.ByteBuf;

import java.io.IOException;
import java.io.Writer;
import java.util.Arrays;

/**
 * Reads a Gemini answer: {@code streamGenerateContent?alt=sse} chunks and the {@code generateContent} body, which
 * have the same shape ({@code GenerateContentResponse}), so one reader serves both.
 * <ul>
 * <li>Only {@code candidates[0]} is read: the gateway never asks for more than one candidate.</li>
 * <li>A part's {@code text} is held in a reused char buffer until the part ends, because Gemini writes
 * {@code "thought":true} after the text it qualifies; likewise a {@code functionCall}'s arguments (re-serialized
 * as compact JSON) wait for the part's {@code thoughtSignature}, which follows the call. Each function call is
 * one {@code toolCallStart} and one {@code toolCallArguments} with a synthesized id: Gemini has no ids.</li>
 * <li>A {@code thoughtSignature} on a text or thought part is a {@code reasoningSignature}; an empty text part
 * that carries only a signature gives the signature alone.</li>
 * <li>{@code usageMetadata} is cumulative in every chunk: each count keeps its latest value, never a sum, and
 * usage is reported once, right after the finish (again only if a later chunk changes it). proto3 JSON leaves
 * zero counts out, so a missing count is 0.</li>
 * <li>Finish: STOP (and the reasons that are no error of the content: MALFORMED_FUNCTION_CALL, OTHER, LANGUAGE,
 * FINISH_REASON_UNSPECIFIED, unknown ones) is {@code STOP}, or {@code TOOL_CALLS} once any function call was in
 * the answer (Gemini has no tool-call reason); MAX_TOKENS is {@code LENGTH}; the safety reasons, and a prompt
 * blocked with {@code promptFeedback.blockReason} and no candidates, are {@code CONTENT_FILTER}.</li>
 * <li>Streams have no end marker: the stream is complete when a finish reason was seen.</li>
 * <li>A chunk {@code {"error":{...}}} is an error; nothing is read after it.</li>
 * </ul>
 * Ownership: the bytes passed in stay the caller's; nothing is retained. Confined to the exchange's thread.
 */
public final class GeminiAnswerDecoder implements AnswerDecoder {
    private static final char[] NO_ARGUMENTS = {'{', '}'};

    private final AnswerEvents events;
    private final JsonInput input = new JsonInput();

    private boolean started;
    private boolean finished;
    private boolean failed;
    private int toolCalls;

    // Latest cumulative counts; usageSeen once any count came.
    private boolean usageSeen;
    private long promptTokens;
    private long toolUsePromptTokens;
    private long cachedTokens;
    private long candidatesTokens;
    private long thoughtsTokens;

    // The chunk being read.
    private String chunkFinishReason;
    private boolean chunkBlocked;
    private boolean chunkUsage;

    // The part being read.
    private char[] partText = new char[256];
    private int partTextLength;
    private boolean partThought;
    private String partSignature;
    private boolean partCall;
    private String callName;
    private boolean callHasArguments;
    private ArgumentsWriter arguments;

    public GeminiAnswerDecoder(AnswerEvents events) {
        this.events = events;
    }

    @Override
    public void streamData(ByteBuf data, int index, int length) throws IOException {
        read(data, index, length);
    }

    /** Gemini streams have no {@code [DONE]}; one would mean nothing. */
    @Override
    public void streamDone() {
    }

    @Override
    public boolean streamEnded() {
        if (failed) {
            return true;
        }
        if (!finished) {
            return false;
        }
        events.end();
        return true;
    }

    /** A whole body is the whole answer: without a finish reason it ended as the model stopped. */
    @Override
    public void body(ByteBuf data, int index, int length) throws IOException {
        read(data, index, length);
        if (failed) {
            return;
        }
        if (!finished) {
            finish(FinishReason.STOP);
        }
        events.end();
    }

    private void read(ByteBuf data, int index, int length) throws IOException {
        if (failed) {
            return;
        }
        // The id comes last in Gemini's chunks, but start must precede the parts: look for it first, once.
        String id = started ? null : responseId(data, index, length);
        chunkFinishReason = null;
        chunkBlocked = false;
        chunkUsage = false;
        try (JsonParser parser = input.parser(data, index, length)) {
            if (parser.nextToken() != JsonToken.START_OBJECT) {
                throw new JsonParseException(parser, "expected a GenerateContentResponse object");
            }
            while (parser.nextToken() == JsonToken.FIELD_NAME) {
                String field = parser.currentName();
                JsonToken value = parser.nextToken();
                if (value == JsonToken.START_OBJECT && field.equals("error")) {
                    failed = true;
                    events.error(GeminiErrors.error(parser, 0, -1));
                    return;
                } else if (value == JsonToken.START_ARRAY && field.equals("candidates") && !finished) {
                    start(id);
                    candidates(parser);
                } else if (value == JsonToken.START_OBJECT && field.equals("usageMetadata")) {
                    usageMetadata(parser);
                } else if (value == JsonToken.START_OBJECT && field.equals("promptFeedback")) {
                    promptFeedback(parser);
                } else {
                    parser.skipChildren();
                }
            }
            Json.finishDocument(parser);
        }
        start(id);
        if (!finished && chunkFinishReason != null) {
            finish(finishReason(chunkFinishReason));
        } else if (!finished && chunkBlocked) {
            finish(FinishReason.CONTENT_FILTER);
        } else if (finished && chunkUsage) {
            reportUsage();
        }
    }

    private String responseId(ByteBuf data, int index, int length) throws IOException {
        try (JsonParser parser = input.parser(data, index, length)) {
            if (parser.nextToken() != JsonToken.START_OBJECT) {
                return null;
            }
            while (parser.nextToken() == JsonToken.FIELD_NAME) {
                if (parser.nextToken() == JsonToken.VALUE_STRING && parser.currentName().equals("responseId")) {
                    return parser.getText();
                }
                parser.skipChildren();
            }
            return null;
        }
    }

    private void start(String id) {
        if (!started) {
            started = true;
            events.start(id);
        }
    }

    private void finish(FinishReason reason) {
        finished = true;
        events.finish(reason == FinishReason.STOP && toolCalls > 0 ? FinishReason.TOOL_CALLS : reason, null);
        reportUsage();
    }

    private void reportUsage() {
        if (usageSeen) {
            events.usage(promptTokens + toolUsePromptTokens, cachedTokens, 0, -1,
                    candidatesTokens + thoughtsTokens, thoughtsTokens);
        }
    }

    static FinishReason finishReason(String reason) {
        return switch (reason) {
            case "MAX_TOKENS" -> FinishReason.LENGTH;
            case "SAFETY", "RECITATION", "BLOCKLIST", "PROHIBITED_CONTENT", "SPII", "IMAGE_SAFETY",
                    "IMAGE_PROHIBITED_CONTENT", "IMAGE_RECITATION" -> FinishReason.CONTENT_FILTER;
            default -> FinishReason.STOP;
        };
    }

    /** At the candidates array's START_ARRAY. */
    private void candidates(JsonParser parser) throws IOException {
        boolean first = true;
        while (parser.nextToken() != JsonToken.END_ARRAY) {
            if (first && parser.currentToken() == JsonToken.START_OBJECT) {
                candidate(parser);
            } else {
                parser.skipChildren();
            }
            first = false;
        }
    }

    private void candidate(JsonParser parser) throws IOException {
        while (parser.nextToken() == JsonToken.FIELD_NAME) {
            String field = parser.currentName();
            JsonToken value = parser.nextToken();
            if (value == JsonToken.START_OBJECT && field.equals("content")) {
                content(parser);
            } else if (value == JsonToken.VALUE_STRING && field.equals("finishReason")) {
                chunkFinishReason = parser.getText();
            } else {
                parser.skipChildren();
            }
        }
    }

    private void content(JsonParser parser) throws IOException {
        while (parser.nextToken() == JsonToken.FIELD_NAME) {
            if (parser.nextToken() == JsonToken.START_ARRAY && parser.currentName().equals("parts")) {
                while (parser.nextToken() != JsonToken.END_ARRAY) {
                    if (parser.currentToken() == JsonToken.START_OBJECT) {
                        part(parser);
                    } else {
                        parser.skipChildren();
                    }
                }
            } else {
                parser.skipChildren();
            }
        }
    }

    /** One part; other kinds than text, thought and functionCall (inlineData, executableCode...) are skipped. */
    private void part(JsonParser parser) throws IOException {
        partTextLength = 0;
        partThought = false;
        partSignature = null;
        partCall = false;
        while (parser.nextToken() == JsonToken.FIELD_NAME) {
            String field = parser.currentName();
            JsonToken value = parser.nextToken();
            if (value == JsonToken.VALUE_STRING && field.equals("text")) {
                holdText(parser);
            } else if (field.equals("thought")) {
                partThought = value == JsonToken.VALUE_TRUE;
                parser.skipChildren();
            } else if (value == JsonToken.VALUE_STRING && field.equals("thoughtSignature")) {
                partSignature = parser.getText();
            } else if (value == JsonToken.START_OBJECT && field.equals("functionCall")) {
                functionCall(parser);
            } else {
                parser.skipChildren();
            }
        }
        if (partCall) {
            int index = toolCalls++;
            events.toolCallStart(index, ToolCallIds.synthesize(), callName, partSignature);
            if (callHasArguments) {
                events.toolCallArguments(index, arguments.chars(), 0, arguments.size());
            } else {
                events.toolCallArguments(index, NO_ARGUMENTS, 0, NO_ARGUMENTS.length);
            }
            return;
        }
        if (partTextLength > 0) {
            if (partThought) {
                events.reasoning(partText, 0, partTextLength);
            } else {
                events.text(partText, 0, partTextLength);
            }
        }
        if (partSignature != null && !partSignature.isEmpty()) {
            events.reasoningSignature(partSignature);
        }
    }

    private void holdText(JsonParser parser) throws IOException {
        int length = parser.getTextLength();
        if (partText.length < length) {
            partText = Arrays.copyOf(partText, Math.max(length, partText.length * 2));
        }
        System.arraycopy(parser.getTextCharacters(), parser.getTextOffset(), partText, 0, length);
        partTextLength = length;
    }

    private void functionCall(JsonParser parser) throws IOException {
        partCall = true;
        callName = "";
        callHasArguments = false;
        while (parser.nextToken() == JsonToken.FIELD_NAME) {
            String field = parser.currentName();
            JsonToken value = parser.nextToken();
            if (value == JsonToken.VALUE_STRING && field.equals("name")) {
                callName = parser.getText();
            } else if (value == JsonToken.START_OBJECT && field.equals("args")) {
                if (arguments == null) {
                    arguments = new ArgumentsWriter();
                }
                arguments.copy(parser);
                callHasArguments = true;
            } else {
                parser.skipChildren();
            }
        }
    }

    private void usageMetadata(JsonParser parser) throws IOException {
        while (parser.nextToken() == JsonToken.FIELD_NAME) {
            String field = parser.currentName();
            if (parser.nextToken() != JsonToken.VALUE_NUMBER_INT) {
                parser.skipChildren();
                continue;
            }
            long count = parser.getLongValue();
            switch (field) {
                case "promptTokenCount" -> promptTokens = count;
                case "toolUsePromptTokenCount" -> toolUsePromptTokens = count;
                case "cachedContentTokenCount" -> cachedTokens = count;
                case "candidatesTokenCount" -> candidatesTokens = count;
                case "thoughtsTokenCount" -> thoughtsTokens = count;
                default -> {
                    continue;
                }
            }
            usageSeen = true;
            chunkUsage = true;
        }
    }

    private void promptFeedback(JsonParser parser) throws IOException {
        while (parser.nextToken() == JsonToken.FIELD_NAME) {
            if (parser.nextToken() == JsonToken.VALUE_STRING && parser.currentName().equals("blockReason")) {
                chunkBlocked |= !parser.getText().equals("BLOCK_REASON_UNSPECIFIED");
            } else {
                parser.skipChildren();
            }
        }
    }

    /**
     * A function call's args object as compact JSON text, in a char buffer reused for every call of the answer
     * (a Writer of its own: the JDK's CharArrayWriter synchronizes every write).
     */
    private static final class ArgumentsWriter extends Writer {
        private final JsonGenerator generator;
        private char[] chars = new char[128];
        private int size;

        ArgumentsWriter() throws IOException {
            generator = Json.FACTORY.createGenerator(this);
            // One object per call, each read out before the next: no separator between them.
            generator.setRootValueSeparator(null);
        }

        /** Copies the object the parser is at (its START_OBJECT). */
        void copy(JsonParser parser) throws IOException {
            size = 0;
            generator.copyCurrentStructure(parser);
            generator.flush();
        }

        char[] chars() {
            return chars;
        }

        int size() {
            return size;
        }

        @Override
        public void write(char[] source, int offset, int length) {
            room(length);
            System.arraycopy(source, offset, chars, size, length);
            size += length;
        }

        @Override
        public void write(String source, int offset, int length) {
            room(length);
            source.getChars(offset, offset + length, chars, size);
            size += length;
        }

        @Override
        public void write(int c) {
            room(1);
            chars[size++] = (char) c;
        }

        private void room(int more) {
            if (size + more > chars.length) {
                chars = Arrays.copyOf(chars, Math.max(size + more, chars.length * 2));
            }
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    }
}
