'use strict';
// Decodes the Envoy configuration the chart renders (EnvoyFilter patch values) against Envoy's own protobuf messages,
// loaded with protobufjs from the .proto files the npm package @grpc/grpc-js-xds carries (deps/envoy-api and its
// imports). Istio turns a patch value into the message through the proto3 JSON mapping, so that mapping is what is
// checked here, strictly: protobufjs's own fromObject ignores unknown keys and knows no Duration or Struct JSON forms,
// so the walk below follows the mapping itself (field names in either form, enums by name, well-known types, Any by its
// @type), fails on anything the message does not define, on a field Envoy has deprecated, and on the
// protoc-gen-validate rules Envoy enforces at load time that a JSON walk can see (required messages and oneofs, string
// and list lengths, number and duration bounds, defined enums). The result is then encoded to protobuf bytes and
// decoded back with protobufjs, so the checks read the decoded message, Any values unpacked.

const fs = require('fs');
const path = require('path');
const protobuf = require('protobufjs');

const PROTO_FILES = [
  'envoy/extensions/filters/http/ext_proc/v3/ext_proc.proto',
  'envoy/extensions/filters/http/header_mutation/v3/header_mutation.proto',
  'envoy/extensions/filters/http/jwt_authn/v3/config.proto',
  'envoy/extensions/filters/network/http_connection_manager/v3/http_connection_manager.proto',
  'envoy/extensions/access_loggers/file/v3/file.proto',
  'envoy/extensions/access_loggers/stream/v3/stream.proto',
  'envoy/config/cluster/v3/cluster.proto',
  'envoy/config/listener/v3/listener_components.proto',
  'envoy/extensions/upstreams/http/v3/http_protocol_options.proto',
];

const TYPE_URL_PREFIX = 'type.googleapis.com/';
const INT32 = new Set(['int32', 'sint32', 'sfixed32']);
const UINT32 = new Set(['uint32', 'fixed32']);
const INT64 = new Set(['int64', 'sint64', 'sfixed64', 'uint64', 'fixed64']);
const WRAPPERS = new Map([
  ['google.protobuf.DoubleValue', 'double'], ['google.protobuf.FloatValue', 'float'], ['google.protobuf.Int64Value', 'int64'],
  ['google.protobuf.UInt64Value', 'uint64'], ['google.protobuf.Int32Value', 'int32'], ['google.protobuf.UInt32Value', 'uint32'],
  ['google.protobuf.BoolValue', 'bool'], ['google.protobuf.StringValue', 'string'], ['google.protobuf.BytesValue', 'bytes'],
]);

function protoRoot(moduleDir) {
  const deps = path.join(moduleDir, 'node_modules', '@grpc', 'grpc-js-xds', 'deps');
  const includes = ['envoy-api', 'xds', 'googleapis', 'protoc-gen-validate'].map((d) => path.join(deps, d));
  // google/protobuf/*.proto (Duration, Struct, Any...) ship with protobufjs itself.
  includes.push(path.join(moduleDir, 'node_modules', 'protobufjs'));
  if (!fs.existsSync(includes[0])) throw new Error(`${includes[0]} missing: run npm ci --prefix ${moduleDir}`);
  const root = new protobuf.Root();
  root.resolvePath = (origin, target) => {
    for (const dir of includes) {
      const candidate = path.join(dir, target);
      if (fs.existsSync(candidate)) return candidate;
    }
    return protobuf.util.path.resolve(origin, target);
  };
  root.loadSync(PROTO_FILES, { keepCase: true });
  root.resolveAll();
  return root;
}

function typeName(t) {
  return t.fullName.replace(/^\./, '');
}

function isObject(v) {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

// Seconds and nanoseconds of a proto3 JSON Duration ("1s", "0.250s", "-3.5s"); null when malformed.
function parseDuration(text) {
  const m = typeof text === 'string' ? /^(-)?([0-9]+)(?:\.([0-9]{1,9}))?s$/.exec(text) : null;
  if (!m) return null;
  const sign = m[1] ? -1 : 1;
  return { seconds: sign * Number(m[2]), nanos: sign * Number((m[3] || '').padEnd(9, '0')) };
}

class EnvoyDecoder {
  constructor(moduleDir) {
    this.root = protoRoot(moduleDir);
  }

  lookup(name) {
    try {
      return this.root.lookupType(name);
    } catch {
      return null;
    }
  }

  /**
   * Decodes a typed_config ({"@type": ..., fields}) into Envoy's message. Returns { type, message, errors }: message
   * is the decoded object (snake_case keys, enums by name, Duration as {seconds, nanos}, Any unpacked with "@type").
   */
  decodeTypedConfig(value, where) {
    this.partialAt = new Set();
    const errors = [];
    const normalized = this.anyValue(value, where, errors);
    if (errors.length > 0 || !normalized) return { type: isObject(value) ? value['@type'] : undefined, message: null, errors };
    return { type: value['@type'], message: this.roundTrip(normalized, errors, where), errors };
  }

  /** Decodes a JSON value as the named Envoy message (an EnvoyFilter patch value: a Cluster, an HttpFilter...). */
  // partialAt: paths of messages that are partial, as in a MERGE patch (their required fields are left to the config
  // they merge into); e.g. `${where}.typed_config`.
  decodeMessage(name, value, where, partialAt = []) {
    this.partialAt = new Set(partialAt);
    const errors = [];
    const type = this.lookup(name);
    if (!type) return { message: null, errors: [`${where}: no Envoy message ${name}`] };
    const fields = this.message(type, value, where, errors);
    if (errors.length > 0) return { message: null, errors };
    return { message: this.roundTrip({ type, fields }, errors, where), errors };
  }

  // An Any in JSON form: the message named by @type, with its fields (or "value" for well-known types).
  anyValue(value, at, errors) {
    if (!isObject(value)) {
      errors.push(`${at}: an Any must be an object with "@type"`);
      return null;
    }
    const url = value['@type'];
    if (typeof url !== 'string' || !url.startsWith(TYPE_URL_PREFIX)) {
      errors.push(`${at}: "@type" ${JSON.stringify(url)} is not ${TYPE_URL_PREFIX}<message>`);
      return null;
    }
    const type = this.lookup(url.slice(TYPE_URL_PREFIX.length));
    if (!type) {
      errors.push(`${at}: no Envoy message ${url.slice(TYPE_URL_PREFIX.length)}`);
      return null;
    }
    const rest = { ...value };
    delete rest['@type'];
    const special = this.wellKnown(type, 'value' in rest && Object.keys(rest).length === 1 ? rest.value : rest, at, errors);
    const fields = special !== undefined ? special : this.message(type, rest, at, errors);
    return { type, fields };
  }

  // Normalizes one message's JSON into protobufjs's object form, recording every violation.
  message(type, json, at, errors) {
    if (!isObject(json)) {
      errors.push(`${at}: expected an object for ${typeName(type)}, got ${JSON.stringify(json)}`);
      return {};
    }
    const byName = new Map();
    for (const f of type.fieldsArray) {
      byName.set(f.name, f);
      byName.set(protobuf.util.camelCase(f.name), f);
      if (f.options && f.options.json_name) byName.set(f.options.json_name, f);
    }
    const out = {};
    const seen = new Set();
    for (const [key, raw] of Object.entries(json)) {
      const field = byName.get(key);
      const here = `${at}.${key}`;
      if (!field) {
        errors.push(`${here}: unknown field of ${typeName(type)}`);
        continue;
      }
      if (seen.has(field.name)) {
        errors.push(`${here}: ${field.name} given twice`);
        continue;
      }
      seen.add(field.name);
      if (raw === null) continue;
      if (field.options && field.options.deprecated) errors.push(`${here}: deprecated in ${typeName(type)}`);
      out[field.name] = this.fieldValue(field, raw, here, errors);
    }
    const partial = this.partialAt && this.partialAt.has(at);
    for (const oneof of type.oneofsArray) {
      const set = oneof.fieldsArray.filter((f) => f.name in out);
      if (set.length > 1) errors.push(`${at}: oneof ${oneof.name} has ${set.map((f) => f.name).join(' and ')}`);
      if (!partial && set.length === 0 && oneof.options && oneof.options['(validate.required)']) errors.push(`${at}: oneof ${oneof.name} of ${typeName(type)} is required`);
    }
    for (const f of type.fieldsArray) {
      // A oneof member's rules apply only when it is the one set.
      if (partial || f.partOf) continue;
      if (!(f.name in out) && f.options && f.options['(validate.rules).message.required']) errors.push(`${at}.${f.name}: required by ${typeName(type)}`);
    }
    return out;
  }

  fieldValue(field, raw, at, errors) {
    if (field.map) {
      if (!isObject(raw)) {
        errors.push(`${at}: expected a map object`);
        return {};
      }
      const out = {};
      for (const [k, v] of Object.entries(raw)) out[k] = this.singleValue(field, v, `${at}.${k}`, errors);
      return out;
    }
    if (field.repeated) {
      if (!Array.isArray(raw)) {
        errors.push(`${at}: expected a list`);
        return [];
      }
      const min = field.options && field.options['(validate.rules).repeated.min_items'];
      if (min !== undefined && raw.length < min) errors.push(`${at}: at least ${min} item(s) required`);
      return raw.map((v, i) => this.singleValue(field, v, `${at}[${i}]`, errors));
    }
    return this.singleValue(field, raw, at, errors);
  }

  singleValue(field, raw, at, errors) {
    const resolved = field.resolvedType;
    const rules = field.options || {};
    if (resolved instanceof protobuf.Enum) {
      const names = Object.keys(resolved.values);
      const ok = (typeof raw === 'string' && names.includes(raw)) || (Number.isInteger(raw) && (!rules['(validate.rules).enum.defined_only'] || Object.values(resolved.values).includes(raw)));
      if (!ok) errors.push(`${at}: ${JSON.stringify(raw)} is not a value of ${typeName(resolved)} (${names.join(', ')})`);
      return raw;
    }
    if (resolved instanceof protobuf.Type) {
      if (typeName(resolved) === 'google.protobuf.Any') {
        const any = this.anyValue(raw, at, errors);
        return any ? { type_url: `${TYPE_URL_PREFIX}${typeName(any.type)}`, value: this.encodeOrEmpty(any, errors, at) } : {};
      }
      const special = this.wellKnown(resolved, raw, at, errors, rules);
      return special !== undefined ? special : this.message(resolved, raw, at, errors);
    }
    return this.scalar(field.type, raw, at, errors, rules);
  }

  // Well-known types with their own JSON form; undefined for an ordinary message.
  wellKnown(type, raw, at, errors, rules = {}) {
    const name = typeName(type);
    if (name === 'google.protobuf.Duration') {
      const d = parseDuration(raw);
      if (!d) {
        errors.push(`${at}: ${JSON.stringify(raw)} is not a proto3 JSON Duration ("1s", "0.250s")`);
        return {};
      }
      const total = d.seconds + d.nanos / 1e9;
      const bound = (key) => {
        const s = rules[`(validate.rules).duration.${key}.seconds`];
        const n = rules[`(validate.rules).duration.${key}.nanos`];
        return s === undefined && n === undefined ? undefined : (s || 0) + (n || 0) / 1e9;
      };
      const checks = [['gt', (b) => total > b], ['gte', (b) => total >= b], ['lt', (b) => total < b], ['lte', (b) => total <= b]];
      for (const [key, ok] of checks) {
        const b = bound(key);
        if (b !== undefined && !ok(b)) errors.push(`${at}: ${raw} violates duration ${key} ${b}s`);
      }
      return d;
    }
    if (name === 'google.protobuf.Struct') {
      if (!isObject(raw)) errors.push(`${at}: a Struct must be an object`);
      return isObject(raw) ? structOf(raw) : {};
    }
    if (name === 'google.protobuf.Value') return valueOf(raw);
    if (name === 'google.protobuf.ListValue') {
      if (!Array.isArray(raw)) errors.push(`${at}: a ListValue must be a list`);
      return { values: (Array.isArray(raw) ? raw : []).map(valueOf) };
    }
    if (name === 'google.protobuf.Empty') {
      if (!isObject(raw) || Object.keys(raw).length > 0) errors.push(`${at}: Empty must be {}`);
      return {};
    }
    if (WRAPPERS.has(name)) return { value: this.scalar(WRAPPERS.get(name), raw, at, errors, rules) };
    return undefined;
  }

  scalar(type, raw, at, errors, rules) {
    const fail = (what) => {
      errors.push(`${at}: ${JSON.stringify(raw)} is not ${what}`);
      return undefined;
    };
    if (type === 'string') {
      if (typeof raw !== 'string') return fail('a string');
      const min = rules['(validate.rules).string.min_len'] ?? rules['(validate.rules).string.min_bytes'];
      if (min !== undefined && raw.length < min) errors.push(`${at}: must have at least ${min} character(s)`);
      return raw;
    }
    if (type === 'bool') return typeof raw === 'boolean' ? raw : fail('a boolean');
    if (type === 'bytes') return typeof raw === 'string' && /^[A-Za-z0-9+/_-]*={0,2}$/.test(raw) ? raw : fail('base64 bytes');
    if (type === 'double' || type === 'float') {
      const n = typeof raw === 'string' ? Number(raw) : raw;
      return typeof n === 'number' && !Number.isNaN(n) ? n : fail('a number');
    }
    const n = typeof raw === 'string' && /^-?[0-9]+$/.test(raw) ? Number(raw) : raw;
    if (!Number.isInteger(n)) return fail(`an integer (${type})`);
    if (INT32.has(type) && (n < -2147483648 || n > 2147483647)) return fail('an int32');
    if (UINT32.has(type) && (n < 0 || n > 4294967295)) return fail('a uint32');
    if (INT64.has(type) && type.startsWith('u') && n < 0) return fail(`a ${type}`);
    for (const [key, ok] of [['gt', (b) => n > b], ['gte', (b) => n >= b], ['lt', (b) => n < b], ['lte', (b) => n <= b]]) {
      const b = rules[`(validate.rules).${type}.${key}`];
      if (b !== undefined && !ok(b)) errors.push(`${at}: ${n} violates ${type} ${key} ${b}`);
    }
    return n;
  }

  encodeOrEmpty(any, errors, at) {
    try {
      return any.type.encode(any.type.fromObject(any.fields)).finish();
    } catch (err) {
      errors.push(`${at}: protobufjs cannot encode ${typeName(any.type)}: ${err.message}`);
      return new Uint8Array(0);
    }
  }

  roundTrip(any, errors, at) {
    const bytes = this.encodeOrEmpty(any, errors, at);
    return this.decoded(any.type, any.type.decode(bytes));
  }

  // protobufjs message -> plain object, with every Any unpacked into {"@type", ...fields}.
  decoded(type, message) {
    const obj = type.toObject(message, { enums: String, longs: Number, bytes: String, defaults: false, arrays: true, objects: true });
    return this.unpack(type, obj);
  }

  unpack(type, obj) {
    if (typeName(type) === 'google.protobuf.Any') {
      const inner = this.lookup(String(obj.type_url).slice(TYPE_URL_PREFIX.length));
      const bytes = protobuf.util.newBuffer(protobuf.util.base64.length(obj.value || ''));
      protobuf.util.base64.decode(obj.value || '', bytes, 0);
      return { '@type': obj.type_url, ...this.decoded(inner, inner.decode(bytes)) };
    }
    for (const field of type.fieldsArray) {
      if (!(field.name in obj) || !(field.resolvedType instanceof protobuf.Type)) continue;
      const t = field.resolvedType;
      if (field.map) obj[field.name] = Object.fromEntries(Object.entries(obj[field.name]).map(([k, v]) => [k, this.unpack(t, v)]));
      else if (field.repeated) obj[field.name] = obj[field.name].map((v) => this.unpack(t, v));
      else obj[field.name] = this.unpack(t, obj[field.name]);
    }
    return obj;
  }
}

// protobufjs predefines google/protobuf/struct.proto with camelCase field names, whatever keepCase says.
function valueOf(v) {
  if (v === null) return { nullValue: 'NULL_VALUE' };
  if (typeof v === 'number') return { numberValue: v };
  if (typeof v === 'string') return { stringValue: v };
  if (typeof v === 'boolean') return { boolValue: v };
  if (Array.isArray(v)) return { listValue: { values: v.map(valueOf) } };
  return { structValue: structOf(v) };
}

function structOf(obj) {
  return { fields: Object.fromEntries(Object.entries(obj).map(([k, v]) => [k, valueOf(v)])) };
}

// A decoded Struct back to plain JSON.
function structToJson(struct) {
  const value = (v) => {
    if (!v) return null;
    if ('stringValue' in v) return v.stringValue;
    if ('numberValue' in v) return v.numberValue;
    if ('boolValue' in v) return v.boolValue;
    if ('structValue' in v) return structToJson(v.structValue);
    if ('listValue' in v) return (v.listValue.values || []).map(value);
    return null;
  };
  return Object.fromEntries(Object.entries((struct && struct.fields) || {}).map(([k, v]) => [k, value(v)]));
}

// Milliseconds of a decoded Duration ({seconds, nanos}).
function durationMs(d) {
  return d ? (d.seconds || 0) * 1000 + (d.nanos || 0) / 1e6 : NaN;
}

module.exports = { EnvoyDecoder, structToJson, durationMs, parseDuration };
