// The SDK's VERSION is the package's version (one number for users to quote in bug reports).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { repoRoot } from './support/server.js';
import { VERSION } from '../src/pipechat.js';

test('VERSION in the SDK equals the version in clients/js/package.json and its lock file', () => {
  const pkg = JSON.parse(readFileSync(path.join(repoRoot, 'clients/js/package.json'), 'utf8'));
  const lock = JSON.parse(readFileSync(path.join(repoRoot, 'clients/js/package-lock.json'), 'utf8'));
  assert.equal(VERSION, pkg.version);
  assert.equal(lock.version, pkg.version);
  assert.equal(lock.packages[''].version, pkg.version);
});
