# Sourced by the load scripts: `stale BINARY DIR...` is true when BINARY is missing or older than any source file under
# the DIRs (bin/ and obj/ left out); `publish_sidecar_if_stale` publishes the AOT sidecar to $root/artifacts/aot when
# $aot is stale, and refuses a stale CANARY_AOT_BINARY, which it must not overwrite. A published binary older than
# any of its sources would measure yesterday's code.
stale() { [ ! -x "$1" ] || [ -n "$(find "${@:2}" \( -name bin -o -name obj \) -prune -o -type f -newer "$1" -print -quit)" ]; }
publish_sidecar_if_stale() {
  if stale "$aot" src/Sidecar src/Contracts; then
    if [ -n "${CANARY_AOT_BINARY:-}" ]; then
      echo "CANARY_AOT_BINARY ($aot) is older than the sidecar's sources; publish it again" >&2
      exit 1
    fi
    bash eng/publish-aot.sh "$root/artifacts/aot" | tail -n 1
  fi
}
