import request from 'supertest';
import { Plan } from '../src/generated/prisma/client';
import { MetricsServer } from '../src/platform/metrics/metrics.server';
import { createPlan, createUser } from './support/factories';
import { deliverPaymentEvent, subscribe } from './support/flows';
import { freePort, sampleValue, scrape } from './support/metrics-scrape';
import { createTestApp, resetDatabase, TestApp } from './support/test-app';

/** Polls `check` until it passes (the database gauges are cached for 5 s). */
async function eventually<T>(check: () => Promise<T>, timeoutMs = 12_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await check();
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }
}

describe('metrics (e2e)', () => {
  let t: TestApp;
  let port: number;
  let plan: Plan;

  beforeAll(async () => {
    t = await createTestApp({ METRICS_PORT: String(await freePort()) });
    port = t.app.get(MetricsServer).port as number;
    await resetDatabase(t.prisma);
    plan = await createPlan(t.prisma, { amount: 900 });
  });
  afterAll(() => t.close());

  it('should serve the Prometheus text format on the metrics port, with every counter at 0 before any event', async () => {
    const { status, contentType, text } = await scrape(port);

    expect(status).toBe(200);
    expect(contentType).toContain('text/plain');
    for (const kind of ['initial', 'proration', 'renewal']) {
      expect(sampleValue(text, 'billing_invoices_issued_total', { kind })).toBe(0);
      expect(sampleValue(text, 'billing_invoices_paid_total', { kind })).toBe(0);
    }
    expect(sampleValue(text, 'billing_dunning_exhausted_total')).toBe(0);
    expect(sampleValue(text, 'billing_payment_anomalies_total', { kind: 'amount_mismatch' })).toBe(0);
    expect(sampleValue(text, 'billing_reconciliation_actions_total', { outcome: 'invoice_paid' })).toBe(0);
    expect(sampleValue(text, 'billing_outbox_messages_waiting', { topic: 'payment.initiate' })).toBe(0);
    expect(sampleValue(text, 'billing_payment_anomalies_last_24h')).toBe(0);
  });

  it('should report the runtime, the pool and readiness', async () => {
    const { text } = await scrape(port);

    expect(sampleValue(text, 'service_ready')).toBe(1);
    expect(sampleValue(text, 'db_pool_connections_max')).toBe(10);
    expect(sampleValue(text, 'db_pool_requests_waiting')).toBe(0);
    expect(sampleValue(text, 'db_pool_connections_in_use')).toBeGreaterThanOrEqual(0);
    expect(sampleValue(text, 'nodejs_eventloop_lag_seconds')).toBeGreaterThanOrEqual(0);
    expect(sampleValue(text, 'nodejs_heap_size_used_bytes')).toBeGreaterThan(0);
  });

  it('should count an issued and a paid invoice, the request by its route template, and the waiting outbox row', async () => {
    const user = await createUser(t.prisma);
    const created = await subscribe(t, user.auth, plan.id);

    let { text } = await scrape(port);
    expect(sampleValue(text, 'billing_invoices_issued_total', { kind: 'initial' })).toBe(1);
    expect(sampleValue(text, 'billing_invoices_paid_total', { kind: 'initial' })).toBe(0);
    expect(
      sampleValue(text, 'http_request_duration_seconds_count', {
        method: 'POST',
        route: '/v1/subscriptions',
        status_class: '2xx',
      }),
    ).toBe(1);

    const delivery = await deliverPaymentEvent(t, {
      type: 'payment.succeeded',
      invoiceId: created.invoiceId,
      invoicePaymentId: created.invoicePaymentId,
    });
    expect(delivery.status).toBe(200);
    await request(t.server).get(`/v1/subscriptions/${created.id}`).set(user.auth).expect(200);

    ({ text } = await scrape(port));
    expect(sampleValue(text, 'billing_invoices_paid_total', { kind: 'initial' })).toBe(1);
    expect(sampleValue(text, 'billing_invoices_issued_total', { kind: 'initial' })).toBe(1);
    expect(
      sampleValue(text, 'http_request_duration_seconds_count', {
        method: 'GET',
        route: '/v1/subscriptions/:id',
        status_class: '2xx',
      }),
    ).toBe(1);

    // Workers are off here, so the charge's outbox row stays pending; its age is measured by the service clock.
    t.clock.advance(90_000);
    await eventually(async () => {
      const { text: later } = await scrape(port);
      expect(sampleValue(later, 'billing_outbox_messages_waiting', { topic: 'payment.initiate' })).toBe(1);
      expect(sampleValue(later, 'billing_outbox_oldest_waiting_age_seconds', { topic: 'payment.initiate' })).toBe(90);
    });
  });

  it('should count an anomaly, and no payment, for a report that does not match its invoice', async () => {
    const user = await createUser(t.prisma);
    const created = await subscribe(t, user.auth, plan.id);
    // A webhook whose amount differs from the invoice settles nothing: an anomaly, counted once committed.
    const anomaly = await deliverPaymentEvent(t, {
      type: 'payment.succeeded',
      invoiceId: created.invoiceId,
      invoicePaymentId: created.invoicePaymentId,
      amount: 1,
    });
    expect(anomaly.status).toBe(200);

    const { text } = await scrape(port);
    expect(sampleValue(text, 'billing_payment_anomalies_total', { kind: 'amount_mismatch' })).toBe(1);
    expect(sampleValue(text, 'billing_invoices_paid_total', { kind: 'initial' })).toBe(1);
    await eventually(async () =>
      expect(sampleValue((await scrape(port)).text, 'billing_payment_anomalies_last_24h')).toBe(1),
    );
  });

  it('should not serve metrics on the API port', async () => {
    await request(t.server).get('/metrics').expect(404);
  });

  it('should answer 404 on the metrics port for anything but GET /metrics', async () => {
    const response = await fetch(`http://127.0.0.1:${port}/v1/plans`);
    expect(response.status).toBe(404);
  });
});
