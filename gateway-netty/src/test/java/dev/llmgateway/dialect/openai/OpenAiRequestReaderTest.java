package dev.llmgateway.dialect.openai;

import dev.llmgateway.dialect.JsonCanon;
import dev.llmgateway.dialect.RequestRecorder;
import dev.llmgateway.dialect.Untranslatable;
import dev.llmgateway.testutil.Fixtures;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class OpenAiRequestReaderTest {
    private static final String PNG = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==";

    /**
     * The events for {@code body}, read once from a heap buffer whose array holds other bytes around the body and
     * once from a direct buffer (the copy path); both must agree. JSON values in span arguments (the last argument
     * of tool, toolCall and responseFormat) are compacted by the recorder, since the client's whitespace is not ours to compare.
     */
    static List<String> events(byte[] body) throws Untranslatable {
        byte[] padded = new byte[body.length + 7];
        System.arraycopy(body, 0, padded, 3, body.length);
        ByteBuf heap = Unpooled.wrappedBuffer(padded).slice(3, body.length);
        ByteBuf direct = PooledByteBufAllocator.DEFAULT.directBuffer(body.length).writeBytes(body);
        try {
            List<String> fromHeap = recorded(heap);
            assertEquals(fromHeap, recorded(direct), "direct and heap bodies read alike");
            return fromHeap;
        } finally {
            heap.release();
            direct.release();
        }
    }

    static List<String> events(String body) throws Untranslatable {
        return events(body.getBytes(StandardCharsets.UTF_8));
    }

    private static List<String> recorded(ByteBuf body) throws Untranslatable {
        RequestRecorder recorder = new RequestRecorder();
        OpenAiRequestReader.read(body, recorder);
        return recorder.events;
    }

    /** The line with its trailing JSON value (from the first brace that starts one) rewritten. */
    private static String rewriteJsonTail(String line, UnaryOperator<String> rewrite) {
        for (int at = line.indexOf('{'); at >= 0; at = line.indexOf('{', at + 1)) {
            try {
                return line.substring(0, at) + rewrite.apply(line.substring(at));
            } catch (RuntimeException notJsonFromHere) {
                // A brace inside a description: the value starts further on.
            }
        }
        return line;
    }

    private static Untranslatable refused(String body) {
        return assertThrows(Untranslatable.class, () -> events(body));
    }

    private static void assertRefused(String code, String param, String body) {
        Untranslatable e = refused(body);
        assertEquals(code, e.error().code(), e.getMessage());
        assertEquals(param, e.error().param(), e.getMessage());
        assertEquals(400, e.error().status().code());
    }

    @Test
    void chat() throws Untranslatable {
        assertEquals(List.of(
                "system You are a concise assistant.",
                "startMessage USER",
                "text What is the capital of France?",
                "endMessage",
                "maxTokens 256",
                "temperature 0.7",
                "end"), events(Fixtures.bytes("openai/request-chat.json")));
    }

    @Test
    void multimodal() throws Untranslatable {
        assertEquals(List.of(
                "system Answer in one sentence.",
                "startMessage USER",
                "text What is in this image?",
                "image image/png " + PNG + " null",
                "image null null https://example.com/images/cat.jpg",
                "endMessage",
                "maxTokens 300",
                "stopSequences [\n\n, END]",
                "seed 42",
                "user user-1234",
                "end"), events(Fixtures.bytes("openai/request-chat-multimodal.json")));
    }

    static final List<String> TOOLS_EVENTS = List.of(
            "system You are a weather bot.",
            "startMessage USER",
            "text What's the weather in Paris and Tokyo?",
            "endMessage",
            "startMessage ASSISTANT",
            "toolCall call_Xk3pQ9vR2mT8nW4yL6bJ1cF5 get_weather {\"city\":\"Paris\",\"unit\":\"celsius\"}",
            "toolCall call_Hq7mW2sK9pL4vN8rT1cY6dB3 get_weather {\"city\":\"Tokyo\",\"unit\":\"celsius\"}",
            "endMessage",
            "startMessage USER",
            "toolResult call_Xk3pQ9vR2mT8nW4yL6bJ1cF5 {\"temp\": 18, \"condition\": \"cloudy\"} false",
            "endMessage",
            "startMessage USER",
            "toolResult call_Hq7mW2sK9pL4vN8rT1cY6dB3 {\"temp\": 24, \"condition\": \"sunny\"} false",
            "endMessage",
            "tool get_weather Get the current weather for a city. {\"type\":\"object\",\"properties\":{\"city\":"
                    + "{\"type\":\"string\",\"description\":\"City name, e.g. Paris\"},\"unit\":{\"type\":\"string\","
                    + "\"enum\":[\"celsius\",\"fahrenheit\"]}},\"required\":[\"city\"],\"additionalProperties\":false}",
            "toolChoice AUTO null",
            "parallelToolCalls true",
            "temperature 0.0",
            "end");

    @Test
    void tools() throws Untranslatable {
        assertEquals(TOOLS_EVENTS, events(Fixtures.bytes("openai/request-chat-tools.json")));
    }

    @Test
    void stream() throws Untranslatable {
        assertEquals(List.of(
                "startMessage USER",
                "text What is the capital of France?",
                "endMessage",
                "maxTokens 64",
                "stream true",
                "end"), events(Fixtures.bytes("openai/request-chat-stream.json")));
    }

    @Test
    void ollamaStream() throws Untranslatable {
        assertEquals(List.of(
                "startMessage USER",
                "text What is the capital of France?",
                "endMessage",
                "stream true",
                "end"), events(Fixtures.bytes("ollama/request-chat-stream.json")));
    }

    /** The body the openai npm SDK (6.49.0) sent for a streamed request with tools, captured on loopback. */
    @Test
    void openAiNodeSdkRequest() throws Untranslatable {
        assertEquals(List.of(
                "system You are a helpful assistant.",
                "startMessage USER",
                "text What is the weather in Paris?",
                "endMessage",
                "startMessage ASSISTANT",
                "toolCall call_abc123 get_weather {\"city\":\"Paris\"}",
                "endMessage",
                "startMessage USER",
                "toolResult call_abc123 {\"temp\":18} false",
                "endMessage",
                "tool get_weather Get the weather {\"type\":\"object\",\"properties\":{\"city\":{\"type\":\"string\"}},"
                        + "\"required\":[\"city\"]}",
                "toolChoice AUTO null",
                "stream true",
                "end"), events(Fixtures.bytes("../captured/openai-node-6.49.0-chat-stream-tools.json")));
    }

    @ParameterizedTest
    @ValueSource(strings = {"openai/request-chat.json", "openai/request-chat-multimodal.json",
            "openai/request-chat-tools.json", "openai/request-chat-stream.json", "ollama/request-chat-stream.json",
            "../captured/openai-node-6.49.0-chat-stream-tools.json"})
    void keyOrderDoesNotMatter(String fixture) throws Untranslatable {
        String original = Fixtures.text(fixture);
        String reversed = JsonCanon.reversed(original);
        // Schemas are passed on as the client ordered them: compare them by content.
        assertEquals(canonicalTails(events(original)), canonicalTails(events(reversed)), reversed);
    }

    private static List<String> canonicalTails(List<String> events) {
        List<String> lines = new ArrayList<>();
        for (String line : events) {
            lines.add(line.startsWith("tool ") ? rewriteJsonTail(line, JsonCanon::canonical) : line);
        }
        return lines;
    }

    @Test
    void systemAndDeveloperMessagesAreHoistedInOrder() throws Untranslatable {
        assertEquals(List.of(
                "system Be brief.",
                "system Answer in French.",
                "system Use metric units.\n\nNo emoji.",
                "startMessage USER",
                "text Hi",
                "endMessage",
                "startMessage ASSISTANT",
                "text Bonjour",
                "endMessage",
                "startMessage USER",
                "text How tall is the Eiffel tower?",
                "endMessage",
                "end"), events("""
                {"messages":[
                  {"role":"system","content":"Be brief."},
                  {"role":"user","content":"Hi"},
                  {"role":"assistant","content":"Bonjour"},
                  {"role":"developer","content":"Answer in French."},
                  {"content":[{"type":"text","text":"Use metric units."},{"text":"No emoji.","type":"text"}],
                   "role":"system"},
                  {"role":"user","content":"How tall is the Eiffel tower?"}],
                 "model":"gpt-4o"}"""));
    }

    @Test
    void assistantTurnsWithPartsRefusalReasoningAndLegacyFunctionCalls() throws Untranslatable {
        assertEquals(List.of(
                "startMessage USER",
                "text Weather?",
                "endMessage",
                "startMessage ASSISTANT",
                "reasoning The user wants weather. ",
                "text Checking.",
                "text I can't say more.",
                "toolCall call_fn_0 get_weather {\"city\":\"Oslo\"}",
                "endMessage",
                "startMessage USER",
                "toolResult call_fn_0 rainy false",
                "endMessage",
                "startMessage ASSISTANT",
                "text It is rainy.",
                "endMessage",
                "tool get_weather null {\"type\":\"object\"}",
                "tool get_time Current time null",
                "toolChoice TOOL get_weather",
                "end"), events("""
                {"model":"gpt-4o","messages":[
                  {"role":"user","content":"Weather?"},
                  {"role":"assistant","function_call":{"arguments":"{\\"city\\":\\"Oslo\\"}","name":"get_weather"},
                   "content":[{"type":"text","text":"Checking."},{"type":"refusal","refusal":"I can't say more."}],
                   "reasoning_content":"The user wants weather."},
                  {"role":"function","name":"get_weather","content":"rainy"},
                  {"role":"assistant","content":"It is rainy.","tool_calls":null}],
                 "functions":[{"name":"get_weather","parameters":{"type":"object"}},
                              {"name":"get_time","description":"Current time"}],
                 "function_call":{"name":"get_weather"}}"""));
    }

    @Test
    void toolMessageContentPartsAreJoinedAndEachToolMessageIsItsOwnTurn() throws Untranslatable {
        assertEquals(List.of(
                "startMessage USER",
                "text Go",
                "endMessage",
                "startMessage ASSISTANT",
                "toolCall a f {}",
                "toolCall b f {\"x\":[1,2]}",
                "endMessage",
                "startMessage USER",
                "toolResult a one\n\ntwo false",
                "endMessage",
                "startMessage USER",
                "toolResult b ok false",
                "endMessage",
                "startMessage USER",
                "text and then?",
                "endMessage",
                "end"), events("""
                {"model":"m","messages":[
                  {"role":"user","content":"Go"},
                  {"role":"assistant","content":null,"tool_calls":[
                    {"id":"a","type":"function","function":{"name":"f","arguments":""}},
                    {"function":{"arguments":"{\\"x\\": [1, 2]}","name":"f"},"type":"function","id":"b"}]},
                  {"role":"tool","content":[{"type":"text","text":"one"},{"type":"text","text":"two"}],"tool_call_id":"a"},
                  {"tool_call_id":"b","role":"tool","content":"ok"},
                  {"role":"user","content":[{"type":"text","text":"and then?"}]}]}"""));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "not json", "[1, 2]", "{\\\"truncated\\\": ", "{} {}", "null"})
    void argumentsThatAreNotOneObjectBecomeAnEmptyObject(String arguments) throws Untranslatable {
        List<String> events = events("{\"messages\":[{\"role\":\"assistant\",\"tool_calls\":[{\"id\":\"c\","
                + "\"type\":\"function\",\"function\":{\"name\":\"f\",\"arguments\":\"" + arguments + "\"}}]}]}");
        assertEquals("toolCall c f {}", events.get(1));
    }

    @Test
    void argumentsWithoutEscapesAreBorrowedAndNonAsciiSurvives() throws Untranslatable {
        List<String> events = events("{\"messages\":[{\"role\":\"assistant\",\"tool_calls\":[{\"id\":\"c\","
                + "\"function\":{\"name\":\"f\",\"arguments\":\"{}\"}},{\"id\":\"d\","
                + "\"function\":{\"name\":\"f\",\"arguments\":\"{\\\"city\\\":\\\"Z\\u00fcrich \\u2603\\\"}\"}}]}]}");
        assertEquals(List.of("startMessage ASSISTANT", "toolCall c f {}", "toolCall d f {\"city\":\"Zürich ☃\"}",
                "endMessage", "end"), events);
    }

    @Test
    void dataUrlWithEscapesIsDecodedAndHttpUrlPassedOn() throws Untranslatable {
        // PHP's json_encode escapes every slash: the base64 text comes from the decoded URL then.
        assertEquals(List.of(
                "startMessage USER",
                "image image/jpeg ab/cd+ef== null",
                "image image/webp QUJD null",
                "image null null http://example.com/a.png?x=1&y=\"2\"",
                "endMessage",
                "end"), events("""
                {"messages":[{"role":"user","content":[
                  {"type":"image_url","image_url":{"url":"data:image\\/jpeg;base64,ab\\/cd+ef==","detail":"high"}},
                  {"image_url":{"detail":"low","url":"data:image/webp;charset=utf-8;base64,QUJD"},"type":"image_url"},
                  {"type":"image_url","image_url":{"url":"http://example.com/a.png?x=1&y=\\"2\\""}}]}]}"""));
    }

    @Test
    void parameters() throws Untranslatable {
        assertEquals(List.of(
                "startMessage USER", "text q", "endMessage",
                "maxTokens 100",
                "temperature 1.5",
                "topP 0.9",
                "topK 40",
                "presencePenalty -0.5",
                "frequencyPenalty 0.25",
                "stopSequences [###]",
                "candidates 3",
                "seed -7",
                "user safe-1",
                "responseFormat JSON_SCHEMA answer {\"type\":\"object\",\"properties\":{\"a\":{\"type\":\"string\"}}}",
                "reasoningEffort low -1",
                "stream false",
                "end"), events("""
                {"max_completion_tokens":100,"messages":[{"role":"user","content":"q"}],"max_tokens":5,
                 "temperature":1.5,"top_p":0.9,"top_k":40,"presence_penalty":-0.5,"frequency_penalty":0.25,
                 "stop":"###","n":3,"seed":-7,"user":"u-1","safety_identifier":"safe-1",
                 "response_format":{"json_schema":{"strict":true,"schema":{"type":"object",
                   "properties":{"a":{"type":"string"}}},"name":"answer"},"type":"json_schema"},
                 "reasoning_effort":"low","stream":true,"logprobs":false,"top_logprobs":0,"logit_bias":{},
                 "modalities":["text"],"metadata":{"k":"v"},"store":false,"service_tier":"auto",
                 "prediction":{"type":"content","content":"x"},"future_param":{"a":[1,{"b":2}]},
                 "temperature_unit":null,"seed_extra":[]}"""));
    }

    @Test
    void responseFormatsAndNulls() throws Untranslatable {
        assertEquals(List.of("startMessage USER", "text q", "endMessage", "responseFormat JSON_OBJECT null null",
                "end"), events("""
                {"messages":[{"role":"user","content":"q"}],"response_format":{"type":"json_object"},
                 "temperature":null,"max_tokens":null,"stop":null,"tools":null,"tool_choice":null,"user":null}"""));
        assertEquals(List.of("startMessage USER", "text q", "endMessage", "end"), events("""
                {"messages":[{"role":"user","content":"q"}],"response_format":{"type":"text"},"stop":[],"n":1}"""));
    }

    @Test
    void toolChoices() throws Untranslatable {
        for (String[] choice : new String[][] {{"\"none\"", "NONE null"}, {"\"required\"", "REQUIRED null"},
                {"{\"function\":{\"name\":\"f\"},\"type\":\"function\"}", "TOOL f"}}) {
            List<String> events = events("{\"messages\":[{\"role\":\"user\",\"content\":\"q\"}],\"tool_choice\":"
                    + choice[0] + ",\"parallel_tool_calls\":false}");
            assertEquals(List.of("toolChoice " + choice[1], "parallelToolCalls false", "end"),
                    events.subList(3, events.size()));
        }
    }

    @Test
    void invalidStructuresAreRefusedLikeOpenAi() {
        assertRefused("invalid_value", null, "[1]");
        assertRefused("invalid_value", null, "{\"messages\": [");
        assertRefused("invalid_value", "messages", "{\"model\":\"m\"}");
        assertRefused("invalid_value", "messages", "{\"messages\":null}");
        assertRefused("invalid_value", "messages", "{\"messages\":[]}");
        assertRefused("invalid_value", "messages", "{\"messages\":{\"role\":\"user\"}}");
        assertRefused("invalid_value", "messages", "{\"messages\":[\"hi\"]}");
        assertRefused("invalid_value", "messages", "{\"messages\":[{\"content\":\"hi\"}]}");
        assertRefused("invalid_value", "messages", "{\"messages\":[{\"role\":1,\"content\":\"hi\"}]}");
        assertRefused("invalid_value", "messages[0].role", "{\"messages\":[{\"role\":\"bot\",\"content\":\"x\"}]}");
        assertRefused("invalid_value", "messages[0].content", "{\"messages\":[{\"role\":\"user\"}]}");
        assertRefused("invalid_type", "messages[0].content", "{\"messages\":[{\"role\":\"user\",\"content\":1}]}");
        assertRefused("invalid_value", "messages[0].content", "{\"messages\":[{\"role\":\"system\"}]}");
        assertRefused("invalid_value", "messages[1].tool_call_id",
                "{\"messages\":[{\"role\":\"user\",\"content\":\"q\"},{\"role\":\"tool\",\"content\":\"r\"}]}");
        assertRefused("invalid_value", "messages[0].role",
                "{\"messages\":[{\"role\":\"function\",\"name\":\"f\",\"content\":\"r\"}]}");
        assertRefused("invalid_value", "messages[0].tool_calls[0].id", "{\"messages\":[{\"role\":\"assistant\","
                + "\"tool_calls\":[{\"type\":\"function\",\"function\":{\"name\":\"f\",\"arguments\":\"{}\"}}]}]}");
        assertRefused("invalid_value", "messages[0].tool_calls[0].function.name", "{\"messages\":[{\"role\":"
                + "\"assistant\",\"tool_calls\":[{\"id\":\"c\",\"function\":{\"arguments\":\"{}\"}}]}]}");
        assertRefused("invalid_value", "messages[0].content[0].type",
                "{\"messages\":[{\"role\":\"user\",\"content\":[{\"type\":\"video\",\"video\":{}}]}]}");
        assertRefused("invalid_value", "messages[0].content[0].text",
                "{\"messages\":[{\"role\":\"user\",\"content\":[{\"type\":\"text\"}]}]}");
        assertRefused("invalid_value", "messages[0].content[0].image_url.url",
                "{\"messages\":[{\"role\":\"user\",\"content\":[{\"type\":\"image_url\",\"image_url\":"
                        + "{\"url\":\"ftp://example.com/a.png\"}}]}]}");
        assertRefused("invalid_value", "messages[0].content[0].image_url.url",
                "{\"messages\":[{\"role\":\"user\",\"content\":[{\"type\":\"image_url\",\"image_url\":"
                        + "{\"url\":\"data:image/svg+xml,%3Csvg%3E\"}}]}]}");
        assertRefused("invalid_value", "messages[0].content[0].image_url.url",
                "{\"messages\":[{\"role\":\"user\",\"content\":[{\"type\":\"image_url\",\"image_url\":"
                        + "{\"url\":\"data:;base64,QUJD\"}}]}]}");
        assertRefused("invalid_type", "temperature",
                "{\"messages\":[{\"role\":\"user\",\"content\":\"q\"}],\"temperature\":\"hot\"}");
        assertRefused("invalid_type", "max_tokens",
                "{\"messages\":[{\"role\":\"user\",\"content\":\"q\"}],\"max_tokens\":1.5}");
        assertRefused("invalid_type", "stop", "{\"messages\":[{\"role\":\"user\",\"content\":\"q\"}],\"stop\":[1]}");
        assertRefused("integer_below_min_value", "n",
                "{\"messages\":[{\"role\":\"user\",\"content\":\"q\"}],\"n\":0}");
        assertRefused("invalid_value", "tool_choice",
                "{\"messages\":[{\"role\":\"user\",\"content\":\"q\"}],\"tool_choice\":\"any\"}");
        assertRefused("invalid_value", "response_format.type",
                "{\"messages\":[{\"role\":\"user\",\"content\":\"q\"}],\"response_format\":{\"type\":\"yaml\"}}");
        assertRefused("invalid_value", "tools[0].function.name",
                "{\"messages\":[{\"role\":\"user\",\"content\":\"q\"}],\"tools\":[{\"type\":\"function\","
                        + "\"function\":{\"description\":\"d\"}}]}");
    }

    @Test
    void whatTheModelCannotTakeIsRefused() {
        String user = "{\"role\":\"user\",\"content\":\"q\"}";
        assertRefused("unsupported_value", "messages[0].content[1].type", "{\"messages\":[{\"role\":\"user\","
                + "\"content\":[{\"type\":\"text\",\"text\":\"hear\"},{\"type\":\"input_audio\",\"input_audio\":"
                + "{\"data\":\"AAAA\",\"format\":\"wav\"}}]}]}");
        assertRefused("unsupported_value", "messages[0].content[0].type", "{\"messages\":[{\"role\":\"user\","
                + "\"content\":[{\"type\":\"file\",\"file\":{\"file_id\":\"file-1\"}}]}]}");
        assertRefused("unsupported_value", "messages[0].content[0].type", "{\"messages\":[{\"role\":\"system\","
                + "\"content\":[{\"type\":\"image_url\",\"image_url\":{\"url\":\"https://x/y.png\"}}]}]}");
        assertRefused("unsupported_value", "messages[0].tool_calls[0].type", "{\"messages\":[{\"role\":\"assistant\","
                + "\"tool_calls\":[{\"id\":\"c\",\"type\":\"custom\",\"custom\":{\"name\":\"f\",\"input\":\"x\"}}]}]}");
        assertRefused("unsupported_value", "tools[0].type", "{\"messages\":[" + user + "],\"tools\":[{\"type\":"
                + "\"custom\",\"custom\":{\"name\":\"grammar\"}}]}");
        assertRefused("unsupported_value", "tool_choice.type", "{\"messages\":[" + user + "],\"tool_choice\":"
                + "{\"type\":\"allowed_tools\",\"allowed_tools\":{\"mode\":\"auto\",\"tools\":[]}}}");
        assertRefused("unsupported_parameter", "logprobs", "{\"messages\":[" + user + "],\"logprobs\":true}");
        assertRefused("unsupported_parameter", "top_logprobs", "{\"messages\":[" + user + "],\"top_logprobs\":3}");
        assertRefused("unsupported_parameter", "logit_bias",
                "{\"messages\":[" + user + "],\"logit_bias\":{\"50256\":-100}}");
        assertRefused("unsupported_parameter", "audio",
                "{\"messages\":[" + user + "],\"audio\":{\"voice\":\"alloy\",\"format\":\"mp3\"}}");
        assertRefused("unsupported_parameter", "modalities",
                "{\"messages\":[" + user + "],\"modalities\":[\"text\",\"audio\"]}");
        assertRefused("unsupported_parameter", "web_search_options",
                "{\"messages\":[" + user + "],\"web_search_options\":{}}");
    }
}
