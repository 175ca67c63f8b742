package dev.llmgateway.accesslog;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@link BodyCapture}: named for the build's AccessLog* test filter. */
class AccessLogBodyCaptureTest {
    private static final JsonFactory JSON = new JsonFactory();

    @Test
    void redactsSecretMembersAndKeyShapedStrings() throws IOException {
        String body = "{\"model\":\"gpt-4o\",\"api_key\":\"abc123\",\"x-api-key\":\"zzz\",\"Authorization\":\"xyz\","
                + "\"password\":\"p\\\"w\",\"client_secret\":\"s\",\"access_token\":\"t\",\"max_tokens\":100,"
                + "\"messages\":[{\"role\":\"user\",\"content\":\"use sk-proj-AbCdEf123456 and "
                + "Bearer eyJhbGciOi.payload.sig or AIzaSyA1234567890abcdefghijkl, but keep task-force\"}]}";

        Map<String, Object> entry = captureOne(body, 4096);

        assertEquals("{\"model\":\"gpt-4o\",\"api_key\":\"<redacted>\",\"x-api-key\":\"<redacted>\","
                + "\"Authorization\":\"<redacted>\",\"password\":\"<redacted>\",\"client_secret\":\"<redacted>\","
                + "\"access_token\":\"<redacted>\",\"max_tokens\":100,"
                + "\"messages\":[{\"role\":\"user\",\"content\":\"use <redacted> and "
                + "Bearer <redacted> or <redacted>, but keep task-force\"}]}", entry.get("body"));
    }

    @Test
    void redactsTheConfiguredSecretsByValueWhereverTheyAreWritten() throws IOException {
        String gatewayKey = "team-alpha.9f8e7d6c5b4a39281706";
        String groqKey = "gsk_Q2w3E4r5T6y7U8i9O0p1A2s3D4f5";
        String virtualCredential = "v1.localserver.passphrase.2024";
        String body = "{\"messages\":[{\"role\":\"user\",\"content\":\"my key is " + gatewayKey
                + ", groq's " + groqKey + " and (" + virtualCredential + ") but EMPTY stays\"}]}";

        Map<String, Object> entry = captureOne(body, 4096,
                List.of(gatewayKey, groqKey, virtualCredential, "EMPTY"));

        assertEquals("{\"messages\":[{\"role\":\"user\",\"content\":\"my key is <redacted>, groq's <redacted>"
                + " and (<redacted>) but EMPTY stays\"}]}", entry.get("body"));
    }

    @Test
    void redactsMembersOfJsonCarriedAsAnEscapedStringAndHeadersWrittenAsText() throws IOException {
        String body = "{\"choices\":[{\"message\":{\"tool_calls\":[{\"function\":{\"name\":\"login\","
                + "\"arguments\":\"{\\\"user\\\":\\\"ann\\\",\\\"password\\\":\\\"hun\\\\\\\"ter2\\\","
                + "\\\"api_key\\\": \\\"abc-123-def\\\"}\"}}]}}],"
                + "\"content\":\"curl -H 'x-api-key: k3y-v4lue-1234' -H \\\"Authorization: Basic dXNlcjpwYXNz\\\" "
                + "https://host/v1?key=AIza-like-value&x=1 then api_key=plain\"}";

        Map<String, Object> entry = captureOne(body, 4096, List.of());

        assertEquals("{\"choices\":[{\"message\":{\"tool_calls\":[{\"function\":{\"name\":\"login\","
                + "\"arguments\":\"{\\\"user\\\":\\\"ann\\\",\\\"password\\\":\\\"<redacted>\\\","
                + "\\\"api_key\\\": \\\"<redacted>\\\"}\"}}]}}],"
                + "\"content\":\"curl -H 'x-api-key: <redacted>' -H \\\"Authorization: <redacted>\\\" "
                + "https://host/v1?key=<redacted>&x=1 then api_key=<redacted>\"}", entry.get("body"));
    }

    @Test
    void aReloadAddsItsSecretsAndKeepsThePreviousConfigsForExchangesStillOnIt() throws IOException {
        String first = "first-config-key-0123456789";
        String second = "second-config-key-0123456789";
        String third = "third-config-key-0123456789";
        ByteArrayOutputStream sink = new ByteArrayOutputStream();
        ByteBuf buf = Unpooled.copiedBuffer(first + " " + second + " " + third, StandardCharsets.UTF_8);
        try (BodyCapture capture = new BodyCapture(sink, true, 4096, 16, Duration.ofSeconds(5))) {
            capture.secrets(List.of(first));
            capture.secrets(List.of(second));
            capture.capture("req_1", "request", buf);
            capture.close();
            capture.secrets(List.of(third));
        } finally {
            buf.release();
        }
        String line = sink.toString(StandardCharsets.UTF_8).strip();
        assertEquals("<redacted> <redacted> " + third, parse(line).get("body"));
    }

    @Test
    void aThousandSecretsAreFoundInOnePass() throws IOException {
        List<String> keys = new java.util.ArrayList<>();
        for (int i = 0; i < 1000; i++) {
            keys.add("gw-" + (100000 + i) + "-abcdefghijklmnop");
        }
        StringBuilder body = new StringBuilder();
        for (int i = 0; i < 1000; i += 7) {
            body.append("text ").append(keys.get(i)).append(" gw-1000-near-miss ");
        }
        Map<String, Object> entry = captureOne(body.toString(), 1 << 20, keys);

        String redacted = (String) entry.get("body");
        assertFalse(redacted.contains("-abcdefghijklmnop"), redacted);
        assertTrue(redacted.startsWith("text <redacted> gw-1000-near-miss text <redacted> "), redacted);
    }

    @Test
    void capsTheCopyAndRedactsAValueCutByTheCap() throws IOException {
        String body = "{\"model\":\"gpt-4o\",\"token\":\"0123456789abcdef\"}";
        int cap = body.indexOf("89abc");

        Map<String, Object> entry = captureOne(body, cap);

        assertEquals("{\"model\":\"gpt-4o\",\"token\":\"<redacted>\"", entry.get("body"));
        assertEquals((long) body.length(), entry.get("bytes"));
        assertEquals(true, entry.get("truncated"));
    }

    @Test
    void writesOneJsonLinePerEntry() throws IOException {
        Map<String, Object> entry = captureOne("{\"ok\":true}", 100);

        assertEquals("req_abc", entry.get("request_id"));
        assertEquals("request", entry.get("direction"));
        assertEquals(11L, entry.get("bytes"));
        assertEquals(false, entry.get("truncated"));
        assertEquals("{\"ok\":true}", entry.get("body"));
        assertTrue(((String) entry.get("time")).endsWith("Z"));
    }

    @Test
    void leavesTheCallersBufferAsItWas() {
        ByteBuf body = Unpooled.copiedBuffer("xx{\"a\":1}", StandardCharsets.UTF_8);
        body.readerIndex(2);
        try (BodyCapture capture = new BodyCapture(new ByteArrayOutputStream(), true, 4, 16, Duration.ofSeconds(5))) {
            capture.capture("req_abc", "response", body);
        }
        assertEquals(2, body.readerIndex());
        assertEquals(1, body.refCnt(), "neither retained nor released");
        body.release();
    }

    @Test
    void disabledCaptureDoesNothing() {
        BodyCapture capture = BodyCapture.disabled();
        ByteBuf body = Unpooled.copiedBuffer("{}", StandardCharsets.UTF_8);
        capture.capture("req_abc", "request", body);
        capture.close();

        assertFalse(capture.enabled());
        assertEquals(0, capture.dropped());
        assertEquals(1, body.refCnt());
        body.release();
    }

    @Test
    void opensAFileForAppending(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("capture.jsonl");
        ByteBuf body = Unpooled.copiedBuffer("{\"secret\":\"s\"}", StandardCharsets.UTF_8);
        try (BodyCapture capture = BodyCapture.open(file, 1024)) {
            assertTrue(capture.enabled());
            capture.capture("req_1", "request", body);
            capture.capture("req_1", "response", body);
        } finally {
            body.release();
        }

        List<String> lines = Files.readAllLines(file);
        assertEquals(2, lines.size());
        assertEquals("{\"secret\":\"<redacted>\"}", parse(lines.get(1)).get("body"));
    }

    private static Map<String, Object> captureOne(String body, int cap) throws IOException {
        return captureOne(body, cap, List.of());
    }

    private static Map<String, Object> captureOne(String body, int cap, List<String> secrets) throws IOException {
        ByteArrayOutputStream sink = new ByteArrayOutputStream();
        ByteBuf buf = Unpooled.directBuffer().writeBytes(body.getBytes(StandardCharsets.UTF_8));
        try (BodyCapture capture = new BodyCapture(sink, true, cap, 16, Duration.ofSeconds(5))) {
            capture.secrets(secrets);
            capture.capture("req_abc", "request", buf);
        } finally {
            buf.release();
        }
        List<String> lines = sink.toString(StandardCharsets.UTF_8).lines().toList();
        assertEquals(1, lines.size());
        return parse(lines.get(0));
    }

    private static Map<String, Object> parse(String line) throws IOException {
        Map<String, Object> fields = new HashMap<>();
        try (JsonParser p = JSON.createParser(line)) {
            assertEquals(JsonToken.START_OBJECT, p.nextToken());
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String name = p.currentName();
                JsonToken value = p.nextToken();
                fields.put(name, switch (value) {
                    case VALUE_STRING -> p.getText();
                    case VALUE_NUMBER_INT -> p.getLongValue();
                    case VALUE_TRUE, VALUE_FALSE -> p.getBooleanValue();
                    default -> throw new AssertionError("unexpected " + value + " for " + name);
                });
            }
        }
        return fields;
    }
}
