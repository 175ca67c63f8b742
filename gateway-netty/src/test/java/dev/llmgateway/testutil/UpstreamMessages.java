package dev.llmgateway.testutil;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;

import java.nio.charset.StandardCharsets;

/** A provider's response as the upstream HTTP codec decodes it: a head, then reads of the body. */
public final class UpstreamMessages {
    private UpstreamMessages() {
    }

    /** A response head; {@code headerPairs} are name, value, name, value... */
    public static HttpResponse head(int status, String contentType, String... headerPairs) {
        HttpResponse head = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.valueOf(status));
        head.headers().set(HttpHeaderNames.CONTENT_TYPE, contentType);
        for (int i = 0; i < headerPairs.length; i += 2) {
            head.headers().add(headerPairs[i], headerPairs[i + 1]);
        }
        return head;
    }

    /** One read of the body, in a fresh pooled direct buffer as a socket read is. */
    public static HttpContent content(String text) {
        return new DefaultHttpContent(bytes(text));
    }

    /** The body's last read. */
    public static HttpContent last(String text) {
        return new DefaultLastHttpContent(bytes(text));
    }

    private static ByteBuf bytes(String text) {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        return PooledByteBufAllocator.DEFAULT.directBuffer(bytes.length).writeBytes(bytes);
    }
}
