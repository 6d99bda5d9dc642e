// One Chromium profile per test file: launched after the server, closed (profile deleted) after.
// Screenshots go to tests/e2e/artifacts/.
import { mkdtempSync, mkdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, chromiumArgs, chromiumPath } from './deps.js';

export const artifacts = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'artifacts');

export class BrowserSession {
  constructor(name, viewport = { width: 1100, height: 680 }) {
    this.name = name;
    this.viewport = viewport;
    this.profile = null;
    this.context = null;
  }

  /** Starts the server, then the browser with a fresh profile. */
  async start(server) {
    mkdirSync(artifacts, { recursive: true });
    await server.start();
    this.profile = mkdtempSync(path.join(tmpdir(), `pipechat-chromium-${this.name}-`));
    this.context = await chromium.launchPersistentContext(this.profile, {
      executablePath: chromiumPath,
      headless: true,
      args: chromiumArgs,
      viewport: this.viewport,
    });
    return this.context;
  }

  /** Closes the browser, stops the server and deletes the profile. */
  async stop(server) {
    await this.context?.close();
    await server.stop();
    if (this.profile) {
      rmSync(this.profile, { recursive: true, force: true });
    }
  }
}
