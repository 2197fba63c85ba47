'use strict';
// Every Prometheus expression the chart renders (dashboard panels on a Prometheus data source, PrometheusRule alerts
// and records) must parse as PromQL, with Prometheus's own grammar (@prometheus-io/lezer-promql). Grafana's interval
// variables are replaced by a duration first, as Grafana does before it sends a query. Whether each series exists is
// checked against the binaries' real /metrics by tests/IntegrationTests (Dashboards/PrometheusExpressionTests).

const { parser } = require('@prometheus-io/lezer-promql');

const GRAFANA_DURATIONS = /\$(__rate_interval|__interval|__range)\b|\$\{(__rate_interval|__interval|__range)\}/g;

// [where, expression] for every PromQL expression in the rendered documents.
function promQlExpressions(docs) {
  const out = [];
  for (const doc of docs) {
    const name = `${doc.kind}/${doc.metadata && doc.metadata.name}`;
    if (doc.kind === 'PrometheusRule') {
      for (const group of (doc.spec && doc.spec.groups) || []) {
        for (const rule of group.rules || []) out.push([`${name} ${group.name}/${rule.alert || rule.record}`, rule.expr]);
      }
    }
    if (doc.kind === 'ConfigMap' && doc.metadata && doc.metadata.labels && doc.metadata.labels['app.kubernetes.io/component'] === 'dashboard') {
      for (const [key, text] of Object.entries(doc.data || {})) {
        let dash;
        try {
          dash = JSON.parse(text);
        } catch {
          continue;
        }
        for (const panel of dash.panels || []) {
          for (const t of panel.targets || []) {
            if (t.datasource && t.datasource.type === 'prometheus') out.push([`${name} ${key} panel "${panel.title}" ${t.refId}`, t.expr]);
          }
        }
      }
    }
  }
  return out;
}

// Positions of syntax errors in an expression (empty when it parses).
function syntaxErrors(expr) {
  const text = String(expr).replace(GRAFANA_DURATIONS, '5m');
  const errors = [];
  const cursor = parser.parse(text).cursor();
  do {
    if (cursor.type.isError) errors.push(`syntax error at ${cursor.from}: "${text.slice(Math.max(0, cursor.from - 10), cursor.from + 10)}"`);
  } while (cursor.next());
  return errors;
}

function checkPromQl(expect, docs) {
  for (const [where, expr] of promQlExpressions(docs)) {
    expect(typeof expr === 'string' && expr.trim() !== '', where, 'empty expression');
    const errors = syntaxErrors(expr);
    expect(errors.length === 0, where, `${expr}: ${errors.join('; ')}`);
  }
}

module.exports = { checkPromQl, syntaxErrors, promQlExpressions };
