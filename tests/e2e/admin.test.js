// The admin dashboard (src/PipeChat.Server/wwwroot/admin, at /admin/ on the HTTP port) in headless
// Debian Chromium: a wrong key is refused; with the key it shows the node's connections, users
// and rooms, charts filled from the server's samples, the rooms largest first, and a room's
// members and last messages, and moderation from it (recall, mute). Screenshot in tests/e2e/artifacts/admin.png.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { PipeChatClient, webSocketAdapter } from '../../clients/js/src/pipechat.js';
import { TestServer } from '../../clients/js/test/support/server.js';
import { WebSocket } from './support/deps.js';
import { BrowserSession, artifacts } from './support/browser.js';

const apiKey = 'admin-test-key-0123456789';
const server = new TestServer({ args: ['--api-key', apiKey] });
const clients = [];
const browser = new BrowserSession('admin', { width: 1200, height: 900 });
let context;
const pageErrors = [];

before(async () => {
  context = await browser.start(server);
});

after(async () => {
  for (const c of clients) c.close();
  await browser.stop(server);
});

async function member(id) {
  const chat = new PipeChatClient({ url: server.url, id, adapter: webSocketAdapter(WebSocket), reconnect: false, requestTimeout: 5000 });
  clients.push(chat);
  await chat.connect();
  return chat;
}

test('the dashboard refuses a wrong key, then shows the node, its rooms largest first and a room', async () => {
  const [alice, bob, carol] = [await member('alice'), await member('bob'), await member('carol')];
  await alice.join('live');
  await bob.join('live');
  await carol.join('quiet');
  await alice.room('live', { text: 'hello everyone' });
  await bob.room('live', { text: '大家好' });

  const page = await context.newPage();
  page.on('pageerror', (e) => pageErrors.push(e.message));
  await page.goto(`${server.httpUrl}/admin`);
  assert.equal(new URL(page.url()).pathname, '/admin/');

  await page.fill('#key', 'not-the-key-0123456789');
  await page.click('#key-go');
  await page.waitForSelector('#login-error:has-text("refused")');
  assert.equal(await page.isHidden('#dashboard'), true);

  await page.fill('#key', apiKey);
  await page.click('#key-go');
  await page.waitForSelector('#dashboard:not([hidden])');
  await page.waitForFunction(() => document.querySelector('#t-connections').textContent === '3');
  assert.equal(await page.textContent('#t-users'), '3');
  assert.equal(await page.textContent('#t-rooms'), '2');
  assert.equal(await page.textContent('#node-state'), 'serving');

  // Rooms, largest first.
  await page.waitForSelector('#rooms tbody tr[data-roomid="quiet"]');
  assert.deepEqual(await page.locator('#rooms tbody tr').evaluateAll((rows) => rows.map((r) => r.dataset.roomid)), ['live', 'quiet']);

  // A room: its members and last messages.
  await page.click('#rooms tbody tr[data-roomid="live"]');
  await page.waitForSelector('#room-members li[data-id="bob"]');
  assert.deepEqual((await page.locator('#room-members li').evaluateAll((items) => items.map((i) => i.dataset.id))).sort(), ['alice', 'bob']);
  await page.waitForSelector('#room-messages li .text:text-is("大家好")');
  assert.deepEqual(await page.locator('#room-messages li .text').allTextContents(), ['hello everyone', '大家好']);

  // The charts fill from the server's samples (one every 2 s).
  await page.waitForSelector('#c-connections polyline.line-a', { state: 'attached', timeout: 10000 });
  await page.waitForTimeout(2500);
  await page.screenshot({ path: path.join(artifacts, 'admin.png') });

  // Moderation from the dashboard: recall a message (members and history see the tombstone),
  // mute a member (their next room message is refused).
  const recalled = new Promise((resolve) => bob.on('recall', resolve));
  await page.click('#room-messages li[data-seq="1"] button:text-is("recall")');
  await page.waitForSelector('#room-status:has-text("message #1 recalled")');
  await page.waitForSelector('#room-messages li.recalled[data-seq="1"] .text:text-is("message recalled")');
  assert.equal((await recalled).seq, 1);
  await page.click('#room-members li[data-id="alice"] button:text-is("mute 10 min")');
  await page.waitForSelector('#room-status:has-text("alice muted for 10 minutes")');
  await assert.rejects(alice.room('live', { text: 'still here?' }), (e) => e.code === 'muted');

  // The key stays in the tab: a reload opens the dashboard again.
  await page.reload();
  await page.waitForSelector('#dashboard:not([hidden])');
  await page.click('#sign-out');
  await page.waitForSelector('#login:not([hidden])');
  assert.deepEqual(pageErrors, []);
});
