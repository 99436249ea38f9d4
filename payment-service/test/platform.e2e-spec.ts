import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { DEMO_API_KEY } from '../src/config/demo-api-key';
import { Database } from '../src/platform/database/database';
import { API_KEY, auth, startTestApp } from './support/test-app';

describe('Platform (e2e)', () => {
  let app: NestFastifyApplication;

  const paymentBody = () => ({
    amount: 4200,
    currency: 'USD',
    merchantReference: randomUUID(),
    customerReference: randomUUID(),
    paymentMethod: 'pm_card_visa',
  });

  beforeAll(async () => {
    // Workers off: these tests are about the HTTP pipeline, not processing.
    app = await startTestApp({ WORKERS_ENABLED: 'false' });
  });

  afterAll(async () => {
    await app.close();
  });

  describe('authentication', () => {
    it.each([
      ['no Authorization header', {}],
      ['an unknown key', { Authorization: 'Bearer sk_wrong' }],
      ['a non-bearer scheme', { Authorization: 'Basic c2s6' }],
    ])('should answer 401 problem for %s', async (_case, headers) => {
      const { body, headers: responseHeaders } = await request(app.getHttpServer())
        .get('/v1/payments')
        .set(headers)
        .expect(401);
      expect(responseHeaders['content-type']).toMatch(/^application\/problem\+json/);
      expect(body).toMatchObject({ status: 401, code: 'unauthorized', requestId: responseHeaders['x-request-id'] });
    });

    it('should accept every key listed in API_KEYS', async () => {
      await request(app.getHttpServer())
        .get('/v1/payments')
        .set('Authorization', 'Bearer sk_test_key_0002')
        .expect(200);
    });
  });

  describe('Idempotency-Key', () => {
    it('should replay the first response for the same key and body', async () => {
      const key = randomUUID();
      const body = paymentBody();
      const first = await request(app.getHttpServer())
        .post('/v1/payments')
        .set(auth)
        .set('Idempotency-Key', key)
        .send(body)
        .expect(202);
      const replay = await request(app.getHttpServer())
        .post('/v1/payments')
        .set(auth)
        .set('Idempotency-Key', key)
        .send(body)
        .expect(202);

      expect(first.headers['idempotency-replayed']).toBeUndefined();
      expect(replay.headers['idempotency-replayed']).toBe('true');
      expect(replay.body).toEqual(first.body);
      const { body: list } = await request(app.getHttpServer())
        .get('/v1/payments')
        .query({ merchantReference: body.merchantReference })
        .set(auth);
      expect(list.data).toHaveLength(1);
    });

    it('should answer 422 when the key is reused with another body', async () => {
      const key = randomUUID();
      await request(app.getHttpServer())
        .post('/v1/payments')
        .set(auth)
        .set('Idempotency-Key', key)
        .send(paymentBody())
        .expect(202);
      const { body } = await request(app.getHttpServer())
        .post('/v1/payments')
        .set(auth)
        .set('Idempotency-Key', key)
        .send(paymentBody())
        .expect(422);
      expect(body.code).toBe('idempotency_key_reused');
    });

    it('should create exactly one payment for 8 parallel requests with one key', async () => {
      const key = randomUUID();
      const body = paymentBody();
      const responses = await Promise.all(
        Array.from({ length: 8 }, () =>
          request(app.getHttpServer()).post('/v1/payments').set(auth).set('Idempotency-Key', key).send(body),
        ),
      );

      const statuses = responses.map((response) => response.status);
      expect(statuses.every((status) => status === 202 || status === 409)).toBe(true);
      const accepted = responses.filter((response) => response.status === 202);
      expect(new Set(accepted.map((response) => response.body.id)).size).toBe(1);
      responses
        .filter((response) => response.status === 409)
        .forEach((response) => expect(response.body.code).toBe('idempotency_key_in_use'));
      const { body: list } = await request(app.getHttpServer())
        .get('/v1/payments')
        .query({ merchantReference: body.merchantReference })
        .set(auth);
      expect(list.data).toHaveLength(1);
    });

    it('should free the key when the request fails, so a corrected retry succeeds', async () => {
      const key = randomUUID();
      await request(app.getHttpServer())
        .post('/v1/payments')
        .set(auth)
        .set('Idempotency-Key', key)
        .send({ ...paymentBody(), amount: 0 })
        .expect(400);
      await request(app.getHttpServer())
        .post('/v1/payments')
        .set(auth)
        .set('Idempotency-Key', key)
        .send(paymentBody())
        .expect(202);
    });

    it('should scope keys per API key', async () => {
      const key = randomUUID();
      await request(app.getHttpServer())
        .post('/v1/payments')
        .set(auth)
        .set('Idempotency-Key', key)
        .send(paymentBody())
        .expect(202);
      const other = await request(app.getHttpServer())
        .post('/v1/payments')
        .set('Authorization', 'Bearer sk_test_key_0002')
        .set('Idempotency-Key', key)
        .send(paymentBody())
        .expect(202);
      expect(other.headers['idempotency-replayed']).toBeUndefined();
    });

    it('should reject a key longer than 255 characters', async () => {
      const { body } = await request(app.getHttpServer())
        .post('/v1/payments')
        .set(auth)
        .set('Idempotency-Key', 'k'.repeat(256))
        .send(paymentBody())
        .expect(400);
      expect(body.errors).toEqual([expect.objectContaining({ field: 'Idempotency-Key' })]);
    });
  });

  describe('request id', () => {
    it('should echo a valid X-Request-Id and replace an unsafe one', async () => {
      const kept = await request(app.getHttpServer())
        .get('/health/live')
        .set('X-Request-Id', 'abc.DEF_123-x')
        .expect(200);
      expect(kept.headers['x-request-id']).toBe('abc.DEF_123-x');
      const replaced = await request(app.getHttpServer())
        .get('/health/live')
        .set('X-Request-Id', 'bad id\u00e9')
        .expect(200);
      expect(replaced.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    });
  });

  describe('errors', () => {
    it('should answer an unknown route with a 404 problem', async () => {
      const { body, headers } = await request(app.getHttpServer()).get('/v1/nothing-here').set(auth).expect(404);
      expect(headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(body).toMatchObject({ code: 'not_found', status: 404 });
    });

    it('should answer a body over the limit with a 413 problem', async () => {
      const { body } = await request(app.getHttpServer())
        .post('/v1/payments')
        .set(auth)
        .send({ ...paymentBody(), description: 'x'.repeat(200_000) })
        .expect(413);
      expect(body.code).toBe('payload_too_large');
    });
  });

  describe('health', () => {
    it('should report live and ready without authentication', async () => {
      await request(app.getHttpServer()).get('/health/live').expect(200, { status: 'ok' });
      await request(app.getHttpServer()).get('/health/ready').expect(200, { status: 'ok', database: 'up' });
    });

    it('should report not ready (503 problem+json) while the database does not answer, while staying live', async () => {
      // The app cannot boot without its database (webhook endpoint bootstrap): the outage starts after boot.
      jest.spyOn(app.get(Database), 'query').mockRejectedValueOnce(new Error('connect ECONNREFUSED'));
      const res = await request(app.getHttpServer()).get('/health/ready').expect(503);
      expect(res.body).toMatchObject({ code: 'service_unavailable', status: 503 });
      await request(app.getHttpServer()).get('/health/live').expect(200, { status: 'ok' });
      await request(app.getHttpServer()).get('/health/ready').expect(200, { status: 'ok', database: 'up' });
    });
  });

  describe('OpenAPI', () => {
    it('should document every endpoint, the api-key scheme and the webhook payload', async () => {
      const { body } = await request(app.getHttpServer()).get('/docs-json').expect(200);
      expect(Object.keys(body.paths)).toEqual(
        expect.arrayContaining([
          '/v1/payments',
          '/v1/payments/{id}',
          '/v1/payments/{id}/refunds',
          '/v1/refunds/{id}',
          '/v1/events',
          '/v1/events/{id}',
          '/v1/events/{id}/redeliver',
          '/v1/webhook-endpoints',
          '/v1/webhook-deliveries',
          '/v1/webhook-deliveries/redeliver',
          '/health/live',
          '/health/ready',
        ]),
      );
      expect(body.components.securitySchemes['api-key']).toMatchObject({ type: 'http', scheme: 'bearer' });
      expect(body.components.schemas).toHaveProperty('PaymentEventPayload');
      expect(body.components.schemas).toHaveProperty('RefundEventData');
      expect(body.components.schemas.PaymentResponse.properties).toHaveProperty('amountRefunded');
      expect(Object.keys(body.paths['/v1/payments/{id}/refunds'])).toEqual(expect.arrayContaining(['post', 'get']));
      expect(body.paths['/v1/payments/{id}/refunds'].post.responses).toHaveProperty('409');
      expect(body.info.description).toContain('pm_card_insufficient_funds');
      expect(body.info.description).toContain('pm_card_refund_fail');
    });

    it('should serve Swagger UI', async () => {
      const { text, headers } = await request(app.getHttpServer()).get('/docs').expect(200);
      expect(text).toContain('swagger-ui');
      expect(headers['content-security-policy']).toContain("default-src 'self'");
    });

    it('should keep the demo key out of the OpenAPI document when demo mode is off (the default)', async () => {
      const { text } = await request(app.getHttpServer()).get('/docs-json').expect(200);
      expect(text).not.toContain(DEMO_API_KEY);
    });

    it("should serve Swagger UI under a CSP whose scripts are the service's own, with no inline script", async () => {
      const page = await request(app.getHttpServer()).get('/docs').expect(200);
      const scriptSrc = String(page.headers['content-security-policy'])
        .split(';')
        .find((directive) => directive.startsWith('script-src '));
      expect(scriptSrc).toBe("script-src 'self'");
      const scripts = page.text.match(/<script[^>]*>/g) ?? [];
      expect(scripts.length).toBeGreaterThan(0);
      for (const tag of scripts) expect(tag).toMatch(/\ssrc=/);
    });
  });
});

describe('Demo mode and logs (e2e)', () => {
  it('should name the demo key in the OpenAPI document with DEMO_MODE=true', async () => {
    const app = await startTestApp({ WORKERS_ENABLED: 'false', DEMO_MODE: 'true' });
    try {
      const { body } = await request(app.getHttpServer()).get('/docs-json').expect(200);
      expect(body.info.description).toContain(DEMO_API_KEY);
    } finally {
      await app.close();
    }
  });

  it('should redact an API key sent in an X-Api-Key header or in the query string', async () => {
    const lines: string[] = [];
    const app = await startTestApp(
      { WORKERS_ENABLED: 'false', LOG_LEVEL: 'info' },
      { write: (line) => lines.push(line) },
    );
    try {
      await request(app.getHttpServer()).get('/v1/payments?limit=2&api_key=sk_leaked_in_query').expect(401);
      await request(app.getHttpServer()).get('/v1/payments?apiKey=sk_leaked_camel').expect(401);
      await request(app.getHttpServer()).get('/v1/payments').set('X-Api-Key', 'sk_leaked_in_header').expect(401);
      await request(app.getHttpServer()).get('/v1/payments?key=sk_leaked_with_bearer').set(auth).expect(400);
    } finally {
      await app.close();
    }
    const log = lines.join('');
    expect(log).not.toContain('leaked');
    expect(log).not.toContain(API_KEY);
    const urls = lines.map((line) => JSON.parse(line) as { req?: { url?: string } }).flatMap((l) => l.req?.url ?? []);
    expect(urls).toEqual(
      expect.arrayContaining([
        '/v1/payments?limit=2&api_key=[redacted]',
        '/v1/payments?apiKey=[redacted]',
        '/v1/payments?key=[redacted]',
      ]),
    );
  });
});

describe('Rate limits (e2e)', () => {
  it('should give each API key its own budget: the calling service at its limit does not limit another key', async () => {
    const app = await startTestApp({ WORKERS_ENABLED: 'false', RATE_LIMIT_PER_MINUTE: '2' });
    try {
      for (let i = 0; i < 2; i += 1) await request(app.getHttpServer()).get('/v1/payments').set(auth).expect(200);
      const limited = await request(app.getHttpServer()).get('/v1/payments').set(auth).expect(429);
      expect(limited.body).toMatchObject({ code: 'rate_limited', status: 429 });
      await request(app.getHttpServer())
        .get('/v1/payments')
        .set('Authorization', 'Bearer sk_test_key_0002')
        .expect(200);
    } finally {
      await app.close();
    }
  });

  it('should limit failed authentication per address: past the limit even a valid key gets 429 from there', async () => {
    const app = await startTestApp({ WORKERS_ENABLED: 'false', AUTH_FAILURES_PER_MINUTE: '3' });
    try {
      for (let i = 0; i < 3; i += 1)
        await request(app.getHttpServer()).get('/v1/payments').set('Authorization', `Bearer sk_guess_${i}`).expect(401);
      const guess = await request(app.getHttpServer())
        .get('/v1/payments')
        .set('Authorization', 'Bearer sk_guess_3')
        .expect(429);
      expect(guess.body).toMatchObject({ code: 'rate_limited', status: 429 });
      await request(app.getHttpServer()).get('/v1/payments').set(auth).expect(429);
      await request(app.getHttpServer()).get('/health/live').expect(200);
    } finally {
      await app.close();
    }
  });

  it.each([
    ['no key', {}],
    ['a malformed Authorization header', { Authorization: 'Bearer' }],
    ['a non-bearer scheme', { Authorization: `Basic ${API_KEY}` }],
    ['a key in X-Api-Key instead of Authorization', { 'X-Api-Key': API_KEY }],
    ['an unknown key', { Authorization: 'Bearer sk_guess' }],
  ])('should count %s as a failed authentication', async (_label, headers) => {
    const app = await startTestApp({ WORKERS_ENABLED: 'false', AUTH_FAILURES_PER_MINUTE: '2' });
    try {
      for (let i = 0; i < 2; i += 1) await request(app.getHttpServer()).get('/v1/payments').set(headers).expect(401);
      const limited = await request(app.getHttpServer()).get('/v1/payments').set(headers).expect(429);
      expect(limited.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(limited.body).toMatchObject({ code: 'rate_limited', status: 429 });
      expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
    } finally {
      await app.close();
    }
  });

  it('should not let a client escape the failed-authentication limit with a made-up X-Forwarded-For', async () => {
    const app = await startTestApp({ WORKERS_ENABLED: 'false', AUTH_FAILURES_PER_MINUTE: '3' });
    try {
      const statusOf = async (key: string, forwardedFor: string) =>
        (
          await request(app.getHttpServer())
            .get('/v1/payments')
            .set({ Authorization: `Bearer ${key}`, 'X-Forwarded-For': forwardedFor })
        ).status;
      for (let i = 0; i < 3; i += 1) expect(await statusOf(`sk_guess_${i}`, `203.0.113.${i}`)).toBe(401);
      for (let i = 3; i < 8; i += 1) {
        expect(await statusOf(`sk_guess_${i}`, `198.51.100.${i}`)).toBe(429);
        expect(await statusOf(API_KEY, `198.51.100.${i}`)).toBe(429);
      }
    } finally {
      await app.close();
    }
  });

  it('should limit the address a TRUSTED_PROXIES proxy reports, and only that one', async () => {
    const app = await startTestApp({
      WORKERS_ENABLED: 'false',
      AUTH_FAILURES_PER_MINUTE: '3',
      TRUSTED_PROXIES: '127.0.0.1',
    });
    try {
      const statusOf = async (key: string, forwardedFor: string) =>
        (
          await request(app.getHttpServer())
            .get('/v1/payments')
            .set({ Authorization: `Bearer ${key}`, 'X-Forwarded-For': forwardedFor })
        ).status;
      for (let i = 0; i < 3; i += 1) expect(await statusOf(`sk_guess_${i}`, '203.0.113.7')).toBe(401);
      expect(await statusOf(API_KEY, '203.0.113.7')).toBe(429);
      expect(await statusOf(API_KEY, '203.0.113.8')).toBe(200);
      expect(await statusOf(API_KEY, '198.51.100.1, 203.0.113.7')).toBe(429);
    } finally {
      await app.close();
    }
  });

  it('should refuse to start with a TRUSTED_PROXIES entry that is no address or range', async () => {
    await expect(startTestApp({ WORKERS_ENABLED: 'false', TRUSTED_PROXIES: '10.0.0.0/8,everyone' })).rejects.toThrow(
      /TRUSTED_PROXIES/,
    );
  });
});
