import { boundedLabel, defineCounter, labelCombinations } from '../platform/metrics/metrics-registry';
import { FAILURE_CODES } from './domain/payment-simulation';

/** Label value of `failure_code` for a failure code outside FAILURE_CODES (boundedLabel's default). */
const OTHER_FAILURE = 'other';

/** Label value of `failure_code` for a payment that succeeded. */
export const NO_FAILURE = 'none';

/** Counted once the statement that settled the payment has committed. Meanings: docs/operations.md, "Metrics". */
export const PAYMENT_METRICS = {
  payments: defineCounter({
    name: 'payments_total',
    help: 'Payments settled (terminal outcome), by outcome and failure code (none for a success).',
    labelNames: ['outcome', 'failure_code'],
    known: [
      { outcome: 'succeeded', failure_code: NO_FAILURE },
      // `other` too: the first failure with an unlisted code must be an increase, not a new series.
      ...labelCombinations({ outcome: ['failed'], failure_code: [...FAILURE_CODES, OTHER_FAILURE] }),
    ],
  }),
  /** Every attempt at the card network, retried ones included. */
  attempts: defineCounter({
    name: 'payment_attempts_total',
    help: 'Payment attempts at the (simulated) card network, by outcome; a retryable failure is followed by another attempt.',
    labelNames: ['outcome'],
    known: labelCombinations({ outcome: ['succeeded', 'failed'] }),
  }),
};

/** The labels of a settled payment: failure codes outside the known set count as `other`. */
export function paymentLabels(outcome: 'succeeded' | 'failed', failureCode: string | null) {
  return {
    outcome,
    failure_code: outcome === 'succeeded' ? NO_FAILURE : boundedLabel(failureCode, FAILURE_CODES, OTHER_FAILURE),
  };
}
