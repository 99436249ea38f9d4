import { boundedLabel, defineCounter } from '../platform/metrics/metrics-registry';
import { RefundFailureCode } from './domain/refund-simulation';

const FAILURE_CODES: readonly RefundFailureCode[] = ['refund_failed'];

/** Label value of `failure_code` for a failure code outside FAILURE_CODES (boundedLabel's default). */
const OTHER_FAILURE = 'other';

/** Counted once the transaction that settled the refund has committed. Meanings: docs/operations.md, "Metrics". */
export const REFUND_METRICS = {
  refunds: defineCounter({
    name: 'refunds_total',
    help: 'Refunds settled (terminal outcome), by outcome and failure code (none for a success).',
    labelNames: ['outcome', 'failure_code'],
    known: [
      { outcome: 'succeeded', failure_code: 'none' },
      { outcome: 'failed', failure_code: 'refund_failed' },
      // `other` too: the first failure with an unlisted code must be an increase, not a new series.
      { outcome: 'failed', failure_code: OTHER_FAILURE },
    ],
  }),
};

/** The labels of a settled refund. */
export function refundLabels(outcome: 'succeeded' | 'failed', failureCode: string | null) {
  return {
    outcome,
    failure_code: outcome === 'succeeded' ? 'none' : boundedLabel(failureCode, FAILURE_CODES, OTHER_FAILURE),
  };
}
