// The WeChat login recipe end to end (samples/app-backend): a fake WeChat API (code2Session,
// access token, msgSecCheck), the sample backend, and the real server with --auth-secret and the
// backend's /hook as --publish-hook. A code becomes a token whose user id is the openid; the
// SDK connects with it, joins and sends; msgSecCheck's "risky" comes back as error rejected.
// Then the mini-program sample's login page does the same through wx.login and wx.request.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import WebSocket from 'ws';
import { PipeChatClient, webSocketAdapter } from '../src/pipechat.js';
import { TestServer } from './support/server.js';
import { until } from './support/fake-wx.js';
import { createHandler, configFromEnv } from '../../../samples/app-backend/lib/app.js';

const SECRET = 'wechat-recipe-test-secret-0123456789abcdef';
const APPID = 'wx0123456789abcdef';
const APPSECRET = 'app-secret-for-tests';

/** The fake api.weixin.qq.com: codes "code-<name>" belong to openid "oFake_<name>". */
const wechatCalls = [];
const fakeWeChat = createServer(async (req, res) => {
  const url = new URL(req.url, 'http://wechat');
  let body = '';
  for await (const chunk of req) body += chunk;
  wechatCalls.push({ path: url.pathname, query: Object.fromEntries(url.searchParams), body: body ? JSON.parse(body) : null });
  const json = (value) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify(value));
  };
  if (url.pathname === '/sns/jscode2session') {
    const q = url.searchParams;
    if (q.get('appid') !== APPID || q.get('secret') !== APPSECRET || q.get('grant_type') !== 'authorization_code') {
      return json({ errcode: 40013, errmsg: 'invalid appid' });
    }
    const code = q.get('js_code');
    return code.startsWith('code-')
      ? json({ openid: `oFake_${code.slice(5)}`, session_key: 'never-leaves-the-backend' })
      : json({ errcode: 40029, errmsg: 'invalid code' });
  }
  if (url.pathname === '/cgi-bin/token') {
    return json({ access_token: 'AT-1', expires_in: 7200 });
  }
  if (url.pathname === '/wxa/msg_sec_check') {
    if (url.searchParams.get('access_token') !== 'AT-1') return json({ errcode: 40001, errmsg: 'invalid credential' });
    const { content } = JSON.parse(body);
    return json({ errcode: 0, errmsg: 'ok', result: { suggest: content.includes('违规') ? 'risky' : 'pass', label: content.includes('违规') ? 20001 : 100 } });
  }
  res.writeHead(404).end();
});

let backend;
let backendUrl;
let server;

const listen = (s) => new Promise((resolve) => s.listen(0, '127.0.0.1', () => resolve(`http://127.0.0.1:${s.address().port}`)));

before(async () => {
  const wechatUrl = await listen(fakeWeChat);
  const config = configFromEnv({ WECHAT_API_BASE: wechatUrl, WECHAT_APPID: APPID, WECHAT_SECRET: APPSECRET, PIPECHAT_AUTH_SECRET: SECRET, HOOK_KEY: 'hook-key-1' });
  backend = createServer(createHandler(config, { warn: () => {} }));
  backendUrl = await listen(backend);
  server = new TestServer({ args: ['--auth-secret', SECRET, '--publish-hook', `${backendUrl}/hook?key=hook-key-1`] });
  await server.start();
});

after(async () => {
  await server?.stop();
  backend?.close();
  fakeWeChat.close();
});

async function loginWithCode(code) {
  const response = await fetch(`${backendUrl}/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ code }) });
  return { status: response.status, body: await response.json() };
}

test('a wx.login code becomes a PipeChat token for the openid; the SDK connects, joins and sends; msgSecCheck rejects risky text', async () => {
  const { status, body } = await loginWithCode('code-alice');
  assert.equal(status, 200);
  assert.equal(body.userId, 'oFake_alice');
  assert.ok(body.expiresAt > Date.now() / 1000);
  assert.equal(JSON.stringify(body).includes('never-leaves-the-backend'), false, 'the session_key is not handed out');

  const alice = new PipeChatClient({ url: server.url, token: body.token, adapter: webSocketAdapter(WebSocket) });
  const welcome = await alice.connect();
  try {
    assert.equal(welcome.id, 'oFake_alice');
    await alice.join('wx-room');
    const seen = new Promise((resolve) => alice.once('room', resolve));
    const ack = await alice.room('wx-room', { text: '大家好' });
    assert.equal(ack.seq, 1);
    assert.equal((await seen).data.text, '大家好');
    const check = wechatCalls.find((c) => c.path === '/wxa/msg_sec_check');
    assert.deepEqual(check.body, { content: '大家好', version: 2, scene: 2, openid: 'oFake_alice' });

    await assert.rejects(alice.room('wx-room', { text: '一段违规内容' }), (e) => e.code === 'rejected');
  } finally {
    alice.close();
  }
});

test('a bad code gets 401 and no token; the hook refuses calls without its key', async () => {
  const { status, body } = await loginWithCode('expired');
  assert.equal(status, 401);
  assert.equal(body.error, 'wechat_login_failed');
  assert.equal(body.errcode, 40029);
  assert.equal(body.token, undefined);

  const hookWithoutKey = await fetch(`${backendUrl}/hook`, { method: 'POST', body: '{}' });
  assert.equal(hookWithoutKey.status, 403);
});

test('the mini-program sample logs in with wx.login through the backend and lands on the rooms page', async () => {
  const navigations = [];
  const pages = [];
  globalThis.Page = (definition) => pages.push(definition);
  globalThis.wx = {
    login: ({ success }) => setTimeout(() => success({ code: 'code-mp_carol', errMsg: 'login:ok' }), 0),
    request: ({ url, method, data, header, success, fail }) => {
      fetch(url, { method, headers: header, body: JSON.stringify(data) })
        .then(async (r) => success({ statusCode: r.status, data: await r.json() }))
        .catch((e) => fail({ errMsg: e.message }));
    },
    connectSocket: ({ url, header }) => {
      const ws = new WebSocket(url, { headers: header });
      const on = {};
      ws.on('open', () => on.open?.({ header: {} }));
      ws.on('message', (d) => on.message?.({ data: d.toString() }));
      ws.on('close', (code, reason) => on.close?.({ code, reason: reason.toString() }));
      ws.on('error', (e) => on.error?.({ errMsg: e.message }));
      return {
        onOpen: (f) => (on.open = f),
        onMessage: (f) => (on.message = f),
        onClose: (f) => (on.close = f),
        onError: (f) => (on.error = f),
        send: ({ data }) => ws.send(data),
        close: ({ code, reason } = {}) => ws.close(code, reason),
      };
    },
    redirectTo: ({ url }) => navigations.push(url),
    navigateTo: ({ url }) => navigations.push(url),
    setNavigationBarTitle: () => {},
  };

  await import('../../miniprogram/pages/login/login.js');
  const definition = pages.at(-1);
  const page = Object.create(definition);
  page.data = structuredClone(definition.data);
  page.setData = (patch) => Object.assign(page.data, patch);
  page.setData({ server: server.url, backend: backendUrl });

  await page.onWeChatLogin();
  assert.equal(page.data.error, '');
  assert.equal(navigations.at(-1), '/pages/rooms/rooms');
  const { store, logout } = await import('../../miniprogram/utils/chat.js');
  try {
    await until(() => store.me === 'oFake_mp_carol');
  } finally {
    logout();
  }
});
