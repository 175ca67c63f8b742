package dev.llmgateway.upstream;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.util.AsciiString;

import java.util.List;

/** Headers that describe one connection, not the message (RFC 9110 §7.6.1): a proxy never forwards them. */
public final class HopByHop {
    static final List<AsciiString> NAMES = List.of(
            HttpHeaderNames.CONNECTION, HttpHeaderNames.KEEP_ALIVE, AsciiString.cached("proxy-connection"),
            HttpHeaderNames.TE, HttpHeaderNames.TRAILER, HttpHeaderNames.TRANSFER_ENCODING, HttpHeaderNames.UPGRADE,
            HttpHeaderNames.PROXY_AUTHORIZATION, HttpHeaderNames.PROXY_AUTHENTICATE);

    private HopByHop() {
    }

    /** Removes the hop-by-hop headers, including any that {@code Connection} names. */
    public static HttpHeaders strip(HttpHeaders headers) {
        strip(headers, headers);
        for (AsciiString name : NAMES) {
            headers.remove(name);
        }
        return headers;
    }

    /** Removes from {@code headers} those that the {@code Connection} header of {@code message} names. */
    static void strip(HttpHeaders headers, HttpHeaders message) {
        for (String named : message.getAll(HttpHeaderNames.CONNECTION)) {
            for (String token : named.split(",")) {
                headers.remove(token.trim());
            }
        }
    }
}
