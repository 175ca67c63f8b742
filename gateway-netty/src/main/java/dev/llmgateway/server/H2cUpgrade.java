package dev.llmgateway.server;

import io.netty.handler.codec.http.DefaultHttpHeadersFactory;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpServerUpgradeHandler;
import io.netty.handler.codec.http.HttpUtil;

/**
 * HTTP/1.1 {@code Upgrade: h2c} (RFC 7540 §3.2; deprecated by RFC 9113 but still sent by some clients, curl's
 * {@code --http2} among them): a request without a body that asks for it is answered {@code 101 Switching Protocols}
 * and served as stream 1 of the HTTP/2 connection that follows. A request with a body keeps HTTP/1.1 and its
 * {@code Upgrade} is ignored (RFC 9110 §7.8 lets a server ignore it): upgrading it would mean gathering its body
 * here, outside the body limit, the key check before the body and their answers. Anything else passes through
 * untouched. Only the connection's first request may upgrade it (as curl and Go's client ask): once one has been
 * served on HTTP/1.1 this handler takes itself out, so the requests after it on a keep-alive connection do not pay
 * for an aggregator that only passes them on, and a later {@code Upgrade: h2c} is ignored like one with a body.
 * Netty's base class gathers the (empty) upgrade request and owns it until it hands it on.
 */
final class H2cUpgrade extends HttpServerUpgradeHandler {
    H2cUpgrade(SourceCodec codec, UpgradeCodecFactory http2) {
        super(codec, http2, 0, DefaultHttpHeadersFactory.headersFactory(),
                DefaultHttpHeadersFactory.trailersFactory(), true);
    }

    @Override
    protected boolean shouldHandleUpgradeRequest(HttpRequest request) {
        return request.decoderResult().isSuccess()
                && !request.headers().contains(HttpHeaderNames.TRANSFER_ENCODING)
                && HttpUtil.getContentLength(request, 0L) == 0;
    }
}
