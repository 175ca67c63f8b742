package dev.llmgateway.server;

import dev.llmgateway.exchange.Endpoint;
import dev.llmgateway.dialect.ApiError;
import dev.llmgateway.dialect.ClientDialect;
import dev.llmgateway.dialect.ErrorResponses;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.util.ReferenceCountUtil;

/**
 * Aggregates a request body (the model inside it decides the route) up to {@code max_request_bytes}. A body over
 * the limit is refused with 413 in the client's error shape as soon as its Content-Length (or, for a chunked body,
 * the running total) shows it — before {@code 100 Continue} when the client asked for one — and the connection
 * closes, so the rest is never read. The base class releases the oversized message.
 */
public final class RequestBodyAggregator extends HttpObjectAggregator {
    private final long limit;

    public RequestBodyAggregator(int maxRequestBytes) {
        super(maxRequestBytes, true);
        this.limit = maxRequestBytes;
    }

    @Override
    protected void handleOversizedMessage(ChannelHandlerContext ctx, HttpMessage oversized) {
        ctx.writeAndFlush(tooLarge(ctx, oversized)).addListener(ChannelFutureListener.CLOSE);
    }

    @Override
    protected Object newContinueResponse(HttpMessage start, int maxContentLength, ChannelPipeline pipeline) {
        Object response = super.newContinueResponse(start, maxContentLength, pipeline);
        if (response instanceof FullHttpResponse plain
                && plain.status().code() == HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE.code()) {
            ReferenceCountUtil.release(plain);
            return tooLarge(pipeline.firstContext(), start);
        }
        return response;
    }

    private FullHttpResponse tooLarge(ChannelHandlerContext ctx, HttpMessage request) {
        ClientDialect dialect = request instanceof HttpRequest asked ? Endpoint.dialectOf(asked.uri())
                : ClientDialect.OPENAI;
        FullHttpResponse tooLarge = ErrorResponses.response(ctx.alloc(), dialect,
                ApiError.bodyTooLarge(limit), RequestIds.of(request.headers()));
        tooLarge.headers().set(HttpHeaderNames.CONNECTION, "close");
        return tooLarge;
    }
}
