// A fake Anthropic + Gemini + OpenAI-compatible provider on 127.0.0.1 that answers with the fixture bytes of
// gateway-netty/src/test/resources/fixtures, so the real SDKs see what the real APIs would send through the
// gateway's translation. Streams are written in small random pieces (seeded) to exercise the gateway's framer.
//
// Which fixture: from the model the gateway sends (the alias's api_model; for Gemini it is in the URL):
//   "...tools..."      the tool-call answer, or the text answer once the request carries a tool result (the
//                      model answering after its tool ran: a client's whole tool loop)
//   "...overloaded..." Anthropic's mid-stream error event   "...529..."  Anthropic's 529 overloaded error
//   anything else      the plain text answer
// Every request is appended to $REQUEST_LOG (one JSON line: method, url, headers, body) for the report. It is the
// gateway's trace collector too: each OTLP/HTTP export (POST /v1/traces, protobuf) is appended to TRACE_LOG as is.
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
  if (/tool/.test(model)) return hasToolResult(body) ? 'text' : 'tools';
  return 'text';
}

/** A tool result in any of the three APIs: OpenAI's tool message, Anthropic's block, Gemini's part. */
function hasToolResult(body) {
  const turns = body.messages ?? body.contents ?? [];
  return turns.some((t) => t.role === 'tool' || [].concat(t.content ?? [], t.parts ?? [])
    .some((b) => b?.type === 'tool_result' || b?.functionResponse));
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
  const tools = scenario(model ?? '', body) === 'tools';
  if (method === 'streamGenerateContent' && url.searchParams.get('alt') === 'sse') {
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
  const tools = scenario(body.model ?? '', body) === 'tools';
  const ids = { 'x-request-id': 'req_fake_openai' };
  if (body.stream) {
    stream(res, tools ? 'openai/chat-completion-stream-tool-calls.sse' : 'openai/chat-completion-stream.sse', ids);
  } else {
    json(res, 200, tools ? 'openai/chat-completion-tool-calls.json' : 'openai/chat-completion.json', ids);
  }
}

const server = http.createServer((req, res) => {
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

server.listen(0, '127.0.0.1', () => fs.writeFileSync(portFile, String(server.address().port)));
process.on('SIGTERM', () => server.close(() => process.exit(0)));
