package dev.llmgateway.upstream;

import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpResponse;

/** Receives one upstream response, from a pooled connection or the in-process mock; called on the exchange's loop. */
public interface UpstreamListener {
    void onResponseHead(HttpResponse head);

    /** Ownership of {@code content} moves to the listener. The last piece is a {@code LastHttpContent}. */
    void onResponseContent(HttpContent content);

    /**
     * One read from the provider is done: every piece it held has been handed in. A relay writes what those pieces
     * made at once — a provider sends each stream event as its own chunk, and a read often holds many.
     */
    default void onReadComplete() {
    }

    /** The upstream failed or closed before its response ended. */
    void onUpstreamFailure(Throwable cause);
}
