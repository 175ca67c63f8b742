package dev.llmgateway.tracing;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.async.ByteBufferFeeder;
import dev.llmgateway.json.Json;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufInputStream;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;

/**
 * Walks JSON fed in pieces and names each scalar whose member name the subclass {@linkplain #wants wants} by its
 * path, such as {@code choices[].delta.content}. Input that arrives whole (a request body, a stream event, a small
 * answer in one piece) goes to Jackson's blocking parser, which skips the strings nobody reads without decoding them
 * (prompts and completions are mostly such strings); input in pieces goes to its non-blocking parser over the
 * buffers' own memory, which must decode every string as it passes. The input may be one document or a run of them:
 * each starts again at the root. A document read whole stops early, between two top-level members, once the
 * subclass says it has all it wants ({@link #complete}). Paths deeper than {@link #MAX_DEPTH} are skipped. Confined
 * to one thread.
 */
abstract class JsonPaths {
    private static final int MAX_DEPTH = 8;

    // Made at the first walk: a span whose facts the relay hands over never walks.
    private StringBuilder path;
    /** The path's length when each open container began, and whether it is an array. */
    private int[] starts;
    private boolean[] arrays;
    private JsonParser parser;
    private ByteBufferFeeder feeder;
    private int depth;
    private String field;

    /** Whether scalars named {@code name} may be wanted: only theirs get a path (a string made per scalar). */
    abstract boolean wants(String name);

    /** A scalar at {@code path}; read its value from {@code p} ({@code token} says which kind). */
    abstract void scalar(String path, JsonToken token, JsonParser p) throws IOException;

    /** The object or array at {@code path} ended; the path is valid during the call only. */
    void closed(CharSequence path) {
    }

    /** A document begins (its outermost object or array opens). */
    void started() {
    }

    /** Whether nothing more is wanted from the document: the rest of one read whole is not parsed. */
    boolean complete() {
        return false;
    }

    /** Reads the readable bytes of {@code piece} (not kept); {@code last} ends the input. */
    final void walk(ByteBuf piece, boolean last) throws IOException {
        if (path == null) {
            path = new StringBuilder(64);
            starts = new int[MAX_DEPTH + 1];
            arrays = new boolean[MAX_DEPTH + 1];
        }
        if (parser == null && last) {
            walkWhole(piece);
            return;
        }
        if (parser == null) {
            parser = Json.FACTORY.createNonBlockingByteBufferParser();
            feeder = (ByteBufferFeeder) parser.getNonBlockingInputFeeder();
            depth = 0;
            path.setLength(0);
            field = null;
        }
        for (ByteBuffer part : piece.nioBuffers(piece.readerIndex(), piece.readableBytes())) {
            feeder.feedInput(part);
            drain(false);
        }
        if (last) {
            feeder.endOfInput();
            drain(false);
            close();
        }
    }

    /** The whole input in one piece: read by the blocking parser, straight from the buffer. */
    private void walkWhole(ByteBuf input) throws IOException {
        depth = 0;
        path.setLength(0);
        field = null;
        try (InputStream in = new ByteBufInputStream(input.duplicate())) {
            parser = Json.FACTORY.createParser(in);
            drain(true);
        } finally {
            close();
        }
    }

    /** Drops the document in progress. */
    final void close() {
        if (parser != null) {
            try {
                parser.close();
            } catch (IOException ignored) {
                // nothing is held beyond the parser's own recycled buffers
            }
            parser = null;
            feeder = null;
        }
    }

    /** @param whole one document read whole, which may stop once {@link #complete} */
    private void drain(boolean whole) throws IOException {
        for (JsonToken t = parser.nextToken(); t != null && t != JsonToken.NOT_AVAILABLE; t = parser.nextToken()) {
            switch (t) {
                case FIELD_NAME -> field = parser.currentName();
                case START_OBJECT, START_ARRAY -> open(t == JsonToken.START_ARRAY);
                case END_OBJECT, END_ARRAY -> end();
                case VALUE_STRING, VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT, VALUE_TRUE, VALUE_FALSE -> {
                    if (depth > 0 && depth <= MAX_DEPTH && !arrays[depth - 1] && wants(field)) {
                        int at = path.length();
                        appendKey();
                        scalar(path.toString(), t, parser);
                        path.setLength(at);
                    }
                }
                default -> {
                    // null values and embedded objects say nothing here
                }
            }
            // A member's value just ended at the top level (not the document's start): the rest may be skipped.
            if (whole && depth == 1 && t != JsonToken.FIELD_NAME && t != JsonToken.START_OBJECT
                    && t != JsonToken.START_ARRAY && complete()) {
                return;
            }
        }
    }

    private void open(boolean array) {
        if (depth > 0 && depth <= MAX_DEPTH) {
            starts[depth] = path.length();
            appendKey();
            arrays[depth] = array;
        } else if (depth == 0) {
            starts[0] = 0;
            arrays[0] = array;
            started();
        }
        depth++;
    }

    private void end() {
        depth--;
        if (depth > 0 && depth <= MAX_DEPTH) {
            closed(path);
            path.setLength(starts[depth]);
        }
        field = null;
    }

    /** The key of the value at the current depth: {@code .name} in an object, {@code []} in an array. */
    private void appendKey() {
        if (arrays[depth - 1]) {
            path.append("[]");
        } else {
            if (path.length() > 0) {
                path.append('.');
            }
            path.append(field);
        }
    }
}
