import { Plan, Subscription, SubscriptionStatusChange } from '../generated/prisma/client';
import { InvoiceWithPayments, toInvoiceResponse } from '../invoices/invoice.mapper';
import { toPlanResponse } from '../plans/plans.service';
import { entitlement } from './domain/subscription-status';
import { StatusChangeResponse, SubscriptionResponse } from './dto/subscription.dto';

export type SubscriptionView = Subscription & { plan: Plan; invoices: InvoiceWithPayments[] };

/** Prisma `include` for toSubscriptionResponse: the plan and the latest invoice with its payments. */
export const SUBSCRIPTION_INCLUDE = {
  plan: true,
  invoices: {
    orderBy: [{ createdAt: 'desc' as const }, { id: 'desc' as const }],
    take: 1,
    include: { payments: { orderBy: { createdAt: 'asc' as const } } },
  },
};

export function toSubscriptionResponse(subscription: SubscriptionView, now: Date): SubscriptionResponse {
  const access = entitlement(subscription, now);
  const latestInvoice = subscription.invoices[0];
  return {
    id: subscription.id,
    object: 'subscription',
    userId: subscription.userId,
    planId: subscription.planId,
    plan: toPlanResponse(subscription.plan),
    status: subscription.status,
    hasAccess: access.hasAccess,
    entitledUntil: access.entitledUntil?.toISOString() ?? null,
    paymentMethod: subscription.paymentMethod,
    currentPeriodStart: subscription.currentPeriodStart.toISOString(),
    currentPeriodEnd: subscription.currentPeriodEnd.toISOString(),
    cancelAtPeriodEnd: subscription.cancelAtPeriodEnd,
    canceledAt: subscription.canceledAt?.toISOString() ?? null,
    endedAt: subscription.endedAt?.toISOString() ?? null,
    cancellationReason: subscription.cancellationReason,
    pendingPlanId: subscription.pendingPlanId,
    pendingInvoiceId: subscription.pendingInvoiceId,
    scheduledPlanId: subscription.scheduledPlanId,
    incompleteExpiresAt: subscription.incompleteExpiresAt?.toISOString() ?? null,
    latestInvoice: latestInvoice ? toInvoiceResponse(latestInvoice) : null,
    createdAt: subscription.createdAt.toISOString(),
    updatedAt: subscription.updatedAt.toISOString(),
  };
}

export function toStatusChangeResponse(change: SubscriptionStatusChange): StatusChangeResponse {
  return {
    id: change.id,
    object: 'subscription_status_change',
    fromStatus: change.fromStatus,
    toStatus: change.toStatus,
    reason: change.reason,
    causeType: change.causeType,
    causeId: change.causeId,
    createdAt: change.createdAt.toISOString(),
  };
}
