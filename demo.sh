#!/usr/bin/env bash
# The whole canary loop on one machine, in about two minutes: a throwaway PostgreSQL, the Native-AOT sidecar, two fake
# model backends (stable healthy; canary with regressions), an Envoy-like traffic driver with thousands of users (a few
# heavy ones: Zipf request rates, each user with their own latency and error habits), and
# the analyzer on a compressed schedule. A live view shows stages, both arms and each decision; the default run ends
# with the rollback of the bad canary, --healthy with its promotion to 100 %. The HTML report is written at the end.
#
#   ./demo.sh                  bad canary: rolled back
#   ./demo.sh --healthy        healthy canary: promoted stage by stage to 100 %
#   ./demo.sh --short          fewer, shorter stages (CI runs `--short --plain`, `--short --healthy --plain` and
#                              `--short --proxy --plain`)
#   ./demo.sh --plain          append-only output (also chosen automatically for TERM=dumb or a pipe)
#   ./demo.sh --proxy          no Envoy at all: the sidecar runs in proxy mode in front of the two backends, and the
#                              official openai client (Node.js) sends the traffic through it, as an application would
#   ./demo.sh --canary-error-rate 0.05 --canary-latency 1 --canary-tokens 1.8
#                              the bad canary's regressions; defaults: --canary-error-rate 0.15 --canary-latency 1.4
#                              --canary-refusal-rate 0.05 --canary-tokens 1 (stable: 5 % errors, 5 % refusals)
#   other options: --rate N (req/s, 150), --users N (5000), --zipf S (exponent of the users' Zipf request rates, 1.12:
#                  the heaviest user sends about 17 % of requests; 0: every user equally busy), --habits S (log-spread
#                  of each user's latency and error multipliers, 0.05; 0.3 shows a healthy canary held by its heavy users),
#                  --schedule 25/10s,50/10s,75/10s,100, --min-samples N, --seed N, --report FILE, --time-limit S
#
# Real: the sidecar binary, PostgreSQL, gRPC ext_proc, the analyzer binary and its decisions. Simulated: Envoy (the
# driver plays its ext_proc client and routes on x-canary-subset) and the models (fake OpenAI-shaped SSE backends).
#
# Reuses, when set: CANARY_TEST_POSTGRES (a running server; the demo creates and drops its own database in it),
# CANARY_AOT_BINARY or CANARY_AOT_DIR (published binaries), CANARY_DEMO_NO_BUILD=1 (canary-demo is already built).
# Ctrl-C or the end stops every process the demo started and deletes its temp directories.
set -euo pipefail
cd "$(dirname "$0")"
root="$PWD"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

healthy=0
proxy=0
demo_args=()
report=""
while [ $# -gt 0 ]; do
  case "$1" in
    -h|--help) sed -n '2,/^set -euo/p' "$0" | sed '$d' | sed 's/^# \{0,1\}//'; exit 0 ;;
    --healthy) healthy=1; demo_args+=("$1") ;;
    --proxy) proxy=1 ;;
    --report) report="$2"; shift ;;
    *) demo_args+=("$1") ;;
  esac
  shift
done
if [ -z "$report" ]; then
  # A proxy-mode run writes its own report rather than over the Envoy-mode run's.
  mode=""
  if [ "$proxy" = 1 ]; then
    mode="-proxy"
  fi
  report="$root/artifacts/demo/canary-demo-$([ "$healthy" = 1 ] && echo healthy || echo bad)$mode-report.html"
fi
mkdir -p "$(dirname "$report")"

work="$(mktemp -d "${TMPDIR:-/tmp}/canary-demo.XXXXXX")"
sidecar_pid=""
demo_pid=""
pg_started=0
demo_db=""
pg_admin=()

cleanup() {
  local status=$?
  trap - EXIT INT TERM
  for pid in $demo_pid $sidecar_pid; do
    kill -TERM "$pid" 2>/dev/null || true
  done
  for pid in $demo_pid $sidecar_pid; do
    wait "$pid" 2>/dev/null || true
  done
  if [ "$pg_started" = 1 ]; then
    CANARY_PG_STATE="$work/pg.state" bash .ci/postgres.sh stop 2>/dev/null || true
  elif [ -n "$demo_db" ]; then
    "${pg_admin[@]}" -c "DROP DATABASE IF EXISTS $demo_db WITH (FORCE)" >/dev/null 2>&1 || true
  fi
  rm -rf "$work"
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

started=$(date +%s)
step() { printf "=== %s (%ss)\n" "$*" "$(( $(date +%s) - started ))"; }

# Waits for the sidecar's ready line (it binds port 0 and names the ports it got there) and prints its three ports.
# The line is its own signal that every listener is up; a sidecar that exits first fails the wait at once.
wait_for_ready() {
  local log="$1" pid="$2" line
  for _ in $(seq 1 600); do
    line="$(grep -m 1 ' ready: ext_proc on ' "$log" 2>/dev/null || true)"
    if [ -n "$line" ]; then
      sed -E 's/.* ready: ext_proc on [^ ,]+:([0-9]+), control on [^ ,]+:([0-9]+), metrics on [^ ,]+:([0-9]+).*/\1 \2 \3/' <<<"$line"
      return 0
    fi
    if ! kill -0 "$pid" 2>/dev/null; then
      return 1
    fi
    sleep 0.1
  done
  return 1
}

# 1. Binaries: the AOT sidecar and analyzer (published when missing or older than their sources), and canary-demo.
aot_dir="${CANARY_AOT_DIR:-}"
if [ -z "$aot_dir" ] && [ -n "${CANARY_AOT_BINARY:-}" ]; then
  aot_dir="$(dirname "$CANARY_AOT_BINARY")"
fi
aot_dir="${aot_dir:-$root/artifacts/aot}"
stale=0
for binary in canary-sidecar canary-analyzer; do
  if [ ! -x "$aot_dir/$binary" ]; then
    stale=1
  elif [ -n "$(find src/Sidecar src/Analyzer src/Contracts \( -name bin -o -name obj \) -prune -o -name '*.cs' -newer "$aot_dir/$binary" -print -quit)" ]; then
    stale=1
  fi
done
if [ "$stale" = 1 ]; then
  missing=()
  command -v clang >/dev/null 2>&1 || missing+=(clang)
  dpkg -s zlib1g-dev >/dev/null 2>&1 || missing+=(zlib1g-dev)
  if [ ${#missing[@]} -gt 0 ]; then
    step "installing ${missing[*]} (Native AOT needs them)"
    DEBIAN_FRONTEND=noninteractive apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
  fi
  step "publishing the sidecar and the analyzer with Native AOT into $aot_dir (a few minutes, once)"
  bash eng/publish-aot.sh "$aot_dir" > "$work/publish.log" 2>&1 || { tail -n 30 "$work/publish.log"; exit 1; }
  tail -n 1 "$work/publish.log"
fi
if [ "${CANARY_DEMO_NO_BUILD:-0}" != 1 ]; then
  step "building canary-demo"
  dotnet build src/Demo/Canary.Demo.csproj -c Release -nologo -clp:ErrorsOnly -v:q > "$work/build.log" 2>&1 || { cat "$work/build.log"; exit 1; }
fi
demo_dll="$root/src/Demo/bin/Release/net10.0/canary-demo.dll"

# 2. PostgreSQL: a throwaway cluster from the machine's binaries, or a fresh database in the one given.
if [ -n "${CANARY_TEST_POSTGRES:-}" ]; then
  pg_host="$(sed -n 's/.*Host=\([^;]*\).*/\1/p' <<<"$CANARY_TEST_POSTGRES")"
  pg_port="$(sed -n 's/.*Port=\([^;]*\).*/\1/p' <<<"$CANARY_TEST_POSTGRES")"
  psql="$(command -v psql 2>/dev/null || ls /usr/lib/postgresql/*/bin/psql 2>/dev/null | sort -V | tail -n 1)"
  demo_db="canary_demo_$$_$RANDOM"
  pg_admin=("$psql" -h "$pg_host" -p "${pg_port:-5432}" -U postgres -d postgres -v ON_ERROR_STOP=1 -q)
  step "PostgreSQL: database $demo_db on $pg_host:$pg_port"
  "${pg_admin[@]}" -c "CREATE DATABASE $demo_db" >/dev/null
  database="$(sed "s/Database=[^;]*/Database=$demo_db/" <<<"$CANARY_TEST_POSTGRES")"
else
  step "PostgreSQL: starting a throwaway cluster"
  pg_started=1
  CANARY_PG_STATE="$work/pg.state" bash .ci/postgres.sh start > "$work/pg.out"
  database="$(sed -n 's/^CANARY_TEST_POSTGRES=//p' "$work/pg.out")"
fi

# 3. The sidecar: real binary, ports it binds itself (0: the kernel picks, the ready line names them), telemetry
#    flushed every second, desired table polled every two seconds. In proxy mode the demo starts first (its fake
#    backends are the proxy's upstreams) and waits until demo.sh has started the sidecar in front of them.
token="$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')"
printf '%s' "$token" > "$work/token"
export Canary__Database__ConnectionString="$database"
sidecar_args=()
if [ "$proxy" = 1 ]; then
  if [ ! -d tests/ProxyClients/node_modules/openai ]; then
    step "installing the official openai client into tests/ProxyClients (npm)"
    npm ci --prefix tests/ProxyClients --no-audit --no-fund --ignore-scripts --loglevel=error
  fi
  mkdir -p "$work/handshake"
  step "demo starting its fake backends (proxy mode)"
  dotnet "$demo_dll" --proxy-handshake "$work/handshake" --rollout demo-model \
    --sdk-traffic-script "$root/tests/ProxyClients/demo-traffic.mjs" \
    --analyzer "$aot_dir/canary-analyzer" --report "$report" "${demo_args[@]}" &
  demo_pid=$!
  for _ in $(seq 1 600); do
    [ -f "$work/handshake/backends" ] && break
    kill -0 "$demo_pid" 2>/dev/null || { echo "demo.sh: the demo exited before starting its backends" >&2; exit 1; }
    sleep 0.1
  done
  stable_url="$(sed -n 's/^stable=//p' "$work/handshake/backends")"
  canary_url="$(sed -n 's/^canary=//p' "$work/handshake/backends")"
  sidecar_args=(
    --Canary:Proxy:Enabled=true --Canary:Proxy:Port=0 --Canary:Proxy:BindAddress=127.0.0.1
    --Canary:Proxy:Upstreams:stable:Url="$stable_url" --Canary:Proxy:Upstreams:canary:Url="$canary_url"
    --Canary:Proxy:DefaultUpstream=stable --Canary:Routing:ServedSubsetHeader=x-canary-served-subset
  )
fi
"$aot_dir/canary-sidecar" \
  --Canary:SidecarId=demo-sidecar \
  --Canary:ExtProc:Port=0 \
  --Canary:Control:Port=0 --Canary:Control:BindAddress=127.0.0.1 --Canary:Control:TokenFile="$work/token" \
  --Canary:Metrics:Port=0 --Canary:Metrics:BindAddress=127.0.0.1 \
  --Canary:Database:ConnectionString="$database" --Canary:Database:PollInterval=00:00:02 \
  --Canary:Telemetry:FlushInterval=00:00:01 \
  --Canary:Telemetry:Prices:0:Model='demo-model-*' --Canary:Telemetry:Prices:0:Input=2.5 --Canary:Telemetry:Prices:0:Output=10 \
  "${sidecar_args[@]}" \
  > "$work/sidecar.log" 2>&1 &
sidecar_pid=$!
if ! ports="$(wait_for_ready "$work/sidecar.log" "$sidecar_pid")"; then
  echo "demo.sh: the sidecar did not start:" >&2
  cat "$work/sidecar.log" >&2
  exit 1
fi
read -r extproc_port control_port metrics_port <<<"$ports"
step "sidecar: ext_proc 127.0.0.1:$extproc_port, control 127.0.0.1:$control_port, metrics http://127.0.0.1:$metrics_port/metrics"

# 4. The demo: fake backends, driver, live view; it runs the analyzer binary with this environment (in proxy mode it
#    is already running and gets the proxy's URL, the sidecar list and the token through the handshake directory).
export CANARY_SIDECARS="demo-sidecar=127.0.0.1:$control_port"
export CANARY_CONTROL_TOKEN="$token"
set +e
if [ "$proxy" = 1 ]; then
  # The proxy's ready line is written with the sidecar's, once every listener is up.
  proxy_port=""
  for _ in $(seq 1 100); do
    proxy_port="$(sed -n 's/.*Proxy ready on [0-9.]*:\([0-9]*\).*/\1/p' "$work/sidecar.log" | head -n 1)"
    [ -n "$proxy_port" ] && break
    sleep 0.1
  done
  step "proxy: http://127.0.0.1:$proxy_port (upstreams stable $stable_url, canary $canary_url)"
  printf 'url=http://127.0.0.1:%s\nsidecars=%s\ntoken=%s\n' "$proxy_port" "$CANARY_SIDECARS" "$token" > "$work/handshake/proxy.tmp"
  mv "$work/handshake/proxy.tmp" "$work/handshake/proxy"
  step "demo running through the proxy (Ctrl-C stops it and cleans up)"
else
  step "demo running (Ctrl-C stops it and cleans up)"
  dotnet "$demo_dll" --extproc "http://127.0.0.1:$extproc_port" --analyzer "$aot_dir/canary-analyzer" --report "$report" "${demo_args[@]}" &
  demo_pid=$!
fi
wait "$demo_pid"
status=$?
demo_pid=""
set -e
if [ "$status" -ne 0 ]; then
  echo "--- sidecar log (last 20 lines)" >&2
  tail -n 20 "$work/sidecar.log" >&2
fi
exit "$status"
