#!/usr/bin/env bash
# perf/api-bench.sh — the server API's publish into a 1,000-member room (docs/api.md), against
# WebSocket fan-out into the same room measured in the same rounds.
#
#   perf/api-bench.sh [--rounds N] [--duration S] [--senders N] [--out DIR]
#
# Each run starts a fresh server pinned to CPU 0 and the load tool pinned to CPU 1:
#   api     1,000 WebSocket members; N senders POST /api/publish open loop to the HTTP port
#           (kept-alive connections, one per sender)
#   fanout  the same room; one WebSocket member sends open loop (window 16), as perf/compare.sh
#   api1    as api into a room of 1 member: the cost of the HTTP request path itself
# Prints medians over rounds. Loopback only; stops only the servers it started, by PID.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
ROUNDS=3
DURATION=10
SENDERS=32
OUT="$ROOT/reports/api-bench-$(date -u +%Y%m%d-%H%M%S)"
KEY="api-bench-key-0123456789"

while [[ $# -gt 0 ]]; do
  case "$1" in
    --rounds) ROUNDS=$2; shift 2 ;;
    --duration) DURATION=$2; shift 2 ;;
    --senders) SENDERS=$2; shift 2 ;;
    --out) OUT=$2; shift 2 ;;
    -h|--help) sed -n '2,12p' "$0"; exit 0 ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done

mkdir -p "$OUT/runs"
dotnet build -c Release "$ROOT/src/PipeChat.Server/PipeChat.Server.csproj" -v q -nologo | tail -1
dotnet build -c Release "$ROOT/perf/PipeChat.LoadTest/PipeChat.LoadTest.csproj" -v q -nologo | tail -1
source "$ROOT/perf/lib.sh"

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

for round in $(seq 1 "$ROUNDS"); do
  for workload in api fanout api1; do
    # A fresh free port each run (other servers may be running on this machine); our server must be the one answering.
    PORT=$(free_port)
    HTTP_PORT=$(free_port)
    taskset -c 0 dotnet "$ROOT/src/PipeChat.Server/bin/Release/net10.0/PipeChat.Server.dll" \
      --port "$PORT" --bind loopback --http-port "$HTTP_PORT" --api-key "$KEY" --presence-limit 0 \
      --rate-limit-per-second 0 --max-connections-per-ip 0 >"$OUT/runs/server-$workload-r$round.log" 2>&1 &
    SERVER_PID=$!
    for _ in $(seq 1 100); do curl -sf "http://127.0.0.1:$HTTP_PORT/healthz" >/dev/null 2>&1 && break; sleep 0.1; done
    if ! kill -0 "$SERVER_PID" 2>/dev/null; then
      echo "server did not start (see $OUT/runs/server-$workload-r$round.log)" >&2
      exit 1
    fi
    case "$workload" in
      api) args="api --members 1000 --senders $SENDERS --api-key $KEY" ;;
      fanout) args="fanout --rooms 1 --members 1000 --senders 1 --window 16" ;;
      api1) args="api --members 1 --senders $SENDERS --api-key $KEY" ;;
    esac
    echo "== $workload round $round/$ROUNDS (server pid $SERVER_PID)"
    # shellcheck disable=SC2086
    taskset -c 1 dotnet "$LOADTOOL" $args --url "ws://127.0.0.1:$PORT/" --api-url "http://127.0.0.1:$HTTP_PORT/" --server-pid "$SERVER_PID" \
      --warmup 3 --duration "$DURATION" --drain 20 --target pipechat --report-dir "$OUT/reports" \
      --summary "$OUT/runs/$workload-r$round.json" --quiet >/dev/null
    stop_server
    sleep 1
  done
done

python3 - "$OUT/runs" <<'PY' | tee "$OUT/api-bench.md"
import glob, json, os, statistics, sys
runs = sys.argv[1]
def load(w): return [json.load(open(f)) for f in sorted(glob.glob(os.path.join(runs, f"{w}-r*.json")))]
api, fan, api1 = load('api'), load('fanout'), load('api1')
def med(rows, f):
    vals = [f(r) for r in rows if f(r) is not None]
    return statistics.median(vals) if vals else float('nan')
rows = [
  ('messages sent/s (api: requests/s)', lambda r: r['SentPerSecond']),
  ('deliveries/s', lambda r: r['DeliveredPerSecond']),
  ('deliveries per server CPU-second', lambda r: r['DeliveredPerSecond'] / (r['ServerCpuPercentInRun'] / 100) if r.get('ServerCpuPercentInRun') else None),
  ('server CPU %', lambda r: r.get('ServerCpuPercentInRun')),
  ('p50 ms', lambda r: r['Latency']['P50']),
  ('p99 ms', lambda r: r['Latency']['P99']),
  ('lost', lambda r: r['Lost']),
  ('duplicated', lambda r: r['Counters']['Duplicated']),
  ('seq gaps', lambda r: r['Counters']['SeqGaps']),
  ('errors', lambda r: sum(r.get('Errors', {}).values())),
]
print(f"rounds: api {len(api)}, fanout {len(fan)}, api1 {len(api1)} (medians)\n")
print("| metric | API publish | WebSocket sender | API ÷ WebSocket |")
print("|---|---:|---:|---:|")
for name, f in rows:
    a, b = med(api, f), med(fan, f)
    ratio = f"{a / b:.2f}×" if b and b == b and name not in ('lost', 'duplicated', 'seq gaps', 'errors') else ""
    fmt = (lambda v: f"{v:,.0f}") if 'ms' not in name else (lambda v: f"{v:,.1f}")
    print(f"| {name} | {fmt(a)} | {fmt(b)} | {ratio} |")
if api1:
    rps, cpu = med(api1, lambda r: r['SentPerSecond']), med(api1, lambda r: r.get('ServerCpuPercentInRun'))
    print(f"\nAPI publish into a 1-member room (the HTTP path alone): {rps:,.0f} requests/s at {cpu:,.0f}% server CPU"
          f" ({(cpu / 100) / rps * 1e6 if rps else float('nan'):,.0f} µs of server CPU per request)")
PY
