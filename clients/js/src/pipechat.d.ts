// Types for pipechat.js — the PipeChat client SDK (protocol: docs/protocol.md).

export declare const VERSION: string;

export type State = 'idle' | 'connecting' | 'open' | 'reconnecting' | 'closed';
export declare const States: Readonly<{ [K in State]: K }>;

/** Any JSON value: payloads are forwarded by the server byte for byte. */
export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** What an adapter reports about its one socket. */
export interface SocketHandlers {
  open(): void;
  message(text: string): void;
  close(code: number | undefined, reason: string | undefined): void;
  error(error: unknown): void;
}

/** One open socket as the client sees it. */
export interface AdapterSocket {
  send(text: string): void;
  close(code: number, reason: string): void;
}

/** Opens one socket to `url`. */
export type Adapter = (url: string, handlers: SocketHandlers) => AdapterSocket;

/**
 * The standard WebSocket (browsers, Node 22+) or a compatible constructor such as the `ws`
 * package's. `constructorOptions` is passed as the constructor's second argument (for `ws`:
 * `{ rejectUnauthorized: false }` accepts a self-signed certificate in tests; `{ agent }` too).
 */
export declare function webSocketAdapter(WebSocketImpl?: unknown, constructorOptions?: object): Adapter;

/** WeChat mini-programs: `wx.connectSocket` / SocketTask. */
export declare function wxAdapter(
  wx: unknown,
  options?: { header?: Record<string, string>; timeout?: number; tcpNoDelay?: boolean; perMessageDeflate?: boolean },
): Adapter;

export interface PipeChatOptions {
  /** Server base URL: `wss://chat.example.com` (mini-programs: wss, no port) or `ws://127.0.0.1:3001`. */
  url: string;
  /** User id (auth off): connects to `<url>/<id>`. */
  id?: string;
  /**
   * JWT (auth on): connects to `<url>/?token=…`; a function is called before every (re)connect,
   * and again `refreshBefore` ms before the token's expiry to refresh the open connection.
   */
  token?: string | (() => string | Promise<string>);
  /** With a token function: how long (ms) before the token's exp the client refreshes it. Default 60000. */
  refreshBefore?: number;
  adapter: Adapter;
  /** Request → reply timeout in ms. Default 10000. */
  requestTimeout?: number;
  /** Time from opening a socket to the server's welcome, in ms. Default 10000. */
  connectTimeout?: number;
  /** Silence (ms) after which the client sends {"type":"ping"}; 0 turns the heartbeat off. Default 20000. */
  heartbeatInterval?: number;
  /** Time (ms) the server has to answer a heartbeat before the socket is declared dead. Default 10000. */
  heartbeatTimeout?: number;
  /** Reconnect after a lost connection. Default true. */
  reconnect?: boolean;
  /** First reconnect delay in ms. Default 500. */
  reconnectDelay?: number;
  /** Largest reconnect delay in ms. Default 30000. */
  reconnectMaxDelay?: number;
  /** Growth per attempt. Default 2. */
  reconnectFactor?: number;
  /** Fraction (0–1) of the delay removed at random, spreading reconnects of many clients. Default 0.5. */
  reconnectJitter?: number;
}

export interface Welcome {
  id: string;
  conn: number;
  server: string;
  /** The token's expiry (unix seconds), when the connection was opened with a token. */
  exp?: number;
}

export interface Joined {
  roomid: string;
  count: number;
  /** The room's last seq: the next message has seq + 1. */
  seq: number;
  /** Names this run of seq numbers; changes when the server lost the room's history (a restart). */
  epoch: string;
  /** True when this join was sent by the SDK after a reconnect. */
  rejoin: boolean;
  /**
   * True when the join carried the last seq seen (`since`) and `epoch`: the messages missed
   * meanwhile follow as `room` events, or a `reset` event says they cannot.
   */
  resumed: boolean;
}

/**
 * The server could not replay what the client missed in a room (its history no longer reaches
 * back that far, or the epoch changed: the server restarted). Discard the room's view and reload
 * it with `history()`. `seq`/`epoch` are the room's current position; live messages continue
 * from `seq + 1`.
 */
export interface Reset {
  roomid: string;
  seq: number;
  epoch: string | null;
}

/** Where the client stands in a room: the last message delivered. */
export interface Position {
  seq: number;
  epoch: string | null;
}

export interface HistoryOptions extends RequestOptions {
  /** Only messages with seq < before. Default: up to the newest. */
  before?: number;
  /** At most this many (server default 50, at most 100). */
  limit?: number;
}

export interface HistoryPage<T = Json> {
  roomid: string;
  epoch: string | null;
  /** Older kept messages exist: ask again with `before: messages[0].seq`. */
  more: boolean;
  /** Oldest first, each in the shape of a `room` event. */
  messages: RoomMessage<T>[];
}

export interface RoomMessage<T = Json> {
  roomid: string;
  /** Absent on a recalled message's tombstone. */
  from: string;
  seq: number;
  /** Absent on a recalled message's tombstone. */
  ts: number;
  /** Present when not normal. */
  priority?: 'high' | 'low';
  /** Absent on a recalled message's tombstone. */
  data: T;
  /** true: the message was recalled (history and resume give this tombstone in its place). */
  recalled?: true;
}

/** A moderator (or the server API) recalled message `seq`: show it as recalled. */
export interface Recall {
  roomid: string;
  seq: number;
  by: string;
}

/** The connection was put out of a room: `banned`, or `forbidden` (a refreshed token no longer allows it). */
export interface Removed {
  roomid: string;
  reason: 'banned' | 'forbidden';
  count: number;
}

export interface Notice<T = Json> {
  from: string;
  data: T;
}

export interface Presence {
  type: 'join' | 'leave';
  roomid: string;
  id: string;
  count: number;
}

export interface Members {
  roomid: string;
  count: number;
  members: string[];
  truncated: boolean;
}

export interface Online {
  id: string;
  online: boolean;
  connections: number;
}

export interface RequestOptions {
  timeout?: number;
}

/** A room message's priority: high (host, server API) is never skipped nor dropped; low is dropped and skipped first. */
export type Priority = 'high' | 'normal' | 'low';

export interface RoomSendOptions extends RequestOptions {
  /** Default normal; 'high' only for a user the app's backend named the room's host (else `forbidden`). */
  priority?: Priority;
}

/** The ack of a room message: its seq, or dropped by the room's rate cap (no seq, not kept, not delivered). */
export type RoomAck = { seq: number; dropped?: undefined } | { dropped: true; reason: 'room_rate'; priority: 'low' | 'normal' };

/** The server skipped messages for this connection because it fell behind: seqs from_seq..to_seq, count of them. */
export interface Skipped {
  roomid: string;
  from_seq: number;
  to_seq: number;
  count: number;
}

/** A room counter's value (coalesced: at most one per counter per interval). */
export interface Counter {
  roomid: string;
  name: string;
  value: number;
}

export interface EventMap {
  state: { state: State; previous: State };
  welcome: Welcome & { reconnected: boolean };
  joined: Joined;
  left: { roomid: string; count: number };
  /** Each room message once, in seq order (duplicates from a resume are dropped). */
  room: RoomMessage;
  reset: Reset;
  /** Messages skipped for this connection (it fell behind), sent before the next message it gets. */
  skipped: Skipped;
  counter: Counter;
  notice: Notice;
  broadcast: Notice;
  presence: Presence;
  /** A server error not tied to a pending request, or a failed re-join after a reconnect. */
  error: PipeChatError;
  close: { code: number; reason: string; willReconnect: boolean };
  reconnecting: { attempt: number; delay: number };
  heartbeatTimeout: { timeout: number };
  transportError: unknown;
  /** Every message from the server, parsed. */
  message: { type: string; data?: Json; ref?: string | number; from?: string };
  listenerError: unknown;
  recall: Recall;
  removed: Removed;
  /** The open connection got a new token (its exp). */
  refreshed: { exp: number };
  /** An automatic refresh failed (the token function threw, or the server refused: bad_token, forbidden). */
  refreshError: unknown;
  /** The server closed the connection with 4001: its token expired unrefreshed (the reconnect asks the token function again). */
  tokenExpired: { code: 4001; reason: string };
}

export declare class PipeChatError extends Error {
  /**
   * Server code (offline, not_in_room, bad_request, forbidden, muted, banned, readonly, bad_token,
   * not_found, …) or SDK code (timeout, disconnected, not_connected, closed).
   */
  code: string;
  ref?: string | number;
  request?: string;
  roomid?: string;
  constructor(code: string, message: string, details?: { ref?: string | number; request?: string; roomid?: string });
}

export declare class PipeChatClient {
  constructor(options: PipeChatOptions);
  readonly options: Required<Omit<PipeChatOptions, 'id' | 'token'>> & Pick<PipeChatOptions, 'id' | 'token'>;
  readonly state: State;
  /** User id from the last welcome. */
  readonly id: string | null;
  readonly conn: number | null;
  /** Rooms kept joined across reconnects. */
  readonly rooms: Set<string>;

  on<K extends keyof EventMap>(event: K, listener: (payload: EventMap[K]) => void): () => void;
  once<K extends keyof EventMap>(event: K, listener: (payload: EventMap[K]) => void): () => void;
  off<K extends keyof EventMap>(event: K, listener: (payload: EventMap[K]) => void): void;

  connect(): Promise<Welcome>;
  close(): void;
  /** App.onShow: check the socket now, reconnect at once if needed. */
  onShow(): void;
  /** App.onHide: hold reconnect attempts until onShow. */
  onHide(): void;
  reconnect(): void;
  backoffDelay(attempt: number): number;

  join(roomid: string, options?: RequestOptions): Promise<Joined>;
  leave(roomid: string, options?: RequestOptions): Promise<{ roomid: string; count: number | null }>;
  room(roomid: string, data: Json, options?: RoomSendOptions): Promise<RoomAck>;
  /** Adds `by` (default 1) to a room counter, fire and forget; false when not connected. */
  count(roomid: string, name: string, by?: number): boolean;
  /** count() acked by the server (rejects with e.g. too_many_counters). */
  countAcked(roomid: string, name: string, by?: number, options?: RequestOptions): Promise<Record<string, never>>;
  notice(id: string, data: Json, options?: RequestOptions): Promise<Record<string, never>>;
  broadcast(data: Json, options?: RequestOptions): Promise<Record<string, never>>;
  query(what: { roomid: string } | { id: string }, options?: RequestOptions): Promise<Members | Online>;
  members(roomid: string, options?: RequestOptions): Promise<Members>;
  online(id: string, options?: RequestOptions): Promise<Online>;
  /** Pages back through a joined room's kept messages. */
  history(roomid: string, options?: HistoryOptions): Promise<HistoryPage>;
  /** The last seq delivered and the epoch in a joined room, or null. */
  position(roomid: string): Position | null;
  ping(options?: RequestOptions): Promise<Record<string, never>>;
  /** Sends a new token (default: calls the token option again); rooms it no longer allows are left (`removed`). */
  refresh(token?: string, options?: RequestOptions): Promise<{ exp: number }>;
  /** Moderator: mute user `id` in the room for `seconds` (0 lifts; null/undefined: until lifted). */
  mute(roomid: string, id: string, seconds?: number | null, options?: RequestOptions): Promise<Record<string, never>>;
  /** Moderator: ban user `id` from the room for `seconds` (0 lifts; null/undefined: until lifted). */
  ban(roomid: string, id: string, seconds?: number | null, options?: RequestOptions): Promise<Record<string, never>>;
  /** Moderator: recall room message `seq`; rejects with `not_found` when the room never had it. */
  recall(roomid: string, seq: number, options?: RequestOptions): Promise<Record<string, never>>;
  /** Moderator: make the room read-only (only moderators and the server API send) or not. */
  setReadOnly(roomid: string, on: boolean, options?: RequestOptions): Promise<Record<string, never>>;
  request(type: string, data?: Json, options?: RequestOptions): Promise<any>;
}
