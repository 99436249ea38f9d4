import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { randomUUID } from 'node:crypto';
import { Pool } from 'pg';
import request from 'supertest';
import { MetricsServer } from '../src/platform/metrics/metrics.server';
import { testDatabase } from './support/db';
import { freePort, sampleValue, scrape } from './support/metrics-scrape';
import { auth, eventually, startTestApp } from './support/test-app';
import { WebhookReceiver } from './support/webhook-receiver';

describe('metrics (e2e)', () => {
  let app: NestFastifyApplication;
  let receiver: WebhookReceiver;
  let db: Pool;
  let port: number;

  beforeAll(async () => {
    receiver = await WebhookReceiver.start();
    db = testDatabase();
    // Counters are asserted exactly: no payment or delivery left unsettled by an earlier test file may be picked up
    // (and counted) by this application's workers.
    await db.query(
      'TRUNCATE payments, payment_attempts, refunds, refund_attempts, events, webhook_deliveries, ' +
        'webhook_delivery_attempts CASCADE',
    );
    // Test schedule 200ms,400ms,800ms: a delivery the receiver always refuses is a dead letter after 4 attempts.
    app = await startTestApp({ WEBHOOK_URL: receiver.url, METRICS_PORT: String(await freePort()) });
    port = app.get(MetricsServer).port as number;
  });

  afterAll(async () => {
    await app.close();
    await receiver.close();
    await db.end();
  });

  const pay = async (paymentMethod: string, receiverStatus: number): Promise<string> => {
    const merchantReference = randomUUID();
    receiver.respond(merchantReference, () => receiverStatus);
    const { body } = await request(app.getHttpServer())
      .post('/v1/payments')
      .set(auth)
      .send({ amount: 1200, currency: 'USD', merchantReference, customerReference: randomUUID(), paymentMethod })
      .expect(202);
    return (body as { id: string }).id;
  };

  it('should serve every payment and delivery counter at 0 before any event', async () => {
    const { status, text } = await scrape(port);

    expect(status).toBe(200);
    expect(sampleValue(text, 'payments_total', { outcome: 'succeeded', failure_code: 'none' })).toBe(0);
    expect(sampleValue(text, 'payments_total', { outcome: 'failed', failure_code: 'card_declined' })).toBe(0);
    expect(sampleValue(text, 'payments_total', { outcome: 'failed', failure_code: 'other' })).toBe(0);
    expect(sampleValue(text, 'refunds_total', { outcome: 'succeeded', failure_code: 'none' })).toBe(0);
    expect(sampleValue(text, 'refunds_total', { outcome: 'failed', failure_code: 'other' })).toBe(0);
    expect(sampleValue(text, 'webhook_delivery_attempts_total', { outcome: 'delivered' })).toBe(0);
    expect(sampleValue(text, 'webhook_deliveries_dead_lettered_total')).toBe(0);
    expect(sampleValue(text, 'service_ready')).toBe(1);
    expect(sampleValue(text, 'nodejs_eventloop_lag_seconds')).toBeGreaterThanOrEqual(0);
  });

  it('should count payments by outcome and failure code, deliveries, and a dead letter', async () => {
    await pay('pm_card_visa', 200);
    await pay('pm_card_declined', 500);

    const text = await eventually(async () => {
      const { text: now } = await scrape(port);
      expect(sampleValue(now, 'webhook_deliveries_dead_lettered_total')).toBe(1);
      return now;
    }, 15_000);
    expect(sampleValue(text, 'payments_total', { outcome: 'succeeded', failure_code: 'none' })).toBe(1);
    expect(sampleValue(text, 'payments_total', { outcome: 'failed', failure_code: 'card_declined' })).toBe(1);
    expect(sampleValue(text, 'webhook_delivery_attempts_total', { outcome: 'delivered' })).toBe(1);
    expect(sampleValue(text, 'webhook_delivery_attempts_total', { outcome: 'failed' })).toBe(4);
    expect(
      sampleValue(text, 'http_request_duration_seconds_count', {
        method: 'POST',
        route: '/v1/payments',
        status_class: '2xx',
      }),
    ).toBe(2);
  });

  it('should report the dead letters and pending deliveries the database holds', async () => {
    const [row] = (
      await db.query<{ dead: number; pending: number }>(
        `SELECT count(*) FILTER (WHERE d.status = 'failed')::int AS dead,
                count(*) FILTER (WHERE d.status = 'pending' AND e.enabled)::int AS pending
           FROM webhook_deliveries d JOIN webhook_endpoints e ON e.id = d.endpoint_id`,
      )
    ).rows;
    expect(row.dead).toBeGreaterThanOrEqual(1);

    await eventually(async () => {
      const { text } = await scrape(port);
      expect(sampleValue(text, 'webhook_deliveries_dead_letters')).toBe(row.dead);
      expect(sampleValue(text, 'webhook_deliveries_pending')).toBe(row.pending);
    }, 12_000);
  });

  it('should not serve metrics on the API port', async () => {
    await request(app.getHttpServer()).get('/metrics').expect(404);
  });
});
