#!/usr/bin/env bash
# Memory of a sidecar that knows many rollouts of which few have traffic: the AOT sidecar with 1 000 configured
# rollouts, RSS idle, after traffic to 10 of them, and after the traffic moves to another 10 (three times), with
# telemetry flushed to PostgreSQL so idle arms hand their recorders back.
#
#   export CANARY_PG_STATE=$(mktemp); source .ci/postgres.sh start     # provides CANARY_TEST_POSTGRES
#   bash bench/idle-rollouts.sh [--rollouts N] [--active K] [--idle-timeout S] [--no-build]
#
# The arm idle timeout is shortened (default 5 s, flush every second) so a move is seen within seconds; the default of
# 5 minutes behaves the same, later. Each phase drives K rollouts with bench/LoadGenerator (closed loop, 4 SSE chunks
# per stream, 3 s per rollout), then waits until the previous phase's arms were handed back and reads the sidecar's
# /metrics (process_resident_memory_bytes, canary_telemetry_histogram_bytes) after 3 s of quiet.
set -euo pipefail
cd "$(dirname "$0")/.."
root="$PWD"
rollouts=1000 active=10 idle_timeout=5 build=true
while [ $# -gt 0 ]; do
  case "$1" in
    --rollouts) rollouts="$2"; shift 2 ;;
    --active) active="$2"; shift 2 ;;
    --idle-timeout) idle_timeout="$2"; shift 2 ;;
    --no-build) build=false; shift ;;
    *) echo "unknown argument: $1" >&2; exit 2 ;;
  esac
done
: "${CANARY_TEST_POSTGRES:?start PostgreSQL first: export CANARY_PG_STATE=\$(mktemp); source .ci/postgres.sh start}"
binary="${CANARY_AOT_BINARY:-$root/artifacts/aot/canary-sidecar}"
[ -x "$binary" ] || { echo "no AOT binary at $binary: bash eng/publish-aot.sh \"$root/artifacts/aot\"" >&2; exit 2; }
# shellcheck source=bench/machine-lock.sh
source bench/machine-lock.sh
$build && dotnet build bench/LoadGenerator/Canary.LoadGenerator.csproj -c Release -nologo -clp:ErrorsOnly >/dev/null
load="$root/bench/LoadGenerator/bin/Release/net10.0/canary-load.dll"

work="$(mktemp -d)"
pid=""
cleanup() {
  [ -n "$pid" ] && kill -TERM "$pid" 2>/dev/null && wait "$pid" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

# A database of its own, so the sidecar's desired-table poll and telemetry meet nothing of other runs.
field() { tr ';' '\n' <<< "$CANARY_TEST_POSTGRES" | sed -n "s/^$1=//p"; }
psql_admin() { PGHOST="$(field Host)" PGPORT="$(field Port)" PGUSER="$(field Username)" psql -d postgres -v ON_ERROR_STOP=1 -qc "$1"; }
database="canary_idle_$$"
psql_admin "CREATE DATABASE $database"
trap 'cleanup; psql_admin "DROP DATABASE IF EXISTS $database" || true' EXIT
connection="Host=$(field Host);Port=$(field Port);Username=$(field Username);Database=$database"

python3 - "$rollouts" > "$work/rollouts.json" <<'PY'
import json, sys
n = int(sys.argv[1])
print(json.dumps({"generation": 1, "rollouts": [
    {"routeKey": f"model-{i}.example.internal", "stableSubset": "stable", "canarySubset": "canary",
     "canaryWeightBasisPoints": 5000, "salt": f"salt-{i}"} for i in range(n)]}))
PY

"$binary" --Canary:ExtProc:Port=0 --Canary:Control:Port=0 --Canary:Control:BindAddress=127.0.0.1 \
  --Canary:Metrics:Port=0 --Canary:Metrics:BindAddress=127.0.0.1 --Canary:SidecarId=idle-rollouts \
  --Canary:Routing:RolloutsFile="$work/rollouts.json" --Canary:Database:ConnectionString="$connection" \
  --Canary:Telemetry:FlushInterval=00:00:01 --Canary:Telemetry:ArmIdleTimeout="00:00:$(printf '%02d' "$idle_timeout")" \
  > "$work/sidecar.log" 2>&1 &
pid=$!
for _ in $(seq 600); do
  grep -q ' ready: ' "$work/sidecar.log" && break
  kill -0 "$pid" 2>/dev/null || { cat "$work/sidecar.log" >&2; exit 1; }
  sleep 0.1
done
ready="$(grep ' ready: ' "$work/sidecar.log")"
extproc="$(sed -E 's/.*ext_proc on ([0-9.]+:[0-9]+).*/\1/' <<< "$ready")"
metrics="$(sed -E 's/.*metrics on ([0-9.]+:[0-9]+).*/\1/' <<< "$ready")"

metric() { curl -fs "http://$metrics/metrics" | awk -v name="$1" '$1 == name { print $2 }'; }
mib() { awk '{ printf "%.1f", $1 / 1048576 }'; }
row() { # phase
  sleep 3
  printf '| %s | %s MiB | %s | %s | %s |\n' "$1" "$(metric process_resident_memory_bytes | mib)" \
    "$(metric canary_telemetry_histogram_bytes)" "$(metric canary_telemetry_arms)" "$(metric canary_telemetry_arms_handed_back_total)"
}
drive() { # first rollout
  for i in $(seq "$1" $(( $1 + active - 1 ))); do
    dotnet "$load" --target "http://$extproc" --authority "model-$i.example.internal" --connections 2 --concurrency 32 \
      --duration 3 --warmup 0 --chunks 4 --label "model-$i" > /dev/null
  done
}
wait_handed_back() { # at least this many hand-backs in all
  for _ in $(seq 600); do
    [ "$(metric canary_telemetry_arms_handed_back_total | cut -d. -f1)" -ge "$1" ] && return 0
    sleep 0.5
  done
  echo "the arms of the previous phase were not handed back" >&2; exit 1
}

echo "AOT sidecar $binary, $rollouts rollouts configured, $active with traffic per phase, arm idle timeout ${idle_timeout} s"
echo
echo "| phase | RSS | histogram bytes | arms | arms handed back |"
echo "|---|---|---|---|---|"
sleep 2
row "idle, $rollouts rollouts configured"
handed=0
for phase in 0 1 2 3; do
  first=$(( phase * active ))
  drive "$first"
  if [ "$phase" -gt 0 ]; then
    # Each rollout of the previous phase had a stable and a canary arm.
    handed=$(( handed + 2 * active ))
    wait_handed_back "$handed"
  fi
  row "traffic on rollouts $first-$(( first + active - 1 ))"
done
handed=$(( handed + 2 * active ))
wait_handed_back "$handed"
row "all idle again"
