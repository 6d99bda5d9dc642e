#!/usr/bin/env bash
# The one test command: installs what the tests need (idempotent), runs every test project, and ends
# with one line "tests: N passed, M failed". Exits non-zero on any failure.
#   bash scripts/test.sh                 # everything
#   bash scripts/test.sh --filter X      # extra arguments go to `dotnet test`
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
root="$(pwd)"

export DEBIAN_FRONTEND=noninteractive
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1
export NPM_CONFIG_UPDATE_NOTIFIER=false NPM_CONFIG_FUND=false NPM_CONFIG_AUDIT=false

sudo=""
if [ "$(id -u)" -ne 0 ] && command -v sudo >/dev/null 2>&1; then
  sudo="sudo -n"
fi

apt_updated=0
# ensure_deb PACKAGE...: installs the Debian packages not installed yet; `apt-get update` at most once.
ensure_deb() {
  local missing=()
  local package
  for package in "$@"; do
    if ! dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed"; then
      missing+=("$package")
    fi
  done
  if [ "${#missing[@]}" -eq 0 ]; then
    return 0
  fi
  echo "test.sh: installing ${missing[*]}"
  if [ "$apt_updated" -eq 0 ]; then
    timeout 300 $sudo apt-get update -qq
    apt_updated=1
  fi
  timeout 600 $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

command -v dotnet >/dev/null 2>&1 || { echo "test.sh: the .NET SDK (dotnet) is not on PATH" >&2; exit 1; }

# python3-websockets is a Debian package: it lives under /usr/bin/python3, not a pyenv python on PATH.
ensure_deb python3 python3-websockets
# Debian's redis-server: the scale-out tests (tests/PipeChat.Server.Tests/ScaleOut) start their own
# instances on free loopback ports, without persistence, and kill them at the end.
ensure_deb redis-server
if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
  ensure_deb nodejs npm
fi

# node `ws`, pinned by tests/interop/package-lock.json.
if ! (cd tests/interop && npm ls --silent >/dev/null 2>&1); then
  echo "test.sh: npm ci in tests/interop"
  (cd tests/interop && timeout 300 npm ci --no-audit --no-fund --loglevel=error)
fi

results="$root/artifacts/test-results"
rm -rf "$results"
mkdir -p "$results"

set +e
timeout 1200 dotnet test PipeChat.sln -c Release \
  --logger "trx" --logger "console;verbosity=minimal" \
  --results-directory "$results" "$@"
status=$?
set -e

passed=0
failed=0
shopt -s nullglob
trx_files=("$results"/*.trx)
for trx in "${trx_files[@]}"; do
  counters="$(grep -o '<Counters [^>]*>' "$trx" | head -n 1)"
  p="$(sed -n 's/.* passed="\([0-9]*\)".*/\1/p' <<<"$counters")"
  f="$(sed -n 's/.* failed="\([0-9]*\)".*/\1/p' <<<"$counters")"
  passed=$((passed + ${p:-0}))
  failed=$((failed + ${f:-0}))
  grep -o '<UnitTestResult [^>]*outcome="Failed"[^>]*>' "$trx" \
    | sed -n 's/.*testName="\([^"]*\)".*/  FAILED: \1/p' | sed 's/&quot;/"/g; s/&amp;/\&/g; s/&lt;/</g; s/&gt;/>/g' || true
done

if [ "${#trx_files[@]}" -eq 0 ]; then
  echo "test.sh: no test results were written (build failure?); dotnet test exited with $status" >&2
  if [ "$status" -eq 0 ]; then
    status=1
  fi
fi
if [ "$failed" -gt 0 ] && [ "$status" -eq 0 ]; then
  status=1
fi

# The JS SDK, mini-program, browser (Debian chromium) and nginx suites: node's test runner.
# The Release build above already produced the server they start. `--filter` runs skip them.
if [ "$#" -eq 0 ]; then
  clients_log="$results/clients.log"
  set +e
  SKIP_BUILD=1 timeout 900 bash scripts/test-clients.sh 2>&1 | tee "$clients_log"
  clients_status=${PIPESTATUS[0]}
  set -e
  clients_line="$(grep -E '^clients: [0-9]+ passed, [0-9]+ failed' "$clients_log" | tail -n 1)"
  cp="$(sed -n 's/^clients: \([0-9]*\) passed.*/\1/p' <<<"$clients_line")"
  cf="$(sed -n 's/.* \([0-9]*\) failed$/\1/p' <<<"$clients_line")"
  if [ -z "$clients_line" ]; then
    cf=1
  fi
  passed=$((passed + ${cp:-0}))
  failed=$((failed + ${cf:-0}))
  if [ "$clients_status" -ne 0 ] || [ "${cf:-0}" -gt 0 ]; then
    status=1
  fi
fi

echo "tests: $passed passed, $failed failed"
exit "$status"
