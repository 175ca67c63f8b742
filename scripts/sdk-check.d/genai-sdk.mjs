// Google's @google/genai SDK against the gateway's Gemini API (/v1beta/models/{model}:generateContent and
// :streamGenerateContent?alt=sse): an Anthropic provider ("claude..."), an OpenAI-compatible one ("llama...") and
// the mock ("demo"), all translated, and a Gemini provider ("gemini..."), passed through; answered by
// fake-provider.mjs from the fixtures (expected values read off them by hand, named next to each). The SDK sends
// the gateway key as x-goog-api-key.
import fs from 'node:fs';
import { assert, check, done, gateway, key, rejects, requireSdk } from './check.mjs';

const { GoogleGenAI, Type } = requireSdk('@google/genai');
const ai = new GoogleGenAI({ apiKey: key, httpOptions: { baseUrl: gateway, timeout: 15000 } });

const contents = [{ role: 'user', parts: [{ text: 'What is the weather in Paris?' }] }];
const tools = [{
  functionDeclarations: [{
    name: 'get_weather', description: 'Get the weather.',
    parameters: { type: Type.OBJECT, properties: { city: { type: Type.STRING }, unit: { type: Type.STRING } }, required: ['city'] },
  }],
}];
const PARIS = { city: 'Paris', unit: 'celsius' };

const providers = [
  {
    name: 'anthropic', alias: 'claude',
    body: 'The capital of France is Paris.', // anthropic/message.json
    streamed: 'The capital of France is Paris.', // anthropic/message-stream.sse
    calls: 1, // anthropic/message-tool-use.json, message-stream-tool-use.sse
  },
  {
    name: 'openai-compatible', alias: 'llama',
    body: 'The capital of France is Paris.', // openai/chat-completion.json
    streamed: 'The capital of France is Paris.', // openai/chat-completion-stream.sse
    calls: 1, streamedCalls: 2, // openai/chat-completion-tool-calls.json; the stream has two parallel calls
  },
  {
    name: 'gemini', alias: 'gemini',
    body: 'The capital of France is Paris.', // gemini/generate-content.json
    streamed: 'The capital of France is Paris. It is known for the Eiffel Tower, the Louvre, and its cafés.',
    calls: 1,
  },
];

/** The provider requests the fake logged for `model`, bodies parsed, oldest first. */
function sentFor(model) {
  return fs.readFileSync(process.env.PROVIDER_REQUESTS, 'utf8').split('\n').filter(Boolean).map(JSON.parse)
    .filter((r) => r.url.includes(model) || (r.body && JSON.parse(r.body).model === model))
    .map((r) => ({ url: r.url, body: r.body ? JSON.parse(r.body) : {} }));
}

for (const p of providers) {
  await check(`genai-sdk ${p.name}: generateContent`, async () => {
    const r = await ai.models.generateContent({ model: p.alias, contents });
    assert.equal(r.text, p.body);
    assert.equal(r.candidates[0].finishReason, 'STOP');
    assert.equal(r.modelVersion, p.alias);
    assert.ok(r.usageMetadata.promptTokenCount > 0 && r.usageMetadata.totalTokenCount > 0,
      JSON.stringify(r.usageMetadata));
  });

  await check(`genai-sdk ${p.name}: generateContentStream`, async () => {
    let text = '';
    let chunks = 0;
    let last;
    for await (const chunk of await ai.models.generateContentStream({ model: p.alias, contents })) {
      text += chunk.text ?? '';
      chunks++;
      last = chunk;
    }
    assert.equal(text, p.streamed);
    assert.ok(chunks > 1, 'one chunk only');
    assert.equal(last.candidates[0].finishReason, 'STOP');
    assert.ok(last.usageMetadata?.candidatesTokenCount > 0, JSON.stringify(last.usageMetadata));
  });

  await check(`genai-sdk ${p.name}: generateContent with a function tool, then its response`, async () => {
    const model = `${p.alias}-tools`;
    const first = await ai.models.generateContent({ model, contents, config: { tools } });
    assert.equal(first.functionCalls?.length, p.calls, JSON.stringify(first.candidates));
    const call = first.functionCalls[0];
    assert.equal(call.name, 'get_weather');
    assert.deepEqual(call.args, PARIS);
    const history = [...contents, first.candidates[0].content, {
      role: 'user',
      parts: first.functionCalls.map((c) => ({ functionResponse: { id: c.id, name: c.name, response: { output: '18C' } } })),
    }];
    const second = await ai.models.generateContent({ model, contents: history, config: { tools } });
    assert.ok(second.text?.length > 0, 'no answer after the function response');
    if (p.name === 'anthropic') { // the response went back as a tool_result for the tool_use's own id
      const sent = sentFor('claude-sonnet-4-5-tools').pop().body;
      const use = sent.messages[1].content.find((b) => b.type === 'tool_use');
      const result = sent.messages[2].content.find((b) => b.type === 'tool_result');
      assert.equal(result.tool_use_id, use.id);
      assert.equal(result.content, '18C');
    } else if (p.name === 'openai-compatible') {
      const sent = sentFor('llama3.1-tools').pop().body;
      const tool = sent.messages.find((m) => m.role === 'tool');
      assert.equal(tool.tool_call_id, 'call_Xk3pQ9vR2mT8nW4yL6bJ1cF5');
    }
  });

  await check(`genai-sdk ${p.name}: generateContentStream with a function tool`, async () => {
    const calls = [];
    for await (const chunk of await ai.models.generateContentStream({ model: `${p.alias}-tools`, contents, config: { tools } })) {
      calls.push(...(chunk.functionCalls ?? []));
    }
    assert.equal(calls.length, p.streamedCalls ?? p.calls, JSON.stringify(calls));
    assert.equal(calls[0].name, 'get_weather');
    assert.deepEqual(calls[0].args, PARIS); // whole, never a fragment
  });
}

await check('genai-sdk mock: generateContent and generateContentStream with a tool declared', async () => {
  const r = await ai.models.generateContent({ model: 'demo', contents, config: { tools } });
  assert.match(r.text, /mock/i);
  assert.equal(r.modelVersion, 'demo');
  let text = '';
  for await (const chunk of await ai.models.generateContentStream({ model: 'demo', contents })) text += chunk.text ?? '';
  assert.match(text, /mock/i);
});

await check('genai-sdk: countTokens passes through to a Gemini provider', async () => {
  const r = await ai.models.countTokens({ model: 'gemini', contents });
  assert.ok(r.totalTokens > 0, JSON.stringify(r));
});

await check('genai-sdk: models.list and models.get in Google\'s format', async () => {
  const names = [];
  for await (const m of await ai.models.list()) names.push(m.name);
  assert.ok(names.includes('models/claude') && names.includes('models/demo'), names.join(' '));
  const one = await ai.models.get({ model: 'llama' });
  assert.equal(one.name, 'models/llama');
  assert.ok(one.supportedActions?.includes('generateContent') ?? true);
});

await check('genai-sdk: an unknown model is a 404 the SDK reports', async () => {
  const e = await rejects(() => ai.models.generateContent({ model: 'no-such-model', contents }));
  assert.equal(e.status, 404, String(e));
  assert.match(String(e.message), /NOT_FOUND|no-such-model/);
});

await check('genai-sdk: a provider error mid-stream reaches the SDK as an error', async () => {
  const e = await rejects(async () => {
    for await (const _ of await ai.models.generateContentStream({ model: 'claude-overloaded', contents })) { /* drain */ }
  });
  assert.match(String(e.message ?? e), /overloaded|UNAVAILABLE|503/i);
});

done();
