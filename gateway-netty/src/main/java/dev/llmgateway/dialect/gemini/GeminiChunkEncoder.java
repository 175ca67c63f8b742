package dev.llmgateway.dialect.gemini;

import com.fasterxml.jackson.core.JsonGenerator;
import dev.llmgateway.dialect.ApiError;
import dev.llmgateway.dialect.ClientDialect;
import dev.llmgateway.dialect.EncodedEvent;
import dev.llmgateway.dialect.ErrorResponses;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;

import java.io.IOException;
import java.util.function.Consumer;

/**
 * Writes an answer as Gemini's {@code streamGenerateContent?alt=sse} stream ({@code data: <GenerateContentResponse>}
 * events, no end marker) for a Gemini client whose provider speaks another API. Text and reasoning go out as they
 * come, one chunk each ({@code thought:true} for reasoning); a function call is held until it is whole — Gemini
 * sends whole calls, with {@code args} an object — and goes out before whatever follows it. The last chunk carries
 * the finish reason and {@code usageMetadata} (what {@link GeminiAnswerState} says of both). A provider error is
 * Gemini's error object as a data event, after which nothing is written. One SSE event, one buffer, handed to
 * {@code out}, which then owns it. Confined to the exchange's thread.
 */
public final class GeminiChunkEncoder extends GeminiAnswerState {
    private static final int CHUNK_SIZE = 256;

    private final ByteBufAllocator alloc;
    private final Consumer<ByteBuf> out;
    private final EncodedEvent events;
    private final StringBuilder callArguments = new StringBuilder();
    private String callId;
    private String callName;
    private String callSignature;
    private boolean failed;

    /**
     * @param model     the model the client asked for
     * @param requestId the gateway's request id: the answer's id when the provider gave none, and in errors
     */
    public GeminiChunkEncoder(ByteBufAllocator alloc, Consumer<ByteBuf> out, String model, String requestId) {
        super(model, requestId);
        this.alloc = alloc;
        this.out = out;
        this.events = new EncodedEvent(alloc, out);
    }

    @Override
    public void text(char[] chars, int offset, int length) {
        textChunk(chars, offset, length, false);
    }

    @Override
    public void reasoning(char[] chars, int offset, int length) {
        textChunk(chars, offset, length, true);
    }

    @Override
    public void reasoningSignature(String signature) {
        if (flushCall()) {
            try {
                JsonGenerator g = chunk();
                signaturePart(g, signature);
                endChunk(g);
            } catch (IOException e) {
                throw events.failed(e);
            }
        }
    }

    @Override
    public void toolCallStart(int index, String id, String name, String signature) {
        if (flushCall()) {
            callId = id;
            callName = name;
            callSignature = signature;
            callArguments.setLength(0);
        }
    }

    @Override
    public void toolCallArguments(int index, char[] chars, int offset, int length) {
        if (callName != null) {
            callArguments.append(chars, offset, length);
        }
    }

    /** The finish waits for the end, which writes it with the usage that may still come. */
    @Override
    public void end() {
        if (!flushCall()) {
            return;
        }
        try {
            JsonGenerator g = events.beginData(CHUNK_SIZE);
            g.writeStartObject();
            g.writeArrayFieldStart("candidates");
            g.writeStartObject();
            endCandidate(g, true);
            endResponse(g, true);
            events.send();
        } catch (IOException e) {
            throw events.failed(e);
        }
    }

    /** Gemini's error object as a data event, as its own stream carries one; the stream ends after it. */
    @Override
    public void error(ApiError error) {
        if (!failed) {
            failed = true;
            out.accept(ErrorResponses.streamEvent(alloc, ClientDialect.GEMINI, error, requestId));
        }
    }

    private void textChunk(char[] chars, int offset, int length, boolean thought) {
        if (length == 0 || !flushCall()) {
            return;
        }
        try {
            JsonGenerator g = chunk();
            textPart(g, chars, offset, length, thought);
            endChunk(g);
        } catch (IOException e) {
            throw events.failed(e);
        }
    }

    /**
     * Sends the held function call, if any; false when the answer has failed (nothing more may be written), which
     * arguments that are no JSON object do.
     */
    private boolean flushCall() {
        if (failed) {
            return false;
        }
        if (callName == null) {
            return true;
        }
        String name = callName;
        callName = null;
        try {
            JsonGenerator g = chunk();
            callPart(g, callId, name, callArguments, callSignature);
            endChunk(g);
            return true;
        } catch (IOException notAnObject) {
            events.discard();
            error(ApiError.upstreamBroken("the provider", "its call of '" + name + "' had arguments that are not a"
                    + " JSON object, which Gemini's API cannot carry"));
            return false;
        }
    }

    /** Starts an SSE data event with a response, its one candidate, and that candidate's parts array open. */
    private JsonGenerator chunk() throws IOException {
        JsonGenerator g = events.beginData(CHUNK_SIZE);
        startParts(g);
        return g;
    }

    private void endChunk(JsonGenerator g) throws IOException {
        endParts(g);
        endCandidate(g, false);
        endResponse(g, false);
        events.send();
    }

}
