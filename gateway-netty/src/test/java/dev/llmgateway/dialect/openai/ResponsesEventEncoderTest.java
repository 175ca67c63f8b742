package dev.llmgateway.dialect.openai;

import dev.llmgateway.dialect.ApiError;
import dev.llmgateway.dialect.FinishReason;
import dev.llmgateway.testutil.JsonPath;
import dev.llmgateway.testutil.SseEvents;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.handler.codec.http.HttpResponseStatus;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/**
 * The Responses events a Responses client gets for neutral answer events: each output buffer exactly one named
 * event whose data's {@code type} is its name, sequence numbers from 0 without a gap, items opened and closed in the
 * order the openai SDKs' accumulator checks; and the body encoder's response object.
 */
class ResponsesEventEncoderTest {
    private final List<SseEvents.Event> events = new ArrayList<>();

    private ResponsesEventEncoder encoder(Set<String> customTools) {
        return new ResponsesEventEncoder(PooledByteBufAllocator.DEFAULT, this::collect, "alias", "req_1",
                customTools);
    }

    private void collect(ByteBuf event) {
        try {
            List<SseEvents.Event> parsed = SseEvents.parse(event.toString(StandardCharsets.UTF_8));
            assertEquals(1, parsed.size(), "one event per buffer");
            SseEvents.Event only = parsed.get(0);
            assertEquals(only.name(), JsonPath.read(only.data(), "type"));
            assertEquals(Integer.toString(events.size()), JsonPath.read(only.data(), "sequence_number"));
            events.add(only);
        } finally {
            event.release();
        }
    }

    private static void text(ResponsesAnswer encoder, String text) {
        encoder.text(text.toCharArray(), 0, text.length());
    }

    private List<String> names() {
        return events.stream().map(SseEvents.Event::name).toList();
    }

    private String data(int index) {
        return events.get(index).data();
    }

    @Test
    void reasoningTextAndAToolCallAreThreeItemsInOrder() {
        ResponsesEventEncoder encoder = encoder(Set.of());
        encoder.start("msg_1");
        String thought = "Let me think.";
        encoder.reasoning(thought.toCharArray(), 0, thought.length());
        encoder.reasoningSignature("sig==");
        text(encoder, "Hello ");
        text(encoder, "\"world\"");
        encoder.toolCallStart(0, "toolu_1", "get_weather", null);
        String args = "{\"city\":\"Paris\"}";
        encoder.toolCallArguments(0, args.toCharArray(), 0, 5);
        encoder.toolCallArguments(0, args.toCharArray(), 5, args.length() - 5);
        encoder.usage(100, 40, 0, -1, 20, 7);
        encoder.finish(FinishReason.TOOL_CALLS, null);
        encoder.end();
        assertEquals(List.of("response.created", "response.in_progress",
                "response.output_item.added", "response.reasoning_summary_part.added",
                "response.reasoning_summary_text.delta", "response.reasoning_summary_text.done",
                "response.reasoning_summary_part.done", "response.output_item.done",
                "response.output_item.added", "response.content_part.added", "response.output_text.delta",
                "response.output_text.delta", "response.output_text.done", "response.content_part.done",
                "response.output_item.done",
                "response.output_item.added", "response.function_call_arguments.delta",
                "response.function_call_arguments.delta", "response.function_call_arguments.done",
                "response.output_item.done", "response.completed"), names());
        assertEquals("rs_req_1_0", JsonPath.read(data(2), "item", "id"));
        assertEquals("sig==", JsonPath.read(data(7), "item", "encrypted_content"));
        assertEquals("Let me think.", JsonPath.read(data(7), "item", "summary", "0", "text"));
        assertEquals("msg_req_1_1", JsonPath.read(data(10), "item_id"));
        assertEquals("1", JsonPath.read(data(10), "output_index"));
        assertEquals("Hello \"world\"", JsonPath.read(data(12), "text"));
        assertEquals("toolu_1", JsonPath.read(data(15), "item", "call_id"));
        assertEquals(args, JsonPath.read(data(18), "arguments"));
        String completed = data(20);
        assertEquals("resp_req_1", JsonPath.read(completed, "response", "id"));
        assertEquals("alias", JsonPath.read(completed, "response", "model"));
        assertEquals("completed", JsonPath.read(completed, "response", "status"));
        assertEquals("function_call", JsonPath.read(completed, "response", "output", "2", "type"));
        assertEquals("100", JsonPath.read(completed, "response", "usage", "input_tokens"));
        assertEquals("40", JsonPath.read(completed, "response", "usage", "input_tokens_details", "cached_tokens"));
        assertEquals("7", JsonPath.read(completed, "response", "usage", "output_tokens_details",
                "reasoning_tokens"));
        assertEquals("120", JsonPath.read(completed, "response", "usage", "total_tokens"));
    }

    @Test
    void aCustomToolCallGivesItsInputWhole() {
        ResponsesEventEncoder encoder = encoder(Set.of("apply_patch"));
        encoder.start(null);
        encoder.toolCallStart(0, "call_p", "apply_patch", null);
        String args = "{\"input\":\"*** Begin Patch\\n+hi\\n\"}";
        encoder.toolCallArguments(0, args.toCharArray(), 0, 9);
        encoder.toolCallArguments(0, args.toCharArray(), 9, args.length() - 9);
        encoder.finish(FinishReason.TOOL_CALLS, null);
        encoder.end();
        assertEquals(List.of("response.created", "response.in_progress", "response.output_item.added",
                "response.custom_tool_call_input.delta", "response.custom_tool_call_input.done",
                "response.output_item.done", "response.completed"), names());
        assertEquals("custom_tool_call", JsonPath.read(data(2), "item", "type"));
        assertEquals("*** Begin Patch\n+hi\n", JsonPath.read(data(3), "delta"));
        assertEquals("*** Begin Patch\n+hi\n", JsonPath.read(data(5), "item", "input"));
    }

    @Test
    void theTokenLimitMakesTheResponseIncomplete() {
        ResponsesEventEncoder encoder = encoder(Set.of());
        encoder.start(null);
        text(encoder, "Once upon");
        encoder.finish(FinishReason.LENGTH, null);
        encoder.end();
        String last = data(events.size() - 1);
        assertEquals("response.incomplete", events.get(events.size() - 1).name());
        assertEquals("incomplete", JsonPath.read(last, "response", "status"));
        assertEquals("max_output_tokens", JsonPath.read(last, "response", "incomplete_details", "reason"));
    }

    @Test
    void anErrorFailsTheResponseAndNeverCompletesIt() {
        ResponsesEventEncoder encoder = encoder(Set.of());
        encoder.start(null);
        text(encoder, "Hel");
        encoder.error(new ApiError(HttpResponseStatus.SERVICE_UNAVAILABLE, "server_error", "upstream_error", null,
                "the provider is overloaded", -1));
        assertEquals(List.of("response.created", "response.in_progress", "response.output_item.added",
                "response.content_part.added", "response.output_text.delta", "error", "response.failed"), names());
        assertEquals("upstream_error", JsonPath.read(data(5), "code"));
        assertEquals("the provider is overloaded", JsonPath.read(data(5), "message"));
        assertEquals("failed", JsonPath.read(data(6), "response", "status"));
        assertEquals("upstream_error", JsonPath.read(data(6), "response", "error", "code"));
    }

    @Test
    void redactedReasoningIsAnItemToEchoBack() {
        ResponsesEventEncoder encoder = encoder(Set.of());
        encoder.start(null);
        encoder.redactedReasoning("opaque");
        encoder.finish(FinishReason.STOP, null);
        encoder.end();
        assertEquals(List.of("response.created", "response.in_progress", "response.output_item.added",
                "response.output_item.done", "response.completed"), names());
        assertEquals("redacted_thinking:opaque", JsonPath.read(data(3), "item", "encrypted_content"));
        assertEquals("[array]", JsonPath.read(data(3), "item", "summary"));
        assertNull(JsonPath.read(data(3), "item", "summary", "0"));
    }

    @Test
    void theBodyIsTheResponseObject() {
        ResponsesBodyEncoder encoder = new ResponsesBodyEncoder(PooledByteBufAllocator.DEFAULT, "alias", "req_2",
                Set.of());
        encoder.start("x");
        text(encoder, "Hi");
        encoder.toolCallStart(0, "call_1", "f", null);
        encoder.usage(5, -1, -1, -1, 3, -1);
        encoder.finish(FinishReason.TOOL_CALLS, null);
        encoder.end();
        ByteBuf body = encoder.body();
        String json = body.toString(StandardCharsets.UTF_8);
        body.release();
        assertEquals("response", JsonPath.read(json, "object"));
        assertEquals("resp_req_2", JsonPath.read(json, "id"));
        assertEquals("Hi", JsonPath.read(json, "output", "0", "content", "0", "text"));
        assertEquals("{}", JsonPath.read(json, "output", "1", "arguments"), "no arguments is an empty object");
        assertEquals("0", JsonPath.read(json, "usage", "input_tokens_details", "cached_tokens"));
        assertEquals("8", JsonPath.read(json, "usage", "total_tokens"));
    }
}
