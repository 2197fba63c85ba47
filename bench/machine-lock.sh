# Sourced by the load harness scripts. One harness run at a time per machine: it binds fixed ports (19051-25049) and
# measures the whole machine, so a second run (another clone's CI, say) waits here for the first to finish instead of
# failing on a port that is taken or measuring the other run's load. A script started by one that already holds the
# lock (run-all.sh runs run-load.sh and startup.sh) passes straight through. The lock goes with the process.
if [ -z "${CANARY_BENCH_LOCK_HELD:-}" ]; then
  exec 9>"${TMPDIR:-/tmp}/canary-bench.lock"
  if ! flock -n 9; then
    echo "bench: another load harness run holds ${TMPDIR:-/tmp}/canary-bench.lock; waiting for it to finish" >&2
    flock 9
  fi
  export CANARY_BENCH_LOCK_HELD=1
fi
