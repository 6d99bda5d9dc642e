// Token refresh, 4001, and moderation through the SDK against the real server (auth on).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import WebSocket from 'ws';
import { PipeChatClient, webSocketAdapter } from '../src/pipechat.js';
import { TestServer } from './support/server.js';
import { nextEvent } from './support/fake-wx.js';

const secret = 'sdk-moderation-secret-of-32-bytes-or-more';
const server = new TestServer({ args: ['--auth-secret', secret, '--ping-interval-seconds', '1'] });
const clients = [];

before(async () => {
  await server.start();
});

after(async () => {
  for (const c of clients) {
    c.close();
  }
  await server.stop();
});

/** An HS256 JWT as any app backend would mint it. */
function jwt(sub, ttlSeconds, claims = {}) {
  const b64 = (o) => Buffer.from(JSON.stringify(o)).toString('base64url');
  const now = Math.floor(Date.now() / 1000);
  const head = `${b64({ alg: 'HS256', typ: 'JWT' })}.${b64({ sub, iat: now, exp: now + ttlSeconds, ...claims })}`;
  return `${head}.${createHmac('sha256', secret).update(head).digest('base64url')}`;
}

function connectAs(token, options = {}) {
  const chat = new PipeChatClient({
    url: server.url,
    token,
    adapter: webSocketAdapter(WebSocket),
    reconnectDelay: 50,
    reconnectMaxDelay: 400,
    requestTimeout: 5000,
    ...options,
  });
  clients.push(chat);
  return chat;
}

test('refresh: the client calls its token function again before exp and the connection stays open', async () => {
  let calls = 0;
  const alice = connectAs(() => {
    calls++;
    return jwt('m.alice', 4);
  }, { refreshBefore: 3000 });
  const welcomed = nextEvent(alice, 'welcome');
  await alice.connect();
  const welcome = await welcomed;
  assert.equal(typeof welcome.exp, 'number');
  const refreshed = await nextEvent(alice, 'refreshed', () => true, 5000);
  assert.ok(refreshed.exp >= welcome.exp);
  assert.equal(calls, 2);
  assert.deepEqual(await alice.ping(), {});
  alice.close();
  assert.equal(alice._refreshTimer, null, 'a closed client keeps no refresh timer (it would hold the process open)');
});

test('a token that expires unrefreshed closes the connection with 4001 (tokenExpired)', async () => {
  const bob = connectAs(jwt('m.bob', 2), { reconnect: false });
  await bob.connect();
  const expired = await nextEvent(bob, 'tokenExpired', () => true, 10000);
  assert.equal(expired.code, 4001);
  assert.equal(expired.reason, 'token expired');
});

test('refresh with another user\'s token is refused with forbidden', async () => {
  const carol = connectAs(jwt('m.carol', 600));
  await carol.connect();
  await assert.rejects(carol.refresh(jwt('m.mallory', 600)), { code: 'forbidden' });
});

test('moderators mute, recall and ban; members see recall and removed', async () => {
  const mod = connectAs(jwt('m.mia', 600, { mod: ['sdk-live-*'] }));
  const bob = connectAs(jwt('m.bob2', 600));
  await Promise.all([mod.connect(), bob.connect()]);
  await mod.join('sdk-live-1');
  await bob.join('sdk-live-1');

  await assert.rejects(bob.mute('sdk-live-1', 'm.mia', 60), { code: 'forbidden' });
  const sent = await bob.room('sdk-live-1', 'oops');
  const recalled = nextEvent(bob, 'recall');
  await mod.recall('sdk-live-1', sent.seq);
  assert.deepEqual(await recalled, { roomid: 'sdk-live-1', seq: sent.seq, by: 'm.mia' });
  const page = await bob.history('sdk-live-1');
  assert.equal(page.messages.find((m) => m.seq === sent.seq).recalled, true);

  await mod.mute('sdk-live-1', 'm.bob2', 60);
  await assert.rejects(bob.room('sdk-live-1', 'hi'), { code: 'muted' });
  await mod.mute('sdk-live-1', 'm.bob2', 0);
  await bob.room('sdk-live-1', 'back');

  await mod.setReadOnly('sdk-live-1', true);
  await assert.rejects(bob.room('sdk-live-1', 'hi'), { code: 'readonly' });
  await mod.setReadOnly('sdk-live-1', false);

  const removed = nextEvent(bob, 'removed');
  await mod.ban('sdk-live-1', 'm.bob2', 60);
  assert.deepEqual(await removed, { roomid: 'sdk-live-1', reason: 'banned', count: 1 });
  assert.equal(bob.rooms.has('sdk-live-1'), false);
  await assert.rejects(bob.join('sdk-live-1'), { code: 'banned' });
});
