// PipeChat web demo: rooms, private messages, presence, reconnects with resume — on the SDK in
// pipechat.js. After a short drop the SDK replays what was missed; after a reset (the server lost
// the room's history, e.g. it restarted) the room's view is cleared and reloaded with history.
import { PipeChatClient, webSocketAdapter } from './pipechat.js';
import { RECALLED, markRecalled, messageMenu, modPatterns, moderates, toggleReadOnly } from './moderation.js';

const TIME_LABEL_GAP_MS = 3 * 60 * 1000; // a time label when 3+ minutes passed, as in the original

const $ = (id) => document.getElementById(id);
const params = new URLSearchParams(location.search);

/**
 * Where to connect: ?server=…; else, when PipeChat's HTTP port served this page, its WebSocket
 * port (from config.json); else (a proxy in front routes upgrades) this page's own host.
 */
async function serverUrl() {
  if (params.get('server')) {
    return params.get('server');
  }
  try {
    const response = await fetch('config.json');
    if (response.ok) {
      const config = await response.json();
      if (config.httpPort === Number(location.port || (location.protocol === 'https:' ? 443 : 80))) {
        return `${config.webSocketScheme}://${location.hostname}:${config.webSocketPort}`;
      }
    }
  } catch {
    // No config: connect to this page's host.
  }
  return `${location.protocol === 'https:' ? 'wss:' : 'ws:'}//${location.host}`;
}

const wsUrl = await serverUrl();

let client = null;
let me = null;
/** The token's mod claim: the rooms this user moderates (moderation.js). */
let modRooms = [];
let current = null;
/** key → { key, kind: 'room' | 'dm', name, items, unread, lastTs, members, count, reloading } */
const conversations = new Map();

// ---- conversations ------------------------------------------------------------------------------

function conversation(kind, name) {
  const key = `${kind}:${name}`;
  let conv = conversations.get(key);
  if (!conv) {
    // reloading: while a reset's history request is out, live messages wait here (null otherwise).
    conv = { key, kind, name, items: [], unread: 0, lastTs: 0, members: [], count: 0, reloading: null };
    conversations.set(key, conv);
    renderLists();
  }
  return conv;
}

function push(conv, item) {
  if (item.type === 'msg') {
    if (!conv.lastTs || item.ts - conv.lastTs > TIME_LABEL_GAP_MS) {
      push(conv, { type: 'time', ts: item.ts });
    }
    conv.lastTs = item.ts;
  }
  conv.items.push(item);
  if (conv === current) {
    appendItem(item);
  } else if (item.type === 'msg') {
    conv.unread++;
    renderLists();
  }
}

function system(conv, text, level = 'info') {
  if (conv) {
    push(conv, { type: 'system', text, level });
  }
}

function select(conv) {
  current = conv;
  conv.unread = 0;
  $('conv-title').textContent = conv.kind === 'room' ? `# ${conv.name}` : `@ ${conv.name} (private)`;
  $('leave').hidden = conv.kind !== 'room';
  $('readonly').hidden = !(conv.kind === 'room' && moderates(modRooms, conv.name));
  $('readonly').textContent = conv.readOnly ? 'open the room' : 'make read-only';
  renderOverload();
  $('text').disabled = false;
  $('send').disabled = false;
  $('text').placeholder = conv.kind === 'room' ? `Message #${conv.name}` : `Private message to ${conv.name}`;
  renderMessages();
  renderLists();
  renderMembers();
  $('text').focus();
}

// ---- rendering (textContent only: messages are user input) --------------------------------------

function timeLabel(ts) {
  const d = new Date(ts);
  const hm = d.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });
  return d.toDateString() === new Date().toDateString() ? hm : `${d.toLocaleDateString()} ${hm}`;
}

function textOf(data) {
  if (data && typeof data === 'object' && typeof data.text === 'string') {
    return data.text;
  }
  if (data && typeof data === 'object' && typeof data.info === 'string') {
    return data.info; // the original front end's shape
  }
  return typeof data === 'string' ? data : JSON.stringify(data);
}

function el(tag, className, text) {
  const node = document.createElement(tag);
  if (className) {
    node.className = className;
  }
  if (text !== undefined) {
    node.textContent = text;
  }
  return node;
}

function appendItem(item) {
  const list = $('messages');
  let node;
  if (item.type === 'time') {
    node = el('li', 'time', timeLabel(item.ts));
  } else if (item.type === 'system') {
    node = el('li', `system ${item.level}`, item.text);
  } else {
    node = el('li', `msg${item.mine ? ' mine' : ''}${item.failed ? ' failed' : ''}${item.recalled ? ' recalled' : ''}`);
    const head = el('div', 'meta');
    head.append(el('span', 'from', item.from));
    head.append(el('span', 'clock', new Date(item.ts).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' })));
    node.append(head, el('div', 'text', item.text));
    if (item.failed) {
      node.append(el('div', 'note', 'not delivered'));
    }
    const conv = current;
    if (item.seq && !item.recalled && conv?.kind === 'room' && moderates(modRooms, conv.name)) {
      node.append(messageMenu(item, conv.name, client, (text, level) => system(conv, text, level)));
    }
  }
  list.append(node);
  list.scrollTop = list.scrollHeight;
}

function renderMessages() {
  $('messages').replaceChildren();
  for (const item of current ? current.items : []) {
    appendItem(item);
  }
}

function renderLists() {
  for (const [kind, listId] of [['room', 'room-list'], ['dm', 'dm-list']]) {
    const list = $(listId);
    list.replaceChildren();
    for (const conv of conversations.values()) {
      if (conv.kind !== kind) {
        continue;
      }
      const item = el('li', conv === current ? 'active' : '');
      const button = el('button', 'conv', kind === 'room' ? `# ${conv.name}` : `@ ${conv.name}`);
      button.dataset.key = conv.key;
      button.addEventListener('click', () => select(conv));
      item.append(button);
      if (conv.unread) {
        item.append(el('span', 'badge', String(conv.unread)));
      }
      list.append(item);
    }
  }
}

function renderMembers() {
  const list = $('member-list');
  list.replaceChildren();
  if (!current || current.kind !== 'room') {
    $('member-count').textContent = '';
    return;
  }
  $('member-count').textContent = String(current.members.length);
  for (const id of [...current.members].sort()) {
    const item = el('li');
    const button = el('button', 'member', id === me ? `${id} (you)` : id);
    button.disabled = id === me;
    button.title = 'private message';
    button.addEventListener('click', () => select(conversation('dm', id)));
    item.append(button);
    list.append(item);
  }
}

function pushRoomMessage(conv, m) {
  const recalled = m.recalled === true; // a recalled message's tombstone (history, resume)
  push(conv, { type: 'msg', from: m.from ?? '', text: recalled ? RECALLED : textOf(m.data), ts: m.ts ?? Date.now(), mine: m.from === me, seq: m.seq, recalled });
}

/**
 * The server could not replay what this page missed in a room: drop the room's view and load its
 * last page of history under a line saying so; live messages that arrive meanwhile follow it
 * (those the page already holds are skipped by seq).
 */
async function reloadRoom(roomid) {
  const conv = conversation('room', roomid);
  conv.items = [];
  conv.lastTs = 0;
  conv.reloading = [];
  system(conv, 'missed messages could not be replayed — reloaded the room', 'warn');
  if (conv === current) {
    renderMessages();
  }
  let lastSeq = 0;
  let page = null;
  try {
    page = await client.history(roomid);
  } catch (e) {
    system(conv, `could not reload: ${e.code} — ${e.message}`, 'error');
  }
  const meanwhile = conv.items.splice(1); // presence lines that came while the history loaded
  for (const m of page?.messages ?? []) {
    pushRoomMessage(conv, m);
    lastSeq = m.seq;
  }
  conv.items.push(...meanwhile);
  const waiting = conv.reloading;
  conv.reloading = null;
  for (const m of waiting) {
    if (m.seq > lastSeq) {
      pushRoomMessage(conv, m);
    }
  }
  if (conv === current) {
    renderMessages();
  }
}

async function refreshMembers(conv) {
  try {
    const result = await client.members(conv.name);
    conv.members = result.members;
    conv.count = result.count;
    if (conv === current) {
      renderMembers();
    }
  } catch {
    // reconnecting: the re-join refreshes it
  }
}

function setStatus(state, text) {
  const status = $('status');
  status.dataset.state = state;
  status.textContent = text;
}

// ---- the client -----------------------------------------------------------------------------

function start(id, token) {
  const options = { url: wsUrl, adapter: webSocketAdapter(), reconnectDelay: 300, reconnectMaxDelay: 5000 };
  if (token) {
    options.token = token;
  } else {
    options.id = id;
  }
  client = new PipeChatClient(options);
  modRooms = modPatterns(token);
  let welcomed = false;
  let live = false;

  client.on('state', ({ state }) => {
    const labels = { connecting: 'connecting…', open: 'connected', reconnecting: 'reconnecting…', closed: 'disconnected', idle: 'not connected' };
    setStatus(state, labels[state]);
  });
  client.on('close', ({ code }) => {
    if (!welcomed) {
      // The handshake was refused (bad id → 400, bad token → 401) or the server is down.
      client.close();
      showLogin(`Could not connect (${code}): check the id or token, and that the server runs.`);
      return;
    }
    if (live) {
      live = false; // one line per outage, not one per failed attempt
      system(current, 'connection lost — reconnecting…', 'warn');
    }
  });
  client.on('welcome', (w) => {
    welcomed = true;
    live = true;
    me = w.id;
    $('whoami').textContent = `signed in as ${w.id}`;
    if (w.reconnected) {
      system(current, 'reconnected');
    }
  });
  client.on('joined', (j) => {
    const conv = conversation('room', j.roomid);
    refreshMembers(conv);
  });
  client.on('room', (m) => {
    const conv = conversation('room', m.roomid);
    if (conv.reloading) {
      conv.reloading.push(m);
    } else {
      pushRoomMessage(conv, m);
    }
  });
  client.on('reset', (r) => reloadRoom(r.roomid));
  client.on('notice', (n) => {
    const conv = conversation('dm', n.from);
    push(conv, { type: 'msg', from: n.from, text: textOf(n.data), ts: Date.now(), mine: false });
  });
  client.on('broadcast', (b) => {
    system(current, `📣 ${b.from}: ${textOf(b.data)}`, 'broadcast');
  });
  client.on('presence', (p) => {
    const conv = conversation('room', p.roomid);
    system(conv, `${p.id} ${p.type === 'join' ? 'joined' : 'left'} (${p.count} online)`);
    refreshMembers(conv);
  });
  client.on('error', (e) => system(current, `error: ${e.code} — ${e.message}`, 'error'));
  client.on('recall', (r) => {
    const conv = conversation('room', r.roomid);
    if (markRecalled(conv, r.seq) && conv === current) {
      renderMessages();
    }
  });
  client.on('removed', (r) => {
    const conv = conversation('room', r.roomid);
    system(conv, r.reason === 'banned' ? 'you were banned from this room' : 'your token no longer allows this room', 'error');
    conv.members = [];
    if (conv === current) {
      renderMembers();
    }
  });
  attachOverload(client);

  client.connect().then(() => {
    $('login').hidden = true;
    $('chat').hidden = false;
    $('logout').hidden = false;
    const room = params.get('room');
    if (room) {
      joinRoom(room);
    }
  }, () => {});
}

function showLogin(message) {
  $('login').hidden = false;
  $('chat').hidden = true;
  $('logout').hidden = true;
  $('login-error').textContent = message ?? '';
}

async function joinRoom(name) {
  const conv = conversation('room', name);
  select(conv);
  try {
    const joined = await client.join(name);
    system(conv, `you joined #${name} (${joined.count} online)`);
  } catch (e) {
    system(conv, `could not join: ${e.code} — ${e.message}`, 'error');
  }
}

async function send(text) {
  const conv = current;
  const data = { kind: 'text', text };
  if (conv.kind === 'room') {
    try {
      await client.room(conv.name, data); // rendered when the server delivers it (to us too)
    } catch (e) {
      system(conv, `not sent: ${e.code} — ${e.message}`, 'error');
    }
    return;
  }
  const item = { type: 'msg', from: me, text, ts: Date.now(), mine: true };
  try {
    await client.notice(conv.name, data);
    if (conv.name !== me) {
      push(conv, item); // the server does not echo private messages to the sender
    }
  } catch (e) {
    push(conv, { ...item, failed: true });
    system(conv, e.code === 'offline' ? `${conv.name} is offline — the message was not delivered` : `not sent: ${e.code} — ${e.message}`, 'error');
  }
}

// ---- live rooms under overload: likes (a room counter) and skipped messages -------------------------

/** Per room: likes (the `likes` counter's value) and messages the server skipped because this tab fell behind. */
function attachOverload(chat) {
  chat.on('counter', (c) => {
    const conv = conversation('room', c.roomid);
    conv.counters = { ...(conv.counters || {}), [c.name]: c.value };
    renderOverload();
  });
  chat.on('skipped', (s) => {
    const conv = conversation('room', s.roomid);
    conv.skipped = (conv.skipped || 0) + s.count;
    renderOverload();
  });
}

function renderOverload() {
  const room = current && current.kind === 'room' ? current : null;
  $('like').hidden = !room;
  $('like-count').textContent = String(room?.counters?.likes ?? 0);
  const skipped = room?.skipped ?? 0;
  $('skipped').hidden = skipped === 0;
  $('skipped').textContent = `${skipped} messages skipped (this tab fell behind)`;
}

// ---- wiring -------------------------------------------------------------------------------------

$('login').addEventListener('submit', (event) => {
  event.preventDefault();
  const id = $('login-id').value.trim();
  const token = $('login-token').value.trim();
  if (!id && !token) {
    $('login-error').textContent = 'Enter a user id or a token.';
    return;
  }
  $('login-error').textContent = '';
  start(id, token);
});

$('join-form').addEventListener('submit', (event) => {
  event.preventDefault();
  const name = $('join-room').value.trim();
  if (name) {
    $('join-room').value = '';
    joinRoom(name);
  }
});

$('dm-form').addEventListener('submit', (event) => {
  event.preventDefault();
  const id = $('dm-user').value.trim();
  if (id) {
    $('dm-user').value = '';
    select(conversation('dm', id));
  }
});

$('composer').addEventListener('submit', (event) => {
  event.preventDefault();
  const text = $('text').value.trim();
  if (text && current) {
    $('text').value = '';
    send(text);
  }
});

$('like').addEventListener('click', () => {
  if (current?.kind === 'room') {
    client.count(current.name, 'likes', 1);
  }
});

$('leave').addEventListener('click', async () => {
  const conv = current;
  if (conv?.kind !== 'room') {
    return;
  }
  await client.leave(conv.name).catch(() => {});
  conversations.delete(conv.key);
  current = null;
  $('conv-title').textContent = 'Join a room to start';
  $('leave').hidden = true;
  $('like').hidden = true;
  $('text').disabled = true;
  $('send').disabled = true;
  renderMessages();
  renderLists();
  renderMembers();
});

$('readonly').addEventListener('click', async () => {
  const conv = current;
  if (conv?.kind === 'room') {
    await toggleReadOnly(conv, client, (text, level) => system(conv, text, level));
    $('readonly').textContent = conv.readOnly ? 'open the room' : 'make read-only';
  }
});

$('logout').addEventListener('click', () => {
  client?.close();
  conversations.clear();
  current = null;
  renderMessages();
  renderLists();
  showLogin();
});

// A tab in the background may lose its socket silently (laptops sleep): check it when shown.
// (Browsers keep timers running in background tabs, so reconnects are not held while hidden.)
document.addEventListener('visibilitychange', () => {
  if (client && document.visibilityState === 'visible') {
    client.onShow();
  }
});
window.addEventListener('online', () => client?.onShow());

if (params.get('id') || params.get('token')) {
  start(params.get('id'), params.get('token'));
}
