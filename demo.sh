#!/usr/bin/env bash
# Main job: builds the sidecar and runs it with the sample rollout table (samples/rollouts.json) on the default
# ports (ext_proc 50051, control 50052, metrics 9091). Ctrl-C stops it.
set -euo pipefail
cd "$(dirname "$0")"
dotnet build src/Sidecar/Canary.Sidecar.csproj -c Release -nologo -clp:ErrorsOnly
echo "sidecar: ext_proc on 127.0.0.1:50051, metrics on http://127.0.0.1:9091/metrics (Ctrl-C to stop)"
exec dotnet src/Sidecar/bin/Release/net10.0/canary-sidecar.dll --Canary:Routing:RolloutsFile=samples/rollouts.json "$@"
