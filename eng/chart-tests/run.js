'use strict';
// Entry point of the chart tests: node eng/chart-tests/run.js <chart-dir> <render-dir>
// <render-dir> holds one `helm template` output per variant: default.yaml (values.yaml alone) and <name>.yaml for
// each ci/<name>.yaml. Runs the static checks, every variant's checks (its Envoy configuration decoded against Envoy's
// own messages), every manifest against the Kubernetes, Istio and Prometheus Operator schemas, and then proves the
// checks can fail by breaking good renders on purpose. Prints a summary; exits 1 on any failure.
// The npm packages come from eng/chart-tests/package-lock.json (npm ci --prefix eng/chart-tests).

const fs = require('fs');
const path = require('path');

function requireInstalled() {
  const missing = ['yaml', 'protobufjs', 'kubernetes-models', '@grpc/grpc-js-xds'].filter((m) => !fs.existsSync(path.join(__dirname, 'node_modules', m)));
  if (missing.length > 0) {
    console.error(`chart tests: npm packages missing (${missing.join(', ')}): run npm ci --prefix ${path.relative(process.cwd(), __dirname) || '.'}`);
    process.exit(2);
  }
}

async function main() {
  const [chartDir, renderDir] = process.argv.slice(2);
  if (!chartDir || !renderDir) {
    console.error('usage: node run.js <chart-dir> <render-dir>');
    process.exit(2);
  }
  requireInstalled();
  const checks = require('./checks.js');
  const statics = require('./static-checks.js');
  const selfTests = require('./self-tests.js');
  const { EnvoyDecoder } = require('./envoy-config.js');
  const { KubernetesSchemas } = require('./kubernetes-schemas.js');
  const { checkPromQl } = require('./promql-checks.js');

  const repoDir = path.resolve(chartDir, '../..');
  const results = [];
  const record = (name, failures, checked) => results.push({ name, failures, checked });
  const runStatic = async (name, fn) => {
    const failures = [];
    let checked = 0;
    const expect = (cond, where, message) => {
      checked++;
      if (!cond) failures.push(`${where}: ${message}`);
      return Boolean(cond);
    };
    let value;
    try {
      value = await fn(expect);
    } catch (err) {
      failures.push(`crashed: ${err.stack}`);
    }
    record(name, failures, checked);
    return value;
  };

  const tools = { decoder: new EnvoyDecoder(__dirname) };
  const schemas = await KubernetesSchemas.load();

  const baseValues = await runStatic('values.yaml', (e) => statics.checkValuesFile(e, chartDir));
  const defaults = await runStatic('sidecar-defaults.json', (e) => statics.checkDefaultsFile(e, chartDir));
  if (baseValues) await runStatic('values.schema.json', (e) => statics.checkSchema(e, chartDir, baseValues));
  if (defaults) await runStatic('templates use sidecar-defaults.json', (e) => statics.checkNoHardcodedDefaults(e, chartDir, defaults));
  if (baseValues) await runStatic('chart README', (e) => statics.checkReadme(e, chartDir, baseValues));
  await runStatic('Dockerfile.aot and publish script', (e) => statics.checkDockerfile(e, repoDir));
  await runStatic('Envoy decoder and schema validation refuse what Envoy and Kubernetes refuse', (e) => selfTests.validatorTests(e, tools.decoder, schemas));

  const variants = fs.readdirSync(renderDir).filter((f) => f.endsWith('.yaml')).sort();
  const good = [];
  if (baseValues && defaults) {
    for (const file of variants) {
      const variant = file.replace(/\.yaml$/, '');
      let values = baseValues;
      if (variant !== 'default') {
        const ci = path.join(chartDir, 'ci', `${variant}.yaml`);
        values = checks.mergeValues(baseValues, checks.parseYaml(fs.readFileSync(ci, 'utf8')) || {});
      }
      const text = fs.readFileSync(path.join(renderDir, file), 'utf8');
      const c = checks.checkVariant(variant, text, values, defaults, tools);
      record(`render ${variant}`, c.failures, c.checked);
      if (c.failures.length === 0) good.push({ variant, text, values });
      await runStatic(`render ${variant}: Kubernetes, Istio and Prometheus Operator schemas`, async (e) => {
        for (const doc of checks.parseManifests(text)) {
          const problems = await schemas.validateDocument(doc);
          e(problems.length === 0, `${doc.kind}/${checks.get(doc, 'metadata.name')}`, problems.join('; '));
          for (const [at, type, fragment] of checks.embeddedFragments(doc)) {
            const fragmentProblems = schemas.validateFragment(type, fragment, at);
            e(fragmentProblems.length === 0, `${doc.kind}/${checks.get(doc, 'metadata.name')}`, fragmentProblems.join('; '));
          }
        }
      });
      await runStatic(`render ${variant}: PromQL`, (e) => checkPromQl(e, checks.parseManifests(text)));
    }
    // Defaults must reach the render unchanged where no value overrides them.
    const def = good.find((g) => g.variant === 'default');
    await runStatic('default render uses sidecar-defaults.json', (e) => selfTests.defaultsReachRender(e, def, defaults, checks));
    await runStatic('checks catch broken renders', (e) => selfTests.mutationTests(e, good, defaults, checks, tools));
  }
  if (variants.length === 0) record('renders', ['no rendered variants found'], 1);

  let failed = 0;
  let total = 0;
  console.log('\nchart tests');
  for (const r of results) {
    total += r.checked;
    const ok = r.failures.length === 0;
    if (!ok) failed++;
    console.log(`  ${ok ? 'PASS' : 'FAIL'}  ${r.name} (${r.checked} checks${ok ? '' : `, ${r.failures.length} failed`})`);
    for (const f of r.failures) console.log(`          - ${f}`);
  }
  console.log(`\n${results.length - failed}/${results.length} groups passed, ${total} checks${failed ? `; ${failed} group(s) FAILED` : ''}`);
  process.exit(failed ? 1 : 0);
}

main().catch((err) => {
  console.error(err.stack);
  process.exit(1);
});
