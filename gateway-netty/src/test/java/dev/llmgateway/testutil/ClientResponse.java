package dev.llmgateway.testutil;

import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.EmptyHttpHeaders;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * What a client was written on an EmbeddedChannel without an HTTP codec since the last look: the response head
 * (status -1 when none came), each body piece as text, and whether the response ended. Every message read is
 * released.
 *
 * @param chunks one entry per {@link HttpContent} written, empty ones included
 */
public record ClientResponse(int status, HttpHeaders headers, List<String> chunks, boolean ended) {
    public static ClientResponse read(EmbeddedChannel channel) {
        int status = -1;
        HttpHeaders headers = EmptyHttpHeaders.INSTANCE;
        List<String> chunks = new ArrayList<>();
        boolean ended = false;
        for (Object msg; (msg = channel.readOutbound()) != null; ) {
            try {
                if (msg instanceof HttpResponse head) {
                    status = head.status().code();
                    headers = head.headers().copy();
                }
                if (msg instanceof HttpContent content) {
                    chunks.add(content.content().toString(StandardCharsets.UTF_8));
                    ended |= msg instanceof LastHttpContent;
                }
            } finally {
                ReferenceCountUtil.release(msg);
            }
        }
        return new ClientResponse(status, headers, List.copyOf(chunks), ended);
    }

    /** The body pieces joined. */
    public String body() {
        return String.join("", chunks);
    }

    /** The non-empty body pieces: what went out as chunks on the wire. */
    public List<String> nonEmptyChunks() {
        return chunks.stream().filter(chunk -> !chunk.isEmpty()).toList();
    }

    public String header(CharSequence name) {
        return headers.get(name);
    }
}
