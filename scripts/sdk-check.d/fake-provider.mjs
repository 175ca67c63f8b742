// A fake Anthropic + Gemini + OpenAI-compatible provider on 127.0.0.1 that answers with the fixture bytes of
// gateway-netty/src/test/resources/fixtures, so the real SDKs see what the real APIs would send through the
// gateway's translation. Streams are written in small random pieces (seeded) to exercise the gateway's framer.
//
// A request that offers a coding agent's own tool (Codex CLI's exec_command or apply_patch, Gemini CLI's
// write_file) gets the agent task instead, made up from what the request offers rather than a fixture (see
// agentAnswer): one call to that tool creating hello.txt containing "hi", then a closing text once the tool's
// result comes back.
// Otherwise the fixture is chosen from the model the gateway sends (the alias's api_model; for Gemini it is in the
// URL):
//   "...tools..."      the tool-call answer, or the text answer once the request carries a tool result (the
//                      model answering after its tool ran: a client's whole tool loop)
//   "...overloaded..." Anthropic's mid-stream error event   "...529..."  Anthropic's 529 overloaded error
//   anything else      the plain text answer
// Every request is appended to $REQUEST_LOG (one JSON line: method, url, headers, body) for the report. It is the
// gateway's trace collector too: each OTLP/HTTP export (POST /v1/traces, protobuf) is appended to TRACE_LOG as is.
// And it is the proxy the agents are given (HTTPS_PROXY): a CONNECT or absolute-URL request, an agent trying to
// leave loopback, is refused and logged as {"offLoopback": target}.
//
// usage: node fake-provider.mjs FIXTURE_DIR PORT_FILE REQUEST_LOG TRACE_LOG
import http from 'node:http';
import fs from 'node:fs';
import path from 'node:path';

const [fixtureDir, portFile, requestLog, traceLog] = process.argv.slice(2);
const fixture = (name) => fs.readFileSync(path.join(fixtureDir, name));

// What count_tokens answers (Anthropic's answers only input_tokens); the SDK check expects it back unchanged.
const COUNT_TOKENS = 1234;

let seed = 42;
function random() { // xorshift: reproducible cuts from run to run
  seed ^= seed << 13; seed ^= seed >>> 17; seed ^= seed << 5;
  return (seed >>> 0) / 4294967296;
}

/** Writes `bytes` in pieces of 1 to 60 bytes, a tick apart, so events and even UTF-8 characters are split. */
function sendInPieces(res, bytes) {
  let at = 0;
  const next = () => {
    if (at >= bytes.length) { res.end(); return; }
    const n = 1 + Math.floor(random() * 60);
    res.write(bytes.subarray(at, at + n));
    at += n;
    setTimeout(next, 1);
  };
  next();
}

function stream(res, file, extraHeaders = {}) {
  res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache',
    ...extraHeaders });
  sendInPieces(res, fixture(file));
}

function json(res, status, file, extraHeaders = {}) {
  const body = typeof file === 'string' ? fixture(file) : Buffer.from(JSON.stringify(file));
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': body.length, ...extraHeaders });
  res.end(body);
}

function scenario(model, body) {
  if (/529/.test(model)) return '529';
  if (/overloaded/.test(model)) return 'overloaded';
  if (offeredTools(body).some((t) => AGENT_TOOLS.has(t.name))) return 'agent';
  if (/tool/.test(model)) return hasToolResult(body) ? 'text' : 'tools';
  return 'text';
}

/** A tool result in any of the three APIs: OpenAI's tool message, Anthropic's block, Gemini's part. */
function hasToolResult(body) {
  const turns = body.messages ?? body.contents ?? [];
  return turns.some((t) => t.role === 'tool' || [].concat(t.content ?? [], t.parts ?? [])
    .some((b) => b?.type === 'tool_result' || b?.functionResponse));
}

// The agent task: the file, its content, and the agents' tools that can make it (names and arguments as captured
// from Codex CLI and Gemini CLI). Codex offers its freeform apply_patch tool for the models it knows: when offered,
// it is used, its one string parameter (whatever the translation named it) getting the patch.
const AGENT_FILE = 'hello.txt';
const AGENT_TEXT = 'hi';
const AGENT_COMMAND = `printf ${AGENT_TEXT} > ${AGENT_FILE}`;
const AGENT_PATCH = `*** Begin Patch\n*** Add File: ${AGENT_FILE}\n+${AGENT_TEXT}\n*** End Patch\n`;
const AGENT_TOOLS = new Map([ // in order of preference
  ['apply_patch', (schema) => ({ [Object.keys(schema?.properties ?? {})[0] ?? 'input']: AGENT_PATCH })], // Codex CLI
  ['exec_command', () => ({ cmd: AGENT_COMMAND })], // Codex CLI
  ['shell_command', () => ({ command: AGENT_COMMAND })], // Codex CLI, older models
  ['write_file', () => ({ file_path: AGENT_FILE, content: AGENT_TEXT })], // Gemini CLI
]);
const AGENT_DONE = `Done: ${AGENT_FILE} now contains "${AGENT_TEXT}".`;

/** The offered tools as {name, schema}, from any of the three APIs. */
function offeredTools(body) {
  return (body.tools ?? []).flatMap((t) => t.functionDeclarations
    ? t.functionDeclarations.map((f) => ({ name: f.name, schema: f.parametersJsonSchema ?? f.parameters }))
    : [{ name: t.function?.name ?? t.name, schema: t.function?.parameters ?? t.input_schema }]);
}

/** {text} or {call: {name, input}}: what the fake model does next in the agent task. */
function agentAnswer(body) {
  if (hasToolResult(body)) return { text: AGENT_DONE };
  const tools = offeredTools(body);
  for (const [name, input] of AGENT_TOOLS) {
    const tool = tools.find((t) => t.name === name);
    if (tool) return { call: { name, input: input(tool.schema) } };
  }
  return { text: `fake: none of the offered tools can create ${AGENT_FILE}: ${tools.map((t) => t.name).join(', ')}` };
}

const sseEvent = (event, data) => `${event ? `event: ${event}\n` : ''}data: ${JSON.stringify(data)}\n\n`;

/** The agent answer as an Anthropic message, or its event stream; the call's arguments stream in two pieces. */
function anthropicAgent(res, body, ids) {
  const answer = agentAnswer(body);
  const usage = { input_tokens: 900, cache_creation_input_tokens: 0, cache_read_input_tokens: 0, output_tokens: 30 };
  const block = answer.call
    ? { type: 'tool_use', id: 'toolu_fake_agent_01', name: answer.call.name, input: answer.call.input }
    : { type: 'text', text: answer.text };
  const stop = answer.call ? 'tool_use' : 'end_turn';
  const message = { id: 'msg_fake_agent', type: 'message', role: 'assistant', model: body.model, content: [block],
    stop_reason: stop, stop_sequence: null, usage };
  if (!body.stream) { json(res, 200, message, ids); return; }
  const args = JSON.stringify(block.input ?? {});
  const deltas = answer.call
    ? [args.slice(0, 7), args.slice(7)].map((partial_json) => ({ type: 'input_json_delta', partial_json }))
    : [{ type: 'text_delta', text: answer.text }];
  const events = [
    sseEvent('message_start', { type: 'message_start', message: { ...message, content: [], stop_reason: null,
      usage: { ...usage, output_tokens: 1 } } }),
    sseEvent('content_block_start', { type: 'content_block_start', index: 0,
      content_block: answer.call ? { ...block, input: {} } : { type: 'text', text: '' } }),
    ...deltas.map((delta) => sseEvent('content_block_delta', { type: 'content_block_delta', index: 0, delta })),
    sseEvent('content_block_stop', { type: 'content_block_stop', index: 0 }),
    sseEvent('message_delta', { type: 'message_delta', delta: { stop_reason: stop, stop_sequence: null }, usage }),
    sseEvent('message_stop', { type: 'message_stop' }),
  ];
  res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', ...ids });
  sendInPieces(res, Buffer.from(events.join('')));
}

/** The agent answer as an OpenAI chat completion, or its chunks (usage last when asked for, then [DONE]). */
function openAiAgent(res, body, ids) {
  const answer = agentAnswer(body);
  const head = { id: 'chatcmpl-fake-agent', created: 1765000000, model: body.model };
  const usage = { prompt_tokens: 900, completion_tokens: 30, total_tokens: 930 };
  const call = answer.call && { id: 'call_fake_agent_01', type: 'function',
    function: { name: answer.call.name, arguments: JSON.stringify(answer.call.input) } };
  const finish = call ? 'tool_calls' : 'stop';
  if (!body.stream) {
    json(res, 200, { ...head, object: 'chat.completion', choices: [{ index: 0, message: { role: 'assistant',
      content: call ? null : answer.text, ...(call && { tool_calls: [call] }) }, finish_reason: finish }], usage }, ids);
    return;
  }
  const chunk = (delta, finishReason = null) => sseEvent(null, { ...head, object: 'chat.completion.chunk',
    choices: [{ index: 0, delta, finish_reason: finishReason }] });
  const args = call?.function.arguments ?? '';
  const events = [
    chunk({ role: 'assistant', content: call ? null : '' }),
    ...(call
      ? [chunk({ tool_calls: [{ index: 0, ...call, function: { name: call.function.name, arguments: '' } }] }),
        ...[args.slice(0, 7), args.slice(7)].map((a) => chunk({ tool_calls: [{ index: 0, function: { arguments: a } }] }))]
      : [chunk({ content: answer.text })]),
    chunk({}, finish),
    ...(body.stream_options?.include_usage ? [sseEvent(null, { ...head, object: 'chat.completion.chunk', choices: [], usage })] : []),
    'data: [DONE]\n\n',
  ];
  res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', ...ids });
  sendInPieces(res, Buffer.from(events.join('')));
}

/** The agent answer as a Gemini response, or one SSE chunk of it. */
function geminiAgent(res, body, model, streamed) {
  const answer = agentAnswer(body);
  const part = answer.call ? { functionCall: { name: answer.call.name, args: answer.call.input } } : { text: answer.text };
  const response = { candidates: [{ content: { role: 'model', parts: [part] }, finishReason: 'STOP', index: 0 }],
    usageMetadata: { promptTokenCount: 900, candidatesTokenCount: 30, totalTokenCount: 930 }, modelVersion: model };
  if (!streamed) { json(res, 200, response); return; }
  res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8' });
  sendInPieces(res, Buffer.from(sseEvent(null, response)));
}

// Each API's own refusal when its credential header is missing: the gateway must send the provider's key.
function credentialsMissing(req, res, header, dialect) {
  if (req.headers[header]) return false;
  const body = dialect === 'anthropic'
    ? { type: 'error', error: { type: 'authentication_error', message: `fake: no ${header}` } }
    : { error: { message: `fake: no ${header}`, type: 'invalid_request_error', code: 'invalid_api_key' } };
  json(res, 401, body);
  return true;
}

function anthropic(req, res, body, url) {
  if (credentialsMissing(req, res, 'x-api-key', 'anthropic')) return;
  if (!req.headers['anthropic-version']) {
    json(res, 400, { type: 'error', error: { type: 'invalid_request_error', message: 'fake: no anthropic-version' } });
    return;
  }
  const ids = { 'request-id': 'req_fake_anthropic' };
  if (url.pathname.endsWith('/count_tokens')) { json(res, 200, { input_tokens: COUNT_TOKENS }, ids); return; }
  const s = scenario(body.model ?? '', body);
  if (s === 'agent') { anthropicAgent(res, body, ids); return; }
  if (s === '529') { json(res, 529, 'anthropic/error-529-overloaded.json', ids); return; }
  if (body.stream) {
    stream(res, { tools: 'anthropic/message-stream-tool-use.sse', overloaded: 'anthropic/message-stream-error-overloaded.sse',
      text: 'anthropic/message-stream.sse' }[s], ids);
  } else {
    json(res, 200, s === 'tools' ? 'anthropic/message-tool-use.json' : 'anthropic/message.json', ids);
  }
}

function gemini(req, res, body, url) {
  if (credentialsMissing(req, res, 'x-goog-api-key', 'gemini')) return;
  const [, model, method] = url.pathname.match(/\/models\/([^:]+):(\w+)$/) ?? [];
  const s = scenario(model ?? '', body);
  const tools = s === 'tools';
  const streamed = method === 'streamGenerateContent' && url.searchParams.get('alt') === 'sse';
  if (s === 'agent' && (streamed || method === 'generateContent')) {
    geminiAgent(res, body, model, streamed);
  } else if (streamed) {
    stream(res, tools ? 'gemini/stream-generate-content-function-call.sse' : 'gemini/stream-generate-content.sse');
  } else if (method === 'generateContent') {
    json(res, 200, tools ? 'gemini/generate-content-function-call.json' : 'gemini/generate-content.json');
  } else if (method === 'countTokens') {
    json(res, 200, { totalTokens: COUNT_TOKENS });
  } else {
    json(res, 404, { error: { code: 404, message: `fake: no such method ${url.pathname}`, status: 'NOT_FOUND' } });
  }
}

function openAiCompatible(req, res, body) {
  if (credentialsMissing(req, res, 'authorization', 'openai')) return;
  const s = scenario(body.model ?? '', body);
  const tools = s === 'tools';
  const ids = { 'x-request-id': 'req_fake_openai' };
  if (s === 'agent') {
    openAiAgent(res, body, ids);
  } else if (body.stream) {
    stream(res, tools ? 'openai/chat-completion-stream-tool-calls.sse' : 'openai/chat-completion-stream.sse', ids);
  } else {
    json(res, 200, tools ? 'openai/chat-completion-tool-calls.json' : 'openai/chat-completion.json', ids);
  }
}

const server = http.createServer((req, res) => {
  if (!req.url.startsWith('/')) { refuseOffLoopback(req.url, () => res.writeHead(403).end()); return; }
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', () => {
    if (req.url === '/v1/traces') {
      fs.appendFileSync(traceLog, Buffer.concat(chunks));
      res.writeHead(200, { 'content-type': 'application/x-protobuf' }).end(); // empty: every span accepted
      return;
    }
    const raw = Buffer.concat(chunks).toString('utf8');
    fs.appendFileSync(requestLog, JSON.stringify({ method: req.method, url: req.url, headers: req.headers, body: raw })
      + '\n');
    let body = {};
    try { body = raw ? JSON.parse(raw) : {}; } catch { json(res, 400, { error: { message: 'fake: body is not JSON' } }); return; }
    const url = new URL(req.url, 'http://fake');
    if (url.pathname.startsWith('/anthropic/v1/messages')) anthropic(req, res, body, url);
    else if (url.pathname.startsWith('/gemini/v1beta/')) gemini(req, res, body, url);
    else if (url.pathname === '/openai/v1/chat/completions') openAiCompatible(req, res, body);
    else json(res, 404, { error: { message: `fake: unknown path ${req.url}` } });
  });
});

function refuseOffLoopback(target, refuse) {
  fs.appendFileSync(requestLog, JSON.stringify({ offLoopback: target }) + '\n');
  refuse();
}
server.on('connect', (req, socket) => refuseOffLoopback(req.url, () => socket.end('HTTP/1.1 403 Forbidden\r\n\r\n')));

server.listen(0, '127.0.0.1', () => fs.writeFileSync(portFile, String(server.address().port)));
process.on('SIGTERM', () => server.close(() => process.exit(0)));
