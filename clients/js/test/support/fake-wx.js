// A fake `wx` whose connectSocket returns SocketTask look-alikes driven by the test. Each task plays
// a tiny PipeChat server (welcome, joined, pong, ack, room) unless told otherwise, and can "die
// silently" the way a mini-program's socket does in the background: no more messages, sends fail,
// and onClose never fires.

export class FakeSocketTask {
  constructor(wx, options) {
    this.wx = wx;
    this.url = options.url;
    this.header = options.header;
    this.sent = [];
    this.closeCalls = [];
    this.dead = false;
    this.silent = false; // receives but never answers (a half-dead socket)
    this.handlers = {};
  }

  onOpen(fn) {
    this.handlers.open = fn;
  }

  onMessage(fn) {
    this.handlers.message = fn;
  }

  onClose(fn) {
    this.handlers.close = fn;
  }

  onError(fn) {
    this.handlers.error = fn;
  }

  send({ data, fail }) {
    if (this.dead) {
      fail?.({ errMsg: 'sendSocketMessage:fail taskID not exist' });
      return;
    }
    const message = JSON.parse(data);
    this.sent.push(message);
    if (!this.silent) {
      this.wx.respond(this, message);
    }
  }

  close({ code, reason } = {}) {
    this.closeCalls.push({ code, reason });
    if (this.dead) {
      return; // a dead SocketTask never reports its close
    }
    this.dead = true;
    setTimeout(() => this.handlers.close?.({ code: code ?? 1000, reason: reason ?? '' }), 0);
  }

  // ---- test controls ----

  /** Delivers a server message to the client. */
  push(message) {
    if (!this.dead) {
      this.handlers.message?.({ data: JSON.stringify(message) });
    }
  }

  /** The socket dies without onClose (background drop). */
  dieSilently() {
    this.dead = true;
  }

  /** The server closes the socket: onClose fires. */
  serverClose(code = 1001, reason = 'going away') {
    if (this.dead) {
      return;
    }
    this.dead = true;
    this.handlers.close?.({ code, reason });
  }

  /** Messages the client sent of one type. */
  sentOf(type) {
    return this.sent.filter((m) => m.type === type);
  }
}

export function createFakeWx({ autoOpen = true, userId = 'alice' } = {}) {
  const wx = {
    tasks: [],
    seq: new Map(),
    /** The rooms' epoch; change it to play a server that lost its history. */
    epoch: 'e1',
    /** roomid → room messages sent, replayed to a join with `since` of the same epoch. */
    history: new Map(),
    connectSocket(options) {
      const task = new FakeSocketTask(wx, options);
      wx.tasks.push(task);
      if (autoOpen) {
        setTimeout(() => wx.accept(task), 0);
      }
      return task;
    },
    /** Opens the task and greets, as the server does. */
    accept(task) {
      if (task.dead) {
        return;
      }
      task.handlers.open?.({ header: {} });
      task.push({ type: 'welcome', data: { id: userId, conn: wx.tasks.indexOf(task) + 1, server: 'pipechat' } });
    },
    /** The default server behaviour for a request. */
    respond(task, m) {
      const ref = m.ref;
      const withRef = (reply) => (ref === undefined ? reply : { ...reply, ref });
      switch (m.type) {
        case 'ping':
          task.push(withRef({ type: 'pong' }));
          break;
        case 'join': {
          const { roomid, since, epoch } = m.data;
          const seq = wx.seq.get(roomid) ?? 0;
          task.push(withRef({ type: 'joined', data: { roomid, count: 1, seq, epoch: wx.epoch } }));
          if (since !== undefined) {
            if (epoch === undefined || epoch === wx.epoch) {
              for (const message of (wx.history.get(roomid) ?? []).filter((h) => h.data.seq > since)) {
                task.push(message);
              }
            } else {
              task.push(withRef({ type: 'reset', data: { roomid, seq, epoch: wx.epoch } }));
            }
          }
          break;
        }
        case 'leave':
          task.push(withRef({ type: 'left', data: { roomid: m.data.roomid, count: 0 } }));
          break;
        case 'room': {
          const seq = (wx.seq.get(m.data.roomid) ?? 0) + 1;
          wx.seq.set(m.data.roomid, seq);
          const message = { type: 'room', data: { roomid: m.data.roomid, from: userId, seq, ts: Date.now(), data: m.data.data } };
          wx.history.set(m.data.roomid, [...(wx.history.get(m.data.roomid) ?? []), message]);
          task.push(message);
          if (ref !== undefined) {
            task.push({ type: 'ack', data: { seq }, ref });
          }
          break;
        }
        case 'notice':
          task.push(withRef({ type: 'error', data: { code: 'offline', message: 'the other side is offline' } }));
          break;
        default:
          break;
      }
    },
    /** Another member's room message, kept in the history; pushed to `task` when given. */
    roomMessage(roomid, data, task, from = 'bob') {
      const seq = (wx.seq.get(roomid) ?? 0) + 1;
      wx.seq.set(roomid, seq);
      const message = { type: 'room', data: { roomid, from, seq, ts: Date.now(), data } };
      wx.history.set(roomid, [...(wx.history.get(roomid) ?? []), message]);
      task?.push(message);
      return message;
    },
    /** Tasks not known dead. */
    live() {
      return wx.tasks.filter((t) => !t.dead);
    },
  };
  return wx;
}

/** Resolves with the payload of the next `event` on `client` that satisfies `predicate`. */
export function nextEvent(client, event, predicate = () => true, ms = 5000) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      off();
      reject(new Error(`no ${event} event within ${ms} ms`));
    }, ms);
    const off = client.on(event, (payload) => {
      if (predicate(payload)) {
        clearTimeout(timer);
        off();
        resolve(payload);
      }
    });
  });
}

export const tick = (ms = 0) => new Promise((r) => setTimeout(r, ms));

/** Waits until `predicate()` is true, polling every millisecond (throws after `ms`). */
export async function until(predicate, ms = 5000) {
  const deadline = Date.now() + ms;
  while (!predicate()) {
    if (Date.now() > deadline) {
      throw new Error(`condition not met within ${ms} ms: ${predicate}`);
    }
    await tick(1);
  }
}
