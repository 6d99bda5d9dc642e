#!/usr/bin/env bash
# Copies the SDK (clients/js/src/pipechat.js) to the places that serve or bundle it:
# the web demo (served as /pipechat.js) and the mini-program sample. clients/js/test/copies.test.js
# fails when a copy differs, so run this after every SDK change.
set -euo pipefail
cd "$(dirname "$0")/.."
for target in src/PipeChat.Server/wwwroot/pipechat.js clients/miniprogram/utils/pipechat.js; do
  cp clients/js/src/pipechat.js "$target"
  echo "synced $target"
done
