import { isLive, SubscriptionStatus } from '../../subscriptions/domain/subscription-status';

export interface PayableInvoice {
  readonly kind: 'initial' | 'proration' | 'renewal';
  readonly status: 'open' | 'paid' | 'failed' | 'void';
}

export interface PayingSubscription {
  readonly status: SubscriptionStatus;
  readonly incompleteExpiresAt: Date | null;
}

export type PayNowDecision =
  | {
      readonly kind: 'pay';
      /** The invoice is `failed` and becomes `open` again with the new attempt. */ readonly reopen: boolean;
    }
  | { readonly kind: 'refuse'; readonly code: 'invoice_not_payable' | 'payment_in_progress'; readonly detail: string };

/**
 * Whether a customer may start a new payment attempt on `invoice` now (`POST /v1/invoices/{id}/pay`,
 * `POST /v1/subscriptions/{id}/pay`, and the retry after a payment-method update), with `attemptsInFlight`
 * of its payments still pending, processing or unknown and `now` the subscription's billing time:
 * - `paid` and `void` invoices are settled: refused (`invoice_not_payable`);
 * - one charge at a time per invoice: refused while an attempt is in flight (`payment_in_progress`);
 * - an ended subscription (canceled, incomplete_expired) is not charged again (`invoice_not_payable`);
 * - a `failed` invoice is reopened only when it is the initial invoice of an `incomplete` subscription inside
 *   its incomplete window (the existing "pay again" rule; Stripe lets an incomplete subscription's first
 *   invoice be paid until it expires after 23 h); any other failed invoice carried a change that was
 *   abandoned (a dropped upgrade, a renewal whose dunning ended): `invoice_not_payable`;
 * - an `open` invoice is payable, except the initial invoice of an incomplete subscription whose window ended.
 */
export function payNowDecision(
  invoice: PayableInvoice,
  subscription: PayingSubscription,
  attemptsInFlight: number,
  now: Date,
): PayNowDecision {
  if (invoice.status === 'paid' || invoice.status === 'void') {
    return {
      kind: 'refuse',
      code: 'invoice_not_payable',
      detail: `The invoice is ${invoice.status}; there is nothing to pay.`,
    };
  }
  if (attemptsInFlight > 0) {
    return {
      kind: 'refuse',
      code: 'payment_in_progress',
      detail: 'A payment attempt on this invoice is still in progress; wait for its outcome.',
    };
  }
  if (!isLive(subscription.status)) {
    return {
      kind: 'refuse',
      code: 'invoice_not_payable',
      detail: `The subscription is ${subscription.status}; it is not charged again.`,
    };
  }
  const initialOfIncomplete = invoice.kind === 'initial' && subscription.status === 'incomplete';
  const windowEnded =
    subscription.incompleteExpiresAt !== null && subscription.incompleteExpiresAt.getTime() <= now.getTime();
  if (initialOfIncomplete && windowEnded) {
    return {
      kind: 'refuse',
      code: 'invoice_not_payable',
      detail: `The window to pay this subscription's first invoice ended at ${subscription.incompleteExpiresAt?.toISOString()}.`,
    };
  }
  if (invoice.status === 'failed') {
    if (initialOfIncomplete) return { kind: 'pay', reopen: true };
    return {
      kind: 'refuse',
      code: 'invoice_not_payable',
      detail: `This ${invoice.kind} invoice failed and cannot be reopened; only an incomplete subscription's initial invoice can.`,
    };
  }
  return { kind: 'pay', reopen: false };
}
