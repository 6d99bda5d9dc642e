// The mini-program sample (clients/miniprogram) run in Node: its pages and store are loaded with
// stand-ins for the mini-program globals (App, Page, wx), and wx.connectSocket is a SocketTask
// over the `ws` package connected to the real server. Bob is a plain SDK client.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import WebSocket from 'ws';
import { PipeChatClient, webSocketAdapter } from '../src/pipechat.js';
import { TestServer } from './support/server.js';
import { until } from './support/fake-wx.js';
import { needsTimeLabel, formatTimeLabel, TIME_LABEL_GAP_MS } from '../../miniprogram/utils/time.js';

// ---- mini-program stand-ins -----------------------------------------------------------------------

const navigations = [];
const tasks = [];
const pages = [];
let app = null;

/**
 * A SocketTask backed by a real WebSocket; dieSilently() drops it without any onClose. Like
 * wx.connectSocket, it offers permessage-deflate only when asked (the sample asks).
 */
function socketTask({ url, header, perMessageDeflate }) {
  const ws = new WebSocket(url, { headers: header, perMessageDeflate: perMessageDeflate === true });
  const on = {};
  let muted = false;
  ws.on('open', () => !muted && on.open?.({ header: {} }));
  ws.on('message', (data, isBinary) => !muted && !isBinary && on.message?.({ data: data.toString() }));
  ws.on('close', (code, reason) => !muted && on.close?.({ code, reason: reason.toString() }));
  ws.on('error', (e) => !muted && on.error?.({ errMsg: e.message }));
  const task = {
    onOpen: (f) => (on.open = f),
    onMessage: (f) => (on.message = f),
    onClose: (f) => (on.close = f),
    onError: (f) => (on.error = f),
    send({ data, fail }) {
      if (muted || ws.readyState !== WebSocket.OPEN) {
        fail?.({ errMsg: 'sendSocketMessage:fail' });
        return;
      }
      ws.send(data);
    },
    close({ code, reason } = {}) {
      if (muted) {
        return;
      }
      ws.close(code, reason);
    },
    dieSilently() {
      muted = true;
      ws.terminate();
    },
  };
  tasks.push(task);
  return task;
}

globalThis.wx = {
  connectSocket: socketTask,
  navigateTo: ({ url }) => navigations.push(url),
  redirectTo: ({ url }) => navigations.push(url),
  reLaunch: ({ url }) => navigations.push(url),
  navigateBack: () => navigations.push('back'),
  setNavigationBarTitle: () => {},
};
globalThis.App = (definition) => (app = definition);
globalThis.Page = (definition) => pages.push(definition);

/** Loads a page module and returns a live page instance (data + setData as in the framework). */
async function openPage(path, query = {}) {
  const count = pages.length;
  await import(`../../miniprogram/pages/${path}.js`);
  const definition = pages[count] ?? pages.find((p) => p.__path === path);
  definition.__path = path;
  const page = Object.create(definition);
  page.data = structuredClone(definition.data);
  page.setData = (patch) => Object.assign(page.data, patch);
  page.onLoad?.(query);
  page.onShow?.();
  return page;
}

const input = (value) => ({ detail: { value } });

// ---- tests ------------------------------------------------------------------------------------

const apiKey = 'miniprogram-test-api-key';
const server = new TestServer({ args: ['--api-key', apiKey] });
let bob;

before(async () => {
  await server.start();
  await import('../../miniprogram/app.js');
  bob = new PipeChatClient({ url: server.url, id: 'mp.bob', adapter: webSocketAdapter(WebSocket), reconnectDelay: 50 });
  await bob.connect();
});

after(async () => {
  bob?.close();
  const { logout } = await import('../../miniprogram/utils/chat.js');
  logout();
  await server.stop();
});

test('time labels: above the first message and after more than 3 minutes, formatted like WeChat', () => {
  const t = new Date(2026, 10, 27, 14, 5).getTime();
  assert.equal(needsTimeLabel(0, t), true);
  assert.equal(needsTimeLabel(t, t + TIME_LABEL_GAP_MS), false);
  assert.equal(needsTimeLabel(t, t + TIME_LABEL_GAP_MS + 1), true);
  assert.equal(formatTimeLabel(t, t + 1000), '14:05');
  assert.equal(formatTimeLabel(t, t + 24 * 3600 * 1000), '昨天 14:05');
  assert.equal(formatTimeLabel(t, t + 5 * 24 * 3600 * 1000), '11-27 14:05');
  assert.equal(formatTimeLabel(t, new Date(2027, 1, 1).getTime()), '2026-11-27 14:05');
});

test('the sample signs in, chats in a room, sees presence and members, and gets the offline notice', async () => {
  const { store } = await import('../../miniprogram/utils/chat.js');
  const login = await openPage('login/login');
  login.onServerInput(input(server.url));
  login.onIdInput(input('not valid!'));
  await login.onConnect();
  assert.match(login.data.error, /1–64/);
  login.onIdInput(input('mp.alice'));
  await login.onConnect();
  assert.equal(login.data.error, '');
  assert.equal(navigations.at(-1), '/pages/rooms/rooms');
  assert.equal(store.me, 'mp.alice');

  const rooms = await openPage('rooms/rooms');
  assert.equal(rooms.data.state, 'open');
  rooms.onRoomInput(input('mp-room'));
  rooms.onJoin();
  assert.equal(navigations.at(-1), '/pages/room/room?roomid=mp-room');
  const room = await openPage('room/room', { roomid: 'mp-room' });
  await until(() => room.data.items.some((i) => i.type === 'system' && i.text.includes('you joined')));

  await bob.join('mp-room');
  await until(() => room.data.items.some((i) => i.type === 'system' && i.text.startsWith('mp.bob 加入了房间')));
  await until(() => room.data.members.some((m) => m.id === 'mp.bob'));
  assert.equal(room.data.count, 2);

  const atBob = new Promise((resolve) => bob.once('room', resolve));
  room.onInput(input('你好 bob'));
  room.onSend();
  assert.deepEqual((await atBob).data.text, '你好 bob');
  await until(() => room.data.items.some((i) => i.type === 'msg' && i.mine && i.text === '你好 bob'));
  const first = room.data.items.find((i) => i.type === 'msg');
  assert.equal(first.showTime, true, 'the first message carries a time label');
  await bob.room('mp-room', { kind: 'text', text: 'hi alice' });
  await until(() => room.data.items.some((i) => i.type === 'msg' && i.from === 'mp.bob' && i.text === 'hi alice'));
  assert.equal(room.data.items.filter((i) => i.type === 'msg').at(-1).showTime, false);
  assert.equal(room.data.lastKey, room.data.items.at(-1).key, 'the list scrolls to the newest item');

  const nobody = await openPage('private/private', { id: 'mp.nobody' });
  nobody.onInput(input('在吗?'));
  nobody.onSend();
  await until(() => nobody.data.items.some((i) => i.type === 'system' && i.level === 'error' && i.text.includes('不在线')));
  assert.equal(nobody.data.items.find((i) => i.type === 'msg').failed, true);

  await bob.notice('mp.alice', { kind: 'text', text: 'private hello' });
  await until(() => rooms.data.privates.some((p) => p.id === 'mp.bob' && p.unread === 1));
  const withBob = await openPage('private/private', { id: 'mp.bob' });
  assert.equal(withBob.data.items.at(-1).text, 'private hello');
});

test('a message recalled through the server API shows as recalled, its text gone', async () => {
  const rooms = await openPage('rooms/rooms');
  rooms.onRoomInput(input('mp-recall'));
  rooms.onJoin();
  const room = await openPage('room/room', { roomid: 'mp-recall' });
  await until(() => room.data.items.some((i) => i.type === 'system' && i.text.includes('you joined')));
  await bob.join('mp-recall');
  const sent = await bob.room('mp-recall', { kind: 'text', text: 'take this back' });
  await until(() => room.data.items.some((i) => i.type === 'msg' && i.text === 'take this back'));

  const response = await fetch(`${server.httpUrl}/api/recall`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${apiKey}`, 'Content-Type': 'application/json' },
    body: JSON.stringify({ roomid: 'mp-recall', seq: sent.seq }),
  });
  assert.equal(response.status, 200);
  await until(() => room.data.items.some((i) => i.type === 'msg' && i.seq === sent.seq && i.recalled));
  assert.ok(!room.data.items.some((i) => i.text === 'take this back'));
  assert.match(room.data.items.find((i) => i.seq === sent.seq).text, /撤回/);
  await bob.leave('mp-recall');
});

test('after a silent socket drop (no onClose), App.onShow reconnects, re-joins and shows what was missed once, in order', async () => {
  const { store } = await import('../../miniprogram/utils/chat.js');
  const room = await openPage('room/room', { roomid: 'mp-room' });
  app.onHide();
  tasks.at(-1).dieSilently();
  await bob.room('mp-room', { kind: 'text', text: 'while away 1' });
  await bob.room('mp-room', { kind: 'text', text: 'while away 2' });
  const before = tasks.length;
  app.onShow();
  await until(() => tasks.length === before + 1 && store.state === 'open', 15000);
  await until(() => room.data.items.some((i) => i.type === 'system' && i.text.startsWith('已重新连接')));
  await bob.room('mp-room', { kind: 'text', text: 'welcome back' });
  await until(() => room.data.items.some((i) => i.type === 'msg' && i.text === 'welcome back'));
  const texts = room.data.items.filter((i) => i.type === 'msg').map((i) => i.text);
  assert.deepEqual(texts.slice(-3), ['while away 1', 'while away 2', 'welcome back']);
  assert.equal(texts.filter((t) => t.startsWith('while away')).length, 2, 'no duplicate from the replay');
  const members = await bob.members('mp-room');
  assert.deepEqual([...members.members].sort(), ['mp.alice', 'mp.bob']);
});

test('after a server restart (history lost) the room gets a reset: its messages are cleared and reloaded, then chat goes on', async () => {
  const { store } = await import('../../miniprogram/utils/chat.js');
  const room = await openPage('room/room', { roomid: 'mp-room' });
  assert.ok(room.data.items.some((i) => i.type === 'msg' && i.text === 'welcome back'));
  await server.stop();
  await until(() => store.state !== 'open');
  await server.start();
  await until(() => room.data.items.some((i) => i.type === 'system' && i.text.startsWith('消息已重新加载')), 20000);
  assert.equal(room.data.items.filter((i) => i.type === 'msg').length, 0, 'the old messages are gone with the old server');
  await until(() => bob.state === 'open' && bob.position('mp-room')?.seq === 0, 20000);
  await bob.room('mp-room', { kind: 'text', text: 'after the restart' });
  await until(() => room.data.items.some((i) => i.type === 'msg' && i.text === 'after the restart'));
});

test('the room page: the like button counts through the room counter and skipped comments show as one line', async () => {
  const { getClient } = await import('../../miniprogram/utils/chat.js');
  const room = await openPage('room/room', { roomid: 'mp-room' });
  await bob.join('mp-room');
  const before = room.data.likes;
  room.onLike();
  room.onLike();
  bob.count('mp-room', 'likes', 3);
  await until(() => room.data.likes === before + 5, 5000);

  // What the server sends a phone that fell behind (it cannot be made to fall behind here).
  getClient()._onMessage(JSON.stringify({ type: 'skipped', data: { roomid: 'mp-room', from_seq: 1, to_seq: 30, count: 30 } }));
  getClient()._onMessage(JSON.stringify({ type: 'skipped', data: { roomid: 'mp-room', from_seq: 32, to_seq: 35, count: 4 } }));
  await until(() => room.data.skipped === 34);
});
