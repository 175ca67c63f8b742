package dev.llmgateway.proxy;

import dev.llmgateway.proxy.UpstreamFaults.Api;
import dev.llmgateway.proxy.UpstreamFaults.Case;
import dev.llmgateway.testutil.FaultyProvider;
import dev.llmgateway.testutil.GatewayHarness;
import dev.llmgateway.testutil.JsonPath;
import dev.llmgateway.testutil.SseEvents;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Thousands of generated provider responses ({@link UpstreamFaults}: valid, truncated at a random byte, framing
 * mutated — status line, headers, chunk sizes, lengths —, closed early or reset, dripped, over-long lines) through
 * the real gateway on every kind of route: same API and translated, a body and a stream, OpenAI and Anthropic
 * clients. Each client outcome must be the correct answer, or — only after a fault — an error in the client's API
 * shape (a 502/504 before the head, the dialect's error event after it), a body cut by closing where a body was
 * already passed on, or exactly the body the provider's own framing delimited. Never a wrong or truncated 200, a
 * clean end after a fault, a closed connection without an answer, or a wait past the configured timeouts; and a
 * connection the provider left broken is never given another request. Leak detection (paranoid) runs after.
 *
 * <p>Fixed seed; {@code -Dfaults.iterations=N} (default {@value #DEFAULT_ITERATIONS}) and {@code -Dfaults.seed=S}
 * for a long run by hand (past ten minutes, with {@code -Djunit.jupiter.execution.timeout.mode=disabled}: each
 * request stays bounded by the client's read timeout). The figures per fault class and outcome are printed at the
 * end.
 */
@Timeout(value = 10, unit = TimeUnit.MINUTES)
class UpstreamFaultFuzzTest {
    private static final int DEFAULT_ITERATIONS = 2000;
    private static final int MAX_SSE_EVENT_BYTES = 64 * 1024;
    /**
     * The gateway's provider timeouts. A provider that falls silent after its head costs a case the idle timeout;
     * the first byte gets longer, for a gateway whose code is not compiled yet on a loaded machine.
     */
    private static final Duration FIRST_BYTE_TIMEOUT = Duration.ofSeconds(1);
    private static final Duration IDLE_TIMEOUT = Duration.ofMillis(300);
    /** Longer than any answer may take: first byte, then idle, then slack for a loaded machine. */
    private static final int MAX_ANSWER_MILLIS = (int) (FIRST_BYTE_TIMEOUT.toMillis() + IDLE_TIMEOUT.toMillis())
            + 4_000;
    private static final int CLIENT_READ_TIMEOUT_MILLIS = MAX_ANSWER_MILLIS + 4_000;

    /** How the client reached the gateway and which provider answered. */
    enum Route {
        OPENAI_BODY(Api.OPENAI, Api.OPENAI, false),
        OPENAI_STREAM(Api.OPENAI, Api.OPENAI, true),
        ANTHROPIC_BODY(Api.ANTHROPIC, Api.ANTHROPIC, false),
        ANTHROPIC_STREAM(Api.ANTHROPIC, Api.ANTHROPIC, true),
        OPENAI_TO_ANTHROPIC_BODY(Api.OPENAI, Api.ANTHROPIC, false),
        OPENAI_TO_ANTHROPIC_STREAM(Api.OPENAI, Api.ANTHROPIC, true),
        ANTHROPIC_TO_OPENAI_BODY(Api.ANTHROPIC, Api.OPENAI, false),
        ANTHROPIC_TO_OPENAI_STREAM(Api.ANTHROPIC, Api.OPENAI, true);

        final Api client;
        final Api provider;
        final boolean stream;

        Route(Api client, Api provider, boolean stream) {
            this.client = client;
            this.provider = provider;
            this.stream = stream;
        }

        boolean translated() {
            return client != provider;
        }
    }

    /** What the client saw, classified. The first five are the allowed ones (the last three only after a fault). */
    enum Outcome {
        /** The correct answer. */
        ANSWER,
        /** The correct stream answer, its end marker, then an error event for a fault after the end. */
        ANSWER_THEN_ERROR_EVENT,
        /** 502/504 in the client's shape, before the head. */
        ERROR,
        /** A stream ended by the client dialect's error event, after a prefix of the answer. */
        ERROR_EVENT,
        /** A body passed on as the provider framed it (its own length, or its close). */
        PROVIDER_FRAMED,
        /** A body already passed on, cut by closing: the client sees an incomplete response, not a complete one. */
        CUT_BODY,
        WRONG_ANSWER,
        STREAM_CUT_WITHOUT_ERROR_EVENT,
        NO_RESPONSE,
        HANG,
        TOO_SLOW;

        boolean allowedAfterFault() {
            return ordinal() <= CUT_BODY.ordinal();
        }
    }

    /** What came back on the client's socket. */
    private record Seen(int status, Map<String, String> headers, byte[] body, boolean complete, boolean timedOut,
                        long millis) {
        String text() {
            return new String(body, StandardCharsets.UTF_8);
        }
    }

    private volatile Case current;
    /** Connections a case left broken and open: the gateway must not send another request on any of them. */
    private final Set<Integer> tainted = ConcurrentHashMap.newKeySet();
    private final List<String> reusedBroken = new CopyOnWriteArrayList<>();

    @Test
    void everyUpstreamFaultEndsInTheAnswerOrAnErrorInTheClientsShape() throws Exception {
        int iterations = Integer.getInteger("faults.iterations", DEFAULT_ITERATIONS);
        long seed = Long.getLong("faults.seed", 20251207L);
        UpstreamFaults faults = new UpstreamFaults(seed, MAX_SSE_EVENT_BYTES);
        Map<String, Map<Outcome, Integer>> figures = new TreeMap<>();
        List<String> failures = new ArrayList<>();
        long start = System.nanoTime();
        try (FaultyProvider provider = new FaultyProvider(this::answer);
             GatewayHarness gateway = GatewayHarness.start(config(provider.baseUrl()))) {
            for (int i = 0; i < iterations && failures.size() < 5; i++) {
                Route route = Route.values()[faults.nextInt(Route.values().length)];
                Case planned = faults.next(route.provider, route.stream);
                current = planned;
                Seen seen = call(gateway.port(), route);
                Outcome outcome = classify(route, planned, seen);
                figures.computeIfAbsent(planned.fault().name(), f -> new TreeMap<>()).merge(outcome, 1, Integer::sum);
                boolean allowed = planned.valid() ? outcome == Outcome.ANSWER : outcome.allowedAfterFault();
                if (!allowed) {
                    failures.add(describe(i, route, planned, seen, outcome));
                }
            }
            assertTrue(provider.scriptFailures().isEmpty(), provider.scriptFailures().toString());
        }
        long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        System.out.println("upstream faults: seed " + seed + ", " + iterations + " iterations in " + millis + " ms");
        figures.forEach((fault, outcomes) -> System.out.println("  " + fault + " " + outcomes));
        assertEquals(List.of(), failures, "seed " + seed);
        assertEquals(List.of(), reusedBroken, "requests sent on connections a fault left broken");
    }

    private static String config(String baseUrl) {
        return UpstreamFaults.config(baseUrl, """
                max_attempts = 1
                first_byte_timeout = "%dms"
                idle_timeout = "%dms"
                max_sse_event_bytes = %d
                breaker_failures = 1000000
                breaker_min_requests = 1000000
                """.formatted(FIRST_BYTE_TIMEOUT.toMillis(), IDLE_TIMEOUT.toMillis(), MAX_SSE_EVENT_BYTES), """

                [access_log]
                enabled = false
                """);
    }

    /** The provider's side: the current case's bytes, then the connection as the case says. */
    private void answer(FaultyProvider.Request request, FaultyProvider.Answer answer)
            throws IOException, InterruptedException {
        if (tainted.contains(request.connection())) {
            reusedBroken.add("connection " + request.connection() + " got request " + request.sequence());
        }
        Case planned = current;
        if (planned.drip()) {
            int piece = Math.max(1, planned.wire().length / 40);
            answer.drip(planned.wire(), piece, Duration.ofMillis(1));
        } else {
            answer.send(planned.wire());
        }
        switch (planned.after()) {
            case CLOSE -> answer.close();
            case RESET -> answer.reset();
            case KEEP -> {
                if (planned.taints()) {
                    tainted.add(request.connection());
                }
            }
        }
    }

    private static Seen call(int port, Route route) throws IOException {
        String model = UpstreamFaults.model(route.provider);
        String json = route.client == Api.OPENAI
                ? "{\"model\":\"" + model + "\"," + (route.stream
                ? "\"stream\":true,\"stream_options\":{\"include_usage\":true}," : "")
                + "\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}"
                : "{\"model\":\"" + model + "\",\"max_tokens\":64," + (route.stream ? "\"stream\":true," : "")
                + "\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";
        byte[] body = json.getBytes(StandardCharsets.UTF_8);
        String path = route.client == Api.OPENAI ? "/v1/chat/completions" : "/v1/messages";
        String auth = route.client == Api.OPENAI ? "authorization: Bearer " + GatewayHarness.KEY
                : "x-api-key: " + GatewayHarness.KEY + "\r\nanthropic-version: 2023-06-01";
        String head = "POST " + path + " HTTP/1.1\r\nhost: gateway\r\n" + auth + "\r\ncontent-type: application/json"
                + "\r\ncontent-length: " + body.length + "\r\n\r\n";
        long start = System.nanoTime();
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), 5000);
            socket.setSoTimeout(CLIENT_READ_TIMEOUT_MILLIS);
            OutputStream out = socket.getOutputStream();
            out.write(head.getBytes(StandardCharsets.ISO_8859_1));
            out.write(body);
            out.flush();
            return read(socket.getInputStream(), start);
        }
    }

    /** One response, leniently: whatever came, whether its framing completed, and whether the wait ran out. */
    private static Seen read(InputStream in, long start) throws IOException {
        int status = -1;
        Map<String, String> headers = new TreeMap<>();
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        boolean complete = false;
        boolean timedOut = false;
        try {
            String statusLine = line(in);
            if (statusLine != null) {
                status = Integer.parseInt(statusLine.split(" ")[1]);
                for (String header; (header = line(in)) != null && !header.isEmpty(); ) {
                    int colon = header.indexOf(':');
                    headers.put(header.substring(0, colon).trim().toLowerCase(Locale.ROOT),
                            header.substring(colon + 1).trim());
                }
                complete = readBody(in, headers, body);
            }
        } catch (SocketTimeoutException e) {
            timedOut = true;
        } catch (IOException closed) {
            // a reset: what came is what the client has
        }
        return new Seen(status, headers, body.toByteArray(), complete, timedOut,
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start));
    }

    private static boolean readBody(InputStream in, Map<String, String> headers, ByteArrayOutputStream body)
            throws IOException {
        if (headers.containsKey("content-length")) {
            int length = Integer.parseInt(headers.get("content-length"));
            byte[] bytes = in.readNBytes(length);
            body.writeBytes(bytes);
            return bytes.length == length;
        }
        if (!"chunked".equalsIgnoreCase(headers.get("transfer-encoding"))) {
            body.writeBytes(in.readAllBytes());
            return true;
        }
        for (String size; (size = line(in)) != null; ) {
            int length = Integer.parseInt(size.trim(), 16);
            if (length == 0) {
                return line(in) != null;
            }
            byte[] bytes = in.readNBytes(length);
            body.writeBytes(bytes);
            if (bytes.length < length || line(in) == null) {
                return false;
            }
        }
        return false;
    }

    /** A line without its CRLF, or null at end of stream. */
    private static String line(InputStream in) throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        for (int b; (b = in.read()) != -1; ) {
            if (b == '\n') {
                String text = line.toString(StandardCharsets.ISO_8859_1);
                return text.endsWith("\r") ? text.substring(0, text.length() - 1) : text;
            }
            line.write(b);
        }
        return null;
    }

    private static Outcome classify(Route route, Case planned, Seen seen) {
        if (seen.timedOut()) {
            return Outcome.HANG;
        }
        if (seen.status() < 0) {
            return Outcome.NO_RESPONSE;
        }
        if (seen.millis() > MAX_ANSWER_MILLIS) {
            return Outcome.TOO_SLOW;
        }
        boolean streamed = seen.status() / 100 == 2 && seen.headers().getOrDefault("content-type", "")
                .startsWith("text/event-stream");
        if (streamed) {
            Outcome outcome = route.stream && seen.status() == planned.status()
                    ? classifyStream(route, planned, seen) : Outcome.WRONG_ANSWER;
            // A flipped byte can leave a stream delimited by the close (its chunk framing now content) or give it
            // another 2xx status: passed on to the end, those events are what the provider framed (judging their
            // content is not framing's job).
            boolean asFramed = planned.fault() == UpstreamFaults.Fault.BYTE_FLIP && !route.translated()
                    && seen.status() == wireStatus(planned) && seen.complete() && endsWith(planned.wire(), seen.body());
            return outcome.allowedAfterFault() || !asFramed ? outcome : Outcome.PROVIDER_FRAMED;
        }
        if (!seen.complete()) {
            // Only a body passed on as it comes can be cut: a provider error of the client's own API, or (a flipped
            // content type) a 200 that is no JSON. A JSON 200 is gathered, and a translated answer made whole.
            boolean passedOn = !route.translated() && seen.status() == planned.status()
                    && (seen.status() != 200 || planned.fault() == UpstreamFaults.Fault.BYTE_FLIP);
            return passedOn ? Outcome.CUT_BODY : Outcome.WRONG_ANSWER;
        }
        if ((seen.status() == 502 || seen.status() == 504) && isClientError(route.client, seen.text())) {
            return Outcome.ERROR;
        }
        if (isAnswer(route, planned, seen)) {
            return Outcome.ANSWER;
        }
        return providerFramed(route, planned, seen) ? Outcome.PROVIDER_FRAMED : Outcome.WRONG_ANSWER;
    }

    private static boolean isAnswer(Route route, Case planned, Seen seen) {
        if (seen.status() != planned.status()) {
            return false;
        }
        if (!route.translated()) {
            return Arrays.equals(planned.body(), seen.body());
        }
        return planned.status() == 200 ? planned.text().equals(answerText(route.client, seen.text()))
                : isClientError(route.client, seen.text()) && planned.text().equals(read(seen.text(), "error",
                "message"));
    }

    /** Same API only: the body exactly as the provider's framing delimited it (the gateway cannot know better). */
    private static boolean providerFramed(Route route, Case planned, Seen seen) {
        if (seen.status() != (planned.fault() == UpstreamFaults.Fault.BYTE_FLIP ? wireStatus(planned)
                : planned.status())) {
            return false;
        }
        if (route.translated()) {
            // A flipped status digit can make a valid error status: translated, an error of the client's API.
            return planned.fault() == UpstreamFaults.Fault.BYTE_FLIP && seen.status() >= 400
                    && isClientError(route.client, seen.text());
        }
        if (planned.framedBody() != null) {
            return Arrays.equals(planned.framedBody(), seen.body());
        }
        // A flipped framing byte can make any valid framing of the provider's bytes: a run of what it sent.
        return planned.fault() == UpstreamFaults.Fault.BYTE_FLIP
                && indexOf(planned.wire(), seen.body(), planned.headLength() - 2) >= 0;
    }

    /** The status the provider's (possibly flipped) status line names, or -1. */
    private static int wireStatus(Case planned) {
        String line = new String(planned.wire(), 0, Math.min(planned.wire().length, 16), StandardCharsets.ISO_8859_1);
        return line.startsWith("HTTP/1.1 ") && line.length() >= 12 && line.substring(9, 12).chars()
                .allMatch(Character::isDigit) ? Integer.parseInt(line.substring(9, 12)) : -1;
    }

    private static Outcome classifyStream(Route route, Case planned, Seen seen) {
        StringBuilder text = new StringBuilder();
        boolean ended = false;
        boolean errorAfterEnd = false;
        boolean errorEvent = false;
        for (SseEvents.Event event : SseEvents.parse(seen.text())) {
            boolean error = route.client == Api.OPENAI ? !event.data().equals("[DONE]")
                    && has(event.data(), "error", "message") : "error".equals(event.name());
            if (error) {
                errorEvent = true;
                errorAfterEnd |= ended;
            } else if (ended) {
                return Outcome.WRONG_ANSWER; // anything but an error after the end marker
            } else if (route.client == Api.OPENAI) {
                if (event.data().equals("[DONE]")) {
                    ended = true;
                } else {
                    String delta = read(event.data(), "choices", "0", "delta", "content");
                    text.append(delta == null ? "" : delta);
                }
            } else if ("message_stop".equals(event.name())) {
                ended = true;
            } else if ("content_block_delta".equals(event.name())) {
                text.append(read(event.data(), "delta", "text"));
            }
        }
        if (ended) {
            if (!text.toString().equals(planned.text()) || errorEvent && !errorAfterEnd) {
                return Outcome.WRONG_ANSWER;
            }
            return errorEvent ? Outcome.ANSWER_THEN_ERROR_EVENT : Outcome.ANSWER;
        }
        if (!errorEvent) {
            return Outcome.STREAM_CUT_WITHOUT_ERROR_EVENT;
        }
        return planned.text().startsWith(text.toString()) ? Outcome.ERROR_EVENT : Outcome.WRONG_ANSWER;
    }

    private static boolean isClientError(Api client, String body) {
        return client == Api.OPENAI ? has(body, "error", "message") && has(body, "error", "type")
                : "error".equals(read(body, "type")) && has(body, "error", "type") && has(body, "error", "message");
    }

    private static String answerText(Api client, String body) {
        return client == Api.OPENAI ? read(body, "choices", "0", "message", "content")
                : read(body, "content", "0", "text");
    }

    private static boolean has(String json, String... path) {
        return read(json, path) != null;
    }

    /** The scalar at {@code path}, or null when it is absent or the text is no JSON. */
    private static String read(String json, String... path) {
        try {
            return JsonPath.read(json, path);
        } catch (UncheckedIOException | IllegalStateException notJson) {
            return null;
        }
    }

    private static boolean endsWith(byte[] bytes, byte[] suffix) {
        return suffix.length <= bytes.length
                && Arrays.equals(bytes, bytes.length - suffix.length, bytes.length, suffix, 0, suffix.length);
    }

    private static int indexOf(byte[] haystack, byte[] needle, int from) {
        outer:
        for (int i = Math.max(0, from); i + needle.length <= haystack.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }

    private static String describe(int iteration, Route route, Case planned, Seen seen, Outcome outcome) {
        String sent = new String(planned.wire(), 0, Math.min(planned.wire().length, 6000), StandardCharsets.ISO_8859_1);
        String got = seen.text().length() > 6000 ? seen.text().substring(0, 6000) + "..." : seen.text();
        return "#" + iteration + " " + route + " " + planned.label() + " (after: " + planned.after() + ") → " + outcome
                + "\n  provider sent: " + sent.replace("\r", "\\r").replace("\n", "\\n")
                + "\n  client got: " + seen.status() + " " + seen.headers() + " complete=" + seen.complete()
                + " in " + seen.millis() + " ms: " + got.replace("\r", "\\r").replace("\n", "\\n");
    }
}
