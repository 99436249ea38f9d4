import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { createHash, randomUUID } from 'node:crypto';
import { Pool } from 'pg';
import request from 'supertest';
import { idempotencyRequestHash } from '../src/platform/idempotency/request-hash';
import { testDatabase } from './support/db';
import { API_KEY, auth, eventually, startTestApp } from './support/test-app';

/** The scope the Idempotency-Key of POST /v1/payments gets with API_KEY. */
const scopeFor = (key: string) =>
  `key_${createHash('sha256').update(API_KEY).digest('hex').slice(0, 16)}:POST /v1/payments:${key}`;

describe('Idempotency-Key on POST /v1/payments: the payment row is the record (e2e)', () => {
  let app: NestFastifyApplication;
  let db: Pool;

  const paymentBody = () => ({
    amount: 2500,
    currency: 'USD',
    merchantReference: randomUUID(),
    customerReference: randomUUID(),
    paymentMethod: 'pm_card_visa',
    metadata: { invoicePaymentId: randomUUID() },
  });
  type PaymentBody = ReturnType<typeof paymentBody>;

  const post = (key: string, body: PaymentBody) =>
    request(app.getHttpServer()).post('/v1/payments').set(auth).set('Idempotency-Key', key).send(body);

  /** A payment a request inserted before its process died (kill -9): the response never reached the client. */
  const insertPaymentOfCrashedRequest = async (key: string, body: PaymentBody) => {
    const id = randomUUID();
    const createdAt = new Date(Date.now() - 60_000);
    await db.query(
      `INSERT INTO payments (id, amount, currency, merchant_reference, customer_reference, payment_method, metadata, status,
         next_attempt_at, request_id, idempotency_scope, idempotency_request_hash, created_at, updated_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, 'processing', $8, 'req-crashed', $9, $10, $8, $8)`,
      [
        id,
        body.amount,
        body.currency,
        body.merchantReference,
        body.customerReference,
        body.paymentMethod,
        JSON.stringify(body.metadata),
        createdAt,
        scopeFor(key),
        idempotencyRequestHash(body, {}),
      ],
    );
    return id;
  };

  const paymentsFor = async (body: PaymentBody) =>
    (
      await db.query<{ id: string }>('SELECT id FROM payments WHERE merchant_reference = $1', [body.merchantReference])
    ).rows.map((row) => row.id);

  beforeAll(async () => {
    db = testDatabase();
    app = await startTestApp();
  });

  afterAll(async () => {
    await app.close();
    await db.end();
  });

  it('should answer a retry after a crash with the payment the crashed request created, as its first response', async () => {
    const key = randomUUID();
    const body = paymentBody();
    const paymentId = await insertPaymentOfCrashedRequest(key, body);

    const retry = await post(key, body).expect(202);

    expect(retry.headers['idempotency-replayed']).toBe('true');
    expect(retry.body).toMatchObject({
      id: paymentId,
      object: 'payment',
      status: 'processing',
      amount: 2500,
      currency: 'USD',
      attempts: [],
      processedAt: null,
    });
    expect(Object.keys(retry.body).sort()).toEqual(
      Object.keys((await post(randomUUID(), paymentBody()).expect(202)).body).sort(),
    );
    expect(await paymentsFor(body)).toEqual([paymentId]);
  });

  it('should answer 422 for another body on a used key, creating nothing', async () => {
    const key = randomUUID();
    const body = paymentBody();
    const paymentId = await insertPaymentOfCrashedRequest(key, body);

    const { body: problem } = await post(key, { ...body, amount: 9999 }).expect(422);

    expect(problem.code).toBe('idempotency_key_reused');
    expect(await paymentsFor(body)).toEqual([paymentId]);
  });

  it('should replay the first response byte for byte after the payment was processed', async () => {
    const key = randomUUID();
    const body = paymentBody();
    const first = await post(key, body).expect(202);
    await eventually(async () =>
      expect((await request(app.getHttpServer()).get(`/v1/payments/${first.body.id}`).set(auth)).body.status).toBe(
        'succeeded',
      ),
    );

    const replay = await post(key, body).expect(202);

    expect(replay.headers['idempotency-replayed']).toBe('true');
    expect(replay.body).toEqual(first.body);
  });

  it('should create exactly one payment for 8 parallel requests with one key: every request gets it, none a 409', async () => {
    const key = randomUUID();
    const body = paymentBody();

    const responses = await Promise.all(Array.from({ length: 8 }, () => post(key, body)));

    expect(responses.map((response) => response.status)).toEqual(Array(8).fill(202));
    const payments = await paymentsFor(body);
    expect(payments).toHaveLength(1);
    responses.forEach((response) => expect(response.body).toEqual(responses[0].body));
    expect(responses.filter((response) => response.headers['idempotency-replayed'] === 'true')).toHaveLength(7);
  });
});
