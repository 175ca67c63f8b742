package dev.llmgateway.upstream;

import java.io.IOException;

/**
 * The provider refused an HTTP/2 stream before processing it: RST_STREAM with REFUSED_STREAM, or a GOAWAY whose
 * last stream id is below the stream's (RFC 9113 §8.7). The request was never acted on, so it may be sent again as
 * freely as a request on a stale keep-alive connection.
 */
public final class RefusedStreamException extends IOException {
    public RefusedStreamException(String reason) {
        super(reason);
    }
}
