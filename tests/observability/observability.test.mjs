// deploy/observability/: the alert rules pass promtool (syntax and their unit tests, alerts.test.yaml), and every
// metric the rules and the Grafana dashboard query is served by the running services. Both services are started as
// real processes by the cross-service harness (each with its own metrics port), one subscription is paid through
// them so the money-flow counters move, then both metrics ports are scraped.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { eventually } from '../../scripts/lib/stack.mjs';
import { startStack } from '../cross-service/harness.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const observability = join(root, 'deploy', 'observability');
const PROMTOOL = process.env.PROMTOOL ?? 'promtool';

// Seeded by the services' seed data (README demo keys).
const ALICE_KEY = 'sk_user_demo_alice_0001';
const STARTER_MONTHLY = '00000000-0000-4000-8000-000000000101';

/** Series Prometheus makes itself for every target; no service serves them. */
const PROMETHEUS_SERIES = new Set(['up', 'scrape_duration_seconds', 'scrape_samples_scraped']);

/** PromQL words that look like identifiers but name no metric. */
const PROMQL_WORDS = new Set([
  'by',
  'without',
  'on',
  'ignoring',
  'group_left',
  'group_right',
  'and',
  'or',
  'unless',
  'bool',
  'offset',
  'inf',
  'nan',
]);

/**
 * The metric names a PromQL expression reads: identifiers that are not functions (followed by `(`), not label names
 * (inside `{…}` or a `by (…)` / `without (…)` / `on (…)` / `ignoring (…)` list), not durations (inside `[…]`), not
 * strings and not PromQL keywords.
 */
export function metricNames(expr) {
  const stripped = expr
    .replace(/"(?:[^"\\]|\\.)*"/g, '""')
    .replace(/\{[^}]*\}/g, ' ')
    .replace(/\[[^\]]*\]/g, ' ')
    .replace(/\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, ' ');
  const names = new Set();
  for (const match of stripped.matchAll(/([a-zA-Z_:][a-zA-Z0-9_:]*)(\s*\()?/g)) {
    const [, name, call] = match;
    if (call || PROMQL_WORDS.has(name.toLowerCase())) continue;
    names.add(name);
  }
  return names;
}

/** Sample names of a Prometheus text exposition (`name{labels} value` and `name value` lines). */
function sampleNames(text) {
  const names = new Set();
  for (const line of text.split('\n')) {
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)[{\s]/.exec(line);
    if (match) names.add(match[1]);
  }
  return names;
}

function sampleValue(text, name, labels) {
  const wanted = Object.entries(labels).map(([key, value]) => `${key}="${value}"`);
  const line = text.split('\n').find((l) => l.startsWith(`${name}{`) && wanted.every((pair) => l.includes(pair)));
  return line === undefined ? undefined : Number(line.split(' ').at(-1));
}

function promtool(...args) {
  const result = spawnSync(PROMTOOL, args, { cwd: observability, encoding: 'utf8' });
  if (result.error?.code === 'ENOENT')
    assert.fail(
      `${PROMTOOL} not found: install Debian's prometheus package (apt-get install prometheus; .ci/run does)`,
    );
  assert.equal(result.status, 0, `promtool ${args.join(' ')} failed:\n${result.stdout}\n${result.stderr}`);
}

const rules = parse(readFileSync(join(observability, 'alerts.yaml'), 'utf8'));
const alertExpressions = rules.groups.flatMap((group) => group.rules.map((rule) => [rule.alert, rule.expr]));
const dashboard = JSON.parse(readFileSync(join(observability, 'grafana-dashboard.json'), 'utf8'));
const dashboardExpressions = dashboard.panels.flatMap((panel) =>
  (panel.targets ?? []).map((target) => [panel.title, target.expr]),
);

describe('metricNames', () => {
  it('should find the metrics of an expression and nothing else', () => {
    assert.deepEqual(
      [
        ...metricNames(
          'sum by (outcome) (increase(payments_total{outcome="failed"}[15m])) / on (job) max(up) > 0.3 and x_total',
        ),
      ],
      ['payments_total', 'up', 'x_total'],
    );
  });
});

describe('alert rules', () => {
  it('should pass promtool check rules', () => promtool('check', 'rules', 'alerts.yaml'));

  it('should pass their unit tests (promtool test rules alerts.test.yaml)', () =>
    promtool('test', 'rules', 'alerts.test.yaml'));

  it('should cover dead letters, backlog ages, readiness, the payment failure ratio and anomalies', () => {
    const used = new Set(alertExpressions.flatMap(([, expr]) => [...metricNames(expr)]));
    for (const name of [
      'webhook_deliveries_dead_letters',
      'billing_outbox_oldest_waiting_age_seconds',
      'webhook_deliveries_oldest_pending_age_seconds',
      'service_ready',
      'payments_total',
      'billing_payment_anomalies_last_24h',
    ])
      assert.ok(used.has(name), `no alert uses ${name}`);
  });
});

describe('metrics used by the alerts and the dashboard, scraped from the running services', () => {
  let stack;
  let served;

  before(async () => {
    stack = await startStack({ seed: true, name: 'observability' });
    const created = await stack
      .subscriptionApi(ALICE_KEY)
      .post('/v1/subscriptions', { planId: STARTER_MONTHLY, paymentMethod: 'pm_card_visa' });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    // Paid end to end: the payment settled at the gateway, the webhook applied by the subscription service.
    const [payment, subscription] = await eventually(
      async () => {
        const texts = await Promise.all(
          [stack.paymentMetricsUrl, stack.subscriptionMetricsUrl].map(async (url) => (await fetch(url)).text()),
        );
        const paid = sampleValue(texts[1], 'billing_invoices_paid_total', { kind: 'initial' });
        return paid === 1 ? texts : undefined;
      },
      { timeoutMs: 20_000, intervalMs: 250, what: 'the initial invoice to be counted as paid' },
    );
    served = { payment, subscription, names: new Set([...sampleNames(payment), ...sampleNames(subscription)]) };
  });
  after(() => stack?.stop());

  it('should count the subscription in both services', () => {
    assert.equal(sampleValue(served.subscription, 'billing_invoices_issued_total', { kind: 'initial' }), 1);
    assert.equal(sampleValue(served.payment, 'payments_total', { outcome: 'succeeded', failure_code: 'none' }), 1);
    assert.ok(sampleValue(served.payment, 'webhook_delivery_attempts_total', { outcome: 'delivered' }) >= 1);
  });

  it('should serve every metric an alert rule uses', () => {
    for (const [alert, expr] of alertExpressions) {
      const missing = [...metricNames(expr)].filter((name) => !PROMETHEUS_SERIES.has(name) && !served.names.has(name));
      assert.deepEqual(missing, [], `alert ${alert} uses metrics no service serves`);
    }
  });

  it('should serve every metric a dashboard panel queries', () => {
    assert.ok(dashboardExpressions.length > 0, 'the dashboard has no queries');
    for (const [panel, expr] of dashboardExpressions) {
      const missing = [...metricNames(expr)].filter((name) => !served.names.has(name));
      assert.deepEqual(missing, [], `panel "${panel}" queries metrics no service serves`);
    }
  });

  it('should not serve metrics on the API ports', async () => {
    for (const url of [stack.paymentUrl, stack.subscriptionUrl])
      assert.equal((await fetch(`${url}/metrics`)).status, 404, `${url}/metrics`);
  });
});
