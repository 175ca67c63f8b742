package dev.llmgateway.tracing;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import dev.llmgateway.json.BytePattern;
import dev.llmgateway.json.JsonBytes;
import dev.llmgateway.json.JsonSpans;
import dev.llmgateway.sse.SseEvent;
import dev.llmgateway.sse.SseFramer;
import io.netty.buffer.ByteBuf;

import java.io.IOException;
import java.util.ArrayList;
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
 * <p>Ownership: a fed piece stays the caller's; what goes to the framer is a retained duplicate, which the framer
 * releases. {@link #release()} frees a partial event.
 */
final class AnswerFacts extends JsonPaths {
    private static final BytePattern[] FINISH_REASON_NAMES = {new BytePattern("\"finish_reason\""),
            new BytePattern("\"stop_reason\""), new BytePattern("\"finishReason\"")};

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

    private static boolean startsWith(String value, String prefix) {
        return value != null && value.regionMatches(true, 0, prefix, 0, prefix.length());
    }
}
