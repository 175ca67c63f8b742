package dev.llmgateway.server;

import io.netty.channel.ChannelHandlerContext;
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
 * provider. Buffers pass through as the base class passes them.
 */
final class Http2StreamCodec extends Http2StreamFrameToHttpObjectCodec {
    private static final CharSequence STREAM_ID = HttpConversionUtil.ExtensionHeaderNames.STREAM_ID.text();

    Http2StreamCodec() {
        super(true);
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, Http2StreamFrame frame, List<Object> out) throws Exception {
        super.decode(ctx, frame, out);
        for (Object decoded : out) {
            if (decoded instanceof HttpRequest request) {
                request.headers().remove(STREAM_ID);
            }
        }
    }
}
