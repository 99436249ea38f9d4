import request from 'supertest';
import { BillingRunService } from '../src/billing/billing-run.service';
import { Plan } from '../src/generated/prisma/client';
import { createPlan, createUser } from './support/factories';
import { FakePaymentGateway } from './support/fake-payment-gateway';
import { deliverPaymentEvent, paymentEventFor, subscribe } from './support/flows';
import { createTestApp, resetDatabase, TEST_ADMIN_KEY, TestApp } from './support/test-app';
import { refundEvent, signedHeaders } from './support/webhooks';
import { drainOutbox } from './support/outbox';

/**
 * Issue 9 §1–2: money moves only when it is owed. Charges of an invoice that stopped being collectible are
 * never started; money captured anyway is refunded in full through the payment service; a payment event
 * that does not match its obligation settles nothing and is kept as an anomaly.
 */
describe('money without an obligation (e2e)', () => {
  let t: TestApp;
  let pro: Plan;
  const gateway = new FakePaymentGateway([202]);
  const admin = { Authorization: `Bearer ${TEST_ADMIN_KEY}` };
  const cancelNow = (id: string, auth: Record<string, string>) =>
    request(t.server).post(`/v1/subscriptions/${id}/cancel`).set(auth).send({ atPeriodEnd: false }).expect(200);
  const invoiceOf = (id: string, auth: Record<string, string>) =>
    request(t.server).get(`/v1/invoices/${id}`).set(auth).expect(200);
  const outcomeOf = async (eventId: string) =>
    (await t.prisma.inboundWebhookEvent.findUniqueOrThrow({ where: { id: eventId } })).outcome;
  const deliver = (event: { id: string; body: string }) =>
    request(t.server)
      .post('/v1/webhooks/payments')
      .set(signedHeaders(event.id, event.body, Math.floor(t.clock.now().getTime() / 1000)))
      .send(event.body);

  beforeAll(async () => {
    const url = await gateway.start();
    t = await createTestApp({ PAYMENT_SERVICE_URL: url });
    await resetDatabase(t.prisma);
    pro = await createPlan(t.prisma, { name: 'Pro', amount: 2900 });
  });
  beforeEach(() => {
    t.clock.set('2026-03-10T12:00:00.000Z');
    gateway.respondWith(202);
  });
  afterAll(async () => {
    await t.close();
    await gateway.stop();
  });

  it('should refund in full a charge that succeeds after the subscription was canceled now, and show the refund on the invoice', async () => {
    const user = await createUser(t.prisma);
    const sub = await subscribe(t, user.auth, pro.id, 'pm_card_processing_error');
    await drainOutbox(t.app);
    const gatewayPaymentId = gateway.acceptedPaymentIds.at(-1) as string;

    await cancelNow(sub.id, user.auth);
    expect((await invoiceOf(sub.invoiceId, user.auth)).body.status).toBe('void');

    // About 2 s later the gateway's second attempt succeeds.
    t.clock.advance(2000);
    const late = await deliverPaymentEvent(t, {
      type: 'payment.succeeded',
      invoiceId: sub.invoiceId,
      invoicePaymentId: sub.invoicePaymentId,
      sequence: 1,
    });
    expect(late.status).toBe(200);
    expect(await outcomeOf(late.eventId)).toBe('refund_requested');
    const refund = await t.prisma.invoiceRefund.findUniqueOrThrow({
      where: { invoicePaymentId: sub.invoicePaymentId },
    });
    expect(refund).toMatchObject({
      amount: 2900,
      currency: 'USD',
      reason: 'no_obligation',
      explanation: 'invoice_void',
      status: 'pending',
      gatewayPaymentId,
    });

    await drainOutbox(t.app);
    const refundRequest = gateway.requests.at(-1);
    expect(refundRequest).toMatchObject({ method: 'POST', url: `/v1/payments/${gatewayPaymentId}/refunds` });
    expect(refundRequest?.headers['idempotency-key']).toBe(`invoice-refund:${refund.id}`);
    expect(refundRequest?.body).toEqual({
      amount: 2900,
      reason: 'no_obligation',
      metadata: { invoiceRefundId: refund.id, invoiceId: sub.invoiceId },
    });
    const gatewayRefundId = gateway.acceptedPaymentIds.at(-1) as string;
    expect(await t.prisma.invoiceRefund.findUniqueOrThrow({ where: { id: refund.id } })).toMatchObject({
      status: 'processing',
      gatewayRefundId,
    });

    const refunded = refundEvent({
      type: 'refund.succeeded',
      gatewayRefundId,
      gatewayPaymentId,
      invoiceRefundId: refund.id,
      amount: 2900,
      currency: 'USD',
      sequence: 2,
    });
    expect((await deliver(refunded)).status).toBe(200);
    expect(await outcomeOf(refunded.id)).toBe('refund_succeeded');
    const invoice = (await invoiceOf(sub.invoiceId, user.auth)).body;
    expect(invoice).toMatchObject({ status: 'void', amountRefunded: 2900 });
    expect(invoice.payments[0]).toMatchObject({ status: 'succeeded', gatewayPaymentId });
    expect(invoice.refunds).toEqual([
      expect.objectContaining({
        object: 'invoice_refund',
        amount: 2900,
        currency: 'USD',
        reason: 'no_obligation',
        explanation: 'invoice_void',
        status: 'succeeded',
        gatewayRefundId,
      }),
    ]);
    // Replayed or repeated reports change nothing more: still one refund.
    const again = await deliverPaymentEvent(t, {
      type: 'payment.succeeded',
      invoiceId: sub.invoiceId,
      invoicePaymentId: sub.invoicePaymentId,
      sequence: 3,
    });
    expect(await outcomeOf(again.eventId)).toBe('ignored_payment_settled');
    expect(await t.prisma.invoiceRefund.count({ where: { invoiceId: sub.invoiceId } })).toBe(1);
  });

  it('should never send a charge whose invoice was voided while the payment service was unreachable', async () => {
    gateway.respondWith(503);
    const user = await createUser(t.prisma);
    const sub = await subscribe(t, user.auth, pro.id);
    await drainOutbox(t.app);
    const sent = gateway.requests.length;
    expect(
      (await t.prisma.outboxMessage.findFirstOrThrow({ where: { aggregateId: sub.invoicePaymentId } })).status,
    ).toBe('pending');

    await cancelNow(sub.id, user.auth);
    gateway.respondWith(202);
    t.clock.advance(10 * 60_000);
    await drainOutbox(t.app);

    expect(gateway.requests.length).toBe(sent);
    expect(
      await t.prisma.outboxMessage.findFirstOrThrow({ where: { aggregateId: sub.invoicePaymentId } }),
    ).toMatchObject({ status: 'canceled' });
    expect((await invoiceOf(sub.invoiceId, user.auth)).body.payments[0]).toMatchObject({ status: 'canceled' });
  });

  it('should re-check just before sending: a charge claimed by a sender while the cancel committed is not sent', async () => {
    const user = await createUser(t.prisma);
    const sub = await subscribe(t, user.auth, pro.id);
    // Another sender holds the message's lease while the cancel commits, so the cancel cannot cancel it itself.
    await t.prisma.outboxMessage.updateMany({
      where: { aggregateId: sub.invoicePaymentId },
      data: { lockedUntil: new Date(t.clock.now().getTime() + 60_000) },
    });
    await cancelNow(sub.id, user.auth);
    expect(
      (await t.prisma.outboxMessage.findFirstOrThrow({ where: { aggregateId: sub.invoicePaymentId } })).status,
    ).toBe('pending');
    // That sender is gone; the lease expires and this one claims the message.
    t.clock.advance(120_000);
    const sent = gateway.requests.length;
    await drainOutbox(t.app);

    expect(gateway.requests.length).toBe(sent);
    expect(
      await t.prisma.outboxMessage.findFirstOrThrow({ where: { aggregateId: sub.invoicePaymentId } }),
    ).toMatchObject({ status: 'canceled' });
    expect(await t.prisma.invoicePayment.findUniqueOrThrow({ where: { id: sub.invoicePaymentId } })).toMatchObject({
      status: 'canceled',
    });
  });

  it('should not send again a charge whose payment the gateway already settled (its earlier send went unrecorded)', async () => {
    const user = await createUser(t.prisma);
    const sub = await subscribe(t, user.auth, pro.id);
    // As after a crash between the send and its record: the webhook settled the payment, the message is still pending.
    await deliverPaymentEvent(t, {
      type: 'payment.succeeded',
      invoiceId: sub.invoiceId,
      invoicePaymentId: sub.invoicePaymentId,
    });
    const sent = gateway.requests.length;
    await drainOutbox(t.app);

    expect(gateway.requests.length).toBe(sent);
    expect(
      await t.prisma.outboxMessage.findFirstOrThrow({ where: { aggregateId: sub.invoicePaymentId } }),
    ).toMatchObject({ status: 'sent' });
    expect((await invoiceOf(sub.invoiceId, user.auth)).body).toMatchObject({
      status: 'paid',
      payments: [expect.objectContaining({ status: 'succeeded' })],
    });
  });

  it('should activate an incomplete subscription whose failed first invoice is paid late inside its window, with history', async () => {
    const user = await createUser(t.prisma);
    const sub = await subscribe(t, user.auth, pro.id);
    await deliverPaymentEvent(t, {
      type: 'payment.failed',
      invoiceId: sub.invoiceId,
      invoicePaymentId: sub.invoicePaymentId,
      sequence: 1,
    });
    expect((await invoiceOf(sub.invoiceId, user.auth)).body.status).toBe('failed');

    const late = await deliverPaymentEvent(t, {
      type: 'payment.succeeded',
      invoiceId: sub.invoiceId,
      invoicePaymentId: sub.invoicePaymentId,
      sequence: 2,
    });
    expect(await outcomeOf(late.eventId)).toBe('invoice_paid');
    const got = (await request(t.server).get(`/v1/subscriptions/${sub.id}`).set(user.auth).expect(200)).body;
    expect(got).toMatchObject({ status: 'active', hasAccess: true, latestInvoice: { status: 'paid' } });
    const history = await request(t.server).get(`/v1/subscriptions/${sub.id}/history`).set(user.auth).expect(200);
    expect(history.body.data.at(-1)).toMatchObject({
      fromStatus: 'incomplete',
      toStatus: 'active',
      reason: 'initial_payment_succeeded_late',
      causeId: late.eventId,
    });
  });

  it('should refund a first invoice paid late after its subscription expired, and revive nothing', async () => {
    const user = await createUser(t.prisma);
    const sub = await subscribe(t, user.auth, pro.id);
    await deliverPaymentEvent(t, {
      type: 'payment.failed',
      invoiceId: sub.invoiceId,
      invoicePaymentId: sub.invoicePaymentId,
      sequence: 1,
    });
    t.clock.advance(24 * 3600_000);
    expect(await t.app.get(BillingRunService).runDueFor(sub.id)).toBe('expire_incomplete');

    const late = await deliverPaymentEvent(t, {
      type: 'payment.succeeded',
      invoiceId: sub.invoiceId,
      invoicePaymentId: sub.invoicePaymentId,
      sequence: 2,
    });
    expect(await outcomeOf(late.eventId)).toBe('refund_requested');
    expect((await request(t.server).get(`/v1/subscriptions/${sub.id}`).set(user.auth).expect(200)).body).toMatchObject({
      status: 'incomplete_expired',
      hasAccess: false,
    });
    expect((await invoiceOf(sub.invoiceId, user.auth)).body).toMatchObject({
      status: 'void',
      refunds: [expect.objectContaining({ explanation: 'invoice_void', amount: 2900 })],
    });
  });

  it('should refund as a duplicate a second payment of an invoice another payment already paid', async () => {
    const user = await createUser(t.prisma);
    const sub = await subscribe(t, user.auth, pro.id);
    await deliverPaymentEvent(t, {
      type: 'payment.failed',
      invoiceId: sub.invoiceId,
      invoicePaymentId: sub.invoicePaymentId,
      sequence: 1,
    });
    const paid = await request(t.server)
      .post(`/v1/subscriptions/${sub.id}/pay`)
      .set(user.auth)
      .send({ paymentMethod: 'pm_card_visa' })
      .expect(200);
    const second = paid.body.latestInvoice.payments.find((p: { id: string }) => p.id !== sub.invoicePaymentId).id;
    await deliverPaymentEvent(t, {
      type: 'payment.succeeded',
      invoiceId: sub.invoiceId,
      invoicePaymentId: second,
      sequence: 1,
    });
    expect((await invoiceOf(sub.invoiceId, user.auth)).body.status).toBe('paid');

    // The first attempt's decline is overturned by the gateway: that money is not owed any more.
    const overturned = await deliverPaymentEvent(t, {
      type: 'payment.succeeded',
      invoiceId: sub.invoiceId,
      invoicePaymentId: sub.invoicePaymentId,
      sequence: 2,
    });
    expect(await outcomeOf(overturned.eventId)).toBe('refund_requested');
    const invoice = (await invoiceOf(sub.invoiceId, user.auth)).body;
    expect(invoice.status).toBe('paid');
    expect(invoice.refunds).toEqual([
      expect.objectContaining({
        invoicePaymentId: sub.invoicePaymentId,
        reason: 'duplicate',
        explanation: 'invoice_paid_by_another_payment',
        amount: 2900,
      }),
    ]);
  });

  it('should settle nothing for a signed event of 1 EUR naming a 2900 USD invoice payment, acknowledge it and keep it as an anomaly', async () => {
    const user = await createUser(t.prisma);
    const sub = await subscribe(t, user.auth, pro.id);
    const forged = await paymentEventFor(t, {
      type: 'payment.succeeded',
      invoiceId: sub.invoiceId,
      invoicePaymentId: sub.invoicePaymentId,
      subscriptionId: sub.id,
      amount: 1,
      currency: 'EUR',
    });
    const res = await deliver(forged);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ received: true, duplicate: false });
    expect(await outcomeOf(forged.id)).toBe('anomaly');
    expect((await request(t.server).get(`/v1/subscriptions/${sub.id}`).set(user.auth).expect(200)).body).toMatchObject({
      status: 'incomplete',
      latestInvoice: { status: 'open' },
    });
    expect(await t.prisma.invoicePayment.findUniqueOrThrow({ where: { id: sub.invoicePaymentId } })).toMatchObject({
      status: 'pending',
      lastEventSequence: null,
    });

    const listed = await request(t.server).get('/v1/payment-anomalies?limit=1').set(admin).expect(200);
    expect(listed.body.data[0]).toMatchObject({
      object: 'payment_anomaly',
      kind: 'amount_mismatch',
      invoicePaymentId: sub.invoicePaymentId,
      eventType: 'payment.succeeded',
      expected: { amount: 2900, currency: 'USD', merchantReference: sub.invoiceId },
      received: { amount: 1, currency: 'EUR', merchantReference: sub.invoiceId },
      causeType: 'webhook_event',
      causeId: forged.id,
    });
    await request(t.server).get('/v1/payment-anomalies').set(user.auth).expect(403);

    // The genuine event still settles it.
    const genuine = await deliverPaymentEvent(t, {
      type: 'payment.succeeded',
      invoiceId: sub.invoiceId,
      invoicePaymentId: sub.invoicePaymentId,
    });
    expect(await outcomeOf(genuine.eventId)).toBe('invoice_paid');
  });

  it("should keep as an anomaly an event whose merchant reference or gateway payment id is not the obligation's", async () => {
    const user = await createUser(t.prisma);
    const sub = await subscribe(t, user.auth, pro.id);
    const other = await subscribe(t, (await createUser(t.prisma)).auth, pro.id);
    const wrongReference = await paymentEventFor(t, {
      type: 'payment.succeeded',
      invoiceId: sub.invoiceId,
      invoicePaymentId: sub.invoicePaymentId,
    });
    const rewritten = {
      id: wrongReference.id,
      body: wrongReference.body.replace(
        `"merchantReference":"${sub.invoiceId}"`,
        `"merchantReference":"${other.invoiceId}"`,
      ),
    };
    await deliver(rewritten);
    expect(await outcomeOf(rewritten.id)).toBe('anomaly');

    await drainOutbox(t.app);
    const wrongId = await paymentEventFor(t, {
      type: 'payment.succeeded',
      invoiceId: sub.invoiceId,
      invoicePaymentId: sub.invoicePaymentId,
      gatewayPaymentId: '00000000-0000-4000-8000-000000000001',
    });
    await deliver(wrongId);
    expect(await outcomeOf(wrongId.id)).toBe('anomaly');
    const kinds = (
      await t.prisma.paymentAnomaly.findMany({
        where: { invoicePaymentId: sub.invoicePaymentId },
        orderBy: { createdAt: 'asc' },
      })
    ).map((a) => a.kind);
    expect(kinds).toEqual(['merchant_reference_mismatch', 'gateway_payment_id_mismatch']);
    expect((await invoiceOf(sub.invoiceId, user.auth)).body.status).toBe('open');
  });
});
