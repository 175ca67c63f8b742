package dev.llmgateway.dialect.gemini;

import dev.llmgateway.dialect.BodyEncoder;
import dev.llmgateway.dialect.EncodedBody;
import io.netty.buffer.ByteBufAllocator;

import java.util.ArrayList;
import java.util.List;

/**
 * Writes an answer as Gemini's {@code generateContent} body (one {@code GenerateContentResponse}) for a Gemini
 * client whose provider speaks another API. The parts are gathered in answer order and written at {@link #end()}:
 * consecutive text joined into one part, consecutive reasoning into one {@code thought} part carrying the
 * signature that sealed it, each function call one part (what {@link GeminiAnswerState} says of calls, finish and
 * usage). Ownership: {@link #body()} hands the body to the caller; until then, {@link #discard()} frees it. An
 * error is not this encoder's to write: the caller answers with an error response instead. Confined to the
 * exchange's thread.
 */
public final class GeminiResponseEncoder extends GeminiAnswerState implements BodyEncoder {
    private enum Kind { TEXT, THOUGHT, CALL }

    /** One part: text or thought (its text), or a call (its arguments). */
    private static final class Part {
        final Kind kind;
        final StringBuilder text = new StringBuilder();
        String id;
        String name;
        String signature;

        Part(Kind kind) {
            this.kind = kind;
        }
    }

    private final ByteBufAllocator alloc;
    private final List<Part> parts = new ArrayList<>();
    private final EncodedBody body = new EncodedBody();

    public GeminiResponseEncoder(ByteBufAllocator alloc, String model, String requestId) {
        super(model, requestId);
        this.alloc = alloc;
    }

    @Override
    public void text(char[] chars, int offset, int length) {
        last(Kind.TEXT).text.append(chars, offset, length);
    }

    @Override
    public void reasoning(char[] chars, int offset, int length) {
        last(Kind.THOUGHT).text.append(chars, offset, length);
    }

    @Override
    public void reasoningSignature(String signature) {
        last(Kind.THOUGHT).signature = signature;
    }

    @Override
    public void toolCallStart(int index, String id, String name, String signature) {
        Part call = new Part(Kind.CALL);
        call.id = id;
        call.name = name;
        call.signature = signature;
        parts.add(call);
    }

    @Override
    public void toolCallArguments(int index, char[] chars, int offset, int length) {
        parts.get(parts.size() - 1).text.append(chars, offset, length);
    }

    @Override
    public void end() {
        body.write(alloc, 512, g -> {
            startParts(g);
            for (Part part : parts) {
                if (part.kind == Kind.CALL) {
                    callPart(g, part.id, part.name, part.text, part.signature);
                } else if (part.kind == Kind.THOUGHT && part.signature != null && part.text.isEmpty()) {
                    signaturePart(g, part.signature);
                } else {
                    char[] text = part.text.toString().toCharArray();
                    g.writeStartObject();
                    g.writeFieldName("text");
                    g.writeString(text, 0, text.length);
                    if (part.kind == Kind.THOUGHT) {
                        g.writeBooleanField("thought", true);
                        if (part.signature != null) {
                            g.writeStringField("thoughtSignature", part.signature);
                        }
                    }
                    g.writeEndObject();
                }
            }
            endParts(g);
            endCandidate(g, true);
            endResponse(g, true);
        });
    }

    @Override
    public EncodedBody encodedBody() {
        return body;
    }

    /** The last part if it is of {@code kind} (text and thoughts run on), else a new one. */
    private Part last(Kind kind) {
        Part last = parts.isEmpty() ? null : parts.get(parts.size() - 1);
        if (last == null || last.kind != kind || kind == Kind.THOUGHT && last.signature != null) {
            last = new Part(kind);
            parts.add(last);
        }
        return last;
    }
}
