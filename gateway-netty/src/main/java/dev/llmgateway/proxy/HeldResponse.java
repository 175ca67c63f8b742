package dev.llmgateway.proxy;

import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.CompositeByteBuf;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.LastHttpContent;

/**
 * An upstream error response kept back from the client until it is whole, so the proxy can decide whether to
 * retry it (then its connection is reused, and it is kept until the next attempt is made, to be passed on if none
 * can be) or pass it on (then it is replayed into the relay), and can read the body of a 429 for
 * {@code insufficient_quota}. Error bodies are small; one over
 * {@link #MAX_HELD_BYTES} is passed on instead of held.
 * Ownership: every content added is owned here until {@link #replay} hands it to the relay or {@link #release}.
 */
final class HeldResponse {
    static final int MAX_HELD_BYTES = 64 * 1024;

    private final HttpResponse head;
    private final CompositeByteBuf body;
    private boolean complete;

    HeldResponse(HttpResponse head, ByteBufAllocator alloc) {
        this.head = head;
        this.body = alloc.compositeBuffer(Integer.MAX_VALUE);
    }

    HttpResponse head() {
        return head;
    }

    CompositeByteBuf body() {
        return body;
    }

    boolean complete() {
        return complete;
    }

    /** Takes the content; false when the body is now too large to hold any longer. */
    boolean add(HttpContent content) {
        body.addComponent(true, content.content());
        complete = content instanceof LastHttpContent;
        return complete || body.readableBytes() <= MAX_HELD_BYTES;
    }

    /** Sends what is held through the relay; the rest of an incomplete body follows as it arrives. */
    void replay(Relay relay) {
        relay.head(head);
        relay.content(complete ? new DefaultLastHttpContent(body) : new DefaultHttpContent(body));
    }

    void release() {
        body.release();
    }
}
