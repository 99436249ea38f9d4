// Phase 2, reads on the real services: each endpoint loaded for a fixed time with 50 connections.
// The subscription read uses a subscription created through the API (customer from a SQL fixture) and
// activated by the real flow; the payment read uses that subscription's real payment.
import { DEMO_SECRETS, eventually } from '../../scripts/lib/stack.mjs';
import { createCustomers } from '../lib/fixtures.mjs';
import { subscribe } from '../lib/flow.mjs';
import { measureEndpoint } from '../lib/measure.mjs';
import { fmtLabelled, fmtLoad } from '../lib/report.mjs';
import { fmt, fmtLatency, per } from '../lib/stats.mjs';

const ACTIVATION_TIMEOUT_MS = 60_000;

/** A customer with an active subscription, made through the API; returns its key, subscription and payment ids. */
async function activeSubscription(ctx) {
  const [key] = await createCustomers(ctx.dbs.subscription, { tag: 'reads', count: 1 });
  const created = await subscribe(ctx.services.subscription.url, key);
  if (created.status !== 201) throw new Error(`POST /v1/subscriptions answered ${created.status}: ${created.body}`);
  const invoiceId = await eventually(
    async () => {
      const { rows } = await ctx.dbs.subscription.query(
        `SELECT s.status, i.id AS invoice_id FROM subscriptions s JOIN invoices i ON i.subscription_id = s.id WHERE s.id = $1`,
        [created.id],
      );
      return rows[0]?.status === 'active' ? rows[0].invoice_id : null;
    },
    { timeoutMs: ACTIVATION_TIMEOUT_MS, what: `subscription ${created.id} to become active` },
  );
  const payment = await ctx.dbs.payment.query('SELECT id FROM payments WHERE merchant_reference = $1', [invoiceId]);
  return { key, subscriptionId: created.id, paymentId: payment.rows[0].id };
}

export default {
  name: 'reads',
  title: '2. Reads on the real services',
  async run(ctx) {
    const { subscription, payment } = ctx.services;
    const owner = await activeSubscription(ctx);
    const bearer = (key) => ({ authorization: `Bearer ${key}` });
    const endpoints = [
      { service: subscription, path: '/health/live', headers: {}, label: 'subscription GET /health/live' },
      {
        service: subscription,
        path: '/v1/plans?limit=10',
        headers: bearer(owner.key),
        label: 'GET /v1/plans?limit=10 (user)',
      },
      {
        service: subscription,
        path: `/v1/subscriptions/${owner.subscriptionId}`,
        headers: bearer(owner.key),
        label: 'GET /v1/subscriptions/{id} (owner)',
      },
      {
        service: payment,
        path: `/v1/payments/${owner.paymentId}`,
        headers: bearer(DEMO_SECRETS.paymentKey),
        label: 'payment GET /v1/payments/{id}',
      },
      {
        service: subscription,
        path: '/v1/subscriptions?limit=20',
        headers: bearer(DEMO_SECRETS.adminKey),
        label: 'GET /v1/subscriptions?limit=20 (admin)',
      },
      {
        service: subscription,
        path: '/v1/invoices?limit=20',
        headers: bearer(owner.key),
        label: 'GET /v1/invoices?limit=20 (user)',
      },
    ];
    const rows = [];
    const data = [];
    for (const endpoint of endpoints) {
      const serviceLabel = endpoint.service === payment ? 'pay' : 'sub';
      const m = await measureEndpoint(ctx, {
        what: endpoint.label,
        url: `${endpoint.service.url}${endpoint.path}`,
        headers: endpoint.headers,
        seconds: ctx.durations.httpSeconds,
        cpuTargets: { [serviceLabel]: ctx.cpu[serviceLabel], pg: ctx.cpu.pg },
      });
      data.push({ endpoint: endpoint.label, path: endpoint.path, ...m });
      if (!m) continue;
      const ratio = per(m.rps, ctx.bareFastifyRps);
      rows.push({
        phase: '2 reads',
        measurement: endpoint.label,
        rate: `${fmt(m.rps)} req/s${ratio === null ? '' : ` (${fmt(ratio * 100)} % of bare)`}`,
        latency: fmtLatency({ p50: m.p50Ms, p95: m.p95Ms, p99: m.p99Ms }),
        cpu: fmtLabelled(m.cpuMsPerRequest),
        notes: `failed ${m.failed} of ${fmt(m.requests, { digits: 0 })}`,
        load: fmtLoad(m.loadStart, m.loadEnd),
      });
    }
    return {
      rows,
      data: { owner: { subscriptionId: owner.subscriptionId, paymentId: owner.paymentId }, endpoints: data },
    };
  },
};
