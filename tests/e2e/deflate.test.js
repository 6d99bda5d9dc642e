// permessage-deflate with a real browser: headless Debian Chromium offers the extension on every
// connection. Against the echo endpoint the page checks the negotiated extension and exchanges text
// and binary of every length class; in a chat room two pages exchange a large message, which the
// server compresses once for both.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { TestServer } from '../../clients/js/test/support/server.js';
import { chromium, chromiumArgs, chromiumPath } from './support/deps.js';

const server = new TestServer({ args: ['--echo-path', '/echo'] });
const profile = mkdtempSync(path.join(tmpdir(), 'pipechat-chromium-deflate-'));
let context;

before(async () => {
  await server.start();
  context = await chromium.launchPersistentContext(profile, {
    executablePath: chromiumPath,
    headless: true,
    args: chromiumArgs,
  });
});

after(async () => {
  await context?.close();
  await server.stop();
  rmSync(profile, { recursive: true, force: true });
});

async function blankPage() {
  const page = await context.newPage();
  await page.goto(`${server.httpUrl}/healthz`);
  return page;
}

test('Chromium negotiates permessage-deflate and gets every length class of text and binary echoed', async () => {
  const page = await blankPage();
  const outcome = await page.evaluate(async (url) => {
    const sizes = [0, 1, 125, 126, 255, 256, 65535, 65536, 1024 * 1024];
    const pattern = 'PipeChat 你好 🎉 聊天 ';
    const ws = new WebSocket(url);
    ws.binaryType = 'arraybuffer';
    const queue = [];
    let wake = null;
    ws.onmessage = (e) => { queue.push(e.data); wake?.(); };
    const next = () => new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('no echo within 10 s')), 10000);
      const take = () => { if (queue.length) { clearTimeout(timer); wake = null; resolve(queue.shift()); } };
      wake = take;
      take();
    });
    await new Promise((resolve, reject) => { ws.onopen = resolve; ws.onerror = () => reject(new Error('connect failed')); });
    const failures = [];
    for (const size of sizes) {
      // Exactly `size` bytes of UTF-8: the pattern cut at a character boundary, padded with 'x'.
      const encoded = new TextEncoder().encode(pattern.repeat(Math.ceil(size / pattern.length) + 1));
      let cut = size;
      while (cut > 0 && (encoded[cut] & 0xc0) === 0x80) cut--;
      const text = new TextDecoder().decode(encoded.subarray(0, cut)) + 'x'.repeat(size - cut);
      ws.send(text);
      const echoed = await next();
      if (echoed !== text) failures.push(`text ${size}: got ${typeof echoed} of length ${echoed.length ?? echoed.byteLength}`);
      const bytes = new Uint8Array(size);
      for (let i = 0; i < size; i++) bytes[i] = (i * 7 + 3) & 0xff;
      ws.send(bytes);
      const back = await next();
      const same = back instanceof ArrayBuffer && back.byteLength === size && new Uint8Array(back).every((b, i) => b === bytes[i]);
      if (!same) failures.push(`binary ${size}: not echoed exactly`);
    }
    const extensions = ws.extensions;
    ws.close(1000);
    return { extensions, failures };
  }, `${server.url}/echo`);

  assert.match(outcome.extensions, /^permessage-deflate/, 'Chromium offers the extension and the server accepts it');
  assert.match(outcome.extensions, /server_no_context_takeover/);
  assert.deepEqual(outcome.failures, []);
  await page.close();
});

test('two Chromium pages in a room exchange a large message over compressed frames', async () => {
  const metricsBefore = await (await fetch(`${server.httpUrl}/metrics`)).text();
  const compressedBefore = Number(/^pipechat_deflate_messages_compressed_total(?:\{[^}]*\})? (\d+)/m.exec(metricsBefore)?.[1] ?? NaN);
  const pages = [await blankPage(), await blankPage()];
  const join = (page, id) => page.evaluate(({ url, id }) => new Promise((resolve, reject) => {
    const ws = new WebSocket(`${url}/${id}`);
    window.received = [];
    ws.onmessage = (e) => {
      const m = JSON.parse(e.data);
      window.received.push(m);
      if (m.type === 'joined') resolve(ws.extensions);
    };
    ws.onopen = () => ws.send(JSON.stringify({ type: 'join', data: { roomid: 'deflate' } }));
    ws.onerror = () => reject(new Error('connect failed'));
    window.socket = ws;
  }), { url: server.url, id });
  assert.match(await join(pages[0], 'ann'), /^permessage-deflate/);
  assert.match(await join(pages[1], 'ben'), /^permessage-deflate/);

  const text = '今晚的直播 permessage-deflate test, '.repeat(200);
  await pages[0].evaluate((text) => window.socket.send(JSON.stringify({ type: 'room', data: { roomid: 'deflate', data: { text } } })), text);
  for (const page of pages) {
    const got = await page.waitForFunction(() => window.received.find((m) => m.type === 'room'), null, { timeout: 10000 });
    const message = await got.jsonValue();
    assert.equal(message.data.data.text, text);
    assert.equal(message.data.from, 'ann');
  }

  const metricsAfter = await (await fetch(`${server.httpUrl}/metrics`)).text();
  const compressedAfter = Number(/^pipechat_deflate_messages_compressed_total(?:\{[^}]*\})? (\d+)/m.exec(metricsAfter)?.[1] ?? NaN);
  assert.equal(compressedAfter - compressedBefore, 1, 'the room message was compressed once for both pages');
  for (const page of pages) await page.close();
});
