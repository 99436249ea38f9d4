import request from 'supertest';
import { BillingRunService } from '../src/billing/billing-run.service';
import { Plan } from '../src/generated/prisma/client';
import { createPlan, createUser, TestUser } from './support/factories';
import { FakePaymentGateway } from './support/fake-payment-gateway';
import { activeSubscription, deliverPaymentEvent, subscribe } from './support/flows';
import { createTestApp, resetDatabase, TEST_ADMIN_KEY, TestApp } from './support/test-app';
import { drainOutbox } from './support/outbox';

const START = '2026-03-10T12:00:00.000Z';
const PERIOD_END = '2026-04-10T12:00:00.000Z';
const NEXT_PERIOD_END = '2026-05-10T12:00:00.000Z';
const FIRST_RETRY = '2026-04-11T12:00:00.000Z';
const SECOND_RETRY = '2026-04-13T12:00:00.000Z';
const THIRD_RETRY = '2026-04-15T12:00:00.000Z';

describe('pay now: POST /v1/invoices/{id}/pay and the retry after a payment-method update (e2e)', () => {
  let t: TestApp;
  let pro: Plan;
  const gateway = new FakePaymentGateway([202]);
  const admin = { Authorization: `Bearer ${TEST_ADMIN_KEY}` };

  const billing = (): BillingRunService => t.app.get(BillingRunService);
  const getSubscription = async (id: string) =>
    (await request(t.server).get(`/v1/subscriptions/${id}`).set(admin).expect(200)).body;
  const historyOf = async (id: string) =>
    (await request(t.server).get(`/v1/subscriptions/${id}/history`).set(admin).expect(200)).body.data;
  const renewalInvoice = (subscriptionId: string) =>
    t.prisma.invoice.findFirstOrThrow({
      where: { subscriptionId, kind: 'renewal' },
      include: { payments: { orderBy: { createdAt: 'asc' } } },
    });
  const payNow = (invoiceId: string, auth: Record<string, string>, body: object = {}) =>
    request(t.server).post(`/v1/invoices/${invoiceId}/pay`).set(auth).send(body);
  /** Failed attempts that count for dunning (the billing system's own). */
  const dunningFailures = (invoiceId: string) =>
    t.prisma.invoicePayment.count({ where: { invoiceId, status: 'failed', initiatedBy: 'billing' } });
  /** Settles the invoice's attempt in flight (there is at most one) by a signed webhook, as the payment service would; then a minute passes. */
  const settleLatest = async (invoiceId: string, type: 'payment.succeeded' | 'payment.failed') => {
    const inFlight = await t.prisma.invoicePayment.findMany({
      where: { invoiceId, status: { in: ['pending', 'processing', 'unknown'] } },
    });
    expect(inFlight).toHaveLength(1);
    const delivery = await deliverPaymentEvent(t, {
      type,
      invoiceId,
      invoicePaymentId: inFlight[0].id,
      failureCode: 'card_declined',
    });
    expect(delivery.status).toBe(200);
    t.clock.advance(60_000);
    return inFlight[0];
  };
  /** An active subscription whose renewal was declined: past_due, first dunning retry due at FIRST_RETRY. */
  const pastDue = async (user: TestUser): Promise<{ id: string; invoiceId: string }> => {
    const sub = await activeSubscription(t, user.auth, pro.id);
    // The card on file goes bad before the renewal (no retry while active: nothing is due).
    await request(t.server)
      .patch(`/v1/subscriptions/${sub.id}`)
      .set(user.auth)
      .send({ paymentMethod: 'pm_card_declined' })
      .expect(200);
    t.clock.set(PERIOD_END);
    expect(await billing().runDueFor(sub.id)).toBe('renew');
    const invoice = await renewalInvoice(sub.id);
    await settleLatest(invoice.id, 'payment.failed');
    t.clock.advance(60_000);
    expect(await getSubscription(sub.id)).toMatchObject({ status: 'past_due', nextPaymentRetryAt: FIRST_RETRY });
    return { id: sub.id, invoiceId: invoice.id };
  };

  beforeAll(async () => {
    const url = await gateway.start();
    t = await createTestApp({ PAYMENT_SERVICE_URL: url });
    await resetDatabase(t.prisma);
    pro = await createPlan(t.prisma, { name: 'Pro', amount: 2900 });
  });
  beforeEach(() => t.clock.set(START));
  afterAll(async () => {
    await t.close();
    await gateway.stop();
  });

  describe('payment-method update of a past_due subscription', () => {
    it('should request a new attempt at once with the new method; its success makes the subscription active and advances the period', async () => {
      const user = await createUser(t.prisma);
      const sub = await pastDue(user);

      const updated = await request(t.server)
        .patch(`/v1/subscriptions/${sub.id}`)
        .set(user.auth)
        .send({ paymentMethod: 'pm_card_visa' })
        .expect(200);
      expect(updated.body).toMatchObject({
        status: 'past_due',
        paymentMethod: 'pm_card_visa',
        nextPaymentRetryAt: FIRST_RETRY,
      });
      expect(
        updated.body.latestInvoice.payments.map((p: { status: string; paymentMethod: string; initiatedBy: string }) => [
          p.status,
          p.paymentMethod,
          p.initiatedBy,
        ]),
      ).toEqual([
        ['failed', 'pm_card_declined', 'billing'],
        ['pending', 'pm_card_visa', 'customer'],
      ]);
      const attempt = updated.body.latestInvoice.payments[1];
      expect(await t.prisma.outboxMessage.count({ where: { aggregateId: attempt.id } })).toBe(1);
      await drainOutbox(t.app);
      const posted = gateway.requests.filter((r) => r.body.metadata?.invoicePaymentId === attempt.id);
      expect(posted.map((r) => [r.body.merchantReference, r.body.paymentMethod, r.body.amount])).toEqual([
        [sub.invoiceId, 'pm_card_visa', 2900],
      ]);

      await settleLatest(sub.invoiceId, 'payment.succeeded');
      expect(await getSubscription(sub.id)).toMatchObject({
        status: 'active',
        currentPeriodStart: PERIOD_END,
        currentPeriodEnd: NEXT_PERIOD_END,
        renewalInvoiceId: null,
        nextPaymentRetryAt: null,
        latestInvoice: { id: sub.invoiceId, status: 'paid' },
      });
      expect((await historyOf(sub.id)).at(-1)).toMatchObject({
        fromStatus: 'past_due',
        toStatus: 'active',
        reason: 'renewal_payment_succeeded',
        causeType: 'webhook_event',
      });
    });

    it('should not start a second attempt while one is in flight, and retry again once it has failed', async () => {
      const user = await createUser(t.prisma);
      const sub = await pastDue(user);
      await request(t.server)
        .patch(`/v1/subscriptions/${sub.id}`)
        .set(user.auth)
        .send({ paymentMethod: 'pm_card_mastercard' })
        .expect(200);
      const second = await request(t.server)
        .patch(`/v1/subscriptions/${sub.id}`)
        .set(user.auth)
        .send({ paymentMethod: 'pm_card_visa' })
        .expect(200);
      expect(second.body.paymentMethod).toBe('pm_card_visa'); // the method is updated all the same
      expect((await renewalInvoice(sub.id)).payments.map((p) => [p.status, p.paymentMethod])).toEqual([
        ['failed', 'pm_card_declined'],
        ['pending', 'pm_card_mastercard'],
      ]);

      await settleLatest(sub.invoiceId, 'payment.failed');
      await request(t.server)
        .patch(`/v1/subscriptions/${sub.id}`)
        .set(user.auth)
        .send({ paymentMethod: 'pm_card_visa' })
        .expect(200);
      await request(t.server)
        .patch(`/v1/subscriptions/${sub.id}`)
        .set(user.auth)
        .send({ paymentMethod: 'pm_card_visa' })
        .expect(200);
      expect((await renewalInvoice(sub.id)).payments.map((p) => [p.status, p.paymentMethod])).toEqual([
        ['failed', 'pm_card_declined'],
        ['failed', 'pm_card_mastercard'],
        ['pending', 'pm_card_visa'],
      ]);
      expect(await getSubscription(sub.id)).toMatchObject({ status: 'past_due', nextPaymentRetryAt: FIRST_RETRY });
    });

    it('should only update the method of an active subscription (nothing to retry)', async () => {
      const user = await createUser(t.prisma);
      const sub = await activeSubscription(t, user.auth, pro.id);
      await request(t.server)
        .patch(`/v1/subscriptions/${sub.id}`)
        .set(user.auth)
        .send({ paymentMethod: 'pm_card_mastercard' })
        .expect(200);
      expect(await t.prisma.invoicePayment.count({ where: { invoice: { subscriptionId: sub.id } } })).toBe(1);
    });
  });

  describe('POST /v1/invoices/{id}/pay', () => {
    it('should pay an open renewal invoice: 202 with the invoice and a pending customer attempt, then paid and active', async () => {
      const user = await createUser(t.prisma);
      const sub = await pastDue(user);
      await request(t.server)
        .patch(`/v1/subscriptions/${sub.id}`)
        .set(admin)
        .send({ paymentMethod: 'pm_card_visa' })
        .expect(200);
      await settleLatest(sub.invoiceId, 'payment.failed'); // the update's retry failed too

      const res = await payNow(sub.invoiceId, user.auth, { paymentMethod: 'pm_card_mastercard' }).expect(202);
      expect(res.body).toMatchObject({ object: 'invoice', id: sub.invoiceId, kind: 'renewal', status: 'open' });
      expect(res.body.payments.at(-1)).toMatchObject({
        status: 'pending',
        paymentMethod: 'pm_card_mastercard',
        initiatedBy: 'customer',
      });
      expect(await t.prisma.outboxMessage.count({ where: { aggregateId: res.body.payments.at(-1).id } })).toBe(1);
      // The method given pays this attempt only; the default stays.
      expect((await getSubscription(sub.id)).paymentMethod).toBe('pm_card_visa');

      await settleLatest(sub.invoiceId, 'payment.succeeded');
      const invoice = (await request(t.server).get(`/v1/invoices/${sub.invoiceId}`).set(user.auth).expect(200)).body;
      expect(invoice.status).toBe('paid');
      expect(await getSubscription(sub.id)).toMatchObject({
        status: 'active',
        currentPeriodStart: PERIOD_END,
        currentPeriodEnd: NEXT_PERIOD_END,
        nextPaymentRetryAt: null,
      });
      expect((await historyOf(sub.id)).at(-1)).toMatchObject({
        fromStatus: 'past_due',
        toStatus: 'active',
        reason: 'renewal_payment_succeeded',
      });
    });

    it('should charge the method on file when none is given', async () => {
      const user = await createUser(t.prisma);
      const sub = await pastDue(user);
      await t.prisma.subscription.update({ where: { id: sub.id }, data: { paymentMethod: 'pm_card_mastercard' } });
      const res = await request(t.server).post(`/v1/invoices/${sub.invoiceId}/pay`).set(user.auth).expect(202);
      expect(res.body.payments.at(-1)).toMatchObject({ status: 'pending', paymentMethod: 'pm_card_mastercard' });
    });

    it("should answer 409 payment_in_progress while an attempt is in flight (the renewal's own, or a pay now) and start nothing", async () => {
      const user = await createUser(t.prisma);
      const sub = await activeSubscription(t, user.auth, pro.id);
      t.clock.set(PERIOD_END);
      await billing().runDueFor(sub.id);
      const invoice = await renewalInvoice(sub.id);
      const renewing = await payNow(invoice.id, user.auth).expect(409);
      expect(renewing.body).toMatchObject({ code: 'payment_in_progress', status: 409 });

      await settleLatest(invoice.id, 'payment.failed');
      await payNow(invoice.id, user.auth).expect(202);
      const second = await payNow(invoice.id, user.auth).expect(409);
      expect(second.body.code).toBe('payment_in_progress');
      expect((await renewalInvoice(sub.id)).payments.map((p) => p.status)).toEqual(['failed', 'pending']);
    });

    it('should leave the dunning schedule alone when a pay now fails: same next retry, same count, still past_due', async () => {
      const user = await createUser(t.prisma);
      const sub = await pastDue(user);
      expect(await dunningFailures(sub.invoiceId)).toBe(1);

      await payNow(sub.invoiceId, user.auth, { paymentMethod: 'pm_card_declined' }).expect(202);
      await settleLatest(sub.invoiceId, 'payment.failed');
      expect(await getSubscription(sub.id)).toMatchObject({
        status: 'past_due',
        nextPaymentRetryAt: FIRST_RETRY,
        renewalInvoiceId: sub.invoiceId,
        latestInvoice: { status: 'open', failureCode: 'card_declined' },
      });
      expect(await dunningFailures(sub.invoiceId)).toBe(1);

      // The schedule goes on as if the pay now had not happened: the first retry, then the second.
      t.clock.set(FIRST_RETRY);
      expect(await billing().runDueFor(sub.id)).toBe('retry_renewal_payment');
      await settleLatest(sub.invoiceId, 'payment.failed');
      expect(await getSubscription(sub.id)).toMatchObject({ status: 'past_due', nextPaymentRetryAt: SECOND_RETRY });
      expect(await dunningFailures(sub.invoiceId)).toBe(2);
    });

    it('should never cancel a subscription when a pay now fails after the last-but-one retry', async () => {
      const user = await createUser(t.prisma);
      const sub = await pastDue(user);
      for (const retryAt of [FIRST_RETRY, SECOND_RETRY]) {
        t.clock.set(retryAt);
        await billing().runDueFor(sub.id);
        await settleLatest(sub.invoiceId, 'payment.failed');
      }
      expect(await getSubscription(sub.id)).toMatchObject({ status: 'past_due', nextPaymentRetryAt: THIRD_RETRY });
      for (let i = 0; i < 3; i += 1) {
        await payNow(sub.invoiceId, user.auth, { paymentMethod: 'pm_card_declined' }).expect(202);
        await settleLatest(sub.invoiceId, 'payment.failed');
      }
      expect(await getSubscription(sub.id)).toMatchObject({ status: 'past_due', nextPaymentRetryAt: THIRD_RETRY });
      t.clock.set(THIRD_RETRY);
      await billing().runDueFor(sub.id);
      await settleLatest(sub.invoiceId, 'payment.failed');
      expect(await getSubscription(sub.id)).toMatchObject({
        status: 'canceled',
        cancellationReason: 'dunning_exhausted',
      });
      expect(await dunningFailures(sub.invoiceId)).toBe(4);
    });

    it('should postpone a dunning retry that comes due while a pay now is in flight, never charging twice at once', async () => {
      const user = await createUser(t.prisma);
      const sub = await pastDue(user);
      t.clock.set('2026-04-11T11:59:00.000Z');
      await payNow(sub.invoiceId, user.auth).expect(202);

      t.clock.set(FIRST_RETRY);
      expect(await billing().runDueFor(sub.id)).toBe('retry_renewal_payment');
      expect((await renewalInvoice(sub.id)).payments.map((p) => p.status)).toEqual(['failed', 'pending']); // no second attempt
      expect((await getSubscription(sub.id)).nextPaymentRetryAt).toBe('2026-04-11T13:00:00.000Z');
      expect(await billing().runDueFor(sub.id)).toBeNull();

      await settleLatest(sub.invoiceId, 'payment.failed');
      expect((await getSubscription(sub.id)).nextPaymentRetryAt).toBe('2026-04-11T13:00:00.000Z');
      t.clock.set('2026-04-11T13:00:00.000Z');
      expect(await billing().runDueFor(sub.id)).toBe('retry_renewal_payment');
      expect((await renewalInvoice(sub.id)).payments.map((p) => [p.status, p.initiatedBy])).toEqual([
        ['failed', 'billing'],
        ['failed', 'customer'],
        ['pending', 'billing'],
      ]);
    });

    it('should answer 409 invoice_not_payable for a paid invoice', async () => {
      const user = await createUser(t.prisma);
      const sub = await activeSubscription(t, user.auth, pro.id);
      const res = await payNow(sub.invoiceId, user.auth).expect(409);
      expect(res.headers['content-type']).toContain('application/problem+json');
      expect(res.body).toMatchObject({ code: 'invoice_not_payable', status: 409 });
      expect(await t.prisma.invoicePayment.count({ where: { invoiceId: sub.invoiceId } })).toBe(1);
    });

    it("should answer 404 for another user's invoice and let an admin pay it", async () => {
      const owner = await createUser(t.prisma, 'owner');
      const other = await createUser(t.prisma, 'other');
      const sub = await pastDue(owner);
      const res = await payNow(sub.invoiceId, other.auth).expect(404);
      expect(res.body.code).toBe('not_found');
      expect((await renewalInvoice(sub.id)).payments).toHaveLength(1);
      await payNow(sub.invoiceId, admin).expect(202);
      await payNow('00000000-0000-4000-8000-00000000ffff', admin).expect(404);
    });

    it('should replay the first response for the same Idempotency-Key and create one attempt', async () => {
      const user = await createUser(t.prisma);
      const sub = await pastDue(user);
      const key = { ...user.auth, 'Idempotency-Key': `pay-now-${sub.id}` };
      const first = await payNow(sub.invoiceId, key, { paymentMethod: 'pm_card_visa' }).expect(202);
      const replay = await payNow(sub.invoiceId, key, { paymentMethod: 'pm_card_visa' }).expect(202);
      expect(replay.headers['idempotency-replayed']).toBe('true');
      expect(replay.body).toEqual(first.body);
      expect((await renewalInvoice(sub.id)).payments).toHaveLength(2);
      const reused = await payNow(sub.invoiceId, key, { paymentMethod: 'pm_card_mastercard' }).expect(422);
      expect(reused.body.code).toBe('idempotency_key_reused');
    });

    it('should pay a failed initial invoice again inside the incomplete window (the rule of POST /v1/subscriptions/{id}/pay)', async () => {
      const user = await createUser(t.prisma);
      const sub = await subscribe(t, user.auth, pro.id, 'pm_card_declined');
      await settleLatest(sub.invoiceId, 'payment.failed');
      const res = await payNow(sub.invoiceId, user.auth, { paymentMethod: 'pm_card_visa' }).expect(202);
      expect(res.body).toMatchObject({ kind: 'initial', status: 'open', failureCode: null });
      await settleLatest(sub.invoiceId, 'payment.succeeded');
      expect(await getSubscription(sub.id)).toMatchObject({ status: 'active', hasAccess: true });

      const late = await subscribe(t, (await createUser(t.prisma)).auth, pro.id, 'pm_card_declined');
      await settleLatest(late.invoiceId, 'payment.failed');
      t.clock.advance(23 * 60 * 60 * 1000);
      expect((await payNow(late.invoiceId, admin).expect(409)).body.code).toBe('invoice_not_payable');
    });

    it('should validate the body and document the endpoint', async () => {
      const user = await createUser(t.prisma);
      const sub = await pastDue(user);
      const bad = await payNow(sub.invoiceId, user.auth, { paymentMethod: 'visa' }).expect(400);
      expect(bad.body.code).toBe('validation_failed');
      const doc = (await request(t.server).get('/docs-json').expect(200)).body;
      const operation = doc.paths['/v1/invoices/{id}/pay'].post;
      expect(Object.keys(operation.responses)).toEqual(expect.arrayContaining(['202', '400', '404', '409']));
      expect(operation.parameters.map((p: { name: string }) => p.name)).toContain('Idempotency-Key');
    });
  });
});
