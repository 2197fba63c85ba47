'use strict';
// Tests of the test machinery: the YAML reader against known answers, and the render checks against renders broken
// on purpose (a check that cannot fail proves nothing).

function yamlReaderTests(expect, yaml) {
  const cases = [
    ['a: 1\nb: "x: y"\nc: \'it\'\'s\'\nd: ~\ne: true\nf: 0444\ng: 1.5\nh: 50052,9091\n',
      { a: 1, b: 'x: y', c: "it's", d: null, e: true, f: 292, g: 1.5, h: '50052,9091' }],
    ['list:\n- a\n- b: 1\n  c: 2\nnested:\n  - - x\n', { list: ['a', { b: 1, c: 2 }], nested: [['x']] }],
    ['k: |\n  line1\n  line2\n\nnext: >-\n  folded\n  text\n', { k: 'line1\nline2\n', next: 'folded text' }],
    ['"@type": t\nflow: [a, "b", 3]\nmap: {x: 1, y: [2]}\nempty: []\n', { '@type': 't', flow: ['a', 'b', 3], map: { x: 1, y: [2] }, empty: [] }],
    ['long: this plain scalar\n  continues here # comment\nafter: 1\n', { long: 'this plain scalar continues here', after: 1 }],
    ['-\n  name: x\n  ports:\n    - 1\n', [{ name: 'x', ports: [1] }]],
    ['key: value # trailing\n# only a comment\nurl: http://x/#frag\n', { key: 'value', url: 'http://x/#frag' }],
  ];
  for (const [text, expected] of cases) {
    let actual;
    try {
      actual = yaml.parse(text);
    } catch (err) {
      actual = `error: ${err.message}`;
    }
    expect(JSON.stringify(actual) === JSON.stringify(expected), 'yaml.parse', `${JSON.stringify(text)} gave ${JSON.stringify(actual)}, expected ${JSON.stringify(expected)}`);
  }
  const docs = yaml.parseDocuments('---\n# Source: x\na: 1\n---\n---\nb: 2\n');
  expect(JSON.stringify(docs) === JSON.stringify([{ a: 1 }, { b: 2 }]), 'yaml.parseDocuments', `gave ${JSON.stringify(docs)}`);
  for (const bad of ['a: &anchor 1\n', 'a: 1\na: 2\n', 'a:\n  b: 1\n c: 2\n', 'a: "unterminated\n']) {
    let threw = false;
    try {
      yaml.parse(bad);
    } catch {
      threw = true;
    }
    expect(threw, 'yaml.parse', `accepted invalid or unsupported input ${JSON.stringify(bad)}`);
  }
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
function mutationTests(expect, good, defaults, checks, yaml) {
  const first = (docs, pred) => docs.find(pred);
  const label = (d) => (d.metadata.labels || {})['app.kubernetes.io/component'];
  const mutations = [
    ['container writable root', (docs) => { const d = first(docs, (x) => x.kind === 'Deployment'); d.spec.template.spec.containers[0].securityContext.readOnlyRootFilesystem = false; }],
    ['pod runs as root', (docs) => { const d = first(docs, (x) => x.kind === 'CronJob' || x.kind === 'Deployment'); const spec = d.kind === 'CronJob' ? d.spec.jobTemplate.spec.template.spec : d.spec.template.spec; spec.securityContext.runAsNonRoot = false; }],
    ['CronJob concurrency Allow', (docs) => { first(docs, (x) => x.kind === 'CronJob').spec.concurrencyPolicy = 'Allow'; }],
    ['EnvoyFilter port drift', (docs) => { const f = first(docs, (x) => x.kind === 'EnvoyFilter'); f.spec.configPatches[0].patch.value.load_assignment.endpoints[0].lb_endpoints[0].endpoint.address.socket_address.port_value += 1; }],
    ['EnvoyFilter body mode', (docs) => { const f = first(docs, (x) => x.kind === 'EnvoyFilter'); f.spec.configPatches[1].patch.value.typed_config.processing_mode.response_body_mode = 'BUFFERED'; }],
    ['EnvoyFilter fail closed', (docs) => { const f = first(docs, (x) => x.kind === 'EnvoyFilter'); f.spec.configPatches[1].patch.value.typed_config.failure_mode_allow = false; }],
    ['EnvoyFilter default circuit breaker', (docs) => { const f = first(docs, (x) => x.kind === 'EnvoyFilter'); f.spec.configPatches[0].patch.value.circuit_breakers.thresholds[0].max_requests = 1024; }],
    ['EnvoyFilter stream timeout', (docs) => { const f = first(docs, (x) => x.kind === 'EnvoyFilter'); f.spec.configPatches[1].patch.value.typed_config.grpc_service.timeout = '30s'; }],
    ['sidecar subset header drift', (docs) => { const d = first(docs, (x) => x.kind === 'Deployment' && label(x) === 'gateway'); d.spec.template.spec.containers[0].env.find((e) => e.name === 'Canary__Routing__SubsetHeader').value = 'x-other'; }],
    ['VirtualService header drift', (docs) => { const vs = first(docs, (x) => x.kind === 'VirtualService'); const h = vs.spec.http[0].match[0].headers; const k = Object.keys(h)[0]; h['x-other'] = h[k]; delete h[k]; }],
    ['unknown Secret referenced', (docs) => { const d = first(docs, (x) => x.kind === 'Deployment'); d.spec.template.spec.volumes.push({ name: 'extra', secret: { secretName: 'nobody-declared-this' } }); }],
    ['inlined connection string', (docs) => { const d = first(docs, (x) => x.kind === 'Deployment' && label(x) === 'gateway'); d.spec.template.spec.containers[0].env.push({ name: 'Canary__Database__ConnectionString', value: 'Host=db;Password=p' }); }],
    ['analyzer setting it does not know', (docs) => { const cj = first(docs, (x) => x.kind === 'CronJob'); cj.spec.jobTemplate.spec.template.spec.containers[0].env.push({ name: 'Canary__MeshWeights__Enabled', value: 'true' }); }],
    ['Role wildcard', (docs) => { first(docs, (x) => x.kind === 'Role').rules[0].verbs = ['*']; }],
    ['Role patches pods', (docs) => { first(docs, (x) => x.kind === 'Role').rules[0].verbs = ['list', 'patch']; }],
    ['selector with chart version', (docs) => { const d = first(docs, (x) => x.kind === 'Deployment'); d.spec.selector.matchLabels['helm.sh/chart'] = d.metadata.labels['helm.sh/chart']; }],
    ['Service targets missing port', (docs) => { first(docs, (x) => x.kind === 'Service').spec.ports[0].targetPort = 'nope'; }],
    ['label missing', (docs) => { delete first(docs, (x) => x.kind === 'ConfigMap').metadata.labels['app.kubernetes.io/instance']; }],
    ['rollout weight out of range', (docs) => { const cm = first(docs, (x) => x.kind === 'ConfigMap' && label(x) === 'rollouts'); const t = JSON.parse(cm.data['rollouts.json']); t.rollouts.push({ routeKey: 'x', stableSubset: 'stable', canarySubset: 'canary', canaryWeightBasisPoints: 20000, salt: 's' }); cm.data['rollouts.json'] = JSON.stringify(t); }],
    ['snippet readiness probe', (docs) => { const cm = first(docs, (x) => x.kind === 'ConfigMap' && label(x) === 'sidecar-mode'); const ct = yaml.parse(cm.data['container.yaml']); ct[0].readinessProbe = ct[0].livenessProbe; cm.data['container.yaml'] = JSON.stringify(ct); }],
    ['fallback route to canary', (docs) => { const vs = first(docs, (x) => x.kind === 'VirtualService'); const last = vs.spec.http[vs.spec.http.length - 1]; last.route[0].destination.subset = vs.spec.http[0].route[0].destination.subset; }],
  ];
  for (const [name, mutate] of mutations) {
    let caught = false;
    let applied = false;
    for (const g of good) {
      const docs = yaml.parseDocuments(g.text).filter((d) => d !== null);
      try {
        mutate(docs);
      } catch {
        continue;
      }
      applied = true;
      const c = checks.checkDocs(g.variant, docs, g.values, defaults);
      if (c.failures.length > 0) {
        caught = true;
        break;
      }
    }
    expect(applied, 'mutation', `"${name}" found nothing to break in any passing render`);
    expect(!applied || caught, 'mutation', `"${name}" was not detected by the checks`);
  }
}

module.exports = { yamlReaderTests, defaultsReachRender, mutationTests };
