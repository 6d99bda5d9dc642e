// deploy/nginx/pipechat.conf in front of the real server: Debian's nginx, a self-signed certificate
// made here with openssl, wss:// on a free loopback port (443 in production), and the JS SDK
// through it. Certificate verification: one client trusts the test certificate (`ca`), one turns
// verification off (`rejectUnauthorized: false`, tests only).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, execFileSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, readFileSync, writeFileSync, chmodSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import https from 'node:https';
import http from 'node:http';
import path from 'node:path';
import { PipeChatClient, webSocketAdapter, PipeChatError } from '../../clients/js/src/pipechat.js';
import { TestServer, freePort, waitForPort, repoRoot } from '../../clients/js/test/support/server.js';
import { nextEvent } from '../../clients/js/test/support/fake-wx.js';
import { WebSocket } from './support/deps.js';

const server = new TestServer();
const dir = mkdtempSync(path.join(tmpdir(), 'pipechat-nginx-'));
let nginx = null;
let tlsPort = 0;
let httpPort = 0;
let cert = '';
const clients = [];

/** The deploy config with test ports and paths; each substitution must apply exactly once. */
function testConfig(upstreamPort, upstreamHttpPort) {
  let conf = readFileSync(path.join(repoRoot, 'deploy/nginx/pipechat.conf'), 'utf8');
  const replace = (from, to) => {
    assert.equal(conf.split(from).length, 2, `deploy/nginx/pipechat.conf should contain "${from}" once`);
    conf = conf.replace(from, to);
  };
  replace('server 127.0.0.1:3001;', `server 127.0.0.1:${upstreamPort};`);
  replace('server 127.0.0.1:3002;', `server 127.0.0.1:${upstreamHttpPort};`);
  replace('listen 443 ssl;', `listen 127.0.0.1:${tlsPort} ssl;`);
  replace('listen 80;', `listen 127.0.0.1:${httpPort};`);
  replace('/etc/ssl/pipechat/fullchain.pem', path.join(dir, 'cert.pem'));
  replace('/etc/ssl/pipechat/privkey.pem', path.join(dir, 'key.pem'));
  replace('/var/log/nginx/pipechat.access.log', path.join(dir, 'pipechat.access.log'));
  return conf;
}

before(async () => {
  await server.start();
  [tlsPort, httpPort] = [await freePort(), await freePort()];
  execFileSync('openssl', [
    'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes',
    '-keyout', path.join(dir, 'key.pem'), '-out', path.join(dir, 'cert.pem'), '-days', '1',
    '-subj', '/CN=localhost', '-addext', 'subjectAltName=DNS:localhost,IP:127.0.0.1',
  ], { stdio: 'ignore' });
  cert = readFileSync(path.join(dir, 'cert.pem'), 'utf8');
  writeFileSync(path.join(dir, 'pipechat.conf'), testConfig(server.port, server.httpPort));
  for (const sub of ['body', 'proxy', 'fastcgi', 'uwsgi', 'scgi']) {
    mkdirSync(path.join(dir, sub));
    chmodSync(path.join(dir, sub), 0o777); // workers may run as nobody
  }
  writeFileSync(path.join(dir, 'nginx.conf'), `
daemon off;
worker_processes 1;
pid ${dir}/nginx.pid;
error_log ${dir}/error.log warn;
events { worker_connections 256; }
http {
    access_log ${dir}/access.log;
    client_body_temp_path ${dir}/body;
    proxy_temp_path ${dir}/proxy;
    fastcgi_temp_path ${dir}/fastcgi;
    uwsgi_temp_path ${dir}/uwsgi;
    scgi_temp_path ${dir}/scgi;
    include ${dir}/pipechat.conf;
}
`);
  execFileSync('nginx', ['-t', '-q', '-p', dir, '-e', path.join(dir, 'error.log'), '-c', path.join(dir, 'nginx.conf')]);
  nginx = spawn('nginx', ['-p', dir, '-e', path.join(dir, 'error.log'), '-c', path.join(dir, 'nginx.conf')], { stdio: 'ignore' });
  await waitForPort(tlsPort);
});

after(async () => {
  for (const c of clients) {
    c.close();
  }
  if (nginx && nginx.exitCode === null) {
    const exited = new Promise((r) => nginx.once('exit', r));
    nginx.kill('SIGQUIT');
    await exited;
  }
  await server.stop();
  rmSync(dir, { recursive: true, force: true });
});

function client(id, tls) {
  const chat = new PipeChatClient({
    url: `wss://127.0.0.1:${tlsPort}`,
    id,
    adapter: webSocketAdapter(WebSocket, tls),
    reconnect: false,
    requestTimeout: 5000,
  });
  clients.push(chat);
  return chat;
}

function get(url, options = {}) {
  const lib = url.startsWith('https:') ? https : http;
  return new Promise((resolve, reject) => {
    lib.get(url, options, (res) => {
      let body = '';
      res.on('data', (d) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, body }));
    }).on('error', reject);
  });
}

test('the SDK chats through nginx over wss: join, presence, room messages, offline notice', async () => {
  const alice = client('tls.alice', { ca: cert });
  const bob = client('tls.bob', { rejectUnauthorized: false });
  assert.equal((await alice.connect()).id, 'tls.alice');
  await bob.connect();
  await alice.join('tls-room');
  const presence = nextEvent(alice, 'presence');
  await bob.join('tls-room');
  assert.equal((await presence).id, 'tls.bob');
  const got = nextEvent(bob, 'room');
  assert.deepEqual(await alice.room('tls-room', { text: 'over TLS' }), { seq: 1 });
  assert.deepEqual((await got).data, { text: 'over TLS' });
  await assert.rejects(alice.notice('tls.nobody', { info: 'hi' }), (e) => e instanceof PipeChatError && e.code === 'offline');
  await alice.ping();
});

test('the access log names the path but never the query string (tokens stay out of logs)', async () => {
  const logFile = path.join(dir, 'pipechat.access.log');
  await new Promise((resolve, reject) => {
    const ws = new WebSocket(`wss://127.0.0.1:${tlsPort}/?id=tls.dave&token=SECRET-TOKEN-123`, { rejectUnauthorized: false });
    ws.on('open', () => ws.close());
    ws.on('close', resolve);
    ws.on('error', reject);
  });
  // nginx writes a proxied WebSocket's line when the connection ends.
  let log = '';
  for (let i = 0; i < 100 && !log.includes('"GET / HTTP/1.1" 101'); i++) {
    await new Promise((r) => setTimeout(r, 50));
    log = existsSync(logFile) ? readFileSync(logFile, 'utf8') : '';
  }
  assert.match(log, /"GET \/ HTTP\/1\.1" 101/);
  assert.doesNotMatch(log, /SECRET-TOKEN-123|token=/);
});

test('certificate verification stays on by default: an untrusted certificate is refused', async () => {
  const refused = await new Promise((resolve) => {
    const ws = new WebSocket(`wss://127.0.0.1:${tlsPort}/tls.carol`);
    ws.on('open', () => {
      ws.close();
      resolve(null);
    });
    ws.on('error', (e) => resolve(e));
  });
  assert.ok(refused, 'a self-signed certificate must not be accepted without ca/rejectUnauthorized');
  assert.match(String(refused.code ?? refused.message), /SELF_SIGNED|self.signed|DEPTH_ZERO/i);
});

test('plain http on the proxy redirects to https; the web demo is proxied, /metrics and /api/ are not', async () => {
  const redirect = await get(`http://127.0.0.1:${httpPort}/some/path`);
  assert.equal(redirect.status, 301);
  assert.equal(redirect.headers.location, `https://127.0.0.1/some/path`);
  const health = await get(`https://127.0.0.1:${tlsPort}/healthz`, { ca: cert });
  assert.equal(health.status, 200);
  const demo = await get(`https://127.0.0.1:${tlsPort}/`, { ca: cert });
  assert.equal(demo.status, 200);
  assert.match(demo.body, /app\.js/);
  for (const closed of ['/metrics', '/api/stats']) {
    assert.equal((await get(`https://127.0.0.1:${tlsPort}${closed}`, { ca: cert })).status, 403);
  }
});
