#!/usr/bin/env bash
# Copies the SDK (clients/js/src/pipechat.js) into the mini-program sample, which must carry its
# own copy (a mini-program project can only use files inside its folder). The web demo needs no
# copy: the server's build links the SDK into wwwroot. clients/js/test/copies.test.js fails when
# the copy differs, so run this after every SDK change.
set -euo pipefail
cd "$(dirname "$0")/.."
for target in clients/miniprogram/utils/pipechat.js; do
  cp clients/js/src/pipechat.js "$target"
  echo "synced $target"
done
