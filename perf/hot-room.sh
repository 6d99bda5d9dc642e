#!/usr/bin/env bash
# perf/hot-room.sh — the "hot room" scenario (docs/performance.md, "Live rooms under overload"):
# one room, one host sending high-priority messages, senders of low and normal comments, throttled
# readers; run twice on fresh servers, with the overload controls (thinning on, a room rate cap,
# the host's high priority) and without them (--thin-after-bytes 0, no cap), and print one row each.
#
#   perf/hot-room.sh [--members N] [--low-senders N] [--normal-senders N] [--throttled N]
#                    [--duration S] [--warmup S] [--room-max-rate R] [--controls both|on|off]
#                    [--server-cpus L] [--load-cpus L]
#
# The server runs pinned to --server-cpus (default 0), the load tool to --load-cpus (default 1):
# separate processes, so each stays within its own open-file limit. Loopback only; the script stops
# only the servers it started, by PID.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
MEMBERS=10000
LOW=1000
NORMAL=100
THROTTLED=500
DURATION=60
WARMUP=5
RATE=200
CONTROLS=both
SERVER_CPU=0
LOAD_CPU=1
while [[ $# -gt 0 ]]; do
  case "$1" in
    --members) MEMBERS=$2; shift 2 ;;
    --low-senders) LOW=$2; shift 2 ;;
    --normal-senders) NORMAL=$2; shift 2 ;;
    --throttled) THROTTLED=$2; shift 2 ;;
    --duration) DURATION=$2; shift 2 ;;
    --warmup) WARMUP=$2; shift 2 ;;
    --room-max-rate) RATE=$2; shift 2 ;;
    --controls) CONTROLS=$2; shift 2 ;;
    --server-cpus) SERVER_CPU=$2; shift 2 ;;
    --load-cpus) LOAD_CPU=$2; shift 2 ;;
    -h|--help) sed -n '2,15p' "$0"; exit 0 ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done

LT_OUT=${LT_OUT:-$ROOT/perf/PipeChat.LoadTest/bin/Release/net10.0}
dotnet build -c Release "$ROOT/src/PipeChat.Server/PipeChat.Server.csproj" -v q -nologo | tail -1
[ -n "${SKIP_LT_BUILD:-}" ] || dotnet build -c Release "$ROOT/perf/PipeChat.LoadTest/PipeChat.LoadTest.csproj" -v q -nologo | tail -1
ulimit -n 20000 2>/dev/null || true

KEY=hot-room-api-key-0123456789
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }

run() {
  local label=$1; shift
  local port http pid
  port=$(free_port); http=$(free_port)
  taskset -c "$SERVER_CPU" dotnet "$ROOT/src/PipeChat.Server/bin/Release/net10.0/PipeChat.Server.dll" \
    --port "$port" --bind 127.0.0.1 --http-port "$http" --api-key "$KEY" --max-connections-per-ip 0 \
    --presence-limit 0 --max-room-members 100000 "$@" >/tmp/hot-room-server-$$.log 2>&1 &
  pid=$!
  for _ in $(seq 1 100); do
    curl -sf "http://127.0.0.1:$http/healthz" >/dev/null 2>&1 && break
    sleep 0.1
  done
  taskset -c "$LOAD_CPU" dotnet "$LT_OUT/PipeChat.LoadTest.dll" hot-room \
    --url "ws://127.0.0.1:$port/" --api "http://127.0.0.1:$http" --api-key "$KEY" --server-pid "$pid" \
    --members "$MEMBERS" --low-senders "$LOW" --normal-senders "$NORMAL" --throttled "$THROTTLED" \
    --duration "$DURATION" --warmup "$WARMUP" --label "$label" || true
  kill "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
}

[ "$CONTROLS" = off ] || run "controls on (--room-max-rate $RATE)" --room-max-rate "$RATE"
[ "$CONTROLS" = on ] || run "controls off" --thin-after-bytes 0
