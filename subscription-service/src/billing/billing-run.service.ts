import { Inject, Injectable, Logger } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { AppConfig } from '../config/app-config';
import { Subscription } from '../generated/prisma/client';
import {
  countInvoicePayments,
  findInvoice,
  IN_FLIGHT_PAYMENT_STATUSES,
} from '../invoices/persistence/invoice.repository';
import { findPlan } from '../plans/plan.repository';
import { Clock, CLOCK } from '../platform/time/clock';
import { selectList } from '../platform/database/columns';
import { isUniqueViolation } from '../platform/database/database-errors';
import { Database, SqlTransaction, statement } from '../platform/database/database';
import { countAfterCommit } from '../platform/metrics/metrics-registry';
import { renewalPeriod } from '../subscriptions/domain/billing-period';
import {
  SUBSCRIPTION_COLUMNS,
  updateSubscriptionVersioned,
} from '../subscriptions/persistence/subscription.repository';
import { BillingMoment, billingTime } from './domain/billing-time';
import { BillingWork, dueBillingWork } from './domain/due-work';
import { postponedRetryAt } from './domain/dunning';
import { BILLING_METRICS } from './billing.metrics';
import { InvoiceIssuer } from './invoice-issuer';
import { endSubscription } from './subscription-transitions';

/** Due subscriptions looked up per query; they are then locked and processed one by one. */
const CANDIDATES_PER_QUERY = 200;

/**
 * Mirrors dueBillingWork (which re-checks every row after locking it) as four index scans, one per kind
 * of due work, so a poll costs the same at 100 rows or 100,000: `status` + the due column are indexed,
 * and the test-clock branch (billing time = system time + clock_offset_seconds, which no index can
 * serve) only reads the rows with an offset, through the index on clock_offset_seconds. No ORDER BY: a
 * pass processes every due row anyway. $1 = system now, $2 = ids to skip, $3 = limit.
 */
const DUE_CANDIDATES = statement(
  'billing_due_candidates',
  `(SELECT id FROM subscriptions
     WHERE status = 'incomplete' AND incomplete_expires_at <= $1 AND clock_offset_seconds = 0 AND NOT (id = ANY($2::uuid[])) LIMIT $3)
   UNION ALL
   (SELECT id FROM subscriptions
     WHERE status = 'active' AND current_period_end <= $1 AND clock_offset_seconds = 0 AND renewal_invoice_id IS NULL
       AND (cancel_at_period_end OR pending_invoice_id IS NULL) AND NOT (id = ANY($2::uuid[])) LIMIT $3)
   UNION ALL
   (SELECT id FROM subscriptions
     WHERE status = 'past_due' AND next_payment_retry_at <= $1 AND clock_offset_seconds = 0 AND NOT (id = ANY($2::uuid[])) LIMIT $3)
   UNION ALL
   (SELECT id FROM subscriptions
     WHERE clock_offset_seconds > 0 AND NOT (id = ANY($2::uuid[]))
       AND ((status = 'incomplete' AND incomplete_expires_at <= $1 + make_interval(secs => clock_offset_seconds))
         OR (status = 'active' AND current_period_end <= $1 + make_interval(secs => clock_offset_seconds) AND renewal_invoice_id IS NULL
             AND (cancel_at_period_end OR pending_invoice_id IS NULL))
         OR (status = 'past_due' AND next_payment_retry_at <= $1 + make_interval(secs => clock_offset_seconds)))
     LIMIT $3)
   LIMIT $3`,
);

const LOCK_UNLESS_LOCKED = statement(
  'billing_lock_subscription',
  `SELECT ${selectList(SUBSCRIPTION_COLUMNS, 's')} FROM subscriptions s WHERE s.id = $1 FOR UPDATE SKIP LOCKED`,
);
const LOCK_WAITING = statement(
  'billing_lock_subscription_wait',
  `SELECT ${selectList(SUBSCRIPTION_COLUMNS, 's')} FROM subscriptions s WHERE s.id = $1 FOR UPDATE`,
);

type Outcome =
  | { readonly kind: 'done'; readonly work: BillingWork }
  | { readonly kind: 'not_due' }
  | { readonly kind: 'busy' }
  | { readonly kind: 'failed' };

/**
 * Does what the passage of time makes due: renewals at period end, dunning retries, expiry of unpaid
 * incomplete subscriptions and cancel-at-period-end. Each subscription is handled in its own transaction
 * on a row locked with FOR UPDATE SKIP LOCKED (BILLING_CONCURRENCY at a time), and everything is derived
 * from table state, so any number of replicas can run it and a restart mid-run loses nothing; the unique
 * invoices.renewal_key is the last line of defence against a double renewal. The BillingWorker runs
 * `runDue` every BILLING_POLL_INTERVAL_MS; the test clock runs `runDueFor` on the subscription it moved.
 */
@Injectable()
export class BillingRunService {
  private readonly logger = new Logger(BillingRunService.name);

  constructor(
    private readonly db: Database,
    private readonly issuer: InvoiceIssuer,
    private readonly config: AppConfig,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  /**
   * One pass over every subscription with due work, until nothing is due; returns how many had work done.
   * Subscriptions that another replica holds, or whose work failed, are skipped for the rest of the pass
   * (they stay due and come back on the next one). `stopping` (shutdown) ends the pass after the
   * subscriptions in progress.
   */
  async runDue(stopping: () => boolean = () => false): Promise<number> {
    const skip = new Set<string>();
    let done = 0;
    try {
      while (!stopping()) {
        const candidates = await this.db.query<{ id: string }>(DUE_CANDIDATES, [
          this.clock.now(),
          [...skip],
          CANDIDATES_PER_QUERY,
        ]);
        if (candidates.length === 0) break;
        const outcomes = await inParallel(candidates, this.config.billing.concurrency, ({ id }) =>
          stopping() ? null : this.processIfDue(id, false),
        );
        outcomes.forEach((outcome, index) => {
          if (outcome?.kind === 'done') done += 1;
          else skip.add(candidates[index].id);
        });
      }
    } catch (error) {
      this.logger.error({ err: error }, 'billing pass failed');
    }
    return done;
  }

  /**
   * Processes one subscription now if something is due for it (the test clock's synchronous pass).
   * Waits for the row lock instead of skipping it, so the result is deterministic.
   */
  async runDueFor(subscriptionId: string): Promise<BillingWork | null> {
    const outcome = await this.processIfDue(subscriptionId, true);
    return outcome.kind === 'done' ? outcome.work : null;
  }

  /** Locks the subscription and, if work is due at its billing time, does it in the same transaction. */
  private async processIfDue(id: string, wait: boolean): Promise<Outcome> {
    const requestId = randomUUID();
    try {
      const outcome = await this.db.transaction(async (tx): Promise<Outcome> => {
        const [subscription] = await tx.query<Subscription>(wait ? LOCK_WAITING : LOCK_UNLESS_LOCKED, [id]);
        if (!subscription) return { kind: 'busy' };
        const systemNow = this.clock.now();
        const at: BillingMoment = {
          billing: billingTime(systemNow, subscription.clockOffsetSeconds),
          system: systemNow,
        };
        const work = dueBillingWork(subscription, at.billing);
        if (!work) return { kind: 'not_due' };
        await this.perform(tx, work, subscription, requestId, at);
        return { kind: 'done', work };
      });
      if (outcome.kind === 'done')
        this.logger.log({ requestId, subscriptionId: id, work: outcome.work }, 'billing work done');
      return outcome;
    } catch (error) {
      const duplicateRenewal = isUniqueViolation(error, 'renewal_key');
      this.logger.error({ err: error, requestId, subscriptionId: id, duplicateRenewal }, 'billing work failed');
      return { kind: 'failed' };
    }
  }

  private async perform(
    tx: SqlTransaction,
    work: BillingWork,
    subscription: Subscription,
    requestId: string,
    at: BillingMoment,
  ): Promise<void> {
    const cause = { causeType: 'system' as const, causeId: requestId };
    switch (work) {
      case 'expire_incomplete':
        await endSubscription(
          tx,
          subscription,
          {
            to: 'incomplete_expired',
            cause: { ...cause, reason: 'incomplete_expired' },
            endedAt: at.billing,
            canceledAt: null,
            cancellationReason: null,
          },
          at.billing,
          at.system,
        );
        return;
      case 'cancel_at_period_end':
        await endSubscription(
          tx,
          subscription,
          {
            to: 'canceled',
            cause: { ...cause, reason: 'canceled_at_period_end' },
            endedAt: subscription.currentPeriodEnd,
            canceledAt: subscription.canceledAt ?? at.billing,
            cancellationReason: subscription.cancellationReason ?? 'canceled_at_period_end',
          },
          at.billing,
          at.system,
        );
        return;
      case 'renew':
        await this.renew(tx, subscription, requestId, at);
        return;
      case 'retry_renewal_payment': {
        const invoice = await findInvoice(tx, subscription.renewalInvoiceId as string);
        if (!invoice) throw new Error(`renewal invoice ${subscription.renewalInvoiceId} not found`);
        if ((await countInvoicePayments(tx, invoice.id, IN_FLIGHT_PAYMENT_STATUSES)) > 0) {
          // A customer's attempt (pay now, or the retry after a payment-method update) is in flight: never two
          // charges at once on one invoice. The retry waits for it (postponedRetryAt); if it succeeds, no retry is left.
          const retryAt = postponedRetryAt(at.billing);
          await updateSubscriptionVersioned(tx, subscription, { nextPaymentRetryAt: retryAt }, at.billing);
          this.logger.log(
            { requestId, subscriptionId: subscription.id, retryAt },
            'dunning retry postponed: a payment attempt is in flight',
          );
          return;
        }
        await this.issuer.requestPayment(tx, invoice, subscription.paymentMethod, 'billing', requestId, at);
        countAfterCommit(tx, BILLING_METRICS.dunningRetries);
        await updateSubscriptionVersioned(tx, subscription, { nextPaymentRetryAt: null }, at.billing);
        return;
      }
    }
  }

  /**
   * Issues the renewal invoice for the period after the current one, on the scheduled plan if a
   * downgrade is waiting (the plan switches at this boundary) and asks for its payment. The period
   * itself advances when the invoice is paid. The next period is computed from the billing cycle
   * anchor (renewalPeriod), not from the current end, so a clamped month does not shift later ones; a
   * scheduled plan with another interval resets the anchor to this renewal's start, written with the
   * plan switch.
   */
  private async renew(
    tx: SqlTransaction,
    subscription: Subscription,
    requestId: string,
    at: BillingMoment,
  ): Promise<void> {
    const current = await findPlan(tx, subscription.planId);
    const plan = subscription.scheduledPlanId ? await findPlan(tx, subscription.scheduledPlanId) : current;
    if (!current || !plan) throw new Error(`plan of subscription ${subscription.id} not found`);
    const next = renewalPeriod(
      { anchor: subscription.billingCycleAnchor, end: subscription.currentPeriodEnd, cycle: current },
      plan,
    );
    const periodStart = next.start;
    const periodEnd = next.end;
    const invoice = await this.issuer.issue(
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
          {
            type: 'subscription',
            description: plan.name,
            planId: plan.id,
            amount: plan.amount,
            periodStart: periodStart.toISOString(),
            periodEnd: periodEnd.toISOString(),
          },
        ],
        paymentMethod: subscription.paymentMethod,
        initiatedBy: 'billing',
        renewalKey: `${subscription.id}/${periodStart.toISOString()}`,
      },
      requestId,
      at,
    );
    await updateSubscriptionVersioned(
      tx,
      subscription,
      { planId: plan.id, scheduledPlanId: null, renewalInvoiceId: invoice.id, billingCycleAnchor: next.anchor },
      at.billing,
    );
  }
}

/** Maps `items` through `work` with at most `concurrency` in flight; results in input order. */
async function inParallel<T, R>(
  items: readonly T[],
  concurrency: number,
  work: (item: T) => Promise<R> | R,
): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const lane = async (): Promise<void> => {
    while (next < items.length) {
      const index = next++;
      results[index] = await work(items[index]);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, lane));
  return results;
}
