package dev.llmgateway.accesslog;

import dev.llmgateway.config.ConfigLoader;
import dev.llmgateway.server.GatewayServer;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;

/** A gateway with one event loop on the built-in mock provider, writing to a given access log. */
final class MockGateway implements AutoCloseable {
    private final GatewayServer server;
    private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private final HttpRequest request;

    /** The server closes {@code log} when it stops. */
    MockGateway(AccessLog log) throws Exception {
        server = GatewayServer.start(ConfigLoader.parse("""
                [server]
                host = "127.0.0.1"
                port = 0
                io_threads = 1

                [[api_keys]]
                name = "tester"
                key = "mock-key-0123456789"

                [providers.mock]
                type = "mock"
                tokens = 2
                token_delay = "0ms"

                [routing]
                default_provider = "mock"
                """, "mock.toml", Map.of()), log);
        request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + "/v1/chat/completions"))
                .header("authorization", "Bearer mock-key-0123456789")
                .header("content-type", "application/json")
                .timeout(Duration.ofSeconds(5))
                .POST(HttpRequest.BodyPublishers.ofString("{\"model\":\"m\",\"messages\":[]}")).build();
    }

    /** One chat completion; returns its status. */
    int send() throws IOException, InterruptedException {
        return client.send(request, HttpResponse.BodyHandlers.discarding()).statusCode();
    }

    @Override
    public void close() {
        server.close();
    }
}
