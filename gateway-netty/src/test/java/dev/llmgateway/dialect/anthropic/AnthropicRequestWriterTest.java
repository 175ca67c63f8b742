package dev.llmgateway.dialect.anthropic;

import com.fasterxml.jackson.core.JsonGenerator;
import dev.llmgateway.dialect.ResponseFormat;
import dev.llmgateway.dialect.Role;
import dev.llmgateway.dialect.ToolCallIds;
import dev.llmgateway.dialect.ToolChoice;
import dev.llmgateway.dialect.Untranslatable;
import dev.llmgateway.json.ByteSpan;
import dev.llmgateway.json.Json;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class AnthropicRequestWriterTest {
    private static final String SCHEMA = "{\"type\":\"object\",\"properties\":{\"city\":{\"type\":\"string\"}}}";

    @FunctionalInterface
    interface Events {
        void send(AnthropicRequestWriter writer) throws Untranslatable;
    }

    @Test
    void aToolConversationBecomesAlternatingTurnsWithResultsFirst() throws Exception {
        String json = write(w -> {
            w.system("You are a weather bot.");
            w.system("Answer briefly.");
            w.startMessage(Role.USER);
            w.text("What's the weather in Paris and Tokyo?");
            w.endMessage();
            w.startMessage(Role.ASSISTANT);
            w.toolCall("call_X", "get_weather", span("{\"city\": \"Paris\"}"));
            w.toolCall("call_H", "get_weather", span("{\"city\": \"Tokyo\"}"));
            w.endMessage();
            w.startMessage(Role.USER);
            w.toolResult("call_X", "{\"temp\": 18}", false);
            w.endMessage();
            w.startMessage(Role.USER);
            w.toolResult("call_H", "timeout", true);
            w.endMessage();
            w.startMessage(Role.USER);
            w.text("And in Rome?");
            w.endMessage();
            w.tool("get_weather", "Get the weather.", span(SCHEMA));
            w.toolChoice(ToolChoice.AUTO, null);
            w.parallelToolCalls(false);
            w.temperature(1.7);
            w.stream(false);
            w.end();
        });
        assertEquals("{\"model\":\"claude-x\",\"messages\":[{\"role\":\"user\",\"content\":[{\"type\":\"text\",\"text\":\"What's the weather in Paris and Tokyo?\"}]},"
                + "{\"role\":\"assistant\",\"content\":[{\"type\":\"tool_use\",\"id\":\"call_X\",\"name\":\"get_weather\",\"input\":{\"city\":\"Paris\"}},"
                + "{\"type\":\"tool_use\",\"id\":\"call_H\",\"name\":\"get_weather\",\"input\":{\"city\":\"Tokyo\"}}]},"
                + "{\"role\":\"user\",\"content\":[{\"type\":\"tool_result\",\"tool_use_id\":\"call_X\",\"content\":\"{\\\"temp\\\": 18}\"},"
                + "{\"type\":\"tool_result\",\"tool_use_id\":\"call_H\",\"content\":\"timeout\",\"is_error\":true},"
                + "{\"type\":\"text\",\"text\":\"And in Rome?\"}]}],"
                + "\"tools\":[{\"name\":\"get_weather\",\"description\":\"Get the weather.\",\"input_schema\":" + SCHEMA + "}],"
                + "\"tool_choice\":{\"type\":\"auto\",\"disable_parallel_tool_use\":true},"
                + "\"system\":\"You are a weather bot.\\n\\nAnswer briefly.\","
                + "\"max_tokens\":4096,\"temperature\":1.0,\"stream\":true}", json);
    }

    @Test
    void imagesAndParameters() throws Exception {
        String json = write(w -> {
            w.startMessage(Role.USER);
            w.text("What is this?");
            w.image("image/png", span("iVBORw0KGgo="), null);
            w.image(null, null, "https://example.com/cat.jpg");
            w.text("");
            w.endMessage();
            w.maxTokens(300);
            w.topP(0.9);
            w.topK(40);
            w.presencePenalty(0.5);
            w.seed(7);
            w.stopSequences(List.of("END", "\n\nHuman:"));
            w.user("user-1234");
            w.end();
        });
        assertEquals("{\"model\":\"claude-x\",\"messages\":[{\"role\":\"user\",\"content\":["
                + "{\"type\":\"text\",\"text\":\"What is this?\"},"
                + "{\"type\":\"image\",\"source\":{\"type\":\"base64\",\"media_type\":\"image/png\",\"data\":\"iVBORw0KGgo=\"}},"
                + "{\"type\":\"image\",\"source\":{\"type\":\"url\",\"url\":\"https://example.com/cat.jpg\"}}]}],"
                + "\"max_tokens\":300,\"top_p\":0.9,\"top_k\":40,\"stop_sequences\":[\"END\",\"\\n\\nHuman:\"],"
                + "\"metadata\":{\"user_id\":\"user-1234\"}}", json);
    }

    @Test
    void structuredOutputIsAForcedToolCall() throws Exception {
        AnthropicRequestWriter[] kept = new AnthropicRequestWriter[1];
        String json = write(w -> {
            kept[0] = w;
            w.startMessage(Role.USER);
            w.text("Weather as JSON");
            w.endMessage();
            w.responseFormat(ResponseFormat.JSON_SCHEMA, "weather", span(SCHEMA));
            w.reasoningEffort("high", -1);
            w.end();
        });
        assertTrue(kept[0].usesJsonTool());
        assertEquals("{\"model\":\"claude-x\",\"messages\":[{\"role\":\"user\",\"content\":[{\"type\":\"text\",\"text\":\"Weather as JSON\"}]}],"
                + "\"tools\":[{\"name\":\"json_response\",\"description\":\"Respond with the answer as this tool's input: a JSON object.\",\"input_schema\":" + SCHEMA + "}],"
                + "\"tool_choice\":{\"type\":\"tool\",\"name\":\"json_response\"},\"max_tokens\":4096}", json,
                "thinking is not allowed with a forced tool, so it is left out");
    }

    @Test
    void thinkingTakesABudgetBelowMaxTokensAndDropsSamplingParameters() throws Exception {
        String json = write(w -> {
            w.startMessage(Role.USER);
            w.text("27 * 453?");
            w.endMessage();
            w.maxTokens(2000);
            w.temperature(0.3);
            w.reasoningEffort(null, 8000);
            w.end();
        });
        assertTrue(json.endsWith("\"max_tokens\":2000,\"thinking\":{\"type\":\"enabled\",\"budget_tokens\":1999}}"), json);
        assertFalse(json.contains("temperature"), json);
    }

    @Test
    void thinkingIsLeftOutWhenAnEarlierToolTurnLostItsThinkingBlock() throws Exception {
        String json = write(w -> {
            w.startMessage(Role.USER);
            w.text("Weather?");
            w.endMessage();
            w.startMessage(Role.ASSISTANT);
            w.toolCall("call_1", "get_weather", span("{}"));
            w.endMessage();
            w.startMessage(Role.USER);
            w.toolResult("call_1", "sunny", false);
            w.endMessage();
            w.tool("get_weather", null, null);
            w.reasoningEffort("medium", -1);
            w.end();
        });
        assertFalse(json.contains("thinking"), json);
        assertTrue(json.contains("\"input_schema\":{\"type\":\"object\"}"), json);
    }

    @Test
    void signedReasoningGoesBackAsAThinkingBlockAndKeepsThinkingOn() throws Exception {
        String json = write(w -> {
            w.startMessage(Role.USER);
            w.text("Weather?");
            w.endMessage();
            w.startMessage(Role.ASSISTANT);
            w.reasoning("Let me check.", "sig-1");
            w.reasoning("unsigned text from another provider", "");
            w.toolCall("call_1", "get_weather", span("{}"));
            w.endMessage();
            w.startMessage(Role.USER);
            w.toolResult("call_1", "sunny", false);
            w.endMessage();
            w.tool("get_weather", null, null);
            w.reasoningEffort(null, 2048);
            w.end();
        });
        assertTrue(json.contains("{\"role\":\"assistant\",\"content\":[{\"type\":\"thinking\",\"thinking\":\"Let me check.\","
                + "\"signature\":\"sig-1\"},{\"type\":\"tool_use\""), json);
        assertFalse(json.contains("unsigned"), json);
        assertTrue(json.contains("\"thinking\":{\"type\":\"enabled\",\"budget_tokens\":2048}"), json);
    }

    @Test
    void idsCarryingAGeminiSignatureAreMadeSafeTheSameWayInCallAndResult() throws Exception {
        String id = ToolCallIds.withSignature("call_1", "Cr0+/sig==");
        String json = write(w -> {
            w.startMessage(Role.ASSISTANT);
            w.toolCall(id, "f", span("{}"));
            w.endMessage();
            w.startMessage(Role.USER);
            w.toolResult(id, "ok", false);
            w.endMessage();
            w.end();
        });
        assertTrue(json.contains("\"id\":\"call_1__ts_Cr0__sig__\""), json);
        assertTrue(json.contains("\"tool_use_id\":\"call_1__ts_Cr0__sig__\""), json);
    }

    @Test
    void aSystemTextBetweenTurnsJoinsTheSystemPrompt() throws Exception {
        String json = write(w -> {
            w.system("Be brief.");
            w.startMessage(Role.USER);
            w.text("Hi");
            w.endMessage();
            w.system("# Environment");
            w.end();
        });
        assertEquals("{\"model\":\"claude-x\",\"messages\":[{\"role\":\"user\",\"content\":[{\"type\":\"text\","
                + "\"text\":\"Hi\"}]}],\"system\":\"Be brief.\\n\\n# Environment\",\"max_tokens\":4096}", json);
    }

    @Test
    void moreThanOneCandidateIsRefused() {
        Untranslatable refused = assertThrows(Untranslatable.class, () -> write(w -> w.candidates(2)));
        assertEquals(400, refused.error().status().code());
        assertEquals("n", refused.error().param());
    }

    private static String write(Events events) throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (JsonGenerator out = Json.FACTORY.createGenerator(bytes)) {
            events.send(new AnthropicRequestWriter(out, "claude-x", 4096));
        }
        return bytes.toString(StandardCharsets.UTF_8);
    }

    private static ByteSpan span(String json) {
        byte[] bytes = json.getBytes(StandardCharsets.UTF_8);
        return new ByteSpan(bytes, 0, bytes.length);
    }
}
