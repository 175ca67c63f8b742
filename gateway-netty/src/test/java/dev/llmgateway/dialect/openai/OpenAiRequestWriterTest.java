package dev.llmgateway.dialect.openai;

import dev.llmgateway.dialect.JsonCanon;
import dev.llmgateway.dialect.RequestEvents;
import dev.llmgateway.dialect.ResponseFormat;
import dev.llmgateway.dialect.Role;
import dev.llmgateway.dialect.ToolChoice;
import dev.llmgateway.dialect.Untranslatable;
import dev.llmgateway.json.ByteSpan;
import dev.llmgateway.json.JsonOutput;
import dev.llmgateway.testutil.Fixtures;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class OpenAiRequestWriterTest {
    private static final String PNG = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==";

    interface Events {
        void send(RequestEvents out) throws Untranslatable;
    }

    /** What the writer produces for {@code events}, through the gateway's reused generator into a pooled buffer. */
    static String written(String model, boolean openAiPlatform, Events events) throws Untranslatable {
        JsonOutput output = new JsonOutput();
        ByteBuf buf = PooledByteBufAllocator.DEFAULT.directBuffer();
        try {
            events.send(new OpenAiRequestWriter(output.start(buf), model, openAiPlatform));
            output.end();
            return buf.toString(StandardCharsets.UTF_8);
        } finally {
            buf.release();
        }
    }

    private static ByteSpan json(String json) {
        byte[] bytes = json.getBytes(StandardCharsets.UTF_8);
        return new ByteSpan(bytes, 0, bytes.length);
    }

    @Test
    void plainChatWithEveryParameterOnThePlatform() throws Untranslatable {
        Events events = out -> {
            out.system("Be brief.");
            out.system("Answer in French.");
            out.startMessage(Role.USER);
            out.text("Hi \"there\"\n");
            out.endMessage();
            out.maxTokens(512);
            out.temperature(0.5);
            out.topP(0.9);
            out.topK(40);
            out.presencePenalty(0.1);
            out.frequencyPenalty(-0.2);
            out.stopSequences(List.of("END", "\n\n"));
            out.candidates(2);
            out.seed(7);
            out.user("user-1");
            out.reasoningEffort("low", -1);
            out.stream(false);
            out.end();
        };
        assertEquals("{\"model\":\"gpt-5\",\"messages\":[{\"role\":\"system\",\"content\":\"Be brief.\\n\\nAnswer in French.\"},"
                + "{\"role\":\"user\",\"content\":\"Hi \\\"there\\\"\\n\"}],\"max_completion_tokens\":512,"
                + "\"temperature\":0.5,\"top_p\":0.9,\"presence_penalty\":0.1,\"frequency_penalty\":-0.2,"
                + "\"stop\":[\"END\",\"\\n\\n\"],\"n\":2,\"seed\":7,\"user\":\"user-1\",\"reasoning_effort\":\"low\","
                + "\"stream\":true,\"stream_options\":{\"include_usage\":true}}", written("gpt-5", true, events));
        assertEquals("{\"model\":\"llama3\",\"messages\":[{\"role\":\"system\",\"content\":\"Be brief.\\n\\nAnswer in French.\"},"
                + "{\"role\":\"user\",\"content\":\"Hi \\\"there\\\"\\n\"}],\"max_tokens\":512,"
                + "\"temperature\":0.5,\"top_p\":0.9,\"top_k\":40,\"presence_penalty\":0.1,\"frequency_penalty\":-0.2,"
                + "\"stop\":[\"END\",\"\\n\\n\"],\"n\":2,\"seed\":7,\"user\":\"user-1\",\"reasoning_effort\":\"low\","
                + "\"stream\":true,\"stream_options\":{\"include_usage\":true}}", written("llama3", false, events));
    }

    /**
     * The events AnthropicRequestReader gives for what Claude Code sends: two system blocks, a user turn of a
     * system reminder and the task, an assistant turn of thinking, text and a tool_use, a user turn of a
     * tool_result and more text, parallel tool calls answered with an error and a success, tools with full JSON
     * Schemas, tool_choice any, a thinking budget, metadata.user_id, stream.
     */
    private static final Events CLAUDE_CODE = out -> {
        out.system("You are Claude Code, Anthropic's official CLI for Claude.");
        out.system("You are an interactive CLI tool that helps users with software engineering tasks.");
        out.startMessage(Role.USER);
        out.text("<system-reminder>\nThis is a reminder.\n</system-reminder>");
        out.text("Fix the failing test.");
        out.endMessage();
        out.startMessage(Role.ASSISTANT);
        out.reasoning("The test asserts 1 + 2 == 4.", "EqQBCkgIARABGAIiQL");
        out.text("I'll read the test first.");
        out.toolCall("toolu_01Read", "Read", json("{\n  \"file_path\": \"/repo/test_app.py\"\n}"));
        out.endMessage();
        out.startMessage(Role.USER);
        out.toolResult("toolu_01Read", "1\tdef test_add():\n2\t    assert add(1, 2) == 4", false);
        out.text("The expected value is wrong, not the code.");
        out.endMessage();
        out.startMessage(Role.ASSISTANT);
        out.redactedReasoning("EmwKAhgBEgy3va3pzix");
        out.toolCall("toolu_01Edit", "Edit", json("{\"file_path\":\"/repo/test_app.py\",\"old_string\":\"== 4\","
                + "\"new_string\":\"== 3\"}"));
        out.toolCall("toolu_01Bash", "Bash", json("{\"command\":\"pytest -q\"}"));
        out.endMessage();
        out.startMessage(Role.USER);
        out.toolResult("toolu_01Edit", "File has not been read yet.", true);
        out.toolResult("toolu_01Bash", "1 passed", false);
        out.endMessage();
        out.tool("Read", "Reads a file from the local filesystem.", json("{\"type\":\"object\",\"properties\":"
                + "{\"file_path\":{\"type\":\"string\"}},\"required\":[\"file_path\"],\"additionalProperties\":false,"
                + "\"$schema\":\"http://json-schema.org/draft-07/schema#\"}"));
        out.tool("Edit", "Performs exact string replacements in files.", json("{\"type\":\"object\",\"properties\":"
                + "{\"file_path\":{\"type\":\"string\"},\"old_string\":{\"type\":\"string\"},\"new_string\":"
                + "{\"type\":\"string\"}},\"required\":[\"file_path\",\"old_string\",\"new_string\"]}"));
        out.tool("Bash", null, json("{\"type\":\"object\",\"properties\":{\"command\":{\"type\":\"string\"}}}"));
        out.toolChoice(ToolChoice.REQUIRED, null);
        out.maxTokens(32000);
        out.temperature(1);
        out.reasoningEffort(null, 10000);
        out.user("user_2f1c_account__session_9a7e");
        out.stream(false);
        out.end();
    };

    @Test
    void claudeCodeConversationForAnOpenAiCompatibleServer() throws Untranslatable {
        String expected = JsonCanon.compact("""
                {"model":"qwen3-coder","messages":[
                  {"role":"system","content":"You are Claude Code, Anthropic's official CLI for Claude.\\n\\nYou are an \
                interactive CLI tool that helps users with software engineering tasks."},
                  {"role":"user","content":[{"type":"text","text":"<system-reminder>\\nThis is a reminder.\\n</system-reminder>"},
                                            {"type":"text","text":"Fix the failing test."}]},
                  {"role":"assistant","tool_calls":[{"id":"toolu_01Read","type":"function",
                     "function":{"name":"Read","arguments":"{\\"file_path\\":\\"/repo/test_app.py\\"}"}}],
                   "content":"I'll read the test first."},
                  {"role":"tool","tool_call_id":"toolu_01Read","content":"1\\tdef test_add():\\n2\\t    assert add(1, 2) == 4"},
                  {"role":"user","content":"The expected value is wrong, not the code."},
                  {"role":"assistant","tool_calls":[
                     {"id":"toolu_01Edit","type":"function","function":{"name":"Edit",
                       "arguments":"{\\"file_path\\":\\"/repo/test_app.py\\",\\"old_string\\":\\"== 4\\",\\"new_string\\":\\"== 3\\"}"}},
                     {"id":"toolu_01Bash","type":"function","function":{"name":"Bash","arguments":"{\\"command\\":\\"pytest -q\\"}"}}],
                   "content":null},
                  {"role":"tool","tool_call_id":"toolu_01Edit","content":"File has not been read yet."},
                  {"role":"tool","tool_call_id":"toolu_01Bash","content":"1 passed"}],
                 "tools":[
                  {"type":"function","function":{"name":"Read","description":"Reads a file from the local filesystem.",
                    "parameters":{"type":"object","properties":{"file_path":{"type":"string"}},"required":["file_path"],
                      "additionalProperties":false,"$schema":"http://json-schema.org/draft-07/schema#"}}},
                  {"type":"function","function":{"name":"Edit","description":"Performs exact string replacements in files.",
                    "parameters":{"type":"object","properties":{"file_path":{"type":"string"},"old_string":{"type":"string"},
                      "new_string":{"type":"string"}},"required":["file_path","old_string","new_string"]}}},
                  {"type":"function","function":{"name":"Bash",
                    "parameters":{"type":"object","properties":{"command":{"type":"string"}}}}}],
                 "tool_choice":"required","max_tokens":32000,"temperature":1.0,"user":"user_2f1c_account__session_9a7e",
                 "stream":true,"stream_options":{"include_usage":true}}""");
        assertEquals(expected, written("qwen3-coder", false, CLAUDE_CODE));
    }

    @Test
    void claudeCodeConversationOnThePlatformDropsTheBudgetAndUsesMaxCompletionTokens() throws Untranslatable {
        String written = written("gpt-5", true, CLAUDE_CODE);
        String tail = "\"tool_choice\":\"required\",\"max_completion_tokens\":32000,\"temperature\":1.0,"
                + "\"user\":\"user_2f1c_account__session_9a7e\",\"stream\":true,\"stream_options\":{\"include_usage\":true}}";
        assertEquals(tail, written.substring(written.length() - tail.length()), written);
        assertEquals(written("qwen3-coder", false, CLAUDE_CODE)
                        .replace("\"model\":\"qwen3-coder\"", "\"model\":\"gpt-5\"")
                        .replace("\"max_tokens\"", "\"max_completion_tokens\""), written);
    }

    @Test
    void sameRoleTurnsMergeWithToolResultsFirstAndImagesAsDataUrls() throws Untranslatable {
        String written = written("gpt-4o", true, out -> {
            out.startMessage(Role.USER);
            out.text("Look:");
            out.image("image/png", json(PNG), null);
            out.endMessage();
            out.startMessage(Role.USER);
            out.image(null, null, "https://example.com/cat.jpg");
            out.endMessage();
            out.startMessage(Role.ASSISTANT);
            out.text("A pixel");
            out.endMessage();
            out.startMessage(Role.ASSISTANT);
            out.text("and a cat.");
            out.toolCall("call_1", "zoom", json("{}"));
            out.endMessage();
            out.startMessage(Role.USER);
            out.text("Here:");
            out.endMessage();
            out.startMessage(Role.USER);
            out.toolResult("call_1", "zoomed", false);
            out.endMessage();
            out.startMessage(Role.ASSISTANT);
            out.reasoning("nothing to say", "sig");
            out.endMessage();
            out.startMessage(Role.USER);
            out.text("Thanks");
            out.endMessage();
            out.end();
        });
        assertEquals(JsonCanon.compact("""
                {"model":"gpt-4o","messages":[
                  {"role":"user","content":[{"type":"text","text":"Look:"},
                    {"type":"image_url","image_url":{"url":"data:image/png;base64,%s"}},
                    {"type":"image_url","image_url":{"url":"https://example.com/cat.jpg"}}]},
                  {"role":"assistant","tool_calls":[{"id":"call_1","type":"function","function":{"name":"zoom",
                    "arguments":"{}"}}],"content":"A pixel\\n\\nand a cat."},
                  {"role":"tool","tool_call_id":"call_1","content":"zoomed"},
                  {"role":"user","content":"Here:"},
                  {"role":"user","content":"Thanks"}]}""".formatted(PNG)), written);
    }

    @Test
    void toolsWithoutSchemaChoicesAndFormats() throws Untranslatable {
        assertEquals("{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"q\"}],\"tools\":[{\"type\":"
                + "\"function\",\"function\":{\"name\":\"now\",\"parameters\":{\"type\":\"object\",\"properties\":{}}}}],"
                + "\"tool_choice\":{\"type\":\"function\",\"function\":{\"name\":\"now\"}},\"parallel_tool_calls\":false,"
                + "\"response_format\":{\"type\":\"json_schema\",\"json_schema\":{\"name\":\"response\",\"schema\":"
                + "{\"type\":\"object\"}}}}", written("m", true, out -> {
                    out.startMessage(Role.USER);
                    out.text("q");
                    out.endMessage();
                    out.tool("now", null, null);
                    out.toolChoice(ToolChoice.TOOL, "now");
                    out.parallelToolCalls(false);
                    out.responseFormat(ResponseFormat.JSON_SCHEMA, null, json("{ \"type\" : \"object\" }"));
                    out.end();
                }));
        // Without tools, tool_choice and parallel_tool_calls would be refused by OpenAI: left out. True is the default.
        assertEquals("{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"q\"}],"
                + "\"response_format\":{\"type\":\"json_object\"}}", written("m", false, out -> {
                    out.startMessage(Role.USER);
                    out.text("q");
                    out.endMessage();
                    out.toolChoice(ToolChoice.NONE, null);
                    out.parallelToolCalls(false);
                    out.responseFormat(ResponseFormat.JSON_OBJECT, null, null);
                    out.end();
                }));
        assertEquals("{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"q\"}],\"tools\":[{\"type\":"
                + "\"function\",\"function\":{\"name\":\"f\",\"description\":\"d\",\"parameters\":{\"type\":\"object\"}}}],"
                + "\"tool_choice\":\"none\",\"response_format\":{\"type\":\"json_schema\",\"json_schema\":"
                + "{\"name\":\"answer\"}}}", written("m", false, out -> {
                    out.startMessage(Role.USER);
                    out.text("q");
                    out.endMessage();
                    out.tool("f", "d", json("{\"type\":\"object\"}"));
                    out.toolChoice(ToolChoice.NONE, null);
                    out.parallelToolCalls(true);
                    out.responseFormat(ResponseFormat.JSON_SCHEMA, "answer", null);
                    out.end();
                }));
    }

    @Test
    void systemOnlyAndToolArgumentsWithUnicode() throws Untranslatable {
        assertEquals("{\"model\":\"m\",\"messages\":[{\"role\":\"system\",\"content\":\"s\"}]}",
                written("m", true, out -> {
                    out.system("s");
                    out.end();
                }));
        assertEquals("{\"model\":\"m\",\"messages\":[{\"role\":\"assistant\",\"tool_calls\":[{\"id\":\"c\",\"type\":"
                + "\"function\",\"function\":{\"name\":\"f\",\"arguments\":\"{\\\"city\\\":\\\"Zürich\\\",\\\"q\\\":"
                + "\\\"a\\\\\\\"b\\\"}\"}}],\"content\":null}]}", written("m", true, out -> {
                    out.startMessage(Role.ASSISTANT);
                    out.toolCall("c", "f", json("{ \"city\": \"Z\\u00fcrich\", \"q\": \"a\\\"b\" }"));
                    out.endMessage();
                    out.end();
                }));
    }

    /** Anthropic's mid-conversation system message (Claude Code sends one after the user turn) stays in place. */
    @Test
    void aSystemTextAfterTheFirstTurnIsASystemMessageInItsPlace() throws Untranslatable {
        assertEquals(JsonCanon.compact("""
                {"model":"m","messages":[{"role":"system","content":"first"},
                  {"role":"user","content":[{"type":"text","text":"a"},{"type":"text","text":"b"}]},
                  {"role":"system","content":"later"},{"role":"user","content":"c"},
                  {"role":"assistant","content":"d"},{"role":"system","content":"last"}]}"""),
                written("m", true, out -> {
                    out.system("first");
                    out.startMessage(Role.USER);
                    out.text("a");
                    out.text("b");
                    out.endMessage();
                    out.system("later");
                    out.startMessage(Role.USER);
                    out.text("c");
                    out.endMessage();
                    out.startMessage(Role.ASSISTANT);
                    out.text("d");
                    out.endMessage();
                    out.system("last");
                    out.end();
                }));
    }

    @Test
    void whatOpenAiCannotTakeIsRefused() {
        Untranslatable image = assertThrows(Untranslatable.class, () -> written("m", true, out -> {
            out.startMessage(Role.ASSISTANT);
            out.image("image/png", json(PNG), null);
        }));
        assertEquals("unsupported_value", image.error().code());
        Untranslatable stops = assertThrows(Untranslatable.class, () -> written("m", true, out -> {
            out.startMessage(Role.USER);
            out.text("q");
            out.endMessage();
            out.stopSequences(List.of("a", "b", "c", "d", "e"));
        }));
        assertEquals("stop_sequences", stops.error().param());
    }

    @Test
    void compatibleServersTakeMoreThanFourStops() throws Untranslatable {
        assertEquals("{\"model\":\"m\",\"messages\":[],\"stop\":[\"a\",\"b\",\"c\",\"d\",\"e\"]}",
                written("m", false, out -> {
                    out.stopSequences(List.of("a", "b", "c", "d", "e"));
                    out.end();
                }));
    }

    // ---- round trips: OpenAI request → reader → writer → an equivalent OpenAI request ----

    private static String roundTrip(String fixture, String model, boolean openAiPlatform) throws Untranslatable {
        byte[] body = Fixtures.bytes(fixture);
        ByteBuf buf = PooledByteBufAllocator.DEFAULT.heapBuffer(body.length).writeBytes(body);
        try {
            return written(model, openAiPlatform, out -> OpenAiRequestReader.read(buf, out));
        } finally {
            buf.release();
        }
    }

    private static void assertSameRequest(String expected, String actual) {
        assertEquals(JsonCanon.canonical(expected), JsonCanon.canonical(actual), actual);
    }

    @Test
    void roundTripChatRenamesMaxTokensOnThePlatformOnly() throws Untranslatable {
        String messages = "\"messages\":[{\"role\":\"system\",\"content\":\"You are a concise assistant.\"},"
                + "{\"role\":\"user\",\"content\":\"What is the capital of France?\"}],\"temperature\":0.7";
        assertSameRequest("{\"model\":\"gpt-4o-mini\"," + messages + ",\"max_completion_tokens\":256}",
                roundTrip("openai/request-chat.json", "gpt-4o-mini", true));
        assertSameRequest("{\"model\":\"gpt-4o-mini\"," + messages + ",\"max_tokens\":256}",
                roundTrip("openai/request-chat.json", "gpt-4o-mini", false));
    }

    /** Intentional differences: developer becomes system, image detail and the default n:1 are not carried. */
    @Test
    void roundTripMultimodal() throws Untranslatable {
        assertSameRequest("""
                {"model":"gpt-4o-mini","messages":[
                  {"role":"system","content":"Answer in one sentence."},
                  {"role":"user","content":[{"type":"text","text":"What is in this image?"},
                    {"type":"image_url","image_url":{"url":"data:image/png;base64,%s"}},
                    {"type":"image_url","image_url":{"url":"https://example.com/images/cat.jpg"}}]}],
                 "max_completion_tokens":300,"stop":["\\n\\n","END"],"seed":42,"user":"user-1234"}""".formatted(PNG),
                roundTrip("openai/request-chat-multimodal.json", "gpt-4o-mini", true));
    }

    /**
     * Intentional differences: arguments re-encoded compactly, strict:false and the default parallel_tool_calls:true
     * not carried.
     */
    @Test
    void roundTripTools() throws Untranslatable {
        assertSameRequest("""
                {"model":"gpt-4o-mini","messages":[
                  {"role":"system","content":"You are a weather bot."},
                  {"role":"user","content":"What's the weather in Paris and Tokyo?"},
                  {"role":"assistant","content":null,"tool_calls":[
                    {"id":"call_Xk3pQ9vR2mT8nW4yL6bJ1cF5","type":"function",
                     "function":{"name":"get_weather","arguments":"{\\"city\\":\\"Paris\\",\\"unit\\":\\"celsius\\"}"}},
                    {"id":"call_Hq7mW2sK9pL4vN8rT1cY6dB3","type":"function",
                     "function":{"name":"get_weather","arguments":"{\\"city\\":\\"Tokyo\\",\\"unit\\":\\"celsius\\"}"}}]},
                  {"role":"tool","tool_call_id":"call_Xk3pQ9vR2mT8nW4yL6bJ1cF5","content":"{\\"temp\\": 18, \\"condition\\": \\"cloudy\\"}"},
                  {"role":"tool","tool_call_id":"call_Hq7mW2sK9pL4vN8rT1cY6dB3","content":"{\\"temp\\": 24, \\"condition\\": \\"sunny\\"}"}],
                 "tools":[{"type":"function","function":{"name":"get_weather","description":"Get the current weather for a city.",
                   "parameters":{"type":"object","properties":{"city":{"type":"string","description":"City name, e.g. Paris"},
                     "unit":{"type":"string","enum":["celsius","fahrenheit"]}},"required":["city"],"additionalProperties":false}}}],
                 "tool_choice":"auto","temperature":0}""",
                roundTrip("openai/request-chat-tools.json", "gpt-4o-mini", true));
    }

    /** Streams always ask for usage; Ollama's request did already. */
    @Test
    void roundTripStreams() throws Untranslatable {
        String user = "\"messages\":[{\"role\":\"user\",\"content\":\"What is the capital of France?\"}],"
                + "\"stream\":true,\"stream_options\":{\"include_usage\":true}";
        assertSameRequest("{\"model\":\"gpt-4o-mini\"," + user + ",\"max_completion_tokens\":64}",
                roundTrip("openai/request-chat-stream.json", "gpt-4o-mini", true));
        assertSameRequest("{\"model\":\"llama3.2\"," + user + "}",
                roundTrip("ollama/request-chat-stream.json", "llama3.2", false));
    }

    @Test
    void roundTripOfWhatTheOpenAiSdkSentIsExact() throws Untranslatable {
        String fixture = "../captured/openai-node-6.49.0-chat-stream-tools.json";
        assertSameRequest(Fixtures.text(fixture), roundTrip(fixture, "gpt-4o-mini", true));
    }
}
