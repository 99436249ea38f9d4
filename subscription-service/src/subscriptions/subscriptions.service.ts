import { Inject, Injectable } from '@nestjs/common';
import { Plan, Subscription } from '../generated/prisma/client';
import { issueInvoice } from '../billing/invoice-issuer';
import { transitionSubscription, updateSubscriptionVersioned } from '../billing/subscription-transitions';
import { PaymentOutboxWorker } from '../payments-outbox/payment-outbox.worker';
import { isAdmin, Principal } from '../platform/auth/principal';
import { Clock, CLOCK } from '../platform/clock';
import { isUniqueViolation, PrismaService, Tx } from '../platform/database/prisma.service';
import { DomainError } from '../platform/errors/domain-error';
import { afterCursor, LIST_ORDER, ListPage, toPage } from '../platform/http/pagination';
import { addBillingCycle } from './domain/billing-period';
import { classifyPlanChange, prorate } from './domain/proration';
import { isLive } from './domain/subscription-status';
import {
  CancelSubscriptionRequest,
  ChangePlanRequest,
  CreateSubscriptionRequest,
  ListSubscriptionsQuery,
  StatusHistoryResponse,
  SubscriptionResponse,
} from './dto/subscription.dto';
import { SUBSCRIPTION_INCLUDE, toStatusChangeResponse, toSubscriptionResponse } from './subscription.mapper';

/** How long an unpaid new subscription stays incomplete before it expires (Stripe: 23 h). */
const INCOMPLETE_WINDOW_MS = 23 * 60 * 60 * 1000;

@Injectable()
export class SubscriptionsService {
  constructor(
    private readonly prisma: PrismaService,
    private readonly outbox: PaymentOutboxWorker,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

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
          now,
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
    return toPage(rows, query.limit, (row) => toSubscriptionResponse(row, now));
  }

  async getSubscription(principal: Principal, id: string): Promise<SubscriptionResponse> {
    const subscription = await this.prisma.subscription.findFirst({
      where: { id, ...ownerFilter(principal) },
      include: SUBSCRIPTION_INCLUDE,
    });
    if (!subscription) throw DomainError.notFound('Subscription', id);
    return toSubscriptionResponse(subscription, this.clock.now());
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
   * Upgrade (higher price per unit of time): a proration invoice is issued now and the plan switches
   * when it is paid. Downgrade (same or lower price): scheduled for the end of the period, no charge.
   */
  async changePlan(principal: Principal, id: string, request: ChangePlanRequest, requestId: string): Promise<SubscriptionResponse> {
    const now = this.clock.now();
    const issuedInvoice = await this.prisma.$transaction(async (tx) => {
      const subscription = await this.findVisibleSubscription(tx, principal, id);
      if (subscription.status !== 'active') {
        throw new DomainError('subscription_not_active', `Only active subscriptions can change plan (this one is ${subscription.status}).`);
      }
      if (subscription.pendingPlanId) {
        throw new DomainError('plan_change_pending', 'An upgrade is waiting for its payment; retry once it is settled.');
      }
      if (request.planId === subscription.planId) {
        throw new DomainError('same_plan', 'The subscription is already on this plan.');
      }
      const current = await tx.plan.findUniqueOrThrow({ where: { id: subscription.planId } });
      const target = await findSubscribablePlan(tx, request.planId);
      if (target.currency !== current.currency) {
        throw new DomainError('currency_mismatch', `The new plan is priced in ${target.currency}, the subscription in ${current.currency}.`);
      }
      if (target.interval !== current.interval || target.intervalCount !== current.intervalCount) {
        throw new DomainError('interval_change_not_supported', 'Switching between billing intervals is not supported yet.');
      }

      if (classifyPlanChange(current, target) === 'downgrade') {
        await updateSubscriptionVersioned(tx, subscription, { scheduledPlanId: target.id }, now);
        return false;
      }
      const proration = prorate({
        from: current,
        to: target,
        periodStart: subscription.currentPeriodStart,
        periodEnd: subscription.currentPeriodEnd,
        at: now,
      });
      if (proration.total <= 0) {
        // Nothing left of the period to charge for: switch right away.
        await updateSubscriptionVersioned(tx, subscription, { planId: target.id, scheduledPlanId: null }, now);
        return false;
      }
      const invoice = await issueInvoice(
        tx,
        {
          subscriptionId: subscription.id,
          userId: subscription.userId,
          plan: target,
          kind: 'proration',
          amount: proration.total,
          periodStart: new Date(subscription.currentPeriodEnd.getTime() - proration.remainingSeconds * 1000),
          periodEnd: subscription.currentPeriodEnd,
          description: `Upgrade from ${current.name} to ${target.name} (prorated)`,
          lines: proration.lines,
          paymentMethod: request.paymentMethod ?? subscription.paymentMethod,
        },
        requestId,
        now,
      );
      await updateSubscriptionVersioned(
        tx,
        subscription,
        { pendingPlanId: target.id, pendingInvoiceId: invoice.id, scheduledPlanId: null },
        now,
      );
      return true;
    });
    if (issuedInvoice) this.outbox.kick();
    return this.getSubscription(principal, id);
  }

  /** At period end: flag only (still active, keeps access). Immediately: canceled now, open invoices void. */
  async cancel(principal: Principal, id: string, request: CancelSubscriptionRequest, requestId: string): Promise<SubscriptionResponse> {
    const now = this.clock.now();
    const atPeriodEnd = request.atPeriodEnd ?? true;
    await this.prisma.$transaction(async (tx) => {
      const subscription = await this.findVisibleSubscription(tx, principal, id);
      if (!isLive(subscription.status)) {
        throw new DomainError('invalid_state_transition', `The subscription is already ${subscription.status}.`);
      }
      if (atPeriodEnd) {
        if (subscription.status !== 'active') {
          throw new DomainError('subscription_not_active', 'Only active subscriptions can be canceled at period end; cancel immediately instead.');
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
          incompleteExpiresAt: null,
        },
      );
      await tx.invoice.updateMany({ where: { subscriptionId: id, status: 'open' }, data: { status: 'void', updatedAt: now } });
    });
    return this.getSubscription(principal, id);
  }

  /** Undoes a cancel-at-period-end while the period is still running. */
  async resume(principal: Principal, id: string): Promise<SubscriptionResponse> {
    const now = this.clock.now();
    await this.prisma.$transaction(async (tx) => {
      const subscription = await this.findVisibleSubscription(tx, principal, id);
      if (subscription.status !== 'active' || !subscription.cancelAtPeriodEnd) {
        throw new DomainError('no_pending_cancellation', 'Only an active subscription set to cancel at period end can be resumed.');
      }
      await updateSubscriptionVersioned(
        tx,
        subscription,
        { cancelAtPeriodEnd: false, canceledAt: null, cancellationReason: null },
        now,
      );
    });
    return this.getSubscription(principal, id);
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
