package dev.llmgateway.server;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http2.Http2StreamFrame;
import io.netty.handler.codec.http2.Http2StreamFrameToHttpObjectCodec;
import io.netty.handler.codec.http2.HttpConversionUtil;

import java.util.List;

/**
 * One HTTP/2 stream's frames as one HTTP request, and its response back as frames (Netty's codec: the response's
 * connection-specific fields — {@code connection}, {@code keep-alive}, {@code transfer-encoding}, ... — are left
 * out, a body goes as DATA frames, its last piece ends the stream). What the conversion adds for its own use, the
 * stream id as {@code x-http2-stream-id}, is taken off again: the client never sent it, so it must not reach the
 * provider. The answer to a HEAD request goes without its content (RFC 9110 §9.3.2; DATA after it would make the
 * stream malformed, RFC 9113 §8.1.1): HTTP/1.1's codec drops it because it saw the method, which Netty's HTTP/2
 * conversion does not look at. Buffers pass through as the base class passes them; a HEAD answer's content is
 * released by the base class, which releases what it was handed.
 */
final class Http2StreamCodec extends Http2StreamFrameToHttpObjectCodec {
    private static final CharSequence STREAM_ID = HttpConversionUtil.ExtensionHeaderNames.STREAM_ID.text();

    /** The stream's request was HEAD: its answer carries headers only. */
    private boolean head;

    Http2StreamCodec() {
        super(true);
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, Http2StreamFrame frame, List<Object> out) throws Exception {
        super.decode(ctx, frame, out);
        for (Object decoded : out) {
            if (decoded instanceof HttpRequest request) {
                request.headers().remove(STREAM_ID);
                head = HttpMethod.HEAD.equals(request.method());
            }
        }
    }

    @Override
    protected void encode(ChannelHandlerContext ctx, HttpObject obj, List<Object> out) throws Exception {
        if (head && obj instanceof HttpContent content && content.content().isReadable()) {
            super.encode(ctx, content.replace(Unpooled.EMPTY_BUFFER), out);
        } else {
            super.encode(ctx, obj, out);
        }
    }
}
