/**
 * Which refund a request may create (docs/contracts.md, "Refunds"), as plain rules: the caller reads the
 * payment and the sum of its refunds under a lock on the payment row, so concurrent requests cannot
 * together refund more than was paid. Modelled on Stripe: only a succeeded charge can be refunded, a refund
 * defaults to what is left, and pending refunds count against what is left until they fail.
 */

/** What a refund request is checked against. Amounts in minor units. */
export interface RefundableState {
  readonly paymentStatus: 'processing' | 'succeeded' | 'failed';
  /** The payment's amount. */
  readonly paymentAmount: number;
  /** Sum of the payment's `pending` and `succeeded` refunds (failed refunds give their amount back). */
  readonly reservedAmount: number;
}

export type RefundAmountDecision =
  | { readonly ok: true; readonly amount: number }
  | {
      readonly ok: false;
      readonly code: 'payment_not_refundable';
      readonly paymentStatus: RefundableState['paymentStatus'];
    }
  | {
      readonly ok: false;
      readonly code: 'refund_exceeds_refundable';
      readonly requested: number;
      readonly refundable: number;
    };

/** What is still refundable, in minor units: the payment's amount minus its pending and succeeded refunds (never below 0). */
export function refundableAmount(state: Pick<RefundableState, 'paymentAmount' | 'reservedAmount'>): number {
  return Math.max(0, state.paymentAmount - state.reservedAmount);
}

/**
 * The amount (minor units) of a new refund: `requested` when given, else everything still refundable.
 * Refused when the payment is not `succeeded` (`payment_not_refundable`), or when the amount exceeds what is
 * still refundable — including a default refund of a payment with nothing left (`refund_exceeds_refundable`).
 * `requested` is already validated as an integer ≥ 1.
 */
export function decideRefundAmount(state: RefundableState, requested: number | undefined): RefundAmountDecision {
  if (state.paymentStatus !== 'succeeded') {
    return { ok: false, code: 'payment_not_refundable', paymentStatus: state.paymentStatus };
  }
  const refundable = refundableAmount(state);
  const amount = requested ?? refundable;
  if (amount < 1 || amount > refundable) {
    return { ok: false, code: 'refund_exceeds_refundable', requested: amount, refundable };
  }
  return { ok: true, amount };
}
