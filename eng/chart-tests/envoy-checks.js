'use strict';
// Checks on the rendered EnvoyFilters. Every patch value is first decoded against Envoy's own message (envoy-config.js:
// an unknown or deprecated field, a malformed Duration or a violated validation rule fails); the checks then read the
// decoded configuration, not the YAML.

const { structToJson, durationMs } = require('./envoy-config.js');

const HCM = 'envoy.filters.network.http_connection_manager';
const JWT_NAMESPACE = 'envoy.filters.http.jwt_authn';
const TYPE = {
  extProc: 'type.googleapis.com/envoy.extensions.filters.http.ext_proc.v3.ExternalProcessor',
  headerMutation: 'type.googleapis.com/envoy.extensions.filters.http.header_mutation.v3.HeaderMutation',
  jwtAuthn: 'type.googleapis.com/envoy.extensions.filters.http.jwt_authn.v3.JwtAuthentication',
  hcm: 'type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager',
  fileLog: 'type.googleapis.com/envoy.extensions.access_loggers.file.v3.FileAccessLog',
};
const PATCH_MESSAGE = {
  CLUSTER: 'envoy.config.cluster.v3.Cluster',
  HTTP_FILTER: 'envoy.extensions.filters.network.http_connection_manager.v3.HttpFilter',
  NETWORK_FILTER: 'envoy.config.listener.v3.Filter',
};
// Body and trailer modes Envoy defaults to when the field is left out (enum value 0 is not encoded).
const MODE_DEFAULTS = {
  request_header_mode: 'DEFAULT', response_header_mode: 'DEFAULT', request_body_mode: 'NONE', response_body_mode: 'NONE',
  request_trailer_mode: 'DEFAULT', response_trailer_mode: 'DEFAULT',
};

function get(obj, path) {
  let cur = obj;
  for (const part of path.split('.')) {
    if (cur === null || cur === undefined) return undefined;
    cur = cur[part];
  }
  return cur;
}

function same(a, b) {
  return JSON.stringify(a) === JSON.stringify(b);
}

// Seconds of a values duration ("1s", "0.5s").
function valueMs(text) {
  const m = /^([0-9]+(?:\.[0-9]+)?)s$/.exec(String(text));
  return m ? Number(m[1]) * 1000 : NaN;
}

// Decodes every patch value of one EnvoyFilter; returns [{patch, decoded}] or null when any fails.
function decodePatches(c, f, w) {
  const out = [];
  let ok = true;
  (get(f, 'spec.configPatches') || []).forEach((p, i) => {
    const at = `${w} configPatches[${i}] (${p.applyTo} ${get(p, 'patch.operation')}) value`;
    const name = PATCH_MESSAGE[p.applyTo];
    if (!c.expect(name, w, `configPatches[${i}]: no check knows applyTo ${p.applyTo}`)) {
      ok = false;
      return;
    }
    const partial = get(p, 'patch.operation') === 'MERGE' ? [`${at}`, `${at}.typed_config`] : [];
    const r = c.tools.decoder.decodeMessage(name, get(p, 'patch.value'), at, partial);
    c.expect(r.errors.length === 0, w, `not a valid ${name}: ${r.errors.join('; ')}`);
    if (r.errors.length > 0) ok = false;
    out.push({ patch: p, decoded: r.message });
  });
  return ok ? out : null;
}

function checkEnvoyFilters(c) {
  const s = c.settings;
  const e = c.defaults.Envoy;
  const v = c.values;
  const filters = c.ofKind('EnvoyFilter');
  const modes = filters.map((f) => get(f, 'metadata.labels')['app.kubernetes.io/component']);
  c.expect(modes.includes('sidecar-mode') === Boolean(get(v, 'sidecarMode.enabled')), 'EnvoyFilter', 'sidecar-mode EnvoyFilter presence does not follow sidecarMode.enabled');
  c.expect(modes.includes('gateway') === Boolean(get(v, 'gatewayMode.enabled')), 'EnvoyFilter', 'gateway EnvoyFilter presence does not follow gatewayMode.enabled');
  for (const f of filters) {
    const w = c.where(f);
    const gateway = get(f, 'metadata.labels')['app.kubernetes.io/component'] === 'gateway';
    const context = gateway ? 'GATEWAY' : 'SIDECAR_OUTBOUND';
    c.expect(same(get(f, 'spec.workloadSelector.labels'), gateway ? get(v, 'gatewayMode.gateway.labels') : get(v, 'sidecarMode.workloadLabels')), w, 'workloadSelector labels do not match the values');
    const patches = decodePatches(c, f, w);
    if (!patches) continue;
    const port = gateway ? get(v, 'gatewayMode.gateway.listenerPort') : get(v, 'sidecarMode.outboundPort');
    const expectedPort = port === null || port === undefined ? undefined : port;
    for (const { patch } of patches) {
      c.expect(get(patch, 'match.context') === context, w, `${patch.applyTo} patch in context ${get(patch, 'match.context')}, expected ${context}`);
      if (patch.applyTo === 'CLUSTER') continue;
      c.expect(get(patch, 'match.listener.filterChain.filter.name') === HCM, w, `${patch.applyTo} patch not matched on the HTTP connection manager`);
      c.expect(get(patch, 'match.listener.portNumber') === expectedPort, w, `${patch.applyTo} patch on listener port ${get(patch, 'match.listener.portNumber')}, expected ${expectedPort}`);
    }

    // The order Envoy ends up with: the removal first; jwt_authn, then ext_proc, each inserted before the router.
    const kinds = patches.map(({ patch, decoded }) => {
      const op = get(patch, 'patch.operation');
      const type = get(decoded, 'typed_config.@type');
      if (patch.applyTo === 'CLUSTER' && op === 'ADD') return 'cluster';
      if (patch.applyTo === 'HTTP_FILTER' && op === 'INSERT_FIRST' && type === TYPE.headerMutation) return 'removal';
      if (patch.applyTo === 'HTTP_FILTER' && op === 'INSERT_BEFORE' && type === TYPE.jwtAuthn) return 'jwt';
      if (patch.applyTo === 'HTTP_FILTER' && op === 'INSERT_BEFORE' && type === TYPE.extProc) return 'extproc';
      if (patch.applyTo === 'NETWORK_FILTER' && op === 'MERGE' && type === TYPE.hcm) return 'accesslog';
      return `unexpected ${patch.applyTo} ${op} ${type}`;
    });
    const expected = ['cluster', 'removal', ...(get(v, 'envoy.jwtAuthn.enabled') ? ['jwt'] : []), 'extproc', ...(get(v, 'envoy.accessLog.enabled') ? ['accesslog'] : [])];
    if (!c.expect(same(kinds, expected), w, `patches ${JSON.stringify(kinds)}, expected ${JSON.stringify(expected)}`)) continue;
    const byKind = Object.fromEntries(kinds.map((k, i) => [k, patches[i]]));
    for (const k of ['jwt', 'extproc']) {
      if (byKind[k]) c.expect(get(byKind[k].patch, 'match.listener.filterChain.filter.subFilter.name') === e.InsertBefore, w, `${k} is not anchored on ${e.InsertBefore}`);
    }

    checkRemoval(c, w, byKind.removal.decoded);
    checkExtProc(c, w, byKind.extproc.decoded, byKind.cluster.decoded, gateway);
    if (byKind.jwt) checkJwt(c, w, byKind.jwt.decoded);
    if (byKind.accesslog) checkAccessLog(c, w, byKind.accesslog.decoded);
    checkMetadataSources(c, w);
  }
}

// A client-sent subset header is removed before any filter can route on it, whether or not the sidecar answers.
function checkRemoval(c, w, decoded) {
  const tc = decoded.typed_config;
  c.expect(decoded.name === c.defaults.Envoy.SubsetHeaderRemovalFilterName, w, `removal filter named ${decoded.name}`);
  const request = get(tc, 'mutations.request_mutations') || [];
  c.expect(same(request.map((m) => m.remove), [c.settings.subsetHeader]), w, `request mutations ${JSON.stringify(request)}: expected only the removal of ${c.settings.subsetHeader}`);
  c.expect((get(tc, 'mutations.response_mutations') || []).length === 0, w, 'the removal filter must not touch responses');
}

function checkExtProc(c, w, decoded, cluster, gateway) {
  const s = c.settings;
  const e = c.defaults.Envoy;
  const v = c.values;
  const tc = decoded.typed_config;
  c.expect(decoded.name === e.FilterName, w, `filter name ${decoded.name}, expected ${e.FilterName}`);
  const modes = Object.fromEntries(Object.keys(MODE_DEFAULTS).map((k) => [k, get(tc, `processing_mode.${k}`) || MODE_DEFAULTS[k]]));
  c.expect(same(modes, Object.fromEntries(Object.keys(MODE_DEFAULTS).map((k) => [k, e.ProcessingMode[k] || MODE_DEFAULTS[k]]))), w, `processing_mode ${JSON.stringify(modes)} differs from sidecar-defaults.json ${JSON.stringify(e.ProcessingMode)}`);
  c.expect(tc.allow_mode_override === e.AllowModeOverride && tc.allow_mode_override === true, w, 'allow_mode_override must be true (the sidecar switches body modes per request)');
  c.expect(tc.failure_mode_allow === e.FailureModeAllow && tc.failure_mode_allow === true, w, 'failure_mode_allow must be true (an unavailable sidecar means stable, not an outage)');
  const mt = durationMs(tc.message_timeout);
  const mmt = durationMs(tc.max_message_timeout);
  c.expect(mt === valueMs(get(v, 'envoy.messageTimeout')), w, `message_timeout ${mt} ms, values say ${get(v, 'envoy.messageTimeout')}`);
  c.expect(mt > 200 && mt <= 3600000, w, `message_timeout ${mt} ms must exceed Envoy's 200ms default and stay within 1h`);
  c.expect(mmt >= mt && mmt <= 3600000, w, `max_message_timeout ${mmt} ms must be at least message_timeout and within 1h`);
  c.expect(get(tc, 'grpc_service.timeout') === undefined, w, 'grpc_service.timeout would cut long LLM streams; message_timeout bounds each reply instead');
  c.expect(same(get(tc, 'metadata_options.receiving_namespaces.untyped'), [e.MetadataNamespace]), w, `receiving_namespaces ${JSON.stringify(get(tc, 'metadata_options.receiving_namespaces'))}: Envoy drops the sidecar's "${e.MetadataNamespace}" metadata unless it is the one listed`);
  const forwarded = [...new Set(['userKeyMetadata', 'tenantMetadata'].map((k) => get(v, `sidecar.routing.${k}.namespace`)).filter(Boolean))];
  c.expect(same(get(tc, 'metadata_options.forwarding_namespaces.untyped') || [], forwarded), w, `forwarding_namespaces ${JSON.stringify(get(tc, 'metadata_options.forwarding_namespaces'))}, the sidecar reads ${JSON.stringify(forwarded)}`);

  const clusterName = get(tc, 'grpc_service.envoy_grpc.cluster_name');
  c.expect(cluster.name === clusterName && get(cluster, 'load_assignment.cluster_name') === clusterName, w, `grpc_service cluster "${clusterName}" is not the added cluster "${cluster.name}"`);
  const h2 = get(cluster, 'typed_extension_protocol_options')?.['envoy.extensions.upstreams.http.v3.HttpProtocolOptions'];
  c.expect(h2 && get(h2, 'explicit_http_config.http2_protocol_options') !== undefined, w, 'the processor cluster does not speak HTTP/2');
  c.expect(get(h2, 'explicit_http_config.http2_protocol_options.max_concurrent_streams.value') === s.maxConcurrentStreams, w, `max_concurrent_streams differs from the sidecar's ${s.maxConcurrentStreams}`);
  const thresholds = get(cluster, 'circuit_breakers.thresholds') || [];
  const def = thresholds.find((t) => (t.priority || 'DEFAULT') === 'DEFAULT');
  c.expect(def && get(def, 'max_requests.value') === get(v, 'envoy.circuitBreakers.maxRequests') && get(def, 'max_requests.value') > 1024, w, 'DEFAULT circuit breaker max_requests must be raised above 1024 to envoy.circuitBreakers.maxRequests');
  c.expect(def && get(def, 'max_pending_requests.value') === get(v, 'envoy.circuitBreakers.maxPendingRequests'), w, 'max_pending_requests differs from the values');
  const eps = (get(cluster, 'load_assignment.endpoints') || []).flatMap((x) => x.lb_endpoints || []).map((x) => get(x, 'endpoint.address.socket_address'));
  if (!c.expect(eps.length === 1, w, `expected one endpoint, found ${eps.length}`)) return;
  c.expect(eps[0].port_value === s.extProcPort, w, `processor port ${eps[0].port_value}, the sidecar listens on ${s.extProcPort}`);
  const type = cluster.type || 'STATIC';
  if (gateway) {
    c.expect(type === 'STRICT_DNS', w, 'the gateway cluster must resolve the Service (STRICT_DNS)');
    const svc = c.ofKind('Service').find((x) => `${get(x, 'metadata.name')}.${get(x, 'metadata.namespace')}.svc.cluster.local` === eps[0].address);
    if (c.expect(svc, w, `endpoint ${eps[0].address} is not a rendered Service`)) {
      c.expect((get(svc, 'spec.ports') || []).some((p) => p.port === s.extProcPort && p.name === 'grpc-extproc'), w, 'the Service has no grpc-extproc port on the ext_proc port');
      c.expect(get(svc, 'spec.clusterIP') === (get(v, 'gatewayMode.service.headless') ? 'None' : undefined), w, 'Service headlessness does not follow gatewayMode.service.headless');
    }
  } else {
    c.expect(type === 'STATIC' && eps[0].address === '127.0.0.1', w, 'the sidecar-mode cluster must be 127.0.0.1 (STATIC)');
    c.expect(s.extProcBindAddress === '127.0.0.1', w, 'sidecar-mode ext_proc binds to loopback');
  }
}

function checkJwt(c, w, decoded) {
  const j = get(c.values, 'envoy.jwtAuthn');
  const tc = decoded.typed_config;
  c.expect(decoded.name === c.defaults.Envoy.JwtAuthnFilterName, w, `jwt_authn filter named ${decoded.name}`);
  const providers = tc.providers || {};
  c.expect(same(Object.keys(providers).sort(), Object.keys(j.providers).sort()), w, `jwt providers ${Object.keys(providers)}, values ${Object.keys(j.providers)}`);
  for (const [name, p] of Object.entries(providers)) c.expect(p.payload_in_metadata === j.payloadKey, w, `provider ${name} writes its payload under "${p.payload_in_metadata}", not envoy.jwtAuthn.payloadKey "${j.payloadKey}"`);
  const rules = tc.rules || [];
  c.expect(rules.length === 1 && get(rules[0], 'match.prefix') === '/', w, 'expected one rule for every path');
  const requires = get(rules[0], 'requires') || {};
  const alternatives = requires.requires_any ? requires.requires_any.requirements : [requires];
  const named = alternatives.filter((r) => r.provider_name).map((r) => r.provider_name).sort();
  c.expect(same(named, Object.keys(j.providers).sort()), w, `the rule accepts providers ${named}, expected every configured one`);
  const allows = alternatives.filter((r) => !r.provider_name).map((r) => Object.keys(r)[0]);
  const expectedAllows = j.requirement === 'required' ? [] : [j.requirement];
  c.expect(same(allows, expectedAllows), w, `requests without a valid token get ${JSON.stringify(allows)}, envoy.jwtAuthn.requirement is ${j.requirement}`);
}

function checkAccessLog(c, w, decoded) {
  const a = get(c.values, 'envoy.accessLog');
  const e = c.defaults.Envoy;
  const logs = get(decoded, 'typed_config.access_log') || [];
  if (!c.expect(logs.length === 1, w, `expected one access log, found ${logs.length}`)) return;
  const log = logs[0];
  c.expect(get(log, 'typed_config.@type') === TYPE.fileLog && get(log, 'typed_config.path') === a.path, w, `access log is not a file log to ${a.path}`);
  const format = structToJson(get(log, 'typed_config.log_format.json_format'));
  for (const key of e.MetadataKeys) {
    c.expect(format[`canary_${key}`] === `%DYNAMIC_METADATA(${e.MetadataNamespace}:${key})%`, w, `access log field canary_${key} is ${JSON.stringify(format[`canary_${key}`])}, expected the sidecar's ${e.MetadataNamespace}:${key} metadata`);
  }
  c.expect(format.subset_header === `%REQ(${c.settings.subsetHeader})%`, w, `access log subset_header ${format.subset_header} is not the subset header ${c.settings.subsetHeader}`);
  const matcher = get(log, 'filter.metadata_filter.matcher');
  const routedOnly = Boolean(matcher && matcher.filter === e.MetadataNamespace && same(matcher.path, [{ key: 'rollout' }]) && get(matcher, 'value.present_match') === true);
  c.expect(routedOnly === Boolean(a.routedOnly) && (routedOnly || !log.filter), w, `access log filter ${JSON.stringify(log.filter)} does not follow envoy.accessLog.routedOnly=${a.routedOnly}`);
}

// The user key and tenant paths must name where the jwt_authn filter the chart renders writes its payload.
function checkMetadataSources(c, w) {
  const v = c.values;
  if (!get(v, 'envoy.jwtAuthn.enabled')) return;
  for (const k of ['userKeyMetadata', 'tenantMetadata']) {
    const m = get(v, `sidecar.routing.${k}`) || {};
    if (m.namespace !== JWT_NAMESPACE) continue;
    c.expect(String(m.path).split('.')[0] === get(v, 'envoy.jwtAuthn.payloadKey'), w, `sidecar.routing.${k}.path "${m.path}" does not start with envoy.jwtAuthn.payloadKey "${get(v, 'envoy.jwtAuthn.payloadKey')}": the sidecar would find nothing there`);
  }
}

module.exports = { checkEnvoyFilters, PATCH_MESSAGE, TYPE };
