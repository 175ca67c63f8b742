// The OpenAI Node SDK against the gateway's translated routes: an Anthropic provider (alias "claude...") and a
// Gemini provider ("gemini..."), answered by fake-provider.mjs from the fixtures, and one request with a W3C
// traceparent, which the gateway's trace must continue; then the Responses API (responses.create and
// responses.stream with a function tool, and the tool's result sent back) against Anthropic, Gemini,
// OpenAI-compatible and mock providers. Expected values are read off the fixture files by hand
// (named next to each).
import crypto from 'node:crypto';
import fs from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { assert, check, done, gateway, key, rejects, requireSdk } from './check.mjs';

const { default: OpenAI, APIError, BadRequestError, InternalServerError } = requireSdk('openai');
const client = new OpenAI({ baseURL: `${gateway}/v1`, apiKey: key, maxRetries: 0, timeout: 15000 });

const messages = [{ role: 'user', content: 'What is the weather in Paris?' }];
const tools = [{
  type: 'function',
  function: {
    name: 'get_weather', description: 'Get the weather.',
    parameters: { type: 'object', properties: { city: { type: 'string' }, unit: { type: 'string' } }, required: ['city'] },
  },
}];
const PARIS = { city: 'Paris', unit: 'celsius' };

// Per provider: the alias prefix, the text of its plain answer (stream and body), its tool call id (null: the
// provider has none, the gateway mints one), and the usage the stream's final chunk must carry.
const providers = [
  {
    name: 'anthropic', alias: 'claude',
    body: 'The capital of France is Paris.', // anthropic/message.json
    streamed: 'The capital of France is Paris.', // anthropic/message-stream.sse text_deltas
    toolText: "I'll check the weather in Paris for you.", // anthropic/message-stream-tool-use.sse
    toolId: 'toolu_01T1x1fJ34qAmk2tNTrN7Up6',
    // message-stream-tool-use.sse: input_tokens 472 (no cache), output_tokens 89
    toolUsage: { prompt_tokens: 472, completion_tokens: 89 },
  },
  {
    name: 'gemini', alias: 'gemini',
    body: 'The capital of France is Paris.', // gemini/generate-content.json
    streamed: 'The capital of France is Paris. It is known for the Eiffel Tower, the Louvre, and its cafés.',
    toolText: '',
    toolId: null,
    // stream-generate-content-function-call.sse: promptTokenCount 61, candidates 20 + thoughts 58
    toolUsage: { prompt_tokens: 61, completion_tokens: 78 },
  },
];

for (const p of providers) {
  await check(`openai-sdk ${p.name}: chat.completions.create`, async () => {
    const reply = await client.chat.completions.create({ model: p.alias, messages });
    assert.equal(reply.object, 'chat.completion');
    assert.equal(reply.model, p.alias);
    assert.equal(reply.choices[0].message.role, 'assistant');
    assert.equal(reply.choices[0].message.content, p.body);
    assert.equal(reply.choices[0].finish_reason, 'stop');
    assert.ok(reply.usage.prompt_tokens > 0 && reply.usage.completion_tokens > 0, JSON.stringify(reply.usage));
    assert.ok(reply._request_id, 'x-request-id header missing');
  });

  await check(`openai-sdk ${p.name}: create stream, text`, async () => {
    let text = '';
    let finish = null;
    let chunks = 0;
    for await (const chunk of await client.chat.completions.create({ model: p.alias, messages, stream: true })) {
      chunks++;
      assert.equal(chunk.object, 'chat.completion.chunk');
      assert.equal(chunk.model, p.alias);
      assert.equal(chunk.usage ?? null, null, 'usage the client did not ask for');
      text += chunk.choices[0]?.delta?.content ?? '';
      finish = chunk.choices[0]?.finish_reason ?? finish;
    }
    assert.ok(chunks > 1, 'one chunk only');
    assert.equal(text, p.streamed);
    assert.equal(finish, 'stop');
  });

  await check(`openai-sdk ${p.name}: chat.completions.stream with tools -> finalChatCompletion`, async () => {
    const stream = client.chat.completions.stream({
      model: `${p.alias}-tools`, messages, tools, stream_options: { include_usage: true },
    });
    const final = await stream.finalChatCompletion();
    const choice = final.choices[0];
    assert.equal(choice.finish_reason, 'tool_calls');
    assert.equal(choice.message.content ?? '', p.toolText);
    assert.equal(choice.message.tool_calls.length, 1, JSON.stringify(choice.message.tool_calls));
    const call = choice.message.tool_calls[0];
    if (p.toolId) assert.equal(call.id, p.toolId);
    else assert.match(call.id, /^\S+$/, 'a minted tool call id');
    assert.equal(call.type, 'function');
    assert.equal(call.function.name, 'get_weather');
    assert.deepEqual(JSON.parse(call.function.arguments), PARIS);
    assert.equal(final.usage?.prompt_tokens, p.toolUsage.prompt_tokens, JSON.stringify(final.usage));
    assert.equal(final.usage?.completion_tokens, p.toolUsage.completion_tokens);
    assert.equal(final.usage?.total_tokens, p.toolUsage.prompt_tokens + p.toolUsage.completion_tokens);
  });

  await check(`openai-sdk ${p.name}: create with tools, not streamed`, async () => {
    const reply = await client.chat.completions.create({ model: `${p.alias}-tools`, messages, tools });
    const call = reply.choices[0].message.tool_calls?.[0];
    assert.equal(reply.choices[0].finish_reason, 'tool_calls');
    assert.ok(call, JSON.stringify(reply.choices[0].message));
    if (p.name === 'anthropic') assert.equal(call.id, 'toolu_01A09q90qw90lq917835lq9f'); // message-tool-use.json
    assert.equal(call.function.name, 'get_weather');
    assert.deepEqual(JSON.parse(call.function.arguments), PARIS);
  });

  await check(`openai-sdk ${p.name}: stream_options.include_usage -> usage chunk`, async () => {
    let usage = null;
    let afterUsage = 0;
    for await (const chunk of await client.chat.completions.create({
      model: p.alias, messages, stream: true, stream_options: { include_usage: true },
    })) {
      if (usage) afterUsage++;
      if (chunk.usage) {
        usage = chunk.usage;
        assert.deepEqual(chunk.choices, [], 'the usage chunk has no choices');
      }
    }
    assert.ok(usage, 'no usage chunk');
    assert.equal(afterUsage, 0, 'chunks after the usage chunk');
    assert.ok(usage.prompt_tokens > 0 && usage.completion_tokens > 0, JSON.stringify(usage));
    assert.equal(usage.total_tokens, usage.prompt_tokens + usage.completion_tokens);
  });
}

await check('openai-sdk anthropic: mid-stream overloaded error -> APIError', async () => {
  let text = '';
  const error = await rejects(async () => {
    for await (const chunk of await client.chat.completions.create({
      model: 'claude-overloaded', messages, stream: true,
    })) {
      text += chunk.choices[0]?.delta?.content ?? '';
    }
  });
  assert.ok(error instanceof APIError, `${error?.constructor?.name}: ${error?.message}`);
  assert.match(error.message, /Overloaded/);
  assert.equal(error.code, 'overloaded_error');
  assert.equal(text, 'Hello'); // message-stream-error-overloaded.sse: text before the error event
});

await check('openai-sdk anthropic: provider 529 -> InternalServerError status 503', async () => {
  const error = await rejects(() => client.chat.completions.create({ model: 'claude-529', messages }));
  assert.ok(error instanceof InternalServerError, `${error?.constructor?.name}: ${error?.message}`);
  assert.equal(error.status, 503);
  assert.equal(error.code, 'overloaded_error');
  assert.equal(error.type, 'server_error');
  assert.ok(error.requestID, 'x-request-id header missing');
});

await check('openai-sdk anthropic: provider 529 streamed -> InternalServerError status 503', async () => {
  const error = await rejects(async () => {
    for await (const _ of await client.chat.completions.create({ model: 'claude-529', messages, stream: true })) {
      // nothing may arrive
    }
  });
  assert.ok(error instanceof InternalServerError, `${error?.constructor?.name}: ${error?.message}`);
  assert.equal(error.status, 503);
});

await check('openai-sdk: a traceparent continues into the gateway\'s trace, provider and access log', async () => {
  const traceId = crypto.randomBytes(16).toString('hex');
  const traceparent = `00-${traceId}-${crypto.randomBytes(8).toString('hex')}-01`;
  const { response } = await client.chat.completions
    .create({ model: 'llama', messages }, { headers: { traceparent } })
    .withResponse();
  assert.match(response.headers.get('traceparent') ?? '', new RegExp(`^00-${traceId}-[0-9a-f]{16}-01$`));
  const upstream = fs.readFileSync(process.env.PROVIDER_REQUESTS, 'utf8').split('\n').filter(Boolean).map(JSON.parse)
    .filter((r) => (r.headers.traceparent ?? '').includes(traceId));
  assert.equal(upstream.length, 1, 'the provider was sent the trace');
  // The exported spans are protobuf: the trace id is in them as its 16 raw bytes. Export runs every 100 ms here.
  const raw = Buffer.from(traceId, 'hex');
  for (let i = 0; i < 50 && !fs.readFileSync(process.env.TRACES).includes(raw); i++) await sleep(100);
  assert.ok(fs.readFileSync(process.env.TRACES).includes(raw), 'no span of the trace reached the collector');
  for (let i = 0; i < 50 && !fs.readFileSync(process.env.ACCESS_LOG, 'utf8').includes(traceId); i++) await sleep(100);
  assert.ok(fs.readFileSync(process.env.ACCESS_LOG, 'utf8').includes(`"trace_id":"${traceId}"`), 'access log');
});

await check('openai-sdk: models.list in OpenAI\'s shape', async () => {
  const ids = [];
  for await (const model of client.models.list()) {
    assert.equal(model.object, 'model', JSON.stringify(model));
    assert.equal(typeof model.created, 'number');
    ids.push(model.id);
  }
  assert.ok(ids.includes('claude') && ids.includes('gemini') && ids.includes('claude/claude-sonnet-4-5-20250929'),
    JSON.stringify(ids));
});

// The Responses API, translated: the same fixtures as above, read through responses.create / responses.stream.
const input = 'What is the weather in Paris?';
const responseTools = [{
  type: 'function', name: 'get_weather', description: 'Get the weather.', strict: false,
  parameters: tools[0].function.parameters,
}];
const responsesProviders = [
  { ...providers[0], toolBodyId: 'toolu_01A09q90qw90lq917835lq9f' }, // message-tool-use.json
  { ...providers[1] },
  {
    name: 'openai_compatible', alias: 'llama',
    body: 'The capital of France is Paris.', // openai/chat-completion.json
    streamed: 'The capital of France is Paris.', // openai/chat-completion-stream.sse
    toolText: '', toolId: 'call_Xk3pQ9vR2mT8nW4yL6bJ1cF5', // chat-completion-stream-tool-calls.sse: 2 calls
    toolUsage: { prompt_tokens: 96, completion_tokens: 52 },
  },
  { name: 'mock', alias: 'demo', body: null, streamed: null, toolText: null },
];

for (const p of responsesProviders) {
  await check(`openai-sdk ${p.name}: responses.create`, async () => {
    const reply = await client.responses.create({ model: p.alias, input, instructions: 'Be brief.', store: false });
    assert.equal(reply.object, 'response');
    assert.equal(reply.status, 'completed');
    assert.equal(reply.model, p.alias);
    if (p.body) assert.equal(reply.output_text, p.body);
    else assert.ok(reply.output_text.length > 0, JSON.stringify(reply.output));
    assert.ok(reply.usage.input_tokens > 0 && reply.usage.output_tokens > 0, JSON.stringify(reply.usage));
    assert.equal(reply.usage.total_tokens, reply.usage.input_tokens + reply.usage.output_tokens);
    assert.ok(reply._request_id, 'x-request-id header missing');
  });

  await check(`openai-sdk ${p.name}: responses.create stream, text`, async () => {
    let text = '';
    let last = null;
    let sequence = -1;
    for await (const event of await client.responses.create({ model: p.alias, input, stream: true })) {
      assert.equal(event.sequence_number, sequence + 1, JSON.stringify(event));
      sequence = event.sequence_number;
      if (event.type === 'response.output_text.delta') text += event.delta;
      last = event;
    }
    assert.equal(last.type, 'response.completed');
    assert.equal(last.response.model, p.alias);
    assert.equal(last.response.output_text ?? text, text);
    if (p.streamed) assert.equal(text, p.streamed);
    else assert.ok(text.length > 0);
  });

  if (p.toolText === null) continue; // the mock has no tools
  await check(`openai-sdk ${p.name}: responses.stream with a function tool, then its result sent back`, async () => {
    const stream = client.responses.stream({ model: `${p.alias}-tools`, input, tools: responseTools });
    let argumentDeltas = '';
    stream.on('response.function_call_arguments.delta', (e) => { argumentDeltas += e.delta; });
    const final = await stream.finalResponse();
    assert.equal(final.status, 'completed');
    const calls = final.output.filter((item) => item.type === 'function_call');
    assert.ok(calls.length >= 1, JSON.stringify(final.output));
    assert.equal(calls[0].name, 'get_weather');
    assert.deepEqual(JSON.parse(calls[0].arguments), PARIS);
    if (p.toolId) assert.equal(calls[0].call_id, p.toolId);
    assert.ok(argumentDeltas.startsWith(calls[0].arguments.slice(0, 5)) || argumentDeltas === '',
      `argument deltas ${argumentDeltas}`);
    assert.equal(final.output_text ?? '', p.toolText); // text and the call both kept (LiteLLM #17246)
    assert.equal(final.usage.input_tokens, p.toolUsage.prompt_tokens, JSON.stringify(final.usage));
    assert.equal(final.usage.output_tokens, p.toolUsage.completion_tokens);

    const next = await client.responses.create({
      model: `${p.alias}-tools`, tools: responseTools, store: false,
      input: [{ role: 'user', content: input }, ...final.output,
        ...calls.map((call) => ({ type: 'function_call_output', call_id: call.call_id, output: '{"temp":21}' }))],
    });
    assert.equal(next.status, 'completed');
    assert.equal(next.output_text, p.body);
  });

  await check(`openai-sdk ${p.name}: responses.create with a function tool, not streamed`, async () => {
    const reply = await client.responses.create({ model: `${p.alias}-tools`, input, tools: responseTools });
    const call = reply.output.find((item) => item.type === 'function_call');
    assert.ok(call, JSON.stringify(reply.output));
    if (p.toolBodyId) assert.equal(call.call_id, p.toolBodyId);
    assert.equal(call.name, 'get_weather');
    assert.deepEqual(JSON.parse(call.arguments), PARIS);
  });
}

await check('openai-sdk anthropic: responses mid-stream overloaded error -> APIError', async () => {
  let text = '';
  const error = await rejects(async () => {
    for await (const event of await client.responses.create({ model: 'claude-overloaded', input, stream: true })) {
      if (event.type === 'response.output_text.delta') text += event.delta;
    }
  });
  assert.ok(error instanceof APIError, `${error?.constructor?.name}: ${error?.message}`);
  assert.match(error.message, /Overloaded/);
  assert.equal(text, 'Hello');
});

await check('openai-sdk anthropic: responses with previous_response_id -> BadRequestError', async () => {
  const error = await rejects(() => client.responses.create({ model: 'claude', input, previous_response_id: 'resp_x' }));
  assert.ok(error instanceof BadRequestError, `${error?.constructor?.name}: ${error?.message}`);
  assert.equal(error.param, 'previous_response_id');
  assert.ok(error.requestID, 'x-request-id header missing');
});

done();
