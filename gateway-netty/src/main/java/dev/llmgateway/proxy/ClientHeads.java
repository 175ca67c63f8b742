package dev.llmgateway.proxy;

import dev.llmgateway.exchange.Exchange;
import dev.llmgateway.dialect.ErrorResponses;
import dev.llmgateway.upstream.HopByHop;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;

/** The response heads both relays send: ids, who served, overhead, and the framing a stream needs. */
final class ClientHeads {
    static final String OVERHEAD_HEADER = "x-gateway-overhead-us";
    private static final String UPSTREAM_REQUEST_ID = "x-upstream-request-id";
    /** Anthropic's name for its request id header; OpenAI's is x-request-id. */
    private static final String ANTHROPIC_REQUEST_ID = "request-id";

    private ClientHeads() {
    }

    /**
     * The provider's head made the client's, in place (the head is the relay's from here on, and a copy of its
     * headers per response is what this saves): its end-to-end headers, the provider's request id kept aside.
     */
    static HttpResponse passedOn(Exchange exchange, HttpResponse upstream) {
        HttpHeaders headers = HopByHop.strip(upstream.headers());
        keepUpstreamId(headers, headers);
        upstream.setProtocolVersion(HttpVersion.HTTP_1_1);
        return identified(exchange, upstream);
    }

    /** A head the gateway writes itself (a translated answer): none of the provider's headers but its request id. */
    static HttpResponse made(Exchange exchange, HttpResponse upstream, HttpResponseStatus status) {
        HttpHeaders headers = new DefaultHttpHeaders();
        keepUpstreamId(upstream.headers(), headers);
        return identified(exchange, new DefaultHttpResponse(HttpVersion.HTTP_1_1, status, headers));
    }

    /** Makes {@code head} an SSE stream's head: no length, no caching or proxy buffering, chunked for HTTP/1.1. */
    static void eventStream(Exchange exchange, HttpResponse head) {
        head.headers().remove(HttpHeaderNames.CONTENT_LENGTH)
                .set(HttpHeaderNames.CACHE_CONTROL, HttpHeaderValues.NO_CACHE)
                .set("x-accel-buffering", "no");
        chunkedIfPossible(exchange, head);
    }

    /** HTTP/1.0 clients cannot take chunks: their body ends when the connection closes. */
    static void chunkedIfPossible(Exchange exchange, HttpResponse response) {
        if (exchange.request().protocolVersion().equals(HttpVersion.HTTP_1_1)) {
            HttpUtil.setTransferEncodingChunked(response, true);
        }
    }

    static String overheadMicros(Exchange exchange) {
        return Long.toString(exchange.overheadNanos() / 1000);
    }

    static boolean startsWithIgnoreCase(String value, String prefix) {
        return value != null && value.regionMatches(true, 0, prefix, 0, prefix.length());
    }

    private static void keepUpstreamId(HttpHeaders upstream, HttpHeaders client) {
        String upstreamId = upstream.get(ErrorResponses.REQUEST_ID_HEADER);
        if (upstreamId == null) {
            upstreamId = upstream.get(ANTHROPIC_REQUEST_ID);
        }
        if (upstreamId != null) {
            client.set(UPSTREAM_REQUEST_ID, upstreamId);
        }
    }

    private static HttpResponse identified(Exchange exchange, HttpResponse head) {
        exchange.dialect().identify(head.headers(), exchange.requestId());
        exchange.servedBy(head.headers());
        exchange.trace().respond(head.headers());
        return head;
    }
}
