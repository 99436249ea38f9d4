import { Inject, Injectable } from '@nestjs/common';
import { Plan, Subscription } from '../generated/prisma/client';
import { BillingMoment, billingTime } from '../billing/domain/billing-time';
import { dunningWindowMs } from '../billing/domain/dunning';
import { AppConfig } from '../config/app-config';
import { findPlan } from '../plans/plan.repository';
import { isAdmin, Principal } from '../platform/auth/principal';
import { Clock, CLOCK } from '../platform/time/clock';
import { Sql } from '../platform/database/database';
import { DomainError } from '../platform/errors/domain-error';
import { SubscriptionRefusal } from './domain/subscription-guards';
import { SubscriptionResponse } from './dto/subscription.response';
import { toSubscriptionResponse } from './subscription.mapper';
import { findSubscription, findSubscriptionView, lockSubscription } from './persistence/subscription.repository';

/**
 * What every subscription operation shares (queries, lifecycle, plan changes, test clock): the subscription
 * the principal may see (locked or not), its billing moment, and the Subscription resource as a response.
 */
@Injectable()
export class SubscriptionAccess {
  /** Access grace while a renewal is being collected: until the last dunning retry. */
  readonly renewalGraceMs: number;

  constructor(
    config: AppConfig,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {
    this.renewalGraceMs = dunningWindowMs(config.billing.dunningScheduleMs);
  }

  /** The service clock (system time). */
  now(): Date {
    return this.clock.now();
  }

  /**
   * The Subscription resource as `db` sees it: in a transaction, with its own writes (the response it commits with).
   * @throws DomainError `not_found` (404) when it does not exist or the principal may not see it.
   */
  async view(db: Sql, principal: Principal, id: string): Promise<SubscriptionResponse> {
    const view = await findSubscriptionView(db, id, ownerOf(principal));
    if (!view) throw DomainError.notFound('Subscription', id);
    return toSubscriptionResponse(view, this.clock.now(), this.renewalGraceMs);
  }

  /** The subscription's billing time (system clock + its test-clock offset) and the system time. */
  momentFor(subscription: Pick<Subscription, 'clockOffsetSeconds'>): BillingMoment {
    const system = this.clock.now();
    return { billing: billingTime(system, subscription.clockOffsetSeconds), system };
  }

  /**
   * For every mutating operation: locks the row (SELECT … FOR UPDATE, see lockSubscription) as the
   * first statement of the transaction, then returns it as committed by whoever held the lock before,
   * so concurrent operations on one subscription serialise and the losers answer a domain 409.
   */
  async lockVisibleSubscription(tx: Sql, principal: Principal, id: string): Promise<Subscription> {
    const subscription = await lockSubscription(tx, id, ownerOf(principal));
    if (!subscription) throw DomainError.notFound('Subscription', id);
    return subscription;
  }

  async findVisibleSubscription(db: Sql, principal: Principal, id: string): Promise<Subscription> {
    const subscription = await findSubscription(db, id, ownerOf(principal));
    if (!subscription) throw DomainError.notFound('Subscription', id);
    return subscription;
  }
}

/** Throws a guard's refusal (subscription-guards) as the domain error it names. */
export function throwIfRefused(refusal: SubscriptionRefusal | null): void {
  if (refusal) throw new DomainError(refusal.code, refusal.detail);
}

/** A plan a subscription may move to (subscribe, plan change): it exists and is not archived. */
export async function findSubscribablePlan(db: Sql, planId: string): Promise<Plan> {
  const plan = await findPlan(db, planId);
  if (!plan) throw DomainError.notFound('Plan', planId);
  if (!plan.active)
    throw new DomainError('plan_archived', `Plan ${plan.code} is archived and cannot be subscribed to.`);
  return plan;
}

/** Users see their own subscriptions only (others' are reported as not found): the owner to filter on, or null for admins. */
function ownerOf(principal: Principal): string | null {
  return isAdmin(principal) ? null : principal.userId;
}
