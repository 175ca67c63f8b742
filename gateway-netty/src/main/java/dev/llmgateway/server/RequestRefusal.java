package dev.llmgateway.server;

import dev.llmgateway.dialect.ApiError;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.DecoderResultProvider;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;

/**
 * Why the edge refuses a request, carried as the failed decoder result of the request (or of its last piece) from
 * the handler that finds the problem — the request checks, the body aggregator, the read timeouts — to the
 * endpoint handler, which refuses every failed request the same way and in request order. A verdict, not a bug:
 * it has no stack trace.
 */
final class RequestRefusal extends Exception {
    /** Where Netty's codec puts a request whose request line it could not read; such requests are logged so. */
    static final String NO_TARGET = "/bad-request";

    private final transient ApiError error;

    RequestRefusal(ApiError error) {
        super(error.message(), null, false, false);
        this.error = error;
    }

    /** Marks {@code message} (a request head or its last piece) as refused with {@code error}. */
    static <T extends DecoderResultProvider> T refuse(T message, ApiError error) {
        message.setDecoderResult(DecoderResult.failure(new RequestRefusal(error)));
        return message;
    }

    /** A refused request whose head never arrived whole; it has no body (ownership moves to the caller). */
    static FullHttpRequest withoutHead(ApiError error) {
        return refuse(new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, NO_TARGET,
                Unpooled.EMPTY_BUFFER), error);
    }

    /** The answer to a request that failed: the refusal set on it, or what the codec's own failure means. */
    static ApiError errorFor(Throwable cause) {
        if (cause instanceof RequestRefusal refusal) {
            return refusal.error;
        }
        if (cause instanceof TooLongHttpHeaderException) {
            return headersTooLarge();
        }
        if (cause instanceof TooLongHttpLineException) {
            return ApiError.malformedRequest(HttpResponseStatus.REQUEST_URI_TOO_LONG,
                    "The request line is longer than the gateway accepts.");
        }
        return notHttp();
    }

    /** 431: the header section (HTTP/1.1) or header list (HTTP/2) is over {@code max_header_bytes}. */
    static ApiError headersTooLarge() {
        return ApiError.malformedRequest(HttpResponseStatus.REQUEST_HEADER_FIELDS_TOO_LARGE,
                "The request headers are larger than the gateway accepts.");
    }

    static ApiError notHttp() {
        return ApiError.malformedRequest(HttpResponseStatus.BAD_REQUEST, "The request is not valid HTTP/1.1.");
    }
}
