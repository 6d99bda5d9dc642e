// The sample's chat store: one PipeChat client (one socket carries every room — mini-programs may
// hold at most 5 sockets), the conversations, and a tiny subscribe/notify for the pages.
import { PipeChatClient, wxAdapter } from './pipechat.js';
import { needsTimeLabel, formatTimeLabel } from './time.js';

const STATUS_TEXT = {
  idle: '未连接 not connected',
  connecting: '连接中… connecting',
  open: '已连接 connected',
  reconnecting: '重连中… reconnecting',
  closed: '已断开 disconnected',
};

let client = null;
let nextKey = 1;
const listeners = new Set();

/** Everything the pages render. */
export const store = {
  me: null,
  state: 'idle',
  statusText: STATUS_TEXT.idle,
  /** roomid → { roomid, items, lastTs, unread, members, count, reloading } */
  rooms: new Map(),
  /** user id → { id, items, lastTs, unread } */
  privates: new Map(),
};

/** Calls `listener(change)` on every change; returns the unsubscribe function. */
export function subscribe(listener) {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

function notify(change) {
  for (const listener of [...listeners]) {
    listener(change);
  }
}

function roomOf(roomid) {
  let room = store.rooms.get(roomid);
  if (!room) {
    // reloading: while a reset's history request is out, live messages wait here (null otherwise).
    room = { roomid, items: [], lastTs: 0, unread: 0, members: [], count: 0, reloading: null };
    store.rooms.set(roomid, room);
  }
  return room;
}

function privateOf(id) {
  let conv = store.privates.get(id);
  if (!conv) {
    conv = { id, items: [], lastTs: 0, unread: 0 };
    store.privates.set(id, conv);
  }
  return conv;
}

function textOf(data) {
  if (data && typeof data === 'object') {
    if (typeof data.text === 'string') {
      return data.text;
    }
    if (typeof data.info === 'string') {
      return data.info; // the original mini-program's shape
    }
  }
  return typeof data === 'string' ? data : JSON.stringify(data);
}

/** Appends a chat message, with a time label when 3+ minutes passed since the previous one. */
function addMessage(conv, { from, text, ts, failed = false, seq, recalled = false }) {
  const item = {
    key: `m${nextKey++}`,
    type: 'msg',
    from,
    text: recalled ? RECALLED_TEXT : text,
    ts,
    seq,
    recalled,
    mine: from === store.me,
    failed,
    showTime: needsTimeLabel(conv.lastTs, ts),
    timeText: formatTimeLabel(ts),
  };
  conv.lastTs = ts;
  conv.items.push(item);
  return item;
}

// ---- recalled messages and rooms the user was put out of ----------------------------------

const RECALLED_TEXT = '此消息已撤回 message recalled';

/** A room message (or a history entry) as the store keeps it: a recalled one (tombstone) without its text. */
function roomItem(m) {
  return { from: m.from ?? '', text: textOf(m.data), ts: m.ts ?? 0, seq: m.seq, recalled: m.recalled === true };
}

/** A moderator recalled message `seq`: its bubble says so and its text is dropped. */
function markRecalled(r) {
  const room = roomOf(r.roomid);
  for (const item of room.items) {
    if (item.type === 'msg' && item.seq === r.seq) {
      item.recalled = true;
      item.text = RECALLED_TEXT;
    }
  }
  notify({ type: 'room', roomid: r.roomid });
}

function addSystem(conv, text, level = 'info') {
  conv.items.push({ key: `s${nextKey++}`, type: 'system', text, level });
}

/** The client, for the few pages that need it directly. */
export function getClient() {
  return client;
}

/**
 * Signs in with an id (auth off) or a token (auth on) and connects. Resolves with the welcome;
 * rejects when the first connection fails (bad id → HTTP 400, bad token → 401, no network).
 */
export async function login({ url, id, token }) {
  logout();
  // perMessageDeflate: room messages of 256 bytes and more arrive compressed (RFC 7692).
  const options = { url, adapter: wxAdapter(wx, { perMessageDeflate: true }) };
  if (token) {
    options.token = token;
  } else {
    options.id = id;
  }
  client = new PipeChatClient(options);
  const current = client;
  let welcomed = false;
  let live = false;

  client.on('state', ({ state }) => {
    store.state = state;
    store.statusText = STATUS_TEXT[state];
    notify({ type: 'state' });
  });
  client.on('welcome', (w) => {
    welcomed = true;
    live = true;
    store.me = w.id;
    if (w.reconnected) {
      for (const room of store.rooms.values()) {
        addSystem(room, '已重新连接 reconnected');
      }
      notify({ type: 'rooms' });
    }
  });
  client.on('close', () => {
    if (!welcomed) {
      current.close(); // the first handshake failed: report it instead of retrying forever
      return;
    }
    if (!live) {
      return; // one line per outage, not one per failed attempt
    }
    live = false;
    for (const room of store.rooms.values()) {
      addSystem(room, '连接已断开，正在重连… connection lost, reconnecting', 'warn');
    }
    notify({ type: 'rooms' });
  });
  client.on('joined', (j) => {
    roomOf(j.roomid).count = j.count;
    refreshMembers(j.roomid);
  });
  client.on('room', (m) => {
    const room = roomOf(m.roomid);
    if (room.reloading) {
      room.reloading.push(m);
      return;
    }
    addMessage(room, roomItem(m));
    room.unread++;
    notify({ type: 'room', roomid: m.roomid });
  });
  // The server could not replay what was missed (history lost, e.g. it restarted): reload the room.
  client.on('reset', (r) => reloadRoom(current, r.roomid));
  client.on('notice', (n) => {
    const conv = privateOf(n.from);
    addMessage(conv, { from: n.from, text: textOf(n.data), ts: Date.now() });
    conv.unread++;
    notify({ type: 'private', id: n.from });
  });
  client.on('broadcast', (b) => {
    for (const room of store.rooms.values()) {
      addSystem(room, `📣 ${b.from}: ${textOf(b.data)}`, 'broadcast');
    }
    notify({ type: 'rooms' });
  });
  client.on('recall', markRecalled);
  client.on('removed', (r) => {
    addSystem(roomOf(r.roomid), r.reason === 'banned' ? '你已被移出房间 you were banned from this room' : '你已无权进入此房间 your token no longer allows this room', 'error');
    notify({ type: 'room', roomid: r.roomid });
  });
  attachOverload(client);
  client.on('presence', (p) => {
    const room = roomOf(p.roomid);
    room.count = p.count;
    addSystem(room, `${p.id} ${p.type === 'join' ? '加入了房间 joined' : '离开了房间 left'}`);
    notify({ type: 'room', roomid: p.roomid });
    refreshMembers(p.roomid);
  });

  try {
    return await client.connect();
  } catch (error) {
    if (client === current) {
      logout();
    }
    throw error;
  }
}

/**
 * Clears a room's messages and loads its last page of history under a line saying so; live
 * messages that arrive while it loads follow it (those it already holds are skipped by seq).
 */
async function reloadRoom(owner, roomid) {
  const room = roomOf(roomid);
  room.items = [];
  room.lastTs = 0;
  room.reloading = [];
  addSystem(room, '消息已重新加载 missed messages could not be replayed — reloaded', 'warn');
  notify({ type: 'room', roomid });
  let lastSeq = 0;
  let page = null;
  try {
    page = await owner.history(roomid);
  } catch (e) {
    addSystem(room, `加载失败 could not reload: ${e.code}`, 'error');
  }
  const meanwhile = room.items.splice(1); // presence lines that came while the history loaded
  for (const m of page?.messages ?? []) {
    addMessage(room, roomItem(m));
    lastSeq = m.seq;
  }
  room.items.push(...meanwhile);
  const waiting = room.reloading;
  room.reloading = null;
  for (const m of waiting) {
    if (m.seq > lastSeq) {
      addMessage(room, roomItem(m));
    }
  }
  notify({ type: 'room', roomid });
}

/** Closes the socket for good and forgets everything. */
export function logout() {
  if (client) {
    client.close();
    client = null;
  }
  store.me = null;
  store.rooms.clear();
  store.privates.clear();
  store.state = 'idle';
  store.statusText = STATUS_TEXT.idle;
  notify({ type: 'state' });
}

export async function joinRoom(roomid) {
  const room = roomOf(roomid);
  notify({ type: 'rooms' });
  try {
    const joined = await client.join(roomid);
    room.count = joined.count;
    addSystem(room, `你加入了 #${roomid} you joined (${joined.count} 人在线)`);
  } catch (e) {
    addSystem(room, `加入失败 could not join: ${e.code}`, 'error');
  }
  notify({ type: 'room', roomid });
}

export async function leaveRoom(roomid) {
  store.rooms.delete(roomid);
  notify({ type: 'rooms' });
  await client?.leave(roomid).catch(() => {});
}

export async function sendRoom(roomid, text) {
  try {
    // Rendered when the server delivers it back (room messages reach the sender too).
    await client.room(roomid, { kind: 'text', text, createdAt: Date.now() });
  } catch (e) {
    addSystem(roomOf(roomid), `发送失败 not sent: ${e.code}`, 'error');
    notify({ type: 'room', roomid });
  }
}

// ---- live rooms under overload: likes (a room counter) and skipped comments ----------------------

/** Counts `skipped` runs (this phone fell behind and the server skipped comments) and room counters per room. */
function attachOverload(client) {
  client.on('skipped', (s) => {
    const room = roomOf(s.roomid);
    room.skipped = (room.skipped || 0) + s.count;
    notify({ type: 'room', roomid: s.roomid });
  });
  client.on('counter', (c) => {
    const room = roomOf(c.roomid);
    room.counters = { ...(room.counters || {}), [c.name]: c.value };
    notify({ type: 'room', roomid: c.roomid });
  });
}

/** A like: one increment of the room's `likes` counter (coalesced by the server, fire and forget). */
export function sendLike(roomid) {
  return client?.count(roomid, 'likes', 1) ?? false;
}

export async function sendPrivate(id, text) {
  const conv = privateOf(id);
  try {
    await client.notice(id, { kind: 'text', text, createdAt: Date.now() });
    if (id !== store.me) {
      addMessage(conv, { from: store.me, text, ts: Date.now() }); // notices are not echoed to the sender
    }
  } catch (e) {
    addMessage(conv, { from: store.me, text, ts: Date.now(), failed: true });
    addSystem(conv, e.code === 'offline' ? `${id} 不在线，消息未送达 (offline)` : `发送失败 not sent: ${e.code}`, 'error');
  }
  notify({ type: 'private', id });
}

export async function refreshMembers(roomid) {
  if (!client) {
    return;
  }
  try {
    const result = await client.members(roomid);
    const room = roomOf(roomid);
    room.members = result.members;
    room.count = result.count;
    notify({ type: 'members', roomid });
  } catch {
    // reconnecting: the re-join refreshes the list
  }
}

export function openPrivate(id) {
  privateOf(id).unread = 0;
  notify({ type: 'rooms' });
}

export function markRead(conv) {
  conv.unread = 0;
}

export { roomOf, privateOf };

/** App.onShow / App.onHide: the socket is often dead after ~5 s in the background. */
export function onShow() {
  client?.onShow();
}

export function onHide() {
  client?.onHide();
}
