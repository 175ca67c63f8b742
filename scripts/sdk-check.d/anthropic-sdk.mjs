// The Anthropic TypeScript SDK against the gateway's POST /v1/messages: an OpenAI-compatible provider ("llama..."),
// a Gemini provider ("gemini...") and the built-in mock ("demo"), all translated; an Anthropic provider
// ("claude") for count_tokens, which only Anthropic has; and the gateway's own errors.
import { assert, check, done, gateway, key, rejects, requireSdk } from './check.mjs';

const sdk = requireSdk('@anthropic-ai/sdk');
const Anthropic = sdk.default;
const client = new Anthropic({ baseURL: gateway, apiKey: key, maxRetries: 0, timeout: 15000 });

const messages = [{ role: 'user', content: 'What is the weather in Paris?' }];
const tools = [{
  name: 'get_weather', description: 'Get the weather.',
  input_schema: { type: 'object', properties: { city: { type: 'string' }, unit: { type: 'string' } }, required: ['city'] },
}];
const PARIS = { city: 'Paris', unit: 'celsius' };

// Per provider: the alias, the text of its plain answer (body and stream), and the tool calls of its tool answer.
const providers = [
  {
    name: 'openai-compatible', alias: 'llama',
    body: 'The capital of France is Paris.', // openai/chat-completion.json
    streamed: 'The capital of France is Paris.', // openai/chat-completion-stream.sse
    // openai/chat-completion-stream-tool-calls.sse: two parallel calls, ids kept
    toolCalls: [{ id: 'call_Xk3pQ9vR2mT8nW4yL6bJ1cF5', input: PARIS },
      { id: 'call_Hq7mW2sK9pL4vN8rT1cY6dB3', input: { city: 'Tokyo', unit: 'celsius' } }],
  },
  {
    name: 'gemini', alias: 'gemini',
    body: 'The capital of France is Paris.', // gemini/generate-content.json
    streamed: 'The capital of France is Paris. It is known for the Eiffel Tower, the Louvre, and its cafés.',
    toolCalls: [{ id: null, input: PARIS }], // gemini/stream-generate-content-function-call.sse: no id, one is minted
  },
];

for (const p of providers) {
  await check(`anthropic-sdk ${p.name}: messages.create`, async () => {
    const message = await client.messages.create({ model: p.alias, max_tokens: 256, messages });
    assert.equal(message.type, 'message');
    assert.equal(message.role, 'assistant');
    assert.equal(message.model, p.alias);
    assert.match(message.id, /^\S+$/); // the provider's own id, kept for tracing (msg_<request id> when it has none)
    assert.deepEqual(message.content.map((b) => b.type), ['text']);
    assert.equal(message.content[0].text, p.body);
    assert.equal(message.stop_reason, 'end_turn');
    assert.ok(message.usage.input_tokens > 0 && message.usage.output_tokens > 0, JSON.stringify(message.usage));
    assert.ok(message._request_id, 'no request-id header (the SDK reads Anthropic\'s request-id)');
  });

  await check(`anthropic-sdk ${p.name}: messages.stream text via on('text')`, async () => {
    let text = '';
    let deltas = 0;
    const stream = client.messages.stream({ model: p.alias, max_tokens: 256, messages })
      .on('text', (delta) => { text += delta; deltas++; });
    const final = await stream.finalMessage();
    assert.equal(text, p.streamed);
    assert.ok(deltas > 1, 'one text delta only');
    assert.equal(final.content[0].text, p.streamed);
    assert.equal(final.stop_reason, 'end_turn');
    assert.equal(final.model, p.alias);
    assert.ok(final.usage.output_tokens > 0, JSON.stringify(final.usage));
  });

  await check(`anthropic-sdk ${p.name}: messages.stream with tools -> finalMessage tool_use`, async () => {
    const jsonDeltas = [];
    const stream = client.messages.stream({ model: `${p.alias}-tools`, max_tokens: 256, messages, tools })
      .on('inputJson', (partial) => jsonDeltas.push(partial));
    const final = await stream.finalMessage();
    assert.equal(final.stop_reason, 'tool_use');
    const uses = final.content.filter((b) => b.type === 'tool_use');
    assert.equal(uses.length, p.toolCalls.length, JSON.stringify(final.content));
    uses.forEach((use, i) => {
      if (p.toolCalls[i].id) assert.equal(use.id, p.toolCalls[i].id);
      else assert.match(use.id, /^\S+$/, 'a minted tool_use id');
      assert.equal(use.name, 'get_weather');
      assert.deepEqual(use.input, p.toolCalls[i].input); // parsed by the SDK from input_json_delta
    });
    assert.ok(jsonDeltas.length > 0, 'no input_json_delta reached the SDK');
  });

  await check(`anthropic-sdk ${p.name}: messages.create with tools, not streamed`, async () => {
    const message = await client.messages.create({ model: `${p.alias}-tools`, max_tokens: 256, messages, tools });
    assert.equal(message.stop_reason, 'tool_use');
    const use = message.content.find((b) => b.type === 'tool_use');
    assert.ok(use, JSON.stringify(message.content));
    assert.equal(use.name, 'get_weather');
    assert.deepEqual(use.input, PARIS);
  });
}

await check('anthropic-sdk mock: messages.create', async () => {
  const message = await client.messages.create({ model: 'demo', max_tokens: 256, messages });
  assert.equal(message.model, 'demo');
  assert.equal(message.content[0].type, 'text');
  assert.match(message.content[0].text, /mock/);
  assert.equal(message.stop_reason, 'end_turn');
});

await check("anthropic-sdk mock: messages.stream on('text')", async () => {
  let text = '';
  const final = await client.messages.stream({ model: 'demo', max_tokens: 256, messages })
    .on('text', (delta) => { text += delta; }).finalMessage();
  assert.match(text, /mock/);
  assert.equal(final.content[0].text, text);
  assert.equal(final.stop_reason, 'end_turn');
});

await check('anthropic-sdk anthropic: messages.countTokens -> the provider\'s count', async () => {
  const counted = await client.messages.countTokens({ model: 'claude', messages });
  assert.equal(counted.input_tokens, 1234); // fake-provider.mjs COUNT_TOKENS
});

await check('anthropic-sdk openai-compatible: messages.countTokens -> BadRequestError 400', async () => {
  const error = await rejects(() => client.messages.countTokens({ model: 'llama', messages }));
  assert.ok(error instanceof sdk.BadRequestError, `${error?.constructor?.name}: ${error?.message}`);
  assert.equal(error.status, 400);
  assert.equal(error.error?.error?.type, 'invalid_request_error');
});

await check('anthropic-sdk anthropic: pass-through messages.create and stream', async () => {
  const message = await client.messages.create({ model: 'claude', max_tokens: 256, messages });
  assert.equal(message.model, 'claude');
  assert.equal(message.content[0].text, 'The capital of France is Paris.'); // anthropic/message.json
  const final = await client.messages.stream({ model: 'claude-tools', max_tokens: 256, messages, tools }).finalMessage();
  assert.equal(final.stop_reason, 'tool_use');
  assert.deepEqual(final.content.find((b) => b.type === 'tool_use').input, PARIS);
});

await check('anthropic-sdk anthropic: mid-stream overloaded error -> APIError', async () => {
  const error = await rejects(() => client.messages.stream({ model: 'claude-overloaded', max_tokens: 256, messages })
    .finalMessage());
  assert.ok(error instanceof sdk.APIError, `${error?.constructor?.name}: ${error?.message}`);
  assert.match(error.message, /Overloaded/);
});

await check('anthropic-sdk: bad key -> AuthenticationError', async () => {
  const wrong = new Anthropic({ baseURL: gateway, apiKey: 'not-a-gateway-key', maxRetries: 0 });
  const error = await rejects(() => wrong.messages.create({ model: 'llama', max_tokens: 16, messages }));
  assert.ok(error instanceof sdk.AuthenticationError, `${error?.constructor?.name}: ${error?.message}`);
  assert.equal(error.status, 401);
  assert.equal(error.type, 'authentication_error');
  assert.ok(error.requestID, 'no request-id header on the error');
});

await check('anthropic-sdk: unknown model -> NotFoundError', async () => {
  const error = await rejects(() => client.messages.create({ model: 'no-such-model', max_tokens: 16, messages }));
  assert.ok(error instanceof sdk.NotFoundError, `${error?.constructor?.name}: ${error?.message}`);
  assert.equal(error.status, 404);
  assert.equal(error.type, 'not_found_error');
});

await check('anthropic-sdk: models.list in Anthropic\'s shape', async () => {
  const page = await client.models.list();
  const ids = page.data.map((m) => m.id);
  assert.ok(ids.includes('llama') && ids.includes('demo'), JSON.stringify(ids));
  for (const model of page.data) {
    assert.equal(model.type, 'model', JSON.stringify(model));
    assert.equal(typeof model.display_name, 'string');
    assert.ok(!Number.isNaN(Date.parse(model.created_at)), `created_at ${model.created_at}`);
  }
  assert.equal(page.has_more, false);
  assert.equal(page.first_id, ids[0]);
  assert.equal(page.last_id, ids[ids.length - 1]);
  const one = await client.models.retrieve('llama');
  assert.equal(one.type, 'model');
  assert.equal(one.id, 'llama');
});

done();
