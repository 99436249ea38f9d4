import { Inject, Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { AppConfig } from '../config/app-config';
import { Prisma, Subscription } from '../generated/prisma/client';
import { PaymentOutboxWorker } from '../payments-outbox/payment-outbox.worker';
import { Clock, CLOCK } from '../platform/clock';
import { PollingWorker } from '../platform/workers/polling-worker';
import { isUniqueViolation, PrismaService, Tx } from '../platform/database/prisma.service';
import { addBillingCycle } from '../subscriptions/domain/billing-period';
import { billingTime } from './domain/billing-time';
import { BillingWork, dueBillingWork } from './domain/due-work';
import { BillingMoment, issueInvoice, requestInvoicePayment } from './invoice-issuer';
import { transitionSubscription, updateSubscriptionVersioned } from './subscription-transitions';

interface ProcessedWork {
  readonly subscriptionId: string;
  readonly work: BillingWork | null;
}

/**
 * Runs what the passage of time makes due: renewals at period end, dunning retries, expiry of unpaid
 * incomplete subscriptions and cancel-at-period-end. Polls every BILLING_POLL_INTERVAL_MS (a PollingWorker). Each
 * subscription is handled in its own transaction on a row claimed with FOR UPDATE SKIP LOCKED, and
 * everything is derived from table state, so any number of replicas can run it and a restart mid-run
 * loses nothing; the unique invoices.renewal_key is the last line of defence against a double renewal.
 */
@Injectable()
export class BillingWorker extends PollingWorker {
  constructor(
    private readonly prisma: PrismaService,
    private readonly outbox: PaymentOutboxWorker,
    config: AppConfig,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {
    super(config.workersEnabled, config.billing.pollIntervalMs);
  }

  /**
   * A pass runs until nothing is due, so it never leaves work behind for an immediate rerun. At
   * shutdown it stops after the subscription in progress (it holds no leases to hand back).
   */
  protected async tick(): Promise<boolean> {
    await this.runDue();
    return false;
  }

  /** One pass over every subscription with due work; returns how many were processed. Public for tests. */
  async runDue(): Promise<number> {
    const seen: string[] = [];
    try {
      while (!this.shuttingDown) {
        const processed = await this.processNextDue(seen);
        if (!processed) break;
        seen.push(processed.subscriptionId);
      }
    } catch (error) {
      this.logger.error({ err: error }, 'billing pass failed');
    }
    return seen.length;
  }

  /**
   * Processes one subscription now if something is due for it (the test clock's synchronous pass).
   * Waits for the row lock instead of skipping it, so the result is deterministic.
   */
  async runDueFor(subscriptionId: string): Promise<BillingWork | null> {
    const processed = await this.processNextDue([], subscriptionId);
    return processed?.work ?? null;
  }

  /**
   * Claims one due subscription not in `skip` and does its work in one transaction. Returns null when
   * nothing is due. A transaction that fails is logged and reported as processed (work null) so the
   * pass moves on; the row stays due and is retried on the next pass.
   */
  private async processNextDue(skip: readonly string[], onlyId?: string): Promise<ProcessedWork | null> {
    const requestId = randomUUID();
    const claim: { id: string | null } = { id: null };
    try {
      const result = await this.prisma.$transaction(async (tx) => {
        const systemNow = this.clock.now();
        const [claimed] = await claimDueSubscription(tx, systemNow, skip, onlyId);
        if (!claimed) return null;
        claim.id = claimed.id;
        const subscription = await tx.subscription.findUniqueOrThrow({ where: { id: claimed.id } });
        const at: BillingMoment = { billing: billingTime(systemNow, subscription.clockOffsetSeconds), system: systemNow };
        const work = dueBillingWork(subscription, at.billing);
        if (work) await this.perform(tx, work, subscription, requestId, at);
        return { subscriptionId: claimed.id, work };
      });
      if (result?.work) {
        this.logger.log({ requestId, subscriptionId: result.subscriptionId, work: result.work }, 'billing work done');
        if (result.work === 'renew' || result.work === 'retry_renewal_payment') this.outbox.kick();
      }
      return result;
    } catch (error) {
      if (claim.id === null) throw error;
      const duplicateRenewal = isUniqueViolation(error, 'renewal_key');
      this.logger.error({ err: error, requestId, subscriptionId: claim.id, duplicateRenewal }, 'billing work failed');
      return { subscriptionId: claim.id, work: null };
    }
  }

  private async perform(tx: Tx, work: BillingWork, subscription: Subscription, requestId: string, at: BillingMoment): Promise<void> {
    const cause = { causeType: 'system' as const, causeId: requestId };
    switch (work) {
      case 'expire_incomplete':
        await transitionSubscription(tx, subscription, 'incomplete_expired', { ...cause, reason: 'incomplete_expired' }, at.billing, {
          endedAt: at.billing,
        });
        await tx.invoice.updateMany({
          where: { subscriptionId: subscription.id, status: { in: ['open', 'failed'] } },
          data: { status: 'void', updatedAt: at.billing },
        });
        return;
      case 'cancel_at_period_end':
        await transitionSubscription(tx, subscription, 'canceled', { ...cause, reason: 'canceled_at_period_end' }, at.billing, {
          endedAt: subscription.currentPeriodEnd,
          cancellationReason: subscription.cancellationReason ?? 'canceled_at_period_end',
          pendingPlanId: null,
          pendingInvoiceId: null,
          scheduledPlanId: null,
        });
        await tx.invoice.updateMany({ where: { subscriptionId: subscription.id, status: 'open' }, data: { status: 'void', updatedAt: at.billing } });
        return;
      case 'renew':
        await renew(tx, subscription, requestId, at);
        return;
      case 'retry_renewal_payment': {
        const invoice = await tx.invoice.findUniqueOrThrow({ where: { id: subscription.renewalInvoiceId as string } });
        await requestInvoicePayment(tx, invoice, subscription.paymentMethod, requestId, at);
        await updateSubscriptionVersioned(tx, subscription, { nextPaymentRetryAt: null }, at.billing);
        return;
      }
    }
  }
}

/**
 * The next due subscription, locked for this transaction. The predicate mirrors dueBillingWork (which
 * re-checks it) with billing time = `systemNow` + the row's test-clock offset.
 */
function claimDueSubscription(tx: Tx, systemNow: Date, skip: readonly string[], onlyId: string | undefined): Promise<Array<{ id: string }>> {
  const billingNow = Prisma.sql`(${systemNow}::timestamptz + make_interval(secs => clock_offset_seconds))`;
  const due = Prisma.sql`(
        (status = 'incomplete' AND incomplete_expires_at <= ${billingNow})
     OR (status = 'active' AND renewal_invoice_id IS NULL AND current_period_end <= ${billingNow}
         AND (cancel_at_period_end OR pending_invoice_id IS NULL))
     OR (status = 'past_due' AND next_payment_retry_at <= ${billingNow}))`;
  if (onlyId) {
    return tx.$queryRaw`SELECT id FROM subscriptions WHERE id = ${onlyId}::uuid AND ${due} FOR UPDATE`;
  }
  return tx.$queryRaw`
    SELECT id FROM subscriptions
     WHERE ${due} AND NOT (id = ANY(${[...skip]}::uuid[]))
     ORDER BY current_period_end
     LIMIT 1
     FOR UPDATE SKIP LOCKED`;
}

/**
 * Issues the renewal invoice for the period after the current one, on the scheduled plan if a
 * downgrade is waiting (the plan switches at this boundary) and asks for its payment. The period
 * itself advances when the invoice is paid.
 */
async function renew(tx: Tx, subscription: Subscription, requestId: string, at: BillingMoment): Promise<void> {
  const plan = await tx.plan.findUniqueOrThrow({ where: { id: subscription.scheduledPlanId ?? subscription.planId } });
  const periodStart = subscription.currentPeriodEnd;
  const periodEnd = addBillingCycle(periodStart, plan);
  const invoice = await issueInvoice(
    tx,
    {
      subscriptionId: subscription.id,
      userId: subscription.userId,
      plan,
      kind: 'renewal',
      amount: plan.amount,
      periodStart,
      periodEnd,
      description: `${plan.name} - renewal`,
      lines: [
        { type: 'subscription', description: plan.name, planId: plan.id, amount: plan.amount, periodStart: periodStart.toISOString(), periodEnd: periodEnd.toISOString() },
      ],
      paymentMethod: subscription.paymentMethod,
      renewalKey: `${subscription.id}/${periodStart.toISOString()}`,
    },
    requestId,
    at,
  );
  await updateSubscriptionVersioned(tx, subscription, { planId: plan.id, scheduledPlanId: null, renewalInvoiceId: invoice.id }, at.billing);
}
