package dev.llmgateway.upstream;

import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpStatusClass;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2Exception;
import io.netty.handler.codec.http2.Http2GoAwayFrame;
import io.netty.handler.codec.http2.Http2ResetFrame;
import io.netty.handler.codec.http2.HttpConversionUtil;
import io.netty.util.ReferenceCountUtil;

import java.io.IOException;

/**
 * Between an HTTP/2 stream's codec and its {@link UpstreamConnection}: makes the stream read like an HTTP/1
 * response. Interim (1xx) heads are dropped here (on h2 no body follows them); the codec's
 * {@code x-http2-stream-id} header is taken off the head, so it never reaches a client; and the provider's
 * RST_STREAM, or a GOAWAY that leaves this stream out, becomes the stream's failure — a
 * {@link RefusedStreamException} when the provider never processed the request. So does a request whose stream
 * the codec itself refuses to open because the provider's SETTINGS_MAX_CONCURRENT_STREAMS is reached (a limit the
 * provider lowered after the pool counted room): its HEADERS never left. Stateless, one per connection pool's
 * streams.
 *
 * <p>Ownership: a dropped interim head is released here; everything else is passed on. The GOAWAY a stream is told
 * of is a retained duplicate, released here.
 */
@ChannelHandler.Sharable
final class Http2StreamAdapter extends ChannelDuplexHandler {
    static final Http2StreamAdapter INSTANCE = new Http2StreamAdapter();
    private static final CharSequence STREAM_ID = HttpConversionUtil.ExtensionHeaderNames.STREAM_ID.text();

    private Http2StreamAdapter() {
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof HttpResponse head) {
            if (head.status().codeClass() == HttpStatusClass.INFORMATIONAL) {
                ReferenceCountUtil.release(msg);
                return;
            }
            head.headers().remove(STREAM_ID);
        }
        ctx.fireChannelRead(msg);
    }

    /** The request's head opens the stream: a refusal to open it is the codec's, before any byte was sent. */
    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
        if (!(msg instanceof HttpRequest) || promise.isVoid()) {
            ctx.write(msg, promise);
            return;
        }
        ctx.write(msg).addListener(written -> {
            if (written.isSuccess()) {
                promise.trySuccess();
            } else if (written.cause() instanceof Http2Exception.StreamException refused
                    && refused.error() == Http2Error.REFUSED_STREAM) {
                promise.tryFailure(new RefusedStreamException("the provider's stream limit is reached ("
                        + refused.getMessage() + "); the stream was not opened"));
            } else {
                promise.tryFailure(written.cause());
            }
        });
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object event) {
        if (event instanceof Http2ResetFrame reset) {
            ctx.fireExceptionCaught(reset.errorCode() == Http2Error.REFUSED_STREAM.code()
                    ? new RefusedStreamException("the provider refused the stream (RST_STREAM REFUSED_STREAM)")
                    : new IOException("the provider reset the stream (" + describe(reset.errorCode()) + ")"));
        } else if (event instanceof Http2GoAwayFrame goAway) {
            long code = goAway.errorCode();
            goAway.release();
            ctx.fireExceptionCaught(new RefusedStreamException("the provider is going away (GOAWAY "
                    + describe(code) + ") and did not process this stream"));
        } else {
            ctx.fireUserEventTriggered(event);
        }
    }

    private static String describe(long code) {
        Http2Error error = Http2Error.valueOf(code);
        return error == null ? "error " + code : error.name();
    }
}
