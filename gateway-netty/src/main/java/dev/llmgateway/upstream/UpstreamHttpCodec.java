package dev.llmgateway.upstream;

import io.netty.channel.CombinedChannelDuplexHandler;
import io.netty.handler.codec.http.DefaultHttpHeadersFactory;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpRequestEncoder;
import io.netty.handler.codec.http.HttpResponseDecoder;
import io.netty.util.ByteProcessor;

/**
 * HTTP/1.1 on one provider connection: requests out, responses in. Responses are decoded strictly (RFC 9112 §6.3):
 * Transfer-Encoding with Content-Length, or Content-Lengths that differ, make the response a decoder failure, as do
 * a bad status line, bad chunk framing, over-long lines and header values with control bytes (RFC 9110 §5.5: a
 * proxy would pass them on to its clients); identical repeated Content-Lengths count as one. The
 * decoder marks a failure on the message ({@code decoderResult()}), which {@link UpstreamConnection} turns into
 * an upstream failure.
 *
 * <p>It can also say whether bytes other than line ends follow the response just decoded
 * ({@link #bytesPastResponse}): a provider that sent more than its framing announced has left the connection in an
 * unknown state, so it must not carry another request. The gateway only sends POSTs, so no response is bodiless
 * because of its request's method (a plain response decoder suffices, without the client codec's HEAD tracking).
 */
public final class UpstreamHttpCodec extends CombinedChannelDuplexHandler<UpstreamHttpCodec.ResponseDecoder,
        HttpRequestEncoder> {
    private static final int MAX_RESPONSE_HEADER_BYTES = 65536;

    public UpstreamHttpCodec() {
        super(new ResponseDecoder(new HttpDecoderConfig()
                .setMaxHeaderSize(MAX_RESPONSE_HEADER_BYTES)
                .setHeadersFactory(DefaultHttpHeadersFactory.headersFactory().withValueValidation(true))
                .setStrictLineParsing(true)
                .setUseRfc9112TransferEncoding(true)
                .setAllowDuplicateContentLengths(true)), new HttpRequestEncoder());
    }

    /** True when the bytes read past the response just decoded hold more than line ends. */
    boolean bytesPastResponse() {
        return inboundHandler().bytesPastMessage();
    }

    /** The response half; public only because the codec's type names it. */
    public static final class ResponseDecoder extends HttpResponseDecoder {
        ResponseDecoder(HttpDecoderConfig config) {
            super(config);
        }

        boolean bytesPastMessage() {
            return internalBuffer().forEachByte(ByteProcessor.FIND_NON_CRLF) >= 0;
        }
    }
}
