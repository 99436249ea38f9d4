/**
 * What happens to money the gateway captured for an invoice payment. Money is kept only against an invoice that
 * still owes it; everything else goes back to the customer in full, automatically (Stripe refunds a payment that
 * succeeds on a canceled PaymentIntent the same way: it is never kept without an obligation).
 */

/** Why nothing was owed for captured money, recorded on its refund (`invoice_refunds.explanation`). */
export const REFUND_EXPLANATIONS = ['invoice_void', 'invoice_failed', 'invoice_paid_by_another_payment'] as const;
export type RefundExplanation = (typeof REFUND_EXPLANATIONS)[number];

export type CapturedMoneyDisposition =
  /** The invoice is open: the money pays it. */
  | { readonly kind: 'settle' }
  /**
   * The initial invoice failed earlier (a late gateway success) while its subscription is still incomplete and
   * inside its window: it could still have been paid again, so the money pays it and activates the subscription.
   */
  | { readonly kind: 'revive' }
  /** Nothing is owed: refunded in full. */
  | {
      readonly kind: 'refund';
      /** The payment service's refund reason (docs/contracts.md). */
      readonly reason: 'no_obligation' | 'duplicate';
      readonly explanation: RefundExplanation;
    };

export interface OwingInvoice {
  readonly status: 'open' | 'paid' | 'failed' | 'void';
  readonly kind: 'initial' | 'proration' | 'renewal';
}

export interface OwingSubscription {
  readonly status: string;
  readonly incompleteExpiresAt: Date | null;
}

/** Decides it from the invoice and its subscription as locked by the settlement (`now`: the subscription's billing time). */
export function dispositionOfCapturedMoney(
  invoice: OwingInvoice,
  subscription: OwingSubscription,
  now: Date,
): CapturedMoneyDisposition {
  switch (invoice.status) {
    case 'open':
      return { kind: 'settle' };
    case 'paid':
      return { kind: 'refund', reason: 'duplicate', explanation: 'invoice_paid_by_another_payment' };
    case 'void':
      return { kind: 'refund', reason: 'no_obligation', explanation: 'invoice_void' };
    case 'failed': {
      const windowOpen = subscription.incompleteExpiresAt === null || now < subscription.incompleteExpiresAt;
      if (invoice.kind === 'initial' && subscription.status === 'incomplete' && windowOpen) return { kind: 'revive' };
      return { kind: 'refund', reason: 'no_obligation', explanation: 'invoice_failed' };
    }
  }
}
