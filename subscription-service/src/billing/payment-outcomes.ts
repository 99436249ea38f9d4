import { Invoice, InvoicePayment } from '../generated/prisma/client';
import { Tx } from '../platform/database/prisma.service';
import { StatusChangeCause, transitionSubscription, updateSubscriptionVersioned } from './subscription-transitions';

export type PaymentOutcomeResult =
  | 'invoice_paid'
  | 'invoice_failed'
  | 'ignored_invoice_settled'
  | 'ignored_payment_settled';

type PaymentWithInvoice = InvoicePayment & { invoice: Invoice };

/**
 * Applies a successful charge: payment succeeded, invoice paid, then the invoice's effect on its
 * subscription (initial → activate; proration → switch to the pending plan). A paid invoice is never
 * touched again, and a void one stays void (the money needs a refund, not a state change).
 */
export async function applyPaymentSucceeded(
  tx: Tx,
  payment: PaymentWithInvoice,
  gatewayPaymentId: string | null,
  cause: Omit<StatusChangeCause, 'reason'>,
  now: Date,
): Promise<PaymentOutcomeResult> {
  if (payment.status === 'succeeded') return 'ignored_payment_settled';
  await tx.invoicePayment.update({
    where: { id: payment.id },
    data: { status: 'succeeded', gatewayPaymentId: payment.gatewayPaymentId ?? gatewayPaymentId, failureCode: null, failureMessage: null, updatedAt: now },
  });
  const invoice = payment.invoice;
  if (invoice.status === 'paid' || invoice.status === 'void') return 'ignored_invoice_settled';
  const wasOpen = invoice.status === 'open';
  await tx.invoice.update({ where: { id: invoice.id }, data: { status: 'paid', paidAt: now, updatedAt: now } });
  // A failed invoice paid later (the gateway retried on its side) settles the debt, but the
  // subscription change it carried was already abandoned.
  if (!wasOpen) return 'invoice_paid';

  const subscription = await tx.subscription.findUniqueOrThrow({ where: { id: invoice.subscriptionId } });
  if (invoice.kind === 'initial' && subscription.status === 'incomplete') {
    await transitionSubscription(tx, subscription, 'active', { ...cause, reason: 'initial_payment_succeeded' }, now, {
      incompleteExpiresAt: null,
    });
  } else if (invoice.kind === 'proration' && subscription.pendingInvoiceId === invoice.id && subscription.pendingPlanId) {
    await updateSubscriptionVersioned(
      tx,
      subscription,
      { planId: subscription.pendingPlanId, pendingPlanId: null, pendingInvoiceId: null },
      now,
    );
  }
  return 'invoice_paid';
}

/**
 * Applies a failed charge: payment failed, invoice failed (unless already settled), and the pending
 * change it carried is dropped. An initial invoice leaves the subscription incomplete: it is not
 * activated and expires after its incomplete window.
 */
export async function applyPaymentFailed(
  tx: Tx,
  payment: PaymentWithInvoice,
  failure: { code: string; message: string | null; gatewayPaymentId: string | null },
  now: Date,
): Promise<PaymentOutcomeResult> {
  if (payment.status === 'succeeded') return 'ignored_payment_settled';
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
  const invoice = payment.invoice;
  if (invoice.status !== 'open') return 'ignored_invoice_settled';
  await tx.invoice.update({
    where: { id: invoice.id },
    data: { status: 'failed', failedAt: now, failureCode: failure.code, updatedAt: now },
  });
  if (invoice.kind === 'proration') {
    const subscription = await tx.subscription.findUniqueOrThrow({ where: { id: invoice.subscriptionId } });
    if (subscription.pendingInvoiceId === invoice.id) {
      await updateSubscriptionVersioned(tx, subscription, { pendingPlanId: null, pendingInvoiceId: null }, now);
    }
  }
  return 'invoice_failed';
}
