package dev.llmgateway.dialect.gemini;

import dev.llmgateway.dialect.RequestRecorder;
import dev.llmgateway.dialect.Untranslatable;
import dev.llmgateway.testutil.Fixtures;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class GeminiRequestReaderTest {
    private static List<String> read(String json, boolean stream) throws Untranslatable {
        RequestRecorder recorder = new RequestRecorder();
        ByteBuf body = Unpooled.copiedBuffer(json, StandardCharsets.UTF_8);
        try {
            GeminiRequestReader.read(body, stream, recorder);
        } finally {
            body.release();
        }
        return recorder.events;
    }

    /** The same request from a direct buffer (no array behind it), as a pooled body may be. */
    private static List<String> readDirect(String json) throws Untranslatable {
        RequestRecorder recorder = new RequestRecorder();
        byte[] bytes = json.getBytes(StandardCharsets.UTF_8);
        ByteBuf body = Unpooled.directBuffer(bytes.length).writeBytes(bytes);
        try {
            GeminiRequestReader.read(body, false, recorder);
        } finally {
            body.release();
        }
        return recorder.events;
    }

    private static Untranslatable refusal(String json) {
        return assertThrows(Untranslatable.class, () -> read(json, false));
    }

    @Test
    void theFixtureWithAFunctionCallAndItsResponse() throws Exception {
        List<String> events = read(Fixtures.text("gemini/request-function-response.json"), true);
        assertEquals(List.of(
                "system You are a weather bot.",
                "startMessage USER",
                "text What's the weather in Paris?",
                "endMessage",
                "startMessage ASSISTANT",
                "toolCall call_1 get_weather {\"city\":\"Paris\",\"unit\":\"celsius\"}",
                "endMessage",
                "startMessage USER",
                "toolResult call_1 {\"temp\":18,\"condition\":\"cloudy\"} false",
                "endMessage",
                "tool get_weather Get the current weather for a city. {\"type\":\"object\",\"properties\":{\"city\":"
                        + "{\"type\":\"string\",\"description\":\"City name, e.g. Paris\"},\"unit\":{\"type\":\"string\","
                        + "\"enum\":[\"celsius\",\"fahrenheit\"]}},\"required\":[\"city\"]}",
                "toolChoice TOOL get_weather",
                "stream true",
                "end"), events);
        assertEquals(events.stream().filter(e -> !e.startsWith("stream")).toList(),
                readDirect(Fixtures.text("gemini/request-function-response.json")), "a direct body reads the same");
    }

    @Test
    void responsesMapBackToCallsByNameAndOrderOrById() throws Exception {
        List<String> events = read("""
                {"contents":[{"role":"model","parts":[
                  {"functionCall":{"name":"ls","args":{"dir":"a"}}},
                  {"functionCall":{"name":"ls","args":{"dir":"b"}}},
                  {"functionCall":{"name":"cat","id":"own-7","args":{}}}]},
                 {"role":"user","parts":[
                  {"functionResponse":{"name":"cat","id":"own-7","response":{"error":"no such file"}}},
                  {"functionResponse":{"name":"ls","response":{"output":"x.txt"}}},
                  {"functionResponse":{"name":"ls","response":{"files":["y"],"count":1}}}]}]}""", false);
        assertEquals(List.of(
                "startMessage ASSISTANT",
                "toolCall call_1 ls {\"dir\":\"a\"}",
                "toolCall call_2 ls {\"dir\":\"b\"}",
                "toolCall own-7 cat {}",
                "endMessage",
                "startMessage USER",
                "toolResult own-7 no such file true",
                "toolResult call_1 x.txt false",
                "toolResult call_2 {\"files\":[\"y\"],\"count\":1} false",
                "endMessage",
                "end"), events);
    }

    @Test
    void thoughtsImagesAndEveryGenerationSetting() throws Exception {
        List<String> events = read("""
                {"generationConfig":{"maxOutputTokens":100,"temperature":0.2,"topP":0.9,"topK":40,"seed":7,
                  "presencePenalty":0.1,"frequencyPenalty":0.3,"stopSequences":["x"],"candidateCount":1,
                  "responseMimeType":"application/json",
                  "responseSchema":{"type":"OBJECT","properties":{"n":{"type":"INTEGER"}}},
                  "thinkingConfig":{"thinkingBudget":2048,"includeThoughts":true}},
                 "safetySettings":[{"category":"HARM_CATEGORY_HARASSMENT","threshold":"BLOCK_NONE"}],
                 "contents":[{"parts":[{"text":"look"},{"inlineData":{"mimeType":"image/png","data":"iVBO\\/w=="}},
                   {"fileData":{"mimeType":"image/jpeg","fileUri":"https://example.com/a.jpg"}}]},
                  {"role":"model","parts":[{"text":"hmm","thought":true,"thoughtSignature":"sig1"},{"text":"a cat"}]}]}""",
                false);
        assertEquals(List.of(
                "startMessage USER",
                "text look",
                "image image/png iVBO\\/w== null",
                "image image/jpeg null https://example.com/a.jpg",
                "endMessage",
                "startMessage ASSISTANT",
                "reasoning hmm sig1",
                "text a cat",
                "endMessage",
                "maxTokens 100",
                "temperature 0.2",
                "topP 0.9",
                "topK 40",
                "seed 7",
                "presencePenalty 0.1",
                "frequencyPenalty 0.3",
                "stopSequences [x]",
                "reasoningEffort null 2048",
                "responseFormat JSON_SCHEMA response {\"type\":\"object\",\"properties\":{\"n\":{\"type\":\"integer\"}}}",
                "end"), events);
    }

    @Test
    void toolModesAndJsonSchemaParameters() throws Exception {
        assertTrue(read("""
                {"contents":[],"tools":[{"functionDeclarations":[{"name":"f",
                  "parametersJsonSchema":{"type":["string","null"],"TYPE":"keep"}}]}],
                 "toolConfig":{"functionCallingConfig":{"mode":"ANY","allowedFunctionNames":["f","g"]}}}""", false)
                .containsAll(List.of("tool f null {\"type\":[\"string\",\"null\"],\"TYPE\":\"keep\"}",
                        "toolChoice REQUIRED null")));
        assertTrue(read("""
                {"contents":[],"tools":[{"functionDeclarations":[{"name":"f",
                  "parameters":{"type":"OBJECT","properties":{"type":{"type":"STRING","enum":["A","B"]}}}}]}],
                 "toolConfig":{"functionCallingConfig":{"mode":"NONE"}}}""", false)
                .containsAll(List.of("tool f null {\"type\":\"object\",\"properties\":{\"type\":{\"type\":\"string\","
                        + "\"enum\":[\"A\",\"B\"]}}}", "toolChoice NONE null")));
    }

    /** What Gemini CLI 0.61.0 sent (captured against a local server): every request reads, nothing refused. */
    @Test
    void geminiClisOwnRequestsRead() throws Exception {
        List<String> first = read(Fixtures.text("../captured/gemini-cli-0.61.0-write-file-1.json"), true);
        assertEquals(16, first.stream().filter(e -> e.startsWith("tool ")).count());
        assertTrue(first.contains("reasoningEffort null 8192"), first.toString());
        assertTrue(first.contains("topK 64"), first.toString());

        List<String> second = read(Fixtures.text("../captured/gemini-cli-0.61.0-write-file-2.json"), true);
        assertTrue(second.contains("toolCall write_file_1796662168271_0 write_file "
                + "{\"file_path\":\"hello.txt\",\"content\":\"hi\"}"), second.toString());
        assertTrue(second.stream().anyMatch(e -> e.startsWith("toolResult write_file_1796662168271_0 Successfully"
                + " created and wrote to new file") && e.endsWith(" false")), second.toString());

        List<String> classifier = read(Fixtures.text("../captured/gemini-cli-0.61.0-router-classifier.json"), false);
        assertTrue(classifier.stream().anyMatch(e -> e.startsWith("responseFormat JSON_SCHEMA response {")),
                classifier.toString());
        List<String> routed = read(Fixtures.text("../captured/gemini-cli-0.61.0-router-stream.json"), true);
        assertTrue(routed.contains("reasoningEffort high -1"), routed.toString());
    }

    @Test
    void whatNoOtherProviderCanDoIsA400() {
        assertTrue(refusal("{\"contents\":[],\"tools\":[{\"codeExecution\":{}}]}").getMessage()
                .contains("codeExecution"));
        assertTrue(refusal("{\"contents\":[{\"parts\":[{\"inlineData\":{\"mimeType\":\"application/pdf\","
                + "\"data\":\"AA==\"}}]}]}").getMessage().contains("application/pdf"));
        assertTrue(refusal("{\"contents\":[],\"cachedContent\":\"cachedContents/1\"}").getMessage()
                .contains("cachedContent"));
        assertTrue(refusal("{\"contents\":[],\"generationConfig\":{\"responseMimeType\":\"text/x.enum\"}}")
                .getMessage().contains("text/x.enum"));
        assertTrue(refusal("{\"contents\":[],\"generationConfig\":{\"responseModalities\":[\"IMAGE\"]}}")
                .getMessage().contains("IMAGE"));
        assertTrue(refusal("{\"contents\":[],\"generationConfig\":{\"candidateCount\":2}}").getMessage()
                .contains("candidateCount"));
        assertEquals("contents", refusal("{\"generationConfig\":{}}").error().param());
        assertTrue(refusal("{\"contents\":[{\"role\":\"system\",\"parts\":[]}]}").getMessage().contains("role"));
        assertTrue(refusal("{\"contents\":[{\"parts\":[{}]}]}").getMessage().contains("a part needs data"));
        assertTrue(refusal("{\"contents\":[],\"generationConfig\":{\"maxOutputTokens\":\"9\"}}").getMessage()
                .contains("maxOutputTokens"));
        assertTrue(refusal("{\"contents\":[] ]").getMessage().contains("Invalid JSON payload"));
    }
}
