# perf/lib.sh — shared by the perf scripts (compare.sh, deflate.sh, api-bench.sh): the load tool's
# path and stopping the one server a script started, by its PID. Source it after setting ROOT.
LOADTOOL="$ROOT/perf/PipeChat.LoadTest/bin/Release/net10.0/PipeChat.LoadTest.dll"
SERVER_PID=""

# stop_server: TERM, up to 10 s for a graceful exit, then KILL; only $SERVER_PID.
stop_server() {
  if [[ -n "$SERVER_PID" ]] && kill -0 "$SERVER_PID" 2>/dev/null; then
    kill "$SERVER_PID" 2>/dev/null || true
    for _ in $(seq 1 100); do kill -0 "$SERVER_PID" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$SERVER_PID" 2>/dev/null || true
    wait "$SERVER_PID" 2>/dev/null || true
  fi
  SERVER_PID=""
}
trap stop_server EXIT
