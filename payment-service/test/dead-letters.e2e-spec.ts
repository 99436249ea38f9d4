import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { auth, eventually, startTestApp } from './support/test-app';
import { WebhookReceiver } from './support/webhook-receiver';

interface DeliveryItem {
  id: string;
  paymentId: string;
  status: string;
}

describe('Dead letters: GET /v1/webhook-deliveries and bulk redelivery (e2e)', () => {
  let app: NestFastifyApplication;
  let receiver: WebhookReceiver;

  beforeAll(async () => {
    receiver = await WebhookReceiver.start();
    // Test schedule 200ms,400ms,800ms: 4 attempts, then dead letter, within ~2 s.
    app = await startTestApp({ WEBHOOK_URL: receiver.url });
  });

  afterAll(async () => {
    await app.close();
    await receiver.close();
  });

  const listDeliveries = async (query: Record<string, unknown>) =>
    (await request(app.getHttpServer()).get('/v1/webhook-deliveries').query(query).set(auth).expect(200)).body;

  const mine = (items: DeliveryItem[], paymentIds: string[]) =>
    items.filter((item) => paymentIds.includes(item.paymentId));

  it('should list dead letters and deliver each exactly once more after a bulk redeliver', async () => {
    const since = new Date(Date.now() - 1).toISOString();
    let receiverUp = false;
    const paymentIds: string[] = [];
    for (let i = 0; i < 3; i++) {
      const merchantReference = randomUUID();
      receiver.respond(merchantReference, () => (receiverUp ? 200 : 500));
      const { body } = await request(app.getHttpServer())
        .post('/v1/payments')
        .set(auth)
        .send({
          amount: 700 + i,
          currency: 'USD',
          merchantReference,
          customerReference: randomUUID(),
          paymentMethod: 'pm_card_visa',
        })
        .expect(202);
      paymentIds.push(body.id);
    }

    const deadLetters = await eventually(async () => {
      const page = await listDeliveries({ status: 'failed', since, limit: 100 });
      expect(mine(page.data, paymentIds)).toHaveLength(3);
      return mine(page.data, paymentIds);
    }, 15_000);
    expect(deadLetters[0]).toEqual({
      id: expect.any(String),
      object: 'webhook_delivery',
      eventId: expect.any(String),
      eventType: 'payment.succeeded',
      paymentId: expect.any(String),
      endpointId: expect.any(String),
      url: receiver.url,
      status: 'failed',
      attemptCount: 4,
      lastStatusCode: 500,
      lastError: 'receiver answered 500',
      createdAt: expect.any(String),
      updatedAt: expect.any(String),
    });
    paymentIds.forEach((id) => expect(receiver.forPayment(id)).toHaveLength(4));

    // Cursor pagination over the filtered list, newest first.
    const first = await listDeliveries({ status: 'failed', since, limit: 2 });
    expect(first).toMatchObject({ object: 'list', hasMore: true, nextCursor: first.data[1].id });
    const second = await listDeliveries({ status: 'failed', since, limit: 2, startingAfter: first.nextCursor });
    expect(second).toMatchObject({ hasMore: false, nextCursor: null });
    const paged = [...first.data, ...second.data].map((item: DeliveryItem) => item.id);
    expect(new Set(paged).size).toBe(paged.length);
    expect(paged).toEqual(expect.arrayContaining(deadLetters.map((item) => item.id)));
    const createdAt = [...first.data, ...second.data].map((item: { createdAt: string }) => item.createdAt);
    expect([...createdAt].sort().reverse()).toEqual(createdAt);
    // `since` filters on when the delivery last changed: none of these failed after now.
    expect(
      mine((await listDeliveries({ status: 'failed', since: new Date().toISOString() })).data, paymentIds),
    ).toEqual([]);

    receiverUp = true;
    const { body: redelivered } = await request(app.getHttpServer())
      .post('/v1/webhook-deliveries/redeliver')
      .set(auth)
      .send({ status: 'failed', since })
      .expect(202);
    expect(redelivered).toEqual({ redelivered: 3 });

    await eventually(() => paymentIds.forEach((id) => expect(receiver.forPayment(id)).toHaveLength(5)));
    // Longer than the first retry delay: a second send would have happened by now.
    await new Promise((resolve) => setTimeout(resolve, 700));
    paymentIds.forEach((id) => expect(receiver.forPayment(id)).toHaveLength(5));
    const after = await listDeliveries({ since, limit: 100 });
    expect(mine(after.data, paymentIds).map((item) => item.status)).toEqual(['succeeded', 'succeeded', 'succeeded']);
    expect(mine((await listDeliveries({ status: 'failed', since })).data, paymentIds)).toEqual([]);

    const { body: again } = await request(app.getHttpServer())
      .post('/v1/webhook-deliveries/redeliver')
      .set(auth)
      .send({ status: 'failed', since })
      .expect(202);
    expect(again).toEqual({ redelivered: 0 });
  });

  it.each([
    [{ status: 'pending', since: '2026-11-27T00:00:00.000Z' }, 'status'],
    [{ status: 'failed', since: 'yesterday' }, 'since'],
    [{ status: 'failed' }, 'since'],
  ])('should reject the redelivery body %j', async (body, field) => {
    const { body: problem } = await request(app.getHttpServer())
      .post('/v1/webhook-deliveries/redeliver')
      .set(auth)
      .send(body)
      .expect(400);
    expect(problem).toMatchObject({ code: 'validation_failed', errors: [expect.objectContaining({ field })] });
  });

  it('should reject an invalid status or since filter', async () => {
    await request(app.getHttpServer()).get('/v1/webhook-deliveries').query({ status: 'dead' }).set(auth).expect(400);
    await request(app.getHttpServer()).get('/v1/webhook-deliveries').query({ since: 'soon' }).set(auth).expect(400);
  });

  it('should require the API key', async () => {
    await request(app.getHttpServer()).get('/v1/webhook-deliveries').expect(401);
    await request(app.getHttpServer())
      .post('/v1/webhook-deliveries/redeliver')
      .send({ status: 'failed', since: new Date().toISOString() })
      .expect(401);
  });
});
