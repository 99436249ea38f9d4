import { isLive, SubscriptionStatus } from './subscription-status';

/**
 * Whether a customer operation may run on a subscription in its current state: null when it may, else a
 * refusal with the stable error code the service throws (as a DomainError, 409) and its detail. Pure
 * functions of the row as locked by the operation; the services call them and own the transaction.
 */
export type SubscriptionRefusal =
  | {
      readonly code: 'subscription_not_active' | 'plan_change_pending' | 'renewal_in_progress' | 'same_plan';
      readonly detail: string;
    }
  | {
      readonly code: 'invalid_state_transition' | 'no_pending_cancellation' | 'no_scheduled_change';
      readonly detail: string;
    }
  | {
      readonly code: 'subscription_not_incomplete' | 'incomplete_window_ended' | 'subscription_ended';
      readonly detail: string;
    };

/** The columns the guards read. */
export interface GuardedSubscription {
  readonly status: SubscriptionStatus;
  readonly planId: string;
  readonly pendingPlanId: string | null;
  readonly scheduledPlanId: string | null;
  readonly renewalInvoiceId: string | null;
  readonly cancelAtPeriodEnd: boolean;
  readonly incompleteExpiresAt: Date | null;
}

/** Can it change to `planId` now (or schedule it)? Only an active subscription with nothing pending, to another plan. */
export function planChangeRefusal(subscription: GuardedSubscription, planId: string): SubscriptionRefusal | null {
  if (subscription.status !== 'active') {
    return {
      code: 'subscription_not_active',
      detail: `Only active subscriptions can change plan (this one is ${subscription.status}).`,
    };
  }
  if (subscription.pendingPlanId)
    return { code: 'plan_change_pending', detail: 'An upgrade is waiting for its payment; retry once it is settled.' };
  if (subscription.renewalInvoiceId) {
    return {
      code: 'renewal_in_progress',
      detail: 'The period has ended and its renewal is being collected; retry once it is paid.',
    };
  }
  if (planId === subscription.planId) return { code: 'same_plan', detail: 'The subscription is already on this plan.' };
  return null;
}

/** Can its scheduled plan change be withdrawn? Only when one is scheduled. */
export function withdrawScheduledChangeRefusal(subscription: GuardedSubscription): SubscriptionRefusal | null {
  return subscription.scheduledPlanId
    ? null
    : { code: 'no_scheduled_change', detail: 'The subscription has no scheduled plan change.' };
}

/** Can it be canceled (now or at period end)? Only while live. */
export function cancelRefusal(subscription: GuardedSubscription): SubscriptionRefusal | null {
  return isLive(subscription.status)
    ? null
    : { code: 'invalid_state_transition', detail: `The subscription is already ${subscription.status}.` };
}

/** Can it be canceled at period end? Only an active one whose renewal is not being collected (checked after cancelRefusal). */
export function cancelAtPeriodEndRefusal(subscription: GuardedSubscription): SubscriptionRefusal | null {
  if (subscription.status !== 'active') {
    return {
      code: 'subscription_not_active',
      detail: 'Only active subscriptions can be canceled at period end; cancel immediately instead.',
    };
  }
  if (subscription.renewalInvoiceId) {
    return {
      code: 'renewal_in_progress',
      detail: 'The period has ended and its renewal is being collected; cancel immediately instead.',
    };
  }
  return null;
}

/** Can it be resumed? Only an active subscription set to cancel at period end. */
export function resumeRefusal(subscription: GuardedSubscription): SubscriptionRefusal | null {
  if (subscription.status === 'active' && subscription.cancelAtPeriodEnd) return null;
  return {
    code: 'no_pending_cancellation',
    detail: 'Only an active subscription set to cancel at period end can be resumed.',
  };
}

/** Can its payment method change? Not once it ended: it is never charged again. */
export function paymentMethodChangeRefusal(subscription: GuardedSubscription): SubscriptionRefusal | null {
  if (isLive(subscription.status)) return null;
  return {
    code: 'subscription_ended',
    detail: `The subscription is ${subscription.status}; it will not be charged again, so its payment method cannot change.`,
  };
}

/** Can its initial invoice be paid again at `billingNow`? Only while incomplete and inside the incomplete window. */
export function payInitialInvoiceRefusal(
  subscription: GuardedSubscription,
  billingNow: Date,
): SubscriptionRefusal | null {
  if (subscription.status !== 'incomplete') {
    return {
      code: 'subscription_not_incomplete',
      detail: `Only an incomplete subscription's initial invoice can be paid this way (this one is ${subscription.status}).`,
    };
  }
  if (subscription.incompleteExpiresAt && subscription.incompleteExpiresAt <= billingNow) {
    return {
      code: 'incomplete_window_ended',
      detail: `The window to pay ended at ${subscription.incompleteExpiresAt.toISOString()}.`,
    };
  }
  return null;
}
