#!/usr/bin/env bash
# Single node vs three nodes on Redis, alternating, in one session (docs/scale-out.md "Figures").
#   [THREE_WARMUP=25] bash perf/scale-out-compare.sh ROUNDS RATE [MEMBERS_PER_NODE] [OUT_DIR]
# With COMPARE=cluster: three nodes on one Redis vs three nodes on a three-master Redis Cluster
# (no replicas, like the one Redis), alternating, same load; also Redis CPU per instance.
#   COMPARE=cluster [THREE_WARMUP=25] bash perf/scale-out-compare.sh ROUNDS RATE [MEMBERS_PER_NODE] [OUT_DIR]
# THREE_WARMUP: seconds each three-node load process waits after its setup (raise it when joins are slow,
# so the three measured windows overlap the sender's).
# RATE: messages/s of the one sending process (0 = open loop). Each round runs
#   single: 1 node, no Redis, 17 rooms x MEMBERS_PER_NODE members (one load-tool process);
#   three:  3 nodes on one Redis, the same 17 rooms with MEMBERS_PER_NODE members on each node
#           (3x the connections and deliveries); node 1's process sends, nodes 2 and 3 only receive.
# Needs Release builds of src/PipeChat.Server and perf/PipeChat.LoadTest, and /usr/bin/redis-server.
# Loopback only; every process it starts is killed by pid; every run is bounded by the load tool's
# --setup-timeout/--duration/--drain.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
rounds=${1:-3}
rate=${2:-170}
members=${3:-1000}
out=${4:-artifacts/scale-out-compare}
mkdir -p "$out"
srv=src/PipeChat.Server/bin/Release/net10.0/PipeChat.Server.dll
lt=perf/PipeChat.LoadTest/bin/Release/net10.0/PipeChat.LoadTest.dll
redis_port=46379
flags=(--bind 127.0.0.1 --rate-limit-per-second 0 --max-connections-per-ip 0)
common=(fanout --rooms 17 --members "$members" --senders 1 --duration 15 --drain 10 --setup-timeout 180 --no-report --quiet)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; pids=(); }
trap cleanup EXIT

wait_port() { for _ in $(seq 1 100); do (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0; sleep 0.2; done; echo "port $1 never opened" >&2; return 1; }

/usr/bin/redis-server --port $redis_port --bind 127.0.0.1 --save '' --appendonly no --daemonize no >"$out/redis.log" 2>&1 &
redis_pid=$!
trap 'cleanup; kill $redis_pid 2>/dev/null || true' EXIT
wait_port $redis_port

if [ "${COMPARE:-single}" = cluster ]; then
  cluster_ports=(47001 47002 47003)
  cdir=$(mktemp -d)
  cluster_pids=()
  trap 'cleanup; kill $redis_pid ${cluster_pids[*]:-} 2>/dev/null || true; rm -rf "$cdir"' EXIT
  for p in "${cluster_ports[@]}"; do
    /usr/bin/redis-server --port $p --bind 127.0.0.1 --save '' --appendonly no --cluster-enabled yes \
      --cluster-config-file "nodes-$p.conf" --dir "$cdir" --daemonize no >"$out/cluster-$p.log" 2>&1 &
    cluster_pids+=($!)
  done
  for p in "${cluster_ports[@]}"; do wait_port $p; done
  redis-cli --cluster create $(printf '127.0.0.1:%s ' "${cluster_ports[@]}") --cluster-replicas 0 --cluster-yes >"$out/cluster-create.log"
  for _ in $(seq 1 100); do redis-cli -p ${cluster_ports[0]} cluster info | grep -q cluster_state:ok && break; sleep 0.2; done
  cpu() { redis-cli -p "$1" info cpu | awk -F: '/used_cpu_(sys|user):/ { s += $2 } END { printf "%.3f", s }'; }

  # run_three LABEL ROUND REDIS_CONFIG PORT...: three nodes on that Redis, the three load processes, Redis CPU over the sender's run.
  run_three() {
    local label=$1 round=$2 config=$3; shift 3
    for port in 3301 3302 3303; do
      dotnet $srv --port $port --http-bind off "${flags[@]}" --redis "$config" >"$out/$label-$round-$port.log" 2>&1 &
      pids+=($!)
    done
    for port in 3301 3302 3303; do wait_port $port; done
    dotnet $lt "${common[@]}" --url ws://127.0.0.1:3302/ --warmup "${THREE_WARMUP:-25}" --rate 1 --summary "$out/$label-$round-b.json" >/dev/null &
    local b=$!
    dotnet $lt "${common[@]}" --url ws://127.0.0.1:3303/ --warmup "${THREE_WARMUP:-25}" --rate 1 --summary "$out/$label-$round-c.json" >/dev/null &
    local c=$!
    sleep 2
    local before=() start end i=0 line=""
    start=$(date +%s.%N)
    for p in "$@"; do before+=("$(cpu "$p")"); done
    dotnet $lt "${common[@]}" --url ws://127.0.0.1:3301/ --warmup "${THREE_WARMUP:-25}" --rate "$rate" --summary "$out/$label-$round-a.json" >/dev/null
    end=$(date +%s.%N)
    for p in "$@"; do line+="$p:$(python3 -c "print(round(100*($(cpu "$p")-${before[$i]})/($end-$start),1))") "; i=$((i+1)); done
    echo "$line" >"$out/$label-$round-cpu.txt"
    wait $b $c || true
    cleanup
  }

  for round in $(seq 1 "$rounds"); do
    redis-cli -p $redis_port flushall >/dev/null
    run_three one "$round" 127.0.0.1:$redis_port $redis_port
    for p in "${cluster_ports[@]}"; do redis-cli -p $p flushall >/dev/null; done
    run_three cluster "$round" "$(printf '127.0.0.1:%s,' "${cluster_ports[@]}" | sed 's/,$//')" "${cluster_ports[@]}"
    echo "round $round done: $(uptime)"
  done

  python3 - "$out" "$rounds" <<'EOF'
import json, sys, statistics
out, rounds = sys.argv[1], int(sys.argv[2])
def load(p):
    with open(p) as f: return json.load(f)
res = {}
for label in ("one", "cluster"):
    tot = [sum(load(f"{out}/{label}-{i}-{n}.json")["DeliveredPerSecond"] for n in "abc") for i in range(1, rounds + 1)]
    worst = [max(load(f"{out}/{label}-{i}-{n}.json")["Latency"]["P99"] for n in "abc") for i in range(1, rounds + 1)]
    lost = sum(load(f"{out}/{label}-{i}-{n}.json")["Lost"] for i in range(1, rounds + 1) for n in "abc")
    cpu = [open(f"{out}/{label}-{i}-cpu.txt").read().strip() for i in range(1, rounds + 1)]
    res[label] = (statistics.median(tot), statistics.median(worst))
    print(f"{label}: total delivered/s {[round(x) for x in tot]} median {statistics.median(tot):.0f}; worst-node p99 {[round(x,1) for x in worst]} median {statistics.median(worst):.1f} ms; lost {lost}; Redis CPU % (port:avg over the sender's run) {cpu}")
print(f"cluster/one: delivered/s {res['cluster'][0]/res['one'][0]:.2f}, p99 {res['cluster'][1]/res['one'][1]:.2f}")
EOF
  exit 0
fi

for round in $(seq 1 "$rounds"); do
  dotnet $srv --port 3201 --http-bind off "${flags[@]}" >"$out/single-$round.log" 2>&1 &
  pids+=($!)
  wait_port 3201
  dotnet $lt "${common[@]}" --url ws://127.0.0.1:3201/ --warmup 5 --rate "$rate" --server-pid "${pids[0]}" --summary "$out/single-$round.json" >/dev/null
  cleanup

  redis-cli -p $redis_port flushall >/dev/null
  for port in 3301 3302 3303; do
    dotnet $srv --port $port --http-bind off "${flags[@]}" --redis 127.0.0.1:$redis_port >"$out/three-$round-$port.log" 2>&1 &
    pids+=($!)
  done
  for port in 3301 3302 3303; do wait_port $port; done
  dotnet $lt "${common[@]}" --url ws://127.0.0.1:3302/ --warmup "${THREE_WARMUP:-25}" --rate 1 --summary "$out/three-$round-b.json" >/dev/null &
  b=$!
  dotnet $lt "${common[@]}" --url ws://127.0.0.1:3303/ --warmup "${THREE_WARMUP:-25}" --rate 1 --summary "$out/three-$round-c.json" >/dev/null &
  c=$!
  sleep 2
  dotnet $lt "${common[@]}" --url ws://127.0.0.1:3301/ --warmup "${THREE_WARMUP:-25}" --rate "$rate" --summary "$out/three-$round-a.json" >/dev/null
  wait $b $c || true
  cleanup
  echo "round $round done: $(uptime)"
done

python3 - "$out" "$rounds" <<'EOF'
import json, sys, statistics
out, rounds = sys.argv[1], int(sys.argv[2])
def load(p):
    with open(p) as f: return json.load(f)
def row(name, rs):
    d = [r["DeliveredPerSecond"] for r in rs]
    p50 = [r["Latency"]["P50"] for r in rs]
    p99 = [r["Latency"]["P99"] for r in rs]
    lost = sum(r["Lost"] for r in rs)
    print(f"{name}: delivered/s {[round(x) for x in d]} p50 {[round(x,1) for x in p50]} p99 {[round(x,1) for x in p99]} lost {lost}")
    return statistics.median(d), statistics.median(p99)
single = [load(f"{out}/single-{i}.json") for i in range(1, rounds + 1)]
sd, sp = row("single", single)
for n in "abc":
    row(f"three node {n}", [load(f"{out}/three-{i}-{n}.json") for i in range(1, rounds + 1)])
tot = [sum(load(f"{out}/three-{i}-{n}.json")["DeliveredPerSecond"] for n in "abc") for i in range(1, rounds + 1)]
worst = [max(load(f"{out}/three-{i}-{n}.json")["Latency"]["P99"] for n in "abc") for i in range(1, rounds + 1)]
print(f"three total delivered/s {[round(x) for x in tot]} median {statistics.median(tot):.0f}; single median {sd:.0f}; ratio {statistics.median(tot)/sd:.2f}")
print(f"three worst-node p99 {[round(x,1) for x in worst]} median {statistics.median(worst):.1f} ms; single median p99 {sp:.1f} ms; ratio {statistics.median(worst)/sp:.2f}")
EOF
