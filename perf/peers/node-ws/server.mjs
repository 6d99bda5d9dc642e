// Comparison peer: PipeChat's chat subset on Node's `ws` (the library of the original design).
// Idiomatic ws code: one WebSocketServer, rooms as Map<roomid, Set<socket>>, JSON.parse on every
// message, JSON.stringify once per room message and socket.send to each member.
// Usage: node server.mjs --port 3003
import { WebSocketServer } from 'ws';

const portArg = process.argv.indexOf('--port');
const port = portArg > 0 ? Number(process.argv[portArg + 1]) : 3003;

const rooms = new Map(); // roomid -> Set<ws>
const users = new Map(); // user id -> Set<ws>

const wss = new WebSocketServer({ host: '127.0.0.1', port, perMessageDeflate: false });

function send(ws, message) {
  ws.send(typeof message === 'string' ? message : JSON.stringify(message));
}

function error(ws, code, message) {
  send(ws, { type: 'error', data: { code, message } });
}

function leave(ws, roomid) {
  const members = rooms.get(roomid);
  if (members) {
    members.delete(ws);
    if (members.size === 0) rooms.delete(roomid);
  }
  ws.rooms.delete(roomid);
}

wss.on('connection', (ws, req) => {
  const id = decodeURIComponent((req.url || '/').split('?')[0].slice(1));
  if (!id) {
    ws.close(1008, 'id required');
    return;
  }
  ws.id = id;
  ws.rooms = new Set();
  if (!users.has(id)) users.set(id, new Set());
  users.get(id).add(ws);
  send(ws, { type: 'welcome', data: { id } });

  ws.on('message', (raw, isBinary) => {
    if (isBinary) return;
    let msg;
    try {
      msg = JSON.parse(raw);
    } catch {
      error(ws, 'bad_json', 'please send data in the right format');
      return;
    }
    const data = msg && msg.data;
    switch (msg && msg.type) {
      case 'join': {
        if (!data || typeof data.roomid !== 'string') return error(ws, 'bad_request', 'join needs data.roomid');
        let members = rooms.get(data.roomid);
        if (!members) rooms.set(data.roomid, (members = new Set()));
        members.add(ws);
        ws.rooms.add(data.roomid);
        send(ws, { type: 'joined', data: { roomid: data.roomid, count: members.size } });
        break;
      }
      case 'leave': {
        if (!data || typeof data.roomid !== 'string') return error(ws, 'bad_request', 'leave needs data.roomid');
        leave(ws, data.roomid);
        send(ws, { type: 'left', data: { roomid: data.roomid } });
        break;
      }
      case 'room': {
        if (!data || typeof data.roomid !== 'string' || data.data === undefined) return error(ws, 'bad_request', 'room needs data.roomid and data.data');
        const members = rooms.get(data.roomid);
        if (!members || !members.has(ws)) return error(ws, 'not_in_room', 'you have not joined this room');
        const out = JSON.stringify({ type: 'room', data: { roomid: data.roomid, from: ws.id, data: data.data } });
        for (const member of members) member.send(out);
        break;
      }
      case 'notice': {
        if (!data || typeof data.id !== 'string' || data.data === undefined) return error(ws, 'bad_request', 'notice needs data.id and data.data');
        const targets = users.get(data.id);
        if (!targets || targets.size === 0) return error(ws, 'offline', 'the other side is offline');
        const out = JSON.stringify({ type: 'notice', from: ws.id, data: data.data });
        for (const target of targets) target.send(out);
        break;
      }
      case 'ping':
        send(ws, { type: 'pong' });
        break;
      default:
        error(ws, 'unknown_type', 'unknown type');
    }
  });

  ws.on('close', () => {
    for (const roomid of [...ws.rooms]) leave(ws, roomid);
    const mine = users.get(id);
    if (mine) {
      mine.delete(ws);
      if (mine.size === 0) users.delete(id);
    }
  });

  ws.on('error', () => {});
});

wss.on('listening', () => console.log(`node ws peer listening on ws://127.0.0.1:${port}`));
