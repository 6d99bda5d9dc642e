// Interop client for the PipeChat echo endpoint, using the npm package `ws`.
// Usage: node ws-client.mjs ws://127.0.0.1:PORT/echo [--no-deflate]   (or wss://..., certificate not verified)
// permessage-deflate is offered (ws's perMessageDeflate, compressing messages of 1 KiB and more) unless --no-deflate.
// Runs the scripted cases of tests/PipeChat.Server.Tests/Interop/InteropCases.cs and prints one JSON
// object: { client, version, url, results: [{ name, ok, detail }] }. Exit 0 when every case passed,
// 1 when one failed, 2 when `ws` is not installed.
import { readFileSync } from 'node:fs';

let WebSocket;
try {
  ({ WebSocket } = await import('ws'));
} catch (error) {
  console.error(`node package "ws" is missing (${error.code ?? error.message}): run \`npm ci\` in tests/interop, or \`bash scripts/test.sh\``);
  process.exit(2);
}

const url = process.argv[2];
const deflate = !process.argv.includes('--no-deflate');
if (!url) {
  console.error('usage: node ws-client.mjs ws://host:port/echo');
  process.exit(64);
}

const STEP_TIMEOUT_MS = 10_000;
const SIZED_TEXT_PATTERN = Buffer.from('PipeChat 你好 🎉 ', 'utf8');

function sizedText(length) {
  const bytes = Buffer.alloc(length, 'x');
  for (let written = 0; length - written >= SIZED_TEXT_PATTERN.length; written += SIZED_TEXT_PATTERN.length) {
    SIZED_TEXT_PATTERN.copy(bytes, written);
  }
  return bytes;
}

function sizedBinary(length) {
  const bytes = Buffer.alloc(length);
  for (let i = 0; i < length; i++) {
    bytes[i] = (i * 7 + 3) & 0xff;
  }
  return bytes;
}

const SIZES = { '0': 0, '125': 125, '126': 126, '65535': 65535, '65536': 65536, '1mib': 1024 * 1024 };
const messages = [
  ['text-ascii', true, Buffer.from('Hello, PipeChat!', 'utf8')],
  ['text-chinese', true, Buffer.from('你好，世界！聊天室欢迎你。', 'utf8')],
  ['text-emoji', true, Buffer.from('emoji 🎉🚀😀👋🏽 𝄞', 'utf8')],
  ...Object.entries(SIZES).map(([size, length]) => [`text-${size}`, true, sizedText(length)]),
  ...Object.entries(SIZES).map(([size, length]) => [`binary-${size}`, false, sizedBinary(length)]),
];

const version = JSON.parse(readFileSync(new URL('./node_modules/ws/package.json', import.meta.url))).version;
const results = [];
const events = [];
let waiter = null;

function push(event) {
  if (waiter) {
    const resolve = waiter;
    waiter = null;
    resolve(event);
  } else {
    events.push(event);
  }
}

function next(what) {
  if (events.length > 0) {
    return Promise.resolve(events.shift());
  }
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      waiter = null;
      resolve({ kind: 'timeout', what });
    }, STEP_TIMEOUT_MS);
    waiter = (event) => {
      clearTimeout(timer);
      resolve(event);
    };
  });
}

function describe(event) {
  switch (event.kind) {
    case 'message': return `${event.isBinary ? 'binary' : 'text'} message of ${event.data.length} bytes`;
    case 'pong': return `pong of ${event.data.length} bytes`;
    case 'close': return `close ${event.code} "${event.reason}"`;
    case 'error': return `error: ${event.error}`;
    case 'timeout': return `no answer within ${STEP_TIMEOUT_MS} ms (${event.what})`;
    default: return event.kind;
  }
}

function finish() {
  console.log(JSON.stringify({ client: 'node-ws', version, url, results }));
  process.exit(results.length > 0 && results.every((r) => r.ok) ? 0 : 1);
}

const socket = new WebSocket(url, {
  rejectUnauthorized: false,
  maxPayload: 16 * 1024 * 1024,
  handshakeTimeout: STEP_TIMEOUT_MS,
  perMessageDeflate: deflate ? { threshold: 1024 } : false,
});
socket.on('open', () => push({ kind: 'open' }));
socket.on('message', (data, isBinary) => push({ kind: 'message', data: Buffer.isBuffer(data) ? data : Buffer.concat(data), isBinary }));
socket.on('pong', (data) => push({ kind: 'pong', data }));
socket.on('close', (code, reason) => push({ kind: 'close', code, reason: reason.toString() }));
socket.on('error', (error) => push({ kind: 'error', error: error.message }));

const opened = await next('open');
if (opened.kind !== 'open') {
  results.push({ name: 'connect', ok: false, detail: describe(opened) });
  finish();
}

// ws exposes the negotiated extensions as the response header value.
const negotiated = socket.extensions ?? '';
const deflateOk = deflate ? negotiated.startsWith('permessage-deflate') : negotiated === '';
results.push({ name: 'deflate', ok: deflateOk, detail: `offered: ${deflate}; Sec-WebSocket-Extensions: "${negotiated}"` });

for (const [name, isText, payload] of messages) {
  socket.send(payload, { binary: !isText });
  const event = await next(name);
  const ok = event.kind === 'message' && event.isBinary === !isText && Buffer.compare(event.data, payload) === 0;
  results.push({ name, ok, detail: ok ? `${payload.length} bytes echoed` : `expected ${isText ? 'text' : 'binary'} echo of ${payload.length} bytes, got ${describe(event)}` });
}

// Fragmented messages (each fragment compressed when deflate is on), a ping between fragments.
for (const [name, isText] of [['fragmented-text', true], ['fragmented-binary', false]]) {
  const payload = isText ? sizedText(3 * 32768) : sizedBinary(3 * 32768);
  const parts = [payload.subarray(0, 32768), payload.subarray(32768, 65536), payload.subarray(65536)];
  socket.send(parts[0], { binary: !isText, fin: false });
  socket.ping(Buffer.from('between'));
  socket.send(parts[1], { binary: !isText, fin: false });
  socket.send(parts[2], { binary: !isText, fin: true });
  const first = await next(name);
  const second = first.kind === 'pong' ? await next(name) : first;
  const ok = first.kind === 'pong' && second.kind === 'message' && second.isBinary === !isText && Buffer.compare(second.data, payload) === 0;
  results.push({ name, ok, detail: ok ? 'pong, then the whole message echoed' : `expected a pong then the ${payload.length}-byte echo, got ${describe(first)} / ${describe(second)}` });
}

const pingPayload = Buffer.from('ping 🏓 payload', 'utf8');
socket.ping(pingPayload);
const pong = await next('ping');
const pongOk = pong.kind === 'pong' && Buffer.compare(pong.data, pingPayload) === 0;
results.push({ name: 'ping', ok: pongOk, detail: pongOk ? 'pong with the same payload' : `expected pong with the ping payload, got ${describe(pong)}` });

socket.close(1000, 'done');
const closed = await next('close');
const closeOk = closed.kind === 'close' && closed.code === 1000;
results.push({ name: 'close-1000', ok: closeOk, detail: closeOk ? 'close 1000 echoed' : `expected close 1000, got ${describe(closed)}` });

finish();
