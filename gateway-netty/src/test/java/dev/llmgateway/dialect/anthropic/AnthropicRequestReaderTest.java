package dev.llmgateway.dialect.anthropic;

import dev.llmgateway.dialect.JsonCanon;
import dev.llmgateway.dialect.RequestRecorder;
import dev.llmgateway.dialect.Untranslatable;
import dev.llmgateway.testutil.Fixtures;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class AnthropicRequestReaderTest {
    private static final String PNG = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==";

    /** What Claude Code sends: system blocks with cache_control, client tools, a thinking history, tool results. */
    private static final String CLAUDE_CODE = """
            {
              "model": "claude-sonnet-4-5-20250929",
              "messages": [
                {"role": "user", "content": [
                  {"type": "text", "text": "<system-reminder>Be brief.</system-reminder>"},
                  {"type": "text", "text": "List the files", "cache_control": {"type": "ephemeral"}}
                ]},
                {"role": "assistant", "content": [
                  {"type": "thinking", "thinking": "I should run ls.", "signature": "EqMBCkYIBxgC"},
                  {"type": "redacted_thinking", "data": "EmwKAhgBEgy3va3pzix/LafPsn4a"},
                  {"type": "text", "text": "Listing."},
                  {"type": "tool_use", "id": "toolu_01AbC", "name": "Bash",
                   "input": {"command": "ls -la", "description": "List files"}},
                  {"type": "tool_use", "id": "toolu_01DeF", "name": "Read", "input": {"file_path": "/tmp/shot.png"}}
                ]},
                {"role": "user", "content": [
                  {"type": "tool_result", "tool_use_id": "toolu_01AbC",
                   "content": [{"type": "text", "text": "a.txt"}, {"type": "text", "text": "b.txt"}]},
                  {"type": "tool_result", "tool_use_id": "toolu_01DeF", "is_error": false, "content": [
                    {"type": "image", "source": {"type": "base64", "media_type": "image/png", "data": "AAAA"}}
                  ]},
                  {"type": "text", "text": "Now read c.txt", "cache_control": {"type": "ephemeral"}}
                ]},
                {"role": "assistant", "content": [
                  {"type": "tool_use", "id": "toolu_01GhI", "name": "Read", "input": {"file_path": "c.txt"}}
                ]},
                {"role": "user", "content": [
                  {"type": "tool_result", "tool_use_id": "toolu_01GhI", "is_error": true,
                   "content": "<tool_use_error>File does not exist.</tool_use_error>"}
                ]}
              ],
              "temperature": 1,
              "system": [
                {"type": "text", "text": "You are Claude Code, Anthropic's official CLI for Claude.",
                 "cache_control": {"type": "ephemeral"}},
                {"type": "text", "text": "You are an interactive CLI tool.", "cache_control": {"type": "ephemeral"}}
              ],
              "tools": [
                {"name": "Bash", "description": "Executes a bash command",
                 "input_schema": {"type": "object", "properties": {"command": {"type": "string"},
                   "description": {"type": "string"}}, "required": ["command"], "additionalProperties": false,
                   "$schema": "http://json-schema.org/draft-07/schema#"}},
                {"name": "Read", "description": "Reads a file", "cache_control": {"type": "ephemeral"},
                 "input_schema": {"type": "object", "properties": {"file_path": {"type": "string"}},
                   "required": ["file_path"]}}
              ],
              "metadata": {"user_id": "user_2f1e_account__session_6d0c"},
              "max_tokens": 32000,
              "thinking": {"type": "enabled", "budget_tokens": 31999},
              "stream": true,
              "service_tier": "auto",
              "container": null,
              "mcp_servers": [{"type": "url", "url": "https://mcp.example.com/sse", "name": "ex"}],
              "context_management": {"edits": [{"type": "clear_tool_uses_20250919"}]}
            }
            """;

    private static final List<String> CLAUDE_CODE_EVENTS = List.of(
            "system You are Claude Code, Anthropic's official CLI for Claude.",
            "system You are an interactive CLI tool.",
            "startMessage USER",
            "text <system-reminder>Be brief.</system-reminder>",
            "text List the files",
            "endMessage",
            "startMessage ASSISTANT",
            "reasoning I should run ls. EqMBCkYIBxgC",
            "redactedReasoning EmwKAhgBEgy3va3pzix/LafPsn4a",
            "text Listing.",
            "toolCall toolu_01AbC Bash {\"command\":\"ls -la\",\"description\":\"List files\"}",
            "toolCall toolu_01DeF Read {\"file_path\":\"/tmp/shot.png\"}",
            "endMessage",
            "startMessage USER",
            "toolResult toolu_01AbC a.txt\nb.txt false",
            "toolResult toolu_01DeF " + AnthropicContentReader.TOOL_RESULT_IMAGE + " false",
            "text Now read c.txt",
            "endMessage",
            "startMessage ASSISTANT",
            "toolCall toolu_01GhI Read {\"file_path\":\"c.txt\"}",
            "endMessage",
            "startMessage USER",
            "toolResult toolu_01GhI <tool_use_error>File does not exist.</tool_use_error> true",
            "endMessage",
            "tool Bash Executes a bash command {\"type\":\"object\",\"properties\":{\"command\":{\"type\":\"string\"},"
                    + "\"description\":{\"type\":\"string\"}},\"required\":[\"command\"],\"additionalProperties\":false,"
                    + "\"$schema\":\"http://json-schema.org/draft-07/schema#\"}",
            "tool Read Reads a file {\"type\":\"object\",\"properties\":{\"file_path\":{\"type\":\"string\"}},"
                    + "\"required\":[\"file_path\"]}",
            "maxTokens 32000",
            "temperature 1.0",
            "user user_2f1e_account__session_6d0c",
            "reasoningEffort null 31999",
            "stream true",
            "end");

    @Test
    void plainRequestWithImages() throws Untranslatable {
        assertEquals(List.of(
                "system You are a concise assistant.",
                "startMessage USER",
                "text What is the capital of France?",
                "endMessage",
                "startMessage ASSISTANT",
                "text Paris.",
                "endMessage",
                "startMessage USER",
                "text What is in this image?",
                "image image/png " + PNG + " null",
                "image null null https://example.com/images/cat.jpg",
                "endMessage",
                "maxTokens 1024",
                "temperature 0.7",
                "stopSequences [\n\nHuman:, END]",
                "user user-1234",
                "end"), read(fixture("request-message.json")));
    }

    @Test
    void toolsRequest() throws Untranslatable {
        assertEquals(List.of(
                "system You are a weather bot.",
                "startMessage USER",
                "text What's the weather in Paris?",
                "endMessage",
                "startMessage ASSISTANT",
                "text I'll check the weather in Paris for you.",
                "toolCall toolu_01A09q90qw90lq917835lq9f get_weather {\"city\":\"Paris\",\"unit\":\"celsius\"}",
                "endMessage",
                "startMessage USER",
                "toolResult toolu_01A09q90qw90lq917835lq9f {\"temp\": 18, \"condition\": \"cloudy\"} false",
                "endMessage",
                "tool get_weather Get the current weather for a city. {\"type\":\"object\",\"properties\":{\"city\":"
                        + "{\"type\":\"string\",\"description\":\"City name, e.g. Paris\"},\"unit\":{\"type\":"
                        + "\"string\",\"enum\":[\"celsius\",\"fahrenheit\"]}},\"required\":[\"city\"]}",
                // disable_parallel_tool_use:false is Anthropic's default: nothing to say.
                "toolChoice AUTO null",
                "maxTokens 1024",
                "end"), read(fixture("request-message-tools.json")));
    }

    @Test
    void streamingThinkingRequest() throws Untranslatable {
        assertEquals(List.of(
                "startMessage USER",
                "text What is 27 * 453?",
                "endMessage",
                "maxTokens 16000",
                "reasoningEffort null 10000",
                "stream true",
                "end"), read(fixture("request-message-stream-thinking.json")));
    }

    @Test
    void claudeCodeRequest() throws Untranslatable {
        assertEquals(CLAUDE_CODE_EVENTS, read(CLAUDE_CODE));
    }

    @Test
    void keyOrderDoesNotChangeTheEvents() throws Untranslatable {
        for (String request : List.of(CLAUDE_CODE, fixture("request-message.json"),
                fixture("request-message-tools.json"), fixture("request-message-stream-thinking.json"))) {
            // Tool inputs and schemas are passed on verbatim: their order is part of what must come out.
            String reversed = JsonCanon.reversed(request, "input", "input_schema");
            assertNotEquals(JsonCanon.compact(request), reversed);
            assertTrue(reversed.indexOf("\"content\"") < reversed.indexOf("\"role\""), reversed);
            assertEquals(read(request), read(reversed));
        }
    }

    @Test
    void directAndOffsetBuffersReadTheSame() throws Untranslatable {
        byte[] json = fixture("request-message.json").getBytes(StandardCharsets.UTF_8);
        List<String> expected = read(fixture("request-message.json"));

        ByteBuf direct = PooledByteBufAllocator.DEFAULT.directBuffer(json.length).writeBytes(json);
        try {
            assertEquals(expected, read(direct));
        } finally {
            direct.release();
        }
        byte[] padded = new byte[json.length + 7];
        System.arraycopy(json, 0, padded, 5, json.length);
        ByteBuf slice = Unpooled.wrappedBuffer(padded).slice(2, json.length + 3).skipBytes(3);
        assertEquals(expected, read(slice));
    }

    @Test
    void toolChoices() throws Untranslatable {
        assertEquals("toolChoice REQUIRED null", toolChoiceEvents("{\"type\":\"any\"}").get(0));
        assertEquals("toolChoice NONE null", toolChoiceEvents("{\"type\":\"none\"}").get(0));
        assertEquals(List.of("toolChoice TOOL get_weather", "parallelToolCalls false"),
                toolChoiceEvents("{\"disable_parallel_tool_use\":true,\"name\":\"get_weather\",\"type\":\"tool\"}"));
        assertEquals("tool_choice.name", refusal(request("\"tool_choice\":{\"type\":\"tool\"}")).error().param());
        assertEquals("tool_choice.type", refusal(request("\"tool_choice\":{\"type\":\"maybe\"}")).error().param());
    }

    @Test
    void disabledThinkingAndNullsSayNothing() throws Untranslatable {
        assertEquals(List.of("startMessage USER", "text Hi", "endMessage", "maxTokens 10", "end"),
                read(request("\"thinking\":{\"type\":\"disabled\"},\"temperature\":null,\"system\":null,"
                        + "\"stop_sequences\":[],\"stream\":false,\"metadata\":{\"user_id\":null}")));
    }

    @Test
    void missingMaxTokensIsRefusedAsAnthropicWould() {
        Untranslatable e = refusal("{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"Hi\"}]}");
        assertEquals("invalid_value", e.error().code());
        assertEquals("max_tokens", e.error().param());
        assertEquals(400, e.error().status().code());
        assertEquals("max_tokens", refusal(request("\"max_tokens\":\"10\"")).error().param());
    }

    @Test
    void serverToolsAreRefused() {
        for (String tool : List.of("{\"type\":\"web_search_20250305\",\"name\":\"web_search\",\"max_uses\":5}",
                "{\"name\":\"bash\",\"type\":\"bash_20250124\"}",
                "{\"type\":\"text_editor_20250728\",\"name\":\"str_replace_based_edit_tool\"}")) {
            Untranslatable e = refusal(request("\"tools\":[{\"name\":\"ok\",\"input_schema\":{\"type\":\"object\"}},"
                    + tool + "]"));
            assertEquals("unsupported_value", e.error().code());
            assertEquals("tools.1.type", e.error().param());
            assertTrue(e.getMessage().contains("server tool"), e.getMessage());
        }
    }

    @Test
    void customToolTypeIsAClientTool() throws Untranslatable {
        assertEquals("tool f null null",
                read(request("\"tools\":[{\"type\":\"custom\",\"name\":\"f\"}]")).get(3));
    }

    @Test
    void blocksOtherProvidersCannotTakeAreRefused() {
        for (String block : List.of(
                "{\"type\":\"document\",\"source\":{\"type\":\"base64\",\"media_type\":\"application/pdf\",\"data\":\"JVBE\"}}",
                "{\"type\":\"search_result\",\"source\":\"https://x\",\"title\":\"t\",\"content\":[]}",
                "{\"type\":\"image\",\"source\":{\"type\":\"file\",\"file_id\":\"file_01\"}}",
                "{\"type\":\"tool_result\",\"tool_use_id\":\"t1\",\"content\":[{\"type\":\"document\"}]}")) {
            Untranslatable e = refusal(userBlocks(block));
            assertEquals("unsupported_value", e.error().code(), block);
            assertTrue(e.error().param().startsWith("messages.0.content.0"), e.error().param());
        }
    }

    @Test
    void serverToolBlocksInTheHistoryAreSkipped() throws Untranslatable {
        String history = "{\"model\":\"m\",\"max_tokens\":10,\"messages\":[{\"role\":\"assistant\",\"content\":["
                + "{\"type\":\"server_tool_use\",\"id\":\"srvtoolu_1\",\"name\":\"web_search\",\"input\":{\"query\":\"q\"}},"
                + "{\"type\":\"web_search_tool_result\",\"tool_use_id\":\"srvtoolu_1\",\"content\":[{\"type\":"
                + "\"web_search_result\",\"url\":\"https://x\",\"title\":\"X\",\"encrypted_content\":\"Eq\"}]},"
                + "{\"type\":\"text\",\"text\":\"Found it.\"}]}]}";
        assertEquals(List.of("startMessage ASSISTANT", "text Found it.", "endMessage", "maxTokens 10", "end"),
                read(history));
    }

    @Test
    void malformedRequestsAreInvalid() {
        for (String body : List.of("{\"max_tokens\":10,\"messages\":[", "[]", "{\"max_tokens\":10} x",
                "{\"max_tokens\":10,\"messages\":{}}",
                "{\"max_tokens\":10,\"messages\":[{\"role\":\"developer\",\"content\":\"x\"}]}",
                "{\"max_tokens\":10,\"messages\":[{\"role\":\"system\",\"content\":[{\"type\":\"image\"}]}]}",
                "{\"max_tokens\":10,\"messages\":[{\"content\":\"x\"}]}",
                "{\"max_tokens\":10,\"messages\":[{\"role\":\"user\",\"content\":[{\"text\":\"x\"}]}]}",
                "{\"max_tokens\":10,\"messages\":[{\"role\":\"user\",\"content\":[{\"type\":\"tool_use\",\"id\":\"x\"}]}]}")) {
            assertEquals("invalid_value", refusal(body).error().code(), body);
        }
    }

    /** Newer models take system messages after a user turn (Claude Code 2.1 sends one): system text in its place. */
    @Test
    void midConversationSystemMessagesAreSystemTextInTheirPlace() throws Untranslatable {
        assertEquals(List.of("system top", "startMessage USER", "text Hi", "endMessage", "system # Environment",
                        "system second block", "startMessage ASSISTANT", "text Hello", "endMessage", "system plain",
                        "maxTokens 10", "end"),
                read("{\"model\":\"m\",\"max_tokens\":10,\"system\":\"top\",\"messages\":["
                        + "{\"role\":\"user\",\"content\":\"Hi\"},"
                        + "{\"content\":[{\"type\":\"text\",\"text\":\"# Environment\"},"
                        + "{\"type\":\"text\",\"text\":\"second block\",\"cache_control\":{\"type\":\"ephemeral\"}}],"
                        + "\"role\":\"system\"},"
                        + "{\"role\":\"assistant\",\"content\":\"Hello\"},{\"role\":\"system\",\"content\":\"plain\"}]}"));
    }

    @Test
    void toolUseWithoutInputHasAnEmptyObject() throws Untranslatable {
        assertEquals("toolCall t1 ls {}", read("{\"max_tokens\":10,\"messages\":[{\"role\":\"assistant\","
                + "\"content\":[{\"type\":\"tool_use\",\"id\":\"t1\",\"name\":\"ls\"}]}]}").get(1));
    }

    private static List<String> toolChoiceEvents(String choice) throws Untranslatable {
        List<String> events = read(request("\"tool_choice\":" + choice));
        return events.subList(3, events.size() - 2);
    }

    /** A minimal valid request with {@code members} added. */
    private static String request(String members) {
        return "{\"model\":\"m\",\"max_tokens\":10,\"messages\":[{\"role\":\"user\",\"content\":\"Hi\"}]," + members
                + "}";
    }

    private static String userBlocks(String block) {
        return "{\"model\":\"m\",\"max_tokens\":10,\"messages\":[{\"role\":\"user\",\"content\":[" + block + "]}]}";
    }

    private static Untranslatable refusal(String json) {
        return assertThrows(Untranslatable.class, () -> read(json));
    }

    private static List<String> read(String json) throws Untranslatable {
        return read(Unpooled.wrappedBuffer(json.getBytes(StandardCharsets.UTF_8)));
    }

    private static List<String> read(ByteBuf body) throws Untranslatable {
        RequestRecorder recorder = new RequestRecorder();
        AnthropicRequestReader.read(body, recorder);
        return recorder.events;
    }

    private static String fixture(String name) {
        return Fixtures.text("anthropic/" + name);
    }
}
