// The mini-program ships a copy of the SDK (the web demo serves the SDK itself); it must be the SDK.
// Fix a failure with scripts/sync-web-sdk.sh.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { repoRoot } from './support/server.js';

const sdk = readFileSync(path.join(repoRoot, 'clients/js/src/pipechat.js'), 'utf8');

for (const copy of ['clients/miniprogram/utils/pipechat.js']) {
  test(`${copy} is identical to clients/js/src/pipechat.js (run scripts/sync-web-sdk.sh)`, () => {
    assert.ok(readFileSync(path.join(repoRoot, copy), 'utf8') === sdk, `${copy} differs from the SDK`);
  });
}
