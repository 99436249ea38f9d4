import { PaymentStatus, Refund, RefundAttempt } from '../generated/prisma/client';
import { ColumnMap, fromJson, jsonObject, selectList } from '../platform/database/columns';
import { Sql, statement, statementFor } from '../platform/database/database';
import { Cursor, pageQuery } from '../platform/database/pages';
import { RefundWithAttempts } from './refund.mapper';

export const REFUND_COLUMNS: ColumnMap<Refund> = {
  id: 'id',
  paymentId: 'payment_id',
  amount: 'amount',
  currency: 'currency',
  reason: 'reason',
  status: 'status',
  failureCode: 'failure_code',
  failureMessage: 'failure_message',
  metadata: 'metadata',
  attemptCount: 'attempt_count',
  nextAttemptAt: 'next_attempt_at',
  lockedUntil: 'locked_until',
  requestId: 'request_id',
  traceContext: 'trace_context',
  idempotencyScope: 'idempotency_scope',
  idempotencyRequestHash: 'idempotency_request_hash',
  processedAt: 'processed_at',
  createdAt: 'created_at',
  updatedAt: 'updated_at',
};

export const REFUND_ATTEMPT_COLUMNS: ColumnMap<RefundAttempt> = {
  id: 'id',
  refundId: 'refund_id',
  attemptNumber: 'attempt_number',
  outcome: 'outcome',
  failureCode: 'failure_code',
  failureMessage: 'failure_message',
  startedAt: 'started_at',
  finishedAt: 'finished_at',
};

const REFUND_SELECT = selectList(REFUND_COLUMNS, 'r');

/** The attempts of refund `r`, oldest first, as one JSON array. */
const ATTEMPTS_OF_R = `(SELECT coalesce(json_agg(${jsonObject(REFUND_ATTEMPT_COLUMNS, 'ra')} ORDER BY ra.attempt_number), '[]'::json)
                         FROM refund_attempts ra WHERE ra.refund_id = r.id)`;

/**
 * The refunds of payment `p`, oldest first, each with its attempts, as one JSON array column named `refunds`:
 * the Payment resource is still read in one query. Read it back with `refundsFromJson`.
 */
export const REFUNDS_OF_PAYMENT_JSON = `(SELECT coalesce(json_agg(${jsonObject(REFUND_COLUMNS, 'r', { attempts: ATTEMPTS_OF_R })} ORDER BY r.created_at, r.id), '[]'::json)
                                         FROM refunds r WHERE r.payment_id = p.id) AS refunds`;

const REFUND_DATES = ['nextAttemptAt', 'lockedUntil', 'processedAt', 'createdAt', 'updatedAt'] as const;

function refundWithAttemptsFromJson(row: Record<string, unknown>): RefundWithAttempts {
  const refund = fromJson<Refund & { attempts: unknown }>(row, [...REFUND_DATES]);
  return {
    ...refund,
    attempts: (refund.attempts as Record<string, unknown>[]).map((attempt) =>
      fromJson<RefundAttempt>(attempt, ['startedAt', 'finishedAt']),
    ),
  };
}

/** The `refunds` column of REFUNDS_OF_PAYMENT_JSON as refunds with their attempts. */
export function refundsFromJson(refunds: unknown): RefundWithAttempts[] {
  return (refunds as Record<string, unknown>[]).map(refundWithAttemptsFromJson);
}

/** What a refund request needs to know about the payment it refunds. */
export interface RefundablePayment {
  readonly id: string;
  readonly amount: number;
  readonly currency: string;
  readonly status: PaymentStatus;
  readonly paymentMethod: string;
}

const LOCK_PAYMENT = statement(
  'refunds_lock_payment',
  `SELECT id, amount, currency, status, payment_method AS "paymentMethod" FROM payments WHERE id = $1 FOR UPDATE`,
);

/**
 * The payment, locked until the transaction ends (null when there is none): refund requests on one payment
 * are serialised here, so the refundable amount read next cannot change before the new refund is inserted.
 */
export async function lockPaymentForRefund(tx: Sql, paymentId: string): Promise<RefundablePayment | null> {
  const [payment] = await tx.query<RefundablePayment & Record<string, unknown>>(LOCK_PAYMENT, [paymentId]);
  return payment ?? null;
}

const RESERVED_AMOUNT = statement(
  'refunds_reserved_amount',
  `SELECT coalesce(sum(amount), 0)::int AS reserved FROM refunds WHERE payment_id = $1 AND status IN ('pending', 'succeeded')`,
);

/**
 * Sum, in minor units, of the payment's `pending` and `succeeded` refunds. Its own statement after
 * lockPaymentForRefund, so it sees every refund committed before the lock was granted (READ COMMITTED
 * takes a new snapshot per statement).
 */
export async function reservedRefundAmount(tx: Sql, paymentId: string): Promise<number> {
  const [row] = await tx.query<{ reserved: number }>(RESERVED_AMOUNT, [paymentId]);
  return row.reserved;
}

export type NewRefund = Pick<
  Refund,
  | 'id'
  | 'paymentId'
  | 'amount'
  | 'currency'
  | 'reason'
  | 'metadata'
  | 'requestId'
  | 'traceContext'
  | 'idempotencyScope'
  | 'idempotencyRequestHash'
  | 'lockedUntil'
  | 'createdAt'
>;

const INSERT_REFUND = statement(
  'refunds_insert',
  `INSERT INTO refunds (id, payment_id, amount, currency, reason, status, metadata, attempt_count, next_attempt_at, locked_until, request_id,
                        idempotency_scope, idempotency_request_hash, trace_context, created_at, updated_at)
   VALUES ($1, $2, $3, $4, $5, 'pending', $6, 0, $7, $8, $9, $10, $11, $12, $7, $7)
   ON CONFLICT (idempotency_scope) DO NOTHING`,
);

/**
 * Inserts a `pending` refund due now (`createdAt`), optionally already leased to this process (`lockedUntil`).
 * Returns it as inserted, or null when its idempotency scope is already taken (a key never creates two refunds).
 */
export async function insertRefund(tx: Sql, refund: NewRefund): Promise<RefundWithAttempts | null> {
  const inserted = await tx.execute(INSERT_REFUND, [
    refund.id,
    refund.paymentId,
    refund.amount,
    refund.currency,
    refund.reason,
    JSON.stringify(refund.metadata),
    refund.createdAt,
    refund.lockedUntil,
    refund.requestId,
    refund.idempotencyScope,
    refund.idempotencyRequestHash,
    refund.traceContext,
  ]);
  if (inserted === 0) return null;
  return {
    ...refund,
    status: 'pending',
    failureCode: null,
    failureMessage: null,
    attemptCount: 0,
    nextAttemptAt: refund.createdAt,
    processedAt: null,
    updatedAt: refund.createdAt,
    attempts: [],
  };
}

const FIND_BY_SCOPE = statement(
  'refunds_find_by_scope',
  `SELECT ${REFUND_SELECT} FROM refunds r WHERE r.idempotency_scope = $1`,
);

/** The refund created under this idempotency scope, if any (without its attempts). */
export async function findRefundByIdempotencyScope(db: Sql, scope: string): Promise<Refund | null> {
  const [refund] = await db.query<Refund & Record<string, unknown>>(FIND_BY_SCOPE, [scope]);
  return refund ?? null;
}

function withAttempts(row: Refund & { attempts: unknown }): RefundWithAttempts {
  return {
    ...row,
    attempts: (row.attempts as Record<string, unknown>[]).map((attempt) =>
      fromJson<RefundAttempt>(attempt, ['startedAt', 'finishedAt']),
    ),
  };
}

const FIND_REFUND = statement(
  'refunds_find',
  `SELECT ${REFUND_SELECT}, ${ATTEMPTS_OF_R} AS attempts FROM refunds r WHERE r.id = $1`,
);

/** The refund with its attempts, or null. */
export async function findRefund(db: Sql, id: string): Promise<RefundWithAttempts | null> {
  const [refund] = await db.query<Refund & { attempts: unknown }>(FIND_REFUND, [id]);
  return refund ? withAttempts(refund) : null;
}

const FIND_CURSOR = statement('refunds_cursor', `SELECT created_at AS "createdAt", id FROM refunds WHERE id = $1`);

/** Where a page after refund `id` starts, if that refund exists. */
export async function findRefundCursor(db: Sql, id: string): Promise<Cursor | null> {
  const [cursor] = await db.query<Cursor & Record<string, unknown>>(FIND_CURSOR, [id]);
  return cursor ?? null;
}

const PAYMENT_EXISTS = statement('refunds_payment_exists', `SELECT 1 AS found FROM payments WHERE id = $1`);

/** Whether a payment with this id exists. */
export async function paymentExists(db: Sql, paymentId: string): Promise<boolean> {
  return (await db.query(PAYMENT_EXISTS, [paymentId])).length === 1;
}

/** A payment's refunds, newest first after `cursor` (see pageQuery), each with its attempts. */
export async function listRefundsOfPayment(
  db: Sql,
  paymentId: string,
  cursor: Cursor | null,
  limit: number,
): Promise<RefundWithAttempts[]> {
  const page = pageQuery('r', [['payment_id', paymentId]], cursor, limit);
  const refunds = await db.query<Refund & { attempts: unknown }>(
    statementFor(
      `refunds_list_${page.shape}`,
      `SELECT ${REFUND_SELECT}, ${ATTEMPTS_OF_R} AS attempts FROM refunds r ${page.where} ORDER BY r.created_at DESC, r.id DESC LIMIT ${page.limitParam}`,
    ),
    page.values,
  );
  return refunds.map(withAttempts);
}

/** A refund this worker holds a lease on (`locked_until` = `leaseUntil`), with the refunded payment's method. */
export type RefundLease = Refund & { readonly paymentMethod: string; readonly leaseUntil: Date };

const CLAIM_DUE = statement(
  'refunds_claim_due',
  `WITH claimed AS (
     UPDATE refunds r SET locked_until = $2
      WHERE r.id IN (
        SELECT id FROM refunds
         WHERE status = 'pending'
           AND next_attempt_at <= $1
           AND (locked_until IS NULL OR locked_until <= $1)
         ORDER BY next_attempt_at
         LIMIT $3
         FOR UPDATE SKIP LOCKED)
     RETURNING r.*
   )
   SELECT ${selectList(REFUND_COLUMNS, 'c')}, p.payment_method AS "paymentMethod", c.locked_until AS "leaseUntil"
     FROM claimed c JOIN payments p ON p.id = c.payment_id`,
);

/** Leases up to `limit` due `pending` refunds to this process until `leaseUntil` (SKIP LOCKED: replicas never share one). */
export function claimDueRefunds(db: Sql, now: Date, leaseUntil: Date, limit: number): Promise<RefundLease[]> {
  return db.query<RefundLease & Record<string, unknown>>(CLAIM_DUE, [now, leaseUntil, limit]);
}

const RELEASE = statement(
  'refunds_release',
  `UPDATE refunds SET locked_until = NULL WHERE id = $1 AND locked_until = $2`,
);

/** Gives the lease up (shutdown before the attempt was decided) so another instance takes the refund now. */
export async function releaseRefund(db: Sql, lease: RefundLease): Promise<void> {
  await db.execute(RELEASE, [lease.id, lease.leaseUntil]);
}

const SETTLE = statement(
  'refunds_settle',
  `WITH settled AS (
     UPDATE refunds
        SET attempt_count = $3, status = $4, failure_code = $5, failure_message = $6, processed_at = $7, next_attempt_at = NULL,
            locked_until = NULL, updated_at = $7
      WHERE id = $1 AND status = 'pending' AND locked_until = $2
     RETURNING id, payment_id
   ), attempt AS (
     INSERT INTO refund_attempts (id, refund_id, attempt_number, outcome, failure_code, failure_message, started_at, finished_at)
     SELECT $8, id, $3, $9, $5, $6, $10, $7 FROM settled
   ), sequenced AS (
     UPDATE payments p SET event_sequence = p.event_sequence + 1 FROM settled WHERE p.id = settled.payment_id
     RETURNING p.event_sequence
   )
   SELECT event_sequence AS "eventSequence" FROM sequenced`,
);

/**
 * The refund's terminal outcome, in one statement of the caller's transaction: the refund settled, the attempt
 * in the ledger, and the refunded payment's event sequence advanced (its row stays locked until the transaction
 * ends, so the payment's events are numbered one at a time). Returns the sequence the refund's event takes,
 * or null when this worker lost the refund's lease (nothing written). The event and its deliveries follow in
 * the same transaction (insertEventWithDeliveries).
 */
export async function settleRefund(
  tx: Sql,
  lease: RefundLease,
  settled: Refund,
  attempt: RefundAttempt,
): Promise<number | null> {
  const [row] = await tx.query<{ eventSequence: number }>(SETTLE, [
    lease.id,
    lease.leaseUntil,
    settled.attemptCount,
    settled.status,
    settled.failureCode,
    settled.failureMessage,
    settled.processedAt,
    attempt.id,
    attempt.outcome,
    attempt.startedAt,
  ]);
  return row ? row.eventSequence : null;
}

const ATTEMPTS_OF_REFUND = statement(
  'refund_attempts_of_refund',
  `SELECT ${selectList(REFUND_ATTEMPT_COLUMNS, 'a')} FROM refund_attempts a WHERE a.refund_id = $1 ORDER BY a.attempt_number`,
);

/** The refund's attempts so far, oldest first. */
export function refundAttemptsOf(db: Sql, refundId: string): Promise<RefundAttempt[]> {
  return db.query<RefundAttempt & Record<string, unknown>>(ATTEMPTS_OF_REFUND, [refundId]);
}
