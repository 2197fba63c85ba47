#!/usr/bin/env bash
# Publishes the sidecar with Native AOT into the given directory and fails on any trim/AOT (IL) warning.
# Dockerfile.aot and .ci/run both call this script, so what CI proves about the binary holds for the image.
set -euo pipefail
out="${1:?usage: eng/publish-aot.sh <output-dir>}"
root="$(cd "$(dirname "$0")/.." && pwd)"
log="$(mktemp)"
trap 'rm -f "$log"' EXIT
dotnet publish "$root/src/Sidecar/Canary.Sidecar.csproj" -c Release -r linux-x64 -o "$out" \
  -p:PublishAot=true -p:StripSymbols=true 2>&1 | tee "$log"
if grep -E "warning (IL[0-9]+|AOT)" "$log" >/dev/null; then
  echo "publish-aot: IL/AOT warnings found (zero are allowed):" >&2
  grep -E "warning (IL[0-9]+|AOT)" "$log" | sort -u >&2
  exit 1
fi
test -x "$out/canary-sidecar"
echo "publish-aot: $out/canary-sidecar ($(stat -c %s "$out/canary-sidecar") bytes), 0 IL/AOT warnings"
