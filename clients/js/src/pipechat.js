// PipeChat client SDK: one dependency-free ES module for WeChat mini-programs (wx.connectSocket),
// browsers and Node.js. It speaks the protocol in docs/protocol.md.
//
//   import { PipeChatClient, webSocketAdapter } from './pipechat.js';
//   const chat = new PipeChatClient({ url: 'wss://chat.example.com', id: 'alice',
//                                     adapter: webSocketAdapter() });
//   chat.on('room', (m) => console.log(m.roomid, m.from, m.data));
//   await chat.connect();
//   await chat.join('lobby');
//   await chat.room('lobby', { text: 'hello' });
//
// Resume: for every joined room the client remembers the last seq it delivered and the room's
// epoch, and re-joins with both after a reconnect, so the messages it missed arrive (in order,
// before live ones, never twice). When the server cannot replay them it sends `reset`: reload
// the room with `history()`.
//
// Mini-programs use `wxAdapter(wx)`; Node uses `webSocketAdapter(WebSocket)` with the `ws` package.
// Types are in pipechat.d.ts beside this file.

/** Version of this SDK. */
export const VERSION = '0.2.0';

/**
 * Connection states, in the order a client normally goes through them.
 * idle → connecting → open → reconnecting → connecting → open … → closed.
 */
export const States = Object.freeze({
  idle: 'idle',
  connecting: 'connecting',
  open: 'open',
  reconnecting: 'reconnecting',
  closed: 'closed',
});

/** Error raised by requests: `code` is a server error code (docs/protocol.md) or an SDK code. */
export class PipeChatError extends Error {
  /**
   * @param {string} code server codes (`offline`, `not_in_room`, …) or SDK codes
   *   (`timeout`, `disconnected`, `not_connected`, `closed`)
   * @param {string} message
   * @param {{ ref?: string | number, request?: string, roomid?: string }} [details]
   */
  constructor(code, message, details) {
    super(message);
    this.name = 'PipeChatError';
    this.code = code;
    if (details) {
      Object.assign(this, details);
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Adapters. An adapter is a function (url, handlers) => { send(text), close(code, reason) } that
// opens one socket and reports its life through handlers.open(), handlers.message(text),
// handlers.close(code, reason) and handlers.error(error). Nothing else of the platform leaks in.
// ---------------------------------------------------------------------------------------------

/**
 * Adapter for the standard WebSocket API: browsers (`globalThis.WebSocket`), Node 22+, or the
 * `ws` package on Node 20 (`webSocketAdapter(WebSocket, { rejectUnauthorized: false })` turns off
 * certificate verification for a self-signed test certificate; never do that in production).
 * @param {any} [WebSocketImpl] a WebSocket constructor; defaults to globalThis.WebSocket
 * @param {object} [constructorOptions] third argument for constructors that take one (`ws`)
 */
export function webSocketAdapter(WebSocketImpl, constructorOptions) {
  const Impl = WebSocketImpl ?? globalThis.WebSocket;
  if (typeof Impl !== 'function') {
    throw new TypeError('webSocketAdapter: no WebSocket constructor (pass one, e.g. from the ws package)');
  }
  return function connect(url, handlers) {
    const socket = constructorOptions ? new Impl(url, constructorOptions) : new Impl(url);
    socket.onopen = () => handlers.open();
    socket.onmessage = (event) => {
      if (typeof event.data === 'string') {
        handlers.message(event.data);
      }
    };
    socket.onclose = (event) => handlers.close(event.code, event.reason);
    socket.onerror = (event) => handlers.error(event && event.error ? event.error : new Error('websocket error'));
    return {
      send(text) {
        socket.send(text);
      },
      close(code, reason) {
        try {
          socket.close(code, reason);
        } catch {
          // Closing a socket that never opened may throw on some platforms; it is gone either way.
        }
      },
    };
  };
}

/**
 * Adapter for WeChat mini-programs: `wx.connectSocket` and its SocketTask. Use it with `wxAdapter(wx)`.
 * The URL must be `wss://` to a domain registered as a socket legal domain (see the sample's README).
 * @param {any} wxApi the `wx` object
 * `perMessageDeflate: true` asks for compression (RFC 7692): PipeChat accepts it and sends room
 * messages of 256 bytes and more compressed.
 * @param {{ header?: Record<string, string>, timeout?: number, tcpNoDelay?: boolean, perMessageDeflate?: boolean }} [options]
 */
export function wxAdapter(wxApi, options = {}) {
  if (!wxApi || typeof wxApi.connectSocket !== 'function') {
    throw new TypeError('wxAdapter: pass the wx object');
  }
  return function connect(url, handlers) {
    const request = {
      url,
      // e.g. a domain not on the socket legal domain list: no onClose may follow, so report it.
      fail: (res) => {
        handlers.error(new Error((res && res.errMsg) || 'connectSocket failed'));
        handlers.close(1006, (res && res.errMsg) || 'connectSocket failed');
      },
    };
    for (const key of ['header', 'timeout', 'tcpNoDelay', 'perMessageDeflate']) {
      if (options[key] !== undefined) {
        request[key] = options[key];
      }
    }
    const task = wxApi.connectSocket(request);
    task.onOpen(() => handlers.open());
    task.onMessage((res) => {
      if (typeof res.data === 'string') {
        handlers.message(res.data);
      }
    });
    task.onClose((res) => handlers.close(res && res.code, res && res.reason));
    task.onError((res) => handlers.error(new Error((res && res.errMsg) || 'socket error')));
    return {
      send(text) {
        task.send({
          data: text,
          fail: (res) => handlers.error(new Error((res && res.errMsg) || 'send failed')),
        });
      },
      close(code, reason) {
        // SocketTask accepts only 1000 or 3000–4999.
        task.close({ code: code === 1000 || (code >= 3000 && code <= 4999) ? code : 1000, reason, fail() {} });
      },
    };
  };
}

// ---------------------------------------------------------------------------------------------
// The client.
// ---------------------------------------------------------------------------------------------

const DEFAULTS = Object.freeze({
  requestTimeout: 10000,
  connectTimeout: 10000,
  heartbeatInterval: 20000,
  heartbeatTimeout: 10000,
  reconnect: true,
  reconnectDelay: 500,
  reconnectMaxDelay: 30000,
  reconnectFactor: 2,
  reconnectJitter: 0.5,
  refreshBefore: 60000,
});

/** Which reply type settles which request type. */
const REPLY_TYPES = Object.freeze({
  join: 'joined',
  leave: 'left',
  room: 'ack',
  notice: 'ack',
  broadcast: 'ack',
  ping: 'pong',
  history: 'history',
  query: null, // members or online
  refresh: 'ack',
  mute: 'ack',
  ban: 'ack',
  recall: 'ack',
  readonly: 'ack',
});

export class PipeChatClient {
  /**
   * @param {object} options see pipechat.d.ts (PipeChatOptions)
   */
  constructor(options) {
    if (!options || typeof options.url !== 'string') {
      throw new TypeError('PipeChatClient: options.url is required (e.g. wss://chat.example.com)');
    }
    if (typeof options.adapter !== 'function') {
      throw new TypeError('PipeChatClient: options.adapter is required (webSocketAdapter() or wxAdapter(wx))');
    }
    if (options.id == null && options.token == null) {
      throw new TypeError('PipeChatClient: options.id or options.token is required');
    }
    this.options = { ...DEFAULTS, ...options };
    /** @type {string} */
    this.state = States.idle;
    /** User id the server assigned (from `welcome`), or null before the first welcome. */
    this.id = null;
    /** Server connection number from the last `welcome`. */
    this.conn = null;
    /** Rooms this client wants to be in; re-joined after every reconnect. */
    this.rooms = new Set();

    this._positions = new Map(); // roomid → { seq, epoch }: the last room message delivered

    this._listeners = new Map();
    this._socket = null;
    this._generation = 0;
    this._nextRef = 1;
    this._pending = new Map(); // ref → { type, roomid, resolve, reject, timer }
    this._queue = []; // requests made while (re)connecting: { envelope, entry }
    this._joinWaiters = new Map(); // roomid → [{ resolve, reject, timer }]
    this._attempt = 0;
    this._reconnectTimer = null;
    this._connectTimer = null;
    this._heartbeatTimer = null;
    this._pongTimer = null;
    this._refreshTimer = null;
    this._hidden = false;
    this._connectWaiters = [];
  }

  // ---- events ---------------------------------------------------------------------------------

  /**
   * Subscribes to an event; returns a function that unsubscribes.
   * Events: state, welcome, room, reset, notice, broadcast, presence, joined, left, error, close, message,
   * recall, removed, refreshed, refreshError, tokenExpired.
   */
  on(event, listener) {
    let set = this._listeners.get(event);
    if (!set) {
      set = new Set();
      this._listeners.set(event, set);
    }
    set.add(listener);
    return () => this.off(event, listener);
  }

  off(event, listener) {
    const set = this._listeners.get(event);
    if (set) {
      set.delete(listener);
    }
  }

  once(event, listener) {
    const off = this.on(event, (...args) => {
      off();
      listener(...args);
    });
    return off;
  }

  _emit(event, payload) {
    const set = this._listeners.get(event);
    if (!set) {
      return;
    }
    for (const listener of [...set]) {
      try {
        listener(payload);
      } catch (err) {
        if (event !== 'listenerError') {
          this._emit('listenerError', err);
        }
      }
    }
  }

  // ---- connection -----------------------------------------------------------------------------

  /**
   * Opens the connection (and keeps it open: reconnects until close()). Resolves with the
   * welcome data once the server has greeted this connection.
   * @returns {Promise<{ id: string, conn: number, server: string }>}
   */
  connect() {
    if (this.state === States.open) {
      return Promise.resolve({ id: this.id, conn: this.conn, server: this._server });
    }
    const promise = new Promise((resolve, reject) => this._connectWaiters.push({ resolve, reject }));
    if (this.state === States.idle || this.state === States.closed) {
      this._attempt = 0;
      this._open();
    }
    return promise;
  }

  /** Closes the connection for good (no reconnect). Pending requests fail with `closed`. */
  close() {
    this._clearTimers();
    const socket = this._socket;
    this._socket = null;
    this._generation++;
    if (socket) {
      socket.close(1000, 'client closed');
    }
    this._failPending('closed', 'the client was closed');
    this._failQueue('closed', 'the client was closed');
    for (const [roomid] of this._joinWaiters) {
      this._rejectJoinWaiters(roomid, new PipeChatError('closed', 'the client was closed', { roomid }));
    }
    for (const waiter of this._connectWaiters.splice(0)) {
      waiter.reject(new PipeChatError('closed', 'the client was closed'));
    }
    this._setState(States.closed);
  }

  /**
   * Call from the mini-program's App.onShow (or a page's visibilitychange → visible): checks the
   * socket at once — a mini-program's socket is often dead after a few seconds in the background
   * without any onClose — and reconnects now instead of waiting for the backoff.
   */
  onShow() {
    this._hidden = false;
    if (this.state === States.open) {
      this._probe();
    } else if (this.state === States.reconnecting) {
      clearTimeout(this._reconnectTimer);
      this._reconnectTimer = null;
      this._attempt = 0;
      this._open();
    }
  }

  /** Call from App.onHide: reconnect attempts wait until onShow (timers are frozen in background). */
  onHide() {
    this._hidden = true;
  }

  /** Forces a reconnect now (e.g. after the network type changed). */
  reconnect() {
    if (this.state === States.closed || this.state === States.idle) {
      return;
    }
    this._drop(4000, 'reconnect requested');
  }

  async _url() {
    const { url, id, token } = this.options;
    const value = typeof token === 'function' ? await token() : token;
    const base = url.replace(/\/+$/, '');
    if (value != null) {
      return `${base}/?token=${encodeURIComponent(value)}`;
    }
    return `${base}/${encodeURIComponent(id)}`;
  }

  _open() {
    this._setState(States.connecting);
    const generation = ++this._generation;
    this._clearConnectTimer();
    this._connectTimer = setTimeout(() => {
      if (generation === this._generation) {
        this._drop(4001, 'connect timeout');
      }
    }, this.options.connectTimeout);

    this._url().then(
      (url) => {
        if (generation !== this._generation) {
          return;
        }
        const handlers = {
          open: () => {
            if (generation === this._generation) {
              this._lastReceived = Date.now();
            }
          },
          message: (text) => {
            if (generation === this._generation) {
              this._onMessage(text);
            }
          },
          close: (code, reason) => {
            if (generation === this._generation) {
              this._onSocketClosed(code ?? 1006, reason ?? '');
            }
          },
          error: (error) => {
            if (generation === this._generation) {
              this._emit('transportError', error);
            }
          },
        };
        try {
          this._socket = this.options.adapter(url, handlers);
        } catch (error) {
          this._emit('transportError', error);
          this._onSocketClosed(1006, String(error && error.message));
        }
      },
      (error) => {
        if (generation === this._generation) {
          this._emit('transportError', error);
          this._onSocketClosed(1006, 'token unavailable');
        }
      },
    );
  }

  /** Abandons the current socket (closing it best effort) and schedules a reconnect. */
  _drop(code, reason) {
    const socket = this._socket;
    this._socket = null;
    this._generation++;
    if (socket) {
      socket.close(code >= 4000 ? code : 1000, reason);
    }
    this._onSocketClosed(code, reason);
  }

  _onSocketClosed(code, reason) {
    this._socket = null;
    this._generation++;
    this._clearTimers();
    const willReconnect = this.options.reconnect !== false && this.state !== States.closed;
    this._failPending('disconnected', 'the connection was lost before the reply', true);
    this._onTokenClose(code, reason);
    this._emit('close', { code, reason, willReconnect });
    if (this.state === States.closed) {
      return; // a close listener called close()
    }
    if (!willReconnect) {
      this._failQueue('disconnected', 'the connection was lost');
      for (const [roomid] of this._joinWaiters) {
        this._rejectJoinWaiters(roomid, new PipeChatError('disconnected', 'the connection was lost', { roomid }));
      }
      for (const waiter of this._connectWaiters.splice(0)) {
        waiter.reject(new PipeChatError('disconnected', `connection closed (${code})`));
      }
      this._setState(States.closed);
      return;
    }
    this._setState(States.reconnecting);
    this._scheduleReconnect();
  }

  /** Delay before reconnect attempt n (0-based): exponential backoff with jitter. */
  backoffDelay(attempt) {
    const { reconnectDelay, reconnectMaxDelay, reconnectFactor, reconnectJitter } = this.options;
    const exp = Math.min(reconnectMaxDelay, reconnectDelay * reconnectFactor ** attempt);
    return Math.round(exp * (1 - reconnectJitter * Math.random()));
  }

  _scheduleReconnect() {
    if (this._hidden) {
      return; // onShow reconnects
    }
    const delay = this.backoffDelay(this._attempt++);
    this._emit('reconnecting', { attempt: this._attempt, delay });
    this._reconnectTimer = setTimeout(() => {
      this._reconnectTimer = null;
      if (this.state === States.reconnecting) {
        this._open();
      }
    }, delay);
  }

  _setState(state) {
    if (this.state === state) {
      return;
    }
    const previous = this.state;
    this.state = state;
    this._emit('state', { state, previous });
  }

  _clearConnectTimer() {
    clearTimeout(this._connectTimer);
    this._connectTimer = null;
  }

  _clearTimers() {
    this._clearConnectTimer();
    clearTimeout(this._heartbeatTimer);
    clearTimeout(this._pongTimer);
    clearTimeout(this._reconnectTimer);
    clearTimeout(this._refreshTimer);
    this._refreshTimer = null;
    this._heartbeatTimer = null;
    this._pongTimer = null;
    this._reconnectTimer = null;
  }

  // ---- heartbeat ------------------------------------------------------------------------------
  // Every heartbeatInterval the client sends {"type":"ping"}; any message from the server within
  // heartbeatTimeout proves the socket alive. Otherwise the socket is dropped (it may never report
  // onClose: mini-programs lose sockets silently in the background) and the client reconnects.

  _scheduleHeartbeat(delay = this.options.heartbeatInterval) {
    clearTimeout(this._heartbeatTimer);
    this._heartbeatTimer = null;
    if (!(this.options.heartbeatInterval > 0)) {
      return;
    }
    this._heartbeatTimer = setTimeout(() => {
      this._heartbeatTimer = null;
      // Traffic is proof of life too: probe only after a full interval of silence.
      const quiet = Date.now() - this._lastReceived;
      if (quiet < this.options.heartbeatInterval) {
        this._scheduleHeartbeat(this.options.heartbeatInterval - quiet);
      } else {
        this._probe();
      }
    }, delay);
  }

  _probe() {
    if (this.state !== States.open || this._pongTimer) {
      return;
    }
    clearTimeout(this._heartbeatTimer);
    this._heartbeatTimer = null;
    const generation = this._generation;
    this._pongTimer = setTimeout(() => {
      this._pongTimer = null;
      if (generation === this._generation && this.state === States.open) {
        this._emit('heartbeatTimeout', { timeout: this.options.heartbeatTimeout });
        this._drop(4002, 'heartbeat timeout');
      }
    }, this.options.heartbeatTimeout);
    this._sendRaw({ type: 'ping' });
  }

  _onAlive() {
    this._lastReceived = Date.now();
    if (this._pongTimer) {
      clearTimeout(this._pongTimer);
      this._pongTimer = null;
      if (this.state === States.open) {
        this._scheduleHeartbeat();
      }
    }
  }

  // ---- inbound --------------------------------------------------------------------------------

  _onMessage(text) {
    let message;
    try {
      message = JSON.parse(text);
    } catch {
      this._emit('transportError', new Error('server sent a message that is not JSON'));
      return;
    }
    if (!message || typeof message !== 'object') {
      return;
    }
    this._onAlive();
    this._emit('message', message);

    if (message.ref !== undefined && this._pending.has(message.ref)) {
      this._settle(message);
      return;
    }
    if (this._onModerationMessage(message)) {
      return;
    }

    const data = message.data;
    switch (message.type) {
      case 'welcome':
        this._onWelcome(data || {});
        break;
      case 'room':
        this._onRoom(data);
        break;
      case 'reset':
        this._onReset(data || {});
        break;
      case 'notice':
        this._emit('notice', { from: message.from, data });
        break;
      case 'broadcast':
        this._emit('broadcast', { from: message.from, data });
        break;
      case 'join':
      case 'leave':
        this._emit('presence', { type: message.type, ...data });
        break;
      case 'skipped':
      case 'counter':
        this._onOverloadEvent(message.type, data || {});
        break;
      case 'error': {
        const error = new PipeChatError(data?.code ?? 'unknown', data?.message ?? 'error', { ref: message.ref });
        this._emit('error', error);
        break;
      }
      default:
        // pong without ref, joined/left for a ref we no longer wait for, or a future type.
        break;
    }
  }

  /** Delivers a room message once and in seq order: anything at or below the last seq is a duplicate. */
  _onRoom(data) {
    const position = data ? this._positions.get(data.roomid) : undefined;
    if (position && typeof data.seq === 'number') {
      if (data.seq <= position.seq) {
        return;
      }
      position.seq = data.seq;
    }
    this._emit('room', data);
  }

  /** The server could not replay what this client missed: restart from its position, tell the app. */
  _onReset(data) {
    if (typeof data.roomid !== 'string') {
      return;
    }
    const reset = { roomid: data.roomid, seq: data.seq ?? 0, epoch: data.epoch ?? null };
    if (this.rooms.has(reset.roomid)) {
      this._positions.set(reset.roomid, { seq: reset.seq, epoch: reset.epoch });
    }
    this._emit('reset', reset);
  }

  _onWelcome(data) {
    this._clearConnectTimer();
    this.id = data.id ?? null;
    this.conn = data.conn ?? null;
    this._server = data.server;
    const reconnected = this._everOpened === true;
    this._everOpened = true;
    this._attempt = 0;
    this._setState(States.open);
    this._emit('welcome', { ...data, reconnected });
    this._scheduleHeartbeat();
    this._scheduleRefresh(data.exp);

    // Re-join every room first, then send what was queued while (re)connecting: the server
    // handles one connection's requests in order, so queued room messages follow the joins.
    for (const roomid of this.rooms) {
      this._sendJoin(roomid, reconnected);
    }
    for (const { envelope, entry } of this._queue.splice(0)) {
      this._sendRequest(envelope, entry);
    }
    for (const waiter of this._connectWaiters.splice(0)) {
      waiter.resolve({ id: this.id, conn: this.conn, server: this._server });
    }
  }

  _settle(message) {
    const entry = this._pending.get(message.ref);
    this._pending.delete(message.ref);
    clearTimeout(entry.timer);
    if (message.type === 'error') {
      const error = new PipeChatError(message.data?.code ?? 'unknown', message.data?.message ?? 'error', {
        ref: message.ref,
        request: entry.type,
        roomid: entry.roomid,
      });
      if (entry.type === 'join') {
        this.rooms.delete(entry.roomid);
        this._positions.delete(entry.roomid);
        this._rejectJoinWaiters(entry.roomid, error);
        if (entry.rejoin) {
          this._emit('error', error);
        }
        return;
      }
      entry.reject(error);
      return;
    }
    const expected = REPLY_TYPES[entry.type];
    if (expected && message.type !== expected) {
      entry.reject(new PipeChatError('unexpected_reply', `expected ${expected}, got ${message.type}`, { ref: message.ref }));
      return;
    }
    if (entry.type === 'join') {
      this._onJoined(entry, message.data ?? {});
      const joined = { ...message.data, rejoin: entry.rejoin === true, resumed: entry.since !== undefined };
      this._emit('joined', joined);
      this._resolveJoinWaiters(entry.roomid, joined);
      return;
    }
    if (entry.type === 'leave') {
      this._emit('left', message.data);
    }
    if (entry.type === 'history') {
      entry.resolve(historyPage(message.data));
      return;
    }
    entry.resolve(message.data ?? {});
  }

  /**
   * A fresh join starts at the room's current seq. A resuming join keeps its position: the
   * missed messages follow the reply (or a reset, which moves the position).
   */
  _onJoined(entry, data) {
    if (!this.rooms.has(entry.roomid)) {
      return; // left while the join was on its way
    }
    const position = this._positions.get(entry.roomid);
    if (entry.since === undefined || !position) {
      this._positions.set(entry.roomid, { seq: data.seq ?? 0, epoch: data.epoch ?? null });
    } else if (position.epoch == null && data.epoch != null) {
      position.epoch = data.epoch;
    }
  }

  // ---- outbound -------------------------------------------------------------------------------

  _sendRaw(envelope) {
    if (!this._socket) {
      return false;
    }
    try {
      this._socket.send(JSON.stringify(envelope));
      return true;
    } catch (error) {
      this._emit('transportError', error);
      return false;
    }
  }

  _sendRequest(envelope, entry) {
    const ref = this._nextRef++;
    entry.ref = ref;
    this._pending.set(ref, entry);
    this._sendRaw({ ...envelope, ref });
  }

  /**
   * Sends a request and resolves with its reply's data (rejects with PipeChatError). Made while
   * connecting or reconnecting, the request waits for the connection (within its timeout).
   */
  request(type, data, { timeout } = {}) {
    if (this.state === States.idle || this.state === States.closed) {
      return Promise.reject(new PipeChatError('not_connected', 'call connect() first', { request: type }));
    }
    return new Promise((resolve, reject) => {
      const entry = { type, resolve, reject, timer: null, ref: null };
      const envelope = data === undefined ? { type } : { type, data };
      entry.timer = setTimeout(() => {
        if (entry.ref !== null) {
          this._pending.delete(entry.ref);
        } else {
          const index = this._queue.findIndex((q) => q.entry === entry);
          if (index >= 0) {
            this._queue.splice(index, 1);
          }
        }
        reject(new PipeChatError('timeout', `no reply to ${type} within ${timeout ?? this.options.requestTimeout} ms`, { request: type }));
      }, timeout ?? this.options.requestTimeout);
      if (this.state === States.open) {
        this._sendRequest(envelope, entry);
      } else {
        this._queue.push({ envelope, entry });
      }
    });
  }

  _sendJoin(roomid, rejoin) {
    const ref = this._nextRef++;
    const data = { roomid };
    const position = this._positions.get(roomid);
    if (position) {
      data.since = position.seq;
      if (position.epoch != null) {
        data.epoch = position.epoch;
      }
    }
    this._pending.set(ref, { type: 'join', roomid, rejoin, since: data.since, ref, timer: null, resolve() {}, reject() {} });
    this._sendRaw({ type: 'join', data, ref });
  }

  _resolveJoinWaiters(roomid, value) {
    const waiters = this._joinWaiters.get(roomid);
    this._joinWaiters.delete(roomid);
    for (const waiter of waiters ?? []) {
      clearTimeout(waiter.timer);
      waiter.resolve(value);
    }
  }

  _rejectJoinWaiters(roomid, error) {
    const waiters = this._joinWaiters.get(roomid);
    this._joinWaiters.delete(roomid);
    for (const waiter of waiters ?? []) {
      clearTimeout(waiter.timer);
      waiter.reject(error);
    }
  }

  _failPending(code, message, keepJoins) {
    for (const [ref, entry] of this._pending) {
      clearTimeout(entry.timer);
      if (entry.type === 'join' && keepJoins) {
        continue; // the room stays wanted: it is joined again after the reconnect
      }
      entry.reject(new PipeChatError(code, message, { ref, request: entry.type }));
    }
    this._pending.clear();
  }

  _failQueue(code, message) {
    for (const { entry } of this._queue.splice(0)) {
      clearTimeout(entry.timer);
      entry.reject(new PipeChatError(code, message, { request: entry.type }));
    }
  }

  // ---- API ------------------------------------------------------------------------------------

  /**
   * Joins a room and keeps it joined across reconnects, resuming from the last message seen.
   * Resolves with `{ roomid, count, seq, epoch, rejoin, resumed }`.
   * Called while (re)connecting, it resolves once the connection is up and the room joined.
   */
  join(roomid, { timeout } = {}) {
    if (this.state === States.idle || this.state === States.closed) {
      return Promise.reject(new PipeChatError('not_connected', 'call connect() first', { request: 'join', roomid }));
    }
    return new Promise((resolve, reject) => {
      const waiter = { resolve, reject, timer: null };
      waiter.timer = setTimeout(() => {
        const waiters = this._joinWaiters.get(roomid) ?? [];
        const index = waiters.indexOf(waiter);
        if (index >= 0) {
          waiters.splice(index, 1);
        }
        reject(new PipeChatError('timeout', `no reply to join within ${timeout ?? this.options.requestTimeout} ms`, { request: 'join', roomid }));
      }, timeout ?? this.options.requestTimeout);
      const waiters = this._joinWaiters.get(roomid);
      if (waiters) {
        waiters.push(waiter);
      } else {
        this._joinWaiters.set(roomid, [waiter]);
      }
      this.rooms.add(roomid);
      if (this.state === States.open) {
        this._sendJoin(roomid, false);
      }
    });
  }

  /** Leaves a room (and stops re-joining it; a later join starts afresh). Offline, it only forgets the room. */
  leave(roomid, options) {
    this.rooms.delete(roomid);
    this._positions.delete(roomid);
    this._rejectJoinWaiters(roomid, new PipeChatError('left', 'left the room before it was joined', { roomid }));
    if (this.state !== States.open) {
      return Promise.resolve({ roomid, count: null });
    }
    return this.request('leave', { roomid }, options);
  }

  /**
   * Sends `data` (any JSON) to a room; resolves with the ack `{ seq }`, or `{ dropped: true,
   * reason, priority }` when the room's rate cap dropped it. `options.priority`: 'high' | 'normal'
   * | 'low' (see roomPriorityBody).
   */
  room(roomid, data, options) {
    return this.request('room', roomPriorityBody(roomid, data, options), options);
  }

  /** Sends a private message to every connection of user `id`; rejects with code `offline` when none. */
  notice(id, data, options) {
    return this.request('notice', { id, data }, options);
  }

  /** Sends `data` to everyone on the server (may be `forbidden` by configuration). */
  broadcast(data, options) {
    return this.request('broadcast', data, options);
  }

  /** Query: `{ roomid }` → `{ roomid, count, members, truncated }`; `{ id }` → `{ id, online, connections }`. */
  query(what, options) {
    return this.request('query', what, options);
  }

  /** Members of a room (bounded list plus count). */
  members(roomid, options) {
    return this.query({ roomid }, options);
  }

  /** Whether user `id` has an open connection: `{ id, online, connections }`. */
  online(id, options) {
    return this.query({ id }, options);
  }

  /**
   * Older messages of a joined room, oldest first: up to `limit` (server default 50, at most 100)
   * with seq < `before` (default: up to the newest). Resolves with
   * `{ roomid, epoch, more, messages }`; each message has the shape of a `room` event. Page back
   * with `before: messages[0].seq` while `more` is true.
   */
  history(roomid, { before, limit, timeout } = {}) {
    const data = { roomid };
    if (before !== undefined) {
      data.before = before;
    }
    if (limit !== undefined) {
      data.limit = limit;
    }
    return this.request('history', data, { timeout });
  }

  /** Where the client stands in a joined room: `{ seq, epoch }` of the last message delivered, or null. */
  position(roomid) {
    const position = this._positions.get(roomid);
    return position ? { seq: position.seq, epoch: position.epoch } : null;
  }

  // ---- live rooms under overload: counters, skipped, priorities ----------------------------------

  /**
   * Adds `by` (default 1, may be negative) to a room counter such as likes. Fire and forget: the
   * server sends the room one `counter` event per counter at most once per interval, however many
   * increments arrived. Returns false when not connected (the increment is not queued).
   */
  count(roomid, name, by = 1) {
    return this._sendRaw({ type: 'count', data: { roomid, name, by } });
  }

  /** Like count() but waits for the server's ack (rejects with e.g. `too_many_counters`). */
  countAcked(roomid, name, by = 1, options) {
    return this.request('count', { roomid, name, by }, options);
  }

  /**
   * `skipped` (this connection fell behind and the server skipped messages for it: `{ roomid,
   * from_seq, to_seq, count }`, before the next message it gets; page them with history() if
   * wanted) and `counter` (`{ roomid, name, value }`). A skipped run moves the room's position on,
   * so a resume does not replay what was skipped.
   */
  _onOverloadEvent(type, data) {
    if (type === 'skipped') {
      const position = this._positions.get(data.roomid);
      if (position && typeof data.to_seq === 'number' && data.to_seq > position.seq) {
        position.seq = data.to_seq;
      }
      this._emit('skipped', data);
    } else {
      this._emit('counter', data);
    }
  }

  /** Round trip to the server; resolves with the pong's data (usually `{}`). */
  ping(options) {
    return this.request('ping', undefined, options);
  }

  // ---- tokens and moderation (docs/protocol.md: refresh, recall, mute, ban, readonly) ---------

  /**
   * Sends a new token for this connection (default: calls the `token` option again); resolves
   * with `{ exp }`. Rooms the new token no longer allows are left (a `removed` event each).
   */
  async refresh(token, options) {
    const { token: source } = this.options;
    const value = token ?? (typeof source === 'function' ? await source() : source);
    const reply = await this.request('refresh', { token: value }, options);
    this._scheduleRefresh(reply.exp);
    this._emit('refreshed', { exp: reply.exp });
    return reply;
  }

  /** Moderator: mutes user `id` in the room for `seconds` (0 lifts; null: until lifted). */
  mute(roomid, id, seconds, options) {
    return this.request('mute', seconds == null ? { roomid, id } : { roomid, id, seconds }, options);
  }

  /** Moderator: bans user `id` from the room for `seconds` (0 lifts; null: until lifted); their connections leave it at once. */
  ban(roomid, id, seconds, options) {
    return this.request('ban', seconds == null ? { roomid, id } : { roomid, id, seconds }, options);
  }

  /** Moderator: recalls the room message `seq` (members get a `recall` event; history keeps a tombstone). */
  recall(roomid, seq, options) {
    return this.request('recall', { roomid, seq }, options);
  }

  /** Moderator: makes the room read-only (only moderators and the server API may send) or not. */
  setReadOnly(roomid, on, options) {
    return this.request('readonly', { roomid, on: on === true }, options);
  }

  /**
   * With a `token` function and a token that expires (welcome's `exp`), asks for a new token
   * `refreshBefore` ms before the expiry and sends it; a failed refresh is reported as a
   * `refreshError` event (the server then closes with 4001 and the reconnect gets a new token).
   */
  _scheduleRefresh(exp) {
    clearTimeout(this._refreshTimer);
    this._refreshTimer = null;
    if (typeof exp !== 'number' || typeof this.options.token !== 'function') {
      return;
    }
    const lifetime = exp * 1000 - Date.now();
    const delay = Math.max(0, Math.min(lifetime - this.options.refreshBefore, lifetime / 2, 2147483647));
    const generation = this._generation;
    this._refreshTimer = setTimeout(() => {
      this._refreshTimer = null;
      if (this.state === States.open && generation === this._generation) {
        this.refresh().catch((error) => this._emit('refreshError', error));
      }
    }, delay);
  }

  _onTokenClose(code, reason) {
    if (code === 4001) {
      this._emit('tokenExpired', { code, reason });
    }
  }

  /** recall events, and `left` without a ref: put out of a room (banned, or the token no longer allows it). */
  _onModerationMessage(message) {
    const data = message.data;
    if (message.type === 'recall' && data) {
      this._emit('recall', { roomid: data.roomid, seq: data.seq, by: data.by });
      return true;
    }
    if (message.type === 'left' && message.ref === undefined && data && typeof data.reason === 'string') {
      this.rooms.delete(data.roomid);
      this._positions.delete(data.roomid);
      this._emit('removed', { roomid: data.roomid, reason: data.reason, count: data.count });
      return true;
    }
    return false;
  }
}

/** The data of a `room` request: `priority` only when the caller set one ('high' needs the room's host right). */
function roomPriorityBody(roomid, data, options) {
  const body = { roomid, data };
  if (options && options.priority !== undefined) {
    if (!['high', 'normal', 'low'].includes(options.priority)) {
      throw new TypeError("priority must be 'high', 'normal' or 'low'");
    }
    body.priority = options.priority;
  }
  return body;
}

/** A history reply as the app sees it: the messages in the shape of `room` events. */
function historyPage(data) {
  const messages = Array.isArray(data?.messages) ? data.messages : [];
  return {
    roomid: data?.roomid,
    epoch: data?.epoch ?? null,
    more: data?.more === true,
    messages: messages.map((m) => (m && m.data) || m),
  };
}
