// The web demo and the mini-program ship copies of the SDK; they must be the SDK itself.
// Fix a failure with scripts/sync-web-sdk.sh.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { repoRoot } from './support/server.js';

const sdk = readFileSync(path.join(repoRoot, 'clients/js/src/pipechat.js'), 'utf8');

for (const copy of ['src/PipeChat.Server/wwwroot/pipechat.js', 'clients/miniprogram/utils/pipechat.js']) {
  test(`${copy} is identical to clients/js/src/pipechat.js (run scripts/sync-web-sdk.sh)`, () => {
    assert.ok(readFileSync(path.join(repoRoot, copy), 'utf8') === sdk, `${copy} differs from the SDK`);
  });
}
