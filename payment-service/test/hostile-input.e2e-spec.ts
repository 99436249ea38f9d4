import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { randomUUID } from 'node:crypto';
import { AddressInfo, connect } from 'node:net';
import request from 'supertest';
import { auth, startTestApp } from './support/test-app';

// Inputs an attacker test (issue 11) answered with 500: each must be a clear 4xx problem+json that changes nothing.
const deepArray = '['.repeat(10_000) + ']'.repeat(10_000);
const deepObject = '{"a":'.repeat(5_000) + '1' + '}'.repeat(5_000);
const UNSTORABLE = 'must not contain a NUL character (U+0000) or an unpaired UTF-16 surrogate';

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

describe('Hostile input (e2e)', () => {
  let app: NestFastifyApplication;
  const server = () => app.getHttpServer();
  const payment = () => ({
    amount: 4200,
    currency: 'USD',
    merchantReference: randomUUID(),
    customerReference: randomUUID(),
    paymentMethod: 'pm_card_visa',
  });
  const paymentsOf = async (customerReference: string) =>
    (await request(server()).get('/v1/payments').query({ customerReference }).set(auth).expect(200)).body.data;

  /** Sends raw bytes and returns the raw HTTP response (for what supertest cannot send). */
  async function rawHttp(text: string): Promise<string> {
    const http = server();
    if (!http.listening) await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
    const { port } = http.address() as AddressInfo;
    return new Promise((resolve, reject) => {
      let received = '';
      const socket = connect(port, '127.0.0.1', () => socket.write(text));
      socket.on('data', (chunk) => (received += chunk.toString('utf8')));
      socket.on('close', () => resolve(received));
      socket.on('error', reject);
    });
  }

  beforeAll(async () => {
    app = await startTestApp({ WORKERS_ENABLED: 'false' });
  });
  afterAll(() => app.close());

  describe('deeply nested JSON', () => {
    it.each([
      ['20 KB of [ then ]', deepArray],
      ['an object nested 5,000 levels', deepObject],
    ])('should refuse %s with 400 before validation', async (_label, body) => {
      const res = await request(server())
        .post('/v1/payments')
        .set(auth)
        .set('content-type', 'application/json')
        .send(body);
      expectProblem(res, 400, 'validation_failed');
      expect(res.body.errors).toEqual([{ field: 'body', message: 'must not nest deeper than 32 levels' }]);
    });

    it('should refuse refund metadata nested 5,000 levels, refunding nothing', async () => {
      const created = await request(server()).post('/v1/payments').set(auth).send(payment()).expect(202);
      const res = await request(server())
        .post(`/v1/payments/${created.body.id}/refunds`)
        .set(auth)
        .set('content-type', 'application/json')
        .send(`{"metadata":${deepObject}}`);
      expectProblem(res, 400, 'validation_failed');
      const refunds = await request(server()).get(`/v1/payments/${created.body.id}/refunds`).set(auth).expect(200);
      expect(refunds.body.data).toEqual([]);
    });
  });

  describe('U+0000 and lone surrogates', () => {
    it.each([
      ['merchantReference', { merchantReference: 'inv\u0000' }, 'merchantReference'],
      ['description', { description: 'Pro\u0000' }, 'description'],
      ['a metadata value', { metadata: { note: 'a\u0000b' } }, 'metadata.note'],
      ['a metadata key', { metadata: { 'no\u0000te': 'x' } }, 'metadata'],
      ['a lone surrogate in a metadata value', { metadata: { note: '\ud800' } }, 'metadata.note'],
    ])('should refuse %s with a field error, creating nothing', async (_label, override, field) => {
      const body = { ...payment(), ...override };
      const res = await request(server()).post('/v1/payments').set(auth).send(body);
      expectProblem(res, 400, 'validation_failed');
      expect(res.body.errors).toEqual([{ field, message: `${field} ${UNSTORABLE}` }]);
      expect(await paymentsOf(body.customerReference)).toEqual([]);
    });

    it('should refuse NUL in refund metadata', async () => {
      const created = await request(server()).post('/v1/payments').set(auth).send(payment()).expect(202);
      const res = await request(server())
        .post(`/v1/payments/${created.body.id}/refunds`)
        .set(auth)
        .send({ metadata: { reason: '\u0000' } });
      expectProblem(res, 400, 'validation_failed');
      expect(res.body.errors).toEqual([{ field: 'metadata.reason', message: `metadata.reason ${UNSTORABLE}` }]);
    });

    it('should refuse ?merchantReference=%00 in a query', async () => {
      const res = await request(server()).get('/v1/payments?merchantReference=%00').set(auth);
      expectProblem(res, 400, 'validation_failed');
      expect(res.body.errors).toEqual([{ field: 'merchantReference', message: `merchantReference ${UNSTORABLE}` }]);
    });

    it('should refuse NUL in a path parameter', async () => {
      const res = await request(server()).get('/v1/payments/%00').set(auth);
      expectProblem(res, 400, 'validation_failed');
      expect(res.body.errors).toEqual([{ field: 'id', message: `id ${UNSTORABLE}` }]);
    });
  });

  describe('null for a field not documented nullable', () => {
    it('should refuse {"description": null} in a payment, creating nothing', async () => {
      const body = { ...payment(), description: null };
      const res = await request(server()).post('/v1/payments').set(auth).send(body);
      expectProblem(res, 400, 'validation_failed');
      expect(res.body.errors).toEqual([
        { field: 'description', message: 'description must not be null; leave it out instead' },
      ]);
      expect(await paymentsOf(body.customerReference)).toEqual([]);
    });
  });

  describe('dates ISO 8601 allows but JavaScript cannot parse', () => {
    const rfc3339 = { field: 'since', message: 'since must be an RFC 3339 date-time such as 2026-11-27T10:00:00Z' };

    it.each(['2026-W05', '2026-123', '20261127T000000Z', '2026-11-27T10:00:00,5Z', '2026-02-30T00:00:00Z'])(
      'should refuse since=%s in the dead-letter list',
      async (since) => {
        const res = await request(server()).get('/v1/webhook-deliveries').query({ since }).set(auth);
        expectProblem(res, 400, 'validation_failed');
        expect(res.body.errors).toEqual([rfc3339]);
      },
    );

    it.each(['2026-W05', '2026-123', '20261127T000000Z', '2026-11-27T10:00:00,5Z', '9999-12-31T23:59:59-23:59'])(
      'should refuse since %s in a bulk redelivery',
      async (since) => {
        const res = await request(server())
          .post('/v1/webhook-deliveries/redeliver')
          .set(auth)
          .send({ status: 'failed', since });
        expectProblem(res, 400, 'validation_failed');
        expect(res.body.errors).toEqual([rfc3339]);
      },
    );

    it('should accept RFC 3339 date-times with an offset or lower-case t and z', async () => {
      for (const since of ['2026-11-27T10:00:00+01:00', '2026-11-27t10:00:00.5z']) {
        await request(server()).get('/v1/webhook-deliveries').query({ since }).set(auth).expect(200);
      }
    });
  });

  describe('errors Fastify answers before Nest', () => {
    it('should answer a path parameter over 100 characters with a 414 problem that does not echo the URL', async () => {
      const res = await request(server())
        .get(`/v1/payments/${'<b>'.repeat(40)}`)
        .set(auth);
      expectProblem(res, 414, 'uri_too_long');
      expect(res.body).toMatchObject({
        title: 'URI too long',
        detail: 'A path segment is longer than 100 characters.',
      });
      expect(res.headers['content-security-policy']).toBeDefined();
      expect(res.text).not.toContain('<b>');
    });

    it('should answer bad percent-encoding in the URL with a 400 bad_request problem', async () => {
      const res = await request(server()).get('/v1/payments/%E0%A4%A').set(auth);
      expectProblem(res, 400, 'bad_request');
      expect(res.text).not.toContain('%E0');
    });

    it('should answer an empty JSON body with malformed_json, as any body the parser refuses', async () => {
      const res = await request(server())
        .post('/v1/payments')
        .set(auth)
        .set('content-type', 'application/json')
        .send('');
      expectProblem(res, 400, 'malformed_json');
      expect(res.body).toMatchObject({
        title: 'Bad request',
        detail: 'The request body is not valid JSON (RFC 8259).',
      });
    });

    it('should answer an unknown route with a fixed 404 detail, not the method and path', async () => {
      const res = await request(server()).put('/v1/payments/<script>').set(auth).send({});
      expectProblem(res, 404, 'not_found');
      expect(res.body).toMatchObject({ title: 'Not found', detail: 'No such route.' });
    });

    it('should answer headers over 16 KiB with a 431 problem, request id and security headers', async () => {
      const response = await rawHttp(
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

    it('should answer a malformed request line with a 400 bad_request problem', async () => {
      const response = await rawHttp('GET /health/live HTTP/1.1\r\nHost: localhost\r\nBad Header Line\r\n\r\n');
      expect(response).toMatch(/^HTTP\/1\.1 400 /);
      expect(JSON.parse(response.split('\r\n\r\n')[1])).toMatchObject({ status: 400, code: 'bad_request' });
    });
  });
});
