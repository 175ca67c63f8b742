package dev.llmgateway.server;

import dev.llmgateway.dialect.ApiError;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;

import java.util.Iterator;

/**
 * The rules of HTTP/1.1 (RFC 9112) for a request head that the codec leaves to the server, checked on each head as
 * it is decoded, right after the codec:
 * <ul>
 * <li>the version: HTTP/1.x is served (HTTP/1.0 included; a higher minor version as HTTP/1.1, RFC 9110 §6.2);
 * another major version (an HTTP/2 preface, {@code HTTP/9.9}) → 505; a protocol that is not HTTP → 400;</li>
 * <li>the transfer codings: only {@code chunked} is implemented, any other ({@code gzip, chunked}, {@code foo}) →
 * 501 (§6.1) — also when the codec already failed the head for it, which it calls a 400;</li>
 * <li>{@code Host}: an HTTP/1.1 request without one, any request with two, or one that is not a host and port →
 * 400 (§3.2);</li>
 * <li>an absolute-form target ({@code POST http://gateway/v1/chat/completions}) is turned into the origin form
 * the rest of the pipeline routes by, its authority becoming {@code Host} (§3.2.2).</li>
 * </ul>
 * A refused head is marked ({@link RequestRefusal}) and goes on: the endpoint handler answers it in order and
 * closes, and nothing after it on the connection is served. Stateless and shared; a conforming head costs a few
 * comparisons.
 */
@ChannelHandler.Sharable
public final class RequestConformance extends ChannelInboundHandlerAdapter {
    private static final String CHUNKED = "chunked";
    /** Bytes of an unknown transfer coding named in the answer. */
    private static final int MAX_CODING_SHOWN = 40;

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof HttpRequest head) {
            ApiError refusal = refusal(head);
            if (refusal != null) {
                RequestRefusal.refuse(head, refusal);
            }
        }
        ctx.fireChannelRead(msg);
    }

    /** Why the head is refused, or null; an absolute-form target is rewritten on the way. */
    static ApiError refusal(HttpRequest head) {
        HttpVersion version = head.protocolVersion();
        if (version != HttpVersion.HTTP_1_1 && version != HttpVersion.HTTP_1_0) {
            if (!"HTTP".equals(version.protocolName())) {
                return RequestRefusal.notHttp();
            }
            if (version.majorVersion() != 1) {
                return ApiError.httpVersionNotSupported(version.text());
            }
        }
        HttpHeaders headers = head.headers();
        if (headers.contains(HttpHeaderNames.TRANSFER_ENCODING)) {
            String unknown = unknownTransferCoding(headers);
            if (unknown != null) {
                return ApiError.transferCodingNotImplemented(unknown);
            }
        }
        if (head.decoderResult().isFailure()) {
            // The codec's own reason stands; what it read of the head may be incomplete.
            return null;
        }
        Iterator<String> hosts = headers.valueStringIterator(HttpHeaderNames.HOST);
        if (hosts.hasNext() ? !isHostAndPort(hosts.next()) || hosts.hasNext() : version.minorVersion() >= 1) {
            return ApiError.malformedRequest(HttpResponseStatus.BAD_REQUEST,
                    "An HTTP/1.1 request needs exactly one Host header with a host and an optional port.");
        }
        String uri = head.uri();
        if (!uri.isEmpty() && uri.charAt(0) != '/') {
            return toOriginForm(head, uri);
        }
        return null;
    }

    /** The first coding that is not chunked, cut to a length fit to show; null when there is none. */
    private static String unknownTransferCoding(HttpHeaders headers) {
        for (Iterator<String> values = headers.valueStringIterator(HttpHeaderNames.TRANSFER_ENCODING);
             values.hasNext(); ) {
            for (String coding : values.next().split(",")) {
                String name = coding.strip();
                if (!name.isEmpty() && !name.equalsIgnoreCase(CHUNKED)) {
                    return name.length() <= MAX_CODING_SHOWN ? name : name.substring(0, MAX_CODING_SHOWN) + "...";
                }
            }
        }
        return null;
    }

    /**
     * {@code http://authority/path?query} → {@code /path?query} with {@code Host: authority}; an authority that is
     * not a host and port (a user name, nothing) is refused. Other forms (asterisk, authority) are left to routing,
     * which knows no such path.
     */
    private static ApiError toOriginForm(HttpRequest head, String uri) {
        int schemeEnd = uri.regionMatches(true, 0, "http://", 0, 7) ? 7
                : uri.regionMatches(true, 0, "https://", 0, 8) ? 8 : -1;
        if (schemeEnd < 0) {
            return null;
        }
        int pathStart = schemeEnd;
        while (pathStart < uri.length() && uri.charAt(pathStart) != '/' && uri.charAt(pathStart) != '?') {
            pathStart++;
        }
        String authority = uri.substring(schemeEnd, pathStart);
        if (authority.isEmpty() || !isHostAndPort(authority)) {
            return ApiError.malformedRequest(HttpResponseStatus.BAD_REQUEST,
                    "The request target's authority is not a host and an optional port.");
        }
        String rest = uri.substring(pathStart);
        head.setUri(rest.isEmpty() || rest.charAt(0) == '?' ? "/" + rest : rest);
        head.headers().set(HttpHeaderNames.HOST, authority);
        return null;
    }

    /**
     * {@code uri-host [":" port]} (RFC 3986): registered-name, IPv4 and IP-literal characters; empty is allowed
     * (a target without an authority). No user name, no space, no control character.
     */
    private static boolean isHostAndPort(String value) {
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            boolean allowed = c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
                    || "-._~!$&'()*+,;=%:[]".indexOf(c) >= 0;
            if (!allowed) {
                return false;
            }
        }
        return true;
    }
}
