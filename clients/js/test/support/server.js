// Starts the real PipeChat server for tests: `dotnet PipeChat.Server.dll --port P --bind 127.0.0.1 --http-port H`.
// The DLL is built by scripts/test-clients.sh (dotnet build src/PipeChat.Server -c Release);
// PIPECHAT_SERVER_DLL overrides its path.
import { spawn, execFileSync } from 'node:child_process';
import { createServer, connect } from 'node:net';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../..');

export const serverDll =
  process.env.PIPECHAT_SERVER_DLL ??
  path.join(repoRoot, 'src/PipeChat.Server/bin/Release/net10.0/PipeChat.Server.dll');

/** A free TCP port on 127.0.0.1 (bound then released). */
export function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

function canConnect(port) {
  return new Promise((resolve) => {
    const socket = connect({ port, host: '127.0.0.1' });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

const delay = (ms) => new Promise((r) => setTimeout(r, ms));

/** Waits until `port` accepts TCP connections (or throws after `ms`). */
export async function waitForPort(port, ms = 20000) {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (await canConnect(port)) {
      return;
    }
    await delay(50);
  }
  throw new Error(`nothing listens on 127.0.0.1:${port} after ${ms} ms`);
}

/**
 * The real server as a child process. `start()` and `stop()` can be called again (same port)
 * to test reconnects across a restart.
 */
export class TestServer {
  constructor({ port, httpPort, args = [] } = {}) {
    this.port = port;
    this.httpPort = httpPort;
    this.args = args;
    this.process = null;
    this.output = '';
  }

  get url() {
    return `ws://127.0.0.1:${this.port}`;
  }

  /** The HTTP port: web demo, /metrics, server API. */
  get httpUrl() {
    return `http://127.0.0.1:${this.httpPort}`;
  }

  async start() {
    if (!existsSync(serverDll)) {
      throw new Error(`server not built: ${serverDll} (run dotnet build src/PipeChat.Server -c Release)`);
    }
    this.port ??= await freePort();
    this.httpPort ??= await freePort();
    const ports = ['--port', String(this.port), '--bind', '127.0.0.1', '--http-port', String(this.httpPort)];
    const child = spawn('dotnet', [serverDll, ...ports, ...this.args], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, DOTNET_NOLOGO: '1' },
    });
    this.process = child;
    child.stdout.on('data', (d) => (this.output += d));
    child.stderr.on('data', (d) => (this.output += d));
    const exited = new Promise((_, reject) =>
      child.once('exit', (code) => reject(new Error(`server exited with ${code}:\n${this.output}`))),
    );
    exited.catch(() => {});
    await Promise.race([Promise.all([waitForPort(this.port), waitForPort(this.httpPort)]), exited]);
    return this;
  }

  /** Stops the server (SIGTERM: graceful shutdown, clients get 1001) and waits for the exit. */
  async stop(signal = 'SIGTERM') {
    const child = this.process;
    if (!child || child.exitCode !== null || child.signalCode !== null) {
      this.process = null;
      return;
    }
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill(signal);
    const timer = setTimeout(() => child.kill('SIGKILL'), 15000);
    await exited;
    clearTimeout(timer);
    this.process = null;
  }
}

/** Mints a JWT with the server's own `token` command. */
export function mintToken(uid, secret, ttl = 3600) {
  return execFileSync('dotnet', [serverDll, 'token', '--uid', uid, '--ttl', String(ttl), '--auth-secret', secret], {
    encoding: 'utf8',
  }).trim();
}
