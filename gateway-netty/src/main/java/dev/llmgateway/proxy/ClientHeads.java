package dev.llmgateway.proxy;

import dev.llmgateway.cost.Usd;
import dev.llmgateway.exchange.Exchange;
import dev.llmgateway.dialect.ErrorResponses;
import dev.llmgateway.json.SecretScrubber;
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

import java.util.HashSet;
import java.util.Iterator;
import java.util.Map;
import java.util.Set;

/** The response heads both relays send: ids, who served, overhead, and the framing a stream needs. */
final class ClientHeads {
    static final String OVERHEAD_HEADER = "x-gateway-overhead-us";
    static final String COST_HEADER = "x-gateway-cost-usd";
    private static final String UPSTREAM_REQUEST_ID = "x-upstream-request-id";
    /** Anthropic's name for its request id header; OpenAI's is x-request-id. */
    private static final String ANTHROPIC_REQUEST_ID = "request-id";

    private ClientHeads() {
    }

    /**
     * The provider's head made the client's, in place (the head is the relay's from here on, and a copy of its
     * headers per response is what this saves): its end-to-end headers, the provider's request id kept aside.
     */
    static HttpResponse passedOn(Exchange exchange, HttpResponse upstream, SecretScrubber keys) {
        HttpHeaders headers = HopByHop.strip(upstream.headers());
        maskKeys(headers, keys);
        keepUpstreamId(headers, headers, keys);
        upstream.setProtocolVersion(HttpVersion.HTTP_1_1);
        return identified(exchange, upstream);
    }

    /** A head the gateway writes itself (a translated answer): none of the provider's headers but its request id. */
    static HttpResponse made(Exchange exchange, HttpResponse upstream, HttpResponseStatus status,
                             SecretScrubber keys) {
        HttpHeaders headers = new DefaultHttpHeaders();
        keepUpstreamId(upstream.headers(), headers, keys);
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

    /** What the answer costs ({@link #COST_HEADER}, USD), when its model has a price and its usage is known. */
    static void cost(Exchange exchange, HttpHeaders headers) {
        long cost = exchange.cost();
        if (cost >= 0 && exchange.usage().reported()) {
            headers.set(COST_HEADER, Usd.format(cost));
        }
    }

    static String overheadMicros(Exchange exchange) {
        return Long.toString(exchange.overheadNanos() / 1000);
    }

    static boolean startsWithIgnoreCase(String value, String prefix) {
        return value != null && value.regionMatches(true, 0, prefix, 0, prefix.length());
    }

    private static void keepUpstreamId(HttpHeaders upstream, HttpHeaders client, SecretScrubber keys) {
        String upstreamId = upstream.get(ErrorResponses.REQUEST_ID_HEADER);
        if (upstreamId == null) {
            upstreamId = upstream.get(ANTHROPIC_REQUEST_ID);
        }
        if (upstreamId != null) {
            client.set(UPSTREAM_REQUEST_ID, keys.scrub(upstreamId));
        }
    }

    /** The provider's keys masked in every header value (a compatible server may echo the one it was sent). */
    private static void maskKeys(HttpHeaders headers, SecretScrubber keys) {
        if (keys.isEmpty()) {
            return;
        }
        Set<String> names = null;
        for (Iterator<Map.Entry<CharSequence, CharSequence>> it = headers.iteratorCharSequence(); it.hasNext(); ) {
            Map.Entry<CharSequence, CharSequence> header = it.next();
            String value = header.getValue().toString();
            if (keys.scrub(value) != value) {
                if (names == null) {
                    names = new HashSet<>();
                }
                names.add(header.getKey().toString());
            }
        }
        if (names != null) {
            // After the walk, each name once: a header sent twice keeps both its values, masked.
            for (String name : names) {
                headers.set(name, headers.getAll(name).stream().map(keys::scrub).toList());
            }
        }
    }

    private static HttpResponse identified(Exchange exchange, HttpResponse head) {
        exchange.dialect().identify(head.headers(), exchange.requestId());
        exchange.servedBy(head.headers());
        exchange.trace().respond(head.headers());
        return head;
    }
}
