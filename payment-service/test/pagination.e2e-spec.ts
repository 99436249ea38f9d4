import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { auth, startTestApp } from './support/test-app';

/** Cursor semantics shared with subscription-service: a `startingAfter` that is not an item of the list is a 400. */
describe('pagination cursors (e2e)', () => {
  let app: NestFastifyApplication;
  const http = () => request(app.getHttpServer());

  beforeAll(async () => {
    app = await startTestApp({ WORKERS_ENABLED: 'false' });
  });
  afterAll(() => app.close());

  const expectInvalidCursor = (res: request.Response, cursor: string) => {
    expect(res.headers['content-type']).toContain('application/problem+json');
    expect(res.body).toMatchObject({
      type: 'https://errors.billing.example/invalid_cursor',
      title: 'Bad request',
      status: 400,
      code: 'invalid_cursor',
    });
    expect(res.body.detail).toContain(cursor);
  };

  it('should answer every list with 400 invalid_cursor for an unknown startingAfter, never a first or empty page', async () => {
    const { body: payment } = await http()
      .post('/v1/payments')
      .set(auth)
      .send({
        amount: 1000,
        currency: 'USD',
        merchantReference: randomUUID(),
        customerReference: randomUUID(),
        paymentMethod: 'pm_card_visa',
      })
      .expect(202);
    const routes = ['/v1/payments', `/v1/payments/${payment.id}/refunds`, '/v1/events', '/v1/webhook-deliveries'];
    const codes: string[] = [];
    for (const route of routes) {
      const cursor = randomUUID();
      const res = await http().get(route).query({ startingAfter: cursor }).set(auth).expect(400);
      expectInvalidCursor(res, cursor);
      codes.push(res.body.code);
    }
    expect(codes).toEqual(routes.map(() => 'invalid_cursor'));
  });

  it('should answer a payment id used as a cursor of another list with 400 invalid_cursor', async () => {
    const { body: payment } = await http()
      .post('/v1/payments')
      .set(auth)
      .send({
        amount: 1000,
        currency: 'USD',
        merchantReference: randomUUID(),
        customerReference: randomUUID(),
        paymentMethod: 'pm_card_visa',
      })
      .expect(202);
    expectInvalidCursor(
      await http().get('/v1/events').query({ startingAfter: payment.id }).set(auth).expect(400),
      payment.id,
    );
    const { body: page } = await http().get('/v1/payments').query({ startingAfter: payment.id }).set(auth).expect(200);
    expect(page.data.map((item: { id: string }) => item.id)).not.toContain(payment.id);
  });
});
