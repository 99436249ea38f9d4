import { Invoice, InvoicePayment, Subscription } from '../generated/prisma/client';
import { Tx } from '../platform/database/prisma.service';
import { billingTime } from './domain/billing-time';
import { nextDunningStep } from './domain/dunning';
import { lockSubscription, StatusChangeCause, transitionSubscription, updateSubscriptionVersioned } from './subscription-transitions';

export type PaymentOutcomeResult =
  | 'invoice_paid'
  | 'invoice_failed'
  | 'renewal_retry_scheduled'
  | 'ignored_invoice_settled'
  | 'ignored_payment_settled';

type PaymentWithInvoice = InvoicePayment & { invoice: Invoice };
export type OutcomeCause = Omit<StatusChangeCause, 'reason'>;

/**
 * Applies a successful charge: payment succeeded, invoice paid, then the invoice's effect on its
 * subscription (initial → activate; proration → switch to the pending plan; renewal → advance the
 * period, past_due → active). A paid invoice is never touched again, and a void one stays void (the
 * money needs a refund, not a state change).
 */
export async function applyPaymentSucceeded(
  tx: Tx,
  payment: PaymentWithInvoice,
  gatewayPaymentId: string | null,
  cause: OutcomeCause,
  systemNow: Date,
): Promise<PaymentOutcomeResult> {
  if (payment.status === 'succeeded') return 'ignored_payment_settled';
  const subscription = await lockSubscriptionOrThrow(tx, payment.invoice.subscriptionId);
  // Re-read under the lock: a cancel that committed while we waited may have voided the invoice.
  const invoice = await tx.invoice.findUniqueOrThrow({ where: { id: payment.invoice.id } });
  const now = billingTime(systemNow, subscription.clockOffsetSeconds);
  await tx.invoicePayment.update({
    where: { id: payment.id },
    data: { status: 'succeeded', gatewayPaymentId: payment.gatewayPaymentId ?? gatewayPaymentId, failureCode: null, failureMessage: null, updatedAt: now },
  });
  if (invoice.status === 'paid' || invoice.status === 'void') return 'ignored_invoice_settled';
  const wasOpen = invoice.status === 'open';
  await tx.invoice.update({ where: { id: invoice.id }, data: { status: 'paid', paidAt: now, updatedAt: now } });
  // A failed invoice paid later (the gateway retried on its side) settles the debt, but the
  // subscription change it carried was already abandoned.
  if (!wasOpen) return 'invoice_paid';

  switch (invoice.kind) {
    case 'initial':
      if (subscription.status === 'incomplete') {
        await transitionSubscription(tx, subscription, 'active', { ...cause, reason: 'initial_payment_succeeded' }, now, {
          incompleteExpiresAt: null,
        });
      }
      break;
    case 'proration':
      if (subscription.pendingInvoiceId === invoice.id && subscription.pendingPlanId) {
        await switchToPendingPlan(tx, subscription, invoice, now);
      }
      break;
    case 'renewal':
      if (subscription.renewalInvoiceId === invoice.id) {
        await advancePeriod(tx, subscription, invoice, cause, now);
      }
      break;
  }
  return 'invoice_paid';
}

/**
 * Applies a failed charge: payment failed, then by invoice kind —
 * - renewal: dunning. The invoice stays open; the subscription goes past_due with the next retry
 *   scheduled (`dunningScheduleMs` after the renewal's due date), or is canceled (`dunning_exhausted`,
 *   invoice failed) when every retry has failed;
 * - proration: invoice failed, the pending upgrade is dropped (the old plan continues);
 * - initial: invoice failed; the subscription stays incomplete (it can be paid again with another
 *   method until its incomplete window ends).
 */
export async function applyPaymentFailed(
  tx: Tx,
  payment: PaymentWithInvoice,
  failure: { code: string; message: string | null; gatewayPaymentId: string | null },
  cause: OutcomeCause,
  systemNow: Date,
  dunningScheduleMs: readonly number[],
): Promise<PaymentOutcomeResult> {
  // Already failed (e.g. settled by reconciliation before the webhook arrived): applying it again would count a second dunning failure.
  if (payment.status === 'succeeded' || payment.status === 'failed') return 'ignored_payment_settled';
  const subscription = await lockSubscriptionOrThrow(tx, payment.invoice.subscriptionId);
  // Re-read under the lock: a cancel that committed while we waited may have voided the invoice.
  const invoice = await tx.invoice.findUniqueOrThrow({ where: { id: payment.invoice.id } });
  const now = billingTime(systemNow, subscription.clockOffsetSeconds);
  await tx.invoicePayment.update({
    where: { id: payment.id },
    data: {
      status: 'failed',
      gatewayPaymentId: payment.gatewayPaymentId ?? failure.gatewayPaymentId,
      failureCode: failure.code,
      failureMessage: failure.message,
      updatedAt: now,
    },
  });
  if (invoice.status !== 'open') return 'ignored_invoice_settled';

  if (invoice.kind === 'renewal' && subscription.renewalInvoiceId === invoice.id) {
    const failedAttempts = await tx.invoicePayment.count({ where: { invoiceId: invoice.id, status: 'failed' } });
    const step = nextDunningStep(dunningScheduleMs, invoice.periodStart, failedAttempts);
    if (step.kind === 'retry') {
      await tx.invoice.update({ where: { id: invoice.id }, data: { failureCode: failure.code, updatedAt: now } });
      if (subscription.status === 'active') {
        await transitionSubscription(tx, subscription, 'past_due', { ...cause, reason: 'renewal_payment_failed' }, now, {
          nextPaymentRetryAt: step.at,
        });
      } else {
        await updateSubscriptionVersioned(tx, subscription, { nextPaymentRetryAt: step.at }, now);
      }
      return 'renewal_retry_scheduled';
    }
    await markInvoiceFailed(tx, invoice, failure.code, now);
    await transitionSubscription(tx, subscription, 'canceled', { ...cause, reason: 'dunning_exhausted' }, now, {
      canceledAt: now,
      endedAt: now,
      cancellationReason: 'dunning_exhausted',
      cancelAtPeriodEnd: false,
      renewalInvoiceId: null,
      nextPaymentRetryAt: null,
      scheduledPlanId: null,
    });
    return 'invoice_failed';
  }

  await markInvoiceFailed(tx, invoice, failure.code, now);
  if (invoice.kind === 'proration' && subscription.pendingInvoiceId === invoice.id) {
    await updateSubscriptionVersioned(tx, subscription, { pendingPlanId: null, pendingInvoiceId: null }, now);
  }
  return 'invoice_failed';
}

/** The invoice's subscription, locked like every other mutation of it (see lockSubscription). */
async function lockSubscriptionOrThrow(tx: Tx, id: string): Promise<Subscription> {
  const subscription = await lockSubscription(tx, id);
  if (!subscription) throw new Error(`Subscription ${id} not found`);
  return subscription;
}

async function markInvoiceFailed(tx: Tx, invoice: Invoice, code: string, now: Date): Promise<void> {
  await tx.invoice.update({ where: { id: invoice.id }, data: { status: 'failed', failedAt: now, failureCode: code, updatedAt: now } });
}

/** Same interval: the plan switches for the rest of the period. Another interval: the paid invoice's period starts. */
async function switchToPendingPlan(tx: Tx, subscription: Subscription, invoice: Invoice, now: Date): Promise<void> {
  const [current, pending] = await Promise.all([
    tx.plan.findUniqueOrThrow({ where: { id: subscription.planId } }),
    tx.plan.findUniqueOrThrow({ where: { id: subscription.pendingPlanId as string } }),
  ]);
  const intervalChanged = current.interval !== pending.interval || current.intervalCount !== pending.intervalCount;
  await updateSubscriptionVersioned(
    tx,
    subscription,
    {
      planId: pending.id,
      pendingPlanId: null,
      pendingInvoiceId: null,
      ...(intervalChanged ? { currentPeriodStart: invoice.periodStart, currentPeriodEnd: invoice.periodEnd } : {}),
    },
    now,
  );
}

/** The renewal is paid: the subscription moves into the period the invoice covers (past_due → active). */
async function advancePeriod(tx: Tx, subscription: Subscription, invoice: Invoice, cause: OutcomeCause, now: Date): Promise<void> {
  const data = {
    currentPeriodStart: invoice.periodStart,
    currentPeriodEnd: invoice.periodEnd,
    renewalInvoiceId: null,
    nextPaymentRetryAt: null,
  };
  if (subscription.status === 'past_due') {
    await transitionSubscription(tx, subscription, 'active', { ...cause, reason: 'renewal_payment_succeeded' }, now, data);
  } else {
    await updateSubscriptionVersioned(tx, subscription, data, now);
  }
}
