#!/usr/bin/env bash
# Every load figure of bench/README.md in one run: side-by-side throughput (bench/run-load.sh), the h2load
# headers-only scenario against the same four servers, 10 000 concurrent slow streams on one sidecar, a 10-minute
# open-loop soak at 70 % of the measured maximum (and the floor under the same soak), rollback propagation over 50 sidecar processes, and start-up
# (bench/startup.sh). Results land in artifacts/bench-all/ and, in a full run, in bench/README.md's generated section.
#
# Usage: bench/run-all.sh [--short] [--no-build] [--no-readme]
#   --short: every step at toy size (under ~90 s on an idle 2-core machine once built): CI checks that everything
#            runs and its output parses, and nothing is written to bench/README.md.
#   --no-build: use what is already built (.ci/run has built the solution and published the AOT sidecar); without the
#            AOT baseline servers, their JIT build stands in.
set -euo pipefail
cd "$(dirname "$0")/.."
root="$PWD"
# shellcheck source=bench/machine-lock.sh
source bench/machine-lock.sh
short=false readme=true build=true
while [ $# -gt 0 ]; do
  case "$1" in
    --short) short=true readme=false; shift ;;
    --no-readme) readme=false; shift ;;
    --no-build) build=false; shift ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done

# Sizes of every step; the short mode only proves the plumbing.
if $short; then
  load_args=(--short)
  h2_duration=2 h2_warmup=1 h2_rounds=1
  hold_streams=400 hold_connections=2 hold_chunks=4 hold_interval=0.25 hold_ramp=1 hold_duration=4
  soak_duration=8 soak_probe=3
  prop_sidecars=5 prop_rounds=5
  startup_runs=1
else
  load_args=(--duration 10 --rounds 4 --concurrency 128)
  h2_duration=10 h2_warmup=3 h2_rounds=3
  # 10 000 streams over 4 connections (2 500 each: far above Kestrel's default of 100 per connection), each sending
  # 10 body chunks 2 s apart, opened over 15 s, then held at 10 000 for 60 s.
  hold_streams=10000 hold_connections=4 hold_chunks=10 hold_interval=2 hold_ramp=15 hold_duration=75
  soak_duration=600 soak_probe=10
  prop_sidecars=50 prop_rounds=100
  startup_runs=5
fi

out="$root/artifacts/bench-all"
rm -rf "$out"
mkdir -p "$out"
cat > "$out/config.json" <<JSON
{"holdStreams":$hold_streams,"holdConnections":$hold_connections,"holdChunks":$hold_chunks,"holdInterval":$hold_interval,
 "holdRamp":$hold_ramp,"holdDuration":$hold_duration,"soakDuration":$soak_duration,"propSidecars":$prop_sidecars,
 "propRounds":$prop_rounds,"h2Duration":$h2_duration,"h2Warmup":$h2_warmup,"h2Rounds":$h2_rounds,"loadArgs":"${load_args[*]}"}
JSON
step() { printf '\n=== %s (%ss)\n' "$*" "$SECONDS"; echo "$(date -u +%H:%M:%S) $* loadavg $(cut -d' ' -f1-3 /proc/loadavg)" >> "$out/steps.txt"; }
pids=()
cleanup() {
  local pid
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
}
trap cleanup EXIT

step "machine"
python3 - "$out/meta.json" "$short" <<'PY'
import json, os, subprocess, sys, datetime
model = next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")), "unknown")
mem_kb = next(int(l.split()[1]) for l in open("/proc/meminfo") if l.startswith("MemTotal"))
git = lambda *a: subprocess.run(["git", *a], capture_output=True, text=True).stdout.strip()
json.dump({
    "date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
    "commit": git("rev-parse", "--short", "HEAD"), "dirty": bool(git("status", "--porcelain", "--untracked-files=no")),
    "nproc": os.cpu_count(), "cpu": model, "memGiB": round(mem_kb / 1048576, 1),
    "loadStart": open("/proc/loadavg").read().split()[:3],
    "dotnet": subprocess.run(["dotnet", "--version"], capture_output=True, text=True).stdout.strip(),
    "short": sys.argv[2] == "true",
}, open(sys.argv[1], "w"))
PY

step "build"
if ! command -v h2load >/dev/null 2>&1; then
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nghttp2-client >/dev/null \
    || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nghttp2-client >/dev/null; }
fi
h2load --version | head -n 1 > "$out/h2load-version.txt"
aot="${CANARY_AOT_BINARY:-$root/artifacts/aot/canary-sidecar}"
baseline="$root/artifacts/baseline/canary-baseline-server"
if $build; then
  # shellcheck source=bench/fresh-sidecar.sh
  source bench/fresh-sidecar.sh
  publish_sidecar_if_stale
  stale "$baseline" bench/BaselineServers src/Contracts && dotnet publish bench/BaselineServers/Canary.BaselineServers.csproj -c Release -r linux-x64 \
    -o "$root/artifacts/baseline" -nologo -clp:ErrorsOnly >/dev/null
  for project in src/Sidecar/Canary.Sidecar.csproj bench/LoadGenerator/Canary.LoadGenerator.csproj bench/Benchmarks/Canary.Benchmarks.csproj; do
    dotnet build "$project" -c Release -nologo -clp:ErrorsOnly >/dev/null
  done
fi
baseline_cmd=("$baseline")
[ -x "$baseline" ] || baseline_cmd=(dotnet "$root/bench/BaselineServers/bin/Release/net10.0/canary-baseline-server.dll")
load="$root/bench/LoadGenerator/bin/Release/net10.0/canary-load.dll"
jit="$root/src/Sidecar/bin/Release/net10.0/canary-sidecar.dll"
benchmarks="$root/bench/Benchmarks/bin/Release/net10.0/Canary.Benchmarks.dll"

# A sidecar on ports 21051 (ext_proc), 21052 (control), 21091 (metrics), the same flags run-load.sh uses.
sidecar_args=(--Canary:ExtProc:Port=21051 --Canary:Control:Port=21052 --Canary:Metrics:Port=21091
  --Canary:Metrics:BindAddress=127.0.0.1 --Canary:Control:BindAddress=127.0.0.1
  --Canary:Routing:RolloutsFile="$root/samples/rollouts.json" --Logging:LogLevel:Default=Warning)
start_server() { # label, ready-url, command... (sets server_pid)
  local label="$1" ready="$2"; shift 2
  "$@" >"$out/$label.log" 2>&1 &
  server_pid=$!
  pids+=("$server_pid")
  for _ in $(seq 600); do curl -fs "$ready" >/dev/null 2>&1 && return 0; sleep 0.05; done
  echo "$label did not become ready" >&2
  return 1
}
stop_server() { kill -TERM "$server_pid" 2>/dev/null || true; wait "$server_pid" 2>/dev/null || true; }
# Samples a server every $2 s into $3 (seconds since start, RSS KiB, open ext_proc streams or -1) until stopped.
sample() { # pid, interval, file, metrics-url
  local pid="$1" interval="$2" file="$3" url="$4" t0 open
  t0=$(date +%s%N)
  while kill -0 "$pid" 2>/dev/null; do
    open=$(curl -fs "$url" 2>/dev/null | awk '/^canary_extproc_streams_open /{print $2}')
    echo "$(( ($(date +%s%N) - t0) / 1000000 )) $(ps -o rss= -p "$pid" | tr -d ' ') ${open:--1}" >> "$file"
    sleep "$interval"
  done
}

step "side-by-side throughput (bench/run-load.sh ${load_args[*]})"
bash bench/run-load.sh --no-build "${load_args[@]}" --out "$out/throughput.jsonl" | tee "$out/throughput.md"

step "h2load headers-only ($h2_rounds rounds of ${h2_duration} s per target, targets alternated)"
dotnet "$load" --h2load-body "$out/h2load-body.bin"
# On this shared machine one 10-second window can land in a slow spell for one target only, so each target runs in
# every round (the targets alternate) and the summary takes the median round. The server's CPU time is read at the end
# of h2load's warm-up and at its end: CPU per request is steadier than requests/s, since h2load shares the two cores.
h2_target() { # round, label, metrics-url, command...
  local round="$1" label="$2" metrics="$3" run
  shift 3
  run="$label-r$round"
  start_server "h2load-$run" "${metrics%/metrics}/healthz" "$@"
  # One gRPC exchange first, checked by hand: h2load counts HTTP 200 as success and cannot see grpc-status.
  curl -s --http2-prior-knowledge -H 'content-type: application/grpc' -H 'te: trailers' \
    --data-binary @"$out/h2load-body.bin" -o "$out/h2load-$run.response" -D "$out/h2load-$run.headers" \
    http://127.0.0.1:21051/envoy.service.ext_proc.v3.ExternalProcessor/Process
  ( sleep "$h2_warmup"; curl -fs "$metrics" > "$out/h2load-$run.metrics-before" || true ) &
  local reader=$!
  h2load -D "$h2_duration" --warm-up-time "$h2_warmup" -t 1 -c 4 -m 64 \
    -d "$out/h2load-body.bin" -H 'content-type: application/grpc' -H 'te: trailers' \
    --log-file "$out/h2load-$run.tsv" \
    http://127.0.0.1:21051/envoy.service.ext_proc.v3.ExternalProcessor/Process > "$out/h2load-$run.txt" 2>&1 || true
  wait "$reader" || true
  curl -fs "$metrics" > "$out/h2load-$run.metrics-after" || true
  stop_server
}
for round in $(seq "$h2_rounds"); do
  h2_target "$round" sidecar-aot http://127.0.0.1:21091/metrics "$aot" "${sidecar_args[@]}"
  h2_target "$round" floor http://127.0.0.1:22051/metrics "${baseline_cmd[@]}" floor 21051 22051
  h2_target "$round" typical http://127.0.0.1:22051/metrics "${baseline_cmd[@]}" typical 21051 22051
  h2_target "$round" sidecar-jit http://127.0.0.1:21091/metrics dotnet "$jit" "${sidecar_args[@]}"
done

step "$hold_streams concurrent streams on one AOT sidecar"
start_server hold http://127.0.0.1:21091/healthz "$aot" "${sidecar_args[@]}"
sample "$server_pid" 1 "$out/hold-samples.txt" http://127.0.0.1:21091/metrics &
pids+=($!)
dotnet "$load" --target http://127.0.0.1:21051 --label hold --connections "$hold_connections" \
  --concurrency "$hold_streams" --chunks "$hold_chunks" --chunk-interval "$hold_interval" --ramp-up "$hold_ramp" \
  --warmup 0 --duration "$hold_duration" --json "$out/hold.jsonl" > "$out/hold.md" 2> "$out/hold.err" || true
curl -fs http://127.0.0.1:21091/metrics > "$out/hold-metrics.txt" || true
stop_server

step "soak: open loop at 70 % of the maximum, ${soak_duration} s"
# The soak's stream shape carries 4 SSE body chunks (the scanner and its pool are part of what must not leak); its
# maximum is measured just before, closed loop, on the same sidecar, with 128 streams in flight. The open loop caps
# its streams in flight at the same 128 (a stream waiting for a slot is still timed from its intended start): on
# these 2 shared cores the HTTP/2 client and server together, the floor's as much as the sidecar's, complete about
# 7,600 streams/s at 128 in flight but only about 2,300 at 2,048, so a larger cap lets one hiccup queue enough
# streams to collapse the rate for the rest of the run, which measures the client stack instead of the sidecar.
soak() { # label, metrics-url (of the server started last): probe its maximum, then the open loop at 70 % of it
  local label="$1" metrics="$2" max rate
  dotnet "$load" --target http://127.0.0.1:21051 --label "$label-max" --connections 4 --concurrency 128 --chunks 4 \
    --warmup 2 --duration "$soak_probe" --json "$out/$label-max.jsonl" > "$out/$label-max.md" 2>&1 || true
  max=$(python3 -c "import json,sys; print(json.loads(open(sys.argv[1]).readline())['streamsPerSecond'])" "$out/$label-max.jsonl")
  rate=$(python3 -c "print(round(0.7 * $max))")
  echo "$label: maximum $max streams/s; soak rate $rate streams/s" | tee -a "$out/soak-rate.txt"
  echo "{\"targetRate\":$rate}" > "$out/$label-target.json"
  curl -fs "$metrics" > "$out/$label-metrics-before.txt" || true
  sample "$server_pid" 10 "$out/$label-samples.txt" "$metrics" &
  pids+=($!)
  dotnet "$load" --target http://127.0.0.1:21051 --label "$label" --mode open --rate "$rate" --connections 4 \
    --concurrency 128 --chunks 4 --warmup 0 --duration "$soak_duration" --json "$out/$label.jsonl" > "$out/$label.md" 2> "$out/$label.err" || true
  curl -fs "$metrics" > "$out/$label-metrics-after.txt" || true
  stop_server
}
start_server soak http://127.0.0.1:21091/healthz "$aot" "${sidecar_args[@]}"
soak soak http://127.0.0.1:21091/metrics

step "soak of the floor: the same shape and duration, at 70 % of its own maximum"
# What the framework alone does to RSS under this load, to read the sidecar's RSS figures against.
start_server soak-floor http://127.0.0.1:22051/healthz "${baseline_cmd[@]}" floor 21051 22051
soak soak-floor http://127.0.0.1:22051/metrics

step "rollback propagation over $prop_sidecars AOT sidecars"
# Small-memory settings, as for a sidecar with a tight limit: workstation GC, a 64 MiB managed-heap cap. (The native
# runtime reads these values as hexadecimal digits without a 0x prefix; with the prefix it ignores them.)
prop_pids=()
for i in $(seq 0 $(( prop_sidecars - 1 ))); do
  DOTNET_GCHeapHardLimit=4000000 DOTNET_gcServer=0 "$aot" --Canary:ExtProc:Port=$(( 23000 + i )) \
    --Canary:Control:Port=$(( 24000 + i )) --Canary:Metrics:Port=$(( 25000 + i )) --Canary:Metrics:BindAddress=127.0.0.1 \
    --Canary:Control:BindAddress=127.0.0.1 --Canary:Control:AllowUnauthenticated=true --Canary:SidecarId=prop-$i \
    --Canary:Routing:RolloutsFile="$root/samples/rollouts.json" --Logging:LogLevel:Default=Warning > "$out/prop-$i.log" 2>&1 &
  prop_pids+=($!)
  pids+=($!)
done
not_ready=0
for i in $(seq 0 $(( prop_sidecars - 1 ))); do
  for _ in $(seq 600); do curl -fs "http://127.0.0.1:$(( 25000 + i ))/healthz" >/dev/null 2>&1 && break; sleep 0.05; done
  curl -fs "http://127.0.0.1:$(( 25000 + i ))/healthz" >/dev/null 2>&1 || { not_ready=$(( not_ready + 1 )); echo "prop-$i did not start: $(grep -m1 -i 'exception\|failed' "$out/prop-$i.log")" >&2; }
done
dotnet "$benchmarks" propagation --control-ports "24000:$prop_sidecars" --rounds "$prop_rounds" \
  --rollouts "$root/samples/rollouts.json" --json "$out/propagation.jsonl" | tee "$out/propagation.txt" || true
rss_total=0
for pid in "${prop_pids[@]}"; do rss=$(ps -o rss= -p "$pid" | tr -d ' '); rss_total=$(( rss_total + ${rss:-0} )); done
echo "{\"sidecars\":$prop_sidecars,\"notReady\":$not_ready,\"rssTotalKiB\":$rss_total}" > "$out/propagation-rss.json"
gens=0
for i in $(seq 0 $(( prop_sidecars - 1 ))); do
  g=$(curl -fs "http://127.0.0.1:$(( 25000 + i ))/metrics" | awk '/^canary_rollout_table_generation /{print $2}')
  gens=$(( gens + (${g:-0} > 1000 ? 1 : 0) ))
done
echo "{\"sidecarsOnPushedGeneration\":$gens}" > "$out/propagation-check.json"
for pid in "${prop_pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
for pid in "${prop_pids[@]}"; do wait "$pid" 2>/dev/null || true; done

step "start-up (bench/startup.sh, $startup_runs runs)"
bash bench/startup.sh "$aot" "$jit" "$startup_runs" | tee "$out/startup.md"

step "summary"
echo "{\"loadEnd\":$(python3 -c "import json;print(json.dumps(open('/proc/loadavg').read().split()[:3]))")}" > "$out/meta-end.json"
summary_args=("$out")
$readme && summary_args+=(--readme "$root/bench/README.md")
python3 bench/summarize-run.py "${summary_args[@]}"
echo "run-all: done in ${SECONDS}s; results in $out"
