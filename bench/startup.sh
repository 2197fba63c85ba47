#!/usr/bin/env bash
# Start-up figures of the sidecar: time from exec to the first successful /healthz answer, and RSS after 5 s idle,
# for the Native-AOT binary and for the JIT build. Usage: bench/startup.sh [aot-binary] [jit-dll] [runs]
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=bench/machine-lock.sh
source bench/machine-lock.sh
aot="${1:-artifacts/aot/canary-sidecar}"
jit="${2:-src/Sidecar/bin/Release/net10.0/canary-sidecar.dll}"
runs="${3:-5}"
port=19091

measure() { # name, command...
  local name="$1"; shift
  local total=0 rss=0
  for _ in $(seq "$runs"); do
    local t0 t1
    t0=$(date +%s%N)
    "$@" --Canary:Metrics:Port=$port --Canary:ExtProc:Port=19051 --Canary:Control:Port=19052 \
      --Canary:Routing:RolloutsFile=samples/rollouts.json >/dev/null 2>&1 &
    local pid=$!
    until curl -fs "http://127.0.0.1:$port/healthz" >/dev/null 2>&1; do sleep 0.002; done
    t1=$(date +%s%N)
    total=$(( total + (t1 - t0) / 1000 ))
    sleep 5
    rss=$(( rss + $(ps -o rss= -p "$pid") ))
    kill -TERM "$pid"; wait "$pid" || true
  done
  printf '| %s | %d ms | %d MiB |\n' "$name" $(( total / runs / 1000 )) $(( rss / runs / 1024 ))
}

echo "| build | time to ready (mean of $runs) | RSS after 5 s idle |"
echo "|---|---|---|"
measure "Native AOT ($(stat -c %s "$aot" | awk '{printf "%.1f MB", $1/1e6}'))" "$aot"
measure "JIT (dotnet $jit)" dotnet "$jit"
