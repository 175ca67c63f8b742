package dev.llmgateway.tracing;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import dev.llmgateway.dialect.ClientDialect;
import dev.llmgateway.json.BytePattern;
import dev.llmgateway.json.Json;
import dev.llmgateway.json.JsonBytes;
import dev.llmgateway.json.JsonSpans;
import dev.llmgateway.sse.SseEvent;
import dev.llmgateway.sse.SseFramer;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * What a client span reports from a provider's successful answer, read as it passes, in any of the provider APIs
 * (OpenAI's chat, completions and Responses, Anthropic's Messages, Gemini's): the response id, the model that
 * answered, the finish reasons and, when content is captured, the text (at most {@code maxText} chars). A stream
 * is framed into events here, each event's data read on its own as a whole document, but only while it can tell
 * something new: once the id and the model are known (and no text is captured), an event is parsed only when a
 * byte search finds a finish reason in it with a string value, so most of a long stream's events are never parsed.
 * A JSON body is read whole when it comes in one piece, else piece by piece. A document read whole stops at its
 * next top-level member once all is known (OpenAI's {@code usage} after the {@code choices}, say, is not parsed).
 *
 * <p>Or the relay hands the facts over ({@link #document}): it reads each JSON document of the answer anyway (the
 * body, each event's data) and has found its model; the id and the finish reasons are then found by byte search
 * the same way it finds the usage, and nothing is parsed: that is the way without content capture.
 *
 * <p>Ownership: a fed piece stays the caller's; what goes to the framer is a retained duplicate, which the framer
 * releases. {@link #release()} frees a partial event.
 */
final class AnswerFacts extends JsonPaths {
    private static final BytePattern FINISH_REASON = new BytePattern("\"finish_reason\"");
    private static final BytePattern STOP_REASON = new BytePattern("\"stop_reason\"");
    private static final BytePattern GEMINI_FINISH_REASON = new BytePattern("\"finishReason\"");
    private static final BytePattern[] FINISH_REASON_NAMES = {FINISH_REASON, STOP_REASON, GEMINI_FINISH_REASON};
    private static final BytePattern RESPONSE_ID = new BytePattern("\"responseId\"");
    private static final byte[] ID_NAME = {'"', 'i', 'd', '"'};
    /** The finish reasons the providers document: one of them is taken as it is, not made again from the bytes. */
    private static final String[] KNOWN_REASONS = {"stop", "length", "tool_calls", "content_filter",
            "function_call", "end_turn", "max_tokens", "stop_sequence", "tool_use", "pause_turn", "refusal", "STOP",
            "MAX_TOKENS", "SAFETY", "RECITATION", "OTHER"};
    /**
     * How far into a document its id is looked for: OpenAI's and Anthropic's answers and the Responses API's name
     * it first (in {@code message} or {@code response} in a stream's first event), a few dozen bytes in.
     */
    private static final int ID_REACH = 256;

    private final int maxText;
    /** The provider's {@code max_sse_event_bytes}: a longer event stops the reading (the relay fails the stream). */
    private final int maxEventBytes;
    private final List<String> finishReasons = new ArrayList<>(1);
    private final StringBuilder text;
    private String id;
    private String model;
    private SseFramer framer;
    private boolean body;
    private boolean unreadable;
    /** The finish reasons known when the document being read began. */
    private int reasonsBefore;

    /**
     * @param maxText       the most text chars kept; 0 keeps none
     * @param maxEventBytes the longest stream event read
     */
    AnswerFacts(int maxText, int maxEventBytes) {
        this.maxText = maxText;
        this.maxEventBytes = maxEventBytes;
        this.text = maxText > 0 ? new StringBuilder() : null;
    }

    /** A successful answer's head: its content type says how to read the body. */
    void head(String contentType) {
        if (startsWith(contentType, "text/event-stream")) {
            framer = new SseFramer(this::event, maxEventBytes);
        } else {
            body = startsWith(contentType, "application/json");
        }
    }

    void feed(ByteBuf piece, boolean last) {
        if (unreadable) {
            return;
        }
        if (framer != null) {
            framer.feed(piece.retainedDuplicate());
            if (last) {
                framer.finish();
            }
        } else if (body) {
            read(piece, last);
        }
    }

    /**
     * One JSON document of a successful answer in {@code dialect} (a body, or one event's data) as the relay reads
     * it, {@code bytes[start, end)} (not kept), with the span of its model's string value the relay found, or -1:
     * the facts it holds are taken by byte search, without a parse. A fact already known is not looked for again.
     *
     * @param likelyModel the model the answer most likely names (the one asked for): kept as it is when it does
     */
    void document(ClientDialect dialect, ByteBuf bytes, int start, int end, long modelSpan, String likelyModel) {
        if (model == null && modelSpan >= 0) {
            int from = JsonSpans.start(modelSpan);
            int to = JsonSpans.end(modelSpan);
            model = spells(bytes, from, to, likelyModel) ? likelyModel : string(bytes, from, to);
        }
        boolean gemini = dialect == ClientDialect.GEMINI;
        if (id == null) {
            int value = gemini ? value(JsonBytes.lastMember(bytes, RESPONSE_ID, start, end)) : leadingId(bytes, start,
                    Math.min(end, start + ID_REACH));
            int close = value >= 0 ? stringEnd(bytes, value, end) : -1;
            if (close >= 0) {
                id = string(bytes, value, close);
            }
        }
        // Anthropic's one stop_reason follows the content (a tool's input object could name one too): the last.
        boolean anthropic = dialect == ClientDialect.ANTHROPIC;
        BytePattern reason = gemini ? GEMINI_FINISH_REASON : anthropic ? STOP_REASON : FINISH_REASON;
        int before = finishReasons.size();
        long member;
        for (int to = end; (member = JsonBytes.lastMember(bytes, reason, start, to)) >= 0; to = JsonSpans.start(member)) {
            int value = JsonSpans.end(member);
            int close = stringEnd(bytes, value, end); // -1 for null: no reason yet
            if (close >= 0) {
                finishReasons.add(reason(bytes, value, close));
            }
            if (anthropic) {
                break;
            }
        }
        if (finishReasons.size() - before > 1) {
            Collections.reverse(finishReasons.subList(before, finishReasons.size())); // found last first
        }
    }

    /** Frees a partial event and the parser; the facts read so far stay. */
    void release() {
        if (framer != null) {
            framer.release();
        }
        close();
    }

    String id() {
        return id;
    }

    String model() {
        return model;
    }

    List<String> finishReasons() {
        return finishReasons;
    }

    boolean capturesText() {
        return text != null;
    }

    /** The answer's text so far; null when content is not captured. */
    String text() {
        return text == null ? null : text.toString();
    }

    private void event(SseEvent event) {
        ByteBuf bytes = event.content();
        try {
            if (!unreadable && event.hasData() && !event.isDone() && event.dataLineCount() == 1
                    && tellsMore(bytes, event.dataOffset(), event.dataLength())) {
                read(bytes.slice(event.dataOffset(), event.dataLength()), true); // each event's data is whole
            }
        } finally {
            bytes.release();
        }
    }

    /** Whether the event's data {@code bytes[from, from + length)} may hold a fact not read yet. */
    private boolean tellsMore(ByteBuf bytes, int from, int length) {
        if (text != null || id == null || model == null) {
            return true;
        }
        for (BytePattern name : FINISH_REASON_NAMES) {
            long member;
            for (int to = from + length; (member = JsonBytes.lastMember(bytes, name, from, to)) >= 0;
                 to = JsonSpans.start(member)) {
                if (bytes.getByte(JsonSpans.end(member)) == '"') {
                    return true; // a reason, not null
                }
            }
        }
        return false;
    }

    private void read(ByteBuf piece, boolean last) {
        try {
            walk(piece, last);
        } catch (IOException malformed) {
            // Not JSON after all: the relay decides what the client gets; the span just has no facts from it.
            unreadable = true;
            close();
        }
    }

    @Override
    void started() {
        reasonsBefore = finishReasons.size();
    }

    /**
     * Without text to capture, a document has told all once the id and model are known and it gave its finish
     * reasons (all of a top-level member's, as the stop comes between members).
     */
    @Override
    boolean complete() {
        return text == null && id != null && model != null && finishReasons.size() > reasonsBefore;
    }

    @Override
    boolean wants(String name) {
        return switch (name) {
            case "id", "responseId", "model", "modelVersion", "stop_reason", "finish_reason", "finishReason" -> true;
            case "content", "text" -> text != null;
            default -> false;
        };
    }

    @Override
    void scalar(String path, JsonToken token, JsonParser p) throws IOException {
        if (token != JsonToken.VALUE_STRING) {
            return;
        }
        switch (path) {
            case "id", "message.id", "response.id", "responseId" -> {
                if (id == null) {
                    id = p.getText();
                }
            }
            case "model", "message.model", "response.model", "modelVersion" -> {
                if (model == null) {
                    model = p.getText();
                }
            }
            case "stop_reason", "delta.stop_reason", "choices[].finish_reason", "candidates[].finishReason" ->
                    finishReasons.add(p.getText());
            case "choices[].delta.content", "choices[].message.content", "choices[].text", "content[].text",
                 "delta.text", "candidates[].content.parts[].text" -> {
                if (text != null && text.length() < maxText) {
                    String piece = p.getText();
                    text.append(piece, 0, Math.min(piece.length(), maxText - text.length()));
                }
            }
            default -> {
                // not reported
            }
        }
    }

    private static int value(long member) {
        return member < 0 ? -1 : JsonSpans.end(member);
    }

    /**
     * Where the value of the first {@code "id"} member in {@code bytes[start, reach)} starts, or -1; none once an
     * array opens, as the ids after one are its items' (tool calls', content blocks', output items').
     */
    private static int leadingId(ByteBuf bytes, int start, int reach) {
        for (int at = start; at < reach; at++) {
            byte b = bytes.getByte(at);
            if (b == '[') {
                return -1;
            }
            if (b == '"' && JsonBytes.spells(bytes, at, reach, ID_NAME)) {
                int colon = JsonBytes.skipWhitespace(bytes, at + ID_NAME.length, reach);
                if (colon < reach && bytes.getByte(colon) == ':') {
                    return JsonBytes.skipWhitespace(bytes, colon + 1, reach);
                }
            }
        }
        return -1;
    }

    /** The index just past the closing quote of the string value at {@code value}, or -1 when none is there. */
    private static int stringEnd(ByteBuf bytes, int value, int end) {
        if (value < 0 || value >= end || bytes.getByte(value) != '"') {
            return -1;
        }
        for (int at = value + 1; at < end; at++) {
            byte b = bytes.getByte(at);
            if (b == '"') {
                return at + 1;
            }
            if (b == '\\') {
                at++;
            }
        }
        return -1;
    }

    /** The finish reason {@code bytes[from, to)}, quotes included: a known one without a new string. */
    private static String reason(ByteBuf bytes, int from, int to) {
        for (String known : KNOWN_REASONS) {
            if (spells(bytes, from, to, known)) {
                return known;
            }
        }
        return string(bytes, from, to);
    }

    /** Whether the JSON string {@code bytes[from, to)}, quotes included, is {@code text} (ASCII) without escapes. */
    private static boolean spells(ByteBuf bytes, int from, int to, String text) {
        if (text == null || to - from - 2 != text.length()) {
            return false;
        }
        for (int i = 0; i < text.length(); i++) {
            if (bytes.getByte(from + 1 + i) != text.charAt(i)) {
                return false;
            }
        }
        return true;
    }

    /** The JSON string {@code bytes[from, to)}, quotes included, as text: escapes decoded only when there are any. */
    private static String string(ByteBuf bytes, int from, int to) {
        if (bytes.indexOf(from + 1, to - 1, (byte) '\\') < 0) {
            return bytes.toString(from + 1, to - from - 2, StandardCharsets.UTF_8);
        }
        try (JsonParser p = Json.FACTORY.createParser(ByteBufUtil.getBytes(bytes, from, to - from, false))) {
            p.nextToken();
            return p.getText();
        } catch (IOException malformed) {
            return null; // a broken escape: the relay judges the answer, the span just lacks this fact
        }
    }

    private static boolean startsWith(String value, String prefix) {
        return value != null && value.regionMatches(true, 0, prefix, 0, prefix.length());
    }
}
