#!/usr/bin/env bash
# Client tests: the JS SDK (node:test, against the real server and a fake wx SocketTask), the web
# demo in headless Debian Chromium (playwright-core), and the SDK through nginx over wss.
# Installs what is missing (Debian chromium, nginx, openssl; npm ws + playwright-core — never a
# browser download), builds the server, runs everything, and ends with "clients: N passed, M failed".
#
#   scripts/test-clients.sh            # everything
#   SKIP_BUILD=1 scripts/test-clients.sh   # the server is already built (Release)
set -uo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)

# ---- system packages: apt-get update only when something is missing -----------------------------
missing=()
[ -x /usr/bin/chromium ] || missing+=(chromium)
command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ] || missing+=(nginx)
command -v openssl >/dev/null 2>&1 || missing+=(openssl)
# Fonts for the screenshots: CJK text and emoji instead of empty boxes.
for font in fonts-wqy-microhei fonts-noto-color-emoji; do
  dpkg -s "$font" >/dev/null 2>&1 || missing+=("$font")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "test-clients: installing ${missing[*]}"
  sudo_cmd=""
  [ "$(id -u)" -eq 0 ] || sudo_cmd="sudo"
  $sudo_cmd apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq --no-install-recommends "${missing[@]}" >/tmp/pipechat-clients-apt.log 2>&1 \
    || { echo "test-clients: apt-get install ${missing[*]} failed"; echo "clients: 0 passed, 1 failed"; exit 1; }
fi
export PATH="$PATH:/usr/sbin"

# ---- npm packages (clients/js devDependencies: ws, playwright-core) ----------------------------
export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1
# Re-installs only when the lock file changed since the last install (stamp in node_modules).
if ! cmp -s clients/js/package-lock.json clients/js/node_modules/.pipechat-lock-stamp 2>/dev/null; then
  echo "test-clients: npm ci (clients/js)"
  (cd clients/js && npm ci --no-audit --no-fund --loglevel=error && cp package-lock.json node_modules/.pipechat-lock-stamp) \
    || { echo "test-clients: npm ci failed"; echo "clients: 0 passed, 1 failed"; exit 1; }
fi

# ---- the server --------------------------------------------------------------------------------
if [ "${SKIP_BUILD:-0}" != "1" ]; then
  echo "test-clients: dotnet build src/PipeChat.Server -c Release"
  dotnet build src/PipeChat.Server -c Release -nologo -v q >/tmp/pipechat-clients-build.log 2>&1 \
    || { tail -30 /tmp/pipechat-clients-build.log; echo "clients: 0 passed, 1 failed"; exit 1; }
fi

# ---- tests -------------------------------------------------------------------------------------
tap=$(mktemp)
trap 'rm -f "$tap"' EXIT
node --test --test-concurrency=1 \
  --test-reporter=spec --test-reporter-destination=stdout \
  --test-reporter=tap --test-reporter-destination="$tap" \
  clients/js/test/*.test.js tests/e2e/*.test.js
status=$?

passed=$(grep -E '^# pass ' "$tap" | tail -1 | awk '{print $3}')
failed=$(grep -E '^# fail ' "$tap" | tail -1 | awk '{print $3}')
passed=${passed:-0}
failed=${failed:-0}
if [ "$status" -ne 0 ] && [ "$failed" -eq 0 ]; then
  failed=1 # the runner itself failed (a file that did not load, a crash)
fi
echo "clients: $passed passed, $failed failed"
[ "$failed" -eq 0 ] && [ "$status" -eq 0 ]
