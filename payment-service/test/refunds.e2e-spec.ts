import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { randomUUID } from 'node:crypto';
import { Pool } from 'pg';
import request from 'supertest';
import { verifyWebhookSignature } from '../src/webhooks/domain/webhook-signature';
import { testDatabase } from './support/db';
import { auth, eventually, startTestApp, WEBHOOK_SECRET } from './support/test-app';
import { WebhookReceiver } from './support/webhook-receiver';

const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

describe('Refunds (e2e)', () => {
  let app: NestFastifyApplication;
  let receiver: WebhookReceiver;
  let db: Pool;

  const http = () => request(app.getHttpServer());

  /** A payment that reached `succeeded` (or the outcome of `paymentMethod`). */
  const settledPayment = async (overrides: Record<string, unknown> = {}) => {
    const { body: created } = await http()
      .post('/v1/payments')
      .set(auth)
      .send({
        amount: 2900,
        currency: 'USD',
        merchantReference: randomUUID(),
        customerReference: randomUUID(),
        paymentMethod: 'pm_card_visa',
        ...overrides,
      })
      .expect(202);
    return eventually(async () => {
      const { body } = await http().get(`/v1/payments/${created.id}`).set(auth).expect(200);
      expect(body.status).not.toBe('processing');
      return body;
    });
  };

  const refund = (paymentId: string, body: Record<string, unknown> = {}, headers: Record<string, string> = {}) =>
    http().post(`/v1/payments/${paymentId}/refunds`).set(auth).set(headers).send(body);

  const settledRefund = (id: string) =>
    eventually(async () => {
      const { body } = await http().get(`/v1/refunds/${id}`).set(auth).expect(200);
      expect(body.status).not.toBe('pending');
      return body;
    });

  const getPayment = async (id: string) => (await http().get(`/v1/payments/${id}`).set(auth).expect(200)).body;

  beforeAll(async () => {
    db = testDatabase();
    receiver = await WebhookReceiver.start();
    app = await startTestApp({ WEBHOOK_URL: receiver.url });
  });

  afterAll(async () => {
    await app.close();
    await receiver.close();
    await db.end();
  });

  describe('POST /v1/payments/:id/refunds', () => {
    it('should refund a payment in full: 202 pending, then succeeded with its attempt and a signed refund.succeeded webhook', async () => {
      const payment = await settledPayment();

      const { body: created, headers } = await refund(
        payment.id,
        { reason: 'no_obligation' },
        { 'X-Request-Id': 'req-refund-full-1' },
      ).expect(202);

      expect(created).toEqual({
        id: expect.stringMatching(/^[0-9a-f-]{36}$/),
        object: 'refund',
        paymentId: payment.id,
        amount: 2900,
        currency: 'USD',
        reason: 'no_obligation',
        status: 'pending',
        failureCode: null,
        failureMessage: null,
        metadata: {},
        attempts: [],
        createdAt: expect.stringMatching(ISO),
        updatedAt: expect.stringMatching(ISO),
        processedAt: null,
      });
      expect(headers['idempotency-replayed']).toBeUndefined();

      const settled = await settledRefund(created.id);
      expect(settled).toMatchObject({
        status: 'succeeded',
        failureCode: null,
        attempts: [{ attemptNumber: 1, outcome: 'succeeded', failureCode: null }],
      });
      expect(settled.processedAt).toMatch(ISO);

      const [webhook] = await eventually(() => {
        const webhooks = receiver.forRefund(created.id);
        expect(webhooks).toHaveLength(1);
        return webhooks;
      });
      const { headers: sent, body, event } = webhook;
      expect(sent['webhook-id']).toBe(event.id);
      expect(sent['x-request-id']).toBe('req-refund-full-1');
      const timestamp = Number(sent['webhook-timestamp']);
      expect(
        verifyWebhookSignature(WEBHOOK_SECRET, { id: event.id, timestamp, body }, String(sent['webhook-signature'])),
      ).toBe(true);
      // The payment's own event was sequence 1: the refund's continues the payment's sequence.
      expect(event).toMatchObject({
        type: 'refund.succeeded',
        sequence: 2,
        data: { object: { ...settled, object: 'refund', paymentId: payment.id } },
      });
      expect(
        receiver.aboutPayment(payment.id).map((received) => [received.event.type, received.event.sequence]),
      ).toEqual([
        ['payment.succeeded', 1],
        ['refund.succeeded', 2],
      ]);

      const { body: events } = await http().get('/v1/events').query({ paymentId: payment.id }).set(auth).expect(200);
      expect(events.data.map((listed: { type: string; sequence: number }) => [listed.type, listed.sequence])).toEqual([
        ['refund.succeeded', 2],
        ['payment.succeeded', 1],
      ]);
      const { body: detail } = await eventually(async () => {
        const response = await http().get(`/v1/events/${event.id}`).set(auth).expect(200);
        expect(response.body.deliveries).toMatchObject([{ status: 'succeeded', attemptCount: 1 }]);
        return response;
      });
      expect(detail).toMatchObject({
        type: 'refund.succeeded',
        paymentId: payment.id,
        data: { object: { id: created.id } },
      });

      const after = await getPayment(payment.id);
      expect(after).toMatchObject({ status: 'succeeded', amountRefunded: 2900, refunds: [settled] });
    });

    it('should refund in parts, default to what is left, then refuse anything more with 422', async () => {
      const payment = await settledPayment({ amount: 1999 });

      const { body: first } = await refund(payment.id, { amount: 500, metadata: { ticket: 'T-1' } }).expect(202);
      expect(first).toMatchObject({
        amount: 500,
        reason: 'requested_by_customer',
        metadata: { ticket: 'T-1' },
        status: 'pending',
      });
      const { body: second } = await refund(payment.id, { amount: 700, reason: 'duplicate' }).expect(202);
      const { body: rest } = await refund(payment.id).expect(202);
      expect(rest.amount).toBe(1999 - 500 - 700);

      const { body: nothingLeft } = await refund(payment.id, { amount: 1 }).expect(422);
      expect(nothingLeft).toMatchObject({ status: 422, code: 'refund_exceeds_refundable' });
      const { body: nothingByDefault } = await refund(payment.id).expect(422);
      expect(nothingByDefault.code).toBe('refund_exceeds_refundable');

      await Promise.all([first.id, second.id, rest.id].map(settledRefund));
      const after = await getPayment(payment.id);
      expect(after.amountRefunded).toBe(1999);
      expect(after.refunds.map((listed: { id: string; status: string }) => [listed.id, listed.status])).toEqual([
        [first.id, 'succeeded'],
        [second.id, 'succeeded'],
        [rest.id, 'succeeded'],
      ]);
      await eventually(() =>
        expect(
          receiver
            .aboutPayment(payment.id)
            .map((received) => received.event.sequence)
            .sort(),
        ).toEqual([1, 2, 3, 4]),
      );

      const { body: page } = await http()
        .get(`/v1/payments/${payment.id}/refunds`)
        .query({ limit: 2 })
        .set(auth)
        .expect(200);
      expect(page).toMatchObject({ object: 'list', hasMore: true, nextCursor: second.id });
      expect(page.data.map((listed: { id: string }) => listed.id)).toEqual([rest.id, second.id]);
      expect(page.data[0].attempts).toMatchObject([{ attemptNumber: 1, outcome: 'succeeded' }]);
      const { body: next } = await http()
        .get(`/v1/payments/${payment.id}/refunds`)
        .query({ limit: 2, startingAfter: page.nextCursor })
        .set(auth)
        .expect(200);
      expect(next).toMatchObject({ hasMore: false, nextCursor: null, data: [{ id: first.id }] });
    });

    it('should answer 422 refund_exceeds_refundable for more than the remaining amount, creating nothing', async () => {
      const payment = await settledPayment({ amount: 1999 });

      const { body: tooMuch, headers } = await refund(payment.id, { amount: 2000 }).expect(422);
      expect(headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(tooMuch).toMatchObject({
        code: 'refund_exceeds_refundable',
        type: 'https://errors.billing.example/refund_exceeds_refundable',
      });
      expect(tooMuch.detail).toContain('19.99 USD');

      await refund(payment.id, { amount: 1500 }).expect(202);
      const { body: overRest } = await refund(payment.id, { amount: 500 }).expect(422);
      expect(overRest.detail).toContain('4.99 USD');
      await refund(payment.id, { amount: 499 }).expect(202);
      expect((await getPayment(payment.id)).refunds.map((listed: { amount: number }) => listed.amount)).toEqual([
        1500, 499,
      ]);
    });

    it('should answer 409 payment_not_refundable for a failed payment', async () => {
      const payment = await settledPayment({ paymentMethod: 'pm_card_declined' });
      expect(payment.status).toBe('failed');

      const { body } = await refund(payment.id, { amount: 100 }).expect(409);

      expect(body).toMatchObject({ status: 409, code: 'payment_not_refundable' });
      expect((await getPayment(payment.id)).refunds).toEqual([]);
    });

    it('should answer 409 payment_not_refundable for a payment still processing', async () => {
      // Not yet due for the worker: it stays processing for the whole test.
      const id = randomUUID();
      const later = new Date(Date.now() + 3_600_000);
      await db.query(
        `INSERT INTO payments (id, amount, currency, merchant_reference, customer_reference, payment_method, status, next_attempt_at, created_at, updated_at)
         VALUES ($1, 1000, 'USD', $2, $2, 'pm_card_visa', 'processing', $3, now(), now())`,
        [id, randomUUID(), later],
      );

      const { body } = await refund(id).expect(409);

      expect(body.code).toBe('payment_not_refundable');
    });

    it.each([randomUUID(), 'not-a-uuid'])('should answer 404 not_found for the unknown payment %s', async (id) => {
      const { body } = await refund(id, { amount: 100 }).expect(404);
      expect(body).toMatchObject({ status: 404, code: 'not_found' });
    });

    it.each([
      [{ amount: 100_000_000 }, 'amount'],
      [{ amount: 0 }, 'amount'],
      [{ amount: 12.5 }, 'amount'],
      [{ amount: '100' }, 'amount'],
      [{ reason: 'changed_my_mind' }, 'reason'],
      [{ metadata: { nested: { deep: 'x' } } }, 'metadata'],
      [{ metadata: Object.fromEntries(Array.from({ length: 21 }, (_, i) => [`k${i}`, 'v'])) }, 'metadata'],
      [{ currency: 'EUR' }, 'currency'],
    ])('should reject %j with a 400 field error', async (body, field) => {
      const payment = await settledPayment();
      const { body: problem } = await refund(payment.id, body).expect(400);
      expect(problem.code).toBe('validation_failed');
      expect([...new Set(problem.errors.map((error: { field: string }) => error.field))]).toEqual([field]);
    });

    it('should never let concurrent refunds together exceed the payment amount', async () => {
      const payment = await settledPayment({ amount: 1999 });

      const responses = await Promise.all(Array.from({ length: 8 }, () => refund(payment.id, { amount: 600 })));

      // 3 × 600 = 1800 fits in 1999; a fourth would not.
      expect(responses.map((response) => response.status).sort()).toEqual([202, 202, 202, 422, 422, 422, 422, 422]);
      const { rows } = await db.query<{ total: number; count: number }>(
        `SELECT coalesce(sum(amount), 0)::int AS total, count(*)::int AS count FROM refunds WHERE payment_id = $1`,
        [payment.id],
      );
      expect(rows[0]).toEqual({ total: 1800, count: 3 });
    });

    it('should accept exactly one of two concurrent refunds that together exceed the amount', async () => {
      const payment = await settledPayment({ amount: 1000 });

      const responses = await Promise.all([refund(payment.id, { amount: 700 }), refund(payment.id, { amount: 700 })]);

      expect(responses.map((response) => response.status).sort()).toEqual([202, 422]);
      expect((await getPayment(payment.id)).refunds).toHaveLength(1);
    });

    it('should fail refunds of a pm_card_refund_fail payment with refund_failed, send refund.failed and give the amount back', async () => {
      const payment = await settledPayment({ paymentMethod: 'pm_card_refund_fail' });
      expect(payment.status).toBe('succeeded');

      const { body: created } = await refund(payment.id).expect(202);
      const settled = await settledRefund(created.id);

      expect(settled).toMatchObject({
        status: 'failed',
        failureCode: 'refund_failed',
        failureMessage: expect.any(String),
        attempts: [{ attemptNumber: 1, outcome: 'failed', failureCode: 'refund_failed' }],
      });
      await eventually(() =>
        expect(receiver.forRefund(created.id).map((webhook) => [webhook.event.type, webhook.event.sequence])).toEqual([
          ['refund.failed', 2],
        ]),
      );
      expect(await getPayment(payment.id)).toMatchObject({
        amountRefunded: 0,
        refunds: [{ id: created.id, status: 'failed' }],
      });
      // A failed refund no longer counts against the payment: the full amount is refundable again.
      const { body: again } = await refund(payment.id).expect(202);
      expect(again.amount).toBe(2900);
    });
  });

  describe('Idempotency-Key', () => {
    it('should replay the first response for the same key and body, even after the refund was processed', async () => {
      const payment = await settledPayment();
      const key = randomUUID();
      const body = { amount: 900, reason: 'requested_by_customer', metadata: { invoiceId: randomUUID() } };

      const first = await refund(payment.id, body, { 'Idempotency-Key': key }).expect(202);
      await settledRefund(first.body.id);
      const replay = await refund(
        payment.id,
        { metadata: body.metadata, reason: body.reason, amount: body.amount },
        { 'Idempotency-Key': key },
      ).expect(202);

      expect(replay.headers['idempotency-replayed']).toBe('true');
      expect(replay.body).toEqual(first.body);
      expect((await getPayment(payment.id)).refunds).toHaveLength(1);
    });

    it('should answer 422 idempotency_key_reused for another body or another payment, creating nothing', async () => {
      const payment = await settledPayment();
      const other = await settledPayment();
      const key = randomUUID();
      await refund(payment.id, { amount: 100 }, { 'Idempotency-Key': key }).expect(202);

      const { body: otherBody } = await refund(payment.id, { amount: 200 }, { 'Idempotency-Key': key }).expect(422);
      const { body: otherPayment } = await refund(other.id, { amount: 100 }, { 'Idempotency-Key': key }).expect(422);

      expect(otherBody.code).toBe('idempotency_key_reused');
      expect(otherPayment.code).toBe('idempotency_key_reused');
      expect((await getPayment(payment.id)).refunds).toHaveLength(1);
      expect((await getPayment(other.id)).refunds).toEqual([]);
    });

    it('should create one refund for 8 parallel requests with one key, every request answered with it', async () => {
      const payment = await settledPayment();
      const key = randomUUID();

      const responses = await Promise.all(
        Array.from({ length: 8 }, () => refund(payment.id, { amount: 100 }, { 'Idempotency-Key': key })),
      );

      expect(responses.map((response) => response.status)).toEqual(Array(8).fill(202));
      responses.forEach((response) => expect(response.body).toEqual(responses[0].body));
      expect(responses.filter((response) => response.headers['idempotency-replayed'] === 'true')).toHaveLength(7);
      expect((await getPayment(payment.id)).refunds).toHaveLength(1);
    });
  });

  describe('GET', () => {
    it.each([randomUUID(), 'not-a-uuid'])('should answer 404 for the unknown refund %s', async (id) => {
      const { body } = await http().get(`/v1/refunds/${id}`).set(auth).expect(404);
      expect(body.code).toBe('not_found');
    });

    it('should answer 404 for the refunds of an unknown payment', async () => {
      const { body } = await http().get(`/v1/payments/${randomUUID()}/refunds`).set(auth).expect(404);
      expect(body.code).toBe('not_found');
    });

    it('should show amountRefunded and refunds on listed payments too', async () => {
      const payment = await settledPayment();
      const { body: created } = await refund(payment.id, { amount: 1000 }).expect(202);
      await settledRefund(created.id);

      const { body: list } = await http()
        .get('/v1/payments')
        .query({ merchantReference: payment.merchantReference })
        .set(auth)
        .expect(200);

      expect(list.data).toMatchObject([
        { id: payment.id, amountRefunded: 1000, refunds: [{ id: created.id, status: 'succeeded', amount: 1000 }] },
      ]);
    });

    it('should list refund events by type', async () => {
      const { body } = await http()
        .get('/v1/events')
        .query({ type: 'refund.succeeded', limit: 100 })
        .set(auth)
        .expect(200);
      expect(body.data.length).toBeGreaterThan(0);
      expect(new Set(body.data.map((event: { type: string }) => event.type))).toEqual(new Set(['refund.succeeded']));
    });

    it('should require an API key', async () => {
      const created = await http().post(`/v1/payments/${randomUUID()}/refunds`).send({}).expect(401);
      const read = await http().get(`/v1/refunds/${randomUUID()}`).expect(401);
      expect([created.body.code, read.body.code]).toEqual(['unauthorized', 'unauthorized']);
    });
  });
});
