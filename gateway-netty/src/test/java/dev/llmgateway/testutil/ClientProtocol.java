package dev.llmgateway.testutil;

import java.net.http.HttpClient;

/** How {@link GatewayHarness}'s client speaks to the gateway's listener. */
public enum ClientProtocol {
    /** Plain HTTP/1.1, the listener without TLS. */
    HTTP_1_1(HttpClient.Version.HTTP_1_1, "http"),
    /** HTTP/2 by ALPN over the listener with {@code [server.tls]}: what a browser or an SDK over https negotiates. */
    HTTP_2(HttpClient.Version.HTTP_2, "https");

    private final HttpClient.Version version;
    private final String scheme;

    ClientProtocol(HttpClient.Version version, String scheme) {
        this.version = version;
        this.scheme = scheme;
    }

    public HttpClient.Version version() {
        return version;
    }

    public String scheme() {
        return scheme;
    }
}
