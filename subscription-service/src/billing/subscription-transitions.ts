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

/**
 * Locks the subscription row (`SELECT … FOR UPDATE`) until the caller's transaction ends and returns
 * it as it is now (read after the lock, so a writer that committed meanwhile is seen), or null when it
 * does not exist (or, with `userId`, is not that user's).
 *
 * Every operation that mutates a subscription takes this lock FIRST, before writing anything else.
 * Concurrent operations on one subscription then run one after the other and each sees the previous
 * one's result (→ a domain 409 such as plan_change_pending), instead of deadlocking: without it, a
 * plan change inserting its proration invoice takes a KEY SHARE lock on the row through the foreign
 * key, and the following update of the UNIQUE pending_invoice_id needs an exclusive lock that
 * conflicts with the other transaction's KEY SHARE lock (PostgreSQL 40P01).
 * Lock order across the service: invoice_payments (webhooks, outbox) → subscriptions → invoices.
 */
export async function lockSubscription(tx: Tx, id: string, userId?: string): Promise<Subscription | null> {
  const owner = userId === undefined ? Prisma.empty : Prisma.sql`AND user_id = ${userId}::uuid`;
  const locked = await tx.$queryRaw<Array<{ id: string }>>`SELECT id FROM subscriptions WHERE id = ${id}::uuid ${owner} FOR UPDATE`;
  if (locked.length === 0) return null;
  return tx.subscription.findUnique({ where: { id } });
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
