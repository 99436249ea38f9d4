import { Logger } from '@nestjs/common';
import { lockInvoiceRefund, updateInvoiceRefund } from '../invoices/persistence/invoice-refund.repository';
import { SqlTransaction } from '../platform/database/database';
import { countAfterCommit } from '../platform/metrics/metrics-registry';
import { BILLING_METRICS } from './billing.metrics';

export type RefundOutcome =
  | { readonly kind: 'succeeded'; readonly gatewayRefundId: string }
  | {
      readonly kind: 'failed';
      readonly gatewayRefundId: string | null;
      readonly code: string;
      readonly message: string | null;
    };

export type RefundSettlementResult =
  'refund_succeeded' | 'refund_failed' | 'ignored_refund_settled' | 'ignored_unknown';

const logger = new Logger('RefundSettlement');

/**
 * Applies the terminal outcome of a refund (a `refund.*` webhook, or the payment service refusing the request)
 * to the invoice refund with our id `invoiceRefundId` (the refund's `metadata.invoiceRefundId`) or else the one
 * the gateway knows as `gatewayRefundId`, locked, in the caller's transaction. `succeeded` and `failed` are final:
 * a later report changes nothing. A failed refund is logged at error level: the customer's money is still held
 * with nothing owed, which needs a person (docs/operations: payment anomalies and refunds).
 */
export async function settleInvoiceRefund(
  tx: SqlTransaction,
  by: { invoiceRefundId: string | null; gatewayRefundId: string | null },
  outcome: RefundOutcome,
  now: Date,
): Promise<RefundSettlementResult> {
  const refund =
    (by.invoiceRefundId ? await lockInvoiceRefund(tx, { id: by.invoiceRefundId }) : null) ??
    (by.gatewayRefundId ? await lockInvoiceRefund(tx, { gatewayRefundId: by.gatewayRefundId }) : null);
  if (!refund) return 'ignored_unknown';
  if (refund.status === 'succeeded' || refund.status === 'failed') return 'ignored_refund_settled';
  const gatewayRefundId = refund.gatewayRefundId ?? outcome.gatewayRefundId;
  if (outcome.kind === 'succeeded') {
    await updateInvoiceRefund(tx, refund.id, { status: 'succeeded', gatewayRefundId }, now);
    countAfterCommit(tx, BILLING_METRICS.refundsSettled, { outcome: 'succeeded' });
    return 'refund_succeeded';
  }
  await updateInvoiceRefund(
    tx,
    refund.id,
    { status: 'failed', gatewayRefundId, failureCode: outcome.code, failureMessage: outcome.message },
    now,
  );
  countAfterCommit(tx, BILLING_METRICS.refundsSettled, { outcome: 'failed' });
  logger.error(
    {
      invoiceRefundId: refund.id,
      invoiceId: refund.invoiceId,
      gatewayPaymentId: refund.gatewayPaymentId,
      amount: refund.amount,
      code: outcome.code,
    },
    'refund failed: money captured with no obligation is still held',
  );
  return 'refund_failed';
}
