// The web demo (src/PipeChat.Server/wwwroot, served by the server at /) in headless Debian
// Chromium driven by playwright-core: two people chat in a room, a private message to an offline
// user shows the offline error, presence updates, and both pages reconnect and carry on after
// the server restarts. Screenshots go to tests/e2e/artifacts/.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { TestServer } from '../../clients/js/test/support/server.js';
import { chromium, chromiumArgs, chromiumPath } from './support/deps.js';

const artifacts = path.join(path.dirname(fileURLToPath(import.meta.url)), 'artifacts');
const server = new TestServer();
const profile = mkdtempSync(path.join(tmpdir(), 'pipechat-chromium-'));
let context;
const consoleErrors = [];

before(async () => {
  mkdirSync(artifacts, { recursive: true });
  await server.start();
  context = await chromium.launchPersistentContext(profile, {
    executablePath: chromiumPath,
    headless: true,
    args: chromiumArgs,
    viewport: { width: 1100, height: 680 },
  });
});

after(async () => {
  await context?.close();
  await server.stop();
  rmSync(profile, { recursive: true, force: true });
});

async function signIn(id) {
  const page = await context.newPage();
  page.on('pageerror', (e) => consoleErrors.push(`${id}: ${e.message}`));
  await page.goto(`${server.httpUrl}/`);
  await page.fill('#login-id', id);
  await page.click('#login-go');
  await page.waitForSelector('#status[data-state="open"]');
  await page.waitForSelector('#chat:not([hidden])');
  return page;
}

async function joinRoom(page, room) {
  await page.fill('#join-room', room);
  await page.click('#join-go');
  await page.waitForSelector(`#messages .system:has-text("you joined #${room}")`);
}

async function say(page, text) {
  await page.fill('#text', text);
  await page.click('#send');
}

const messageText = (text) => `#messages .msg .text:text-is("${text}")`;

test('two people chat in a room, see presence, get the offline notice, and survive a server restart', async () => {
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

  // The server restarts: both pages reconnect, re-join and carry on.
  await server.stop();
  await alice.waitForSelector('#status[data-state="reconnecting"]');
  await bob.waitForSelector('#status[data-state="reconnecting"]');
  await server.start();
  await alice.waitForSelector('#status[data-state="open"]', { timeout: 20000 });
  await bob.waitForSelector('#status[data-state="open"]', { timeout: 20000 });
  await alice.waitForSelector('#messages .system:text-is("reconnected")');
  await alice.waitForSelector('#member-list button:text-is("bob")', { timeout: 10000 });

  await say(alice, 'still here after the restart');
  await bob.waitForSelector(messageText('still here after the restart'));
  await say(bob, 'me too');
  await alice.waitForSelector(messageText('me too'));

  await alice.screenshot({ path: path.join(artifacts, 'chat-alice-after-restart.png') });
  await bob.screenshot({ path: path.join(artifacts, 'chat-bob.png') });
  assert.deepEqual(consoleErrors, []);
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
