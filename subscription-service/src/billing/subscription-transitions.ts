import { Prisma, StatusChangeCauseType, Subscription } from '../generated/prisma/client';
import { Tx } from '../platform/database/prisma.service';
import { DomainError } from '../platform/errors/domain-error';
import { assertTransition, isLive, SubscriptionStatus } from '../subscriptions/domain/subscription-status';

export interface StatusChangeCause {
  readonly reason: string;
  readonly causeType: StatusChangeCauseType;
  readonly causeId: string | null;
}

/**
 * Moves a subscription to `to` through the state machine, keeps live_user_id in step with the
 * status, bumps the version (optimistic lock) and appends the history row — all in the caller's
 * transaction. Extra column changes (e.g. canceled_at) ride along in `data`.
 */
export async function transitionSubscription(
  tx: Tx,
  subscription: Subscription,
  to: SubscriptionStatus,
  cause: StatusChangeCause,
  now: Date,
  data: Prisma.SubscriptionUncheckedUpdateManyInput = {},
): Promise<void> {
  assertTransition(subscription.status, to);
  await updateSubscriptionVersioned(tx, subscription, {
    ...data,
    status: to,
    liveUserId: isLive(to) ? subscription.userId : null,
  }, now);
  await tx.subscriptionStatusChange.create({
    data: {
      subscriptionId: subscription.id,
      fromStatus: subscription.status,
      toStatus: to,
      reason: cause.reason,
      causeType: cause.causeType,
      causeId: cause.causeId,
      createdAt: now,
    },
  });
}

/** Updates the row only if nobody changed it since it was read; otherwise 409 conflict. */
export async function updateSubscriptionVersioned(
  tx: Tx,
  subscription: Pick<Subscription, 'id' | 'version'>,
  data: Prisma.SubscriptionUncheckedUpdateManyInput,
  now: Date,
): Promise<void> {
  const { count } = await tx.subscription.updateMany({
    where: { id: subscription.id, version: subscription.version },
    data: { ...data, version: { increment: 1 }, updatedAt: now },
  });
  if (count !== 1) {
    throw new DomainError('conflict', `Subscription ${subscription.id} was modified concurrently; retry the request.`);
  }
}
