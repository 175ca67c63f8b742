package dev.llmgateway.dialect;

import com.fasterxml.jackson.core.JsonGenerator;
import dev.llmgateway.json.Json;
import dev.llmgateway.sse.SseWriter;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufOutputStream;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpVersion;

import java.io.IOException;
import java.io.UncheckedIOException;

/** The one place that turns an {@link ApiError} into bytes the client's API expects. */
public final class ErrorResponses {
    public static final String REQUEST_ID_HEADER = "x-request-id";

    private ErrorResponses() {
    }

    /** A complete error response; the caller owns it (writing it hands ownership to the channel). */
    public static FullHttpResponse response(ByteBufAllocator alloc, ClientDialect dialect, ApiError error,
                                            String requestId) {
        ByteBuf body = body(alloc, dialect, error, requestId);
        FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, dialect.status(error), body);
        response.headers()
                .set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.APPLICATION_JSON)
                .setInt(HttpHeaderNames.CONTENT_LENGTH, body.readableBytes());
        dialect.identify(response.headers(), requestId);
        if (error.retryAfterSeconds() >= 0) {
            response.headers().set(HttpHeaderNames.RETRY_AFTER, Long.toString(error.retryAfterSeconds()));
        }
        if (error.status().code() == 405) {
            response.headers().set(HttpHeaderNames.ALLOW, "GET, POST");
        }
        return response;
    }

    /** The error as one SSE event for a stream that has already started (then the stream is closed). */
    public static ByteBuf streamEvent(ByteBufAllocator alloc, ClientDialect dialect, ApiError error, String requestId) {
        ByteBuf json = body(alloc, dialect, error, requestId);
        return dialect.streamEventName() == null ? SseWriter.dataEvent(alloc, json)
                : SseWriter.namedEvent(alloc, dialect.streamEventName(), json);
    }

    private static ByteBuf body(ByteBufAllocator alloc, ClientDialect dialect, ApiError error, String requestId) {
        ByteBuf buf = alloc.buffer(256);
        try (JsonGenerator json = Json.FACTORY.createGenerator((java.io.OutputStream) new ByteBufOutputStream(buf))) {
            dialect.writeError(json, error, requestId);
        } catch (IOException e) {
            buf.release();
            throw new UncheckedIOException(e);
        }
        return buf;
    }
}
