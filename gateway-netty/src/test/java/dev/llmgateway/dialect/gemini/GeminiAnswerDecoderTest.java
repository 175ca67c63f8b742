package dev.llmgateway.dialect.gemini;

import dev.llmgateway.dialect.AnswerRecorder;
import dev.llmgateway.dialect.FinishReason;
import dev.llmgateway.dialect.StreamSplits;
import dev.llmgateway.testutil.Fixtures;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class GeminiAnswerDecoderTest {
    private static final Pattern SYNTHESIZED_ID = Pattern.compile("call_[A-Za-z0-9]{24}");
    private static final String FIXTURE_SIGNATURE = "CiQBVKhc7synthetic0signature0opaque0base64AAECAwQFBgcICQoLDA0ODxA=";

    /** Read by hand from stream-generate-content.sse: three text chunks, STOP on the last, its usage. */
    private static final List<String> TEXT_STREAM = List.of(
            "start WEXbaMnpF7iPjMcP27mckQE",
            "text The capital of France is Paris. It",
            "text  is known for the Eiffel Tower,",
            "text  the Louvre, and its cafés.",
            "finish STOP",
            // The last chunk's counts: 14 in, 22 candidates + 31 thoughts out; not a sum over the chunks.
            "usage in=14 cached=0 write=0 out=53 reasoning=31",
            "end");

    /** Read by hand from stream-generate-content-function-call.sse: one whole call, STOP meaning tool calls. */
    private static final List<String> CALL_STREAM = List.of(
            "start b36LacjwM668nsEP2tbsgQQ",
            "tool 0 <id> get_weather signature " + FIXTURE_SIGNATURE,
            "args 0 {\"city\":\"Paris\",\"unit\":\"celsius\"}",
            "finish TOOL_CALLS",
            "usage in=61 cached=0 write=0 out=78 reasoning=58",
            "end");

    private static final List<List<Object>> FIXTURE_STREAMS = List.of(
            List.of("gemini/stream-generate-content.sse", TEXT_STREAM),
            List.of("gemini/stream-generate-content-function-call.sse", CALL_STREAM));

    @Test
    void fixtureStreamsInRandomSplits() {
        for (var fixture : FIXTURE_STREAMS) {
            byte[] bytes = Fixtures.bytes((String) fixture.get(0));
            for (long seed = 0; seed < 60; seed++) {
                assertEquals(fixture.get(1), decodeStream(bytes, StreamSplits.randomCuts(bytes.length, seed)),
                        fixture.get(0) + ", seed " + seed);
            }
        }
    }

    @Test
    void everySingleCut() {
        for (var fixture : FIXTURE_STREAMS) {
            byte[] bytes = Fixtures.bytes((String) fixture.get(0));
            for (int cut = 1; cut < bytes.length; cut++) {
                assertEquals(fixture.get(1), decodeStream(bytes, List.of(cut, bytes.length)),
                        fixture.get(0) + ", cut at " + cut);
            }
        }
    }

    @Test
    void usageIsReportedOnceWithTheLastChunksCounts() {
        byte[] bytes = Fixtures.bytes("gemini/stream-generate-content.sse");
        List<String> events = decodeStream(bytes, StreamSplits.randomCuts(bytes.length, 7));
        assertEquals(List.of("usage in=14 cached=0 write=0 out=53 reasoning=31"),
                events.stream().filter(e -> e.startsWith("usage")).toList());
    }

    @Test
    void bodies() throws IOException {
        assertEquals(List.of(
                "start Un6LacrVMcjUxs0PmJfWoQc",
                "text The capital of France is Paris.",
                "finish STOP",
                "usage in=14 cached=0 write=0 out=35 reasoning=28",
                "end"), decodeBody(Fixtures.bytes("gemini/generate-content.json")));
        assertEquals(List.of(
                "start m36LaZGyCLz1xs0PtNSB-QU",
                "tool 0 <id> get_weather signature " + FIXTURE_SIGNATURE,
                "args 0 {\"city\":\"Paris\",\"unit\":\"celsius\"}",
                "finish TOOL_CALLS",
                "usage in=61 cached=0 write=0 out=78 reasoning=58",
                "end"), decodeBody(Fixtures.bytes("gemini/generate-content-function-call.json")));
        assertEquals(List.of(
                "start q2vLaX9bN4nTxs0Pm8LkqA0",
                "text Once upon a time, in a quiet village by the sea, there lived",
                "finish LENGTH",
                // No thoughtsTokenCount: proto3 JSON leaves zeros out.
                "usage in=8 cached=0 write=0 out=16 reasoning=0",
                "end"), decodeBody(Fixtures.bytes("gemini/generate-content-max-tokens.json")));
    }

    @Test
    void parallelCallsAfterThoughtsGetIndexesZeroAndOne() {
        byte[] stream = sse(
                "{\"candidates\": [{\"content\": {\"parts\": [{\"text\": \"**Checking both cities**\","
                        + "\"thought\": true}],\"role\": \"model\"},\"index\": 0}],"
                        + "\"usageMetadata\": {\"promptTokenCount\": 70,\"totalTokenCount\": 70,"
                        + "\"thoughtsTokenCount\": 40},\"modelVersion\": \"gemini-2.5-flash\",\"responseId\": \"r2\"}",
                "{\"candidates\": [{\"content\": {\"parts\": ["
                        + "{\"functionCall\": {\"name\": \"get_weather\",\"args\": {\"city\": \"Paris\"}},"
                        + "\"thoughtSignature\": \"sigParallel\"},"
                        + "{\"functionCall\": {\"name\": \"get_time\",\"args\": {\"zone\": \"Europe/Paris\","
                        + "\"format\": {\"h24\": true, \"parts\": [\"h\", \"m\"]}}}}],\"role\": \"model\"},"
                        + "\"finishReason\": \"STOP\",\"index\": 0}],\"usageMetadata\": {\"promptTokenCount\": 70,"
                        + "\"candidatesTokenCount\": 30,\"totalTokenCount\": 152,\"thoughtsTokenCount\": 52},"
                        + "\"modelVersion\": \"gemini-2.5-flash\",\"responseId\": \"r2\"}");
        for (long seed = 0; seed < 50; seed++) {
            AnswerRecorder recorder = new AnswerRecorder();
            assertTrue(StreamSplits.feedRandomly(stream, seed, new GeminiAnswerDecoder(recorder)));
            List<String> ids = ids(recorder.events);
            assertEquals(2, ids.size());
            assertNotEquals(ids.get(0), ids.get(1));
            assertEquals(List.of(
                    "start r2",
                    "reasoning **Checking both cities**",
                    "tool 0 <id> get_weather signature sigParallel",
                    "args 0 {\"city\":\"Paris\"}",
                    "tool 1 <id> get_time",
                    "args 1 {\"zone\":\"Europe/Paris\",\"format\":{\"h24\":true,\"parts\":[\"h\",\"m\"]}}",
                    "finish TOOL_CALLS",
                    "usage in=70 cached=0 write=0 out=82 reasoning=52",
                    "end"), normalized(recorder.events), "seed " + seed);
        }
    }

    @Test
    void textThenCallIsToolCalls() {
        byte[] stream = sse(
                "{\"candidates\": [{\"content\": {\"parts\": [{\"text\": \"Let me check.\"}],\"role\": \"model\"},"
                        + "\"index\": 0}],\"usageMetadata\": {\"promptTokenCount\": 9,\"totalTokenCount\": 9},"
                        + "\"responseId\": \"r3\"}",
                "{\"candidates\": [{\"content\": {\"parts\": [{\"functionCall\": {\"name\": \"lookup\"}}],"
                        + "\"role\": \"model\"},\"finishReason\": \"STOP\",\"index\": 0}],"
                        + "\"usageMetadata\": {\"promptTokenCount\": 9,\"candidatesTokenCount\": 6,"
                        + "\"totalTokenCount\": 15},\"responseId\": \"r3\"}");
        assertEquals(List.of(
                "start r3",
                "text Let me check.",
                "tool 0 <id> lookup",
                // A call without args has empty arguments.
                "args 0 {}",
                "finish TOOL_CALLS",
                "usage in=9 cached=0 write=0 out=6 reasoning=0",
                "end"), decodeStream(stream, StreamSplits.randomCuts(stream.length, 3)));
    }

    @Test
    void thoughtsAndSignaturesWhereverTheFieldsStand() {
        byte[] stream = sse(
                "{\"responseId\": \"r4\",\"candidates\": [{\"content\": {\"parts\": ["
                        + "{\"thought\": true,\"text\": \"flag first\"},"
                        + "{\"text\": \"flag last\",\"thought\": true,\"thoughtSignature\": \"sigThought\"},"
                        + "{\"text\": \"answer \\\"quoted\\\" \\u00e9\\n\",\"thought\": false}],\"role\": \"model\"}}]}",
                // Gemini 3 ends a text answer with an empty part carrying only the signature.
                "{\"candidates\": [{\"content\": {\"parts\": [{\"text\": \"\",\"thoughtSignature\": \"sigEnd\"}],"
                        + "\"role\": \"model\"},\"finishReason\": \"STOP\"}],\"responseId\": \"r4\"}");
        assertEquals(List.of(
                "start r4",
                "reasoning flag first",
                "reasoning flag last",
                "signature sigThought",
                "text answer \"quoted\" é\n",
                "signature sigEnd",
                "finish STOP",
                "end"), decodeStream(stream, StreamSplits.randomCuts(stream.length, 11)));
    }

    @Test
    void streamCutBeforeTheFinishReasonIsNotEnded() {
        String text = Fixtures.text("gemini/stream-generate-content.sse");
        byte[] twoChunks = text.substring(0, text.lastIndexOf("data: ")).getBytes(StandardCharsets.UTF_8);
        AnswerRecorder recorder = new AnswerRecorder();
        assertFalse(StreamSplits.feedRandomly(twoChunks, 5, new GeminiAnswerDecoder(recorder)));
        assertEquals(TEXT_STREAM.subList(0, 3), recorder.events);
    }

    @Test
    void errorChunkMidStream() {
        byte[] stream = sse(
                "{\"candidates\": [{\"content\": {\"parts\": [{\"text\": \"Once\"}],\"role\": \"model\"},"
                        + "\"index\": 0}],\"responseId\": \"r5\"}",
                "{\"error\": {\"code\": 503,\"message\": \"The model is overloaded. Please try again later.\","
                        + "\"status\": \"UNAVAILABLE\"}}",
                "{\"candidates\": [{\"content\": {\"parts\": [{\"text\": \"ignored\"}]},\"finishReason\": \"STOP\"}]}");
        for (long seed = 0; seed < 50; seed++) {
            AnswerRecorder recorder = new AnswerRecorder();
            assertTrue(StreamSplits.feedRandomly(stream, seed, new GeminiAnswerDecoder(recorder)));
            assertEquals(List.of(
                    "start r5",
                    "text Once",
                    "error 503 server_error UNAVAILABLE The model is overloaded. Please try again later."),
                    recorder.events, "seed " + seed);
        }
    }

    @Test
    void errorChunkWithoutACodeIsAServerError() {
        byte[] stream = sse("{\"error\": {\"message\": \"Internal error encountered.\", \"status\": \"INTERNAL\","
                + "\"details\": [{\"@type\": \"type.googleapis.com/google.rpc.DebugInfo\", \"detail\": \"x\"}]}}");
        AnswerRecorder recorder = new AnswerRecorder();
        assertTrue(StreamSplits.feed(stream, List.of(stream.length), new GeminiAnswerDecoder(recorder)));
        assertEquals(List.of("error 500 server_error INTERNAL Internal error encountered."), recorder.events);
    }

    @Test
    void blockedPromptIsContentFilter() throws IOException {
        String blocked = "{\"promptFeedback\": {\"blockReason\": \"PROHIBITED_CONTENT\"},"
                + "\"usageMetadata\": {\"promptTokenCount\": 7,\"totalTokenCount\": 7},"
                + "\"modelVersion\": \"gemini-2.5-flash\",\"responseId\": \"r6\"}";
        List<String> expected = List.of(
                "start r6",
                "finish CONTENT_FILTER",
                "usage in=7 cached=0 write=0 out=0 reasoning=0",
                "end");
        assertEquals(expected, decodeBody(blocked.getBytes(StandardCharsets.UTF_8)));
        byte[] stream = sse(blocked);
        assertEquals(expected, decodeStream(stream, List.of(stream.length)));
    }

    @Test
    void vertexUsageWithCacheAndToolPromptCounts() {
        byte[] stream = sse(
                "{\"candidates\": [{\"content\": {\"role\": \"model\",\"parts\": [{\"text\": \"Hi\"}]}}],"
                        + "\"usageMetadata\": {\"trafficType\": \"ON_DEMAND\"},\"responseId\": \"r7\"}",
                "{\"candidates\": [{\"content\": {\"role\": \"model\",\"parts\": [{\"text\": \"!\"}]},"
                        + "\"finishReason\": \"STOP\"}],\"usageMetadata\": {\"promptTokenCount\": 100,"
                        + "\"cachedContentTokenCount\": 60,\"toolUsePromptTokenCount\": 5,"
                        + "\"candidatesTokenCount\": 10,\"thoughtsTokenCount\": 3,\"totalTokenCount\": 118,"
                        + "\"trafficType\": \"ON_DEMAND\",\"cacheTokensDetails\": [{\"modality\": \"TEXT\","
                        + "\"tokenCount\": 60}]},\"responseId\": \"r7\"}",
                // A chunk after the finish that only updates the counts: reported again, replacing.
                "{\"usageMetadata\": {\"promptTokenCount\": 100,\"cachedContentTokenCount\": 60,"
                        + "\"toolUsePromptTokenCount\": 5,\"candidatesTokenCount\": 11,\"thoughtsTokenCount\": 3},"
                        + "\"responseId\": \"r7\"}");
        assertEquals(List.of(
                "start r7",
                "text Hi",
                "text !",
                "finish STOP",
                "usage in=105 cached=60 write=0 out=13 reasoning=3",
                "usage in=105 cached=60 write=0 out=14 reasoning=3",
                "end"), decodeStream(stream, StreamSplits.randomCuts(stream.length, 2)));
    }

    @Test
    void safetyStopMidAnswer() {
        byte[] stream = sse(
                "{\"candidates\": [{\"content\": {\"parts\": [{\"text\": \"Sure, \"}]}}],\"responseId\": \"r8\"}",
                "{\"candidates\": [{\"finishReason\": \"SAFETY\",\"safetyRatings\": [{\"category\": "
                        + "\"HARM_CATEGORY_DANGEROUS_CONTENT\",\"probability\": \"HIGH\",\"blocked\": true}]}],"
                        + "\"responseId\": \"r8\"}");
        assertEquals(List.of("start r8", "text Sure, ", "finish CONTENT_FILTER", "end"),
                decodeStream(stream, List.of(stream.length)));
    }

    @Test
    void finishReasons() {
        assertEquals(FinishReason.STOP, GeminiAnswerDecoder.finishReason("STOP"));
        assertEquals(FinishReason.LENGTH, GeminiAnswerDecoder.finishReason("MAX_TOKENS"));
        for (String filtered : List.of("SAFETY", "RECITATION", "BLOCKLIST", "PROHIBITED_CONTENT", "SPII",
                "IMAGE_SAFETY")) {
            assertEquals(FinishReason.CONTENT_FILTER, GeminiAnswerDecoder.finishReason(filtered), filtered);
        }
        for (String other : List.of("MALFORMED_FUNCTION_CALL", "OTHER", "LANGUAGE", "FINISH_REASON_UNSPECIFIED",
                "SOMETHING_NEW")) {
            assertEquals(FinishReason.STOP, GeminiAnswerDecoder.finishReason(other), other);
        }
    }

    @Test
    void aChunkThatIsNotAnObjectIsMalformed() {
        byte[] stream = sse("[{\"candidates\": []}]");
        GeminiAnswerDecoder decoder = new GeminiAnswerDecoder(new AnswerRecorder());
        IllegalStateException malformed = assertThrows(IllegalStateException.class,
                () -> StreamSplits.feed(stream, List.of(stream.length), decoder));
        assertTrue(malformed.getMessage().contains("GenerateContentResponse"), malformed.getMessage());
    }

    private static List<String> decodeStream(byte[] bytes, List<Integer> cuts) {
        AnswerRecorder recorder = new AnswerRecorder();
        boolean ended = StreamSplits.feed(bytes, cuts, new GeminiAnswerDecoder(recorder));
        assertTrue(ended, "stream not ended: " + recorder.events);
        return normalized(recorder.events);
    }

    /** The body from a direct buffer at a non-zero index, as a network read would hand it over. */
    private static List<String> decodeBody(byte[] body) throws IOException {
        AnswerRecorder recorder = new AnswerRecorder();
        ByteBuf buf = PooledByteBufAllocator.DEFAULT.directBuffer(body.length + 3);
        try {
            buf.writeBytes(new byte[3]).writeBytes(body);
            new GeminiAnswerDecoder(recorder).body(buf, 3, body.length);
        } finally {
            buf.release();
        }
        return normalized(recorder.events);
    }

    private static byte[] sse(String... chunks) {
        StringBuilder stream = new StringBuilder();
        for (String chunk : chunks) {
            stream.append("data: ").append(chunk).append("\r\n\r\n");
        }
        return stream.toString().getBytes(StandardCharsets.UTF_8);
    }

    /** Synthesized ids are random: each becomes {@code <id>}. */
    private static List<String> normalized(List<String> events) {
        return events.stream().map(e -> SYNTHESIZED_ID.matcher(e).replaceAll("<id>")).toList();
    }

    private static List<String> ids(List<String> events) {
        List<String> ids = new ArrayList<>();
        for (String event : events) {
            Matcher id = SYNTHESIZED_ID.matcher(event);
            if (event.startsWith("tool ") && id.find()) {
                ids.add(id.group());
            }
        }
        return ids;
    }
}
