import { SubscriptionStatus } from '../../subscriptions/domain/subscription-status';

export interface BillingState {
  readonly status: SubscriptionStatus;
  readonly currentPeriodEnd: Date;
  readonly cancelAtPeriodEnd: boolean;
  readonly incompleteExpiresAt: Date | null;
  readonly pendingInvoiceId: string | null;
  readonly renewalInvoiceId: string | null;
  readonly nextPaymentRetryAt: Date | null;
}

export type BillingWork = 'expire_incomplete' | 'cancel_at_period_end' | 'renew' | 'retry_renewal_payment';

/**
 * What the billing worker must do for a subscription at `now` (its billing time), or null:
 * - incomplete past its 23 h window → incomplete_expired;
 * - active at the end of its period → canceled when cancel-at-period-end is set, else renewed (a
 *   renewal already being collected, or an upgrade whose payment is still in flight, waits);
 * - past_due whose next dunning retry is due → a new payment attempt on the renewal invoice.
 */
export function dueBillingWork(subscription: BillingState, now: Date): BillingWork | null {
  const due = (at: Date | null): boolean => at !== null && at.getTime() <= now.getTime();
  switch (subscription.status) {
    case 'incomplete':
      return due(subscription.incompleteExpiresAt) ? 'expire_incomplete' : null;
    case 'active':
      if (!due(subscription.currentPeriodEnd) || subscription.renewalInvoiceId !== null) return null;
      if (subscription.cancelAtPeriodEnd) return 'cancel_at_period_end';
      return subscription.pendingInvoiceId === null ? 'renew' : null;
    case 'past_due':
      return due(subscription.nextPaymentRetryAt) ? 'retry_renewal_payment' : null;
    case 'canceled':
    case 'incomplete_expired':
      return null;
  }
}
