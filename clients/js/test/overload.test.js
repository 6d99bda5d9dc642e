// Live rooms under overload with the SDK against the real server: priorities, the room rate cap's
// dropped acks, room counters and skipped events.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import WebSocket from 'ws';
import { PipeChatClient, webSocketAdapter } from '../src/pipechat.js';
import { TestServer } from './support/server.js';
import { nextEvent, until } from './support/fake-wx.js';

const API_KEY = 'sdk-overload-api-key-0123456789';
const server = new TestServer({ args: ['--room-max-rate', '2', '--counter-interval-ms', '200', '--rate-limit-per-second', '0', '--api-key', API_KEY] });
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

async function connectAs(id) {
  const chat = new PipeChatClient({ url: server.url, id, adapter: webSocketAdapter(WebSocket), reconnectDelay: 50, requestTimeout: 5000 });
  clients.push(chat);
  await chat.connect();
  return chat;
}

test('priority: high is forbidden to a member until the API names it host; messages carry their priority', async () => {
  const host = await connectAs('ov.host');
  const viewer = await connectAs('ov.viewer');
  await host.join('ov-live');
  await viewer.join('ov-live');

  await assert.rejects(host.room('ov-live', 'gift', { priority: 'high' }), (e) => e.code === 'forbidden');
  assert.throws(() => host.room('ov-live', 'x', { priority: 'urgent' }), TypeError);

  const granted = await fetch(`${server.httpUrl}/api/room-host`, {
    method: 'POST',
    headers: { authorization: `Bearer ${API_KEY}`, 'content-type': 'application/json' },
    body: JSON.stringify({ roomid: 'ov-live', id: 'ov.host' }),
  });
  assert.equal(granted.status, 200);
  const seen = nextEvent(viewer, 'room');
  const ack = await host.room('ov-live', 'gift', { priority: 'high' });
  assert.equal(typeof ack.seq, 'number');
  const message = await seen;
  assert.equal(message.priority, 'high');
  assert.equal(message.data, 'gift');
});

test('the room rate cap: dropped low messages resolve with dropped:true and no seq', async () => {
  const sender = await connectAs('ov.sender');
  await sender.join('ov-capped');
  const acks = await Promise.all(Array.from({ length: 12 }, (_, i) => sender.room('ov-capped', i, { priority: 'low' })));
  const dropped = acks.filter((a) => a.dropped === true);
  assert.ok(dropped.length > 0, 'some were dropped');
  assert.ok(dropped.every((a) => a.seq === undefined && a.reason === 'room_rate' && a.priority === 'low'));
  assert.ok(acks.some((a) => typeof a.seq === 'number'));
  assert.equal(sender.state, 'open');
});

test('counters: increments from two members arrive as coalesced counter events', async () => {
  const a = await connectAs('ov.a');
  const b = await connectAs('ov.b');
  await a.join('ov-likes');
  await b.join('ov-likes');
  const values = [];
  b.on('counter', (c) => c.roomid === 'ov-likes' && c.name === 'likes' && values.push(c.value));
  for (let i = 0; i < 20; i++) {
    assert.equal(a.count('ov-likes', 'likes'), true);
    b.count('ov-likes', 'likes', 2);
  }
  await a.countAcked('ov-likes', 'likes', 0);
  await until(() => values.at(-1) === 60, 5000);
  assert.ok(values.length < 20, `coalesced: ${values.length} updates for 40 increments`);
});

test('skipped: the SDK emits the run and moves the room position past it', async () => {
  const c = await connectAs('ov.skipper');
  await c.join('ov-skip');
  const event = nextEvent(c, 'skipped');
  c._onMessage(JSON.stringify({ type: 'skipped', data: { roomid: 'ov-skip', from_seq: 1, to_seq: 40, count: 40 } }));
  assert.deepEqual(await event, { roomid: 'ov-skip', from_seq: 1, to_seq: 40, count: 40 });
  assert.equal(c.position('ov-skip').seq, 40);
});
