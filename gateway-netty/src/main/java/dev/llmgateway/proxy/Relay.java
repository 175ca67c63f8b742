package dev.llmgateway.proxy;

import dev.llmgateway.dialect.ApiError;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.LastHttpContent;

/**
 * Relays one upstream answer to the client: as it is ({@link ResponseRelay}), or translated into the client's
 * dialect ({@link TranslatingRelay}). Runs on the exchange's event loop. Ownership: every {@link HttpContent}
 * handed in is written to the client or released by the relay.
 */
interface Relay {
    /** Hears that the response reached the client whole. */
    interface Ended {
        void responseEnded(boolean upstreamReusable);
    }

    void head(HttpResponse upstream);

    void content(HttpContent content);

    /** True once the client has been sent the response head: from then on a failure cannot become a 502. */
    boolean started();

    /** The status the client was (or is being) sent. */
    int status();

    /**
     * The upstream broke after the client got the head: a stream gets an error event in the client's dialect and a
     * clean end, then the connection closes; any other body is cut off by closing, which the client sees as a
     * truncated response rather than a complete one.
     */
    void failMidResponse(ApiError error);

    /** Frees whatever is held; for exchanges that end without this relay finishing. */
    void discard();

    /** Ends a stream the client has the head of (its error event already written), then closes the connection. */
    static void endStreamAndClose(Channel downstream) {
        downstream.writeAndFlush(LastHttpContent.EMPTY_LAST_CONTENT).addListener(ChannelFutureListener.CLOSE);
    }
}
