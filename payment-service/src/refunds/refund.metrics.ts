import { boundedLabel, defineCounter, labelCombinations } from '../platform/metrics/metrics-registry';
import { REFUND_FAILURE_CODES } from './domain/refund-simulation';

/** Label value of `failure_code` for a failure code outside REFUND_FAILURE_CODES (boundedLabel's default). */
const OTHER_FAILURE = 'other';

/** Label value of `failure_code` for a refund that succeeded. */
const NO_FAILURE = 'none';

/** Counted once the transaction that settled the refund has committed. Meanings: docs/operations.md, "Metrics". */
export const REFUND_METRICS = {
  refunds: defineCounter({
    name: 'refunds_total',
    help: 'Refunds settled (terminal outcome), by outcome and failure code (none for a success).',
    labelNames: ['outcome', 'failure_code'],
    known: [
      { outcome: 'succeeded', failure_code: NO_FAILURE },
      // `other` too: the first failure with an unlisted code must be an increase, not a new series.
      ...labelCombinations({ outcome: ['failed'], failure_code: [...REFUND_FAILURE_CODES, OTHER_FAILURE] }),
    ],
  }),
};

/** The labels of a settled refund. */
export function refundLabels(outcome: 'succeeded' | 'failed', failureCode: string | null) {
  return {
    outcome,
    failure_code: outcome === 'succeeded' ? NO_FAILURE : boundedLabel(failureCode, REFUND_FAILURE_CODES, OTHER_FAILURE),
  };
}
