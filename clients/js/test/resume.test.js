// Resume on a fake wx.connectSocket: what the SDK sends when it re-joins (since/epoch), how it
// handles the replay (in order, no duplicates), reset, and history. No server needed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PipeChatClient, wxAdapter } from '../src/pipechat.js';
import { createFakeWx, nextEvent, until } from './support/fake-wx.js';

function client(wx, options = {}) {
  return new PipeChatClient({
    url: 'wss://chat.example.com',
    id: 'alice',
    adapter: wxAdapter(wx),
    heartbeatInterval: 0,
    reconnectDelay: 5,
    reconnectMaxDelay: 20,
    requestTimeout: 500,
    ...options,
  });
}

/** Collects the seq of every `room` event. */
function seqs(chat, roomid) {
  const seen = [];
  chat.on('room', (m) => m.roomid === roomid && seen.push(m.seq));
  return seen;
}

test('the first join sends only the roomid; after a reconnect it sends the last seq seen and the epoch', async (t) => {
  const wx = createFakeWx();
  const chat = client(wx);
  t.after(() => chat.close());
  await chat.connect();
  wx.roomMessage('lobby', 'before alice'); // seq 1, before alice joined
  const joined = await chat.join('lobby');
  assert.deepEqual(wx.tasks[0].sentOf('join')[0].data, { roomid: 'lobby' });
  assert.equal(joined.epoch, 'e1');
  assert.equal(joined.resumed, false);
  assert.deepEqual(chat.position('lobby'), { seq: 1, epoch: 'e1' });

  wx.roomMessage('lobby', 'two', wx.tasks[0]);
  wx.roomMessage('lobby', 'three', wx.tasks[0]);
  assert.deepEqual(chat.position('lobby'), { seq: 3, epoch: 'e1' });
  wx.tasks[0].serverClose(1006);
  const rejoined = await nextEvent(chat, 'joined', (j) => j.rejoin);
  assert.deepEqual(wx.tasks[1].sentOf('join')[0].data, { roomid: 'lobby', since: 3, epoch: 'e1' });
  assert.equal(rejoined.resumed, true);
});

test('messages missed while disconnected are delivered after the re-join, in order, before live ones', async (t) => {
  const wx = createFakeWx({ autoOpen: false });
  const chat = client(wx);
  t.after(() => chat.close());
  const connected = chat.connect();
  await until(() => wx.tasks.length === 1);
  wx.accept(wx.tasks[0]);
  await connected;
  await chat.join('lobby');
  const seen = seqs(chat, 'lobby');
  wx.roomMessage('lobby', 1, wx.tasks[0]);
  wx.tasks[0].serverClose(1006);
  wx.roomMessage('lobby', 2); // sent while alice is away
  wx.roomMessage('lobby', 3);
  await until(() => wx.tasks.length === 2);
  const rejoined = nextEvent(chat, 'joined', (j) => j.rejoin);
  wx.accept(wx.tasks[1]); // welcome, re-join, joined and the replay: all before the next live message
  await rejoined;
  wx.roomMessage('lobby', 4, wx.tasks[1]); // live
  assert.deepEqual(seen, [1, 2, 3, 4]);
});

test('a room message at or below the last seq delivered is dropped: never twice, never backwards', async (t) => {
  const wx = createFakeWx();
  const chat = client(wx);
  t.after(() => chat.close());
  await chat.connect();
  wx.seq.set('lobby', 3);
  await chat.join('lobby');
  const seen = seqs(chat, 'lobby');
  const push = (seq) => wx.tasks[0].push({ type: 'room', data: { roomid: 'lobby', from: 'bob', seq, ts: 1, data: seq } });
  for (const seq of [2, 3, 4, 4, 5, 3, 6]) {
    push(seq);
  }
  assert.deepEqual(seen, [4, 5, 6]);
  assert.deepEqual(chat.position('lobby'), { seq: 6, epoch: 'e1' });
});

test('a reset after a re-join is a reset event; the position moves to the server\'s and later messages flow', async (t) => {
  const wx = createFakeWx();
  const chat = client(wx);
  t.after(() => chat.close());
  await chat.connect();
  await chat.join('lobby');
  const seen = seqs(chat, 'lobby');
  wx.roomMessage('lobby', 'one', wx.tasks[0]);
  wx.roomMessage('lobby', 'two', wx.tasks[0]);

  // The server restarts: its rooms start again at seq 0 under a new epoch.
  wx.epoch = 'e2';
  wx.seq.clear();
  wx.history.clear();
  const reset = nextEvent(chat, 'reset');
  wx.tasks[0].serverClose(1001);
  assert.deepEqual(await reset, { roomid: 'lobby', seq: 0, epoch: 'e2' });
  assert.deepEqual(wx.tasks[1].sentOf('join')[0].data, { roomid: 'lobby', since: 2, epoch: 'e1' });
  assert.deepEqual(chat.position('lobby'), { seq: 0, epoch: 'e2' });

  wx.roomMessage('lobby', 'new one', wx.tasks[1]); // seq 1 again, in the new epoch: not a duplicate
  assert.deepEqual(seen, [1, 2, 1]);

  wx.tasks[1].serverClose(1006);
  await nextEvent(chat, 'joined', (j) => j.rejoin);
  assert.deepEqual(wx.tasks[2].sentOf('join')[0].data, { roomid: 'lobby', since: 1, epoch: 'e2' });
});

test('leave forgets the position: joining again starts afresh without since', async (t) => {
  const wx = createFakeWx();
  const chat = client(wx);
  t.after(() => chat.close());
  await chat.connect();
  await chat.join('lobby');
  wx.roomMessage('lobby', 'x', wx.tasks[0]);
  await chat.leave('lobby');
  assert.equal(chat.position('lobby'), null);
  await chat.join('lobby');
  assert.deepEqual(wx.tasks[0].sentOf('join').map((m) => m.data), [{ roomid: 'lobby' }, { roomid: 'lobby' }]);
  assert.deepEqual(chat.position('lobby'), { seq: 1, epoch: 'e1' });
});

test('history sends roomid, before and limit and resolves with the messages shaped like room events', async (t) => {
  const wx = createFakeWx();
  const chat = client(wx);
  t.after(() => chat.close());
  await chat.connect();
  const task = wx.tasks[0];
  task.silent = true;
  const page = chat.history('lobby', { before: 42, limit: 2 });
  const [request] = task.sentOf('history');
  assert.deepEqual(request.data, { roomid: 'lobby', before: 42, limit: 2 });
  const m40 = { roomid: 'lobby', from: 'bob', seq: 40, ts: 1, data: 'a' };
  const m41 = { roomid: 'lobby', from: 'carol', seq: 41, ts: 2, data: { text: 'b' } };
  task.push({
    type: 'history',
    data: { roomid: 'lobby', epoch: 'e1', more: true, messages: [{ type: 'room', data: m40 }, { type: 'room', data: m41 }] },
    ref: request.ref,
  });
  assert.deepEqual(await page, { roomid: 'lobby', epoch: 'e1', more: true, messages: [m40, m41] });

  const newest = chat.history('lobby');
  const second = task.sentOf('history')[1];
  assert.deepEqual(second.data, { roomid: 'lobby' });
  task.push({ type: 'error', data: { code: 'not_in_room', message: 'you have not joined this room' }, ref: second.ref });
  await assert.rejects(newest, (e) => e.code === 'not_in_room' && e.request === 'history');
});
