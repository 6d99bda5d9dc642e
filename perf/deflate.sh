#!/usr/bin/env bash
# perf/deflate.sh — permessage-deflate on vs off, same machine, same run, alternating rounds.
#
#   perf/deflate.sh [--rounds N] [--duration S] [--payload BYTES] [--idle-connections N]
#                   [--workloads a,b] [--out DIR]
#
# Workloads (PipeChat only; server pinned to CPU 0, load tool to CPU 1, like perf/compare.sh):
#   fanout-open   1,000-member room, one sender, open loop (window 16): deliveries/s, server CPU
#   fanout-rate   the same room at a fixed 40 msgs/s (40,000 deliveries/s): server CPU at equal work
#   fanout-rate150  the same at 150 msgs/s (150,000 deliveries/s, what the decompressing load tool sustains)
#   idle          N idle connections held: server RSS per connection
# "off" = server --permessage-deflate false and clients that do not offer it; "on" = server default
# and every client offers it (load tool --deflate: it decompresses what arrives, sends plain).
# Room messages carry chat-like text (--chat-text) so compression sees realistic content. Loopback
# only; every run is bounded by its --duration; the script stops only the servers it started, by PID.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
ROUNDS=5
DURATION=8
PAYLOAD=300
IDLE=10000
WORKLOADS="fanout-open,fanout-rate,fanout-rate150,idle"
OUT="$ROOT/reports/deflate-$(date -u +%Y%m%d-%H%M%S)"
PORT=${PORT:-3291}
HTTP_PORT=${HTTP_PORT:-3292}

while [[ $# -gt 0 ]]; do
  case "$1" in
    --rounds) ROUNDS=$2; shift 2 ;;
    --duration) DURATION=$2; shift 2 ;;
    --payload) PAYLOAD=$2; shift 2 ;;
    --idle-connections) IDLE=$2; shift 2 ;;
    --workloads) WORKLOADS=$2; shift 2 ;;
    --out) OUT=$2; shift 2 ;;
    -h|--help) sed -n '2,16p' "$0"; exit 0 ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done

mkdir -p "$OUT/runs"
dotnet build -c Release "$ROOT/src/PipeChat.Server/PipeChat.Server.csproj" -v q -nologo | tail -1
dotnet build -c Release "$ROOT/perf/PipeChat.LoadTest/PipeChat.LoadTest.csproj" -v q -nologo | tail -1
SERVER="$ROOT/src/PipeChat.Server/bin/Release/net10.0/PipeChat.Server.dll"
source "$ROOT/perf/lib.sh"

start_server() {
  if (exec 3<>"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null; then
    echo "port $PORT is already in use; set PORT=..." >&2
    return 1
  fi
  taskset -c 0 dotnet "$SERVER" --port "$PORT" --bind 127.0.0.1 --http-port "$HTTP_PORT" --presence-limit 0 \
    --rate-limit-per-second 0 --max-connections-per-ip 0 "$@" >"$OUT/runs/server.log" 2>&1 &
  SERVER_PID=$!
  for _ in $(seq 1 200); do
    if ! kill -0 "$SERVER_PID" 2>/dev/null; then echo "server exited; see $OUT/runs/server.log" >&2; return 1; fi
    if (exec 3<>"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null; then return 0; fi
    sleep 0.1
  done
  echo "server did not start" >&2
  return 1
}

workload_args() {
  case "$1" in
    fanout-open) echo "fanout --rooms 1 --members 1000 --senders 1 --window 16 --warmup 2 --duration $DURATION --drain 20 --payload $PAYLOAD --chat-text" ;;
    fanout-rate) echo "fanout --rooms 1 --members 1000 --senders 1 --rate 40 --warmup 2 --duration $DURATION --drain 20 --payload $PAYLOAD --chat-text" ;;
    fanout-rate150) echo "fanout --rooms 1 --members 1000 --senders 1 --rate 150 --warmup 2 --duration $DURATION --drain 20 --payload $PAYLOAD --chat-text" ;;
    idle)        echo "connect --connections $IDLE --connect-concurrency 512 --duration $DURATION --setup-timeout 120" ;;
  esac
}

IFS=',' read -r -a WL <<<"$WORKLOADS"
for round in $(seq 1 "$ROUNDS"); do
  for workload in "${WL[@]}"; do
    # Alternate which mode goes first, so a trend in the machine's load hits both alike.
    if (( round % 2 )); then modes="off on"; else modes="on off"; fi
    for mode in $modes; do
      if [[ $mode == off ]]; then start_server --permessage-deflate false; client=""; else start_server; client="--deflate"; fi
      summary="$OUT/runs/$workload-$mode-r$round.json"
      echo "== round $round/$ROUNDS  $workload  deflate $mode (pid $SERVER_PID)"
      # shellcheck disable=SC2046,SC2086
      taskset -c 1 dotnet "$LOADTOOL" $(workload_args "$workload") $client \
        --url "ws://127.0.0.1:$PORT/" --server-pid "$SERVER_PID" --target "deflate-$mode" \
        --no-report --summary "$summary" --quiet >"$OUT/runs/$workload-$mode-r$round.txt" 2>&1 || true
      # Wire bytes per frame sent, from the server's own counters.
      { exec 3<>"/dev/tcp/127.0.0.1/$HTTP_PORT" && printf 'GET /metrics HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n' >&3 && cat <&3; } \
        >"$OUT/runs/$workload-$mode-r$round.metrics" 2>/dev/null || true
      stop_server
      sleep 1
    done
  done
done

python3 - "$OUT/runs" <<'PY' | tee "$OUT/deflate.md"
import glob, json, os, re, statistics, sys
runs = sys.argv[1]
def metric(text, name):
    m = re.search(r'^' + name + r'(?:\{[^}]*\})? (\d+)', text, re.M)
    return int(m.group(1)) if m else None
def values(workload, mode, fn):
    out = []
    for f in sorted(glob.glob(os.path.join(runs, f'{workload}-{mode}-r*.json'))):
        d = json.load(open(f))
        mt = open(f[:-5] + '.metrics').read() if os.path.exists(f[:-5] + '.metrics') else ''
        v = fn(d, mt)
        if v is not None: out.append(v)
    return out
def per_cpu(d, _):
    rate, cpu = d.get('DeliveredPerSecond'), d.get('ServerCpuPercentInRun')
    return rate / (cpu / 100) if rate and cpu else None
def bytes_per_frame(_, mt):
    b, n = metric(mt, 'pipechat_bytes_out_total'), metric(mt, 'pipechat_messages_out_total')
    return b / n if b and n else None
ROWS = [
    ('fanout-open', 'delivered msgs/s', lambda d, _: d.get('DeliveredPerSecond')),
    ('fanout-open', 'deliveries per server CPU-second', per_cpu),
    ('fanout-open', 'server CPU %', lambda d, _: d.get('ServerCpuPercentInRun')),
    ('fanout-open', 'load tool CPU %', lambda d, _: d.get('ClientCpuPercentInRun')),
    ('fanout-open', 'wire bytes per frame sent', bytes_per_frame),
    ('fanout-open', 'lost', lambda d, _: d.get('Lost')),
    ('fanout-rate', 'delivered msgs/s', lambda d, _: d.get('DeliveredPerSecond')),
    ('fanout-rate', 'server CPU %', lambda d, _: d.get('ServerCpuPercentInRun')),
    ('fanout-rate', 'p99 ms', lambda d, _: (d.get('Latency') or {}).get('P99')),
    ('fanout-rate', 'lost', lambda d, _: d.get('Lost')),
    ('fanout-rate150', 'delivered msgs/s', lambda d, _: d.get('DeliveredPerSecond')),
    ('fanout-rate150', 'server CPU %', lambda d, _: d.get('ServerCpuPercentInRun')),
    ('fanout-rate150', 'deliveries per server CPU-second', per_cpu),
    ('fanout-rate150', 'wire bytes per frame sent', bytes_per_frame),
    ('fanout-rate150', 'p99 ms', lambda d, _: (d.get('Latency') or {}).get('P99')),
    ('fanout-rate150', 'lost', lambda d, _: d.get('Lost')),
    ('idle', 'established', lambda d, _: (d.get('Counters') or {}).get('Established')),
    ('idle', 'RSS KiB per idle connection', lambda d, _: (d.get('ServerRssPerConnectionBytes') or 0) / 1024 or None),
]
def fmt(v):
    if v is None: return '-'
    if abs(v) >= 100: return f'{v:,.0f}'
    if abs(v) >= 10: return f'{v:.1f}'
    return f'{v:.2f}'
print('| workload | metric | off (median) | on (median) | on ÷ off | rounds |')
print('|---|---|---:|---:|---:|---:|')
for w, name, fn in ROWS:
    off, on = values(w, 'off', fn), values(w, 'on', fn)
    if not off and not on:
        continue
    mo = statistics.median(off) if off else None
    mn = statistics.median(on) if on else None
    ratio = f'{mn / mo:.2f}×' if mo and mn is not None else ''
    print(f'| {w} | {name} | {fmt(mo)} | {fmt(mn)} | {ratio} | {len(off)}/{len(on)} |')
PY
echo "reports: $OUT"
