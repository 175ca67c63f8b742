package dev.llmgateway.dialect.anthropic;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import dev.llmgateway.dialect.AnswerDecoder;
import dev.llmgateway.dialect.AnswerEvents;
import dev.llmgateway.dialect.FinishReason;
import dev.llmgateway.dialect.UsageCounts;
import dev.llmgateway.json.Json;
import dev.llmgateway.json.JsonInput;
import io.netty.buffer.ByteBuf;

import java.io.CharArrayWriter;
import java.io.IOException;
import java.util.Arrays;

/**
 * Reads an Anthropic Messages answer: the stream's events ({@code message_start}, {@code content_block_*},
 * {@code message_delta}, {@code message_stop}, {@code ping}, {@code error}) one by one, or a whole message body.
 * Content blocks are numbered by Anthropic across kinds; tool calls are renumbered 0, 1, ... among themselves.
 * Text, thinking and argument fragments go out as the parser's characters, without a String each. Usage comes in
 * two parts (input counts in {@code message_start}, the final output count in {@code message_delta}) and is
 * reported whole each time, input counting the cache reads and writes Anthropic keeps apart. With
 * {@code jsonTool}, a call of {@link AnthropicRequestWriter#JSON_TOOL} is the structured answer the client asked
 * for and becomes text. Server-side tool blocks (web search and the like) have no counterpart and are skipped.
 */
public final class AnthropicAnswerDecoder implements AnswerDecoder {
    private static final byte IGNORED = 0;
    private static final byte TEXT = 1;
    private static final byte TOOL = 2;
    private static final byte JSON_TEXT = 3;
    private static final byte THINKING = 4;

    private final AnswerEvents events;
    private final boolean jsonTool;
    private final JsonInput input = new JsonInput();
    /** What each content block index holds, and for tools their call number. */
    private byte[] blockKinds = new byte[8];
    private int[] blockCalls = new int[8];
    private int toolCalls;
    private long inputTokens = -1;
    private long cacheWrite = -1;
    private long cacheRead = -1;
    private long cacheWrite1h = -1;
    private long outputTokens = -1;
    private boolean ended;

    public AnthropicAnswerDecoder(AnswerEvents events, boolean jsonTool) {
        this.events = events;
        this.jsonTool = jsonTool;
    }

    @Override
    public void streamData(ByteBuf data, int index, int length) throws IOException {
        if (ended) {
            return;
        }
        try (JsonParser parser = input.parser(data, index, length)) {
            String type = leadingType(parser);
            if (type == null) {
                // "type" is not the first member (Anthropic always sends it first): find it, then read again.
                type = findType(input.parser(data, index, length));
                parser.close();
                try (JsonParser again = input.parser(data, index, length)) {
                    again.nextToken();
                    event(type, again);
                    Json.finishDocument(again);
                }
                return;
            }
            event(type, parser);
            Json.finishDocument(parser);
        }
    }

    @Override
    public void streamDone() {
        // not part of Anthropic's stream
    }

    @Override
    public boolean streamEnded() {
        return ended;
    }

    @Override
    public void body(ByteBuf data, int index, int length) throws IOException {
        String id = null;
        String stopReason = null;
        String stopSequence = null;
        try (JsonParser parser = input.parser(data, index, length)) {
            expect(parser.nextToken(), JsonToken.START_OBJECT);
            while (parser.nextToken() == JsonToken.FIELD_NAME) {
                String name = parser.currentName();
                JsonToken value = parser.nextToken();
                switch (name) {
                    case "id" -> id = textOrNull(parser, value);
                    case "stop_reason" -> stopReason = textOrNull(parser, value);
                    case "stop_sequence" -> stopSequence = textOrNull(parser, value);
                    case "usage" -> readUsage(parser, value);
                    default -> parser.skipChildren();
                }
            }
            Json.finishDocument(parser);
        }
        events.start(id);
        try (JsonParser parser = input.parser(data, index, length)) {
            parser.nextToken();
            while (parser.nextToken() == JsonToken.FIELD_NAME) {
                String name = parser.currentName();
                if (parser.nextToken() == JsonToken.START_ARRAY && name.equals("content")) {
                    while (parser.nextToken() == JsonToken.START_OBJECT) {
                        bodyBlock(parser);
                    }
                } else {
                    parser.skipChildren();
                }
            }
        }
        finish(stopReason, stopSequence);
        reportUsage();
        events.end();
        ended = true;
    }

    private void event(String type, JsonParser parser) throws IOException {
        switch (type) {
            case "message_start" -> messageStart(parser);
            case "content_block_start" -> blockStart(parser);
            case "content_block_delta" -> blockDelta(parser);
            case "message_delta" -> messageDelta(parser);
            case "message_stop" -> {
                Json.finishDocument(parser); // before the end goes out: a garbled stop is no clean end
                events.end();
                ended = true;
            }
            case "error" -> error(parser);
            default -> {
                // ping, content_block_stop and event types added later carry nothing to translate
            }
        }
    }

    private void messageStart(JsonParser parser) throws IOException {
        String id = null;
        while (parser.nextToken() == JsonToken.FIELD_NAME) {
            String name = parser.currentName();
            JsonToken value = parser.nextToken();
            if (name.equals("message") && value == JsonToken.START_OBJECT) {
                while (parser.nextToken() == JsonToken.FIELD_NAME) {
                    String member = parser.currentName();
                    JsonToken memberValue = parser.nextToken();
                    if (member.equals("id")) {
                        id = textOrNull(parser, memberValue);
                    } else if (member.equals("usage")) {
                        readUsage(parser, memberValue);
                    } else {
                        parser.skipChildren();
                    }
                }
            } else {
                parser.skipChildren();
            }
        }
        events.start(id);
        reportUsage();
    }

    private void blockStart(JsonParser parser) throws IOException {
        int index = -1;
        String kind = null;
        String id = null;
        String toolName = null;
        String text = null;
        String data = null;
        while (parser.nextToken() == JsonToken.FIELD_NAME) {
            String name = parser.currentName();
            JsonToken value = parser.nextToken();
            if (name.equals("index")) {
                index = parser.getIntValue();
            } else if (name.equals("content_block") && value == JsonToken.START_OBJECT) {
                while (parser.nextToken() == JsonToken.FIELD_NAME) {
                    String member = parser.currentName();
                    JsonToken memberValue = parser.nextToken();
                    switch (member) {
                        case "type" -> kind = textOrNull(parser, memberValue);
                        case "id" -> id = textOrNull(parser, memberValue);
                        case "name" -> toolName = textOrNull(parser, memberValue);
                        case "text", "thinking" -> text = textOrNull(parser, memberValue);
                        case "data" -> data = textOrNull(parser, memberValue);
                        default -> parser.skipChildren();
                    }
                }
            } else {
                parser.skipChildren();
            }
        }
        if (index < 0 || kind == null) {
            throw new IOException("content_block_start without index or type");
        }
        startBlock(index, kind, id, toolName, text, data);
    }

    /** Records what a block holds and emits its opening: shared by stream block starts and body blocks. */
    private void startBlock(int index, String kind, String id, String toolName, String text, String data) {
        byte blockKind = switch (kind) {
            case "text" -> TEXT;
            case "thinking" -> THINKING;
            case "tool_use" -> jsonTool && AnthropicRequestWriter.JSON_TOOL.equals(toolName) ? JSON_TEXT : TOOL;
            default -> IGNORED;
        };
        ensureBlock(index);
        blockKinds[index] = blockKind;
        if (blockKind == TOOL) {
            blockCalls[index] = toolCalls++;
            events.toolCallStart(blockCalls[index], id, toolName, null);
        } else if (kind.equals("redacted_thinking") && data != null) {
            events.redactedReasoning(data);
        } else if (text != null && !text.isEmpty()) {
            char[] chars = text.toCharArray();
            if (blockKind == TEXT) {
                events.text(chars, 0, chars.length);
            } else if (blockKind == THINKING) {
                events.reasoning(chars, 0, chars.length);
            }
        }
    }

    private void blockDelta(JsonParser parser) throws IOException {
        int index = -1;
        while (parser.nextToken() == JsonToken.FIELD_NAME) {
            String name = parser.currentName();
            JsonToken value = parser.nextToken();
            if (name.equals("index")) {
                index = parser.getIntValue();
            } else if (name.equals("delta") && value == JsonToken.START_OBJECT) {
                if (index < 0) {
                    throw new IOException("content_block_delta without its index first");
                }
                delta(parser, index);
            } else {
                parser.skipChildren();
            }
        }
    }

    private void delta(JsonParser parser, int index) throws IOException {
        byte kind = index < blockKinds.length ? blockKinds[index] : IGNORED;
        while (parser.nextToken() == JsonToken.FIELD_NAME) {
            String name = parser.currentName();
            JsonToken value = parser.nextToken();
            if (value != JsonToken.VALUE_STRING) {
                parser.skipChildren();
                continue;
            }
            int length = parser.getTextLength();
            switch (name) {
                case "text" -> {
                    if (kind == TEXT && length > 0) {
                        events.text(parser.getTextCharacters(), parser.getTextOffset(), length);
                    }
                }
                case "partial_json" -> {
                    if (kind == TOOL && length > 0) {
                        events.toolCallArguments(blockCalls[index], parser.getTextCharacters(),
                                parser.getTextOffset(), length);
                    } else if (kind == JSON_TEXT && length > 0) {
                        events.text(parser.getTextCharacters(), parser.getTextOffset(), length);
                    }
                }
                case "thinking" -> {
                    if (kind == THINKING && length > 0) {
                        events.reasoning(parser.getTextCharacters(), parser.getTextOffset(), length);
                    }
                }
                case "signature" -> {
                    if (kind == THINKING) {
                        events.reasoningSignature(parser.getText());
                    }
                }
                default -> {
                    // "type" and delta kinds without a counterpart (citations)
                }
            }
        }
    }

    private void messageDelta(JsonParser parser) throws IOException {
        String stopReason = null;
        String stopSequence = null;
        while (parser.nextToken() == JsonToken.FIELD_NAME) {
            String name = parser.currentName();
            JsonToken value = parser.nextToken();
            if (name.equals("delta") && value == JsonToken.START_OBJECT) {
                while (parser.nextToken() == JsonToken.FIELD_NAME) {
                    String member = parser.currentName();
                    JsonToken memberValue = parser.nextToken();
                    if (member.equals("stop_reason")) {
                        stopReason = textOrNull(parser, memberValue);
                    } else if (member.equals("stop_sequence")) {
                        stopSequence = textOrNull(parser, memberValue);
                    } else {
                        parser.skipChildren();
                    }
                }
            } else if (name.equals("usage")) {
                readUsage(parser, value);
            } else {
                parser.skipChildren();
            }
        }
        finish(stopReason, stopSequence);
        reportUsage();
    }

    private void error(JsonParser parser) throws IOException {
        while (parser.nextToken() == JsonToken.FIELD_NAME) {
            String name = parser.currentName();
            if (parser.nextToken() == JsonToken.START_OBJECT && name.equals("error")) {
                events.error(AnthropicErrors.readStreamError(parser));
                ended = true;
                return;
            }
            parser.skipChildren();
        }
        throw new IOException("error event without an error object");
    }

    private void finish(String stopReason, String stopSequence) {
        FinishReason reason = switch (stopReason == null ? "end_turn" : stopReason) {
            case "max_tokens", "model_context_window_exceeded" -> FinishReason.LENGTH;
            case "tool_use" -> FinishReason.TOOL_CALLS;
            case "refusal" -> FinishReason.CONTENT_FILTER;
            default -> FinishReason.STOP; // end_turn, stop_sequence, pause_turn
        };
        if (toolCalls > 0) {
            reason = FinishReason.TOOL_CALLS;
        } else if (reason == FinishReason.TOOL_CALLS) {
            reason = FinishReason.STOP; // the only tool called was the structured-output one: the answer is text
        }
        events.finish(reason, stopSequence);
    }

    private void bodyBlock(JsonParser parser) throws IOException {
        String kind = null;
        String id = null;
        String toolName = null;
        String text = null;
        String signature = null;
        String data = null;
        char[] arguments = null;
        while (parser.nextToken() == JsonToken.FIELD_NAME) {
            String name = parser.currentName();
            JsonToken value = parser.nextToken();
            switch (name) {
                case "type" -> kind = textOrNull(parser, value);
                case "id" -> id = textOrNull(parser, value);
                case "name" -> toolName = textOrNull(parser, value);
                case "text", "thinking" -> text = textOrNull(parser, value);
                case "signature" -> signature = textOrNull(parser, value);
                case "data" -> data = textOrNull(parser, value);
                case "input" -> arguments = compactJson(parser);
                default -> parser.skipChildren();
            }
        }
        if (kind == null) {
            return;
        }
        int index = 0; // a body's blocks come whole, one after another: one slot serves them all
        startBlock(index, kind, id, toolName, text, data);
        if (arguments != null && blockKinds[index] == TOOL) {
            events.toolCallArguments(blockCalls[index], arguments, 0, arguments.length);
        } else if (arguments != null && blockKinds[index] == JSON_TEXT) {
            events.text(arguments, 0, arguments.length);
        }
        if (blockKinds[index] == THINKING && signature != null && !signature.isEmpty()) {
            events.reasoningSignature(signature);
        }
    }

    private void readUsage(JsonParser parser, JsonToken value) throws IOException {
        if (value != JsonToken.START_OBJECT) {
            parser.skipChildren();
            return;
        }
        while (parser.nextToken() == JsonToken.FIELD_NAME) {
            String name = parser.currentName();
            JsonToken member = parser.nextToken();
            if (member == JsonToken.START_OBJECT && name.equals("cache_creation")) {
                cacheWrite1h = UsageCounts.member(parser, "ephemeral_1h_input_tokens");
                continue;
            }
            if (member != JsonToken.VALUE_NUMBER_INT) {
                parser.skipChildren();
                continue;
            }
            long count = parser.getLongValue();
            switch (name) {
                case "input_tokens" -> inputTokens = count;
                case "cache_creation_input_tokens" -> cacheWrite = count;
                case "cache_read_input_tokens" -> cacheRead = count;
                case "output_tokens" -> outputTokens = count;
                default -> {
                    // server_tool_use counts and the like
                }
            }
        }
    }

    private void reportUsage() {
        long input = inputTokens < 0 ? -1 : inputTokens + Math.max(0, cacheWrite) + Math.max(0, cacheRead);
        events.usage(input, cacheRead, cacheWrite, cacheWrite1h, outputTokens, -1);
    }

    private void ensureBlock(int index) {
        if (index >= blockKinds.length) {
            int size = Math.max(index + 1, blockKinds.length * 2);
            blockKinds = Arrays.copyOf(blockKinds, size);
            blockCalls = Arrays.copyOf(blockCalls, size);
        }
    }

    /** The type when it is the document's first member (the parser then stands on its value), else null. */
    private static String leadingType(JsonParser parser) throws IOException {
        expect(parser.nextToken(), JsonToken.START_OBJECT);
        if (parser.nextToken() == JsonToken.FIELD_NAME && parser.currentName().equals("type")
                && parser.nextToken() == JsonToken.VALUE_STRING) {
            return parser.getText();
        }
        return null;
    }

    private static String findType(JsonParser parser) throws IOException {
        try (parser) {
            expect(parser.nextToken(), JsonToken.START_OBJECT);
            while (parser.nextToken() == JsonToken.FIELD_NAME) {
                String name = parser.currentName();
                JsonToken value = parser.nextToken();
                if (name.equals("type") && value == JsonToken.VALUE_STRING) {
                    return parser.getText();
                }
                parser.skipChildren();
            }
        }
        throw new IOException("event without a type");
    }

    /** The value as compact JSON text (a tool call's input object): what the neutral events carry as arguments. */
    private static char[] compactJson(JsonParser parser) throws IOException {
        CharArrayWriter text = new CharArrayWriter(64);
        try (JsonGenerator copy = Json.FACTORY.createGenerator(text)) {
            copy.copyCurrentStructure(parser);
        }
        return text.toCharArray();
    }

    private static String textOrNull(JsonParser parser, JsonToken value) throws IOException {
        if (value == JsonToken.VALUE_STRING) {
            return parser.getText();
        }
        parser.skipChildren();
        return null;
    }

    private static void expect(JsonToken actual, JsonToken expected) throws IOException {
        if (actual != expected) {
            throw new IOException("expected " + expected + ", got " + actual);
        }
    }
}
