// The SDK on a fake wx.connectSocket: ref matching, timeouts, heartbeat against silent drops,
// reconnect with backoff, re-join, onShow/onHide. No server needed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PipeChatClient, PipeChatError, wxAdapter, States } from '../src/pipechat.js';
import { createFakeWx, nextEvent, tick, until } from './support/fake-wx.js';

function client(wx, options = {}) {
  return new PipeChatClient({
    url: 'wss://chat.example.com',
    id: 'alice',
    adapter: wxAdapter(wx, { header: { 'X-App': 'test' } }),
    heartbeatInterval: 40,
    heartbeatTimeout: 40,
    reconnectDelay: 5,
    reconnectMaxDelay: 20,
    requestTimeout: 500,
    ...options,
  });
}

test('connect opens one SocketTask to wss://host/<id> with the header and resolves with the welcome', async (t) => {
  const wx = createFakeWx();
  const chat = client(wx);
  t.after(() => chat.close());
  const welcome = await chat.connect();
  assert.deepEqual(welcome, { id: 'alice', conn: 1, server: 'pipechat' });
  assert.equal(wx.tasks.length, 1);
  assert.equal(wx.tasks[0].url, 'wss://chat.example.com/alice');
  assert.deepEqual(wx.tasks[0].header, { 'X-App': 'test' });
  assert.equal(chat.state, States.open);
  assert.equal(chat.id, 'alice');
});

test('a token (or a function returning one) goes in ?token= and is fetched again for every connection', async (t) => {
  const wx = createFakeWx();
  let minted = 0;
  const chat = client(wx, { id: undefined, token: async () => `tok.${++minted}+/=` });
  t.after(() => chat.close());
  await chat.connect();
  assert.equal(wx.tasks[0].url, 'wss://chat.example.com/?token=tok.1%2B%2F%3D');
  wx.tasks[0].serverClose(1001);
  await nextEvent(chat, 'welcome');
  assert.equal(wx.tasks[1].url, 'wss://chat.example.com/?token=tok.2%2B%2F%3D');
});

test('replies are matched to requests by ref even when they arrive out of order', async (t) => {
  const wx = createFakeWx();
  const chat = client(wx);
  t.after(() => chat.close());
  await chat.connect();
  const task = wx.tasks[0];
  task.silent = true; // the test answers by hand
  const first = chat.query({ id: 'bob' });
  const second = chat.query({ roomid: 'r1' });
  const [q1, q2] = task.sentOf('query');
  assert.notEqual(q1.ref, q2.ref);
  task.push({ type: 'members', data: { roomid: 'r1', count: 2, members: ['alice', 'bob'], truncated: false }, ref: q2.ref });
  task.push({ type: 'online', data: { id: 'bob', online: true, connections: 1 }, ref: q1.ref });
  assert.deepEqual(await first, { id: 'bob', online: true, connections: 1 });
  assert.deepEqual(await second, { roomid: 'r1', count: 2, members: ['alice', 'bob'], truncated: false });
});

test('an error reply rejects its request with the server code; an error without ref is an error event', async (t) => {
  const wx = createFakeWx();
  const chat = client(wx);
  t.after(() => chat.close());
  await chat.connect();
  await assert.rejects(chat.notice('carol', { info: 'hi' }), (e) => e instanceof PipeChatError && e.code === 'offline' && e.request === 'notice');
  const event = nextEvent(chat, 'error');
  wx.tasks[0].push({ type: 'error', data: { code: 'bad_json', message: 'please send data in the right format' } });
  const error = await event;
  assert.equal(error.code, 'bad_json');
});

test('a request without a reply rejects with timeout and a late reply is ignored', async (t) => {
  const wx = createFakeWx();
  const chat = client(wx, { heartbeatInterval: 0 });
  t.after(() => chat.close());
  await chat.connect();
  const task = wx.tasks[0];
  task.silent = true;
  await assert.rejects(chat.room('r1', { text: 'x' }, { timeout: 30 }), (e) => e.code === 'timeout' && e.request === 'room');
  const [sent] = task.sentOf('room');
  const errors = [];
  chat.on('error', (e) => errors.push(e));
  task.push({ type: 'ack', data: { seq: 1 }, ref: sent.ref });
  assert.equal(chat.state, States.open);
  assert.deepEqual(errors, []);
});

test('a socket that dies silently (no onClose) is detected by the heartbeat, replaced, and its rooms re-joined', async (t) => {
  const wx = createFakeWx();
  const chat = client(wx);
  t.after(() => chat.close());
  await chat.connect();
  await chat.join('lobby');
  await chat.join('r2');
  const states = [];
  chat.on('state', ({ state }) => states.push(state));

  const rejoined = [];
  chat.on('joined', (j) => rejoined.push(j));
  wx.tasks[0].dieSilently();
  await until(() => rejoined.length === 2);

  assert.deepEqual(states, ['reconnecting', 'connecting', 'open']);
  assert.equal(wx.tasks.length, 2);
  assert.equal(wx.tasks[0].closeCalls.length, 1, 'the dead task is closed so it does not count against the 5-socket limit');
  assert.deepEqual(wx.tasks[1].sentOf('join').map((m) => m.data.roomid).sort(), ['lobby', 'r2']);
  assert.ok(rejoined.every((j) => j.rejoin === true));
  assert.deepEqual(await chat.room('lobby', { text: 'back' }), { seq: 1 });
});

test('events of an abandoned SocketTask are ignored', async (t) => {
  const wx = createFakeWx();
  const chat = client(wx);
  t.after(() => chat.close());
  await chat.connect();
  const old = wx.tasks[0];
  old.dieSilently();
  await nextEvent(chat, 'welcome', (w) => w.reconnected);
  const notices = [];
  chat.on('notice', (n) => notices.push(n));
  old.dead = false;
  old.push({ type: 'notice', from: 'ghost', data: {} });
  old.serverClose(1006);
  await tick(10);
  assert.deepEqual(notices, []);
  assert.equal(chat.state, States.open);
  assert.equal(wx.live().length, 1);
});

test('requests made while reconnecting are sent after the re-joins, in order', async (t) => {
  const wx = createFakeWx({ autoOpen: false });
  const chat = client(wx, { heartbeatInterval: 0 });
  t.after(() => chat.close());
  const connected = chat.connect();
  await tick();
  wx.accept(wx.tasks[0]);
  await connected;
  await chat.join('lobby');
  wx.tasks[0].serverClose(1001);
  await until(() => wx.tasks.length === 2);
  assert.equal(chat.state, States.connecting);
  const a = chat.room('lobby', { n: 1 });
  const b = chat.room('lobby', { n: 2 });
  wx.accept(wx.tasks[1]);
  assert.deepEqual([await a, await b], [{ seq: 1 }, { seq: 2 }]);
  assert.deepEqual(wx.tasks[1].sent.map((m) => m.type), ['join', 'room', 'room']);
});

test('requests in flight when the socket drops fail with disconnected; a pending join survives', async (t) => {
  const wx = createFakeWx();
  const chat = client(wx, { heartbeatInterval: 0 });
  t.after(() => chat.close());
  await chat.connect();
  wx.tasks[0].silent = true;
  const message = chat.room('lobby', { text: 'lost?' });
  const joining = chat.join('lobby');
  wx.tasks[0].serverClose(1006);
  await assert.rejects(message, (e) => e.code === 'disconnected');
  const joined = await joining;
  assert.equal(joined.roomid, 'lobby');
  assert.equal(joined.rejoin, true);
});

test('backoff grows exponentially to the cap and jitter only shortens it', () => {
  const wx = createFakeWx();
  const chat = client(wx, { reconnectDelay: 100, reconnectMaxDelay: 1000, reconnectJitter: 0.5 });
  const random = Math.random;
  try {
    Math.random = () => 0;
    assert.deepEqual([0, 1, 2, 3, 4, 10].map((n) => chat.backoffDelay(n)), [100, 200, 400, 800, 1000, 1000]);
    Math.random = () => 0.999999;
    assert.deepEqual([0, 1, 2, 3, 4].map((n) => chat.backoffDelay(n)), [50, 100, 200, 400, 500]);
  } finally {
    Math.random = random;
  }
});

test('reconnect attempts back off while the server refuses, then succeed', async (t) => {
  const wx = createFakeWx({ autoOpen: false });
  const chat = client(wx, { heartbeatInterval: 0, reconnectDelay: 1, reconnectMaxDelay: 8, reconnectJitter: 0 });
  t.after(() => chat.close());
  const delays = [];
  chat.on('reconnecting', ({ delay }) => delays.push(delay));
  const connected = chat.connect();
  for (let i = 0; i < 5; i++) {
    await until(() => wx.tasks.length === i + 1);
    wx.tasks[i].serverClose(1006, 'refused');
  }
  await until(() => wx.tasks.length === 6);
  wx.accept(wx.tasks[5]);
  await connected;
  assert.deepEqual(delays, [1, 2, 4, 8, 8]);
});

test('onHide holds reconnects; onShow reconnects at once', async (t) => {
  const wx = createFakeWx();
  const chat = client(wx, { heartbeatInterval: 0, reconnectDelay: 60000, reconnectMaxDelay: 60000 });
  t.after(() => chat.close());
  await chat.connect();
  await chat.join('lobby');
  chat.onHide();
  wx.tasks[0].serverClose(1006);
  assert.equal(chat.state, States.reconnecting);
  assert.equal(chat._reconnectTimer, null, 'no reconnect is scheduled while hidden');
  chat.onShow();
  await nextEvent(chat, 'joined', (j) => j.rejoin);
  assert.equal(wx.tasks.length, 2);
});

test('onShow probes an open socket and replaces it when it turns out dead', async (t) => {
  const wx = createFakeWx();
  // Long heartbeat: only onShow's probe can find the dead socket.
  const chat = client(wx, { heartbeatInterval: 60000, heartbeatTimeout: 30 });
  t.after(() => chat.close());
  await chat.connect();
  chat.onHide();
  wx.tasks[0].dieSilently();
  chat.onShow();
  assert.equal(wx.tasks[0].sentOf('ping').length, 0, 'the send failed: the socket is dead');
  await nextEvent(chat, 'welcome', (w) => w.reconnected);
  assert.equal(wx.tasks.length, 2);
});

test('close() stops for good: pending requests fail with closed, no reconnect', async (t) => {
  const wx = createFakeWx();
  const chat = client(wx);
  await chat.connect();
  wx.tasks[0].silent = true;
  const pending = chat.ping();
  chat.close();
  await assert.rejects(pending, (e) => e.code === 'closed');
  assert.equal(chat.state, States.closed);
  assert.deepEqual(wx.tasks[0].closeCalls, [{ code: 1000, reason: 'client closed' }]);
  await assert.rejects(chat.room('r', 1), (e) => e.code === 'not_connected');
  await tick(20);
  assert.equal(wx.tasks.length, 1);
});

test('presence, room, notice and broadcast messages become events', async (t) => {
  const wx = createFakeWx();
  const chat = client(wx);
  t.after(() => chat.close());
  await chat.connect();
  const got = [];
  for (const name of ['presence', 'room', 'notice', 'broadcast']) {
    chat.on(name, (p) => got.push([name, p]));
  }
  const task = wx.tasks[0];
  task.push({ type: 'join', data: { roomid: 'r1', id: 'bob', count: 2 } });
  task.push({ type: 'room', data: { roomid: 'r1', from: 'bob', seq: 7, ts: 1, data: { text: 'hi' } } });
  task.push({ type: 'notice', from: 'bob', data: { info: 'psst' } });
  task.push({ type: 'broadcast', from: 'admin', data: 'maintenance' });
  task.push({ type: 'leave', data: { roomid: 'r1', id: 'bob', count: 1 } });
  assert.deepEqual(got, [
    ['presence', { type: 'join', roomid: 'r1', id: 'bob', count: 2 }],
    ['room', { roomid: 'r1', from: 'bob', seq: 7, ts: 1, data: { text: 'hi' } }],
    ['notice', { from: 'bob', data: { info: 'psst' } }],
    ['broadcast', { from: 'admin', data: 'maintenance' }],
    ['presence', { type: 'leave', roomid: 'r1', id: 'bob', count: 1 }],
  ]);
});

test('close() called from a close listener (a refused first handshake) stops reconnecting', async () => {
  const wx = createFakeWx({ autoOpen: false });
  const chat = client(wx, { reconnectDelay: 1, reconnectMaxDelay: 1 });
  chat.on('close', () => chat.close());
  const connected = chat.connect();
  await until(() => wx.tasks.length === 1);
  wx.tasks[0].serverClose(1006, 'HTTP 400');
  await assert.rejects(connected, (e) => e.code === 'closed');
  assert.equal(chat.state, States.closed);
  await tick(20);
  assert.equal(wx.tasks.length, 1, 'no new socket after close()');
});

test('a connectSocket that fails (domain not allowed) counts as a closed socket and is retried', async (t) => {
  const wx = createFakeWx();
  const connectSocket = wx.connectSocket;
  let failures = 1;
  wx.connectSocket = (options) => {
    if (failures-- > 0) {
      setTimeout(() => options.fail({ errMsg: 'connectSocket:fail url not in domain list' }), 0);
      return { onOpen() {}, onMessage() {}, onClose() {}, onError() {}, send() {}, close() {} };
    }
    return connectSocket(options);
  };
  const chat = client(wx);
  t.after(() => chat.close());
  const transportErrors = [];
  chat.on('transportError', (e) => transportErrors.push(e.message));
  const closes = [];
  chat.on('close', (c) => closes.push(c.reason));
  await chat.connect();
  assert.deepEqual(transportErrors, ['connectSocket:fail url not in domain list']);
  assert.deepEqual(closes, ['connectSocket:fail url not in domain list']);
});
