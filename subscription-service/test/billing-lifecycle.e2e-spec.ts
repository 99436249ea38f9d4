import request from 'supertest';
import { BillingRunService } from '../src/billing/billing-run.service';
import { Plan } from '../src/generated/prisma/client';
import { createPlan, createUser } from './support/factories';
import { FakePaymentGateway } from './support/fake-payment-gateway';
import { activeSubscription, CreatedSubscription, deliverPaymentEvent, subscribe } from './support/flows';
import { createTestApp, resetDatabase, TEST_ADMIN_KEY, TestApp } from './support/test-app';
import { drainOutbox } from './support/outbox';

const START = '2026-03-10T12:00:00.000Z';
const PERIOD_END = '2026-04-10T12:00:00.000Z';
const NEXT_PERIOD_END = '2026-05-10T12:00:00.000Z';

describe('billing lifecycle (e2e)', () => {
  let t: TestApp;
  let starter: Plan;
  let pro: Plan;
  let business: Plan;
  const gateway = new FakePaymentGateway([202]);
  const admin = { Authorization: `Bearer ${TEST_ADMIN_KEY}` };

  const billing = (): BillingRunService => t.app.get(BillingRunService);
  const getSubscription = async (id: string) =>
    (await request(t.server).get(`/v1/subscriptions/${id}`).set(admin).expect(200)).body;
  const renewalInvoice = (subscriptionId: string) =>
    t.prisma.invoice.findFirstOrThrow({
      where: { subscriptionId, kind: 'renewal' },
      include: { payments: { orderBy: { createdAt: 'asc' } } },
    });
  const historyOf = async (id: string) =>
    (await request(t.server).get(`/v1/subscriptions/${id}/history`).set(admin).expect(200)).body.data;
  /** The renewal's latest payment attempt settled by a signed webhook, as the payment service would. */
  const settleLatestRenewalPayment = async (subscriptionId: string, type: 'payment.succeeded' | 'payment.failed') => {
    const invoice = await renewalInvoice(subscriptionId);
    const payment = invoice.payments[invoice.payments.length - 1];
    const delivery = await deliverPaymentEvent(t, {
      type,
      invoiceId: invoice.id,
      invoicePaymentId: payment.id,
      failureCode: 'insufficient_funds',
    });
    expect(delivery.status).toBe(200);
  };
  const renewAt = async (at: string): Promise<number> => {
    t.clock.set(at);
    return billing().runDue();
  };

  beforeAll(async () => {
    const url = await gateway.start();
    t = await createTestApp({ PAYMENT_SERVICE_URL: url });
    await resetDatabase(t.prisma);
    starter = await createPlan(t.prisma, { name: 'Starter', amount: 900 });
    pro = await createPlan(t.prisma, { name: 'Pro', amount: 2900 });
    business = await createPlan(t.prisma, { name: 'Business', amount: 9900 });
  });
  beforeEach(() => t.clock.set(START));
  afterAll(async () => {
    await t.close();
    await gateway.stop();
  });

  describe('renewal', () => {
    it('should issue one renewal invoice at period end, charge it through the outbox, and advance the period when paid', async () => {
      const user = await createUser(t.prisma);
      const sub = await activeSubscription(t, user.auth, pro.id);

      expect(await renewAt('2026-04-10T11:59:59.999Z')).toBe(0);
      expect(await renewAt(PERIOD_END)).toBe(1);
      expect(await billing().runDue()).toBe(0); // nothing due twice

      const invoice = await renewalInvoice(sub.id);
      expect(invoice).toMatchObject({
        status: 'open',
        amount: 2900,
        planId: pro.id,
        periodStart: new Date(PERIOD_END),
        periodEnd: new Date(NEXT_PERIOD_END),
      });
      expect(invoice.payments).toHaveLength(1);
      const collecting = await getSubscription(sub.id);
      expect(collecting).toMatchObject({
        status: 'active',
        currentPeriodEnd: PERIOD_END,
        renewalInvoiceId: invoice.id,
        hasAccess: true, // grace while the renewal is collected
        entitledUntil: '2026-04-15T12:00:00.000Z',
      });

      await drainOutbox(t.app);
      const posted = gateway.requests.find((r) => r.body.merchantReference === invoice.id);
      expect(posted?.body).toMatchObject({
        amount: 2900,
        currency: 'USD',
        metadata: { subscriptionId: sub.id, invoicePaymentId: invoice.payments[0].id },
      });
      expect(posted?.headers['idempotency-key']).toBe(`invoice-payment:${invoice.payments[0].id}`);

      t.clock.advance(2000);
      await settleLatestRenewalPayment(sub.id, 'payment.succeeded');
      expect(await getSubscription(sub.id)).toMatchObject({
        status: 'active',
        currentPeriodStart: PERIOD_END,
        currentPeriodEnd: NEXT_PERIOD_END,
        renewalInvoiceId: null,
        hasAccess: true,
        entitledUntil: NEXT_PERIOD_END,
      });
      expect((await renewalInvoice(sub.id)).status).toBe('paid');
    });

    it('should go past_due on a failed renewal, retry on the dunning schedule, and become active when a retry is paid', async () => {
      const user = await createUser(t.prisma);
      const sub = await activeSubscription(t, user.auth, pro.id);
      await renewAt(PERIOD_END);
      await settleLatestRenewalPayment(sub.id, 'payment.failed');

      const pastDue = await getSubscription(sub.id);
      expect(pastDue).toMatchObject({
        status: 'past_due',
        nextPaymentRetryAt: '2026-04-11T12:00:00.000Z',
        hasAccess: true,
        entitledUntil: '2026-04-15T12:00:00.000Z',
      });
      expect((await renewalInvoice(sub.id)).status).toBe('open');

      expect(await renewAt('2026-04-11T11:59:59.000Z')).toBe(0);
      expect(await renewAt('2026-04-11T12:00:00.000Z')).toBe(1);
      const retried = await renewalInvoice(sub.id);
      expect(retried.payments.map((p) => p.status)).toEqual(['failed', 'pending']);
      expect(await t.prisma.outboxMessage.count({ where: { aggregateId: retried.payments[1].id } })).toBe(1);
      expect((await getSubscription(sub.id)).nextPaymentRetryAt).toBeNull();
      expect(await billing().runDue()).toBe(0); // a retry in flight is not retried again

      await settleLatestRenewalPayment(sub.id, 'payment.succeeded');
      expect(await getSubscription(sub.id)).toMatchObject({
        status: 'active',
        currentPeriodStart: PERIOD_END,
        currentPeriodEnd: NEXT_PERIOD_END,
        nextPaymentRetryAt: null,
      });
      expect(
        (await historyOf(sub.id)).map((h: { toStatus: string; reason: string }) => [h.toStatus, h.reason]),
      ).toEqual([
        ['incomplete', 'subscription_created'],
        ['active', 'initial_payment_succeeded'],
        ['past_due', 'renewal_payment_failed'],
        ['active', 'renewal_payment_succeeded'],
      ]);
    });

    it('should cancel with reason dunning_exhausted when the last retry fails', async () => {
      const user = await createUser(t.prisma);
      const sub = await activeSubscription(t, user.auth, pro.id);
      await renewAt(PERIOD_END);
      await settleLatestRenewalPayment(sub.id, 'payment.failed');
      for (const retryAt of ['2026-04-11T12:00:00.000Z', '2026-04-13T12:00:00.000Z', '2026-04-15T12:00:00.000Z']) {
        expect((await getSubscription(sub.id)).nextPaymentRetryAt).toBe(retryAt);
        expect(await renewAt(retryAt)).toBe(1);
        await settleLatestRenewalPayment(sub.id, 'payment.failed');
      }

      const canceled = await getSubscription(sub.id);
      expect(canceled).toMatchObject({
        status: 'canceled',
        cancellationReason: 'dunning_exhausted',
        hasAccess: false,
        renewalInvoiceId: null,
        nextPaymentRetryAt: null,
      });
      const invoice = await renewalInvoice(sub.id);
      expect(invoice.status).toBe('failed');
      expect(invoice.payments).toHaveLength(4);
      expect((await historyOf(sub.id)).at(-1)).toMatchObject({
        fromStatus: 'past_due',
        toStatus: 'canceled',
        reason: 'dunning_exhausted',
      });
      expect((await t.prisma.subscription.findUniqueOrThrow({ where: { id: sub.id } })).liveUserId).toBeNull();
      await renewAt('2026-06-01T00:00:00.000Z');
      expect((await renewalInvoice(sub.id)).payments).toHaveLength(4); // no retry after the last one
    });

    it('should bill a scheduled downgrade at renewal and switch the plan at the period boundary', async () => {
      const user = await createUser(t.prisma);
      const sub = await activeSubscription(t, user.auth, business.id);
      await request(t.server)
        .post(`/v1/subscriptions/${sub.id}/change-plan`)
        .set(user.auth)
        .send({ planId: starter.id })
        .expect(200);

      await renewAt(PERIOD_END);
      const invoice = await renewalInvoice(sub.id);
      expect(invoice).toMatchObject({ amount: 900, planId: starter.id });
      expect(await getSubscription(sub.id)).toMatchObject({ planId: starter.id, scheduledPlanId: null });
      await settleLatestRenewalPayment(sub.id, 'payment.succeeded');
      expect(await getSubscription(sub.id)).toMatchObject({
        planId: starter.id,
        status: 'active',
        currentPeriodEnd: NEXT_PERIOD_END,
      });
    });

    it('should renew on the current plan after a scheduled downgrade is withdrawn', async () => {
      const user = await createUser(t.prisma);
      const sub = await activeSubscription(t, user.auth, business.id);
      await request(t.server)
        .post(`/v1/subscriptions/${sub.id}/change-plan`)
        .set(user.auth)
        .send({ planId: starter.id })
        .expect(200);
      const withdrawn = await request(t.server)
        .delete(`/v1/subscriptions/${sub.id}/scheduled-change`)
        .set(user.auth)
        .expect(200);
      expect(withdrawn.body).toMatchObject({ planId: business.id, scheduledPlanId: null });
      const again = await request(t.server)
        .delete(`/v1/subscriptions/${sub.id}/scheduled-change`)
        .set(user.auth)
        .expect(409);
      expect(again.body.code).toBe('no_scheduled_change');

      await renewAt(PERIOD_END);
      expect(await renewalInvoice(sub.id)).toMatchObject({ amount: 9900, planId: business.id });
    });

    it('should renew a downgrade to another interval with the new interval', async () => {
      const user = await createUser(t.prisma);
      const yearly = await createPlan(t.prisma, { name: 'Pro yearly', amount: 29000, interval: 'year' }); // 2416.67 a month < 2900
      const sub = await activeSubscription(t, user.auth, pro.id);
      const scheduled = await request(t.server)
        .post(`/v1/subscriptions/${sub.id}/change-plan`)
        .set(user.auth)
        .send({ planId: yearly.id })
        .expect(200);
      expect(scheduled.body).toMatchObject({ planId: pro.id, scheduledPlanId: yearly.id, pendingPlanId: null });

      await renewAt(PERIOD_END);
      expect(await renewalInvoice(sub.id)).toMatchObject({
        amount: 29000,
        planId: yearly.id,
        periodEnd: new Date('2027-04-10T12:00:00.000Z'),
      });
      await settleLatestRenewalPayment(sub.id, 'payment.succeeded');
      expect(await getSubscription(sub.id)).toMatchObject({
        planId: yearly.id,
        currentPeriodStart: PERIOD_END,
        currentPeriodEnd: '2027-04-10T12:00:00.000Z',
        billingCycleAnchor: PERIOD_END, // another interval: the cycle restarts at the renewal
      });
    });
  });

  describe('calendar anchor', () => {
    /**
     * The billing worker's pass for this one subscription at `due` (the test clock's entry point): other
     * files' and tests' subscriptions are due too at these later dates, so a whole pass would count them.
     */
    const renewOwnAt = async (subscriptionId: string, due: string) => {
      t.clock.set(new Date(new Date(due).getTime() - 1).toISOString());
      expect(await billing().runDueFor(subscriptionId)).toBeNull();
      t.clock.set(due);
      expect(await billing().runDueFor(subscriptionId)).toBe('renew');
    };
    /** The newest renewal invoice (by the period it bills) and its latest payment settled by a signed webhook. */
    const payLatestRenewal = async (subscriptionId: string) => {
      const invoice = await t.prisma.invoice.findFirstOrThrow({
        where: { subscriptionId, kind: 'renewal' },
        orderBy: { periodStart: 'desc' },
        include: { payments: { orderBy: { createdAt: 'asc' } } },
      });
      const delivery = await deliverPaymentEvent(t, {
        type: 'payment.succeeded',
        invoiceId: invoice.id,
        invoicePaymentId: invoice.payments[invoice.payments.length - 1].id,
      });
      expect(delivery.status).toBe(200);
      return invoice;
    };

    it('should renew a period started on Jan 31 to Feb 28, then Mar 31 and Apr 30, not the 28th of every month', async () => {
      t.clock.set('2027-01-31T09:30:00.000Z');
      const user = await createUser(t.prisma);
      const sub = await activeSubscription(t, user.auth, pro.id);
      expect(sub.body).toMatchObject({
        currentPeriodStart: '2027-01-31T09:30:00.000Z',
        currentPeriodEnd: '2027-02-28T09:30:00.000Z',
      });

      const periods: string[][] = [];
      for (const due of ['2027-02-28T09:30:00.000Z', '2027-03-31T09:30:00.000Z']) {
        await renewOwnAt(sub.id, due);
        const invoice = await payLatestRenewal(sub.id);
        const current = await getSubscription(sub.id);
        periods.push([
          invoice.periodStart.toISOString(),
          invoice.periodEnd.toISOString(),
          current.currentPeriodStart,
          current.currentPeriodEnd,
        ]);
      }
      expect(periods).toEqual([
        [
          '2027-02-28T09:30:00.000Z',
          '2027-03-31T09:30:00.000Z',
          '2027-02-28T09:30:00.000Z',
          '2027-03-31T09:30:00.000Z',
        ],
        [
          '2027-03-31T09:30:00.000Z',
          '2027-04-30T09:30:00.000Z',
          '2027-03-31T09:30:00.000Z',
          '2027-04-30T09:30:00.000Z',
        ],
      ]);
      expect(await getSubscription(sub.id)).toMatchObject({
        status: 'active',
        billingCycleAnchor: '2027-01-31T09:30:00.000Z',
      });
    });

    it('should keep the anchor through a downgrade on the same interval: previewed and billed Feb 28 → Mar 31', async () => {
      t.clock.set('2027-01-31T09:30:00.000Z');
      const user = await createUser(t.prisma);
      const sub = await activeSubscription(t, user.auth, business.id);
      expect(sub.body.billingCycleAnchor).toBe('2027-01-31T09:30:00.000Z');
      t.clock.set('2027-02-10T00:00:00.000Z');
      const preview = await request(t.server)
        .get(`/v1/subscriptions/${sub.id}/change-plan/preview`)
        .query({ planId: starter.id })
        .set(user.auth)
        .expect(200);
      expect(preview.body).toMatchObject({
        direction: 'downgrade',
        periodStart: '2027-02-28T09:30:00.000Z',
        periodEnd: '2027-03-31T09:30:00.000Z',
      });
      await request(t.server)
        .post(`/v1/subscriptions/${sub.id}/change-plan`)
        .set(user.auth)
        .send({ planId: starter.id })
        .expect(200);

      await renewOwnAt(sub.id, '2027-02-28T09:30:00.000Z');
      const invoice = await payLatestRenewal(sub.id);
      expect(invoice).toMatchObject({
        planId: starter.id,
        periodStart: new Date(preview.body.periodStart),
        periodEnd: new Date(preview.body.periodEnd),
      });
      expect(await getSubscription(sub.id)).toMatchObject({
        planId: starter.id,
        currentPeriodStart: '2027-02-28T09:30:00.000Z',
        currentPeriodEnd: '2027-03-31T09:30:00.000Z',
        billingCycleAnchor: '2027-01-31T09:30:00.000Z',
      });
    });

    it('should renew a yearly plan started on Feb 29 on Feb 28 of the next year', async () => {
      const yearly = await createPlan(t.prisma, { name: 'Leap yearly', amount: 29000, interval: 'year' });
      t.clock.set('2028-02-29T00:00:00.000Z');
      const user = await createUser(t.prisma);
      const sub = await activeSubscription(t, user.auth, yearly.id);
      expect(sub.body).toMatchObject({
        currentPeriodEnd: '2029-02-28T00:00:00.000Z',
        billingCycleAnchor: '2028-02-29T00:00:00.000Z',
      });
      await renewOwnAt(sub.id, '2029-02-28T00:00:00.000Z');
      expect(await payLatestRenewal(sub.id)).toMatchObject({
        periodStart: new Date('2029-02-28T00:00:00.000Z'),
        periodEnd: new Date('2030-02-28T00:00:00.000Z'),
      });
    });
  });

  describe('cancel at period end', () => {
    it('should keep access until the period end, then be canceled at the boundary by the worker', async () => {
      const user = await createUser(t.prisma);
      const sub = await activeSubscription(t, user.auth, pro.id);
      await request(t.server)
        .post(`/v1/subscriptions/${sub.id}/cancel`)
        .set(user.auth)
        .send({ atPeriodEnd: true, reason: 'too_expensive' })
        .expect(200);

      expect(await renewAt('2026-04-10T11:59:59.000Z')).toBe(0);
      expect(await getSubscription(sub.id)).toMatchObject({
        status: 'active',
        cancelAtPeriodEnd: true,
        hasAccess: true,
        entitledUntil: PERIOD_END,
      });
      expect(await renewAt(PERIOD_END)).toBe(1);

      expect(await getSubscription(sub.id)).toMatchObject({
        status: 'canceled',
        hasAccess: false,
        endedAt: PERIOD_END,
        cancellationReason: 'too_expensive',
      });
      expect((await historyOf(sub.id)).at(-1)).toMatchObject({
        fromStatus: 'active',
        toStatus: 'canceled',
        reason: 'canceled_at_period_end',
        causeType: 'system',
      });
      expect(await t.prisma.invoice.count({ where: { subscriptionId: sub.id, kind: 'renewal' } })).toBe(0);
    });

    it('should renew normally when the cancellation was resumed before the end', async () => {
      const user = await createUser(t.prisma);
      const sub = await activeSubscription(t, user.auth, pro.id);
      await request(t.server).post(`/v1/subscriptions/${sub.id}/cancel`).set(user.auth).send({}).expect(200);
      await request(t.server).post(`/v1/subscriptions/${sub.id}/resume`).set(user.auth).expect(200);
      await renewAt(PERIOD_END);
      expect(await getSubscription(sub.id)).toMatchObject({ status: 'active', cancelAtPeriodEnd: false });
      expect(await t.prisma.invoice.count({ where: { subscriptionId: sub.id, kind: 'renewal' } })).toBe(1);
    });
  });

  describe('incomplete subscriptions', () => {
    const failInitial = async (sub: CreatedSubscription) => {
      const delivery = await deliverPaymentEvent(t, {
        type: 'payment.failed',
        invoiceId: sub.invoiceId,
        invoicePaymentId: sub.invoicePaymentId,
      });
      expect(delivery.status).toBe(200);
    };

    it('should be paid again with another card and become active', async () => {
      const user = await createUser(t.prisma);
      const sub = await subscribe(t, user.auth, pro.id, 'pm_card_declined');
      const inFlight = await request(t.server)
        .post(`/v1/subscriptions/${sub.id}/pay`)
        .set(user.auth)
        .send({ paymentMethod: 'pm_card_visa' })
        .expect(409);
      expect(inFlight.body.code).toBe('payment_in_progress');
      await failInitial(sub);
      expect((await getSubscription(sub.id)).latestInvoice.status).toBe('failed');

      t.clock.advance(60_000);
      const paid = await request(t.server)
        .post(`/v1/subscriptions/${sub.id}/pay`)
        .set(user.auth)
        .send({ paymentMethod: 'pm_card_visa' })
        .expect(200);
      expect(paid.body).toMatchObject({
        status: 'incomplete',
        paymentMethod: 'pm_card_visa',
        latestInvoice: { id: sub.invoiceId, status: 'open' },
      });
      const payments = paid.body.latestInvoice.payments;
      expect(payments.map((p: { status: string; paymentMethod: string }) => [p.status, p.paymentMethod])).toEqual([
        ['failed', 'pm_card_declined'],
        ['pending', 'pm_card_visa'],
      ]);
      expect(await t.prisma.outboxMessage.count({ where: { aggregateId: payments[1].id } })).toBe(1);

      await deliverPaymentEvent(t, {
        type: 'payment.succeeded',
        invoiceId: sub.invoiceId,
        invoicePaymentId: payments[1].id,
      });
      expect(await getSubscription(sub.id)).toMatchObject({
        status: 'active',
        hasAccess: true,
        latestInvoice: { status: 'paid' },
      });
    });

    it('should expire after its 23-hour window: incomplete_expired, invoice void, the user free to subscribe again', async () => {
      const user = await createUser(t.prisma);
      const sub = await subscribe(t, user.auth, pro.id, 'pm_card_declined');
      await failInitial(sub);

      expect(await renewAt('2026-03-11T10:59:59.000Z')).toBe(0);
      expect(await renewAt('2026-03-11T11:00:00.000Z')).toBe(1);
      expect(await getSubscription(sub.id)).toMatchObject({
        status: 'incomplete_expired',
        hasAccess: false,
        latestInvoice: { status: 'void' },
      });
      expect((await t.prisma.subscription.findUniqueOrThrow({ where: { id: sub.id } })).liveUserId).toBeNull();
      expect((await historyOf(sub.id)).at(-1)).toMatchObject({
        toStatus: 'incomplete_expired',
        reason: 'incomplete_expired',
      });

      const late = await request(t.server)
        .post(`/v1/subscriptions/${sub.id}/pay`)
        .set(user.auth)
        .send({ paymentMethod: 'pm_card_visa' })
        .expect(409);
      expect(late.body.code).toBe('subscription_not_incomplete');
      await subscribe(t, user.auth, pro.id);
    });

    it('should refuse to pay again once the window has ended even before the worker ran', async () => {
      const user = await createUser(t.prisma);
      const sub = await subscribe(t, user.auth, pro.id, 'pm_card_declined');
      await failInitial(sub);
      t.clock.advance(23 * 60 * 60 * 1000);
      const res = await request(t.server)
        .post(`/v1/subscriptions/${sub.id}/pay`)
        .set(user.auth)
        .send({ paymentMethod: 'pm_card_visa' })
        .expect(409);
      expect(res.body.code).toBe('incomplete_window_ended');
    });
  });

  describe('plan changes', () => {
    it('should bill exactly what the preview showed (worked example: 30-day period, 10 days used, 900 → 2900)', async () => {
      t.clock.set('2026-04-01T00:00:00.000Z');
      const user = await createUser(t.prisma);
      const sub = await activeSubscription(t, user.auth, starter.id);
      t.clock.set('2026-04-11T00:00:00.000Z');

      const preview = await request(t.server)
        .get(`/v1/subscriptions/${sub.id}/change-plan/preview`)
        .query({ planId: pro.id })
        .set(user.auth)
        .expect(200);
      expect(preview.body).toEqual({
        object: 'plan_change_preview',
        subscriptionId: sub.id,
        fromPlanId: starter.id,
        toPlanId: pro.id,
        direction: 'upgrade',
        effective: 'now',
        effectiveAt: '2026-04-11T00:00:00.000Z',
        reason: 'default',
        currency: 'USD',
        lines: [
          {
            type: 'credit',
            description: 'Unused time on Starter',
            planId: starter.id,
            amount: -600,
            periodStart: '2026-04-11T00:00:00.000Z',
            periodEnd: '2026-05-01T00:00:00.000Z',
          },
          {
            type: 'charge',
            description: 'Remaining time on Pro',
            planId: pro.id,
            amount: 1933,
            periodStart: '2026-04-11T00:00:00.000Z',
            periodEnd: '2026-05-01T00:00:00.000Z',
          },
        ],
        total: 1333,
        appliesAt: '2026-04-11T00:00:00.000Z',
        periodStart: '2026-04-11T00:00:00.000Z',
        periodEnd: '2026-05-01T00:00:00.000Z',
        resetsPeriod: false,
      });

      const changed = await request(t.server)
        .post(`/v1/subscriptions/${sub.id}/change-plan`)
        .set(user.auth)
        .send({ planId: pro.id })
        .expect(200);
      expect(changed.body).toMatchObject({ planId: starter.id, pendingPlanId: pro.id });
      const invoice = changed.body.latestInvoice;
      expect(invoice).toMatchObject({
        kind: 'proration',
        amount: preview.body.total,
        currency: preview.body.currency,
        lines: preview.body.lines,
      });
      expect([invoice.periodStart, invoice.periodEnd]).toEqual([preview.body.periodStart, preview.body.periodEnd]);
    });

    it('should preview a downgrade as scheduled for the period end with nothing to pay', async () => {
      const user = await createUser(t.prisma);
      const sub = await activeSubscription(t, user.auth, business.id);
      const preview = await request(t.server)
        .get(`/v1/subscriptions/${sub.id}/change-plan/preview`)
        .query({ planId: starter.id })
        .set(user.auth)
        .expect(200);
      expect(preview.body).toMatchObject({
        direction: 'downgrade',
        lines: [],
        total: 0,
        appliesAt: PERIOD_END,
        periodStart: PERIOD_END,
        periodEnd: NEXT_PERIOD_END,
      });
      expect(await t.prisma.subscription.findUniqueOrThrow({ where: { id: sub.id } })).toMatchObject({
        scheduledPlanId: null,
      });
    });

    it('should upgrade to another interval: credit the unused month, charge a full year, and start a new period when paid', async () => {
      const user = await createUser(t.prisma);
      const businessYearly = await createPlan(t.prisma, { name: 'Business yearly', amount: 99000, interval: 'year' });
      const sub = await activeSubscription(t, user.auth, pro.id);
      t.clock.set('2026-03-25T12:00:00.000Z'); // 16 of 31 days left

      const preview = await request(t.server)
        .get(`/v1/subscriptions/${sub.id}/change-plan/preview`)
        .query({ planId: businessYearly.id })
        .set(user.auth)
        .expect(200);
      expect(preview.body).toMatchObject({
        direction: 'upgrade',
        resetsPeriod: true,
        total: 99000 - 1497,
        periodStart: '2026-03-25T12:00:00.000Z',
        periodEnd: '2027-03-25T12:00:00.000Z',
      });
      expect(preview.body.lines.map((l: { amount: number }) => l.amount)).toEqual([-1497, 99000]); // 2900 × 16/31 = 1496.77 → 1497

      const changed = await request(t.server)
        .post(`/v1/subscriptions/${sub.id}/change-plan`)
        .set(user.auth)
        .send({ planId: businessYearly.id })
        .expect(200);
      expect(changed.body.latestInvoice).toMatchObject({ amount: preview.body.total, lines: preview.body.lines });
      await deliverPaymentEvent(t, {
        type: 'payment.succeeded',
        invoiceId: changed.body.latestInvoice.id,
        invoicePaymentId: changed.body.latestInvoice.payments[0].id,
      });
      expect(await getSubscription(sub.id)).toMatchObject({
        planId: businessYearly.id,
        pendingPlanId: null,
        currentPeriodStart: '2026-03-25T12:00:00.000Z',
        currentPeriodEnd: '2027-03-25T12:00:00.000Z',
        billingCycleAnchor: '2026-03-25T12:00:00.000Z', // the new period anchors the cycle
      });
    });

    it('should refuse to change plan while the renewal is being collected', async () => {
      const user = await createUser(t.prisma);
      const sub = await activeSubscription(t, user.auth, pro.id);
      await renewAt(PERIOD_END);
      const res = await request(t.server)
        .post(`/v1/subscriptions/${sub.id}/change-plan`)
        .set(user.auth)
        .send({ planId: business.id })
        .expect(409);
      expect(res.body.code).toBe('renewal_in_progress');
    });
  });

  describe('illegal transitions through the API', () => {
    type Setup = (auth: Record<string, string>) => Promise<string>;
    const incomplete: Setup = async (auth) => (await subscribe(t, auth, pro.id)).id;
    const active: Setup = async (auth) => (await activeSubscription(t, auth, pro.id)).id;
    const canceled: Setup = async (auth) => {
      const id = await active(auth);
      await request(t.server).post(`/v1/subscriptions/${id}/cancel`).set(auth).send({ atPeriodEnd: false }).expect(200);
      return id;
    };
    const pastDue: Setup = async (auth) => {
      const id = await active(auth);
      await renewAt(PERIOD_END);
      await settleLatestRenewalPayment(id, 'payment.failed');
      return id;
    };
    const expired: Setup = async (auth) => {
      const id = await incomplete(auth);
      await renewAt('2026-03-11T11:00:00.000Z');
      return id;
    };

    it.each([
      ['resume a canceled subscription', canceled, 'resume', {}, 'no_pending_cancellation'],
      ['cancel a canceled subscription', canceled, 'cancel', { atPeriodEnd: false }, 'invalid_state_transition'],
      [
        'cancel an incomplete_expired subscription',
        expired,
        'cancel',
        { atPeriodEnd: false },
        'invalid_state_transition',
      ],
      [
        'change the plan of an incomplete subscription',
        incomplete,
        'change-plan',
        { planId: 'business' },
        'subscription_not_active',
      ],
      [
        'change the plan of a past_due subscription',
        pastDue,
        'change-plan',
        { planId: 'business' },
        'subscription_not_active',
      ],
      [
        'change the plan of a canceled subscription',
        canceled,
        'change-plan',
        { planId: 'business' },
        'subscription_not_active',
      ],
      [
        'cancel a past_due subscription at period end',
        pastDue,
        'cancel',
        { atPeriodEnd: true },
        'subscription_not_active',
      ],
      ['resume an active subscription with no pending cancellation', active, 'resume', {}, 'no_pending_cancellation'],
      [
        'pay an active subscription again',
        active,
        'pay',
        { paymentMethod: 'pm_card_visa' },
        'subscription_not_incomplete',
      ],
      [
        'pay a canceled subscription',
        canceled,
        'pay',
        { paymentMethod: 'pm_card_visa' },
        'subscription_not_incomplete',
      ],
    ] as const)('should answer 409 problem+json to: %s', async (_name, setup, action, body, code) => {
      const user = await createUser(t.prisma);
      const id = await setup(user.auth);
      const payload = 'planId' in body ? { planId: business.id } : body;
      const res = await request(t.server)
        .post(`/v1/subscriptions/${id}/${action}`)
        .set(user.auth)
        .send(payload)
        .expect(409);
      expect(res.headers['content-type']).toContain('application/problem+json');
      expect(res.body).toMatchObject({ status: 409, code });
    });
  });
});

describe('billing workers racing (e2e)', () => {
  let first: TestApp;
  let second: TestApp;

  beforeAll(async () => {
    first = await createTestApp();
    second = await createTestApp();
    await resetDatabase(first.prisma);
  });
  afterAll(async () => {
    await first.close();
    await second.close();
  });

  it('should issue exactly one renewal invoice and one charge per subscription with two workers on the same database', async () => {
    const plan = await createPlan(first.prisma, { amount: 2900 });
    const ids: string[] = [];
    for (let i = 0; i < 12; i += 1) {
      const user = await createUser(first.prisma);
      ids.push((await activeSubscription(first, user.auth, plan.id)).id);
    }
    first.clock.set(PERIOD_END);
    second.clock.set(PERIOD_END);

    const processed = await Promise.all([
      first.app.get(BillingRunService).runDue(),
      second.app.get(BillingRunService).runDue(),
    ]);
    expect(processed[0] + processed[1]).toBe(12);

    const invoices = await first.prisma.invoice.findMany({
      where: { subscriptionId: { in: ids }, kind: 'renewal' },
      include: { payments: true },
    });
    expect(invoices).toHaveLength(12);
    expect(new Set(invoices.map((i) => i.subscriptionId)).size).toBe(12);
    expect(invoices.every((i) => i.payments.length === 1)).toBe(true);
    const paymentIds = invoices.map((i) => i.payments[0].id);
    expect(await first.prisma.outboxMessage.count({ where: { aggregateId: { in: paymentIds } } })).toBe(12);
    expect(await second.app.get(BillingRunService).runDue()).toBe(0);
  });

  it('should reject a second renewal invoice for the same period at the database (the last line of defence)', async () => {
    const invoice = await first.prisma.invoice.findFirstOrThrow({ where: { kind: 'renewal' } });
    const duplicate = first.prisma.invoice.create({
      data: {
        subscriptionId: invoice.subscriptionId,
        userId: invoice.userId,
        planId: invoice.planId,
        kind: 'renewal',
        status: 'open',
        amount: invoice.amount,
        currency: invoice.currency,
        periodStart: invoice.periodStart,
        periodEnd: invoice.periodEnd,
        description: invoice.description,
        lines: [],
        renewalKey: invoice.renewalKey,
      },
    });
    await expect(duplicate).rejects.toMatchObject({ code: 'P2002' });
  });
});

describe('test clock (e2e)', () => {
  const admin = { Authorization: `Bearer ${TEST_ADMIN_KEY}` };

  describe('when enabled', () => {
    let t: TestApp;
    beforeAll(async () => {
      t = await createTestApp({ TEST_CLOCK_ENABLED: 'true' });
      await resetDatabase(t.prisma);
    });
    afterAll(() => t.close());

    it('should move one subscription a period ahead and run its renewal before answering', async () => {
      const plan = await createPlan(t.prisma, { amount: 2900 });
      const user = await createUser(t.prisma);
      const other = await createUser(t.prisma);
      const sub = await activeSubscription(t, user.auth, plan.id);
      const untouched = await activeSubscription(t, other.auth, plan.id);

      const res = await request(t.server)
        .post(`/v1/subscriptions/${sub.id}/test-clock/advance`)
        .set(admin)
        .send({ seconds: 31 * 24 * 3600 })
        .expect(200);
      expect(res.body).toMatchObject({
        testClockOffsetSeconds: 31 * 24 * 3600,
        status: 'active',
        hasAccess: true,
        latestInvoice: { kind: 'renewal', status: 'open', amount: 2900 },
      });
      expect(res.body.renewalInvoiceId).toBe(res.body.latestInvoice.id);
      expect(res.body.latestInvoice.periodStart).toBe(PERIOD_END);
      expect(await t.prisma.invoice.count({ where: { subscriptionId: untouched.id, kind: 'renewal' } })).toBe(0);

      // Its payment outcome arrives by webhook; the period advances on the subscription's clock.
      await deliverPaymentEvent(t, {
        type: 'payment.succeeded',
        invoiceId: res.body.latestInvoice.id,
        invoicePaymentId: res.body.latestInvoice.payments[0].id,
      });
      const paid = await request(t.server).get(`/v1/subscriptions/${sub.id}`).set(admin).expect(200);
      expect(paid.body).toMatchObject({
        currentPeriodStart: PERIOD_END,
        currentPeriodEnd: NEXT_PERIOD_END,
        renewalInvoiceId: null,
      });
      expect(paid.body.latestInvoice.paidAt).toBe('2026-04-10T12:00:00.000Z');
    });

    it('should advance to an instant and cancel a cancel-at-period-end subscription at the boundary', async () => {
      const plan = await createPlan(t.prisma);
      const user = await createUser(t.prisma);
      const sub = await activeSubscription(t, user.auth, plan.id);
      await request(t.server).post(`/v1/subscriptions/${sub.id}/cancel`).set(user.auth).send({}).expect(200);
      const res = await request(t.server)
        .post(`/v1/subscriptions/${sub.id}/test-clock/advance`)
        .set(admin)
        .send({ to: PERIOD_END })
        .expect(200);
      expect(res.body).toMatchObject({ status: 'canceled', endedAt: PERIOD_END, hasAccess: false });
    });

    it('should refuse user keys (403), both or neither of seconds and to (400), and a time in the past (400)', async () => {
      const plan = await createPlan(t.prisma);
      const user = await createUser(t.prisma);
      const sub = await activeSubscription(t, user.auth, plan.id);
      const url = `/v1/subscriptions/${sub.id}/test-clock/advance`;
      expect((await request(t.server).post(url).set(user.auth).send({ seconds: 60 }).expect(403)).body.code).toBe(
        'forbidden',
      );
      await request(t.server).post(url).set(admin).send({}).expect(400);
      await request(t.server).post(url).set(admin).send({ seconds: 60, to: '2030-01-01T00:00:00.000Z' }).expect(400);
      await request(t.server).post(url).set(admin).send({ to: '2020-01-01T00:00:00.000Z' }).expect(400);
    });
  });

  describe('when disabled (the default)', () => {
    let t: TestApp;
    beforeAll(async () => {
      t = await createTestApp();
    });
    afterAll(() => t.close());

    it('should answer 404', async () => {
      const res = await request(t.server)
        .post('/v1/subscriptions/00000000-0000-4000-8000-000000000201/test-clock/advance')
        .set(admin)
        .send({ seconds: 60 })
        .expect(404);
      expect(res.body.code).toBe('not_found');
    });
  });
});
