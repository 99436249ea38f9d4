import request from 'supertest';
import { Plan } from '../src/generated/prisma/client';
import { ReconciliationService } from '../src/reconciliation/reconciliation.service';
import { createPlan, createUser, TestUser } from './support/factories';
import { FakePaymentGateway } from './support/fake-payment-gateway';
import { CreatedSubscription, paymentEventFor, subscribe } from './support/flows';
import { createTestApp, resetDatabase, TestApp } from './support/test-app';
import { signedHeaders } from './support/webhooks';
import { drainOutbox } from './support/outbox';

const SIXTEEN_MINUTES = 16 * 60 * 1000;

describe('reconciliation and unknown outcomes (e2e)', () => {
  let t: TestApp;
  let plan: Plan;
  // Accepts every payment (202) and never sends a webhook; lookups answer `paymentStatus`.
  const gateway = new FakePaymentGateway([202]);

  const historyOf = (subscriptionId: string) =>
    t.prisma.subscriptionStatusChange.findMany({
      where: { subscriptionId },
      orderBy: [{ createdAt: 'asc' }, { sequence: 'asc' }],
    });
  const invoicePaymentOf = (user: TestUser, invoiceId: string) =>
    request(t.server)
      .get(`/v1/invoices/${invoiceId}`)
      .set(user.auth)
      .expect(200)
      .then((res) => res.body.payments[0] as Record<string, unknown>);

  /** The real webhook for the payment, arriving after reconciliation settled it. */
  async function lateWebhook(
    type: 'payment.succeeded' | 'payment.failed',
    sub: CreatedSubscription,
    gatewayPaymentId: string,
  ) {
    const event = await paymentEventFor(t, {
      type,
      invoiceId: sub.invoiceId,
      invoicePaymentId: sub.invoicePaymentId,
      gatewayPaymentId,
      sequence: 2,
    });
    const timestamp = Math.floor(t.clock.now().getTime() / 1000);
    return request(t.server)
      .post('/v1/webhooks/payments')
      .set(signedHeaders(event.id, event.body, timestamp))
      .send(event.body);
  }

  /** Subscribes; the outbox posts the payment (202) → invoice payment processing. */
  async function sentSubscription(): Promise<{ user: TestUser; sub: CreatedSubscription; gatewayPaymentId: string }> {
    const user = await createUser(t.prisma);
    const sub = await subscribe(t, user.auth, plan.id);
    await drainOutbox(t.app);
    const payment = await t.prisma.invoicePayment.findUniqueOrThrow({ where: { id: sub.invoicePaymentId } });
    expect(payment.status).toBe('processing');
    return { user, sub, gatewayPaymentId: payment.gatewayPaymentId as string };
  }

  beforeAll(async () => {
    const url = await gateway.start();
    t = await createTestApp({
      PAYMENT_SERVICE_URL: url,
      PAYMENT_SERVICE_API_KEY: 'sk_payment_e2e',
      HTTP_TIMEOUT_MS: '300',
    });
    await resetDatabase(t.prisma);
    plan = await createPlan(t.prisma, { name: 'Pro', amount: 2900 });
  });
  beforeEach(() => {
    t.clock.set('2026-03-10T12:00:00.000Z');
    gateway.beforeAnswer = null;
  });
  afterAll(async () => {
    await t.close();
    await gateway.stop();
  });

  describe('reconciliation of a payment whose webhook never came', () => {
    it('should leave a payment alone before RECONCILIATION_AFTER_MS (15 min by default)', async () => {
      gateway.paymentStatus = 'succeeded';
      const { sub } = await sentSubscription();
      t.clock.advance(14 * 60 * 1000);
      const lookupsBefore = gateway.lookups.length;
      const results = await t.app.get(ReconciliationService).reconcileStale();
      expect(results.filter((r) => r.invoicePaymentId === sub.invoicePaymentId)).toEqual([]);
      expect(gateway.lookups.length).toBe(lookupsBefore);
      expect((await t.prisma.invoicePayment.findUniqueOrThrow({ where: { id: sub.invoicePaymentId } })).status).toBe(
        'processing',
      );
      // Settle it so later tests start from a clean slate.
      t.clock.advance(SIXTEEN_MINUTES);
      await t.app.get(ReconciliationService).reconcileStale();
    });

    it('should apply succeeded from the lookup: invoice paid, subscription active, history cause reconciliation; the late webhook changes nothing', async () => {
      gateway.paymentStatus = 'succeeded';
      const { user, sub, gatewayPaymentId } = await sentSubscription();
      t.clock.advance(SIXTEEN_MINUTES);

      const results = await t.app.get(ReconciliationService).reconcileStale();

      expect(results).toEqual([{ invoicePaymentId: sub.invoicePaymentId, outcome: 'invoice_paid' }]);
      const lookup = gateway.lookups.at(-1);
      expect(lookup?.url).toBe(`/v1/payments?merchantReference=${sub.invoiceId}&limit=100`);
      expect(lookup?.headers.authorization).toBe('Bearer sk_payment_e2e');
      const got = await request(t.server).get(`/v1/subscriptions/${sub.id}`).set(user.auth).expect(200);
      expect(got.body.status).toBe('active');
      expect(got.body.latestInvoice.status).toBe('paid');
      expect(got.body.latestInvoice.payments[0]).toMatchObject({ status: 'succeeded', gatewayPaymentId });
      const history = await historyOf(sub.id);
      expect(history.at(-1)).toMatchObject({
        fromStatus: 'incomplete',
        toStatus: 'active',
        reason: 'initial_payment_succeeded',
        causeType: 'reconciliation',
        causeId: gatewayPaymentId,
      });
      const historyRes = await request(t.server).get(`/v1/subscriptions/${sub.id}/history`).set(user.auth).expect(200);
      expect(historyRes.body.data.at(-1)).toMatchObject({ causeType: 'reconciliation', causeId: gatewayPaymentId });

      // Nothing left to reconcile.
      t.clock.advance(SIXTEEN_MINUTES);
      expect(await t.app.get(ReconciliationService).reconcileStale()).toEqual([]);

      const late = await lateWebhook('payment.succeeded', sub, gatewayPaymentId);
      expect(late.status).toBe(200);
      expect(late.body).toEqual({ received: true, duplicate: false });
      expect(await historyOf(sub.id)).toHaveLength(history.length);
      const invoice = await t.prisma.invoice.findUniqueOrThrow({ where: { id: sub.invoiceId } });
      expect(invoice.status).toBe('paid');
      expect(
        await t.prisma.inboundWebhookEvent.findFirstOrThrow({ where: { paymentId: gatewayPaymentId } }),
      ).toMatchObject({ outcome: 'ignored_payment_settled' });
    });

    it('should apply failed from the lookup: invoice failed; the late payment.failed webhook changes nothing', async () => {
      gateway.paymentStatus = 'failed';
      const { user, sub, gatewayPaymentId } = await sentSubscription();
      t.clock.advance(SIXTEEN_MINUTES);

      const results = await t.app.get(ReconciliationService).reconcileStale();

      expect(results).toEqual([{ invoicePaymentId: sub.invoicePaymentId, outcome: 'invoice_failed' }]);
      const got = await request(t.server).get(`/v1/subscriptions/${sub.id}`).set(user.auth).expect(200);
      expect(got.body.status).toBe('incomplete');
      expect(got.body.latestInvoice.status).toBe('failed');
      expect(got.body.latestInvoice.payments[0]).toMatchObject({
        status: 'failed',
        failureCode: 'card_declined',
        gatewayPaymentId,
      });
      const historyLength = (await historyOf(sub.id)).length;
      const failedAt = (await t.prisma.invoice.findUniqueOrThrow({ where: { id: sub.invoiceId } })).failedAt;

      t.clock.advance(1000);
      const late = await lateWebhook('payment.failed', sub, gatewayPaymentId);
      expect(late.status).toBe(200);
      expect(late.body).toEqual({ received: true, duplicate: false });
      expect(await historyOf(sub.id)).toHaveLength(historyLength);
      const invoice = await t.prisma.invoice.findUniqueOrThrow({ where: { id: sub.invoiceId } });
      expect(invoice).toMatchObject({ status: 'failed', failedAt });
      expect(
        await t.prisma.inboundWebhookEvent.findFirstOrThrow({ where: { paymentId: gatewayPaymentId } }),
      ).toMatchObject({ outcome: 'ignored_payment_settled' });
    });

    it('should leave a payment the gateway still processes unchanged, and let the webhook settle it later', async () => {
      gateway.paymentStatus = 'processing';
      const { user, sub, gatewayPaymentId } = await sentSubscription();
      t.clock.advance(SIXTEEN_MINUTES);

      const results = await t.app.get(ReconciliationService).reconcileStale();

      expect(results).toEqual([{ invoicePaymentId: sub.invoicePaymentId, outcome: 'still_processing' }]);
      expect(await invoicePaymentOf(user, sub.invoiceId)).toMatchObject({ status: 'processing', gatewayPaymentId });
      expect((await t.prisma.invoice.findUniqueOrThrow({ where: { id: sub.invoiceId } })).status).toBe('open');
      expect((await t.prisma.subscription.findUniqueOrThrow({ where: { id: sub.id } })).status).toBe('incomplete');
      // Looked at again only after another threshold.
      expect(await t.app.get(ReconciliationService).reconcileStale()).toEqual([]);

      const late = await lateWebhook('payment.succeeded', sub, gatewayPaymentId);
      expect(late.status).toBe(200);
      expect((await t.prisma.subscription.findUniqueOrThrow({ where: { id: sub.id } })).status).toBe('active');
      expect((await historyOf(sub.id)).at(-1)).toMatchObject({ toStatus: 'active', causeType: 'webhook_event' });
    });
  });

  describe('unknown outcome of POST /v1/payments', () => {
    it('should mark the invoice payment unknown on a timeout, then the retry with the same Idempotency-Key gets the existing payment', async () => {
      gateway.paymentStatus = 'processing';
      const user = await createUser(t.prisma);
      const sub = await subscribe(t, user.auth, plan.id);
      const createdBefore = gateway.payments.length;
      const requestsBefore = gateway.requests.length;
      // The gateway creates the payment, then answers after HTTP_TIMEOUT_MS (300 ms) has passed.
      gateway.beforeAnswer = () => new Promise((resolve) => setTimeout(resolve, 800));

      await drainOutbox(t.app);

      expect(gateway.payments.length).toBe(createdBefore + 1);
      expect(await invoicePaymentOf(user, sub.invoiceId)).toMatchObject({ status: 'unknown', gatewayPaymentId: null });
      const message = await t.prisma.outboxMessage.findFirstOrThrow({ where: { aggregateId: sub.invoicePaymentId } });
      expect(message).toMatchObject({ status: 'pending', lockedUntil: null, attempts: 1 });
      expect(message.lastError).toContain('outcome unknown');
      // POST …/pay refuses a second attempt while the outcome is unknown.
      await request(t.server)
        .post(`/v1/subscriptions/${sub.id}/pay`)
        .set(user.auth)
        .send({ paymentMethod: 'pm_card_visa' })
        .expect(409);

      gateway.beforeAnswer = null;
      t.clock.advance(2000);
      await drainOutbox(t.app);

      const sent = gateway.requests.slice(requestsBefore);
      expect(sent).toHaveLength(2);
      expect(sent.map((r) => r.headers['idempotency-key'])).toEqual([
        `invoice-payment:${sub.invoicePaymentId}`,
        `invoice-payment:${sub.invoicePaymentId}`,
      ]);
      expect(gateway.payments.length).toBe(createdBefore + 1);
      const gatewayPayment = gateway.payments.at(-1);
      expect(await invoicePaymentOf(user, sub.invoiceId)).toMatchObject({
        status: 'processing',
        gatewayPaymentId: gatewayPayment?.id,
      });
      expect(
        await t.prisma.outboxMessage.findFirstOrThrow({ where: { aggregateId: sub.invoicePaymentId } }),
      ).toMatchObject({ status: 'sent', lastError: null });
    });

    it('should let reconciliation resolve an unknown outcome from the lookup (succeeded → paid)', async () => {
      gateway.paymentStatus = 'succeeded';
      const user = await createUser(t.prisma);
      const sub = await subscribe(t, user.auth, plan.id);
      gateway.beforeAnswer = () => new Promise((resolve) => setTimeout(resolve, 800));
      await drainOutbox(t.app);
      gateway.beforeAnswer = null;
      expect((await t.prisma.invoicePayment.findUniqueOrThrow({ where: { id: sub.invoicePaymentId } })).status).toBe(
        'unknown',
      );
      const gatewayPaymentId = gateway.payments.at(-1)?.id;

      t.clock.advance(SIXTEEN_MINUTES);
      const results = await t.app.get(ReconciliationService).reconcileStale();

      // (the earlier test's payment, still processing, is settled in the same pass)
      expect(results).toContainEqual({ invoicePaymentId: sub.invoicePaymentId, outcome: 'invoice_paid' });
      expect(await invoicePaymentOf(user, sub.invoiceId)).toMatchObject({ status: 'succeeded', gatewayPaymentId });
      expect((await t.prisma.subscription.findUniqueOrThrow({ where: { id: sub.id } })).status).toBe('active');
      // The outbox retry that follows gets the same payment and changes nothing.
      const created = gateway.payments.length;
      await drainOutbox(t.app);
      expect(gateway.payments.length).toBe(created);
      expect((await t.prisma.invoicePayment.findUniqueOrThrow({ where: { id: sub.invoicePaymentId } })).status).toBe(
        'succeeded',
      );
    });

    it('should leave an unknown payment the gateway does not have to the outbox retry', async () => {
      const user = await createUser(t.prisma);
      const sub = await subscribe(t, user.auth, plan.id);
      // As if the connection dropped before the gateway created anything.
      await t.prisma.invoicePayment.update({
        where: { id: sub.invoicePaymentId },
        data: { status: 'unknown', updatedAt: t.clock.now() },
      });
      t.clock.advance(SIXTEEN_MINUTES);

      const results = await t.app.get(ReconciliationService).reconcileStale();

      expect(results.filter((r) => r.invoicePaymentId === sub.invoicePaymentId)).toEqual([
        { invoicePaymentId: sub.invoicePaymentId, outcome: 'not_found' },
      ]);
      expect((await t.prisma.invoicePayment.findUniqueOrThrow({ where: { id: sub.invoicePaymentId } })).status).toBe(
        'unknown',
      );
      gateway.paymentStatus = 'processing';
      await drainOutbox(t.app);
      expect((await t.prisma.invoicePayment.findUniqueOrThrow({ where: { id: sub.invoicePaymentId } })).status).toBe(
        'processing',
      );
      expect(gateway.payments.filter((p) => p.body.metadata.invoicePaymentId === sub.invoicePaymentId)).toHaveLength(1);
    });

    it('should cancel an unknown payment the gateway never created once its invoice was voided, and send nothing', async () => {
      const user = await createUser(t.prisma);
      const sub = await subscribe(t, user.auth, plan.id);
      // As if the connection dropped before the gateway created anything; then the customer cancels now.
      await t.prisma.invoicePayment.update({
        where: { id: sub.invoicePaymentId },
        data: { status: 'unknown', updatedAt: t.clock.now() },
      });
      await request(t.server)
        .post(`/v1/subscriptions/${sub.id}/cancel`)
        .set(user.auth)
        .send({ atPeriodEnd: false })
        .expect(200);
      expect(
        await t.prisma.outboxMessage.findFirstOrThrow({ where: { aggregateId: sub.invoicePaymentId } }),
      ).toMatchObject({ status: 'canceled' });
      t.clock.advance(SIXTEEN_MINUTES);

      const results = await t.app.get(ReconciliationService).reconcileStale();

      expect(results.filter((r) => r.invoicePaymentId === sub.invoicePaymentId)).toEqual([
        { invoicePaymentId: sub.invoicePaymentId, outcome: 'canceled_never_created' },
      ]);
      expect(await invoicePaymentOf(user, sub.invoiceId)).toMatchObject({ status: 'canceled' });
      const sent = gateway.requests.length;
      await drainOutbox(t.app);
      expect(gateway.requests.length).toBe(sent);
    });
  });
});
