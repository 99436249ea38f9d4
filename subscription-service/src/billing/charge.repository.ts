import { Invoice, InvoicePayment } from '../generated/prisma/client';
import { PAYMENT_INITIATE_TOPIC, PaymentInitiatePayload } from '../payments-outbox/messages/payment-initiate.message';
import { Sql, statement } from '../platform/database/database';

/** The outbox message that asks the payment service to charge an invoice payment (see outbox.repository). */
export interface ChargeMessage {
  readonly id: string;
  readonly payload: PaymentInitiatePayload;
  readonly requestId: string | null;
  /** System time: when the message is due. */
  readonly now: Date;
  /** Written claimed by this process until then (attempt 1), or null for polling to pick up. */
  readonly leaseUntil: Date | null;
  /** W3C trace context of the operation that asks for the charge (currentTraceContext), null when tracing is off. */
  readonly traceContext: string | null;
}

/** The payment row and its outbox message, as one data-modifying CTE each (parameters $1–$14). */
const PAYMENT_AND_MESSAGE = `
  payment AS (
    INSERT INTO invoice_payments (id, invoice_id, payment_method, status, request_id, initiated_by, created_at, updated_at)
    VALUES ($1, $2, $3, 'pending', $4, $13, $5, $5)
  ),
  message AS (
    INSERT INTO outbox_messages (id, topic, aggregate_id, payload, status, attempts, next_attempt_at, locked_until, request_id,
                                 trace_context, created_at)
    VALUES ($6, $7, $1, $8, 'pending', $9, $10, $11, $12, $14, $10)
  )`;

type NewPayment = Pick<
  InvoicePayment,
  'id' | 'invoiceId' | 'paymentMethod' | 'requestId' | 'initiatedBy' | 'createdAt'
>;

function paymentAndMessageValues(payment: NewPayment, message: ChargeMessage): unknown[] {
  return [
    payment.id,
    payment.invoiceId,
    payment.paymentMethod,
    payment.requestId,
    payment.createdAt,
    message.id,
    PAYMENT_INITIATE_TOPIC,
    JSON.stringify(message.payload),
    message.leaseUntil ? 1 : 0,
    message.now,
    message.leaseUntil,
    message.requestId,
    payment.initiatedBy,
    message.traceContext,
  ];
}

const INSERT_CHARGE = statement('charge_insert_payment', `WITH ${PAYMENT_AND_MESSAGE} SELECT 1`);

/** A `pending` payment attempt on an existing invoice and the outbox message that charges it, in one statement. */
export async function insertCharge(db: Sql, payment: NewPayment, message: ChargeMessage): Promise<void> {
  await db.query(INSERT_CHARGE, paymentAndMessageValues(payment, message));
}

const INSERT_INVOICE_WITH_CHARGE = statement(
  'charge_insert_invoice',
  `WITH ${PAYMENT_AND_MESSAGE},
   invoice AS (
     INSERT INTO invoices (id, subscription_id, user_id, plan_id, kind, status, amount, currency, period_start, period_end,
                           description, lines, renewal_key, created_at, updated_at)
     VALUES ($2, $15, $16, $17, $18, 'open', $19, $20, $21, $22, $23, $24, $25, $26, $26)
   )
   SELECT 1`,
);

/**
 * A new open invoice, its `pending` payment attempt and the outbox message that charges it, in one
 * statement (three inserts; the foreign keys are checked when the statement ends, after all three).
 */
export async function insertInvoiceWithCharge(
  db: Sql,
  invoice: Omit<Invoice, 'status' | 'paidAt' | 'failedAt' | 'failureCode' | 'updatedAt'>,
  payment: Omit<NewPayment, 'invoiceId'>,
  message: ChargeMessage,
): Promise<void> {
  await db.query(INSERT_INVOICE_WITH_CHARGE, [
    ...paymentAndMessageValues({ ...payment, invoiceId: invoice.id }, message),
    invoice.subscriptionId,
    invoice.userId,
    invoice.planId,
    invoice.kind,
    invoice.amount,
    invoice.currency,
    invoice.periodStart,
    invoice.periodEnd,
    invoice.description,
    JSON.stringify(invoice.lines),
    invoice.renewalKey,
    invoice.createdAt,
  ]);
}
