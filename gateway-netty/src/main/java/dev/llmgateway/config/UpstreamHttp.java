package dev.llmgateway.config;

/**
 * Which HTTP a provider is spoken to ({@code [providers.X] http}): {@code "auto"} offers h2 by ALPN on https and
 * takes HTTP/1.1 when the provider does not choose it (plain http stays HTTP/1.1); {@code "2"} is h2 only (h2c with
 * prior knowledge on http, ALPN {@code h2} required on https); {@code "1.1"} is HTTP/1.1 only.
 */
public enum UpstreamHttp {
    AUTO("auto"), HTTP_1_1("1.1"), HTTP_2("2");

    public final String tomlName;

    UpstreamHttp(String tomlName) {
        this.tomlName = tomlName;
    }

    /** The value of a TOML name, or null. */
    static UpstreamHttp named(String text) {
        for (UpstreamHttp http : values()) {
            if (http.tomlName.equals(text)) {
                return http;
            }
        }
        return null;
    }
}
