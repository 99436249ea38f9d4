import { Inject, Injectable } from '@nestjs/common';
import { Plan, Subscription } from '../generated/prisma/client';
import { BillingWorker } from '../billing/billing.worker';
import { billingTime } from '../billing/domain/billing-time';
import { dunningWindowMs } from '../billing/domain/dunning';
import { BillingMoment, issueInvoice, requestInvoicePayment } from '../billing/invoice-issuer';
import { lockSubscription, transitionSubscription, updateSubscriptionVersioned } from '../billing/subscription-transitions';
import { AppConfig } from '../config/app-config';
import { PaymentOutboxWorker } from '../payments-outbox/payment-outbox.worker';
import { isAdmin, Principal } from '../platform/auth/principal';
import { Clock, CLOCK } from '../platform/clock';
import { isUniqueViolation, PrismaService, Tx } from '../platform/database/prisma.service';
import { DomainError } from '../platform/errors/domain-error';
import { afterCursor, LIST_ORDER, ListPage, toPage } from '../platform/http/pagination';
import { addBillingCycle } from './domain/billing-period';
import { CreditExceedsChargeError, quotePlanChange } from './domain/plan-change';
import { isLive } from './domain/subscription-status';
import {
  AdvanceTestClockRequest,
  CancelSubscriptionRequest,
  ChangePlanRequest,
  CreateSubscriptionRequest,
  ListSubscriptionsQuery,
  PayInvoiceRequest,
  PlanChangePreviewResponse,
  StatusHistoryResponse,
  SubscriptionResponse,
  UpdateSubscriptionRequest,
} from './dto/subscription.dto';
import { PlanChange, SUBSCRIPTION_INCLUDE, toPlanChangePreview, toStatusChangeResponse, toSubscriptionResponse } from './subscription.mapper';

/** How long an unpaid new subscription stays incomplete before it expires (Stripe: 23 h). */
const INCOMPLETE_WINDOW_MS = 23 * 60 * 60 * 1000;

@Injectable()
export class SubscriptionsService {
  /** Access grace while a renewal is being collected: until the last dunning retry. */
  private readonly renewalGraceMs: number;

  constructor(
    private readonly prisma: PrismaService,
    private readonly outbox: PaymentOutboxWorker,
    private readonly billing: BillingWorker,
    private readonly config: AppConfig,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {
    this.renewalGraceMs = dunningWindowMs(config.billing.dunningScheduleMs);
  }

  /**
   * Creates an incomplete subscription with its initial invoice, pending payment, outbox message and
   * first history row in one transaction. "One live subscription per user" is enforced by the unique
   * live_user_id column, not by a read before the write.
   */
  async subscribe(principal: Principal, request: CreateSubscriptionRequest, requestId: string): Promise<SubscriptionResponse> {
    const userId = subscriberId(principal, request.userId);
    const now = this.clock.now();
    let subscriptionId: string;
    try {
      subscriptionId = await this.prisma.$transaction(async (tx) => {
        if (!(await tx.user.findUnique({ where: { id: userId }, select: { id: true } }))) {
          throw DomainError.notFound('User', userId);
        }
        const plan = await findSubscribablePlan(tx, request.planId);
        const periodEnd = addBillingCycle(now, plan);
        const subscription = await tx.subscription.create({
          data: {
            userId,
            planId: plan.id,
            status: 'incomplete',
            liveUserId: userId,
            paymentMethod: request.paymentMethod,
            currentPeriodStart: now,
            currentPeriodEnd: periodEnd,
            incompleteExpiresAt: new Date(now.getTime() + INCOMPLETE_WINDOW_MS),
            createdAt: now,
            updatedAt: now,
          },
        });
        await issueInvoice(
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
          },
          requestId,
          { billing: now, system: now },
        );
        await tx.subscriptionStatusChange.create({
          data: {
            subscriptionId: subscription.id,
            fromStatus: null,
            toStatus: 'incomplete',
            reason: 'subscription_created',
            causeType: 'request',
            causeId: requestId,
            createdAt: now,
          },
        });
        return subscription.id;
      });
    } catch (error) {
      if (isUniqueViolation(error, 'live_user_id')) {
        throw new DomainError('subscription_exists', 'The user already has a live subscription; change its plan or cancel it first.');
      }
      throw error;
    }
    this.outbox.kick();
    return this.getSubscription(principal, subscriptionId);
  }

  async listSubscriptions(principal: Principal, query: ListSubscriptionsQuery): Promise<ListPage<SubscriptionResponse>> {
    if (!isAdmin(principal) && query.userId && query.userId !== principal.userId) {
      throw new DomainError('forbidden', 'Only admins may list other users\' subscriptions.');
    }
    const owner = isAdmin(principal) ? (query.userId ? { userId: query.userId } : {}) : { userId: principal.userId };
    const cursor = query.startingAfter
      ? await this.prisma.subscription.findFirst({ where: { id: query.startingAfter, ...owner } })
      : null;
    const rows = await this.prisma.subscription.findMany({
      where: { ...owner, ...afterCursor(cursor), ...(query.status ? { status: query.status } : {}) },
      include: SUBSCRIPTION_INCLUDE,
      orderBy: LIST_ORDER,
      take: query.limit + 1,
    });
    const now = this.clock.now();
    return toPage(rows, query.limit, (row) => toSubscriptionResponse(row, now, this.renewalGraceMs));
  }

  async getSubscription(principal: Principal, id: string): Promise<SubscriptionResponse> {
    const subscription = await this.prisma.subscription.findFirst({
      where: { id, ...ownerFilter(principal) },
      include: SUBSCRIPTION_INCLUDE,
    });
    if (!subscription) throw DomainError.notFound('Subscription', id);
    return toSubscriptionResponse(subscription, this.clock.now(), this.renewalGraceMs);
  }

  async getStatusHistory(principal: Principal, id: string): Promise<StatusHistoryResponse> {
    await this.findVisibleSubscription(this.prisma, principal, id);
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
   */
  async updateSubscription(principal: Principal, id: string, request: UpdateSubscriptionRequest): Promise<SubscriptionResponse> {
    await this.prisma.$transaction(async (tx) => {
      const subscription = await this.lockVisibleSubscription(tx, principal, id);
      if (!isLive(subscription.status)) {
        throw new DomainError('subscription_ended', `The subscription is ${subscription.status}; it will not be charged again, so its payment method cannot change.`);
      }
      await updateSubscriptionVersioned(tx, subscription, { paymentMethod: request.paymentMethod }, this.momentFor(subscription).billing);
    });
    return this.getSubscription(principal, id);
  }

  /** What `changePlan` would bill or schedule now, computed by the same code (`planChangeAt`). */
  async previewPlanChange(principal: Principal, id: string, planId: string): Promise<PlanChangePreviewResponse> {
    const change = await this.planChangeAt(this.prisma, principal, id, planId, false);
    return toPlanChangePreview(change);
  }

  /**
   * Upgrade (higher price per unit of time): an invoice is issued now (see quotePlanChange) and the plan
   * switches when it is paid. Downgrade (same or lower price): scheduled for the end of the period, no charge.
   */
  async changePlan(principal: Principal, id: string, request: ChangePlanRequest, requestId: string): Promise<SubscriptionResponse> {
    const issuedInvoice = await this.prisma.$transaction(async (tx) => {
      const { subscription, current, target, quote, at } = await this.planChangeAt(tx, principal, id, request.planId, true);
      if (quote.direction === 'downgrade') {
        await updateSubscriptionVersioned(tx, subscription, { scheduledPlanId: target.id }, at.billing);
        return false;
      }
      if (quote.total <= 0) {
        // Nothing to charge (no time left, or a credit worth exactly the new price): switch right away.
        const period = quote.resetsPeriod ? { currentPeriodStart: quote.periodStart, currentPeriodEnd: quote.periodEnd } : {};
        await updateSubscriptionVersioned(tx, subscription, { planId: target.id, scheduledPlanId: null, ...period }, at.billing);
        return false;
      }
      const invoice = await issueInvoice(
        tx,
        {
          subscriptionId: subscription.id,
          userId: subscription.userId,
          plan: target,
          kind: 'proration',
          amount: quote.total,
          periodStart: quote.periodStart,
          periodEnd: quote.periodEnd,
          description: `Upgrade from ${current.name} to ${target.name} (${quote.resetsPeriod ? 'new period' : 'prorated'})`,
          lines: quote.lines,
          paymentMethod: request.paymentMethod ?? subscription.paymentMethod,
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
      return true;
    });
    if (issuedInvoice) this.outbox.kick();
    return this.getSubscription(principal, id);
  }

  /** Withdraws a scheduled downgrade before it takes effect; the current plan simply renews. */
  async withdrawScheduledChange(principal: Principal, id: string): Promise<SubscriptionResponse> {
    await this.prisma.$transaction(async (tx) => {
      const subscription = await this.lockVisibleSubscription(tx, principal, id);
      if (!subscription.scheduledPlanId) {
        throw new DomainError('no_scheduled_change', 'The subscription has no scheduled plan change.');
      }
      await updateSubscriptionVersioned(tx, subscription, { scheduledPlanId: null }, this.momentFor(subscription).billing);
    });
    return this.getSubscription(principal, id);
  }

  /**
   * Pays an incomplete subscription's initial invoice again, e.g. with another payment method: a new
   * invoice payment and outbox message on the same invoice (reopened if its last attempt failed),
   * allowed until the incomplete window ends.
   */
  async payInitialInvoice(principal: Principal, id: string, request: PayInvoiceRequest, requestId: string): Promise<SubscriptionResponse> {
    await this.prisma.$transaction(async (tx) => {
      const subscription = await this.lockVisibleSubscription(tx, principal, id);
      const at = this.momentFor(subscription);
      if (subscription.status !== 'incomplete') {
        throw new DomainError('subscription_not_incomplete', `Only an incomplete subscription's initial invoice can be paid this way (this one is ${subscription.status}).`);
      }
      if (subscription.incompleteExpiresAt && subscription.incompleteExpiresAt <= at.billing) {
        throw new DomainError('incomplete_window_ended', `The window to pay ended at ${subscription.incompleteExpiresAt.toISOString()}.`);
      }
      const invoice = await tx.invoice.findFirstOrThrow({
        where: { subscriptionId: id, kind: 'initial' },
        include: { payments: { where: { status: { in: ['pending', 'processing', 'unknown'] } } } },
      });
      if (invoice.payments.length > 0) {
        throw new DomainError('payment_in_progress', 'A payment attempt on this invoice is still in progress; wait for its outcome.');
      }
      const reopened = await tx.invoice.update({
        where: { id: invoice.id },
        data: { status: 'open', failedAt: null, failureCode: null, updatedAt: at.billing },
      });
      await requestInvoicePayment(tx, reopened, request.paymentMethod, requestId, at);
      await updateSubscriptionVersioned(tx, subscription, { paymentMethod: request.paymentMethod }, at.billing);
    });
    this.outbox.kick();
    return this.getSubscription(principal, id);
  }

  /**
   * At period end: flag only (still active, keeps access; the billing worker cancels at the boundary).
   * Immediately: canceled now, access ends, open invoices void; no refund and no credit for the unused time.
   */
  async cancel(principal: Principal, id: string, request: CancelSubscriptionRequest, requestId: string): Promise<SubscriptionResponse> {
    const atPeriodEnd = request.atPeriodEnd ?? true;
    await this.prisma.$transaction(async (tx) => {
      const subscription = await this.lockVisibleSubscription(tx, principal, id);
      const now = this.momentFor(subscription).billing;
      if (!isLive(subscription.status)) {
        throw new DomainError('invalid_state_transition', `The subscription is already ${subscription.status}.`);
      }
      if (atPeriodEnd) {
        if (subscription.status !== 'active') {
          throw new DomainError('subscription_not_active', 'Only active subscriptions can be canceled at period end; cancel immediately instead.');
        }
        if (subscription.renewalInvoiceId) {
          throw new DomainError('renewal_in_progress', 'The period has ended and its renewal is being collected; cancel immediately instead.');
        }
        await updateSubscriptionVersioned(
          tx,
          subscription,
          { cancelAtPeriodEnd: true, canceledAt: now, cancellationReason: request.reason ?? null },
          now,
        );
        return;
      }
      await transitionSubscription(
        tx,
        subscription,
        'canceled',
        { reason: 'canceled_by_request', causeType: 'request', causeId: requestId },
        now,
        {
          canceledAt: now,
          endedAt: now,
          cancelAtPeriodEnd: false,
          cancellationReason: request.reason ?? null,
          pendingPlanId: null,
          pendingInvoiceId: null,
          scheduledPlanId: null,
          renewalInvoiceId: null,
          nextPaymentRetryAt: null,
          incompleteExpiresAt: null,
        },
      );
      await tx.invoice.updateMany({ where: { subscriptionId: id, status: 'open' }, data: { status: 'void', updatedAt: now } });
    });
    return this.getSubscription(principal, id);
  }

  /** Undoes a cancel-at-period-end while the period is still running. */
  async resume(principal: Principal, id: string): Promise<SubscriptionResponse> {
    await this.prisma.$transaction(async (tx) => {
      const subscription = await this.lockVisibleSubscription(tx, principal, id);
      if (subscription.status !== 'active' || !subscription.cancelAtPeriodEnd) {
        throw new DomainError('no_pending_cancellation', 'Only an active subscription set to cancel at period end can be resumed.');
      }
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
    await this.prisma.$transaction(async (tx) => {
      const subscription = await this.lockVisibleSubscription(tx, principal, id);
      const billingNow = this.momentFor(subscription).billing;
      const seconds = request.seconds ?? Math.ceil((new Date(request.to as string).getTime() - billingNow.getTime()) / 1000);
      if (seconds <= 0) {
        throw DomainError.validation([{ field: 'to', message: `must be after the subscription's billing time ${billingNow.toISOString()}` }]);
      }
      await updateSubscriptionVersioned(tx, subscription, { clockOffsetSeconds: { increment: seconds } }, billingNow);
    });
    await this.billing.runDueFor(id);
    return this.getSubscription(principal, id);
  }

  /** Loads and checks everything a plan change needs and prices it at the subscription's billing time. */
  private async planChangeAt(tx: Tx, principal: Principal, id: string, planId: string, lock: boolean): Promise<PlanChange> {
    const subscription = lock ? await this.lockVisibleSubscription(tx, principal, id) : await this.findVisibleSubscription(tx, principal, id);
    const at = this.momentFor(subscription);
    if (subscription.status !== 'active') {
      throw new DomainError('subscription_not_active', `Only active subscriptions can change plan (this one is ${subscription.status}).`);
    }
    if (subscription.pendingPlanId) {
      throw new DomainError('plan_change_pending', 'An upgrade is waiting for its payment; retry once it is settled.');
    }
    if (subscription.renewalInvoiceId) {
      throw new DomainError('renewal_in_progress', 'The period has ended and its renewal is being collected; retry once it is paid.');
    }
    if (planId === subscription.planId) {
      throw new DomainError('same_plan', 'The subscription is already on this plan.');
    }
    const current = await tx.plan.findUniqueOrThrow({ where: { id: subscription.planId } });
    const target = await findSubscribablePlan(tx, planId);
    if (target.currency !== current.currency) {
      throw new DomainError('currency_mismatch', `The new plan is priced in ${target.currency}, the subscription in ${current.currency}.`);
    }
    try {
      const period = { periodStart: subscription.currentPeriodStart, periodEnd: subscription.currentPeriodEnd };
      return { subscription, current, target, at, quote: quotePlanChange(current, target, period, at.billing) };
    } catch (error) {
      if (error instanceof CreditExceedsChargeError) {
        throw new DomainError('credit_exceeds_charge', `Cannot switch now: ${error.message}, and unused credit is not kept as a customer balance.`);
      }
      throw error;
    }
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
  private async lockVisibleSubscription(tx: Tx, principal: Principal, id: string): Promise<Subscription> {
    const subscription = await lockSubscription(tx, id, isAdmin(principal) ? undefined : principal.userId);
    if (!subscription) throw DomainError.notFound('Subscription', id);
    return subscription;
  }

  private async findVisibleSubscription(tx: Tx, principal: Principal, id: string): Promise<Subscription> {
    const subscription = await tx.subscription.findFirst({ where: { id, ...ownerFilter(principal) } });
    if (!subscription) throw DomainError.notFound('Subscription', id);
    return subscription;
  }
}

/** Users see their own subscriptions only; others' are reported as not found. */
function ownerFilter(principal: Principal): { userId?: string } {
  return isAdmin(principal) ? {} : { userId: principal.userId };
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

async function findSubscribablePlan(tx: Tx, planId: string): Promise<Plan> {
  const plan = await tx.plan.findUnique({ where: { id: planId } });
  if (!plan) throw DomainError.notFound('Plan', planId);
  if (!plan.active) throw new DomainError('plan_archived', `Plan ${plan.code} is archived and cannot be subscribed to.`);
  return plan;
}
