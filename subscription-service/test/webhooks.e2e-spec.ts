import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { Plan } from '../src/generated/prisma/client';
import { createPlan, createUser } from './support/factories';
import { activeSubscription, deliverPaymentEvent, paymentEventFor, subscribe } from './support/flows';
import { createTestApp, resetDatabase, TEST_OLD_WEBHOOK_SECRET, TestApp } from './support/test-app';
import { signedHeaders } from './support/webhooks';

describe('POST /v1/webhooks/payments (e2e)', () => {
  let t: TestApp;
  let starter: Plan;
  let business: Plan;

  const now = (): number => Math.floor(t.clock.now().getTime() / 1000);
  const historyOf = (subscriptionId: string) =>
    t.prisma.subscriptionStatusChange.findMany({
      where: { subscriptionId },
      orderBy: [{ createdAt: 'asc' }, { sequence: 'asc' }],
    });

  beforeAll(async () => {
    t = await createTestApp();
    await resetDatabase(t.prisma);
    starter = await createPlan(t.prisma, { name: 'Starter', amount: 900 });
    business = await createPlan(t.prisma, { name: 'Business', amount: 9900 });
  });
  beforeEach(() => t.clock.set('2026-03-10T12:00:00.000Z'));
  afterAll(() => t.close());

  it('should activate the subscription on payment.succeeded and record the event id in the history', async () => {
    const user = await createUser(t.prisma);
    const sub = await subscribe(t, user.auth, starter.id);
    t.clock.advance(2000);
    const gatewayPaymentId = randomUUID();
    const event = await paymentEventFor(t, {
      type: 'payment.succeeded',
      invoiceId: sub.invoiceId,
      invoicePaymentId: sub.invoicePaymentId,
      gatewayPaymentId,
    });
    const res = await request(t.server)
      .post('/v1/webhooks/payments')
      .set(signedHeaders(event.id, event.body, now()))
      .send(event.body)
      .expect(200);
    expect(res.body).toEqual({ received: true, duplicate: false });

    const got = await request(t.server).get(`/v1/subscriptions/${sub.id}`).set(user.auth).expect(200);
    expect(got.body).toMatchObject({ status: 'active', hasAccess: true, incompleteExpiresAt: null });
    expect(got.body.latestInvoice).toMatchObject({ status: 'paid', paidAt: '2026-03-10T12:00:02.000Z' });
    expect(got.body.latestInvoice.payments[0]).toMatchObject({ status: 'succeeded', gatewayPaymentId });
    const history = await historyOf(sub.id);
    expect(history.at(-1)).toMatchObject({
      fromStatus: 'incomplete',
      toStatus: 'active',
      reason: 'initial_payment_succeeded',
      causeType: 'webhook_event',
      causeId: event.id,
    });
    expect(await t.prisma.inboundWebhookEvent.findUnique({ where: { id: event.id } })).toMatchObject({
      outcome: 'invoice_paid',
      sequence: 1,
    });
  });

  it('should acknowledge a duplicate delivery without applying it twice', async () => {
    const user = await createUser(t.prisma);
    const sub = await subscribe(t, user.auth, starter.id);
    const event = await paymentEventFor(t, {
      type: 'payment.succeeded',
      invoiceId: sub.invoiceId,
      invoicePaymentId: sub.invoicePaymentId,
    });
    const send = () =>
      request(t.server)
        .post('/v1/webhooks/payments')
        .set(signedHeaders(event.id, event.body, now()))
        .send(event.body);
    expect((await send()).body).toEqual({ received: true, duplicate: false });
    const second = await send();
    expect(second.status).toBe(200);
    expect(second.body).toEqual({ received: true, duplicate: true });
    const activations = (await historyOf(sub.id)).filter((h) => h.toStatus === 'active');
    expect(activations).toHaveLength(1);
  });

  it('should apply concurrent duplicate deliveries exactly once', async () => {
    const user = await createUser(t.prisma);
    const sub = await subscribe(t, user.auth, starter.id);
    const event = await paymentEventFor(t, {
      type: 'payment.succeeded',
      invoiceId: sub.invoiceId,
      invoicePaymentId: sub.invoicePaymentId,
    });
    const responses = await Promise.all(
      Array.from({ length: 5 }, () =>
        request(t.server)
          .post('/v1/webhooks/payments')
          .set(signedHeaders(event.id, event.body, now()))
          .send(event.body),
      ),
    );
    expect(responses.map((r) => r.status)).toEqual([200, 200, 200, 200, 200]);
    expect(responses.filter((r) => r.body.duplicate === false)).toHaveLength(1);
    expect((await historyOf(sub.id)).filter((h) => h.toStatus === 'active')).toHaveLength(1);
  });

  it('should ignore an event older than the last applied one for the payment', async () => {
    const user = await createUser(t.prisma);
    const sub = await subscribe(t, user.auth, starter.id);
    const ids = { invoiceId: sub.invoiceId, invoicePaymentId: sub.invoicePaymentId };
    await deliverPaymentEvent(t, { type: 'payment.succeeded', sequence: 3, ...ids });
    const stale = await deliverPaymentEvent(t, { type: 'payment.failed', sequence: 2, ...ids });
    expect(stale).toMatchObject({ status: 200, body: { received: true, duplicate: false } });
    expect(await t.prisma.inboundWebhookEvent.findUnique({ where: { id: stale.eventId } })).toMatchObject({
      outcome: 'ignored_stale',
    });
    const invoice = await t.prisma.invoice.findUniqueOrThrow({
      where: { id: sub.invoiceId },
      include: { payments: true },
    });
    expect(invoice.status).toBe('paid');
    expect(invoice.payments[0]).toMatchObject({ status: 'succeeded', lastEventSequence: 3 });
  });

  it('should apply a first event numbered 0', async () => {
    const user = await createUser(t.prisma);
    const sub = await subscribe(t, user.auth, starter.id);
    const delivery = await deliverPaymentEvent(t, {
      type: 'payment.succeeded',
      sequence: 0,
      invoiceId: sub.invoiceId,
      invoicePaymentId: sub.invoicePaymentId,
    });
    expect(await t.prisma.inboundWebhookEvent.findUnique({ where: { id: delivery.eventId } })).toMatchObject({
      outcome: 'invoice_paid',
    });
  });

  it('should never un-pay a paid invoice, even for a newer failed event', async () => {
    const user = await createUser(t.prisma);
    const sub = await subscribe(t, user.auth, starter.id);
    const ids = { invoiceId: sub.invoiceId, invoicePaymentId: sub.invoicePaymentId };
    await deliverPaymentEvent(t, { type: 'payment.succeeded', sequence: 1, ...ids });
    const late = await deliverPaymentEvent(t, { type: 'payment.failed', sequence: 2, ...ids });
    expect(await t.prisma.inboundWebhookEvent.findUnique({ where: { id: late.eventId } })).toMatchObject({
      outcome: 'ignored_payment_settled',
    });
    const got = await request(t.server).get(`/v1/subscriptions/${sub.id}`).set(user.auth).expect(200);
    expect(got.body.status).toBe('active');
    expect(got.body.latestInvoice.status).toBe('paid');
  });

  it('should mark the invoice failed and keep the subscription incomplete on payment.failed', async () => {
    const user = await createUser(t.prisma);
    const sub = await subscribe(t, user.auth, starter.id, 'pm_card_declined');
    const delivery = await deliverPaymentEvent(t, {
      type: 'payment.failed',
      failureCode: 'card_declined',
      invoiceId: sub.invoiceId,
      invoicePaymentId: sub.invoicePaymentId,
    });
    expect(delivery.status).toBe(200);
    const got = await request(t.server).get(`/v1/subscriptions/${sub.id}`).set(user.auth).expect(200);
    expect(got.body).toMatchObject({ status: 'incomplete', hasAccess: false });
    expect(got.body.latestInvoice).toMatchObject({
      status: 'failed',
      failureCode: 'card_declined',
      failedAt: '2026-03-10T12:00:00.000Z',
    });
    expect(got.body.latestInvoice.payments[0]).toMatchObject({
      status: 'failed',
      failureCode: 'card_declined',
      failureMessage: 'The card was declined.',
    });
    expect(await historyOf(sub.id)).toHaveLength(1);
  });

  it("should switch the plan when an upgrade's proration invoice is paid", async () => {
    const user = await createUser(t.prisma);
    const sub = await activeSubscription(t, user.auth, starter.id);
    t.clock.advance(24 * 60 * 60 * 1000);
    const change = await request(t.server)
      .post(`/v1/subscriptions/${sub.id}/change-plan`)
      .set(user.auth)
      .send({ planId: business.id })
      .expect(200);
    const invoice = change.body.latestInvoice;
    await deliverPaymentEvent(t, {
      type: 'payment.succeeded',
      invoiceId: invoice.id,
      invoicePaymentId: invoice.payments[0].id,
    });
    const got = await request(t.server).get(`/v1/subscriptions/${sub.id}`).set(user.auth).expect(200);
    expect(got.body).toMatchObject({
      planId: business.id,
      pendingPlanId: null,
      pendingInvoiceId: null,
      status: 'active',
    });
    expect(got.body.latestInvoice).toMatchObject({ id: invoice.id, status: 'paid' });
  });

  it('should drop the pending upgrade when its payment fails', async () => {
    const user = await createUser(t.prisma);
    const sub = await activeSubscription(t, user.auth, starter.id);
    t.clock.advance(24 * 60 * 60 * 1000);
    const change = await request(t.server)
      .post(`/v1/subscriptions/${sub.id}/change-plan`)
      .set(user.auth)
      .send({ planId: business.id, paymentMethod: 'pm_card_insufficient_funds' })
      .expect(200);
    const invoice = change.body.latestInvoice;
    expect(invoice.payments[0].paymentMethod).toBe('pm_card_insufficient_funds');
    await deliverPaymentEvent(t, {
      type: 'payment.failed',
      failureCode: 'insufficient_funds',
      invoiceId: invoice.id,
      invoicePaymentId: invoice.payments[0].id,
    });
    const got = await request(t.server).get(`/v1/subscriptions/${sub.id}`).set(user.auth).expect(200);
    expect(got.body).toMatchObject({
      planId: starter.id,
      pendingPlanId: null,
      pendingInvoiceId: null,
      status: 'active',
      hasAccess: true,
    });
    expect(got.body.latestInvoice).toMatchObject({ status: 'failed', failureCode: 'insufficient_funds' });
    // The change can be tried again.
    await request(t.server)
      .post(`/v1/subscriptions/${sub.id}/change-plan`)
      .set(user.auth)
      .send({ planId: business.id })
      .expect(200);
  });

  it('should find the payment by merchantReference when metadata is missing', async () => {
    const user = await createUser(t.prisma);
    const sub = await subscribe(t, user.auth, starter.id);
    const event = await paymentEventFor(t, { type: 'payment.succeeded', invoiceId: sub.invoiceId });
    await request(t.server)
      .post('/v1/webhooks/payments')
      .set(signedHeaders(event.id, event.body, now()))
      .send(event.body)
      .expect(200);
    expect((await t.prisma.subscription.findUniqueOrThrow({ where: { id: sub.id } })).status).toBe('active');
  });

  it('should acknowledge an event for an unknown payment as ignored_unknown', async () => {
    const event = await paymentEventFor(t, {
      type: 'payment.succeeded',
      invoiceId: randomUUID(),
      invoicePaymentId: randomUUID(),
    });
    const res = await request(t.server)
      .post('/v1/webhooks/payments')
      .set(signedHeaders(event.id, event.body, now()))
      .send(event.body)
      .expect(200);
    expect(res.body).toEqual({ received: true, duplicate: false });
    expect(await t.prisma.inboundWebhookEvent.findUnique({ where: { id: event.id } })).toMatchObject({
      outcome: 'ignored_unknown',
    });
  });

  it('should accept a signature made with a secret being rotated out', async () => {
    const user = await createUser(t.prisma);
    const sub = await subscribe(t, user.auth, starter.id);
    const event = await paymentEventFor(t, {
      type: 'payment.succeeded',
      invoiceId: sub.invoiceId,
      invoicePaymentId: sub.invoicePaymentId,
    });
    await request(t.server)
      .post('/v1/webhooks/payments')
      .set(signedHeaders(event.id, event.body, now(), TEST_OLD_WEBHOOK_SECRET))
      .send(event.body)
      .expect(200);
  });

  describe('rejections (401, nothing applied)', () => {
    const otherSecret = 'whsec_' + Buffer.from('not-our-secret').toString('base64');

    it.each([
      ['a wrong secret', (id: string, body: string, ts: number) => signedHeaders(id, body, ts, otherSecret)],
      ['a stale timestamp', (id: string, body: string, ts: number) => signedHeaders(id, body, ts - 301)],
      ['a future timestamp', (id: string, body: string, ts: number) => signedHeaders(id, body, ts + 301)],
      [
        'no signature',
        (id: string, body: string, ts: number) => ({ ...signedHeaders(id, body, ts), 'webhook-signature': '' }),
      ],
      [
        'a tampered body',
        (id: string, body: string, ts: number) => signedHeaders(id, body.replace('"sequence":1', '"sequence":9'), ts),
      ],
    ])('should reject %s', async (_label, headersFor) => {
      const user = await createUser(t.prisma);
      const sub = await subscribe(t, user.auth, starter.id);
      const event = await paymentEventFor(t, {
        type: 'payment.succeeded',
        invoiceId: sub.invoiceId,
        invoicePaymentId: sub.invoicePaymentId,
      });
      const res = await request(t.server)
        .post('/v1/webhooks/payments')
        .set(headersFor(event.id, event.body, now()))
        .send(event.body)
        .expect(401);
      expect(res.headers['content-type']).toContain('application/problem+json');
      expect(res.body.code).toBe('invalid_signature');
      expect(await t.prisma.inboundWebhookEvent.findUnique({ where: { id: event.id } })).toBeNull();
      expect((await t.prisma.subscription.findUniqueOrThrow({ where: { id: sub.id } })).status).toBe('incomplete');
    });

    it('should reject missing webhook headers entirely', async () => {
      const res = await request(t.server)
        .post('/v1/webhooks/payments')
        .set('content-type', 'application/json')
        .send('{}')
        .expect(401);
      expect(res.body.code).toBe('invalid_signature');
    });
  });

  it('should reject a correctly signed body that is not a payment event with 400', async () => {
    const id = randomUUID();
    const body = JSON.stringify({ hello: 'world' });
    const res = await request(t.server)
      .post('/v1/webhooks/payments')
      .set(signedHeaders(id, body, now()))
      .send(body)
      .expect(400);
    expect(res.body.code).toBe('validation_failed');
  });
});
