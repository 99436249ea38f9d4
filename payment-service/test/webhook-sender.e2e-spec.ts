import { createServer, IncomingHttpHeaders, Server } from 'node:http';
import { AddressInfo } from 'node:net';
import { AppConfig } from '../src/config/app-config';
import { verifyWebhookSignature } from '../src/webhooks/domain/webhook-signature';
import { WebhookSender } from '../src/webhooks/webhook-sender';
import { WEBHOOK_SECRET } from './support/test-app';

describe(WebhookSender.name, () => {
  let server: Server;
  let url: string;
  let lastRequest: { headers: IncomingHttpHeaders; body: string } | undefined;
  const sender = new WebhookSender({ webhookTimeoutMs: 200 } as AppConfig);
  const message = (path: string) => ({
    url: url + path,
    secret: WEBHOOK_SECRET,
    eventId: '0b6f3c1e-7c1a-4a57-9a3e-2f1d5e6c7b8a',
    body: '{"id":"0b6f3c1e-7c1a-4a57-9a3e-2f1d5e6c7b8a","type":"payment.succeeded"}',
    requestId: 'req-123',
    timestamp: new Date('2026-01-01T00:00:00Z'),
  });

  beforeAll(async () => {
    server = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        lastRequest = { headers: request.headers, body: Buffer.concat(chunks).toString() };
        if (request.url === '/hang') {
          return; // never answers
        }
        response
          .writeHead(request.url === '/ok' ? 200 : 503)
          .end(request.url === '/ok' ? '{"received":true}' : 'try later');
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  it('should POST the exact body with Standard Webhooks headers and report a 2xx as delivered', async () => {
    const result = await sender.send(message('/ok'));

    expect(result).toMatchObject({
      delivered: true,
      statusCode: 200,
      error: null,
      responseSnippet: '{"received":true}',
    });
    const { headers, body } = lastRequest!;
    expect(body).toBe(message('/ok').body);
    expect(headers).toMatchObject({
      'content-type': 'application/json',
      'webhook-id': '0b6f3c1e-7c1a-4a57-9a3e-2f1d5e6c7b8a',
      'webhook-timestamp': '1767225600',
      'x-request-id': 'req-123',
    });
    const signed = { id: String(headers['webhook-id']), timestamp: 1767225600, body };
    expect(verifyWebhookSignature(WEBHOOK_SECRET, signed, String(headers['webhook-signature']))).toBe(true);
  });

  it('should report a non-2xx answer as a failed attempt with the response snippet', async () => {
    expect(await sender.send(message('/busy'))).toMatchObject({
      delivered: false,
      statusCode: 503,
      error: 'receiver answered 503',
      responseSnippet: 'try later',
    });
  });

  it('should give up when the receiver does not answer within the timeout', async () => {
    expect(await sender.send(message('/hang'))).toMatchObject({
      delivered: false,
      statusCode: null,
      error: 'no answer within 200 ms',
    });
  });

  it('should report a refused connection', async () => {
    const result = await sender.send({ ...message(''), url: 'http://127.0.0.1:9/unreachable' });
    expect(result).toMatchObject({
      delivered: false,
      statusCode: null,
      error: expect.stringContaining('ECONNREFUSED'),
    });
  });
});
