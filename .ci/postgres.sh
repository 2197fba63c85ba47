#!/usr/bin/env bash
# Throwaway PostgreSQL cluster for the integration tests.
#
#   source .ci/postgres.sh start   # starts a cluster, exports CANARY_TEST_POSTGRES (and prints it)
#   .ci/postgres.sh start          # same, prints "CANARY_TEST_POSTGRES=..." for the caller to use
#   .ci/postgres.sh stop           # stops the cluster started last and deletes its directory
#
# The cluster lives in a fresh temp dir, listens on 127.0.0.1 on a free port with trust auth, and runs as the
# `postgres` user when this script runs as root (PostgreSQL refuses to run as root). If initdb is missing, the apt
# package `postgresql` is installed first. State (data dir, port) is kept in $CANARY_PG_STATE
# (default /tmp/canary-postgres.state) so `stop` finds the cluster.

_canary_pg_main() {
  set -euo pipefail
  local state="${CANARY_PG_STATE:-/tmp/canary-postgres.state}"

  _pg_bin_dir() {
    local initdb
    initdb="$(command -v initdb 2>/dev/null || true)"
    if [[ -n "$initdb" ]]; then
      dirname "$(readlink -f "$initdb")"
      return 0
    fi
    local dir
    dir="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)"
    if [[ -n "$dir" && -x "$dir/initdb" ]]; then
      echo "$dir"
      return 0
    fi
    return 1
  }

  _as_pg_user() {
    if [[ "$(id -u)" == "0" ]]; then
      runuser -u postgres -- "$@"
    else
      "$@"
    fi
  }

  # A port to try, drawn between 26000 and the start of the kernel's ephemeral range (32768 by default): every port-0
  # bind and outgoing connection gets its port from that range, so nothing the tests start can take this one, and the
  # load harness's fixed ports (19051-25049) lie below it. A port another program holds makes the start fail; the
  # caller then draws again.
  _pick_port() {
    local low=26000 high
    high="$(cut -f1 /proc/sys/net/ipv4/ip_local_port_range 2>/dev/null || echo 32768)"
    [[ "$high" =~ ^[0-9]+$ && "$high" -gt $(( low + 1000 )) ]] || high=32768
    echo $(( low + RANDOM % (high - low) ))
  }

  case "${1:-}" in
    start)
      local bin
      if ! bin="$(_pg_bin_dir)"; then
        echo "postgres.sh: initdb not found; installing apt package postgresql" >&2
        export DEBIAN_FRONTEND=noninteractive
        apt-get update -qq >&2
        apt-get install -y -qq postgresql >&2
        bin="$(_pg_bin_dir)"
      fi
      if [[ "$(id -u)" == "0" ]] && ! id postgres >/dev/null 2>&1; then
        useradd --system --create-home --shell /bin/bash postgres
      fi

      local dir port
      dir="$(mktemp -d "${TMPDIR:-/tmp}/canary-pg.XXXXXX")"
      chmod 755 "$dir"
      [[ "$(id -u)" == "0" ]] && chown postgres: "$dir"
      _as_pg_user "$bin/initdb" -D "$dir/data" -U postgres --auth=trust --encoding=UTF8 --no-locale >"$dir/initdb.log" 2>&1 \
        || { cat "$dir/initdb.log" >&2; return 1; }
      local attempt
      for attempt in $(seq 1 20); do
        port="$(_pick_port)"
        rm -f "$dir/postgres.log"
        if _as_pg_user "$bin/pg_ctl" -D "$dir/data" -l "$dir/postgres.log" -w -t 60 \
          -o "-p $port -k $dir -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c max_connections=200" start >&2; then
          break
        fi
        if ! grep -q 'could not bind' "$dir/postgres.log" 2>/dev/null || [[ "$attempt" == 20 ]]; then
          cat "$dir/postgres.log" >&2
          return 1
        fi
        echo "postgres.sh: port $port is taken, drawing another" >&2
      done

      printf 'CANARY_PG_DIR=%q\nCANARY_PG_BIN=%q\nCANARY_PG_PORT=%q\n' "$dir" "$bin" "$port" >"$state"
      export CANARY_TEST_POSTGRES="Host=127.0.0.1;Port=$port;Username=postgres;Database=postgres"
      echo "CANARY_TEST_POSTGRES=$CANARY_TEST_POSTGRES"
      ;;
    stop)
      if [[ ! -f "$state" ]]; then
        echo "postgres.sh: no cluster recorded in $state" >&2
        return 0
      fi
      local CANARY_PG_DIR CANARY_PG_BIN CANARY_PG_PORT
      # shellcheck disable=SC1090
      source "$state"
      _as_pg_user "$CANARY_PG_BIN/pg_ctl" -D "$CANARY_PG_DIR/data" -m fast -w stop >&2 || true
      rm -rf "$CANARY_PG_DIR" "$state"
      ;;
    *)
      echo "usage: postgres.sh start|stop" >&2
      return 2
      ;;
  esac
}

if [[ "${BASH_SOURCE[0]}" == "$0" ]]; then
  _canary_pg_main "$@"
else
  # Sourced: run in a child shell so `set -e` cannot end the caller, then export what it printed.
  if _canary_pg_out="$(bash "${BASH_SOURCE[0]}" "$@")"; then
    if [[ "$_canary_pg_out" == CANARY_TEST_POSTGRES=* ]]; then
      export CANARY_TEST_POSTGRES="${_canary_pg_out#CANARY_TEST_POSTGRES=}"
      echo "$_canary_pg_out"
    fi
    unset _canary_pg_out
  else
    unset _canary_pg_out
    return 1
  fi
fi
