package dev.llmgateway.server;

import dev.llmgateway.testutil.GatewayHarness;
import dev.llmgateway.testutil.RawHttpClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Hostile input against a real gateway with small limits: thousands of malformed requests and connections
 * (fixed seed, so a failure names a case that replays), each on its own connection. Every response the gateway
 * sends must be well-formed HTTP with a status that refuses rather than fails (4xx for garbage; 501 and 505 refuse
 * what HTTP/1.1 lets a server refuse: an unknown transfer coding, another HTTP version); the server must answer or
 * close every connection within its timeouts, and a connection that got an answer is never reset (refusals close
 * lingering); afterwards it still serves, and paranoid leak detection (the JUnit
 * extension) finds nothing. Plus the explicit rules: 100-continue, chunked bodies, early 413 for an oversized chunked
 * body.
 * HTTP/1.1 only: the malformed requests are HTTP/1.1 bytes written by hand.
 */
class HostileInputTest {
    private static final long SEED = 20261122L;
    private static final int CASES = 3000;
    private static final String CHAT = "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";
    private static final Pattern STATUS_LINE = Pattern.compile("HTTP/1\\.[01] (\\d{3})(?: .*)?");
    private static GatewayHarness gateway;

    @BeforeAll
    static void start() throws Exception {
        gateway = GatewayHarness.start("""
                max_request_bytes = 4096
                max_header_bytes = 1024
                max_initial_line_bytes = 1024
                header_read_timeout = "200ms"
                body_read_timeout = "200ms"
                idle_timeout = "200ms"
                """, """
                [[api_keys]]
                name = "tester"
                key = "%s"

                [providers.mock]
                type = "mock"
                tokens = 3
                token_delay = "0ms"

                [routing]
                default_provider = "mock"
                """.formatted(GatewayHarness.KEY), Map.of());
    }

    @AfterAll
    static void stop() {
        gateway.close();
    }

    private static String post(String framing) {
        return "POST /v1/chat/completions HTTP/1.1\r\nHost: g\r\nAuthorization: Bearer " + GatewayHarness.KEY
                + "\r\nContent-Type: application/json\r\n" + framing + "\r\n";
    }

    @Test
    void expectContinueGets100ThenTheAnswer() throws Exception {
        try (RawHttpClient client = new RawHttpClient(gateway.port())) {
            client.send(post("Expect: 100-continue\r\nContent-Length: " + CHAT.length() + "\r\n"));
            assertEquals(100, client.readHead().status());
            RawHttpClient.Response answer = client.send(CHAT).read();
            assertEquals(200, answer.status(), answer.body());
            assertTrue(answer.body().contains("chat.completion"), answer.body());
        }
    }

    @Test
    void aChunkedRequestBodyIsAccepted() throws Exception {
        String first = CHAT.substring(0, 10);
        String rest = CHAT.substring(10);
        try (RawHttpClient client = new RawHttpClient(gateway.port())) {
            RawHttpClient.Response answer = client.send(post("Transfer-Encoding: chunked\r\n")
                    + Integer.toHexString(first.length()) + "\r\n" + first + "\r\n"
                    + Integer.toHexString(rest.length()) + ";note=split\r\n" + rest + "\r\n0\r\n\r\n").read();
            assertEquals(200, answer.status(), answer.body());
            assertTrue(answer.body().contains("chat.completion"), answer.body());
        }
    }

    @Test
    void anOversizedChunkedBodyGets413BeforeItIsReadWhole() throws Exception {
        try (RawHttpClient client = new RawHttpClient(gateway.port())) {
            // 5000 bytes over a 4096-byte limit, and the body never ends: only an early refusal answers this.
            client.send(post("Transfer-Encoding: chunked\r\n") + ("3E8\r\n" + "x".repeat(1000) + "\r\n").repeat(5));
            RawHttpClient.Response answer = client.read();
            assertEquals(413, answer.status(), answer.body());
            assertTrue(answer.body().contains("request_too_large"), answer.body());
            assertTrue(client.closedByServer());
        }
    }

    @Test
    void thousandsOfHostileConnectionsAreRefusedNeverResetAndTheServerStillServes() throws Exception {
        HostileCases cases = new HostileCases(GatewayHarness.KEY);
        Random random = new Random(SEED);
        List<HostileCases.Case> all = new ArrayList<>();
        for (int i = 0; i < CASES; i++) {
            all.add(cases.next(i, random));
        }
        ExecutorService clients = Executors.newFixedThreadPool(16);
        List<Future<List<Integer>>> results = new ArrayList<>();
        WarningRecorder warnings = WarningRecorder.on("io.netty", "dev.llmgateway");
        try {
            for (HostileCases.Case c : all) {
                results.add(clients.submit(() -> run(c)));
            }
            Map<HostileCases.Kind, Integer> kinds = new EnumMap<>(HostileCases.Kind.class);
            Map<HostileCases.Ending, Integer> endings = new EnumMap<>(HostileCases.Ending.class);
            Map<Integer, Integer> statuses = new TreeMap<>();
            for (int i = 0; i < all.size(); i++) {
                HostileCases.Case c = all.get(i);
                kinds.merge(c.kind(), 1, Integer::sum);
                endings.merge(c.ending(), 1, Integer::sum);
                for (int status : results.get(i).get(30, TimeUnit.SECONDS)) {
                    statuses.merge(status, 1, Integer::sum);
                    assertTrue(status >= 100 && status < 500 || status == 501 || status == 505,
                            "status " + status + " for " + c.describe());
                    if (c.kind() == HostileCases.Kind.GARBAGE) {
                        assertTrue(status >= 400, "garbage gets 4xx, not " + status + ": " + c.describe());
                    }
                }
            }
            System.out.println("hostile input: " + CASES + " connections by kind " + kinds + ", ended by "
                    + endings + "; statuses answered " + statuses);
        } finally {
            clients.shutdownNow();
            warnings.close();
        }
        assertEquals(List.of(), warnings.messages(), "no unexpected exceptions, and no log flood from clients");
        awaitOnlyOneConnectionOpen();
        assertEquals(200, gateway.get("/health", null).statusCode());
        assertEquals(200, gateway.post("/v1/chat/completions", CHAT).statusCode());
        String stream = gateway.post("/v1/chat/completions",
                "{\"model\":\"m\",\"stream\":true,\"messages\":[]}").body();
        assertTrue(stream.contains("data: [DONE]"), stream);
    }

    /** Every hostile connection was closed and counted out: only the scrape's own connection stays. Bounded: 5 s. */
    private static void awaitOnlyOneConnectionOpen() throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        String scrape;
        do {
            Thread.sleep(50);
            try (RawHttpClient client = new RawHttpClient(gateway.port())) {
                scrape = client.send("GET /metrics HTTP/1.1\r\nHost: g\r\n\r\n").read().body();
            }
        } while (!scrape.contains("llm_connections_open 1.0") && System.nanoTime() < deadline);
        assertTrue(scrape.contains("llm_connections_open 1.0"), scrape);
    }

    /** Sends one case on a fresh connection; returns the statuses of the responses received. */
    private static List<Integer> run(HostileCases.Case c) throws IOException {
        ByteArrayOutputStream received = new ByteArrayOutputStream();
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", gateway.port()), 2000);
            socket.setSoTimeout(5000);
            try {
                socket.getOutputStream().write(c.bytes());
                socket.getOutputStream().flush();
            } catch (IOException closedWhileSending) {
                // closed idle just before the first bytes came (idle_timeout is 200 ms here): nothing was answered
            }
            if (c.ending() == HostileCases.Ending.RESET) {
                socket.setSoLinger(true, 0);
                return List.of();
            }
            if (c.ending() == HostileCases.Ending.SHUTDOWN_OUTPUT && !socket.isOutputShutdown()) {
                try {
                    socket.shutdownOutput();
                } catch (IOException alreadyClosed) {
                    // nothing to half-close
                }
            }
            readUntilClosed(socket.getInputStream(), received, c);
        }
        return statuses(received.toByteArray(), c);
    }

    private static void readUntilClosed(InputStream in, ByteArrayOutputStream received, HostileCases.Case c)
            throws IOException {
        byte[] buffer = new byte[8192];
        try {
            int n;
            while ((n = in.read(buffer)) != -1) {
                received.write(buffer, 0, n);
            }
        } catch (SocketTimeoutException hung) {
            fail("the server neither answered nor closed within 5 s: " + c.describe());
        } catch (IOException reset) {
            // A connection closed idle just as its first bytes came is reset with nothing answered; an answered
            // request whose connection then closes is never reset: refusals close lingering.
            if (received.size() > 0) {
                fail("reset after an answer (" + reset.getMessage() + "): " + c.describe());
            }
        }
    }

    /** Parses the responses in {@code bytes}; a response cut off at the end (the connection closed) is allowed. */
    private static List<Integer> statuses(byte[] bytes, HostileCases.Case c) {
        String text = new String(bytes, StandardCharsets.ISO_8859_1);
        List<Integer> statuses = new ArrayList<>();
        int at = 0;
        while (at < text.length()) {
            int headEnd = text.indexOf("\r\n\r\n", at);
            if (headEnd < 0) {
                break;
            }
            String[] lines = text.substring(at, headEnd).split("\r\n");
            Matcher statusLine = STATUS_LINE.matcher(lines[0]);
            assertTrue(statusLine.matches(), "not an HTTP status line: '" + lines[0] + "' for " + c.describe());
            int status = Integer.parseInt(statusLine.group(1));
            statuses.add(status);
            long length = -1;
            boolean chunked = false;
            for (int i = 1; i < lines.length; i++) {
                String line = lines[i].toLowerCase();
                if (line.startsWith("content-length:")) {
                    length = Long.parseLong(line.substring(15).trim());
                } else if (line.startsWith("transfer-encoding:") && line.contains("chunked")) {
                    chunked = true;
                }
            }
            at = headEnd + 4;
            if (status / 100 == 1 || status == 204 || status == 304) {
                continue;
            }
            if (chunked) {
                int end = text.indexOf("\r\n0\r\n\r\n", at - 2);
                at = end < 0 ? text.length() : end + 7;
            } else {
                at = length < 0 ? text.length() : (int) Math.min(text.length(), at + length);
            }
        }
        return statuses;
    }
}
