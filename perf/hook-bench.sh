#!/usr/bin/env bash
# perf/hook-bench.sh — the publish hook's cost (docs/hooks.md): room messages into a 1,000-member
# room with --publish-hook pointing at a local hook that answers allow (perf/hook-server.mjs),
# against no hook, alternating in the same rounds.
#
#   perf/hook-bench.sh [--rounds N] [--duration S] [--window N] [--out DIR]
#
# Each run starts a fresh server pinned to CPU 0; the load tool and the node hook share CPU 1.
#   nohook  fanout: 1,000 members, one sender keeping --window messages in flight (as compare.sh)
#   hook    the same with --publish-hook http://127.0.0.1:<hook>/hook
# Prints medians over rounds. Loopback only; stops only the processes it started, by PID.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
ROUNDS=3
DURATION=10
WINDOW=16
OUT="$ROOT/reports/hook-bench-$(date -u +%Y%m%d-%H%M%S)"

while [[ $# -gt 0 ]]; do
  case "$1" in
    --rounds) ROUNDS=$2; shift 2 ;;
    --duration) DURATION=$2; shift 2 ;;
    --window) WINDOW=$2; shift 2 ;;
    --out) OUT=$2; shift 2 ;;
    -h|--help) sed -n '2,11p' "$0"; exit 0 ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done

mkdir -p "$OUT/runs"
dotnet build -c Release "$ROOT/src/PipeChat.Server/PipeChat.Server.csproj" -v q -nologo | tail -1
dotnet build -c Release "$ROOT/perf/PipeChat.LoadTest/PipeChat.LoadTest.csproj" -v q -nologo | tail -1
source "$ROOT/perf/lib.sh"

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

HOOK_PORT=$(free_port)
taskset -c 1 node "$ROOT/perf/hook-server.mjs" "$HOOK_PORT" >"$OUT/runs/hook.log" 2>&1 &
HOOK_PID=$!
stop_all() { stop_server; kill "$HOOK_PID" 2>/dev/null || true; wait "$HOOK_PID" 2>/dev/null || true; }
trap stop_all EXIT
for _ in $(seq 1 50); do curl -s -o /dev/null -X POST "http://127.0.0.1:$HOOK_PORT/hook" && break; sleep 0.1; done

for round in $(seq 1 "$ROUNDS"); do
  for workload in nohook hook; do
    PORT=$(free_port)
    HTTP_PORT=$(free_port)
    extra=()
    [[ "$workload" == hook ]] && extra=(--publish-hook "http://127.0.0.1:$HOOK_PORT/hook")
    taskset -c 0 dotnet "$ROOT/src/PipeChat.Server/bin/Release/net10.0/PipeChat.Server.dll" \
      --port "$PORT" --bind loopback --http-port "$HTTP_PORT" --presence-limit 0 \
      --rate-limit-per-second 0 --max-connections-per-ip 0 "${extra[@]}" >"$OUT/runs/server-$workload-r$round.log" 2>&1 &
    SERVER_PID=$!
    for _ in $(seq 1 100); do curl -sf "http://127.0.0.1:$HTTP_PORT/healthz" >/dev/null 2>&1 && break; sleep 0.1; done
    if ! kill -0 "$SERVER_PID" 2>/dev/null; then
      echo "server did not start (see $OUT/runs/server-$workload-r$round.log)" >&2
      exit 1
    fi
    echo "== $workload round $round/$ROUNDS (server pid $SERVER_PID)"
    taskset -c 1 dotnet "$LOADTOOL" fanout --rooms 1 --members 1000 --senders 1 --window "$WINDOW" \
      --url "ws://127.0.0.1:$PORT/" --server-pid "$SERVER_PID" \
      --warmup 3 --duration "$DURATION" --drain 20 --target pipechat --report-dir "$OUT/reports" \
      --summary "$OUT/runs/$workload-r$round.json" --quiet >/dev/null
    stop_server
    sleep 1
  done
done

python3 - "$OUT/runs" <<'PY' | tee "$OUT/hook-bench.md"
import glob, json, os, statistics, sys
runs = sys.argv[1]
def load(w): return [json.load(open(f)) for f in sorted(glob.glob(os.path.join(runs, f"{w}-r*.json")))]
hook, none = load('hook'), load('nohook')
def med(rows, f):
    vals = [f(r) for r in rows if f(r) is not None]
    return statistics.median(vals) if vals else float('nan')
rows = [
  ('messages/s into the room', lambda r: r['SentPerSecond']),
  ('deliveries/s', lambda r: r['DeliveredPerSecond']),
  ('deliveries per server CPU-second', lambda r: r['DeliveredPerSecond'] / (r['ServerCpuPercentInRun'] / 100) if r.get('ServerCpuPercentInRun') else None),
  ('server CPU %', lambda r: r.get('ServerCpuPercentInRun')),
  ('p50 ms', lambda r: r['Latency']['P50']),
  ('p99 ms', lambda r: r['Latency']['P99']),
  ('lost', lambda r: r['Lost']),
  ('seq gaps', lambda r: r['Counters']['SeqGaps']),
]
print(f"rounds: hook {len(hook)}, no hook {len(none)} (medians)\n")
print("| metric | with hook (allow) | no hook | hook ÷ no hook |")
print("|---|---:|---:|---:|")
for name, f in rows:
    a, b = med(hook, f), med(none, f)
    ratio = f"{a / b:.2f}×" if b and b == b and name not in ('lost', 'seq gaps') else ""
    fmt = (lambda v: f"{v:,.0f}") if 'ms' not in name else (lambda v: f"{v:,.1f}")
    print(f"| {name} | {fmt(a)} | {fmt(b)} | {ratio} |")
PY
