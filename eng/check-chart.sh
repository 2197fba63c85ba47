#!/usr/bin/env bash
# Checks the Helm chart charts/sidecar: helm lint and helm template for the default values and every
# charts/sidecar/ci/*-values.yaml, then the Node.js tests on the rendered manifests (eng/chart-tests). Prints a summary
# and exits non-zero on any failure. Needs node (18+); helm comes from PATH or eng/get-helm.sh.
set -uo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
chart="$root/charts/sidecar"
release="canary"
failures=()

if ! helm="$(bash "$root/eng/get-helm.sh")"; then
  echo "check-chart: FAILED: no helm available" >&2
  exit 1
fi
if ! command -v node >/dev/null 2>&1; then
  echo "check-chart: FAILED: node is not on PATH" >&2
  exit 1
fi
echo "check-chart: $("$helm" version --short 2>/dev/null), node $(node --version)"

renders="$(mktemp -d)"
trap 'rm -rf "$renders"' EXIT

variants=("default")
for f in "$chart"/ci/*-values.yaml; do
  [ -e "$f" ] && variants+=("$(basename "$f" .yaml)")
done

for variant in "${variants[@]}"; do
  args=()
  [ "$variant" != "default" ] && args=(-f "$chart/ci/$variant.yaml")
  if out="$("$helm" lint --strict "$chart" "${args[@]}" 2>&1)"; then
    echo "  PASS  helm lint $variant"
  else
    echo "  FAIL  helm lint $variant"
    echo "$out" | sed 's/^/          /'
    failures+=("helm lint $variant")
  fi
  if err="$("$helm" template "$release" "$chart" "${args[@]}" 2>&1 >"$renders/$variant.yaml")"; then
    echo "  PASS  helm template $variant ($(grep -c '^kind:' "$renders/$variant.yaml") objects)"
  else
    echo "  FAIL  helm template $variant"
    echo "$err" | sed 's/^/          /'
    failures+=("helm template $variant")
    rm -f "$renders/$variant.yaml"
  fi
done

# Value combinations the chart must refuse (validate.yaml and values.schema.json).
refuse() {
  local why="$1"
  shift
  if "$helm" template "$release" "$chart" "$@" >/dev/null 2>&1; then
    echo "  FAIL  helm template refuses $why"
    failures+=("refuses $why")
  else
    echo "  PASS  helm template refuses $why"
  fi
}
refuse "a writable root file system" --set containerSecurityContext.readOnlyRootFilesystem=false
refuse "an unknown values key" --set envoy.messageTimeot=1s
refuse "a weight above 10000" --set-json 'rollouts.table.rollouts=[{"routeKey":"a","stableSubset":"s","canarySubset":"c","canaryWeightBasisPoints":10001,"salt":"x"}]'
refuse "mesh-weight mode without VirtualServices" --set analyzer.meshWeights.enabled=true
refuse "the default 1024 circuit breaker" --set envoy.circuitBreakers.maxRequests=1000
refuse "an empty controlToken.existingSecret" --set controlToken.existingSecret=
refuse "a subset header Envoy would not let the sidecar set" --set sidecar.routing.subsetHeader=x-envoy-subset
refuse "an Envoy duration outside proto3 JSON" --set envoy.messageTimeout=1m
refuse "a user-key metadata namespace without a path" --set sidecar.routing.userKeyMetadata.namespace=envoy.filters.http.jwt_authn
refuse "jwt_authn without providers" --set envoy.jwtAuthn.enabled=true
refuse "an unknown jwt requirement" --set envoy.jwtAuthn.requirement=optional
refuse "a price without an output price" --set-json 'prices=[{"model":"m","input":1}]'
refuse "a model priced twice" --set-json 'prices=[{"model":"m","input":1,"output":2},{"model":"m","input":1,"output":3}]'
refuse "a negative price" --set-json 'prices=[{"model":"m","input":-1,"output":2}]'
refuse "a quality sample rate above 10000" --set-json 'rollouts.table.rollouts=[{"routeKey":"a","stableSubset":"s","canarySubset":"c","canaryWeightBasisPoints":0,"salt":"x","qualitySampleBasisPoints":10001}]'
refuse "judging without its endpoint, model, rubric and spend cap" --set analyzer.judge.enabled=true --set database.existingSecret=db
refuse "a judge concurrency above 64" --set analyzer.judge.concurrency=65
refuse "a judge endpoint that is not a URL" --set analyzer.judge.endpoint=api.openai.com
refuse "a paired rollout name with a comma in it" --set-json 'analyzer.judge.paired.rollouts=["a,b"]'
refuse "an empty redaction rule" --set-json 'quality.redact=[""]'
refuse "a quality request bound below 1024 bytes" --set quality.maxRequestBytes=100
refuse "a cache volume with two sources" --set-json 'sidecar.cacheFile.volume={"emptyDir":{},"persistentVolumeClaim":{"claimName":"c"}}'
refuse "a named cache volume" --set-json 'sidecar.cacheFile.volume={"name":"x"}'
refuse "proxy mode without upstreams" --set proxyMode.enabled=true
refuse "proxy mode forwarding unmatched requests without a default upstream" --set proxyMode.enabled=true --set proxyMode.upstreams.a.url=http://a:8000
refuse "a default upstream that is not an upstream" --set proxyMode.enabled=true --set proxyMode.upstreams.a.url=http://a:8000 --set proxyMode.defaultUpstream=b
refuse "an upstream URL with a query" --set proxyMode.enabled=true --set proxyMode.upstreams.a.url='http://a:8000/?x=1' --set proxyMode.defaultUpstream=a

if ! node "$root/eng/chart-tests/run.js" "$chart" "$renders"; then
  failures+=("chart tests on the rendered manifests")
fi

echo
if [ "${#failures[@]}" -gt 0 ]; then
  echo "check-chart: FAILED (${#failures[@]}):"
  printf '  - %s\n' "${failures[@]}"
  exit 1
fi
echo "check-chart: OK (${#variants[@]} variants: ${variants[*]})"
