package dev.llmgateway.upstream;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;

import java.io.IOException;

/**
 * One pooled keep-alive connection to a provider, and the last handler of its pipeline: it hands the response
 * to the exchange that currently holds the connection. Lives on the event loop of its pool. On HTTP/2 it is the last
 * handler of one stream's channel instead ({@link Http2Connection}), which reads like a connection that carries a
 * single request: closing it resets the stream.
 *
 * <p>A response that cannot be read as HTTP — the decoder marked it failed (status line, headers, conflicting
 * lengths, chunk framing), its status is no final status, or its body has a transfer coding other than chunked — is
 * a {@link MalformedResponseException} for the exchange, never a response or a clean end, and the connection
 * closes at once. Interim 1xx responses are skipped. A connection whose provider sent bytes past the end of its
 * response is not reused.
 *
 * <p>Ownership: response messages go to the bound listener; a malformed one, an interim one and anything arriving
 * while no exchange holds the connection are released here (then the connection closes: a provider must not talk
 * unasked).
 */
public final class UpstreamConnection extends ChannelInboundHandlerAdapter implements UpstreamSession {
    /** Where a connection goes when its exchange is done with it: its pool. */
    public interface Owner {
        void release(UpstreamConnection connection, boolean reusable);
    }

    private final Owner owner;
    private Channel channel;
    private UpstreamListener listener;
    private long idleSinceNanos;
    private UpstreamHttpCodec codec;
    private boolean reused;
    private boolean returned;
    /** Between an interim (1xx) response head and its end, which are dropped. */
    private boolean inInterim;
    /** The provider sent more than its response: the connection cannot carry another request. */
    private boolean bytesPastResponse;

    public UpstreamConnection(Owner owner) {
        this(owner, false);
    }

    /** @param reused the request goes on a connection that carried others before (an HTTP/2 stream's) */
    UpstreamConnection(Owner owner, boolean reused) {
        this.owner = owner;
        this.reused = reused;
    }

    public Channel channel() {
        return channel;
    }

    @Override
    public boolean reused() {
        return reused;
    }

    @Override
    public void send(FullHttpRequest request, UpstreamListener listener) {
        this.listener = listener;
        this.returned = false;
        this.bytesPastResponse = false;
        channel.writeAndFlush(request).addListener(written -> {
            if (!written.isSuccess() && this.listener == listener) {
                this.listener = null;
                listener.onUpstreamFailure(written.cause());
            }
        });
    }

    /** Called by the owner when the connection goes idle. */
    public void parked(long nowNanos) {
        listener = null;
        idleSinceNanos = nowNanos;
        reused = true;
    }

    long idleSinceNanos() {
        return idleSinceNanos;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        channel = ctx.channel();
        codec = ctx.pipeline().get(UpstreamHttpCodec.class); // none on an HTTP/2 stream: its framing is the codec's
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        UpstreamListener current = listener;
        if (current == null) {
            ReferenceCountUtil.release(msg);
            ctx.close();
            return;
        }
        if (msg instanceof HttpObject decoded && decoded.decoderResult().isFailure()) {
            ReferenceCountUtil.release(msg);
            fail(ctx, new MalformedResponseException(decoded.decoderResult().cause()));
            return;
        }
        if (msg instanceof HttpResponse head) {
            int status = head.status().code();
            String unusable = unusable(head);
            if (status >= 100 && status < 200 && status != 101) {
                inInterim = true; // 100 Continue, 103 Early Hints: the final response follows
            } else if (unusable == null) {
                current.onResponseHead(head);
            } else {
                ReferenceCountUtil.release(msg);
                fail(ctx, new MalformedResponseException(unusable));
                return;
            }
        }
        if (msg instanceof HttpContent content) {
            boolean last = content instanceof LastHttpContent;
            if (inInterim) {
                inInterim = !last;
                content.release();
                return;
            }
            if (last && codec != null && codec.bytesPastResponse()) {
                bytesPastResponse = true;
            }
            current.onResponseContent(content);
        }
    }

    /** Why a head the decoder took cannot start a final response, or null. */
    private static String unusable(HttpResponse head) {
        int status = head.status().code();
        if (status < 200 || status > 599) {
            return "status " + status;
        }
        String coding = head.headers().get(HttpHeaderNames.TRANSFER_ENCODING);
        if (coding != null && !HttpHeaderValues.CHUNKED.contentEqualsIgnoreCase(coding.trim())) {
            // A body in a coding the gateway cannot undo (gzip, or one it does not know and would read to the close).
            return "a transfer coding other than chunked";
        }
        return null;
    }

    /**
     * The response failed: the exchange hears it now, before anything the close may still bring out of the decoder
     * (a body delimited by the close would seem to end), and the connection closes first, so nothing can hand it to
     * another request.
     */
    private void fail(ChannelHandlerContext ctx, Throwable cause) {
        UpstreamListener current = listener;
        listener = null;
        ctx.close();
        if (current != null) {
            current.onUpstreamFailure(cause);
        }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        UpstreamListener current = listener;
        if (current != null) {
            current.onReadComplete();
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        fail(ctx, cause);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        UpstreamListener current = listener;
        listener = null;
        if (current != null) {
            current.onUpstreamFailure(new IOException("connection closed by the provider before the response ended"));
        }
        super.channelInactive(ctx);
    }

    @Override
    public void pauseReading() {
        channel.config().setAutoRead(false);
    }

    @Override
    public void resumeReading() {
        channel.config().setAutoRead(true);
    }

    @Override
    public void finish(boolean reusable) {
        if (!returned) {
            returned = true;
            listener = null;
            channel.config().setAutoRead(true);
            owner.release(this, reusable && !bytesPastResponse);
        }
    }

    @Override
    public void abort() {
        if (!returned) {
            returned = true;
            listener = null;
            channel.close();
        }
    }
}
