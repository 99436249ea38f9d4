import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { DEMO_KEYS } from '../src/seed-ids';
import { createUser } from './support/factories';
import { createTestApp, resetDatabase, TEST_ADMIN_KEY, TestApp } from './support/test-app';
import { signedHeaders } from './support/webhooks';

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

    it('should answer a form-encoded body with 415: the API takes JSON', async () => {
      const res = await request(t.server)
        .post('/v1/plans')
        .set(admin)
        .set('content-type', 'application/x-www-form-urlencoded')
        .send('code=pro&name=Pro')
        .expect(415);
      expect(res.body).toMatchObject({ code: 'unsupported_media_type', status: 415 });
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

    it('should keep the demo keys out of the OpenAPI document when demo mode is off (the default)', async () => {
      const doc = await request(t.server).get('/docs-json').expect(200);
      for (const key of Object.values(DEMO_KEYS)) expect(doc.text).not.toContain(key);
      expect(doc.text).not.toMatch(/sk_[a-z]+_demo/);
    });

    it("should serve Swagger UI under a CSP whose scripts are the service's own, with no inline script", async () => {
      const page = await request(t.server).get('/docs').expect(200);
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

describe('demo mode (e2e)', () => {
  it('should name the demo keys in the OpenAPI document with DEMO_MODE=true', async () => {
    const t = await createTestApp({ DEMO_MODE: 'true' });
    try {
      const doc = await request(t.server).get('/docs-json').expect(200);
      expect(doc.body.info.description).toContain(DEMO_KEYS.admin);
      expect(doc.body.info.description).toContain(DEMO_KEYS.alice);
    } finally {
      await t.close();
    }
  });
});

describe('logs (e2e)', () => {
  it('should redact an API key sent in an X-Api-Key header or in the query string', async () => {
    const lines: string[] = [];
    const t = await createTestApp({ LOG_LEVEL: 'info' }, { write: (line: string) => lines.push(line) });
    try {
      await request(t.server).get('/v1/plans?limit=2&api_key=sk_live_leaked_in_query').expect(401);
      await request(t.server).get('/v1/plans?apiKey=sk_live_leaked_camel').expect(401);
      await request(t.server).get('/v1/plans').set('X-Api-Key', 'sk_live_leaked_in_header').expect(401);
      await request(t.server)
        .get('/v1/plans?key=sk_live_leaked_with_bearer')
        .set({ Authorization: `Bearer ${TEST_ADMIN_KEY}` })
        .expect(400); // an unknown query parameter
    } finally {
      await t.close();
    }
    const log = lines.join('');
    expect(log).not.toContain('leaked');
    expect(log).not.toContain(TEST_ADMIN_KEY);
    const urls = lines.map((line) => JSON.parse(line) as { req?: { url?: string } }).flatMap((l) => l.req?.url ?? []);
    expect(urls).toEqual(
      expect.arrayContaining([
        '/v1/plans?limit=2&api_key=[redacted]',
        '/v1/plans?apiKey=[redacted]',
        '/v1/plans?key=[redacted]',
      ]),
    );
  });
});

describe('platform limits and outages (e2e)', () => {
  it('should answer 429 problem+json with Retry-After past the rate limit; the webhook route has its own budget', async () => {
    const t = await createTestApp({ RATE_LIMIT_PER_MINUTE: '3' });
    try {
      const admin = { Authorization: `Bearer ${TEST_ADMIN_KEY}` };
      for (let i = 0; i < 3; i += 1) await request(t.server).get('/v1/plans').set(admin).expect(200);
      const limited = await request(t.server).get('/v1/plans').set(admin).expect(429);
      expect(limited.headers['content-type']).toContain('application/problem+json');
      expect(limited.body).toMatchObject({ code: 'rate_limited', status: 429 });
      expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
      for (let i = 0; i < 5; i += 1) {
        const webhook = await request(t.server)
          .post('/v1/webhooks/payments')
          .set('content-type', 'application/json')
          .send('{}');
        expect(webhook.status).toBe(401); // rejected for its signature, not by the API's per-caller limit
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

  it.each([
    ['no key', {}],
    ['a malformed Authorization header', { Authorization: 'Bearer' }],
    ['a non-bearer scheme', { Authorization: `Basic ${TEST_ADMIN_KEY}` }],
    ['a key in X-Api-Key instead of Authorization', { 'X-Api-Key': TEST_ADMIN_KEY }],
    ['an unknown key', { Authorization: 'Bearer sk_guess' }],
  ])('should count %s as a failed authentication', async (_label, headers) => {
    const t = await createTestApp({ AUTH_FAILURES_PER_MINUTE: '2' });
    try {
      for (let i = 0; i < 2; i += 1) await request(t.server).get('/v1/plans').set(headers).expect(401);
      const limited = await request(t.server).get('/v1/plans').set(headers).expect(429);
      expect(limited.headers['content-type']).toContain('application/problem+json');
      expect(limited.body).toMatchObject({ code: 'rate_limited', status: 429 });
      expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
    } finally {
      await t.close();
    }
  });

  it('should count a user key on an admin route (403) as a failed authentication', async () => {
    const t = await createTestApp({ AUTH_FAILURES_PER_MINUTE: '2' });
    try {
      const user = await createUser(t.prisma, 'prober');
      for (let i = 0; i < 2; i += 1) await request(t.server).get('/v1/users').set(user.auth).expect(403);
      await request(t.server).get('/v1/users').set(user.auth).expect(429);
    } finally {
      await t.close();
    }
  });

  it('should not let a client escape the failed-authentication limit with a made-up X-Forwarded-For', async () => {
    const t = await createTestApp({ AUTH_FAILURES_PER_MINUTE: '3' });
    try {
      for (let i = 0; i < 3; i += 1)
        await request(t.server)
          .get('/v1/plans')
          .set({ Authorization: `Bearer sk_guess_${i}`, 'X-Forwarded-For': `203.0.113.${i}` })
          .expect(401);
      for (let i = 3; i < 8; i += 1) {
        const spoofed = { 'X-Forwarded-For': `198.51.100.${i}` };
        await request(t.server)
          .get('/v1/plans')
          .set({ Authorization: `Bearer sk_guess_${i}`, ...spoofed })
          .expect(429);
        await request(t.server)
          .get('/v1/plans')
          .set({ Authorization: `Bearer ${TEST_ADMIN_KEY}`, ...spoofed })
          .expect(429);
      }
    } finally {
      await t.close();
    }
  });

  it('should limit the address a TRUSTED_PROXIES proxy reports, and only that one', async () => {
    const t = await createTestApp({ AUTH_FAILURES_PER_MINUTE: '3', TRUSTED_PROXIES: '127.0.0.1' });
    try {
      const from = (address: string) => ({ 'X-Forwarded-For': address });
      for (let i = 0; i < 3; i += 1)
        await request(t.server)
          .get('/v1/plans')
          .set({ Authorization: `Bearer sk_guess_${i}`, ...from('203.0.113.7') })
          .expect(401);
      await request(t.server)
        .get('/v1/plans')
        .set({ Authorization: `Bearer ${TEST_ADMIN_KEY}`, ...from('203.0.113.7') })
        .expect(429);
      // Another client behind the same proxy is not affected; a spoofed hop in front of the proxy changes nothing.
      await request(t.server)
        .get('/v1/plans')
        .set({ Authorization: `Bearer ${TEST_ADMIN_KEY}`, ...from('203.0.113.8') })
        .expect(200);
      await request(t.server)
        .get('/v1/plans')
        .set({ Authorization: `Bearer ${TEST_ADMIN_KEY}`, ...from('198.51.100.1, 203.0.113.7') })
        .expect(429);
    } finally {
      await t.close();
    }
  });

  it('should refuse to start with a TRUSTED_PROXIES entry that is no address or range', async () => {
    await expect(createTestApp({ TRUSTED_PROXIES: '127.0.0.1,everyone' })).rejects.toThrow(/TRUSTED_PROXIES/);
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

describe('webhook route limits (e2e)', () => {
  let t: TestApp;
  const webhook = () => request(t.server).post('/v1/webhooks/payments');
  const now = () => Math.floor(t.clock.now().getTime() / 1000);

  beforeAll(async () => {
    t = await createTestApp({ WEBHOOK_RATE_LIMIT_PER_MINUTE: '1000' });
  });
  afterAll(() => t.close());

  it('should refuse a body over 64 KiB with 413 before reading or checking it', async () => {
    const id = randomUUID();
    const body = JSON.stringify({ id, type: 'payment.succeeded', padding: 'x'.repeat(64 * 1024) });
    const res = await webhook()
      .set(signedHeaders(id, body, now()))
      .send(body)
      .expect(413);
    expect(res.headers['content-type']).toContain('application/problem+json');
    expect(res.body).toMatchObject({ code: 'payload_too_large', status: 413 });
    expect(await t.prisma.inboundWebhookEvent.findUnique({ where: { id } })).toBeNull();
  });

  it('should check the signature on the raw bytes before parsing them: unsigned malformed JSON is a 401', async () => {
    const res = await webhook().set('content-type', 'application/json').send('{"not json').expect(401);
    expect(res.body).toMatchObject({ code: 'invalid_signature', status: 401 });
    const id = randomUUID();
    const wronglySigned = await webhook()
      .set({ ...signedHeaders(id, '{"other":"bytes"}', now()) })
      .send('{"not json')
      .expect(401);
    expect(wronglySigned.body.code).toBe('invalid_signature');
  });

  it.each([
    ['an over-long webhook-id', { 'webhook-id': 'x'.repeat(257) }, 'webhook-id'],
    ['a webhook-id with spaces', { 'webhook-id': 'msg 1' }, 'webhook-id'],
    ['a non-numeric webhook-timestamp', { 'webhook-timestamp': '2026-03-10T12:00:00Z' }, 'webhook-timestamp'],
    ['a webhook-signature without a version', { 'webhook-signature': 'c2lnbmF0dXJl' }, 'webhook-signature'],
    [
      'an over-long webhook-signature',
      { 'webhook-signature': Array.from({ length: 30 }, () => `v1,${'A'.repeat(44)}`).join(' ') },
      'webhook-signature',
    ],
  ])('should answer 400 for %s, naming the header', async (_label, override, field) => {
    const id = randomUUID();
    const body = JSON.stringify({ id, type: 'payment.succeeded', sequence: 1, data: {} });
    const res = await webhook()
      .set({ ...signedHeaders(id, body, now()), ...override })
      .send(body)
      .expect(400);
    expect(res.headers['content-type']).toContain('application/problem+json');
    expect(res.body).toMatchObject({ code: 'validation_failed', errors: [expect.objectContaining({ field })] });
  });

  it('should answer 415 for a body that is not JSON', async () => {
    const id = randomUUID();
    const res = await webhook()
      .set({ ...signedHeaders(id, 'hello', now()), 'content-type': 'text/plain' })
      .send('hello');
    expect(res.status).toBe(415);
    expect(res.body).toMatchObject({ code: 'unsupported_media_type' });
  });
});

describe('webhook route rate limit (e2e)', () => {
  it('should limit deliveries per client address, a made-up X-Forwarded-For included', async () => {
    const t = await createTestApp({ WEBHOOK_RATE_LIMIT_PER_MINUTE: '3' });
    try {
      const deliver = (forwardedFor: string) =>
        request(t.server)
          .post('/v1/webhooks/payments')
          .set({ 'content-type': 'application/json', 'X-Forwarded-For': forwardedFor })
          .send('{}');
      for (let i = 0; i < 3; i += 1) expect((await deliver(`203.0.113.${i}`)).status).toBe(401);
      const limited = await deliver('198.51.100.9');
      expect(limited.status).toBe(429);
      expect(limited.headers['content-type']).toContain('application/problem+json');
      expect(limited.body).toMatchObject({ code: 'rate_limited' });
      expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
    } finally {
      await t.close();
    }
  });
});
