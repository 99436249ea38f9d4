/**
 * Does a payment report (a webhook event or a reconciliation lookup) describe the obligation it names? A signed
 * event is trusted to come from the payment service, not to be about the right money: settlement compares every
 * field that identifies the charge (the check Stripe's integration guide asks of a `payment_intent.succeeded`
 * handler: amount, currency and the order reference before fulfilling).
 */

/** The invoice payment as this service asked for it. */
export interface Obligation {
  /** The invoice id, sent as the payment's merchantReference. */
  readonly invoiceId: string;
  /** Minor units of `currency`. */
  readonly amount: number;
  readonly currency: string;
  /** The gateway's payment id once known (from its 202, or an earlier event); null before. */
  readonly gatewayPaymentId: string | null;
}

/** What the report says about the payment; absent fields are null (and never match). */
export interface ReportedPayment {
  readonly id: string;
  /** Minor units. */
  readonly amount: number | null;
  readonly currency: string | null;
  readonly merchantReference: string | null;
}

/** Every way a payment report can differ from its obligation, in the order obligationMismatches checks them. */
export const MISMATCH_KINDS = [
  'amount_mismatch',
  'currency_mismatch',
  'merchant_reference_mismatch',
  'gateway_payment_id_mismatch',
] as const;
export type MismatchKind = (typeof MISMATCH_KINDS)[number];

/** The fields that differ, in a fixed order (amount, currency, merchant reference, gateway payment id); empty when it matches. */
export function obligationMismatches(obligation: Obligation, reported: ReportedPayment): MismatchKind[] {
  const mismatches: MismatchKind[] = [];
  if (reported.amount !== obligation.amount) mismatches.push('amount_mismatch');
  if (reported.currency !== obligation.currency) mismatches.push('currency_mismatch');
  if (reported.merchantReference !== obligation.invoiceId) mismatches.push('merchant_reference_mismatch');
  if (obligation.gatewayPaymentId !== null && reported.id !== obligation.gatewayPaymentId)
    mismatches.push('gateway_payment_id_mismatch');
  return mismatches;
}
