import { InvoiceKind } from '../generated/prisma/enums';
import { defineCounter, labelCombinations } from '../platform/metrics/metrics-registry';
import { REFUND_EXPLANATIONS } from './domain/captured-money';
import { MISMATCH_KINDS } from './domain/settlement-match';

const KINDS = Object.values(InvoiceKind);

/**
 * The money flow of the subscription service, each counted once the transaction that made the change has committed
 * (countAfterCommit). Names and meanings: docs/operations.md, "Metrics".
 */
export const BILLING_METRICS = {
  /** `kind="renewal"` is the renewals issued. */
  invoicesIssued: defineCounter({
    name: 'billing_invoices_issued_total',
    help: 'Invoices issued, by kind (initial, proration, renewal).',
    labelNames: ['kind'],
    known: labelCombinations({ kind: KINDS }),
  }),
  invoicesPaid: defineCounter({
    name: 'billing_invoices_paid_total',
    help: 'Invoices paid, by kind.',
    labelNames: ['kind'],
    known: labelCombinations({ kind: KINDS }),
  }),
  invoicesFailed: defineCounter({
    name: 'billing_invoices_failed_total',
    help: 'Invoices failed for good (declined initial or proration payment, dunning exhausted on a renewal), by kind.',
    labelNames: ['kind'],
    known: labelCombinations({ kind: KINDS }),
  }),
  dunningRetries: defineCounter({
    name: 'billing_dunning_retries_total',
    help: 'Dunning retries started: a new billing-initiated payment attempt on a past-due renewal invoice.',
  }),
  dunningRetriesScheduled: defineCounter({
    name: 'billing_dunning_retries_scheduled_total',
    help: 'Failed renewal payments that scheduled a dunning retry (the subscription is past_due meanwhile).',
  }),
  dunningExhausted: defineCounter({
    name: 'billing_dunning_exhausted_total',
    help: 'Renewal invoices whose dunning schedule ran out: the invoice failed and the subscription was canceled.',
  }),
  paymentAnomalies: defineCounter({
    name: 'billing_payment_anomalies_total',
    help: 'Payment reports that did not match their obligation and settled nothing, by the first mismatch.',
    labelNames: ['kind'],
    known: labelCombinations({ kind: MISMATCH_KINDS }),
  }),
  refundsRequested: defineCounter({
    name: 'billing_refunds_requested_total',
    help: 'Refunds of captured money nothing was owed for, by why (invoice_void, invoice_failed, invoice_paid_by_another_payment).',
    labelNames: ['explanation'],
    known: labelCombinations({ explanation: REFUND_EXPLANATIONS }),
  }),
  refundsSettled: defineCounter({
    name: 'billing_refunds_settled_total',
    help: 'Refunds the payment service reported final, by outcome (succeeded, failed: the money is still held).',
    labelNames: ['outcome'],
    known: labelCombinations({ outcome: ['succeeded', 'failed'] }),
  }),
};
