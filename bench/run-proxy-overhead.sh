#!/usr/bin/env bash
# Proxy mode overhead: the same OpenAI chat-completion load sent (a) straight to a fake model server, (b) through plain
# YARP (IHttpForwarder to that one upstream, nothing of Canary) and (c) through the AOT sidecar in proxy mode (a
# 50/50 rollout on the body's model, two upstream names that both point at the fake server), for a whole-JSON answer
# and for a streamed one (SSE, K content chunks and a usage chunk). Prints a markdown table with the latency each
# layer adds and what a request costs the proxy process (bytes allocated, CPU time), and writes JSON lines.
#
# Usage: bench/run-proxy-overhead.sh [--short] [--no-build] [--duration S] [--warmup S] [--concurrency N] [--chunks K]
#                                    [--rounds R] [--http2] [--connections C] [--out FILE]
#   --short: a few seconds per target (CI: checks that everything runs and the output parses).
#   --http2: the client speaks HTTP/2 (prior knowledge) over C connections instead of HTTP/1.1 keep-alive.
#   --no-build: use the binaries already built.
set -euo pipefail
cd "$(dirname "$0")/.."
root="$PWD"
# shellcheck source=bench/machine-lock.sh
source bench/machine-lock.sh
duration=20 warmup=5 concurrency=16 chunks=8 rounds=1 connections=2 build=true short=false
out="$root/artifacts/proxy-overhead/results.jsonl" protocol_args=()
while [ $# -gt 0 ]; do
  case "$1" in
    --short) short=true duration=2 warmup=1 concurrency=4 rounds=1; shift ;;
    --no-build) build=false; shift ;;
    --duration) duration="$2"; shift 2 ;;
    --warmup) warmup="$2"; shift 2 ;;
    --concurrency) concurrency="$2"; shift 2 ;;
    --chunks) chunks="$2"; shift 2 ;;
    --rounds) rounds="$2"; shift 2 ;;
    --connections) connections="$2"; shift 2 ;;
    --http2) protocol_args=(--http2); shift ;;
    --out) out="$2"; shift 2 ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done
work="$root/artifacts/proxy-overhead"
mkdir -p "$work" "$(dirname "$out")"
: > "$out"

aot="${CANARY_AOT_BINARY:-$root/artifacts/aot/canary-sidecar}"
baseline="$root/artifacts/baseline/canary-baseline-server"
if $build; then
  # shellcheck source=bench/fresh-sidecar.sh
  source bench/fresh-sidecar.sh
  publish_sidecar_if_stale
  # The short run only proves the plumbing: the JIT build of the baseline servers stands in for their AOT publish.
  if $short; then
    dotnet build bench/BaselineServers/Canary.BaselineServers.csproj -c Release -nologo -clp:ErrorsOnly >/dev/null
  elif stale "$baseline" bench/BaselineServers src/Contracts; then
    dotnet publish bench/BaselineServers/Canary.BaselineServers.csproj -c Release -r linux-x64 -o "$root/artifacts/baseline" -nologo -clp:ErrorsOnly >/dev/null
  fi
  dotnet build bench/LoadGenerator/Canary.LoadGenerator.csproj -c Release -nologo -clp:ErrorsOnly >/dev/null
fi
baseline_cmd=("$baseline")
if $short || [ ! -x "$baseline" ]; then
  baseline_cmd=(dotnet "$root/bench/BaselineServers/bin/Release/net10.0/canary-baseline-server.dll")
fi
load="$root/bench/LoadGenerator/bin/Release/net10.0/canary-load.dll"

pids=()
cleanup() {
  for pid in ${pids[@]+"${pids[@]}"}; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in ${pids[@]+"${pids[@]}"}; do wait "$pid" 2>/dev/null || true; done
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# Starts a server in the background (server_pid) with its output in $work/<label>.log and waits for its ready line.
start_server() { # label, ready-pattern, command...
  local label="$1" pattern="$2"; shift 2
  "$@" >"$work/$label.log" 2>&1 &
  server_pid=$!
  pids+=("$server_pid")
  for _ in $(seq 600); do
    grep -qE "$pattern" "$work/$label.log" 2>/dev/null && return 0
    kill -0 "$server_pid" 2>/dev/null || break
    sleep 0.05
  done
  echo "$label did not become ready; its log:" >&2
  tail -n 20 "$work/$label.log" >&2
  exit 1
}
stop_server() { kill -TERM "$server_pid" 2>/dev/null || true; wait "$server_pid" 2>/dev/null || true; }
# The port a ready line names: port_of <log> <text before "127.0.0.1:<port>">
port_of() { grep -oE "$2 127\.0\.0\.1:[0-9]+" "$1" | head -n 1 | grep -oE '[0-9]+$'; }

# The fake model server, for the whole run: every target forwards to it.
start_server upstream '^Ready on' "${baseline_cmd[@]}" upstream 0 0 "$chunks"
upstream_pid=$server_pid
upstream_url="http://127.0.0.1:$(port_of "$work/upstream.log" 'Ready on')"
upstream_metrics="http://127.0.0.1:$(port_of "$work/upstream.log" 'metrics on')/metrics"
# The direct row's server: with --http2, a second fake model server that takes HTTP/2 by prior knowledge (the proxies
# keep reaching theirs over HTTP/1.1, as they would a model server).
direct_url="$upstream_url" direct_metrics="$upstream_metrics" h2c_args=()
if [ ${#protocol_args[@]} -gt 0 ]; then
  h2c_args=(--h2c)
  start_server upstream-h2c '^Ready on' "${baseline_cmd[@]}" upstream 0 0 "$chunks" --h2c
  direct_url="http://127.0.0.1:$(port_of "$work/upstream-h2c.log" 'Ready on')"
  direct_metrics="http://127.0.0.1:$(port_of "$work/upstream-h2c.log" 'metrics on')/metrics"
fi

# One rollout on the body's model, 50/50: every user hashes to one of two upstream names, both the fake server.
cat > "$work/rollouts.json" <<'JSON'
{"generation": 1, "rollouts": [
  {"routeKey": "bench-model", "stableSubset": "stable", "canarySubset": "canary", "canaryWeightBasisPoints": 5000,
   "salt": "bench-proxy-overhead", "state": "active"}
]}
JSON
# No database: telemetry is recorded in the sidecar's memory (histograms per arm) and never flushed.
sidecar_args=(--Canary:ExtProc:Port=0 --Canary:Control:Port=0 --Canary:Metrics:Port=0
  --Canary:Metrics:BindAddress=127.0.0.1 --Canary:Control:BindAddress=127.0.0.1
  --Canary:Routing:RolloutsFile="$work/rollouts.json"
  --Canary:Proxy:Enabled=true --Canary:Proxy:Port=0 --Canary:Proxy:BindAddress=127.0.0.1
  --Canary:Proxy:Upstreams:stable:Url="$upstream_url" --Canary:Proxy:Upstreams:canary:Url="$upstream_url"
  --Canary:Proxy:DefaultUpstream=stable
  --Logging:LogLevel:Default=Warning --Logging:LogLevel:Canary.Sidecar=Information)

drive() { # label, scenario-args, target-url, metrics-url[, upstream-metrics-url]
  local label="$1" scenario="$2" target="$3" metrics="$4" upstream="${5:-$upstream_metrics}" stream_args=()
  [ "$scenario" = sse ] && stream_args=(--stream)
  # The limit only ends a run whose server stopped answering.
  timeout $(( duration + warmup + 60 )) dotnet "$load" --api chat --label "$label" --target "$target" --metrics "$metrics" \
    --upstream-metrics "$upstream" --concurrency "$concurrency" --connections "$connections" --users 10000 \
    --duration "$duration" --warmup "$warmup" ${stream_args[@]+"${stream_args[@]}"} ${protocol_args[@]+"${protocol_args[@]}"} \
    --json "$out" >>"$work/rows.md" || echo "$label ($scenario): the load run failed" >&2
}
run_target() { # target index, scenario, round
  local scenario="$2" run="$2-r$3"
  case "$1" in
    0) drive direct "$scenario" "$direct_url" "$direct_metrics" "$direct_metrics" ;;
    1)
      start_server "yarp-$run" '^Ready on' "${baseline_cmd[@]}" yarp 0 0 "$upstream_url" ${h2c_args[@]+"${h2c_args[@]}"}
      drive yarp "$scenario" "http://127.0.0.1:$(port_of "$work/yarp-$run.log" 'Ready on')" \
        "http://127.0.0.1:$(port_of "$work/yarp-$run.log" 'metrics on')/metrics"
      stop_server ;;
    2)
      start_server "canary-$run" 'Proxy ready on' "$aot" "${sidecar_args[@]}"
      local metrics
      metrics="http://127.0.0.1:$(port_of "$work/canary-$run.log" 'metrics on')/metrics"
      drive canary "$scenario" "http://127.0.0.1:$(port_of "$work/canary-$run.log" 'Proxy ready on')" "$metrics"
      # Kept to check that the rollout, not the default route, served the requests, and both arms took some.
      curl -fs "$metrics" > "$work/canary-$run.metrics" || true
      stop_server ;;
  esac
}

: > "$work/rows.md"
# The machine's load frames every figure: the load driver shares the cores, and so does anything else running.
load_before=$(cut -d ' ' -f 1-3 /proc/loadavg)
# Each round starts one target later than the one before: on a shared machine the first run after a quiet spell (or a
# build) is not always the same target's.
for scenario in json sse; do
  for round in $(seq 0 $(( rounds - 1 ))); do
    for i in 0 1 2; do run_target $(( (round + i) % 3 )) "$scenario" "$round"; done
  done
done
kill -0 "$upstream_pid" 2>/dev/null || { echo "the fake upstream died during the run" >&2; exit 1; }
echo "Load average (1, 5, 15 min) at the start: $load_before; at the end: $(cut -d ' ' -f 1-3 /proc/loadavg)."

python3 - "$out" "$work" "$chunks" "$concurrency" "${#protocol_args[@]}" <<'PY'
import glob, json, re, statistics, sys
out, work, chunks, concurrency, http2 = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4], sys.argv[5] != "0"
rows = [json.loads(l) for l in open(out) if l.strip()]
problems = []
for path in sorted(glob.glob(f"{work}/canary-*.metrics")):
    text = open(path).read()
    def value(pattern):
        m = re.search(pattern + r" ([0-9.e+]+)", text)
        return float(m.group(1)) if m else 0.0
    if value(r'canary_proxy_requests_total\{result="forwarded"\}') == 0 or value(r'canary_proxy_requests_total\{result="forwarded_unmatched"\}') > 0:
        problems.append(f"{path}: requests did not all go through the rollout")
    if value(r'canary_assignments_total\{rollout="bench-model",subset="stable"\}') == 0 or value(r'canary_assignments_total\{rollout="bench-model",subset="canary"\}') == 0:
        problems.append(f"{path}: one arm of the 50/50 rollout took no requests")
labels = {"direct": "direct to the fake upstream", "yarp": "plain YARP → upstream", "canary": "Canary proxy (AOT) → upstream"}
scenarios = {"json": "whole JSON", "sse": f"SSE, {chunks} chunks + usage"}
med = {}
for scenario, stream in (("json", False), ("sse", True)):
    for label in labels:
        runs = [r for r in rows if r["label"] == label and r["stream"] == stream]
        if not runs:
            problems.append(f"no result for {label} ({scenario})")
            continue
        if any(r["requests"] == 0 or r["errors"] > 0 for r in runs):
            problems.append(f"{label} ({scenario}): failed or errored run")
        def m(key):
            values = [r[key] for r in runs if r[key] is not None]
            return statistics.median(values) if values else None
        med[scenario, label] = {k: m(k) for k in ("requestsPerSecond", "p50Us", "p99Us", "serverBytesPerRequest", "serverCpuUsPerRequest", "upstreamCpuUsPerRequest")}
        med[scenario, label]["rounds"] = len(runs)
        med[scenario, label]["errors"] = sum(r["errors"] for r in runs)
def fmt(v, digits=0):
    return "n/a" if v is None else f"{v:,.{digits}f}"
def added(scenario, label, over):
    a, b = med.get((scenario, label)), med.get((scenario, over))
    if not a or not b:
        return "—"
    return f"{a['p50Us'] - b['p50Us']:+,.0f} / {a['p99Us'] - b['p99Us']:+,.0f}"
print(f"Closed loop, {concurrency} requests in flight over {'HTTP/2' if http2 else 'HTTP/1.1 keep-alive'}; medians over rounds; "
      "bytes and CPU per request are the measured process's own (for the direct row, the fake upstream's).")
print()
print("| scenario | target | rounds | requests/s | errors | latency p50 / p99 (µs) | added p50 / p99 over direct (µs) | added p50 / p99 over plain YARP (µs) | process bytes allocated per request | process CPU µs per request | upstream CPU µs per request |")
print("|---|---|---|---|---|---|---|---|---|---|---|")
for scenario in scenarios:
    for label, name in labels.items():
        r = med.get((scenario, label))
        if not r:
            continue
        print(f"| {scenarios[scenario]} | {name} | {r['rounds']} | {fmt(r['requestsPerSecond'])} | {r['errors']} | {fmt(r['p50Us'])} / {fmt(r['p99Us'])} | "
              f"{'—' if label == 'direct' else added(scenario, label, 'direct')} | {added(scenario, label, 'yarp') if label == 'canary' else '—'} | "
              f"{fmt(r['serverBytesPerRequest'])} | {fmt(r['serverCpuUsPerRequest'], 1)} | {fmt(r['upstreamCpuUsPerRequest'], 1)} |")
for scenario in scenarios:
    c, y = med.get((scenario, "canary")), med.get((scenario, "yarp"))
    if c and y and None not in (c["serverBytesPerRequest"], y["serverBytesPerRequest"], c["serverCpuUsPerRequest"], y["serverCpuUsPerRequest"]):
        print(f"\n{scenarios[scenario]}: Canary over plain YARP per request: {c['serverBytesPerRequest'] - y['serverBytesPerRequest']:+,.0f} bytes allocated, "
              f"{c['serverCpuUsPerRequest'] - y['serverCpuUsPerRequest']:+,.1f} µs CPU; throughput × {c['requestsPerSecond'] / y['requestsPerSecond']:.2f}")
if problems:
    sys.exit("proxy overhead: " + "; ".join(problems))
print(f"\nproxy overhead results: {len(rows)} runs parsed from {out}")
PY
