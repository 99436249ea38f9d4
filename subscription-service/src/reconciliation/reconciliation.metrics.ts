import { defineCounter, labelCombinations } from '../platform/metrics/metrics-registry';

/** Every outcome ReconciliationService.reconcile can give (ReconciliationOutcome). */
export const RECONCILIATION_OUTCOMES = [
  'invoice_paid',
  'invoice_failed',
  'renewal_retry_scheduled',
  'refund_requested',
  'customer_attempt_failed',
  'ignored_invoice_settled',
  'ignored_payment_settled',
  'ignored_stale',
  'ignored_unknown',
  'anomaly',
  'still_processing',
  'not_found',
  'resolved_processing',
  'already_settled',
  'canceled_never_created',
  'lookup_failed',
] as const;

/** Counted after the reconciliation of one stale payment has committed. Meanings: docs/operations.md, "Metrics". */
export const RECONCILIATION_METRICS = {
  actions: defineCounter({
    name: 'billing_reconciliation_actions_total',
    help: 'Stale invoice payments looked up at the payment service by the reconciliation worker, by outcome.',
    labelNames: ['outcome'],
    known: labelCombinations({ outcome: RECONCILIATION_OUTCOMES }),
  }),
};
