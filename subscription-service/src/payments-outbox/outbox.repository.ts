import { Sql, statement } from '../platform/database/database';
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

const INSERT_MESSAGE = statement(
  'outbox_insert',
  `INSERT INTO outbox_messages (id, topic, aggregate_id, payload, status, attempts, next_attempt_at, locked_until, request_id, created_at)
   VALUES ($1, $2, $3, $4, 'pending', $5, $6, $7, $8, $6)`,
);

/**
 * Writes a pending message due at `now`. With `leaseUntil` the row is written already claimed by this
 * process (attempt 1 under that lease) and is dispatched after commit; without, polling picks it up.
 */
export async function insertOutboxMessage(
  db: Sql,
  message: { id: string; topic: string; aggregateId: string; payload: PaymentInitiatePayload; requestId: string | null; now: Date; leaseUntil: Date | null },
): Promise<void> {
  await db.execute(INSERT_MESSAGE, [
    message.id,
    message.topic,
    message.aggregateId,
    JSON.stringify(message.payload),
    message.leaseUntil ? 1 : 0,
    message.now,
    message.leaseUntil,
    message.requestId,
  ]);
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

/** The outcome of one send, as written to the claimed row. */
export type OutboxResult =
  | { readonly status: 'sent'; readonly sentAt: Date }
  | { readonly status: 'retry'; readonly nextAttemptAt: Date; readonly lastError: string }
  | { readonly status: 'failed'; readonly lastError: string };

const RECORD_SENT = statement(
  'outbox_record_sent',
  `UPDATE outbox_messages SET status = 'sent', sent_at = $3, locked_until = NULL, last_error = NULL
    WHERE id = $1 AND status = 'pending' AND locked_until = $2`,
);
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
    case 'sent':
      return (await db.execute(RECORD_SENT, [...owner, result.sentAt])) === 1;
    case 'retry':
      return (await db.execute(RECORD_RETRY, [...owner, result.nextAttemptAt, result.lastError])) === 1;
    case 'failed':
      return (await db.execute(RECORD_FAILED, [...owner, result.lastError])) === 1;
  }
}

const RELEASE = statement(
  'outbox_release',
  `UPDATE outbox_messages SET locked_until = NULL, attempts = attempts - 1 WHERE id = $1 AND status = 'pending' AND locked_until = $2`,
);

/** Hands a claimed, unsent row back (its claim's attempt undone) so any worker may send it now. */
export async function releaseOutboxMessage(db: Sql, lease: OutboxLease): Promise<void> {
  await db.execute(RELEASE, [lease.id, lease.leaseUntil]);
}
