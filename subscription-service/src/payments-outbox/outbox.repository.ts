import { Sql, statement } from '../platform/database/database';

// Messages are written with the invoice payment they charge (billing/charge.repository.ts) or the refund they
// request (billing/refund-request.repository.ts), in one statement.
import { PaymentInitiatePayload } from './messages/payment-initiate.message';
import { RefundCreatePayload } from './messages/refund-create.message';

/** A claimed outbox row: the lease (its `locked_until`) is this worker's proof of ownership. */
export interface OutboxLease {
  readonly id: string;
  readonly topic: string;
  /** By topic: `payment.initiate` → PaymentInitiatePayload, `refund.create` → RefundCreatePayload. */
  readonly payload: PaymentInitiatePayload | RefundCreatePayload;
  /** Sends so far, this one included. */
  readonly attempts: number;
  readonly requestId: string | null;
  /** W3C trace context of the operation that wrote the message (null when tracing was off): its sends continue it. */
  readonly traceContext: string | null;
  readonly leaseUntil: Date;
}

const CLAIM_DUE = statement(
  'outbox_claim_due',
  `UPDATE outbox_messages
      SET locked_until = $2, attempts = attempts + 1
    WHERE id IN (
      SELECT id FROM outbox_messages
       WHERE status = 'pending'
         AND next_attempt_at <= $1
         AND (locked_until IS NULL OR locked_until <= $1)
       ORDER BY next_attempt_at
       LIMIT $3
       FOR UPDATE SKIP LOCKED)
   RETURNING id, topic, payload, attempts, request_id AS "requestId", trace_context AS "traceContext",
             locked_until AS "leaseUntil"`,
);

/** Claims up to `limit` due messages until `leaseUntil` (FOR UPDATE SKIP LOCKED: replicas never claim the same row). */
export function claimDueOutboxMessages(db: Sql, now: Date, leaseUntil: Date, limit: number): Promise<OutboxLease[]> {
  return db.query<OutboxLease & Record<string, unknown>>(CLAIM_DUE, [now, leaseUntil, limit]);
}

/** The outcome of one send that changes only the claimed row (see recordPaymentRequested for an accepted one). */
export type OutboxResult =
  | { readonly status: 'retry'; readonly nextAttemptAt: Date; readonly lastError: string }
  | { readonly status: 'failed'; readonly lastError: string };
const RECORD_RETRY = statement(
  'outbox_record_retry',
  `UPDATE outbox_messages SET next_attempt_at = $3, last_error = $4, locked_until = NULL
    WHERE id = $1 AND status = 'pending' AND locked_until = $2`,
);
const RECORD_FAILED = statement(
  'outbox_record_failed',
  `UPDATE outbox_messages SET status = 'failed', last_error = $3, locked_until = NULL
    WHERE id = $1 AND status = 'pending' AND locked_until = $2`,
);

/**
 * Writes the result to the claimed row only while it still carries this worker's lease; false when the
 * lease was lost (it expired and another worker claimed the row: that worker owns the result now).
 */
export async function recordOutboxResult(db: Sql, lease: OutboxLease, result: OutboxResult): Promise<boolean> {
  const owner = [lease.id, lease.leaseUntil];
  switch (result.status) {
    case 'retry':
      return (await db.execute(RECORD_RETRY, [...owner, result.nextAttemptAt, result.lastError])) === 1;
    case 'failed':
      return (await db.execute(RECORD_FAILED, [...owner, result.lastError])) === 1;
  }
}

const RECORD_REQUESTED = statement(
  'outbox_record_requested',
  `WITH sent AS (
     UPDATE outbox_messages SET status = 'sent', sent_at = $3, locked_until = NULL, last_error = NULL
      WHERE id = $1 AND status = 'pending' AND locked_until = $2
     RETURNING aggregate_id
   ), requested AS (
     UPDATE invoice_payments ip SET status = 'processing', gateway_payment_id = $4, updated_at = $3
       FROM sent WHERE ip.id = sent.aggregate_id AND ip.status IN ('pending', 'unknown')
   )
   SELECT count(*)::int AS recorded FROM sent`,
);

/**
 * The gateway accepted the payment (202), in one statement: the message is `sent` and its invoice payment,
 * if still `pending` or `unknown` (a webhook may have settled it first), is `processing` with the gateway's
 * payment id. Only while the row carries this worker's lease; false when the lease was lost (nothing written).
 */
export async function recordPaymentRequested(
  db: Sql,
  lease: OutboxLease,
  gatewayPaymentId: string,
  now: Date,
): Promise<boolean> {
  const [{ recorded }] = await db.query<{ recorded: number }>(RECORD_REQUESTED, [
    lease.id,
    lease.leaseUntil,
    now,
    gatewayPaymentId,
  ]);
  return recorded === 1;
}

const RECORD_UNKNOWN = statement(
  'outbox_record_unknown',
  `WITH retry AS (
     UPDATE outbox_messages SET next_attempt_at = $3, last_error = $4, locked_until = NULL
      WHERE id = $1 AND status = 'pending' AND locked_until = $2
     RETURNING aggregate_id
   ), unknown AS (
     UPDATE invoice_payments ip SET status = 'unknown', updated_at = $5
       FROM retry WHERE ip.id = retry.aggregate_id AND ip.status = 'pending'
   )
   SELECT count(*)::int AS recorded FROM retry`,
);

/**
 * The request may have reached the gateway (timeout, dropped connection), in one statement: the message is
 * retried at `nextAttemptAt` and its invoice payment, if still `pending`, becomes `unknown`. Only while the
 * row carries this worker's lease; false when the lease was lost (nothing written).
 */
export async function recordOutcomeUnknown(
  db: Sql,
  lease: OutboxLease,
  nextAttemptAt: Date,
  lastError: string,
  now: Date,
): Promise<boolean> {
  const [{ recorded }] = await db.query<{ recorded: number }>(RECORD_UNKNOWN, [
    lease.id,
    lease.leaseUntil,
    nextAttemptAt,
    lastError,
    now,
  ]);
  return recorded === 1;
}

const RELEASE = statement(
  'outbox_release',
  `UPDATE outbox_messages SET locked_until = NULL, attempts = attempts - 1 WHERE id = $1 AND status = 'pending' AND locked_until = $2`,
);

/** Hands a claimed, unsent row back (its claim's attempt undone) so any worker may send it now. */
export async function releaseOutboxMessage(db: Sql, lease: OutboxLease): Promise<void> {
  await db.execute(RELEASE, [lease.id, lease.leaseUntil]);
}

const CHECK_CHARGE = statement(
  'outbox_check_charge',
  `WITH target AS (
     SELECT ip.id, ip.status AS payment_status, i.status AS invoice_status
       FROM invoice_payments ip JOIN invoices i ON i.id = ip.invoice_id
      WHERE ip.id = $3
        FOR SHARE OF i
   ), stop AS (
     SELECT id, payment_status,
            -- The gateway already has it (accepted, or settled by its webhook while this send was unrecorded): done.
            payment_status IN ('processing', 'succeeded', 'failed') AS at_gateway
       FROM target WHERE NOT (invoice_status = 'open' AND payment_status IN ('pending', 'unknown'))
   ), message AS (
     UPDATE outbox_messages m
        SET status = CASE WHEN stop.at_gateway THEN 'sent'::outbox_status ELSE 'canceled'::outbox_status END,
            sent_at = CASE WHEN stop.at_gateway THEN $4 ELSE m.sent_at END,
            locked_until = NULL,
            last_error = CASE WHEN stop.at_gateway THEN 'not sent again: the gateway already has this payment' ELSE $5 END
       FROM stop
      WHERE m.id = $1 AND m.status = 'pending' AND m.locked_until = $2
     RETURNING stop.at_gateway
   ), payment AS (
     UPDATE invoice_payments ip SET status = 'canceled', updated_at = $4
       FROM stop WHERE ip.id = stop.id AND stop.payment_status = 'pending' AND EXISTS (SELECT 1 FROM message)
   )
   SELECT (SELECT count(*) FROM stop)::int AS stopped, (SELECT bool_or(at_gateway) FROM message) AS at_gateway,
          (SELECT count(*) FROM message)::int AS recorded`,
);

/**
 * Just before a `payment.initiate` message is sent: is its charge still owed and not yet at the gateway? The
 * invoice row is read FOR SHARE, so a cancel or settlement in progress is waited for and seen. Only while this
 * worker holds `lease`, in one statement:
 * - the invoice payment is already at the gateway (`processing`, or settled by its webhook while an earlier send
 *   went unrecorded, e.g. a crash): the message is `sent` and nothing is sent again → `already_at_gateway`;
 * - the invoice is no longer `open`: the message is `canceled`, with its invoice payment if still `pending`; an
 *   `unknown` one keeps its status for reconciliation → `canceled`;
 * - otherwise → `send`. `lease_lost` when another worker owns the row now (nothing written).
 */
export async function checkChargeStillOwed(
  db: Sql,
  lease: OutboxLease,
  invoicePaymentId: string,
  now: Date,
): Promise<'send' | 'canceled' | 'already_at_gateway' | 'lease_lost'> {
  const [{ stopped, at_gateway: atGateway, recorded }] = await db.query<{
    stopped: number;
    at_gateway: boolean | null;
    recorded: number;
  }>(CHECK_CHARGE, [
    lease.id,
    lease.leaseUntil,
    invoicePaymentId,
    now,
    'not sent: the invoice is no longer collectible',
  ]);
  if (stopped === 0) return 'send';
  if (recorded === 0) return 'lease_lost';
  return atGateway ? 'already_at_gateway' : 'canceled';
}

const RECORD_REFUND_REQUESTED = statement(
  'outbox_record_refund_requested',
  `WITH sent AS (
     UPDATE outbox_messages SET status = 'sent', sent_at = $3, locked_until = NULL, last_error = NULL
      WHERE id = $1 AND status = 'pending' AND locked_until = $2
     RETURNING aggregate_id
   ), requested AS (
     UPDATE invoice_refunds r SET status = 'processing', gateway_refund_id = $4, updated_at = $3
       FROM sent WHERE r.id = sent.aggregate_id AND r.status = 'pending'
   )
   SELECT count(*)::int AS recorded FROM sent`,
);

/**
 * The payment service accepted the refund (202), in one statement: the message is `sent` and its refund, if still
 * `pending` (a webhook may have settled it first), `processing` with the gateway's refund id. Only while the
 * row carries this worker's lease; false when the lease was lost (nothing written).
 */
export async function recordRefundRequested(
  db: Sql,
  lease: OutboxLease,
  gatewayRefundId: string,
  now: Date,
): Promise<boolean> {
  const [{ recorded }] = await db.query<{ recorded: number }>(RECORD_REFUND_REQUESTED, [
    lease.id,
    lease.leaseUntil,
    now,
    gatewayRefundId,
  ]);
  return recorded === 1;
}

const WAITING_BY_TOPIC = statement(
  'outbox_waiting_by_topic',
  // Uses the (status, next_attempt_at) index: only the pending rows are visited, and they are few while all is well.
  `SELECT topic, count(*)::int AS waiting, min(created_at) AS oldest
     FROM outbox_messages WHERE status = 'pending' GROUP BY topic`,
);

/** Pending (not yet sent) outbox messages per topic, with the creation time of the oldest; topics with none are absent. */
export function waitingMessagesByTopic(db: Sql): Promise<{ topic: string; waiting: number; oldest: Date }[]> {
  return db.query(WAITING_BY_TOPIC);
}
