'use strict';
// Checks on the chart's source files and the image build, independent of any render.

const fs = require('fs');
const path = require('path');
const { get, parseYaml } = require('./checks.js');

function checkValuesFile(expect, chartDir) {
  const text = fs.readFileSync(path.join(chartDir, 'values.yaml'), 'utf8');
  const lines = text.split('\n');
  expect(lines[0] === '# yaml-language-server: $schema=values.schema.json', 'values.yaml', 'line 1 must be the yaml-language-server $schema modeline');
  // Every mapping key needs a comment: on its own line, on a comment line directly above (a multi-line comment block
  // counts), or, for a key inside a commented map of plain settings, on the enclosing key when it says so.
  for (let i = 0; i < lines.length; i++) {
    const m = /^(\s*)(- )?([A-Za-z0-9_.\/-]+):(\s|$)/.exec(lines[i]);
    if (!m) continue;
    const inline = /\s#\s/.test(lines[i].slice(m[0].length - 1));
    let above = i - 1;
    const prev = above >= 0 ? lines[above].trim() : '';
    expect(inline || prev.startsWith('#'), 'values.yaml', `line ${i + 1}: key "${m[3]}" has no comment`);
  }
  const values = parseYaml(text);
  // The sidecar's defaults live only in sidecar-defaults.json: values.yaml leaves every sidecar setting unset.
  const unset = ['sidecar.ports.extProc', 'sidecar.ports.control', 'sidecar.ports.metrics', 'sidecar.extProc.maxConcurrentStreams',
    'sidecar.routing.routeKeyHeader', 'sidecar.routing.tenantHeader', 'sidecar.routing.subsetHeader',
    'sidecar.routing.removeSubsetHeaderOnUnmatched', 'sidecar.routing.allowHeaderUserKey', 'sidecar.telemetry.flushInterval'];
  for (const key of unset) expect(get(values, key) === null, 'values.yaml', `${key} must be null: the default belongs in sidecar-defaults.json only`);
  expect(Array.isArray(get(values, 'sidecar.routing.userKeyHeaders')) && get(values, 'sidecar.routing.userKeyHeaders').length === 0, 'values.yaml', 'sidecar.routing.userKeyHeaders must be [] (default in sidecar-defaults.json)');
  return values;
}

function checkSchema(expect, chartDir, values) {
  const schema = JSON.parse(fs.readFileSync(path.join(chartDir, 'values.schema.json'), 'utf8'));
  expect(schema.$schema === 'http://json-schema.org/draft-07/schema#', 'values.schema.json', 'must declare draft-07');
  expect(schema.additionalProperties === false, 'values.schema.json', 'top level must reject unknown keys');
  // Every key of values.yaml is described by the schema (helm lint/template validate the values against it).
  const walk = (v, s, at) => {
    if (!v || typeof v !== 'object' || Array.isArray(v) || !s || s.type !== 'object' || !s.properties) return;
    for (const k of Object.keys(v)) {
      if (!expect(k in s.properties || s.additionalProperties !== false, 'values.schema.json', `${at}${k} is not in the schema`)) continue;
      walk(v[k], s.properties[k], `${at}${k}.`);
    }
  };
  walk(values, schema, '');
}

function checkDefaultsFile(expect, chartDir) {
  const d = JSON.parse(fs.readFileSync(path.join(chartDir, 'sidecar-defaults.json'), 'utf8'));
  const required = ['Canary.ExtProc.Port', 'Canary.ExtProc.BindAddress', 'Canary.ExtProc.MaxConcurrentStreams', 'Canary.Control.Port',
    'Canary.Metrics.Port', 'Canary.Routing.RouteKeyHeader', 'Canary.Routing.UserKeyHeaders', 'Canary.Routing.TenantHeader',
    'Canary.Routing.SubsetHeader', 'Canary.Routing.RemoveSubsetHeaderOnUnmatched', 'Canary.Telemetry.FlushInterval',
    'Envoy.FilterName', 'Envoy.InsertBefore', 'Envoy.ProcessingMode', 'Envoy.AllowModeOverride', 'Envoy.FailureModeAllow',
    'Envoy.MetadataNamespace', 'Envoy.MetadataKeys', 'Envoy.SubsetHeaderRemovalFilterName', 'Envoy.JwtAuthnFilterName',
    'Endpoints.MetricsPath'];
  for (const key of required) expect(get(d, key) !== undefined, 'sidecar-defaults.json', `${key} missing`);
  expect(get(d, 'Envoy.AllowModeOverride') === true && get(d, 'Envoy.FailureModeAllow') === true, 'sidecar-defaults.json', 'allow_mode_override and failure_mode_allow must be true');
  const pm = get(d, 'Envoy.ProcessingMode') || {};
  expect(pm.request_header_mode === 'SEND' && pm.response_header_mode === 'SEND', 'sidecar-defaults.json', 'both header modes must be SEND');
  expect(!['FULL_DUPLEX_STREAMED'].includes(pm.request_body_mode) && !['FULL_DUPLEX_STREAMED'].includes(pm.response_body_mode), 'sidecar-defaults.json', 'FULL_DUPLEX_STREAMED disables mode_override');
  return d;
}

// Templates must take the sidecar's defaults from sidecar-defaults.json, never spell them out.
function checkNoHardcodedDefaults(expect, chartDir, defaults) {
  const dir = path.join(chartDir, 'templates');
  const files = [];
  const walk = (d) => {
    for (const f of fs.readdirSync(d)) {
      const p = path.join(d, f);
      if (fs.statSync(p).isDirectory()) walk(p);
      else files.push(p);
    }
  };
  walk(dir);
  const c = defaults.Canary;
  const literals = [c.ExtProc.Port, c.Control.Port, c.Metrics.Port, c.ExtProc.MaxConcurrentStreams, c.Routing.SubsetHeader,
    c.Routing.TenantHeader, ...c.Routing.UserKeyHeaders, c.Telemetry.FlushInterval].map(String);
  for (const f of files) {
    const text = fs.readFileSync(f, 'utf8');
    for (const lit of literals) {
      const re = new RegExp(`(^|[^0-9A-Za-z-])${lit.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}([^0-9A-Za-z-]|$)`);
      expect(!re.test(text), path.relative(chartDir, f), `hard-codes the sidecar default "${lit}"; read it from sidecar-defaults.json`);
    }
  }
}

function checkReadme(expect, chartDir, values) {
  const readme = fs.readFileSync(path.join(chartDir, 'README.md'), 'utf8');
  // Objects the user provides must be documented as such.
  for (const key of ['controlToken.existingSecret', 'database.existingSecret', 'imagePullSecrets', 'rollouts.existingConfigMap']) {
    expect(readme.includes(`\`${key}\``), 'README.md', `does not document the user-provided ${key}`);
  }
  for (const key of Object.keys(values)) expect(readme.includes(`\`${key}`), 'README.md', `does not mention the values key ${key}`);
  expect(readme.includes('sidecar-defaults.json'), 'README.md', 'does not explain sidecar-defaults.json');
}

function checkDockerfile(expect, repoDir) {
  const text = fs.readFileSync(path.join(repoDir, 'Dockerfile.aot'), 'utf8');
  const lines = text.split('\n').map((l) => l.trim());
  const runs = lines.filter((l) => l.startsWith('RUN '));
  expect(runs.some((l) => /^RUN bash eng\/publish-aot\.sh \S+$/.test(l)), 'Dockerfile.aot', 'does not publish with eng/publish-aot.sh (the command .ci/run runs)');
  expect(!runs.some((l) => /dotnet publish/.test(l)), 'Dockerfile.aot', 'runs dotnet publish itself; it must go through eng/publish-aot.sh');
  const froms = lines.filter((l) => /^FROM /.test(l));
  expect(froms.length >= 2, 'Dockerfile.aot', 'not multi-stage');
  expect(/ARG RUNTIME_IMAGE=mcr\.microsoft\.com\/dotnet\/runtime-deps:10\.0-[a-z]+-chiseled|distroless/.test(text), 'Dockerfile.aot', 'runtime is not a chiseled runtime-deps or distroless image');
  expect(/ARG SDK_IMAGE=mcr\.microsoft\.com\/dotnet\/sdk:10\.0/.test(text), 'Dockerfile.aot', 'build stage is not the .NET 10 SDK');
  expect(/clang/.test(text) && /zlib1g-dev/.test(text), 'Dockerfile.aot', 'clang and zlib1g-dev are needed for Native AOT');
  const restore = lines.findIndex((l) => /dotnet restore/.test(l));
  const copySrc = lines.findIndex((l) => /^COPY src\/ src\/$/.test(l));
  const copyProj = lines.findIndex((l) => /^COPY src\/Sidecar\/Canary\.Sidecar\.csproj/.test(l));
  const copyProps = lines.findIndex((l) => /^COPY .*global\.json.*Directory\./.test(l));
  expect(copyProps >= 0 && copyProj > copyProps && restore > copyProj && copySrc > restore, 'Dockerfile.aot', 'restore layer order: global.json/Directory.* and project files, then restore, then src/');
  expect(lines.some((l) => /^COPY proto\/ proto\/$/.test(l)) && lines.findIndex((l) => /^COPY proto\//.test(l)) < restore, 'Dockerfile.aot', 'proto/ must be copied before restore (Contracts compiles it)');
  const lastUser = lines.filter((l) => /^USER /.test(l)).pop();
  expect(lastUser === 'USER $APP_UID' || /^USER [1-9][0-9]*$/.test(lastUser || ''), 'Dockerfile.aot', 'the image must run as a non-root user ($APP_UID)');
  expect(lines.some((l) => l === 'ENTRYPOINT ["/app/canary-sidecar"]'), 'Dockerfile.aot', 'entrypoint is not /app/canary-sidecar');
  expect(/\/out\/canary-analyzer/.test(text), 'Dockerfile.aot', 'the image does not ship /app/canary-analyzer');

  const script = fs.readFileSync(path.join(repoDir, 'eng/publish-aot.sh'), 'utf8');
  expect(/dotnet publish src\/Sidecar\/Canary\.Sidecar\.csproj -c Release -r linux-x64 -o "\$out"/.test(script), 'eng/publish-aot.sh', 'does not run the agreed publish command for the sidecar');
  expect(/grep -E "warning \(IL\[0-9\]\+\|AOT\)" "\$log"/.test(script) && /exit 1/.test(script), 'eng/publish-aot.sh', 'does not fail on IL/AOT warnings');
  expect(/dotnet publish src\/Analyzer\/Canary\.Analyzer\.csproj -c Release -r linux-x64 -o "\$out"/.test(script), 'eng/publish-aot.sh', 'does not publish the analyzer the image ships');
  expect(/set -euo pipefail/.test(script), 'eng/publish-aot.sh', 'must stop on errors');

  const ignore = fs.readFileSync(path.join(repoDir, '.dockerignore'), 'utf8').split('\n').map((l) => l.trim());
  for (const entry of ['**/bin/', '**/obj/', '.git/']) expect(ignore.includes(entry), '.dockerignore', `does not exclude ${entry}`);
  for (const needed of ['src/', 'proto/', 'eng/', 'global.json', 'Directory.Build.props']) {
    expect(!ignore.includes(needed) && !ignore.includes(needed.replace(/\/$/, '')), '.dockerignore', `excludes ${needed}, which the build needs`);
  }
}

module.exports = { checkValuesFile, checkSchema, checkDefaultsFile, checkNoHardcodedDefaults, checkReadme, checkDockerfile };
