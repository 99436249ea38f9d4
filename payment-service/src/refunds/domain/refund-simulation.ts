/** Why a simulated refund failed. */
/** Every failure code a refund attempt can end with. */
export const REFUND_FAILURE_CODES = ['refund_failed'] as const;
export type RefundFailureCode = (typeof REFUND_FAILURE_CODES)[number];

export type RefundAttemptDecision =
  { outcome: 'succeeded' } | { outcome: 'failed'; failureCode: RefundFailureCode; failureMessage: string };

/** The test payment method whose payments succeed and whose refunds fail (docs/contracts.md). */
export const REFUND_FAIL_PAYMENT_METHOD = 'pm_card_refund_fail';

/**
 * How the simulated card network answers one refund attempt, from the refunded payment's method: refunds
 * succeed, except those of a `pm_card_refund_fail` payment, which fail with `refund_failed`. Deterministic, so
 * tests and demos can show both outcomes. Modelled on Stripe, where a refund is normally accepted and can
 * still fail later (e.g. the card was closed), leaving the money with the merchant: a failed refund is
 * terminal and its amount is refundable again.
 */
export function decideRefundAttempt(input: { paymentMethod: string }): RefundAttemptDecision {
  if (input.paymentMethod === REFUND_FAIL_PAYMENT_METHOD) {
    return { outcome: 'failed', failureCode: 'refund_failed', failureMessage: 'The card network refused the refund.' };
  }
  return { outcome: 'succeeded' };
}
