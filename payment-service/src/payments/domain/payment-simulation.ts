/**
 * How the simulated card network answers one processing attempt. Test payment methods are
 * deterministic (docs/contracts.md); any other method succeeds with the configured probability.
 */
/** Every failure code a payment attempt can end with. */
export const FAILURE_CODES = ['card_declined', 'insufficient_funds', 'expired_card', 'processing_error'] as const;
export type FailureCode = (typeof FAILURE_CODES)[number];

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
    case 'pm_card_refund_fail': // the payment succeeds; its refunds fail (refunds/domain/refund-simulation.ts)
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
