/**
 * How the simulated card network answers one processing attempt. Test payment methods are
 * deterministic (docs/contracts.md); any other method succeeds with the configured probability.
 */
export type FailureCode = 'card_declined' | 'insufficient_funds' | 'expired_card' | 'processing_error';

export type AttemptDecision =
  | { outcome: 'succeeded' }
  | { outcome: 'failed'; failureCode: FailureCode; failureMessage: string; retryable: boolean };

/** A retryable failure on the last allowed attempt becomes terminal. */
export const MAX_PROCESSING_ATTEMPTS = 3;

const FAILURE_MESSAGES: Record<FailureCode, string> = {
  card_declined: 'The card was declined.',
  insufficient_funds: 'The card has insufficient funds.',
  expired_card: 'The card has expired.',
  processing_error: 'An error occurred while processing the card. Try again.',
};

const failure = (failureCode: FailureCode, retryable = false): AttemptDecision => ({
  outcome: 'failed',
  failureCode,
  failureMessage: FAILURE_MESSAGES[failureCode],
  retryable,
});

export interface SimulationInput {
  paymentMethod: string;
  attemptNumber: number;
  successRate: number;
  /** Uniform in [0, 1). */
  random: () => number;
}

export function decideAttempt({ paymentMethod, attemptNumber, successRate, random }: SimulationInput): AttemptDecision {
  switch (paymentMethod) {
    case 'pm_card_visa':
    case 'pm_card_mastercard':
    case 'pm_card_refund_fail': // the payment succeeds; its refunds fail (decideRefundAttempt)
      return { outcome: 'succeeded' };
    case 'pm_card_declined':
      return failure('card_declined');
    case 'pm_card_insufficient_funds':
      return failure('insufficient_funds');
    case 'pm_card_expired':
      return failure('expired_card');
    case 'pm_card_processing_error':
      return attemptNumber === 1 ? failure('processing_error', true) : { outcome: 'succeeded' };
    default:
      return random() < successRate ? { outcome: 'succeeded' } : failure('card_declined');
  }
}

/** Whether the payment stays `processing` for another attempt after this decision. */
export function shouldRetry(decision: AttemptDecision, attemptNumber: number): boolean {
  return decision.outcome === 'failed' && decision.retryable && attemptNumber < MAX_PROCESSING_ATTEMPTS;
}

/** Delay before a retryable attempt is tried again. */
export const PROCESSING_RETRY_DELAY_MS = 1_000;

/** Why a simulated refund failed. */
export type RefundFailureCode = 'refund_failed';

export type RefundAttemptDecision = { outcome: 'succeeded' } | { outcome: 'failed'; failureCode: RefundFailureCode; failureMessage: string };

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
