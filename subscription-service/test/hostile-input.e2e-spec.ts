import { AddressInfo, connect } from 'node:net';
import request from 'supertest';
import { createPlan, createUser, TestUser } from './support/factories';
import { subscribe } from './support/flows';
import { createTestApp, resetDatabase, TEST_ADMIN_KEY, TestApp } from './support/test-app';
import { paymentEvent, signedHeaders } from './support/webhooks';

// Inputs an attacker test (issue 11) answered with 500: each must be a clear 4xx problem+json that changes nothing.
const admin = { Authorization: `Bearer ${TEST_ADMIN_KEY}` };
const deepArray = '['.repeat(10_000) + ']'.repeat(10_000);
const deepObject = '{"a":'.repeat(5_000) + '1' + '}'.repeat(5_000);

function expectProblem(res: request.Response, status: number, code: string): void {
  expect(res.status).toBe(status);
  expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
  expect(res.headers['x-request-id']).toBeTruthy();
  expect(res.headers['x-content-type-options']).toBe('nosniff');
  expect(res.body).toMatchObject({
    type: `https://errors.billing.example/${code}`,
    status,
    code,
    requestId: res.headers['x-request-id'],
  });
}

/** Sends raw bytes and returns the raw HTTP response (for what supertest cannot send). */
async function rawHttp(t: TestApp, text: string): Promise<string> {
  const server = t.app.getHttpServer();
  if (!server.listening) await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return new Promise((resolve, reject) => {
    let received = '';
    const socket = connect(port, '127.0.0.1', () => socket.write(text));
    socket.on('data', (chunk) => (received += chunk.toString('utf8')));
    socket.on('close', () => resolve(received));
    socket.on('error', reject);
  });
}

describe('hostile input (e2e)', () => {
  let t: TestApp;
  let user: TestUser;

  beforeAll(async () => {
    t = await createTestApp({ TEST_CLOCK_ENABLED: 'true' });
    await resetDatabase(t.prisma);
    user = await createUser(t.prisma, 'alice');
  });
  afterAll(() => t.close());

  describe('deeply nested JSON', () => {
    it.each([
      ['20 KB of [ then ]', deepArray],
      ['an object nested 5,000 levels', deepObject],
    ])('should refuse %s with 400 on a body route, creating nothing', async (_label, body) => {
      const before = await t.prisma.user.count();
      const res = await request(t.server)
        .post('/v1/users')
        .set(admin)
        .set('content-type', 'application/json')
        .send(body);
      expectProblem(res, 400, 'validation_failed');
      expect(res.body.errors).toEqual([{ field: 'body', message: 'must not nest deeper than 32 levels' }]);
      expect(await t.prisma.user.count()).toBe(before);
    });

    it('should refuse it on the webhook route too: unsigned with 401 before any parsing, signed with 400', async () => {
      const unsigned = await request(t.server)
        .post('/v1/webhooks/payments')
        .set('content-type', 'application/json')
        .send(deepObject);
      expectProblem(unsigned, 401, 'invalid_signature');

      const signed = await request(t.server)
        .post('/v1/webhooks/payments')
        .set('content-type', 'application/json')
        .set(signedHeaders('msg_deep', deepObject, Math.floor(t.clock.now().getTime() / 1000)))
        .send(deepObject);
      // Only a body the sender signed is parsed (JSON.parse, which does not recurse), and the event's fields are read
      // at the top levels only: the missing id and type are what is wrong with it.
      expectProblem(signed, 400, 'validation_failed');
      expect(signed.body.errors).toEqual([{ field: 'body', message: 'id and type are required' }]);
      expect(await t.prisma.inboundWebhookEvent.count()).toBe(0);
    });

    it('should let a body nested up to the limit through to validation', async () => {
      const nested = '['.repeat(31) + ']'.repeat(31);
      const res = await request(t.server)
        .post('/v1/users')
        .set(admin)
        .set('Idempotency-Key', 'nesting-limit')
        .send({ email: 'nested@example.com', name: 'Nested', extra: JSON.parse(nested) });
      expectProblem(res, 400, 'validation_failed');
      expect(res.body.errors).toEqual([{ field: 'extra', message: 'property extra should not exist' }]);
    });
  });

  describe('U+0000 and lone surrogates', () => {
    it('should refuse NUL in a user name with a field error, creating nothing', async () => {
      const res = await request(t.server)
        .post('/v1/users')
        .set(admin)
        .send({ email: 'nul@example.com', name: 'Ca\u0000rol' });
      expectProblem(res, 400, 'validation_failed');
      expect(res.body.errors).toEqual([
        { field: 'name', message: 'name must not contain a NUL character (U+0000) or an unpaired UTF-16 surrogate' },
      ]);
      expect(await t.prisma.user.count({ where: { email: 'nul@example.com' } })).toBe(0);
    });

    it('should refuse NUL in a plan description', async () => {
      const res = await request(t.server).post('/v1/plans').set(admin).send({
        code: 'nul-plan',
        name: 'Nul',
        description: 'a\u0000b',
        amount: 100,
        currency: 'USD',
        interval: 'month',
      });
      expectProblem(res, 400, 'validation_failed');
      expect(res.body.errors).toEqual([expect.objectContaining({ field: 'description' })]);
      expect(await t.prisma.plan.count({ where: { code: 'nul-plan' } })).toBe(0);
    });

    it('should refuse NUL in a cancellation reason, leaving the subscription as it was', async () => {
      const owner = await createUser(t.prisma, 'canceler');
      const plan = await createPlan(t.prisma);
      const sub = await subscribe(t, owner.auth, plan.id);
      const res = await request(t.server)
        .post(`/v1/subscriptions/${sub.id}/cancel`)
        .set(owner.auth)
        .send({ atPeriodEnd: false, reason: 'too\u0000expensive' });
      expectProblem(res, 400, 'validation_failed');
      expect(res.body.errors).toEqual([expect.objectContaining({ field: 'reason' })]);
      const row = await t.prisma.subscription.findUniqueOrThrow({ where: { id: sub.id } });
      expect(row).toMatchObject({ status: 'incomplete', canceledAt: null, cancellationReason: null });
    });

    it('should refuse a lone UTF-16 surrogate in an e-mail (it crashed the e-mail validator)', async () => {
      const created = await request(t.server).post('/v1/users').set(admin).send({ email: '\ud800', name: 'Surrogate' });
      expectProblem(created, 400, 'validation_failed');
      expect(created.body.errors).toEqual([expect.objectContaining({ field: 'email' })]);

      const updated = await request(t.server)
        .patch(`/v1/users/${user.user.id}`)
        .set(user.auth)
        .send({ email: 'x\udc00@example.com' });
      expectProblem(updated, 400, 'validation_failed');
      const row = await t.prisma.user.findUniqueOrThrow({ where: { id: user.user.id } });
      expect(row.email).toBe(user.user.email);
    });

    it('should refuse a signed webhook whose body holds NUL, recording nothing', async () => {
      const event = paymentEvent({ type: 'payment.failed', invoiceId: 'inv-1', amount: 100, currency: 'USD' });
      const body = JSON.stringify({ ...JSON.parse(event.body), type: 'payment.failed\u0000' });
      const res = await request(t.server)
        .post('/v1/webhooks/payments')
        .set(signedHeaders(event.id, body, Math.floor(t.clock.now().getTime() / 1000)))
        .send(body);
      expectProblem(res, 400, 'validation_failed');
      expect(await t.prisma.inboundWebhookEvent.count({ where: { id: event.id } })).toBe(0);
    });
  });

  describe('null for a field not documented nullable', () => {
    it.each([[{ name: null }], [{ email: null }]])('should refuse PATCH /v1/users/{self} %j', async (body) => {
      const res = await request(t.server).patch(`/v1/users/${user.user.id}`).set(user.auth).send(body);
      expectProblem(res, 400, 'validation_failed');
      const field = Object.keys(body)[0];
      expect(res.body.errors).toEqual([{ field, message: `${field} must not be null; leave it out instead` }]);
      const row = await t.prisma.user.findUniqueOrThrow({ where: { id: user.user.id } });
      expect(row).toMatchObject({ name: user.user.name, email: user.user.email });
    });

    it('should refuse a plan name of null but let a documented-nullable description be cleared', async () => {
      const plan = await t.prisma.plan.create({
        data: {
          code: 'nullable',
          name: 'Nullable',
          description: 'Old',
          amount: 100,
          currency: 'USD',
          interval: 'month',
        },
      });
      const refused = await request(t.server).patch(`/v1/plans/${plan.id}`).set(admin).send({ name: null });
      expectProblem(refused, 400, 'validation_failed');
      expect((await t.prisma.plan.findUniqueOrThrow({ where: { id: plan.id } })).name).toBe('Nullable');

      const cleared = await request(t.server).patch(`/v1/plans/${plan.id}`).set(admin).send({ description: null });
      expect(cleared.status).toBe(200);
      expect(cleared.body).toMatchObject({ name: 'Nullable', description: null });
    });

    it('should refuse a test clock advance of {"seconds": null}', async () => {
      const owner = await createUser(t.prisma, 'clock-null');
      const sub = await subscribe(t, owner.auth, (await createPlan(t.prisma)).id);
      const res = await request(t.server)
        .post(`/v1/subscriptions/${sub.id}/test-clock/advance`)
        .set(admin)
        .send({ seconds: null });
      expectProblem(res, 400, 'validation_failed');
      expect(res.body.errors).toEqual([expect.objectContaining({ field: 'seconds' })]);
    });
  });

  describe('test clock bounds', () => {
    const advance = (id: string, body: object) =>
      request(t.server).post(`/v1/subscriptions/${id}/test-clock/advance`).set(admin).send(body);

    it.each(['2026-W05', '2026-123', '20261127T000000Z', '2026-11-27T10:00:00,5Z', '2026-02-30T00:00:00Z'])(
      'should refuse `to` %s: ISO 8601, but not an RFC 3339 date-time JavaScript parses',
      async (to) => {
        const owner = await createUser(t.prisma, 'clock-iso');
        const sub = await subscribe(t, owner.auth, (await createPlan(t.prisma)).id);
        const res = await advance(sub.id, { to });
        expectProblem(res, 400, 'validation_failed');
        expect(res.body.errors).toEqual([
          { field: 'to', message: 'to must be an RFC 3339 date-time such as 2026-11-27T10:00:00Z' },
        ]);
        expect((await t.prisma.subscription.findUniqueOrThrow({ where: { id: sub.id } })).clockOffsetSeconds).toBe(0);
      },
    );

    it('should refuse `to` 2099-01-01T00:00:00Z: the offset would overflow its 32-bit column', async () => {
      const owner = await createUser(t.prisma, 'clock-2099');
      const sub = await subscribe(t, owner.auth, (await createPlan(t.prisma)).id);
      const res = await advance(sub.id, { to: '2099-01-01T00:00:00Z' });
      expectProblem(res, 400, 'validation_failed');
      expect(res.body.errors).toEqual([expect.objectContaining({ field: 'to' })]);
      expect((await t.prisma.subscription.findUniqueOrThrow({ where: { id: sub.id } })).clockOffsetSeconds).toBe(0);
    });

    it('should refuse a seventh advance of 315360000 seconds, keeping the six before it', async () => {
      const owner = await createUser(t.prisma, 'clock-7x');
      const sub = await subscribe(t, owner.auth, (await createPlan(t.prisma)).id);
      for (let i = 0; i < 6; i += 1) expect((await advance(sub.id, { seconds: 315_360_000 })).status).toBe(200);
      const res = await advance(sub.id, { seconds: 315_360_000 });
      expectProblem(res, 400, 'validation_failed');
      expect(res.body.errors).toEqual([expect.objectContaining({ field: 'seconds' })]);
      const row = await t.prisma.subscription.findUniqueOrThrow({ where: { id: sub.id } });
      expect(row.clockOffsetSeconds).toBe(6 * 315_360_000);
    });
  });

  describe('signed webhooks with values past their columns', () => {
    const deliver = (id: string, body: string) =>
      request(t.server)
        .post('/v1/webhooks/payments')
        .set(signedHeaders(id, body, Math.floor(t.clock.now().getTime() / 1000)))
        .send(body);

    it.each([
      ['3000000000', 3_000_000_000],
      ['1e300', 1e300],
    ])('should answer 400 (not 500, which the sender would retry) for sequence %s', async (_label, sequence) => {
      const event = paymentEvent({
        type: 'payment.failed',
        invoiceId: 'inv-1',
        amount: 100,
        currency: 'USD',
        sequence,
      });
      const res = await deliver(event.id, event.body);
      expectProblem(res, 400, 'validation_failed');
      expect(res.body.errors).toEqual([{ field: 'body', message: 'sequence must be an integer from 0 to 2147483647' }]);
      expect(await t.prisma.inboundWebhookEvent.count({ where: { id: event.id } })).toBe(0);
    });

    it('should answer 400 for a 10 KB webhook-id', async () => {
      const id = 'w'.repeat(10 * 1024);
      const event = paymentEvent({
        type: 'payment.failed',
        invoiceId: 'inv-1',
        amount: 100,
        currency: 'USD',
        eventId: id,
      });
      const res = await deliver(id, event.body);
      expectProblem(res, 400, 'validation_failed');
      expect(res.body.errors).toEqual([
        { field: 'webhook-id', message: 'webhook-id must be 1 to 256 characters of A-Z a-z 0-9 _ . : -' },
      ]);
      expect(await t.prisma.inboundWebhookEvent.count()).toBe(0);
    });
  });

  describe('errors Fastify answers before Nest', () => {
    it('should answer a path parameter over 100 characters with a 414 problem that does not echo the URL', async () => {
      const res = await request(t.server)
        .get(`/v1/plans/${'<b>'.repeat(40)}`)
        .set(admin);
      expectProblem(res, 414, 'uri_too_long');
      expect(res.body.title).toBe('URI too long');
      expect(res.headers['content-security-policy']).toBeDefined();
      expect(res.text).not.toContain('<b>');
    });

    it('should answer bad percent-encoding in the URL with a 400 bad_request problem', async () => {
      const res = await request(t.server).get('/v1/plans/%E0%A4%A').set(admin);
      expectProblem(res, 400, 'bad_request');
      expect(res.text).not.toContain('%E0');
    });

    it('should answer a body that is not JSON with malformed_json, never echoing it', async () => {
      const res = await request(t.server)
        .post('/v1/plans')
        .set(admin)
        .set('content-type', 'application/json')
        .send('{"code":<script>');
      expectProblem(res, 400, 'malformed_json');
      expect(res.body).toMatchObject({
        title: 'Bad request',
        detail: 'The request body is not valid JSON (RFC 8259).',
      });
    });

    it('should answer an unsupported content type with a 415 problem that does not echo it', async () => {
      const res = await request(t.server).post('/v1/plans').set(admin).set('content-type', 'text/x-evil').send('x');
      expectProblem(res, 415, 'unsupported_media_type');
      expect(res.text).not.toContain('x-evil');
    });

    it('should answer headers over 16 KiB with a 431 problem, request id and security headers', async () => {
      const response = await rawHttp(
        t,
        `GET /health/live HTTP/1.1\r\nHost: localhost\r\nX-Padding: ${'a'.repeat(20_000)}\r\n\r\n`,
      );
      const [head, body] = response.split('\r\n\r\n');
      expect(head).toMatch(/^HTTP\/1\.1 431 /);
      expect(head).toMatch(/\r\ncontent-type: application\/problem\+json/i);
      expect(head).toMatch(/\r\nx-content-type-options: nosniff/i);
      const requestId = /\r\nx-request-id: ([0-9a-f-]{36})/i.exec(head)?.[1];
      expect(JSON.parse(body)).toEqual({
        type: 'https://errors.billing.example/header_fields_too_large',
        title: 'Request header fields too large',
        status: 431,
        detail: 'The request headers are larger than this service accepts.',
        code: 'header_fields_too_large',
        requestId,
      });
    });
  });
});
