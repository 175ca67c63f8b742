package dev.llmgateway.server;

import dev.llmgateway.dialect.ApiError;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.EmptyHttpHeaders;
import io.netty.handler.codec.http.FullHttpMessage;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.util.ReferenceCountUtil;

/**
 * Aggregates a request body (the model inside it decides the route) up to {@code max_request_bytes}. A body over
 * the limit is refused with 413 as soon as its Content-Length (or, for a chunked body, the running total) shows
 * it — instead of {@code 100 Continue} when the client asked for one: the request goes on without its body, marked
 * refused ({@link RequestRefusal}), and the endpoint handler answers it in order and closes; the rest of the body
 * is never aggregated. A body whose chunked framing breaks (a bad or overlong chunk line or trailer) is refused
 * with 400, and an expectation other than {@code 100-continue} with 417, the same way. The base class releases the
 * oversized message; the refused request passed on in its place holds no buffer.
 */
public final class RequestBodyAggregator extends HttpObjectAggregator {
    private final long limit;

    public RequestBodyAggregator(int maxRequestBytes) {
        super(maxRequestBytes, true);
        this.limit = maxRequestBytes;
    }

    @Override
    protected void handleOversizedMessage(ChannelHandlerContext ctx, HttpMessage oversized) {
        HttpRequest head = (HttpRequest) oversized;
        FullHttpRequest refused = new DefaultFullHttpRequest(head.protocolVersion(), head.method(), head.uri(),
                Unpooled.EMPTY_BUFFER, head.headers(), EmptyHttpHeaders.INSTANCE);
        // A head refused before its length was looked at keeps its first reason.
        if (head.decoderResult().isFailure()) {
            refused.setDecoderResult(head.decoderResult());
        } else {
            RequestRefusal.refuse(refused, ApiError.bodyTooLarge(limit));
        }
        ctx.fireChannelRead(refused);
    }

    @Override
    protected Object newContinueResponse(HttpMessage start, int maxContentLength, ChannelPipeline pipeline) {
        if (start.decoderResult().isFailure()) {
            // Refused already: no 100 Continue invites a body that is never going to be read.
            return null;
        }
        Object response = super.newContinueResponse(start, maxContentLength, pipeline);
        if (response instanceof HttpResponse plain && plain.status().code() >= 400) {
            // Netty's own answer has no error shape and no request id: refused like any other request instead.
            int status = plain.status().code();
            ReferenceCountUtil.release(plain);
            if (status == HttpResponseStatus.EXPECTATION_FAILED.code()) {
                RequestRefusal.refuse(start, ApiError.expectationFailed());
            }
            // A 413 needs nothing more: the length check that follows refuses the request.
            return null;
        }
        return response;
    }

    /** A broken piece of the body is a malformed body (400), even where the codec calls a chunk line too long. */
    @Override
    protected void aggregate(FullHttpMessage aggregated, HttpContent content) throws Exception {
        super.aggregate(aggregated, content);
        Throwable cause = content.decoderResult().cause();
        if (cause != null && !(cause instanceof RequestRefusal)) {
            RequestRefusal.refuse(content, ApiError.malformedRequest(HttpResponseStatus.BAD_REQUEST,
                    "The request body's chunked encoding is not valid."));
        }
    }
}
