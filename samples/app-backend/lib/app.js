// The sample app backend's two endpoints, as a plain node:http request handler.
//
//   POST /login  {"code":"<wx.login code>"}  → 200 {"token","expiresAt","userId"}
//                code2Session gives the openid; the PipeChat token's sub is that openid.
//   POST /hook   PipeChat's publish hook (docs/hooks.md): {"roomid","from","data"} →
//                {"action":"allow"} or {"action":"reject","code":"wechat_risky"}, after
//                WeChat's msgSecCheck on the message's text.
import { mintToken, USER_ID_RULE } from './token.js';
import { WeChatApi } from './wechat.js';

const MAX_BODY = 64 * 1024;
const MAX_CONTENT = 2500; // msgSecCheck's limit on content

/** Reads the settings from environment variables (README.md lists them). */
export function configFromEnv(env = process.env) {
  const config = {
    host: env.HOST ?? '127.0.0.1',
    port: Number(env.PORT ?? 3100),
    wechatBase: env.WECHAT_API_BASE ?? 'https://api.weixin.qq.com',
    appId: env.WECHAT_APPID,
    appSecret: env.WECHAT_SECRET,
    authSecret: env.PIPECHAT_AUTH_SECRET,
    issuer: env.PIPECHAT_AUTH_ISSUER || undefined,
    audience: env.PIPECHAT_AUTH_AUDIENCE || undefined,
    tokenTtlSeconds: Number(env.TOKEN_TTL_SECONDS ?? 3600),
    hookKey: env.HOOK_KEY || undefined,
    reviewAction: env.REVIEW_ACTION ?? 'allow',
  };
  for (const [name, value] of [['WECHAT_APPID', config.appId], ['WECHAT_SECRET', config.appSecret], ['PIPECHAT_AUTH_SECRET', config.authSecret]]) {
    if (!value) {
      throw new Error(`${name} is required (see samples/app-backend/README.md)`);
    }
  }
  if (Buffer.byteLength(config.authSecret, 'utf8') < 32) {
    throw new Error('PIPECHAT_AUTH_SECRET must be at least 32 bytes (the server\'s --auth-secret)');
  }
  if (!['allow', 'reject'].includes(config.reviewAction)) {
    throw new Error('REVIEW_ACTION must be allow or reject');
  }
  return config;
}

function send(res, status, body) {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

async function readJson(req) {
  let size = 0;
  const chunks = [];
  for await (const chunk of req) {
    size += chunk.length;
    if (size > MAX_BODY) {
      throw Object.assign(new Error('body too large'), { status: 413 });
    }
    chunks.push(chunk);
  }
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch {
    throw Object.assign(new Error('body is not JSON'), { status: 400 });
  }
}

/** The text of a chat message's data, for msgSecCheck: a string, or every string inside. */
export function textOf(data) {
  const parts = [];
  const walk = (value) => {
    if (typeof value === 'string') parts.push(value);
    else if (Array.isArray(value)) value.forEach(walk);
    else if (value && typeof value === 'object') Object.values(value).forEach(walk);
  };
  walk(data);
  return parts.join('\n').slice(0, MAX_CONTENT);
}

export function createHandler(config, log = console) {
  const wechat = new WeChatApi({ base: config.wechatBase, appId: config.appId, appSecret: config.appSecret });

  async function login(req, res) {
    const { code } = await readJson(req);
    if (typeof code !== 'string' || code.length === 0 || code.length > 128) {
      return send(res, 400, { error: 'bad_request', message: 'body must be {"code":"<wx.login code>"}' });
    }
    let session;
    try {
      session = await wechat.code2Session(code);
    } catch (e) {
      // An expired or reused code (40029, 40163), or WeChat unreachable.
      log.warn?.(`login: ${e.message}`);
      return send(res, 401, { error: 'wechat_login_failed', errcode: e.errcode ?? null });
    }
    if (!USER_ID_RULE.test(session.openid)) {
      return send(res, 502, { error: 'bad_openid' });
    }
    const { token, expiresAt } = mintToken({
      sub: session.openid,
      secret: config.authSecret,
      ttlSeconds: config.tokenTtlSeconds,
      issuer: config.issuer,
      audience: config.audience,
    });
    return send(res, 200, { token, expiresAt, userId: session.openid });
  }

  async function hook(req, res, url) {
    if (config.hookKey && url.searchParams.get('key') !== config.hookKey) {
      return send(res, 403, { error: 'forbidden' });
    }
    const { from, data } = await readJson(req);
    const content = textOf(data);
    if (!content.trim()) {
      return send(res, 200, { action: 'allow' });
    }
    // Where WeChat's content security check runs: every member's room message passes here
    // before PipeChat gives it a seq. A failure answers 502: PipeChat then applies
    // --publish-hook-failure (closed: the sender gets error rejected, reason hook_unavailable).
    let verdict;
    try {
      verdict = await wechat.msgSecCheck({ openid: from, content });
    } catch (e) {
      log.warn?.(`hook: ${e.message}`);
      return send(res, 502, { error: 'msg_sec_check_failed' });
    }
    if (verdict.suggest === 'risky' || (verdict.suggest === 'review' && config.reviewAction === 'reject')) {
      return send(res, 200, { action: 'reject', code: `wechat_${verdict.suggest}` });
    }
    return send(res, 200, { action: 'allow' });
  }

  return async (req, res) => {
    const url = new URL(req.url, 'http://backend');
    try {
      if (req.method === 'POST' && url.pathname === '/login') return await login(req, res);
      if (req.method === 'POST' && url.pathname === '/hook') return await hook(req, res, url);
      if (req.method === 'GET' && url.pathname === '/healthz') return send(res, 200, { ok: true });
      return send(res, 404, { error: 'not_found' });
    } catch (e) {
      if (!res.headersSent) send(res, e.status ?? 500, { error: e.status ? 'bad_request' : 'internal', message: e.message });
    }
  };
}
