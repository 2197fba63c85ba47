#!/usr/bin/env bash
# Memory of a sidecar that knows many rollouts of which few have traffic: the AOT sidecar with 1 000 configured
# rollouts, RSS idle, after traffic to 10 of them, and after the traffic moves to another 10 (three times), with
# telemetry flushed to PostgreSQL so idle arms hand their recorders back.
#
#   export CANARY_PG_STATE=$(mktemp); source .ci/postgres.sh start     # provides CANARY_TEST_POSTGRES
#   bash bench/idle-rollouts.sh [--rollouts N] [--active K] [--rate R] [--seconds S] [--idle-timeout S] [--no-build]
#
# The arm idle timeout is shortened (default 5 s, flush every second) so a move is seen within seconds; the default of
# 5 minutes behaves the same, later. Each phase drives K rollouts at once, each with its own bench/LoadGenerator in
# open loop at R streams/s (default 50, 4 SSE chunks per stream) for S seconds (default 15); the arms of the previous
# phase, idle meanwhile, are handed back during it. Right after a phase the sidecar's /metrics is read: RSS, the GC's
# committed memory, the histogram bytes held and the arms.
set -euo pipefail
cd "$(dirname "$0")/.."
root="$PWD"
rollouts=1000 active=10 rate=50 seconds=15 idle_timeout=5 build=true
while [ $# -gt 0 ]; do
  case "$1" in
    --rollouts) rollouts="$2"; shift 2 ;;
    --active) active="$2"; shift 2 ;;
    --rate) rate="$2"; shift 2 ;;
    --seconds) seconds="$2"; shift 2 ;;
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

# Created before the sidecar starts, so the readiness loop below never greps a file the shell has not opened yet.
: > "$work/sidecar.log"
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

# One scrape per row: with 1 000 rollouts the page has about 16 000 lines, and writing it allocates about 6 MB.
scrape() { curl -fs "http://$metrics/metrics" > "$work/metrics.txt"; }
metric() { awk -v name="$1" '$1 == name { print $2 }' "$work/metrics.txt"; }
mib() { awk '{ printf "%.1f", $1 / 1048576 }'; }
row() { # phase
  scrape
  printf '| %s | %s MiB | %s MiB | %s MiB | %s | %s | %s |\n' "$1" "$(metric process_resident_memory_bytes | mib)" "$(metric process_allocated_bytes_total | mib)" \
    "$(metric dotnet_gc_committed_bytes | mib)" "$(metric canary_telemetry_histogram_bytes)" \
    "$(metric canary_telemetry_arms)" "$(metric canary_telemetry_arms_handed_back_total)"
}
drive() { # first rollout: K load generators at once
  local pids=()
  for i in $(seq "$1" $(( $1 + active - 1 ))); do
    dotnet "$load" --target "http://$extproc" --authority "model-$i.example.internal" --connections 1 --concurrency 16 \
      --mode open --rate "$rate" --duration "$seconds" --warmup 0 --chunks 4 --label "model-$i" > "$work/load-$i.json" &
    pids+=($!)
  done
  wait "${pids[@]}"
}
wait_handed_back() { # at least this many hand-backs in all
  for _ in $(seq 150); do
    sleep 2
    scrape
    [ "$(metric canary_telemetry_arms_handed_back_total | cut -d. -f1)" -ge "$1" ] && return 0
  done
  echo "arms were not handed back" >&2; exit 1
}

echo "AOT sidecar $binary, $rollouts rollouts configured; per phase $active of them at $rate streams/s each for $seconds s;"
echo "arm idle timeout $idle_timeout s"
echo
echo "| phase | RSS | allocated since start | GC committed | histogram bytes | arms | arms handed back |"
echo "|---|---|---|---|---|---|---|"
sleep 5
row "idle, $rollouts rollouts configured"
for phase in 0 1 2 3; do
  first=$(( phase * active ))
  drive "$first"
  row "right after traffic on rollouts $first-$(( first + active - 1 ))"
done
# Each rollout had a stable and a canary arm.
wait_handed_back $(( 4 * 2 * active ))
row "all idle again, every arm handed back"
echo
# The pause histogram is cumulative: the longest pause is at most the first bound whose count is the total.
longest="$(awk '$1 ~ /^dotnet_gc_pause_duration_seconds_bucket/ { n[++k] = $1; c[k] = $2 } END { for (i = 1; i <= k; i++) if (c[i] == c[k]) { print n[i]; exit } }' "$work/metrics.txt" | sed -E 's/.*le="([^"]*)".*/\1/')"
echo "full collections after hand-backs: $(metric canary_telemetry_hand_back_collections_total); longest GC pause at most ${longest} s"
echo
# What the flushes wrote: rows per arm and interval, and the bytes of each column that grows with traffic (the
# per-user-group encodings of the comparison arms, and the bucket sets on the requests rows).
psql_db() { PGHOST="$(field Host)" PGPORT="$(field Port)" PGUSER="$(field Username)" psql -d "$database" -v ON_ERROR_STOP=1 -qAtF ' ' -c "$1"; }
read -r hrows harm_intervals hbytes hgroups <<< "$(psql_db "SELECT count(*), count(DISTINCT (rollout, subset, sidecar_id, interval_start)),
  coalesce(sum(octet_length(encoded)), 0), coalesce(sum(octet_length(groups)), 0) FROM interval_histograms")"
read -r crows carm_intervals cgroups cbuckets <<< "$(psql_db "SELECT count(*), count(DISTINCT (rollout, subset, sidecar_id, interval_start)),
  coalesce(sum(octet_length(groups)), 0), coalesce(sum(octet_length(buckets)), 0) FROM interval_counters")"
echo "telemetry written: $hrows histogram rows in $harm_intervals arm-intervals (encoded histograms $hbytes B, per-group $hgroups B);"
echo "$crows counter rows in $carm_intervals arm-intervals (per-group $cgroups B, bucket sets $cbuckets B)"
