import { StatusChangeCauseType, Subscription } from '../generated/prisma/client';
import { voidInvoicesOfEndedSubscription } from '../invoices/persistence/invoice.repository';
import { Sql } from '../platform/database/database';
import { DomainError } from '../platform/errors/domain-error';
import { canTransition, isLive, SubscriptionStatus } from '../subscriptions/domain/subscription-status';
import {
  insertStatusChange,
  SubscriptionChanges,
  updateSubscriptionVersioned,
} from '../subscriptions/persistence/subscription.repository';

/** Throws invalid_state_transition (409) unless `from → to` is in the state machine's table (canTransition). */
export function assertTransition(from: SubscriptionStatus, to: SubscriptionStatus): void {
  if (!canTransition(from, to)) {
    throw new DomainError('invalid_state_transition', `A subscription cannot go from ${from} to ${to}.`);
  }
}

export interface StatusChangeCause {
  readonly reason: string;
  readonly causeType: StatusChangeCauseType;
  readonly causeId: string | null;
}

/**
 * Moves a subscription to `to` through the state machine, keeps live_user_id in step with the
 * status, bumps the version (optimistic lock) and appends the history row — all in the caller's
 * transaction. Extra column changes (e.g. canceled_at) ride along in `changes`. Returns the row as written.
 * @throws DomainError `invalid_state_transition` (409) for a move the state machine forbids; `conflict` (409) on a lost update.
 */
export async function transitionSubscription(
  tx: Sql,
  subscription: Subscription,
  to: SubscriptionStatus,
  cause: StatusChangeCause,
  now: Date,
  changes: SubscriptionChanges = {},
): Promise<Subscription> {
  assertTransition(subscription.status, to);
  const updated = await updateSubscriptionVersioned(
    tx,
    subscription,
    { ...changes, status: to, liveUserId: isLive(to) ? subscription.userId : null },
    now,
  );
  await insertStatusChange(tx, {
    subscriptionId: subscription.id,
    fromStatus: subscription.status,
    toStatus: to,
    reason: cause.reason,
    causeType: cause.causeType,
    causeId: cause.causeId,
    createdAt: now,
  });
  return updated;
}

/** How a subscription ends: `ended_at` and the cancellation fields that differ per path. */
export interface SubscriptionEnding {
  readonly to: 'canceled' | 'incomplete_expired';
  readonly cause: StatusChangeCause;
  /** When access ended: now, or the period end for a cancel at period end. */
  readonly endedAt: Date;
  /** `canceled_at`: when the cancel was asked for (kept from a cancel-at-period-end request), null for an expiry. */
  readonly canceledAt: Date | null;
  /** Kept on the row: the customer's reason, or the system's (`dunning_exhausted`, `canceled_at_period_end`). */
  readonly cancellationReason: string | null;
}

/**
 * The one way a subscription ends (cancel now, cancel at period end, dunning exhausted, incomplete expiry): the
 * transition with its history row, every pending change cleared (pending upgrade, scheduled downgrade, renewal
 * being collected, dunning retry, incomplete window), and what it still asked for voided with its unsent
 * charges canceled (voidInvoicesOfEndedSubscription), all in the caller's transaction. Money that the gateway
 * captures for a voided invoice afterwards is refunded by the settlement (dispositionOfCapturedMoney).
 * `now` is the subscription's billing time, `systemNow` the service clock.
 * @throws DomainError `invalid_state_transition` (409) if the subscription already ended; `conflict` (409) on a lost update.
 */
export async function endSubscription(
  tx: Sql,
  subscription: Subscription,
  ending: SubscriptionEnding,
  now: Date,
  systemNow: Date,
): Promise<Subscription> {
  const ended = await transitionSubscription(tx, subscription, ending.to, ending.cause, now, {
    endedAt: ending.endedAt,
    canceledAt: ending.canceledAt,
    cancellationReason: ending.cancellationReason,
    // Stays true on a subscription that ended because of it (as Stripe shows it); any other ending clears it.
    cancelAtPeriodEnd: ending.cause.reason === 'canceled_at_period_end',
    pendingPlanId: null,
    pendingInvoiceId: null,
    scheduledPlanId: null,
    renewalInvoiceId: null,
    nextPaymentRetryAt: null,
    incompleteExpiresAt: null,
  });
  await voidInvoicesOfEndedSubscription(tx, subscription.id, now, systemNow);
  return ended;
}
