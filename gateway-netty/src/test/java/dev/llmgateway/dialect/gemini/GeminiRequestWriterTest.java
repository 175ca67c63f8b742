package dev.llmgateway.dialect.gemini;

import com.fasterxml.jackson.core.JsonGenerator;
import dev.llmgateway.dialect.AnswerRecorder;
import dev.llmgateway.dialect.JsonCanon;
import dev.llmgateway.dialect.RequestEvents;
import dev.llmgateway.dialect.ResponseFormat;
import dev.llmgateway.dialect.Role;
import dev.llmgateway.dialect.StreamSplits;
import dev.llmgateway.dialect.ToolCallIds;
import dev.llmgateway.dialect.ToolChoice;
import dev.llmgateway.dialect.Untranslatable;
import dev.llmgateway.json.ByteSpan;
import dev.llmgateway.json.Json;
import dev.llmgateway.testutil.Fixtures;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class GeminiRequestWriterTest {
    private static final String PIXEL = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==";

    /** What a reader makes of an OpenAI SDK conversation: system + developer, images, two calls, two results. */
    @Test
    void openAiLikeConversation() throws Exception {
        String lookupId = ToolCallIds.withSignature("call_lookup", "sigLookup");
        String weatherId = ToolCallIds.withSignature("call_weather", "sigWeather");
        String json = write(out -> {
            out.system("You are terse.");
            out.system("Answer in English.");
            out.startMessage(Role.USER);
            out.text("What is in these images?");
            // A data URL's base64 as the JSON string held it, an escaped slash included.
            out.image("image/png", span("iVBORw0KGgo\\/AAAA"), null);
            out.image(null, null, "https://example.com/pics/cat.webp?size=large");
            out.endMessage();
            out.startMessage(Role.ASSISTANT);
            out.text("Let me look.");
            out.toolCall(lookupId, "lookup", span("{\"q\": \"cat\", \"limit\": 2}"));
            out.toolCall(weatherId, "get_weather", span("{\"city\":\"Paris\"}"));
            out.endMessage();
            out.startMessage(Role.USER);
            out.toolResult(lookupId, "{\"found\": true, \"breed\": \"tabby\"}", false);
            out.endMessage();
            out.startMessage(Role.USER);
            out.toolResult(weatherId, "18 degrees and cloudy", false);
            out.endMessage();
            out.startMessage(Role.USER);
            out.text("Thanks! And tomorrow?");
            out.endMessage();
            out.tool("lookup", "Looks things up.", span("{\"type\":\"object\",\"properties\":{\"q\":{\"type\":"
                    + "\"string\"},\"limit\":{\"type\":\"integer\"}},\"required\":[\"q\"],"
                    + "\"additionalProperties\":false,\"$defs\":{}}"));
            out.tool("get_weather", null, span("{\"type\":\"object\",\"properties\":{\"city\":{\"type\":\"string\"}}}"));
            out.toolChoice(ToolChoice.AUTO, null);
            out.parallelToolCalls(true);
            out.maxTokens(256);
            out.temperature(0.5);
            out.stopSequences(List.of("END"));
            out.user("user-1234");
            out.stream(true);
            out.end();
        });
        assertEquals(JsonCanon.canonical("""
                {"systemInstruction":{"parts":[{"text":"You are terse.\\n\\nAnswer in English."}]},
                 "contents":[
                  {"role":"user","parts":[
                    {"text":"What is in these images?"},
                    {"inlineData":{"mimeType":"image/png","data":"iVBORw0KGgo/AAAA"}},
                    {"fileData":{"mimeType":"image/webp","fileUri":"https://example.com/pics/cat.webp?size=large"}}]},
                  {"role":"model","parts":[
                    {"text":"Let me look."},
                    {"functionCall":{"name":"lookup","args":{"q":"cat","limit":2}},"thoughtSignature":"sigLookup"},
                    {"functionCall":{"name":"get_weather","args":{"city":"Paris"}},"thoughtSignature":"sigWeather"}]},
                  {"role":"user","parts":[
                    {"functionResponse":{"name":"lookup","response":{"found":true,"breed":"tabby"}}},
                    {"functionResponse":{"name":"get_weather","response":{"result":"18 degrees and cloudy"}}},
                    {"text":"Thanks! And tomorrow?"}]}],
                 "tools":[{"functionDeclarations":[
                   {"name":"lookup","description":"Looks things up.","parametersJsonSchema":{"type":"object",
                    "properties":{"q":{"type":"string"},"limit":{"type":"integer"}},"required":["q"],
                    "additionalProperties":false,"$defs":{}}},
                   {"name":"get_weather","parametersJsonSchema":{"type":"object","properties":{"city":{"type":"string"}}}}]}],
                 "generationConfig":{"maxOutputTokens":256,"temperature":0.5,"stopSequences":["END"]},
                 "toolConfig":{"functionCallingConfig":{"mode":"AUTO"}}}
                """), JsonCanon.canonical(json));
    }

    /** A system text after the first turn (OpenAI's system message anywhere, Anthropic's mid-conversation one). */
    @Test
    void aLaterSystemTextJoinsTheSystemInstruction() throws Exception {
        String json = write(out -> {
            out.system("First.");
            out.startMessage(Role.USER);
            out.text("Hi");
            out.endMessage();
            out.system("Later.");
            out.end();
        });
        assertEquals(JsonCanon.compact("""
                {"contents":[{"role":"user","parts":[{"text":"Hi"}]}],
                 "systemInstruction":{"parts":[{"text":"First.\\n\\nLater."}]}}"""), json);
    }

    /**
     * Round trip: the call Gemini streamed (fixture) goes to the client with its signature in the id, comes back
     * in the history, and reaches Gemini as request-function-response.json has it.
     */
    @Test
    void streamedCallGoesBackWithItsSignature() throws Exception {
        AnswerRecorder answer = new AnswerRecorder();
        StreamSplits.feedRandomly(Fixtures.bytes("gemini/stream-generate-content-function-call.sse"), 1,
                new GeminiAnswerDecoder(answer));
        String[] call = answer.events.get(1).split(" ");
        String clientId = ToolCallIds.withSignature(call[2], call[5]);
        String arguments = answer.events.get(2).substring("args 0 ".length());
        String json = write(out -> {
            out.system("You are a weather bot.");
            out.startMessage(Role.USER);
            out.text("What's the weather in Paris?");
            out.endMessage();
            out.startMessage(Role.ASSISTANT);
            out.toolCall(clientId, call[3], span(arguments));
            out.endMessage();
            out.startMessage(Role.USER);
            out.toolResult(clientId, "{\"temp\": 18, \"condition\": \"cloudy\"}", false);
            out.endMessage();
            out.tool("get_weather", "Get the current weather for a city.", span("{\"type\":\"object\","
                    + "\"properties\":{\"city\":{\"type\":\"string\",\"description\":\"City name, e.g. Paris\"},"
                    + "\"unit\":{\"type\":\"string\",\"enum\":[\"celsius\",\"fahrenheit\"]}},\"required\":[\"city\"]}"));
            out.toolChoice(ToolChoice.TOOL, "get_weather");
            out.end();
        });
        // The fixture uses the OpenAPI-subset "parameters"; the gateway sends the JSON Schema it was given.
        String expected = JsonCanon.canonical(Fixtures.text("gemini/request-function-response.json"))
                .replace("\"parameters\":", "\"parametersJsonSchema\":");
        assertEquals(expected, JsonCanon.canonical(json));
    }

    @Test
    void sameRoleTurnsMergeAndEmptyTurnsVanish() throws Exception {
        String json = write(out -> {
            out.startMessage(Role.USER);
            out.text("one");
            out.endMessage();
            out.startMessage(Role.ASSISTANT);
            out.redactedReasoning("opaque");
            out.text("");
            out.endMessage();
            out.startMessage(Role.USER);
            out.text("two");
            out.endMessage();
            out.startMessage(Role.ASSISTANT);
            out.text("three");
            out.endMessage();
            out.startMessage(Role.ASSISTANT);
            out.text("four");
            out.endMessage();
            out.end();
        });
        assertEquals(JsonCanon.compact("""
                {"contents":[{"role":"user","parts":[{"text":"one"},{"text":"two"}]},
                             {"role":"model","parts":[{"text":"three"},{"text":"four"}]}]}
                """), json);
    }

    @Test
    void reasoningGoesBackAsSignedThoughts() throws Exception {
        String json = write(out -> {
            out.startMessage(Role.USER);
            out.text("hi");
            out.endMessage();
            out.startMessage(Role.ASSISTANT);
            out.reasoning("Thinking about greetings.", "sigA");
            out.reasoning("", "");
            out.reasoning("", "sigB");
            out.reasoning("unsigned thought", null);
            out.text("Hello!");
            out.endMessage();
            out.end();
        });
        assertEquals(JsonCanon.compact("""
                {"contents":[{"role":"user","parts":[{"text":"hi"}]},
                 {"role":"model","parts":[
                   {"text":"Thinking about greetings.","thought":true,"thoughtSignature":"sigA"},
                   {"text":"","thought":true,"thoughtSignature":"sigB"},
                   {"text":"unsigned thought","thought":true},
                   {"text":"Hello!"}]}]}
                """), json);
    }

    @Test
    void toolResultShapes() throws Exception {
        String json = write(out -> {
            out.startMessage(Role.ASSISTANT);
            out.toolCall("call_a", "a", null);
            out.endMessage();
            out.startMessage(Role.USER);
            out.toolResult("call_a", "{\"broken\": ", false);
            out.toolResult("call_a", "[1, 2]", false);
            out.toolResult("call_a", " {\"code\": 7} ", true);
            // A call the conversation does not hold: named with its id.
            out.toolResult("toolu_unknown", "late", false);
            out.endMessage();
            out.end();
        });
        assertEquals(JsonCanon.compact("""
                {"contents":[{"role":"model","parts":[{"functionCall":{"name":"a","args":{}}}]},
                 {"role":"user","parts":[
                   {"functionResponse":{"name":"a","response":{"result":"{\\"broken\\": "}}},
                   {"functionResponse":{"name":"a","response":{"result":"[1, 2]"}}},
                   {"functionResponse":{"name":"a","response":{"error":" {\\"code\\": 7} "}}},
                   {"functionResponse":{"name":"toolu_unknown","response":{"result":"late"}}}]}]}
                """), json);
    }

    @Test
    void toolChoices() throws Exception {
        assertEquals("{\"functionCallingConfig\":{\"mode\":\"NONE\"}}", toolConfig(ToolChoice.NONE, null));
        assertEquals("{\"functionCallingConfig\":{\"mode\":\"AUTO\"}}", toolConfig(ToolChoice.AUTO, null));
        assertEquals("{\"functionCallingConfig\":{\"mode\":\"ANY\"}}", toolConfig(ToolChoice.REQUIRED, null));
        assertEquals("{\"functionCallingConfig\":{\"mode\":\"ANY\",\"allowedFunctionNames\":[\"get_weather\"]}}",
                toolConfig(ToolChoice.TOOL, "get_weather"));
    }

    @Test
    void everyGenerationParameter() throws Exception {
        String json = write(out -> {
            out.system("Only system.");
            out.maxTokens(100);
            out.temperature(1.5);
            out.topP(0.9);
            out.topK(40);
            out.presencePenalty(0.25);
            out.frequencyPenalty(-0.5);
            out.stopSequences(List.of("a", "b", "c", "d", "e"));
            out.seed(42);
            out.responseFormat(ResponseFormat.JSON_OBJECT, null, null);
            out.end();
        });
        assertEquals(JsonCanon.compact("""
                {"systemInstruction":{"parts":[{"text":"Only system."}]},
                 "generationConfig":{"maxOutputTokens":100,"temperature":1.5,"topP":0.9,"topK":40,
                   "presencePenalty":0.25,"frequencyPenalty":-0.5,"stopSequences":["a","b","c","d","e"],"seed":42,
                   "responseMimeType":"application/json"}}
                """), json);
    }

    @Test
    void jsonSchemaResponseFormat() throws Exception {
        String json = write(out -> {
            out.responseFormat(ResponseFormat.JSON_SCHEMA, "city", span("{\"type\":\"object\",\"properties\":"
                    + "{\"name\":{\"type\":\"string\"}},\"required\":[\"name\"]}"));
            out.end();
        });
        assertEquals(JsonCanon.compact("""
                {"generationConfig":{"responseMimeType":"application/json","responseJsonSchema":
                  {"type":"object","properties":{"name":{"type":"string"}},"required":["name"]}}}
                """), json);
    }

    @Test
    void reasoningEffortBecomesAThinkingBudget() throws Exception {
        assertEquals("{\"thinkingBudget\":0}", thinking("none", -1));
        assertEquals("{\"thinkingBudget\":1024,\"includeThoughts\":true}", thinking("minimal", -1));
        assertEquals("{\"thinkingBudget\":1024,\"includeThoughts\":true}", thinking("low", -1));
        assertEquals("{\"thinkingBudget\":8192,\"includeThoughts\":true}", thinking("medium", -1));
        assertEquals("{\"thinkingBudget\":24576,\"includeThoughts\":true}", thinking("high", -1));
        assertEquals("{\"thinkingBudget\":3000,\"includeThoughts\":true}", thinking(null, 3000));
        Untranslatable unknown = assertThrows(Untranslatable.class, () -> thinking("extreme", -1));
        assertEquals("invalid_value", unknown.error().code());
        assertEquals("reasoning_effort", unknown.error().param());
    }

    @Test
    void refusedParameters() {
        Untranslatable stops = assertThrows(Untranslatable.class,
                () -> write(out -> out.stopSequences(List.of("1", "2", "3", "4", "5", "6"))));
        assertEquals(400, stops.error().status().code());
        assertEquals("unsupported_parameter", stops.error().code());
        assertEquals("stop", stops.error().param());
        Untranslatable n = assertThrows(Untranslatable.class, () -> write(out -> out.candidates(2)));
        assertEquals("unsupported_parameter", n.error().code());
        assertEquals("n", n.error().param());
    }

    @Test
    void imageTypesFromUrls() {
        assertEquals("image/png", ImageTypes.guess("https://x.test/a/B.PNG"));
        assertEquals("image/gif", ImageTypes.guess("gs://bucket/anim.gif#frame"));
        assertEquals("image/webp", ImageTypes.guess("https://x.test/i.webp?v=2.png"));
        assertEquals("image/heic", ImageTypes.guess("https://x.test/photo.heic"));
        assertEquals("image/jpeg", ImageTypes.guess("https://x.test/photo.jpg"));
        assertEquals("image/jpeg", ImageTypes.guess("https://x.test/v1.2/image"));
        assertEquals("image/jpeg", ImageTypes.guess("https://www.youtube.com/watch?v=abc"));
    }

    @Test
    void mediaTypeGivenWinsOverTheExtension() throws Exception {
        String json = write(out -> {
            out.startMessage(Role.USER);
            out.image("image/png", null, "https://x.test/file.jpg");
            out.image(null, span(PIXEL), null);
            out.endMessage();
            out.end();
        });
        assertEquals(JsonCanon.compact("{\"contents\":[{\"role\":\"user\",\"parts\":["
                + "{\"fileData\":{\"mimeType\":\"image/png\",\"fileUri\":\"https://x.test/file.jpg\"}},"
                + "{\"inlineData\":{\"mimeType\":\"image/jpeg\",\"data\":\"" + PIXEL + "\"}}]}]}"), json);
    }

    private interface Conversation {
        void send(RequestEvents out) throws Untranslatable;
    }

    /** The writer's one JSON object, canonicalized; the generator is a UTF-8 one, as JsonOutput's is. */
    private static String write(Conversation conversation) throws Untranslatable {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (JsonGenerator generator = Json.FACTORY.createGenerator(bytes)) {
            conversation.send(new GeminiRequestWriter(generator));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return JsonCanon.compact(bytes.toString(StandardCharsets.UTF_8));
    }

    private static String toolConfig(ToolChoice choice, String name) throws Untranslatable {
        return onlyMember("{\"toolConfig\":", out -> out.toolChoice(choice, name));
    }

    private static String thinking(String effort, long budget) throws Untranslatable {
        return onlyMember("{\"generationConfig\":{\"thinkingConfig\":", out -> out.reasoningEffort(effort, budget));
    }

    /** What one parameter writes, when it is all the request holds: the value inside {@code prefix}. */
    private static String onlyMember(String prefix, Conversation parameter) throws Untranslatable {
        String json = write(out -> {
            parameter.send(out);
            out.end();
        });
        int closing = prefix.length() - prefix.replace("{", "").length();
        assertEquals(prefix, json.substring(0, prefix.length()), json);
        assertEquals("}".repeat(closing), json.substring(json.length() - closing), json);
        return json.substring(prefix.length(), json.length() - closing);
    }

    /** A span in the middle of a larger array, as spans into a request body are. */
    private static ByteSpan span(String text) {
        byte[] content = text.getBytes(StandardCharsets.UTF_8);
        byte[] body = new byte[content.length + 8];
        System.arraycopy(content, 0, body, 4, content.length);
        return new ByteSpan(body, 4, content.length);
    }
}
