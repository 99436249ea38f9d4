import { Invoice, InvoicePayment, Subscription } from '../generated/prisma/client';
import { countInvoicePaymentsBy, InvoicePaymentWithInvoice, updateInvoice, updateInvoicePayment } from '../invoices/invoice.repository';
import { findPlan } from '../plans/plan.repository';
import { Sql } from '../platform/database/database';
import { lockSubscriptionWithInvoice, updateSubscriptionVersioned } from '../subscriptions/subscription.repository';
import { billingTime } from './domain/billing-time';
import { nextDunningStep } from './domain/dunning';
import { StatusChangeCause, transitionSubscription } from './subscription-transitions';

export type PaymentOutcomeResult =
  | 'invoice_paid'
  | 'invoice_failed'
  | 'renewal_retry_scheduled'
  | 'customer_attempt_failed'
  | 'ignored_invoice_settled'
  | 'ignored_payment_settled';

export type OutcomeCause = Omit<StatusChangeCause, 'reason'>;

/** Written on the invoice payment together with the outcome, e.g. the sequence of the webhook that reported it. */
export type PaymentBookkeeping = Pick<InvoicePayment, 'lastEventSequence'> | Record<string, never>;

/**
 * Applies a successful charge: payment succeeded, invoice paid, then the invoice's effect on its
 * subscription (initial → activate; proration → switch to the pending plan; renewal → advance the
 * period, past_due → active). A paid invoice is never touched again, and a void one stays void (the
 * money needs a refund, not a state change). `payment` was locked by the caller (lockInvoicePayment).
 */
export async function applyPaymentSucceeded(
  tx: Sql,
  payment: InvoicePaymentWithInvoice,
  gatewayPaymentId: string | null,
  cause: OutcomeCause,
  systemNow: Date,
  bookkeeping: PaymentBookkeeping = {},
): Promise<PaymentOutcomeResult> {
  if (payment.status === 'succeeded') return settledAlready(tx, payment, bookkeeping, systemNow);
  // The invoice was read with the payment's lock; a cancel voids invoices only under the subscription's
  // lock, which this takes, so the invoice is read again with it to see a cancel that committed meanwhile.
  const { subscription, invoice } = await lockSubscriptionWithInvoiceOrThrow(tx, payment);
  const now = billingTime(systemNow, subscription.clockOffsetSeconds);
  await updateInvoicePayment(
    tx,
    payment.id,
    { ...bookkeeping, status: 'succeeded', gatewayPaymentId: payment.gatewayPaymentId ?? gatewayPaymentId, failureCode: null, failureMessage: null },
    now,
  );
  if (invoice.status === 'paid' || invoice.status === 'void') return 'ignored_invoice_settled';
  const wasOpen = invoice.status === 'open';
  await updateInvoice(tx, invoice.id, { status: 'paid', paidAt: now }, now);
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
 * - renewal: dunning (billing-initiated attempts only; a failed customer attempt changes nothing but the
 *   invoice's failure code). The invoice stays open; the subscription goes past_due with the next retry
 *   scheduled (`dunningScheduleMs` after the renewal's due date), or is canceled (`dunning_exhausted`,
 *   invoice failed) when every retry has failed;
 * - proration: invoice failed, the pending upgrade is dropped (the old plan continues);
 * - initial: invoice failed; the subscription stays incomplete (it can be paid again with another
 *   method until its incomplete window ends).
 * `payment` was locked by the caller (lockInvoicePayment).
 */
export async function applyPaymentFailed(
  tx: Sql,
  payment: InvoicePaymentWithInvoice,
  failure: { code: string; message: string | null; gatewayPaymentId: string | null },
  cause: OutcomeCause,
  systemNow: Date,
  dunningScheduleMs: readonly number[],
  bookkeeping: PaymentBookkeeping = {},
): Promise<PaymentOutcomeResult> {
  // Already failed (e.g. settled by reconciliation before the webhook arrived): applying it again would count a second dunning failure.
  if (payment.status === 'succeeded' || payment.status === 'failed') return settledAlready(tx, payment, bookkeeping, systemNow);
  // Read again under the subscription's lock: a cancel that committed while we waited may have voided the invoice.
  const { subscription, invoice } = await lockSubscriptionWithInvoiceOrThrow(tx, payment);
  const now = billingTime(systemNow, subscription.clockOffsetSeconds);
  await updateInvoicePayment(
    tx,
    payment.id,
    { ...bookkeeping, status: 'failed', gatewayPaymentId: payment.gatewayPaymentId ?? failure.gatewayPaymentId, failureCode: failure.code, failureMessage: failure.message },
    now,
  );
  if (invoice.status !== 'open') return 'ignored_invoice_settled';

  if (invoice.kind === 'renewal' && subscription.renewalInvoiceId === invoice.id) {
    if (payment.initiatedBy === 'customer') {
      // The customer's own attempt (pay now, or the retry after a payment-method update) failed: the dunning
      // schedule is left alone (not counted, next retry neither moved nor cleared, never a cancellation).
      await updateInvoice(tx, invoice.id, { failureCode: failure.code }, now);
      return 'customer_attempt_failed';
    }
    // Dunning counts the billing system's attempts only (the renewal's first attempt and its retries).
    const failedAttempts = await countInvoicePaymentsBy(tx, invoice.id, ['failed'], 'billing');
    const step = nextDunningStep(dunningScheduleMs, invoice.periodStart, failedAttempts);
    if (step.kind === 'retry') {
      await updateInvoice(tx, invoice.id, { failureCode: failure.code }, now);
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

/** The payment was settled before (a reconciliation, an earlier event): nothing changes but the bookkeeping. */
async function settledAlready(tx: Sql, payment: InvoicePaymentWithInvoice, bookkeeping: PaymentBookkeeping, systemNow: Date): Promise<PaymentOutcomeResult> {
  if (Object.keys(bookkeeping).length > 0) await updateInvoicePayment(tx, payment.id, bookkeeping, systemNow);
  return 'ignored_payment_settled';
}

/** The invoice's subscription, locked like every other mutation of it (see lockSubscription), with the invoice read after the lock. */
async function lockSubscriptionWithInvoiceOrThrow(tx: Sql, payment: InvoicePaymentWithInvoice): Promise<{ subscription: Subscription; invoice: Invoice }> {
  const locked = await lockSubscriptionWithInvoice(tx, payment.invoice.subscriptionId, payment.invoice.id);
  if (!locked) throw new Error(`Subscription ${payment.invoice.subscriptionId} of invoice ${payment.invoice.id} not found`);
  return locked;
}

async function markInvoiceFailed(tx: Sql, invoice: Invoice, code: string, now: Date): Promise<void> {
  await updateInvoice(tx, invoice.id, { status: 'failed', failedAt: now, failureCode: code }, now);
}

/** Same interval: the plan switches for the rest of the period. Another interval: the paid invoice's period starts. */
async function switchToPendingPlan(tx: Sql, subscription: Subscription, invoice: Invoice, now: Date): Promise<void> {
  const [current, pending] = await Promise.all([findPlan(tx, subscription.planId), findPlan(tx, subscription.pendingPlanId as string)]);
  if (!current || !pending) throw new Error(`Plans of subscription ${subscription.id} not found`);
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
async function advancePeriod(tx: Sql, subscription: Subscription, invoice: Invoice, cause: OutcomeCause, now: Date): Promise<void> {
  const changes = {
    currentPeriodStart: invoice.periodStart,
    currentPeriodEnd: invoice.periodEnd,
    renewalInvoiceId: null,
    nextPaymentRetryAt: null,
  };
  if (subscription.status === 'past_due') {
    await transitionSubscription(tx, subscription, 'active', { ...cause, reason: 'renewal_payment_succeeded' }, now, changes);
  } else {
    await updateSubscriptionVersioned(tx, subscription, changes, now);
  }
}
