import request from 'supertest';
import { createUser } from './support/factories';
import { createTestApp, resetDatabase, TEST_ADMIN_KEY, TestApp } from './support/test-app';

describe('platform (e2e)', () => {
  let t: TestApp;
  const admin = { Authorization: `Bearer ${TEST_ADMIN_KEY}` };

  beforeAll(async () => {
    t = await createTestApp();
    await resetDatabase(t.prisma);
  });
  afterAll(() => t.close());

  describe('health', () => {
    it('should answer live and ready without a key', async () => {
      await request(t.server).get('/health/live').expect(200, { status: 'ok' });
      await request(t.server).get('/health/ready').expect(200, { status: 'ok', database: 'up' });
    });
  });

  describe('request id', () => {
    it('should echo a valid X-Request-Id and put it in problem bodies', async () => {
      const res = await request(t.server).get('/v1/plans').set('X-Request-Id', 'client-req.42_x').expect(401);
      expect(res.headers['x-request-id']).toBe('client-req.42_x');
      expect(res.body.requestId).toBe('client-req.42_x');
    });

    it('should replace an unsafe X-Request-Id with a UUID', async () => {
      const res = await request(t.server).get('/health/live').set('X-Request-Id', 'bad id with spaces').expect(200);
      expect(res.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    });
  });

  describe('authentication', () => {
    it.each([
      ['no header', {}],
      ['an unknown key', { Authorization: 'Bearer sk_nope' }],
      ['a non-bearer scheme', { Authorization: `Basic ${TEST_ADMIN_KEY}` }],
    ])('should answer 401 problem+json for %s', async (_label, headers) => {
      const res = await request(t.server).get('/v1/plans').set(headers).expect(401);
      expect(res.headers['content-type']).toContain('application/problem+json');
      expect(res.body).toMatchObject({
        type: 'https://errors.billing.example/unauthorized',
        status: 401,
        code: 'unauthorized',
      });
    });

    it('should accept every configured admin key', async () => {
      await request(t.server).get('/v1/users').set({ Authorization: 'Bearer sk_admin_test_other' }).expect(200);
    });
  });

  describe('error mapping', () => {
    it('should answer an unknown route with a 404 problem', async () => {
      const res = await request(t.server).get('/v1/nothing-here').set(admin).expect(404);
      expect(res.body).toMatchObject({ code: 'not_found', status: 404 });
      expect(res.body.requestId).toBeDefined();
    });

    it('should answer malformed JSON with a 400 problem', async () => {
      const res = await request(t.server)
        .post('/v1/plans')
        .set(admin)
        .set('content-type', 'application/json')
        .send('{"code":')
        .expect(400);
      expect(res.body).toMatchObject({ code: 'malformed_json', status: 400 });
    });

    it('should answer a body over 1 MiB with 413', async () => {
      const res = await request(t.server)
        .post('/v1/plans')
        .set(admin)
        .set('content-type', 'application/json')
        .send(JSON.stringify({ name: 'x'.repeat(1024 * 1024 + 10) }))
        .expect(413);
      expect(res.body).toMatchObject({ code: 'payload_too_large' });
    });

    it('should answer a malformed path id with 400 validation_failed', async () => {
      const res = await request(t.server).get('/v1/plans/not-a-uuid').set(admin).expect(400);
      expect(res.body.code).toBe('validation_failed');
    });
  });

  describe('docs', () => {
    it('should serve Swagger UI and an OpenAPI document with the api-key bearer scheme', async () => {
      const html = await request(t.server).get('/docs').expect(200);
      expect(html.text).toContain('swagger-ui');
      const doc = await request(t.server).get('/docs-json').expect(200);
      expect(doc.body.components.securitySchemes['api-key']).toMatchObject({ type: 'http', scheme: 'bearer' });
      expect(Object.keys(doc.body.paths)).toEqual(
        expect.arrayContaining([
          '/v1/users',
          '/v1/me',
          '/v1/plans/{id}/archive',
          '/v1/subscriptions',
          '/v1/subscriptions/{id}/change-plan',
          '/v1/subscriptions/{id}/cancel',
          '/v1/subscriptions/{id}/resume',
          '/v1/subscriptions/{id}/history',
          '/v1/invoices/{id}',
          '/v1/webhooks/payments',
        ]),
      );
      const webhook = doc.body.paths['/v1/webhooks/payments'].post;
      expect(webhook.parameters.map((p: { name: string }) => p.name)).toEqual(
        expect.arrayContaining(['webhook-id', 'webhook-timestamp', 'webhook-signature']),
      );
    });
  });
});

describe('platform limits and outages (e2e)', () => {
  it('should answer 429 problem+json past the rate limit but never throttle the webhook route', async () => {
    const t = await createTestApp({ RATE_LIMIT_PER_MINUTE: '3' });
    try {
      const admin = { Authorization: `Bearer ${TEST_ADMIN_KEY}` };
      for (let i = 0; i < 3; i += 1) await request(t.server).get('/v1/plans').set(admin).expect(200);
      const limited = await request(t.server).get('/v1/plans').set(admin).expect(429);
      expect(limited.body).toMatchObject({ code: 'rate_limited', status: 429 });
      for (let i = 0; i < 5; i += 1) {
        const webhook = await request(t.server)
          .post('/v1/webhooks/payments')
          .set('content-type', 'application/json')
          .send('{}');
        expect(webhook.status).toBe(401); // rejected for its signature, not throttled
      }
    } finally {
      await t.close();
    }
  });

  it('should give every caller its own budget: one user at its limit does not limit another', async () => {
    const t = await createTestApp({ RATE_LIMIT_PER_MINUTE: '2' });
    try {
      const [first, second] = [await createUser(t.prisma, 'first'), await createUser(t.prisma, 'second')];
      for (let i = 0; i < 2; i += 1) await request(t.server).get('/v1/plans').set(first.auth).expect(200);
      await request(t.server).get('/v1/plans').set(first.auth).expect(429);
      for (let i = 0; i < 2; i += 1) await request(t.server).get('/v1/plans').set(second.auth).expect(200);
    } finally {
      await t.close();
    }
  });

  it('should limit failed authentication per address: past the limit even a valid key gets 429 from there', async () => {
    const t = await createTestApp({ AUTH_FAILURES_PER_MINUTE: '3' });
    try {
      const admin = { Authorization: `Bearer ${TEST_ADMIN_KEY}` };
      for (let i = 0; i < 3; i += 1)
        await request(t.server)
          .get('/v1/plans')
          .set({ Authorization: `Bearer sk_guess_${i}` })
          .expect(401);
      const guess = await request(t.server).get('/v1/plans').set({ Authorization: 'Bearer sk_guess_3' }).expect(429);
      expect(guess.body).toMatchObject({ code: 'rate_limited', status: 429 });
      await request(t.server).get('/v1/plans').set(admin).expect(429);
      await request(t.server).get('/health/live').expect(200); // public routes are not behind the key check
    } finally {
      await t.close();
    }
  });

  it('should report not ready (503) when the database is unreachable, while staying live', async () => {
    const t = await createTestApp({ DATABASE_URL: 'postgresql://postgres@127.0.0.1:1/unreachable' });
    try {
      await request(t.server).get('/health/live').expect(200);
      const res = await request(t.server).get('/health/ready').expect(503);
      expect(res.body).toMatchObject({ code: 'service_unavailable', status: 503 });
    } finally {
      await t.close();
    }
  });
});
