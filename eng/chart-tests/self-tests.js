'use strict';
// Tests of the test machinery: the Envoy decoder and the schema validation against inputs they must refuse, and the
// render checks against renders broken on purpose (a check that cannot fail proves nothing).

// The validators themselves must refuse what Envoy and Kubernetes refuse, and accept a correct configuration.
async function validatorTests(expect, decoder, schemas) {
  const extProc = (extra) => ({
    '@type': 'type.googleapis.com/envoy.extensions.filters.http.ext_proc.v3.ExternalProcessor',
    grpc_service: { envoy_grpc: { cluster_name: 'c' } },
    message_timeout: '1s',
    ...extra,
  });
  const good = decoder.decodeTypedConfig(extProc({ processingMode: { request_header_mode: 'SEND' }, metadata_options: { receiving_namespaces: { untyped: ['canary'] } } }), 'good');
  expect(good.errors.length === 0 && good.message.processing_mode.request_header_mode === 'SEND', 'decoder', `a valid ext_proc config (JSON names in either form) was refused: ${good.errors.join('; ')}`);
  const refused = [
    ['an unknown field', extProc({ failure_mode_alow: true })],
    ['a Duration outside proto3 JSON', extProc({ message_timeout: '1m' })],
    ['a Duration above its validation bound', extProc({ message_timeout: '3601s' })],
    ['an enum name Envoy does not define', extProc({ processing_mode: { request_body_mode: 'STREAMING' } })],
    ['two members of one oneof', extProc({ grpc_service: { envoy_grpc: { cluster_name: 'c' }, google_grpc: { target_uri: 'x', stat_prefix: 'y' } } })],
    ['a missing required message', { '@type': 'type.googleapis.com/envoy.extensions.filters.http.ext_proc.v3.ExternalProcessor' }],
    ['a wrong scalar type', extProc({ failure_mode_allow: 'yes' })],
    ['an unknown @type', { '@type': 'type.googleapis.com/envoy.extensions.filters.http.ext_proc.v3.ExternalProcesor' }],
    ['an unknown field inside an Any', { '@type': 'type.googleapis.com/envoy.extensions.filters.http.header_mutation.v3.HeaderMutation', mutations: { request_mutations: [{ remove: 'x', rm: 'y' }] } }],
    ['a header mutation without an action', { '@type': 'type.googleapis.com/envoy.extensions.filters.http.header_mutation.v3.HeaderMutation', mutations: { request_mutations: [{}] } }],
  ];
  for (const [what, config] of refused) {
    expect(decoder.decodeTypedConfig(config, what).errors.length > 0, 'decoder', `accepted ${what}`);
  }
  const deprecated = decoder.decodeMessage('envoy.config.cluster.v3.Cluster', { name: 'c', max_requests_per_connection: 1 }, 'cluster');
  expect(deprecated.errors.some((m) => /deprecated/.test(m)), 'decoder', 'accepted a deprecated field');

  const deployment = (container, extra = {}) => ({
    apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'x', labels: { a: 'b' } },
    spec: { selector: { matchLabels: { a: 'b' } }, template: { metadata: { labels: { a: 'b' } }, spec: { containers: [{ name: 'c', image: 'i:1', ...container }] } }, ...extra },
  });
  expect((await schemas.validateDocument(deployment({}))).length === 0, 'schemas', 'a valid Deployment was refused');
  expect((await schemas.validateDocument(deployment({ readinesProbe: {} }))).some((m) => /readinesProbe: unknown field/.test(m)), 'schemas', 'accepted a misspelt container field');
  expect((await schemas.validateDocument(deployment({}, { replicas: 'two' }))).length > 0, 'schemas', 'accepted a string for replicas');
  const envoyFilter = { apiVersion: 'networking.istio.io/v1alpha3', kind: 'EnvoyFilter', metadata: { name: 'x' }, spec: { configPatches: [{ applyTo: 'HTTP_FILTR', patch: { operation: 'MERGE', value: {} } }] } };
  expect((await schemas.validateDocument(envoyFilter)).length > 0, 'schemas', 'accepted an EnvoyFilter applyTo Istio does not define');
  const monitor = { apiVersion: 'monitoring.coreos.com/v1', kind: 'PodMonitor', metadata: { name: 'x' }, spec: { selector: {}, podMetricsEndpoints: [{ port: 'm', intervl: '30s' }] } };
  expect((await schemas.validateDocument(monitor)).some((m) => /intervl: unknown field/.test(m)), 'schemas', 'accepted a misspelt PodMonitor field');
  expect((await schemas.validateDocument({ apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'x' } })).length > 0, 'schemas', 'accepted a kind it has no schema for');
  expect(schemas.validateFragment('container', { name: 'c', image: 'i:1', enV: [] }, 'container.yaml/0').length > 0, 'schemas', 'accepted a misspelt field in a snippet container');

  const { syntaxErrors } = require('./promql-checks.js');
  expect(syntaxErrors('sum by (subset) (rate(canary_assignments_total{rollout="$rollout"}[$__rate_interval]))').length === 0, 'promql', 'refused a valid expression with Grafana variables');
  for (const bad of ['sum(rate(x[5m])', 'x +', 'rate(x{a="b"[5m])']) expect(syntaxErrors(bad).length > 0, 'promql', `accepted ${bad}`);
}

function defaultsReachRender(expect, def, defaults, checks) {
  if (!expect(def, 'default', 'the default render did not pass its checks')) return;
  const s = checks.effectiveSettings(defaults, def.values);
  const d = defaults.Canary;
  expect(s.extProcPort === d.ExtProc.Port && s.controlPort === d.Control.Port && s.metricsPort === d.Metrics.Port, 'default', 'ports differ from sidecar-defaults.json');
  expect(s.subsetHeader === d.Routing.SubsetHeader && s.routeKeyHeader === d.Routing.RouteKeyHeader, 'default', 'headers differ from sidecar-defaults.json');
  expect(def.text.includes(`port_value: ${d.ExtProc.Port}`), 'default', `EnvoyFilter does not point at port ${d.ExtProc.Port}`);
  expect(def.text.includes(`value: "${d.Routing.SubsetHeader}"`), 'default', `sidecar container does not get subset header ${d.Routing.SubsetHeader}`);
}

// Each mutation breaks one property of a good render; the checks must report it.
function mutationTests(expect, good, defaults, checks, tools) {
  const first = (docs, pred) => docs.find(pred);
  const label = (d) => (d.metadata.labels || {})['app.kubernetes.io/component'];
  let mutated = '';
  const patchOf = (docs, typeSuffix) => {
    for (const f of docs.filter((x) => x.kind === 'EnvoyFilter')) {
      const p = f.spec.configPatches.find((x) => String(x.patch.value.typed_config?.['@type']).endsWith(`.${typeSuffix}`));
      if (p) return p;
    }
    throw new Error(`no ${typeSuffix} patch for ${mutated}`);
  };
  const extProcOf = (docs) => patchOf(docs, 'ExternalProcessor').patch.value.typed_config;
  const sidecarContainer = (docs) => first(docs, (x) => x.kind === 'Deployment' && label(x) === 'gateway').spec.template.spec.containers[0];
  const sidecarEnv = (docs) => sidecarContainer(docs).env;
  const mutations = [
    ['container writable root', (docs) => { const d = first(docs, (x) => x.kind === 'Deployment'); d.spec.template.spec.containers[0].securityContext.readOnlyRootFilesystem = false; }],
    ['pod runs as root', (docs) => { const d = first(docs, (x) => x.kind === 'CronJob' || x.kind === 'Deployment'); const spec = d.kind === 'CronJob' ? d.spec.jobTemplate.spec.template.spec : d.spec.template.spec; spec.securityContext.runAsNonRoot = false; }],
    ['CronJob concurrency Allow', (docs) => { first(docs, (x) => x.kind === 'CronJob').spec.concurrencyPolicy = 'Allow'; }],
    ['EnvoyFilter port drift', (docs) => { const f = first(docs, (x) => x.kind === 'EnvoyFilter'); f.spec.configPatches[0].patch.value.load_assignment.endpoints[0].lb_endpoints[0].endpoint.address.socket_address.port_value += 1; }],
    ['EnvoyFilter body mode', (docs) => { extProcOf(docs).processing_mode.response_body_mode = 'BUFFERED'; }],
    ['EnvoyFilter fail closed', (docs) => { extProcOf(docs).failure_mode_allow = false; }],
    ['EnvoyFilter default circuit breaker', (docs) => { const f = first(docs, (x) => x.kind === 'EnvoyFilter'); f.spec.configPatches[0].patch.value.circuit_breakers.thresholds[0].max_requests = 1024; }],
    ['EnvoyFilter stream timeout', (docs) => { extProcOf(docs).grpc_service.timeout = '30s'; }],
    ['ext_proc field Envoy does not know', (docs) => { extProcOf(docs).failure_mode_alow = true; }],
    ['ext_proc timeout outside proto3 JSON', (docs) => { extProcOf(docs).message_timeout = '1m'; }],
    ['metadata namespace not received', (docs) => { delete extProcOf(docs).metadata_options.receiving_namespaces; }],
    ['metadata namespace not forwarded', (docs) => { const tc = extProcOf(docs); if (!tc.metadata_options.forwarding_namespaces) throw new Error('none'); delete tc.metadata_options.forwarding_namespaces; }],
    ['subset header removal missing', (docs) => { const f = first(docs, (x) => x.kind === 'EnvoyFilter'); f.spec.configPatches = f.spec.configPatches.filter((p) => p.patch.operation !== 'INSERT_FIRST'); }],
    ['subset header removed after routing started', (docs) => { const p = patchOf(docs, 'HeaderMutation'); p.patch.operation = 'INSERT_BEFORE'; p.match.listener.filterChain.filter.subFilter = { name: 'envoy.filters.http.router' }; }],
    ['subset header removal of another header', (docs) => { patchOf(docs, 'HeaderMutation').patch.value.typed_config.mutations.request_mutations[0].remove = 'x-other'; }],
    ['subset header removal on another port', (docs) => { patchOf(docs, 'HeaderMutation').match.listener.portNumber = 1; }],
    ['jwt_authn after ext_proc', (docs) => { const f = first(docs, (x) => x.kind === 'EnvoyFilter'); const i = f.spec.configPatches.findIndex((p) => /JwtAuthentication/.test(p.patch.value.typed_config?.['@type'])); if (i < 0) throw new Error('none'); const [jwt] = f.spec.configPatches.splice(i, 1); f.spec.configPatches.splice(i + 1, 0, jwt); }],
    ['jwt payload under another key', (docs) => { const tc = patchOf(docs, 'JwtAuthentication').patch.value.typed_config; Object.values(tc.providers)[0].payload_in_metadata = 'other'; }],
    ['jwt requirement drift', (docs) => { const tc = patchOf(docs, 'JwtAuthentication').patch.value.typed_config; tc.rules[0].requires = { provider_name: Object.keys(tc.providers)[0] }; }],
    ['access log without the arm', (docs) => { patchOf(docs, 'HttpConnectionManager').patch.value.typed_config.access_log[0].typed_config.log_format.json_format.canary_arm = '%DYNAMIC_METADATA(other:arm)%'; }],
    ['access log filter drift', (docs) => { const log = patchOf(docs, 'HttpConnectionManager').patch.value.typed_config.access_log[0]; if (log.filter) delete log.filter; else log.filter = { not_health_check_filter: {} }; }],
    ['sidecar subset header drift', (docs) => { const d = first(docs, (x) => x.kind === 'Deployment' && label(x) === 'gateway'); d.spec.template.spec.containers[0].env.find((e) => e.name === 'Canary__Routing__SubsetHeader').value = 'x-other'; }],
    ['VirtualService header drift', (docs) => { const vs = first(docs, (x) => x.kind === 'VirtualService'); const h = vs.spec.http[0].match[0].headers; const k = Object.keys(h)[0]; h['x-other'] = h[k]; delete h[k]; }],
    ['unknown Secret referenced', (docs) => { const d = first(docs, (x) => x.kind === 'Deployment'); d.spec.template.spec.volumes.push({ name: 'extra', secret: { secretName: 'nobody-declared-this' } }); }],
    ['inlined connection string', (docs) => { const d = first(docs, (x) => x.kind === 'Deployment' && label(x) === 'gateway'); d.spec.template.spec.containers[0].env.push({ name: 'Canary__Database__ConnectionString', value: 'Host=db;Password=p' }); }],
    ['analyzer setting it does not know', (docs) => { const cj = first(docs, (x) => x.kind === 'CronJob'); cj.spec.jobTemplate.spec.template.spec.containers[0].env.push({ name: 'Canary__MeshWeights__Route', value: 'default' }); }],
    ['mesh-weight VirtualService not rendered', (docs) => { const cj = first(docs, (x) => x.kind === 'CronJob'); const e = cj.spec.jobTemplate.spec.template.spec.containers[0].env.find((x) => x.name.startsWith('Canary__MeshWeights__VirtualServices__')); if (!e) throw new Error('none'); e.value = 'elsewhere/other'; }],
    ['Role wildcard', (docs) => { first(docs, (x) => x.kind === 'Role').rules[0].verbs = ['*']; }],
    ['Role patches pods', (docs) => { first(docs, (x) => x.kind === 'Role').rules[0].verbs = ['list', 'patch']; }],
    ['selector with chart version', (docs) => { const d = first(docs, (x) => x.kind === 'Deployment'); d.spec.selector.matchLabels['helm.sh/chart'] = d.metadata.labels['helm.sh/chart']; }],
    ['Service targets missing port', (docs) => { first(docs, (x) => x.kind === 'Service').spec.ports[0].targetPort = 'nope'; }],
    ['label missing', (docs) => { delete first(docs, (x) => x.kind === 'ConfigMap').metadata.labels['app.kubernetes.io/instance']; }],
    ['rollout weight out of range', (docs) => { const cm = first(docs, (x) => x.kind === 'ConfigMap' && label(x) === 'rollouts'); const t = JSON.parse(cm.data['rollouts.json']); t.rollouts.push({ routeKey: 'x', stableSubset: 'stable', canarySubset: 'canary', canaryWeightBasisPoints: 20000, salt: 's' }); cm.data['rollouts.json'] = JSON.stringify(t); }],
    ['snippet readiness probe', (docs) => { const cm = first(docs, (x) => x.kind === 'ConfigMap' && label(x) === 'sidecar-mode'); const ct = checks.parseYaml(cm.data['container.yaml']); ct[0].readinessProbe = ct[0].livenessProbe; cm.data['container.yaml'] = JSON.stringify(ct); }],
    ['sidecar user key from metadata dropped', (docs) => { const env = sidecarEnv(docs); const i = env.findIndex((e) => e.name === 'Canary__Routing__UserKeyMetadata__Path'); if (i < 0) throw new Error('none'); env.splice(i, 1); }],
    ['cache file on a read-only mount', (docs) => { const ct = sidecarContainer(docs); ct.volumeMounts.find((m) => m.name === 'canary-cache').readOnly = true; }],
    ['cache file not set', (docs) => { const env = sidecarEnv(docs); const i = env.findIndex((e) => e.name === 'Canary__Control__CacheFile'); if (i < 0) throw new Error('none'); env.splice(i, 1); }],
    ['sidecar price drift', (docs) => { const e = sidecarEnv(docs).find((x) => /^Canary__Telemetry__Prices__0__Output$/.test(x.name)); e.value = String(Number(e.value) + 1); }],
    ['analyzer without the price table', (docs) => { const d = first(docs, (x) => ['CronJob', 'Deployment'].includes(x.kind) && label(x) === 'analyzer'); const spec = d.kind === 'CronJob' ? d.spec.jobTemplate.spec.template.spec : d.spec.template.spec; const env = spec.containers[0].env; const i = env.findIndex((e) => e.name === 'CANARY_PRICE_TABLE'); if (i < 0) throw new Error('none'); env.splice(i, 1); }],
    ['price table file drift', (docs) => { const cm = first(docs, (x) => x.kind === 'ConfigMap' && label(x) === 'prices'); const t = JSON.parse(cm.data['prices.json']); t.Canary.Telemetry.Prices[0].Input += 1; cm.data['prices.json'] = JSON.stringify(t); }],
    ['fallback route to canary', (docs) => { const vs = first(docs, (x) => x.kind === 'VirtualService'); const last = vs.spec.http[vs.spec.http.length - 1]; last.route[0].destination.subset = vs.spec.http[0].route[0].destination.subset; }],
  ];
  for (const [name, mutate] of mutations) {
    mutated = name;
    let caught = false;
    let applied = false;
    for (const g of good) {
      const docs = checks.parseManifests(g.text);
      try {
        mutate(docs);
      } catch {
        continue;
      }
      applied = true;
      const c = checks.checkDocs(g.variant, docs, g.values, defaults, tools);
      if (c.failures.length > 0) {
        caught = true;
        break;
      }
    }
    expect(applied, 'mutation', `"${name}" found nothing to break in any passing render`);
    expect(!applied || caught, 'mutation', `"${name}" was not detected by the checks`);
  }
}

module.exports = { validatorTests, defaultsReachRender, mutationTests };
