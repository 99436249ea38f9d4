import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { verifyWebhookSignature } from '../src/webhooks/domain/webhook-signature';
import { auth, eventually, startTestApp, WEBHOOK_SECRET } from './support/test-app';
import { WebhookReceiver } from './support/webhook-receiver';

describe('Payments (e2e)', () => {
  let app: NestFastifyApplication;
  let receiver: WebhookReceiver;

  const paymentBody = (overrides: Record<string, unknown> = {}) => ({
    amount: 1999,
    currency: 'USD',
    merchantReference: randomUUID(),
    customerReference: randomUUID(),
    paymentMethod: 'pm_card_visa',
    description: 'Pro plan - initial invoice',
    metadata: { subscriptionId: randomUUID() },
    ...overrides,
  });

  const createPayment = async (overrides: Record<string, unknown> = {}, headers: Record<string, string> = {}) =>
    request(app.getHttpServer()).post('/v1/payments').set(auth).set(headers).send(paymentBody(overrides)).expect(202);

  const settledPayment = (id: string) =>
    eventually(async () => {
      const { body } = await request(app.getHttpServer()).get(`/v1/payments/${id}`).set(auth).expect(200);
      expect(body.status).not.toBe('processing');
      return body;
    });

  beforeAll(async () => {
    receiver = await WebhookReceiver.start();
    app = await startTestApp({ WEBHOOK_URL: receiver.url });
  });

  afterAll(async () => {
    await app.close();
    await receiver.close();
  });

  describe('POST /v1/payments', () => {
    it('should accept a payment, succeed it and deliver a correctly signed payment.succeeded webhook', async () => {
      const { body: created, headers } = await createPayment({}, { 'X-Request-Id': 'req-create-visa-1' });
      expect(headers['x-request-id']).toBe('req-create-visa-1');
      expect(created).toMatchObject({
        object: 'payment',
        status: 'processing',
        amount: 1999,
        currency: 'USD',
        attempts: [],
        processedAt: null,
      });

      const settled = await settledPayment(created.id);
      expect(settled).toMatchObject({
        status: 'succeeded',
        failureCode: null,
        attempts: [{ attemptNumber: 1, outcome: 'succeeded' }],
      });
      expect(settled.processedAt).not.toBeNull();

      const [webhook] = await eventually(() => {
        const webhooks = receiver.forPayment(created.id);
        expect(webhooks).toHaveLength(1);
        return webhooks;
      });
      const { headers: sent, body, event } = webhook;
      expect(sent['content-type']).toBe('application/json');
      expect(sent['webhook-id']).toBe(event.id);
      expect(sent['x-request-id']).toBe('req-create-visa-1');
      const timestamp = Number(sent['webhook-timestamp']);
      expect(Math.abs(timestamp - Date.now() / 1000)).toBeLessThan(60);
      expect(sent['webhook-signature']).toMatch(/^v1,[A-Za-z0-9+/]+=*$/);
      expect(
        verifyWebhookSignature(WEBHOOK_SECRET, { id: event.id, timestamp, body }, String(sent['webhook-signature'])),
      ).toBe(true);
      expect(event).toMatchObject({
        type: 'payment.succeeded',
        sequence: 1,
        data: { object: { id: created.id, status: 'succeeded' } },
      });
    });

    it.each([
      ['pm_card_declined', 'card_declined'],
      ['pm_card_insufficient_funds', 'insufficient_funds'],
      ['pm_card_expired', 'expired_card'],
    ])('should fail %s with %s and send payment.failed', async (paymentMethod, failureCode) => {
      const { body: created } = await createPayment({ paymentMethod });

      const settled = await settledPayment(created.id);
      expect(settled).toMatchObject({ status: 'failed', failureCode, attempts: [{ outcome: 'failed', failureCode }] });
      expect(settled.failureMessage).toEqual(expect.any(String));
      await eventually(() => {
        expect(receiver.forPayment(created.id).map((webhook) => webhook.event.type)).toEqual(['payment.failed']);
      });
    });

    it('should retry a processing_error and record both attempts in the ledger', async () => {
      const { body: created } = await createPayment({ paymentMethod: 'pm_card_processing_error' });

      const settled = await settledPayment(created.id);
      expect(settled.status).toBe('succeeded');
      expect(settled.attempts).toMatchObject([
        { attemptNumber: 1, outcome: 'failed', failureCode: 'processing_error' },
        { attemptNumber: 2, outcome: 'succeeded', failureCode: null },
      ]);
      const { body: events } = await request(app.getHttpServer())
        .get('/v1/events')
        .query({ paymentId: created.id })
        .set(auth)
        .expect(200);
      expect(events.data).toMatchObject([{ type: 'payment.succeeded', sequence: 1 }]);
    });

    it('should reject unknown fields, a bad currency and a negative amount with field errors, creating nothing', async () => {
      const merchantReference = randomUUID();
      const { body, headers } = await request(app.getHttpServer())
        .post('/v1/payments')
        .set(auth)
        .send(paymentBody({ merchantReference, currency: 'usd', amount: -5, surprise: true }))
        .expect(400);

      expect(headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(body).toMatchObject({
        status: 400,
        code: 'validation_failed',
        type: 'https://errors.billing.example/validation_failed',
      });
      expect(body.requestId).toBe(headers['x-request-id']);
      expect(body.errors.map((error: { field: string }) => error.field).sort()).toEqual([
        'amount',
        'currency',
        'surprise',
      ]);
      const { body: list } = await request(app.getHttpServer())
        .get('/v1/payments')
        .query({ merchantReference })
        .set(auth)
        .expect(200);
      expect(list.data).toEqual([]);
    });

    it.each([
      [{ amount: 1.5 }, 'amount'],
      [{ amount: 100_000_000 }, 'amount'],
      [{ currency: 'ZZZ' }, 'currency'],
      [{ currency: 'XYZ' }, 'currency'],
      [{ paymentMethod: 'card_visa' }, 'paymentMethod'],
      [{ merchantReference: '' }, 'merchantReference'],
      [{ metadata: { nested: { deep: 'x' } } }, 'metadata'],
      [{ metadata: Object.fromEntries(Array.from({ length: 21 }, (_, i) => [`k${i}`, 'v'])) }, 'metadata'],
    ])('should reject %j', async (overrides, field) => {
      const { body } = await request(app.getHttpServer())
        .post('/v1/payments')
        .set(auth)
        .send(paymentBody(overrides))
        .expect(400);
      expect(body.errors).toEqual([expect.objectContaining({ field })]);
    });

    it('should accept the largest amount in a zero-decimal currency (JPY) and name the currency rule in the error for ZZZ', async () => {
      const { body: created } = await createPayment({ amount: 99_999_999, currency: 'JPY' });
      expect(created).toMatchObject({ amount: 99_999_999, currency: 'JPY' });

      const { body } = await request(app.getHttpServer())
        .post('/v1/payments')
        .set(auth)
        .send(paymentBody({ currency: 'ZZZ' }))
        .expect(400);
      expect(body.errors).toEqual([{ field: 'currency', message: expect.stringContaining('ISO-4217') }]);
    });

    it('should answer malformed JSON with a 400 problem', async () => {
      const { body } = await request(app.getHttpServer())
        .post('/v1/payments')
        .set(auth)
        .set('content-type', 'application/json')
        .send('{"amount": ')
        .expect(400);
      expect(body).toMatchObject({ status: 400, code: 'malformed_json', requestId: expect.any(String) });
    });
  });

  describe('GET /v1/payments/:id', () => {
    it.each([randomUUID(), 'not-a-uuid'])('should answer 404 for the unknown id %s', async (id) => {
      const { body } = await request(app.getHttpServer()).get(`/v1/payments/${id}`).set(auth).expect(404);
      expect(body).toMatchObject({ status: 404, code: 'not_found' });
    });
  });

  describe('GET /v1/payments', () => {
    it('should filter by customerReference and status and paginate newest first', async () => {
      const customerReference = randomUUID();
      const created: string[] = [];
      for (const paymentMethod of ['pm_card_visa', 'pm_card_visa', 'pm_card_declined', 'pm_card_visa']) {
        created.push((await createPayment({ customerReference, paymentMethod })).body.id);
      }
      await Promise.all(created.map(settledPayment));
      const list = (query: Record<string, unknown>) =>
        request(app.getHttpServer())
          .get('/v1/payments')
          .query({ customerReference, ...query })
          .set(auth)
          .expect(200);

      const first = (await list({ limit: 2 })).body;
      expect(first).toMatchObject({ object: 'list', hasMore: true, nextCursor: created[2] });
      expect(first.data.map((payment: { id: string }) => payment.id)).toEqual([created[3], created[2]]);
      const second = (await list({ limit: 2, startingAfter: first.nextCursor })).body;
      expect(second).toMatchObject({ hasMore: false, nextCursor: null });
      expect(second.data.map((payment: { id: string }) => payment.id)).toEqual([created[1], created[0]]);

      const failed = (await list({ status: 'failed' })).body;
      expect(failed.data.map((payment: { id: string }) => payment.id)).toEqual([created[2]]);
    });

    it('should reject an out-of-range limit and an unknown status', async () => {
      await request(app.getHttpServer()).get('/v1/payments?limit=101').set(auth).expect(400);
      await request(app.getHttpServer()).get('/v1/payments?status=pending').set(auth).expect(400);
    });
  });
});
