#!/usr/bin/env bash
# Publishes canary-sidecar and canary-analyzer with Native AOT for linux-x64 into the given directory and fails on any
# trim/AOT (IL) warning. Dockerfile.aot and .ci/run both call this script, so what CI proves about the binaries holds
# for the image. The last line printed is a one-line summary.
set -euo pipefail
out="${1:?usage: eng/publish-aot.sh <output-dir>}"
mkdir -p "$out"
out="$(cd "$out" && pwd)"
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
log="$(mktemp)"
trap 'rm -f "$log"' EXIT

# An up-to-date native compile is skipped and would not repeat its warnings, so the ILCompiler's intermediate output
# is removed first. -p:PublishAot=true is what makes the analyzer native; the sidecar's project sets it too.
rm -rf src/Sidecar/obj/Release/net10.0/linux-x64/native src/Analyzer/obj/Release/net10.0/linux-x64/native
dotnet publish src/Sidecar/Canary.Sidecar.csproj -c Release -r linux-x64 -o "$out" \
  -p:PublishAot=true -p:StripSymbols=true 2>&1 | tee "$log"
dotnet publish src/Analyzer/Canary.Analyzer.csproj -c Release -r linux-x64 -o "$out" \
  -p:PublishAot=true -p:StripSymbols=true 2>&1 | tee -a "$log"
if grep -E "warning (IL[0-9]+|AOT)" "$log" >/dev/null; then
  echo "publish-aot: IL/AOT warnings found (zero are allowed):" >&2
  grep -E "warning (IL[0-9]+|AOT)" "$log" | sort -u >&2
  exit 1
fi
test -x "$out/canary-sidecar"
test -x "$out/canary-analyzer"
echo "publish-aot: $out/canary-sidecar ($(stat -c %s "$out/canary-sidecar") bytes), $out/canary-analyzer ($(stat -c %s "$out/canary-analyzer") bytes), 0 IL/AOT warnings"
