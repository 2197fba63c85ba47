#!/usr/bin/env bash
# Side-by-side ext_proc load run: the AOT sidecar, its JIT build, the framework's floor (pass-through marshallers,
# constant CONTINUE) and the typical implementation (no-op on generated types), each driven by the Envoy-like load
# generator in the same run, in alternating order. Prints a markdown table and writes JSON lines.
#
# Usage: bench/run-load.sh [--short] [--no-build] [--graceful-end] [--chunks K] [--duration S] [--concurrency N] [--connections C] [--out FILE]
#   --short: a few seconds per target (CI: checks that everything runs and the output parses).
#   --graceful-end: streams wait for the server's trailers instead of ending as Envoy ends them (half-close, then reset).
#   --no-build: use the binaries already built (bench/run-all.sh builds once for all its steps).
set -euo pipefail
cd "$(dirname "$0")/.."
root="$PWD"
# shellcheck source=bench/machine-lock.sh
source bench/machine-lock.sh
duration=20 warmup=5 chunks=0 concurrency=128 connections=4 rounds=2 out="$root/artifacts/load/results.jsonl" build=true end_args=()
while [ $# -gt 0 ]; do
  case "$1" in
    --short) duration=2 warmup=1 rounds=1 concurrency=32; shift ;;
    --chunks) chunks="$2"; shift 2 ;;
    --duration) duration="$2"; shift 2 ;;
    --concurrency) concurrency="$2"; shift 2 ;;
    --connections) connections="$2"; shift 2 ;;
    --rounds) rounds="$2"; shift 2 ;;
    --out) out="$2"; shift 2 ;;
    --no-build) build=false; shift ;;
    --graceful-end) end_args=(--graceful-end); shift ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done
mkdir -p "$(dirname "$out")" "$root/artifacts/load"
: > "$out"

aot="$root/artifacts/aot/canary-sidecar"
baseline="$root/artifacts/baseline/canary-baseline-server"
if $build; then
  [ -x "$aot" ] || bash eng/publish-aot.sh "$root/artifacts/aot" >/dev/null
  if [ ! -x "$baseline" ]; then
    dotnet publish bench/BaselineServers/Canary.BaselineServers.csproj -c Release -r linux-x64 -o "$root/artifacts/baseline" -nologo -clp:ErrorsOnly >/dev/null
  fi
  dotnet build src/Sidecar/Canary.Sidecar.csproj -c Release -nologo -clp:ErrorsOnly >/dev/null
  dotnet build bench/LoadGenerator/Canary.LoadGenerator.csproj -c Release -nologo -clp:ErrorsOnly >/dev/null
fi
# Without the AOT baseline (CI's short run skips its publish), the JIT build of the same servers stands in.
baseline_cmd=("$baseline")
[ -x "$baseline" ] || baseline_cmd=(dotnet "$root/bench/BaselineServers/bin/Release/net10.0/canary-baseline-server.dll")
load="$root/bench/LoadGenerator/bin/Release/net10.0/canary-load.dll"
sidecar_args=(--Canary:ExtProc:Port=21051 --Canary:Control:Port=21052 --Canary:Metrics:Port=21091
  --Canary:Metrics:BindAddress=127.0.0.1 --Canary:Control:BindAddress=127.0.0.1
  --Canary:Routing:RolloutsFile="$root/samples/rollouts.json" --Logging:LogLevel:Default=Warning)

run_target() { # label, metrics-url, command...
  local label="$1" metrics="$2"; shift 2
  "$@" >"$root/artifacts/load/$label.log" 2>&1 &
  local pid=$!
  for _ in $(seq 400); do curl -fs "$metrics" >/dev/null 2>&1 && break; sleep 0.05; done
  dotnet "$load" --target http://127.0.0.1:21051 --metrics "$metrics" --label "$label" --connections "$connections" \
    --concurrency "$concurrency" --duration "$duration" --warmup "$warmup" --chunks "$chunks" ${end_args[@]+"${end_args[@]}"} --json "$out" || true
  kill -TERM "$pid"; wait "$pid" 2>/dev/null || true
}

echo "| target | mode | streams/s | errors | request_headers p50 / p99 (µs) | response_headers p50 / p99 (µs) | stream p50 / p99 (µs) | server bytes allocated per stream | server CPU µs per stream |"
echo "|---|---|---|---|---|---|---|---|---|"
target() { # index
  case "$1" in
    0) run_target sidecar-aot http://127.0.0.1:21091/metrics "$aot" "${sidecar_args[@]}" ;;
    1) run_target floor http://127.0.0.1:22051/metrics "${baseline_cmd[@]}" floor 21051 22051 ;;
    2) run_target typical http://127.0.0.1:22051/metrics "${baseline_cmd[@]}" typical 21051 22051 ;;
    3) run_target sidecar-jit http://127.0.0.1:21091/metrics dotnet "$root/src/Sidecar/bin/Release/net10.0/canary-sidecar.dll" "${sidecar_args[@]}" ;;
  esac
}
# Each round starts one target later than the one before, so with four rounds every target runs once in each position:
# on a shared machine the first run after a quiet spell (or after a build) is not always the same target's.
for round in $(seq 0 $(( rounds - 1 ))); do
  for i in 0 1 2 3; do target $(( (round + i) % 4 )); done
done

# Every target must have produced a parsable result line.
python3 - "$out" <<'PY'
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
labels = {r["label"] for r in rows}
missing = {"sidecar-aot", "sidecar-jit", "floor", "typical"} - labels
if missing:
    sys.exit(f"no result for: {', '.join(sorted(missing))}")
bad = [r["label"] for r in rows if r["streams"] == 0 or r["errors"] > 0]
if bad:
    sys.exit(f"failed or errored runs: {bad}")
print(f"load results: {len(rows)} runs parsed from {sys.argv[1]}")
PY
