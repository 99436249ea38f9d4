import { Inject, Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { Plan, Subscription } from '../generated/prisma/client';
import { BillingRunService } from '../billing/billing-run.service';
import { BillingMoment, billingTime } from '../billing/domain/billing-time';
import { dunningWindowMs } from '../billing/domain/dunning';
import { InvoiceIssuer, isPayNowRefusal } from '../billing/invoice-issuer';
import { endSubscription } from '../billing/subscription-transitions';
import { AppConfig } from '../config/app-config';
import { findInitialInvoice, findInvoice } from '../invoices/persistence/invoice.repository';
import { findPlan } from '../plans/plan.repository';
import { isAdmin, Principal } from '../platform/auth/principal';
import { Clock, CLOCK } from '../platform/time/clock';
import { Database, Sql, SqlTransaction } from '../platform/database/database';
import { isForeignKeyViolation, isUniqueViolation } from '../platform/database/database-errors';
import { PrismaService } from '../platform/database/prisma.service';
import { DomainError } from '../platform/errors/domain-error';
import { IdempotencyRequest } from '../platform/idempotency/idempotency-key';
import { IdempotentResult, runIdempotent } from '../platform/idempotency/idempotent-transaction';
import { cursorAfter, ListPage, toPage } from '../platform/http/pagination';
import { firstPeriod } from './domain/billing-period';
import { PlanChangeTiming, quotePlanChange } from './domain/plan-change';
import {
  cancelAtPeriodEndRefusal,
  cancelRefusal,
  payInitialInvoiceRefusal,
  paymentMethodChangeRefusal,
  planChangeRefusal,
  resumeRefusal,
  SubscriptionRefusal,
  withdrawScheduledChangeRefusal,
} from './domain/subscription-guards';
import {
  AdvanceTestClockRequest,
  CancelSubscriptionRequest,
  ChangePlanRequest,
  ChangePlanResponse,
  CreateSubscriptionRequest,
  ListSubscriptionsQuery,
  PayInvoiceRequest,
  PlanChangePreviewResponse,
  PreviewPlanChangeQuery,
  StatusHistoryResponse,
  SubscriptionResponse,
  UpdateSubscriptionRequest,
} from './dto/subscription.dto';
import { PlanChange, toPlanChangePreview, toPlanChangeResult, toStatusChangeResponse, toSubscriptionResponse } from './subscription.mapper';
import {
  findSubscription,
  findSubscriptionCursor,
  findSubscriptionView,
  insertSubscription,
  listSubscriptionViews,
  lockSubscription,
  updateSubscriptionVersioned,
} from './persistence/subscription.repository';

/** How long an unpaid new subscription stays incomplete before it expires (Stripe: 23 h). */
const INCOMPLETE_WINDOW_MS = 23 * 60 * 60 * 1000;

@Injectable()
export class SubscriptionsService {
  /** Access grace while a renewal is being collected: until the last dunning retry. */
  private readonly renewalGraceMs: number;

  constructor(
    private readonly db: Database,
    private readonly prisma: PrismaService,
    private readonly issuer: InvoiceIssuer,
    private readonly billingRun: BillingRunService,
    private readonly config: AppConfig,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {
    this.renewalGraceMs = dunningWindowMs(config.billing.dunningScheduleMs);
  }

  /**
   * Creates an incomplete subscription with its initial invoice, pending payment, outbox message, first
   * history row and the Idempotency-Key's response in one transaction, and answers from the rows it wrote
   * (no re-read). "One live subscription per user" is enforced by the unique live_user_id column, not by a
   * read before the write; an unknown user is the foreign key's violation.
   */
  async subscribe(
    principal: Principal,
    request: CreateSubscriptionRequest,
    requestId: string,
    idempotency?: IdempotencyRequest,
  ): Promise<IdempotentResult<SubscriptionResponse>> {
    const userId = subscriberId(principal, request.userId);
    const now = this.clock.now();
    try {
      return await this.db.transaction((tx) => runIdempotent(tx, idempotency, now, async () => {
        const plan = await findSubscribablePlan(tx, request.planId);
        // The first period is anchored at the subscribe time (Stripe's default billing_cycle_anchor); every later one is computed from it.
        const period = firstPeriod(now, plan);
        const periodEnd = period.end;
        const subscription = await insertSubscription(
          tx,
          {
            id: randomUUID(),
            userId,
            planId: plan.id,
            status: 'incomplete',
            liveUserId: userId,
            paymentMethod: request.paymentMethod,
            currentPeriodStart: period.start,
            currentPeriodEnd: periodEnd,
            billingCycleAnchor: period.anchor,
            incompleteExpiresAt: new Date(now.getTime() + INCOMPLETE_WINDOW_MS),
            createdAt: now,
          },
          { reason: 'subscription_created', causeType: 'request', causeId: requestId },
        );
        const invoice = await this.issuer.issue(
          tx,
          {
            subscriptionId: subscription.id,
            userId,
            plan,
            kind: 'initial',
            amount: plan.amount,
            periodStart: now,
            periodEnd,
            description: `${plan.name} - initial invoice`,
            lines: [
              { type: 'subscription', description: plan.name, planId: plan.id, amount: plan.amount, periodStart: now.toISOString(), periodEnd: periodEnd.toISOString() },
            ],
            paymentMethod: request.paymentMethod,
            initiatedBy: 'customer',
          },
          requestId,
          { billing: now, system: now },
        );
        return toSubscriptionResponse({ ...subscription, plan, invoices: [invoice] }, now, this.renewalGraceMs);
      }));
    } catch (error) {
      if (isUniqueViolation(error, 'live_user_id')) {
        throw new DomainError('subscription_exists', 'The user already has a live subscription; change its plan or cancel it first.');
      }
      if (isForeignKeyViolation(error, 'user_id')) throw DomainError.notFound('User', userId);
      throw error;
    }
  }

  async listSubscriptions(principal: Principal, query: ListSubscriptionsQuery): Promise<ListPage<SubscriptionResponse>> {
    if (!isAdmin(principal) && query.userId && query.userId !== principal.userId) {
      throw new DomainError('forbidden', 'Only admins may list other users\' subscriptions.');
    }
    const userId = isAdmin(principal) ? query.userId : principal.userId;
    const cursor = await cursorAfter(query.startingAfter, (id) => findSubscriptionCursor(this.db, id, userId ?? null));
    const rows = await listSubscriptionViews(this.db, { userId, status: query.status }, cursor, query.limit + 1);
    const now = this.clock.now();
    return toPage(rows, query.limit, (row) => toSubscriptionResponse(row, now, this.renewalGraceMs));
  }

  async getSubscription(principal: Principal, id: string): Promise<SubscriptionResponse> {
    return this.view(this.db, principal, id);
  }

  async getStatusHistory(principal: Principal, id: string): Promise<StatusHistoryResponse> {
    await this.findVisibleSubscription(this.db, principal, id);
    const changes = await this.prisma.subscriptionStatusChange.findMany({
      where: { subscriptionId: id },
      orderBy: [{ createdAt: 'asc' }, { sequence: 'asc' }],
    });
    return { object: 'list', data: changes.map(toStatusChangeResponse), hasMore: false, nextCursor: null };
  }

  /**
   * Changes the default payment method, used by every FUTURE charge of the subscription (renewal
   * invoices and dunning retries read `subscriptions.payment_method` when they are issued). A payment
   * already requested keeps its method. Ended subscriptions are not charged again, so they refuse it.
   *
   * A `past_due` subscription is retried at once (RETRY_ON_PAYMENT_METHOD_UPDATE,
   * default true): a `customer` payment attempt on its open renewal invoice with the new method, in the same
   * transaction, unless an attempt on that invoice is already in flight (then nothing more is charged; the
   * attempt in flight settles first). That attempt is not a dunning retry: its failure leaves the schedule alone.
   */
  async updateSubscription(principal: Principal, id: string, request: UpdateSubscriptionRequest, requestId: string): Promise<SubscriptionResponse> {
    return this.db.transaction(async (tx) => {
      const subscription = await this.lockVisibleSubscription(tx, principal, id);
      throwIfRefused(paymentMethodChangeRefusal(subscription));
      const at = this.momentFor(subscription);
      await updateSubscriptionVersioned(tx, subscription, { paymentMethod: request.paymentMethod }, at.billing);
      if (subscription.status === 'past_due' && subscription.renewalInvoiceId && this.config.billing.retryOnPaymentMethodUpdate) {
        const invoice = await findInvoice(tx, subscription.renewalInvoiceId);
        if (!invoice) throw new Error(`renewal invoice ${subscription.renewalInvoiceId} not found`);
        // A refusal (an attempt already in flight) is not an error here: the method is updated all the same.
        await this.issuer.attemptCustomerPayment(tx, subscription, invoice, request.paymentMethod, requestId, at);
      }
      return this.view(tx, principal, id);
    });
  }

  /** What `changePlan` would bill or schedule now, with the same `effective`, computed by the same code (`planChangeAt`). */
  async previewPlanChange(principal: Principal, id: string, query: PreviewPlanChangeQuery): Promise<PlanChangePreviewResponse> {
    const change = await this.planChangeAt(this.db, principal, id, query.planId, false, query.effective);
    return toPlanChangePreview(change);
  }

  /**
   * Changes the plan when the caller asks (`effective`), by default upgrades now and downgrades at the period
   * end (quotePlanChange decides, also for the preview). Now: an invoice is issued and the plan switches when it
   * is paid (or at once when there is nothing to charge). At the period end: scheduled, nothing charged; the
   * renewal invoice bills the new plan. A change now whose credit would exceed its charge is scheduled for the
   * period end instead (no customer balance), and the response's `planChange` says so.
   */
  async changePlan(
    principal: Principal,
    id: string,
    request: ChangePlanRequest,
    requestId: string,
    idempotency?: IdempotencyRequest,
  ): Promise<IdempotentResult<ChangePlanResponse>> {
    return this.db.transaction((tx) => runIdempotent(tx, idempotency, this.clock.now(), async () => {
      const change = await this.applyPlanChange(tx, principal, id, request, requestId);
      return { ...(await this.view(tx, principal, id)), planChange: toPlanChangeResult(change) };
    }));
  }

  /** The plan change inside changePlan's transaction: schedule it, switch at no charge, or issue its invoice. */
  private async applyPlanChange(tx: SqlTransaction, principal: Principal, id: string, request: ChangePlanRequest, requestId: string): Promise<PlanChange> {
    const change = await this.planChangeAt(tx, principal, id, request.planId, true, request.effective);
    const { subscription, current, target, quote, at } = change;
    if (quote.effective === 'period_end') {
      await updateSubscriptionVersioned(tx, subscription, { scheduledPlanId: target.id }, at.billing);
      return change;
    }
    if (quote.total <= 0) {
      // Nothing to charge (no time left, or a credit worth exactly the new price): switch right away. Another
      // interval starts a new period now, anchored at its start, as a paid proration invoice would (switchToPendingPlan).
      const period = quote.resetsPeriod
        ? { currentPeriodStart: quote.periodStart, currentPeriodEnd: quote.periodEnd, billingCycleAnchor: quote.periodStart }
        : {};
      await updateSubscriptionVersioned(tx, subscription, { planId: target.id, scheduledPlanId: null, ...period }, at.billing);
      return change;
    }
    const invoice = await this.issuer.issue(
      tx,
      {
        subscriptionId: subscription.id,
        userId: subscription.userId,
        plan: target,
        kind: 'proration',
        amount: quote.total,
        periodStart: quote.periodStart,
        periodEnd: quote.periodEnd,
        description: `${quote.direction === 'upgrade' ? 'Upgrade' : 'Change'} from ${current.name} to ${target.name} (${quote.resetsPeriod ? 'new period' : 'prorated'})`,
        lines: quote.lines,
        paymentMethod: request.paymentMethod ?? subscription.paymentMethod,
        initiatedBy: 'customer',
      },
      requestId,
      at,
    );
    await updateSubscriptionVersioned(
      tx,
      subscription,
      { pendingPlanId: target.id, pendingInvoiceId: invoice.id, scheduledPlanId: null },
      at.billing,
    );
    return change;
  }

  /** Withdraws a scheduled downgrade before it takes effect; the current plan simply renews. */
  async withdrawScheduledChange(principal: Principal, id: string): Promise<SubscriptionResponse> {
    await this.db.transaction(async (tx) => {
      const subscription = await this.lockVisibleSubscription(tx, principal, id);
      throwIfRefused(withdrawScheduledChangeRefusal(subscription));
      await updateSubscriptionVersioned(tx, subscription, { scheduledPlanId: null }, this.momentFor(subscription).billing);
    });
    return this.getSubscription(principal, id);
  }

  /**
   * Pays an incomplete subscription's initial invoice again, e.g. with another payment method: a new
   * invoice payment and outbox message on the same invoice (reopened if its last attempt failed),
   * allowed until the incomplete window ends. The charge itself is the pay-now operation of
   * `POST /v1/invoices/{id}/pay` (InvoiceIssuer.attemptCustomerPayment); this route keeps its own
   * subscription-level errors and also makes the method the subscription's default.
   */
  async payInitialInvoice(
    principal: Principal,
    id: string,
    request: PayInvoiceRequest,
    requestId: string,
    idempotency?: IdempotencyRequest,
  ): Promise<IdempotentResult<SubscriptionResponse>> {
    return this.db.transaction((tx) => runIdempotent(tx, idempotency, this.clock.now(), async () => {
      const subscription = await this.lockVisibleSubscription(tx, principal, id);
      const at = this.momentFor(subscription);
      throwIfRefused(payInitialInvoiceRefusal(subscription, at.billing));
      const invoice = await findInitialInvoice(tx, id);
      if (!invoice) throw new Error(`initial invoice of subscription ${id} not found`);
      const attempt = await this.issuer.attemptCustomerPayment(tx, subscription, invoice, request.paymentMethod, requestId, at);
      if (isPayNowRefusal(attempt)) throw new DomainError(attempt.code, attempt.detail);
      await updateSubscriptionVersioned(tx, subscription, { paymentMethod: request.paymentMethod }, at.billing);
      return this.view(tx, principal, id);
    }));
  }

  /**
   * At period end: flag only (still active, keeps access; the billing worker cancels at the boundary).
   * Immediately: canceled now, access ends, open invoices void and their unsent charges canceled (endSubscription);
   * no refund and no credit for the unused time of a paid period. Money the gateway still captures for a voided
   * invoice is refunded automatically when its outcome arrives.
   */
  async cancel(principal: Principal, id: string, request: CancelSubscriptionRequest, requestId: string): Promise<SubscriptionResponse> {
    const atPeriodEnd = request.atPeriodEnd ?? true;
    await this.db.transaction(async (tx) => {
      const subscription = await this.lockVisibleSubscription(tx, principal, id);
      const at = this.momentFor(subscription);
      const now = at.billing;
      throwIfRefused(cancelRefusal(subscription));
      if (atPeriodEnd) {
        throwIfRefused(cancelAtPeriodEndRefusal(subscription));
        await updateSubscriptionVersioned(
          tx,
          subscription,
          { cancelAtPeriodEnd: true, canceledAt: now, cancellationReason: request.reason ?? null },
          now,
        );
        return;
      }
      await endSubscription(
        tx,
        subscription,
        {
          to: 'canceled',
          cause: { reason: 'canceled_by_request', causeType: 'request', causeId: requestId },
          endedAt: now,
          canceledAt: now,
          cancellationReason: request.reason ?? null,
        },
        now,
        at.system,
      );
    });
    return this.getSubscription(principal, id);
  }

  /** Undoes a cancel-at-period-end while the period is still running. */
  async resume(principal: Principal, id: string): Promise<SubscriptionResponse> {
    await this.db.transaction(async (tx) => {
      const subscription = await this.lockVisibleSubscription(tx, principal, id);
      throwIfRefused(resumeRefusal(subscription));
      await updateSubscriptionVersioned(
        tx,
        subscription,
        { cancelAtPeriodEnd: false, canceledAt: null, cancellationReason: null },
        this.momentFor(subscription).billing,
      );
    });
    return this.getSubscription(principal, id);
  }

  /**
   * Test clock (TEST_CLOCK_ENABLED only, admin only): moves this subscription's billing time forward,
   * then runs the billing work that became due for it synchronously, so a renewal, a dunning retry
   * or an end-of-period cancellation happens in seconds.
   */
  async advanceTestClock(principal: Principal, id: string, request: AdvanceTestClockRequest): Promise<SubscriptionResponse> {
    if (!this.config.billing.testClockEnabled) {
      throw new DomainError('not_found', 'The test clock is disabled (TEST_CLOCK_ENABLED=false).');
    }
    if (!isAdmin(principal)) throw new DomainError('forbidden', 'Only admins may move a test clock.');
    if ((request.seconds === undefined) === (request.to === undefined)) {
      throw DomainError.validation([{ field: 'seconds', message: 'give exactly one of seconds or to' }]);
    }
    await this.db.transaction(async (tx) => {
      const subscription = await this.lockVisibleSubscription(tx, principal, id);
      const billingNow = this.momentFor(subscription).billing;
      const seconds = request.seconds ?? Math.ceil((new Date(request.to as string).getTime() - billingNow.getTime()) / 1000);
      if (seconds <= 0) {
        throw DomainError.validation([{ field: 'to', message: `must be after the subscription's billing time ${billingNow.toISOString()}` }]);
      }
      await updateSubscriptionVersioned(tx, subscription, { clockOffsetSeconds: subscription.clockOffsetSeconds + seconds }, billingNow);
    });
    await this.billingRun.runDueFor(id);
    return this.getSubscription(principal, id);
  }

  /** Loads and checks everything a plan change needs and prices it at the subscription's billing time, with the timing asked for. */
  private async planChangeAt(tx: Sql, principal: Principal, id: string, planId: string, lock: boolean, effective?: PlanChangeTiming): Promise<PlanChange> {
    const subscription = lock ? await this.lockVisibleSubscription(tx, principal, id) : await this.findVisibleSubscription(tx, principal, id);
    const at = this.momentFor(subscription);
    throwIfRefused(planChangeRefusal(subscription, planId));
    const current = await findPlan(tx, subscription.planId);
    if (!current) throw new Error(`plan ${subscription.planId} of subscription ${id} not found`);
    const target = await findSubscribablePlan(tx, planId);
    if (target.currency !== current.currency) {
      throw new DomainError('currency_mismatch', `The new plan is priced in ${target.currency}, the subscription in ${current.currency}.`);
    }
    const period = { periodStart: subscription.currentPeriodStart, periodEnd: subscription.currentPeriodEnd };
    return { subscription, current, target, at, quote: quotePlanChange(current, target, period, at.billing, effective) };
  }

  /**
   * The Subscription resource as `db` sees it: in a transaction, with its own writes (the response it commits with).
   * @throws DomainError `not_found` (404) when it does not exist or the principal may not see it.
   */
  private async view(db: Sql, principal: Principal, id: string): Promise<SubscriptionResponse> {
    const view = await findSubscriptionView(db, id, ownerOf(principal));
    if (!view) throw DomainError.notFound('Subscription', id);
    return toSubscriptionResponse(view, this.clock.now(), this.renewalGraceMs);
  }

  /** The subscription's billing time (system clock + its test-clock offset) and the system time. */
  private momentFor(subscription: Pick<Subscription, 'clockOffsetSeconds'>): BillingMoment {
    const system = this.clock.now();
    return { billing: billingTime(system, subscription.clockOffsetSeconds), system };
  }

  /**
   * For every mutating operation: locks the row (SELECT … FOR UPDATE, see lockSubscription) as the
   * first statement of the transaction, then returns it as committed by whoever held the lock before,
   * so concurrent operations on one subscription serialise and the losers answer a domain 409.
   */
  private async lockVisibleSubscription(tx: Sql, principal: Principal, id: string): Promise<Subscription> {
    const subscription = await lockSubscription(tx, id, ownerOf(principal));
    if (!subscription) throw DomainError.notFound('Subscription', id);
    return subscription;
  }

  private async findVisibleSubscription(db: Sql, principal: Principal, id: string): Promise<Subscription> {
    const subscription = await findSubscription(db, id, ownerOf(principal));
    if (!subscription) throw DomainError.notFound('Subscription', id);
    return subscription;
  }
}

/** Throws a guard's refusal (subscription-guards) as the domain error it names. */
function throwIfRefused(refusal: SubscriptionRefusal | null): void {
  if (refusal) throw new DomainError(refusal.code, refusal.detail);
}

/** Users see their own subscriptions only (others' are reported as not found): the owner to filter on, or null for admins. */
function ownerOf(principal: Principal): string | null {
  return isAdmin(principal) ? null : principal.userId;
}

function subscriberId(principal: Principal, requestedUserId: string | undefined): string {
  if (isAdmin(principal)) {
    if (!requestedUserId) throw DomainError.validation([{ field: 'userId', message: 'userId is required with an admin key' }]);
    return requestedUserId;
  }
  if (requestedUserId && requestedUserId !== principal.userId) {
    throw new DomainError('forbidden', 'A user key can only subscribe its own user.');
  }
  return principal.userId;
}

async function findSubscribablePlan(db: Sql, planId: string): Promise<Plan> {
  const plan = await findPlan(db, planId);
  if (!plan) throw DomainError.notFound('Plan', planId);
  if (!plan.active) throw new DomainError('plan_archived', `Plan ${plan.code} is archived and cannot be subscribed to.`);
  return plan;
}
