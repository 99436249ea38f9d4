import { InvoiceRefund } from '../generated/prisma/client';
import { REFUND_CREATE_TOPIC, RefundCreatePayload } from '../payments-outbox/messages/refund-create.message';
import { Sql, statement } from '../platform/database/database';
import { currentTraceContext } from '../platform/tracing/trace-context';

// Refunds are written with the outbox message that requests them, as charges are (charge.repository.ts).

const INSERT_REFUND_WITH_MESSAGE = statement(
  'invoice_refunds_insert',
  `WITH refund AS (
     INSERT INTO invoice_refunds (id, invoice_id, invoice_payment_id, gateway_payment_id, amount, currency, reason, explanation,
                                  status, request_id, created_at, updated_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'pending', $9, $10, $10)
     ON CONFLICT (invoice_payment_id) DO NOTHING
     RETURNING id
   ), message AS (
     INSERT INTO outbox_messages (id, topic, aggregate_id, payload, status, attempts, next_attempt_at, request_id, trace_context,
                                  created_at)
     SELECT $11, $12, refund.id, $13, 'pending', 0, $14, $9, $15, $14 FROM refund
   )
   SELECT count(*)::int AS inserted FROM refund`,
);

/**
 * A `pending` refund of a whole captured payment and the `refund.create` outbox message that asks the payment
 * service for it, in one statement in the caller's transaction. At most one refund per invoice payment
 * (unique invoice_payment_id): false when it already has one (nothing written). The message is left for the
 * outbox worker's next poll (OUTBOX_POLL_INTERVAL_MS).
 */
export async function insertRefundWithMessage(
  db: Sql,
  refund: Pick<
    InvoiceRefund,
    | 'id'
    | 'invoiceId'
    | 'invoicePaymentId'
    | 'gatewayPaymentId'
    | 'amount'
    | 'currency'
    | 'reason'
    | 'explanation'
    | 'requestId'
    | 'createdAt'
  >,
  message: { id: string; now: Date },
): Promise<boolean> {
  const payload: RefundCreatePayload = {
    invoiceRefundId: refund.id,
    invoiceId: refund.invoiceId,
    gatewayPaymentId: refund.gatewayPaymentId,
    amount: refund.amount,
    currency: refund.currency,
    reason: refund.reason,
  };
  const [{ inserted }] = await db.query<{ inserted: number }>(INSERT_REFUND_WITH_MESSAGE, [
    refund.id,
    refund.invoiceId,
    refund.invoicePaymentId,
    refund.gatewayPaymentId,
    refund.amount,
    refund.currency,
    refund.reason,
    refund.explanation,
    refund.requestId,
    refund.createdAt,
    message.id,
    REFUND_CREATE_TOPIC,
    JSON.stringify(payload),
    message.now,
    currentTraceContext(), // the operation that decided the refund (a webhook, a cancel): its trace continues
  ]);
  return inserted === 1;
}
