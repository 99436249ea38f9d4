import { Sql, statement } from '../platform/database/database';

// Messages are written with the invoice payment they charge, in one statement: billing/charge.repository.ts.
import { PaymentInitiatePayload } from './payment-initiate.message';

/** A claimed outbox row: the lease (its `locked_until`) is this worker's proof of ownership. */
export interface OutboxLease {
  readonly id: string;
  readonly topic: string;
  readonly payload: PaymentInitiatePayload;
  /** Sends so far, this one included. */
  readonly attempts: number;
  readonly requestId: string | null;
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
   RETURNING id, topic, payload, attempts, request_id AS "requestId", locked_until AS "leaseUntil"`,
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
export async function recordPaymentRequested(db: Sql, lease: OutboxLease, gatewayPaymentId: string, now: Date): Promise<boolean> {
  const [{ recorded }] = await db.query<{ recorded: number }>(RECORD_REQUESTED, [lease.id, lease.leaseUntil, now, gatewayPaymentId]);
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
export async function recordOutcomeUnknown(db: Sql, lease: OutboxLease, nextAttemptAt: Date, lastError: string, now: Date): Promise<boolean> {
  const [{ recorded }] = await db.query<{ recorded: number }>(RECORD_UNKNOWN, [lease.id, lease.leaseUntil, nextAttemptAt, lastError, now]);
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
