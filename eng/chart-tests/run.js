'use strict';
// Entry point of the chart tests: node eng/chart-tests/run.js <chart-dir> <render-dir>
// <render-dir> holds one `helm template` output per variant: default.yaml (values.yaml alone) and <name>.yaml for
// each ci/<name>.yaml. Runs the static checks, the YAML reader's own tests, every variant's checks, and then proves the
// checks can fail by breaking good renders on purpose. Prints a summary; exits 1 on any failure.

const fs = require('fs');
const path = require('path');
const yaml = require('./yaml.js');
const checks = require('./checks.js');
const statics = require('./static-checks.js');
const selfTests = require('./self-tests.js');

const [chartDir, renderDir] = process.argv.slice(2);
if (!chartDir || !renderDir) {
  console.error('usage: node run.js <chart-dir> <render-dir>');
  process.exit(2);
}
const repoDir = path.resolve(chartDir, '../..');
const results = [];

function record(name, failures, checked) {
  results.push({ name, failures, checked });
}

function runStatic(name, fn) {
  const failures = [];
  let checked = 0;
  const expect = (cond, where, message) => {
    checked++;
    if (!cond) failures.push(`${where}: ${message}`);
    return Boolean(cond);
  };
  let value;
  try {
    value = fn(expect);
  } catch (err) {
    failures.push(`crashed: ${err.stack}`);
  }
  record(name, failures, checked);
  return value;
}

const baseValues = runStatic('values.yaml', (e) => statics.checkValuesFile(e, chartDir));
const defaults = runStatic('sidecar-defaults.json', (e) => statics.checkDefaultsFile(e, chartDir));
if (baseValues) runStatic('values.schema.json', (e) => statics.checkSchema(e, chartDir, baseValues));
if (defaults) runStatic('templates use sidecar-defaults.json', (e) => statics.checkNoHardcodedDefaults(e, chartDir, defaults));
if (baseValues) runStatic('chart README', (e) => statics.checkReadme(e, chartDir, baseValues));
runStatic('Dockerfile.aot and publish script', (e) => statics.checkDockerfile(e, repoDir));
runStatic('YAML reader', (e) => selfTests.yamlReaderTests(e, yaml));

const variants = fs.readdirSync(renderDir).filter((f) => f.endsWith('.yaml')).sort();
const good = [];
if (baseValues && defaults) {
  for (const file of variants) {
    const variant = file.replace(/\.yaml$/, '');
    let values = baseValues;
    if (variant !== 'default') {
      const ci = path.join(chartDir, 'ci', `${variant}.yaml`);
      values = checks.mergeValues(baseValues, yaml.parse(fs.readFileSync(ci, 'utf8')) || {});
    }
    const text = fs.readFileSync(path.join(renderDir, file), 'utf8');
    const c = checks.checkVariant(variant, text, values, defaults);
    record(`render ${variant}`, c.failures, c.checked);
    if (c.failures.length === 0) good.push({ variant, text, values });
  }
  // Defaults must reach the render unchanged where no value overrides them.
  const def = good.find((g) => g.variant === 'default');
  runStatic('default render uses sidecar-defaults.json', (e) => selfTests.defaultsReachRender(e, def, defaults, checks));
  runStatic('checks catch broken renders', (e) => selfTests.mutationTests(e, good, defaults, checks, yaml));
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
