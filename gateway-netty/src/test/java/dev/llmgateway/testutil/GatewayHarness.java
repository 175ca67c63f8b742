package dev.llmgateway.testutil;

import dev.llmgateway.config.ConfigException;
import dev.llmgateway.config.ConfigLoader;
import dev.llmgateway.config.GatewayConfig;
import dev.llmgateway.server.GatewayServer;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;

/**
 * A real gateway on 127.0.0.1 (ephemeral port) from a TOML text, and a real HTTP client to talk to it in the
 * {@link ClientProtocol} asked for: HTTP/1.1 in plain text, or HTTP/2 by ALPN over TLS with a certificate the client
 * trusts, every answer from the listener checked to have come in that protocol.
 */
public final class GatewayHarness implements AutoCloseable {
    public static final String KEY = "test-key-0123456789";

    private final GatewayServer server;
    private final ClientProtocol protocol;
    private final HttpClient client;

    private GatewayHarness(GatewayServer server, ClientProtocol protocol) {
        this.server = server;
        this.protocol = protocol;
        this.client = newClient();
    }

    /**
     * Starts a gateway; {@code toml} holds everything but [server], which gets an ephemeral local port, one event
     * loop, and {@code serverLines}.
     */
    public static GatewayHarness start(String serverLines, String toml, Map<String, String> env)
            throws ConfigException, InterruptedException {
        return start(ClientProtocol.HTTP_1_1, serverLines, toml, env);
    }

    /** {@link #start(String, String, Map)} with a client speaking {@code protocol} (HTTP/2: the listener gets TLS). */
    public static GatewayHarness start(ClientProtocol protocol, String serverLines, String toml,
                                       Map<String, String> env) throws ConfigException, InterruptedException {
        String full = """
                [server]
                host = "127.0.0.1"
                port = 0
                io_threads = 1
                """ + serverLines + "\n" + tlsLines(protocol) + toml;
        return new GatewayHarness(GatewayServer.start(ConfigLoader.parse(full, "test.toml", env)), protocol);
    }

    /** Starts a gateway for a config loaded by the test (e.g. from a file it later rewrites). */
    public static GatewayHarness start(GatewayConfig config) throws InterruptedException {
        return new GatewayHarness(GatewayServer.start(config), ClientProtocol.HTTP_1_1);
    }

    public static GatewayHarness start(String toml) throws ConfigException, InterruptedException {
        return start(ClientProtocol.HTTP_1_1, toml);
    }

    public static GatewayHarness start(ClientProtocol protocol, String toml)
            throws ConfigException, InterruptedException {
        return start(protocol, "", toml, Map.of());
    }

    /** HTTP/2 comes by ALPN on a TLS listener, with the certificate {@link #newClient} trusts. */
    private static String tlsLines(ClientProtocol protocol) {
        if (protocol == ClientProtocol.HTTP_1_1) {
            return "";
        }
        TestCertificates.Issued certificate = TestCertificates.localhost();
        return """
                [server.tls]
                cert = "%s"
                key = "%s"

                """.formatted(certificate.certFile(), certificate.keyFile());
    }

    /** The usual test config: one key, one OpenAI-compatible provider at {@code upstreamBaseUrl}. */
    public static String openAiConfig(String upstreamBaseUrl, String extra) {
        return openAiConfig(upstreamBaseUrl, "", extra);
    }

    /** The usual test config with {@code keyLines} (settings such as a budget) in the key's table. */
    public static String openAiConfig(String upstreamBaseUrl, String keyLines, String extra) {
        return """
                [[api_keys]]
                name = "tester"
                key = "%s"
                %s

                [providers.up]
                type = "openai_compatible"
                base_url = "%s"
                api_keys = ["sk-upstream-secret"]
                """.formatted(KEY, keyLines, upstreamBaseUrl) + extra;
    }

    /** {@link #openAiConfig} with every model routed to that provider. */
    public static String routedTo(String upstreamBaseUrl, String extra) {
        return openAiConfig(upstreamBaseUrl, """

                [routing]
                default_provider = "up"

                """ + extra);
    }

    /**
     * One key and a provider of each API type other than OpenAI's own, all but the mock at {@code upstreamBase}
     * (a fake provider's {@code http://127.0.0.1:port}), one attempt each, with an alias each: {@code claude-sonnet}
     * (anthropic), {@code gemini-flash} (gemini), {@code llama} (openai_compatible), {@code demo} (mock).
     */
    public static String everyProviderType(String upstreamBase, String extra) {
        return """
                [[api_keys]]
                name = "tester"
                key = "%s"

                [providers.claude]
                type = "anthropic"
                base_url = "%s/v1"
                api_keys = ["sk-ant-upstream"]
                max_attempts = 1

                [providers.gem]
                type = "gemini"
                base_url = "%s/v1beta"
                api_keys = ["gm-upstream"]
                max_attempts = 1

                [providers.local]
                type = "openai_compatible"
                base_url = "%s/v1"
                api_keys = ["sk-local"]
                max_attempts = 1

                [providers.mock]
                type = "mock"
                tokens = 4
                token_delay = "1ms"

                [models."claude-sonnet"]
                provider = "claude"
                api_model = "claude-sonnet-4-5-20250929"

                [models."gemini-flash"]
                provider = "gem"
                api_model = "gemini-2.5-flash"

                [models."llama"]
                provider = "local"
                api_model = "llama3.1"

                [models."demo"]
                provider = "mock"
                api_model = "mock-model-1"
                """.formatted(KEY, upstreamBase, upstreamBase, upstreamBase) + extra;
    }

    /** One key and the built-in mock as the default provider: a gateway that needs no provider on the network. */
    public static String mockConfig(String extra) {
        return """
                [[api_keys]]
                name = "tester"
                key = "%s"

                [providers.mock]
                type = "mock"

                [routing]
                default_provider = "mock"
                """.formatted(KEY) + extra;
    }

    public GatewayServer server() {
        return server;
    }

    public int port() {
        return server.port();
    }

    public int adminPort() {
        return server.adminPort();
    }

    public ClientProtocol protocol() {
        return protocol;
    }

    public URI uri(String path) {
        return URI.create(protocol.scheme() + "://127.0.0.1:" + port() + path);
    }

    /** A client of its own (connections of its own) speaking the harness's protocol, its answers checked as well. */
    public HttpClient newClient() {
        HttpClient.Builder builder = HttpClient.newBuilder().version(protocol.version())
                .connectTimeout(Duration.ofSeconds(5));
        if (protocol == ClientProtocol.HTTP_2) {
            builder.sslContext(TestCertificates.trustingCa());
        }
        return new VersionCheckingClient(builder.build(), port());
    }

    public HttpClient client() {
        return client;
    }

    /**
     * A raw HTTP/1.1 connection to the listener, for a test about HTTP/1.1 framing in a class run over both protocols:
     * over TLS when the harness speaks HTTP/2, where the raw client offers no ALPN and so gets HTTP/1.1.
     */
    public RawHttpClient rawHttp1() throws IOException {
        return new RawHttpClient(port(), protocol == ClientProtocol.HTTP_2 ? TestCertificates.trustingCa() : null);
    }

    public HttpRequest.Builder request(String path) {
        return HttpRequest.newBuilder(uri(path)).timeout(Duration.ofSeconds(20));
    }

    public HttpResponse<String> post(String path, String json) throws IOException, InterruptedException {
        return client.send(request(path)
                .header("authorization", "Bearer " + KEY)
                .header("content-type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json)).build(), HttpResponse.BodyHandlers.ofString());
    }

    /**
     * {@link #post} on a connection of its own, for an answer after which the gateway closes the connection (a stream
     * cut mid-way): a shared client would pool that connection and could send the next request on it just as the
     * gateway closes it.
     */
    public HttpResponse<String> postAlone(String path, String json) throws IOException, InterruptedException {
        return newClient().send(request(path)
                .header("authorization", "Bearer " + KEY)
                .header("content-type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json)).build(), HttpResponse.BodyHandlers.ofString());
    }

    public HttpResponse<InputStream> postStreaming(String path, String json) throws IOException, InterruptedException {
        return client.send(request(path)
                .header("authorization", "Bearer " + KEY)
                .header("content-type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json)).build(), HttpResponse.BodyHandlers.ofInputStream());
    }

    public HttpResponse<String> get(String path, String key) throws IOException, InterruptedException {
        HttpRequest.Builder builder = request(path).GET();
        if (key != null) {
            builder.header("authorization", "Bearer " + key);
        }
        return client.send(builder.build(), HttpResponse.BodyHandlers.ofString());
    }

    /** Drains the server as SIGTERM does; blocks up to {@code timeout} plus a short grace. */
    public boolean drain(Duration timeout) throws InterruptedException {
        return server.drain(timeout);
    }

    @Override
    public void close() {
        server.close();
    }
}
