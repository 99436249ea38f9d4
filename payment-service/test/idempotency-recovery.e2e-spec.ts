import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { createHash, randomUUID } from 'node:crypto';
import { Pool } from 'pg';
import request from 'supertest';
import { IDEMPOTENCY_TAKEOVER_AFTER_MS } from '../src/platform/idempotency/idempotency.store';
import { hashRequestBody } from '../src/platform/idempotency/request-hash';
import { testDatabase } from './support/db';
import { API_KEY, auth, startTestApp } from './support/test-app';

/** The scope IdempotencyInterceptor builds for POST /v1/payments with API_KEY. */
const scopeFor = (key: string) => `key_${createHash('sha256').update(API_KEY).digest('hex').slice(0, 16)}:POST /v1/payments:${key}`;

describe('Idempotency-Key crash recovery on POST /v1/payments (e2e)', () => {
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

  const post = (key: string, body: PaymentBody) => request(app.getHttpServer()).post('/v1/payments').set(auth).set('Idempotency-Key', key).send(body);

  /** The in-flight reservation a request leaves behind when its process dies before storing the response. */
  const insertInFlightKey = async (key: string, body: PaymentBody, ageMs: number) => {
    const createdAt = new Date(Date.now() - ageMs);
    await db.query(
      `INSERT INTO idempotency_keys (id, scope, request_hash, created_at, expires_at) VALUES ($1, $2, $3, $4, $5)`,
      [randomUUID(), scopeFor(key), hashRequestBody(body), createdAt, new Date(createdAt.getTime() + 24 * 3600_000)],
    );
  };

  /** The payment that request had already inserted, carrying the key's scope. */
  const insertPaymentWithScope = async (key: string, body: PaymentBody, ageMs: number) => {
    const id = randomUUID();
    const createdAt = new Date(Date.now() - ageMs);
    await db.query(
      `INSERT INTO payments (id, amount, currency, merchant_reference, customer_reference, payment_method, metadata, status,
         next_attempt_at, request_id, idempotency_scope, idempotency_request_hash, created_at, updated_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, 'processing', $8, 'req-crashed', $9, $10, $8, $8)`,
      [id, body.amount, body.currency, body.merchantReference, body.customerReference, body.paymentMethod, JSON.stringify(body.metadata), createdAt, scopeFor(key), hashRequestBody(body)],
    );
    return id;
  };

  const paymentsFor = async (body: PaymentBody) =>
    (await db.query<{ id: string }>('SELECT id FROM payments WHERE merchant_reference = $1', [body.merchantReference])).rows.map((row) => row.id);

  beforeAll(async () => {
    db = testDatabase();
    // Workers off: the payments stay `processing`, so bodies are comparable.
    app = await startTestApp({ WORKERS_ENABLED: 'false' });
  });

  afterAll(async () => {
    await app.close();
    await db.end();
  });

  it('should answer with the payment a crashed request created once its reservation is older than the takeover window', async () => {
    const key = randomUUID();
    const body = paymentBody();
    const age = IDEMPOTENCY_TAKEOVER_AFTER_MS + 5_000;
    await insertInFlightKey(key, body, age);
    const paymentId = await insertPaymentWithScope(key, body, age);

    const takeover = await post(key, body).expect(202);

    expect(takeover.headers['idempotency-replayed']).toBe('true');
    expect(takeover.body).toMatchObject({ id: paymentId, object: 'payment', status: 'processing', amount: 2500, currency: 'USD', attempts: [] });
    expect(Object.keys(takeover.body).sort()).toEqual(Object.keys((await post(randomUUID(), paymentBody()).expect(202)).body).sort());
    expect(await paymentsFor(body)).toEqual([paymentId]);
    // The reservation now holds the response: a later retry is a plain replay of the same body.
    const replay = await post(key, body).expect(202);
    expect(replay.headers['idempotency-replayed']).toBe('true');
    expect(replay.body).toEqual(takeover.body);
    expect(await paymentsFor(body)).toEqual([paymentId]);
  });

  it('should still answer 422 for another body on a stuck key, creating nothing', async () => {
    const key = randomUUID();
    const body = paymentBody();
    const age = IDEMPOTENCY_TAKEOVER_AFTER_MS + 5_000;
    await insertInFlightKey(key, body, age);
    const paymentId = await insertPaymentWithScope(key, body, age);

    const other = { ...body, amount: 9999 };
    const { body: problem } = await post(key, other).expect(422);

    expect(problem.code).toBe('idempotency_key_reused');
    expect(await paymentsFor(body)).toEqual([paymentId]);
  });

  it('should answer 409 while a reservation is younger than the takeover window, even if its payment exists', async () => {
    const key = randomUUID();
    const body = paymentBody();
    await insertInFlightKey(key, body, 1_000);
    const paymentId = await insertPaymentWithScope(key, body, 1_000);

    const { body: problem } = await post(key, body).expect(409);

    expect(problem.code).toBe('idempotency_key_in_use');
    expect(await paymentsFor(body)).toEqual([paymentId]);
  });

  it('should create the payment when the crashed request died before inserting it', async () => {
    const key = randomUUID();
    const body = paymentBody();
    await insertInFlightKey(key, body, IDEMPOTENCY_TAKEOVER_AFTER_MS + 5_000);

    const created = await post(key, body).expect(202);

    expect(created.headers['idempotency-replayed']).toBeUndefined();
    expect(await paymentsFor(body)).toEqual([created.body.id]);
    expect((await post(key, body).expect(202)).body.id).toBe(created.body.id);
  });

  it('should answer with the existing payment when the key row is gone (expired) but the payment carries the scope', async () => {
    const key = randomUUID();
    const body = paymentBody();
    await insertInFlightKey(key, body, 25 * 3600_000); // expired: deleted lazily by the next use of the key
    const paymentId = await insertPaymentWithScope(key, body, 25 * 3600_000);

    const replay = await post(key, body).expect(202);
    expect(replay.headers['idempotency-replayed']).toBe('true');
    expect(replay.body.id).toBe(paymentId);

    const { body: problem } = await post(key, { ...body, amount: 1 }).expect(422);
    expect(problem.code).toBe('idempotency_key_reused');
    expect(await paymentsFor(body)).toEqual([paymentId]);
  });

  it('should let exactly one of 8 parallel requests take a stuck key over, creating one payment', async () => {
    const key = randomUUID();
    const body = paymentBody();
    await insertInFlightKey(key, body, IDEMPOTENCY_TAKEOVER_AFTER_MS + 5_000);

    const responses = await Promise.all(Array.from({ length: 8 }, () => post(key, body)));

    const statuses = responses.map((response) => response.status);
    expect(statuses.every((status) => status === 202 || status === 409)).toBe(true);
    const accepted = responses.filter((response) => response.status === 202);
    expect(accepted.length).toBeGreaterThanOrEqual(1);
    const payments = await paymentsFor(body);
    expect(payments).toHaveLength(1);
    accepted.forEach((response) => expect(response.body.id).toBe(payments[0]));
  });

  it('should create exactly one payment for 8 parallel requests with a fresh key', async () => {
    const key = randomUUID();
    const body = paymentBody();

    const responses = await Promise.all(Array.from({ length: 8 }, () => post(key, body)));

    expect(responses.every((response) => response.status === 202 || response.status === 409)).toBe(true);
    const payments = await paymentsFor(body);
    expect(payments).toHaveLength(1);
    responses.filter((response) => response.status === 202).forEach((response) => expect(response.body.id).toBe(payments[0]));
  });
});
