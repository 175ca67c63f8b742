package dev.llmgateway.dialect.anthropic;

import com.fasterxml.jackson.core.io.JsonStringEncoder;
import dev.llmgateway.dialect.ApiError;
import dev.llmgateway.dialect.FinishReason;
import dev.llmgateway.testutil.Fixtures;
import dev.llmgateway.testutil.JsonPath;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.handler.codec.http.HttpResponseStatus;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertEquals;

class AnthropicEventEncoderTest {
    private static final String MODEL = "claude-sonnet-4-5-20250929";
    private static final String PING = "ping {\"type\":\"ping\"}";
    private static final String MESSAGE_STOP = "message_stop {\"type\":\"message_stop\"}";
    private static final String TEXT_BLOCK = "{\"type\":\"text\",\"text\":\"\"}";
    private static final String THINKING_BLOCK = "{\"type\":\"thinking\",\"thinking\":\"\",\"signature\":\"\"}";

    private final SseCapture client = new SseCapture();
    private final AnthropicEventEncoder encoder =
            new AnthropicEventEncoder(PooledByteBufAllocator.DEFAULT, client, MODEL, "req_1");
    private final AnswerFeed feed = new AnswerFeed(encoder);

    @Test
    void plainText() {
        encoder.start("chatcmpl-9");
        feed.text("Hello");
        feed.text(" \"world\"\n");
        encoder.finish(FinishReason.STOP, null);
        encoder.usage(12, -1, -1, -1, 5, -1);
        encoder.end();

        assertEquals(List.of(
                messageStart("chatcmpl-9"),
                blockStart(0, TEXT_BLOCK), PING,
                textDelta(0, "Hello"),
                textDelta(0, " \"world\"\n"),
                blockStop(0),
                messageDelta("end_turn", null, 12, 0, 0, 5),
                MESSAGE_STOP), client.events);
    }

    @Test
    void withoutProviderIdTheMessageIdComesFromTheRequestId() {
        encoder.start(null);
        encoder.finish(FinishReason.STOP, null);
        encoder.end();

        assertEquals(List.of(messageStart("msg_req_1"), messageDelta("end_turn", null, 0, 0, 0, 0), MESSAGE_STOP),
                client.events);
    }

    @Test
    void textThenTwoToolCallsGetSequentialBlocksWithEveryFragment() {
        encoder.start("msg_1");
        feed.text("Let me check.");
        encoder.toolCallStart(0, "call_1", "get_weather", null);
        feed.arguments(0, "");
        feed.arguments(0, "{\"city\":");
        feed.arguments(0, "\"Paris\"}");
        encoder.toolCallStart(1, "call_2", "get_time", null);
        feed.arguments(1, "{\"tz\":");
        feed.arguments(1, "\"CET\"}");
        encoder.finish(FinishReason.TOOL_CALLS, null);
        encoder.usage(100, -1, -1, -1, 30, -1);
        encoder.end();

        assertEquals(List.of(
                messageStart("msg_1"),
                blockStart(0, TEXT_BLOCK), PING,
                textDelta(0, "Let me check."),
                blockStop(0),
                blockStart(1, toolBlock("call_1", "get_weather")),
                argumentsDelta(1, "{\"city\":"),
                argumentsDelta(1, "\"Paris\"}"),
                blockStop(1),
                blockStart(2, toolBlock("call_2", "get_time")),
                argumentsDelta(2, "{\"tz\":"),
                argumentsDelta(2, "\"CET\"}"),
                blockStop(2),
                messageDelta("tool_use", null, 100, 0, 0, 30),
                MESSAGE_STOP), client.events);
    }

    @Test
    void aTurnWithToolCallsEndsInToolUseEvenWhenTheProviderSaidStop() {
        encoder.start("msg_1");
        feed.text("Checking.");
        encoder.toolCallStart(0, "call_1", "get_weather", null);
        feed.arguments(0, "{\"city\":\"Paris\"}");
        encoder.finish(FinishReason.STOP, null);
        encoder.end();

        assertEquals(messageDelta("tool_use", null, 0, 0, 0, 0), client.events.get(client.events.size() - 2));
    }

    @Test
    void interleavedParallelCallsKeepEveryFragmentOnItsOwnBlockInOrder() {
        encoder.start("msg_1");
        encoder.toolCallStart(0, "call_a", "read", null);
        encoder.toolCallStart(1, "call_b", "grep", null);
        feed.arguments(0, "{\"path\":");
        feed.arguments(1, "{\"pattern\":");
        feed.arguments(1, "\"NOTE\",");
        feed.arguments(0, "\"a.txt\"}");
        feed.arguments(1, "\"glob\":\"*.java\"}");
        encoder.toolCallStart(2, "call_c", "ls", null);
        feed.arguments(2, "{}");
        encoder.finish(FinishReason.TOOL_CALLS, null);
        encoder.end();

        assertEquals(List.of(
                messageStart("msg_1"),
                blockStart(0, toolBlock("call_a", "read")), PING,
                argumentsDelta(0, "{\"path\":"),
                argumentsDelta(0, "\"a.txt\"}"),
                blockStop(0),
                // call_b waited behind call_a's unfinished arguments; what it collected comes in one piece.
                blockStart(1, toolBlock("call_b", "grep")),
                argumentsDelta(1, "{\"pattern\":\"NOTE\","),
                argumentsDelta(1, "\"glob\":\"*.java\"}"),
                blockStop(1),
                blockStart(2, toolBlock("call_c", "ls")),
                argumentsDelta(2, "{}"),
                blockStop(2),
                messageDelta("tool_use", null, 0, 0, 0, 0),
                MESSAGE_STOP), client.events);
        assertEquals(Map.of(0, "{\"path\":\"a.txt\"}", 1, "{\"pattern\":\"NOTE\",\"glob\":\"*.java\"}", 2, "{}"),
                inputsByBlock(client.events));
    }

    @Test
    void callsStartedTogetherAndArgumentsThatNeverCompleteAreAllDeliveredAtTheFinish() {
        encoder.start("msg_1");
        encoder.toolCallStart(0, "call_a", "a", null);
        encoder.toolCallStart(1, "call_b", "b", null);
        encoder.toolCallStart(2, "call_c", "c", null);
        feed.arguments(2, "{\"z\":3}");
        feed.arguments(1, "{\"y\":2}");
        feed.arguments(0, "{\"x\":1");
        encoder.finish(FinishReason.TOOL_CALLS, null);
        encoder.end();

        assertEquals(List.of(
                messageStart("msg_1"),
                blockStart(0, toolBlock("call_a", "a")), PING,
                argumentsDelta(0, "{\"x\":1"),
                blockStop(0),
                blockStart(1, toolBlock("call_b", "b")),
                argumentsDelta(1, "{\"y\":2}"),
                blockStop(1),
                blockStart(2, toolBlock("call_c", "c")),
                argumentsDelta(2, "{\"z\":3}"),
                blockStop(2),
                messageDelta("tool_use", null, 0, 0, 0, 0),
                MESSAGE_STOP), client.events);
    }

    @Test
    void bracesInsideArgumentStringsDoNotEndTheArguments() {
        encoder.start("msg_1");
        encoder.toolCallStart(0, "call_a", "write", null);
        encoder.toolCallStart(1, "call_b", "ls", null);
        feed.arguments(0, "{\"text\":\"} \\\" }\"");
        feed.arguments(1, "{}");
        feed.arguments(0, "}");
        encoder.finish(FinishReason.TOOL_CALLS, null);
        encoder.end();

        assertEquals(Map.of(0, "{\"text\":\"} \\\" }\"}", 1, "{}"), inputsByBlock(client.events));
        assertEquals(blockStop(0), client.events.get(5));
    }

    @Test
    void textInterruptingUnfinishedArgumentsClosesTheirBlocksAndLateFragmentsStillArrive() {
        encoder.start("msg_1");
        encoder.toolCallStart(0, "call_a", "a", null);
        encoder.toolCallStart(1, "call_b", "b", null);
        feed.arguments(0, "{\"x\":");
        feed.arguments(1, "{\"y\":2}");
        feed.text("Hmm.");
        feed.arguments(0, "1}");
        feed.arguments(1, " ");
        encoder.finish(FinishReason.TOOL_CALLS, null);
        encoder.end();

        assertEquals(List.of(
                messageStart("msg_1"),
                blockStart(0, toolBlock("call_a", "a")), PING,
                argumentsDelta(0, "{\"x\":"),
                blockStop(0),
                blockStart(1, toolBlock("call_b", "b")),
                argumentsDelta(1, "{\"y\":2}"),
                blockStop(1),
                blockStart(2, TEXT_BLOCK),
                textDelta(2, "Hmm."),
                // Sent on its own block's index rather than lost; the whitespace after a whole object is dropped.
                argumentsDelta(0, "1}"),
                blockStop(2),
                messageDelta("tool_use", null, 0, 0, 0, 0),
                MESSAGE_STOP), client.events);
    }

    @Test
    void thinkingWithSignatureThenText() {
        encoder.start("msg_1");
        feed.reasoning("Let me think");
        feed.reasoning(" about it.");
        encoder.reasoningSignature("sig-1");
        feed.text("42.");
        encoder.finish(FinishReason.STOP, null);
        encoder.end();

        assertEquals(List.of(
                messageStart("msg_1"),
                blockStart(0, THINKING_BLOCK), PING,
                delta(0, "{\"type\":\"thinking_delta\",\"thinking\":\"Let me think\"}"),
                delta(0, "{\"type\":\"thinking_delta\",\"thinking\":\" about it.\"}"),
                delta(0, "{\"type\":\"signature_delta\",\"signature\":\"sig-1\"}"),
                blockStop(0),
                blockStart(1, TEXT_BLOCK),
                textDelta(1, "42."),
                blockStop(1),
                messageDelta("end_turn", null, 0, 0, 0, 0),
                MESSAGE_STOP), client.events);
    }

    @Test
    void aSignatureSealsItsBlockAndOneWithoutReasoningGetsAnEmptyBlock() {
        encoder.start("msg_1");
        encoder.reasoningSignature("sig-a");
        feed.reasoning("more");
        encoder.reasoningSignature("sig-b");
        encoder.redactedReasoning("EncRypted==");
        encoder.finish(FinishReason.STOP, null);
        encoder.end();

        assertEquals(List.of(
                messageStart("msg_1"),
                blockStart(0, THINKING_BLOCK), PING,
                delta(0, "{\"type\":\"signature_delta\",\"signature\":\"sig-a\"}"),
                blockStop(0),
                blockStart(1, THINKING_BLOCK),
                delta(1, "{\"type\":\"thinking_delta\",\"thinking\":\"more\"}"),
                delta(1, "{\"type\":\"signature_delta\",\"signature\":\"sig-b\"}"),
                blockStop(1),
                blockStart(2, "{\"type\":\"redacted_thinking\",\"data\":\"EncRypted==\"}"),
                blockStop(2),
                messageDelta("end_turn", null, 0, 0, 0, 0),
                MESSAGE_STOP), client.events);
    }

    @Test
    void geminiSignaturesRideInTheToolUseId() {
        encoder.start("resp-7");
        encoder.toolCallStart(0, "call_x1", "lookup", "CiQB+sig/==");
        feed.arguments(0, "{\"q\":\"weather\"}");
        encoder.finish(FinishReason.STOP, null);
        encoder.end();

        assertEquals(List.of(
                messageStart("resp-7"),
                blockStart(0, toolBlock("call_x1__ts_CiQB+sig/==", "lookup")), PING,
                argumentsDelta(0, "{\"q\":\"weather\"}"),
                blockStop(0),
                messageDelta("tool_use", null, 0, 0, 0, 0),
                MESSAGE_STOP), client.events);
    }

    @Test
    void errorMidStreamIsTheLastEvent() {
        encoder.start("msg_1");
        feed.text("Hel");
        encoder.error(ApiError.upstreamBroken("openai", "connection reset"));

        assertEquals(List.of(
                messageStart("msg_1"),
                blockStart(0, TEXT_BLOCK), PING,
                textDelta(0, "Hel"),
                "error {\"type\":\"error\",\"error\":{\"type\":\"api_error\",\"message\":"
                        + "\"Provider 'openai' failed: connection reset.\"},\"request_id\":\"req_1\"}"),
                client.events);
    }

    @Test
    void overloadedProviderMidStreamIsAnOverloadedError() {
        encoder.start("msg_1");
        feed.text("Hello");
        encoder.error(new ApiError(HttpResponseStatus.valueOf(529), "server_error", "overloaded_error", null,
                "Overloaded", -1));

        List<String> fixture = SseCapture.parseAll(Fixtures.text("anthropic/message-stream-error-overloaded.sse"));
        assertEquals(names(fixture), names(client.events));
        assertEquals(fixture.subList(1, 4), client.events.subList(1, 4));
        String error = data(client.events.get(4));
        assertEquals(JsonPath.read(data(fixture.get(4)), "error", "type"), JsonPath.read(error, "error", "type"));
        assertEquals("Overloaded", JsonPath.read(error, "error", "message"));
    }

    @Test
    void usageIsInAnthropicTermsWithTheLatestReportWinning() {
        encoder.start("msg_1");
        encoder.usage(10, -1, -1, -1, 1, -1);
        feed.text("ok");
        encoder.finish(FinishReason.STOP, null);
        encoder.usage(1000, 800, 150, -1, 42, 10);
        encoder.end();

        // input_tokens leaves out cache reads and writes: 1000 - 800 - 150.
        assertEquals(messageDelta("end_turn", null, 50, 150, 800, 42), client.events.get(5));
    }

    @Test
    void inputTokensAreNeverNegative() {
        encoder.start("msg_1");
        encoder.usage(100, 120, -1, -1, 5, -1);
        encoder.finish(FinishReason.STOP, null);
        encoder.end();

        assertEquals(messageDelta("end_turn", null, 0, 0, 120, 5), client.events.get(1));
    }

    @Test
    void stopReasons() {
        assertEquals("\"stop_sequence\",\"stop_sequence\":\"END\"", stopOf(FinishReason.STOP, "END"));
        assertEquals("\"max_tokens\",\"stop_sequence\":null", stopOf(FinishReason.LENGTH, null));
        assertEquals("\"refusal\",\"stop_sequence\":null", stopOf(FinishReason.CONTENT_FILTER, null));
        assertEquals("\"tool_use\",\"stop_sequence\":null", stopOf(FinishReason.TOOL_CALLS, null));
    }

    @Test
    void aTextStreamHasTheEventsAnthropicSends() {
        List<String> fixture = SseCapture.parseAll(Fixtures.text("anthropic/message-stream.sse"));
        encoder.start("msg_01QxZ7bT4nLm2VcR8sWk5PyH");
        feed.text("The");
        feed.text(" capital of France");
        feed.text(" is Paris");
        feed.text(".");
        encoder.finish(FinishReason.STOP, null);
        encoder.usage(21, 0, 0, -1, 10, -1);
        encoder.end();

        assertSameStream(fixture, client.events);
    }

    @Test
    void aToolUseStreamHasTheEventsAnthropicSends() {
        List<String> fixture = SseCapture.parseAll(Fixtures.text("anthropic/message-stream-tool-use.sse"));
        encoder.start("msg_01Vb6nTq3RzWk8LpXs2YdMcF");
        feed.text("I'll check");
        feed.text(" the weather in Paris");
        feed.text(" for you.");
        encoder.toolCallStart(0, "toolu_01T1x1fJ34qAmk2tNTrN7Up6", "get_weather", null);
        feed.arguments(0, "");
        feed.arguments(0, "{\"city\": \"P");
        feed.arguments(0, "aris\", \"un");
        feed.arguments(0, "it\": \"cels");
        feed.arguments(0, "ius\"}");
        encoder.finish(FinishReason.TOOL_CALLS, null);
        encoder.usage(472, 0, 0, -1, 89, -1);
        encoder.end();

        // The gateway does not send empty fragments; Anthropic sends one first.
        assertSameStream(withoutEmptyDeltas(fixture, "input_json_delta\",\"partial_json\":\"\"}"), client.events);
    }

    @Test
    void aThinkingStreamHasTheEventsAnthropicSends() {
        List<String> fixture = SseCapture.parseAll(Fixtures.text("anthropic/message-stream-thinking.sse"));
        String signature = JsonPath.read(data(fixture.get(9)), "delta", "signature");
        encoder.start("msg_01Ry5mKp9WqT2vXn7LbZ4HcS");
        feed.reasoning("The user wants");
        feed.reasoning(" 27 * 453.");
        feed.reasoning(" 27 * 453 = 27 * 400 + 27 * 53");
        feed.reasoning(" = 10800 + 1431");
        feed.reasoning(" = 12231.");
        feed.reasoning("");
        encoder.reasoningSignature(signature);
        feed.text("27 × 453");
        feed.text(" = **12,231**");
        encoder.finish(FinishReason.STOP, null);
        encoder.usage(69, 0, 0, -1, 95, -1);
        encoder.end();

        assertSameStream(withoutEmptyDeltas(fixture, "thinking_delta\",\"thinking\":\"\"}"), client.events);
    }

    /**
     * Every event but message_start is the same as Anthropic's; message_start carries the same id and model (its
     * usage is zero: the real counts come in message_delta).
     */
    private static void assertSameStream(List<String> anthropic, List<String> gateway) {
        assertEquals(names(anthropic), names(gateway));
        assertEquals(JsonPath.read(data(anthropic.get(0)), "message", "id"),
                JsonPath.read(data(gateway.get(0)), "message", "id"));
        assertEquals(JsonPath.read(data(anthropic.get(0)), "message", "model"),
                JsonPath.read(data(gateway.get(0)), "message", "model"));
        assertEquals(anthropic.subList(1, anthropic.size()), gateway.subList(1, gateway.size()));
    }

    private static List<String> withoutEmptyDeltas(List<String> events, String emptyDeltaEnd) {
        List<String> kept = new ArrayList<>(events);
        kept.removeIf(event -> event.endsWith(emptyDeltaEnd + "}"));
        assertEquals(events.size() - 1, kept.size(), "the fixture has one empty delta");
        return kept;
    }

    private String stopOf(FinishReason reason, String stopSequence) {
        AnthropicEventEncoder fresh = new AnthropicEventEncoder(PooledByteBufAllocator.DEFAULT, client, MODEL, "r");
        fresh.start("m");
        fresh.finish(reason, stopSequence);
        fresh.end();
        String delta = client.events.get(client.events.size() - 2);
        client.events.clear();
        return delta.substring(delta.indexOf("\"stop_reason\":") + 14, delta.indexOf("},\"usage\""));
    }

    /** The joined partial_json of each tool_use block, by block index. */
    private static Map<Integer, String> inputsByBlock(List<String> events) {
        Map<Integer, String> inputs = new TreeMap<>();
        for (String event : events) {
            String data = data(event);
            if ("input_json_delta".equals(JsonPath.read(data, "delta", "type"))) {
                inputs.merge(Integer.parseInt(JsonPath.read(data, "index")),
                        JsonPath.read(data, "delta", "partial_json"), String::concat);
            }
        }
        return inputs;
    }

    private static List<String> names(List<String> events) {
        return events.stream().map(e -> e.substring(0, e.indexOf(' '))).toList();
    }

    private static String data(String event) {
        return event.substring(event.indexOf(' ') + 1);
    }


    private static String messageStart(String id) {
        return "message_start {\"type\":\"message_start\",\"message\":{\"id\":\"" + id + "\",\"type\":\"message\","
                + "\"role\":\"assistant\",\"model\":\"" + MODEL + "\",\"content\":[],\"stop_reason\":null,"
                + "\"stop_sequence\":null,\"usage\":{\"input_tokens\":0,\"output_tokens\":0}}}";
    }

    private static String blockStart(int index, String block) {
        return "content_block_start {\"type\":\"content_block_start\",\"index\":" + index + ",\"content_block\":"
                + block + "}";
    }

    private static String toolBlock(String id, String name) {
        return "{\"type\":\"tool_use\",\"id\":\"" + id + "\",\"name\":\"" + name + "\",\"input\":{}}";
    }

    private static String delta(int index, String delta) {
        return "content_block_delta {\"type\":\"content_block_delta\",\"index\":" + index + ",\"delta\":" + delta
                + "}";
    }

    private static String textDelta(int index, String text) {
        return delta(index, "{\"type\":\"text_delta\",\"text\":" + quote(text) + "}");
    }

    private static String argumentsDelta(int index, String partialJson) {
        return delta(index, "{\"type\":\"input_json_delta\",\"partial_json\":" + quote(partialJson) + "}");
    }

    private static String blockStop(int index) {
        return "content_block_stop {\"type\":\"content_block_stop\",\"index\":" + index + "}";
    }

    private static String messageDelta(String stopReason, String stopSequence, long input, long cacheWrite,
                                       long cacheRead, long output) {
        return "message_delta {\"type\":\"message_delta\",\"delta\":{\"stop_reason\":" + quote(stopReason)
                + ",\"stop_sequence\":" + quote(stopSequence) + "},\"usage\":{\"input_tokens\":" + input
                + ",\"cache_creation_input_tokens\":" + cacheWrite + ",\"cache_read_input_tokens\":" + cacheRead
                + ",\"output_tokens\":" + output + "}}";
    }

    private static String quote(String s) {
        return s == null ? "null" : "\"" + new String(JsonStringEncoder.getInstance().quoteAsString(s)) + "\"";
    }
}
