// PipeChat admin dashboard: polls this node's /api/admin/* endpoints (behind the API key) and
// draws the last minutes as SVG line charts. Moderation buttons call the server API
// (/api/mute, /api/ban, /api/recall, /api/readonly) with the same key.
const $ = (selector) => document.querySelector(selector);
const keyStore = 'pipechat-admin-key';
const pollMs = 2000;
let timer = null;
let selectedRoom = null;

function key() {
  return sessionStorage.getItem(keyStore) ?? '';
}

async function api(path, body) {
  const init = { headers: { Authorization: `Bearer ${key()}` } };
  if (body !== undefined) {
    init.method = 'POST';
    init.headers['Content-Type'] = 'application/json';
    init.body = JSON.stringify(body);
  }
  const response = await fetch(path, init);
  const text = await response.text();
  const json = text ? JSON.parse(text) : null;
  if (!response.ok) {
    const error = new Error(json?.detail ?? json?.title ?? `HTTP ${response.status}`);
    error.status = response.status;
    error.code = json?.code;
    throw error;
  }
  return json;
}

const number = (value) => (Math.round(value * 10) / 10).toLocaleString('en-US');

/** Draws one or two series (arrays of numbers) as lines scaled to the chart, with the maximum as a label. */
function drawChart(svg, seriesA, seriesB = null) {
  const width = 400;
  const height = 120;
  const all = seriesB ? seriesA.concat(seriesB) : seriesA;
  const max = Math.max(1, ...all);
  const points = (values) => values
    .map((v, i) => `${values.length <= 1 ? width : (i / (values.length - 1)) * width},${height - 4 - (v / max) * (height - 16)}`)
    .join(' ');
  const ns = 'http://www.w3.org/2000/svg';
  svg.replaceChildren();
  const axis = document.createElementNS(ns, 'line');
  Object.entries({ x1: 0, y1: height - 4, x2: width, y2: height - 4, class: 'axis' }).forEach(([k, v]) => axis.setAttribute(k, v));
  svg.append(axis);
  for (const [values, cls] of [[seriesA, 'line-a'], [seriesB, 'line-b']]) {
    if (!values || values.length === 0) continue;
    const line = document.createElementNS(ns, 'polyline');
    line.setAttribute('class', cls);
    line.setAttribute('points', points(values));
    svg.append(line);
  }
  const label = document.createElementNS(ns, 'text');
  label.setAttribute('x', 2);
  label.setAttribute('y', 10);
  label.textContent = `max ${number(max)}`;
  svg.append(label);
}

async function refreshOverview() {
  const o = await api('/api/admin/overview');
  $('#t-connections').textContent = number(o.connections);
  $('#t-users').textContent = number(o.users);
  $('#t-rooms').textContent = number(o.rooms);
  const last = o.series.at(-1);
  $('#t-in').textContent = last ? number(last.inPerSecond) : '–';
  $('#t-out').textContent = last ? number(last.outPerSecond) : '–';
  $('#t-slow').textContent = number(o.slowConsumers);
  $('#node-state').dataset.state = o.degraded ? 'degraded' : 'ok';
  $('#node-state').textContent = o.degraded ? 'degraded: Redis unreachable' : 'serving';
  drawChart($('#c-connections'), o.series.map((s) => s.connections), o.series.map((s) => s.users));
  drawChart($('#c-messages'), o.series.map((s) => s.inPerSecond), o.series.map((s) => s.outPerSecond));
  drawChart($('#c-slow'), o.series.map((s) => s.slowPerMinute));
}

async function refreshRooms() {
  const { rooms } = await api('/api/admin/rooms?limit=50');
  const body = $('#rooms tbody');
  body.replaceChildren(...rooms.map((room) => {
    const row = document.createElement('tr');
    row.dataset.roomid = room.roomid;
    row.classList.toggle('selected', room.roomid === selectedRoom);
    for (const [text, cls] of [[room.roomid, ''], [number(room.connections), 'n'], [number(room.users), 'n']]) {
      const cell = document.createElement('td');
      cell.textContent = text;
      if (cls) cell.className = cls;
      row.append(cell);
    }
    row.addEventListener('click', () => selectRoom(room.roomid));
    return row;
  }));
}

function button(text, action) {
  const b = document.createElement('button');
  b.textContent = text;
  b.addEventListener('click', async (event) => {
    event.stopPropagation();
    try {
      $('#room-status').textContent = await action();
      await refreshRoom();
    } catch (e) {
      $('#room-status').textContent = e.status === 404 ? `${text}: this server has no such API endpoint` : `${text} failed: ${e.message}`;
    }
  });
  return b;
}

async function refreshRoom() {
  if (!selectedRoom) return;
  const room = await api(`/api/admin/room?roomid=${encodeURIComponent(selectedRoom)}&limit=30`);
  $('#room-id').textContent = room.roomid;
  $('#room-count').textContent = room.members ? `(${number(room.members.count)})` : '';
  $('#room-members').replaceChildren(...(room.members?.members ?? []).map((id) => {
    const item = document.createElement('li');
    item.dataset.id = id;
    item.append(document.createTextNode(id));
    item.append(button('mute 10 min', async () => { await api('/api/mute', { roomid: selectedRoom, id, seconds: 600 }); return `${id} muted for 10 minutes`; }));
    item.append(button('ban 1 h', async () => { await api('/api/ban', { roomid: selectedRoom, id, seconds: 3600 }); return `${id} banned for an hour`; }));
    return item;
  }));
  const messages = room.history?.messages ?? [];
  $('#room-messages').replaceChildren(...messages.map((m) => {
    const d = m.data ?? {};
    const item = document.createElement('li');
    item.dataset.seq = d.seq;
    const recalled = !('data' in d);
    item.classList.toggle('recalled', recalled);
    const seq = document.createElement('span');
    seq.className = 'seq';
    seq.textContent = `#${d.seq}`;
    const from = document.createElement('span');
    from.className = 'from';
    from.textContent = d.from ?? '';
    const text = document.createElement('span');
    text.className = 'text';
    text.textContent = recalled ? 'message recalled' : (typeof d.data?.text === 'string' ? d.data.text : JSON.stringify(d.data));
    item.append(seq, from, text);
    if (!recalled) {
      item.append(button('recall', async () => { await api('/api/recall', { roomid: selectedRoom, seq: d.seq }); return `message #${d.seq} recalled`; }));
    }
    return item;
  }));
}

async function selectRoom(roomid) {
  selectedRoom = roomid;
  $('#room-panel').hidden = false;
  $('#room-status').textContent = '';
  document.querySelectorAll('#rooms tbody tr').forEach((row) => row.classList.toggle('selected', row.dataset.roomid === roomid));
  await refreshRoom();
}

async function tick() {
  try {
    await refreshOverview();
    await refreshRooms();
    await refreshRoom();
  } catch (e) {
    if (e.status === 401) {
      signOut('the API key was refused');
      return;
    }
    $('#node-state').dataset.state = 'down';
    $('#node-state').textContent = `unreachable: ${e.message}`;
  }
}

function start() {
  $('#login').hidden = true;
  $('#dashboard').hidden = false;
  $('#sign-out').hidden = false;
  tick();
  timer = setInterval(tick, pollMs);
}

function signOut(reason) {
  clearInterval(timer);
  sessionStorage.removeItem(keyStore);
  $('#dashboard').hidden = true;
  $('#sign-out').hidden = true;
  $('#login').hidden = false;
  $('#login-error').hidden = !reason;
  $('#login-error').textContent = reason ?? '';
}

$('#login-form').addEventListener('submit', async (event) => {
  event.preventDefault();
  sessionStorage.setItem(keyStore, $('#key').value);
  try {
    await api('/api/admin/overview');
    $('#login-error').hidden = true;
    start();
  } catch (e) {
    signOut(e.status === 401 ? 'the API key was refused' : e.status === 404 ? 'the server API is off on this node (start it with --api-key)' : e.message);
  }
});
$('#sign-out').addEventListener('click', () => signOut());
$('#room-readonly').addEventListener('click', async () => {
  try {
    await api('/api/readonly', { roomid: selectedRoom, on: true });
    $('#room-status').textContent = 'read-only: only moderators and the API may send';
  } catch (e) {
    $('#room-status').textContent = e.status === 404 ? 'read-only: this server has no such API endpoint' : `read-only failed: ${e.message}`;
  }
});
$('#room-writable').addEventListener('click', async () => {
  try {
    await api('/api/readonly', { roomid: selectedRoom, on: false });
    $('#room-status').textContent = 'members may send again';
  } catch (e) {
    $('#room-status').textContent = `failed: ${e.message}`;
  }
});

if (key()) {
  start();
}
