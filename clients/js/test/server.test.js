// The SDK against the real PipeChat server (built by scripts/test-clients.sh), on Node with the
// `ws` package behind webSocketAdapter.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import WebSocket from 'ws';
import { PipeChatClient, PipeChatError, webSocketAdapter, States } from '../src/pipechat.js';
import { TestServer, mintToken } from './support/server.js';
import { nextEvent, until } from './support/fake-wx.js';
import { CuttableProxy } from './support/proxy.js';

const server = new TestServer({ args: ['--allow-broadcast', 'true'] });
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

function connectAs(id, options = {}, target = server) {
  const chat = new PipeChatClient({
    url: target.url,
    id,
    adapter: webSocketAdapter(WebSocket),
    reconnectDelay: 50,
    reconnectMaxDelay: 400,
    requestTimeout: 5000,
    ...options,
  });
  clients.push(chat);
  return chat;
}

test('connect: the server welcomes the id from the URL', async () => {
  const alice = connectAs('sdk.alice');
  const welcome = await alice.connect();
  assert.equal(welcome.id, 'sdk.alice');
  assert.equal(typeof welcome.conn, 'number');
  assert.equal(alice.state, States.open);
});

test('join, presence and room messages with ack and per-room seq reach every member, the sender included', async () => {
  const alice = connectAs('r.alice');
  const bob = connectAs('r.bob');
  await Promise.all([alice.connect(), bob.connect()]);
  const a = await alice.join('sdk-room');
  assert.deepEqual({ roomid: a.roomid, count: a.count, seq: a.seq }, { roomid: 'sdk-room', count: 1, seq: 0 });

  const presence = nextEvent(alice, 'presence');
  const b = await bob.join('sdk-room');
  assert.equal(b.count, 2);
  assert.deepEqual(await presence, { type: 'join', roomid: 'sdk-room', id: 'r.bob', count: 2 });

  const atBob = nextEvent(bob, 'room', (m) => m.roomid === 'sdk-room');
  const atAlice = nextEvent(alice, 'room', (m) => m.roomid === 'sdk-room');
  const ack = await alice.room('sdk-room', { text: 'hello 你好 👋' });
  assert.deepEqual(ack, { seq: 1 });
  for (const m of [await atBob, await atAlice]) {
    assert.equal(m.from, 'r.alice');
    assert.equal(m.seq, 1);
    assert.equal(typeof m.ts, 'number');
    assert.deepEqual(m.data, { text: 'hello 你好 👋' });
  }
  assert.deepEqual(await bob.room('sdk-room', 'second'), { seq: 2 });

  const left = nextEvent(alice, 'presence', (p) => p.type === 'leave');
  await bob.leave('sdk-room');
  assert.deepEqual(await left, { type: 'leave', roomid: 'sdk-room', id: 'r.bob', count: 1 });
  assert.equal(bob.rooms.has('sdk-room'), false);
});

test('a private message reaches every connection of the target; to an offline user it fails with offline', async () => {
  const alice = connectAs('n.alice');
  const bob1 = connectAs('n.bob');
  const bob2 = connectAs('n.bob');
  await Promise.all([alice.connect(), bob1.connect(), bob2.connect()]);
  const got1 = nextEvent(bob1, 'notice');
  const got2 = nextEvent(bob2, 'notice');
  assert.deepEqual(await alice.notice('n.bob', { info: 'hi' }), {});
  assert.deepEqual(await got1, { from: 'n.alice', data: { info: 'hi' } });
  assert.deepEqual(await got2, { from: 'n.alice', data: { info: 'hi' } });

  await assert.rejects(alice.notice('n.nobody', { info: 'hello?' }), (e) => {
    assert.ok(e instanceof PipeChatError);
    assert.equal(e.code, 'offline');
    assert.equal(e.request, 'notice');
    return true;
  });
});

test('query: members of a room and whether a user is online', async () => {
  const alice = connectAs('q.alice');
  const bob = connectAs('q.bob');
  await Promise.all([alice.connect(), bob.connect()]);
  await alice.join('q-room');
  await bob.join('q-room');
  const members = await alice.members('q-room');
  assert.equal(members.roomid, 'q-room');
  assert.equal(members.count, 2);
  assert.deepEqual([...members.members].sort(), ['q.alice', 'q.bob']);
  assert.equal(members.truncated, false);
  assert.deepEqual(await alice.online('q.bob'), { id: 'q.bob', online: true, connections: 1 });
  assert.equal((await alice.online('q.ghost')).online, false);
  // Only members (and moderators) may list a room's members.
  await assert.rejects(alice.members('q-nobody-here'), { code: 'not_in_room' });
});

test('broadcast reaches other users; ping gets a pong', async () => {
  const alice = connectAs('b.alice');
  const bob = connectAs('b.bob');
  await Promise.all([alice.connect(), bob.connect()]);
  const got = nextEvent(bob, 'broadcast', (m) => m.from === 'b.alice');
  await alice.broadcast({ text: 'to everyone' });
  assert.deepEqual(await got, { from: 'b.alice', data: { text: 'to everyone' } });
  await alice.ping();
});

test('a room message to a room not joined fails with not_in_room and the connection stays open', async () => {
  const alice = connectAs('e.alice');
  await alice.connect();
  await assert.rejects(alice.room('e-not-joined', 'x'), (e) => e.code === 'not_in_room');
  await alice.ping();
  assert.equal(alice.state, States.open);
});

test('after a server restart both clients reconnect, get a reset (new epoch, history lost) and carry on from seq 1', async (t) => {
  const own = new TestServer();
  await own.start();
  t.after(() => own.stop());
  const alice = connectAs('x.alice', {}, own);
  const bob = connectAs('x.bob', {}, own);
  await Promise.all([alice.connect(), bob.connect()]);
  const firstJoin = await alice.join('x-room');
  await bob.join('x-room');
  assert.match(firstJoin.epoch, /^\S+$/);
  const before = nextEvent(bob, 'room');
  await alice.room('x-room', 'before');
  assert.equal((await before).data, 'before');

  const closes = [];
  alice.on('close', (c) => closes.push(c));
  await own.stop();
  await until(() => alice.state !== States.open && bob.state !== States.open);
  assert.equal(closes[0].code, 1001, 'graceful shutdown closes with 1001');
  assert.equal(closes[0].willReconnect, true);

  const aliceBack = nextEvent(alice, 'joined', (j) => j.rejoin, 15000);
  const bobBack = nextEvent(bob, 'joined', (j) => j.rejoin, 15000);
  const aliceReset = nextEvent(alice, 'reset', () => true, 15000);
  const bobReset = nextEvent(bob, 'reset', () => true, 15000);
  await own.start();
  const back = await aliceBack;
  assert.equal(back.roomid, 'x-room');
  assert.equal(back.resumed, true);
  assert.notEqual(back.epoch, firstJoin.epoch, 'the restarted server lost the history: a new epoch');
  await bobBack;
  for (const reset of [await aliceReset, await bobReset]) {
    assert.deepEqual(reset, { roomid: 'x-room', seq: 0, epoch: back.epoch });
  }
  assert.deepEqual(bob.position('x-room'), { seq: 0, epoch: back.epoch });

  const after = nextEvent(bob, 'room');
  const ack = await alice.room('x-room', 'after');
  assert.equal(ack.seq, 1, 'the new server starts the room again');
  assert.deepEqual(await after, { roomid: 'x-room', from: 'x.alice', seq: 1, ts: (await after).ts, data: 'after' });
});

test('a dropped socket resumes: messages sent meanwhile arrive after the reconnect, in order, no gap, no duplicate', async (t) => {
  const proxy = await new CuttableProxy(server.port).start();
  t.after(() => proxy.stop());
  const alice = connectAs('d.alice', {}, proxy);
  const bob = connectAs('d.bob');
  await Promise.all([alice.connect(), bob.connect()]);
  await alice.join('d-room');
  await bob.join('d-room');
  const seen = [];
  alice.on('room', (m) => m.roomid === 'd-room' && seen.push(m));
  await bob.room('d-room', 'm1');
  await until(() => seen.length === 1);

  proxy.drop();
  await until(() => alice.state === States.reconnecting);
  for (const text of ['m2', 'm3', 'm4', 'm5']) {
    await bob.room('d-room', text); // acked: accepted while alice is away
  }
  const resumed = nextEvent(alice, 'joined', (j) => j.rejoin);
  const resets = [];
  alice.on('reset', (r) => resets.push(r));
  proxy.restore();
  const joined = await resumed;
  assert.equal(joined.resumed, true);
  await bob.room('d-room', 'm6'); // live
  await until(() => seen.length >= 6);
  await alice.ping(); // anything extra would have arrived before the pong
  assert.deepEqual(seen.map((m) => [m.seq, m.data]), [[1, 'm1'], [2, 'm2'], [3, 'm3'], [4, 'm4'], [5, 'm5'], [6, 'm6']]);
  assert.ok(seen.every((m) => m.from === 'd.bob' && typeof m.ts === 'number'));
  assert.deepEqual(resets, []);
  assert.deepEqual(alice.position('d-room'), { seq: 6, epoch: joined.epoch });
});

test('a resume after the socket dropped (the app in the background) shows nothing to the other members: no leave, no join', async (t) => {
  const proxy = await new CuttableProxy(server.port).start();
  t.after(() => proxy.stop());
  const alice = connectAs('g.alice', {}, proxy);
  const bob = connectAs('g.bob');
  await Promise.all([alice.connect(), bob.connect()]);
  await bob.join('g-room');
  const joinSeen = nextEvent(bob, 'presence', (p) => p.id === 'g.alice');
  await alice.join('g-room');
  await joinSeen;
  const presence = [];
  bob.on('presence', (p) => p.roomid === 'g-room' && presence.push(p));

  proxy.drop();
  await until(() => alice.state === States.reconnecting);
  const resumed = nextEvent(alice, 'joined', (j) => j.rejoin);
  proxy.restore();
  assert.equal((await resumed).resumed, true);
  await bob.room('g-room', 'after'); // through the room, after the resumed join
  await until(() => alice.position('g-room')?.seq === 1);
  await bob.ping(); // anything extra for bob would have arrived before the pong
  assert.deepEqual(presence, [], 'within --presence-grace-seconds (10 s by default) a resume is invisible to the others');
});

test('a resume past what the server still keeps gets a reset at the room\'s current seq', async (t) => {
  const own = new TestServer({ args: ['--history-size', '3'] });
  await own.start();
  t.after(() => own.stop());
  const proxy = await new CuttableProxy(own.port).start();
  t.after(() => proxy.stop());
  const alice = connectAs('k.alice', {}, proxy);
  const bob = connectAs('k.bob', {}, own);
  await Promise.all([alice.connect(), bob.connect()]);
  const first = await alice.join('k-room');
  await bob.join('k-room');
  proxy.drop();
  await until(() => alice.state === States.reconnecting);
  for (let i = 1; i <= 5; i++) {
    await bob.room('k-room', `m${i}`); // alice saw none of them; only the last 3 are kept
  }
  const seen = [];
  alice.on('room', (m) => seen.push(m.seq));
  const reset = nextEvent(alice, 'reset');
  proxy.restore();
  assert.deepEqual(await reset, { roomid: 'k-room', seq: 5, epoch: first.epoch });
  assert.deepEqual(seen, [], 'nothing replayed: the app reloads with history');
  const page = await alice.history('k-room');
  assert.deepEqual(page.messages.map((m) => m.seq), [3, 4, 5]);
  assert.equal(page.more, false);
  await bob.room('k-room', 'm6');
  await until(() => seen.length === 1);
  assert.deepEqual(seen, [6]);
});

test('history pages back through a room: newest page first, then before the first seq until more is false', async () => {
  const alice = connectAs('h.alice');
  await alice.connect();
  await alice.join('h-room');
  for (let i = 1; i <= 7; i++) {
    await alice.room('h-room', { text: `h${i}` });
  }
  const newest = await alice.history('h-room', { limit: 3 });
  assert.equal(newest.roomid, 'h-room');
  assert.equal(newest.epoch, alice.position('h-room').epoch);
  assert.equal(newest.more, true);
  assert.deepEqual(newest.messages.map((m) => m.seq), [5, 6, 7]);
  assert.deepEqual(newest.messages[0], { roomid: 'h-room', from: 'h.alice', seq: 5, ts: newest.messages[0].ts, data: { text: 'h5' } });
  const older = await alice.history('h-room', { before: 5, limit: 3 });
  assert.deepEqual([older.messages.map((m) => m.seq), older.more], [[2, 3, 4], true]);
  const oldest = await alice.history('h-room', { before: 2, limit: 3 });
  assert.deepEqual([oldest.messages.map((m) => m.seq), oldest.more], [[1], false]);
  const all = await alice.history('h-room');
  assert.deepEqual(all.messages.map((m) => m.data.text), ['h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'h7']);
  await assert.rejects(alice.history('h-nobody'), (e) => e.code === 'not_in_room');
});

test('with --auth-secret the id comes from a JWT passed as ?token=', async (t) => {
  const secret = 'sdk-test-secret-0123456789abcdef-0123456789';
  const authed = new TestServer({ args: ['--auth-secret', secret] });
  await authed.start();
  t.after(() => authed.stop());
  const token = mintToken('jwt.alice', secret);
  const alice = new PipeChatClient({ url: authed.url, token: () => token, adapter: webSocketAdapter(WebSocket) });
  clients.push(alice);
  assert.equal((await alice.connect()).id, 'jwt.alice');
});
