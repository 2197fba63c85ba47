'use strict';
// Validates rendered manifests against the Kubernetes API schemas (npm kubernetes-models), the Istio CRD schemas
// (@kubernetes-models/istio) and the Prometheus Operator CRD schemas (@kubernetes-models/prometheus-operator).
//
// Their validators check types, required fields, enums and formats, but the Kubernetes OpenAPI schemas do not forbid
// unknown fields, and the API server drops an unknown field of a built-in type (a misspelt "readinesProbe" deploys a
// pod without a readiness probe) or of a structural CRD. So the document is handed to the validator behind a Proxy that
// records which keys the validator reads: a compiled validator reads every property its schema declares, and
// enumerates the keys of a map (labels, annotations, data). A key of an object the validator looked into but never
// read is a field the schema does not have. An object it neither read nor enumerated is free-form in the schema (an
// EnvoyFilter patch value, preserved unknown fields), checked elsewhere.
//
// The packages are ES modules, so load() is asynchronous.

const GROUP_PACKAGES = [
  [/\.istio\.io$/, '@kubernetes-models/istio'],
  [/^monitoring\.coreos\.com$/, '@kubernetes-models/prometheus-operator'],
];

class KubernetesSchemas {
  static async load() {
    const schemas = new KubernetesSchemas();
    schemas.container = (await import('kubernetes-models/_schemas/IoK8sApiCoreV1Container')).validate;
    schemas.volume = (await import('kubernetes-models/_schemas/IoK8sApiCoreV1Volume')).validate;
    schemas.objectMeta = (await import('@kubernetes-models/apimachinery/_schemas/IoK8sApimachineryPkgApisMetaV1ObjectMeta')).validate;
    return schemas;
  }

  constructor() {
    this.modules = new Map();
  }

  async model(apiVersion, kind) {
    const slash = apiVersion.indexOf('/');
    const group = slash < 0 ? '' : apiVersion.slice(0, slash);
    const version = slash < 0 ? apiVersion : apiVersion.slice(slash + 1);
    const pkg = (GROUP_PACKAGES.find(([re]) => re.test(group)) || [null, 'kubernetes-models'])[1];
    const specifier = group ? `${pkg}/${group}/${version}` : `${pkg}/${version}`;
    if (!this.modules.has(specifier)) {
      let module = null;
      try {
        module = await import(specifier);
      } catch {
        module = null;
      }
      this.modules.set(specifier, module);
    }
    const module = this.modules.get(specifier);
    return module && typeof module[kind] === 'function' ? module[kind] : null;
  }

  /** Every problem of one document: schema violations and unknown fields, each as "path: message". */
  async validateDocument(doc) {
    const Model = await this.model(String(doc.apiVersion), String(doc.kind));
    if (!Model) return [`no schema for ${doc.apiVersion} ${doc.kind} in the installed model packages`];
    return strictly(doc, '', (proxy) => {
      try {
        Model.prototype.validate.call(proxy);
        return [];
      } catch (err) {
        return (err.errors || [{ instancePath: '', message: err.message }]).map((e) => `${e.instancePath || '/'}: ${e.message}`);
      }
    });
  }

  /** A fragment validated as one schema type ("container", "volume", "objectMeta"), e.g. an injection snippet. */
  validateFragment(type, value, at) {
    const fn = this[type];
    return strictly(value, at, (proxy) => (fn(proxy) ? [] : fn.errors.map((e) => `${at}${e.instancePath || ''}: ${e.message}`)));
  }
}

// Runs validate(proxy) and adds "unknown field" for every key of an object the validator inspected but never read.
function strictly(value, at, validate) {
  const seen = [];
  const proxy = track(value, at, seen);
  const problems = validate(proxy);
  for (const info of seen) {
    if (info.enumerated || info.read.size === 0) continue;
    for (const key of info.keys) if (!info.read.has(key)) problems.push(`${info.path}/${key}: unknown field (the schema has no such property)`);
  }
  return problems;
}

function track(value, path, seen) {
  if (value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map((v, i) => track(v, `${path}/${i}`, seen));
  const info = { path, read: new Set(), enumerated: false, keys: Object.keys(value) };
  seen.push(info);
  const target = Object.fromEntries(Object.entries(value).map(([k, v]) => [k, track(v, `${path}/${k}`, seen)]));
  return new Proxy(target, {
    get(t, key, receiver) {
      if (typeof key === 'string') info.read.add(key);
      return Reflect.get(t, key, receiver);
    },
    has(t, key) {
      if (typeof key === 'string') info.read.add(key);
      return Reflect.has(t, key);
    },
    ownKeys(t) {
      info.enumerated = true;
      return Reflect.ownKeys(t);
    },
  });
}

module.exports = { KubernetesSchemas };
