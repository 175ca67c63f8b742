package dev.llmgateway.tls;

import dev.llmgateway.config.TlsEngine;
import io.netty.handler.ssl.ApplicationProtocolConfig;
import io.netty.handler.ssl.OpenSsl;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;

import javax.net.ssl.SSLException;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.logging.Logger;

/**
 * The TLS engine of the process and the {@link SslContext}s made with it. {@code auto} takes Netty's OpenSSL engine
 * (BoringSSL, from netty-tcnative) when its native library loads: handshakes and record encryption cost a fraction
 * of the JDK engine's, and it keeps a client session cache. Otherwise the JDK's engine serves, and the log says why.
 * Client contexts verify the peer's certificate chain (the JVM trust store, or the CAs given) and its host name
 * (endpoint identification "HTTPS"); both engines resume sessions for handlers made with the peer's host and port
 * ({@code newHandler(alloc, host, port)}), so one context must serve every connection to a provider.
 */
public final class TlsContexts {
    private static final Logger LOG = Logger.getLogger(TlsContexts.class.getName());

    private final SslProvider provider;

    private TlsContexts(SslProvider provider) {
        this.provider = provider;
    }

    /** The engine {@code wanted} names, logged with the reason; {@code openssl} fails when the library cannot load. */
    public static TlsContexts choose(TlsEngine wanted) {
        return switch (wanted) {
            case JDK -> jdk("server.tls_engine = \"jdk\"");
            case OPENSSL -> {
                if (!OpenSsl.isAvailable()) {
                    throw new IllegalStateException("server.tls_engine = \"openssl\" but the OpenSSL engine cannot "
                            + "load here: " + OpenSsl.unavailabilityCause());
                }
                yield openSsl();
            }
            case AUTO -> OpenSsl.isAvailable() ? openSsl()
                    : jdk("the OpenSSL engine cannot load here: " + OpenSsl.unavailabilityCause());
        };
    }

    private static TlsContexts openSsl() {
        LOG.info("TLS engine: OpenSSL (" + OpenSsl.versionString() + ")");
        return new TlsContexts(SslProvider.OPENSSL);
    }

    private static TlsContexts jdk(String why) {
        LOG.info("TLS engine: JDK (" + why + ")");
        return new TlsContexts(SslProvider.JDK);
    }

    /** {@code openssl} or {@code jdk}. */
    public String engine() {
        return provider == SslProvider.JDK ? "jdk" : "openssl";
    }

    /**
     * A client context: the peer's chain must lead to one of {@code trusted} (empty: the JVM trust store) and its
     * certificate name the host the handler was made for. {@code alpn} lists the protocols offered, most wanted
     * first; empty: no ALPN extension.
     */
    public SslContext client(List<X509Certificate> trusted, List<String> alpn) throws SSLException {
        SslContextBuilder builder = SslContextBuilder.forClient()
                .sslProvider(provider)
                .endpointIdentificationAlgorithm("HTTPS")
                .applicationProtocolConfig(protocols(alpn));
        if (!trusted.isEmpty()) {
            builder.trustManager(trusted);
        }
        return builder.build();
    }

    /** A server context presenting {@code chain} (leaf first) with {@code key}, offering {@code alpn} (empty: none). */
    public SslContext server(PrivateKey key, List<X509Certificate> chain, List<String> alpn) throws SSLException {
        return SslContextBuilder.forServer(key, chain)
                .sslProvider(provider)
                .applicationProtocolConfig(protocols(alpn))
                .build();
    }

    /** Both engines support only this selection behaviour: a peer with no protocol in common goes on without ALPN. */
    private static ApplicationProtocolConfig protocols(List<String> alpn) {
        return alpn.isEmpty() ? ApplicationProtocolConfig.DISABLED : new ApplicationProtocolConfig(
                ApplicationProtocolConfig.Protocol.ALPN,
                ApplicationProtocolConfig.SelectorFailureBehavior.NO_ADVERTISE,
                ApplicationProtocolConfig.SelectedListenerFailureBehavior.ACCEPT,
                alpn);
    }
}
