export const SUBSCRIPTION_STATUSES = ['incomplete', 'active', 'past_due', 'canceled', 'incomplete_expired'] as const;
export type SubscriptionStatus = (typeof SUBSCRIPTION_STATUSES)[number];

/**
 * Legal status transitions. `canceled` and `incomplete_expired` are terminal; paying an incomplete
 * subscription activates it; renewals move active ↔ past_due.
 */
export const SUBSCRIPTION_TRANSITIONS: Readonly<Record<SubscriptionStatus, readonly SubscriptionStatus[]>> = {
  incomplete: ['active', 'incomplete_expired', 'canceled'],
  active: ['past_due', 'canceled'],
  past_due: ['active', 'canceled'],
  canceled: [],
  incomplete_expired: [],
};

export function canTransition(from: SubscriptionStatus, to: SubscriptionStatus): boolean {
  return SUBSCRIPTION_TRANSITIONS[from].includes(to);
}

/** Live subscriptions occupy the user's single live slot (subscriptions.live_user_id). */
export function isLive(status: SubscriptionStatus): boolean {
  return status === 'incomplete' || status === 'active' || status === 'past_due';
}

export interface Entitlement {
  readonly hasAccess: boolean;
  readonly entitledUntil: Date | null;
}

/**
 * Access is kept apart from billing status:
 * - active: until the end of the paid period (also when set to cancel at period end);
 * - while a renewal is being collected (active with an open renewal invoice, or past_due): a grace
 *   until `renewalGraceMs` after the period end — the dunning window, i.e. the last scheduled retry;
 *   paying advances the period, exhausting the retries cancels;
 * - incomplete, canceled, incomplete_expired: none.
 */
export function entitlement(
  subscription: { status: SubscriptionStatus; currentPeriodEnd: Date; renewalInvoiceId: string | null },
  now: Date,
  renewalGraceMs: number,
): Entitlement {
  let until: Date | null = null;
  if (subscription.status === 'active' || subscription.status === 'past_due') {
    const collectingRenewal = subscription.status === 'past_due' || subscription.renewalInvoiceId !== null;
    until = new Date(subscription.currentPeriodEnd.getTime() + (collectingRenewal ? renewalGraceMs : 0));
  }
  const hasAccess = until !== null && now < until;
  return { hasAccess, entitledUntil: hasAccess ? until : null };
}
