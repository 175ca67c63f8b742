package dev.llmgateway.server;

import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.codec.PrematureChannelClosureException;

import javax.net.ssl.SSLException;

import java.io.IOException;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Last handler of a client pipeline: every exception that no handler before it dealt with ends here, and the
 * connection is closed. Clients that reset, vanish mid-request or mid-response cause I/O errors by the thousand
 * (the hostile-input test makes about a thousand in a few seconds); those are logged at FINE, so a client cannot
 * flood the log. Anything else is a gateway bug and logged as a warning with its stack.
 */
@ChannelHandler.Sharable
public final class ConnectionErrorHandler extends ChannelInboundHandlerAdapter {
    private static final Logger LOG = Logger.getLogger(ConnectionErrorHandler.class.getName());

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (clientCaused(cause)) {
            LOG.log(Level.FINE, "client connection failed: " + cause);
        } else {
            LOG.log(Level.WARNING, "unexpected error on a client connection " + ctx.channel().remoteAddress(), cause);
        }
        ctx.close();
    }

    /**
     * Resets, writes to a closed connection, a close in the middle of a request body, and on a TLS listener plain
     * text or a handshake the client broke off (a scanner, a client that does not trust the certificate): the
     * handler reports those as a decoder failure caused by an {@link SSLException}.
     */
    private static boolean clientCaused(Throwable cause) {
        return cause instanceof IOException || cause instanceof PrematureChannelClosureException
                || cause instanceof DecoderException && cause.getCause() instanceof SSLException;
    }
}
