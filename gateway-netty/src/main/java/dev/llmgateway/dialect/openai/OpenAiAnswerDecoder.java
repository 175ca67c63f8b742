package dev.llmgateway.dialect.openai;

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
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads OpenAI Chat answers, and those of OpenAI-compatible servers (Ollama, vLLM, LiteLLM, the gateway's mock),
 * as {@link AnswerEvents}: a {@code chat.completion.chunk} stream chunk by chunk, or a {@code chat.completion}
 * body. In a stream, text and argument fragments go out as the parser's characters, as they come; per chunk, a
 * finish reason and then usage go out after the chunk's deltas, and {@link AnswerEvents#end} only on
 * {@code [DONE]}: the final usage (OpenAI's chunk of its own after the finish chunk) always lands between finish
 * and end, where encoders expect it. Only choice 0 is read: a translated request never asks for more.
 * <p>
 * Variants understood: reasoning in {@code delta.reasoning_content} (DeepSeek, vLLM) or {@code delta.reasoning}
 * (Ollama, newer vLLM; a delta with both is read once); a tool call sent whole in one chunk, with or without
 * {@code index}, or with an {@code index} that restarts at 0 in each chunk (Ollama); ids repeated on every
 * fragment; a new call without an id (an id is made); a {@code refusal} (shown as text, the answer finishing as
 * CONTENT_FILTER); an error event, wrapped ({@code {"error":{...}}}) or not (older vLLM). A plain "stop" after
 * tool calls is TOOL_CALLS. Confined to the exchange's thread; the bytes given stay the caller's.
 */
public final class OpenAiAnswerDecoder implements AnswerDecoder {
    private final AnswerEvents events;
    private final JsonInput input = new JsonInput();
    private final OpenAiUsage usage = new OpenAiUsage();
    /** The provider's tool call index to this answer's (k); the provider's may restart or be missing. */
    private final Map<Integer, Integer> callByIndex = new HashMap<>();
    /** Each call's id, by k: a fragment that repeats its call's id continues it. */
    private final List<String> callIds = new ArrayList<>();
    private boolean started;
    private boolean finished;
    private boolean ended;
    private boolean refused;
    /**
     * The chunk (or body) being read: its finish reason and whether it carried usage, both emitted after its
     * content.
     */
    private String chunkFinish;
    private boolean chunkUsage;
    /** The element readers, made once: a method reference made per chunk would be an allocation per event. */
    private final ElementReader deltaReader = this::readDelta;
    private final ElementReader choiceReader = p -> readChoice(p, "delta", deltaReader);
    private final ElementReader toolCallReader = this::readToolCall;

    public OpenAiAnswerDecoder(AnswerEvents events) {
        this.events = events;
    }

    @Override
    public void streamData(ByteBuf data, int index, int length) throws IOException {
        if (ended) {
            return;
        }
        try (JsonParser parser = input.parser(data, index, length)) {
            expectObject(parser);
            String id = null;
            chunkFinish = null;
            chunkUsage = false;
            while (parser.nextToken() == JsonToken.FIELD_NAME) {
                String name = parser.currentName();
                JsonToken value = parser.nextToken();
                switch (name) {
                    case "id" -> {
                        if (!started && value == JsonToken.VALUE_STRING) {
                            id = parser.getText();
                        }
                        parser.skipChildren();
                    }
                    case "choices" -> {
                        start(id);
                        readArray(parser, choiceReader);
                    }
                    case "usage" -> readUsage(parser, value);
                    case "error" -> {
                        if (value == JsonToken.START_OBJECT || value == JsonToken.VALUE_STRING) {
                            fail(parser);
                            return;
                        }
                    }
                    case "object" -> {
                        if (value == JsonToken.VALUE_STRING && parser.getTextLength() == 5
                                && parser.getText().equals("error")) {
                            fail(parser);
                            return;
                        }
                        parser.skipChildren();
                    }
                    default -> parser.skipChildren();
                }
            }
            Json.finishDocument(parser);
            start(id);
            if (chunkFinish != null) {
                finish(chunkFinish);
            }
            if (chunkUsage) {
                usage.emit(events);
            }
        }
    }

    /**
     * {@code [DONE]}: the answer ended properly. A server that sent no finish reason (some compatible servers
     * omit it) finishes as a stop, or TOOL_CALLS after tool calls.
     */
    @Override
    public void streamDone() {
        if (ended) {
            return;
        }
        start(null);
        finish("stop");
        ended = true;
        events.end();
    }

    @Override
    public boolean streamEnded() {
        return ended;
    }

    /**
     * A {@code chat.completion}: start, reasoning, text, each tool call (its whole arguments string in one
     * fragment), finish, usage, end, whatever the order of the members in the body.
     */
    @Override
    public void body(ByteBuf data, int index, int length) throws IOException {
        try (JsonParser parser = input.parser(data, index, length)) {
            expectObject(parser);
            String id = null;
            chunkFinish = null;
            Message message = new Message();
            boolean usageSeen = false;
            while (parser.nextToken() == JsonToken.FIELD_NAME) {
                String name = parser.currentName();
                JsonToken value = parser.nextToken();
                switch (name) {
                    case "id" -> {
                        id = value == JsonToken.VALUE_STRING ? parser.getText() : null;
                        parser.skipChildren();
                    }
                    case "choices" -> readArray(parser, p -> readChoice(p, "message", message::read));
                    case "usage" -> {
                        if (value == JsonToken.START_OBJECT) {
                            usage.read(parser);
                            usageSeen = true;
                        }
                        parser.skipChildren();
                    }
                    case "error" -> {
                        if (value == JsonToken.START_OBJECT || value == JsonToken.VALUE_STRING) {
                            fail(parser);
                            return;
                        }
                    }
                    default -> parser.skipChildren();
                }
            }
            Json.finishDocument(parser);
            message.emit(id, chunkFinish != null ? chunkFinish : "stop");
            if (usageSeen) {
                usage.emit(events);
            }
            ended = true;
            events.end();
        }
    }

    private void start(String id) {
        if (!started) {
            started = true;
            events.start(id);
        }
    }

    private void finish(String reason) {
        if (!finished) {
            finished = true;
            FinishReason mapped = OpenAiFinishReasons.fromWire(reason, !callIds.isEmpty());
            events.finish(refused && mapped == FinishReason.STOP ? FinishReason.CONTENT_FILTER : mapped, null);
        }
    }

    private void fail(JsonParser parser) throws IOException {
        ended = true;
        events.error(OpenAiErrors.readStreamed(parser));
    }

    private void readUsage(JsonParser parser, JsonToken value) throws IOException {
        if (value == JsonToken.START_OBJECT) {
            usage.read(parser);
            chunkUsage = true;
        } else {
            parser.skipChildren();
        }
    }

    /**
     * One choice; the parser is at its START_OBJECT. Of choice 0, {@code part} ("delta" in a stream chunk,
     * "message" in a body) goes to {@code reader}, the finish reason to {@link #chunkFinish}.
     */
    private void readChoice(JsonParser parser, String part, ElementReader reader) throws IOException {
        boolean other = false;
        while (parser.nextToken() == JsonToken.FIELD_NAME) {
            String name = parser.currentName();
            JsonToken value = parser.nextToken();
            if (other) {
                parser.skipChildren();
            } else if (name.equals("index")) {
                other = value == JsonToken.VALUE_NUMBER_INT && parser.getIntValue() != 0;
            } else if (name.equals(part) && value == JsonToken.START_OBJECT) {
                reader.read(parser);
            } else if (name.equals("finish_reason") && value == JsonToken.VALUE_STRING) {
                chunkFinish = parser.getText();
            } else {
                parser.skipChildren();
            }
        }
    }

    private void readDelta(JsonParser parser) throws IOException {
        boolean reasoned = false;
        while (parser.nextToken() == JsonToken.FIELD_NAME) {
            String name = parser.currentName();
            JsonToken value = parser.nextToken();
            if (name.equals("tool_calls")) {
                readArray(parser, toolCallReader);
                continue;
            }
            if (value != JsonToken.VALUE_STRING || parser.getTextLength() == 0) {
                parser.skipChildren();
                continue;
            }
            switch (name) {
                case "content" ->
                        events.text(parser.getTextCharacters(), parser.getTextOffset(), parser.getTextLength());
                case "reasoning_content", "reasoning" -> {
                    if (!reasoned) {
                        reasoned = true;
                        events.reasoning(parser.getTextCharacters(), parser.getTextOffset(),
                                parser.getTextLength());
                    }
                }
                case "refusal" -> {
                    refused = true;
                    events.text(parser.getTextCharacters(), parser.getTextOffset(), parser.getTextLength());
                }
                default -> { }
            }
        }
    }

    /**
     * One {@code tool_calls} entry of a delta; the parser is at its START_OBJECT. Arguments go out as they are
     * read when the call is known by then (index or id, and name, before them, as every server sends them);
     * else they are held to the entry's end.
     */
    private void readToolCall(JsonParser parser) throws IOException {
        int providerIndex = -1;
        String id = null;
        String name = null;
        String held = null;
        int call = -1;
        while (parser.nextToken() == JsonToken.FIELD_NAME) {
            String field = parser.currentName();
            JsonToken value = parser.nextToken();
            if (field.equals("index") && value == JsonToken.VALUE_NUMBER_INT) {
                providerIndex = parser.getIntValue();
            } else if (field.equals("id") && value == JsonToken.VALUE_STRING && parser.getTextLength() > 0) {
                id = parser.getText();
            } else if (field.equals("function") && value == JsonToken.START_OBJECT) {
                while (parser.nextToken() == JsonToken.FIELD_NAME) {
                    String member = parser.currentName();
                    JsonToken memberValue = parser.nextToken();
                    if (member.equals("name") && memberValue == JsonToken.VALUE_STRING) {
                        name = parser.getText();
                    } else if (member.equals("arguments") && memberValue == JsonToken.VALUE_STRING) {
                        if (parser.getTextLength() == 0) {
                            continue;
                        }
                        call = call >= 0 ? call : resolveCall(providerIndex, id, name, false);
                        if (call >= 0) {
                            events.toolCallArguments(call, parser.getTextCharacters(), parser.getTextOffset(),
                                    parser.getTextLength());
                        } else {
                            held = held == null ? parser.getText() : held + parser.getText();
                        }
                    } else {
                        parser.skipChildren();
                    }
                }
            } else {
                parser.skipChildren();
            }
        }
        call = call >= 0 ? call : resolveCall(providerIndex, id, name, true);
        if (held != null) {
            events.toolCallArguments(call, held.toCharArray(), 0, held.length());
        }
    }

    /**
     * The call (k) a tool call entry belongs to, starting a new one when the entry opens it; -1 when that cannot
     * be told yet ({@code last}: the entry is read whole, decide now). An id not seen at that index opens a call;
     * no id continues the call at that index (or, with no index, the latest call); a new index without an id
     * opens a call with a made-up id.
     */
    private int resolveCall(int providerIndex, String id, String name, boolean last) {
        Integer known = providerIndex >= 0 ? callByIndex.get(providerIndex)
                : callIds.isEmpty() ? null : callIds.size() - 1;
        if (known != null && (id == null || id.equals(callIds.get(known)))) {
            return known;
        }
        if ((id == null || name == null) && !last) {
            return -1;
        }
        int call = callIds.size();
        String callId = id != null ? id : ToolCallIds.synthesize();
        callIds.add(callId);
        if (providerIndex >= 0) {
            callByIndex.put(providerIndex, call);
        }
        events.toolCallStart(call, callId, name != null ? name : "", null);
        return call;
    }

    /** A body's message, gathered so its parts go out in event order whatever their order in the body. */
    private final class Message {
        String content;
        String reasoning;
        String refusal;
        final List<String[]> toolCalls = new ArrayList<>();

        void read(JsonParser parser) throws IOException {
            while (parser.nextToken() == JsonToken.FIELD_NAME) {
                String name = parser.currentName();
                JsonToken value = parser.nextToken();
                if (name.equals("tool_calls")) {
                    readArray(parser, this::readToolCall);
                    continue;
                }
                if (value != JsonToken.VALUE_STRING) {
                    parser.skipChildren();
                    continue;
                }
                switch (name) {
                    case "content" -> content = parser.getText();
                    case "reasoning_content", "reasoning" -> {
                        if (reasoning == null || reasoning.isEmpty()) {
                            reasoning = parser.getText();
                        }
                    }
                    case "refusal" -> refusal = parser.getText();
                    default -> { }
                }
            }
        }

        /** {id, name, arguments} of a whole tool call. */
        private void readToolCall(JsonParser parser) throws IOException {
            String[] call = new String[3];
            while (parser.nextToken() == JsonToken.FIELD_NAME) {
                String field = parser.currentName();
                JsonToken value = parser.nextToken();
                if (field.equals("id") && value == JsonToken.VALUE_STRING) {
                    call[0] = parser.getText();
                } else if (field.equals("function") && value == JsonToken.START_OBJECT) {
                    while (parser.nextToken() == JsonToken.FIELD_NAME) {
                        String member = parser.currentName();
                        JsonToken memberValue = parser.nextToken();
                        if (memberValue == JsonToken.VALUE_STRING && member.equals("name")) {
                            call[1] = parser.getText();
                        } else if (memberValue == JsonToken.VALUE_STRING && member.equals("arguments")) {
                            call[2] = parser.getText();
                        } else {
                            parser.skipChildren();
                        }
                    }
                } else {
                    parser.skipChildren();
                }
            }
            toolCalls.add(call);
        }

        void emit(String id, String finishReason) {
            start(id);
            if (reasoning != null && !reasoning.isEmpty()) {
                events.reasoning(reasoning.toCharArray(), 0, reasoning.length());
            }
            if (content != null && !content.isEmpty()) {
                events.text(content.toCharArray(), 0, content.length());
            } else if (refusal != null && !refusal.isEmpty()) {
                refused = true;
                events.text(refusal.toCharArray(), 0, refusal.length());
            }
            for (String[] call : toolCalls) {
                int k = callIds.size();
                String callId = call[0] != null && !call[0].isEmpty() ? call[0] : ToolCallIds.synthesize();
                callIds.add(callId);
                events.toolCallStart(k, callId, call[1] != null ? call[1] : "", null);
                if (call[2] != null && !call[2].isEmpty()) {
                    events.toolCallArguments(k, call[2].toCharArray(), 0, call[2].length());
                }
            }
            finish(finishReason);
        }
    }

    @FunctionalInterface
    private interface ElementReader {
        void read(JsonParser parser) throws IOException;
    }

    /** Reads each object of the array the parser is at; anything else (null, a stray value) is skipped. */
    private static void readArray(JsonParser parser, ElementReader element) throws IOException {
        if (parser.currentToken() != JsonToken.START_ARRAY) {
            parser.skipChildren();
            return;
        }
        JsonToken token;
        while ((token = parser.nextToken()) != JsonToken.END_ARRAY && token != null) {
            if (token == JsonToken.START_OBJECT) {
                element.read(parser);
            } else {
                parser.skipChildren();
            }
        }
    }

    private static void expectObject(JsonParser parser) throws IOException {
        if (parser.nextToken() != JsonToken.START_OBJECT) {
            throw new JsonParseException(parser, "expected a JSON object");
        }
    }
}
