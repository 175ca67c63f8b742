package dev.llmgateway.server;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.handler.codec.http2.Http2HeadersFrame;
import io.netty.handler.codec.http2.Http2StreamFrame;
import io.netty.handler.codec.http2.Http2StreamFrameToHttpObjectCodec;
import io.netty.handler.codec.http2.HttpConversionUtil;

import java.util.List;
import java.util.Map;

/**
 * One HTTP/2 stream's frames as one HTTP request, and its response back as frames (Netty's codec: the response's
 * connection-specific fields — {@code connection}, {@code keep-alive}, {@code transfer-encoding}, ... — are left
 * out, a body goes as DATA frames, its last piece ends the stream). What the conversion adds for its own use, the
 * stream id as {@code x-http2-stream-id}, is taken off again: the client never sent it, so it must not reach the
 * provider. The answer to a HEAD request goes without its content (RFC 9110 §9.3.2; DATA after it would make the
 * stream malformed, RFC 9113 §8.1.1): HTTP/1.1's codec drops it because it saw the method, which Netty's HTTP/2
 * conversion does not look at. A request head whose header list (RFC 9113 §6.5.2: each field's name and value
 * plus 32 bytes) is over {@code max_header_bytes} is marked refused (431), so the endpoint handler answers it as
 * HTTP/1.1's oversized head is answered: in the client's shape, with a request id, counted as a refusal (the HTTP/2
 * codec lets a larger list through for this, {@link DownstreamPipeline}). Buffers pass through as the base class
 * passes them; a HEAD answer's content is released by the base class, which releases what it was handed.
 */
final class Http2StreamCodec extends Http2StreamFrameToHttpObjectCodec {
    private static final CharSequence STREAM_ID = HttpConversionUtil.ExtensionHeaderNames.STREAM_ID.text();

    /** What RFC 9113 counts for each field of a header list besides its name and value. */
    private static final int FIELD_OVERHEAD = 32;

    private final int maxHeaderBytes;
    /** The stream's request was HEAD: its answer carries headers only. */
    private boolean head;

    Http2StreamCodec(int maxHeaderBytes) {
        super(true);
        this.maxHeaderBytes = maxHeaderBytes;
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, Http2StreamFrame frame, List<Object> out) throws Exception {
        super.decode(ctx, frame, out);
        for (Object decoded : out) {
            if (decoded instanceof HttpRequest request) {
                request.headers().remove(STREAM_ID);
                head = HttpMethod.HEAD.equals(request.method());
                if (frame instanceof Http2HeadersFrame headers && listSize(headers.headers()) > maxHeaderBytes) {
                    RequestRefusal.refuse(request, RequestRefusal.headersTooLarge());
                }
            }
        }
    }

    private static long listSize(Http2Headers headers) {
        long size = 0;
        for (Map.Entry<CharSequence, CharSequence> field : headers) {
            size += field.getKey().length() + field.getValue().length() + FIELD_OVERHEAD;
        }
        return size;
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
