import { findPlan } from '../plans/plan.repository';
import { Principal } from '../platform/auth/principal';
import { Sql } from '../platform/database/database';
import { DomainError } from '../platform/errors/domain-error';
import { PlanChangeTiming, quotePlanChange } from './domain/plan-change';
import { planChangeRefusal } from './domain/subscription-guards';
import { PlanChange } from './subscription.mapper';
import { findSubscribablePlan, SubscriptionAccess, throwIfRefused } from './subscription-access';

/**
 * Loads and checks everything a plan change needs and prices it at the subscription's billing time, with the
 * timing asked for: the one function behind both the preview (not locked) and the change itself (locked).
 */
export async function planChangeAt(
  access: SubscriptionAccess,
  tx: Sql,
  principal: Principal,
  id: string,
  planId: string,
  lock: boolean,
  effective?: PlanChangeTiming,
): Promise<PlanChange> {
  const subscription = lock
    ? await access.lockVisibleSubscription(tx, principal, id)
    : await access.findVisibleSubscription(tx, principal, id);
  const at = access.momentFor(subscription);
  throwIfRefused(planChangeRefusal(subscription, planId));
  const current = await findPlan(tx, subscription.planId);
  if (!current) throw new Error(`plan ${subscription.planId} of subscription ${id} not found`);
  const target = await findSubscribablePlan(tx, planId);
  if (target.currency !== current.currency) {
    throw new DomainError(
      'currency_mismatch',
      `The new plan is priced in ${target.currency}, the subscription in ${current.currency}.`,
    );
  }
  const period = { periodStart: subscription.currentPeriodStart, periodEnd: subscription.currentPeriodEnd };
  return { subscription, current, target, at, quote: quotePlanChange(current, target, period, at.billing, effective) };
}
