package dev.llmgateway.dialect.openai;

import dev.llmgateway.dialect.RequestRecorder;
import dev.llmgateway.dialect.Untranslatable;
import dev.llmgateway.testutil.CodexCaptures;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The neutral events a Responses request becomes, and the requests refused with OpenAI's 400. */
class ResponsesRequestReaderTest {
    private final RequestRecorder recorder = new RequestRecorder();

    private Set<String> read(String json) throws Untranslatable {
        ByteBuf body = Unpooled.copiedBuffer(json, StandardCharsets.UTF_8);
        try {
            return ResponsesRequestReader.read(body, recorder);
        } finally {
            body.release();
        }
    }

    private Untranslatable refused(String json) {
        return assertThrows(Untranslatable.class, () -> read(json));
    }

    @Test
    void instructionsAStringInputAndTheParameters() throws Exception {
        Set<String> custom = read("""
                {"stream":true,"input":"Hello!","model":"m","instructions":"Be brief.","max_output_tokens":100,
                "temperature":0.5,"top_p":0.9,"reasoning":{"effort":"low","summary":"auto"},"store":false,
                "parallel_tool_calls":false,"tool_choice":{"type":"function","name":"f"},"user":"u1",
                "text":{"format":{"type":"json_schema","name":"out","schema":{"type":"object"},"strict":true},
                "verbosity":"low"},"include":["reasoning.encrypted_content"],"prompt_cache_key":"k",
                "metadata":{"a":"b"},"tools":[{"type":"function","name":"f","description":"F.","strict":true,
                "parameters":{"type":"object","properties":{}}}]}""");
        assertEquals(Set.of(), custom);
        assertEquals(List.of("system Be brief.", "startMessage USER", "text Hello!", "endMessage",
                "tool f F. {\"type\":\"object\",\"properties\":{}}", "toolChoice TOOL f", "parallelToolCalls false",
                "maxTokens 100", "temperature 0.5", "topP 0.9", "user u1",
                "responseFormat JSON_SCHEMA out {\"type\":\"object\"}", "reasoningEffort low -1", "stream true",
                "end"), recorder.events);
    }

    @Test
    void itemsBecomeTurns() throws Exception {
        read("""
                {"input":[{"type":"message","role":"developer","content":[{"type":"input_text","text":"Rules."}]},
                {"role":"user","content":[{"type":"input_text","text":"Look:"},
                {"type":"input_image","image_url":"data:image/png;base64,iVBOR=","detail":"auto"}]},
                {"type":"reasoning","id":"rs_1","summary":[{"type":"summary_text","text":"Think."}],
                "content":null,"encrypted_content":"sig=="},
                {"type":"message","role":"assistant","content":[{"type":"output_text","text":"Sure.",
                "annotations":[]}]},
                {"type":"function_call","id":"fc_1","call_id":"call_1","name":"f","arguments":"{\\"a\\":1}",
                "status":"completed"},
                {"type":"function_call_output","id":"fco_1","call_id":"call_1","output":"42"},
                {"type":"reasoning","summary":[],"encrypted_content":"redacted_thinking:opaque"}]}""");
        assertEquals(List.of("system Rules.", "startMessage USER", "text Look:",
                "image image/png iVBOR= null", "endMessage", "startMessage ASSISTANT", "reasoning Think. sig==",
                "endMessage", "startMessage ASSISTANT", "text Sure.", "endMessage", "startMessage ASSISTANT",
                "toolCall call_1 f {\"a\":1}", "endMessage", "startMessage USER", "toolResult call_1 42 false",
                "endMessage", "startMessage ASSISTANT", "redactedReasoning opaque", "endMessage", "end"),
                recorder.events);
    }

    @Test
    void aCustomToolIsAOneStringFunctionAndItsCallsGoBackAsThatFunctionsCalls() throws Exception {
        Set<String> custom = read("""
                {"input":[{"type":"custom_tool_call","call_id":"c1","name":"apply_patch","input":"*** Begin \\"x\\"\\n"},
                {"type":"custom_tool_call_output","call_id":"c1","output":"ok"}],
                "tools":[{"type":"custom","name":"apply_patch","description":"Patch.",
                "format":{"type":"grammar","syntax":"lark","definition":"start: x"}},
                {"type":"namespace","name":"agents","tools":[{"type":"function","name":"spawn","parameters":null}]}]}""");
        assertEquals(Set.of("apply_patch"), custom);
        assertEquals("toolCall c1 apply_patch {\"input\":\"*** Begin \\\"x\\\"\\n\"}", recorder.events.get(1));
        assertEquals("toolResult c1 ok false", recorder.events.get(4));
        String tool = recorder.events.get(6);
        assertTrue(tool.startsWith("tool apply_patch Patch. {\"type\":\"object\",\"properties\":{\"input\":"
                + "{\"type\":\"string\",\"description\":\"The tool's input, as raw text in this format: "), tool);
        assertTrue(tool.contains("start: x") && tool.endsWith("\"required\":[\"input\"],\"additionalProperties\":false}"),
                tool);
        assertEquals("tool spawn null null", recorder.events.get(7), "a namespace's functions stand alone");
    }

    @Test
    void whatOnlyOpenAiCanAnswerIsRefused() {
        Untranslatable previous = refused("{\"input\":\"hi\",\"previous_response_id\":\"resp_1\"}");
        assertEquals("previous_response_id", previous.error().param());
        assertEquals(400, previous.error().status().code());
        assertTrue(previous.getMessage().contains("keeps no responses"), previous.getMessage());
        assertEquals("input[0].type", refused("{\"input\":[{\"type\":\"item_reference\",\"id\":\"msg_1\"}]}")
                .error().param());
        assertEquals("tools[0].type", refused("{\"input\":\"hi\",\"tools\":[{\"type\":\"web_search\"}]}")
                .error().param());
        assertEquals("input[0].content[0].type", refused("""
                {"input":[{"role":"user","content":[{"type":"input_file","file_id":"file_1"}]}]}""").error().param());
        assertEquals("input[0].type", refused("{\"input\":[{\"type\":\"computer_call\",\"call_id\":\"c\"}]}")
                .error().param());
        assertEquals("background", refused("{\"input\":\"hi\",\"background\":true}").error().param());
        assertEquals("input", refused("{\"model\":\"m\"}").error().param());
        assertEquals("tool_choice.type", refused("{\"input\":\"hi\",\"tool_choice\":{\"type\":\"web_search\"}}")
                .error().param());
    }

    /** What Codex CLI 0.171.0 sent in a second turn: refused only for its hosted web search tool. */
    @Test
    void codexRequestsAreRead() throws Exception {
        for (String capture : List.of(CodexCaptures.FUNCTION_CALL_TURN_2, CodexCaptures.APPLY_PATCH_TURN_2)) {
            String body = CodexCaptures.request(capture);
            Untranslatable search = refused(body);
            assertTrue(search.error().param().matches("tools\\[\\d+]\\.type"), search.error().param());
            recorder.events.clear();
            String withoutHosted = CodexCaptures.withoutHostedTools(body);
            Set<String> custom = read(withoutHosted);
            List<String> events = recorder.events;
            assertTrue(events.get(0).startsWith("system "), events.get(0));
            assertTrue(events.stream().anyMatch(e -> e.startsWith("reasoning ")), capture);
            assertTrue(events.stream().anyMatch(e -> e.startsWith("toolResult call_")), capture);
            assertTrue(events.stream().anyMatch(e -> e.startsWith("tool exec_command ")), capture);
            assertEquals("stream true", events.get(events.size() - 2));
            if (capture.contains("apply-patch")) {
                assertEquals(Set.of("apply_patch"), custom);
                assertTrue(events.stream().anyMatch(e -> e.startsWith("toolCall call_")
                        && e.contains(" apply_patch {\"input\":\"*** Begin Patch")), capture);
            }
        }
    }
}
