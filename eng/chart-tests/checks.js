'use strict';
// Checks on the rendered manifests of one chart variant. Each check adds failures ("where: what") to a list; none
// throws, so one run reports every problem. The expected sidecar settings come from sidecar-defaults.json overlaid
// with the variant's values, the same rule the chart's "sidecar.settings" helper follows.

const YAML = require('yaml');
const { checkEnvoyFilters } = require('./envoy-checks.js');

// Helm and the API server read YAML 1.1 (sigs.k8s.io/yaml): 0444 is octal, yes/no are booleans. Duplicate keys fail.
const YAML_OPTIONS = { version: '1.1', uniqueKeys: true };

function parseYaml(text) {
  const doc = YAML.parseDocument(text, YAML_OPTIONS);
  if (doc.errors.length > 0) throw new Error(doc.errors.map((e) => e.message).join('; '));
  return doc.toJS();
}

// Every document of a multi-document stream (a `helm template` output), empty ones left out.
function parseManifests(text) {
  return YAML.parseAllDocuments(text, YAML_OPTIONS).map((doc) => {
    if (doc.errors.length > 0) throw new Error(doc.errors.map((e) => e.message).join('; '));
    return doc.toJS();
  }).filter((d) => d !== null && d !== undefined);
}

const NAMESPACED = new Set([
  'ServiceAccount', 'ConfigMap', 'Secret', 'Service', 'Deployment', 'CronJob', 'Job', 'Pod', 'PodDisruptionBudget',
  'Role', 'RoleBinding', 'EnvoyFilter', 'DestinationRule', 'VirtualService', 'ServiceMonitor', 'PodMonitor',
]);
const REQUIRED_LABELS = [
  'app.kubernetes.io/name', 'app.kubernetes.io/instance', 'app.kubernetes.io/version', 'app.kubernetes.io/managed-by',
  'app.kubernetes.io/part-of', 'app.kubernetes.io/component', 'helm.sh/chart',
];
const UNSTABLE_SELECTOR_LABELS = ['helm.sh/chart', 'app.kubernetes.io/version', 'app.kubernetes.io/managed-by'];
const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/;
const SIDECAR_ENV = new Set([
  'Canary__SidecarId', 'Canary__ExtProc__Port', 'Canary__ExtProc__BindAddress', 'Canary__ExtProc__MaxConcurrentStreams',
  'Canary__Control__Port', 'Canary__Control__TokenFile', 'Canary__Metrics__Port', 'Canary__Routing__RouteKeyHeader',
  'Canary__Routing__TenantHeader', 'Canary__Routing__SubsetHeader', 'Canary__Routing__RemoveSubsetHeaderOnUnmatched',
  'Canary__Routing__RolloutsFile', 'Canary__Database__ConnectionString', 'Canary__Telemetry__FlushInterval',
  'Canary__Routing__UserKeyMetadata__Namespace', 'Canary__Routing__UserKeyMetadata__Path',
  'Canary__Routing__TenantMetadata__Namespace', 'Canary__Routing__TenantMetadata__Path', 'Canary__Routing__AllowHeaderUserKey',
  'Canary__Control__CacheFile',
  'Canary__Proxy__Enabled', 'Canary__Proxy__Port', 'Canary__Proxy__BindAddress', 'Canary__Proxy__RouteKey',
  'Canary__Proxy__UserKeySource', 'Canary__Proxy__MaxRequestBodyBytes', 'Canary__Proxy__UnmatchedRequests',
  'Canary__Proxy__DefaultUpstream',
  'Canary__Quality__MaxRequestBytes', 'Canary__Quality__MaxResponseBytes', 'Canary__Quality__MaxAnswerChars',
  'Canary__Quality__QueueCapacity',
]);
// Quality-sample redaction rules (docs/quality.md), one entry per pattern.
const QUALITY_REDACT_ENV = /^Canary__Quality__Redact__([0-9]+)$/;
// values.yaml quality key -> the sidecar's Canary:Quality setting.
const QUALITY_SETTINGS = [
  ['maxRequestBytes', 'MaxRequestBytes'], ['maxResponseBytes', 'MaxResponseBytes'], ['maxAnswerChars', 'MaxAnswerChars'],
  ['queueCapacity', 'QueueCapacity'],
];
// Proxy-mode list entries and per-upstream settings (docs/proxy.md), matched by pattern.
const PROXY_ENV = /^Canary__Proxy__(UserKeyBodyFields__[0-9]+|Upstreams__[a-z0-9-]+__(Url|ApiKeyFile|ApiKeyHeader|ConnectTimeout|Timeout))$/;
// The analyzer refuses unknown Canary__ keys too (README, Analyzer configuration); list entries are matched by pattern.
const ANALYZER_ENV = new Set([
  'Canary__Judge__Endpoint', 'Canary__Judge__Model', 'Canary__Judge__RubricFile', 'Canary__Judge__ApiKeyFile',
  'Canary__Judge__DailySpendCapUsd', 'Canary__Judge__InputPricePerMillionUsd', 'Canary__Judge__OutputPricePerMillionUsd',
  'Canary__Judge__Concurrency', 'Canary__Judge__RequestsPerMinute', 'Canary__Judge__MaxSamplesPerRun',
  'Canary__Judge__Paired__Rollouts', 'Canary__Judge__Paired__ApiKeyFile',
  'Canary__Database__ConnectionString', 'Canary__Control__TokenFile', 'Canary__Discovery__Namespace', 'Canary__Discovery__ControlPort',
  'CANARY_PRICE_TABLE', 'Canary__MeshWeights__Enabled',
]);
const PRICE_ENV = /^Canary__Telemetry__Prices__([0-9]+)__(Model|Input|CachedInput|Output|CacheWrite)$/;
const ROLLOUT_KEYS = new Set([
  'routeKey', 'stableSubset', 'canarySubset', 'canaryWeightBasisPoints', 'salt', 'state', 'forcedCanaryUsers',
  'stableModel', 'canaryModel',
  'optInHeader', 'excludedUsers', 'excludedTenants',
  'qualitySampleBasisPoints',
]);

function isObject(v) {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

// Helm's rule for -f files: maps merge key by key, everything else (lists included) is replaced.
function mergeValues(base, over) {
  if (!isObject(base) || !isObject(over)) return over === undefined ? base : over;
  const out = { ...base };
  for (const [k, v] of Object.entries(over)) out[k] = k in base ? mergeValues(base[k], v) : v;
  return out;
}

function deepEqual(a, b) {
  return JSON.stringify(canonical(a)) === JSON.stringify(canonical(b));
}

function canonical(v) {
  if (Array.isArray(v)) return v.map(canonical);
  if (isObject(v)) return Object.fromEntries(Object.keys(v).sort().map((k) => [k, canonical(v[k])]));
  return v;
}

function get(obj, path) {
  let cur = obj;
  for (const part of path.split('.')) {
    if (cur === null || cur === undefined) return undefined;
    cur = cur[part];
  }
  return cur;
}

function subsetOf(selector, labels) {
  if (!isObject(selector) || Object.keys(selector).length === 0) return false;
  return Object.entries(selector).every(([k, v]) => labels && labels[k] === v);
}

// Envoy/Go durations ("1s", "250ms", "1m30s") in milliseconds; NaN when malformed.
function durationMs(text) {
  if (typeof text !== 'string' || !/^([0-9.]+(ms|s|m|h))+$/.test(text)) return NaN;
  const unit = { ms: 1, s: 1000, m: 60000, h: 3600000 };
  let total = 0;
  for (const m of text.matchAll(/([0-9.]+)(ms|s|m|h)/g)) total += Number(m[1]) * unit[m[2]];
  return total;
}

// The settings the sidecar must run with in this variant: the values override, else sidecar-defaults.json.
function effectiveSettings(defaults, values) {
  const d = defaults.Canary;
  const v = values.sidecar || {};
  const pick = (value, fallback) => (value === null || value === undefined ? fallback : value);
  const users = get(v, 'routing.userKeyHeaders');
  return {
    extProcPort: pick(get(v, 'ports.extProc'), d.ExtProc.Port),
    controlPort: pick(get(v, 'ports.control'), d.Control.Port),
    metricsPort: pick(get(v, 'ports.metrics'), d.Metrics.Port),
    maxConcurrentStreams: pick(get(v, 'extProc.maxConcurrentStreams'), d.ExtProc.MaxConcurrentStreams),
    extProcBindAddress: d.ExtProc.BindAddress,
    routeKeyHeader: pick(get(v, 'routing.routeKeyHeader'), d.Routing.RouteKeyHeader),
    userKeyHeaders: Array.isArray(users) && users.length > 0 ? users : d.Routing.UserKeyHeaders,
    tenantHeader: pick(get(v, 'routing.tenantHeader'), d.Routing.TenantHeader),
    subsetHeader: pick(get(v, 'routing.subsetHeader'), d.Routing.SubsetHeader),
    removeSubsetHeaderOnUnmatched: pick(get(v, 'routing.removeSubsetHeaderOnUnmatched'), d.Routing.RemoveSubsetHeaderOnUnmatched),
    flushInterval: pick(get(v, 'telemetry.flushInterval'), d.Telemetry.FlushInterval),
  };
}

class Context {
  constructor(variant, docs, values, defaults, tools) {
    this.variant = variant;
    this.tools = tools;
    this.docs = docs;
    this.values = values;
    this.defaults = defaults;
    this.settings = effectiveSettings(defaults, values);
    this.failures = [];
    this.checked = 0;
    this.namespace = values.namespaceOverride || 'default';
  }

  where(doc) {
    return doc ? `${doc.kind}/${get(doc, 'metadata.name')}` : '-';
  }

  expect(condition, where, message) {
    this.checked++;
    if (!condition) this.failures.push(`${where}: ${message}`);
    return Boolean(condition);
  }

  ofKind(kind) {
    return this.docs.filter((d) => d.kind === kind);
  }

  find(kind, name, namespace) {
    return this.docs.find((d) => d.kind === kind && get(d, 'metadata.name') === name
      && (namespace === undefined || get(d, 'metadata.namespace') === namespace));
  }

  // Pod templates with where they come from: Deployments, CronJobs, Pods.
  podTemplates() {
    const out = [];
    for (const d of this.docs) {
      if (d.kind === 'Deployment') out.push({ doc: d, labels: get(d, 'spec.template.metadata.labels'), spec: get(d, 'spec.template.spec') });
      if (d.kind === 'CronJob') out.push({ doc: d, labels: get(d, 'spec.jobTemplate.spec.template.metadata.labels'), spec: get(d, 'spec.jobTemplate.spec.template.spec') });
      if (d.kind === 'Pod') out.push({ doc: d, labels: get(d, 'metadata.labels'), spec: d.spec });
    }
    return out;
  }
}

function checkMetadata(c) {
  const seen = new Set();
  for (const d of c.docs) {
    const w = c.where(d);
    c.expect(typeof d.apiVersion === 'string' && d.apiVersion.length > 0, w, 'apiVersion missing');
    c.expect(typeof d.kind === 'string' && d.kind.length > 0, w, 'kind missing');
    const name = get(d, 'metadata.name');
    c.expect(typeof name === 'string' && DNS_SUBDOMAIN.test(name) && name.length <= 253, w, `metadata.name "${name}" is not a DNS subdomain`);
    if (['Service', 'Deployment', 'CronJob', 'Pod'].includes(d.kind)) {
      c.expect(DNS_LABEL.test(name) && name.length <= (d.kind === 'CronJob' ? 52 : 63), w, `name "${name}" too long or not a DNS label for a ${d.kind}`);
    }
    const labels = get(d, 'metadata.labels') || {};
    for (const l of REQUIRED_LABELS) c.expect(labels[l] !== undefined && labels[l] !== '', w, `label ${l} missing`);
    c.expect(labels['app.kubernetes.io/managed-by'] === 'Helm', w, 'managed-by must be Helm');
    for (const [k, v] of Object.entries(labels)) {
      c.expect(typeof v === 'string' && v.length <= 63, w, `label ${k} value must be a string of at most 63 characters`);
    }
    if (NAMESPACED.has(d.kind)) {
      const ns = get(d, 'metadata.namespace');
      let expected = c.namespace;
      if (d.kind === 'EnvoyFilter' && labels['app.kubernetes.io/component'] === 'gateway') expected = get(c.values, 'gatewayMode.gateway.namespace');
      if (d.kind === 'ConfigMap' && labels['app.kubernetes.io/component'] === 'dashboard') expected = get(c.values, 'dashboard.namespace') || c.namespace;
      c.expect(ns === expected, w, `namespace "${ns}", expected "${expected}"`);
    }
    const key = `${d.kind}/${get(d, 'metadata.namespace')}/${name}`;
    c.expect(!seen.has(key), w, 'rendered twice');
    seen.add(key);
  }
}

function checkSelectors(c) {
  const pods = c.podTemplates();
  for (const d of c.ofKind('Deployment')) {
    const w = c.where(d);
    const sel = get(d, 'spec.selector.matchLabels');
    c.expect(subsetOf(sel, get(d, 'spec.template.metadata.labels')), w, 'spec.selector.matchLabels does not match the pod template labels');
    for (const l of UNSTABLE_SELECTOR_LABELS) c.expect(!(sel && l in sel), w, `selector contains ${l}, which changes between releases`);
    for (const other of c.ofKind('Deployment')) {
      if (other !== d) c.expect(!subsetOf(sel, get(other, 'spec.template.metadata.labels')), w, `selector also matches the pods of ${c.where(other)}`);
    }
  }
  for (const s of c.ofKind('Service')) {
    const w = c.where(s);
    const sel = get(s, 'spec.selector');
    const matched = pods.filter((p) => p.doc.kind === 'Deployment' && subsetOf(sel, p.labels));
    if (!c.expect(matched.length === 1, w, `selector matches ${matched.length} Deployments, expected 1`)) continue;
    const containerPorts = new Map();
    for (const ct of matched[0].spec.containers || []) for (const p of ct.ports || []) containerPorts.set(p.name, p.containerPort);
    for (const p of get(s, 'spec.ports') || []) {
      c.expect(containerPorts.has(p.targetPort), w, `port ${p.name}: targetPort "${p.targetPort}" is not a container port name of ${c.where(matched[0].doc)}`);
      c.expect(containerPorts.get(p.targetPort) === p.port, w, `port ${p.name}: ${p.port} differs from the container port ${containerPorts.get(p.targetPort)}`);
      c.expect(/^(grpc|http|tcp)(-|$)/.test(p.name), w, `port name "${p.name}" does not tell Istio its protocol`);
    }
  }
  for (const pdb of c.ofKind('PodDisruptionBudget')) {
    const sel = get(pdb, 'spec.selector.matchLabels');
    const matched = pods.filter((p) => p.doc.kind === 'Deployment' && subsetOf(sel, p.labels));
    c.expect(matched.length === 1, c.where(pdb), `selector matches ${matched.length} Deployments, expected 1`);
    const replicas = matched.length === 1 ? get(matched[0].doc, 'spec.replicas') : 0;
    c.expect(typeof get(pdb, 'spec.maxUnavailable') !== 'number' || replicas > get(pdb, 'spec.maxUnavailable'), c.where(pdb), 'maxUnavailable allows every replica to go at once');
  }
  for (const sm of c.ofKind('ServiceMonitor')) {
    const w = c.where(sm);
    const services = c.ofKind('Service').filter((s) => subsetOf(get(sm, 'spec.selector.matchLabels'), get(s, 'metadata.labels')));
    if (!c.expect(services.length === 1, w, `selector matches ${services.length} Services, expected 1`)) continue;
    for (const ep of get(sm, 'spec.endpoints') || []) {
      c.expect((get(services[0], 'spec.ports') || []).some((p) => p.name === ep.port), w, `endpoint port "${ep.port}" is not a port of ${c.where(services[0])}`);
      c.expect(ep.path === c.defaults.Endpoints.MetricsPath, w, `endpoint path "${ep.path}" is not ${c.defaults.Endpoints.MetricsPath}`);
    }
  }
  for (const pm of c.ofKind('PodMonitor')) {
    const w = c.where(pm);
    c.expect(deepEqual(get(pm, 'spec.selector.matchLabels'), get(c.values, 'sidecarMode.workloadLabels')), w, 'selector is not sidecarMode.workloadLabels');
    for (const ep of get(pm, 'spec.podMetricsEndpoints') || []) {
      c.expect(ep.port === 'http-metrics', w, `port "${ep.port}" is not the sidecar container's metrics port name`);
      c.expect(ep.path === c.defaults.Endpoints.MetricsPath, w, `path "${ep.path}" is not ${c.defaults.Endpoints.MetricsPath}`);
    }
  }
}

// User-provided objects: the values that name them, each of which the chart README must document as the user's.
function userProvided(values) {
  return {
    secrets: [
      ['controlToken.existingSecret', get(values, 'controlToken.existingSecret')],
      ['database.existingSecret', get(values, 'database.existingSecret')],
      ...(get(values, 'imagePullSecrets') || []).map((n) => ['imagePullSecrets', n]),
      ...Object.entries(get(values, 'proxyMode.upstreams') || {}).map(([u, e]) => [`proxyMode.upstreams.${u}.apiKeySecret`, get(e, 'apiKeySecret.name')]),
      ['analyzer.judge.apiKeySecret', get(values, 'analyzer.judge.apiKeySecret')],
      ['analyzer.judge.paired.apiKeySecret', get(values, 'analyzer.judge.paired.apiKeySecret')],
    ].filter(([, n]) => n),
    configMaps: [['rollouts.existingConfigMap', get(values, 'rollouts.existingConfigMap')]].filter(([, n]) => n),
  };
}

function checkPodSpec(c, where, spec, labels, options) {
  c.expect(isObject(spec), where, 'pod spec missing');
  if (!isObject(spec)) return;
  c.expect(get(spec, 'securityContext.runAsNonRoot') === true, where, 'pod securityContext.runAsNonRoot is not true');
  const user = userProvided(c.values);
  const volumes = new Map((spec.volumes || []).map((v) => [v.name, v]));
  for (const v of spec.volumes || []) {
    if (v.secret) checkReference(c, where, 'Secret', v.secret.secretName, user.secrets);
    if (v.configMap) checkReference(c, where, 'ConfigMap', v.configMap.name, user.configMaps);
    if (v.hostPath) c.expect(false, where, `volume ${v.name} uses hostPath`);
  }
  for (const s of spec.imagePullSecrets || []) checkReference(c, where, 'Secret', s.name, user.secrets);
  if (!options.snippet) {
    const sa = spec.serviceAccountName;
    c.expect(typeof sa === 'string' && sa !== '', where, 'serviceAccountName missing');
    if (sa && sa !== 'default') c.expect(Boolean(c.find('ServiceAccount', sa)), where, `ServiceAccount ${sa} is not rendered`);
  }
  const containers = [...(spec.initContainers || []), ...(spec.containers || [])];
  c.expect(containers.length > 0, where, 'no containers');
  for (const ct of containers) checkContainer(c, `${where} container ${ct.name}`, ct, volumes, options);
}

function checkReference(c, where, kind, name, provided) {
  const rendered = Boolean(c.find(kind, name));
  const declared = provided.some(([, n]) => n === name);
  c.expect(rendered || declared, where, `${kind} "${name}" is neither rendered nor one of the user's (${provided.map(([p]) => p).join(', ') || 'none declared'})`);
}

function checkContainer(c, where, ct, volumes, options) {
  const sc = ct.securityContext || {};
  c.expect(sc.runAsNonRoot === true, where, 'securityContext.runAsNonRoot is not true');
  c.expect(sc.readOnlyRootFilesystem === true, where, 'securityContext.readOnlyRootFilesystem is not true');
  c.expect(sc.allowPrivilegeEscalation === false, where, 'securityContext.allowPrivilegeEscalation is not false');
  c.expect((get(sc, 'capabilities.drop') || []).includes('ALL'), where, 'capabilities are not all dropped');
  c.expect(sc.privileged !== true, where, 'privileged');
  c.expect(typeof ct.image === 'string' && /(:[^/:]+|@sha256:[a-f0-9]{64})$/.test(ct.image) && !ct.image.endsWith(':latest'), where, `image "${ct.image}" is not pinned to a tag or digest`);
  for (const m of ct.volumeMounts || []) c.expect(volumes.has(m.name), where, `mounts volume "${m.name}", which the pod does not declare`);
  const user = userProvided(c.values);
  for (const e of ct.env || []) {
    const ref = get(e, 'valueFrom.secretKeyRef');
    if (ref) checkReference(c, where, 'Secret', ref.name, user.secrets);
    const cm = get(e, 'valueFrom.configMapKeyRef');
    if (cm) checkReference(c, where, 'ConfigMap', cm.name, user.configMaps);
    c.expect(!(/ConnectionString|Token$|Password|Secret/i.test(e.name) && 'value' in e), where, `${e.name} has an inline value; secrets are referenced, never inlined`);
  }
  for (const e of ct.envFrom || []) {
    if (e.secretRef) checkReference(c, where, 'Secret', e.secretRef.name, user.secrets);
    if (e.configMapRef) checkReference(c, where, 'ConfigMap', e.configMapRef.name, user.configMaps);
  }
  if (ct.name === 'canary-sidecar') checkSidecarContainer(c, where, ct, volumes, options.mode);
  if (ct.name === 'canary-analyzer') checkAnalyzerContainer(c, where, ct, volumes);
}

function envMap(ct) {
  return new Map((ct.env || []).map((e) => [e.name, e]));
}

// The file at `path` must come from a volume of `kind` named `name`, item `key`.
function checkMountedFile(c, where, ct, volumes, path, kind, name, key) {
  const mount = (ct.volumeMounts || []).find((m) => path.startsWith(m.mountPath + '/'));
  if (!c.expect(mount, where, `${path} is not under any volume mount`)) return;
  c.expect(mount.readOnly === true, where, `${mount.mountPath} is mounted writable`);
  const volume = volumes.get(mount.name);
  const source = volume && (kind === 'Secret' ? volume.secret : volume.configMap);
  if (!c.expect(source, where, `${path} is not mounted from a ${kind}`)) return;
  c.expect((kind === 'Secret' ? source.secretName : source.name) === name, where, `${path} comes from ${kind} "${kind === 'Secret' ? source.secretName : source.name}", expected "${name}"`);
  const file = path.slice(mount.mountPath.length + 1);
  const item = (source.items || []).find((i) => i.path === file);
  c.expect(item ? item.key === key : file === key, where, `${path} is not key "${key}" of ${kind} ${name}`);
}

function checkSidecarContainer(c, where, ct, volumes, mode) {
  const s = c.settings;
  const v = c.values;
  const env = envMap(ct);
  const val = (n) => (env.get(n) ? env.get(n).value : undefined);
  for (const name of env.keys()) {
    const extra = (get(v, 'sidecar.extraEnv') || []).some((e) => e.name === name);
    c.expect(SIDECAR_ENV.has(name) || /^Canary__Routing__UserKeyHeaders__[0-9]+$/.test(name) || PRICE_ENV.test(name) || QUALITY_REDACT_ENV.test(name) || (mode === 'proxy' && PROXY_ENV.test(name)) || extra, where, `${name} is not a setting of the sidecar's configuration contract (it refuses unknown Canary__ keys)`);
  }
  const expectEnv = (name, expected) => c.expect(val(name) === (expected === undefined ? undefined : String(expected)), where, `${name}="${val(name)}", expected ${expected === undefined ? 'no such variable' : `"${expected}"`}`);
  expectEnv('Canary__ExtProc__Port', s.extProcPort);
  expectEnv('Canary__Control__Port', s.controlPort);
  expectEnv('Canary__Metrics__Port', s.metricsPort);
  expectEnv('Canary__ExtProc__MaxConcurrentStreams', s.maxConcurrentStreams);
  expectEnv('Canary__ExtProc__BindAddress', mode === 'gateway' ? '0.0.0.0' : s.extProcBindAddress);
  expectEnv('Canary__Routing__RouteKeyHeader', s.routeKeyHeader);
  expectEnv('Canary__Routing__TenantHeader', s.tenantHeader);
  expectEnv('Canary__Routing__SubsetHeader', s.subsetHeader);
  expectEnv('Canary__Routing__RemoveSubsetHeaderOnUnmatched', s.removeSubsetHeaderOnUnmatched);
  const users = [...env.keys()].filter((n) => n.startsWith('Canary__Routing__UserKeyHeaders__'))
    .sort((a, b) => Number(a.split('__').pop()) - Number(b.split('__').pop())).map((n) => val(n));
  c.expect(deepEqual(users, s.userKeyHeaders), where, `user-key headers ${JSON.stringify(users)}, expected ${JSON.stringify(s.userKeyHeaders)}`);
  c.expect(get(env.get('Canary__SidecarId'), 'valueFrom.fieldRef.fieldPath') === 'metadata.name', where, 'Canary__SidecarId is not the pod name');

  const tokenFile = val('Canary__Control__TokenFile');
  if (c.expect(tokenFile, where, 'Canary__Control__TokenFile missing')) {
    checkMountedFile(c, where, ct, volumes, tokenFile, 'Secret', get(v, 'controlToken.existingSecret'), get(v, 'controlToken.key'));
  }
  const rolloutsMap = get(v, 'rollouts.existingConfigMap') || (get(v, 'rollouts.create') ? 'rendered' : '');
  const rolloutsFile = val('Canary__Routing__RolloutsFile');
  if (c.expect(Boolean(rolloutsFile) === Boolean(rolloutsMap), where, `Canary__Routing__RolloutsFile ${rolloutsFile ? 'set' : 'missing'} but rollouts.create/existingConfigMap say otherwise`) && rolloutsFile) {
    const name = get(v, 'rollouts.existingConfigMap') || c.ofKind('ConfigMap').map((d) => get(d, 'metadata.name')).find((n) => n.endsWith('-rollouts'));
    checkMountedFile(c, where, ct, volumes, rolloutsFile, 'ConfigMap', name, get(v, 'rollouts.key'));
  }
  const db = env.get('Canary__Database__ConnectionString');
  if (get(v, 'database.existingSecret')) {
    c.expect(get(db, 'valueFrom.secretKeyRef.name') === get(v, 'database.existingSecret') && get(db, 'valueFrom.secretKeyRef.key') === get(v, 'database.key'), where, 'Canary__Database__ConnectionString is not database.existingSecret/key');
    expectEnv('Canary__Telemetry__FlushInterval', s.flushInterval);
  } else {
    c.expect(!db, where, 'Canary__Database__ConnectionString set without database.existingSecret');
  }

  // Quality samples: the values' bounds and redaction rules, only with a database (without one nothing is sampled).
  const quality = get(v, 'quality') || {};
  const withDatabase = Boolean(get(v, 'database.existingSecret'));
  for (const [key, setting] of QUALITY_SETTINGS) {
    const value = quality[key];
    expectEnv(`Canary__Quality__${setting}`, withDatabase && value !== null && value !== undefined ? value : undefined);
  }
  const redact = [...env.keys()].filter((n) => QUALITY_REDACT_ENV.test(n))
    .sort((a, b) => Number(QUALITY_REDACT_ENV.exec(a)[1]) - Number(QUALITY_REDACT_ENV.exec(b)[1])).map((n) => val(n));
  const expectedRedact = withDatabase ? (quality.redact || []) : [];
  c.expect(deepEqual(redact, expectedRedact), where, `redaction rules ${JSON.stringify(redact)}, expected ${JSON.stringify(expectedRedact)} from quality.redact`);

  const ports = new Map((ct.ports || []).map((p) => [p.name, p.containerPort]));
  c.expect(ports.get('grpc-extproc') === s.extProcPort, where, `container port grpc-extproc=${ports.get('grpc-extproc')}, expected ${s.extProcPort}`);
  c.expect(ports.get('grpc-control') === s.controlPort, where, `container port grpc-control=${ports.get('grpc-control')}, expected ${s.controlPort}`);
  c.expect(ports.get('http-metrics') === s.metricsPort, where, `container port http-metrics=${ports.get('http-metrics')}, expected ${s.metricsPort}`);
  // The kubelet probes the pod IP; ext_proc is bound to loopback in sidecar mode, so probes use the control port.
  for (const probe of ['livenessProbe', 'startupProbe', 'readinessProbe']) {
    if (!ct[probe]) continue;
    c.expect(get(ct, `${probe}.grpc.port`) === s.controlPort, where, `${probe} is not a gRPC health probe on the control port ${s.controlPort}`);
  }
  c.expect(Boolean(ct.livenessProbe), where, 'no liveness probe');
  if (mode === 'gateway' || mode === 'proxy') {
    c.expect(Boolean(ct.readinessProbe) && Boolean(ct.startupProbe), where, `${mode} mode needs readiness and startup probes`);
  } else {
    c.expect(!ct.readinessProbe, where, 'sidecar mode must not have a readiness probe: an unready sidecar would take the workload out of its Services');
  }
  const tmp = (ct.volumeMounts || []).find((m) => m.mountPath === '/tmp');
  c.expect(tmp && get(volumes.get(tmp.name), 'emptyDir') !== undefined, where, '/tmp is not an emptyDir (the root file system is read-only)');

  // The user key and tenant from dynamic metadata, each only when the values name a source.
  for (const [key, setting] of [['userKeyMetadata', 'UserKeyMetadata'], ['tenantMetadata', 'TenantMetadata']]) {
    const m = get(v, `sidecar.routing.${key}`) || {};
    expectEnv(`Canary__Routing__${setting}__Namespace`, m.namespace || undefined);
    expectEnv(`Canary__Routing__${setting}__Path`, m.namespace ? m.path : undefined);
  }
  const allow = get(v, 'sidecar.routing.allowHeaderUserKey');
  expectEnv('Canary__Routing__AllowHeaderUserKey', allow === null || allow === undefined ? undefined : allow);

  // The table cache on a writable volume from sidecar.cacheFile.volume, so a restart keeps a tripwire rollback.
  const cacheFile = val('Canary__Control__CacheFile');
  if (c.expect(Boolean(cacheFile) === Boolean(get(v, 'sidecar.cacheFile.enabled')), where, `Canary__Control__CacheFile ${cacheFile ? 'set' : 'missing'}, sidecar.cacheFile.enabled is ${get(v, 'sidecar.cacheFile.enabled')}`) && cacheFile) {
    const mount = (ct.volumeMounts || []).find((m) => cacheFile.startsWith(`${m.mountPath}/`));
    if (c.expect(mount, where, `${cacheFile} is not under a volume mount (the root file system is read-only)`)) {
      c.expect(mount.readOnly !== true, where, `${mount.mountPath} is read-only: the sidecar cannot write its cache`);
      const volume = { ...volumes.get(mount.name) };
      delete volume.name;
      const configured = get(v, 'sidecar.cacheFile.volume') || {};
      const expected = Object.keys(configured).length > 0 ? configured : { emptyDir: { sizeLimit: get(v, 'sidecar.cacheFile.sizeLimit') } };
      c.expect(deepEqual(volume, expected), where, `cache volume ${JSON.stringify(volume)}, expected ${JSON.stringify(expected)} from sidecar.cacheFile`);
    }
  }

  // The price table, entry by entry, as the sidecar's settings.
  const prices = get(v, 'prices') || [];
  c.expect(deepEqual(sidecarPrices(env), prices.map(priceEntry)), where, `price settings ${JSON.stringify(sidecarPrices(env))} differ from the values' prices`);

  // Proxy mode: the listener on proxyMode.port for every pod IP, and each upstream as the values name it, its key
  // read from the user's Secret through a read-only mount (never an environment variable).
  expectEnv('Canary__Proxy__Enabled', mode === 'proxy' ? 'true' : undefined);
  if (mode === 'proxy') {
    const p = get(v, 'proxyMode');
    expectEnv('Canary__Proxy__Port', p.port);
    expectEnv('Canary__Proxy__BindAddress', '0.0.0.0');
    expectEnv('Canary__Proxy__UnmatchedRequests', p.unmatchedRequests);
    expectEnv('Canary__Proxy__DefaultUpstream', p.defaultUpstream || undefined);
    c.expect(ports.get('http-proxy') === p.port, where, `container port http-proxy=${ports.get('http-proxy')}, expected ${p.port}`);
    const upstreams = Object.entries(p.upstreams || {});
    c.expect(upstreams.length > 0, where, 'proxy mode without upstreams');
    for (const [name, u] of upstreams) {
      expectEnv(`Canary__Proxy__Upstreams__${name}__Url`, u.url);
      const keyFile = val(`Canary__Proxy__Upstreams__${name}__ApiKeyFile`);
      if (c.expect(Boolean(keyFile) === Boolean(u.apiKeySecret), where, `upstream ${name}: ApiKeyFile ${keyFile ? 'set' : 'missing'} with apiKeySecret ${u.apiKeySecret ? 'set' : 'unset'}`) && keyFile) {
        checkMountedFile(c, where, ct, volumes, keyFile, 'Secret', u.apiKeySecret.name, u.apiKeySecret.key);
      }
    }
  } else {
    c.expect(!ports.has('http-proxy'), where, 'a proxy port outside proxy mode');
  }
}

// Values entry -> the sidecar's setting names (numbers as the strings configuration holds).
function priceEntry(p) {
  const out = { Model: p.model, Input: p.input, Output: p.output };
  if (p.cachedInput !== undefined) out.CachedInput = p.cachedInput;
  if (p.cacheWrite !== undefined) out.CacheWrite = p.cacheWrite;
  return out;
}

function sidecarPrices(env) {
  const entries = [];
  for (const [name, e] of env) {
    const m = PRICE_ENV.exec(name);
    if (!m) continue;
    entries[Number(m[1])] = entries[Number(m[1])] || {};
    entries[Number(m[1])][m[2]] = m[2] === 'Model' ? e.value : Number(e.value);
  }
  return entries;
}

function checkAnalyzerContainer(c, where, ct, volumes) {
  const v = c.values;
  const env = envMap(ct);
  for (const name of env.keys()) {
    const extra = (get(v, 'analyzer.extraEnv') || []).some((e) => e.name === name);
    c.expect(ANALYZER_ENV.has(name) || /^Canary__(Discovery__LabelSelectors|MeshWeights__VirtualServices)__[0-9]+$/.test(name) || extra, where, `${name} is not a setting of the analyzer (it refuses unknown Canary__ keys)`);
  }
  // Mesh-weight mode: the analyzer patches exactly the rendered VirtualServices (namespace/name), and only when enabled.
  const mesh = Boolean(get(v, 'analyzer.meshWeights.enabled'));
  c.expect(get(env.get('Canary__MeshWeights__Enabled'), 'value') === (mesh ? 'true' : undefined), where, `Canary__MeshWeights__Enabled does not follow analyzer.meshWeights.enabled (${mesh})`);
  const patched = [...env.keys()].filter((n) => n.startsWith('Canary__MeshWeights__VirtualServices__')).map((n) => get(env.get(n), 'value')).sort();
  const rendered = mesh ? c.ofKind('VirtualService').map((d) => `${get(d, 'metadata.namespace')}/${get(d, 'metadata.name')}`).sort() : [];
  c.expect(deepEqual(patched, rendered), where, `mesh-weight VirtualServices ${JSON.stringify(patched)} are not the rendered ones ${JSON.stringify(rendered)}`);
  const db = env.get('Canary__Database__ConnectionString');
  c.expect(get(db, 'valueFrom.secretKeyRef.name') === get(v, 'database.existingSecret'), where, 'database connection string is not from database.existingSecret');
  const token = get(env.get('Canary__Control__TokenFile'), 'value');
  if (c.expect(token, where, 'Canary__Control__TokenFile missing')) {
    checkMountedFile(c, where, ct, volumes, token, 'Secret', get(v, 'controlToken.existingSecret'), get(v, 'controlToken.key'));
  }
  c.expect(get(env.get('Canary__Discovery__ControlPort'), 'value') === String(c.settings.controlPort), where, 'Canary__Discovery__ControlPort is not the sidecar control port');
  c.expect(deepEqual(ct.command, ['/app/canary-analyzer']), where, 'command is not /app/canary-analyzer');
  // The analyzer re-prices from the same table the sidecars record cost with, as a file (CANARY_PRICE_TABLE).
  const table = get(env.get('CANARY_PRICE_TABLE'), 'value');
  const prices = get(v, 'prices') || [];
  if (c.expect(Boolean(table) === prices.length > 0, where, `CANARY_PRICE_TABLE ${table ? 'set' : 'missing'} with ${prices.length} price(s) in the values`) && table) {
    const name = c.ofKind('ConfigMap').map((d) => get(d, 'metadata.name')).find((n) => n.endsWith('-prices'));
    checkMountedFile(c, where, ct, volumes, table, 'ConfigMap', name, table.split('/').pop());
    const cm = c.find('ConfigMap', name);
    let file = null;
    try {
      file = JSON.parse(((cm && cm.data) || {})[table.split('/').pop()]);
    } catch (err) {
      c.expect(false, where, `price table file is not JSON: ${err.message}`);
    }
    if (file) c.expect(deepEqual(get(file, 'Canary.Telemetry.Prices'), prices.map(priceEntry)), where, 'the price table file differs from the values\' prices (the sidecars and the analyzer must price alike)');
  }
  checkJudge(c, where, ct, volumes, env);
}

// Judging: every value reaches its Canary__Judge__ setting; the rubric and the API key are mounted files, never values.
function checkJudge(c, where, ct, volumes, env) {
  const judge = get(c.values, 'analyzer.judge') || {};
  const judgeEnv = [...env.keys()].filter((n) => n.startsWith('Canary__Judge__'));
  if (!judge.enabled) {
    c.expect(judgeEnv.length === 0, where, `judging is off but ${judgeEnv.join(', ')} set`);
    return;
  }
  const value = (n) => get(env.get(n), 'value');
  const expected = {
    Canary__Judge__Endpoint: judge.endpoint,
    Canary__Judge__Model: judge.model,
    Canary__Judge__DailySpendCapUsd: String(judge.dailySpendCapUsd),
    Canary__Judge__InputPricePerMillionUsd: String(judge.inputPricePerMillionUsd),
    Canary__Judge__OutputPricePerMillionUsd: String(judge.outputPricePerMillionUsd),
    Canary__Judge__Concurrency: String(judge.concurrency),
    Canary__Judge__RequestsPerMinute: String(judge.requestsPerMinute),
    Canary__Judge__MaxSamplesPerRun: String(judge.maxSamplesPerRun),
  };
  for (const [name, want] of Object.entries(expected)) {
    c.expect(value(name) === want, where, `${name}="${value(name)}", expected "${want}"`);
  }
  const rubric = value('Canary__Judge__RubricFile');
  if (c.expect(rubric, where, 'Canary__Judge__RubricFile missing with analyzer.judge.enabled')) {
    const name = c.ofKind('ConfigMap').map((d) => get(d, 'metadata.name')).find((n) => n.endsWith('-judge-rubric'));
    const key = rubric.split('/').pop();
    checkMountedFile(c, where, ct, volumes, rubric, 'ConfigMap', name, key);
    const cm = c.find('ConfigMap', name);
    c.expect(cm && (cm.data || {})[key] === judge.rubric, where, 'the rubric file differs from analyzer.judge.rubric');
  }
  const keyFile = value('Canary__Judge__ApiKeyFile');
  c.expect(Boolean(keyFile) === Boolean(judge.apiKeySecret), where, `Canary__Judge__ApiKeyFile ${keyFile ? 'set' : 'missing'} with analyzer.judge.apiKeySecret "${judge.apiKeySecret || ''}"`);
  if (keyFile) checkMountedFile(c, where, ct, volumes, keyFile, 'Secret', judge.apiKeySecret, judge.apiKeySecretKey);
  // Paired comparison: the rollouts as one comma-separated setting, the versions' key as a file from your Secret.
  const paired = judge.paired || {};
  const rollouts = paired.rollouts || [];
  c.expect(value('Canary__Judge__Paired__Rollouts') === (rollouts.length ? rollouts.join(',') : undefined), where, `Canary__Judge__Paired__Rollouts="${value('Canary__Judge__Paired__Rollouts')}" does not follow analyzer.judge.paired.rollouts`);
  const pairedKey = value('Canary__Judge__Paired__ApiKeyFile');
  c.expect(Boolean(pairedKey) === Boolean(rollouts.length && paired.apiKeySecret), where, `Canary__Judge__Paired__ApiKeyFile ${pairedKey ? 'set' : 'missing'} with analyzer.judge.paired`);
  if (pairedKey) checkMountedFile(c, where, ct, volumes, pairedKey, 'Secret', paired.apiKeySecret, paired.apiKeySecretKey);
}

function checkWorkloads(c) {
  for (const p of c.podTemplates()) {
    const component = get(p.doc, 'metadata.labels')['app.kubernetes.io/component'];
    checkPodSpec(c, c.where(p.doc), p.spec, p.labels, { mode: ['gateway', 'proxy'].includes(component) ? component : 'sidecar' });
  }
  for (const cj of c.ofKind('CronJob')) {
    const w = c.where(cj);
    c.expect(get(cj, 'spec.concurrencyPolicy') === 'Forbid', w, `concurrencyPolicy is "${get(cj, 'spec.concurrencyPolicy')}", must be Forbid`);
    const spec = get(cj, 'spec.jobTemplate.spec.template.spec');
    c.expect(['Never', 'OnFailure'].includes(get(spec, 'restartPolicy')), w, 'restartPolicy must be Never or OnFailure');
    const args = get(spec, 'containers.0.args') || [];
    c.expect(args[0] === 'run-once', w, `analyzer args ${JSON.stringify(args)} do not start with run-once`);
    c.expect(typeof get(cj, 'spec.jobTemplate.spec.activeDeadlineSeconds') === 'number', w, 'no activeDeadlineSeconds: a hung run would block every later one (Forbid)');
  }
  for (const d of c.ofKind('Deployment')) {
    const component = get(d, 'metadata.labels')['app.kubernetes.io/component'];
    const w = c.where(d);
    if (component === 'analyzer') {
      const args = get(d, 'spec.template.spec.containers.0.args') || [];
      c.expect(args[0] === 'serve' && args[1] === '--interval' && args[2] === get(c.values, 'analyzer.interval'), w, `analyzer args ${JSON.stringify(args)}, expected serve --interval ${get(c.values, 'analyzer.interval')}`);
      c.expect(get(d, 'spec.replicas') === 1 && get(d, 'spec.strategy.type') === 'Recreate', w, 'the analyzer must run as exactly one replica (Recreate)');
    }
    if (component === 'gateway') {
      c.expect(get(d, 'spec.template.metadata.annotations')['sidecar.istio.io/inject'] === 'false', w, 'gateway-mode pods must not get an Istio proxy (the gateway calls them directly)');
      c.expect(get(d, 'spec.template.spec.automountServiceAccountToken') === false, w, 'gateway-mode pods need no API token');
    }
  }
  const gateway = c.ofKind('Deployment').some((d) => get(d, 'metadata.labels')['app.kubernetes.io/component'] === 'gateway');
  c.expect(gateway === Boolean(get(c.values, 'gatewayMode.enabled')), 'gatewayMode', `gateway Deployment ${gateway ? 'rendered' : 'missing'}`);
  const budgets = (component) => c.ofKind('PodDisruptionBudget').filter((d) => get(d, 'metadata.labels')['app.kubernetes.io/component'] === component).length;
  c.expect(!gateway || budgets('gateway') === (get(c.values, 'gatewayMode.pdb.enabled') ? 1 : 0), 'gatewayMode', 'PodDisruptionBudget missing');
  const proxy = c.ofKind('Deployment').some((d) => get(d, 'metadata.labels')['app.kubernetes.io/component'] === 'proxy');
  c.expect(proxy === Boolean(get(c.values, 'proxyMode.enabled')), 'proxyMode', `proxy Deployment ${proxy ? 'rendered' : 'missing'}`);
  c.expect(!proxy || budgets('proxy') === (get(c.values, 'proxyMode.pdb.enabled') ? 1 : 0), 'proxyMode', 'PodDisruptionBudget missing');
  c.expect(!proxy || c.ofKind('Service').some((d) => get(d, 'metadata.labels')['app.kubernetes.io/component'] === 'proxy'
    && (get(d, 'spec.ports') || []).some((p) => p.name === 'http-proxy' && p.port === get(c.values, 'proxyMode.port'))), 'proxyMode', 'no Service with the http-proxy port');
  const analyzerOn = Boolean(get(c.values, 'analyzer.enabled') && get(c.values, 'database.existingSecret'));
  const analyzers = c.docs.filter((d) => ['CronJob', 'Deployment'].includes(d.kind) && get(d, 'metadata.labels')['app.kubernetes.io/component'] === 'analyzer');
  c.expect(analyzers.length === (analyzerOn ? 1 : 0), 'analyzer', `${analyzers.length} analyzer workloads rendered, expected ${analyzerOn ? 1 : 0}`);
  if (analyzers.length === 1) c.expect(analyzers[0].kind === get(c.values, 'analyzer.kind'), 'analyzer', `rendered as ${analyzers[0].kind}, analyzer.kind is ${get(c.values, 'analyzer.kind')}`);
}

function checkRbac(c) {
  const mesh = Boolean(get(c.values, 'analyzer.meshWeights.enabled'));
  const vsNames = c.ofKind('VirtualService').map((d) => get(d, 'metadata.name')).sort();
  for (const role of c.ofKind('Role')) {
    const w = c.where(role);
    const rules = role.rules || [];
    for (const r of rules) {
      for (const field of ['apiGroups', 'resources', 'verbs']) c.expect(!(r[field] || []).includes('*'), w, `wildcard in ${field}`);
    }
    const pods = rules.filter((r) => (r.resources || []).includes('pods'));
    c.expect(pods.length === 1 && deepEqual(pods[0].verbs, ['list']) && deepEqual(pods[0].resources, ['pods']), w, 'pods must be granted exactly "list"');
    const vs = rules.filter((r) => (r.resources || []).includes('virtualservices'));
    if (mesh) {
      c.expect(vs.length === 1 && deepEqual([...vs[0].verbs].sort(), ['get', 'patch']), w, 'mesh-weight mode needs get and patch on virtualservices, nothing more');
      c.expect(vs.length === 1 && deepEqual([...(vs[0].resourceNames || [])].sort(), vsNames), w, 'virtualservices must be limited to the rendered VirtualServices by resourceNames');
    } else {
      c.expect(vs.length === 0, w, 'virtualservices granted outside mesh-weight mode');
    }
    c.expect(rules.length === pods.length + vs.length, w, 'rules beyond pods and virtualservices');
  }
  for (const rb of c.ofKind('RoleBinding')) {
    const w = c.where(rb);
    c.expect(get(rb, 'roleRef.kind') === 'Role' && Boolean(c.find('Role', get(rb, 'roleRef.name'))), w, 'roleRef is not a rendered Role');
    for (const s of rb.subjects || []) c.expect(s.kind === 'ServiceAccount' && Boolean(c.find('ServiceAccount', s.name)), w, `subject ${s.name} is not a rendered ServiceAccount`);
  }
  c.expect(c.ofKind('ClusterRole').length === 0 && c.ofKind('ClusterRoleBinding').length === 0, 'rbac', 'cluster-wide RBAC rendered');
}

function checkRouting(c) {
  const v = c.values;
  const s = c.settings;
  const services = get(v, 'routing.enabled') ? get(v, 'routing.services') || [] : [];
  c.expect(c.ofKind('VirtualService').length === services.length && c.ofKind('DestinationRule').length === services.length, 'routing', `expected ${services.length} VirtualServices and DestinationRules`);
  const subsetsByHost = new Map();
  for (const dr of c.ofKind('DestinationRule')) {
    const w = c.where(dr);
    const names = (get(dr, 'spec.subsets') || []).map((x) => x.name);
    c.expect(names.length === 2 && new Set(names).size === 2, w, 'expected two distinct subsets');
    for (const sub of get(dr, 'spec.subsets') || []) c.expect(isObject(sub.labels) && Object.keys(sub.labels).length > 0, w, `subset ${sub.name} selects no pods`);
    subsetsByHost.set(get(dr, 'spec.host'), new Set(names));
  }
  for (const vs of c.ofKind('VirtualService')) {
    const w = c.where(vs);
    const routes = get(vs, 'spec.http') || [];
    const matched = routes.filter((r) => r.match);
    const fallback = routes.filter((r) => !r.match);
    c.expect(fallback.length === 1 && routes[routes.length - 1] === fallback[0], w, 'needs exactly one last route without match (requests without the subset header)');
    const svc = services.find((x) => get(vs, 'metadata.name').endsWith(`-${x.name}`));
    if (!c.expect(svc, w, 'no routing.services entry')) continue;
    for (const r of matched) {
      const headers = get(r, 'match.0.headers') || {};
      c.expect(deepEqual(Object.keys(headers), [s.subsetHeader]), w, `route ${r.name} matches headers ${JSON.stringify(Object.keys(headers))}, expected only "${s.subsetHeader}"`);
      const exact = get(headers[s.subsetHeader] || {}, 'exact');
      c.expect(get(r, 'route.0.destination.subset') === exact && (r.route || []).length === 1, w, `route ${r.name}: header value "${exact}" must route to subset "${exact}" only`);
    }
    c.expect(deepEqual(matched.map((r) => get(r, 'match.0.headers')[s.subsetHeader]?.exact).sort(), [svc.canary.subset, svc.stable.subset].sort()), w, 'header routes must cover exactly the stable and canary subsets');
    for (const r of routes) {
      for (const d of r.route || []) {
        const host = get(d, 'destination.host');
        c.expect(subsetsByHost.has(host) && subsetsByHost.get(host).has(get(d, 'destination.subset')), w, `destination ${host}/${get(d, 'destination.subset')} is not a DestinationRule subset`);
      }
    }
    if (fallback.length === 1) {
      const dests = fallback[0].route || [];
      const total = dests.reduce((a, d) => a + (d.weight === undefined ? 100 : d.weight), 0);
      c.expect(total === 100, w, `fallback route weights sum to ${total}`);
      const stable = dests.find((d) => get(d, 'destination.subset') === svc.stable.subset);
      c.expect(stable && (stable.weight === undefined || stable.weight === 100), w, 'requests without the subset header must go to stable (weight 100)');
      c.expect(dests.length === (get(v, 'analyzer.meshWeights.enabled') ? 2 : 1), w, 'fallback destinations do not follow analyzer.meshWeights.enabled');
    }
  }
}

function checkConfigMaps(c) {
  const v = c.values;
  for (const cm of c.ofKind('ConfigMap')) {
    const w = c.where(cm);
    const component = get(cm, 'metadata.labels')['app.kubernetes.io/component'];
    const data = cm.data || {};
    if (component === 'rollouts') checkRolloutTable(c, w, data[get(v, 'rollouts.key')]);
    if (component === 'dashboard') checkDashboard(c, w, data);
    if (component === 'sidecar-mode') checkSnippet(c, w, data);
  }
  c.expect(c.ofKind('ConfigMap').some((d) => get(d, 'metadata.labels')['app.kubernetes.io/component'] === 'rollouts') === Boolean(get(v, 'rollouts.create') && !get(v, 'rollouts.existingConfigMap')), 'rollouts', 'rollout ConfigMap presence does not follow rollouts.create/existingConfigMap');
  c.expect(c.ofKind('ConfigMap').some((d) => get(d, 'metadata.labels')['app.kubernetes.io/component'] === 'dashboard') === Boolean(get(v, 'dashboard.enabled')), 'dashboard', 'dashboard ConfigMap presence does not follow dashboard.enabled');
  c.expect(c.ofKind('ConfigMap').some((d) => get(d, 'metadata.labels')['app.kubernetes.io/component'] === 'prices') === (get(v, 'prices') || []).length > 0, 'prices', 'price table ConfigMap presence does not follow prices');
  c.expect(c.ofKind('Secret').length === 0, 'secrets', 'the chart must not render Secrets: they are referenced, never inlined');
}

function checkRolloutTable(c, w, text) {
  let table;
  try {
    table = JSON.parse(text);
  } catch (err) {
    c.expect(false, w, `rollout table is not JSON: ${err.message}`);
    return;
  }
  c.expect(deepEqual(Object.keys(table).sort(), ['generation', 'rollouts']), w, 'rollout table keys must be generation and rollouts');
  c.expect(Number.isInteger(table.generation) && table.generation >= 0, w, 'generation must be an integer >= 0');
  c.expect(Array.isArray(table.rollouts), w, 'rollouts must be an array');
  const keys = new Set();
  const drSubsets = new Set(c.ofKind('DestinationRule').flatMap((d) => (get(d, 'spec.subsets') || []).map((x) => x.name)));
  (table.rollouts || []).forEach((r, i) => {
    const at = `${w} rollouts[${i}]`;
    for (const k of Object.keys(r)) c.expect(ROLLOUT_KEYS.has(k), at, `unknown key ${k} (the sidecar refuses the table)`);
    c.expect(typeof r.routeKey === 'string' && r.routeKey !== '' && !keys.has(r.routeKey), at, 'routeKey missing or duplicated');
    keys.add(r.routeKey);
    c.expect(Number.isInteger(r.canaryWeightBasisPoints) && r.canaryWeightBasisPoints >= 0 && r.canaryWeightBasisPoints <= 10000, at, 'canaryWeightBasisPoints must be 0..10000');
    c.expect(r.qualitySampleBasisPoints === undefined || (Number.isInteger(r.qualitySampleBasisPoints) && r.qualitySampleBasisPoints >= 0 && r.qualitySampleBasisPoints <= 10000), at, 'qualitySampleBasisPoints must be 0..10000');
    c.expect(typeof r.salt === 'string' && r.salt !== '', at, 'salt missing');
    c.expect(r.stableSubset && r.canarySubset && r.stableSubset !== r.canarySubset, at, 'stable and canary subsets must be set and differ');
    c.expect(r.state === undefined || ['active', 'paused', 'rolledBack'].includes(r.state), at, `state "${r.state}" unknown`);
    if (drSubsets.size > 0) {
      c.expect(drSubsets.has(r.stableSubset) && drSubsets.has(r.canarySubset), at, `subsets ${r.stableSubset}/${r.canarySubset} are not DestinationRule subsets: the header would match no route`);
    }
  });
}

function checkDashboard(c, w, data) {
  const keys = Object.keys(data);
  if (!c.expect(keys.length === 1, w, 'expected one dashboard')) return;
  let dash;
  try {
    dash = JSON.parse(data[keys[0]]);
  } catch (err) {
    c.expect(false, w, `dashboard is not JSON: ${err.message}`);
    return;
  }
  c.expect(!data[keys[0]].includes('__SCHEMA__'), w, 'schema placeholders left in the dashboard');
  const targets = (dash.panels || []).flatMap((p) => (p.targets || []).map((t) => ({ ...t, panel: p.title })));
  c.expect(targets.length > 0, w, 'dashboard has no queries');
  const sql = targets.filter((t) => get(t, 'datasource.type') === 'grafana-postgresql-datasource');
  const prom = targets.filter((t) => get(t, 'datasource.type') === 'prometheus');
  c.expect(sql.length + prom.length === targets.length, w, 'a query is neither PostgreSQL nor Prometheus');
  for (const t of sql) c.expect(typeof t.rawSql === 'string' && t.rawSql.trim() !== '', w, `panel "${t.panel}" ${t.refId} has no SQL`);
  for (const t of prom) c.expect(typeof t.expr === 'string' && t.expr.trim() !== '', w, `panel "${t.panel}" ${t.refId} has no expression`);
  c.expect(sql.filter((t) => /subset AS metric/.test(t.rawSql)).length >= 3, w, 'dashboard does not compare the arms (series by subset)');
  // Every table a query reads is qualified with dashboard.schema when one is set.
  const schema = get(c.values, 'dashboard.schema') || '';
  const queries = [...sql.map((t) => t.rawSql), ...((dash.templating && dash.templating.list) || []).filter((x) => x.type === 'query').map((x) => x.query)];
  for (const q of queries) {
    for (const m of q.matchAll(/(?<!epoch )\b(?:FROM|JOIN)\s+([A-Za-z_][A-Za-z0-9_.]*)/gi)) {
      if (/^(c|x)$/.test(m[1])) continue; // the queries' own CTEs
      c.expect(schema ? m[1].startsWith(`${schema}.`) : !m[1].includes('.'), w, `table ${m[1]} is not qualified as dashboard.schema "${schema}" says`);
    }
  }
  c.expect(get(c.values, 'dashboard.labels') === undefined || subsetOf(get(c.values, 'dashboard.labels'), get(c.docs.find((d) => c.where(d) === w), 'metadata.labels')), w, 'dashboard labels missing');
}

// The injection snippet: parsed back and checked like a rendered container, since it ends up in the user's pods.
function checkSnippet(c, w, data) {
  let container;
  let volumes;
  let metadata;
  let template;
  try {
    container = parseYaml(data['container.yaml']);
    volumes = parseYaml(data['volumes.yaml']);
    metadata = parseYaml(data['pod-metadata.yaml']);
    template = parseYaml(data['istio-injection-template.yaml']);
  } catch (err) {
    c.expect(false, w, `snippet is not YAML: ${err.message}`);
    return;
  }
  if (!c.expect(Array.isArray(container) && container.length === 1, w, 'container.yaml must be a one-entry list')) return;
  const spec = { securityContext: get(c.values, 'podSecurityContext'), volumes, containers: container };
  checkPodSpec(c, `${w} container.yaml`, spec, metadata.labels, { mode: 'sidecar', snippet: true });
  c.expect(deepEqual(metadata.labels, get(c.values, 'sidecarMode.workloadLabels')), w, 'pod-metadata labels are not sidecarMode.workloadLabels');
  const excluded = String(get(metadata, 'annotations') ? metadata.annotations['traffic.sidecar.istio.io/excludeInboundPorts'] : '').split(',').map(Number);
  c.expect(excluded.includes(c.settings.controlPort) && excluded.includes(c.settings.metricsPort), w, 'control and metrics ports must bypass the pod Envoy (excludeInboundPorts)');
  const list = get(c.values, 'sidecarMode.nativeSidecar') ? 'initContainers' : 'containers';
  c.expect(deepEqual(get(template, `spec.${list}`), container), w, `the Istio injection template's ${list} differ from container.yaml`);
  c.expect(deepEqual(get(template, 'spec.volumes'), volumes), w, "the Istio injection template's volumes differ from volumes.yaml");
  c.expect(!get(c.values, 'sidecarMode.nativeSidecar') || container[0].restartPolicy === 'Always', w, 'a native sidecar needs restartPolicy Always');
}

function checkTests(c) {
  const tests = c.ofKind('Pod');
  const expected = get(c.values, 'tests.enabled') && get(c.values, 'gatewayMode.enabled') ? 1 : 0;
  c.expect(tests.length === expected, 'tests', `${tests.length} test pods, expected ${expected}`);
  for (const p of tests) {
    const w = c.where(p);
    c.expect(get(p, 'metadata.annotations')['helm.sh/hook'] === 'test', w, 'not a helm test hook');
    const svc = c.ofKind('Service')[0];
    const host = svc ? `${get(svc, 'metadata.name')}.${get(svc, 'metadata.namespace')}.svc.cluster.local` : '?';
    const addrs = (get(p, 'spec.containers') || []).map((ct) => (ct.args || []).find((a) => a.startsWith('-addr=')));
    c.expect(deepEqual(addrs.sort(), [`-addr=${host}:${c.settings.controlPort}`, `-addr=${host}:${c.settings.extProcPort}`].sort()), w, `probes ${JSON.stringify(addrs)}, expected the Service's ext_proc and control ports`);
  }
}

// Kubernetes objects embedded in rendered documents, for schema validation: the sidecar-mode snippet's container,
// volumes and pod metadata, as [where, schema type, value].
function embeddedFragments(doc) {
  const component = get(doc, 'metadata.labels') && doc.metadata.labels['app.kubernetes.io/component'];
  if (doc.kind !== 'ConfigMap' || component !== 'sidecar-mode') return [];
  const data = doc.data || {};
  const out = [];
  const list = (key, type, items) => (items || []).forEach((item, i) => out.push([`${key}/${i}`, type, item]));
  list('container.yaml', 'container', parseYaml(data['container.yaml']));
  list('volumes.yaml', 'volume', parseYaml(data['volumes.yaml']));
  out.push(['pod-metadata.yaml', 'objectMeta', parseYaml(data['pod-metadata.yaml'])]);
  const template = parseYaml(data['istio-injection-template.yaml']) || {};
  out.push(['istio-injection-template.yaml/metadata', 'objectMeta', template.metadata]);
  list('istio-injection-template.yaml/spec/containers', 'container', get(template, 'spec.containers'));
  list('istio-injection-template.yaml/spec/initContainers', 'container', get(template, 'spec.initContainers'));
  list('istio-injection-template.yaml/spec/volumes', 'volume', get(template, 'spec.volumes'));
  return out;
}

function checkVariant(variant, text, values, defaults, tools) {
  let docs;
  try {
    docs = parseManifests(text);
  } catch (err) {
    return { failures: [`render: not readable YAML: ${err.message}`], checked: 1 };
  }
  return checkDocs(variant, docs, values, defaults, tools);
}

function checkDocs(variant, docs, values, defaults, tools) {
  const c = new Context(variant, docs, values, defaults, tools);
  for (const check of [checkMetadata, checkSelectors, checkWorkloads, checkRbac, checkEnvoyFilters, checkRouting, checkConfigMaps, checkTests]) {
    try {
      check(c);
    } catch (err) {
      c.failures.push(`${check.name}: crashed: ${err.stack}`);
    }
  }
  return c;
}

module.exports = { checkVariant, checkDocs, embeddedFragments, mergeValues, effectiveSettings, deepEqual, get, durationMs, parseYaml, parseManifests };
