package dev.llmgateway.upstream;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.util.ReferenceCountUtil;

import java.io.IOException;

/**
 * One pooled keep-alive connection to a provider, and the last handler of its pipeline: it hands the response
 * to the exchange that currently holds the connection. Lives on the event loop of its pool.
 * Ownership: response messages go to the bound listener; anything arriving while no exchange holds the
 * connection is released and the connection closed (a provider must not talk unasked).
 */
public final class UpstreamConnection extends ChannelInboundHandlerAdapter implements UpstreamSession {
    /** Where a connection goes when its exchange is done with it: its pool. */
    public interface Owner {
        void release(UpstreamConnection connection, boolean reusable);
    }

    private final Owner owner;
    private Channel channel;
    private UpstreamListener listener;
    private Throwable failure;
    private long idleSinceNanos;
    private boolean reused;
    private boolean returned;

    public UpstreamConnection(Owner owner) {
        this.owner = owner;
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
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        UpstreamListener current = listener;
        if (current == null) {
            ReferenceCountUtil.release(msg);
            ctx.close();
            return;
        }
        if (msg instanceof HttpResponse head) {
            current.onResponseHead(head);
        }
        if (msg instanceof HttpContent content) {
            current.onResponseContent(content);
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
        if (failure == null) {
            failure = cause;
        }
        ctx.close();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        UpstreamListener current = listener;
        listener = null;
        if (current != null) {
            current.onUpstreamFailure(failure != null ? failure
                    : new IOException("connection closed by the provider before the response ended"));
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
            owner.release(this, reusable);
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
