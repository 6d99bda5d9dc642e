#!/usr/bin/env bash
# Usage: scripts/fuzz.sh TARGET SECONDS [--persistent]
#   TARGET: websocket | websocket-deflate | handshake | chat   (tests/PipeChat.Fuzz, seeds in tests/fuzz-corpus/TARGET)
#   Installs afl++ (Debian) and the SharpFuzz.CommandLine tool (.tools/) when missing, publishes
#   PipeChat.Fuzz in Release to artifacts/fuzz/TARGET/bin, instruments PipeChat.Protocol.dll there,
#   runs afl-fuzz for SECONDS (-V), then lists the crashes and hangs it saved and replays them.
#   Findings: artifacts/fuzz/TARGET/findings/default/{crashes,hangs,queue}.
#   --persistent uses SharpFuzz's in-process persistent mode (faster; a hang ends the run).
set -euo pipefail

target="${1:?usage: scripts/fuzz.sh websocket|websocket-deflate|handshake|chat SECONDS [--persistent]}"
seconds="${2:?usage: scripts/fuzz.sh TARGET SECONDS}"
mode="${3:-}"
root="$(cd "$(dirname "$0")/.." && pwd)"
corpus="$root/tests/fuzz-corpus/$target"
work="$root/artifacts/fuzz/$target"
bin="$work/bin"
findings="$work/findings"
[[ -d "$corpus" ]] || { echo "no corpus at $corpus" >&2; exit 2; }

if ! command -v afl-fuzz >/dev/null; then
  echo "== installing afl++"
  apt-get install -y afl++ >/dev/null 2>&1 || { apt-get update >/dev/null && apt-get install -y afl++ >/dev/null; }
fi
sharpfuzz="$root/.tools/sharpfuzz"
if [[ ! -x "$sharpfuzz" ]]; then
  echo "== installing SharpFuzz.CommandLine 2.3.0 into .tools/"
  dotnet tool install --tool-path "$root/.tools" SharpFuzz.CommandLine --version 2.3.0 >/dev/null
fi

echo "== publishing PipeChat.Fuzz (Release) to $bin"
rm -rf "$bin"
dotnet publish "$root/tests/PipeChat.Fuzz/PipeChat.Fuzz/PipeChat.Fuzz.csproj" -c Release -o "$bin" --nologo -v quiet
echo "== instrumenting PipeChat.Protocol.dll"
"$sharpfuzz" "$bin/PipeChat.Protocol.dll"

# dotnet is not an AFL-instrumented binary (SharpFuzz speaks the fork-server protocol itself);
# the CPU-frequency and core_pattern checks are about the host, not the target.
export AFL_SKIP_BIN_CHECK=1 AFL_SKIP_CPUFREQ=1 AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES=1
export AFL_NO_UI=1 AFL_NO_AFFINITY=1 AFL_SHUFFLE_QUEUE=0
export DOTNET_TieredPGO=0 DOTNET_TC_QuickJitForLoops=1
rm -rf "$findings"
echo "== afl-fuzz $target for ${seconds}s"
args=("$target")
[[ "$mode" == "--persistent" ]] && args+=(--persistent)
set +e
afl-fuzz -i "$corpus" -o "$findings" -t 5000 -m none -V "$seconds" -- dotnet "$bin/PipeChat.Fuzz.dll" "${args[@]}" \
  > "$work/afl.log" 2>&1
status=$?
set -e
tail -n 25 "$work/afl.log"
stats="$findings/default/fuzzer_stats"
if [[ -f "$stats" ]]; then
  echo "== fuzzer_stats"
  grep -E '^(run_time|execs_done|execs_per_sec|corpus_count|corpus_found|edges_found|total_edges|bitmap_cvg|saved_crashes|saved_hangs|stability) ' "$stats"
fi
crashes=$(find "$findings/default/crashes" -type f -name 'id:*' 2>/dev/null | wc -l)
hangs=$(find "$findings/default/hangs" -type f -name 'id:*' 2>/dev/null | wc -l)
echo "== $target: $crashes crashes, $hangs hangs (afl-fuzz exit $status)"
if (( crashes + hangs > 0 )); then
  # The instrumented build writes to AFL's coverage map and crashes outside AFL: replay with a plain one.
  echo "== replaying with an uninstrumented build (stack traces below)"
  dotnet build "$root/tests/PipeChat.Fuzz/PipeChat.Fuzz/PipeChat.Fuzz.csproj" -c Release -o "$work/plain" --nologo -v quiet >/dev/null
  shopt -s nullglob
  dotnet "$work/plain/PipeChat.Fuzz.dll" "$target" --replay "$findings"/default/crashes/id:* "$findings"/default/hangs/id:* || true
fi
exit $(( status != 0 ? status : 0 ))
