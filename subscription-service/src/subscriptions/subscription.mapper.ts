import { BillingMoment, billingTime } from '../billing/domain/billing-time';
import { Plan, Subscription, SubscriptionStatusChange } from '../generated/prisma/client';
import { InvoiceLineResponse } from '../invoices/dto/invoice.dto';
import { toInvoiceResponse } from '../invoices/invoice.mapper';
import { toPlanResponse } from '../plans/plan.mapper';
import { renewalPeriod } from './domain/billing-period';
import { PlanChangeQuote } from './domain/plan-change';
import { entitlement } from './domain/subscription-status';
import { PlanChangePreviewResponse } from './dto/plan-change-preview.response';
import { PlanChangeResult } from './dto/plan-change-result';
import { StatusChangeResponse } from './dto/status-change.response';
import { SubscriptionResponse } from './dto/subscription.response';
import { SubscriptionView } from './persistence/subscription.repository';

/** `systemNow` is the service clock; access is evaluated at the subscription's billing time. */
export function toSubscriptionResponse(
  subscription: SubscriptionView,
  systemNow: Date,
  renewalGraceMs: number,
): SubscriptionResponse {
  const access = entitlement(subscription, billingTime(systemNow, subscription.clockOffsetSeconds), renewalGraceMs);
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
    billingCycleAnchor: subscription.billingCycleAnchor.toISOString(),
    cancelAtPeriodEnd: subscription.cancelAtPeriodEnd,
    canceledAt: subscription.canceledAt?.toISOString() ?? null,
    endedAt: subscription.endedAt?.toISOString() ?? null,
    cancellationReason: subscription.cancellationReason,
    pendingPlanId: subscription.pendingPlanId,
    pendingInvoiceId: subscription.pendingInvoiceId,
    scheduledPlanId: subscription.scheduledPlanId,
    incompleteExpiresAt: subscription.incompleteExpiresAt?.toISOString() ?? null,
    renewalInvoiceId: subscription.renewalInvoiceId,
    nextPaymentRetryAt: subscription.nextPaymentRetryAt?.toISOString() ?? null,
    testClockOffsetSeconds: subscription.clockOffsetSeconds,
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

/** A priced plan change: what previewPlanChange shows and changePlan bills. */
export interface PlanChange {
  readonly subscription: Subscription;
  readonly current: Plan;
  readonly target: Plan;
  readonly quote: PlanChangeQuote;
  readonly at: BillingMoment;
}

/** When the change takes effect and why: part of both the preview and the change-plan response. */
export function toPlanChangeResult({ current, target, quote, at }: PlanChange): PlanChangeResult {
  return {
    direction: quote.direction,
    fromPlanId: current.id,
    toPlanId: target.id,
    effective: quote.effective,
    effectiveAt: (quote.effective === 'period_end' ? quote.appliesAt : at.billing).toISOString(),
    reason: quote.reason,
  };
}

export function toPlanChangePreview(change: PlanChange): PlanChangePreviewResponse {
  const { subscription, current, target, quote, at } = change;
  const { effective, effectiveAt, reason, direction, fromPlanId, toPlanId } = toPlanChangeResult(change);
  const common = {
    object: 'plan_change_preview' as const,
    subscriptionId: subscription.id,
    fromPlanId,
    toPlanId,
    direction,
    effective,
    effectiveAt,
    reason,
    currency: target.currency,
  };
  if (quote.effective === 'period_end') {
    // The period the change will be renewed into, by the billing worker's rule (anchor kept, or reset on another interval).
    const next = renewalPeriod(
      { anchor: subscription.billingCycleAnchor, end: quote.appliesAt, cycle: current },
      target,
    );
    return {
      ...common,
      lines: [],
      total: 0,
      appliesAt: quote.appliesAt.toISOString(),
      periodStart: next.start.toISOString(),
      periodEnd: next.end.toISOString(),
      resetsPeriod: false,
    };
  }
  return {
    ...common,
    lines: quote.lines as InvoiceLineResponse[],
    total: quote.total,
    appliesAt: at.billing.toISOString(),
    periodStart: quote.periodStart.toISOString(),
    periodEnd: quote.periodEnd.toISOString(),
    resetsPeriod: quote.resetsPeriod,
  };
}
