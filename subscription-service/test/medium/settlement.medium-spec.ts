import { settleInvoicePayment } from '../../src/billing/payment-outcomes';
import { endSubscription } from '../../src/billing/subscription-transitions';
import { BillingCore, openBillingCore, scenario } from './billing-core';

const DUNNING = [86_400_000, 3 * 86_400_000, 5 * 86_400_000];
const PERIOD_START = new Date('2026-03-01T00:00:00.000Z');
const NOW = new Date('2026-03-01T00:00:05.000Z');
const RENEWAL_DUE = new Date('2026-04-01T00:00:00.000Z');

describe('billing core against PostgreSQL (medium)', () => {
  let core: BillingCore;
  const reported = (invoice: { id: string; amount: number; currency: string }, id = `gw-${invoice.id}`) => ({
    id,
    amount: invoice.amount,
    currency: invoice.currency,
    merchantReference: invoice.id,
  });
  const webhook = (sequence: number) => ({
    causeType: 'webhook_event' as const,
    causeId: `evt-${sequence}`,
    eventType: 'payment.succeeded',
    sequence,
  });

  beforeAll(async () => {
    core = await openBillingCore();
  });
  afterAll(() => core.close());

  describe('settleInvoicePayment', () => {
    it('should pay an open initial invoice and activate its incomplete subscription, with one history row', async () => {
      const { subscription, invoice, payment } = await scenario(core, {
        status: 'incomplete',
        kind: 'initial',
        periodStart: PERIOD_START,
      });
      const result = await core.db.transaction((tx) =>
        settleInvoicePayment(
          tx,
          payment.id,
          { kind: 'succeeded', gateway: reported(invoice) },
          webhook(1),
          NOW,
          DUNNING,
        ),
      );

      expect(result).toBe('invoice_paid');
      expect(await core.prisma.invoice.findUniqueOrThrow({ where: { id: invoice.id } })).toMatchObject({
        status: 'paid',
        paidAt: NOW,
      });
      expect(await core.prisma.invoicePayment.findUniqueOrThrow({ where: { id: payment.id } })).toMatchObject({
        status: 'succeeded',
        gatewayPaymentId: `gw-${invoice.id}`,
        lastEventSequence: 1,
      });
      expect(await core.prisma.subscription.findUniqueOrThrow({ where: { id: subscription.id } })).toMatchObject({
        status: 'active',
        incompleteExpiresAt: null,
        version: 1,
      });
      expect(
        await core.prisma.subscriptionStatusChange.findMany({ where: { subscriptionId: subscription.id } }),
      ).toEqual([
        expect.objectContaining({
          fromStatus: 'incomplete',
          toStatus: 'active',
          reason: 'initial_payment_succeeded',
          causeId: 'evt-1',
        }),
      ]);
    });

    it('should schedule the first dunning retry on a declined renewal, then cancel when every retry is declined', async () => {
      const { subscription, invoice, payment } = await scenario(core, {
        status: 'active',
        kind: 'renewal',
        periodStart: PERIOD_START,
      });
      const declined = (id: string, n: number) =>
        core.db.transaction((tx) =>
          settleInvoicePayment(
            tx,
            id,
            {
              kind: 'failed',
              code: 'card_declined',
              message: null,
              gateway: reported(invoice, `gw-${invoice.id}-${n}`),
            },
            webhook(1),
            RENEWAL_DUE,
            DUNNING,
          ),
        );
      expect(await declined(payment.id, 0)).toBe('renewal_retry_scheduled');
      expect(await core.prisma.subscription.findUniqueOrThrow({ where: { id: subscription.id } })).toMatchObject({
        status: 'past_due',
        nextPaymentRetryAt: new Date(RENEWAL_DUE.getTime() + DUNNING[0]),
      });

      const outcomes: string[] = [];
      for (let retry = 1; retry <= DUNNING.length; retry++) {
        const attempt = await core.prisma.invoicePayment.create({
          data: { invoiceId: invoice.id, paymentMethod: 'pm_card_declined', status: 'processing' },
        });
        outcomes.push(await declined(attempt.id, retry));
      }
      expect(outcomes).toEqual(['renewal_retry_scheduled', 'renewal_retry_scheduled', 'invoice_failed']);
      expect(await core.prisma.invoice.findUniqueOrThrow({ where: { id: invoice.id } })).toMatchObject({
        status: 'failed',
        failureCode: 'card_declined',
      });
      expect(await core.prisma.subscription.findUniqueOrThrow({ where: { id: subscription.id } })).toMatchObject({
        status: 'canceled',
        cancellationReason: 'dunning_exhausted',
        renewalInvoiceId: null,
        nextPaymentRetryAt: null,
        liveUserId: null,
      });
    });

    it('should refund in full, through a refund.create outbox message, a success that arrives for a void invoice', async () => {
      const { invoice, payment } = await scenario(core, {
        status: 'canceled',
        kind: 'initial',
        periodStart: PERIOD_START,
      });
      await core.prisma.invoice.update({ where: { id: invoice.id }, data: { status: 'void' } });

      const result = await core.db.transaction((tx) =>
        settleInvoicePayment(
          tx,
          payment.id,
          { kind: 'succeeded', gateway: reported(invoice) },
          webhook(2),
          NOW,
          DUNNING,
        ),
      );

      expect(result).toBe('refund_requested');
      expect(await core.prisma.invoice.findUniqueOrThrow({ where: { id: invoice.id } })).toMatchObject({
        status: 'void',
      });
      const refund = await core.prisma.invoiceRefund.findUniqueOrThrow({ where: { invoicePaymentId: payment.id } });
      expect(refund).toMatchObject({
        amount: 2900,
        currency: 'USD',
        reason: 'no_obligation',
        explanation: 'invoice_void',
        status: 'pending',
        gatewayPaymentId: `gw-${invoice.id}`,
      });
      expect(await core.prisma.outboxMessage.findFirstOrThrow({ where: { aggregateId: refund.id } })).toMatchObject({
        topic: 'refund.create',
        status: 'pending',
        payload: {
          invoiceRefundId: refund.id,
          invoiceId: invoice.id,
          gatewayPaymentId: `gw-${invoice.id}`,
          amount: 2900,
          currency: 'USD',
          reason: 'no_obligation',
        },
      });
    });

    it('should settle nothing and keep an anomaly for a report of another amount', async () => {
      const { invoice, payment } = await scenario(core, {
        status: 'incomplete',
        kind: 'initial',
        periodStart: PERIOD_START,
      });
      const result = await core.db.transaction((tx) =>
        settleInvoicePayment(
          tx,
          payment.id,
          { kind: 'succeeded', gateway: { ...reported(invoice), amount: 1 } },
          webhook(1),
          NOW,
          DUNNING,
        ),
      );
      expect(result).toBe('anomaly');
      expect(await core.prisma.invoice.findUniqueOrThrow({ where: { id: invoice.id } })).toMatchObject({
        status: 'open',
      });
      expect(await core.prisma.paymentAnomaly.findMany({ where: { invoicePaymentId: payment.id } })).toEqual([
        expect.objectContaining({ kind: 'amount_mismatch', received: expect.objectContaining({ amount: 1 }) }),
      ]);
    });

    it('should switch to a pending plan of another interval when its proration invoice is paid: new period, new anchor', async () => {
      const { subscription, invoice, payment } = await scenario(core, {
        status: 'active',
        kind: 'proration',
        periodStart: PERIOD_START,
      });
      const yearly = await core.prisma.plan.create({
        data: {
          code: `yearly-${payment.id.slice(0, 8)}`,
          name: 'Pro yearly',
          amount: 2900,
          currency: 'USD',
          interval: 'year',
        },
      });
      const newPeriod = {
        periodStart: new Date('2026-03-10T00:00:00.000Z'),
        periodEnd: new Date('2027-03-10T00:00:00.000Z'),
      };
      await core.prisma.invoice.update({ where: { id: invoice.id }, data: { planId: yearly.id, ...newPeriod } });
      await core.prisma.subscription.update({
        where: { id: subscription.id },
        data: { pendingPlanId: yearly.id, pendingInvoiceId: invoice.id },
      });

      const result = await core.db.transaction((tx) =>
        settleInvoicePayment(
          tx,
          payment.id,
          { kind: 'succeeded', gateway: reported(invoice) },
          webhook(1),
          NOW,
          DUNNING,
        ),
      );

      expect(result).toBe('invoice_paid');
      expect(await core.prisma.subscription.findUniqueOrThrow({ where: { id: subscription.id } })).toMatchObject({
        planId: yearly.id,
        pendingPlanId: null,
        pendingInvoiceId: null,
        currentPeriodStart: newPeriod.periodStart,
        currentPeriodEnd: newPeriod.periodEnd,
        billingCycleAnchor: newPeriod.periodStart,
      });
    });
  });

  describe('endSubscription', () => {
    it('should void what the subscription still asked for and cancel its unsent charge, leaving a charge being sent to its sender', async () => {
      const { subscription, invoice, payment } = await scenario(core, {
        status: 'incomplete',
        kind: 'initial',
        periodStart: PERIOD_START,
        paymentStatus: 'pending',
      });
      const sending = await core.prisma.invoicePayment.create({
        data: { invoiceId: invoice.id, paymentMethod: 'pm_card_visa', status: 'pending' },
      });
      await core.prisma.outboxMessage.create({
        data: {
          topic: 'payment.initiate',
          aggregateId: sending.id,
          payload: {},
          status: 'pending',
          lockedUntil: new Date(NOW.getTime() + 60_000),
        },
      });

      await core.db.transaction(async (tx) => {
        const locked = await core.prisma.subscription.findUniqueOrThrow({ where: { id: subscription.id } });
        await endSubscription(
          tx,
          locked,
          {
            to: 'canceled',
            cause: { reason: 'canceled_by_request', causeType: 'request', causeId: 'req-1' },
            endedAt: NOW,
            canceledAt: NOW,
            cancellationReason: null,
          },
          NOW,
          NOW,
        );
      });

      expect(await core.prisma.subscription.findUniqueOrThrow({ where: { id: subscription.id } })).toMatchObject({
        status: 'canceled',
        endedAt: NOW,
        liveUserId: null,
        incompleteExpiresAt: null,
      });
      expect(await core.prisma.invoice.findUniqueOrThrow({ where: { id: invoice.id } })).toMatchObject({
        status: 'void',
      });
      expect(await core.prisma.invoicePayment.findUniqueOrThrow({ where: { id: payment.id } })).toMatchObject({
        status: 'canceled',
      });
      expect(await core.prisma.outboxMessage.findFirstOrThrow({ where: { aggregateId: payment.id } })).toMatchObject({
        status: 'canceled',
      });
      // Leased by a sender right now: left to it (it re-checks the invoice just before sending).
      expect(await core.prisma.invoicePayment.findUniqueOrThrow({ where: { id: sending.id } })).toMatchObject({
        status: 'pending',
      });
      expect(await core.prisma.outboxMessage.findFirstOrThrow({ where: { aggregateId: sending.id } })).toMatchObject({
        status: 'pending',
      });
    });
  });
});
