import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { auth, eventually, startTestApp } from './support/test-app';
import { WebhookReceiver } from './support/webhook-receiver';

describe('Webhooks (e2e)', () => {
  let app: NestFastifyApplication;
  let receiver: WebhookReceiver;

  /** Creates a payment whose webhooks the receiver answers per `responder`; resolves with its event id. */
  const paymentWithWebhooks = async (responder: (attempt: number) => number) => {
    const merchantReference = randomUUID();
    receiver.respond(merchantReference, responder);
    const { body: payment } = await request(app.getHttpServer())
      .post('/v1/payments')
      .set(auth)
      .send({
        amount: 500,
        currency: 'EUR',
        merchantReference,
        customerReference: randomUUID(),
        paymentMethod: 'pm_card_mastercard',
      })
      .expect(202);
    const eventId = await eventually(async () => {
      const { body } = await request(app.getHttpServer())
        .get('/v1/events')
        .query({ paymentId: payment.id })
        .set(auth)
        .expect(200);
      expect(body.data).toHaveLength(1);
      return body.data[0].id as string;
    });
    return { paymentId: payment.id as string, eventId };
  };

  const eventDetail = async (eventId: string) =>
    (await request(app.getHttpServer()).get(`/v1/events/${eventId}`).set(auth).expect(200)).body;

  beforeAll(async () => {
    receiver = await WebhookReceiver.start();
    app = await startTestApp({ WEBHOOK_URL: receiver.url });
  });

  afterAll(async () => {
    await app.close();
    await receiver.close();
  });

  it('should retry a delivery answered 500 twice and record 3 attempts once delivered', async () => {
    const { paymentId, eventId } = await paymentWithWebhooks((attempt) => (attempt <= 2 ? 500 : 200));

    const detail = await eventually(async () => {
      const body = await eventDetail(eventId);
      expect(body.deliveries[0].status).toBe('succeeded');
      return body;
    });
    const [delivery] = detail.deliveries;
    expect(delivery).toMatchObject({
      url: receiver.url,
      attemptCount: 3,
      lastStatusCode: 200,
      lastError: null,
      nextAttemptAt: null,
    });
    expect(delivery.attempts.map((attempt: { statusCode: number }) => attempt.statusCode)).toEqual([500, 500, 200]);
    const bodies = receiver.forPayment(paymentId).map((webhook) => webhook.body);
    expect(bodies).toHaveLength(3);
    expect(new Set(bodies).size).toBe(1); // the same bytes on every retry
    expect(new Set(receiver.forPayment(paymentId).map((webhook) => webhook.headers['webhook-id'])).size).toBe(1);
  });

  it('should dead-letter a delivery after the schedule and deliver it again on redeliver', async () => {
    let receiverUp = false;
    const { paymentId, eventId } = await paymentWithWebhooks(() => (receiverUp ? 200 : 500));

    // 1 immediate attempt + 3 scheduled retries (200ms, 400ms, 800ms ± 20 %).
    const failed = await eventually(async () => {
      const body = await eventDetail(eventId);
      expect(body.deliveries[0].status).toBe('failed');
      return body;
    });
    expect(failed.deliveries[0]).toMatchObject({
      attemptCount: 4,
      lastStatusCode: 500,
      lastError: 'receiver answered 500',
      nextAttemptAt: null,
    });
    expect(receiver.forPayment(paymentId)).toHaveLength(4);

    receiverUp = true;
    const { body: redelivered } = await request(app.getHttpServer())
      .post(`/v1/events/${eventId}/redeliver`)
      .set(auth)
      .expect(202);
    expect(redelivered.deliveries[0].status).toMatch(/pending|succeeded/);

    const delivered = await eventually(async () => {
      const body = await eventDetail(eventId);
      expect(body.deliveries[0].status).toBe('succeeded');
      return body;
    });
    expect(delivered.deliveries[0]).toMatchObject({ attemptCount: 5, lastStatusCode: 200 });
    expect(receiver.forPayment(paymentId)).toHaveLength(5);
  });

  it('should answer 404 when redelivering an unknown event', async () => {
    const { body } = await request(app.getHttpServer())
      .post(`/v1/events/${randomUUID()}/redeliver`)
      .set(auth)
      .expect(404);
    expect(body.code).toBe('not_found');
  });

  it('should list events filtered by type with pagination', async () => {
    await paymentWithWebhooks(() => 200);
    await paymentWithWebhooks(() => 200);
    const { body: first } = await request(app.getHttpServer())
      .get('/v1/events')
      .query({ type: 'payment.succeeded', limit: 1 })
      .set(auth)
      .expect(200);
    expect(first).toMatchObject({
      object: 'list',
      hasMore: true,
      data: [{ object: 'event', type: 'payment.succeeded' }],
    });
    const { body: second } = await request(app.getHttpServer())
      .get('/v1/events')
      .query({ type: 'payment.succeeded', limit: 1, startingAfter: first.nextCursor })
      .set(auth)
      .expect(200);
    expect(second.data[0].id).not.toBe(first.data[0].id);
    const { body: failedOnly } = await request(app.getHttpServer())
      .get('/v1/events')
      .query({ type: 'payment.failed' })
      .set(auth)
      .expect(200);
    expect(failedOnly.data.every((event: { type: string }) => event.type === 'payment.failed')).toBe(true);
  });

  it('should list the configured endpoint without its secret', async () => {
    const { body } = await request(app.getHttpServer()).get('/v1/webhook-endpoints').set(auth).expect(200);
    const configured = body.data.find((endpoint: { url: string }) => endpoint.url === receiver.url);
    expect(configured).toMatchObject({ object: 'webhook_endpoint', enabled: true });
    expect(JSON.stringify(body)).not.toContain('whsec_');
    expect(body.data.filter((endpoint: { enabled: boolean }) => endpoint.enabled)).toHaveLength(1);
  });
});
