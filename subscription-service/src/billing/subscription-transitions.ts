import { StatusChangeCauseType, Subscription } from '../generated/prisma/client';
import { Sql } from '../platform/database/database';
import { assertTransition, isLive, SubscriptionStatus } from '../subscriptions/domain/subscription-status';
import { insertStatusChange, SubscriptionChanges, updateSubscriptionVersioned } from '../subscriptions/subscription.repository';

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
  const updated = await updateSubscriptionVersioned(tx, subscription, { ...changes, status: to, liveUserId: isLive(to) ? subscription.userId : null }, now);
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
