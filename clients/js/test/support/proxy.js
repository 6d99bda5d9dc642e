// A TCP proxy in front of the test server that the test can cut: drop() destroys every proxied
// connection (the client sees its socket die, 1006) and refuses new ones until restore(), so
// messages sent meanwhile by others are missed, as with a phone that lost its network.
import { createServer, connect } from 'node:net';

export class CuttableProxy {
  constructor(targetPort) {
    this.targetPort = targetPort;
    this.blocked = false;
    this.sockets = new Set();
    this.server = createServer((client) => this._accept(client));
  }

  async start() {
    await new Promise((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.port = this.server.address().port;
    return this;
  }

  get url() {
    return `ws://127.0.0.1:${this.port}`;
  }

  _accept(client) {
    if (this.blocked) {
      client.destroy();
      return;
    }
    const upstream = connect({ port: this.targetPort, host: '127.0.0.1' });
    for (const socket of [client, upstream]) {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
      socket.on('error', () => {});
    }
    client.pipe(upstream);
    upstream.pipe(client);
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
  }

  /** Cuts every connection now and refuses new ones. */
  drop() {
    this.blocked = true;
    for (const socket of this.sockets) {
      socket.destroy();
    }
  }

  /** Accepts connections again. */
  restore() {
    this.blocked = false;
  }

  async stop() {
    this.drop();
    await new Promise((resolve) => this.server.close(resolve));
  }
}
