// The web demo (src/PipeChat.Server/wwwroot, served by the server at /) in headless Debian
// Chromium driven by playwright-core: two people chat in a room, a private message to an offline
// user shows the offline error, presence updates; after the server restarts (history lost) both
// pages reconnect, get a reset and reload the room cleanly; a page whose own socket drops (cut by
// a TCP proxy) shows what was sent meanwhile once, in order. Screenshots go to tests/e2e/artifacts/.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { TestServer } from '../../clients/js/test/support/server.js';
import { CuttableProxy } from '../../clients/js/test/support/proxy.js';
import { BrowserSession, artifacts } from './support/browser.js';
import { joinRoom, say, messageText } from './support/demo-page.js';

const server = new TestServer();
const browser = new BrowserSession('browser');
let context;
const consoleErrors = [];

before(async () => {
  context = await browser.start(server);
});

after(async () => {
  await browser.stop(server);
});

async function signIn(id, query = '') {
  const page = await context.newPage();
  page.on('pageerror', (e) => consoleErrors.push(`${id}: ${e.message}`));
  await page.goto(`${server.httpUrl}/${query}`);
  await page.fill('#login-id', id);
  await page.click('#login-go');
  await page.waitForSelector('#status[data-state="open"]');
  await page.waitForSelector('#chat:not([hidden])');
  return page;
}

const messageTexts = (page) => page.locator('#messages .msg .text').allTextContents();

test('two people chat in a room, see presence, get the offline notice, and reload the room cleanly after a server restart', async () => {
  const alice = await signIn('alice');
  assert.equal(await alice.textContent('#whoami'), 'signed in as alice');
  await joinRoom(alice, 'lobby');
  const bob = await signIn('bob');
  await joinRoom(bob, 'lobby');

  // Presence: alice sees bob arrive, in the room and in the member list.
  await alice.waitForSelector('#messages .system:has-text("bob joined")');
  await alice.waitForSelector('#member-list button:text-is("bob")');
  await bob.waitForSelector('#member-list button:text-is("alice")');

  // Room chat both ways, with a time label before the first message.
  await say(alice, 'Hello bob 👋');
  await bob.waitForSelector(messageText('Hello bob 👋'));
  await say(bob, 'Hi alice, 你好');
  await alice.waitForSelector(messageText('Hi alice, 你好'));
  assert.ok((await alice.locator('#messages .time').count()) >= 1, 'a time label heads the conversation');
  assert.equal(await alice.locator('#messages .msg.mine .text').first().textContent(), 'Hello bob 👋');

  // A private message to an offline user: the offline error.
  await alice.fill('#dm-user', 'carol');
  await alice.click('#dm-go');
  await say(alice, 'are you there?');
  await alice.waitForSelector('#messages .system.error:has-text("carol is offline")');
  await alice.waitForSelector('#messages .msg.failed .text:text-is("are you there?")');

  // A private message to bob arrives as an unread conversation.
  await alice.fill('#dm-user', 'bob');
  await alice.click('#dm-go');
  await say(alice, 'psst, bob');
  await alice.waitForSelector('#messages .msg.mine .text:text-is("psst, bob")');
  await bob.waitForSelector('#dm-list li:has(button:text-is("@ alice")) .badge:text-is("1")');
  await bob.click('#dm-list button:text-is("@ alice")');
  await bob.waitForSelector(messageText('psst, bob'));
  await bob.click('#room-list button:text-is("# lobby")');

  // Presence: bob leaves and comes back.
  await bob.click('#leave');
  await alice.click('#room-list button:text-is("# lobby")');
  await alice.waitForSelector('#messages .system:has-text("bob left")');
  await alice.waitForSelector('#member-list button:text-is("bob")', { state: 'detached' });
  await joinRoom(bob, 'lobby');
  await alice.waitForSelector('#member-list button:text-is("bob")');

  await alice.screenshot({ path: path.join(artifacts, 'chat-alice.png') });

  // The server restarts and loses the room's history: both pages reconnect, get a reset, and
  // replace the room's view with what the new server has (nothing yet), then carry on.
  await server.stop();
  await alice.waitForSelector('#status[data-state="reconnecting"]');
  await bob.waitForSelector('#status[data-state="reconnecting"]');
  await server.start();
  await alice.waitForSelector('#status[data-state="open"]', { timeout: 20000 });
  await bob.waitForSelector('#status[data-state="open"]', { timeout: 20000 });
  const reloaded = '#messages .system.warn:has-text("missed messages could not be replayed")';
  await alice.waitForSelector(reloaded, { timeout: 10000 });
  await bob.waitForSelector(reloaded, { timeout: 10000 });
  assert.deepEqual(await messageTexts(alice), [], 'the old messages went with the old server');
  assert.equal(await alice.locator('#messages li').first().textContent(), 'missed messages could not be replayed — reloaded the room', 'the view starts afresh with the reload line');
  await alice.waitForSelector('#member-list button:text-is("bob")', { timeout: 10000 });

  await say(alice, 'still here after the restart');
  await bob.waitForSelector(messageText('still here after the restart'));
  await say(bob, 'me too');
  await alice.waitForSelector(messageText('me too'));

  assert.deepEqual(await messageTexts(alice), ['still here after the restart', 'me too']);

  await alice.screenshot({ path: path.join(artifacts, 'chat-alice-after-restart.png') });
  await bob.screenshot({ path: path.join(artifacts, 'chat-bob.png') });
  assert.deepEqual(consoleErrors, []);
  await alice.close();
  await bob.close();
});

test('a page whose socket drops (not the server) shows the messages sent meanwhile once, in order, after it reconnects', async (t) => {
  const proxy = await new CuttableProxy(server.port).start();
  t.after(() => proxy.stop());
  // carol's page talks to the server through the proxy; dave's directly.
  const carol = await signIn('carol', `?server=${encodeURIComponent(proxy.url)}`);
  await joinRoom(carol, 'drops');
  const dave = await signIn('dave');
  await joinRoom(dave, 'drops');
  await carol.waitForSelector('#member-list button:text-is("dave")');
  await say(dave, 'before the drop');
  await carol.waitForSelector(messageText('before the drop'));

  proxy.drop();
  await carol.waitForSelector('#status[data-state="reconnecting"]');
  await carol.waitForSelector('#messages .system.warn:text-is("connection lost — reconnecting…")');
  for (const text of ['while you were away 1', 'while you were away 2', 'while you were away 3']) {
    await say(dave, text);
    await dave.waitForSelector(messageText(text)); // delivered to dave: accepted by the server
  }
  assert.equal(await carol.locator(messageText('while you were away 1')).count(), 0);
  proxy.restore();
  await carol.waitForSelector('#status[data-state="open"]', { timeout: 20000 });
  await carol.waitForSelector(messageText('while you were away 3'));
  await say(dave, 'live again');
  await carol.waitForSelector(messageText('live again'));
  assert.deepEqual(await messageTexts(carol), [
    'before the drop',
    'while you were away 1',
    'while you were away 2',
    'while you were away 3',
    'live again',
  ]);
  assert.equal(await carol.locator('#messages .system:has-text("could not be replayed")').count(), 0, 'a resume, not a reset');
  await carol.screenshot({ path: path.join(artifacts, 'chat-carol-after-drop.png') });
  assert.deepEqual(consoleErrors, []);
  await carol.close();
  await dave.close();
});

test('a bad user id is refused at the handshake and the page says so', async () => {
  const page = await context.newPage();
  await page.goto(`${server.httpUrl}/`);
  await page.evaluate(() => document.getElementById('login-id').removeAttribute('pattern'));
  await page.fill('#login-id', 'not valid!');
  await page.click('#login-go');
  await page.waitForSelector('#login-error:has-text("Could not connect")');
  assert.equal(await page.isVisible('#chat'), false);
  assert.equal(await page.getAttribute('#status', 'data-state'), 'closed', 'no reconnect loop after a refused handshake');
  await page.close();
});

test('the like button counts through the room counter on every page in the room', async () => {
  const erin = await signIn('erin');
  await joinRoom(erin, 'likes');
  const frank = await signIn('frank');
  await joinRoom(frank, 'likes');
  assert.equal(await erin.isVisible('#like'), true);
  await erin.click('#like');
  await erin.click('#like');
  await frank.click('#like');
  // One coalesced counter event per interval (1 s by default) carries the total to both pages.
  await erin.waitForSelector('#like-count:text-is("3")', { timeout: 10000 });
  await frank.waitForSelector('#like-count:text-is("3")', { timeout: 10000 });
  assert.equal(await erin.isVisible('#skipped'), false, 'nothing skipped for a page that keeps up');
  assert.deepEqual(consoleErrors, []);
  await erin.close();
  await frank.close();
});
