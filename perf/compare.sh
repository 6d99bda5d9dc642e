#!/usr/bin/env bash
# perf/compare.sh — PipeChat side by side with the peers (perf/peers: ASP.NET Core's UseWebSockets
# middleware and Node's ws; uWebSockets when UWS_BIN is set) on the same workloads, driven by
# perf/PipeChat.LoadTest.
#
#   perf/compare.sh [--rounds N] [--duration S] [--warmup S] [--churn-duration S] [--fanout-senders N]
#                   [--fanout-window W] [--live-receive async|poll] [--workloads a,b] [--targets a,b]
#                   [--server-cpus L] [--load-cpus L] [--out DIR]
#
# Each round starts a fresh server pinned to CPU 0 (taskset -c 0; --server-cpus 0,1 to share both)
# and runs the load tool pinned to CPU 1 (--load-cpus); the table shows the median over rounds
# and PipeChat/peer ratios. Loopback only; every run is bounded by its --duration; the script
# stops only the servers it started, by PID.
#
# A/B of two PipeChat builds: target `pipechat-ref` runs another build of PipeChat with the same
# flags as `pipechat`; point PIPECHAT_REF_DLL at its PipeChat.Server.dll (e.g. a `git worktree` of
# main built with `dotnet build -c Release src/PipeChat.Server`), then
#   PIPECHAT_REF_DLL=/path/to/PipeChat.Server.dll perf/compare.sh --targets pipechat,pipechat-ref
#
# uWebSockets: target `uws` runs a uWS server binary built outside the project (docs/performance.md,
# "Running the comparison"), usage `BIN PORT [--echo]`, that sends every message back unchanged to
# every connection (or, with --echo, to its sender); the load tool drives it with --protocol verbatim.
# Only fanout, echo, live10k and idle apply to it; private and churn are skipped for it.
#   UWS_BIN=/path/to/uws-peer perf/compare.sh --targets pipechat,uws --workloads fanout,echo,live10k,idle
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
ROUNDS=3
DURATION=10
WARMUP=3
CHURN_DURATION=60
FANOUT_SENDERS=1
FANOUT_WINDOW=16
# live10k: the load tool reads its 10,000 sockets by polling (--receive poll), so a server's sends
# are not charged for waking the tool's sleeping receive thread; `--live-receive async` for the old way.
LIVE_RECEIVE=poll
WORKLOADS="fanout,echo,private,live10k,idle,churn"
TARGETS="pipechat,aspnetcore,node-ws"
OUT="$ROOT/reports/compare-$(date -u +%Y%m%d-%H%M%S)"
SERVER_CPU=0
LOAD_CPU=1

while [[ $# -gt 0 ]]; do
  case "$1" in
    --rounds) ROUNDS=$2; shift 2 ;;
    --duration) DURATION=$2; shift 2 ;;
    --warmup) WARMUP=$2; shift 2 ;;
    --churn-duration) CHURN_DURATION=$2; shift 2 ;;
    --fanout-senders) FANOUT_SENDERS=$2; shift 2 ;;
    --fanout-window) FANOUT_WINDOW=$2; shift 2 ;;
    --live-receive) LIVE_RECEIVE=$2; shift 2 ;;
    --server-cpus) SERVER_CPU=$2; shift 2 ;;
    --load-cpus) LOAD_CPU=$2; shift 2 ;;
    --workloads) WORKLOADS=$2; shift 2 ;;
    --targets) TARGETS=$2; shift 2 ;;
    --out) OUT=$2; shift 2 ;;
    -h|--help) sed -n '2,25p' "$0"; exit 0 ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done

if [[ ",$TARGETS," == *",pipechat-ref,"* ]] && [[ ! -f "${PIPECHAT_REF_DLL:-}" ]]; then
  echo "target pipechat-ref needs PIPECHAT_REF_DLL=<path to another build's PipeChat.Server.dll>" >&2
  exit 2
fi
if [[ ",$TARGETS," == *",uws,"* ]] && [[ ! -f "${UWS_BIN:-}" || ! -x "${UWS_BIN:-}" ]]; then
  echo "target uws needs UWS_BIN=<path to a uWebSockets peer binary> (usage: BIN PORT [--echo]; see docs/performance.md)" >&2
  exit 2
fi
mkdir -p "$OUT/runs"
echo "== building (Release)"
dotnet build -c Release "$ROOT/src/PipeChat.Server/PipeChat.Server.csproj" -v q -nologo | tail -1
dotnet build -c Release "$ROOT/perf/PipeChat.LoadTest/PipeChat.LoadTest.csproj" -v q -nologo | tail -1
if [[ ",$TARGETS," == *",aspnetcore,"* ]]; then
  dotnet build -c Release "$ROOT/perf/peers/AspNetCorePeer/AspNetCorePeer.csproj" -v q -nologo | tail -1
fi
if [[ ",$TARGETS," == *",node-ws,"* ]]; then
  (cd "$ROOT/perf/peers/node-ws" && npm install --no-audit --no-fund --silent)
fi

source "$ROOT/perf/lib.sh"

# start_server TARGET PORT [extra PipeChat flags...]
start_server() {
  local target=$1 port=$2; shift 2
  if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
    echo "port $port is already in use by another process; pick free ports (PORT_BASE=...)" >&2
    return 1
  fi
  case "$target" in
    pipechat)
      taskset -c $SERVER_CPU dotnet "$ROOT/src/PipeChat.Server/bin/Release/net10.0/PipeChat.Server.dll" \
        --port "$port" --bind 127.0.0.1 --http-bind off "$@" >"$OUT/runs/server-$target.log" 2>&1 &
      ;;
    pipechat-ref)
      taskset -c $SERVER_CPU dotnet "$PIPECHAT_REF_DLL" \
        --port "$port" --bind 127.0.0.1 "$@" >"$OUT/runs/server-$target.log" 2>&1 &
      ;;
    aspnetcore)
      taskset -c $SERVER_CPU dotnet "$ROOT/perf/peers/AspNetCorePeer/bin/Release/net10.0/AspNetCorePeer.dll" \
        --port "$port" >"$OUT/runs/server-$target.log" 2>&1 &
      ;;
    node-ws)
      taskset -c $SERVER_CPU node "$ROOT/perf/peers/node-ws/server.mjs" --port "$port" >"$OUT/runs/server-$target.log" 2>&1 &
      ;;
    uws)
      # Listens on 0.0.0.0 (the peer has no bind option); the load tool connects over loopback only.
      taskset -c $SERVER_CPU "$UWS_BIN" "$port" "$@" >"$OUT/runs/server-$target.log" 2>&1 &
      ;;
  esac
  SERVER_PID=$!
  for _ in $(seq 1 200); do
    if ! kill -0 "$SERVER_PID" 2>/dev/null; then echo "server $target exited; see $OUT/runs/server-$target.log" >&2; return 1; fi
    if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then return 0; fi
    sleep 0.1
  done
  echo "server $target did not start on $port" >&2
  return 1
}

# Workload definitions: load-tool arguments, and PipeChat server flags.
workload_args() {
  case "$1" in
    fanout)  echo "fanout --rooms 1 --members 1000 --senders $FANOUT_SENDERS --window $FANOUT_WINDOW --warmup $WARMUP --duration $DURATION --drain 20" ;;
    echo)    echo "echo --connections 64 --warmup $WARMUP --duration $DURATION --drain 10" ;;
    private) echo "private --connections 200 --window 8 --warmup $WARMUP --duration $DURATION --drain 10" ;;
    live10k) echo "live --rooms 1 --members 10000 --senders 1 --rate 5 --warmup $WARMUP --duration $DURATION --drain 10 --setup-timeout 120 --receive $LIVE_RECEIVE" ;;
    idle)    echo "connect --connections 19000 --processes 2 --connect-concurrency 1024 --duration $DURATION --setup-timeout 120" ;;
    churn)   echo "churn --rooms 10 --members 20 --senders 1 --rate 200 --churn-rate 1000 --churn-hold-ms 200 --duration $CHURN_DURATION" ;;
  esac
}
# Throughput runs switch PipeChat's abuse limits off (the peers have none): the per-connection
# request rate limit and the per-address connection cap. docs/security.md covers the limits.
pipechat_flags() {
  local limits="--rate-limit-per-second 0 --max-connections-per-ip 0"
  case "$1" in
    fanout|echo|private) echo "--presence-limit 0 $limits" ;;
    *) echo "$limits" ;;
  esac
}

# uws: the workload's server mode (echo workload: --echo, otherwise broadcast to every connection).
uws_flags() {
  if [[ "$1" == echo ]]; then echo "--echo"; fi
}
# Workloads a broadcast-to-everyone server can serve: one room, echo, idle connections.
uws_serves() {
  case "$1" in fanout|echo|live10k|idle) return 0 ;; *) return 1 ;; esac
}

PORT_BASE=${PORT_BASE:-3201}
port_of() {
  case "$1" in
    pipechat) echo "$PORT_BASE" ;; aspnetcore) echo $((PORT_BASE + 1)) ;; node-ws) echo $((PORT_BASE + 2)) ;;
    pipechat-ref) echo $((PORT_BASE + 3)) ;; uws) echo $((PORT_BASE + 4)) ;;
  esac
}

IFS=',' read -r -a WL <<<"$WORKLOADS"
IFS=',' read -r -a TG <<<"$TARGETS"
rounds_for() { if [[ "$1" == churn ]]; then echo 1; else echo "$ROUNDS"; fi; }

for workload in "${WL[@]}"; do
  for round in $(seq 1 "$(rounds_for "$workload")"); do
    for target in "${TG[@]}"; do
      port=$(port_of "$target")
      extra=""
      protocol=""
      [[ "$target" == pipechat || "$target" == pipechat-ref ]] && extra=$(pipechat_flags "$workload")
      if [[ "$target" == uws ]]; then
        if ! uws_serves "$workload"; then
          echo "== $workload  round $round  uws: skipped (a server that broadcasts to every connection has no rooms, private messages or joins)"
          continue
        fi
        extra=$(uws_flags "$workload")
        protocol="--protocol verbatim"
      fi
      # shellcheck disable=SC2086
      start_server "$target" "$port" $extra
      summary="$OUT/runs/$workload-$target-r$round.json"
      echo "== $workload  round $round/$(rounds_for "$workload")  $target (pid $SERVER_PID)"
      # shellcheck disable=SC2046
      taskset -c $LOAD_CPU dotnet "$LOADTOOL" $(workload_args "$workload") \
        --url "ws://127.0.0.1:$port/" --server-pid "$SERVER_PID" --target "$target" $protocol \
        --report-dir "$OUT/reports" --summary "$summary" --quiet | grep -E '^\| (throughput|latency|server|connections|messages|errors)' | grep -E 'delivered msgs|p50 /|per connection|connect rate|established|lost|growth|churn|total' || true
      stop_server
      sleep 1
    done
  done
done

python3 - "$OUT/runs" "$TARGETS" "$WORKLOADS" <<'PY' | tee "$OUT/compare.md"
import glob, json, os, statistics, sys
runs, targets, workloads = sys.argv[1], sys.argv[2].split(','), sys.argv[3].split(',')
def get(d, path):
    if path == 'PerServerCpuSecond':
        rate, cpu = d.get('DeliveredPerSecond'), d.get('ServerCpuPercentInRun')
        return rate / (cpu / 100) if rate and cpu else None
    for k in path.split('.'):
        d = d.get(k) if isinstance(d, dict) else None
    return d
METRICS = {
    'fanout':  [('delivered msgs/s', 'DeliveredPerSecond', 1, '↑'), ('deliveries per server CPU-second', 'PerServerCpuSecond', 1, '↑'),
                ('p99 ms', 'Latency.P99', 1, '↓'), ('lost', 'Lost', 1, '='),
                ('server CPU %', 'ServerCpuPercentInRun', 1, ''), ('load tool CPU %', 'ClientCpuPercentInRun', 1, '')],
    'echo':    [('round trips/s', 'DeliveredPerSecond', 1, '↑'), ('round trips per server CPU-second', 'PerServerCpuSecond', 1, '↑'),
                ('p99 ms', 'Latency.P99', 1, '↓'), ('server CPU %', 'ServerCpuPercentInRun', 1, ''), ('load tool CPU %', 'ClientCpuPercentInRun', 1, '')],
    'private': [('delivered notices/s', 'DeliveredPerSecond', 1, '↑'), ('notices per server CPU-second', 'PerServerCpuSecond', 1, '↑'),
                ('p99 ms', 'Latency.P99', 1, '↓'), ('lost', 'Lost', 1, '=')],
    'live10k': [('p50 ms', 'Latency.P50', 1, '↓'), ('p99 ms', 'Latency.P99', 1, '↓'), ('max ms', 'Latency.Max', 1, '↓'), ('lost', 'Lost', 1, '='),
                ('delivered msgs/s', 'DeliveredPerSecond', 1, ''), ('deliveries per server CPU-second', 'PerServerCpuSecond', 1, '↑')],
    'idle':    [('established', 'Counters.Established', 1, ''), ('failed', 'Counters.ConnectFailed', 1, '='),
                ('RSS KiB / idle connection', 'ServerRssPerConnectionBytes', 1/1024, '↓'), ('marginal RSS KiB / connection', 'ServerRssPerConnectionMarginalBytes', 1/1024, '↓'), ('connects/s', 'ConnectsPerSecond', 1, '↑')],
    'churn':   [('churn connects', 'Counters.ChurnConnected', 1, ''), ('churn failures', 'Counters.ChurnFailed', 1, '='),
                ('RSS growth MiB (25%→end)', 'ServerRssGrowthInRunBytes', 1/1048576, '↓'), ('chat p99 ms', 'Latency.P99', 1, '↓'), ('chat lost', 'Lost', 1, '=')],
}
def fmt(v):
    if v is None: return '-'
    if abs(v) >= 100: return f'{v:,.0f}'
    if abs(v) >= 10: return f'{v:.1f}'
    return f'{v:.2f}'
header = ['workload', 'metric'] + targets + [f'{targets[0]}/{t}' for t in targets[1:]]
print('| ' + ' | '.join(header) + ' |')
print('|' + '---|' * 2 + '---:|' * (len(header) - 2))
for w in workloads:
    for name, path, scale, better in METRICS.get(w, []):
        med = {}
        for t in targets:
            vals = []
            for f in sorted(glob.glob(os.path.join(runs, f'{w}-{t}-r[0-9]*.json'))):
                v = get(json.load(open(f)), path)
                if v is not None: vals.append(v * scale)
            med[t] = statistics.median(vals) if vals else None
        ratios = []
        for t in targets[1:]:
            a, b = med[targets[0]], med[t]
            ratios.append(f'{a / b:.2f}×' if a is not None and b not in (None, 0) and better in ('↑', '↓') else '')
        print(f'| {w} | {name} {better} | ' + ' | '.join(fmt(med[t]) for t in targets) + ' | ' + ' | '.join(ratios) + ' |')
PY
echo "reports: $OUT"
