// npm packages for the end-to-end tests live in clients/js/node_modules (one install, done by
// scripts/test-clients.sh): resolve them from there.
import { createRequire } from 'node:module';
import path from 'node:path';
import { repoRoot } from '../../../clients/js/test/support/server.js';

const require = createRequire(path.join(repoRoot, 'clients/js/package.json'));

export const { chromium } = require('playwright-core');
export const WebSocket = require('ws');

/** Launch flags for Debian's chromium in a container: no sandbox, no GPU, no network chatter. */
export const chromiumArgs = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
