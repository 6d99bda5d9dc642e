// The web demo's moderator view in headless Chromium: a moderator (token with a mod claim)
// recalls a message, mutes and bans its sender from the message's menu, and makes the room
// read-only; the other page sees the message as recalled, its sends refused, and the ban.
// Screenshots go to tests/e2e/artifacts/.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import path from 'node:path';
import { TestServer } from '../../clients/js/test/support/server.js';
import { BrowserSession, artifacts } from './support/browser.js';
import { joinRoom, say, messageText } from './support/demo-page.js';

const secret = 'e2e-moderation-secret-of-32-bytes-or-more';
const server = new TestServer({ args: ['--auth-secret', secret] });
const browser = new BrowserSession('moderation');
let context;
const consoleErrors = [];

before(async () => {
  context = await browser.start(server);
});

after(async () => {
  await browser.stop(server);
});

/** An HS256 JWT as an app backend mints it. */
function jwt(sub, claims = {}) {
  const b64 = (o) => Buffer.from(JSON.stringify(o)).toString('base64url');
  const now = Math.floor(Date.now() / 1000);
  const head = `${b64({ alg: 'HS256', typ: 'JWT' })}.${b64({ sub, iat: now, exp: now + 600, ...claims })}`;
  return `${head}.${createHmac('sha256', secret).update(head).digest('base64url')}`;
}

async function signIn(token) {
  const page = await context.newPage();
  page.on('pageerror', (e) => consoleErrors.push(e.message));
  await page.goto(`${server.httpUrl}/`);
  await page.fill('#login-token', token);
  await page.click('#login-go');
  await page.waitForSelector('#status[data-state="open"]');
  await page.waitForSelector('#chat:not([hidden])');
  return page;
}

const messageItem = (text) => `#messages li.msg:has(.text:text-is("${text}"))`;

async function fromMenu(page, text, action) {
  await page.click(`${messageItem(text)} .menu-open`);
  await page.click(`${messageItem(text)} .menu button.${action}`);
}

test('a moderator recalls, mutes and bans from a message menu and makes the room read-only', async () => {
  const mia = await signIn(jwt('mia', { mod: ['stage-*'] }));
  const bob = await signIn(jwt('bob'));
  await joinRoom(mia, 'stage-1');
  await joinRoom(bob, 'stage-1');
  await mia.waitForSelector('#member-list button:text-is("bob")');

  // Only the moderator has menus and the read-only switch.
  await say(bob, 'buy cheap followers');
  await mia.waitForSelector(messageText('buy cheap followers'));
  await bob.waitForSelector(messageText('buy cheap followers'));
  assert.equal(await bob.locator('.msg-menu').count(), 0);
  assert.equal(await bob.isVisible('#readonly'), false);
  assert.equal(await mia.isVisible('#readonly'), true);

  // Recall: both pages show the message as recalled, its text gone.
  await fromMenu(mia, 'buy cheap followers', 'recall');
  await bob.waitForSelector('#messages li.msg.recalled .text:text-is("message recalled")');
  await mia.waitForSelector('#messages li.msg.recalled .text:text-is("message recalled")');
  assert.equal(await bob.locator(messageText('buy cheap followers')).count(), 0);

  // Mute: bob's next message is refused with muted.
  await say(bob, 'still here');
  await mia.waitForSelector(messageText('still here'));
  await fromMenu(mia, 'still here', 'mute');
  await mia.waitForSelector('#messages .system:has-text("muted bob for 10 minutes")');
  await say(bob, 'can you hear me?');
  await bob.waitForSelector('#messages .system.error:has-text("not sent: muted")');

  // Read-only: the moderator may still send.
  await mia.click('#readonly');
  await mia.waitForSelector('#messages .system:has-text("the room is read-only")');
  await say(mia, 'the show starts soon');
  await bob.waitForSelector(messageText('the show starts soon'));
  await mia.click('#readonly');
  await mia.waitForSelector('#messages .system:has-text("the room is open again")');

  // Ban: bob is put out of the room; the moderator's member list drops him.
  await fromMenu(mia, 'still here', 'ban');
  await bob.waitForSelector('#messages .system.error:has-text("you were banned from this room")');
  await mia.waitForSelector('#member-list button:text-is("bob")', { state: 'detached' });
  await mia.screenshot({ path: path.join(artifacts, 'moderation-mia.png') });
  await bob.screenshot({ path: path.join(artifacts, 'moderation-bob.png') });

  assert.deepEqual(consoleErrors, []);
  await mia.close();
  await bob.close();
});
